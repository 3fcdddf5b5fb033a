/*
 * zmq_proxy, zmq_proxy_steerable and zmq_device over inproc sockets: load
 * without loss at small and default HWMs, multipart messages whole in both
 * directions, the capture socket, steering (PAUSE, RESUME, TERMINATE,
 * STATISTICS), and ETERM. Each proxy runs in its own thread, and every
 * wait for it is bounded.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "testutil.h"
#include "zmq.h"

static void sleep_ms(int ms)
{
    struct timespec ts = { .tv_sec = ms / 1000,
                           .tv_nsec = (long) (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        continue;
}

/* A proxy running in a thread of its own. */
struct proxy_job {
    void *frontend, *backend, *capture, *control;
    int device_type; /* nonzero: run zmq_device with it instead */
    int rc, error;
    atomic_bool done;
    pthread_t thread;
};

static void *run_proxy(void *arg)
{
    struct proxy_job *job = arg;
    if (job->device_type != 0)
        job->rc = zmq_device(job->device_type, job->frontend, job->backend);
    else if (job->control != NULL)
        job->rc = zmq_proxy_steerable(job->frontend, job->backend, job->capture,
                                      job->control);
    else
        job->rc = zmq_proxy(job->frontend, job->backend, job->capture);
    job->error = errno;
    atomic_store(&job->done, true);
    return NULL;
}

static void start_proxy(struct proxy_job *job)
{
    atomic_init(&job->done, false);
    job->rc = 12345;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&job->thread, NULL, run_proxy, job),
                          0);
}

/* Waits up to timeout_ms for the proxy to return; true when it did (the
 * thread is then joined). */
static bool proxy_returned(struct proxy_job *job, int timeout_ms)
{
    for (int waited = 0; !atomic_load(&job->done) && waited < timeout_ms;
         waited += 5)
        sleep_ms(5);
    if (!atomic_load(&job->done))
        return false;
    pthread_join(job->thread, NULL);
    return true;
}

static void *new_socket(void *ctx, int type, const char *bind_to,
                        const char *connect_to)
{
    void *socket = zmq_socket(ctx, type);
    CU_ASSERT_PTR_NOT_NULL_FATAL(socket);
    if (bind_to != NULL)
        CU_ASSERT_EQUAL(zmq_bind(socket, bind_to), 0);
    if (connect_to != NULL)
        CU_ASSERT_EQUAL(zmq_connect(socket, connect_to), 0);
    return socket;
}

/* Shuts the context down, expects the proxy to end with ETERM, closes the
 * sockets (a NULL-terminated list) and terminates the context. */
static void finish_with_eterm(void *ctx, struct proxy_job *job, void **sockets)
{
    CU_ASSERT_EQUAL(zmq_ctx_shutdown(ctx), 0);
    CU_ASSERT_TRUE_FATAL(proxy_returned(job, 10000));
    CU_ASSERT_EQUAL(job->rc, -1);
    CU_ASSERT_EQUAL(job->error, ETERM);
    for (int i = 0; sockets[i] != NULL; i++)
        test_close(sockets[i]);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_arguments(void)
{
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_PAIR), *b = zmq_socket(ctx, ZMQ_PAIR);
    void *closed = zmq_socket(ctx, ZMQ_PAIR);
    zmq_close(closed);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_proxy(NULL, b, NULL), -1);
    CU_ASSERT_EQUAL(errno, EFAULT);
    CU_ASSERT_EQUAL(zmq_proxy(a, NULL, NULL), -1);
    CU_ASSERT_EQUAL(errno, EFAULT);
    CU_ASSERT_EQUAL(zmq_proxy_steerable(NULL, NULL, NULL, a), -1);
    CU_ASSERT_EQUAL(errno, EFAULT);
    CU_ASSERT_EQUAL(zmq_device(ZMQ_QUEUE, a, NULL), -1);
    CU_ASSERT_EQUAL(errno, EFAULT);
    /* Closed sockets anywhere are not sockets. */
    CU_ASSERT_EQUAL(zmq_proxy(a, b, closed), -1);
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
    CU_ASSERT_EQUAL(zmq_proxy_steerable(a, b, NULL, closed), -1);
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
    CU_ASSERT_EQUAL(zmq_proxy(closed, b, NULL), -1);
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
    zmq_close(a);
    zmq_close(b);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

struct producer {
    void *socket;
    int count;
    int sent;
};

