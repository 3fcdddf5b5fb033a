/*
 * Contexts: options, socket bookkeeping, I/O threads and termination.
 *
 * Termination follows libzmq: shutdown marks the context and posts STOP to
 * every socket, so that calls blocked in other threads return ETERM; term
 * then waits until the application has closed every socket before it frees
 * anything. Closed sockets keep their memory (a "shell") until term, so a
 * stale handle is answered with ENOTSOCK instead of a crash; new sockets
 * reuse shells, so memory stays bounded by the peak number of sockets.
 * Terminated contexts are kept the same way, for zmq_ctx_new to reuse, so
 * that a stale context handle gets EFAULT (pyzmq's shadow contexts use
 * one after term) instead of a read of freed memory.
 */
#include <errno.h>
#include <glib.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "ctx.h"
#include "inproc.h"
#include "iothread.h"
#include "mailbox.h"
#include "reactor.h"
#include "socket.h"

static const uint32_t CTX_TAG_LIVE = 0x6d7a6378u; /* "mzcx" */
static const uint32_t CTX_TAG_DEAD = 0x64656164u;
enum { SOCKET_LIMIT = 65535, DEFAULT_MAX_SOCKETS = 1023 };

struct mz_ctx {
    uint32_t tag;
    pid_t pid;        /* the process that made it (see mz_ctx_inherited) */
    pid_t adopted_by; /* the forked child that last took it over */
    pthread_mutex_t lock;
    pthread_cond_t all_closed;

    GPtrArray *sockets;  /* live sockets */
    GPtrArray *shells;   /* closed sockets, kept for ENOTSOCK and reuse */
    int closing;         /* sockets inside zmq_close right now */
    int network_objects; /* listeners and sessions still running */
    bool terminating;    /* zmq_ctx_shutdown or zmq_ctx_term began */

    /* Options (zmq_ctx_set). */
    int io_thread_count;
    int max_sockets;
    int ipv6;
    int blocky;
    int max_msgsz;
    int zero_copy_recv;
    int thread_sched_policy;
    int thread_priority;
    int thread_affinity[CPU_SETSIZE]; /* CPUs for the I/O threads */
    size_t thread_affinity_count;     /* 0: leave affinity alone */
    char thread_name_prefix[16];

    struct mz_iothread **iothreads; /* started on first use */
    int iothreads_started;

    struct mz_inproc_registry *inproc; /* bound and pending names */
    bool zap_handler_died; /* left a ZAP request unanswered (zap.c) */
};

/* Terminated contexts, zeroed and tagged dead, for zmq_ctx_new. */
static struct {
    pthread_mutex_t lock;
    GPtrArray *shells;
} dead_contexts = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* Contexts from zmq_ctx_new to the end of zmq_ctx_term, for the
 * observers' request for counters (mz_ctx_request_counters), which know
 * no context: a handle they kept could be a terminated one reused. Taken
 * before a context's own lock. */
static struct {
    pthread_mutex_t lock;
    GPtrArray *list;
} live_contexts = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* A forked child has only the thread that forked: an observer's thread
 * that held the lock at the fork is not there to release it. */
static void live_contexts_forked(void)
{
    pthread_mutex_init(&live_contexts.lock, NULL);
}

static void live_contexts_atfork(void)
{
    pthread_atfork(NULL, NULL, live_contexts_forked);
}

static void live_contexts_add(struct mz_ctx *ctx)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, live_contexts_atfork);
    pthread_mutex_lock(&live_contexts.lock);
    if (live_contexts.list == NULL)
        live_contexts.list = g_ptr_array_new();
    g_ptr_array_add(live_contexts.list, ctx);
    pthread_mutex_unlock(&live_contexts.lock);
}

static void live_contexts_remove(struct mz_ctx *ctx)
{
    pthread_mutex_lock(&live_contexts.lock);
    g_ptr_array_remove_fast(live_contexts.list, ctx);
    pthread_mutex_unlock(&live_contexts.lock);
}

void mz_ctx_request_counters(void)
{
    pid_t pid = getpid();
    pthread_mutex_lock(&live_contexts.lock);
    for (guint c = 0; live_contexts.list != NULL && c < live_contexts.list->len;
         c++) {
        struct mz_ctx *ctx = g_ptr_array_index(live_contexts.list, c);
        /* An inherited context's sockets belong to the parent. */
        if (ctx->pid != pid)
            continue;
        pthread_mutex_lock(&ctx->lock);
        for (guint i = 0; !ctx->terminating && i < ctx->sockets->len; i++)
            mz_socket_request_counters(g_ptr_array_index(ctx->sockets, i));
        pthread_mutex_unlock(&ctx->lock);
    }
    pthread_mutex_unlock(&live_contexts.lock);
}

