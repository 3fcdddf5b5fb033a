/*
 * DGRAM over udp (zmq_udp(7)) on loopback: two-part messages, the
 * address ("ip:port") then the body, both ways between two sockets over
 * 127.0.0.1 and ::1; the errors libzmq 4.3.5 gives (a first part without
 * ZMQ_SNDMORE, a second with it: EINVAL); not thread-safe (ZMQ_FD works);
 * the mute state before any bind (EAGAIN); one link only (a second bind
 * is not served); an address part that is no address dropped; the other
 * transports bound as libzmq binds them but carrying nothing; and
 * multicast to a group inside a network namespace the test makes itself
 * (never the host's interfaces).
 */
#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API
#endif
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil.h"
#include "zmq.h"

/* The "ip:port" of a "udp://" endpoint, copied; false if it is none or
 * does not fit. */
static bool copy_address(const char *endpoint, char *address, size_t size)
{
    if (strncmp(endpoint, "udp://", 6) != 0 || strlen(endpoint + 6) >= size)
        return false;
    memcpy(address, endpoint + 6, strlen(endpoint + 6) + 1);
    return true;
}

/* Binds a DGRAM on endpoint and writes its "ip:port" (the bound one, a
 * wildcard port filled in) into address. */
static void *bound_dgram_ip(void *ctx, const char *endpoint, bool ipv6,
                            char *address, size_t size)
{
    void *s = zmq_socket(ctx, ZMQ_DGRAM);
    if (s == NULL || (ipv6 && !test_set_int(s, ZMQ_IPV6, 1)) ||
        zmq_bind(s, endpoint) != 0)
        return NULL;
    char last[256];
    size_t last_size = sizeof last;
    if (zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, last, &last_size) != 0 ||
        !copy_address(last, address, size))
        return NULL;
    return s;
}

static void *bound_dgram(void *ctx, const char *endpoint, char *address,
                         size_t size)
{
    return bound_dgram_ip(ctx, endpoint, false, address, size);
}

static bool send_to(void *s, const char *address, const char *body)
{
    return test_send(s, address, ZMQ_SNDMORE) && test_send(s, body, 0);
}

/* Sends probes to address until one comes back through the peer's echo
 * (a udp bind takes effect just after zmq_bind returns); true once the
 * peer answered. */
static bool exchange(void *from, void *to, const char *to_address,
                     const char *from_address)
{
    char sender[64], body[64];
    for (int i = 0; i < 100; i++) {
        if (!send_to(from, to_address, "probe"))
            return false;
        if (test_recv(to, sender, sizeof sender, 50) < 0)
            continue;
        if (strcmp(sender, from_address) != 0 ||
            test_recv(to, body, sizeof body, 2000) != 5 ||
            strcmp(body, "probe") != 0)
            return false;
        while (test_recv(to, sender, sizeof sender, 20) >= 0)
            test_recv(to, body, sizeof body, 2000);
        return true;
    }
    return false;
}

