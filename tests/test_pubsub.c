/*
 * Publish-subscribe (RFC 29): PUB, SUB, XPUB and XSUB over inproc, through
 * the public API only. Prefix matching and its counted subscriptions, the
 * subscription messages XSUB sends and XPUB delivers (verbose, verboser,
 * manual, welcome, nodrop, last value, only-first), inverted matching,
 * high-water-mark drops, late joiners and resubscription, and large
 * subscription sets checked against a model. The expected behaviour is
 * what libzmq 4.3 does in the same situations.
 *
 * Reading ZMQ_EVENTS makes a socket run its pending commands (new pipes,
 * subscriptions arriving), in libzmq as here; settle() uses that so that
 * a publisher has seen every subscription sent before it publishes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "zmq.h"

enum { WAIT_MS = 2000, NOTHING_MS = 20 };

static void settle(void *socket)
{
    test_get_int(socket, ZMQ_EVENTS);
}

static void subscribe(void *socket, const char *topic)
{
    CU_ASSERT_EQUAL(zmq_setsockopt(socket, ZMQ_SUBSCRIBE, topic, strlen(topic)),
                    0);
}

static void unsubscribe(void *socket, const char *topic)
{
    CU_ASSERT_EQUAL(
        zmq_setsockopt(socket, ZMQ_UNSUBSCRIBE, topic, strlen(topic)), 0);
}

/* Sends the (un)subscription message an XSUB user writes. */
static bool send_request(void *xsub, bool subscribe_flag, const char *topic,
                         int flags)
{
    char buf[256];
    size_t size = strlen(topic);
    buf[0] = subscribe_flag ? 1 : 0;
    memcpy(buf + 1, topic, size);
    return zmq_send(xsub, buf, size + 1, flags) == (int) size + 1;
}

/* Receives one part within WAIT_MS and compares it with data. */
static bool recv_bytes(void *socket, const void *data, size_t size)
{
    char buf[512];
    int saved = test_get_int(socket, ZMQ_RCVTIMEO);
    test_set_int(socket, ZMQ_RCVTIMEO, WAIT_MS);
    int rc = zmq_recv(socket, buf, sizeof buf, 0);
    test_set_int(socket, ZMQ_RCVTIMEO, saved);
    return rc == (int) size && memcmp(buf, data, size) == 0;
}

/* Receives the notice XPUB gives for a (un)subscription to topic. */
static bool recv_notice(void *xpub, bool subscribe_flag, const char *topic)
{
    char buf[256];
    size_t size = strlen(topic);
    buf[0] = subscribe_flag ? 1 : 0;
    memcpy(buf + 1, topic, size);
    return recv_bytes(xpub, buf, size + 1) &&
           test_get_int(xpub, ZMQ_RCVMORE) == 0;
}

static bool recv_is(void *socket, const char *text)
{
    return test_recv_is(socket, text, WAIT_MS);
}

static bool nothing(void *socket)
{
    return test_recv_nothing(socket, NOTHING_MS);
}

/* Counts the whole messages that can be received now. */
static int count_waiting(void *socket)
{
    int messages = 0;
    char buf[64];
    for (int parts = 0; parts < 1000000; parts++) {
        if (zmq_recv(socket, buf, sizeof buf, ZMQ_DONTWAIT) < 0)
            break;
        if (test_get_int(socket, ZMQ_RCVMORE) == 0)
            messages++;
    }
    return messages;
}

/* ---- SUB filtering ------------------------------------------------- */

