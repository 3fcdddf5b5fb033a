/*
 * REQ and REP sockets over inproc: strict alternation (EFSM), the
 * delimiter REQ adds and the envelope REP hands back, round-robin and
 * fair queueing, REQ-ROUTER-DEALER-REP chains, replies from the wrong peer
 * or in the wrong shape, and the REQ_CORRELATE and REQ_RELAXED options.
 * Expected behaviour is libzmq 4.3's, checked against it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"
#include "zmq.h"

enum { TIMEOUT_MS = 2000, QUIET_MS = 20 };

/* Receives a whole message within TIMEOUT_MS and compares its parts with
 * the count strings in parts. */
static bool recv_message_is(void *socket, const char *const *parts, int count)
{
    for (int i = 0; i < count; i++) {
        if (!test_recv_is(socket, parts[i], TIMEOUT_MS))
            return false;
        if (test_get_int(socket, ZMQ_RCVMORE) != (i + 1 < count))
            return false;
    }
    return true;
}

/* Sends the count strings in parts as one message. */
static bool send_message(void *socket, const char *const *parts, int count)
{
    for (int i = 0; i < count; i++)
        if (!test_send(socket, parts[i], i + 1 < count ? ZMQ_SNDMORE : 0))
            return false;
    return true;
}

/* Receives one part of any content into a message the caller closes. */
static int recv_msg(void *socket, zmq_msg_t *m)
{
    int saved = test_get_int(socket, ZMQ_RCVTIMEO);
    test_set_int(socket, ZMQ_RCVTIMEO, TIMEOUT_MS);
    zmq_msg_init(m);
    int rc = zmq_msg_recv(m, socket, 0);
    test_set_int(socket, ZMQ_RCVTIMEO, saved);
    return rc;
}

/* Forwards one whole message from one socket to another (a broker's
 * work); the number of parts, or -1. */
static int forward(void *from, void *to)
{
    int parts = 0;
    for (bool more = true; more; parts++) {
        zmq_msg_t m;
        if (recv_msg(from, &m) < 0) {
            zmq_msg_close(&m);
            return -1;
        }
        more = zmq_msg_more(&m);
        if (zmq_msg_send(&m, to, more ? ZMQ_SNDMORE : 0) < 0) {
            zmq_msg_close(&m);
            return -1;
        }
    }
    return parts;
}

/* Runs a socket's pending commands. */
static void settle(void *s)
{
    test_get_int(s, ZMQ_EVENTS);
}

