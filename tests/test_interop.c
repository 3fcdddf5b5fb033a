/*
 * Interoperability with real libzmq over tcp: every test pairs a modzmq
 * socket in this process with a libzmq 4.3 socket in a pyzmq process (see
 * peer.h), in both roles (who binds), and checks what crosses the wire:
 * single and multipart messages, empty and 10 MB parts, the routing of
 * each classic socket type, routing ids, subscriptions both ways and the
 * metadata of the handshake.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "peer.h"
#include "testutil.h"
#include "zmq.h"

static void *ctx;

/* A modzmq socket with timeouts that keep every test bounded. */
static void *our_socket(int type)
{
    void *s = zmq_socket(ctx, type);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    test_set_int(s, ZMQ_RCVTIMEO, 5000);
    test_set_int(s, ZMQ_SNDTIMEO, 5000);
    test_set_int(s, ZMQ_LINGER, 1000);
    return s;
}

/* Starts a peer with a socket of type_name; NULL fails the test. */
static struct test_peer *peer_with_socket(const char *type_name)
{
    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL(peer);
    if (peer == NULL)
        return NULL;
    const char *answer = test_peer_ask(peer, "socket %s", type_name);
    CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
    return peer;
}

/* Joins ours and the peer's socket over tcp on loopback: we bind and the
 * peer connects, or the other way round. */
static bool join(void *ours, struct test_peer *peer, bool we_bind)
{
    if (we_bind) {
        if (zmq_bind(ours, "tcp://127.0.0.1:*") != 0) {
            CU_FAIL("bind failed");
            return false;
        }
        char endpoint[256];
        size_t size = sizeof endpoint;
        zmq_getsockopt(ours, ZMQ_LAST_ENDPOINT, endpoint, &size);
        const char *answer = test_peer_ask(peer, "connect %s", endpoint);
        CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
        return answer != NULL && strcmp(answer, "ok") == 0;
    }
    const char *answer = test_peer_ask(peer, "bind tcp://127.0.0.1:*");
    if (answer == NULL || strncmp(answer, "ok ", 3) != 0) {
        CU_FAIL("peer bind failed");
        return false;
    }
    CU_ASSERT_EQUAL(zmq_connect(ours, answer + 3), 0);
    return true;
}

/* The peer sends parts (NULL-terminated strings). */
static void peer_send(struct test_peer *peer, const char *const *parts)
{
    char command[4096] = "send";
    for (size_t i = 0; parts[i] != NULL; i++) {
        char text[1024];
        test_peer_part(text, parts[i], strlen(parts[i]));
        strcat(command, " ");
        strcat(command, text);
    }
    const char *answer = test_peer_ask(peer, "%s", command);
    CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
}

/* The peer receives one message and it must be exactly parts. */
static void peer_expect(struct test_peer *peer, const char *const *parts)
{
    char expected[4096] = "msg";
    for (size_t i = 0; parts[i] != NULL; i++) {
        char text[1024];
        test_peer_part(text, parts[i], strlen(parts[i]));
        strcat(expected, " ");
        strcat(expected, text);
    }
    const char *answer = test_peer_ask(peer, "recv");
    CU_ASSERT_PTR_NOT_NULL(answer);
    if (answer != NULL && strcmp(answer, expected) != 0) {
        fprintf(stderr, "\n  peer got '%s', expected '%s'\n", answer, expected);
        CU_FAIL("peer received something else");
    }
}

/* We send parts as one message. */
static void our_send(void *s, const char *const *parts)
{
    for (size_t i = 0; parts[i] != NULL; i++) {
        int flags = parts[i + 1] != NULL ? ZMQ_SNDMORE : 0;
        CU_ASSERT_EQUAL(zmq_send(s, parts[i], strlen(parts[i]), flags),
                        (int) strlen(parts[i]));
    }
}

/* We receive one message and it must be exactly parts. */
static void our_expect(void *s, const char *const *parts)
{
    for (size_t i = 0; parts[i] != NULL; i++) {
        CU_ASSERT_TRUE(test_recv_is(s, parts[i], 5000));
        CU_ASSERT_EQUAL(test_get_int(s, ZMQ_RCVMORE), parts[i + 1] != NULL);
    }
}

#define PARTS(...)                                                             \
    (const char *const[])                                                      \
    {                                                                          \
        __VA_ARGS__, NULL                                                      \
    }

