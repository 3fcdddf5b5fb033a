/*
 * The delivery suite (issue 10): what the socket types that promise not to
 * lose messages really promise across reconnections, counted message by
 * message with sequence numbers while connections come and go.
 *
 *   - PUSH/PULL: every message zmq_send accepted is delivered exactly once
 *     across zmq_disconnect and zmq_connect (ZMQ_LINGER -1 lets a
 *     disconnected pipe drain). When the connection itself breaks, the
 *     connecting PUSH keeps its pipe: delivery is at most once, and loses
 *     only what was in flight at a break (one run of numbers per break at
 *     most); libzmq reports no such loss, and neither do we.
 *   - ROUTER with ZMQ_ROUTER_MANDATORY: a message to a peer that is not
 *     connected fails with EHOSTUNREACH and one to a full peer blocks (or
 *     EAGAIN with ZMQ_DONTWAIT) instead of being dropped, so a connected
 *     peer gets every message accepted, exactly once and in order; when a
 *     peer's connection breaks, what was queued to it is lost (at most one
 *     run per break) and sends fail with EHOSTUNREACH until it is back.
 *   - REQ with ZMQ_REQ_RELAXED and ZMQ_REQ_CORRELATE, its REP killed with
 *     SIGKILL and restarted: a request that gets no reply within the
 *     timeout is sent again, and the application receives exactly one
 *     reply, the right one, for every request.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "child.h"
#include "cut_proxy.h"
#include "resources.h"
#include "testutil.h"
#include "zmq.h"

static void *new_socket(void *ctx, int type)
{
    void *s = zmq_socket(ctx, type);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    test_set_int(s, ZMQ_RCVTIMEO, 10000);
    test_set_int(s, ZMQ_SNDTIMEO, 10000);
    test_set_int(s, ZMQ_RECONNECT_IVL, 10);
    return s;
}

static void last_endpoint(void *s, char *endpoint, size_t size)
{
    CU_ASSERT_EQUAL(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, endpoint, &size), 0);
}

static bool send_seq(void *s, uint64_t seq, int flags)
{
    return zmq_send(s, &seq, sizeof seq, flags) == (int) sizeof seq;
}

/* ---- counting what arrives ----------------------------------------------- */

/* What a receiver saw of the sequence numbers 0 .. expected - 1. */
struct tally {
    long expected;
    unsigned char *seen; /* times each number arrived, saturating */
    long delivered;      /* distinct numbers */
    long duplicates;
    long out_of_order; /* arrivals below an earlier one */
    int64_t last;
};

static void tally_init(struct tally *t, long expected)
{
    *t = (struct tally){ .expected = expected, .last = -1 };
    t->seen = calloc((size_t) expected, 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t->seen);
}

static void tally_add(struct tally *t, uint64_t seq)
{
    if (seq >= (uint64_t) t->expected) {
        t->out_of_order++;
        return;
    }
    if (t->seen[seq] > 0)
        t->duplicates++;
    else
        t->delivered++;
    if (t->seen[seq] < 255)
        t->seen[seq]++;
    if ((int64_t) seq < t->last)
        t->out_of_order++;
    if ((int64_t) seq > t->last)
        t->last = (int64_t) seq;
}

/* Runs of numbers below the last one that never arrived: what one break
 * loses is one run, whatever order the rest arrived in. */
static long tally_missing_runs(const struct tally *t)
{
    long runs = 0;
    for (int64_t i = 0; i < t->last; i++)
        if (t->seen[i] == 0 && (i == 0 || t->seen[i - 1] != 0))
            runs++;
    return runs;
}

static void tally_fini(struct tally *t)
{
    free(t->seen);
}

/* A thread that receives sequence numbers until it has every one (or, in
 * order, the last one) or hears nothing for 10 s. Messages from several
 * pipes (a lingering disconnected one and its successor) interleave, so
 * having the last number does not mean having all the others. */
struct receiver {
    void *socket;
    struct tally tally;
    bool until_last;     /* stop at the last number, not at all of them */
    useconds_t pause_us; /* a slow reader pauses after each message */
    pthread_t thread;
};

static bool receiver_done(const struct receiver *r)
{
    if (r->until_last)
        return r->tally.last == r->tally.expected - 1;
    return r->tally.delivered == r->tally.expected;
}

