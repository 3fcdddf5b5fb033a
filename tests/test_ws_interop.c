/*
 * The ws transport against real libzmq 4.3.4 (pyzmq in another process,
 * peer.h): every classic socket pair, and mixes such as DEALER-REP and
 * REQ-ROUTER, with modzmq binding and with libzmq binding, messages each
 * way the pattern allows (multipart, empty and 1 MB parts); PLAIN and
 * CURVE over ws, with either side as the server.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CUnit/CUnit.h>

#include "peer.h"
#include "testutil.h"
#include "zap_handler.h"
#include "zmq.h"

static void *ctx;

static void *our_socket(int type)
{
    void *s = zmq_socket(ctx, type);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    test_set_int(s, ZMQ_RCVTIMEO, 5000);
    test_set_int(s, ZMQ_SNDTIMEO, 5000);
    test_set_int(s, ZMQ_LINGER, 1000);
    return s;
}

static bool asked_ok(struct test_peer *peer, const char *command)
{
    const char *answer = test_peer_ask(peer, "%s", command);
    if (answer == NULL || strcmp(answer, "ok") != 0) {
        fprintf(stderr, "\n  peer: '%s' -> '%s'\n", command,
                answer ? answer : "(nothing)");
        return false;
    }
    return true;
}

static struct test_peer *peer_with_socket(const char *type_name)
{
    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL(peer);
    if (peer == NULL)
        return NULL;
    char command[64];
    snprintf(command, sizeof command, "socket %s", type_name);
    CU_ASSERT_TRUE(asked_ok(peer, command));
    return peer;
}

/* ours and the peer's socket over ws on loopback, either side binding. */
static bool join(void *ours, struct test_peer *peer, bool we_bind)
{
    if (we_bind) {
        char endpoint[256];
        if (!test_bind_endpoint(ours, "ws://127.0.0.1:*/interop", endpoint,
                                sizeof endpoint)) {
            CU_FAIL("bind failed");
            return false;
        }
        char command[300];
        snprintf(command, sizeof command, "connect %s", endpoint);
        bool ok = asked_ok(peer, command);
        CU_ASSERT_TRUE(ok);
        return ok;
    }
    const char *answer = test_peer_ask(peer, "bind ws://127.0.0.1:0/interop");
    if (answer == NULL || strncmp(answer, "ok ws://127.0.0.1:", 18) != 0) {
        CU_FAIL("peer bind failed");
        return false;
    }
    CU_ASSERT_EQUAL(zmq_connect(ours, answer + 3), 0);
    return true;
}

/* Parts as peer syntax after prefix ("send", "msg"). */
static char *peer_line(const char *prefix, const char *const *parts)
{
    size_t size = strlen(prefix) + 1;
    for (size_t i = 0; parts[i] != NULL; i++)
        size += 2 * strlen(parts[i]) + 3;
    char *line = malloc(size);
    CU_ASSERT_PTR_NOT_NULL_FATAL(line);
    strcpy(line, prefix);
    for (size_t i = 0; parts[i] != NULL; i++) {
        strcat(line, " ");
        test_peer_part(line + strlen(line), parts[i], strlen(parts[i]));
    }
    return line;
}

static void peer_send(struct test_peer *peer, const char *const *parts)
{
    char *line = peer_line("send", parts);
    CU_ASSERT_TRUE(asked_ok(peer, line));
    free(line);
}

static bool peer_expect(struct test_peer *peer, const char *const *parts)
{
    char *expected = peer_line("msg", parts);
    const char *answer = test_peer_ask(peer, "recv");
    bool same = answer != NULL && strcmp(answer, expected) == 0;
    free(expected);
    return same;
}

static void our_send(void *s, const char *const *parts)
{
    for (size_t i = 0; parts[i] != NULL; i++) {
        int flags = parts[i + 1] != NULL ? ZMQ_SNDMORE : 0;
        CU_ASSERT_EQUAL(zmq_send(s, parts[i], strlen(parts[i]), flags),
                        (int) strlen(parts[i]));
    }
}

static bool our_expect(void *s, const char *const *parts, int timeout_ms)
{
    bool same = true;
    for (size_t i = 0; parts[i] != NULL; i++) {
        same = test_recv_is(s, parts[i], timeout_ms) && same;
        same = test_get_int(s, ZMQ_RCVMORE) == (parts[i + 1] != NULL) && same;
        if (!same)
            break;
    }
    return same;
}

static const char *const hello[] = { "hello", NULL };
static const char *const multi[] = { "multi", "", "part", NULL };
static const char *const reply[] = { "reply", NULL };