/* Sends count messages numbered 0..count-1. */
static void *produce(void *arg)
{
    struct producer *job = arg;
    for (int i = 0; i < job->count; i++) {
        uint32_t n = (uint32_t) i;
        if (zmq_send(job->socket, &n, sizeof n, 0) != (int) sizeof n)
            break;
        job->sent++;
    }
    return NULL;
}

/* PUSH -> [PULL proxy PUSH] -> PULL: every message arrives, in order. */
static void stream_through_proxy(int count, int hwm)
{
    void *ctx = zmq_ctx_new();
    void *frontend = zmq_socket(ctx, ZMQ_PULL),
         *backend = zmq_socket(ctx, ZMQ_PUSH);
    void *source = zmq_socket(ctx, ZMQ_PUSH), *sink = zmq_socket(ctx, ZMQ_PULL);
    void *sockets[] = { frontend, backend, source, sink, NULL };
    for (int i = 0; sockets[i] != NULL; i++) {
        CU_ASSERT_TRUE(test_set_int(sockets[i], ZMQ_SNDHWM, hwm));
        CU_ASSERT_TRUE(test_set_int(sockets[i], ZMQ_RCVHWM, hwm));
    }
    zmq_bind(frontend, "inproc://load-front");
    zmq_bind(backend, "inproc://load-back");
    zmq_connect(source, "inproc://load-front");
    zmq_connect(sink, "inproc://load-back");
    CU_ASSERT_TRUE(test_set_int(sink, ZMQ_RCVTIMEO, 10000));

    struct proxy_job job = { .frontend = frontend, .backend = backend };
    start_proxy(&job);
    struct producer producer = { .socket = source, .count = count };
    pthread_t thread;
    pthread_create(&thread, NULL, produce, &producer);

    int received = 0;
    bool in_order = true;
    for (; received < count; received++) {
        uint32_t n;
        if (zmq_recv(sink, &n, sizeof n, 0) != (int) sizeof n)
            break;
        if (n != (uint32_t) received)
            in_order = false;
    }
    pthread_join(thread, NULL);
    CU_ASSERT_EQUAL(producer.sent, count);
    CU_ASSERT_EQUAL(received, count);
    CU_ASSERT_TRUE(in_order);
    CU_ASSERT_TRUE(test_recv_nothing(sink, 20));
    finish_with_eterm(ctx, &job, sockets);
}

static void test_load_default_hwm(void)
{
    stream_through_proxy(100000, 1000);
}

static void test_load_small_hwm(void)
{
    stream_through_proxy(10000, 3);
}

/* Messages wait in the frontend while the backend has no peer. */
static void test_backend_without_peer(void)
{
    void *ctx = zmq_ctx_new();
    void *frontend = new_socket(ctx, ZMQ_PULL, "inproc://nopeer-front", NULL);
    void *backend = new_socket(ctx, ZMQ_PUSH, "inproc://nopeer-back", NULL);
    void *source = new_socket(ctx, ZMQ_PUSH, NULL, "inproc://nopeer-front");
    struct proxy_job job = { .frontend = frontend, .backend = backend };
    start_proxy(&job);
    char text[16];
    for (int i = 0; i < 50; i++) {
        snprintf(text, sizeof text, "m%d", i);
        CU_ASSERT_TRUE(test_send(source, text, 0));
    }
    sleep_ms(50);
    void *sink = new_socket(ctx, ZMQ_PULL, NULL, "inproc://nopeer-back");
    for (int i = 0; i < 50; i++) {
        snprintf(text, sizeof text, "m%d", i);
        CU_ASSERT_TRUE(test_recv_is(sink, text, 5000));
    }
    void *sockets[] = { frontend, backend, source, sink, NULL };
    finish_with_eterm(ctx, &job, sockets);
}

/* Sends message number id as parts "id:0", "id:1", ... (1 to 5 parts). */
static bool send_numbered(void *socket, int id)
{
    int parts = 1 + id % 5;
    for (int p = 0; p < parts; p++) {
        char text[32];
        snprintf(text, sizeof text, "%d:%d", id, p);
        if (!test_send(socket, text, p + 1 < parts ? ZMQ_SNDMORE : 0))
            return false;
    }
    return true;
}

/* Receives message number id and checks every part and its MORE flag. */
static bool recv_numbered(void *socket, int id)
{
    int parts = 1 + id % 5;
    for (int p = 0; p < parts; p++) {
        char text[32];
        snprintf(text, sizeof text, "%d:%d", id, p);
        if (!test_recv_is(socket, text, 5000))
            return false;
        if (test_get_int(socket, ZMQ_RCVMORE) != (p + 1 < parts))
            return false;
    }
    return true;
}

