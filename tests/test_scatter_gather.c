/*
 * SCATTER and GATHER (RFC 49), thread-safe and single-part: round robin
 * from one SCATTER to its GATHERs and fair queueing into one GATHER over
 * inproc, tcp and ipc; the errors libzmq 4.3.5 gives (ZMQ_SNDMORE
 * EINVAL, receiving on SCATTER and sending on GATHER ENOTSUP); the mute
 * state of SCATTER (a send blocks: EAGAIN only when it may not wait);
 * multipart input dropped; ZMQ_THREAD_SAFE and the refused ZMQ_FD; a peer
 * of another type refused by the handshake; zmq_poller with a GATHER
 * and a SCATTER beside a classic socket; and four threads sending on
 * one SCATTER at once, every message arriving once.
 */
#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API
#endif
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "zmq.h"

static const char *const transports[] = { "inproc://sg", "tcp://127.0.0.1:*",
                                          "ipc://*" };
enum { TRANSPORTS = sizeof transports / sizeof transports[0] };

/* One SCATTER bound, two GATHERs connected: messages alternate between
 * them once both are connected. */
static void test_round_robin(void)
{
    for (size_t t = 0; t < TRANSPORTS; t++) {
        void *ctx = zmq_ctx_new();
        void *scatter = zmq_socket(ctx, ZMQ_SCATTER);
        void *a = zmq_socket(ctx, ZMQ_GATHER), *b = zmq_socket(ctx, ZMQ_GATHER);
        CU_ASSERT_PTR_NOT_NULL_FATAL(scatter);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        char endpoint[256];
        CU_ASSERT_TRUE_FATAL(test_bind_endpoint(scatter, transports[t],
                                                endpoint, sizeof endpoint));
        CU_ASSERT_EQUAL(zmq_connect(a, endpoint), 0);
        CU_ASSERT_EQUAL(zmq_connect(b, endpoint), 0);
        /* Probe until each GATHER has had one: both are connected. */
        bool got_a = false, got_b = false;
        char buf[16];
        for (int i = 0; i < 200 && !(got_a && got_b); i++) {
            CU_ASSERT_TRUE_FATAL(test_send(scatter, "probe", 0));
            while (test_recv(a, buf, sizeof buf, 10) >= 0)
                got_a = true;
            while (test_recv(b, buf, sizeof buf, 10) >= 0)
                got_b = true;
        }
        CU_ASSERT_TRUE_FATAL(got_a && got_b);
        for (int i = 0; i < 10; i++)
            CU_ASSERT_TRUE(test_send(scatter, i % 2 ? "odd" : "even", 0));
        /* Five each, all alike on one side. */
        int first = test_recv(a, buf, sizeof buf, 2000);
        CU_ASSERT_TRUE_FATAL(first > 0);
        const char *mine = strcmp(buf, "odd") == 0 ? "odd" : "even";
        const char *theirs = strcmp(mine, "odd") == 0 ? "even" : "odd";
        for (int i = 1; i < 5; i++)
            CU_ASSERT_TRUE(test_recv_is(a, mine, 2000));
        for (int i = 0; i < 5; i++)
            CU_ASSERT_TRUE(test_recv_is(b, theirs, 2000));
        CU_ASSERT_TRUE(test_recv_nothing(a, 20));
        CU_ASSERT_TRUE(test_recv_nothing(b, 20));
        test_close(a);
        test_close(b);
        test_close(scatter);
        CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
    }
}

/* Two SCATTERs into one bound GATHER: it takes from both in turn. */
static void test_fair_queue(void)
{
    for (size_t t = 0; t < TRANSPORTS; t++) {
        void *ctx = zmq_ctx_new();
        void *gather = zmq_socket(ctx, ZMQ_GATHER);
        void *a = zmq_socket(ctx, ZMQ_SCATTER);
        void *b = zmq_socket(ctx, ZMQ_SCATTER);
        char endpoint[256];
        CU_ASSERT_TRUE_FATAL(test_bind_endpoint(gather, transports[t], endpoint,
                                                sizeof endpoint));
        CU_ASSERT_EQUAL(zmq_connect(a, endpoint), 0);
        CU_ASSERT_EQUAL(zmq_connect(b, endpoint), 0);
        for (int i = 0; i < 5; i++) {
            CU_ASSERT_TRUE(test_send(a, "a", 0));
            CU_ASSERT_TRUE(test_send(b, "b", 0));
        }
        int from_a = 0, from_b = 0;
        char buf[16];
        for (int i = 0; i < 10; i++) {
            CU_ASSERT_EQUAL_FATAL(test_recv(gather, buf, sizeof buf, 5000), 1);
            if (buf[0] == 'a')
                from_a++;
            else
                from_b++;
        }
        CU_ASSERT_EQUAL(from_a, 5);
        CU_ASSERT_EQUAL(from_b, 5);
        CU_ASSERT_TRUE(test_recv_nothing(gather, 20));
        test_close(a);
        test_close(b);
        test_close(gather);
        CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
    }
}

