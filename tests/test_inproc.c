/*
 * The inproc transport: bind and connect in either order, many connects to
 * one bind, messages sent before the bind, unbind and disconnect,
 * ZMQ_LAST_ENDPOINT, address errors, and handles of closed sockets.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "zmq.h"

static void test_bind_then_connect(void)
{
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_PAIR), *b = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_EQUAL(zmq_bind(a, "inproc://bind-first"), 0);
    CU_ASSERT_EQUAL(zmq_connect(b, "inproc://bind-first"), 0);
    CU_ASSERT_TRUE(test_send(b, "to the binder", 0));
    CU_ASSERT_TRUE(test_recv_is(a, "to the binder", 2000));
    CU_ASSERT_TRUE(test_send(a, "to the connecter", 0));
    CU_ASSERT_TRUE(test_recv_is(b, "to the connecter", 2000));
    zmq_close(a);
    zmq_close(b);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_connect_then_bind(void)
{
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH), *pull = zmq_socket(ctx, ZMQ_PULL);
    CU_ASSERT_EQUAL(zmq_connect(push, "inproc://connect-first"), 0);
    CU_ASSERT_TRUE(test_send(push, "before the bind", 0));
    CU_ASSERT_EQUAL(zmq_bind(pull, "inproc://connect-first"), 0);
    CU_ASSERT_TRUE(test_send(push, "after the bind", 0));
    CU_ASSERT_TRUE(test_recv_is(pull, "before the bind", 2000));
    CU_ASSERT_TRUE(test_recv_is(pull, "after the bind", 2000));
    zmq_close(push);
    zmq_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Ten senders on one bind: every message arrives, and a fair queue takes
 * one message from each sender in turn. */
