/*
 * What a socket hears of its peers coming and going: ZMQ_ROUTER_NOTIFY's
 * empty messages, and the draft peer messages ZMQ_HELLO_MSG (sent to each
 * new peer), ZMQ_DISCONNECT_MSG (received when an accepted peer leaves)
 * and ZMQ_HICCUP_MSG (received when a connection is interrupted), over
 * tcp, ipc and inproc, between our sockets and with libzmq 4.3.4 peers in
 * another process. The expectations are zmq_setsockopt(3)'s, checked
 * against libzmq 4.3.5 built with the draft API (4.3.4, the system's,
 * refuses these options, so it can only play the far end).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "peer.h"
#include "testutil.h"
#include "zmq.h"

enum { WAIT_MS = 3000, QUIET_MS = 200 };

static void *ctx;

/* A socket of ours whose waits are bounded. */
static void *our_socket(int type)
{
    void *s = zmq_socket(ctx, type);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    test_set_int(s, ZMQ_RCVTIMEO, WAIT_MS);
    test_set_int(s, ZMQ_SNDTIMEO, WAIT_MS);
    test_set_int(s, ZMQ_LINGER, 0);
    test_set_int(s, ZMQ_RECONNECT_IVL, 50);
    return s;
}

static void set_bytes(void *s, int option, const char *text)
{
    CU_ASSERT_EQUAL(zmq_setsockopt(s, option, text, strlen(text)), 0);
}

/* Receives one message within WAIT_MS as its parts joined by '|' (an
 * empty part is ""); false on a timeout. */
static bool recv_joined(void *s, char *text, size_t capacity)
{
    size_t used = 0;
    text[0] = '\0';
    int more = 1;
    for (int part = 0; more && part < 16; part++) {
        char buffer[256];
        int size = zmq_recv(s, buffer, sizeof buffer - 1, 0);
        if (size < 0)
            return false;
        if (size > (int) sizeof buffer - 1)
            size = (int) sizeof buffer - 1;
        buffer[size] = '\0';
        used += (size_t) snprintf(text + used, capacity - used, "%s%s",
                                  part > 0 ? "|" : "", buffer);
        if (used >= capacity)
            return false;
        size_t more_size = sizeof more;
        zmq_getsockopt(s, ZMQ_RCVMORE, &more, &more_size);
    }
    return true;
}

/* The next message must be expected (parts joined by '|'). */
static void expect(void *s, const char *expected)
{
    char got[1024];
    if (!recv_joined(s, got, sizeof got)) {
        fprintf(stderr, "\n  nothing received, expected '%s'\n", expected);
        CU_FAIL("message missing");
        return;
    }
    if (strcmp(got, expected) != 0) {
        fprintf(stderr, "\n  got '%s', expected '%s'\n", got, expected);
        CU_FAIL("other message");
    }
}

static void expect_nothing(void *s)
{
    CU_ASSERT_TRUE(test_recv_nothing(s, QUIET_MS));
}

/* Binds s to a wildcard endpoint of transport and writes the real one. */
static void bind_any(void *s, const char *transport, char *endpoint,
                     size_t capacity)
{
    static int ipc_count;
    char wanted[128];
    if (strcmp(transport, "ipc") == 0)
        snprintf(wanted, sizeof wanted, "ipc:///tmp/modzmq-peer-msg-%d-%d",
                 (int) getpid(), ipc_count++);
    else
        snprintf(wanted, sizeof wanted, "tcp://127.0.0.1:*");
    CU_ASSERT_EQUAL_FATAL(zmq_bind(s, wanted), 0);
    size_t size = capacity;
    CU_ASSERT_EQUAL(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, endpoint, &size), 0);
}

/* ---- ZMQ_ROUTER_NOTIFY ---------------------------------------------- */

/* A bound ROUTER hears [id, ""] when a peer arrives and when it leaves,
 * around its traffic. */