struct echo_job {
    void *socket;
    int messages;
};

/* Returns every message it receives, whole, until it has done enough. */
static void *echo(void *arg)
{
    struct echo_job *job = arg;
    test_set_int(job->socket, ZMQ_RCVTIMEO, 10000);
    for (int m = 0; m < job->messages; m++) {
        int more = 1;
        while (more) {
            zmq_msg_t part;
            zmq_msg_init(&part);
            if (zmq_msg_recv(&part, job->socket, 0) < 0) {
                zmq_msg_close(&part);
                return NULL;
            }
            more = zmq_msg_more(&part);
            if (zmq_msg_send(&part, job->socket, more ? ZMQ_SNDMORE : 0) < 0) {
                zmq_msg_close(&part);
                return NULL;
            }
        }
    }
    return NULL;
}

/* DEALER -> [DEALER proxy DEALER] -> DEALER echo and back: multipart
 * messages come through whole both ways. */
static void test_multipart_both_ways(void)
{
    enum { MESSAGES = 2000, WINDOW = 100 };
    void *ctx = zmq_ctx_new();
    void *frontend = new_socket(ctx, ZMQ_DEALER, "inproc://mp-front", NULL);
    void *backend = new_socket(ctx, ZMQ_DEALER, "inproc://mp-back", NULL);
    void *client = new_socket(ctx, ZMQ_DEALER, NULL, "inproc://mp-front");
    void *worker = new_socket(ctx, ZMQ_DEALER, NULL, "inproc://mp-back");
    struct proxy_job job = { .frontend = frontend, .backend = backend };
    start_proxy(&job);
    struct echo_job echo_job = { .socket = worker, .messages = MESSAGES };
    pthread_t thread;
    pthread_create(&thread, NULL, echo, &echo_job);

    /* In windows, so that neither direction has to hold everything. */
    int good = 0;
    for (int base = 0; base < MESSAGES; base += WINDOW) {
        for (int id = base; id < base + WINDOW; id++)
            CU_ASSERT_TRUE(send_numbered(client, id));
        for (int id = base; id < base + WINDOW; id++)
            good += recv_numbered(client, id);
    }
    pthread_join(thread, NULL);
    CU_ASSERT_EQUAL(good, MESSAGES);
    void *sockets[] = { frontend, backend, client, worker, NULL };
    finish_with_eterm(ctx, &job, sockets);
}

/* Frontend and backend may be one socket: the proxy then echoes. */
static void test_same_socket_both_sides(void)
{
    void *ctx = zmq_ctx_new();
    void *echoer = new_socket(ctx, ZMQ_DEALER, "inproc://same", NULL);
    void *client = new_socket(ctx, ZMQ_DEALER, NULL, "inproc://same");
    struct proxy_job job = { .frontend = echoer, .backend = echoer };
    start_proxy(&job);
    int good = 0;
    for (int id = 0; id < 200; id++) {
        CU_ASSERT_TRUE(send_numbered(client, id));
        good += recv_numbered(client, id);
    }
    CU_ASSERT_EQUAL(good, 200);
    void *sockets[] = { echoer, client, NULL };
    finish_with_eterm(ctx, &job, sockets);
}

/* A single-socket device of a socket that can send only after it has
 * received, as a REP: zmq_proxy (rep, rep) is an echo server, as in
 * libzmq, and so is zmq_device. (Of one-part requests: the proxy moves a
 * message part by part, and a REP cannot take the rest of a request once
 * it has begun its reply, in libzmq as here.) */
static void test_single_rep_device(void)
{
    for (int device = 0; device < 2; device++) {
        void *ctx = zmq_ctx_new();
        void *echoer = new_socket(ctx, ZMQ_REP, "inproc://single-rep", NULL);
        void *client = new_socket(ctx, ZMQ_REQ, NULL, "inproc://single-rep");
        struct proxy_job job = { .frontend = echoer,
                                 .backend = echoer,
                                 .device_type = device ? ZMQ_QUEUE : 0 };
        start_proxy(&job);
        int good = 0;
        for (int id = 0; id < 50; id++) {
            char text[16];
            snprintf(text, sizeof text, "echo %d", id);
            if (!test_send(client, text, 0) ||
                !test_recv_is(client, text, 5000))
                break;
            good++;
        }
        CU_ASSERT_EQUAL(good, 50);
        void *sockets[] = { echoer, client, NULL };
        finish_with_eterm(ctx, &job, sockets);
    }
}

