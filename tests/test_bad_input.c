/*
 * Hostile and broken peers on the wire. A PULL socket listens on tcp; a
 * well-behaved PUSH stays connected to it throughout, while raw TCP clients
 * written by hand send a garbage greeting, a revision 0 greeting, ZMTP 2.0
 * greetings of an incompatible type or followed by a command, a frame over
 * ZMQ_MAXMSGSIZE, a truncated frame, and a greeting one byte at a time that
 * outlasts ZMQ_HANDSHAKE_IVL. Each bad connection must be closed by
 * modzmq, and the good PUSH's messages must keep arriving. (Leaks and
 * memory errors are the sanitizer build's to catch.)
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "testutil.h"
#include "zmq.h"

static void *ctx, *pull, *push;
static int port;

/* A raw TCP connection to the PULL. */
static int raw_connect(void)
{
    return test_connect_loopback(port);
}

static bool raw_write(int fd, const void *data, size_t size)
{
    return write(fd, data, size) == (ssize_t) size;
}

/* The good peer still gets through. */
static void good_peer_delivers(const char *text)
{
    CU_ASSERT_TRUE(test_send(push, text, 0));
    CU_ASSERT_TRUE(test_recv_is(pull, text, 5000));
}

/* Our side of a valid ZMTP 3.1 greeting with the NULL mechanism. */
static void greeting(uint8_t out[64])
{
    memset(out, 0, 64);
    out[0] = 0xFF;
    out[9] = 0x7F;
    out[10] = 3;
    out[11] = 1;
    memcpy(out + 12, "NULL", 4);
}

/* Greeting and READY as a PUSH: after this the connection is in traffic. */
static bool handshake_as_push(int fd)
{
    uint8_t hello[64];
    greeting(hello);
    static const uint8_t ready[] = {
        0x04, 26,  5,   'R', 'E', 'A', 'D', 'Y', 11, 'S', 'o', 'c', 'k', 'e',
        't',  '-', 'T', 'y', 'p', 'e', 0,   0,   0,  4,   'P', 'U', 'S', 'H',
    };
    return raw_write(fd, hello, sizeof hello) &&
           raw_write(fd, ready, sizeof ready);
}

static void test_garbage_greeting(void)
{
    int fd = raw_connect();
    CU_ASSERT_FATAL(fd >= 0);
    const char garbage[] = "GET / HTTP/1.1\r\nHost: example\r\n\r\n";
    CU_ASSERT_TRUE(raw_write(fd, garbage, strlen(garbage)));
    CU_ASSERT_TRUE(test_closed_by_peer(fd, 5000));
    close(fd);
    good_peer_delivers("after garbage");
}

/* A ZMTP 2.0 greeting (signature, revision 1, socket type, identity
 * frame) for a peer of the given type with no identity. */
static bool v2_greeting(int fd, uint8_t type)
{
    const uint8_t hello[14] = { 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 1, type };
    return raw_write(fd, hello, sizeof hello);
}

static void test_revision_zero(void)
{
    int fd = raw_connect();
    CU_ASSERT_FATAL(fd >= 0);
    uint8_t hello[64];
    greeting(hello);
    hello[10] = 0;
    CU_ASSERT_TRUE(raw_write(fd, hello, sizeof hello));
    CU_ASSERT_TRUE(test_closed_by_peer(fd, 5000));
    close(fd);
    good_peer_delivers("after revision 0");
}

/* ZMTP 2.0 peers are served, but a SUB cannot talk to a PULL. */
static void test_v2_incompatible_type(void)
{
    int fd = raw_connect();
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_TRUE(v2_greeting(fd, ZMQ_SUB));
    CU_ASSERT_TRUE(test_closed_by_peer(fd, 5000));
    close(fd);
    good_peer_delivers("after a 2.0 SUB");
}

/* A 2.0 PUSH delivers; then a frame with the COMMAND bit, which 2.0
 * framing does not have, ends its connection. */