static void check_notify_bound(const char *transport)
{
    void *router = our_socket(ZMQ_ROUTER);
    CU_ASSERT_TRUE(test_set_int(router, ZMQ_ROUTER_NOTIFY,
                                ZMQ_NOTIFY_CONNECT | ZMQ_NOTIFY_DISCONNECT));
    char endpoint[256];
    bind_any(router, transport, endpoint, sizeof endpoint);
    void *dealer = our_socket(ZMQ_DEALER);
    set_bytes(dealer, ZMQ_ROUTING_ID, "D1");
    CU_ASSERT_EQUAL(zmq_connect(dealer, endpoint), 0);
    expect(router, "D1|");
    CU_ASSERT_TRUE(test_send(dealer, "x", 0));
    expect(router, "D1|x");
    test_close(dealer);
    expect(router, "D1|");
    expect_nothing(router);
    test_close(router);
}

static void test_notify_tcp(void)
{
    check_notify_bound("tcp");
}

static void test_notify_ipc(void)
{
    check_notify_bound("ipc");
}

/* A connecting ROUTER hears its peer come, go, and come back after the
 * reconnect, once each. */
static void test_notify_connecting(void)
{
    void *far = our_socket(ZMQ_ROUTER);
    set_bytes(far, ZMQ_ROUTING_ID, "RB");
    char endpoint[256];
    bind_any(far, "tcp", endpoint, sizeof endpoint);
    void *router = our_socket(ZMQ_ROUTER);
    CU_ASSERT_TRUE(test_set_int(router, ZMQ_ROUTER_NOTIFY,
                                ZMQ_NOTIFY_CONNECT | ZMQ_NOTIFY_DISCONNECT));
    CU_ASSERT_EQUAL(zmq_connect(router, endpoint), 0);
    expect(router, "RB|");
    test_close(far);
    expect(router, "RB|");
    far = our_socket(ZMQ_ROUTER);
    set_bytes(far, ZMQ_ROUTING_ID, "RB");
    CU_ASSERT_EQUAL_FATAL(zmq_bind(far, endpoint), 0);
    expect(router, "RB|");
    expect_nothing(router);
    test_close(far);
    test_close(router);
}