static void test_many_connects_fair_queued(void)
{
    enum { SENDERS = 10, EACH = 5 };
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    void *push[SENDERS];
    CU_ASSERT_EQUAL(zmq_bind(pull, "inproc://many"), 0);
    for (int i = 0; i < SENDERS; i++) {
        push[i] = zmq_socket(ctx, ZMQ_PUSH);
        CU_ASSERT_EQUAL(zmq_connect(push[i], "inproc://many"), 0);
        for (int n = 0; n < EACH; n++) {
            char text[8];
            snprintf(text, sizeof text, "%d", i);
            CU_ASSERT_TRUE(test_send(push[i], text, 0));
        }
    }
    int seen[SENDERS] = { 0 };
    for (int round = 0; round < EACH; round++) {
        int in_round[SENDERS] = { 0 };
        for (int n = 0; n < SENDERS; n++) {
            char buf[8];
            int rc = test_recv(pull, buf, sizeof buf, 2000);
            CU_ASSERT_FATAL(rc > 0);
            int sender = buf[0] - '0';
            in_round[sender]++;
            seen[sender]++;
        }
        for (int i = 0; i < SENDERS; i++)
            CU_ASSERT_EQUAL(in_round[i], 1);
    }
    for (int i = 0; i < SENDERS; i++) {
        CU_ASSERT_EQUAL(seen[i], EACH);
        zmq_close(push[i]);
    }
    CU_ASSERT_TRUE(test_recv_nothing(pull, 20));
    zmq_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_address_errors(void)
{
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_PAIR), *b = zmq_socket(ctx, ZMQ_PAIR);
    struct {
        const char *endpoint;
        int error;
    } bad[] = {
        { "inproc://", EINVAL },
        { "no scheme", EINVAL },
        { "foo://bar", EPROTONOSUPPORT },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        CU_ASSERT_EQUAL(zmq_bind(a, bad[i].endpoint), -1);
        CU_ASSERT_EQUAL(errno, bad[i].error);
        errno = 0;
        CU_ASSERT_EQUAL(zmq_connect(a, bad[i].endpoint), -1);
        CU_ASSERT_EQUAL(errno, bad[i].error);
    }
    CU_ASSERT_EQUAL(zmq_bind(a, "inproc://taken"), 0);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_bind(b, "inproc://taken"), -1);
    CU_ASSERT_EQUAL(errno, EADDRINUSE);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_bind(a, "inproc://taken"), -1);
    CU_ASSERT_EQUAL(errno, EADDRINUSE);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_unbind(b, "inproc://taken"), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_disconnect(b, "inproc://never-connected"), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    zmq_close(a);
    zmq_close(b);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_last_endpoint(void)
{
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_PAIR), *b = zmq_socket(ctx, ZMQ_PAIR);
    char buf[64];
    size_t size = sizeof buf;
    CU_ASSERT_EQUAL(zmq_getsockopt(a, ZMQ_LAST_ENDPOINT, buf, &size), 0);
    CU_ASSERT_STRING_EQUAL(buf, "");
    CU_ASSERT_EQUAL(size, 1);
    zmq_bind(a, "inproc://last");
    size = sizeof buf;
    CU_ASSERT_EQUAL(zmq_getsockopt(a, ZMQ_LAST_ENDPOINT, buf, &size), 0);
    CU_ASSERT_STRING_EQUAL(buf, "inproc://last");
    CU_ASSERT_EQUAL(size, strlen("inproc://last") + 1);
    size = 4;
    errno = 0;
    CU_ASSERT_EQUAL(zmq_getsockopt(a, ZMQ_LAST_ENDPOINT, buf, &size), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    zmq_connect(b, "inproc://last");
    size = sizeof buf;
    CU_ASSERT_EQUAL(zmq_getsockopt(b, ZMQ_LAST_ENDPOINT, buf, &size), 0);
    CU_ASSERT_STRING_EQUAL(buf, "inproc://last");
    zmq_close(a);
    zmq_close(b);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Unbinding frees the name; the connection already made keeps working. */
static void test_unbind(void)
{
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_PAIR), *b = zmq_socket(ctx, ZMQ_PAIR);
    void *c = zmq_socket(ctx, ZMQ_PAIR);
    zmq_bind(a, "inproc://unbind");
    zmq_connect(b, "inproc://unbind");
    CU_ASSERT_EQUAL(zmq_unbind(a, "inproc://unbind"), 0);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_unbind(a, "inproc://unbind"), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    CU_ASSERT_EQUAL(zmq_bind(c, "inproc://unbind"), 0);
    CU_ASSERT_TRUE(test_send(b, "still connected", 0));
    CU_ASSERT_TRUE(test_recv_is(a, "still connected", 2000));
    zmq_close(a);
    zmq_close(b);
    zmq_close(c);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A closed socket's names can be bound again at once. (libzmq releases
 * them later, from its reaper thread, so there an immediate rebind can
 * fail with EADDRINUSE; here zmq_close is synchronous.) */
static void test_close_releases_name(void)
{
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_PAIR);
    zmq_bind(a, "inproc://reused");
    zmq_close(a);
    void *b = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_EQUAL(zmq_bind(b, "inproc://reused"), 0);
    zmq_close(b);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* After a disconnect, a PUSH sends only to the peers it still has. */
static void test_disconnect(void)
{
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    void *one = zmq_socket(ctx, ZMQ_PULL), *two = zmq_socket(ctx, ZMQ_PULL);
    zmq_bind(one, "inproc://one");
    zmq_bind(two, "inproc://two");
    zmq_connect(push, "inproc://one");
    zmq_connect(push, "inproc://two");
    CU_ASSERT_EQUAL(zmq_disconnect(push, "inproc://one"), 0);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_disconnect(push, "inproc://one"), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    for (int i = 0; i < 6; i++)
        CU_ASSERT_TRUE(test_send(push, "for two", 0));
    for (int i = 0; i < 6; i++)
        CU_ASSERT_TRUE(test_recv_is(two, "for two", 2000));
    CU_ASSERT_TRUE(test_recv_nothing(one, 20));
    zmq_close(push);
    zmq_close(one);
    zmq_close(two);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_closed_socket_is_not_a_socket(void)
{
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_EQUAL(zmq_close(s), 0);
    int value = 0;
    size_t size = sizeof value;
    char buf[4];
    errno = 0;
    CU_ASSERT_EQUAL(zmq_close(s), -1);
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(s, "x", 1, 0), -1);
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_recv(s, buf, sizeof buf, 0), -1);
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_bind(s, "inproc://x"), -1);
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_connect(s, "inproc://x"), -1);
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_setsockopt(s, ZMQ_LINGER, &value, sizeof value), -1);
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_getsockopt(s, ZMQ_LINGER, &value, &size), -1);
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_close(NULL), -1);
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