/* One message each way, for the symmetric pairs. */
static void both_ways(void *ours, struct test_peer *peer)
{
    our_send(ours, multi);
    CU_ASSERT_TRUE(peer_expect(peer, multi));
    peer_send(peer, multi);
    CU_ASSERT_TRUE(our_expect(ours, multi, 5000));
}

/* 1 MB and empty parts cross both ways, summed by the peer. */
static void large_both_ways(void *ours, struct test_peer *peer)
{
    enum { SIZE = 1024 * 1024 };
    uint8_t *data = malloc(SIZE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    uint32_t sum = 0;
    for (size_t i = 0; i < SIZE; i++) {
        data[i] = (uint8_t) ((i * 7) & 0xFF);
        sum += data[i];
    }
    CU_ASSERT_EQUAL(zmq_send(ours, data, SIZE, ZMQ_SNDMORE), SIZE);
    CU_ASSERT_EQUAL(zmq_send(ours, "", 0, 0), 0);
    char expected[64];
    snprintf(expected, sizeof expected, "sums %d:%u 0:0", SIZE, sum);
    const char *answer = test_peer_ask(peer, "recvsums");
    CU_ASSERT(answer != NULL && strcmp(answer, expected) == 0);
    snprintf(expected, sizeof expected, "sendpattern %d 0", SIZE);
    CU_ASSERT_TRUE(asked_ok(peer, expected));
    uint8_t *got = malloc(SIZE + 1);
    CU_ASSERT_EQUAL(zmq_recv(ours, got, SIZE + 1, 0), SIZE);
    CU_ASSERT_EQUAL(memcmp(got, data, SIZE), 0);
    CU_ASSERT_EQUAL(zmq_recv(ours, got, 1, 0), 0);
    free(got);
    free(data);
}

enum pattern {
    SYMMETRIC,   /* PAIR-PAIR, DEALER-DEALER */
    OURS_PUSHES, /* PUSH-PULL */
    PEER_PUSHES,
    WE_ASK,       /* ours REQ, peer REP */
    PEER_ASKS,    /* ours REP, peer REQ */
    WE_DEAL_REP,  /* ours DEALER, peer REP */
    PEER_DEALS,   /* ours ROUTER, peer DEALER */
    WE_DEAL_ROUTER,
    WE_ASK_ROUTER, /* ours REQ, peer ROUTER */
    WE_PUBLISH,    /* ours PUB or XPUB, peer SUB */
    PEER_PUBLISHES,
    WE_XSUB, /* ours XSUB, peer XPUB */
    PEER_XSUB
};

struct pair {
    const char *name;
    int ours;
    const char *peer;
    enum pattern pattern;
};

static const struct pair pairs[] = {
    { "PAIR-PAIR", ZMQ_PAIR, "PAIR", SYMMETRIC },
    { "DEALER-DEALER", ZMQ_DEALER, "DEALER", SYMMETRIC },
    { "PUSH-PULL", ZMQ_PUSH, "PULL", OURS_PUSHES },
    { "PULL-PUSH", ZMQ_PULL, "PUSH", PEER_PUSHES },
    { "REQ-REP", ZMQ_REQ, "REP", WE_ASK },
    { "REP-REQ", ZMQ_REP, "REQ", PEER_ASKS },
    { "DEALER-REP", ZMQ_DEALER, "REP", WE_DEAL_REP },
    { "ROUTER-DEALER", ZMQ_ROUTER, "DEALER", PEER_DEALS },
    { "DEALER-ROUTER", ZMQ_DEALER, "ROUTER", WE_DEAL_ROUTER },
    { "REQ-ROUTER", ZMQ_REQ, "ROUTER", WE_ASK_ROUTER },
    { "PUB-SUB", ZMQ_PUB, "SUB", WE_PUBLISH },
    { "SUB-PUB", ZMQ_SUB, "PUB", PEER_PUBLISHES },
    { "XPUB-XSUB", ZMQ_XPUB, "XSUB", PEER_XSUB },
    { "XSUB-XPUB", ZMQ_XSUB, "XPUB", WE_XSUB },
};

/* Publishes until the subscriber, which joined late, has one (bounded:
 * 50 rounds of 100 ms). */
static bool publish_until_heard(void *ours, struct test_peer *peer,
                                bool we_publish)
{
    static const char *const news[] = { "news", "today", NULL };
    static const char *const other[] = { "sports", NULL };
    for (int round = 0; round < 50; round++) {
        if (we_publish) {
            our_send(ours, other);
            our_send(ours, news);
            const char *answer = test_peer_ask(peer, "recv");
            char *expected = peer_line("msg", news);
            bool heard = answer != NULL && strcmp(answer, expected) == 0;
            free(expected);
            if (heard)
                return true;
        } else {
            peer_send(peer, other);
            peer_send(peer, news);
            if (our_expect(ours, news, 100))
                return true;
        }
    }
    return false;
}

/* An XSUB sends its subscription until the XPUB (verbose, so that each
 * copy is passed on) has one: a subscription sent before the connection
 * is up may wait in libzmq 4.3.4 for the XSUB's next message (bounded:
 * 50 rounds of 100 ms). */
static bool subscribe_until_heard(void *ours, struct test_peer *peer,
                                  bool we_subscribe)
{
    static const char *const subscription[] = { "\1news", NULL };
    if (we_subscribe)
        CU_ASSERT_TRUE(asked_ok(peer, "set RCVTIMEO 100"));
    bool heard = false;
    for (int round = 0; round < 50 && !heard; round++) {
        if (we_subscribe) {
            our_send(ours, subscription);
            heard = peer_expect(peer, subscription);
        } else {
            peer_send(peer, subscription);
            heard = our_expect(ours, subscription, 100);
        }
    }
    if (we_subscribe)
        CU_ASSERT_TRUE(asked_ok(peer, "set RCVTIMEO 5000"));
    return heard;
}

static void exchange(const struct pair *p, void *ours, struct test_peer *peer)
{
    char id[256];
    int id_size;
    switch (p->pattern) {
    case SYMMETRIC:
        both_ways(ours, peer);
        large_both_ways(ours, peer);
        break;
    case OURS_PUSHES:
        our_send(ours, hello);
        our_send(ours, multi);
        CU_ASSERT_TRUE(peer_expect(peer, hello));
        CU_ASSERT_TRUE(peer_expect(peer, multi));
        break;
    case PEER_PUSHES:
        peer_send(peer, hello);
        peer_send(peer, multi);
        CU_ASSERT_TRUE(our_expect(ours, hello, 5000));
        CU_ASSERT_TRUE(our_expect(ours, multi, 5000));
        break;
    case WE_ASK:
        for (int round = 0; round < 3; round++) {
            our_send(ours, multi);
            CU_ASSERT_TRUE(peer_expect(peer, multi));
            peer_send(peer, reply);
            CU_ASSERT_TRUE(our_expect(ours, reply, 5000));
        }
        break;
    case PEER_ASKS:
        for (int round = 0; round < 3; round++) {
            peer_send(peer, hello);
            CU_ASSERT_TRUE(our_expect(ours, hello, 5000));
            our_send(ours, multi);
            CU_ASSERT_TRUE(peer_expect(peer, multi));
        }
        break;
    case WE_DEAL_REP:
        our_send(ours, (const char *const[]){ "", "hello", NULL });
        CU_ASSERT_TRUE(peer_expect(peer, hello));
        peer_send(peer, reply);
        CU_ASSERT_TRUE(our_expect(ours, (const char *const[]){ "", "reply",
                                                               NULL },
                                  5000));
        break;
    case PEER_DEALS:
        peer_send(peer, multi);
        id_size = zmq_recv(ours, id, sizeof id, 0);
        CU_ASSERT(id_size > 0);
        CU_ASSERT_TRUE(our_expect(ours, multi, 5000));
        if (id_size > 0) {
            CU_ASSERT_EQUAL(zmq_send(ours, id, (size_t) id_size, ZMQ_SNDMORE),
                            id_size);
            our_send(ours, reply);
            CU_ASSERT_TRUE(peer_expect(peer, reply));
        }
        break;
    case WE_DEAL_ROUTER:
        test_set_int(ours, ZMQ_RCVTIMEO, 5000);
        our_send(ours, multi);
        /* The peer's ROUTER sees our routing id first; it was set. */
        CU_ASSERT_TRUE(peer_expect(
            peer, (const char *const[]){ "ws-dealer", "multi", "", "part",
                                         NULL }));
        peer_send(peer, (const char *const[]){ "ws-dealer", "reply", NULL });
        CU_ASSERT_TRUE(our_expect(ours, reply, 5000));
        break;
    case WE_ASK_ROUTER:
        our_send(ours, hello);
        CU_ASSERT_TRUE(peer_expect(
            peer, (const char *const[]){ "ws-dealer", "", "hello", NULL }));
        peer_send(peer,
                  (const char *const[]){ "ws-dealer", "", "reply", NULL });
        CU_ASSERT_TRUE(our_expect(ours, reply, 5000));
        break;
    case WE_PUBLISH:
        CU_ASSERT_TRUE(asked_ok(peer, "set RCVTIMEO 100"));
        CU_ASSERT_TRUE(asked_ok(peer, "set SUBSCRIBE str:news"));
        CU_ASSERT_TRUE(publish_until_heard(ours, peer, true));
        break;
    case PEER_PUBLISHES:
        CU_ASSERT_EQUAL(zmq_setsockopt(ours, ZMQ_SUBSCRIBE, "news", 4), 0);
        CU_ASSERT_TRUE(publish_until_heard(ours, peer, false));
        break;
    case PEER_XSUB:
        /* Its subscription reaches our XPUB as a 0x01-prefixed message. */
        CU_ASSERT_TRUE(subscribe_until_heard(ours, peer, false));
        our_send(ours, (const char *const[]){ "news", "today", NULL });
        CU_ASSERT_TRUE(peer_expect(
            peer, (const char *const[]){ "news", "today", NULL }));
        break;
    case WE_XSUB:
        CU_ASSERT_TRUE(asked_ok(peer, "set XPUB_VERBOSE 1"));
        CU_ASSERT_TRUE(subscribe_until_heard(ours, peer, true));
        peer_send(peer, (const char *const[]){ "news", "today", NULL });
        CU_ASSERT_TRUE(our_expect(
            ours, (const char *const[]){ "news", "today", NULL }, 5000));
        break;
    }
}

static void run_pair(const struct pair *p, bool we_bind)
{
    void *ours = our_socket(p->ours);
    if (p->ours == ZMQ_XPUB)
        test_set_int(ours, ZMQ_XPUB_VERBOSE, 1);
    if (p->ours == ZMQ_DEALER || p->ours == ZMQ_REQ)
        CU_ASSERT_EQUAL(zmq_setsockopt(ours, ZMQ_ROUTING_ID, "ws-dealer", 9),
                        0);
    struct test_peer *peer = peer_with_socket(p->peer);
    if (peer != NULL && join(ours, peer, we_bind)) {
        int failures = (int) CU_get_number_of_failures();
        exchange(p, ours, peer);
        if ((int) CU_get_number_of_failures() != failures)
            fprintf(stderr, "\n  in %s, %s binding\n", p->name,
                    we_bind ? "modzmq" : "libzmq");
    }
    test_peer_stop(peer);
    zmq_close(ours);
}

static void test_pairs_we_bind(void)
{
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        run_pair(&pairs[i], true);
}

static void test_pairs_libzmq_binds(void)
{
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++)
        run_pair(&pairs[i], false);
}