static void push_pull(bool we_bind, bool we_push)
{
    void *ours = our_socket(we_push ? ZMQ_PUSH : ZMQ_PULL);
    struct test_peer *peer = peer_with_socket(we_push ? "PULL" : "PUSH");
    if (peer != NULL && join(ours, peer, we_bind)) {
        if (we_push) {
            our_send(ours, PARTS("hello"));
            our_send(ours, PARTS("multi", "", "part"));
            peer_expect(peer, PARTS("hello"));
            peer_expect(peer, PARTS("multi", "", "part"));
        } else {
            peer_send(peer, PARTS("hello"));
            peer_send(peer, PARTS("multi", "", "part"));
            our_expect(ours, PARTS("hello"));
            our_expect(ours, PARTS("multi", "", "part"));
        }
    }
    test_peer_stop(peer);
    zmq_close(ours);
}

static void test_push_to_libzmq_we_bind(void)
{
    push_pull(true, true);
}

static void test_push_to_libzmq_we_connect(void)
{
    push_pull(false, true);
}

static void test_pull_from_libzmq_we_bind(void)
{
    push_pull(true, false);
}

static void test_pull_from_libzmq_we_connect(void)
{
    push_pull(false, false);
}

/* REQ/REP in lock step, whichever side asks. */
static void req_rep(bool we_bind, bool we_ask)
{
    void *ours = our_socket(we_ask ? ZMQ_REQ : ZMQ_REP);
    struct test_peer *peer = peer_with_socket(we_ask ? "REP" : "REQ");
    if (peer != NULL && join(ours, peer, we_bind)) {
        for (int round = 0; round < 3; round++) {
            if (we_ask) {
                our_send(ours, PARTS("question"));
                peer_expect(peer, PARTS("question"));
                peer_send(peer, PARTS("answer"));
                our_expect(ours, PARTS("answer"));
            } else {
                peer_send(peer, PARTS("question"));
                our_expect(ours, PARTS("question"));
                our_send(ours, PARTS("answer"));
                peer_expect(peer, PARTS("answer"));
            }
        }
    }
    test_peer_stop(peer);
    zmq_close(ours);
}

static void test_req_to_libzmq_rep(void)
{
    req_rep(true, true);
    req_rep(false, true);
}

static void test_rep_to_libzmq_req(void)
{
    req_rep(true, false);
    req_rep(false, false);
}

/* A libzmq ROUTER sees our DEALER's routing id and routes back by it. */
static void test_dealer_to_libzmq_router(void)
{
    for (int we_bind = 0; we_bind < 2; we_bind++) {
        void *ours = our_socket(ZMQ_DEALER);
        CU_ASSERT_EQUAL(zmq_setsockopt(ours, ZMQ_ROUTING_ID, "dealer-1", 8), 0);
        struct test_peer *peer = peer_with_socket("ROUTER");
        if (peer != NULL && join(ours, peer, we_bind)) {
            our_send(ours, PARTS("job", "data"));
            peer_expect(peer, PARTS("dealer-1", "job", "data"));
            peer_send(peer, PARTS("dealer-1", "done"));
            our_expect(ours, PARTS("done"));
        }
        test_peer_stop(peer);
        zmq_close(ours);
    }
}

/* Our ROUTER sees a libzmq DEALER's routing id and routes back by it. */
static void test_router_to_libzmq_dealer(void)
{
    for (int we_bind = 0; we_bind < 2; we_bind++) {
        void *ours = our_socket(ZMQ_ROUTER);
        test_set_int(ours, ZMQ_ROUTER_MANDATORY, 1);
        struct test_peer *peer = peer_with_socket("DEALER");
        const char *answer =
            peer ? test_peer_ask(peer, "set ROUTING_ID hex:70656572")
                 : NULL; /* "peer" */
        CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
        if (peer != NULL && join(ours, peer, we_bind)) {
            peer_send(peer, PARTS("hello", "router"));
            our_expect(ours, PARTS("peer", "hello", "router"));
            our_send(ours, PARTS("peer", "reply"));
            peer_expect(peer, PARTS("reply"));
        }
        test_peer_stop(peer);
        zmq_close(ours);
    }
}

/* Where the peer binds for the tests run over both network transports. */
static const char *const peer_binds[] = { "tcp://127.0.0.1:*", "ipc://*" };
enum { PEER_BINDS = 2 };

/* The peer binds at endpoint; the real endpoint into out (size 256). */
static bool peer_bind(struct test_peer *peer, const char *endpoint, char *out)
{
    const char *answer = test_peer_ask(peer, "bind %s", endpoint);
    CU_ASSERT(answer != NULL && strncmp(answer, "ok ", 3) == 0);
    if (answer == NULL || strncmp(answer, "ok ", 3) != 0)
        return false;
    snprintf(out, 256, "%s", answer + 3);
    return true;
}

static void peer_set(struct test_peer *peer, const char *option,
                     const char *value)
{
    const char *answer = test_peer_ask(peer, "set %s %s", option, value);
    CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
}

/* ZMQ_CONNECT_ROUTING_ID names the peer of a tcp or ipc connect: our
 * ROUTER can route to it at once, before the handshake, and the libzmq
 * ROUTER's own routing id is ignored, as libzmq 4.3.4 does. */
