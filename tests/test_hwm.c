/*
 * Pipes under pressure: the high-water marks of each direction (including
 * connect-before-bind), unlimited queues, DONTWAIT and the send/receive
 * timeouts, blocking until the peer drains, a PUSH skipping a full peer,
 * conflation, and a long producer/consumer run that exercises the
 * sleep/wake protocol of the lock-free queues.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testutil.h"
#include "zmq.h"

enum { LIMIT = 100000 };

/* Sends one-byte messages with DONTWAIT until refused (at most LIMIT). */
static int fill(void *socket)
{
    int count = 0;
    while (count < LIMIT && zmq_send(socket, "x", 1, ZMQ_DONTWAIT) == 1)
        count++;
    return count;
}

struct hwm_case {
    int sndhwm, rcvhwm;
    int bind_first_count;  /* messages queued when the receiver bound first */
    int before_bind_count; /* messages queued by the sender before the bind */
};

/* Figures observed with libzmq 4.3.4 for the same calls. */
static const struct hwm_case hwm_cases[] = {
    { 0, 0, LIMIT, LIMIT }, { 1, 0, LIMIT, 1 }, { 0, 1, LIMIT, LIMIT },
    { 1, 1, 2, 1 },         { 1, 2, 3, 1 },     { 2, 1, 3, 2 },
    { 5, 7, 12, 5 },
};

static void run_hwm_case(const struct hwm_case *c, bool bind_first)
{
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH), *pull = zmq_socket(ctx, ZMQ_PULL);
    test_set_int(push, ZMQ_SNDHWM, c->sndhwm);
    test_set_int(pull, ZMQ_RCVHWM, c->rcvhwm);
    if (bind_first) {
        zmq_bind(pull, "inproc://hwm");
        zmq_connect(push, "inproc://hwm");
        CU_ASSERT_EQUAL(fill(push), c->bind_first_count);
    } else {
        zmq_connect(push, "inproc://hwm");
        CU_ASSERT_EQUAL(fill(push), c->before_bind_count);
        zmq_bind(pull, "inproc://hwm");
    }
    test_close(push);
    test_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_hwm_bind_first(void)
{
    for (size_t i = 0; i < sizeof hwm_cases / sizeof hwm_cases[0]; i++)
        run_hwm_case(&hwm_cases[i], true);
}

static void test_hwm_connect_first(void)
{
    for (size_t i = 0; i < sizeof hwm_cases / sizeof hwm_cases[0]; i++)
        run_hwm_case(&hwm_cases[i], false);
}

/* A tcp endpoint on loopback where nothing listens: a connect to it
 * retries for ever, and what is sent waits in the pipe. */
static void dead_tcp_endpoint(void *ctx, char *endpoint, size_t size)
{
    void *s = zmq_socket(ctx, ZMQ_PULL);
    zmq_bind(s, "tcp://127.0.0.1:*");
    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, endpoint, &size);
    test_close(s);
}

/* ZMQ_SNDHWM and ZMQ_RCVHWM set after a connect reach the pipe it made,
 * with libzmq 4.3.4's figures for the same calls: over tcp the pipe holds
 * the new SNDHWM; over inproc the writer's SNDHWM plus the reader's
 * RCVHWM, each side's new value replacing its term. */
