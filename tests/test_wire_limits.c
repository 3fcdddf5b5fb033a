/*
 * Lengths the wire carries against the fields they land in. A raw peer
 * written by hand announces an Identity longer than RFC 23's 255 octets
 * (the first finding of the hostile-input search: it overran the pipe's
 * routing-id field, before any authentication); the connection must be
 * refused while the process goes on serving a good peer. Bound and
 * connecting sockets, NULL and PLAIN (metadata in INITIATE). The 255-octet
 * identity, the largest the RFC allows, is served intact. A property name
 * is all the octets its length says, a NUL among them included: it never
 * passes for the name before the NUL (a finding of tests/fuzz).
 */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "raw_zmtp.h"
#include "testutil.h"
#include "zap_handler.h"
#include "zmq.h"

enum { LONGEST_IDENTITY = 255 };

static void *ctx;

/* name_size, not strlen: a name may hold a NUL. */
static size_t put_property(uint8_t *p, const char *name, size_t name_size,
                           const void *value, size_t value_size)
{
    p[0] = (uint8_t) name_size;
    memcpy(p + 1, name, name_size);
    for (int i = 0; i < 4; i++)
        p[1 + name_size + i] = (uint8_t) (value_size >> (24 - 8 * i));
    memcpy(p + 1 + name_size + 4, value, value_size);
    return 1 + name_size + 4 + value_size;
}

/* A command named name whose properties are Socket-Type and an Identity of
 * identity_size 'I' octets; returns its size (the buffer holds 4096). */
static size_t command_with_identity(uint8_t *out, const char *name,
                                    const char *type, size_t identity_size)
{
    static uint8_t identity[2048];
    memset(identity, 'I', sizeof identity);
    size_t n = 0;
    out[n++] = (uint8_t) strlen(name);
    memcpy(out + n, name, strlen(name));
    n += strlen(name);
    n += put_property(out + n, "Socket-Type", strlen("Socket-Type"), type,
                      strlen(type));
    n += put_property(out + n, "Identity", strlen("Identity"), identity,
                      identity_size);
    return n;
}

static bool send_ready(int fd, const char *type, size_t identity_size)
{
    uint8_t ready[4096];
    size_t size = command_with_identity(ready, "READY", type, identity_size);
    return raw_send_frame(fd, ready, size, RAW_FRAME_COMMAND);
}