/* Each flag alone: only disconnections, then only connections. */
static void test_notify_flags(void)
{
    void *router = our_socket(ZMQ_ROUTER);
    CU_ASSERT_TRUE(
        test_set_int(router, ZMQ_ROUTER_NOTIFY, ZMQ_NOTIFY_DISCONNECT));
    char endpoint[256];
    bind_any(router, "tcp", endpoint, sizeof endpoint);
    void *dealer = our_socket(ZMQ_DEALER);
    set_bytes(dealer, ZMQ_ROUTING_ID, "DN");
    CU_ASSERT_EQUAL(zmq_connect(dealer, endpoint), 0);
    CU_ASSERT_TRUE(test_send(dealer, "part1", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(dealer, "part2", 0));
    expect(router, "DN|part1|part2");
    test_close(dealer);
    expect(router, "DN|");
    expect_nothing(router);
    test_close(router);

    router = our_socket(ZMQ_ROUTER);
    CU_ASSERT_TRUE(test_set_int(router, ZMQ_ROUTER_NOTIFY, ZMQ_NOTIFY_CONNECT));
    bind_any(router, "tcp", endpoint, sizeof endpoint);
    dealer = our_socket(ZMQ_DEALER);
    set_bytes(dealer, ZMQ_ROUTING_ID, "DC");
    CU_ASSERT_EQUAL(zmq_connect(dealer, endpoint), 0);
    expect(router, "DC|");
    test_close(dealer);
    expect_nothing(router);
    test_close(router);
}

/* A libzmq DEALER arrives and leaves (its process ends). */
static void test_notify_libzmq_peer(void)
{
    void *router = our_socket(ZMQ_ROUTER);
    CU_ASSERT_TRUE(test_set_int(router, ZMQ_ROUTER_NOTIFY,
                                ZMQ_NOTIFY_CONNECT | ZMQ_NOTIFY_DISCONNECT));
    char endpoint[256];
    bind_any(router, "tcp", endpoint, sizeof endpoint);
    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    const char *answer = test_peer_ask(peer, "socket DEALER");
    CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
    answer = test_peer_ask(peer, "set ROUTING_ID str:LZ");
    CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
    answer = test_peer_ask(peer, "connect %s", endpoint);
    CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
    expect(router, "LZ|");
    answer = test_peer_ask(peer, "send 6869");
    expect(router, "LZ|hi");
    test_peer_stop(peer);
    expect(router, "LZ|");
    test_close(router);
}

/* ---- ZMQ_HELLO_MSG -------------------------------------------------- */

/* A ROUTER greets each libzmq DEALER that connects, and each of ours. */
static void test_hello_from_router(void)
{
    void *router = our_socket(ZMQ_ROUTER);
    set_bytes(router, ZMQ_HELLO_MSG, "HELLO");
    char endpoint[256];
    bind_any(router, "tcp", endpoint, sizeof endpoint);

    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    const char *answer = test_peer_ask(peer, "socket DEALER");
    CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
    answer = test_peer_ask(peer, "connect %s", endpoint);
    CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
    answer = test_peer_ask(peer, "recv");
    CU_ASSERT(answer != NULL && strcmp(answer, "msg 48454c4c4f") == 0);
    test_peer_stop(peer);

    void *dealer = our_socket(ZMQ_DEALER);
    CU_ASSERT_EQUAL(zmq_connect(dealer, endpoint), 0);
    expect(dealer, "HELLO");
    expect_nothing(dealer);
    test_close(dealer);
    test_close(router);
}

/* A connecting DEALER's hello goes ahead of what it queued before the
 * connection, and again on each new connection. */
static void test_hello_from_dealer(void)
{
    void *probe = our_socket(ZMQ_ROUTER);
    char endpoint[256];
    bind_any(probe, "tcp", endpoint, sizeof endpoint);
    test_close(probe); /* a free port, nobody there yet */

    void *dealer = our_socket(ZMQ_DEALER);
    set_bytes(dealer, ZMQ_ROUTING_ID, "D4");
    set_bytes(dealer, ZMQ_HELLO_MSG, "HELLO");
    CU_ASSERT_EQUAL(zmq_connect(dealer, endpoint), 0);
    CU_ASSERT_TRUE(test_send(dealer, "queued", 0));
    void *router = our_socket(ZMQ_ROUTER);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(router, endpoint), 0);
    expect(router, "D4|HELLO");
    expect(router, "D4|queued");
    test_close(router);

    /* A libzmq ROUTER in its place: greeted as well. */
    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    const char *answer = test_peer_ask(peer, "socket ROUTER");
    CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
    answer = test_peer_ask(peer, "bind %s", endpoint);
    CU_ASSERT(answer != NULL && strncmp(answer, "ok", 2) == 0);
    answer = test_peer_ask(peer, "recv");
    CU_ASSERT(answer != NULL && strcmp(answer, "msg 4434 48454c4c4f") == 0);
    test_peer_stop(peer);
    test_close(dealer);
}

/* Over inproc, each side's hello reaches the other, also when the
 * connect comes before the bind. */
static void test_hello_inproc(void)
{
    void *router = our_socket(ZMQ_ROUTER);
    set_bytes(router, ZMQ_HELLO_MSG, "RHELLO");
    CU_ASSERT_EQUAL(zmq_bind(router, "inproc://hello-1"), 0);
    void *dealer = our_socket(ZMQ_DEALER);
    set_bytes(dealer, ZMQ_ROUTING_ID, "DD");
    set_bytes(dealer, ZMQ_HELLO_MSG, "DHELLO");
    CU_ASSERT_EQUAL(zmq_connect(dealer, "inproc://hello-1"), 0);
    /* The bound socket writes its hello when it takes the pipe, the next
     * time it runs its commands (libzmq's connecting socket writes it in
     * the bound one's name). */
    test_get_int(router, ZMQ_EVENTS);
    expect(dealer, "RHELLO");
    expect(router, "DD|DHELLO");
    test_close(dealer);
    test_close(router);

    dealer = our_socket(ZMQ_DEALER);
    set_bytes(dealer, ZMQ_ROUTING_ID, "DE");
    set_bytes(dealer, ZMQ_HELLO_MSG, "DHELLO");
    CU_ASSERT_EQUAL(zmq_connect(dealer, "inproc://hello-2"), 0);
    CU_ASSERT_TRUE(test_send(dealer, "q", 0));
    router = our_socket(ZMQ_ROUTER);
    set_bytes(router, ZMQ_HELLO_MSG, "RHELLO");
    CU_ASSERT_EQUAL(zmq_bind(router, "inproc://hello-2"), 0);
    expect(router, "DE|DHELLO");
    expect(router, "DE|q");
    expect(dealer, "RHELLO");
    expect_nothing(dealer);
    test_close(dealer);
    test_close(router);
}

