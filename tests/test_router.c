/*
 * ROUTER sockets over inproc: the routing id frame on what they receive,
 * routing by the first frame on what they send, the ids they make up for
 * anonymous peers, duplicate ids (refused or handed over), the
 * ROUTER_MANDATORY, PROBE_ROUTER, ROUTER_RAW and ROUTER_NOTIFY options,
 * and what happens when a peer's queue is full. Expected behaviour is
 * libzmq 4.3's, checked against it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "zmq.h"

enum { TIMEOUT_MS = 2000, QUIET_MS = 20 };

/* Receives one part within TIMEOUT_MS into a message the caller closes;
 * -1 on failure. */
static int recv_msg(void *socket, zmq_msg_t *m)
{
    int saved = test_get_int(socket, ZMQ_RCVTIMEO);
    test_set_int(socket, ZMQ_RCVTIMEO, TIMEOUT_MS);
    zmq_msg_init(m);
    int rc = zmq_msg_recv(m, socket, 0);
    test_set_int(socket, ZMQ_RCVTIMEO, saved);
    return rc;
}

/* True when the next part is exactly the size bytes of id, with more to
 * follow. */
static bool recv_id_is(void *socket, const void *id, size_t size)
{
    zmq_msg_t m;
    bool ok = recv_msg(socket, &m) == (int) size && zmq_msg_more(&m) &&
              memcmp(zmq_msg_data(&m), id, size) == 0;
    zmq_msg_close(&m);
    return ok;
}

/* Receives a routing id frame (with more to follow) into id; its size or -1. */
static int recv_id(void *socket, unsigned char *id, size_t capacity)
{
    zmq_msg_t m;
    int rc = recv_msg(socket, &m);
    if (rc < 0 || !zmq_msg_more(&m) || (size_t) rc > capacity) {
        zmq_msg_close(&m);
        return -1;
    }
    memcpy(id, zmq_msg_data(&m), (size_t) rc);
    zmq_msg_close(&m);
    return rc;
}

static bool send_id(void *socket, const void *id, size_t size, int flags)
{
    return zmq_send(socket, id, size, ZMQ_SNDMORE | flags) == (int) size;
}

/* The counter in a generated routing id (zero byte, 32 bits big-endian). */
static uint32_t generated_counter(const unsigned char *id)
{
    return (uint32_t) id[1] << 24 | (uint32_t) id[2] << 16 |
           (uint32_t) id[3] << 8 | id[4];
}

/* Runs the command queues of s so that pending connects take effect. */
static void settle(void *s)
{
    test_get_int(s, ZMQ_EVENTS);
}

