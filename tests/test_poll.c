/*
 * zmq_poll and zmq_ppoll over inproc sockets and plain file descriptors:
 * argument errors, event bits, timeouts, wake-ups from other threads,
 * signals (which end a blocked zmq_send or zmq_recv too), and ETERM. Timing is only ever checked loosely (a timeout
 * waits at least about as long as asked, and not for ages).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "zmq.h"

static void sleep_ms(int ms)
{
    struct timespec ts = { .tv_sec = ms / 1000,
                           .tv_nsec = (long) (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        continue;
}

/* Two connected sockets of the given types on one inproc endpoint. */
static void connect_pair(void *ctx, int bind_type, int connect_type,
                         const char *endpoint, void **bound, void **connected)
{
    *bound = zmq_socket(ctx, bind_type);
    *connected = zmq_socket(ctx, connect_type);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*bound);
    CU_ASSERT_PTR_NOT_NULL_FATAL(*connected);
    CU_ASSERT_EQUAL(zmq_bind(*bound, endpoint), 0);
    CU_ASSERT_EQUAL(zmq_connect(*connected, endpoint), 0);
}

static zmq_pollitem_t socket_item(void *socket, short events)
{
    return (zmq_pollitem_t){ .socket = socket, .events = events };
}

static zmq_pollitem_t fd_item(int fd, short events)
{
    return (zmq_pollitem_t){ .socket = NULL, .fd = fd, .events = events };
}

static void test_arguments(void)
{
    zmq_pollitem_t item = fd_item(-1, ZMQ_POLLIN);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_poll(NULL, 1, 0), -1);
    CU_ASSERT_EQUAL(errno, EFAULT);
    CU_ASSERT_EQUAL(zmq_poll(&item, -1, 0), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(zmq_poll(NULL, 0, 0), 0);
    CU_ASSERT_EQUAL(zmq_poll(&item, 0, 0), 0);
}

/* With no items zmq_poll just sleeps for the timeout. */
static void test_no_items_sleeps(void)
{
    int64_t start = test_now_ms();
    CU_ASSERT_EQUAL(zmq_poll(NULL, 0, 30), 0);
    int64_t elapsed = test_now_ms() - start;
    CU_ASSERT(elapsed >= 25);
    CU_ASSERT(elapsed < 5000);
}