/* ---- ZMQ_DISCONNECT_MSG --------------------------------------------- */

/* A bound ROUTER hears [id, message] after the last of a leaving peer's
 * traffic; a libzmq DEALER whose process ends counts. */
static void test_disconnect_msg(void)
{
    void *router = our_socket(ZMQ_ROUTER);
    set_bytes(router, ZMQ_DISCONNECT_MSG, "BYE");
    char endpoint[256];
    bind_any(router, "tcp", endpoint, sizeof endpoint);
    void *dealer = our_socket(ZMQ_DEALER);
    set_bytes(dealer, ZMQ_ROUTING_ID, "D6");
    CU_ASSERT_EQUAL(zmq_connect(dealer, endpoint), 0);
    CU_ASSERT_TRUE(test_send(dealer, "m", 0));
    expect(router, "D6|m");
    test_close(dealer);
    expect(router, "D6|BYE");
    expect_nothing(router);

    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    const char *answer = test_peer_ask(peer, "socket DEALER");
    CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
    answer = test_peer_ask(peer, "set ROUTING_ID str:LZ");
    answer = test_peer_ask(peer, "connect %s", endpoint);
    CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
    answer = test_peer_ask(peer, "send 6d");
    expect(router, "LZ|m");
    test_peer_stop(peer);
    expect(router, "LZ|BYE");
    test_close(router);
}

/* Only accepted peers: a ROUTER that connected hears nothing when its
 * peer goes away. */
static void test_disconnect_msg_not_connecting(void)
{
    void *far = our_socket(ZMQ_ROUTER);
    set_bytes(far, ZMQ_ROUTING_ID, "RB");
    char endpoint[256];
    bind_any(far, "tcp", endpoint, sizeof endpoint);
    void *router = our_socket(ZMQ_ROUTER);
    set_bytes(router, ZMQ_DISCONNECT_MSG, "BYE");
    set_bytes(router, ZMQ_ROUTING_ID, "RC");
    CU_ASSERT_EQUAL(zmq_connect(router, endpoint), 0);
    /* Proof of the connection: the far end can route to us. */
    test_set_int(far, ZMQ_ROUTER_MANDATORY, 1);
    for (int i = 0; i < 150; i++) {
        if (test_send(far, "RC", ZMQ_SNDMORE | ZMQ_DONTWAIT) &&
            test_send(far, "ping", 0))
            break;
        usleep(20000);
    }
    expect(router, "RB|ping");
    test_close(far);
    expect_nothing(router);
    test_close(router);
}

/* Over inproc the bound ROUTER hears it when a connected DEALER closes. */
static void test_disconnect_msg_inproc(void)
{
    void *router = our_socket(ZMQ_ROUTER);
    set_bytes(router, ZMQ_DISCONNECT_MSG, "BYE");
    CU_ASSERT_EQUAL(zmq_bind(router, "inproc://bye-1"), 0);
    void *dealer = our_socket(ZMQ_DEALER);
    set_bytes(dealer, ZMQ_ROUTING_ID, "D10");
    CU_ASSERT_EQUAL(zmq_connect(dealer, "inproc://bye-1"), 0);
    CU_ASSERT_TRUE(test_send(dealer, "last", 0));
    test_close(dealer);
    expect(router, "D10|last");
    expect(router, "D10|BYE");
    expect_nothing(router);

    /* connected before the bind */
    void *early = our_socket(ZMQ_DEALER);
    set_bytes(early, ZMQ_ROUTING_ID, "D11");
    CU_ASSERT_EQUAL(zmq_connect(early, "inproc://bye-2"), 0);
    CU_ASSERT_EQUAL(zmq_bind(router, "inproc://bye-2"), 0);
    CU_ASSERT_TRUE(test_send(early, "x", 0));
    expect(router, "D11|x");
    test_close(early);
    expect(router, "D11|BYE");
    test_close(router);
}

/* ---- ZMQ_HICCUP_MSG ------------------------------------------------- */

