/*
 * Traffic tests shared by the suites of the own-engine multicast
 * transports (pgm, epgm, norm), each run in a network namespace of its
 * own (test_in_network_namespace): ours to ours, XPUB bound and XSUB, a
 * late subscriber, and Debian's libzmq 4.3.4 (a pyzmq peer, tests/peer.c)
 * both ways, with multipart messages and messages spanning many packets.
 * See multicast_traffic.h.
 */
#include "multicast_traffic.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "peer.h"
#include "testutil.h"

enum { BIG = 100000 };

bool multicast_route(void)
{
    return system("ip route add 224.0.0.0/4 dev lo 2>/dev/null") == 0;
}

void *multicast_socket_at(void *context, int type,
                          const struct multicast_case *c)
{
    const char *endpoint = c->endpoint;
    void *s = zmq_socket(context, type);
    if (c->rate > 0)
        test_set_int(s, ZMQ_RATE, c->rate);
    test_set_int(s, ZMQ_LINGER, 2000);
    test_set_int(s, ZMQ_RCVTIMEO, 100);
    if (type == ZMQ_SUB)
        zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0);
    if (zmq_connect(s, endpoint) != 0) {
        fprintf(stderr, "\n  connect %s: %s\n", endpoint, zmq_strerror(errno));
        zmq_close(s);
        return NULL;
    }
    return s;
}

void multicast_fill_pattern(uint8_t *data, size_t size, unsigned seed)
{
    for (size_t k = 0; k < size; k++)
        data[k] = (uint8_t) (k * 7 + seed);
}

bool multicast_is_pattern(const uint8_t *data, size_t size, unsigned seed)
{
    for (size_t k = 0; k < size; k++)
        if (data[k] != (uint8_t) (k * 7 + seed))
            return false;
    return true;
}

/* Sends "ping" until sub hears one, at most 10 s; then drains the pings
 * up to a "last". */
bool multicast_until_heard(void *pub, void *sub)
{
    char buf[16];
    for (int i = 0; i < 100; i++) {
        zmq_send(pub, "ping", 4, 0);
        if (zmq_recv(sub, buf, sizeof buf, 0) == 4) {
            zmq_send(pub, "last", 4, 0);
            for (int k = 0; k < 100; k++)
                if (zmq_recv(sub, buf, sizeof buf, 0) == 4 &&
                    memcmp(buf, "last", 4) == 0)
                    return true;
            return false;
        }
    }
    return false;
}

/* A three-part message, one of BIG octets, and a SUB that filters. */
int multicast_ours_to_ours(void *arg)
{
    const struct multicast_case *c = arg;
    if (!multicast_route())
        return 20;
    void *context = zmq_ctx_new();
    void *sub = multicast_socket_at(context, ZMQ_SUB, c);
    void *pub = multicast_socket_at(context, ZMQ_PUB, c);
    if (sub == NULL || pub == NULL)
        return 21;
    if (!multicast_until_heard(pub, sub))
        return 22;
    zmq_send(pub, "a", 1, ZMQ_SNDMORE);
    zmq_send(pub, "bb", 2, ZMQ_SNDMORE);
    zmq_send(pub, "", 0, 0);
    static uint8_t big[BIG], in[BIG + 1];
    multicast_fill_pattern(big, BIG, 3);
    zmq_send(pub, big, BIG, 0);
    test_set_int(sub, ZMQ_RCVTIMEO, 10000);
    int more = 0;
    size_t size = sizeof more;
    if (zmq_recv(sub, in, sizeof in, 0) != 1 || in[0] != 'a')
        return 23;
    zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &size);
    if (!more || zmq_recv(sub, in, sizeof in, 0) != 2 ||
        zmq_recv(sub, in, sizeof in, 0) != 0)
        return 24;
    if (zmq_recv(sub, in, sizeof in, 0) != BIG || !multicast_is_pattern(in, BIG, 3))
        return 25;
    /* SUB filters: only what starts with "B" now. */
    zmq_setsockopt(sub, ZMQ_UNSUBSCRIBE, "", 0);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "B", 1);
    zmq_send(pub, "Anot", 4, 0);
    zmq_send(pub, "Byes", 4, 0);
    if (zmq_recv(sub, in, sizeof in, 0) != 4 || memcmp(in, "Byes", 4) != 0)
        return 26;
    zmq_close(pub);
    zmq_close(sub);
    zmq_ctx_term(context);
    return 0;
}