/* Receives one part and compares text and MORE. */
static bool captured(void *capture, const char *text, bool more)
{
    return test_recv_is(capture, text, 5000) &&
           test_get_int(capture, ZMQ_RCVMORE) == (more ? 1 : 0);
}

/* The capture socket gets a copy of every part, both directions. */
static void test_capture(void)
{
    void *ctx = zmq_ctx_new();
    void *frontend = new_socket(ctx, ZMQ_PAIR, "inproc://cap-front", NULL);
    void *backend = new_socket(ctx, ZMQ_PAIR, "inproc://cap-back", NULL);
    void *capture = new_socket(ctx, ZMQ_PUSH, "inproc://cap", NULL);
    void *client = new_socket(ctx, ZMQ_PAIR, NULL, "inproc://cap-front");
    void *worker = new_socket(ctx, ZMQ_PAIR, NULL, "inproc://cap-back");
    void *tap = new_socket(ctx, ZMQ_PULL, NULL, "inproc://cap");
    struct proxy_job job = { .frontend = frontend,
                             .backend = backend,
                             .capture = capture };
    start_proxy(&job);

    CU_ASSERT_TRUE(test_send(client, "request", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(client, "", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(client, "body", 0));
    CU_ASSERT_TRUE(test_recv_is(worker, "request", 5000));
    CU_ASSERT_TRUE(test_recv_is(worker, "", 5000));
    CU_ASSERT_TRUE(test_recv_is(worker, "body", 5000));
    CU_ASSERT_TRUE(test_send(worker, "reply", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(worker, "done", 0));
    CU_ASSERT_TRUE(test_recv_is(client, "reply", 5000));
    CU_ASSERT_TRUE(test_recv_is(client, "done", 5000));

    CU_ASSERT_TRUE(captured(tap, "request", true));
    CU_ASSERT_TRUE(captured(tap, "", true));
    CU_ASSERT_TRUE(captured(tap, "body", false));
    CU_ASSERT_TRUE(captured(tap, "reply", true));
    CU_ASSERT_TRUE(captured(tap, "done", false));
    CU_ASSERT_TRUE(test_recv_nothing(tap, 20));
    void *sockets[] = { frontend, backend, capture, client, worker, tap, NULL };
    finish_with_eterm(ctx, &job, sockets);
}

/* Reads the eight STATISTICS parts into values; true if all came. */
static bool read_stats(void *control, uint64_t values[8])
{
    for (int i = 0; i < 8; i++) {
        int rc = zmq_recv(control, &values[i], sizeof values[i], 0);
        if (rc != (int) sizeof values[i])
            return false;
        if (test_get_int(control, ZMQ_RCVMORE) != (i < 7))
            return false;
    }
    return true;
}

static void check_stats(void *control, const uint64_t expected[8])
{
    CU_ASSERT_TRUE(test_send(control, "STATISTICS", 0));
    uint64_t values[8];
    CU_ASSERT_TRUE_FATAL(read_stats(control, values));
    for (int i = 0; i < 8; i++) {
        CU_ASSERT_EQUAL(values[i], expected[i]);
        if (values[i] != expected[i])
            printf("\n    statistics[%d] = %llu, expected %llu", i,
                   (unsigned long long) values[i],
                   (unsigned long long) expected[i]);
    }
}

/* PAUSE, RESUME, STATISTICS, TERMINATE on a PAIR control socket (which
 * gets no reply but to STATISTICS). */
static void test_steering(void)
{
    void *ctx = zmq_ctx_new();
    void *frontend = new_socket(ctx, ZMQ_PULL, "inproc://steer-front", NULL);
    void *backend = new_socket(ctx, ZMQ_PUSH, "inproc://steer-back", NULL);
    void *capture = new_socket(ctx, ZMQ_PAIR, "inproc://steer-cap", NULL);
    void *control = new_socket(ctx, ZMQ_PAIR, "inproc://steer-ctl", NULL);
    void *source = new_socket(ctx, ZMQ_PUSH, NULL, "inproc://steer-front");
    void *sink = new_socket(ctx, ZMQ_PULL, NULL, "inproc://steer-back");
    void *tap = new_socket(ctx, ZMQ_PAIR, NULL, "inproc://steer-cap");
    void *steer = new_socket(ctx, ZMQ_PAIR, NULL, "inproc://steer-ctl");
    CU_ASSERT_TRUE(test_set_int(steer, ZMQ_RCVTIMEO, 5000));
    struct proxy_job job = { .frontend = frontend,
                             .backend = backend,
                             .capture = capture,
                             .control = control };
    start_proxy(&job);

    CU_ASSERT_TRUE(test_send(source, "a", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(source, "bc", 0));
    CU_ASSERT_TRUE(test_send(source, "d", 0));
    CU_ASSERT_TRUE(test_recv_is(sink, "a", 5000));
    CU_ASSERT_TRUE(test_recv_is(sink, "bc", 5000));
    CU_ASSERT_TRUE(test_recv_is(sink, "d", 5000));

    /* Commands run in order: once STATISTICS is answered, PAUSE is in. */
    CU_ASSERT_TRUE(test_send(steer, "PAUSE", 0));
    const uint64_t after_three[8] = { 3, 4, 0, 0, 0, 0, 3, 4 };
    check_stats(steer, after_three);
    CU_ASSERT_TRUE(test_send(source, "e", 0));
    CU_ASSERT_TRUE(test_recv_nothing(sink, 100));
    CU_ASSERT_TRUE(test_send(steer, "RESUME", 0));
    CU_ASSERT_TRUE(test_recv_is(sink, "e", 5000));
    const uint64_t after_four[8] = { 4, 5, 0, 0, 0, 0, 4, 5 };
    check_stats(steer, after_four);

    /* What is no command changes nothing (and gets no reply). */
    CU_ASSERT_TRUE(test_send(steer, "HELLO", 0));
    CU_ASSERT_TRUE(test_send(steer, "PAUSE", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(steer, "really", 0));
    check_stats(steer, after_four);
    CU_ASSERT_TRUE(test_send(source, "f", 0));
    CU_ASSERT_TRUE(test_recv_is(sink, "f", 5000));
    CU_ASSERT_TRUE(test_recv_nothing(steer, 20));

    CU_ASSERT_TRUE(test_send(steer, "TERMINATE", 0));
    CU_ASSERT_TRUE_FATAL(proxy_returned(&job, 10000));
    CU_ASSERT_EQUAL(job.rc, 0);
    CU_ASSERT_TRUE(test_recv_nothing(steer, 20));

    /* Capture saw the traffic and the commands, in the order they ran. */
    CU_ASSERT_TRUE(captured(tap, "a", true));
    CU_ASSERT_TRUE(captured(tap, "bc", false));
    CU_ASSERT_TRUE(captured(tap, "d", false));
    CU_ASSERT_TRUE(captured(tap, "PAUSE", false));
    CU_ASSERT_TRUE(captured(tap, "STATISTICS", false));
    CU_ASSERT_TRUE(captured(tap, "RESUME", false));
    CU_ASSERT_TRUE(captured(tap, "e", false));
    CU_ASSERT_TRUE(captured(tap, "STATISTICS", false));
    CU_ASSERT_TRUE(captured(tap, "HELLO", false));
    CU_ASSERT_TRUE(captured(tap, "PAUSE", true));
    CU_ASSERT_TRUE(captured(tap, "really", false));
    CU_ASSERT_TRUE(captured(tap, "STATISTICS", false));
    CU_ASSERT_TRUE(captured(tap, "f", false));
    CU_ASSERT_TRUE(captured(tap, "TERMINATE", false));
    CU_ASSERT_TRUE(test_recv_nothing(tap, 20));

    void *sockets[] = { frontend, backend, capture, control, source,
                        sink,     tap,     steer,   NULL };
    for (int i = 0; sockets[i] != NULL; i++)
        test_close(sockets[i]);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Statistics count both sides, every part, both directions. */
static void test_statistics_both_ways(void)
{
    void *ctx = zmq_ctx_new();
    void *frontend = new_socket(ctx, ZMQ_PAIR, "inproc://stats-front", NULL);
    void *backend = new_socket(ctx, ZMQ_PAIR, "inproc://stats-back", NULL);
    void *control = new_socket(ctx, ZMQ_PAIR, "inproc://stats-ctl", NULL);
    void *client = new_socket(ctx, ZMQ_PAIR, NULL, "inproc://stats-front");
    void *worker = new_socket(ctx, ZMQ_PAIR, NULL, "inproc://stats-back");
    void *steer = new_socket(ctx, ZMQ_PAIR, NULL, "inproc://stats-ctl");
    CU_ASSERT_TRUE(test_set_int(steer, ZMQ_RCVTIMEO, 5000));
    struct proxy_job job = { .frontend = frontend,
                             .backend = backend,
                             .control = control };
    start_proxy(&job);

    const uint64_t nothing[8] = { 0 };
    check_stats(steer, nothing);
    CU_ASSERT_TRUE(test_send(client, "12345", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(client, "678", 0));
    CU_ASSERT_TRUE(test_recv_is(worker, "12345", 5000));
    CU_ASSERT_TRUE(test_recv_is(worker, "678", 5000));
    CU_ASSERT_TRUE(test_send(worker, "ok", 0));
    CU_ASSERT_TRUE(test_recv_is(client, "ok", 5000));
    const uint64_t expected[8] = { 2, 8, 1, 2, 1, 2, 2, 8 };
    check_stats(steer, expected);

    CU_ASSERT_TRUE(test_send(steer, "TERMINATE", 0));
    CU_ASSERT_TRUE_FATAL(proxy_returned(&job, 10000));
    CU_ASSERT_EQUAL(job.rc, 0);
    void *sockets[] = {
        frontend, backend, control, client, worker, steer, NULL
    };
    for (int i = 0; sockets[i] != NULL; i++)
        test_close(sockets[i]);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A paused proxy still ends with ETERM (through its control socket). */
static void test_eterm_while_paused(void)
{
    void *ctx = zmq_ctx_new();
    void *frontend = new_socket(ctx, ZMQ_PULL, "inproc://paused-front", NULL);
    void *backend = new_socket(ctx, ZMQ_PUSH, "inproc://paused-back", NULL);
    void *control = new_socket(ctx, ZMQ_PAIR, "inproc://paused-ctl", NULL);
    void *steer = new_socket(ctx, ZMQ_PAIR, NULL, "inproc://paused-ctl");
    CU_ASSERT_TRUE(test_set_int(steer, ZMQ_RCVTIMEO, 5000));
    struct proxy_job job = { .frontend = frontend,
                             .backend = backend,
                             .control = control };
    start_proxy(&job);
    CU_ASSERT_TRUE(test_send(steer, "PAUSE", 0));
    uint64_t values[8];
    CU_ASSERT_TRUE(test_send(steer, "STATISTICS", 0));
    CU_ASSERT_TRUE(read_stats(steer, values));
    void *sockets[] = { frontend, backend, control, steer, NULL };
    finish_with_eterm(ctx, &job, sockets);
}

/* zmq_device ignores its type and runs the proxy. */
static void test_device(void)
{
    void *ctx = zmq_ctx_new();
    void *frontend = new_socket(ctx, ZMQ_PULL, "inproc://dev-front", NULL);
    void *backend = new_socket(ctx, ZMQ_PUSH, "inproc://dev-back", NULL);
    void *source = new_socket(ctx, ZMQ_PUSH, NULL, "inproc://dev-front");
    void *sink = new_socket(ctx, ZMQ_PULL, NULL, "inproc://dev-back");
    struct proxy_job job = { .frontend = frontend,
                             .backend = backend,
                             .device_type = ZMQ_STREAMER };
    start_proxy(&job);
    CU_ASSERT_TRUE(test_send(source, "through", 0));
    CU_ASSERT_TRUE(test_recv_is(sink, "through", 5000));
    void *sockets[] = { frontend, backend, source, sink, NULL };
    finish_with_eterm(ctx, &job, sockets);
}

/* Opens a socket of a type this build may not have yet; NULL if absent. */
static void *optional_socket(void *ctx, int type)
{
    void *socket = zmq_socket(ctx, type);
    if (socket == NULL)
        CU_ASSERT_EQUAL(errno, EINVAL);
    return socket;
}

/* A REP control socket answers every command, so REQ can go on. */
static void test_rep_control(void)
{
    void *ctx = zmq_ctx_new();
    void *control = optional_socket(ctx, ZMQ_REP);
    if (control == NULL) {
        fputs("(REP not in this build yet) ", stdout);
        CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
        return;
    }
    zmq_bind(control, "inproc://rep-ctl");
    void *frontend = new_socket(ctx, ZMQ_PULL, "inproc://rep-front", NULL);
    void *backend = new_socket(ctx, ZMQ_PUSH, "inproc://rep-back", NULL);
    void *source = new_socket(ctx, ZMQ_PUSH, NULL, "inproc://rep-front");
    void *sink = new_socket(ctx, ZMQ_PULL, NULL, "inproc://rep-back");
    void *steer = new_socket(ctx, ZMQ_REQ, NULL, "inproc://rep-ctl");
    CU_ASSERT_TRUE(test_set_int(steer, ZMQ_RCVTIMEO, 5000));
    struct proxy_job job = { .frontend = frontend,
                             .backend = backend,
                             .control = control };
    start_proxy(&job);

    CU_ASSERT_TRUE(test_send(steer, "PAUSE", 0));
    CU_ASSERT_TRUE(test_recv_is(steer, "", 5000));
    CU_ASSERT_TRUE(test_send(source, "held", 0));
    CU_ASSERT_TRUE(test_recv_nothing(sink, 100));
    CU_ASSERT_TRUE(test_send(steer, "RESUME", 0));
    CU_ASSERT_TRUE(test_recv_is(steer, "", 5000));
    CU_ASSERT_TRUE(test_recv_is(sink, "held", 5000));
    const uint64_t expected[8] = { 1, 4, 0, 0, 0, 0, 1, 4 };
    check_stats(steer, expected);
    CU_ASSERT_TRUE(test_send(steer, "NONSENSE", 0));
    CU_ASSERT_TRUE(test_recv_is(steer, "", 5000));
    CU_ASSERT_TRUE(test_send(steer, "TERMINATE", 0));
    CU_ASSERT_TRUE(test_recv_is(steer, "", 5000));
    CU_ASSERT_TRUE_FATAL(proxy_returned(&job, 10000));
    CU_ASSERT_EQUAL(job.rc, 0);

    void *sockets[] = { frontend, backend, control, source, sink, steer, NULL };
    for (int i = 0; sockets[i] != NULL; i++)
        test_close(sockets[i]);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

struct requester {
    void *socket;
    int requests;
    int answered;
};

/* Sends numbered requests and checks each reply matches. */
static void *request_loop(void *arg)
{
    struct requester *job = arg;
    test_set_int(job->socket, ZMQ_RCVTIMEO, 10000);
    for (int i = 0; i < job->requests; i++) {
        char text[32];
        snprintf(text, sizeof text, "%p-%d", (void *) job, i);
        if (!test_send(job->socket, text, 0) ||
            !test_recv_is(job->socket, text, 10000))
            return NULL;
        job->answered++;
    }
    return NULL;
}

struct responder {
    void *socket;
    int served;
};

/* Echoes requests until its context ends. */
static void *respond_loop(void *arg)
{
    struct responder *job = arg;
    for (;;) {
        char text[64];
        int size = zmq_recv(job->socket, text, sizeof text, 0);
        if (size < 0 || zmq_send(job->socket, text, (size_t) size, 0) < 0)
            return NULL;
        job->served++;
    }
}

/* The shared queue: REQ clients -> ROUTER proxy DEALER -> REP workers. */
static void test_shared_queue(void)
{
    enum { CLIENTS = 3, WORKERS = 2, REQUESTS = 300 };
    void *ctx = zmq_ctx_new();
    void *frontend = optional_socket(ctx, ZMQ_ROUTER);
    void *probe_req = optional_socket(ctx, ZMQ_REQ);
    void *probe_rep = optional_socket(ctx, ZMQ_REP);
    if (frontend == NULL || probe_req == NULL || probe_rep == NULL) {
        fputs("(ROUTER/REQ/REP not in this build yet) ", stdout);
        void *opened[] = { frontend, probe_req, probe_rep };
        for (int i = 0; i < 3; i++)
            if (opened[i] != NULL)
                zmq_close(opened[i]);
        CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
        return;
    }
    zmq_close(probe_req);
    zmq_close(probe_rep);
    zmq_bind(frontend, "inproc://queue-front");
    void *backend = new_socket(ctx, ZMQ_DEALER, "inproc://queue-back", NULL);
    struct proxy_job job = { .frontend = frontend, .backend = backend };
    start_proxy(&job);

    struct responder workers[WORKERS];
    pthread_t worker_threads[WORKERS];
    for (int i = 0; i < WORKERS; i++) {
        workers[i] =
            (struct responder){ .socket = new_socket(ctx, ZMQ_REP, NULL,
                                                     "inproc://queue-back") };
        pthread_create(&worker_threads[i], NULL, respond_loop, &workers[i]);
    }
    struct requester clients[CLIENTS];
    pthread_t client_threads[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        clients[i] =
            (struct requester){ .socket = new_socket(ctx, ZMQ_REQ, NULL,
                                                     "inproc://queue-front"),
                                .requests = REQUESTS };
        pthread_create(&client_threads[i], NULL, request_loop, &clients[i]);
    }
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(client_threads[i], NULL);
        CU_ASSERT_EQUAL(clients[i].answered, REQUESTS);
    }
    CU_ASSERT_EQUAL(zmq_ctx_shutdown(ctx), 0);
    int served = 0;
    for (int i = 0; i < WORKERS; i++) {
        pthread_join(worker_threads[i], NULL);
        served += workers[i].served;
    }
    CU_ASSERT_EQUAL(served, CLIENTS * REQUESTS);
    CU_ASSERT_TRUE_FATAL(proxy_returned(&job, 10000));
    CU_ASSERT_EQUAL(job.rc, -1);
    CU_ASSERT_EQUAL(job.error, ETERM);
    for (int i = 0; i < WORKERS; i++)
        test_close(workers[i].socket);
    for (int i = 0; i < CLIENTS; i++)
        test_close(clients[i].socket);
    test_close(frontend);
    test_close(backend);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* The forwarder: PUB -> [XSUB proxy XPUB] -> SUB. Subscriptions travel
 * back through the proxy, so only matching messages come through. */
static void test_forwarder(void)
{
    void *ctx = zmq_ctx_new();
    void *frontend = optional_socket(ctx, ZMQ_XSUB);
    void *backend = optional_socket(ctx, ZMQ_XPUB);
    if (frontend == NULL || backend == NULL) {
        fputs("(XSUB/XPUB not in this build yet) ", stdout);
        if (frontend != NULL)
            zmq_close(frontend);
        if (backend != NULL)
            zmq_close(backend);
        CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
        return;
    }
    zmq_bind(frontend, "inproc://fwd-front");
    zmq_bind(backend, "inproc://fwd-back");
    void *publisher = new_socket(ctx, ZMQ_PUB, NULL, "inproc://fwd-front");
    void *subscriber = new_socket(ctx, ZMQ_SUB, NULL, "inproc://fwd-back");
    CU_ASSERT_EQUAL(zmq_setsockopt(subscriber, ZMQ_SUBSCRIBE, "news", 4), 0);
    struct proxy_job job = { .frontend = frontend, .backend = backend };
    start_proxy(&job);

    /* Publish until the subscription has made it to the publisher. */
    bool arrived = false;
    for (int attempt = 0; attempt < 500 && !arrived; attempt++) {
        CU_ASSERT_TRUE(test_send(publisher, "weather", 0));
        CU_ASSERT_TRUE(test_send(publisher, "news", ZMQ_SNDMORE));
        CU_ASSERT_TRUE(test_send(publisher, "body", 0));
        arrived = test_recv_is(subscriber, "news", 10);
    }
    CU_ASSERT_TRUE_FATAL(arrived);
    CU_ASSERT_EQUAL(test_get_int(subscriber, ZMQ_RCVMORE), 1);
    CU_ASSERT_TRUE(test_recv_is(subscriber, "body", 5000));
    /* Everything after is news too, whole. */
    for (int i = 0; i < 100; i++) {
        CU_ASSERT_TRUE(test_send(publisher, "weather", 0));
        CU_ASSERT_TRUE(test_send(publisher, "news", ZMQ_SNDMORE));
        CU_ASSERT_TRUE(test_send(publisher, "body", 0));
    }
    int good = 0;
    for (int i = 0; i < 100; i++)
        good += test_recv_is(subscriber, "news", 5000) &&
                test_recv_is(subscriber, "body", 5000);
    CU_ASSERT_EQUAL(good, 100);
    CU_ASSERT_TRUE(test_recv_nothing(subscriber, 50));
    void *sockets[] = { frontend, backend, publisher, subscriber, NULL };
    finish_with_eterm(ctx, &job, sockets);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "arguments", test_arguments },
        { "load, default HWM", test_load_default_hwm },
        { "load, small HWM", test_load_small_hwm },
        { "backend without peer", test_backend_without_peer },
        { "multipart both ways", test_multipart_both_ways },
        { "same socket both sides", test_same_socket_both_sides },
        { "single REP device", test_single_rep_device },
        { "capture", test_capture },
        { "steering", test_steering },
        { "statistics both ways", test_statistics_both_ways },
        { "ETERM while paused", test_eterm_while_paused },
        { "zmq_device", test_device },
        { "REP control", test_rep_control },
        { "shared queue", test_shared_queue },
        { "forwarder", test_forwarder },
    };
    return test_run_suite("proxy", tests, sizeof tests / sizeof tests[0]);
}