static void test_connect_routing_id_to_libzmq_router(void)
{
    for (int t = 0; t < PEER_BINDS; t++) {
        void *ours = our_socket(ZMQ_ROUTER);
        test_set_int(ours, ZMQ_ROUTER_MANDATORY, 1);
        CU_ASSERT_EQUAL(zmq_setsockopt(ours, ZMQ_ROUTING_ID, "me", 2), 0);
        CU_ASSERT_EQUAL(
            zmq_setsockopt(ours, ZMQ_CONNECT_ROUTING_ID, "chosen", 6), 0);
        struct test_peer *peer = peer_with_socket("ROUTER");
        char endpoint[256];
        if (peer != NULL) {
            peer_set(peer, "ROUTING_ID", "str:server");
            if (peer_bind(peer, peer_binds[t], endpoint)) {
                CU_ASSERT_EQUAL(zmq_connect(ours, endpoint), 0);
                our_send(ours, PARTS("chosen", "hello"));
                peer_expect(peer, PARTS("me", "hello"));
                peer_send(peer, PARTS("me", "back"));
                our_expect(ours, PARTS("chosen", "back"));
                errno = 0;
                CU_ASSERT_EQUAL(zmq_send(ours, "server", 6, ZMQ_SNDMORE), -1);
                CU_ASSERT_EQUAL(errno, EHOSTUNREACH);
            }
        }
        test_peer_stop(peer);
        zmq_close(ours);
    }
}

/* The peer receives [id, data] from a STREAM: data must be as given (hex
 * syntax); the id, in hex, into id_hex (size 2 * 255 + 2). */
static bool peer_expect_from(struct test_peer *peer, const char *data_hex,
                             char *id_hex)
{
    const char *answer = test_peer_ask(peer, "recv");
    char id[2 * 255 + 2], data[2 * 255 + 2];
    bool ok = answer != NULL && sscanf(answer, "msg %511s %511s", id, data) == 2 &&
              strcmp(data, data_hex) == 0;
    CU_ASSERT(ok);
    if (!ok)
        fprintf(stderr, "\n  peer got '%s', expected data %s\n",
                answer ? answer : "(nothing)", data_hex);
    else
        strcpy(id_hex, id);
    return ok;
}

/* Our STREAM with ZMQ_CONNECT_ROUTING_ID: the connection is known by the
 * chosen id at once, and the libzmq STREAM peer gets what we queued. */
static void test_stream_connect_routing_id_to_libzmq(void)
{
    void *ours = our_socket(ZMQ_STREAM);
    CU_ASSERT_EQUAL(zmq_setsockopt(ours, ZMQ_CONNECT_ROUTING_ID, "chosen", 6),
                    0);
    struct test_peer *peer = peer_with_socket("STREAM");
    char endpoint[256];
    if (peer != NULL && peer_bind(peer, "tcp://127.0.0.1:*", endpoint)) {
        CU_ASSERT_EQUAL(zmq_connect(ours, endpoint), 0);
        our_send(ours, PARTS("chosen", "early"));
        char id[2 * 255 + 2], again[2 * 255 + 2];
        if (peer_expect_from(peer, "-", id) &&
            peer_expect_from(peer, "6561726c79", again)) { /* "early" */
            CU_ASSERT_STRING_EQUAL(id, again);
            CU_ASSERT_STRING_EQUAL(test_peer_ask(peer, "send %s 6261636b", id),
                                   "ok"); /* "back" */
        }
        our_expect(ours, PARTS("chosen", ""));
        our_expect(ours, PARTS("chosen", "back"));
    }
    test_peer_stop(peer);
    zmq_close(ours);
}

/* Our STREAM's ZMQ_ROUTING_ID. */
static size_t routing_id_of(void *s, unsigned char *id)
{
    size_t size = 255;
    CU_ASSERT_EQUAL(zmq_getsockopt(s, ZMQ_ROUTING_ID, id, &size), 0);
    return size;
}

/* One part received by our socket must be data (size bytes) and carry
 * the connection's Peer-Address and fd (ZMQ_SRCFD), as libzmq's do. */
static void our_expect_raw(void *s, const void *data, size_t size)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    CU_ASSERT_EQUAL(zmq_msg_recv(&msg, s, 0), (int) size);
    CU_ASSERT(zmq_msg_size(&msg) == size &&
              memcmp(zmq_msg_data(&msg), data, size) == 0);
    const char *address = zmq_msg_gets(&msg, "Peer-Address");
    CU_ASSERT(address != NULL && strcmp(address, "127.0.0.1") == 0);
    CU_ASSERT(zmq_msg_get(&msg, ZMQ_SRCFD) >= 0);
    zmq_msg_close(&msg);
}