/* XPUB bound (libzmq takes a bind for a connect), XSUB connected: XSUB
 * delivers everything, with no subscription sent. */
int multicast_xpub_xsub(void *arg)
{
    const struct multicast_case *c = arg;
    const char *endpoint = c->endpoint;
    if (!multicast_route())
        return 60;
    void *context = zmq_ctx_new();
    void *xpub = zmq_socket(context, ZMQ_XPUB);
    if (c->rate > 0)
        test_set_int(xpub, ZMQ_RATE, c->rate);
    test_set_int(xpub, ZMQ_LINGER, 0);
    if (zmq_bind(xpub, endpoint) != 0)
        return 61;
    char last[128];
    size_t size = sizeof last;
    if (zmq_getsockopt(xpub, ZMQ_LAST_ENDPOINT, last, &size) != 0 ||
        strcmp(last, endpoint) != 0)
        return 62;
    void *xsub = zmq_socket(context, ZMQ_XSUB);
    if (c->rate > 0)
        test_set_int(xsub, ZMQ_RATE, c->rate);
    test_set_int(xsub, ZMQ_RCVTIMEO, 100);
    test_set_int(xsub, ZMQ_LINGER, 0);
    if (zmq_connect(xsub, endpoint) != 0)
        return 63;
    if (!multicast_until_heard(xpub, xsub))
        return 64;
    zmq_send(xpub, "k", 1, ZMQ_SNDMORE);
    zmq_send(xpub, "v", 1, 0);
    char in[8];
    test_set_int(xsub, ZMQ_RCVTIMEO, 5000);
    if (zmq_recv(xsub, in, sizeof in, 0) != 1 || in[0] != 'k' ||
        zmq_recv(xsub, in, sizeof in, 0) != 1 || in[0] != 'v')
        return 65;
    if (zmq_unbind(xpub, endpoint) != 0)
        return 66;
    zmq_close(xsub);
    zmq_close(xpub);
    zmq_ctx_term(context);
    return 0;
}

/* A subscriber joining while large messages stream: every message it
 * gets is whole. */
int multicast_late_joiner(void *arg)
{
    const struct multicast_case *c = arg;
    if (!multicast_route())
        return 30;
    void *context = zmq_ctx_new();
    void *pub = multicast_socket_at(context, ZMQ_PUB, c);
    void *early = multicast_socket_at(context, ZMQ_SUB, c);
    if (pub == NULL || early == NULL || !multicast_until_heard(pub, early))
        return 31;
    static uint8_t big[20000], in[20001];
    void *late = NULL;
    int whole = 0;
    /* One message every 5 ms or more, for at most 6000 of them and 30 s.
     * A late NORM receiver under congestion control hears its first
     * message only once the sender's backlog has drained: about 7 s after
     * it joined here, alone and under ASan, and past 10 s with other
     * suites running. */
    int64_t start = test_now_ms();
    for (unsigned i = 0; i < 6000 && whole < 3 && test_now_ms() - start < 30000;
         i++) {
        multicast_fill_pattern(big, sizeof big, i);
        big[0] = (uint8_t) i;
        zmq_send(pub, big, sizeof big, 0);
        int got = zmq_recv(early, in, sizeof in, ZMQ_DONTWAIT);
        (void) got;
        if (i == 3)
            late = multicast_socket_at(context, ZMQ_SUB, c);
        if (late == NULL)
            continue;
        usleep(5000);
        int n = zmq_recv(late, in, sizeof in, ZMQ_DONTWAIT);
        if (n < 0)
            continue;
        /* NORM gives a late joiner what its sender still holds, from a
         * message boundary: the pings sent before it joined come whole. */
        if (n == 4 && (memcmp(in, "ping", 4) == 0 || memcmp(in, "last", 4) == 0))
            continue;
        if (n != (int) sizeof big || !multicast_is_pattern(in, (size_t) n, in[0]))
            return 32;
        whole++;
    }
    if (whole < 3)
        return 33;
    zmq_close(late);
    zmq_close(early);
    zmq_close(pub);
    zmq_ctx_term(context);
    return 0;
}

