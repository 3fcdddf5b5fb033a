/*
 * The inproc transport. A bind registers a name in the context's registry;
 * a connect creates a pipe straight away, and either hands the far end to
 * the bound socket (through its mailbox) or, when nothing is bound yet,
 * parks it in the registry until a bind of that name arrives. Messages sent before the
 * bind wait in the pipe, as in libzmq.
 *
 * The high-water mark of each direction is the writer's SNDHWM plus the
 * reader's RCVHWM, unlimited if either is zero; before the bind, the
 * connecting writer's SNDHWM alone.
 */
#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "inproc.h"
#include "socket.h"

/* The names of one context. Its lock is taken by any socket's thread
 * (bind, connect, unbind, close) and by I/O threads (mz_inproc_offer); it
 * is held only to look up and edit the tables and to post to a bound
 * socket's mailbox. */
struct mz_inproc_registry {
    pthread_mutex_t lock;
    GHashTable *bound;   /* name -> struct inproc_binding */
    GHashTable *pending; /* name -> GPtrArray of struct inproc_pending */
};

struct inproc_binding {
    struct mz_socket *socket;
    int sndhwm;
    int rcvhwm;
    struct mz_blob farewell; /* its ZMQ_DISCONNECT_MSG at bind time */
};

struct inproc_pending {
    struct mz_pipe *pipe; /* end[0] is the connector's, end[1] waits */
    int sndhwm;           /* the connector's, at connect time */
    int rcvhwm;
};

static void binding_free(gpointer data)
{
    struct inproc_binding *binding = data;
    free(binding->farewell.data);
    g_free(binding);
}

struct mz_inproc_registry *mz_inproc_registry_new(void)
{
    struct mz_inproc_registry *registry = g_new0(struct mz_inproc_registry, 1);
    pthread_mutex_init(&registry->lock, NULL);
    registry->bound =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, binding_free);
    registry->pending = g_hash_table_new_full(
        g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
    return registry;
}

void mz_inproc_registry_free(struct mz_inproc_registry *registry)
{
    g_hash_table_destroy(registry->bound);
    g_hash_table_destroy(registry->pending);
    pthread_mutex_destroy(&registry->lock);
    g_free(registry);
}

void mz_inproc_registry_inherited(struct mz_inproc_registry *registry)
{
    pthread_mutex_init(&registry->lock, NULL);
}

/* Each end's limit is the sum of its writer's SNDHWM and its reader's
 * RCVHWM; each end remembers its peer's, for mz_pipe_apply_hwms. */
static void set_limits(struct mz_pipe *pipe, int sndhwm0, int rcvhwm0,
                       int sndhwm1, int rcvhwm1)
{
    mz_pipe_set_hwm(&pipe->end[0], mz_pipe_limit(sndhwm0, rcvhwm1));
    mz_pipe_set_hwm(&pipe->end[1], mz_pipe_limit(sndhwm1, rcvhwm0));
    mz_pipe_set_peer_hwms(&pipe->end[0], sndhwm1, rcvhwm1);
    mz_pipe_set_peer_hwms(&pipe->end[1], sndhwm0, rcvhwm0);
}