/* Once both have queued, the GATHER alternates between its peers: with
 * everything waiting, one message of each in turn. */
static void test_fair_queue_alternates(void)
{
    void *ctx = zmq_ctx_new();
    void *gather = zmq_socket(ctx, ZMQ_GATHER);
    void *a = zmq_socket(ctx, ZMQ_SCATTER), *b = zmq_socket(ctx, ZMQ_SCATTER);
    CU_ASSERT_EQUAL(zmq_bind(gather, "inproc://alternate"), 0);
    CU_ASSERT_EQUAL(zmq_connect(a, "inproc://alternate"), 0);
    CU_ASSERT_EQUAL(zmq_connect(b, "inproc://alternate"), 0);
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_TRUE(test_send(a, "a", 0));
        CU_ASSERT_TRUE(test_send(b, "b", 0));
    }
    char buf[4], previous = 0;
    for (int i = 0; i < 6; i++) {
        CU_ASSERT_EQUAL_FATAL(test_recv(gather, buf, sizeof buf, 2000), 1);
        CU_ASSERT_NOT_EQUAL(buf[0], previous);
        previous = buf[0];
    }
    test_close(a);
    test_close(b);
    test_close(gather);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* The errors of libzmq 4.3.5: ZMQ_SNDMORE refused with EINVAL, receiving
 * on SCATTER and sending on GATHER with ENOTSUP; a thread-safe type has
 * no ZMQ_FD. */