static void two_sockets_talk(const char *endpoint, bool ipv6)
{
    void *ctx = zmq_ctx_new();
    char a_address[64], b_address[64];
    void *a = bound_dgram_ip(ctx, endpoint, ipv6, a_address, sizeof a_address);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    void *b = bound_dgram_ip(ctx, endpoint, ipv6, b_address, sizeof b_address);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    CU_ASSERT_TRUE_FATAL(exchange(a, b, b_address, a_address));
    char sender[64], body[64];
    for (int i = 0; i < 10; i++) {
        char text[16];
        snprintf(text, sizeof text, "%d", i);
        CU_ASSERT_TRUE(send_to(a, b_address, text));
        CU_ASSERT_TRUE(test_recv(b, sender, sizeof sender, 5000) > 0);
        CU_ASSERT_STRING_EQUAL(sender, a_address);
        CU_ASSERT_EQUAL(test_get_int(b, ZMQ_RCVMORE), 1);
        CU_ASSERT_TRUE(test_recv(b, body, sizeof body, 5000) > 0);
        CU_ASSERT_STRING_EQUAL(body, text);
        CU_ASSERT_EQUAL(test_get_int(b, ZMQ_RCVMORE), 0);
        /* Answered to the address it came from. */
        CU_ASSERT_TRUE(send_to(b, sender, "back"));
        CU_ASSERT_TRUE(test_recv(a, sender, sizeof sender, 5000) > 0);
        CU_ASSERT_STRING_EQUAL(sender, b_address);
        CU_ASSERT_TRUE(test_recv_is(a, "back", 5000));
    }
    test_close(a);
    test_close(b);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_ipv4(void)
{
    two_sockets_talk("udp://127.0.0.1:*", false);
}

/* Skipped, saying so, where the host has no ::1. */
static void test_ipv6(void)
{
    int fd = socket(AF_INET6, SOCK_DGRAM, 0);
    struct sockaddr_in6 loop = { .sin6_family = AF_INET6,
                                 .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    bool have = fd >= 0 && bind(fd, (struct sockaddr *) &loop, sizeof loop) == 0;
    if (fd >= 0)
        close(fd);
    if (!have) {
        fprintf(stderr, "\n  no ::1 here, not run\n");
        return;
    }
    two_sockets_talk("udp://[::1]:*", true);
}

/* libzmq 4.3.5's errors: the address part must have ZMQ_SNDMORE and the
 * body must not; the part refused changes nothing. Mute before any bind
 * or connect: EAGAIN. Not thread-safe: ZMQ_FD works. */
static void test_errors(void)
{
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_DGRAM);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(test_get_int(s, ZMQ_THREAD_SAFE), 0);
    CU_ASSERT_EQUAL(test_get_int(s, ZMQ_TYPE), ZMQ_DGRAM);
    int fd = -1;
    size_t size = sizeof fd;
    CU_ASSERT_EQUAL(zmq_getsockopt(s, ZMQ_FD, &fd, &size), 0);
    CU_ASSERT_TRUE(fd >= 0);
    CU_ASSERT_EQUAL(zmq_send(s, "127.0.0.1:9", 11, ZMQ_SNDMORE | ZMQ_DONTWAIT),
                    -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    CU_ASSERT_EQUAL(test_get_int(s, ZMQ_EVENTS), 0);
    test_close(s);

    char address[64], peer_address[64];
    s = bound_dgram(ctx, "udp://127.0.0.1:*", address, sizeof address);
    void *peer = bound_dgram(ctx, "udp://127.0.0.1:*", peer_address,
                             sizeof peer_address);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    CU_ASSERT_EQUAL(zmq_send(s, "body only", 9, 0), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_TRUE(test_send(s, peer_address, ZMQ_SNDMORE));
    CU_ASSERT_EQUAL(zmq_send(s, "three", 5, ZMQ_SNDMORE), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_TRUE(test_send(s, "probe", 0));
    CU_ASSERT_TRUE(exchange(s, peer, peer_address, address));
    /* An address part that is no ip:port: dropped, the next one goes. */
    CU_ASSERT_TRUE(send_to(s, "no address", "lost"));
    CU_ASSERT_TRUE(send_to(s, peer_address, "found"));
    char sender[64];
    CU_ASSERT_TRUE(test_recv(peer, sender, sizeof sender, 5000) > 0);
    CU_ASSERT_TRUE(test_recv_is(peer, "found", 5000));
    test_close(s);
    test_close(peer);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* One link per DGRAM, as in libzmq: what comes to a second bind's port
 * is never served, while the first goes on. */
static void test_second_bind_not_served(void)
{
    void *ctx = zmq_ctx_new();
    char first[64], second[64], sender_address[64];
    void *s = bound_dgram(ctx, "udp://127.0.0.1:*", first, sizeof first);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(zmq_bind(s, "udp://127.0.0.1:*"), 0);
    char last[256];
    size_t last_size = sizeof last;
    CU_ASSERT_EQUAL(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, last, &last_size), 0);
    CU_ASSERT_TRUE_FATAL(copy_address(last, second, sizeof second));
    void *sender = bound_dgram(ctx, "udp://127.0.0.1:*", sender_address,
                               sizeof sender_address);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sender);
    CU_ASSERT_TRUE_FATAL(exchange(sender, s, first, sender_address));
    for (int i = 0; i < 5; i++)
        CU_ASSERT_TRUE(send_to(sender, second, "unseen"));
    CU_ASSERT_TRUE(send_to(sender, first, "seen"));
    char from[64];
    CU_ASSERT_TRUE(test_recv(s, from, sizeof from, 5000) > 0);
    CU_ASSERT_TRUE(test_recv_is(s, "seen", 5000));
    CU_ASSERT_TRUE(test_recv_nothing(s, 50));
    test_close(sender);
    test_close(s);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* libzmq 4.3.5 binds and connects a DGRAM on tcp, ipc and inproc (its
 * Node package does); no handshake with it completes, so nothing comes
 * through. */
static void test_other_transports(void)
{
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_DGRAM);
    CU_ASSERT_EQUAL(zmq_bind(s, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    CU_ASSERT_EQUAL(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, endpoint, &size), 0);
    CU_ASSERT_EQUAL(zmq_bind(s, "ipc://*"), 0);
    CU_ASSERT_EQUAL(zmq_bind(s, "inproc://dgram"), 0);
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_EQUAL(zmq_connect(dealer, endpoint), 0);
    test_send(dealer, "never", ZMQ_DONTWAIT);
    CU_ASSERT_TRUE(test_recv_nothing(s, 200));
    test_close(dealer);
    test_close(s);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ---- multicast, in a namespace of our own ---------------------------- */

/* In the child: two DGRAMs bound to one group on lo; what one sends to
 * the group reaches the other, from the sender's address. Exit status 0,
 * or which step failed. */
static int multicast_child(void *unused)
{
    (void) unused;
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_DGRAM), *b = zmq_socket(ctx, ZMQ_DGRAM);
    if (zmq_bind(a, "udp://lo;239.1.2.4:5557") != 0 ||
        zmq_bind(b, "udp://lo;239.1.2.4:5557") != 0)
        return 10;
    test_set_int(a, ZMQ_RCVTIMEO, 100);
    char from[64], body[64];
    for (int i = 0; i < 50; i++) {
        if (!send_to(b, "239.1.2.4:5557", "to the group"))
            return 11;
        int n = zmq_recv(a, from, sizeof from - 1, 0);
        if (n < 0)
            continue;
        from[n] = '\0';
        n = zmq_recv(a, body, sizeof body - 1, 0);
        if (n != 12 || memcmp(body, "to the group", 12) != 0)
            return 12;
        if (strcmp(from, "127.0.0.1:5557") != 0)
            return 13;
        zmq_close(a);
        zmq_close(b);
        zmq_ctx_term(ctx);
        return 0;
    }
    return 14;
}

static void test_multicast(void)
{
    int rc = test_in_network_namespace(multicast_child, NULL, 20);
    if (rc != -1)
        CU_ASSERT_EQUAL(rc, 0);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "two DGRAMs over 127.0.0.1", test_ipv4 },
        { "two DGRAMs over ::1", test_ipv6 },
        { "errors", test_errors },
        { "second bind not served", test_second_bind_not_served },
        { "other transports bound, carry nothing", test_other_transports },
        { "multicast in a namespace", test_multicast },
    };
    return test_run_suite("dgram", tests, sizeof tests / sizeof tests[0]);
}