/* zmq_socket: "To open a connection to a server, use the zmq_connect call,
 * and then fetch the socket routing id using the zmq_getsockopt call with
 * the ZMQ_ROUTING_ID option." libzmq 4.3.4's STREAM does so for every id
 * it makes up, a connection it accepted included; every part it receives
 * carries Peer-Address (and the fd). */
static void test_stream_routing_id_of_connection(void)
{
    void *ours = our_socket(ZMQ_STREAM);
    struct test_peer *peer = peer_with_socket("STREAM");
    char endpoint[256];
    unsigned char none[255], first[255], second[255];
    CU_ASSERT_EQUAL(routing_id_of(ours, none), 0);
    if (peer != NULL && peer_bind(peer, "tcp://127.0.0.1:*", endpoint)) {
        CU_ASSERT_EQUAL(zmq_connect(ours, endpoint), 0);
        size_t size = routing_id_of(ours, first);
        CU_ASSERT(size == 5 && first[0] == 0);
        /* Routable at once, by that id. */
        CU_ASSERT_EQUAL(zmq_send(ours, first, size, ZMQ_SNDMORE), (int) size);
        CU_ASSERT_EQUAL(zmq_send(ours, "early", 5, 0), 5);
        char id[2 * 255 + 2], again[2 * 255 + 2];
        if (peer_expect_from(peer, "-", id) &&
            peer_expect_from(peer, "6561726c79", again)) /* "early" */
            CU_ASSERT_STRING_EQUAL(test_peer_ask(peer, "send %s 6261636b", id),
                                   "ok"); /* "back" */
        our_expect_raw(ours, first, size);
        our_expect_raw(ours, "", 0);
        our_expect_raw(ours, first, size);
        our_expect_raw(ours, "back", 4);

        /* A second connection gets an id of its own. */
        CU_ASSERT_EQUAL(zmq_connect(ours, endpoint), 0);
        CU_ASSERT_EQUAL(routing_id_of(ours, second), 5);
        CU_ASSERT(memcmp(first, second, 5) != 0);
    }
    test_peer_stop(peer);
    zmq_close(ours);

    /* An accepted connection's id too. */
    ours = our_socket(ZMQ_STREAM);
    peer = peer_with_socket("STREAM");
    CU_ASSERT_EQUAL(zmq_bind(ours, "tcp://127.0.0.1:*"), 0);
    size_t size = sizeof endpoint;
    zmq_getsockopt(ours, ZMQ_LAST_ENDPOINT, endpoint, &size);
    if (peer != NULL) {
        CU_ASSERT_STRING_EQUAL(test_peer_ask(peer, "connect %s", endpoint),
                               "ok");
        unsigned char id[255];
        CU_ASSERT_EQUAL(zmq_recv(ours, id, sizeof id, 0), 5);
        CU_ASSERT_TRUE(test_recv_is(ours, "", 5000));
        CU_ASSERT_EQUAL(routing_id_of(ours, first), 5);
        CU_ASSERT(memcmp(first, id, 5) == 0);
    }
    test_peer_stop(peer);
    zmq_close(ours);
}

/* Whether our socket's monitor (reader, a PAIR) reports CONNECTED within
 * ms. */
static bool our_monitor_connects(void *reader, int ms)
{
    test_set_int(reader, ZMQ_RCVTIMEO, ms);
    for (int i = 0; i < 64; i++) {
        uint8_t head[6];
        char endpoint[256];
        if (zmq_recv(reader, head, sizeof head, 0) != 6 ||
            zmq_recv(reader, endpoint, sizeof endpoint, 0) < 0)
            return false;
        uint16_t event;
        memcpy(&event, head, 2);
        if (event == ZMQ_EVENT_CONNECTED)
            return true;
    }
    return false;
}

/* What zmq_connect with one tcp address does, on one side: the call's
 * result ("ok" or "EINVAL") and whether a connection was then made. */
struct connect_outcome {
    bool accepted;
    int error;
    bool connected;
};

static struct connect_outcome our_connect(const char *endpoint, int serial)
{
    struct connect_outcome o = { 0 };
    void *s = our_socket(ZMQ_DEALER);
    test_set_int(s, ZMQ_LINGER, 0);
    test_set_int(s, ZMQ_RECONNECT_IVL, 50);
    char monitor[64];
    snprintf(monitor, sizeof monitor, "inproc://connect-outcome-%d", serial);
    CU_ASSERT_EQUAL(zmq_socket_monitor(s, monitor, ZMQ_EVENT_ALL), 0);
    void *reader = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_EQUAL(zmq_connect(reader, monitor), 0);
    errno = 0;
    o.accepted = zmq_connect(s, endpoint) == 0;
    o.error = o.accepted ? 0 : errno;
    o.connected = o.accepted && our_monitor_connects(reader, 400);
    test_close(s);
    test_close(reader);
    return o;
}