static struct mz_ctx *reuse_dead_context(void)
{
    struct mz_ctx *ctx = NULL;
    pthread_mutex_lock(&dead_contexts.lock);
    if (dead_contexts.shells != NULL && dead_contexts.shells->len > 0)
        ctx = g_ptr_array_steal_index_fast(dead_contexts.shells,
                                           dead_contexts.shells->len - 1);
    pthread_mutex_unlock(&dead_contexts.lock);
    if (ctx != NULL)
        memset(ctx, 0, sizeof *ctx);
    return ctx;
}

/* Keeps a terminated context's memory for zmq_ctx_new. */
static void keep_dead_context(struct mz_ctx *ctx)
{
    memset(ctx, 0, sizeof *ctx);
    ctx->tag = CTX_TAG_DEAD;
    pthread_mutex_lock(&dead_contexts.lock);
    if (dead_contexts.shells == NULL)
        dead_contexts.shells = g_ptr_array_new();
    g_ptr_array_add(dead_contexts.shells, ctx);
    pthread_mutex_unlock(&dead_contexts.lock);
}

struct mz_ctx *mz_ctx_new(void)
{
    struct mz_ctx *ctx = reuse_dead_context();
    if (ctx == NULL)
        ctx = calloc(1, sizeof *ctx);
    if (ctx == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    ctx->pid = getpid();
    pthread_mutex_init(&ctx->lock, NULL);
    pthread_cond_init(&ctx->all_closed, NULL);
    ctx->sockets = g_ptr_array_new();
    ctx->shells = g_ptr_array_new_with_free_func(free);
    ctx->io_thread_count = 1;
    ctx->max_sockets = DEFAULT_MAX_SOCKETS;
    ctx->ipv6 = 0;
    ctx->blocky = 1;
    ctx->max_msgsz = INT_MAX;
    ctx->zero_copy_recv = 1;
    ctx->thread_sched_policy = -1;
    ctx->thread_priority = -1;
    ctx->inproc = mz_inproc_registry_new();
    ctx->tag = CTX_TAG_LIVE;
    live_contexts_add(ctx);
    return ctx;
}

bool mz_ctx_is_live(const struct mz_ctx *ctx)
{
    return ctx != NULL && ctx->tag == CTX_TAG_LIVE;
}

bool mz_ctx_inherited(struct mz_ctx *ctx)
{
    pid_t pid = getpid();
    if (pid == ctx->pid)
        return false;
    /* A thread of the parent may have held the lock at the fork, and no
     * thread is left here to release it. */
    if (ctx->adopted_by != pid) {
        pthread_mutex_init(&ctx->lock, NULL);
        pthread_cond_init(&ctx->all_closed, NULL);
        mz_inproc_registry_inherited(ctx->inproc);
        ctx->adopted_by = pid;
    }
    return true;
}

int mz_ctx_shutdown(struct mz_ctx *ctx)
{
    /* A forked child posts nothing: its sockets' eventfds are the
     * parent's too, and a wake-up there would be the parent's to answer. */
    bool inherited = mz_ctx_inherited(ctx);
    pthread_mutex_lock(&ctx->lock);
    if (!ctx->terminating && !inherited) {
        struct mz_command stop = { .type = MZ_CMD_STOP };
        for (guint i = 0; i < ctx->sockets->len; i++)
            mz_socket_post(g_ptr_array_index(ctx->sockets, i), &stop);
    }
    ctx->terminating = true;
    pthread_mutex_unlock(&ctx->lock);
    return 0;
}

/* zmq_ctx_term in a forked child (mz_ctx_inherited): no STOP is posted
 * (a socket's eventfd is the parent's too) and nothing is waited for, as
 * nobody but this thread can close a socket here: the sockets still open
 * are let go of as zmq_close lets go of them. */
static void close_inherited_sockets(struct mz_ctx *ctx)
{
    mz_ctx_shutdown(ctx);
    while (ctx->sockets->len > 0)
        mz_socket_close(g_ptr_array_index(ctx->sockets, ctx->sockets->len - 1));
}

int mz_ctx_term(struct mz_ctx *ctx)
{
    bool inherited = mz_ctx_inherited(ctx);
    if (inherited) {
        close_inherited_sockets(ctx);
    } else {
        mz_ctx_shutdown(ctx);
        pthread_mutex_lock(&ctx->lock);
        while (ctx->sockets->len > 0 || ctx->closing > 0 ||
               ctx->network_objects > 0)
            pthread_cond_wait(&ctx->all_closed, &ctx->lock);
        pthread_mutex_unlock(&ctx->lock);
    }

    live_contexts_remove(ctx);
    /* No socket is left: nothing else can reach the context now. */
    mz_inproc_release_pending(ctx);
    /* The I/O threads of a forked child's context do not exist there:
     * what their listeners, sessions and engines hold stays allocated
     * until the child exits, as in libzmq. */
    for (int i = 0; i < ctx->iothreads_started; i++) {
        if (inherited)
            mz_iothread_abandon(ctx->iothreads[i]);
        else
            mz_iothread_stop(ctx->iothreads[i]);
    }
    free(ctx->iothreads);
    mz_inproc_registry_free(ctx->inproc);
    ctx->inproc = NULL;
    g_ptr_array_free(ctx->sockets, TRUE);
    g_ptr_array_free(ctx->shells, TRUE);
    pthread_cond_destroy(&ctx->all_closed);
    pthread_mutex_destroy(&ctx->lock);
    keep_dead_context(ctx);
    return 0;
}

static int invalid(void)
{
    errno = EINVAL;
    return -1;
}

/* False when cpu was not in the list. */
static bool affinity_remove(struct mz_ctx *ctx, int cpu)
{
    for (size_t i = 0; i < ctx->thread_affinity_count; i++) {
        if (ctx->thread_affinity[i] == cpu) {
            ctx->thread_affinity[i] =
                ctx->thread_affinity[--ctx->thread_affinity_count];
            return true;
        }
    }
    return false;
}

/* Options that shape the I/O thread pool only apply before it starts.
 * The values libzmq takes: no negative policy, priority or CPU (their
 * defaults, -1, mean "leave alone" and cannot be set), removing only a
 * CPU that was added, and any number as a name prefix. */
static int set_thread_option(struct mz_ctx *ctx, int option, int value)
{
    switch (option) {
    case ZMQ_IO_THREADS:
        if (value < 0)
            return invalid();
        ctx->io_thread_count = value;
        return 0;
    case ZMQ_THREAD_SCHED_POLICY:
        if (value < 0)
            return invalid();
        ctx->thread_sched_policy = value;
        return 0;
    case ZMQ_THREAD_PRIORITY:
        if (value < 0)
            return invalid();
        ctx->thread_priority = value;
        return 0;
    case ZMQ_THREAD_AFFINITY_CPU_ADD:
        if (value < 0 || value >= CPU_SETSIZE)
            return invalid();
        affinity_remove(ctx, value);
        ctx->thread_affinity[ctx->thread_affinity_count++] = value;
        return 0;
    case ZMQ_THREAD_AFFINITY_CPU_REMOVE:
        if (value < 0 || !affinity_remove(ctx, value))
            return invalid();
        return 0;
    case ZMQ_THREAD_NAME_PREFIX:
        snprintf(ctx->thread_name_prefix, sizeof ctx->thread_name_prefix, "%d",
                 value);
        return 0;
    default:
        return invalid();
    }
}

int mz_ctx_set(struct mz_ctx *ctx, int option, int value)
{
    int rc = 0;
    pthread_mutex_lock(&ctx->lock);
    switch (option) {
    case ZMQ_MAX_SOCKETS:
        if (value < 1 || value > SOCKET_LIMIT)
            rc = invalid();
        else
            ctx->max_sockets = value;
        break;
    case ZMQ_IPV6:
        if (value < 0)
            rc = invalid();
        else
            ctx->ipv6 = value != 0;
        break;
    case ZMQ_BLOCKY:
        if (value < 0)
            rc = invalid();
        else
            ctx->blocky = value != 0;
        break;
    case ZMQ_MAX_MSGSZ:
        if (value < 0)
            rc = invalid();
        else
            ctx->max_msgsz = value;
        break;
    case ZMQ_ZERO_COPY_RECV:
        if (value < 0)
            rc = invalid();
        else
            ctx->zero_copy_recv = value != 0;
        break;
    default:
        rc = set_thread_option(ctx, option, value);
        break;
    }
    pthread_mutex_unlock(&ctx->lock);
    return rc;
}

/* ZMQ_THREAD_NAME_PREFIX read as a number, as libzmq gives it: the
 * leading digits of the prefix (0 for none, or for a prefix set as a
 * string of letters), clipped to an int. */
static int prefix_number(const char *prefix)
{
    long number = strtol(prefix, NULL, 10);
    if (number > INT_MAX)
        return INT_MAX;
    if (number < INT_MIN)
        return INT_MIN;
    return (int) number;
}

int mz_ctx_get(struct mz_ctx *ctx, int option)
{
    int value;
    pthread_mutex_lock(&ctx->lock);
    switch (option) {
    case ZMQ_IO_THREADS:
        value = ctx->io_thread_count;
        break;
    case ZMQ_MAX_SOCKETS:
        value = ctx->max_sockets;
        break;
    case ZMQ_SOCKET_LIMIT:
        value = SOCKET_LIMIT;
        break;
    case ZMQ_IPV6:
        value = ctx->ipv6;
        break;
    case ZMQ_BLOCKY:
        value = ctx->blocky;
        break;
    case ZMQ_MAX_MSGSZ:
        value = ctx->max_msgsz;
        break;
    case ZMQ_MSG_T_SIZE:
        value = (int) sizeof(zmq_msg_t);
        break;
    case ZMQ_ZERO_COPY_RECV:
        value = ctx->zero_copy_recv;
        break;
    case ZMQ_THREAD_SCHED_POLICY:
        value = ctx->thread_sched_policy;
        break;
    case ZMQ_THREAD_NAME_PREFIX:
        value = prefix_number(ctx->thread_name_prefix);
        break;
    default:
        value = invalid();
        break;
    }
    pthread_mutex_unlock(&ctx->lock);
    return value;
}

int mz_ctx_set_ext(struct mz_ctx *ctx, int option, const void *value,
                   size_t size)
{
    if (value == NULL)
        return invalid();
    if (option == ZMQ_THREAD_NAME_PREFIX) {
        if (size >= sizeof ctx->thread_name_prefix)
            return invalid();
        pthread_mutex_lock(&ctx->lock);
        memcpy(ctx->thread_name_prefix, value, size);
        ctx->thread_name_prefix[size] = '\0';
        pthread_mutex_unlock(&ctx->lock);
        return 0;
    }
    if (size != sizeof(int))
        return invalid();
    int number;
    memcpy(&number, value, sizeof number);
    return mz_ctx_set(ctx, option, number);
}

int mz_ctx_get_ext(struct mz_ctx *ctx, int option, void *value, size_t *size)
{
    if (value == NULL || size == NULL)
        return invalid();
    if (option == ZMQ_THREAD_NAME_PREFIX) {
        pthread_mutex_lock(&ctx->lock);
        size_t needed = strlen(ctx->thread_name_prefix) + 1;
        int rc = 0;
        if (*size < needed) {
            rc = invalid();
        } else {
            memcpy(value, ctx->thread_name_prefix, needed);
            *size = needed;
        }
        pthread_mutex_unlock(&ctx->lock);
        return rc;
    }
    if (*size < sizeof(int))
        return invalid();
    int number = mz_ctx_get(ctx, option);
    if (number == -1 && errno == EINVAL)
        return -1;
    memcpy(value, &number, sizeof number);
    *size = sizeof number;
    return 0;
}

/* Starts the I/O thread pool; with ctx->lock held, when the first socket
 * is created. -1 with errno on failure. */
static int start_iothreads(struct mz_ctx *ctx)
{
    if (ctx->iothreads_started > 0 || ctx->io_thread_count == 0)
        return 0;
    ctx->iothreads =
        calloc((size_t) ctx->io_thread_count, sizeof *ctx->iothreads);
    if (ctx->iothreads == NULL) {
        errno = ENOMEM;
        return -1;
    }
    for (int i = 0; i < ctx->io_thread_count; i++) {
        char name[48];
        snprintf(name, sizeof name, "%s%sZMQbg/IO/%d", ctx->thread_name_prefix,
                 ctx->thread_name_prefix[0] ? "/" : "", i);
        struct mz_iothread *thread = mz_iothread_start(name);
        if (thread == NULL) {
            int saved = errno;
            while (ctx->iothreads_started > 0)
                mz_iothread_stop(ctx->iothreads[--ctx->iothreads_started]);
            free(ctx->iothreads);
            ctx->iothreads = NULL;
            errno = saved;
            return -1;
        }
        ctx->iothreads[ctx->iothreads_started++] = thread;
        /* Scheduling is best effort, as in libzmq: an unprivileged
         * process asking for a real-time policy still gets its threads. */
        if (ctx->thread_sched_policy != -1 || ctx->thread_priority != -1 ||
            ctx->thread_affinity_count > 0)
            mz_iothread_set_sched(thread, ctx->thread_sched_policy,
                                  ctx->thread_priority, ctx->thread_affinity,
                                  ctx->thread_affinity_count);
    }
    return 0;
}

struct mz_socket *mz_ctx_register_socket(struct mz_ctx *ctx, size_t size,
                                         mz_ctx_socket_init_fn *init,
                                         const void *arg)
{
    struct mz_socket *s = NULL;
    pthread_mutex_lock(&ctx->lock);
    if (ctx->terminating) {
        errno = ETERM;
        goto out;
    }
    if ((int) ctx->sockets->len >= ctx->max_sockets) {
        errno = EMFILE;
        goto out;
    }
    if (start_iothreads(ctx) < 0)
        goto out;
    if (ctx->shells->len > 0)
        s = g_ptr_array_steal_index_fast(ctx->shells, ctx->shells->len - 1);
    else
        s = calloc(1, size);
    if (s == NULL) {
        errno = ENOMEM;
        goto out;
    }
    struct mz_ctx_socket_defaults defaults = { .blocky = ctx->blocky != 0,
                                               .ipv6 = ctx->ipv6 != 0 };
    if (init(s, ctx, &defaults, arg) < 0) {
        int saved = errno;
        g_ptr_array_add(ctx->shells, s);
        s = NULL;
        errno = saved;
        goto out;
    }
    g_ptr_array_add(ctx->sockets, s);
out:
    pthread_mutex_unlock(&ctx->lock);
    return s;
}

void mz_ctx_socket_closing(struct mz_ctx *ctx, struct mz_socket *s)
{
    pthread_mutex_lock(&ctx->lock);
    g_ptr_array_remove_fast(ctx->sockets, s);
    ctx->closing++;
    pthread_mutex_unlock(&ctx->lock);
}

void mz_ctx_unregister_socket(struct mz_ctx *ctx, struct mz_socket *s)
{
    pthread_mutex_lock(&ctx->lock);
    g_ptr_array_add(ctx->shells, s);
    ctx->closing--;
    if (ctx->sockets->len == 0 && ctx->closing == 0)
        pthread_cond_broadcast(&ctx->all_closed);
    pthread_mutex_unlock(&ctx->lock);
}

struct mz_inproc_registry *mz_ctx_inproc(struct mz_ctx *ctx)
{
    return ctx->inproc;
}

void mz_ctx_set_zap_handler_died(struct mz_ctx *ctx, bool died)
{
    pthread_mutex_lock(&ctx->lock);
    ctx->zap_handler_died = died;
    pthread_mutex_unlock(&ctx->lock);
}

bool mz_ctx_zap_handler_died(struct mz_ctx *ctx)
{
    pthread_mutex_lock(&ctx->lock);
    bool died = ctx->zap_handler_died;
    pthread_mutex_unlock(&ctx->lock);
    return died;
}

struct mz_reactor *mz_ctx_choose_reactor(struct mz_ctx *ctx, uint64_t affinity)
{
    /* A forked child has none of the I/O threads. */
    if (mz_ctx_inherited(ctx)) {
        errno = EMTHREAD;
        return NULL;
    }
    struct mz_reactor *best = NULL;
    unsigned best_load = 0;
    pthread_mutex_lock(&ctx->lock);
    for (int i = 0; i < ctx->iothreads_started; i++) {
        if (affinity != 0 && (i >= 64 || !(affinity & (UINT64_C(1) << i))))
            continue;
        struct mz_reactor *reactor = mz_iothread_reactor(ctx->iothreads[i]);
        unsigned load = mz_reactor_load(reactor);
        if (best == NULL || load < best_load) {
            best = reactor;
            best_load = load;
        }
    }
    pthread_mutex_unlock(&ctx->lock);
    if (best == NULL)
        errno = EMTHREAD;
    return best;
}

void mz_ctx_network_object_added(struct mz_ctx *ctx)
{
    pthread_mutex_lock(&ctx->lock);
    ctx->network_objects++;
    pthread_mutex_unlock(&ctx->lock);
}

void mz_ctx_network_object_removed(struct mz_ctx *ctx)
{
    pthread_mutex_lock(&ctx->lock);
    if (--ctx->network_objects == 0)
        pthread_cond_broadcast(&ctx->all_closed);
    pthread_mutex_unlock(&ctx->lock);
}