static void *receive_all(void *arg)
{
    struct receiver *r = arg;
    while (!receiver_done(r)) {
        uint64_t seq;
        if (zmq_recv(r->socket, &seq, sizeof seq, 0) != (int) sizeof seq)
            break;
        tally_add(&r->tally, seq);
        if (r->pause_us > 0)
            usleep(r->pause_us);
    }
    return NULL;
}

static void receiver_start(struct receiver *r, void *socket, long expected,
                           bool until_last, useconds_t pause_us)
{
    r->socket = socket;
    r->until_last = until_last;
    r->pause_us = pause_us;
    tally_init(&r->tally, expected);
    pthread_create(&r->thread, NULL, receive_all, r);
}

/* ---- PUSH/PULL ------------------------------------------------------------- */

enum { RECONNECTS = 1000, PER_RECONNECT = 100 };

/* A PUSH that disconnects and connects again 1,000 times while it sends
 * 100,000 numbered messages to a PULL: each arrives exactly once. */
static void push_reconnects(const char *wildcard)
{
    void *ctx = zmq_ctx_new();
    void *pull = new_socket(ctx, ZMQ_PULL);
    void *push = new_socket(ctx, ZMQ_PUSH);
    test_set_int(pull, ZMQ_LINGER, 0);
    test_set_int(push, ZMQ_LINGER, -1);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(pull, wildcard), 0);
    char endpoint[256];
    last_endpoint(pull, endpoint, sizeof endpoint);
    struct receiver r;
    receiver_start(&r, pull, (long) RECONNECTS * PER_RECONNECT, false, 0);
    long start = test_now_ms();
    CU_ASSERT_EQUAL(zmq_connect(push, endpoint), 0);
    uint64_t seq = 0;
    int reconnects = 0;
    bool ok = true;
    for (int cycle = 0; cycle < RECONNECTS && ok; cycle++) {
        for (int i = 0; i < PER_RECONNECT && ok; i++)
            ok = send_seq(push, seq++, 0);
        ok = ok && zmq_disconnect(push, endpoint) == 0 &&
             zmq_connect(push, endpoint) == 0;
        if (ok)
            reconnects++;
    }
    CU_ASSERT_TRUE(ok);
    pthread_join(r.thread, NULL);
    long elapsed = test_now_ms() - start;
    CU_ASSERT_EQUAL(reconnects, RECONNECTS);
    CU_ASSERT_EQUAL(r.tally.delivered, (long) seq);
    CU_ASSERT_EQUAL(r.tally.duplicates, 0);
    test_report("PUSH over %s, %d zmq_disconnect/zmq_connect: %ld of %ld "
                "delivered, %ld twice, in %.2f s",
                wildcard, reconnects, r.tally.delivered, (long) seq,
                r.tally.duplicates, elapsed / 1000.0);
    tally_fini(&r.tally);
    zmq_close(push);
    zmq_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_push_reconnects_tcp(void)
{
    push_reconnects("tcp://127.0.0.1:*");
}

static void test_push_reconnects_ipc(void)
{
    push_reconnects("ipc://*");
}

enum { CUTS = 50, PER_CUT = 2000 };

/* A PUSH whose connection a proxy resets 50 times while it sends 102,000
 * numbered messages: none twice, what is lost forms at most one run per
 * break, and everything sent after the last break arrives. Arrivals need
 * not be in order: what reached the PULL over the old connection is read
 * alongside what comes over the new one, as in libzmq. */