static struct connect_outcome libzmq_connect(const char *endpoint)
{
    struct connect_outcome o = { 0 };
    struct test_peer *peer = peer_with_socket("DEALER");
    if (peer == NULL)
        return o;
    peer_set(peer, "RECONNECT_IVL", "50");
    const char *answer = test_peer_ask(peer, "monitor");
    CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
    answer = test_peer_ask(peer, "connect %s", endpoint);
    CU_ASSERT_PTR_NOT_NULL(answer);
    o.accepted = answer != NULL && strcmp(answer, "ok") == 0;
    o.error = o.accepted ? 0
              : answer != NULL && strstr(answer, "Invalid argument") != NULL
                  ? EINVAL
                  : -1;
    if (o.accepted) {
        /* CONNECTED (1) among the events of the window. */
        answer = test_peer_ask(peer, "drain 400");
        o.connected = answer != NULL && (strstr(answer, " 1:") != NULL);
    }
    test_peer_stop(peer);
    return o;
}

/* zmq_connect over tcp only glances at the address, as libzmq 4.3.4 does:
 * the source and the destination are resolved at each attempt, so a
 * source that is no interface or numeric address (libzmq looks no source
 * up in DNS, localhost included) is accepted and retried, never connected;
 * only a malformed address fails the call (EINVAL). Each address runs on
 * both libraries, against one listener of ours. (No address here needs a
 * DNS server.) */
static void test_tcp_connect_addresses(void)
{
    const char *addresses[] = {
        "127.0.0.1:*;127.0.0.1:PORT", "lo:0;localhost:PORT",
        "127.0.0.1:0;127.0.0.1:PORT", "localhost:5555;localhost:PORT",
        "nosuchif:0;127.0.0.1:PORT",  "127.0.0.1;127.0.0.1:PORT",
        "127.0.0.1",                  "127.0.0.1:abc",
        ";127.0.0.1:PORT",            "*:PORT",
        "127.0.0.1:*",                "a#b:PORT",
        "*:0;127.0.0.1:PORT",
    };
    void *server = our_socket(ZMQ_PULL);
    test_set_int(server, ZMQ_LINGER, 0);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(server, "tcp://127.0.0.1:*"), 0);
    char bound[256];
    size_t size = sizeof bound;
    zmq_getsockopt(server, ZMQ_LAST_ENDPOINT, bound, &size);
    const char *port = strrchr(bound, ':') + 1;
    for (size_t i = 0; i < sizeof addresses / sizeof addresses[0]; i++) {
        char endpoint[256] = "tcp://";
        const char *hole = strstr(addresses[i], "PORT");
        if (hole == NULL)
            strcat(endpoint, addresses[i]);
        else
            snprintf(endpoint + 6, sizeof endpoint - 6, "%.*s%s",
                     (int) (hole - addresses[i]), addresses[i], port);
        struct connect_outcome theirs = libzmq_connect(endpoint);
        struct connect_outcome ours = our_connect(endpoint, (int) i);
        bool same = ours.accepted == theirs.accepted &&
                    ours.error == theirs.error &&
                    ours.connected == theirs.connected;
        CU_ASSERT(same);
        if (!same)
            fprintf(stderr,
                    "\n  %s: ours %s (%d) %s, libzmq's %s (%d) %s", endpoint,
                    ours.accepted ? "accepted" : "refused", ours.error,
                    ours.connected ? "connected" : "not connected",
                    theirs.accepted ? "accepted" : "refused", theirs.error,
                    theirs.connected ? "connected" : "not connected");
    }
    test_close(server);
}

/* REQ and REP against ROUTER and DEALER: the empty delimiter frame is on
 * the wire exactly where libzmq puts it. */
static void test_req_to_libzmq_router(void)
{
    for (int we_bind = 0; we_bind < 2; we_bind++) {
        void *ours = our_socket(ZMQ_REQ);
        CU_ASSERT_EQUAL(zmq_setsockopt(ours, ZMQ_ROUTING_ID, "req1", 4), 0);
        struct test_peer *peer = peer_with_socket("ROUTER");
        if (peer != NULL && join(ours, peer, we_bind)) {
            our_send(ours, PARTS("question"));
            peer_expect(peer, PARTS("req1", "", "question"));
            peer_send(peer, PARTS("req1", "", "answer"));
            our_expect(ours, PARTS("answer"));
        }
        test_peer_stop(peer);
        zmq_close(ours);
    }
}