static void test_errors(void)
{
    void *ctx = zmq_ctx_new();
    void *scatter = zmq_socket(ctx, ZMQ_SCATTER);
    void *gather = zmq_socket(ctx, ZMQ_GATHER);
    CU_ASSERT_EQUAL(zmq_bind(gather, "inproc://errors"), 0);
    CU_ASSERT_EQUAL(zmq_connect(scatter, "inproc://errors"), 0);
    CU_ASSERT_EQUAL(zmq_send(scatter, "a", 1, ZMQ_SNDMORE), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    char buf[8];
    CU_ASSERT_EQUAL(zmq_recv(scatter, buf, sizeof buf, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, ENOTSUP);
    CU_ASSERT_EQUAL(zmq_send(gather, "a", 1, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, ENOTSUP);
    /* The refused part went nowhere; the next message arrives alone. */
    CU_ASSERT_TRUE(test_send(scatter, "whole", 0));
    CU_ASSERT_TRUE(test_recv_is(gather, "whole", 2000));
    CU_ASSERT_TRUE(test_recv_nothing(gather, 20));
    void *sockets[] = { scatter, gather };
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL(test_get_int(sockets[i], ZMQ_THREAD_SAFE), 1);
        int fd = -1;
        size_t size = sizeof fd;
        CU_ASSERT_EQUAL(zmq_getsockopt(sockets[i], ZMQ_FD, &fd, &size), -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
    }
    CU_ASSERT_EQUAL(test_get_int(scatter, ZMQ_TYPE), ZMQ_SCATTER);
    CU_ASSERT_EQUAL(test_get_int(gather, ZMQ_TYPE), ZMQ_GATHER);
    CU_ASSERT_EQUAL(test_get_int(scatter, ZMQ_EVENTS), ZMQ_POLLOUT);
    CU_ASSERT_EQUAL(test_get_int(gather, ZMQ_EVENTS), 0);
    test_close(scatter);
    test_close(gather);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* SCATTER's mute state blocks: with no peer, and with every pipe full, a
 * send waits (EAGAIN at once with ZMQ_DONTWAIT, after ZMQ_SNDTIMEO
 * otherwise), and goes through once the GATHER reads. */
static void test_mute_blocks(void)
{
    void *ctx = zmq_ctx_new();
    void *scatter = zmq_socket(ctx, ZMQ_SCATTER);
    CU_ASSERT_EQUAL(zmq_send(scatter, "x", 1, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    CU_ASSERT_EQUAL(test_get_int(scatter, ZMQ_EVENTS), 0);
    test_set_int(scatter, ZMQ_SNDTIMEO, 50);
    CU_ASSERT_EQUAL(zmq_send(scatter, "x", 1, 0), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);

    void *gather = zmq_socket(ctx, ZMQ_GATHER);
    test_set_int(scatter, ZMQ_SNDHWM, 2);
    test_set_int(gather, ZMQ_RCVHWM, 2);
    CU_ASSERT_EQUAL(zmq_bind(gather, "inproc://mute"), 0);
    CU_ASSERT_EQUAL(zmq_connect(scatter, "inproc://mute"), 0);
    int sent = 0;
    while (sent < 100 && zmq_send(scatter, "y", 1, ZMQ_DONTWAIT) == 1)
        sent++;
    CU_ASSERT_EQUAL(errno, EAGAIN);
    CU_ASSERT_TRUE(sent > 0 && sent < 100);
    CU_ASSERT_EQUAL(zmq_send(scatter, "y", 1, 0), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    /* Nothing was dropped: all of them, then room again. */
    for (int i = 0; i < sent; i++)
        CU_ASSERT_TRUE(test_recv_is(gather, "y", 2000));
    CU_ASSERT_TRUE(test_recv_nothing(gather, 20));
    test_set_int(scatter, ZMQ_SNDTIMEO, 2000);
    CU_ASSERT_TRUE(test_send(scatter, "again", 0));
    CU_ASSERT_TRUE(test_recv_is(gather, "again", 2000));
    test_close(scatter);
    test_close(gather);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* An inproc PUSH (inproc checks no socket type) sends a multipart
 * message: the GATHER drops it whole, as libzmq does. */
static void test_multipart_dropped(void)
{
    void *ctx = zmq_ctx_new();
    void *gather = zmq_socket(ctx, ZMQ_GATHER);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    CU_ASSERT_EQUAL(zmq_bind(gather, "inproc://multipart"), 0);
    CU_ASSERT_EQUAL(zmq_connect(push, "inproc://multipart"), 0);
    CU_ASSERT_TRUE(test_send(push, "one", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(push, "two", 0));
    CU_ASSERT_TRUE(test_send(push, "alone", 0));
    CU_ASSERT_TRUE(test_recv_is(gather, "alone", 2000));
    CU_ASSERT_TRUE(test_recv_nothing(gather, 20));
    test_close(push);
    test_close(gather);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Over tcp the handshake checks the types: a PUSH's messages never reach
 * a GATHER, nor a SCATTER's a PULL; a GATHER still takes a SCATTER. */
static void test_incompatible_peers(void)
{
    void *ctx = zmq_ctx_new();
    void *gather = zmq_socket(ctx, ZMQ_GATHER);
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    void *scatter = zmq_socket(ctx, ZMQ_SCATTER);
    char to_gather[256], to_pull[256];
    CU_ASSERT_TRUE_FATAL(test_bind_endpoint(gather, "tcp://127.0.0.1:*",
                                            to_gather, sizeof to_gather));
    CU_ASSERT_TRUE_FATAL(
        test_bind_endpoint(pull, "tcp://127.0.0.1:*", to_pull, sizeof to_pull));
    CU_ASSERT_EQUAL(zmq_connect(push, to_gather), 0);
    CU_ASSERT_EQUAL(zmq_connect(scatter, to_pull), 0);
    test_send(push, "wrong", ZMQ_DONTWAIT);
    test_send(scatter, "wrong", ZMQ_DONTWAIT);
    CU_ASSERT_TRUE(test_recv_nothing(gather, 300));
    CU_ASSERT_TRUE(test_recv_nothing(pull, 50));
    void *right = zmq_socket(ctx, ZMQ_SCATTER);
    CU_ASSERT_EQUAL(zmq_connect(right, to_gather), 0);
    CU_ASSERT_TRUE(test_send(right, "right", 0));
    CU_ASSERT_TRUE(test_recv_is(gather, "right", 5000));
    test_close(right);
    test_close(push);
    test_close(scatter);
    test_close(pull);
    test_close(gather);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A GATHER in zmq_poller beside a classic PULL: each is reported when
 * its message is there, the SCATTER as writable once it has a peer. */
static void test_poller(void)
{
    void *ctx = zmq_ctx_new();
    void *gather = zmq_socket(ctx, ZMQ_GATHER);
    void *scatter = zmq_socket(ctx, ZMQ_SCATTER);
    void *pull = zmq_socket(ctx, ZMQ_PULL), *push = zmq_socket(ctx, ZMQ_PUSH);
    CU_ASSERT_EQUAL(zmq_bind(gather, "inproc://polled"), 0);
    CU_ASSERT_EQUAL(zmq_bind(pull, "inproc://polled-pull"), 0);
    void *poller = zmq_poller_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(poller);
    CU_ASSERT_EQUAL(zmq_poller_add(poller, gather, gather, ZMQ_POLLIN), 0);
    CU_ASSERT_EQUAL(zmq_poller_add(poller, pull, pull, ZMQ_POLLIN), 0);
    CU_ASSERT_EQUAL(zmq_poller_add(poller, scatter, scatter, ZMQ_POLLOUT), 0);
    zmq_poller_event_t events[3];
    CU_ASSERT_EQUAL(zmq_poller_wait_all(poller, events, 3, 20), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    CU_ASSERT_EQUAL(zmq_connect(scatter, "inproc://polled"), 0);
    CU_ASSERT_EQUAL(zmq_poller_wait_all(poller, events, 3, 2000), 1);
    CU_ASSERT_PTR_EQUAL(events[0].socket, scatter);
    CU_ASSERT_EQUAL(zmq_poller_modify(poller, scatter, 0), 0);
    CU_ASSERT_TRUE(test_send(scatter, "to gather", 0));
    CU_ASSERT_EQUAL(zmq_poller_wait_all(poller, events, 3, 2000), 1);
    CU_ASSERT_PTR_EQUAL(events[0].socket, gather);
    CU_ASSERT_TRUE(test_recv_is(gather, "to gather", 0));
    CU_ASSERT_EQUAL(zmq_connect(push, "inproc://polled-pull"), 0);
    CU_ASSERT_TRUE(test_send(push, "to pull", 0));
    CU_ASSERT_EQUAL(zmq_poller_wait_all(poller, events, 3, 2000), 1);
    CU_ASSERT_PTR_EQUAL(events[0].socket, pull);
    CU_ASSERT_TRUE(test_recv_is(pull, "to pull", 0));
    CU_ASSERT_EQUAL(zmq_poller_destroy(&poller), 0);
    test_close(push);
    test_close(pull);
    test_close(scatter);
    test_close(gather);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ---- four threads on one SCATTER ------------------------------------ */

enum { SENDERS = 4, PER_SENDER = 2000 };

struct sender {
    void *scatter;
    int index;
    int sent;
};

static void *send_all(void *arg)
{
    struct sender *s = arg;
    for (int i = 0; i < PER_SENDER; i++) {
        char body[32];
        int n = snprintf(body, sizeof body, "%d:%d", s->index, i);
        if (zmq_send(s->scatter, body, (size_t) n, 0) != n)
            break;
        s->sent++;
    }
    return NULL;
}

/* Four threads send on one SCATTER (a small high-water mark, so that
 * they block and wake each other) while one GATHER over tcp receives:
 * every message arrives once, each sender's in its order. */
static void test_threads_share_scatter(void)
{
    void *ctx = zmq_ctx_new();
    void *scatter = zmq_socket(ctx, ZMQ_SCATTER);
    void *gather = zmq_socket(ctx, ZMQ_GATHER);
    test_set_int(scatter, ZMQ_SNDHWM, 16);
    test_set_int(scatter, ZMQ_SNDTIMEO, 10000);
    char endpoint[256];
    CU_ASSERT_TRUE_FATAL(test_bind_endpoint(gather, "tcp://127.0.0.1:*",
                                            endpoint, sizeof endpoint));
    CU_ASSERT_EQUAL(zmq_connect(scatter, endpoint), 0);
    struct sender senders[SENDERS];
    pthread_t threads[SENDERS];
    for (int i = 0; i < SENDERS; i++) {
        senders[i] = (struct sender){ scatter, i, 0 };
        CU_ASSERT_EQUAL_FATAL(
            pthread_create(&threads[i], NULL, send_all, &senders[i]), 0);
    }
    int next[SENDERS] = { 0 };
    int received = 0;
    bool ordered = true;
    char buf[32];
    while (received < SENDERS * PER_SENDER &&
           test_recv(gather, buf, sizeof buf, 10000) > 0) {
        int who = -1, seq = -1;
        if (sscanf(buf, "%d:%d", &who, &seq) != 2 || who < 0 ||
            who >= SENDERS || seq != next[who])
            ordered = false;
        else
            next[who]++;
        received++;
    }
    for (int i = 0; i < SENDERS; i++) {
        pthread_join(threads[i], NULL);
        CU_ASSERT_EQUAL(senders[i].sent, PER_SENDER);
    }
    CU_ASSERT_EQUAL(received, SENDERS * PER_SENDER);
    CU_ASSERT_TRUE(ordered);
    CU_ASSERT_TRUE(test_recv_nothing(gather, 20));
    test_close(scatter);
    test_close(gather);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "round robin to GATHERs", test_round_robin },
        { "fair queue from SCATTERs", test_fair_queue },
        { "fair queue alternates", test_fair_queue_alternates },
        { "errors", test_errors },
        { "mute state blocks", test_mute_blocks },
        { "multipart input dropped", test_multipart_dropped },
        { "incompatible peers refused", test_incompatible_peers },
        { "zmq_poller", test_poller },
        { "four threads on one SCATTER", test_threads_share_scatter },
    };
    return test_run_suite("scatter_gather", tests,
                          sizeof tests / sizeof tests[0]);
}