int mz_inproc_bind(struct mz_socket *s, const char *name)
{
    struct mz_options *options = mz_socket_options(s);
    struct mz_inproc_registry *registry = mz_ctx_inproc(mz_socket_ctx(s));
    pthread_mutex_lock(&registry->lock);
    if (g_hash_table_contains(registry->bound, name)) {
        pthread_mutex_unlock(&registry->lock);
        errno = EADDRINUSE;
        return -1;
    }
    const struct mz_blob *farewell = &options->disconnect_msg;
    uint8_t *farewell_copy = NULL;
    if (farewell->size > 0) {
        farewell_copy = malloc(farewell->size);
        if (farewell_copy == NULL) {
            pthread_mutex_unlock(&registry->lock);
            errno = ENOMEM;
            return -1;
        }
        memcpy(farewell_copy, farewell->data, farewell->size);
    }
    struct inproc_binding *binding = g_new(struct inproc_binding, 1);
    binding->socket = s;
    binding->sndhwm = options->sndhwm;
    binding->rcvhwm = options->rcvhwm;
    binding->farewell.data = farewell_copy;
    binding->farewell.size = farewell->size;
    g_hash_table_insert(registry->bound, g_strdup(name), binding);
    GPtrArray *waiting = NULL;
    gpointer key;
    if (g_hash_table_steal_extended(registry->pending, name, &key,
                                    (gpointer *) &waiting))
        g_free(key);
    pthread_mutex_unlock(&registry->lock);

    /* Connects that came first: this thread owns s, attach directly. */
    for (guint i = 0; waiting != NULL && i < waiting->len; i++) {
        struct inproc_pending *pending = g_ptr_array_index(waiting, i);
        struct mz_pipe *pipe = pending->pipe;
        set_limits(pipe, pending->sndhwm, pending->rcvhwm, options->sndhwm,
                   options->rcvhwm);
        if (options->disconnect_msg.size > 0)
            mz_pipe_set_farewell(pipe, &options->disconnect_msg);
        mz_socket_own_pipe(s, &pipe->end[1]);
        mz_socket_attach_pipe(s, &pipe->end[1]);
    }
    if (waiting != NULL)
        g_ptr_array_unref(waiting);
    return 0;
}

int mz_inproc_connect(struct mz_socket *s, const char *name, const char *uri)
{
    struct mz_options *options = mz_socket_options(s);
    struct mz_inproc_registry *registry = mz_ctx_inproc(mz_socket_ctx(s));
    struct mz_pipe *pipe;
    pthread_mutex_lock(&registry->lock);
    struct inproc_binding *binding = g_hash_table_lookup(registry->bound, name);
    bool waits = binding == NULL;
    if (!waits) {
        pipe = mz_pipe_new(0, 0, options->conflate);
        if (pipe == NULL)
            goto fail;
        mz_socket_own_pipe(s, &pipe->end[0]);
        set_limits(pipe, options->sndhwm, options->rcvhwm,
                   binding->sndhwm, binding->rcvhwm);
        pipe->inproc = true;
        if (binding->farewell.size > 0)
            mz_pipe_set_farewell(pipe, &binding->farewell);
        /* The bound socket cannot see the pipe before this command. */
        mz_socket_own_pipe(binding->socket, &pipe->end[1]);
        mz_pipe_ref(pipe);
        struct mz_command attach = { .type = MZ_CMD_ATTACH,
                                     .pipe = pipe,
                                     .side = 1 };
        mz_socket_post(binding->socket, &attach);
    } else {
        pipe = mz_pipe_new(
            options->sndhwm > 0 ? (uint64_t) options->sndhwm : 0, 0,
            options->conflate);
        if (pipe == NULL)
            goto fail;
        mz_socket_own_pipe(s, &pipe->end[0]);
        pipe->inproc = true;
        struct inproc_pending *pending = g_new(struct inproc_pending, 1);
        pending->pipe = pipe;
        pending->sndhwm = options->sndhwm;
        pending->rcvhwm = options->rcvhwm;
        GPtrArray *waiting = g_hash_table_lookup(registry->pending, name);
        if (waiting == NULL) {
            waiting = g_ptr_array_new_with_free_func(g_free);
            g_hash_table_insert(registry->pending, g_strdup(name), waiting);
        }
        g_ptr_array_add(waiting, pending);
    }
    pthread_mutex_unlock(&registry->lock);

    struct mz_pipe_end *end = &pipe->end[0];
    mz_pipe_take_connect_routing_id(end, options);
    /* Out of memory, the pipe ends (the bound peer sees it go) and the
     * connect fails; refused by the type (PAIR), it ends too. One still
     * waiting leaves the registry, or a later bind would take it. */
    int taken = mz_socket_attach_pipe(s, end);
    if (taken <= 0 && waits)
        mz_inproc_withdraw(mz_socket_ctx(s), name, pipe);
    if (taken < 0)
        return -1;
    mz_socket_add_endpoint(s, uri, false, taken > 0 ? end : NULL);
    return 0;

fail:
    pthread_mutex_unlock(&registry->lock);
    return -1;
}