static void test_router_to_libzmq_req(void)
{
    for (int we_bind = 0; we_bind < 2; we_bind++) {
        void *ours = our_socket(ZMQ_ROUTER);
        struct test_peer *peer = peer_with_socket("REQ");
        const char *answer =
            peer ? test_peer_ask(peer, "set ROUTING_ID hex:7271") : NULL;
        CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0); /* "rq" */
        if (peer != NULL && join(ours, peer, we_bind)) {
            peer_send(peer, PARTS("question"));
            our_expect(ours, PARTS("rq", "", "question"));
            our_send(ours, PARTS("rq", "", "answer"));
            peer_expect(peer, PARTS("answer"));
        }
        test_peer_stop(peer);
        zmq_close(ours);
    }
}

static void test_dealer_to_libzmq_rep(void)
{
    for (int we_bind = 0; we_bind < 2; we_bind++) {
        void *ours = our_socket(ZMQ_DEALER);
        struct test_peer *peer = peer_with_socket("REP");
        if (peer != NULL && join(ours, peer, we_bind)) {
            our_send(ours, PARTS("", "question"));
            peer_expect(peer, PARTS("question"));
            peer_send(peer, PARTS("answer"));
            our_expect(ours, PARTS("", "answer"));
        }
        test_peer_stop(peer);
        zmq_close(ours);
    }
}

static void test_dealer_with_libzmq_dealer(void)
{
    for (int we_bind = 0; we_bind < 2; we_bind++) {
        void *ours = our_socket(ZMQ_DEALER);
        struct test_peer *peer = peer_with_socket("DEALER");
        if (peer != NULL && join(ours, peer, we_bind)) {
            our_send(ours, PARTS("one", "two"));
            peer_expect(peer, PARTS("one", "two"));
            peer_send(peer, PARTS("three"));
            our_expect(ours, PARTS("three"));
        }
        test_peer_stop(peer);
        zmq_close(ours);
    }
}

/* Our XSUB's subscription message reaches a libzmq XPUB, and what that
 * XPUB then publishes reaches us. */
static void test_xsub_to_libzmq_xpub(void)
{
    for (int we_bind = 0; we_bind < 2; we_bind++) {
        void *ours = our_socket(ZMQ_XSUB);
        struct test_peer *peer = peer_with_socket("XPUB");
        if (peer != NULL && join(ours, peer, we_bind)) {
            CU_ASSERT_EQUAL(zmq_send(ours, "\001A", 2, 0), 2);
            /* Our socket hands the subscription to a new connection when
             * it next runs its commands (as libzmq's does): keep it busy
             * while the peer waits, 50 times 100 ms at most. */
            const char *answer = test_peer_ask(peer, "set RCVTIMEO 100");
            bool seen = false;
            for (int i = 0; i < 50 && !seen; i++) {
                test_get_int(ours, ZMQ_EVENTS);
                answer = test_peer_ask(peer, "recv");
                seen = answer != NULL && strcmp(answer, "timeout") != 0;
            }
            CU_ASSERT(answer != NULL && strcmp(answer, "msg 0141") == 0);
            peer_send(peer, PARTS("B-skip"));
            peer_send(peer, PARTS("A-news"));
            our_expect(ours, PARTS("A-news"));
        }
        test_peer_stop(peer);
        zmq_close(ours);
    }
}

/* Publishes until the subscriber sees the first message (subscriptions
 * travel after the handshake), at most 50 tries. */
static void test_pub_to_libzmq_sub(void)
{
    for (int we_bind = 0; we_bind < 2; we_bind++) {
        void *ours = our_socket(ZMQ_PUB);
        struct test_peer *peer = peer_with_socket("SUB");
        const char *answer =
            peer ? test_peer_ask(peer, "set SUBSCRIBE hex:41") : NULL; /* A */
        CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
        answer = peer ? test_peer_ask(peer, "set RCVTIMEO 100") : NULL;
        if (peer != NULL && join(ours, peer, we_bind)) {
            bool seen = false;
            for (int i = 0; i < 50 && !seen; i++) {
                our_send(ours, PARTS("B-not-for-you"));
                our_send(ours, PARTS("A-news", "more"));
                answer = test_peer_ask(peer, "recv");
                seen = answer != NULL && strncmp(answer, "msg ", 4) == 0;
                if (seen)
                    CU_ASSERT_STRING_EQUAL(answer, "msg 412d6e657773 6d6f7265");
            }
            CU_ASSERT_TRUE(seen);
        }
        test_peer_stop(peer);
        zmq_close(ours);
    }
}