struct connector {
    void *ctx;
    int index;
    int sent;
};

enum { CONNECTORS = 8, PER_CONNECTOR = 500 };

static void *connect_and_send(void *arg)
{
    struct connector *c = arg;
    void *push = zmq_socket(c->ctx, ZMQ_PUSH);
    if (zmq_connect(push, "inproc://race") == 0) {
        for (int i = 0; i < PER_CONNECTOR; i++)
            if (test_send(push, "m", 0))
                c->sent++;
    }
    zmq_close(push);
    return NULL;
}

/* Connects racing with the bind from several threads: none is lost, and
 * every message sent arrives (some before, some after the bind). */
static void test_connects_race_the_bind(void)
{
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    test_set_int(pull, ZMQ_RCVHWM, 0);
    pthread_t threads[CONNECTORS];
    struct connector connectors[CONNECTORS];
    for (int i = 0; i < CONNECTORS; i++) {
        connectors[i] = (struct connector){ .ctx = ctx, .index = i };
        pthread_create(&threads[i], NULL, connect_and_send, &connectors[i]);
        if (i == CONNECTORS / 2)
            CU_ASSERT_EQUAL(zmq_bind(pull, "inproc://race"), 0);
    }
    for (int i = 0; i < CONNECTORS; i++)
        pthread_join(threads[i], NULL);
    int received = 0;
    char buf[4];
    while (received < CONNECTORS * PER_CONNECTOR &&
           test_recv(pull, buf, sizeof buf, 2000) == 1)
        received++;
    int sent = 0;
    for (int i = 0; i < CONNECTORS; i++)
        sent += connectors[i].sent;
    CU_ASSERT_EQUAL(sent, CONNECTORS * PER_CONNECTOR);
    CU_ASSERT_EQUAL(received, sent);
    zmq_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A scheme that no transport plugin serves is refused with
 * EPROTONOSUPPORT, and inproc keeps working beside it. */
static void test_unsupported_transport(void)
{
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_PAIR);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_bind(a, "carrier-pigeon://loft"), -1);
    CU_ASSERT_EQUAL(errno, EPROTONOSUPPORT);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_connect(a, "carrier-pigeon://loft"), -1);
    CU_ASSERT_EQUAL(errno, EPROTONOSUPPORT);
    CU_ASSERT_EQUAL(zmq_bind(a, "inproc://beside"), 0);
    zmq_close(a);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A connect withdrawn before anyone bound its name is gone: the same
 * socket binding the name later has no pipe to itself (libzmq: EAGAIN), and
 * never receives what it sends. The fuzzer (fuzz_threadsafe) found a CLIENT
 * receiving its own message. */