/* A connecting DEALER hears it once when its connection drops, not when
 * it comes back; a libzmq ROUTER that goes away counts. */
static void test_hiccup_msg(void)
{
    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    const char *answer = test_peer_ask(peer, "socket ROUTER");
    CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
    answer = test_peer_ask(peer, "bind tcp://127.0.0.1:*");
    CU_ASSERT_FATAL(answer != NULL && strncmp(answer, "ok ", 3) == 0);
    char endpoint[256];
    snprintf(endpoint, sizeof endpoint, "%s", answer + 3);

    void *dealer = our_socket(ZMQ_DEALER);
    set_bytes(dealer, ZMQ_ROUTING_ID, "D5");
    set_bytes(dealer, ZMQ_HICCUP_MSG, "HICCUP");
    CU_ASSERT_EQUAL(zmq_connect(dealer, endpoint), 0);
    CU_ASSERT_TRUE(test_send(dealer, "up", 0));
    answer = test_peer_ask(peer, "recv");
    CU_ASSERT(answer != NULL && strcmp(answer, "msg 4435 7570") == 0);
    test_peer_stop(peer);
    expect(dealer, "HICCUP");
    expect_nothing(dealer);

    void *router = our_socket(ZMQ_ROUTER);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(router, endpoint), 0);
    CU_ASSERT_TRUE(test_send(dealer, "again", 0));
    expect(router, "D5|again");
    expect_nothing(dealer);
    test_close(router);
    expect(dealer, "HICCUP");
    test_close(dealer);
}

/* Not for a DEALER that bound, nor over inproc (no reconnection). */
static void test_hiccup_msg_not_bound(void)
{
    void *bound = our_socket(ZMQ_DEALER);
    set_bytes(bound, ZMQ_HICCUP_MSG, "HICCUP");
    char endpoint[256];
    bind_any(bound, "tcp", endpoint, sizeof endpoint);
    void *dealer = our_socket(ZMQ_DEALER);
    CU_ASSERT_EQUAL(zmq_connect(dealer, endpoint), 0);
    CU_ASSERT_TRUE(test_send(dealer, "x", 0));
    expect(bound, "x");
    test_close(dealer);
    expect_nothing(bound);
    test_close(bound);

    void *router = our_socket(ZMQ_ROUTER);
    CU_ASSERT_EQUAL(zmq_bind(router, "inproc://hiccup"), 0);
    dealer = our_socket(ZMQ_DEALER);
    set_bytes(dealer, ZMQ_HICCUP_MSG, "HICCUP");
    CU_ASSERT_EQUAL(zmq_connect(dealer, "inproc://hiccup"), 0);
    CU_ASSERT_TRUE(test_send(dealer, "x", 0));
    char got[1024];
    CU_ASSERT_TRUE(recv_joined(router, got, sizeof got));
    test_close(router);
    expect_nothing(dealer);
    test_close(dealer);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "ROUTER_NOTIFY, bound, tcp", test_notify_tcp },
        { "ROUTER_NOTIFY, bound, ipc", test_notify_ipc },
        { "ROUTER_NOTIFY, connecting, reconnect", test_notify_connecting },
        { "ROUTER_NOTIFY, each flag alone", test_notify_flags },
        { "ROUTER_NOTIFY with a libzmq peer", test_notify_libzmq_peer },
        { "HELLO_MSG from a ROUTER", test_hello_from_router },
        { "HELLO_MSG from a connecting DEALER", test_hello_from_dealer },
        { "HELLO_MSG over inproc", test_hello_inproc },
        { "DISCONNECT_MSG of accepted peers", test_disconnect_msg },
        { "DISCONNECT_MSG not for connections made",
          test_disconnect_msg_not_connecting },
        { "DISCONNECT_MSG over inproc", test_disconnect_msg_inproc },
        { "HICCUP_MSG of a connecting DEALER", test_hiccup_msg },
        { "HICCUP_MSG not when bound or inproc", test_hiccup_msg_not_bound },
    };
    ctx = zmq_ctx_new();
    int status =
        test_run_suite("peer messages", tests, sizeof tests / sizeof tests[0]);
    zmq_ctx_term(ctx);
    return status;
}