static void test_sub_to_libzmq_pub(void)
{
    for (int we_bind = 0; we_bind < 2; we_bind++) {
        void *ours = our_socket(ZMQ_SUB);
        CU_ASSERT_EQUAL(zmq_setsockopt(ours, ZMQ_SUBSCRIBE, "A", 1), 0);
        test_set_int(ours, ZMQ_RCVTIMEO, 100);
        struct test_peer *peer = peer_with_socket("PUB");
        if (peer != NULL && join(ours, peer, we_bind)) {
            bool seen = false;
            for (int i = 0; i < 50 && !seen; i++) {
                peer_send(peer, PARTS("B-not-for-you"));
                peer_send(peer, PARTS("A-news"));
                char buffer[64];
                int size = zmq_recv(ours, buffer, sizeof buffer, 0);
                if (size >= 0) {
                    seen = true;
                    CU_ASSERT_EQUAL(size, 6);
                    CU_ASSERT_EQUAL(memcmp(buffer, "A-news", 6), 0);
                }
            }
            CU_ASSERT_TRUE(seen);
        }
        test_peer_stop(peer);
        zmq_close(ours);
    }
}

/* XPUB sees libzmq's subscription arrive as a message. */
static void test_xpub_sees_libzmq_subscription(void)
{
    void *ours = our_socket(ZMQ_XPUB);
    struct test_peer *peer = peer_with_socket("SUB");
    if (peer != NULL && join(ours, peer, true)) {
        const char *answer =
            test_peer_ask(peer, "set SUBSCRIBE hex:746f706963");
        CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
        CU_ASSERT_TRUE(test_recv_is(ours, "\001topic", 5000));
    }
    test_peer_stop(peer);
    zmq_close(ours);
}

static void test_pair_with_libzmq(void)
{
    for (int we_bind = 0; we_bind < 2; we_bind++) {
        void *ours = our_socket(ZMQ_PAIR);
        struct test_peer *peer = peer_with_socket("PAIR");
        if (peer != NULL && join(ours, peer, we_bind)) {
            our_send(ours, PARTS("ping"));
            peer_expect(peer, PARTS("ping"));
            peer_send(peer, PARTS("pong", ""));
            our_expect(ours, PARTS("pong", ""));
        }
        test_peer_stop(peer);
        zmq_close(ours);
    }
}

static unsigned long byte_sum(const unsigned char *data, size_t size)
{
    unsigned long sum = 0;
    for (size_t i = 0; i < size; i++)
        sum += data[i];
    return sum & 0xFFFFFFFFul;
}

/* Empty and 10 MB parts both ways. */
static void test_large_and_empty_messages(void)
{
    const size_t large = 10 * 1000 * 1000;
    void *ours = our_socket(ZMQ_PAIR);
    struct test_peer *peer = peer_with_socket("PAIR");
    unsigned char *body = malloc(large);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    for (size_t i = 0; i < large; i++)
        body[i] = (unsigned char) (i * 7);
    test_set_int(ours, ZMQ_RCVTIMEO, 20000);
    if (peer != NULL && join(ours, peer, false)) {
        CU_ASSERT_EQUAL(zmq_send(ours, "", 0, ZMQ_SNDMORE), 0);
        CU_ASSERT_EQUAL(zmq_send(ours, body, large, 0), (int) large);
        char expected[128];
        snprintf(expected, sizeof expected, "sums 0:0 %zu:%lu", large,
                 byte_sum(body, large));
        const char *answer = test_peer_ask(peer, "recvsums");
        CU_ASSERT(answer != NULL && strcmp(answer, expected) == 0);

        answer = test_peer_ask(peer, "sendpattern %zu 0", large);
        CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
        memset(body, 0, large);
        CU_ASSERT_EQUAL(zmq_recv(ours, body, large, 0), (int) large);
        CU_ASSERT_EQUAL(test_get_int(ours, ZMQ_RCVMORE), 1);
        bool same = true;
        for (size_t i = 0; i < large && same; i++)
            same = body[i] == (unsigned char) (i * 7);
        CU_ASSERT_TRUE(same);
        CU_ASSERT_EQUAL(zmq_recv(ours, body, large, 0), 0);
    }
    free(body);
    test_peer_stop(peer);
    zmq_close(ours);
}

/* The handshake's metadata: the peer's Socket-Type and address reach our
 * messages, and ours reach the peer. */
static void test_metadata(void)
{
    void *ours = our_socket(ZMQ_DEALER);
    struct test_peer *peer = peer_with_socket("ROUTER");
    if (peer != NULL && join(ours, peer, true)) {
        our_send(ours, PARTS("hi"));
        const char *answer = test_peer_ask(peer, "recv");
        CU_ASSERT(answer != NULL && strncmp(answer, "msg ", 4) == 0);
        answer = test_peer_ask(peer, "meta Socket-Type");
        CU_ASSERT(answer != NULL && strcmp(answer, "meta DEALER") == 0);
    }
    test_peer_stop(peer);
    zmq_close(ours);

    ours = our_socket(ZMQ_PULL);
    peer = peer_with_socket("PUSH");
    if (peer != NULL && join(ours, peer, false)) {
        peer_send(peer, PARTS("with metadata"));
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        CU_ASSERT_EQUAL(zmq_msg_recv(&msg, ours, 0), 13);
        const char *type = zmq_msg_gets(&msg, "Socket-Type");
        CU_ASSERT(type != NULL && strcmp(type, "PUSH") == 0);
        const char *address = zmq_msg_gets(&msg, "Peer-Address");
        CU_ASSERT(address != NULL && strcmp(address, "127.0.0.1") == 0);
        zmq_msg_close(&msg);
    }
    test_peer_stop(peer);
    zmq_close(ours);
}