/* PLAIN over ws: ours the server (our ZAP handler checks the password)
 * with libzmq the client, then libzmq the server (pyzmq's authenticator)
 * with ours the client. */
static void test_plain(void)
{
    struct zap_handler zap = { .username = "admin", .password = "secret" };
    CU_ASSERT_TRUE_FATAL(zap_handler_start(&zap, ctx, ZAP_CHECK_PASSWORD));
    void *server = our_socket(ZMQ_REP);
    test_set_int(server, ZMQ_PLAIN_SERVER, 1);
    struct test_peer *peer = peer_with_socket("REQ");
    if (peer != NULL) {
        CU_ASSERT_TRUE(asked_ok(peer, "set PLAIN_USERNAME str:admin"));
        CU_ASSERT_TRUE(asked_ok(peer, "set PLAIN_PASSWORD str:secret"));
        if (join(server, peer, true)) {
            peer_send(peer, hello);
            CU_ASSERT_TRUE(our_expect(server, hello, 5000));
            our_send(server, reply);
            CU_ASSERT_TRUE(peer_expect(peer, reply));
            CU_ASSERT_STRING_EQUAL(zap.username_seen, "admin");
        }
    }
    test_peer_stop(peer);
    zmq_close(server);
    zap_handler_stop(&zap);

    void *client = our_socket(ZMQ_REQ);
    CU_ASSERT_EQUAL(zmq_setsockopt(client, ZMQ_PLAIN_USERNAME, "admin", 5), 0);
    CU_ASSERT_EQUAL(zmq_setsockopt(client, ZMQ_PLAIN_PASSWORD, "secret", 6),
                    0);
    peer = peer_with_socket("REP");
    if (peer != NULL) {
        CU_ASSERT_TRUE(asked_ok(peer, "auth plain admin secret"));
        CU_ASSERT_TRUE(asked_ok(peer, "set PLAIN_SERVER 1"));
        if (join(client, peer, false)) {
            our_send(client, hello);
            CU_ASSERT_TRUE(peer_expect(peer, hello));
            peer_send(peer, reply);
            CU_ASSERT_TRUE(our_expect(client, reply, 5000));
        }
    }
    test_peer_stop(peer);
    zmq_close(client);
}