static void test_prefix_matching(void)
{
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    CU_ASSERT_EQUAL(zmq_bind(pub, "inproc://prefix"), 0);
    CU_ASSERT_EQUAL(zmq_connect(sub, "inproc://prefix"), 0);
    subscribe(sub, "A");
    subscribe(sub, "BC");
    settle(pub);
    const char *sent[] = { "A", "AB", "B", "BC1", "C", "", "xA", "BC" };
    for (size_t i = 0; i < sizeof sent / sizeof sent[0]; i++)
        CU_ASSERT_TRUE(test_send(pub, sent[i], 0));
    CU_ASSERT_TRUE(recv_is(sub, "A"));
    CU_ASSERT_TRUE(recv_is(sub, "AB"));
    CU_ASSERT_TRUE(recv_is(sub, "BC1"));
    CU_ASSERT_TRUE(recv_is(sub, "BC"));
    CU_ASSERT_TRUE(nothing(sub));
    test_close(sub);
    test_close(pub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* The empty prefix matches everything, the empty message included; an
 * unsubscription ends it, and nothing is received before subscribing. */
static void test_empty_subscription_and_unsubscribe(void)
{
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    zmq_bind(pub, "inproc://all");
    zmq_connect(sub, "inproc://all");
    settle(pub);
    CU_ASSERT_TRUE(test_send(pub, "before", 0));
    CU_ASSERT_TRUE(nothing(sub));

    CU_ASSERT_EQUAL(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, NULL, 0), 0);
    settle(pub);
    CU_ASSERT_TRUE(test_send(pub, "anything", 0));
    CU_ASSERT_TRUE(test_send(pub, "", 0));
    CU_ASSERT_TRUE(recv_is(sub, "anything"));
    CU_ASSERT_TRUE(recv_is(sub, ""));

    CU_ASSERT_EQUAL(zmq_setsockopt(sub, ZMQ_UNSUBSCRIBE, NULL, 0), 0);
    settle(pub);
    CU_ASSERT_TRUE(test_send(pub, "after", 0));
    CU_ASSERT_TRUE(nothing(sub));
    /* Unsubscribing from what was never subscribed is not an error. */
    unsubscribe(sub, "never");
    test_close(sub);
    test_close(pub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Two subscriptions to a prefix need two unsubscriptions. */
static void test_counted_subscriptions(void)
{
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    zmq_bind(pub, "inproc://counted");
    zmq_connect(sub, "inproc://counted");
    subscribe(sub, "A");
    subscribe(sub, "A");
    unsubscribe(sub, "A");
    settle(pub);
    CU_ASSERT_TRUE(test_send(pub, "A1", 0));
    CU_ASSERT_TRUE(recv_is(sub, "A1"));
    unsubscribe(sub, "A");
    settle(pub);
    CU_ASSERT_TRUE(test_send(pub, "A2", 0));
    CU_ASSERT_TRUE(nothing(sub));
    test_close(sub);
    test_close(pub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Matching looks at the first part only; the rest follows it whole. */
static void test_multipart(void)
{
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    zmq_bind(pub, "inproc://multipart");
    zmq_connect(sub, "inproc://multipart");
    subscribe(sub, "A");
    settle(pub);
    CU_ASSERT_TRUE(test_send(pub, "Z", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(pub, "A-not-first", 0));
    CU_ASSERT_TRUE(test_send(pub, "A1", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(pub, "Z", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(pub, "", 0));
    CU_ASSERT_TRUE(recv_is(sub, "A1"));
    CU_ASSERT_EQUAL(test_get_int(sub, ZMQ_RCVMORE), 1);
    CU_ASSERT_TRUE(recv_is(sub, "Z"));
    CU_ASSERT_EQUAL(test_get_int(sub, ZMQ_RCVMORE), 1);
    CU_ASSERT_TRUE(recv_is(sub, ""));
    CU_ASSERT_EQUAL(test_get_int(sub, ZMQ_RCVMORE), 0);
    CU_ASSERT_TRUE(nothing(sub));
    test_close(sub);
    test_close(pub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Each subscriber gets what it subscribed to, and only that. */
static void test_many_subscribers(void)
{
    enum { SUBSCRIBERS = 40 };
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    void *subs[SUBSCRIBERS];
    zmq_bind(pub, "inproc://many");
    for (int i = 0; i < SUBSCRIBERS; i++) {
        char topic[16];
        subs[i] = zmq_socket(ctx, ZMQ_SUB);
        zmq_connect(subs[i], "inproc://many");
        /* Every fourth takes everything. */
        snprintf(topic, sizeof topic, i % 4 == 0 ? "" : "t%02d", i);
        subscribe(subs[i], topic);
    }
    settle(pub);
    for (int i = 0; i < SUBSCRIBERS; i++) {
        char topic[16];
        snprintf(topic, sizeof topic, "t%02d", i);
        CU_ASSERT_TRUE(test_send(pub, topic, 0));
    }
    for (int i = 0; i < SUBSCRIBERS; i++) {
        int expected = i % 4 == 0 ? SUBSCRIBERS : 1;
        CU_ASSERT_EQUAL(count_waiting(subs[i]), expected);
        test_close(subs[i]);
    }
    test_close(pub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Subscriptions made before connecting, or before the publisher binds,
 * reach every publisher the subscriber connects to; messages published
 * before a subscription arrived are not delivered later. */
static void test_late_joiners_and_resubscription(void)
{
    void *ctx = zmq_ctx_new();
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    subscribe(sub, "A");
    CU_ASSERT_EQUAL(zmq_connect(sub, "inproc://late-1"), 0);
    void *pub1 = zmq_socket(ctx, ZMQ_PUB);
    CU_ASSERT_EQUAL(zmq_bind(pub1, "inproc://late-1"), 0);
    void *pub2 = zmq_socket(ctx, ZMQ_PUB);
    zmq_bind(pub2, "inproc://late-2");
    CU_ASSERT_TRUE(test_send(pub2, "A-early", 0));
    zmq_connect(sub, "inproc://late-2");
    settle(pub1);
    settle(pub2);
    CU_ASSERT_TRUE(test_send(pub1, "A-1", 0));
    CU_ASSERT_TRUE(test_send(pub2, "A-2", 0));
    CU_ASSERT_TRUE(test_send(pub2, "B-2", 0));
    CU_ASSERT_TRUE(recv_is(sub, "A-1"));
    CU_ASSERT_TRUE(recv_is(sub, "A-2"));
    CU_ASSERT_TRUE(nothing(sub));
    test_close(sub);
    test_close(pub1);
    test_close(pub2);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ---- what each type refuses ---------------------------------------- */

static void expect_setopt_einval(void *socket, int option, const void *value,
                                 size_t size)
{
    errno = 0;
    CU_ASSERT_EQUAL(zmq_setsockopt(socket, option, value, size), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
}

static void test_refusals(void)
{
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB), *sub = zmq_socket(ctx, ZMQ_SUB);
    void *xpub = zmq_socket(ctx, ZMQ_XPUB), *xsub = zmq_socket(ctx, ZMQ_XSUB);
    char buf[8];
    int one = 1, minus = -1;
    size_t size = sizeof one;

    errno = 0;
    CU_ASSERT_EQUAL(zmq_recv(pub, buf, sizeof buf, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, ENOTSUP);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(sub, "x", 1, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, ENOTSUP);
    /* Nothing to receive yet; sending never blocks. */
    errno = 0;
    CU_ASSERT_EQUAL(zmq_recv(xpub, buf, sizeof buf, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    CU_ASSERT_EQUAL(zmq_send(xpub, "x", 1, ZMQ_DONTWAIT), 1);
    CU_ASSERT_EQUAL(zmq_send(pub, "x", 1, ZMQ_DONTWAIT), 1);
    CU_ASSERT_EQUAL(zmq_send(xsub, "\1x", 2, ZMQ_DONTWAIT), 2);
    CU_ASSERT_EQUAL(zmq_send(xsub, "data", 4, ZMQ_DONTWAIT), 4);
    CU_ASSERT_EQUAL(test_get_int(pub, ZMQ_EVENTS), ZMQ_POLLOUT);
    CU_ASSERT_EQUAL(test_get_int(xpub, ZMQ_EVENTS), ZMQ_POLLOUT);
    CU_ASSERT_EQUAL(test_get_int(xsub, ZMQ_EVENTS), ZMQ_POLLOUT);
    CU_ASSERT_EQUAL(test_get_int(sub, ZMQ_EVENTS), 0);

    /* Subscriptions are SUB options (and manual XPUB ones). */
    expect_setopt_einval(pub, ZMQ_SUBSCRIBE, "a", 1);
    expect_setopt_einval(xpub, ZMQ_SUBSCRIBE, "a", 1);
    expect_setopt_einval(xpub, ZMQ_UNSUBSCRIBE, "a", 1);
    expect_setopt_einval(xsub, ZMQ_SUBSCRIBE, "a", 1);
    /* XPUB options: an int, not negative; not for the subscribers. */
    expect_setopt_einval(xpub, ZMQ_XPUB_VERBOSE, &minus, sizeof minus);
    expect_setopt_einval(xpub, ZMQ_XPUB_VERBOSE, "a", 1);
    expect_setopt_einval(sub, ZMQ_XPUB_VERBOSE, &one, sizeof one);
    expect_setopt_einval(xsub, ZMQ_XPUB_NODROP, &one, sizeof one);
    expect_setopt_einval(sub, ZMQ_ONLY_FIRST_SUBSCRIBE, &one, sizeof one);
    /* PUB takes the XPUB options, as in libzmq. */
    CU_ASSERT_TRUE(test_set_int(pub, ZMQ_XPUB_VERBOSE, 1));
    CU_ASSERT_TRUE(test_set_int(pub, ZMQ_XPUB_NODROP, 0));
    CU_ASSERT_TRUE(test_set_int(xpub, ZMQ_XPUB_VERBOSE, 2));
    CU_ASSERT_TRUE(test_set_int(xsub, ZMQ_ONLY_FIRST_SUBSCRIBE, 0));
    CU_ASSERT_EQUAL(zmq_setsockopt(xpub, ZMQ_XPUB_WELCOME_MSG, NULL, 0), 0);
    /* They are write-only. */
    errno = 0;
    CU_ASSERT_EQUAL(zmq_getsockopt(xpub, ZMQ_XPUB_VERBOSE, &one, &size), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_getsockopt(sub, ZMQ_SUBSCRIBE, buf, &size), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    /* Subscribers do not linger. */
    CU_ASSERT_EQUAL(test_get_int(sub, ZMQ_LINGER), 0);
    CU_ASSERT_EQUAL(test_get_int(xsub, ZMQ_LINGER), 0);

    zmq_close(pub);
    zmq_close(sub);
    zmq_close(xpub);
    zmq_close(xsub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ---- XPUB notices --------------------------------------------------- */

/* Notices for one subscriber's requests under each verbosity; the
 * subscriber counts its own duplicates and sends every subscription but
 * only its last unsubscription. */
static void check_notices(int verbosity_option)
{
    void *ctx = zmq_ctx_new();
    void *xpub = zmq_socket(ctx, ZMQ_XPUB);
    if (verbosity_option != 0)
        CU_ASSERT_TRUE(test_set_int(xpub, verbosity_option, 1));
    zmq_bind(xpub, "inproc://notices");
    void *first = zmq_socket(ctx, ZMQ_SUB);
    void *second = zmq_socket(ctx, ZMQ_SUB);
    zmq_connect(first, "inproc://notices");
    zmq_connect(second, "inproc://notices");
    bool verbose = verbosity_option != 0;
    bool verboser = verbosity_option == ZMQ_XPUB_VERBOSER;

    subscribe(first, "A");
    subscribe(first, "A");
    CU_ASSERT_TRUE(recv_notice(xpub, true, "A"));
    if (verbose)
        CU_ASSERT_TRUE(recv_notice(xpub, true, "A"));
    CU_ASSERT_TRUE(nothing(xpub));
    subscribe(second, "A");
    if (verbose)
        CU_ASSERT_TRUE(recv_notice(xpub, true, "A"));
    CU_ASSERT_TRUE(nothing(xpub));

    unsubscribe(first, "A"); /* one count left: not sent upstream */
    CU_ASSERT_TRUE(nothing(xpub));
    unsubscribe(first, "A"); /* second still subscribed */
    if (verboser)
        CU_ASSERT_TRUE(recv_notice(xpub, false, "A"));
    CU_ASSERT_TRUE(nothing(xpub));
    unsubscribe(second, "A");
    CU_ASSERT_TRUE(recv_notice(xpub, false, "A"));
    CU_ASSERT_TRUE(nothing(xpub));

    /* A departing subscriber is unsubscribed from everything it held, in
     * order of the prefixes; without VERBOSER only from what nobody else
     * holds. */
    subscribe(second, "B");
    CU_ASSERT_TRUE(recv_notice(xpub, true, "B"));
    subscribe(first, "C");
    subscribe(first, "B");
    subscribe(first, "Bb");
    subscribe(first, "");
    CU_ASSERT_TRUE(recv_notice(xpub, true, "C"));
    if (verbose)
        CU_ASSERT_TRUE(recv_notice(xpub, true, "B"));
    CU_ASSERT_TRUE(recv_notice(xpub, true, "Bb"));
    CU_ASSERT_TRUE(recv_notice(xpub, true, ""));
    CU_ASSERT_TRUE(nothing(xpub));
    zmq_close(first);
    CU_ASSERT_TRUE(recv_notice(xpub, false, ""));
    if (verboser)
        CU_ASSERT_TRUE(recv_notice(xpub, false, "B"));
    CU_ASSERT_TRUE(recv_notice(xpub, false, "Bb"));
    CU_ASSERT_TRUE(recv_notice(xpub, false, "C"));
    CU_ASSERT_TRUE(nothing(xpub));
    zmq_close(second);
    CU_ASSERT_TRUE(recv_notice(xpub, false, "B"));
    CU_ASSERT_TRUE(nothing(xpub));
    test_close(xpub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_xpub_notices_default(void)
{
    check_notices(0);
}

static void test_xpub_verbose(void)
{
    check_notices(ZMQ_XPUB_VERBOSE);
}

static void test_xpub_verboser(void)
{
    check_notices(ZMQ_XPUB_VERBOSER);
}

/* ---- XSUB <-> XPUB --------------------------------------------------- */

/* XSUB's requests and other messages reach XPUB; what XPUB publishes
 * reaches XSUB by its subscriptions, whole. */
static void test_xsub_xpub_both_ways(void)
{
    void *ctx = zmq_ctx_new();
    void *xpub = zmq_socket(ctx, ZMQ_XPUB);
    void *xsub = zmq_socket(ctx, ZMQ_XSUB);
    zmq_bind(xpub, "inproc://both-ways");
    zmq_connect(xsub, "inproc://both-ways");
    CU_ASSERT_TRUE(send_request(xsub, true, "A", 0));
    CU_ASSERT_TRUE(recv_notice(xpub, true, "A"));

    CU_ASSERT_TRUE(test_send(xpub, "A1", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(xpub, "tail", 0));
    CU_ASSERT_TRUE(test_send(xpub, "B1", 0));
    CU_ASSERT_TRUE(recv_is(xsub, "A1"));
    CU_ASSERT_EQUAL(test_get_int(xsub, ZMQ_RCVMORE), 1);
    CU_ASSERT_TRUE(recv_is(xsub, "tail"));
    CU_ASSERT_TRUE(nothing(xsub));

    /* Other messages go upstream as they are, more flags included. */
    CU_ASSERT_TRUE(test_send(xsub, "up", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(xsub, "stream", 0));
    CU_ASSERT_TRUE(test_send(xsub, "", 0));
    CU_ASSERT_TRUE(test_send(xsub, "\2x", 0));
    CU_ASSERT_TRUE(recv_is(xpub, "up"));
    CU_ASSERT_EQUAL(test_get_int(xpub, ZMQ_RCVMORE), 1);
    CU_ASSERT_TRUE(recv_is(xpub, "stream"));
    CU_ASSERT_EQUAL(test_get_int(xpub, ZMQ_RCVMORE), 0);
    CU_ASSERT_TRUE(recv_is(xpub, ""));
    CU_ASSERT_TRUE(recv_is(xpub, "\2x"));

    /* Unsubscribing from what XSUB never subscribed goes nowhere. */
    CU_ASSERT_TRUE(send_request(xsub, false, "Q", 0));
    CU_ASSERT_TRUE(send_request(xsub, false, "A", 0));
    CU_ASSERT_TRUE(recv_notice(xpub, false, "A"));
    CU_ASSERT_TRUE(nothing(xpub));
    test_close(xsub);
    test_close(xpub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

#ifdef ZMQ_XSUB_VERBOSE_UNSUBSCRIBE
/* With XSUB_VERBOSE_UNSUBSCRIBE every unsubscription goes upstream. */
static void test_xsub_verbose_unsubscribe(void)
{
    void *ctx = zmq_ctx_new();
    void *xpub = zmq_socket(ctx, ZMQ_XPUB);
    void *xsub = zmq_socket(ctx, ZMQ_XSUB);
    CU_ASSERT_TRUE(test_set_int(xpub, ZMQ_XPUB_VERBOSER, 1));
    CU_ASSERT_TRUE(test_set_int(xsub, ZMQ_XSUB_VERBOSE_UNSUBSCRIBE, 1));
    zmq_bind(xpub, "inproc://xsub-verbose");
    zmq_connect(xsub, "inproc://xsub-verbose");
    CU_ASSERT_TRUE(send_request(xsub, true, "A", 0));
    CU_ASSERT_TRUE(send_request(xsub, true, "A", 0));
    CU_ASSERT_TRUE(send_request(xsub, false, "A", 0));
    CU_ASSERT_TRUE(send_request(xsub, false, "never", 0));
    CU_ASSERT_TRUE(recv_notice(xpub, true, "A"));
    CU_ASSERT_TRUE(recv_notice(xpub, true, "A"));
    CU_ASSERT_TRUE(recv_notice(xpub, false, "A"));
    /* XPUB reports an unsubscription it cannot match, as libzmq does. */
    CU_ASSERT_TRUE(recv_notice(xpub, false, "never"));
    CU_ASSERT_TRUE(nothing(xpub));
    test_close(xsub);
    test_close(xpub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}
#endif

/* A publisher that appears later gets each subscribed prefix once. */
static void test_xsub_resubscribes(void)
{
    void *ctx = zmq_ctx_new();
    void *xsub = zmq_socket(ctx, ZMQ_XSUB);
    CU_ASSERT_TRUE(send_request(xsub, true, "Q", 0));
    CU_ASSERT_TRUE(send_request(xsub, true, "Qa", 0));
    CU_ASSERT_TRUE(send_request(xsub, true, "Q", 0));
    CU_ASSERT_TRUE(send_request(xsub, true, "gone", 0));
    CU_ASSERT_TRUE(send_request(xsub, false, "gone", 0));
    zmq_connect(xsub, "inproc://resubscribe");
    void *xpub = zmq_socket(ctx, ZMQ_XPUB);
    CU_ASSERT_TRUE(test_set_int(xpub, ZMQ_XPUB_VERBOSER, 1));
    zmq_bind(xpub, "inproc://resubscribe");
    CU_ASSERT_TRUE(recv_notice(xpub, true, "Q"));
    CU_ASSERT_TRUE(recv_notice(xpub, true, "Qa"));
    CU_ASSERT_TRUE(nothing(xpub));
    test_close(xsub);
    test_close(xpub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ---- XPUB modes ----------------------------------------------------- */

/* In manual mode the application decides what the peer of the last
 * notice gets; XSUB itself does not filter what arrives. */
static void test_xpub_manual(void)
{
    void *ctx = zmq_ctx_new();
    void *xpub = zmq_socket(ctx, ZMQ_XPUB);
    CU_ASSERT_TRUE(test_set_int(xpub, ZMQ_XPUB_MANUAL, 1));
    /* No notice received yet: accepted, and ignored. */
    CU_ASSERT_EQUAL(zmq_setsockopt(xpub, ZMQ_SUBSCRIBE, "A", 1), 0);
    zmq_bind(xpub, "inproc://manual");
    void *xsub = zmq_socket(ctx, ZMQ_XSUB);
    zmq_connect(xsub, "inproc://manual");
    CU_ASSERT_TRUE(send_request(xsub, true, "A", 0));
    CU_ASSERT_TRUE(recv_notice(xpub, true, "A"));
    CU_ASSERT_EQUAL(zmq_setsockopt(xpub, ZMQ_SUBSCRIBE, "Z", 1), 0);
    CU_ASSERT_TRUE(test_send(xpub, "A1", 0));
    CU_ASSERT_TRUE(test_send(xpub, "Z1", 0));
    CU_ASSERT_TRUE(recv_is(xsub, "Z1"));
    CU_ASSERT_TRUE(nothing(xsub));

    /* The peer's unsubscription is reported, not applied. */
    CU_ASSERT_TRUE(send_request(xsub, true, "B", 0));
    CU_ASSERT_TRUE(recv_notice(xpub, true, "B"));
    CU_ASSERT_TRUE(send_request(xsub, false, "A", 0));
    CU_ASSERT_TRUE(recv_notice(xpub, false, "A"));
    CU_ASSERT_TRUE(test_send(xpub, "Z2", 0));
    CU_ASSERT_TRUE(recv_is(xsub, "Z2"));
    CU_ASSERT_EQUAL(zmq_setsockopt(xpub, ZMQ_UNSUBSCRIBE, "Z", 1), 0);
    CU_ASSERT_TRUE(test_send(xpub, "Z3", 0));
    CU_ASSERT_TRUE(nothing(xsub));

    /* When the peer goes, what it asked for (and kept) is reported. */
    test_close(xsub);
    CU_ASSERT_TRUE(recv_notice(xpub, false, "B"));
    CU_ASSERT_TRUE(nothing(xpub));
    /* No last pipe any more: accepted and ignored. */
    CU_ASSERT_EQUAL(zmq_setsockopt(xpub, ZMQ_SUBSCRIBE, "B", 1), 0);
    test_close(xpub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Last value caching: the first message after a manual subscription goes
 * to the new subscriber only. */
static void test_xpub_manual_last_value(void)
{
    void *ctx = zmq_ctx_new();
    void *xpub = zmq_socket(ctx, ZMQ_XPUB);
    CU_ASSERT_TRUE(test_set_int(xpub, ZMQ_XPUB_MANUAL_LAST_VALUE, 1));
    zmq_bind(xpub, "inproc://last-value");
    void *first = zmq_socket(ctx, ZMQ_SUB), *second = zmq_socket(ctx, ZMQ_SUB);
    zmq_connect(first, "inproc://last-value");
    subscribe(first, "A");
    CU_ASSERT_TRUE(recv_notice(xpub, true, "A"));
    CU_ASSERT_EQUAL(zmq_setsockopt(xpub, ZMQ_SUBSCRIBE, "A", 1), 0);
    CU_ASSERT_TRUE(test_send(xpub, "A-cached-1", 0));
    zmq_connect(second, "inproc://last-value");
    subscribe(second, "A");
    CU_ASSERT_TRUE(recv_notice(xpub, true, "A"));
    CU_ASSERT_EQUAL(zmq_setsockopt(xpub, ZMQ_SUBSCRIBE, "A", 1), 0);
    CU_ASSERT_TRUE(test_send(xpub, "A-cached-2", 0));
    CU_ASSERT_TRUE(test_send(xpub, "A-next", 0));
    CU_ASSERT_TRUE(recv_is(first, "A-cached-1"));
    CU_ASSERT_TRUE(recv_is(first, "A-next"));
    CU_ASSERT_TRUE(nothing(first));
    CU_ASSERT_TRUE(recv_is(second, "A-cached-2"));
    CU_ASSERT_TRUE(recv_is(second, "A-next"));
    CU_ASSERT_TRUE(nothing(second));
    test_close(first);
    test_close(second);
    test_close(xpub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Every new peer is sent the welcome message first; subscribers see it
 * when subscribed to it (XSUB always). */
static void test_xpub_welcome(void)
{
    void *ctx = zmq_ctx_new();
    void *xpub = zmq_socket(ctx, ZMQ_XPUB);
    CU_ASSERT_EQUAL(zmq_setsockopt(xpub, ZMQ_XPUB_WELCOME_MSG, "W-hi", 4), 0);
    zmq_bind(xpub, "inproc://welcome");
    void *sub = zmq_socket(ctx, ZMQ_SUB), *deaf = zmq_socket(ctx, ZMQ_SUB);
    void *xsub = zmq_socket(ctx, ZMQ_XSUB);
    subscribe(sub, "W");
    zmq_connect(sub, "inproc://welcome");
    zmq_connect(deaf, "inproc://welcome");
    zmq_connect(xsub, "inproc://welcome");
    CU_ASSERT_TRUE(recv_notice(xpub, true, "W"));
    CU_ASSERT_TRUE(recv_is(sub, "W-hi"));
    CU_ASSERT_TRUE(recv_is(xsub, "W-hi"));
    CU_ASSERT_TRUE(nothing(deaf));
    /* Turned off, later peers get nothing. */
    CU_ASSERT_EQUAL(zmq_setsockopt(xpub, ZMQ_XPUB_WELCOME_MSG, NULL, 0), 0);
    void *late = zmq_socket(ctx, ZMQ_XSUB);
    zmq_connect(late, "inproc://welcome");
    settle(xpub);
    CU_ASSERT_TRUE(nothing(late));
    test_close(sub);
    test_close(deaf);
    test_close(xsub);
    test_close(late);
    test_close(xpub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

struct drain_job {
    void *socket;
    int received;
};

/* Waits a little, then reads up to the message "last". */
static void *drain_later(void *arg)
{
    struct drain_job *job = arg;
    usleep(50 * 1000);
    char buf[16];
    for (int i = 0; i < 1000; i++) {
        int rc = test_recv(job->socket, buf, sizeof buf, WAIT_MS);
        if (rc < 0)
            break;
        job->received++;
        if (strcmp(buf, "last") == 0)
            break;
    }
    return NULL;
}

/* NODROP: a subscriber at its HWM makes send fail with EAGAIN (or wait)
 * instead of losing the message; the socket stays writable. */
static void test_xpub_nodrop(void)
{
    enum { HWM = 2 };
    void *ctx = zmq_ctx_new();
    void *xpub = zmq_socket(ctx, ZMQ_XPUB);
    CU_ASSERT_TRUE(test_set_int(xpub, ZMQ_XPUB_NODROP, 1));
    CU_ASSERT_TRUE(test_set_int(xpub, ZMQ_SNDHWM, HWM));
    zmq_bind(xpub, "inproc://nodrop");
    void *sub = zmq_socket(ctx, ZMQ_SUB), *other = zmq_socket(ctx, ZMQ_SUB);
    CU_ASSERT_TRUE(test_set_int(sub, ZMQ_RCVHWM, HWM));
    zmq_connect(sub, "inproc://nodrop");
    zmq_connect(other, "inproc://nodrop");
    subscribe(sub, "m");
    subscribe(sub, "X");
    subscribe(sub, "last");
    subscribe(other, "X");
    subscribe(other, "Y");
    CU_ASSERT_TRUE(recv_notice(xpub, true, "m"));
    CU_ASSERT_TRUE(recv_notice(xpub, true, "X"));
    CU_ASSERT_TRUE(recv_notice(xpub, true, "last"));
    CU_ASSERT_TRUE(recv_notice(xpub, true, "Y"));

    /* Inproc queues hold the sender's SNDHWM plus the receiver's RCVHWM. */
    int sent = 0;
    for (int i = 0; i < 100; i++) {
        if (zmq_send(xpub, "m", 1, ZMQ_DONTWAIT) != 1)
            break;
        sent++;
    }
    CU_ASSERT_EQUAL(sent, 2 * HWM);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    /* Also when another matching subscriber has room. */
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(xpub, "X1", 2, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    CU_ASSERT_TRUE(test_set_int(xpub, ZMQ_SNDTIMEO, 10));
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(xpub, "m", 1, 0), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    CU_ASSERT_TRUE((test_get_int(xpub, ZMQ_EVENTS) & ZMQ_POLLOUT) != 0);
    /* Messages for others only still go. */
    CU_ASSERT_TRUE(test_send(xpub, "Y1", ZMQ_DONTWAIT));

    /* A blocking send waits until the subscriber makes room. */
    struct drain_job job = { .socket = sub };
    pthread_t reader;
    CU_ASSERT_EQUAL(pthread_create(&reader, NULL, drain_later, &job), 0);
    CU_ASSERT_TRUE(test_set_int(xpub, ZMQ_SNDTIMEO, 10 * WAIT_MS));
    CU_ASSERT_TRUE(test_send(xpub, "X2", 0));
    CU_ASSERT_TRUE(test_send(xpub, "last", 0));
    pthread_join(reader, NULL);
    CU_ASSERT_EQUAL(job.received, 2 * HWM + 2);
    CU_ASSERT_TRUE(recv_is(other, "Y1"));
    CU_ASSERT_TRUE(recv_is(other, "X2"));
    CU_ASSERT_TRUE(nothing(other));
    test_close(sub);
    test_close(other);
    test_close(xpub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Without NODROP a subscriber at its HWM loses whole messages, and the
 * others are not held back. */
static void test_pub_hwm_drop(void)
{
    enum { HWM = 5, SENT = 100 };
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    CU_ASSERT_TRUE(test_set_int(pub, ZMQ_SNDHWM, HWM));
    zmq_bind(pub, "inproc://drop");
    void *slow = zmq_socket(ctx, ZMQ_SUB), *fast = zmq_socket(ctx, ZMQ_SUB);
    CU_ASSERT_TRUE(test_set_int(slow, ZMQ_RCVHWM, HWM));
    CU_ASSERT_TRUE(test_set_int(fast, ZMQ_RCVHWM, 0));
    zmq_connect(slow, "inproc://drop");
    zmq_connect(fast, "inproc://drop");
    subscribe(slow, "");
    subscribe(fast, "");
    settle(pub);
    for (int i = 0; i < SENT; i++) {
        CU_ASSERT_TRUE(test_send(pub, "head", ZMQ_SNDMORE | ZMQ_DONTWAIT));
        CU_ASSERT_TRUE(test_send(pub, "tail", ZMQ_DONTWAIT));
        /* The fast one keeps up. */
        CU_ASSERT_EQUAL(count_waiting(fast), 1);
    }
    /* Whole messages, as many as the pipe holds (SNDHWM + RCVHWM). */
    int messages = 0;
    for (int i = 0; i < SENT + 1; i++) {
        if (!test_recv_is(slow, "head", NOTHING_MS))
            break;
        CU_ASSERT_EQUAL(test_get_int(slow, ZMQ_RCVMORE), 1);
        CU_ASSERT_TRUE(recv_is(slow, "tail"));
        messages++;
    }
    CU_ASSERT_EQUAL(messages, 2 * HWM);
    /* Drained, it gets messages again. */
    CU_ASSERT_TRUE(test_send(pub, "again", 0));
    CU_ASSERT_TRUE(recv_is(slow, "again"));
    test_close(slow);
    test_close(fast);
    test_close(pub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ---- inverted matching, only-first ----------------------------------- */

static void test_invert_matching(void)
{
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    CU_ASSERT_TRUE(test_set_int(pub, ZMQ_INVERT_MATCHING, 1));
    CU_ASSERT_EQUAL(test_get_int(pub, ZMQ_INVERT_MATCHING), 1);
    zmq_bind(pub, "inproc://invert");
    void *inverted = zmq_socket(ctx, ZMQ_SUB);
    void *plain = zmq_socket(ctx, ZMQ_SUB);
    void *everything = zmq_socket(ctx, ZMQ_SUB);
    CU_ASSERT_TRUE(test_set_int(inverted, ZMQ_INVERT_MATCHING, 1));
    CU_ASSERT_TRUE(test_set_int(everything, ZMQ_INVERT_MATCHING, 1));
    subscribe(inverted, "A");
    subscribe(plain, "B");
    zmq_connect(inverted, "inproc://invert");
    zmq_connect(plain, "inproc://invert");
    zmq_connect(everything, "inproc://invert");
    settle(pub);
    CU_ASSERT_TRUE(test_send(pub, "A1", 0));
    CU_ASSERT_TRUE(test_send(pub, "B1", 0));
    CU_ASSERT_TRUE(test_send(pub, "C1", 0));
    CU_ASSERT_TRUE(recv_is(inverted, "B1"));
    CU_ASSERT_TRUE(recv_is(inverted, "C1"));
    CU_ASSERT_TRUE(nothing(inverted));
    /* The publisher skips it for B, and it rejects what it does get. */
    CU_ASSERT_TRUE(nothing(plain));
    CU_ASSERT_TRUE(recv_is(everything, "A1"));
    CU_ASSERT_TRUE(recv_is(everything, "B1"));
    CU_ASSERT_TRUE(recv_is(everything, "C1"));
    test_close(inverted);
    test_close(plain);
    test_close(everything);
    test_close(pub);

    /* XPUB inverts its choice for the whole message; XSUB never filters. */
    void *xpub = zmq_socket(ctx, ZMQ_XPUB);
    CU_ASSERT_TRUE(test_set_int(xpub, ZMQ_INVERT_MATCHING, 1));
    zmq_bind(xpub, "inproc://xinvert");
    void *a = zmq_socket(ctx, ZMQ_XSUB), *ab = zmq_socket(ctx, ZMQ_XSUB);
    zmq_connect(a, "inproc://xinvert");
    zmq_connect(ab, "inproc://xinvert");
    CU_ASSERT_TRUE(send_request(a, true, "A", 0));
    CU_ASSERT_TRUE(recv_notice(xpub, true, "A"));
    CU_ASSERT_TRUE(send_request(ab, true, "B", 0));
    CU_ASSERT_TRUE(recv_notice(xpub, true, "B"));
    CU_ASSERT_TRUE(test_send(xpub, "A1", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(xpub, "tail", 0));
    CU_ASSERT_TRUE(test_send(xpub, "C1", 0));
    CU_ASSERT_TRUE(recv_is(a, "C1"));
    CU_ASSERT_TRUE(nothing(a));
    CU_ASSERT_TRUE(recv_is(ab, "A1"));
    CU_ASSERT_TRUE(recv_is(ab, "tail"));
    CU_ASSERT_TRUE(recv_is(ab, "C1"));
    test_close(a);
    test_close(ab);
    test_close(xpub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Parts after the first are (un)subscriptions too, unless
 * ONLY_FIRST_SUBSCRIBE is set and the first part was not one. */
static void check_only_first(bool only_first)
{
    void *ctx = zmq_ctx_new();
    void *xpub = zmq_socket(ctx, ZMQ_XPUB);
    CU_ASSERT_TRUE(test_set_int(xpub, ZMQ_ONLY_FIRST_SUBSCRIBE, only_first));
    CU_ASSERT_TRUE(test_set_int(xpub, ZMQ_XPUB_VERBOSE, 1));
    zmq_bind(xpub, "inproc://only-first");
    void *xsub = zmq_socket(ctx, ZMQ_XSUB);
    zmq_connect(xsub, "inproc://only-first");
    CU_ASSERT_TRUE(send_request(xsub, true, "A", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(send_request(xsub, true, "B", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(xsub, "data", 0));
    CU_ASSERT_TRUE(test_send(xsub, "data", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(send_request(xsub, true, "C", 0));
    CU_ASSERT_TRUE(recv_notice(xpub, true, "A"));
    CU_ASSERT_TRUE(recv_notice(xpub, true, "B"));
    CU_ASSERT_TRUE(recv_is(xpub, "data"));
    CU_ASSERT_EQUAL(test_get_int(xpub, ZMQ_RCVMORE), 0);
    CU_ASSERT_TRUE(recv_is(xpub, "data"));
    CU_ASSERT_EQUAL(test_get_int(xpub, ZMQ_RCVMORE), 1);
    CU_ASSERT_TRUE(recv_bytes(xpub, "\1C", 2));
    CU_ASSERT_EQUAL(test_get_int(xpub, ZMQ_RCVMORE), 0);
    CU_ASSERT_TRUE(nothing(xpub));
    /* C is a subscription only when parts after the first count. */
    CU_ASSERT_TRUE(test_send(xpub, "C1", 0));
    if (only_first) {
        CU_ASSERT_TRUE(nothing(xsub));
    } else {
        CU_ASSERT_TRUE(recv_is(xsub, "C1"));
    }
    test_close(xsub);
    test_close(xpub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_only_first_subscribe(void)
{
    check_only_first(false);
    check_only_first(true);
}

/* ---- large subscription sets ----------------------------------------- */

#ifdef ZMQ_TOPICS_COUNT
static void test_topics_count(void)
{
    void *ctx = zmq_ctx_new();
    void *xpub = zmq_socket(ctx, ZMQ_XPUB);
    void *sub = zmq_socket(ctx, ZMQ_SUB), *xsub = zmq_socket(ctx, ZMQ_XSUB);
    zmq_bind(xpub, "inproc://topics");
    zmq_connect(sub, "inproc://topics");
    zmq_connect(xsub, "inproc://topics");
    subscribe(sub, "A");
    subscribe(sub, "A");
    subscribe(sub, "B");
    CU_ASSERT_TRUE(send_request(xsub, true, "B", 0));
    CU_ASSERT_TRUE(send_request(xsub, true, "C", 0));
    CU_ASSERT_TRUE(recv_notice(xpub, true, "A"));
    CU_ASSERT_TRUE(recv_notice(xpub, true, "B"));
    CU_ASSERT_TRUE(recv_notice(xpub, true, "C"));
    CU_ASSERT_EQUAL(test_get_int(sub, ZMQ_TOPICS_COUNT), 2);
    CU_ASSERT_EQUAL(test_get_int(xsub, ZMQ_TOPICS_COUNT), 2);
    CU_ASSERT_EQUAL(test_get_int(xpub, ZMQ_TOPICS_COUNT), 3);
    test_close(sub);
    CU_ASSERT_TRUE(recv_notice(xpub, false, "A"));
    CU_ASSERT_EQUAL(test_get_int(xpub, ZMQ_TOPICS_COUNT), 2);
    /* Read-only. */
    errno = 0;
    CU_ASSERT_FALSE(test_set_int(xpub, ZMQ_TOPICS_COUNT, 1));
    CU_ASSERT_EQUAL(errno, EINVAL);
    test_close(xsub);
    test_close(xpub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}
#endif

/* 10,000 distinct subscriptions on one SUB: exactly the subscribed
 * topics get through, before and after unsubscribing half of them. */
static void test_ten_thousand_subscriptions(void)
{
    enum { TOPICS = 10000, STRIDE = 97 };
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    CU_ASSERT_TRUE(test_set_int(sub, ZMQ_SNDHWM, 0));
    CU_ASSERT_TRUE(test_set_int(pub, ZMQ_SNDHWM, 0));
    zmq_bind(pub, "inproc://ten-thousand");
    zmq_connect(sub, "inproc://ten-thousand");
    char topic[32];
    for (int i = 0; i < TOPICS; i++) {
        snprintf(topic, sizeof topic, "sensor/%05d/", i * 2);
        subscribe(sub, topic);
    }
    settle(pub);
#ifdef ZMQ_TOPICS_COUNT
    CU_ASSERT_EQUAL(test_get_int(sub, ZMQ_TOPICS_COUNT), TOPICS);
#endif
    /* Even numbers are subscribed, odd ones not; "sensor/0000" is a
     * prefix of subscriptions but matches none. */
    int expected = 0;
    for (int n = 0; n < 2 * TOPICS; n += STRIDE) {
        snprintf(topic, sizeof topic, "sensor/%05d/value", n);
        CU_ASSERT_TRUE(test_send(pub, topic, 0));
        expected += n % 2 == 0;
    }
    CU_ASSERT_TRUE(test_send(pub, "sensor/0000", 0));
    CU_ASSERT_TRUE(test_send(pub, "sensor/", 0));
    for (int n = 0; n < 2 * TOPICS; n += STRIDE) {
        if (n % 2 != 0)
            continue;
        snprintf(topic, sizeof topic, "sensor/%05d/value", n);
        CU_ASSERT_TRUE(recv_is(sub, topic));
    }
    CU_ASSERT_TRUE(nothing(sub));
    CU_ASSERT_TRUE(expected > 50);

    /* Drop the subscriptions to multiples of 4. */
    for (int i = 0; i < TOPICS; i += 2) {
        snprintf(topic, sizeof topic, "sensor/%05d/", i * 2);
        unsubscribe(sub, topic);
    }
    settle(pub);
    for (int n = 0; n < 2 * TOPICS; n += STRIDE) {
        snprintf(topic, sizeof topic, "sensor/%05d/value", n);
        CU_ASSERT_TRUE(test_send(pub, topic, 0));
    }
    for (int n = 0; n < 2 * TOPICS; n += STRIDE) {
        if (n % 4 != 2)
            continue;
        snprintf(topic, sizeof topic, "sensor/%05d/value", n);
        CU_ASSERT_TRUE(recv_is(sub, topic));
    }
    CU_ASSERT_TRUE(nothing(sub));
    test_close(sub);
    test_close(pub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ---- model checks ------------------------------------------------------ */

/* Every topic of up to depth bytes over the first letters of the
 * alphabet, shortest first. Three letters four deep give prefixes of one
 * another, so that random subscribing and unsubscribing splits and merges
 * the prefix trees in every way; ten letters two deep give nodes that
 * grow wider than eight children and shrink back. */
enum {
    MODEL_MAX_DEPTH = 4,
    MODEL_MAX_TOPICS = 121,
    MODEL_PEERS = 3,
    MODEL_ROUNDS = 12,
    MODEL_CHANGES = 30
};
static char model_topics[MODEL_MAX_TOPICS][MODEL_MAX_DEPTH + 1];
static int model_topic_count;

static void model_init(int letters, int depth)
{
    int count = 1;
    model_topics[0][0] = '\0';
    for (int i = 0; i < count; i++) {
        size_t length = strlen(model_topics[i]);
        if ((int) length == depth)
            break;
        for (int letter = 0; letter < letters && count < MODEL_MAX_TOPICS;
             letter++) {
            memcpy(model_topics[count], model_topics[i], length);
            model_topics[count][length] = (char) ('a' + letter);
            model_topics[count][length + 1] = '\0';
            count++;
        }
    }
    model_topic_count = count;
}

static bool model_matches(const int *counts, const char *message)
{
    for (int t = 0; t < model_topic_count; t++) {
        const char *topic = model_topics[t];
        if (counts[t] > 0 && strncmp(message, topic, strlen(topic)) == 0)
            return true;
    }
    return false;
}

/* Publishes every model topic and checks that each receiver gets exactly
 * those its subscription counts let through. */
static void check_against_model(void *publisher, void **receivers,
                                int counts[][MODEL_MAX_TOPICS],
                                int receiver_count)
{
    for (int t = 0; t < model_topic_count; t++)
        CU_ASSERT_TRUE(test_send(publisher, model_topics[t], 0));
    for (int r = 0; r < receiver_count; r++) {
        for (int t = 0; t < model_topic_count; t++)
            if (model_matches(counts[r], model_topics[t]))
                CU_ASSERT_TRUE(recv_is(receivers[r], model_topics[t]));
        CU_ASSERT_TRUE(nothing(receivers[r]));
    }
}

/* A small deterministic generator, so that failures repeat. */
static unsigned next_random(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fff;
}

/* Picks a topic and whether to subscribe (always, when not subscribed). */
static int pick_change(unsigned *seed, const int *counts, bool *add)
{
    int t = (int) (next_random(seed) % (unsigned) model_topic_count);
    *add = next_random(seed) % 2 != 0 || counts[t] == 0;
    return t;
}

/* XPUB's matching alone: XSUBs do not filter, so what they receive is
 * what XPUB chose, through random subscribes and unsubscribes and a
 * departing peer. */
static void check_xpub_matching_model(int letters, int depth)
{
    model_init(letters, depth);
    void *ctx = zmq_ctx_new();
    void *xpub = zmq_socket(ctx, ZMQ_XPUB);
    CU_ASSERT_TRUE(test_set_int(xpub, ZMQ_SNDHWM, 0));
    zmq_bind(xpub, "inproc://xpub-model");
    void *peers[MODEL_PEERS];
    static int counts[MODEL_PEERS][MODEL_MAX_TOPICS];
    memset(counts, 0, sizeof counts);
    for (int p = 0; p < MODEL_PEERS; p++) {
        peers[p] = zmq_socket(ctx, ZMQ_XSUB);
        test_set_int(peers[p], ZMQ_RCVHWM, 0);
        zmq_connect(peers[p], "inproc://xpub-model");
    }
    int live = MODEL_PEERS;
    unsigned seed = 7;
    for (int round = 0; round < MODEL_ROUNDS; round++) {
        for (int change = 0; change < MODEL_CHANGES; change++) {
            int p = (int) (next_random(&seed) % (unsigned) live);
            bool add;
            int t = pick_change(&seed, counts[p], &add);
            CU_ASSERT_TRUE(send_request(peers[p], add, model_topics[t], 0));
            counts[p][t] += add ? 1 : -1;
        }
        /* Receiving the notices makes XPUB apply every request first. */
        count_waiting(xpub);
        check_against_model(xpub, peers, counts, live);
        if (round == MODEL_ROUNDS / 2) {
            /* The last peer leaves; the others keep what they have. */
            test_close(peers[--live]);
            count_waiting(xpub);
        }
    }
    for (int p = 0; p < live; p++)
        test_close(peers[p]);
    test_close(xpub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* SUB's filter alone: a manual XPUB subscribes the SUB's pipe to
 * everything, so what arrives is what SUB let through. */
static void check_sub_filter_model(int letters, int depth)
{
    model_init(letters, depth);
    void *ctx = zmq_ctx_new();
    void *xpub = zmq_socket(ctx, ZMQ_XPUB);
    CU_ASSERT_TRUE(test_set_int(xpub, ZMQ_XPUB_MANUAL, 1));
    CU_ASSERT_TRUE(test_set_int(xpub, ZMQ_SNDHWM, 0));
    zmq_bind(xpub, "inproc://sub-model");
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    test_set_int(sub, ZMQ_RCVHWM, 0);
    zmq_connect(sub, "inproc://sub-model");
    subscribe(sub, "zz");
    CU_ASSERT_TRUE(recv_notice(xpub, true, "zz"));
    CU_ASSERT_EQUAL(zmq_setsockopt(xpub, ZMQ_SUBSCRIBE, "", 0), 0);
    static int counts[1][MODEL_MAX_TOPICS];
    memset(counts, 0, sizeof counts);
    unsigned seed = 11;
    for (int round = 0; round < MODEL_ROUNDS; round++) {
        for (int change = 0; change < MODEL_CHANGES; change++) {
            bool add;
            int t = pick_change(&seed, counts[0], &add);
            if (add)
                subscribe(sub, model_topics[t]);
            else
                unsubscribe(sub, model_topics[t]);
            counts[0][t] += add ? 1 : -1;
        }
        check_against_model(xpub, &sub, counts, 1);
    }
    test_close(sub);
    test_close(xpub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_xpub_matching_model(void)
{
    check_xpub_matching_model(3, 4);
    check_xpub_matching_model(10, 2);
}

static void test_sub_filter_model(void)
{
    check_sub_filter_model(3, 4);
    check_sub_filter_model(10, 2);
}

/* ---- the rest ----------------------------------------------------------- */

/* Whatever an XSUB sends a PUB is dropped; PUB keeps publishing. */
static void test_pub_ignores_upstream_messages(void)
{
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    void *xsub = zmq_socket(ctx, ZMQ_XSUB);
    zmq_bind(pub, "inproc://upstream");
    zmq_connect(xsub, "inproc://upstream");
    CU_ASSERT_TRUE(test_send(xsub, "hello", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(send_request(xsub, true, "A", 0));
    CU_ASSERT_TRUE(send_request(xsub, true, "B", 0));
    settle(pub);
    CU_ASSERT_EQUAL(test_get_int(pub, ZMQ_EVENTS), ZMQ_POLLOUT);
    CU_ASSERT_TRUE(test_send(pub, "A1", 0));
    CU_ASSERT_TRUE(test_send(pub, "B1", 0));
    CU_ASSERT_TRUE(recv_is(xsub, "A1"));
    CU_ASSERT_TRUE(recv_is(xsub, "B1"));
    test_close(xsub);
    test_close(pub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "prefix matching", test_prefix_matching },
        { "empty subscription and unsubscribe",
          test_empty_subscription_and_unsubscribe },
        { "counted subscriptions", test_counted_subscriptions },
        { "multipart", test_multipart },
        { "many subscribers", test_many_subscribers },
        { "late joiners and resubscription",
          test_late_joiners_and_resubscription },
        { "refusals", test_refusals },
        { "xpub notices", test_xpub_notices_default },
        { "xpub verbose", test_xpub_verbose },
        { "xpub verboser", test_xpub_verboser },
        { "xsub <-> xpub", test_xsub_xpub_both_ways },
#ifdef ZMQ_XSUB_VERBOSE_UNSUBSCRIBE
        { "xsub verbose unsubscribe", test_xsub_verbose_unsubscribe },
#endif
        { "xsub resubscribes", test_xsub_resubscribes },
        { "xpub manual", test_xpub_manual },
        { "xpub manual last value", test_xpub_manual_last_value },
        { "xpub welcome", test_xpub_welcome },
        { "xpub nodrop", test_xpub_nodrop },
        { "pub hwm drop", test_pub_hwm_drop },
        { "invert matching", test_invert_matching },
        { "only first subscribe", test_only_first_subscribe },
#ifdef ZMQ_TOPICS_COUNT
        { "topics count", test_topics_count },
#endif
        { "10,000 subscriptions", test_ten_thousand_subscriptions },
        { "xpub matching model", test_xpub_matching_model },
        { "sub filter model", test_sub_filter_model },
        { "pub ignores upstream messages", test_pub_ignores_upstream_messages },
    };
    return test_run_suite("pubsub", tests, sizeof tests / sizeof tests[0]);
}