static void test_push_connection_breaks(void)
{
    void *ctx = zmq_ctx_new();
    void *pull = new_socket(ctx, ZMQ_PULL);
    void *push = new_socket(ctx, ZMQ_PUSH);
    test_set_int(pull, ZMQ_LINGER, 0);
    test_set_int(push, ZMQ_LINGER, 0);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(pull, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    last_endpoint(pull, endpoint, sizeof endpoint);
    struct cut_proxy *proxy = cut_proxy_start(endpoint);
    CU_ASSERT_PTR_NOT_NULL_FATAL(proxy);
    long total = (long) CUTS * PER_CUT + PER_CUT;
    struct receiver r;
    receiver_start(&r, pull, total, true, 0);
    CU_ASSERT_EQUAL(zmq_connect(push, cut_proxy_endpoint(proxy)), 0);
    uint64_t seq = 0;
    int cuts = 0;
    bool ok = true;
    for (int cycle = 0; cycle <= CUTS && ok; cycle++) {
        for (int i = 0; i < PER_CUT && ok; i++)
            ok = send_seq(push, seq++, 0);
        if (cycle < CUTS && cut_proxy_cut(proxy) > 0)
            cuts++;
    }
    CU_ASSERT_TRUE(ok);
    pthread_join(r.thread, NULL);
    long runs = tally_missing_runs(&r.tally);
    CU_ASSERT_EQUAL(r.tally.last, total - 1);
    CU_ASSERT_EQUAL(r.tally.duplicates, 0);
    CU_ASSERT(runs <= cuts);
    test_report(
        "PUSH through a proxy that reset its connection %d times "
        "(%ld connections): %ld of %ld delivered, %ld twice, %ld out of "
        "order; %ld lost in %ld runs",
        cuts, cut_proxy_accepted(proxy), r.tally.delivered, total,
        r.tally.duplicates, r.tally.out_of_order, total - r.tally.delivered,
        runs);
    tally_fini(&r.tally);
    zmq_close(push);
    zmq_close(pull);
    cut_proxy_stop(proxy);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ---- ROUTER with ZMQ_ROUTER_MANDATORY ------------------------------------ */

/* Sends seq to the peer named id, again and again while it is unreachable
 * or full; counts the refusals. False after 10 s of them. */
static bool route_seq(void *router, const char *id, uint64_t seq, int flags,
                      long *unreachable, long *full)
{
    long deadline = test_now_ms() + 10000;
    while (test_now_ms() < deadline) {
        if (zmq_send(router, id, strlen(id), ZMQ_SNDMORE | flags) ==
            (int) strlen(id)) {
            if (send_seq(router, seq, flags))
                return true;
            /* The id went: the body cannot fail on a routed message. */
            return false;
        }
        if (errno == EHOSTUNREACH)
            (*unreachable)++;
        else if (errno == EAGAIN)
            (*full)++;
        else
            return false;
        usleep(errno == EHOSTUNREACH ? 1000 : 20);
    }
    return false;
}

enum { MANDATORY_MESSAGES = 50000, MANDATORY_HWM = 100 };

/* A ROUTER with ZMQ_ROUTER_MANDATORY bound on tcp, and a DEALER named
 * "dealer" not yet connected; the ROUTER's endpoint is written. */
static void mandatory_pair(void *ctx, void **router, void **dealer,
                           char *endpoint, size_t size)
{
    *router = new_socket(ctx, ZMQ_ROUTER);
    *dealer = new_socket(ctx, ZMQ_DEALER);
    test_set_int(*router, ZMQ_ROUTER_MANDATORY, 1);
    test_set_int(*router, ZMQ_LINGER, 0);
    test_set_int(*dealer, ZMQ_LINGER, 0);
    CU_ASSERT_EQUAL(zmq_setsockopt(*dealer, ZMQ_ROUTING_ID, "dealer", 6), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(*router, "tcp://127.0.0.1:*"), 0);
    last_endpoint(*router, endpoint, size);
}

/* A ROUTER with ZMQ_ROUTER_MANDATORY and SNDHWM 100 sends 50,000 numbered
 * messages with ZMQ_DONTWAIT to a DEALER that reads slowly behind RCVHWM
 * 100: EHOSTUNREACH before the DEALER is there, EAGAIN while it is full,
 * and every accepted message arrives, once, in order. */
static void test_router_mandatory_full_peer(void)
{
    void *ctx = zmq_ctx_new();
    void *router, *dealer;
    char endpoint[256];
    mandatory_pair(ctx, &router, &dealer, endpoint, sizeof endpoint);
    test_set_int(router, ZMQ_SNDHWM, MANDATORY_HWM);
    test_set_int(dealer, ZMQ_RCVHWM, MANDATORY_HWM);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(router, "dealer", 6, ZMQ_SNDMORE), -1);
    CU_ASSERT_EQUAL(errno, EHOSTUNREACH);
    /* Connected before its thread takes it: a socket is used by one
     * thread at a time. */
    CU_ASSERT_EQUAL(zmq_connect(dealer, endpoint), 0);
    struct receiver r;
    receiver_start(&r, dealer, MANDATORY_MESSAGES, false, 20);
    long unreachable = 0, full = 0;
    bool ok = true;
    for (uint64_t seq = 0; seq < MANDATORY_MESSAGES && ok; seq++)
        ok =
            route_seq(router, "dealer", seq, ZMQ_DONTWAIT, &unreachable, &full);
    CU_ASSERT_TRUE(ok);
    pthread_join(r.thread, NULL);
    CU_ASSERT_EQUAL(r.tally.delivered, MANDATORY_MESSAGES);
    CU_ASSERT_EQUAL(r.tally.duplicates, 0);
    CU_ASSERT_EQUAL(r.tally.out_of_order, 0);
    CU_ASSERT(full > 0);
    test_report(
        "ROUTER_MANDATORY to a slow DEALER: %ld of %d delivered in order, "
        "%ld twice; %ld EHOSTUNREACH while it connected, %ld EAGAIN "
        "while it was full",
        r.tally.delivered, MANDATORY_MESSAGES, r.tally.duplicates, unreachable,
        full);
    tally_fini(&r.tally);
    zmq_close(dealer);
    zmq_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* The same ROUTER sends 102,000 numbered messages (blocking) to a DEALER
 * whose connection a proxy resets 50 times: every number is accepted once
 * (sends refused with EHOSTUNREACH are made again), arrivals are in order
 * (the DEALER keeps one pipe) and never twice, and what is lost was queued
 * to a broken connection (one run per break at most). ZMQ_ROUTER_HANDOVER
 * lets the reconnected DEALER take its id back even when the ROUTER has
 * not yet seen its old connection go; without it the newcomer is ignored
 * meanwhile, in libzmq as here. */
static void test_router_mandatory_breaks(void)
{
    void *ctx = zmq_ctx_new();
    void *router, *dealer;
    char endpoint[256];
    mandatory_pair(ctx, &router, &dealer, endpoint, sizeof endpoint);
    test_set_int(router, ZMQ_ROUTER_HANDOVER, 1);
    struct cut_proxy *proxy = cut_proxy_start(endpoint);
    CU_ASSERT_PTR_NOT_NULL_FATAL(proxy);
    long total = (long) CUTS * PER_CUT + PER_CUT;
    CU_ASSERT_EQUAL(zmq_connect(dealer, cut_proxy_endpoint(proxy)), 0);
    struct receiver r;
    receiver_start(&r, dealer, total, true, 0);
    long unreachable = 0, full = 0;
    uint64_t seq = 0;
    int cuts = 0;
    bool ok = true;
    for (int cycle = 0; cycle <= CUTS && ok; cycle++) {
        for (int i = 0; i < PER_CUT && ok; i++)
            ok = route_seq(router, "dealer", seq++, 0, &unreachable, &full);
        if (cycle < CUTS && cut_proxy_cut(proxy) > 0)
            cuts++;
    }
    CU_ASSERT_TRUE(ok);
    pthread_join(r.thread, NULL);
    long runs = tally_missing_runs(&r.tally);
    CU_ASSERT_EQUAL(r.tally.last, total - 1);
    CU_ASSERT_EQUAL(r.tally.duplicates, 0);
    CU_ASSERT_EQUAL(r.tally.out_of_order, 0);
    CU_ASSERT(runs <= cuts);
    test_report(
        "ROUTER_MANDATORY through a proxy that reset the DEALER's "
        "connection %d times: %ld of %ld delivered in order, %ld twice, "
        "%ld lost in %ld runs; %ld sends refused with EHOSTUNREACH and "
        "made again",
        cuts, r.tally.delivered, total, r.tally.duplicates,
        total - r.tally.delivered, runs, unreachable);
    tally_fini(&r.tally);
    zmq_close(dealer);
    zmq_close(router);
    cut_proxy_stop(proxy);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ---- REQ/REP ------------------------------------------------------------- */

/* The child: a REP bound at endpoint that echoes requests, printing its
 * real endpoint once bound. After answering hang_after requests it takes
 * the next one and never answers: a server that dies in the middle of a
 * request, once the parent kills it. */
static int child_rep(const char *endpoint, long hang_after)
{
    void *ctx = zmq_ctx_new();
    void *rep = zmq_socket(ctx, ZMQ_REP);
    char bound[256];
    size_t size = sizeof bound;
    /* The port of a REP just killed may take a moment to be free. */
    int rc = -1;
    for (int i = 0; i < 200 && rc != 0; i++)
        if ((rc = zmq_bind(rep, endpoint)) != 0)
            usleep(10000);
    if (rc != 0 || zmq_getsockopt(rep, ZMQ_LAST_ENDPOINT, bound, &size) != 0)
        return 2;
    printf("%s\n", bound);
    fflush(stdout);
    char request[64];
    for (long answered = 0;; answered++) {
        int got = zmq_recv(rep, request, sizeof request, 0);
        if (got < 0)
            return 3;
        if (answered == hang_after) {
            sleep(60);
            return 4;
        }
        if (zmq_send(rep, request, (size_t) got, 0) != got)
            return 5;
    }
}

enum { RESTARTS = 20, PER_RESTART = 100, REPLY_WAIT_MS = 300 };

/* Starts a REP child at endpoint that hangs after hang_after requests;
 * writes its real endpoint into bound. */
static struct test_child *start_rep(const char *endpoint, long hang_after,
                                    char *bound, size_t size)
{
    char count[32];
    snprintf(count, sizeof count, "%ld", hang_after);
    const char *args[] = { "rep", endpoint, count, NULL };
    struct test_child *rep = test_child_start(args);
    if (rep == NULL)
        return NULL;
    const char *line = test_child_line(rep, 10000);
    if (line == NULL) {
        test_child_kill(rep);
        return NULL;
    }
    snprintf(bound, size, "%s", line);
    return rep;
}

/* A REQ (ZMQ_REQ_RELAXED, ZMQ_REQ_CORRELATE) sends 2,100 numbered requests
 * to a REP in another process which, every 100 requests, takes one and
 * dies without answering (killed with SIGKILL) and is restarted at the
 * same port: the REQ gets no reply within 300 ms and sends the request
 * again, once per restart, and the application receives exactly one
 * reply, with its own number, for every request. */
static void test_req_rep_restarts(void)
{
    char endpoint[256];
    struct test_child *rep =
        start_rep("tcp://127.0.0.1:*", PER_RESTART, endpoint, sizeof endpoint);
    CU_ASSERT_PTR_NOT_NULL_FATAL(rep);

    void *ctx = zmq_ctx_new();
    void *req = new_socket(ctx, ZMQ_REQ);
    test_set_int(req, ZMQ_REQ_RELAXED, 1);
    test_set_int(req, ZMQ_REQ_CORRELATE, 1);
    test_set_int(req, ZMQ_RCVTIMEO, REPLY_WAIT_MS);
    test_set_int(req, ZMQ_LINGER, 0);
    CU_ASSERT_EQUAL(zmq_connect(req, endpoint), 0);
    long total = (long) RESTARTS * PER_RESTART + PER_RESTART;
    struct tally replies;
    tally_init(&replies, total);
    long resent = 0, wrong = 0;
    int restarts = 0;
    long start = test_now_ms();
    bool ok = true;
    for (uint64_t seq = 0; seq < (uint64_t) total && ok; seq++) {
        bool answered = false;
        for (int attempt = 0; attempt < 20 && ok && !answered; attempt++) {
            if (attempt > 0)
                resent++;
            ok = send_seq(req, seq, 0);
            uint64_t reply;
            int got = zmq_recv(req, &reply, sizeof reply, 0);
            if (got == (int) sizeof reply) {
                answered = reply == seq;
                if (!answered)
                    wrong++;
                tally_add(&replies, reply);
            } else if (ok && restarts < RESTARTS) {
                /* The server took the request and went quiet. */
                test_child_kill(rep);
                char again[256];
                rep = start_rep(endpoint,
                                restarts + 1 < RESTARTS ? PER_RESTART : -1,
                                again, sizeof again);
                ok = rep != NULL;
                restarts++;
            }
        }
        ok = ok && answered;
    }
    CU_ASSERT_TRUE(ok);
    if (rep != NULL)
        test_child_kill(rep);
    CU_ASSERT_EQUAL(restarts, RESTARTS);
    CU_ASSERT_EQUAL(resent, RESTARTS);
    CU_ASSERT_EQUAL(replies.delivered, total);
    CU_ASSERT_EQUAL(replies.duplicates, 0);
    CU_ASSERT_EQUAL(wrong, 0);
    test_report(
        "REQ_RELAXED + REQ_CORRELATE, REP killed mid-request and "
        "restarted %d times: %ld of %ld requests answered, %ld twice, %ld "
        "wrong replies; %ld sent again after %d ms without a reply, in "
        "%.2f s",
        restarts, replies.delivered, total, replies.duplicates, wrong, resent,
        REPLY_WAIT_MS, (test_now_ms() - start) / 1000.0);
    tally_fini(&replies);
    zmq_close(req);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A reply that comes after the REQ gave up and sent the request again is
 * dropped (ZMQ_REQ_CORRELATE): the REP answers the first request late,
 * then the second; the application gets one reply. */
static void test_req_correlate_late_reply(void)
{
    void *ctx = zmq_ctx_new();
    void *rep = new_socket(ctx, ZMQ_REP);
    void *req = new_socket(ctx, ZMQ_REQ);
    test_set_int(req, ZMQ_REQ_RELAXED, 1);
    test_set_int(req, ZMQ_REQ_CORRELATE, 1);
    test_set_int(req, ZMQ_LINGER, 0);
    test_set_int(rep, ZMQ_LINGER, 0);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(rep, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    last_endpoint(rep, endpoint, sizeof endpoint);
    CU_ASSERT_EQUAL(zmq_connect(req, endpoint), 0);
    char text[16];
    CU_ASSERT_TRUE(test_send(req, "first", 0));
    CU_ASSERT_TRUE(test_recv_is(rep, "first", 5000));
    /* No answer in time: the REQ sends again. */
    errno = 0;
    CU_ASSERT_EQUAL(test_recv(req, text, sizeof text, 200), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    CU_ASSERT_TRUE(test_send(req, "second", 0));
    /* The late answer to the first, then the answer to the second. */
    CU_ASSERT_TRUE(test_send(rep, "late", 0));
    CU_ASSERT_TRUE(test_recv_is(rep, "second", 5000));
    CU_ASSERT_TRUE(test_send(rep, "answer", 0));
    CU_ASSERT_TRUE(test_recv_is(req, "answer", 5000));
    /* Nothing of the late one is left behind. */
    CU_ASSERT_TRUE(test_send(req, "third", 0));
    CU_ASSERT_TRUE(test_recv_is(rep, "third", 5000));
    CU_ASSERT_TRUE(test_send(rep, "third answer", 0));
    CU_ASSERT_TRUE(test_recv_is(req, "third answer", 5000));
    zmq_close(req);
    zmq_close(rep);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ---- the program ------------------------------------------------------- */

int main(int argc, char **argv)
{
    if (test_is_child(argc, argv)) {
        if (strcmp(argv[2], "rep") == 0 && argc == 5)
            return child_rep(argv[3], atol(argv[4]));
        return 99;
    }
    static const struct test_case tests[] = {
        { "PUSH, 1,000 reconnects over tcp: exactly once",
          test_push_reconnects_tcp },
        { "PUSH, 1,000 reconnects over ipc: exactly once",
          test_push_reconnects_ipc },
        { "PUSH, connection resets: at most once, losses only at resets",
          test_push_connection_breaks },
        { "ROUTER_MANDATORY, a full peer: nothing dropped",
          test_router_mandatory_full_peer },
        { "ROUTER_MANDATORY, connection resets: EHOSTUNREACH, in order",
          test_router_mandatory_breaks },
        { "REQ_RELAXED/CORRELATE, REP restarts: one reply per request",
          test_req_rep_restarts },
        { "REQ_CORRELATE drops a late reply", test_req_correlate_late_reply },
    };
    return test_run_suite("delivery", tests, sizeof tests / sizeof tests[0]);
}