/* Waits for the peer's answer to start with prefix: asks "recv" at most
 * count times. */
static const char *peer_recv_until(struct test_peer *peer, const char *prefix,
                                   int count)
{
    for (int i = 0; i < count; i++) {
        const char *answer = test_peer_ask(peer, "recv");
        if (answer == NULL)
            return NULL;
        if (strncmp(answer, prefix, strlen(prefix)) == 0)
            return answer;
    }
    return NULL;
}

static bool peer_ok(const char *answer)
{
    if (answer != NULL && strncmp(answer, "ok", 2) == 0)
        return true;
    fprintf(stderr, "\n  peer: %s\n", answer != NULL ? answer : "(none)");
    return false;
}

/* The peer's ZMQ_RATE, when the case sets one. */
static bool peer_set_rate(struct test_peer *peer,
                          const struct multicast_case *c)
{
    return c->rate <= 0 ||
           peer_ok(test_peer_ask(peer, "set RATE %d", c->rate));
}

/* Ours PUB to libzmq's SUB. */
int multicast_to_libzmq(void *arg)
{
    const struct multicast_case *c = arg;
    const char *endpoint = c->endpoint;
    if (!multicast_route())
        return 40;
    struct test_peer *peer = test_peer_start();
    if (peer == NULL)
        return 41;
    if (!peer_ok(test_peer_ask(peer, "socket SUB")) ||
        !peer_ok(test_peer_ask(peer, "set SUBSCRIBE hex:")) ||
        !peer_set_rate(peer, c) ||
        !peer_ok(test_peer_ask(peer, "set RCVTIMEO 200")) ||
        !peer_ok(test_peer_ask(peer, "connect %s", endpoint)))
        return 42;
    void *context = zmq_ctx_new();
    void *pub = multicast_socket_at(context, ZMQ_PUB, c);
    if (pub == NULL)
        return 43;
    bool heard = false;
    for (int i = 0; i < 50 && !heard; i++) {
        zmq_send(pub, "ping", 4, 0);
        const char *answer = test_peer_ask(peer, "recv");
        heard = answer != NULL && strcmp(answer, "msg 70696e67") == 0;
    }
    if (!heard)
        return 44;
    if (!peer_ok(test_peer_ask(peer, "set RCVTIMEO 10000")))
        return 45;
    zmq_send(pub, "a", 1, ZMQ_SNDMORE);
    zmq_send(pub, "bb", 2, ZMQ_SNDMORE);
    zmq_send(pub, "", 0, 0);
    if (peer_recv_until(peer, "msg 61 6262 -", 60) == NULL)
        return 46;
    /* BIG octets of the peer's pattern, byte i = i * 7 mod 256. */
    static uint8_t big[BIG];
    unsigned long sum = 0;
    for (size_t k = 0; k < BIG; k++) {
        big[k] = (uint8_t) (k * 7);
        sum += big[k];
    }
    zmq_send(pub, "x", 1, ZMQ_SNDMORE);
    zmq_send(pub, big, BIG, 0);
    const char *answer = test_peer_ask(peer, "recvsums");
    char expected[64];
    snprintf(expected, sizeof expected, "sums 1:120 %d:%lu", BIG, sum);
    if (answer == NULL || strcmp(answer, expected) != 0) {
        fprintf(stderr, "\n  peer: %s (wanted %s)\n", answer, expected);
        return 47;
    }
    test_peer_stop(peer);
    zmq_close(pub);
    zmq_ctx_term(context);
    return 0;
}