static void test_v2_command_frame(void)
{
    int fd = raw_connect();
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_TRUE(v2_greeting(fd, ZMQ_PUSH));
    CU_ASSERT_TRUE(raw_write(fd, "\0\10from 2.0", 10));
    CU_ASSERT_TRUE(test_recv_is(pull, "from 2.0", 5000));
    CU_ASSERT_TRUE(raw_write(fd, "\4\5\4PING", 7));
    CU_ASSERT_TRUE(test_closed_by_peer(fd, 5000));
    close(fd);
    good_peer_delivers("after a 2.0 command");
}

static void test_frame_over_maxmsgsize(void)
{
    int fd = raw_connect();
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_TRUE(handshake_as_push(fd));
    /* A long frame of 5000 bytes: MAXMSGSIZE is 1000. */
    uint8_t header[9] = { 0x02, 0, 0, 0, 0, 0, 0, 0x13, 0x88 };
    CU_ASSERT_TRUE(raw_write(fd, header, sizeof header));
    static uint8_t body[5000];
    CU_ASSERT_TRUE(raw_write(fd, body, sizeof body));
    CU_ASSERT_TRUE(test_closed_by_peer(fd, 5000));
    close(fd);
    good_peer_delivers("after an oversized frame");
    CU_ASSERT_TRUE(test_recv_nothing(pull, 100));
}

static void test_truncated_frame(void)
{
    int fd = raw_connect();
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_TRUE(handshake_as_push(fd));
    uint8_t partial[] = { 0x00, 100, 'o', 'n', 'l', 'y', ' ', 't', 'e', 'n' };
    CU_ASSERT_TRUE(raw_write(fd, partial, sizeof partial));
    close(fd); /* in the middle of the frame */
    good_peer_delivers("after a truncated frame");
    CU_ASSERT_TRUE(test_recv_nothing(pull, 100));
}

/* One byte a second: HANDSHAKE_IVL (500 ms) ends it long before the
 * greeting is complete. */
static void test_slow_greeting(void)
{
    int fd = raw_connect();
    CU_ASSERT_FATAL(fd >= 0);
    uint8_t hello[64];
    greeting(hello);
    bool closed = false;
    for (int i = 0; i < 5 && !closed; i++) {
        if (!raw_write(fd, hello + i, 1))
            closed = true;
        else
            closed = test_closed_by_peer(fd, 1000);
    }
    CU_ASSERT_TRUE(closed);
    close(fd);
    good_peer_delivers("after a slow greeting");
}

int main(void)
{
    const struct test_case cases[] = {
        { "garbage greeting", test_garbage_greeting },
        { "revision 0", test_revision_zero },
        { "ZMTP 2.0 peer of an incompatible type", test_v2_incompatible_type },
        { "ZMTP 2.0 frame with the COMMAND bit", test_v2_command_frame },
        { "frame over MAXMSGSIZE", test_frame_over_maxmsgsize },
        { "truncated frame", test_truncated_frame },
        { "greeting one byte a second", test_slow_greeting },
    };
    ctx = zmq_ctx_new();
    pull = zmq_socket(ctx, ZMQ_PULL);
    push = zmq_socket(ctx, ZMQ_PUSH);
    int64_t limit = 1000;
    zmq_setsockopt(pull, ZMQ_MAXMSGSIZE, &limit, sizeof limit);
    test_set_int(pull, ZMQ_HANDSHAKE_IVL, 500);
    test_set_int(push, ZMQ_SNDTIMEO, 5000);
    char endpoint[256];
    size_t size = sizeof endpoint;
    if (zmq_bind(pull, "tcp://127.0.0.1:*") != 0 ||
        zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, endpoint, &size) != 0 ||
        zmq_connect(push, endpoint) != 0)
        return 1;
    port = atoi(strrchr(endpoint, ':') + 1);
    int status =
        test_run_suite("bad input", cases, sizeof cases / sizeof cases[0]);
    test_close(push);
    test_close(pull);
    zmq_ctx_term(ctx);
    return status;
}