/* CURVE over ws (libzmq 4.3.4 offers ZWS2.0/CURVE): ours the server. */
static void test_curve(void)
{
    char server_public[41], server_secret[41];
    if (zmq_curve_keypair(server_public, server_secret) != 0) {
        CU_FAIL("no CURVE here");
        return;
    }
    void *server = our_socket(ZMQ_REP);
    test_set_int(server, ZMQ_CURVE_SERVER, 1);
    CU_ASSERT_EQUAL(zmq_setsockopt(server, ZMQ_CURVE_SECRETKEY, server_secret,
                                   40),
                    0);
    struct test_peer *peer = peer_with_socket("REQ");
    if (peer != NULL) {
        const char *keys = test_peer_ask(peer, "keypair");
        char public[41] = "", secret[41] = "";
        CU_ASSERT(keys != NULL &&
                  sscanf(keys, "keys %40s %40s", public, secret) == 2);
        char command[128];
        snprintf(command, sizeof command, "set CURVE_SERVERKEY str:%s",
                 server_public);
        CU_ASSERT_TRUE(asked_ok(peer, command));
        snprintf(command, sizeof command, "set CURVE_PUBLICKEY str:%s", public);
        CU_ASSERT_TRUE(asked_ok(peer, command));
        snprintf(command, sizeof command, "set CURVE_SECRETKEY str:%s", secret);
        CU_ASSERT_TRUE(asked_ok(peer, command));
        if (join(server, peer, true)) {
            peer_send(peer, hello);
            CU_ASSERT_TRUE(our_expect(server, hello, 5000));
            our_send(server, reply);
            CU_ASSERT_TRUE(peer_expect(peer, reply));
        }
    }
    test_peer_stop(peer);
    zmq_close(server);
}