/* libzmq's PUB to ours SUB. */
int multicast_from_libzmq(void *arg)
{
    const struct multicast_case *c = arg;
    const char *endpoint = c->endpoint;
    if (!multicast_route())
        return 50;
    void *context = zmq_ctx_new();
    void *sub = multicast_socket_at(context, ZMQ_SUB, c);
    struct test_peer *peer = test_peer_start();
    if (sub == NULL || peer == NULL)
        return 51;
    if (!peer_ok(test_peer_ask(peer, "socket PUB")) || !peer_set_rate(peer, c) ||
        !peer_ok(test_peer_ask(peer, "connect %s", endpoint)))
        return 52;
    char buf[16];
    bool heard = false;
    for (int i = 0; i < 50 && !heard; i++) {
        test_peer_ask(peer, "send 70696e67");
        heard = zmq_recv(sub, buf, sizeof buf, 0) == 4;
    }
    if (!heard)
        return 53;
    test_peer_ask(peer, "send 6c617374");
    for (int i = 0; i < 100; i++)
        if (zmq_recv(sub, buf, sizeof buf, 0) == 4 &&
            memcmp(buf, "last", 4) == 0)
            break;
    test_set_int(sub, ZMQ_RCVTIMEO, 10000);
    if (!peer_ok(test_peer_ask(peer, "send 61 6262 -")))
        return 54;
    static uint8_t in[BIG + 1];
    int more = 0;
    size_t size = sizeof more;
    if (zmq_recv(sub, in, sizeof in, 0) != 1 || in[0] != 'a')
        return 55;
    zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &size);
    if (!more || zmq_recv(sub, in, sizeof in, 0) != 2 ||
        zmq_recv(sub, in, sizeof in, 0) != 0)
        return 56;
    char command[32 + 8 * PEER_PARTS_MAX] = "sendpattern 3";
    for (int i = 0; i < c->peer_parts; i++)
        snprintf(command + strlen(command), sizeof command - strlen(command),
                 " %d", c->peer_part_size);
    if (!peer_ok(test_peer_ask(peer, "%s", command)))
        return 57;
    if (zmq_recv(sub, in, sizeof in, 0) != 3 || !multicast_is_pattern(in, 3, 0))
        return 58;
    for (int i = 0; i < c->peer_parts; i++) {
        more = 0;
        zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &size);
        if (!more ||
            zmq_recv(sub, in, sizeof in, 0) != c->peer_part_size ||
            !multicast_is_pattern(in, (size_t) c->peer_part_size, 0))
            return 59;
    }
    zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &size);
    if (more)
        return 60;
    test_peer_stop(peer);
    zmq_close(sub);
    zmq_ctx_term(context);
    return 0;
}


void multicast_check_refusals(void *context, const char *endpoint,
                              const char *const *bad, size_t bad_count)
{
    const int others[] = { ZMQ_PUSH, ZMQ_PULL, ZMQ_PAIR, ZMQ_DEALER,
                           ZMQ_ROUTER, ZMQ_REQ, ZMQ_REP };
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        void *s = zmq_socket(context, others[i]);
        errno = 0;
        CU_ASSERT_EQUAL(zmq_connect(s, endpoint), -1);
        CU_ASSERT_EQUAL(errno, ENOCOMPATPROTO);
        errno = 0;
        CU_ASSERT_EQUAL(zmq_bind(s, endpoint), -1);
        CU_ASSERT_EQUAL(errno, ENOCOMPATPROTO);
        test_close(s);
    }
    void *pub = zmq_socket(context, ZMQ_PUB);
    for (size_t i = 0; i < bad_count; i++) {
        errno = 0;
        CU_ASSERT_EQUAL(zmq_connect(pub, bad[i]), -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
    }
    test_close(pub);
}

void multicast_in_namespace(int (*child)(void *),
                            const struct multicast_case *c)
{
    int rc = test_in_network_namespace(child, (void *) c, 60);
    if (rc != -1)
        CU_ASSERT_EQUAL(rc, 0);
}
