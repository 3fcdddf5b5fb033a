/*
 * PUSH/PULL (RFC 30) and DEALER: load balancing of whole messages over the
 * peers, fair queueing from them, the operations each type refuses, and
 * PROBE_ROUTER on a DEALER.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "zmq.h"

/* Whole messages go round-robin over the connected PULLs. */
static void test_push_round_robin(void)
{
    enum { PEERS = 3, ROUNDS = 4 };
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    void *pull[PEERS];
    zmq_bind(push, "inproc://rr");
    for (int i = 0; i < PEERS; i++) {
        pull[i] = zmq_socket(ctx, ZMQ_PULL);
        zmq_connect(pull[i], "inproc://rr");
    }
    for (int n = 0; n < PEERS * ROUNDS; n++) {
        CU_ASSERT_TRUE(test_send(push, "head", ZMQ_SNDMORE));
        CU_ASSERT_TRUE(test_send(push, "tail", 0));
    }
    for (int i = 0; i < PEERS; i++) {
        for (int n = 0; n < ROUNDS; n++) {
            CU_ASSERT_TRUE(test_recv_is(pull[i], "head", 2000));
            CU_ASSERT_EQUAL(test_get_int(pull[i], ZMQ_RCVMORE), 1);
            CU_ASSERT_TRUE(test_recv_is(pull[i], "tail", 2000));
        }
        CU_ASSERT_TRUE(test_recv_nothing(pull[i], 10));
        zmq_close(pull[i]);
    }
    zmq_close(push);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_refused_directions(void)
{
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH), *pull = zmq_socket(ctx, ZMQ_PULL);
    char buf[4];
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(pull, "x", 1, 0), -1);
    CU_ASSERT_EQUAL(errno, ENOTSUP);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_recv(push, buf, sizeof buf, 0), -1);
    CU_ASSERT_EQUAL(errno, ENOTSUP);
    CU_ASSERT_EQUAL(test_get_int(pull, ZMQ_EVENTS) & ZMQ_POLLOUT, 0);
    CU_ASSERT_EQUAL(test_get_int(push, ZMQ_EVENTS) & ZMQ_POLLIN, 0);
    zmq_close(push);
    zmq_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A PUSH with no peer blocks (here: EAGAIN with DONTWAIT), and queues
 * nothing. */
static void test_push_without_peer(void)
{
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(push, "x", 1, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    zmq_close(push);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A DEALER balances requests over its peers and fair-queues the replies. */
static void test_dealer_balances_and_fair_queues(void)
{
    enum { PEERS = 3 };
    void *ctx = zmq_ctx_new();
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    void *peer[PEERS];
    zmq_bind(dealer, "inproc://dealer");
    for (int i = 0; i < PEERS; i++) {
        peer[i] = zmq_socket(ctx, ZMQ_DEALER);
        zmq_connect(peer[i], "inproc://dealer");
    }
    for (int i = 0; i < PEERS; i++)
        CU_ASSERT_TRUE(test_send(dealer, "job", 0));
    for (int i = 0; i < PEERS; i++) {
        CU_ASSERT_TRUE(test_recv_is(peer[i], "job", 2000));
        char reply[8];
        snprintf(reply, sizeof reply, "r%d", i);
        CU_ASSERT_TRUE(test_send(peer[i], reply, ZMQ_SNDMORE));
        CU_ASSERT_TRUE(test_send(peer[i], "end", 0));
    }
    int seen[PEERS] = { 0 };
    for (int i = 0; i < PEERS; i++) {
        char buf[8];
        CU_ASSERT_EQUAL_FATAL(test_recv(dealer, buf, sizeof buf, 2000), 2);
        seen[buf[1] - '0']++;
        CU_ASSERT_TRUE(test_recv_is(dealer, "end", 2000));
    }
    for (int i = 0; i < PEERS; i++) {
        CU_ASSERT_EQUAL(seen[i], 1);
        zmq_close(peer[i]);
    }
    zmq_close(dealer);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ZMQ_PROBE_ROUTER makes a DEALER greet each new peer with an empty
 * message. */
static void test_dealer_probe(void)
{
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL),
         *dealer = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_TRUE(test_set_int(dealer, ZMQ_PROBE_ROUTER, 1));
    zmq_bind(pull, "inproc://probe");
    zmq_connect(dealer, "inproc://probe");
    CU_ASSERT_TRUE(test_recv_is(pull, "", 2000));
    CU_ASSERT_EQUAL(test_get_int(pull, ZMQ_RCVMORE), 0);
    zmq_close(pull);
    zmq_close(dealer);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "PUSH round-robin of whole messages", test_push_round_robin },
        { "refused directions give ENOTSUP", test_refused_directions },
        { "PUSH without a peer", test_push_without_peer },
        { "DEALER balances and fair-queues",
          test_dealer_balances_and_fair_queues },
        { "DEALER with PROBE_ROUTER", test_dealer_probe },
    };
    return test_run_suite("pipeline", tests, sizeof tests / sizeof tests[0]);
}