static void test_round_trips(void)
{
    void *ctx = zmq_ctx_new();
    void *rep = zmq_socket(ctx, ZMQ_REP);
    void *req = zmq_socket(ctx, ZMQ_REQ);
    CU_ASSERT_EQUAL(zmq_bind(rep, "inproc://round-trip"), 0);
    CU_ASSERT_EQUAL(zmq_connect(req, "inproc://round-trip"), 0);
    for (int i = 0; i < 5; i++) {
        static const char *const request[] = { "how", "are", "you" };
        static const char *const reply[] = { "fine", "", "thanks" };
        CU_ASSERT_TRUE(send_message(req, request, 3));
        CU_ASSERT_TRUE(recv_message_is(rep, request, 3));
        CU_ASSERT_TRUE(send_message(rep, reply, 3));
        CU_ASSERT_TRUE(recv_message_is(req, reply, 3));
    }
    /* Empty bodies are fine. */
    CU_ASSERT_TRUE(test_send(req, "", 0));
    CU_ASSERT_TRUE(test_recv_is(rep, "", TIMEOUT_MS));
    CU_ASSERT_TRUE(test_send(rep, "", 0));
    CU_ASSERT_TRUE(test_recv_is(req, "", TIMEOUT_MS));
    test_close(req);
    test_close(rep);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void expect_efsm_send(void *socket)
{
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(socket, "x", 1, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EFSM);
}

static void expect_efsm_recv(void *socket)
{
    char buf[8];
    errno = 0;
    CU_ASSERT_EQUAL(zmq_recv(socket, buf, sizeof buf, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EFSM);
}

/* Each side must alternate; ZMQ_EVENTS follows the state machine. */
static void test_efsm(void)
{
    void *ctx = zmq_ctx_new();
    void *rep = zmq_socket(ctx, ZMQ_REP);
    void *req = zmq_socket(ctx, ZMQ_REQ);
    zmq_bind(rep, "inproc://efsm");
    zmq_connect(req, "inproc://efsm");

    expect_efsm_recv(req);
    expect_efsm_send(rep);
    CU_ASSERT_EQUAL(test_get_int(req, ZMQ_EVENTS), ZMQ_POLLOUT);
    CU_ASSERT_EQUAL(test_get_int(rep, ZMQ_EVENTS), 0);

    CU_ASSERT_TRUE(test_send(req, "request", ZMQ_SNDMORE));
    /* Half a request: still sending. */
    expect_efsm_recv(req);
    CU_ASSERT_TRUE(test_send(req, "end", 0));
    expect_efsm_send(req);
    CU_ASSERT_EQUAL(test_get_int(req, ZMQ_EVENTS), 0);
    CU_ASSERT_EQUAL(test_get_int(rep, ZMQ_EVENTS), ZMQ_POLLIN);

    CU_ASSERT_TRUE(test_recv_is(rep, "request", TIMEOUT_MS));
    expect_efsm_send(rep);
    CU_ASSERT_TRUE(test_recv_is(rep, "end", TIMEOUT_MS));
    expect_efsm_recv(rep);
    CU_ASSERT_EQUAL(test_get_int(rep, ZMQ_EVENTS), ZMQ_POLLOUT);

    CU_ASSERT_TRUE(test_send(rep, "reply", ZMQ_SNDMORE));
    expect_efsm_recv(rep);
    CU_ASSERT_EQUAL(test_get_int(rep, ZMQ_EVENTS), ZMQ_POLLOUT);
    CU_ASSERT_TRUE(test_send(rep, "done", 0));
    expect_efsm_send(rep);
    CU_ASSERT_EQUAL(test_get_int(rep, ZMQ_EVENTS), 0);

    CU_ASSERT_EQUAL(test_get_int(req, ZMQ_EVENTS), ZMQ_POLLIN);
    CU_ASSERT_TRUE(test_recv_is(req, "reply", TIMEOUT_MS));
    expect_efsm_send(req);
    CU_ASSERT_TRUE(test_recv_is(req, "done", TIMEOUT_MS));
    CU_ASSERT_EQUAL(test_get_int(req, ZMQ_EVENTS), ZMQ_POLLOUT);
    expect_efsm_recv(req);

    test_close(req);
    test_close(rep);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Without a peer a REQ cannot send: EAGAIN, and no state change. */
static void test_req_without_peer(void)
{
    void *ctx = zmq_ctx_new();
    void *req = zmq_socket(ctx, ZMQ_REQ);
    CU_ASSERT_EQUAL(test_get_int(req, ZMQ_EVENTS), 0);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(req, "x", 1, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    test_set_int(req, ZMQ_SNDTIMEO, QUIET_MS);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(req, "x", 1, 0), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    expect_efsm_recv(req);

    /* A connect before the bind is a peer already. */
    void *rep = zmq_socket(ctx, ZMQ_REP);
    CU_ASSERT_EQUAL(zmq_connect(req, "inproc://late-rep"), 0);
    CU_ASSERT_TRUE(test_send(req, "early", 0));
    CU_ASSERT_EQUAL(zmq_bind(rep, "inproc://late-rep"), 0);
    CU_ASSERT_TRUE(test_recv_is(rep, "early", TIMEOUT_MS));
    CU_ASSERT_TRUE(test_send(rep, "late", 0));
    CU_ASSERT_TRUE(test_recv_is(req, "late", TIMEOUT_MS));

    test_close(req);
    test_close(rep);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Requests go round the REPs in turn. */
static void test_req_round_robin(void)
{
    enum { SERVICES = 3 };
    void *ctx = zmq_ctx_new();
    void *req = zmq_socket(ctx, ZMQ_REQ);
    void *reps[SERVICES];
    for (int i = 0; i < SERVICES; i++) {
        char endpoint[32];
        snprintf(endpoint, sizeof endpoint, "inproc://service-%d", i);
        reps[i] = zmq_socket(ctx, ZMQ_REP);
        zmq_bind(reps[i], endpoint);
        zmq_connect(req, endpoint);
    }
    for (int n = 0; n < 2 * SERVICES; n++) {
        char request[16], reply[16];
        snprintf(request, sizeof request, "request %d", n);
        snprintf(reply, sizeof reply, "from %d", n % SERVICES);
        CU_ASSERT_TRUE(test_send(req, request, 0));
        void *rep = reps[n % SERVICES];
        CU_ASSERT_TRUE(test_recv_is(rep, request, TIMEOUT_MS));
        CU_ASSERT_TRUE(test_send(rep, reply, 0));
        CU_ASSERT_TRUE(test_recv_is(req, reply, TIMEOUT_MS));
    }
    for (int i = 0; i < SERVICES; i++)
        test_close(reps[i]);
    test_close(req);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A REP serves several REQs in turn, each reply going to its requester. */
static void test_rep_fair_queue(void)
{
    enum { CLIENTS = 3 };
    void *ctx = zmq_ctx_new();
    void *rep = zmq_socket(ctx, ZMQ_REP);
    zmq_bind(rep, "inproc://fair-rep");
    void *reqs[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        char name[16];
        snprintf(name, sizeof name, "client %d", i);
        reqs[i] = zmq_socket(ctx, ZMQ_REQ);
        zmq_connect(reqs[i], "inproc://fair-rep");
        CU_ASSERT_TRUE(test_send(reqs[i], name, 0));
    }
    int served[CLIENTS] = { 0 };
    for (int n = 0; n < CLIENTS; n++) {
        char name[16];
        CU_ASSERT_EQUAL_FATAL(test_recv(rep, name, sizeof name, TIMEOUT_MS), 8);
        int who = name[7] - '0';
        CU_ASSERT_FATAL(who >= 0 && who < CLIENTS);
        served[who]++;
        CU_ASSERT_TRUE(test_send(rep, name, 0));
    }
    for (int i = 0; i < CLIENTS; i++) {
        char name[16];
        snprintf(name, sizeof name, "client %d", i);
        CU_ASSERT_EQUAL(served[i], 1);
        CU_ASSERT_TRUE(test_recv_is(reqs[i], name, TIMEOUT_MS));
        test_close(reqs[i]);
    }
    test_close(rep);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* REQ - ROUTER | DEALER - REP: the envelope grows on the way in and the
 * REPs hand it back untouched. */
static void test_broker_chain(void)
{
    enum { CLIENTS = 3, WORKERS = 2 };
    void *ctx = zmq_ctx_new();
    void *frontend = zmq_socket(ctx, ZMQ_ROUTER);
    void *backend = zmq_socket(ctx, ZMQ_DEALER);
    zmq_bind(frontend, "inproc://frontend");
    zmq_bind(backend, "inproc://backend");
    void *workers[WORKERS], *clients[CLIENTS];
    for (int i = 0; i < WORKERS; i++) {
        workers[i] = zmq_socket(ctx, ZMQ_REP);
        zmq_connect(workers[i], "inproc://backend");
    }
    for (int i = 0; i < CLIENTS; i++) {
        char name[8];
        snprintf(name, sizeof name, "c%d", i);
        clients[i] = zmq_socket(ctx, ZMQ_REQ);
        zmq_setsockopt(clients[i], ZMQ_ROUTING_ID, name, 2);
        zmq_connect(clients[i], "inproc://frontend");
        CU_ASSERT_TRUE(test_send(clients[i], name, 0));
    }
    /* What the broker sees: [client id, delimiter, body]. */
    for (int i = 0; i < CLIENTS; i++) {
        char id[8];
        CU_ASSERT_EQUAL(test_recv(frontend, id, sizeof id, TIMEOUT_MS), 2);
        CU_ASSERT_TRUE(test_recv_is(frontend, "", TIMEOUT_MS));
        CU_ASSERT_TRUE(test_recv_is(frontend, id, TIMEOUT_MS));
        CU_ASSERT_EQUAL(test_get_int(frontend, ZMQ_RCVMORE), 0);
        static const char *const empty = "";
        const char *const request[] = { id, empty, id };
        CU_ASSERT_TRUE(send_message(backend, request, 3));
    }
    /* The workers see only the body; they answer in turn. */
    int answered = 0;
    for (int round = 0; round < CLIENTS && answered < CLIENTS; round++) {
        for (int w = 0; w < WORKERS && answered < CLIENTS; w++) {
            char body[8], reply[16];
            if (test_recv(workers[w], body, sizeof body, QUIET_MS) < 0)
                continue;
            CU_ASSERT_EQUAL(test_get_int(workers[w], ZMQ_RCVMORE), 0);
            snprintf(reply, sizeof reply, "%s by %d", body, w);
            CU_ASSERT_TRUE(test_send(workers[w], reply, ZMQ_SNDMORE));
            CU_ASSERT_TRUE(test_send(workers[w], "end", 0));
            answered++;
        }
    }
    CU_ASSERT_EQUAL(answered, CLIENTS);
    for (int i = 0; i < CLIENTS; i++)
        CU_ASSERT_EQUAL(forward(backend, frontend), 4);
    for (int i = 0; i < CLIENTS; i++) {
        char reply[16];
        CU_ASSERT_TRUE(test_recv(clients[i], reply, sizeof reply, TIMEOUT_MS) >
                       0);
        CU_ASSERT_EQUAL(reply[1], '0' + i);
        CU_ASSERT_TRUE(test_recv_is(clients[i], "end", TIMEOUT_MS));
    }
    for (int i = 0; i < CLIENTS; i++)
        test_close(clients[i]);
    for (int i = 0; i < WORKERS; i++)
        test_close(workers[i]);
    test_close(frontend);
    test_close(backend);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A REP drops requests without a delimiter, and sends multi-frame
 * envelopes back whole. */
static void test_rep_envelopes(void)
{
    void *ctx = zmq_ctx_new();
    void *rep = zmq_socket(ctx, ZMQ_REP);
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    zmq_bind(rep, "inproc://envelopes");
    zmq_connect(dealer, "inproc://envelopes");

    static const char *const no_delimiter[] = { "lost" };
    static const char *const labels_only[] = { "label", "lost too" };
    static const char *const lone_delimiter[] = { "" };
    static const char *const routed[] = { "hop1", "hop2", "", "body", "more" };
    CU_ASSERT_TRUE(send_message(dealer, no_delimiter, 1));
    CU_ASSERT_TRUE(send_message(dealer, labels_only, 2));
    CU_ASSERT_TRUE(send_message(dealer, lone_delimiter, 1));
    CU_ASSERT_TRUE(send_message(dealer, routed, 5));
    CU_ASSERT_TRUE(recv_message_is(rep, routed + 3, 2));
    CU_ASSERT_TRUE(test_send(rep, "answer", 0));
    static const char *const answered[] = { "hop1", "hop2", "", "answer" };
    CU_ASSERT_TRUE(recv_message_is(dealer, answered, 4));

    /* A delimiter and an empty body. */
    static const char *const empty_body[] = { "", "" };
    CU_ASSERT_TRUE(send_message(dealer, empty_body, 2));
    CU_ASSERT_TRUE(test_recv_is(rep, "", TIMEOUT_MS));
    CU_ASSERT_EQUAL(test_get_int(rep, ZMQ_RCVMORE), 0);
    CU_ASSERT_TRUE(test_send(rep, "ok", 0));
    static const char *const ok[] = { "", "ok" };
    CU_ASSERT_TRUE(recv_message_is(dealer, ok, 2));
    CU_ASSERT_TRUE(test_recv_nothing(dealer, QUIET_MS));

    test_close(dealer);
    test_close(rep);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A reply whose requester has gone is dropped; the REP carries on. */
static void test_rep_requester_gone(void)
{
    void *ctx = zmq_ctx_new();
    void *rep = zmq_socket(ctx, ZMQ_REP);
    void *gone = zmq_socket(ctx, ZMQ_REQ);
    void *stays = zmq_socket(ctx, ZMQ_REQ);
    zmq_bind(rep, "inproc://requester-gone");
    zmq_connect(gone, "inproc://requester-gone");
    CU_ASSERT_TRUE(test_send(gone, "bye", 0));
    CU_ASSERT_TRUE(test_recv_is(rep, "bye", TIMEOUT_MS));
    test_close(gone);
    settle(rep);
    CU_ASSERT_TRUE(test_send(rep, "nobody hears", 0));
    CU_ASSERT_EQUAL(test_get_int(rep, ZMQ_EVENTS), 0);

    zmq_connect(stays, "inproc://requester-gone");
    CU_ASSERT_TRUE(test_send(stays, "hello", 0));
    CU_ASSERT_TRUE(test_recv_is(rep, "hello", TIMEOUT_MS));
    CU_ASSERT_TRUE(test_send(rep, "hi", 0));
    CU_ASSERT_TRUE(test_recv_is(stays, "hi", TIMEOUT_MS));

    test_close(stays);
    test_close(rep);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Sends a reply through a ROUTER: [id, delimiter, body]. */
static void router_reply(void *router, const char *id, const char *body)
{
    CU_ASSERT_TRUE(test_send(router, id, ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(router, "", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(router, body, 0));
}

/* Receives a request at a ROUTER and checks its frames. */
static void router_expect(void *router, const char *id, const char *body)
{
    static const char *const empty = "";
    const char *const request[] = { id, empty, body };
    CU_ASSERT_TRUE(recv_message_is(router, request, 3));
}

/* A REQ takes its reply only from the peer it asked, and only in the shape
 * [delimiter, body...]; everything else is dropped. */
static void test_req_filters_replies(void)
{
    void *ctx = zmq_ctx_new();
    void *first = zmq_socket(ctx, ZMQ_ROUTER);
    void *second = zmq_socket(ctx, ZMQ_ROUTER);
    void *req = zmq_socket(ctx, ZMQ_REQ);
    zmq_bind(first, "inproc://filter-1");
    zmq_bind(second, "inproc://filter-2");
    zmq_setsockopt(req, ZMQ_ROUTING_ID, "Q", 1);
    zmq_connect(req, "inproc://filter-1");
    zmq_connect(req, "inproc://filter-2");
    settle(first);
    settle(second);

    CU_ASSERT_TRUE(test_send(req, "one", 0));
    router_expect(first, "Q", "one");
    router_reply(second, "Q", "impostor");
    router_reply(first, "Q", "genuine");
    CU_ASSERT_TRUE(test_recv_is(req, "genuine", TIMEOUT_MS));
    CU_ASSERT_TRUE(test_recv_nothing(second, QUIET_MS));

    /* The next request goes to the other peer; malformed replies first. */
    CU_ASSERT_TRUE(test_send(req, "two", 0));
    router_expect(second, "Q", "two");
    CU_ASSERT_TRUE(test_send(second, "Q", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(second, "no delimiter", 0));
    CU_ASSERT_TRUE(test_send(second, "Q", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(second, "label", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(second, "", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(second, "wrong shape", 0));
    CU_ASSERT_TRUE(test_send(second, "Q", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(second, "", 0));
    router_reply(second, "Q", "well formed");
    CU_ASSERT_TRUE(test_recv_is(req, "well formed", TIMEOUT_MS));
    CU_ASSERT_EQUAL(test_get_int(req, ZMQ_RCVMORE), 0);
    CU_ASSERT_EQUAL(test_get_int(req, ZMQ_EVENTS), ZMQ_POLLOUT);

    test_close(req);
    test_close(first);
    test_close(second);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Once the peer a request went to has gone, a reply is taken from any
 * peer (libzmq's behaviour). */
static void test_req_reply_after_peer_gone(void)
{
    void *ctx = zmq_ctx_new();
    void *first = zmq_socket(ctx, ZMQ_ROUTER);
    void *second = zmq_socket(ctx, ZMQ_ROUTER);
    void *req = zmq_socket(ctx, ZMQ_REQ);
    zmq_bind(first, "inproc://gone-1");
    zmq_bind(second, "inproc://gone-2");
    zmq_setsockopt(req, ZMQ_ROUTING_ID, "Q", 1);
    zmq_connect(req, "inproc://gone-1");
    zmq_connect(req, "inproc://gone-2");
    CU_ASSERT_TRUE(test_send(req, "one", 0));
    router_expect(first, "Q", "one");
    test_close(first);
    /* Let the REQ see the disconnection. */
    for (int i = 0; i < 10; i++) {
        zmq_pollitem_t item = { req, 0, ZMQ_POLLIN, 0 };
        zmq_poll(&item, 1, 2);
    }
    settle(second);
    router_reply(second, "Q", "stand-in");
    CU_ASSERT_TRUE(test_recv_is(req, "stand-in", TIMEOUT_MS));
    test_close(req);
    test_close(second);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Receives the [request id, delimiter, body] a correlating REQ sent to a
 * ROUTER whose peer is "Q"; returns the request id. */
static uint32_t recv_correlated(void *router, const char *body)
{
    uint32_t id = 0;
    CU_ASSERT_TRUE(test_recv_is(router, "Q", TIMEOUT_MS));
    zmq_msg_t m;
    CU_ASSERT_EQUAL(recv_msg(router, &m), 4);
    CU_ASSERT_TRUE(zmq_msg_more(&m));
    if (zmq_msg_size(&m) == sizeof id)
        memcpy(&id, zmq_msg_data(&m), sizeof id);
    zmq_msg_close(&m);
    CU_ASSERT_TRUE(test_recv_is(router, "", TIMEOUT_MS));
    CU_ASSERT_TRUE(test_recv_is(router, body, TIMEOUT_MS));
    CU_ASSERT_EQUAL(test_get_int(router, ZMQ_RCVMORE), 0);
    return id;
}

static void correlated_reply(void *router, uint32_t id, const char *body)
{
    CU_ASSERT_TRUE(test_send(router, "Q", ZMQ_SNDMORE));
    CU_ASSERT_EQUAL(zmq_send(router, &id, sizeof id, ZMQ_SNDMORE),
                    (int) sizeof id);
    CU_ASSERT_TRUE(test_send(router, "", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(router, body, 0));
}

/* REQ_CORRELATE: a request id (host byte order, one more per request)
 * before the delimiter; replies with another id are dropped. */
static void test_correlate(void)
{
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    void *req = zmq_socket(ctx, ZMQ_REQ);
    zmq_bind(router, "inproc://correlate");
    CU_ASSERT_TRUE(test_set_int(req, ZMQ_REQ_CORRELATE, 1));
    zmq_setsockopt(req, ZMQ_ROUTING_ID, "Q", 1);
    zmq_connect(req, "inproc://correlate");

    CU_ASSERT_TRUE(test_send(req, "first", 0));
    uint32_t first = recv_correlated(router, "first");
    correlated_reply(router, first + 1, "wrong id");
    CU_ASSERT_TRUE(test_send(router, "Q", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(router, "", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(router, "no id", 0));
    correlated_reply(router, first, "right id");
    CU_ASSERT_TRUE(test_recv_is(req, "right id", TIMEOUT_MS));

    CU_ASSERT_TRUE(test_send(req, "second", 0));
    uint32_t second = recv_correlated(router, "second");
    CU_ASSERT_EQUAL(second, first + 1);
    correlated_reply(router, first, "stale");
    correlated_reply(router, second, "fresh");
    CU_ASSERT_TRUE(test_recv_is(req, "fresh", TIMEOUT_MS));
    CU_ASSERT_TRUE(test_recv_nothing(router, QUIET_MS));

    test_close(req);
    test_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* REQ_RELAXED: a new request may be sent before the reply; with
 * REQ_CORRELATE the late reply to the abandoned request is dropped. */
static void test_relaxed(void)
{
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    void *req = zmq_socket(ctx, ZMQ_REQ);
    zmq_bind(router, "inproc://relaxed");
    CU_ASSERT_TRUE(test_set_int(req, ZMQ_REQ_RELAXED, 1));
    CU_ASSERT_TRUE(test_set_int(req, ZMQ_REQ_CORRELATE, 1));
    zmq_setsockopt(req, ZMQ_ROUTING_ID, "Q", 1);
    zmq_connect(req, "inproc://relaxed");

    CU_ASSERT_TRUE(test_send(req, "abandoned", 0));
    CU_ASSERT_EQUAL(test_get_int(req, ZMQ_EVENTS), ZMQ_POLLOUT);
    CU_ASSERT_TRUE(test_send(req, "current", 0));
    uint32_t abandoned = recv_correlated(router, "abandoned");
    uint32_t current = recv_correlated(router, "current");
    correlated_reply(router, abandoned, "too late");
    correlated_reply(router, current, "in time");
    CU_ASSERT_TRUE(test_recv_is(req, "in time", TIMEOUT_MS));
    expect_efsm_recv(req);

    /* Without REQ_CORRELATE a late reply is taken for the answer to the
     * newer request, as the option's documentation warns. */
    CU_ASSERT_TRUE(test_set_int(req, ZMQ_REQ_CORRELATE, 0));
    CU_ASSERT_TRUE(test_send(req, "old", 0));
    CU_ASSERT_TRUE(test_send(req, "new", 0));
    static const char *const old[] = { "Q", "", "old" };
    static const char *const fresh[] = { "Q", "", "new" };
    CU_ASSERT_TRUE(recv_message_is(router, old, 3));
    CU_ASSERT_TRUE(recv_message_is(router, fresh, 3));
    router_reply(router, "Q", "answer to old");
    CU_ASSERT_TRUE(test_recv_is(req, "answer to old", TIMEOUT_MS));
    /* The real answer, left queued, is dropped by the next request. */
    router_reply(router, "Q", "answer to new");
    settle(req);

    /* Relaxed, a REQ whose request is pending can still send, strict not. */
    CU_ASSERT_TRUE(test_send(req, "pending", 0));
    CU_ASSERT_TRUE(test_recv_nothing(req, QUIET_MS));
    CU_ASSERT_TRUE(test_set_int(req, ZMQ_REQ_RELAXED, 0));
    expect_efsm_send(req);
    CU_ASSERT_EQUAL(test_get_int(req, ZMQ_EVENTS) & ZMQ_POLLOUT, 0);

    test_close(req);
    test_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* The REQ options belong to REQ alone; they are write-only. */
static void test_options(void)
{
    void *ctx = zmq_ctx_new();
    static const int types[] = { ZMQ_REP, ZMQ_ROUTER, ZMQ_DEALER };
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        void *socket = zmq_socket(ctx, types[t]);
        errno = 0;
        CU_ASSERT_FALSE(test_set_int(socket, ZMQ_REQ_CORRELATE, 1));
        CU_ASSERT_EQUAL(errno, EINVAL);
        errno = 0;
        CU_ASSERT_FALSE(test_set_int(socket, ZMQ_REQ_RELAXED, 1));
        CU_ASSERT_EQUAL(errno, EINVAL);
        zmq_close(socket);
    }
    void *req = zmq_socket(ctx, ZMQ_REQ);
    static const int options[] = { ZMQ_REQ_CORRELATE, ZMQ_REQ_RELAXED };
    for (size_t o = 0; o < sizeof options / sizeof options[0]; o++) {
        CU_ASSERT_TRUE(test_set_int(req, options[o], 1));
        CU_ASSERT_TRUE(test_set_int(req, options[o], 5));
        CU_ASSERT_TRUE(test_set_int(req, options[o], 0));
        errno = 0;
        CU_ASSERT_FALSE(test_set_int(req, options[o], -1));
        CU_ASSERT_EQUAL(errno, EINVAL);
        short narrow = 1;
        errno = 0;
        CU_ASSERT_EQUAL(zmq_setsockopt(req, options[o], &narrow, sizeof narrow),
                        -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
        int value;
        size_t size = sizeof value;
        errno = 0;
        CU_ASSERT_EQUAL(zmq_getsockopt(req, options[o], &value, &size), -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
    }
    CU_ASSERT_FALSE(test_set_int(req, ZMQ_ROUTER_MANDATORY, 1));
    CU_ASSERT_TRUE(test_set_int(req, ZMQ_PROBE_ROUTER, 1));
    CU_ASSERT_EQUAL(test_get_int(req, ZMQ_TYPE), ZMQ_REQ);
    zmq_close(req);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* PROBE_ROUTER on a REQ: a bare empty message (no delimiter) announces it
 * to a ROUTER; a REP drops it as malformed. */
static void test_req_probe(void)
{
    void *ctx = zmq_ctx_new();
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    void *rep = zmq_socket(ctx, ZMQ_REP);
    void *req = zmq_socket(ctx, ZMQ_REQ);
    zmq_bind(router, "inproc://probe-router");
    zmq_bind(rep, "inproc://probe-rep");
    zmq_setsockopt(req, ZMQ_ROUTING_ID, "Q", 1);
    test_set_int(req, ZMQ_PROBE_ROUTER, 1);
    zmq_connect(req, "inproc://probe-router");
    static const char *const probe[] = { "Q", "" };
    CU_ASSERT_TRUE(recv_message_is(router, probe, 2));
    zmq_disconnect(req, "inproc://probe-router");

    zmq_connect(req, "inproc://probe-rep");
    CU_ASSERT_TRUE(test_send(req, "real", 0));
    CU_ASSERT_TRUE(test_recv_is(rep, "real", TIMEOUT_MS));
    CU_ASSERT_TRUE(test_send(rep, "answer", 0));
    CU_ASSERT_TRUE(test_recv_is(req, "answer", TIMEOUT_MS));

    test_close(req);
    test_close(rep);
    test_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "round trips", test_round_trips },
        { "EFSM and ZMQ_EVENTS", test_efsm },
        { "REQ without peer", test_req_without_peer },
        { "REQ round-robin", test_req_round_robin },
        { "REP fair queueing", test_rep_fair_queue },
        { "REQ-ROUTER-DEALER-REP chain", test_broker_chain },
        { "REP envelopes", test_rep_envelopes },
        { "REP requester gone", test_rep_requester_gone },
        { "REQ filters replies", test_req_filters_replies },
        { "REQ reply after its peer has gone", test_req_reply_after_peer_gone },
        { "REQ_CORRELATE", test_correlate },
        { "REQ_RELAXED", test_relaxed },
        { "options", test_options },
        { "REQ with PROBE_ROUTER", test_req_probe },
    };
    return test_run_suite("reqrep", tests, sizeof tests / sizeof tests[0]);
}