bool mz_inproc_withdraw(struct mz_ctx *ctx, const char *name,
                        struct mz_pipe *pipe)
{
    struct mz_inproc_registry *registry = mz_ctx_inproc(ctx);
    bool withdrawn = false;
    pthread_mutex_lock(&registry->lock);
    GPtrArray *waiting = g_hash_table_lookup(registry->pending, name);
    for (guint i = 0; waiting != NULL && i < waiting->len; i++) {
        struct inproc_pending *pending = g_ptr_array_index(waiting, i);
        if (pending->pipe == pipe) {
            g_ptr_array_remove_index(waiting, i);
            withdrawn = true;
            break;
        }
    }
    if (waiting != NULL && waiting->len == 0)
        g_hash_table_remove(registry->pending, name);
    pthread_mutex_unlock(&registry->lock);
    /* The end nobody attached held the pipe's second reference. */
    if (withdrawn)
        mz_pipe_unref(pipe);
    return withdrawn;
}

int mz_inproc_offer(struct mz_ctx *ctx, const char *name, struct mz_pipe *pipe)
{
    struct mz_inproc_registry *registry = mz_ctx_inproc(ctx);
    pthread_mutex_lock(&registry->lock);
    struct inproc_binding *binding = g_hash_table_lookup(registry->bound, name);
    if (binding == NULL) {
        pthread_mutex_unlock(&registry->lock);
        errno = ECONNREFUSED;
        return -1;
    }
    /* Posted under the lock, so the socket cannot unbind and close in
     * between: a closing socket terminates the ends it never attached. */
    mz_socket_own_pipe(binding->socket, &pipe->end[1]);
    mz_pipe_ref(pipe);
    struct mz_command attach = { .type = MZ_CMD_ATTACH,
                                 .pipe = pipe,
                                 .side = 1 };
    mz_socket_post(binding->socket, &attach);
    pthread_mutex_unlock(&registry->lock);
    return 0;
}

int mz_inproc_unbind(struct mz_socket *s, const char *name)
{
    struct mz_inproc_registry *registry = mz_ctx_inproc(mz_socket_ctx(s));
    int rc = 0;
    pthread_mutex_lock(&registry->lock);
    struct inproc_binding *binding = g_hash_table_lookup(registry->bound, name);
    if (binding != NULL && binding->socket == s) {
        g_hash_table_remove(registry->bound, name);
    } else {
        errno = ENOENT;
        rc = -1;
    }
    pthread_mutex_unlock(&registry->lock);
    return rc;
}

static gboolean bound_by(gpointer key, gpointer value, gpointer socket)
{
    (void) key;
    return ((struct inproc_binding *) value)->socket == socket;
}

void mz_inproc_unbind_all(struct mz_socket *s)
{
    struct mz_inproc_registry *registry = mz_ctx_inproc(mz_socket_ctx(s));
    pthread_mutex_lock(&registry->lock);
    g_hash_table_foreach_remove(registry->bound, bound_by, s);
    pthread_mutex_unlock(&registry->lock);
}

static void release_waiting(gpointer key, gpointer value, gpointer unused)
{
    (void) key;
    (void) unused;
    GPtrArray *waiting = value;
    for (guint i = 0; i < waiting->len; i++) {
        struct inproc_pending *pending = g_ptr_array_index(waiting, i);
        /* The end nobody attached holds the pipe's second reference. */
        mz_pipe_unref(pending->pipe);
    }
}

void mz_inproc_release_pending(struct mz_ctx *ctx)
{
    struct mz_inproc_registry *registry = mz_ctx_inproc(ctx);
    g_hash_table_foreach(registry->pending, release_waiting, NULL);
    g_hash_table_remove_all(registry->pending);
}