static void test_not_a_socket(void)
{
    void *ctx = zmq_ctx_new();
    void *live = zmq_socket(ctx, ZMQ_PAIR);
    void *closed = zmq_socket(ctx, ZMQ_PAIR);
    zmq_close(closed);
    zmq_pollitem_t items[2] = { socket_item(live, ZMQ_POLLOUT),
                                socket_item(closed, 0) };
    errno = 0;
    CU_ASSERT_EQUAL(zmq_poll(items, 2, 0), -1);
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
    /* Even a socket item with no events must be a socket. */
    CU_ASSERT_EQUAL(zmq_poll(&items[1], 1, 0), -1);
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
    zmq_close(live);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Sockets report ZMQ_EVENTS masked by what was asked, never ERR or PRI. */
static void test_socket_events(void)
{
    void *ctx = zmq_ctx_new();
    void *a, *b;
    connect_pair(ctx, ZMQ_PAIR, ZMQ_PAIR, "inproc://poll-events", &a, &b);
    short all = ZMQ_POLLIN | ZMQ_POLLOUT | ZMQ_POLLERR | ZMQ_POLLPRI;
    zmq_pollitem_t item = socket_item(a, all);
    CU_ASSERT_EQUAL(zmq_poll(&item, 1, 0), 1);
    CU_ASSERT_EQUAL(item.revents, ZMQ_POLLOUT);

    CU_ASSERT_TRUE(test_send(b, "hello", 0));
    CU_ASSERT_EQUAL(zmq_poll(&item, 1, 2000), 1);
    CU_ASSERT_EQUAL(item.revents, ZMQ_POLLIN | ZMQ_POLLOUT);
    /* An enormous timeout is fine when something is ready. */
    CU_ASSERT_EQUAL(zmq_poll(&item, 1, LONG_MAX), 1);

    item.events = ZMQ_POLLIN;
    CU_ASSERT_EQUAL(zmq_poll(&item, 1, 0), 1);
    CU_ASSERT_EQUAL(item.revents, ZMQ_POLLIN);

    /* No events asked: revents is cleared and nothing counts. */
    item.events = 0;
    item.revents = 77;
    CU_ASSERT_EQUAL(zmq_poll(&item, 1, 0), 0);
    CU_ASSERT_EQUAL(item.revents, 0);

    /* Level-triggered: still readable until read. */
    item.events = ZMQ_POLLIN;
    CU_ASSERT_EQUAL(zmq_poll(&item, 1, 0), 1);
    CU_ASSERT_TRUE(test_recv_is(a, "hello", 2000));
    CU_ASSERT_EQUAL(zmq_poll(&item, 1, 0), 0);
    CU_ASSERT_EQUAL(item.revents, 0);

    /* The same socket twice is two items. */
    zmq_pollitem_t twice[2] = { socket_item(a, ZMQ_POLLOUT),
                                socket_item(a, ZMQ_POLLOUT) };
    CU_ASSERT_EQUAL(zmq_poll(twice, 2, 0), 2);

    zmq_close(a);
    zmq_close(b);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* PUSH/PULL and DEALER: only the directions each type supports show. */
static void test_socket_types(void)
{
    void *ctx = zmq_ctx_new();
    void *pull, *push, *d1, *d2;
    connect_pair(ctx, ZMQ_PULL, ZMQ_PUSH, "inproc://poll-pipeline", &pull,
                 &push);
    connect_pair(ctx, ZMQ_DEALER, ZMQ_DEALER, "inproc://poll-dealer", &d1, &d2);
    short both = ZMQ_POLLIN | ZMQ_POLLOUT;
    zmq_pollitem_t items[4] = {
        socket_item(pull, both),
        socket_item(push, both),
        socket_item(d1, both),
        socket_item(d2, both),
    };
    CU_ASSERT_EQUAL(zmq_poll(items, 4, 0), 3);
    CU_ASSERT_EQUAL(items[0].revents, 0);
    CU_ASSERT_EQUAL(items[1].revents, ZMQ_POLLOUT);
    CU_ASSERT_EQUAL(items[2].revents, ZMQ_POLLOUT);
    CU_ASSERT_EQUAL(items[3].revents, ZMQ_POLLOUT);

    CU_ASSERT_TRUE(test_send(push, "task", 0));
    CU_ASSERT_TRUE(test_send(d2, "part", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(d2, "last", 0));
    CU_ASSERT_EQUAL(zmq_poll(items, 4, 2000), 4);
    CU_ASSERT_EQUAL(items[0].revents, ZMQ_POLLIN);
    CU_ASSERT_EQUAL(items[2].revents, ZMQ_POLLIN | ZMQ_POLLOUT);

    /* Nothing to send to: a PUSH without peers is not writable. */
    void *lonely = zmq_socket(ctx, ZMQ_PUSH);
    zmq_pollitem_t item = socket_item(lonely, ZMQ_POLLOUT);
    CU_ASSERT_EQUAL(zmq_poll(&item, 1, 0), 0);

    zmq_close(lonely);
    test_close(pull);
    test_close(push);
    test_close(d1);
    test_close(d2);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Plain fds map poll(2): in, out, and error/hang-up/invalid as POLLERR. */
static void test_plain_fds(void)
{
    int fds[2];
    CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
    zmq_pollitem_t items[2] = { fd_item(fds[0], ZMQ_POLLIN),
                                fd_item(fds[1], ZMQ_POLLIN | ZMQ_POLLOUT) };
    CU_ASSERT_EQUAL(zmq_poll(items, 2, 0), 1);
    CU_ASSERT_EQUAL(items[0].revents, 0);
    CU_ASSERT_EQUAL(items[1].revents, ZMQ_POLLOUT);

    CU_ASSERT_EQUAL(write(fds[1], "x", 1), 1);
    CU_ASSERT_EQUAL(zmq_poll(items, 2, 0), 2);
    CU_ASSERT_EQUAL(items[0].revents, ZMQ_POLLIN);

    /* A hang-up shows as POLLERR, asked for or not. */
    close(fds[1]);
    items[0].events = 0;
    CU_ASSERT_EQUAL(zmq_poll(items, 1, 0), 1);
    CU_ASSERT_EQUAL(items[0].revents, ZMQ_POLLERR);
    items[0].events = ZMQ_POLLIN;
    CU_ASSERT_EQUAL(zmq_poll(items, 1, 0), 1);
    CU_ASSERT_EQUAL(items[0].revents, ZMQ_POLLIN | ZMQ_POLLERR);

    /* A negative fd is skipped; a closed one is an error. */
    items[1] = fd_item(-1, ZMQ_POLLIN);
    CU_ASSERT_EQUAL(zmq_poll(&items[1], 1, 0), 0);
    items[1] = fd_item(fds[1], ZMQ_POLLIN);
    CU_ASSERT_EQUAL(zmq_poll(&items[1], 1, 0), 1);
    CU_ASSERT_EQUAL(items[1].revents, ZMQ_POLLERR);
    close(fds[0]);
}

/* When an item has both, the socket counts and the fd is ignored. */
static void test_socket_wins_over_fd(void)
{
    void *ctx = zmq_ctx_new();
    void *a, *b;
    connect_pair(ctx, ZMQ_PAIR, ZMQ_PAIR, "inproc://poll-precedence", &a, &b);
    int efd = eventfd(1, 0); /* readable */
    CU_ASSERT_FATAL(efd >= 0);
    zmq_pollitem_t item = { .socket = a, .fd = efd, .events = ZMQ_POLLIN };
    CU_ASSERT_EQUAL(zmq_poll(&item, 1, 0), 0);
    close(efd);
    zmq_close(a);
    zmq_close(b);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_timeout(void)
{
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    int efd = eventfd(0, 0);
    zmq_pollitem_t items[2] = { socket_item(pull, ZMQ_POLLIN | ZMQ_POLLOUT),
                                fd_item(efd, ZMQ_POLLIN) };
    int64_t start = test_now_ms();
    CU_ASSERT_EQUAL(zmq_poll(items, 2, 60), 0);
    int64_t elapsed = test_now_ms() - start;
    CU_ASSERT(elapsed >= 55);
    CU_ASSERT(elapsed < 5000);
    CU_ASSERT_EQUAL(items[0].revents, 0);
    CU_ASSERT_EQUAL(items[1].revents, 0);

    start = test_now_ms();
    CU_ASSERT_EQUAL(zmq_poll(items, 2, 0), 0);
    CU_ASSERT(test_now_ms() - start < 1000);
    close(efd);
    zmq_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* More items than fit the stack set. */
static void test_many_items(void)
{
    enum { PAIRS = 20 };
    void *ctx = zmq_ctx_new();
    void *bound[PAIRS], *connected[PAIRS];
    zmq_pollitem_t items[PAIRS];
    for (int i = 0; i < PAIRS; i++) {
        char endpoint[64];
        snprintf(endpoint, sizeof endpoint, "inproc://poll-many-%d", i);
        connect_pair(ctx, ZMQ_PAIR, ZMQ_PAIR, endpoint, &bound[i],
                     &connected[i]);
        items[i] = socket_item(bound[i], ZMQ_POLLIN);
    }
    CU_ASSERT_EQUAL(zmq_poll(items, PAIRS, 0), 0);
    for (int i = 0; i < PAIRS; i += 3)
        CU_ASSERT_TRUE(test_send(connected[i], "x", 0));
    int expected = (PAIRS + 2) / 3;
    CU_ASSERT_EQUAL(zmq_poll(items, PAIRS, 2000), expected);
    for (int i = 0; i < PAIRS; i++)
        CU_ASSERT_EQUAL(items[i].revents, i % 3 == 0 ? ZMQ_POLLIN : 0);
    for (int i = 0; i < PAIRS; i++) {
        zmq_close(bound[i]);
        zmq_close(connected[i]);
    }
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* POLLOUT comes back once a reader makes room under the HWM. */
static void test_pollout_after_hwm(void)
{
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    CU_ASSERT_TRUE(test_set_int(push, ZMQ_SNDHWM, 4));
    CU_ASSERT_TRUE(test_set_int(pull, ZMQ_RCVHWM, 4));
    zmq_bind(pull, "inproc://poll-hwm");
    zmq_connect(push, "inproc://poll-hwm");
    int sent = 0;
    while (sent < 1000 && zmq_send(push, "m", 1, ZMQ_DONTWAIT) == 1)
        sent++;
    CU_ASSERT(sent > 0 && sent < 1000);
    zmq_pollitem_t item = socket_item(push, ZMQ_POLLOUT);
    CU_ASSERT_EQUAL(zmq_poll(&item, 1, 20), 0);
    for (int i = 0; i < sent; i++)
        CU_ASSERT_TRUE(test_recv_is(pull, "m", 2000));
    CU_ASSERT_EQUAL(zmq_poll(&item, 1, 2000), 1);
    CU_ASSERT_EQUAL(item.revents, ZMQ_POLLOUT);
    test_close(push);
    test_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

struct delayed_send {
    void *socket; /* send "wake" on it, or */
    int fd;       /* write to this eventfd */
    int delay_ms;
};

static void *delayed_sender(void *arg)
{
    struct delayed_send *job = arg;
    sleep_ms(job->delay_ms);
    if (job->socket != NULL) {
        zmq_send(job->socket, "wake", 4, 0);
    } else {
        uint64_t one = 1;
        if (write(job->fd, &one, sizeof one) != sizeof one)
            return NULL;
    }
    return NULL;
}

/* A poll asleep on a socket wakes when another thread sends to it. */
static void test_woken_by_other_thread(void)
{
    void *ctx = zmq_ctx_new();
    void *a, *b;
    connect_pair(ctx, ZMQ_PAIR, ZMQ_PAIR, "inproc://poll-wake", &a, &b);
    int efd = eventfd(0, 0);
    zmq_pollitem_t items[2] = { socket_item(a, ZMQ_POLLIN),
                                fd_item(efd, ZMQ_POLLIN) };

    /* b belongs to the other thread until it is joined. */
    struct delayed_send job = { .socket = b, .fd = -1, .delay_ms = 50 };
    pthread_t thread;
    pthread_create(&thread, NULL, delayed_sender, &job);
    CU_ASSERT_EQUAL(zmq_poll(items, 2, 10000), 1);
    CU_ASSERT_EQUAL(items[0].revents, ZMQ_POLLIN);
    CU_ASSERT_EQUAL(items[1].revents, 0);
    pthread_join(thread, NULL);
    CU_ASSERT_TRUE(test_recv_is(a, "wake", 2000));

    /* And when the plain fd becomes readable. */
    job = (struct delayed_send){ .socket = NULL, .fd = efd, .delay_ms = 50 };
    pthread_create(&thread, NULL, delayed_sender, &job);
    CU_ASSERT_EQUAL(zmq_poll(items, 2, 10000), 1);
    CU_ASSERT_EQUAL(items[0].revents, 0);
    CU_ASSERT_EQUAL(items[1].revents, ZMQ_POLLIN);
    pthread_join(thread, NULL);

    /* Many rounds, so that a lost wake-up would show. */
    for (int round = 0; round < 200; round++) {
        job = (struct delayed_send){ .socket = b,
                                     .fd = -1,
                                     .delay_ms = round % 3 };
        pthread_create(&thread, NULL, delayed_sender, &job);
        items[0].revents = 0;
        int rc = zmq_poll(items, 1, 10000);
        pthread_join(thread, NULL);
        CU_ASSERT_EQUAL(rc, 1);
        if (rc != 1)
            break;
        CU_ASSERT_TRUE(test_recv_is(a, "wake", 2000));
    }
    close(efd);
    zmq_close(a);
    zmq_close(b);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

struct blocked_poll {
    void *socket;
    int rc, error;
    atomic_bool done;
};

static void *poll_forever(void *arg)
{
    struct blocked_poll *job = arg;
    zmq_pollitem_t item = socket_item(job->socket, ZMQ_POLLIN);
    job->rc = zmq_poll(&item, 1, -1);
    job->error = errno;
    atomic_store(&job->done, true);
    return NULL;
}

/* Waits up to timeout_ms for flag; true if it was set. */
static bool wait_flag(atomic_bool *flag, int timeout_ms)
{
    for (int waited = 0; waited < timeout_ms; waited += 5) {
        if (atomic_load(flag))
            return true;
        sleep_ms(5);
    }
    return atomic_load(flag);
}

/* zmq_ctx_shutdown from another thread ends a blocked poll with ETERM. */
static void test_eterm_while_blocked(void)
{
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    struct blocked_poll job = { .socket = pull };
    atomic_init(&job.done, false);
    pthread_t thread;
    pthread_create(&thread, NULL, poll_forever, &job);
    sleep_ms(50);
    CU_ASSERT_FALSE(atomic_load(&job.done));
    CU_ASSERT_EQUAL(zmq_ctx_shutdown(ctx), 0);
    CU_ASSERT_TRUE_FATAL(wait_flag(&job.done, 10000));
    pthread_join(thread, NULL);
    CU_ASSERT_EQUAL(job.rc, -1);
    CU_ASSERT_EQUAL(job.error, ETERM);

    /* Afterwards every poll on its sockets fails at once, events or not. */
    zmq_pollitem_t item = socket_item(pull, 0);
    CU_ASSERT_EQUAL(zmq_poll(&item, 1, 1000), -1);
    CU_ASSERT_EQUAL(errno, ETERM);
    zmq_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static volatile sig_atomic_t signals_caught;

static void on_signal(int signo)
{
    (void) signo;
    signals_caught++;
}

/* Installs on_signal for SIGUSR1 without SA_RESTART. */
static void catch_sigusr1(struct sigaction *old)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, old);
}

struct delayed_signal {
    pthread_t target;
    int delay_ms;
};

static void *send_signal_later(void *arg)
{
    struct delayed_signal *job = arg;
    sleep_ms(job->delay_ms);
    pthread_kill(job->target, SIGUSR1);
    return NULL;
}

/* A signal ends a blocked poll with EINTR. */
static void test_eintr(void)
{
    struct sigaction old;
    catch_sigusr1(&old);
    signals_caught = 0;
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    zmq_pollitem_t item = socket_item(pull, ZMQ_POLLIN);
    struct delayed_signal job = { .target = pthread_self(), .delay_ms = 50 };
    pthread_t thread;
    pthread_create(&thread, NULL, send_signal_later, &job);
    int rc = zmq_poll(&item, 1, 10000);
    int error = errno;
    pthread_join(thread, NULL);
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT_EQUAL(error, EINTR);
    CU_ASSERT_EQUAL(signals_caught, 1);
    zmq_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
    sigaction(SIGUSR1, &old, NULL);
}

/* A signal ends a zmq_recv or zmq_send blocked for lack of a peer with
 * EINTR too (zmq_recv and zmq_send document it), so that an
 * application's handler runs at once: Python's KeyboardInterrupt, for
 * one, is raised from there. Without it they would wait for their
 * timeout. */
static void test_eintr_in_send_and_recv(void)
{
    struct sigaction old;
    catch_sigusr1(&old);
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    test_set_int(pull, ZMQ_RCVTIMEO, 5000);
    test_set_int(push, ZMQ_SNDTIMEO, 5000);
    for (int sending = 0; sending < 2; sending++) {
        signals_caught = 0;
        struct delayed_signal job = { .target = pthread_self(),
                                      .delay_ms = 50 };
        pthread_t thread;
        pthread_create(&thread, NULL, send_signal_later, &job);
        char buffer[8];
        errno = 0;
        int rc = sending ? zmq_send(push, "x", 1, 0)
                         : zmq_recv(pull, buffer, sizeof buffer, 0);
        int error = errno;
        pthread_join(thread, NULL);
        CU_ASSERT_EQUAL(rc, -1);
        CU_ASSERT_EQUAL(error, EINTR);
        CU_ASSERT_EQUAL(signals_caught, 1);
    }
    /* The sockets go on as before. */
    CU_ASSERT_EQUAL(zmq_bind(pull, "inproc://after-eintr"), 0);
    CU_ASSERT_EQUAL(zmq_connect(push, "inproc://after-eintr"), 0);
    CU_ASSERT_TRUE(test_send(push, "after", 0));
    CU_ASSERT_TRUE(test_recv_is(pull, "after", 5000));
    zmq_close(pull);
    zmq_close(push);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
    sigaction(SIGUSR1, &old, NULL);
}

/* zmq_ppoll: NULL mask is zmq_poll; a mask that unblocks a pending
 * signal lets it in during the wait, and only then. */
static void test_ppoll(void)
{
    struct sigaction old;
    catch_sigusr1(&old);
    signals_caught = 0;
    void *ctx = zmq_ctx_new();
    void *a, *b;
    connect_pair(ctx, ZMQ_PAIR, ZMQ_PAIR, "inproc://ppoll", &a, &b);
    zmq_pollitem_t item = socket_item(a, ZMQ_POLLIN);
    CU_ASSERT_EQUAL(zmq_ppoll(&item, 1, 0, NULL), 0);
    CU_ASSERT_TRUE(test_send(b, "x", 0));
    CU_ASSERT_EQUAL(zmq_ppoll(&item, 1, 2000, NULL), 1);
    CU_ASSERT_TRUE(test_recv_is(a, "x", 2000));

    sigset_t blocked, saved, during;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &blocked, &saved);
    during = saved;
    sigdelset(&during, SIGUSR1);
    raise(SIGUSR1);
    CU_ASSERT_EQUAL(signals_caught, 0);
    int64_t start = test_now_ms();
    int rc = zmq_ppoll(&item, 1, 10000, &during);
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT_EQUAL(errno, EINTR);
    CU_ASSERT_EQUAL(signals_caught, 1);
    CU_ASSERT(test_now_ms() - start < 5000);

    /* With no items it still waits under the mask. */
    raise(SIGUSR1);
    CU_ASSERT_EQUAL(zmq_ppoll(NULL, 0, 10000, &during), -1);
    CU_ASSERT_EQUAL(errno, EINTR);
    CU_ASSERT_EQUAL(signals_caught, 2);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);

    zmq_close(a);
    zmq_close(b);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
    sigaction(SIGUSR1, &old, NULL);
}

/* REQ/REP and ROUTER, when this build has them: state decides the events. */
static void test_request_reply(void)
{
    void *ctx = zmq_ctx_new();
    void *rep = zmq_socket(ctx, ZMQ_REP);
    void *req = zmq_socket(ctx, ZMQ_REQ);
    if (rep == NULL || req == NULL) {
        if (rep != NULL)
            zmq_close(rep);
        if (req != NULL)
            zmq_close(req);
        zmq_ctx_term(ctx);
        fputs("(REQ/REP not in this build yet) ", stdout);
        return;
    }
    zmq_bind(rep, "inproc://poll-reqrep");
    zmq_connect(req, "inproc://poll-reqrep");
    short both = ZMQ_POLLIN | ZMQ_POLLOUT;
    zmq_pollitem_t items[2] = { socket_item(req, both),
                                socket_item(rep, both) };
    CU_ASSERT_EQUAL(zmq_poll(items, 2, 0), 1);
    CU_ASSERT_EQUAL(items[0].revents, ZMQ_POLLOUT);
    CU_ASSERT_EQUAL(items[1].revents, 0);
    CU_ASSERT_TRUE(test_send(req, "ping", 0));
    CU_ASSERT_EQUAL(zmq_poll(&items[1], 1, 2000), 1);
    CU_ASSERT_EQUAL(items[1].revents, ZMQ_POLLIN);
    CU_ASSERT_EQUAL(zmq_poll(items, 1, 0), 0);
    CU_ASSERT_TRUE(test_recv_is(rep, "ping", 2000));
    CU_ASSERT_EQUAL(zmq_poll(&items[1], 1, 0), 1);
    CU_ASSERT_EQUAL(items[1].revents, ZMQ_POLLOUT);
    CU_ASSERT_TRUE(test_send(rep, "pong", 0));
    CU_ASSERT_EQUAL(zmq_poll(items, 1, 2000), 1);
    CU_ASSERT_EQUAL(items[0].revents, ZMQ_POLLIN);
    CU_ASSERT_TRUE(test_recv_is(req, "pong", 2000));
    test_close(req);
    test_close(rep);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* PUB is always writable and never readable; SUB the other way round,
 * once a matching message is in. */
static void test_publish_subscribe(void)
{
    void *ctx = zmq_ctx_new();
    void *pub, *sub;
    connect_pair(ctx, ZMQ_PUB, ZMQ_SUB, "inproc://poll-pubsub", &pub, &sub);
    CU_ASSERT_EQUAL(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0), 0);
    short both = ZMQ_POLLIN | ZMQ_POLLOUT;
    zmq_pollitem_t items[2] = { socket_item(pub, both),
                                socket_item(sub, both) };
    CU_ASSERT_EQUAL(zmq_poll(items, 2, 0), 1);
    CU_ASSERT_EQUAL(items[0].revents, ZMQ_POLLOUT);
    CU_ASSERT_EQUAL(items[1].revents, 0);
    /* The subscription reaches the publisher asynchronously: publish
     * until something arrives. */
    int rc = 0;
    for (int attempt = 0; attempt < 500 && rc == 0; attempt++) {
        CU_ASSERT_TRUE(test_send(pub, "news", 0));
        rc = zmq_poll(&items[1], 1, 10);
    }
    CU_ASSERT_EQUAL(rc, 1);
    CU_ASSERT_EQUAL(items[1].revents, ZMQ_POLLIN);
    test_close(pub);
    test_close(sub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "arguments", test_arguments },
        { "no items sleeps", test_no_items_sleeps },
        { "not a socket", test_not_a_socket },
        { "socket events", test_socket_events },
        { "socket types", test_socket_types },
        { "plain fds", test_plain_fds },
        { "socket wins over fd", test_socket_wins_over_fd },
        { "timeout", test_timeout },
        { "many items", test_many_items },
        { "POLLOUT after HWM", test_pollout_after_hwm },
        { "woken by another thread", test_woken_by_other_thread },
        { "ETERM while blocked", test_eterm_while_blocked },
        { "EINTR", test_eintr },
        { "EINTR in zmq_send and zmq_recv", test_eintr_in_send_and_recv },
        { "zmq_ppoll", test_ppoll },
        { "REQ/REP", test_request_reply },
        { "PUB/SUB", test_publish_subscribe },
    };
    return test_run_suite("poll", tests, sizeof tests / sizeof tests[0]);
}