static void test_hwm_set_after_connect(void)
{
    void *ctx = zmq_ctx_new();
    char endpoint[256];
    dead_tcp_endpoint(ctx, endpoint, sizeof endpoint);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    CU_ASSERT_EQUAL(zmq_connect(push, endpoint), 0);
    test_set_int(push, ZMQ_SNDHWM, 10);
    CU_ASSERT_EQUAL(fill(push), 10);
    test_close(push);

    void *pull = zmq_socket(ctx, ZMQ_PULL);
    push = zmq_socket(ctx, ZMQ_PUSH);
    zmq_bind(pull, "inproc://hwm-after-send");
    zmq_connect(push, "inproc://hwm-after-send");
    test_set_int(push, ZMQ_SNDHWM, 10);
    CU_ASSERT_EQUAL(fill(push), 10 + 1000);
    test_close(push);
    test_close(pull);

    pull = zmq_socket(ctx, ZMQ_PULL);
    push = zmq_socket(ctx, ZMQ_PUSH);
    zmq_bind(push, "inproc://hwm-after-recv");
    zmq_connect(pull, "inproc://hwm-after-recv");
    test_set_int(pull, ZMQ_RCVHWM, 10);
    CU_ASSERT_EQUAL(fill(push), 1000 + 10);
    test_close(push);
    test_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* RCVHWM after a connect over tcp bounds what waits for the reader: with
 * 64 KB messages and small kernel buffers the sender gets only a few
 * messages past both marks before it is refused (about 1000 before). */
static void test_rcvhwm_after_connect_over_tcp(void)
{
    enum { SIZE = 65536, HWM = 2, ROUNDS = 50 };
    static char body[SIZE];
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH), *pull = zmq_socket(ctx, ZMQ_PULL);
    test_set_int(push, ZMQ_SNDHWM, HWM);
    test_set_int(push, ZMQ_SNDBUF, 4096);
    test_set_int(pull, ZMQ_RCVBUF, 4096);
    char endpoint[256];
    size_t size = sizeof endpoint;
    zmq_bind(push, "tcp://127.0.0.1:*");
    zmq_getsockopt(push, ZMQ_LAST_ENDPOINT, endpoint, &size);
    CU_ASSERT_EQUAL(zmq_connect(pull, endpoint), 0);
    test_set_int(pull, ZMQ_RCVHWM, HWM);
    /* Sends until three quiet rounds in a row: the queues are full. */
    int sent = 0, quiet = 0;
    for (int round = 0; round < ROUNDS && quiet < 3 && sent < 1000; round++) {
        int before = sent;
        while (sent < 1000 && zmq_send(push, body, SIZE, ZMQ_DONTWAIT) == SIZE)
            sent++;
        quiet = sent == before ? quiet + 1 : 0;
        struct timespec pause = { 0, 50 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
    CU_ASSERT(sent >= HWM);
    CU_ASSERT(sent <= 50);
    if (sent > 50 || getenv("HWM_VERBOSE"))
        fprintf(stderr, "\n  %d messages of 64 KB went out\n", sent);
    test_close(push);
    test_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A writer that gets a limit while its reader is idle, having read
 * messages it never reported (without a limit nothing is), must not wait
 * for ever on those stale counts. */
static void test_limit_on_idle_reader(void)
{
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH), *pull = zmq_socket(ctx, ZMQ_PULL);
    test_set_int(push, ZMQ_SNDTIMEO, 5000);
    test_set_int(push, ZMQ_SNDHWM, 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    zmq_bind(pull, "tcp://127.0.0.1:*");
    zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, endpoint, &size);
    zmq_connect(push, endpoint);
    for (int i = 0; i < 300; i++)
        CU_ASSERT_EQUAL(zmq_send(push, "x", 1, 0), 1);
    for (int i = 0; i < 300; i++)
        CU_ASSERT(test_recv_is(pull, "x", 5000));
    test_set_int(push, ZMQ_SNDHWM, 10);
    int delivered = 0;
    for (int i = 0; i < 100; i++) {
        if (zmq_send(push, "y", 1, 0) != 1)
            break;
        if (test_recv_is(pull, "y", 5000))
            delivered++;
    }
    CU_ASSERT_EQUAL(delivered, 100);
    test_close(push);
    test_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Both directions of a PAIR: writer's SNDHWM plus reader's RCVHWM. */
static void test_hwm_both_directions(void)
{
    void *ctx = zmq_ctx_new();
    void *c = zmq_socket(ctx, ZMQ_PAIR), *b = zmq_socket(ctx, ZMQ_PAIR);
    test_set_int(c, ZMQ_SNDHWM, 3);
    test_set_int(c, ZMQ_RCVHWM, 5);
    test_set_int(b, ZMQ_SNDHWM, 7);
    test_set_int(b, ZMQ_RCVHWM, 11);
    zmq_connect(c, "inproc://both");
    zmq_bind(b, "inproc://both");
    CU_ASSERT_EQUAL(fill(c), 3 + 11);
    CU_ASSERT_EQUAL(fill(b), 7 + 5);
    test_close(c);
    test_close(b);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Draining a full pipe makes its whole capacity available again, and a
 * refused zmq_msg_send keeps its message. (libzmq hands capacity back in
 * batches, so there a refill right after draining can stop short.) */
static void test_refill_and_keep_refused_message(void)
{
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH), *pull = zmq_socket(ctx, ZMQ_PULL);
    test_set_int(push, ZMQ_SNDHWM, 4);
    test_set_int(pull, ZMQ_RCVHWM, 4);
    zmq_bind(pull, "inproc://refill");
    zmq_connect(push, "inproc://refill");
    for (int round = 0; round < 3; round++) {
        CU_ASSERT_EQUAL(fill(push), 8);
        zmq_msg_t msg;
        zmq_msg_init_size(&msg, 7);
        memcpy(zmq_msg_data(&msg), "keep me", 7);
        errno = 0;
        CU_ASSERT_EQUAL(zmq_msg_send(&msg, push, ZMQ_DONTWAIT), -1);
        CU_ASSERT_EQUAL(errno, EAGAIN);
        CU_ASSERT_EQUAL(zmq_msg_size(&msg), 7);
        CU_ASSERT_EQUAL(memcmp(zmq_msg_data(&msg), "keep me", 7), 0);
        zmq_msg_close(&msg);
        for (int i = 0; i < 8; i++)
            CU_ASSERT_TRUE(test_recv_is(pull, "x", 2000));
    }
    test_close(push);
    test_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* SNDTIMEO and RCVTIMEO give EAGAIN, and not before the timeout. */
static void test_timeouts(void)
{
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH), *pull = zmq_socket(ctx, ZMQ_PULL);
    test_set_int(push, ZMQ_SNDHWM, 1);
    test_set_int(pull, ZMQ_RCVHWM, 1);
    zmq_bind(pull, "inproc://timeouts");
    zmq_connect(push, "inproc://timeouts");
    CU_ASSERT_EQUAL(fill(push), 2);
    test_set_int(push, ZMQ_SNDTIMEO, 50);
    int64_t start = test_now_ms();
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(push, "x", 1, 0), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    CU_ASSERT(test_now_ms() - start >= 45);

    void *lonely = zmq_socket(ctx, ZMQ_PULL);
    test_set_int(lonely, ZMQ_RCVTIMEO, 50);
    char buf[4];
    start = test_now_ms();
    errno = 0;
    CU_ASSERT_EQUAL(zmq_recv(lonely, buf, sizeof buf, 0), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    CU_ASSERT(test_now_ms() - start >= 45);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_recv(lonely, buf, sizeof buf, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    test_close(push);
    test_close(pull);
    test_close(lonely);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

struct drainer {
    void *socket;
    int count;
};

static void *drain_slowly(void *arg)
{
    struct drainer *d = arg;
    struct timespec pause = { 0, 20 * 1000 * 1000 };
    nanosleep(&pause, NULL);
    char buf[4];
    while (d->count < LIMIT && test_recv(d->socket, buf, sizeof buf, 2000) >= 0)
        d->count++;
    return NULL;
}

/* A blocking send waits for the reader, then goes through. */
static void test_blocking_send_waits_for_reader(void)
{
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH), *pull = zmq_socket(ctx, ZMQ_PULL);
    test_set_int(push, ZMQ_SNDHWM, 2);
    test_set_int(pull, ZMQ_RCVHWM, 2);
    zmq_bind(pull, "inproc://blocking");
    zmq_connect(push, "inproc://blocking");
    struct drainer d = { .socket = pull };
    pthread_t thread;
    pthread_create(&thread, NULL, drain_slowly, &d);
    test_set_int(push, ZMQ_SNDTIMEO, 5000);
    int sent = 0;
    for (int i = 0; i < 1000; i++)
        if (zmq_send(push, "y", 1, 0) == 1)
            sent++;
    CU_ASSERT_EQUAL(sent, 1000);
    pthread_join(thread, NULL);
    CU_ASSERT_EQUAL(d.count, 1000);
    test_close(push);
    test_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A PUSH skips a peer at its HWM and keeps sending to the others. */
static void test_push_skips_full_peer(void)
{
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    void *slow = zmq_socket(ctx, ZMQ_PULL), *fast = zmq_socket(ctx, ZMQ_PULL);
    test_set_int(push, ZMQ_SNDHWM, 1);
    test_set_int(slow, ZMQ_RCVHWM, 1);
    test_set_int(fast, ZMQ_RCVHWM, 1000);
    zmq_bind(slow, "inproc://slow");
    zmq_bind(fast, "inproc://fast");
    zmq_connect(push, "inproc://slow");
    zmq_connect(push, "inproc://fast");
    int sent = fill(push);
    /* slow takes 2, fast takes 1001. */
    CU_ASSERT_EQUAL(sent, 2 + 1001);
    int at_fast = 0;
    char buf[4];
    while (at_fast < LIMIT &&
           zmq_recv(fast, buf, sizeof buf, ZMQ_DONTWAIT) == 1)
        at_fast++;
    CU_ASSERT_EQUAL(at_fast, 1001);
    test_close(push);
    test_close(slow);
    test_close(fast);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ZMQ_CONFLATE on the connecting side keeps only the newest message. */
static void test_conflate(void)
{
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH), *pull = zmq_socket(ctx, ZMQ_PULL);
    test_set_int(pull, ZMQ_CONFLATE, 1);
    zmq_bind(push, "inproc://conflate");
    zmq_connect(pull, "inproc://conflate");
    for (int i = 0; i < 5; i++) {
        char text[4] = { 'm', (char) ('0' + i), 0 };
        CU_ASSERT_TRUE(test_send(push, text, 0));
    }
    CU_ASSERT_TRUE(test_recv_is(pull, "m4", 2000));
    CU_ASSERT_TRUE(test_recv_nothing(pull, 20));
    /* The newest message also survives the sender closing. */
    CU_ASSERT_TRUE(test_send(push, "last", 0));
    test_close(push);
    CU_ASSERT_TRUE(test_recv_is(pull, "last", 2000));
    test_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

struct producer {
    void *socket;
    int count;
    int sent;
};

static void *produce(void *arg)
{
    struct producer *p = arg;
    for (int i = 0; i < p->count; i++) {
        char text[16];
        int size = (i % 3 == 0) ? 100 : 8; /* mix inline and shared bodies */
        memset(text, 'a' + (i % 26), sizeof text);
        memcpy(text, &i, sizeof i);
        if (zmq_send(p->socket, text, (size_t) (size > 16 ? 16 : size), 0) < 0)
            break;
        p->sent++;
    }
    return NULL;
}

/* A long stream through a small HWM between two threads: every message
 * arrives once and in order, so no wake-up is ever lost. */
static void test_stream_through_small_hwm(void)
{
    enum { MESSAGES = 100000 };
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH), *pull = zmq_socket(ctx, ZMQ_PULL);
    test_set_int(push, ZMQ_SNDHWM, 3);
    test_set_int(pull, ZMQ_RCVHWM, 3);
    test_set_int(push, ZMQ_SNDTIMEO, 10000);
    test_set_int(pull, ZMQ_RCVTIMEO, 10000);
    zmq_bind(pull, "inproc://stream");
    zmq_connect(push, "inproc://stream");
    struct producer p = { .socket = push, .count = MESSAGES };
    pthread_t thread;
    pthread_create(&thread, NULL, produce, &p);
    int in_order = 0;
    for (int i = 0; i < MESSAGES; i++) {
        char buf[16];
        int expected;
        if (zmq_recv(pull, buf, sizeof buf, 0) < (int) sizeof expected)
            break;
        memcpy(&expected, buf, sizeof expected);
        if (expected == i)
            in_order++;
    }
    pthread_join(thread, NULL);
    CU_ASSERT_EQUAL(p.sent, MESSAGES);
    CU_ASSERT_EQUAL(in_order, MESSAGES);
    test_close(push);
    test_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "HWM, receiver bound first", test_hwm_bind_first },
        { "HWM, sender connected first", test_hwm_connect_first },
        { "HWM in both directions", test_hwm_both_directions },
        { "HWM set after a connect", test_hwm_set_after_connect },
        { "RCVHWM set after a connect, over tcp",
          test_rcvhwm_after_connect_over_tcp },
        { "a limit set while the reader is idle", test_limit_on_idle_reader },
        { "refill after draining; refused message kept",
          test_refill_and_keep_refused_message },
        { "send and receive timeouts", test_timeouts },
        { "blocking send waits for the reader",
          test_blocking_send_waits_for_reader },
        { "PUSH skips a full peer", test_push_skips_full_peer },
        { "conflate", test_conflate },
        { "stream through a small HWM", test_stream_through_small_hwm },
    };
    return test_run_suite("hwm", tests, sizeof tests / sizeof tests[0]);
}