static void test_withdrawn_connect_is_gone(void)
{
    void *ctx = zmq_ctx_new();
    const int types[] = { ZMQ_PAIR, ZMQ_DEALER, ZMQ_CLIENT };
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        char name[64];
        snprintf(name, sizeof name, "inproc://withdrawn-%zu", t);
        void *s = zmq_socket(ctx, types[t]);
        CU_ASSERT_FATAL(s != NULL);
        CU_ASSERT(zmq_connect(s, name) == 0);
        CU_ASSERT(zmq_disconnect(s, name) == 0);
        CU_ASSERT(zmq_bind(s, name) == 0);
        CU_ASSERT(zmq_send(s, "self", 4, ZMQ_DONTWAIT) == -1);
        CU_ASSERT(zmq_errno() == EAGAIN);
        CU_ASSERT(test_recv_nothing(s, 100));
        /* A new peer still connects to the name and is served. */
        void *peer = zmq_socket(ctx, types[t] == ZMQ_CLIENT ? ZMQ_SERVER
                                                           : types[t]);
        CU_ASSERT(zmq_connect(peer, name) == 0);
        if (types[t] != ZMQ_CLIENT) {
            CU_ASSERT(test_send(peer, "hello", 0));
            CU_ASSERT(test_recv_is(s, "hello", 1000));
        } else {
            CU_ASSERT(test_send(s, "hello", 0));
            CU_ASSERT(test_recv_is(peer, "hello", 1000));
        }
        test_close(peer);
        test_close(s);
    }
    zmq_ctx_term(ctx);
}

/* A PEER's connect dropped with zmq_disconnect_peer before anyone bound
 * the name is gone too: neither a later binder nor the socket itself
 * (binding the name after zmq_disconnect) gets the pipe, or what was sent
 * on it. fuzz_threadsafe found a PEER receiving its own message. */
static void test_dropped_peer_is_gone(void)
{
    void *ctx = zmq_ctx_new();
    for (int self = 0; self < 2; self++) {
        char name[64];
        snprintf(name, sizeof name, "inproc://dropped-%d", self);
        void *s = zmq_socket(ctx, ZMQ_PEER);
        void *other = zmq_socket(ctx, ZMQ_PEER);
        CU_ASSERT_FATAL(s != NULL && other != NULL);
        uint32_t id = zmq_connect_peer(s, name);
        CU_ASSERT_FATAL(id != 0);
        zmq_msg_t m;
        zmq_msg_init_size(&m, 7);
        memcpy(zmq_msg_data(&m), "dropped", 7);
        zmq_msg_set_routing_id(&m, id);
        CU_ASSERT(zmq_msg_send(&m, s, 0) == 7);
        CU_ASSERT(zmq_disconnect_peer(s, id) == 0);
        void *binder = other;
        if (self) {
            CU_ASSERT(zmq_disconnect(s, name) == 0);
            binder = s;
        }
        CU_ASSERT(zmq_bind(binder, name) == 0);
        CU_ASSERT(test_recv_nothing(binder, 100));
        /* The name still serves a new connect. */
        void *late = self ? other : s;
        uint32_t late_id = zmq_connect_peer(late, name);
        CU_ASSERT_FATAL(late_id != 0);
        zmq_msg_init_size(&m, 5);
        memcpy(zmq_msg_data(&m), "fresh", 5);
        zmq_msg_set_routing_id(&m, late_id);
        CU_ASSERT(zmq_msg_send(&m, late, 0) == 5);
        CU_ASSERT(test_recv_is(binder, "fresh", 1000));
        test_close(other);
        test_close(s);
    }
    zmq_ctx_term(ctx);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "bind then connect", test_bind_then_connect },
        { "connect then bind", test_connect_then_bind },
        { "many connects, fair-queued", test_many_connects_fair_queued },
        { "address errors", test_address_errors },
        { "ZMQ_LAST_ENDPOINT", test_last_endpoint },
        { "unbind frees the name, keeps the connection", test_unbind },
        { "close releases the name", test_close_releases_name },
        { "disconnect", test_disconnect },
        { "closed socket gives ENOTSOCK", test_closed_socket_is_not_a_socket },
        { "connects race the bind", test_connects_race_the_bind },
        { "unsupported transports", test_unsupported_transport },
        { "a withdrawn connect is gone", test_withdrawn_connect_is_gone },
        { "a dropped PEER connect is gone", test_dropped_peer_is_gone },
    };
    return test_run_suite("inproc", tests, sizeof tests / sizeof tests[0]);
}