static void *bound_socket(int type, char *endpoint, size_t size)
{
    void *s = zmq_socket(ctx, type);
    test_set_int(s, ZMQ_RCVTIMEO, 3000);
    test_set_int(s, ZMQ_SNDTIMEO, 3000);
    CU_ASSERT_FATAL(zmq_bind(s, "tcp://127.0.0.1:*") == 0);
    CU_ASSERT_FATAL(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
    return s;
}

/* A well-behaved peer of the given type still gets through. */
static void good_peer_served(void *server, int type, const char *endpoint)
{
    void *good = zmq_socket(ctx, type);
    test_set_int(good, ZMQ_SNDTIMEO, 3000);
    CU_ASSERT_TRUE(zmq_connect(good, endpoint) == 0);
    CU_ASSERT_TRUE(test_send(good, "still served", 0));
    char buf[64];
    int size = test_recv(server, buf, sizeof buf, 3000);
    if (type == ZMQ_DEALER && size > 0) /* the ROUTER's routing id first */
        size = test_recv(server, buf, sizeof buf, 3000);
    CU_ASSERT_EQUAL(size, (int) strlen("still served"));
    test_close(good);
}

/* A raw peer greets the server at endpoint, sends the given READY and
 * one message; true when the server refuses it. */
static bool refused_after(const char *endpoint, const uint8_t *ready,
                          size_t ready_size)
{
    int fd = raw_connect(endpoint);
    CU_ASSERT_FATAL(fd >= 0);
    bool sent = raw_greet(fd, "NULL", false) &&
                raw_send_frame(fd, ready, ready_size, RAW_FRAME_COMMAND);
    /* The refusal may come first: the message is sent if it still can. */
    raw_send_frame(fd, (const uint8_t *) "payload", 7, 0);
    bool closed = raw_closed_by_peer(fd);
    close(fd);
    return sent && closed;
}

/* The same for a peer of peer_type announcing identity_size octets of
 * Identity. */
static bool refused_after_ready(const char *endpoint, const char *peer_type,
                                size_t identity_size)
{
    uint8_t ready[4096];
    size_t size =
        command_with_identity(ready, "READY", peer_type, identity_size);
    return refused_after(endpoint, ready, size);
}

static void test_pull_refuses_long_identity(void)
{
    char endpoint[256];
    void *pull = bound_socket(ZMQ_PULL, endpoint, sizeof endpoint);
    CU_ASSERT_TRUE(refused_after_ready(endpoint, "PUSH", 300));
    CU_ASSERT_TRUE(test_recv_nothing(pull, 100));
    good_peer_served(pull, ZMQ_PUSH, endpoint);
    test_close(pull);
}

static void test_router_refuses_long_identities(void)
{
    char endpoint[256];
    void *router = bound_socket(ZMQ_ROUTER, endpoint, sizeof endpoint);
    const size_t sizes[] = { LONGEST_IDENTITY + 1, 300, 1000, 2048 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        CU_ASSERT_TRUE(refused_after_ready(endpoint, "DEALER", sizes[i]));
    CU_ASSERT_TRUE(test_recv_nothing(router, 100));
    good_peer_served(router, ZMQ_DEALER, endpoint);
    test_close(router);
}

/* 255 octets is the RFC's limit and a valid routing id: the ROUTER hands
 * it over whole and routes a reply back with it. */
static void test_router_serves_longest_identity(void)
{
    char endpoint[256];
    void *router = bound_socket(ZMQ_ROUTER, endpoint, sizeof endpoint);
    int fd = raw_connect(endpoint);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_TRUE(raw_greet(fd, "NULL", false));
    CU_ASSERT_TRUE(send_ready(fd, "DEALER", LONGEST_IDENTITY));
    CU_ASSERT_TRUE(raw_send_frame(fd, (const uint8_t *) "hi", 2, 0));

    uint8_t id[512];
    int id_size = zmq_recv(router, id, sizeof id, 0);
    CU_ASSERT_EQUAL(id_size, LONGEST_IDENTITY);
    CU_ASSERT_TRUE(id_size > 0 && id[0] == 'I' && id[id_size - 1] == 'I');
    CU_ASSERT_TRUE(test_recv_is(router, "hi", 3000));
    if (id_size == LONGEST_IDENTITY) {
        CU_ASSERT_EQUAL(zmq_send(router, id, (size_t) id_size, ZMQ_SNDMORE),
                        id_size);
        CU_ASSERT_TRUE(test_send(router, "back", 0));
        /* Skip the ROUTER's READY, then expect the frame "back". */
        uint8_t head[2];
        CU_ASSERT_TRUE(raw_read(fd, head, 2));
        uint8_t ready[256];
        CU_ASSERT_TRUE(head[0] == RAW_FRAME_COMMAND &&
                       raw_read(fd, ready, head[1]));
        uint8_t frame[6];
        CU_ASSERT_TRUE(raw_read(fd, frame, sizeof frame));
        CU_ASSERT_TRUE(frame[0] == 0 && frame[1] == 4 &&
                       memcmp(frame + 2, "back", 4) == 0);
    }
    close(fd);
    test_close(router);
}

/* Our DEALER connects to a raw "ROUTER" that announces a long Identity:
 * the connecting side refuses it the same way. */
static void test_connecting_dealer_refuses_long_identity(void)
{
    char endpoint[256];
    int listener = raw_listen(endpoint, sizeof endpoint);
    CU_ASSERT_FATAL(listener >= 0);
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    test_set_int(dealer, ZMQ_RECONNECT_IVL, -1);
    CU_ASSERT_TRUE(zmq_connect(dealer, endpoint) == 0);
    int fd = raw_accept(listener);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_TRUE(raw_greet(fd, "NULL", true));
    CU_ASSERT_TRUE(send_ready(fd, "ROUTER", 1000));
    raw_send_frame(fd, (const uint8_t *) "x", 1, 0);
    CU_ASSERT_TRUE(raw_closed_by_peer(fd));
    CU_ASSERT_TRUE(test_recv_nothing(dealer, 100));
    close(fd);
    close(listener);
    test_close(dealer);
}

/* PLAIN carries the client's metadata in INITIATE, after a HELLO the ZAP
 * handler approves: the same limit applies there. */
static void test_plain_initiate_refuses_long_identity(void)
{
    struct zap_handler zap = { .status = 200 };
    CU_ASSERT_FATAL(zap_handler_start(&zap, ctx, ZAP_STATUS));
    char endpoint[256];
    size_t size = sizeof endpoint;
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    test_set_int(router, ZMQ_PLAIN_SERVER, 1);
    CU_ASSERT_FATAL(zmq_bind(router, "tcp://127.0.0.1:*") == 0);
    CU_ASSERT_FATAL(zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, endpoint,
                                   &size) == 0);

    int fd = raw_connect(endpoint);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_TRUE(raw_greet(fd, "PLAIN", false));
    static const uint8_t hello[] = { 5, 'H', 'E', 'L', 'L', 'O', 4, 'u', 's',
                                     'e', 'r', 4,   'p', 'a', 's', 's' };
    CU_ASSERT_TRUE(raw_send_frame(fd, hello, sizeof hello, RAW_FRAME_COMMAND));
    uint8_t welcome[2 + 8];
    CU_ASSERT_TRUE(raw_read(fd, welcome, sizeof welcome));
    CU_ASSERT_TRUE(memcmp(welcome + 2, "\7WELCOME", 8) == 0);
    uint8_t initiate[4096];
    size_t initiate_size =
        command_with_identity(initiate, "INITIATE", "DEALER", 700);
    CU_ASSERT_TRUE(raw_send_frame(fd, initiate, initiate_size,
                                  RAW_FRAME_COMMAND));
    raw_send_frame(fd, (const uint8_t *) "x", 1, 0);
    CU_ASSERT_TRUE(raw_closed_by_peer(fd));
    close(fd);
    CU_ASSERT_TRUE(test_recv_nothing(router, 100));
    test_close(router);
    zap_handler_stop(&zap);
}

/* "Socket-Type\0X" is not Socket-Type: it used to be stored as a C string
 * and found by zmq_msg_gets ahead of the real one, so a peer could name
 * any type while the one checked against ours was another. */
static void test_property_name_with_nul_is_another_name(void)
{
    char endpoint[256];
    void *pair = bound_socket(ZMQ_PAIR, endpoint, sizeof endpoint);
    int fd = raw_connect(endpoint);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_TRUE(raw_greet(fd, "NULL", false));
    uint8_t ready[256];
    size_t n = 0;
    ready[n++] = 5;
    memcpy(ready + n, "READY", 5);
    n += 5;
    n += put_property(ready + n, "Socket-Type\0X", 13, "PUSH", 4);
    n += put_property(ready + n, "Identity\0", 9, "forged", 6);
    n += put_property(ready + n, "Socket-Type", strlen("Socket-Type"), "PAIR",
                      4);
    CU_ASSERT_TRUE(raw_send_frame(fd, ready, n, RAW_FRAME_COMMAND));
    CU_ASSERT_TRUE(raw_send_frame(fd, (const uint8_t *) "hi", 2, 0));

    zmq_msg_t msg;
    zmq_msg_init(&msg);
    CU_ASSERT_EQUAL(zmq_msg_recv(&msg, pair, 0), 2);
    const char *type = zmq_msg_gets(&msg, "Socket-Type");
    CU_ASSERT_PTR_NOT_NULL(type);
    if (type != NULL)
        CU_ASSERT_STRING_EQUAL(type, "PAIR");
    CU_ASSERT_PTR_NULL(zmq_msg_gets(&msg, "Routing-Id"));
    zmq_msg_close(&msg);
    close(fd);
    test_close(pair);
}

int main(void)
{
    const struct test_case cases[] = {
        { "PULL refuses a 300-octet Identity",
          test_pull_refuses_long_identity },
        { "ROUTER refuses Identities of 256 to 2048 octets",
          test_router_refuses_long_identities },
        { "ROUTER serves a 255-octet Identity",
          test_router_serves_longest_identity },
        { "connecting DEALER refuses a long Identity",
          test_connecting_dealer_refuses_long_identity },
        { "PLAIN INITIATE with a long Identity",
          test_plain_initiate_refuses_long_identity },
        { "a property name with a NUL is another name",
          test_property_name_with_nul_is_another_name },
    };
    signal(SIGPIPE, SIG_IGN); /* a refused peer's last writes */
    ctx = zmq_ctx_new();
    int status = test_run_suite("wire limits", cases,
                                sizeof cases / sizeof cases[0]);
    zmq_ctx_term(ctx);
    return status;
}