static void test_explicit_routing_id(void)
{
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_EQUAL(zmq_bind(router, "inproc://explicit"), 0);
    CU_ASSERT_EQUAL(zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "client", 6), 0);
    CU_ASSERT_EQUAL(zmq_connect(dealer, "inproc://explicit"), 0);

    CU_ASSERT_TRUE(test_send(dealer, "one", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(dealer, "", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(dealer, "three", 0));
    CU_ASSERT_TRUE(recv_id_is(router, "client", 6));
    CU_ASSERT_EQUAL(test_get_int(router, ZMQ_RCVMORE), 1);
    CU_ASSERT_TRUE(test_recv_is(router, "one", TIMEOUT_MS));
    CU_ASSERT_EQUAL(test_get_int(router, ZMQ_RCVMORE), 1);
    CU_ASSERT_TRUE(test_recv_is(router, "", TIMEOUT_MS));
    CU_ASSERT_TRUE(test_recv_is(router, "three", TIMEOUT_MS));
    CU_ASSERT_EQUAL(test_get_int(router, ZMQ_RCVMORE), 0);

    /* The routing id frame is consumed; the rest arrives as sent. */
    CU_ASSERT_TRUE(send_id(router, "client", 6, 0));
    CU_ASSERT_TRUE(test_send(router, "back", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(router, "again", 0));
    CU_ASSERT_TRUE(test_recv_is(dealer, "back", TIMEOUT_MS));
    CU_ASSERT_EQUAL(test_get_int(dealer, ZMQ_RCVMORE), 1);
    CU_ASSERT_TRUE(test_recv_is(dealer, "again", TIMEOUT_MS));
    CU_ASSERT_EQUAL(test_get_int(dealer, ZMQ_RCVMORE), 0);

    test_close(dealer);
    test_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Anonymous peers are named with a zero byte and a 32-bit big-endian
 * counter, one step per peer. Like libzmq, the counter starts from two
 * rand() draws made when the socket is created. */
static void test_generated_routing_ids(void)
{
    void *ctx = zmq_ctx_new();
    srand(4242);
    uint32_t low = (uint32_t) rand();
    uint32_t high = (uint32_t) rand();
    uint32_t expected = high << 31 | low;
    srand(4242);
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    zmq_bind(router, "inproc://generated");
    void *dealers[3];
    for (int i = 0; i < 3; i++) {
        dealers[i] = zmq_socket(ctx, ZMQ_DEALER);
        zmq_connect(dealers[i], "inproc://generated");
        settle(router);
    }
    for (int i = 0; i < 3; i++) {
        unsigned char id[8];
        CU_ASSERT_TRUE(test_send(dealers[i], "hello", 0));
        CU_ASSERT_EQUAL_FATAL(recv_id(router, id, sizeof id), 5);
        CU_ASSERT_EQUAL(id[0], 0);
        CU_ASSERT_EQUAL(generated_counter(id), expected + (uint32_t) i);
        CU_ASSERT_TRUE(test_recv_is(router, "hello", TIMEOUT_MS));
        /* Replies reach the peer by that id. */
        CU_ASSERT_TRUE(send_id(router, id, 5, 0));
        CU_ASSERT_TRUE(test_send(router, "welcome", 0));
        CU_ASSERT_TRUE(test_recv_is(dealers[i], "welcome", TIMEOUT_MS));
    }
    for (int i = 0; i < 3; i++)
        test_close(dealers[i]);
    test_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ZMQ_CONNECT_ROUTING_ID names the peer of the next connect only. */
static void test_connect_routing_id(void)
{
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    void *first = zmq_socket(ctx, ZMQ_DEALER);
    void *second = zmq_socket(ctx, ZMQ_DEALER);
    zmq_bind(first, "inproc://connect-id-1");
    zmq_bind(second, "inproc://connect-id-2");
    CU_ASSERT_EQUAL(zmq_setsockopt(router, ZMQ_CONNECT_ROUTING_ID, "alpha", 5),
                    0);
    CU_ASSERT_EQUAL(zmq_connect(router, "inproc://connect-id-1"), 0);
    CU_ASSERT_EQUAL(zmq_connect(router, "inproc://connect-id-2"), 0);

    /* Routable at once, before the peer has said anything. */
    test_set_int(router, ZMQ_ROUTER_MANDATORY, 1);
    CU_ASSERT_TRUE(send_id(router, "alpha", 5, ZMQ_DONTWAIT));
    CU_ASSERT_TRUE(test_send(router, "to alpha", 0));
    CU_ASSERT_TRUE(test_recv_is(first, "to alpha", TIMEOUT_MS));

    CU_ASSERT_TRUE(test_send(first, "from alpha", 0));
    CU_ASSERT_TRUE(recv_id_is(router, "alpha", 5));
    CU_ASSERT_TRUE(test_recv_is(router, "from alpha", TIMEOUT_MS));

    /* The second connection was not named: its peer gets a generated id. */
    unsigned char id[8];
    CU_ASSERT_TRUE(test_send(second, "anonymous", 0));
    CU_ASSERT_EQUAL(recv_id(router, id, sizeof id), 5);
    CU_ASSERT_EQUAL(id[0], 0);
    CU_ASSERT_TRUE(test_recv_is(router, "anonymous", TIMEOUT_MS));

    /* Only ROUTER-like sockets take the option. */
    CU_ASSERT_EQUAL(zmq_setsockopt(first, ZMQ_CONNECT_ROUTING_ID, "x", 1), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);

    test_close(first);
    test_close(second);
    test_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* The same over tcp: the option names the connection, ahead of the
 * peer's own ZMQ_ROUTING_ID (it used to work over inproc only: stored,
 * and ignored by network connects; a finding of tests/fuzz/fuzz_stream). */
static void test_connect_routing_id_over_tcp(void)
{
    void *ctx = zmq_ctx_new();
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "own", 3);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(dealer, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    zmq_getsockopt(dealer, ZMQ_LAST_ENDPOINT, endpoint, &size);
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    CU_ASSERT_EQUAL(zmq_setsockopt(router, ZMQ_CONNECT_ROUTING_ID, "alpha", 5),
                    0);
    CU_ASSERT_EQUAL(zmq_connect(router, endpoint), 0);

    /* Routable at once, before the connection is even made. */
    test_set_int(router, ZMQ_ROUTER_MANDATORY, 1);
    CU_ASSERT_TRUE(send_id(router, "alpha", 5, ZMQ_DONTWAIT));
    CU_ASSERT_TRUE(test_send(router, "to alpha", 0));
    CU_ASSERT_TRUE(test_recv_is(dealer, "to alpha", TIMEOUT_MS));
    CU_ASSERT_TRUE(test_send(dealer, "from alpha", 0));
    CU_ASSERT_TRUE(recv_id_is(router, "alpha", 5));
    CU_ASSERT_TRUE(test_recv_is(router, "from alpha", TIMEOUT_MS));

    test_close(dealer);
    test_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Unroutable messages vanish, unless ROUTER_MANDATORY asks for an error. */
static void test_unroutable(void)
{
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    zmq_bind(router, "inproc://unroutable");
    zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "known", 5);
    zmq_connect(dealer, "inproc://unroutable");
    settle(router);

    CU_ASSERT_TRUE(send_id(router, "nobody", 6, 0));
    CU_ASSERT_TRUE(test_send(router, "lost", 0));
    /* A routing id without a body is dropped too. */
    CU_ASSERT_EQUAL(zmq_send(router, "known", 5, 0), 5);
    CU_ASSERT_TRUE(test_recv_nothing(dealer, QUIET_MS));

    CU_ASSERT_TRUE(test_set_int(router, ZMQ_ROUTER_MANDATORY, 1));
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(router, "nobody", 6, ZMQ_SNDMORE), -1);
    CU_ASSERT_EQUAL(errno, EHOSTUNREACH);
    CU_ASSERT_STRING_EQUAL(zmq_strerror(EHOSTUNREACH), "Host unreachable");
    /* The failed id starts nothing: the next part is an id again. */
    CU_ASSERT_TRUE(send_id(router, "known", 5, 0));
    CU_ASSERT_TRUE(test_send(router, "delivered", 0));
    CU_ASSERT_TRUE(test_recv_is(dealer, "delivered", TIMEOUT_MS));
    /* Without more parts the id is still just dropped. */
    CU_ASSERT_EQUAL(zmq_send(router, "nobody", 6, 0), 6);

    /* A peer that has gone is unreachable. */
    test_close(dealer);
    settle(router);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(router, "known", 5, ZMQ_SNDMORE | ZMQ_DONTWAIT),
                    -1);
    CU_ASSERT_EQUAL(errno, EHOSTUNREACH);

    test_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Without ROUTER_HANDOVER a second peer claiming a taken id is ignored:
 * nothing it sends is delivered, and the id keeps naming the first. */
static void test_duplicate_id_refused(void)
{
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    void *first = zmq_socket(ctx, ZMQ_DEALER);
    void *second = zmq_socket(ctx, ZMQ_DEALER);
    zmq_bind(router, "inproc://duplicate");
    zmq_setsockopt(first, ZMQ_ROUTING_ID, "same", 4);
    zmq_setsockopt(second, ZMQ_ROUTING_ID, "same", 4);
    zmq_connect(first, "inproc://duplicate");
    CU_ASSERT_TRUE(test_send(first, "first", 0));
    CU_ASSERT_TRUE(recv_id_is(router, "same", 4));
    CU_ASSERT_TRUE(test_recv_is(router, "first", TIMEOUT_MS));

    zmq_connect(second, "inproc://duplicate");
    settle(router);
    CU_ASSERT_TRUE(test_send(second, "second", ZMQ_DONTWAIT));
    CU_ASSERT_TRUE(test_recv_nothing(router, QUIET_MS));

    CU_ASSERT_TRUE(send_id(router, "same", 4, 0));
    CU_ASSERT_TRUE(test_send(router, "reply", 0));
    CU_ASSERT_TRUE(test_recv_is(first, "reply", TIMEOUT_MS));
    CU_ASSERT_TRUE(test_recv_nothing(second, QUIET_MS));

    /* The ignored peer going away disturbs nothing. */
    test_close(second);
    CU_ASSERT_TRUE(test_send(first, "still here", 0));
    CU_ASSERT_TRUE(recv_id_is(router, "same", 4));
    CU_ASSERT_TRUE(test_recv_is(router, "still here", TIMEOUT_MS));

    test_close(first);
    test_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* With ROUTER_HANDOVER the newcomer takes the id and the old peer's
 * connection is closed. */
static void test_handover(void)
{
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    void *old_peer = zmq_socket(ctx, ZMQ_DEALER);
    void *new_peer = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_TRUE(test_set_int(router, ZMQ_ROUTER_HANDOVER, 1));
    zmq_bind(router, "inproc://handover");
    zmq_setsockopt(old_peer, ZMQ_ROUTING_ID, "Y", 1);
    zmq_setsockopt(new_peer, ZMQ_ROUTING_ID, "Y", 1);
    zmq_connect(old_peer, "inproc://handover");
    CU_ASSERT_TRUE(test_send(old_peer, "old", 0));
    CU_ASSERT_TRUE(recv_id_is(router, "Y", 1));
    CU_ASSERT_TRUE(test_recv_is(router, "old", TIMEOUT_MS));

    zmq_connect(new_peer, "inproc://handover");
    CU_ASSERT_TRUE(test_send(new_peer, "new", 0));
    CU_ASSERT_TRUE(recv_id_is(router, "Y", 1));
    CU_ASSERT_TRUE(test_recv_is(router, "new", TIMEOUT_MS));

    CU_ASSERT_TRUE(send_id(router, "Y", 1, 0));
    CU_ASSERT_TRUE(test_send(router, "to Y", 0));
    CU_ASSERT_TRUE(test_recv_is(new_peer, "to Y", TIMEOUT_MS));
    CU_ASSERT_TRUE(test_recv_nothing(old_peer, QUIET_MS));
    /* The old peer lost its only connection. */
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(old_peer, "x", 1, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);

    test_close(old_peer);
    test_close(new_peer);
    test_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A handover while a message from the old peer is half read lets the
 * message finish first. */
static void test_handover_mid_message(void)
{
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    void *old_peer = zmq_socket(ctx, ZMQ_DEALER);
    void *new_peer = zmq_socket(ctx, ZMQ_DEALER);
    test_set_int(router, ZMQ_ROUTER_HANDOVER, 1);
    zmq_bind(router, "inproc://handover-mid");
    zmq_setsockopt(old_peer, ZMQ_ROUTING_ID, "Z", 1);
    zmq_setsockopt(new_peer, ZMQ_ROUTING_ID, "Z", 1);
    zmq_connect(old_peer, "inproc://handover-mid");
    CU_ASSERT_TRUE(test_send(old_peer, "p1", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(old_peer, "p2", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(old_peer, "p3", 0));
    CU_ASSERT_TRUE(recv_id_is(router, "Z", 1));
    CU_ASSERT_TRUE(test_recv_is(router, "p1", TIMEOUT_MS));

    zmq_connect(new_peer, "inproc://handover-mid");
    CU_ASSERT_TRUE(test_send(new_peer, "fresh", 0));
    CU_ASSERT_TRUE(test_recv_is(router, "p2", TIMEOUT_MS));
    CU_ASSERT_TRUE(test_recv_is(router, "p3", TIMEOUT_MS));
    CU_ASSERT_EQUAL(test_get_int(router, ZMQ_RCVMORE), 0);
    CU_ASSERT_TRUE(recv_id_is(router, "Z", 1));
    CU_ASSERT_TRUE(test_recv_is(router, "fresh", TIMEOUT_MS));

    test_close(old_peer);
    test_close(new_peer);
    test_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* PROBE_ROUTER: an empty message to every new peer, from the connecting
 * side (DEALER or ROUTER) as soon as it connects, from the binding side
 * once it has taken the connection in. */
static void test_probe_router(void)
{
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_ROUTER);
    void *client = zmq_socket(ctx, ZMQ_ROUTER);
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    zmq_setsockopt(server, ZMQ_ROUTING_ID, "server", 6);
    zmq_setsockopt(client, ZMQ_ROUTING_ID, "client", 6);
    zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "dealer", 6);
    CU_ASSERT_TRUE(test_set_int(client, ZMQ_PROBE_ROUTER, 1));
    CU_ASSERT_TRUE(test_set_int(dealer, ZMQ_PROBE_ROUTER, 1));
    zmq_bind(server, "inproc://probe");
    zmq_connect(client, "inproc://probe");
    zmq_connect(dealer, "inproc://probe");

    for (int i = 0; i < 2; i++) {
        unsigned char id[8];
        CU_ASSERT_EQUAL(recv_id(server, id, sizeof id), 6);
        CU_ASSERT_TRUE(memcmp(id, "client", 6) == 0 ||
                       memcmp(id, "dealer", 6) == 0);
        CU_ASSERT_TRUE(test_recv_is(server, "", TIMEOUT_MS));
        CU_ASSERT_EQUAL(test_get_int(server, ZMQ_RCVMORE), 0);
    }
    /* The probe made the client known: the server can answer at once. */
    CU_ASSERT_TRUE(send_id(server, "client", 6, 0));
    CU_ASSERT_TRUE(test_send(server, "hello client", 0));
    CU_ASSERT_TRUE(recv_id_is(client, "server", 6));
    CU_ASSERT_TRUE(test_recv_is(client, "hello client", TIMEOUT_MS));

    /* A probing binder greets its peers once it has taken them in. */
    void *prober = zmq_socket(ctx, ZMQ_ROUTER);
    void *peer = zmq_socket(ctx, ZMQ_DEALER);
    test_set_int(prober, ZMQ_PROBE_ROUTER, 1);
    zmq_bind(prober, "inproc://probe-bound");
    zmq_connect(peer, "inproc://probe-bound");
    settle(prober);
    CU_ASSERT_TRUE(test_recv_is(peer, "", TIMEOUT_MS));

    test_close(peer);
    test_close(prober);
    test_close(dealer);
    test_close(client);
    test_close(server);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ROUTER_NOTIFY (draft) is accepted; like libzmq, it only reports
 * connections of stream transports (tcp, ipc), so inproc peers come and go
 * without notifications. */
static void test_notify_not_for_inproc(void)
{
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    CU_ASSERT_TRUE(test_set_int(router, ZMQ_ROUTER_NOTIFY,
                                ZMQ_NOTIFY_CONNECT | ZMQ_NOTIFY_DISCONNECT));
    CU_ASSERT_EQUAL(test_get_int(router, ZMQ_ROUTER_NOTIFY),
                    ZMQ_NOTIFY_CONNECT | ZMQ_NOTIFY_DISCONNECT);
    CU_ASSERT_FALSE(test_set_int(router, ZMQ_ROUTER_NOTIFY, 4));
    zmq_bind(router, "inproc://notify");
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "D", 1);
    zmq_connect(dealer, "inproc://notify");
    CU_ASSERT_TRUE(test_recv_nothing(router, QUIET_MS));
    CU_ASSERT_TRUE(test_send(dealer, "data", 0));
    CU_ASSERT_TRUE(recv_id_is(router, "D", 1));
    CU_ASSERT_TRUE(test_recv_is(router, "data", TIMEOUT_MS));
    test_close(dealer);
    CU_ASSERT_TRUE(test_recv_nothing(router, QUIET_MS));
    test_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Sends "m<i>" to id until a send fails or count messages are sent;
 * returns how many were sent. */
static int fill(void *router, const char *id, int count, int flags)
{
    for (int i = 0; i < count; i++) {
        char body[16];
        snprintf(body, sizeof body, "m%d", i);
        if (zmq_send(router, id, strlen(id), ZMQ_SNDMORE | flags) < 0)
            return i;
        if (!test_send(router, body, flags))
            return i;
    }
    return count;
}

/* At a full peer, a ROUTER drops what it cannot queue. */
static void test_hwm_drops(void)
{
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    test_set_int(router, ZMQ_SNDHWM, 2);
    test_set_int(dealer, ZMQ_RCVHWM, 1);
    zmq_bind(router, "inproc://hwm-drop");
    zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "A", 1);
    zmq_connect(dealer, "inproc://hwm-drop");
    settle(router);

    CU_ASSERT_EQUAL(fill(router, "A", 10, ZMQ_DONTWAIT), 10);
    CU_ASSERT_NOT_EQUAL(test_get_int(router, ZMQ_EVENTS) & ZMQ_POLLOUT, 0);
    /* The first messages arrived in order, the rest were dropped. */
    int received = 0;
    char buf[16];
    while (received < 10 && test_recv(dealer, buf, sizeof buf, QUIET_MS) >= 0) {
        char expected[16];
        snprintf(expected, sizeof expected, "m%d", received);
        CU_ASSERT_STRING_EQUAL(buf, expected);
        received++;
    }
    CU_ASSERT_TRUE(received >= 1 && received < 10);

    test_close(dealer);
    test_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* With ROUTER_MANDATORY a full peer means EAGAIN (and no POLLOUT) instead,
 * until it has drained. */
static void test_hwm_mandatory(void)
{
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    test_set_int(router, ZMQ_SNDHWM, 2);
    test_set_int(router, ZMQ_ROUTER_MANDATORY, 1);
    test_set_int(dealer, ZMQ_RCVHWM, 1);
    zmq_bind(router, "inproc://hwm-mandatory");
    zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "A", 1);
    zmq_connect(dealer, "inproc://hwm-mandatory");
    settle(router);
    CU_ASSERT_NOT_EQUAL(test_get_int(router, ZMQ_EVENTS) & ZMQ_POLLOUT, 0);

    errno = 0;
    int sent = fill(router, "A", 20, ZMQ_DONTWAIT);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    CU_ASSERT_TRUE(sent >= 1 && sent < 20);
    CU_ASSERT_EQUAL(test_get_int(router, ZMQ_EVENTS) & ZMQ_POLLOUT, 0);
    /* Blocking gives up at SNDTIMEO. */
    test_set_int(router, ZMQ_SNDTIMEO, QUIET_MS);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(router, "A", 1, ZMQ_SNDMORE), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);

    /* Nothing was lost. */
    char buf[16];
    for (int i = 0; i < sent; i++) {
        char expected[16];
        snprintf(expected, sizeof expected, "m%d", i);
        CU_ASSERT_EQUAL(test_recv(dealer, buf, sizeof buf, TIMEOUT_MS),
                        (int) strlen(expected));
        CU_ASSERT_STRING_EQUAL(buf, expected);
    }
    CU_ASSERT_TRUE(test_recv_nothing(dealer, QUIET_MS));
    CU_ASSERT_NOT_EQUAL(test_get_int(router, ZMQ_EVENTS) & ZMQ_POLLOUT, 0);
    CU_ASSERT_TRUE(send_id(router, "A", 1, ZMQ_DONTWAIT));
    CU_ASSERT_TRUE(test_send(router, "again", 0));
    CU_ASSERT_TRUE(test_recv_is(dealer, "again", TIMEOUT_MS));

    test_close(dealer);
    test_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* POLLOUT: always without ROUTER_MANDATORY (a send cannot block), only
 * with a peer that has room with it. */
static void test_events(void)
{
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    CU_ASSERT_EQUAL(test_get_int(router, ZMQ_EVENTS), ZMQ_POLLOUT);
    test_set_int(router, ZMQ_ROUTER_MANDATORY, 1);
    CU_ASSERT_EQUAL(test_get_int(router, ZMQ_EVENTS), 0);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_recv(router, NULL, 0, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);

    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    zmq_bind(router, "inproc://events");
    zmq_connect(dealer, "inproc://events");
    CU_ASSERT_EQUAL(test_get_int(router, ZMQ_EVENTS), ZMQ_POLLOUT);
    CU_ASSERT_TRUE(test_send(dealer, "in", ZMQ_SNDMORE));
    CU_ASSERT_EQUAL(test_get_int(router, ZMQ_EVENTS), ZMQ_POLLOUT);
    CU_ASSERT_TRUE(test_send(dealer, "in", 0));
    CU_ASSERT_EQUAL(test_get_int(router, ZMQ_EVENTS), ZMQ_POLLIN | ZMQ_POLLOUT);
    unsigned char id[8];
    CU_ASSERT_EQUAL(recv_id(router, id, sizeof id), 5);
    /* Inside a message, more parts are readable. */
    CU_ASSERT_EQUAL(test_get_int(router, ZMQ_EVENTS), ZMQ_POLLIN | ZMQ_POLLOUT);
    CU_ASSERT_TRUE(test_recv_is(router, "in", TIMEOUT_MS));
    CU_ASSERT_TRUE(test_recv_is(router, "in", TIMEOUT_MS));
    CU_ASSERT_EQUAL(test_get_int(router, ZMQ_EVENTS), ZMQ_POLLOUT);

    test_close(dealer);
    test_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void check_int_option(void *socket, int option, bool accepted)
{
    int value = 1;
    CU_ASSERT_EQUAL(zmq_setsockopt(socket, option, &value, sizeof value),
                    accepted ? 0 : -1);
    if (!accepted)
        CU_ASSERT_EQUAL(errno, EINVAL);
    if (!accepted)
        return;
    value = 7; /* any non-negative value */
    CU_ASSERT_EQUAL(zmq_setsockopt(socket, option, &value, sizeof value), 0);
    value = -1;
    errno = 0;
    CU_ASSERT_EQUAL(zmq_setsockopt(socket, option, &value, sizeof value), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    short narrow = 1;
    errno = 0;
    CU_ASSERT_EQUAL(zmq_setsockopt(socket, option, &narrow, sizeof narrow), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    /* Write-only. */
    size_t size = sizeof value;
    errno = 0;
    CU_ASSERT_EQUAL(zmq_getsockopt(socket, option, &value, &size), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    value = 0;
    CU_ASSERT_EQUAL(zmq_setsockopt(socket, option, &value, sizeof value), 0);
}

/* The ROUTER options belong to ROUTER and to REP (a ROUTER underneath). */
static void test_options(void)
{
    static const int options[] = { ZMQ_ROUTER_MANDATORY, ZMQ_ROUTER_HANDOVER,
                                   ZMQ_ROUTER_RAW };
    static const struct {
        int type;
        bool accepted;
    } types[] = { { ZMQ_ROUTER, true },
                  { ZMQ_REP, true },
                  { ZMQ_DEALER, false },
                  { ZMQ_REQ, false },
                  { ZMQ_PAIR, false } };
    void *ctx = zmq_ctx_new();
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        void *socket = zmq_socket(ctx, types[t].type);
        for (size_t o = 0; o < sizeof options / sizeof options[0]; o++)
            check_int_option(socket, options[o], types[t].accepted);
        zmq_close(socket);
    }
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    errno = 0;
    CU_ASSERT_FALSE(test_set_int(router, ZMQ_PROBE_ROUTER, -1));
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_TRUE(test_set_int(router, ZMQ_PROBE_ROUTER, 1));
    CU_ASSERT_FALSE(test_set_int(router, ZMQ_REQ_CORRELATE, 1));
    CU_ASSERT_FALSE(test_set_int(router, ZMQ_REQ_RELAXED, 1));
    CU_ASSERT_EQUAL(test_get_int(router, ZMQ_TYPE), ZMQ_ROUTER);
    zmq_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ROUTER_RAW over inproc: peers always get generated ids, every data part
 * travels as a message of its own, and an empty part closes the peer's
 * connection. */
static void test_raw(void)
{
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_TRUE(test_set_int(router, ZMQ_ROUTER_RAW, 1));
    zmq_bind(router, "inproc://raw");
    zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "ignored", 7);
    zmq_connect(dealer, "inproc://raw");

    CU_ASSERT_TRUE(test_send(dealer, "a", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(dealer, "b", 0));
    unsigned char id[8];
    CU_ASSERT_EQUAL_FATAL(recv_id(router, id, sizeof id), 5);
    CU_ASSERT_EQUAL(id[0], 0);
    CU_ASSERT_TRUE(test_recv_is(router, "a", TIMEOUT_MS));
    CU_ASSERT_TRUE(test_recv_is(router, "b", TIMEOUT_MS));

    /* "d2" follows a part that was sent as a whole message, so it is taken
     * for a routing id, and dropped with nothing after it. */
    CU_ASSERT_TRUE(send_id(router, id, 5, 0));
    CU_ASSERT_TRUE(test_send(router, "d1", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(router, "d2", 0));
    CU_ASSERT_TRUE(test_recv_is(dealer, "d1", TIMEOUT_MS));
    CU_ASSERT_EQUAL(test_get_int(dealer, ZMQ_RCVMORE), 0);
    CU_ASSERT_TRUE(test_recv_nothing(dealer, QUIET_MS));

    CU_ASSERT_TRUE(send_id(router, id, 5, 0));
    CU_ASSERT_TRUE(test_send(router, "", 0));
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(dealer, "x", 1, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    test_set_int(router, ZMQ_ROUTER_MANDATORY, 1);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(router, id, 5, ZMQ_SNDMORE | ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EHOSTUNREACH);

    test_close(dealer);
    test_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Messages queued before the bind and ids generated when the pipe is taken
 * in: a connect that comes first works like any other. */
static void test_connect_before_bind(void)
{
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "early", 5);
    CU_ASSERT_EQUAL(zmq_connect(dealer, "inproc://later"), 0);
    CU_ASSERT_TRUE(test_send(dealer, "queued", 0));
    CU_ASSERT_EQUAL(zmq_bind(router, "inproc://later"), 0);
    CU_ASSERT_TRUE(recv_id_is(router, "early", 5));
    CU_ASSERT_TRUE(test_recv_is(router, "queued", TIMEOUT_MS));
    CU_ASSERT_TRUE(send_id(router, "early", 5, 0));
    CU_ASSERT_TRUE(test_send(router, "answer", 0));
    CU_ASSERT_TRUE(test_recv_is(dealer, "answer", TIMEOUT_MS));
    test_close(dealer);
    test_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Peers fair-queued: messages from several peers come in turn, each with
 * its own id. */
static void test_fair_queue(void)
{
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    zmq_bind(router, "inproc://fair");
    void *dealers[3];
    static const char *const names[] = { "d0", "d1", "d2" };
    for (int i = 0; i < 3; i++) {
        dealers[i] = zmq_socket(ctx, ZMQ_DEALER);
        zmq_setsockopt(dealers[i], ZMQ_ROUTING_ID, names[i], 2);
        zmq_connect(dealers[i], "inproc://fair");
        for (int k = 0; k < 2; k++)
            CU_ASSERT_TRUE(test_send(dealers[i], names[i], 0));
    }
    int seen[3] = { 0, 0, 0 };
    int first_round[3] = { 0, 0, 0 };
    for (int n = 0; n < 6; n++) {
        unsigned char id[8];
        char body[8];
        CU_ASSERT_EQUAL_FATAL(recv_id(router, id, sizeof id), 2);
        CU_ASSERT_EQUAL(test_recv(router, body, sizeof body, TIMEOUT_MS), 2);
        CU_ASSERT_TRUE(memcmp(id, body, 2) == 0);
        int who = id[1] - '0';
        CU_ASSERT_FATAL(who >= 0 && who < 3);
        seen[who]++;
        if (n < 3)
            first_round[who]++;
    }
    for (int i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(seen[i], 2);
        CU_ASSERT_EQUAL(first_round[i], 1);
    }
    for (int i = 0; i < 3; i++)
        test_close(dealers[i]);
    test_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "explicit routing id", test_explicit_routing_id },
        { "generated routing ids", test_generated_routing_ids },
        { "ZMQ_CONNECT_ROUTING_ID", test_connect_routing_id },
        { "ZMQ_CONNECT_ROUTING_ID over tcp", test_connect_routing_id_over_tcp },
        { "unroutable messages and ROUTER_MANDATORY", test_unroutable },
        { "duplicate id refused", test_duplicate_id_refused },
        { "ROUTER_HANDOVER", test_handover },
        { "ROUTER_HANDOVER mid-message", test_handover_mid_message },
        { "PROBE_ROUTER", test_probe_router },
        { "ROUTER_NOTIFY does not apply to inproc",
          test_notify_not_for_inproc },
        { "HWM drops without ROUTER_MANDATORY", test_hwm_drops },
        { "HWM with ROUTER_MANDATORY", test_hwm_mandatory },
        { "ZMQ_EVENTS", test_events },
        { "options", test_options },
        { "ROUTER_RAW", test_raw },
        { "connect before bind", test_connect_before_bind },
        { "fair queueing", test_fair_queue },
    };
    return test_run_suite("router", tests, sizeof tests / sizeof tests[0]);
}