/* Heartbeats both ways: each side PINGs every 50 ms and drops a peer
 * silent for 200 ms. After a second of that, the libzmq DEALER's messages
 * still carry the routing id our ROUTER made up for the first connection:
 * had either side dropped it, the reconnection would have a new one. */
static void test_heartbeats_keep_connection(void)
{
    void *ours = our_socket(ZMQ_ROUTER);
    test_set_int(ours, ZMQ_HEARTBEAT_IVL, 50);
    test_set_int(ours, ZMQ_HEARTBEAT_TIMEOUT, 200);
    struct test_peer *peer = peer_with_socket("DEALER");
    const char *answer =
        peer ? test_peer_ask(peer, "set HEARTBEAT_IVL 50") : NULL;
    CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
    answer = peer ? test_peer_ask(peer, "set HEARTBEAT_TIMEOUT 200") : NULL;
    CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
    if (peer != NULL && join(ours, peer, true)) {
        unsigned char first_id[256], second_id[256];
        peer_send(peer, PARTS("one"));
        int first_size = zmq_recv(ours, first_id, sizeof first_id, 0);
        CU_ASSERT(first_size > 0);
        CU_ASSERT_TRUE(test_recv_is(ours, "one", 5000));
        zmq_sleep(1);
        peer_send(peer, PARTS("two"));
        int second_size = zmq_recv(ours, second_id, sizeof second_id, 0);
        CU_ASSERT_EQUAL(second_size, first_size);
        CU_ASSERT(first_size > 0 &&
                  memcmp(first_id, second_id, (size_t) first_size) == 0);
        CU_ASSERT_TRUE(test_recv_is(ours, "two", 5000));
    }
    test_peer_stop(peer);
    zmq_close(ours);
}

int main(void)
{
    const struct test_case cases[] = {
        { "PUSH to libzmq PULL, we bind", test_push_to_libzmq_we_bind },
        { "PUSH to libzmq PULL, we connect", test_push_to_libzmq_we_connect },
        { "PULL from libzmq PUSH, we bind", test_pull_from_libzmq_we_bind },
        { "PULL from libzmq PUSH, we connect",
          test_pull_from_libzmq_we_connect },
        { "REQ to libzmq REP", test_req_to_libzmq_rep },
        { "REP to libzmq REQ", test_rep_to_libzmq_req },
        { "DEALER to libzmq ROUTER", test_dealer_to_libzmq_router },
        { "ROUTER to libzmq DEALER", test_router_to_libzmq_dealer },
        { "REQ to libzmq ROUTER", test_req_to_libzmq_router },
        { "ROUTER to libzmq REQ", test_router_to_libzmq_req },
        { "DEALER to libzmq REP", test_dealer_to_libzmq_rep },
        { "DEALER with libzmq DEALER", test_dealer_with_libzmq_dealer },
        { "XSUB to libzmq XPUB", test_xsub_to_libzmq_xpub },
        { "PUB to libzmq SUB", test_pub_to_libzmq_sub },
        { "SUB to libzmq PUB", test_sub_to_libzmq_pub },
        { "XPUB sees libzmq subscriptions",
          test_xpub_sees_libzmq_subscription },
        { "PAIR with libzmq", test_pair_with_libzmq },
        { "empty and 10 MB messages", test_large_and_empty_messages },
        { "handshake metadata", test_metadata },
        { "CONNECT_ROUTING_ID to libzmq ROUTER over tcp and ipc",
          test_connect_routing_id_to_libzmq_router },
        { "STREAM CONNECT_ROUTING_ID to libzmq STREAM",
          test_stream_connect_routing_id_to_libzmq },
        { "STREAM: ROUTING_ID of a new connection, Peer-Address",
          test_stream_routing_id_of_connection },
        { "tcp connect addresses, resolved at each attempt",
          test_tcp_connect_addresses },
        { "heartbeats", test_heartbeats_keep_connection },
    };
    /* A peer that dies must fail a test, not kill this process. */
    signal(SIGPIPE, SIG_IGN);
    ctx = zmq_ctx_new();
    int status =
        test_run_suite("interop", cases, sizeof cases / sizeof cases[0]);
    zmq_ctx_term(ctx);
    return status;
}