/* Heartbeats over ws, ours on either side and libzmq's: libzmq sends and
 * answers WebSocket pings (not ZMTP PINGs) there, and our stream turns
 * the engine's PING into one. After 1.5 s idle with a 300 ms timeout on
 * both sides, the first connection still carries messages: the peer saw
 * no disconnection. */
static void heartbeats(bool we_bind)
{
    void *ours = our_socket(ZMQ_PAIR);
    test_set_int(ours, ZMQ_HEARTBEAT_IVL, 100);
    test_set_int(ours, ZMQ_HEARTBEAT_TIMEOUT, 300);
    struct test_peer *peer = peer_with_socket("PAIR");
    if (peer != NULL) {
        CU_ASSERT_TRUE(asked_ok(peer, "set HEARTBEAT_IVL 100"));
        CU_ASSERT_TRUE(asked_ok(peer, "set HEARTBEAT_TIMEOUT 300"));
        CU_ASSERT_TRUE(asked_ok(peer, "monitor"));
        if (join(ours, peer, we_bind)) {
            both_ways(ours, peer);
            struct timespec idle = { 1, 500 * 1000 * 1000 };
            nanosleep(&idle, NULL);
            both_ways(ours, peer);
            const char *events = test_peer_ask(peer, "drain 200");
            CU_ASSERT_PTR_NOT_NULL(events);
            if (events != NULL) {
                char disconnected[16];
                snprintf(disconnected, sizeof disconnected, " %d:",
                         ZMQ_EVENT_DISCONNECTED);
                CU_ASSERT_PTR_NULL(strstr(events, disconnected));
                CU_ASSERT_PTR_NOT_NULL(strstr(events, "4096:"));
            }
        }
    }
    test_peer_stop(peer);
    zmq_close(ours);
}

static void test_heartbeats(void)
{
    heartbeats(true);
    heartbeats(false);
}

int main(void)
{
    ctx = zmq_ctx_new();
    const struct test_case tests[] = {
        { "every classic pair, modzmq binding", test_pairs_we_bind },
        { "every classic pair, libzmq binding", test_pairs_libzmq_binds },
        { "PLAIN both ways", test_plain },
        { "CURVE", test_curve },
        { "heartbeats", test_heartbeats },
    };
    int rc = test_run_suite("ws against libzmq", tests,
                            sizeof tests / sizeof tests[0]);
    zmq_ctx_term(ctx);
    return rc;
}
