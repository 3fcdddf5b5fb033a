/*
 * PEER (RFC 51) and CHANNEL (RFC 52), thread-safe and single-part, which
 * libzmq 4.3.5's Node package lacks: so besides modzmq against itself
 * over inproc, tcp and ipc, each is tested against a ZMTP peer written
 * by hand from the RFCs (raw_zmtp.h), which also shows that the
 * handshake refuses a peer of another type. PEER: routing ids both ways,
 * zmq_connect_peer and its errors (ENOTSUP on other types, EFAULT with
 * ZMQ_IMMEDIATE, as libzmq 4.3.5), EHOSTUNREACH, EAGAIN when mute,
 * ZMQ_SNDMORE refused, four threads sending on one PEER while another
 * receives on it. CHANNEL: one peer, a second connection refused,
 * a send blocking when mute, multipart input dropped.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API
#endif
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "raw_zmtp.h"
#include "testutil.h"
#include "zmq.h"

static const char *const transports[] = { "inproc://pc", "tcp://127.0.0.1:*",
                                          "ipc://*" };
enum { TRANSPORTS = sizeof transports / sizeof transports[0] };

/* ---- a ZMTP peer by hand ------------------------------------------------ */

/* Reads one frame into body (at most capacity octets); false on a close,
 * a timeout or a frame too long. */
static bool read_frame(int fd, uint8_t *flags, uint8_t *body, size_t capacity,
                       size_t *size)
{
    uint8_t header[8];
    if (!raw_read(fd, flags, 1))
        return false;
    uint64_t length = 0;
    if (*flags & RAW_FRAME_LONG) {
        if (!raw_read(fd, header, 8))
            return false;
        for (int i = 0; i < 8; i++)
            length = length << 8 | header[i];
    } else {
        if (!raw_read(fd, header, 1))
            return false;
        length = header[0];
    }
    if (length > capacity)
        return false;
    *size = (size_t) length;
    return length == 0 || raw_read(fd, body, (size_t) length);
}

/* Sends READY with Socket-Type type. */
static bool send_ready(int fd, const char *type)
{
    uint8_t ready[64] = { 5, 'R', 'E', 'A', 'D', 'Y', 11 };
    size_t n = 7;
    memcpy(ready + n, "Socket-Type", 11);
    n += 11;
    size_t type_size = strlen(type);
    ready[n++] = 0;
    ready[n++] = 0;
    ready[n++] = 0;
    ready[n++] = (uint8_t) type_size;
    memcpy(ready + n, type, type_size);
    n += type_size;
    return raw_send_frame(fd, ready, n, RAW_FRAME_COMMAND);
}

/* Reads the peer's READY, which must name type as its Socket-Type. */
static bool read_ready(int fd, const char *type)
{
    uint8_t body[512], flags;
    size_t size;
    if (!read_frame(fd, &flags, body, sizeof body, &size) ||
        !(flags & RAW_FRAME_COMMAND) || size < 6 ||
        memcmp(body, "\5READY", 6) != 0)
        return false;
    uint8_t property[64] = { 11 };
    memcpy(property + 1, "Socket-Type", 11);
    size_t type_size = strlen(type);
    property[15] = (uint8_t) type_size;
    memcpy(property + 16, type, type_size);
    return memmem(body, size, property, 16 + type_size) != NULL;
}

/* Reads the next message frame and compares it with text. */
static bool read_message_is(int fd, const char *text)
{
    uint8_t body[512], flags;
    size_t size;
    return read_frame(fd, &flags, body, sizeof body, &size) && flags == 0 &&
           size == strlen(text) && memcmp(body, text, size) == 0;
}

/* Connects to a modzmq socket bound on tcp and does the handshake as a
 * socket of type type; -1 on failure. */
static int raw_handshake(const char *endpoint, const char *ours,
                         const char *theirs)
{
    int fd = raw_connect(endpoint);
    if (fd < 0)
        return -1;
    if (!raw_greet(fd, "NULL", false) || !send_ready(fd, ours) ||
        !read_ready(fd, theirs)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* ---- PEER ----------------------------------------------------------------- */

/* Two PEERs connect to a third with zmq_connect_peer: each learns the
 * bound one's id at once and sends to it first; the bound one answers
 * each by the id it saw, and the connected one sees the id it was
 * given. */
static void test_peer_routing(void)
{
    for (size_t t = 0; t < TRANSPORTS; t++) {
        void *ctx = zmq_ctx_new();
        void *hub = zmq_socket(ctx, ZMQ_PEER);
        void *a = zmq_socket(ctx, ZMQ_PEER), *b = zmq_socket(ctx, ZMQ_PEER);
        CU_ASSERT_PTR_NOT_NULL_FATAL(hub);
        char endpoint[256];
        CU_ASSERT_TRUE_FATAL(
            test_bind_endpoint(hub, transports[t], endpoint, sizeof endpoint));
        uint32_t a_hub = zmq_connect_peer(a, endpoint);
        uint32_t b_hub = zmq_connect_peer(b, endpoint);
        CU_ASSERT_NOT_EQUAL_FATAL(a_hub, 0);
        CU_ASSERT_NOT_EQUAL_FATAL(b_hub, 0);
        CU_ASSERT_EQUAL(test_send_routed(a, a_hub, "from a", 0), 0);
        CU_ASSERT_EQUAL(test_send_routed(b, b_hub, "from b", 0), 0);
        uint32_t ids[2] = { 0, 0 };
        char buf[32];
        for (int i = 0; i < 2; i++) {
            uint32_t id = 0;
            CU_ASSERT_EQUAL_FATAL(
                test_recv_routed(hub, buf, sizeof buf, &id, 5000), 6);
            CU_ASSERT_NOT_EQUAL(id, 0);
            ids[buf[5] == 'a' ? 0 : 1] = id;
        }
        CU_ASSERT_TRUE(ids[0] != 0 && ids[1] != 0 && ids[0] != ids[1]);
        CU_ASSERT_EQUAL(test_send_routed(hub, ids[0], "to a", 0), 0);
        CU_ASSERT_EQUAL(test_send_routed(hub, ids[1], "to b", 0), 0);
        uint32_t id = 0;
        CU_ASSERT_EQUAL(test_recv_routed(a, buf, sizeof buf, &id, 5000), 4);
        CU_ASSERT_STRING_EQUAL(buf, "to a");
        CU_ASSERT_EQUAL(id, a_hub);
        CU_ASSERT_EQUAL(test_recv_routed(b, buf, sizeof buf, &id, 5000), 4);
        CU_ASSERT_STRING_EQUAL(buf, "to b");
        CU_ASSERT_EQUAL(id, b_hub);
        CU_ASSERT_TRUE(test_recv_nothing(a, 20));
        test_close(a);
        test_close(b);
        test_close(hub);
        CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
    }
}

/* A plain zmq_connect works on a PEER, as in libzmq; the connecting side
 * then learns the id from the first message it receives. */
static void test_peer_plain_connect(void)
{
    void *ctx = zmq_ctx_new();
    void *hub = zmq_socket(ctx, ZMQ_PEER), *a = zmq_socket(ctx, ZMQ_PEER);
    CU_ASSERT_EQUAL(zmq_bind(hub, "inproc://plain"), 0);
    uint32_t hub_id = zmq_connect_peer(hub, "inproc://plain-back");
    CU_ASSERT_NOT_EQUAL(hub_id, 0); /* inproc queues until the bind */
    CU_ASSERT_EQUAL(zmq_bind(a, "inproc://plain-back"), 0);
    CU_ASSERT_EQUAL(test_send_routed(hub, hub_id, "hello", 0), 0);
    uint32_t id = 0;
    char buf[16];
    CU_ASSERT_EQUAL(test_recv_routed(a, buf, sizeof buf, &id, 2000), 5);
    CU_ASSERT_NOT_EQUAL(id, 0);
    CU_ASSERT_EQUAL(test_send_routed(a, id, "back", 0), 0);
    CU_ASSERT_EQUAL(test_recv_routed(hub, buf, sizeof buf, &id, 2000), 4);
    CU_ASSERT_EQUAL(id, hub_id);
    void *c = zmq_socket(ctx, ZMQ_PEER);
    CU_ASSERT_EQUAL(zmq_connect(c, "inproc://plain"), 0);
    CU_ASSERT_EQUAL(test_send_routed(c, 0, "no id", 0), EHOSTUNREACH);
    test_close(c);
    test_close(a);
    test_close(hub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* zmq_connect_peer's errors, libzmq 4.3.5's: ENOTSOCK, ENOTSUP on any
 * other type, EFAULT with ZMQ_IMMEDIATE, the connect's own errors. */
static void test_connect_peer_errors(void)
{
    void *ctx = zmq_ctx_new();
    errno = 0;
    CU_ASSERT_EQUAL(zmq_connect_peer(NULL, "inproc://x"), 0);
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
    const int others[] = { ZMQ_SERVER, ZMQ_CLIENT, ZMQ_DEALER, ZMQ_CHANNEL };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        void *s = zmq_socket(ctx, others[i]);
        errno = 0;
        CU_ASSERT_EQUAL(zmq_connect_peer(s, "inproc://x"), 0);
        CU_ASSERT_EQUAL(errno, ENOTSUP);
        test_close(s);
    }
    void *peer = zmq_socket(ctx, ZMQ_PEER);
    test_set_int(peer, ZMQ_IMMEDIATE, 1);
    CU_ASSERT_EQUAL(zmq_connect_peer(peer, "tcp://127.0.0.1:5"), 0);
    CU_ASSERT_EQUAL(errno, EFAULT);
    test_set_int(peer, ZMQ_IMMEDIATE, 0);
    CU_ASSERT_EQUAL(zmq_connect_peer(peer, "nowhere"), 0);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(zmq_connect_peer(peer, "bogus://x"), 0);
    CU_ASSERT_EQUAL(errno, EPROTONOSUPPORT);
    CU_ASSERT_EQUAL(zmq_connect_peer(peer, NULL), 0);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(test_get_int(peer, ZMQ_THREAD_SAFE), 1);
    int fd = -1;
    size_t size = sizeof fd;
    CU_ASSERT_EQUAL(zmq_getsockopt(peer, ZMQ_FD, &fd, &size), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    test_close(peer);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Unknown ids are EHOSTUNREACH, SNDMORE EINVAL; a full peer is EAGAIN
 * (the PEER drops nothing), with or without a timeout. */
static void test_peer_errors_and_mute(void)
{
    void *ctx = zmq_ctx_new();
    void *hub = zmq_socket(ctx, ZMQ_PEER), *a = zmq_socket(ctx, ZMQ_PEER);
    test_set_int(hub, ZMQ_SNDHWM, 2);
    test_set_int(a, ZMQ_RCVHWM, 2);
    CU_ASSERT_EQUAL(test_send_routed(hub, 0, "x", ZMQ_DONTWAIT), EHOSTUNREACH);
    CU_ASSERT_EQUAL(test_send_routed(hub, 12345, "x", 0), EHOSTUNREACH);
    CU_ASSERT_EQUAL(zmq_bind(a, "inproc://peer-mute"), 0);
    uint32_t id = zmq_connect_peer(hub, "inproc://peer-mute");
    CU_ASSERT_NOT_EQUAL_FATAL(id, 0);
    CU_ASSERT_EQUAL(test_send_routed(hub, id, "part", ZMQ_SNDMORE), EINVAL);
    int rc = 0, sent = 0;
    while (sent < 100 &&
           (rc = test_send_routed(hub, id, "m", ZMQ_DONTWAIT)) == 0)
        sent++;
    CU_ASSERT_EQUAL(rc, EAGAIN);
    CU_ASSERT_TRUE(sent > 0 && sent < 100);
    test_set_int(hub, ZMQ_SNDTIMEO, 50);
    CU_ASSERT_EQUAL(test_send_routed(hub, id, "m", 0), EAGAIN);
    for (int i = 0; i < sent; i++)
        CU_ASSERT_TRUE(test_recv_is(a, "m", 2000));
    CU_ASSERT_TRUE(test_recv_nothing(a, 20));
    test_close(a);
    test_close(hub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A hand-written ZMTP PEER talks to a bound modzmq PEER; one that says
 * it is a SERVER is refused. */
static void test_peer_raw_zmtp(void)
{
    void *ctx = zmq_ctx_new();
    void *peer = zmq_socket(ctx, ZMQ_PEER);
    char endpoint[256];
    CU_ASSERT_TRUE_FATAL(test_bind_endpoint(peer, "tcp://127.0.0.1:*", endpoint,
                                            sizeof endpoint));
    int fd = raw_handshake(endpoint, "PEER", "PEER");
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    CU_ASSERT_TRUE(
        raw_send_frame(fd, (const uint8_t *) "one", 3, RAW_FRAME_MORE));
    CU_ASSERT_TRUE(raw_send_frame(fd, (const uint8_t *) "two", 3, 0));
    CU_ASSERT_TRUE(raw_send_frame(fd, (const uint8_t *) "hello", 5, 0));
    char buf[16];
    uint32_t id = 0;
    CU_ASSERT_EQUAL(test_recv_routed(peer, buf, sizeof buf, &id, 5000), 5);
    CU_ASSERT_STRING_EQUAL(buf, "hello");
    CU_ASSERT_NOT_EQUAL(id, 0);
    CU_ASSERT_EQUAL(test_send_routed(peer, id, "reply", 0), 0);
    CU_ASSERT_TRUE(read_message_is(fd, "reply"));
    close(fd);

    int wrong = raw_connect(endpoint);
    CU_ASSERT_TRUE_FATAL(wrong >= 0);
    CU_ASSERT_TRUE(raw_greet(wrong, "NULL", false));
    CU_ASSERT_TRUE(send_ready(wrong, "SERVER"));
    CU_ASSERT_TRUE(raw_closed_by_peer(wrong));
    close(wrong);
    test_close(peer);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* zmq_connect_peer to a hand-written ZMTP PEER listening: the message
 * sent to the id it returned, before any handshake, arrives there. */
static void test_connect_peer_to_raw(void)
{
    char endpoint[256];
    int listener = raw_listen(endpoint, sizeof endpoint);
    CU_ASSERT_TRUE_FATAL(listener >= 0);
    void *ctx = zmq_ctx_new();
    void *peer = zmq_socket(ctx, ZMQ_PEER);
    uint32_t id = zmq_connect_peer(peer, endpoint);
    CU_ASSERT_NOT_EQUAL_FATAL(id, 0);
    CU_ASSERT_EQUAL(test_send_routed(peer, id, "early", 0), 0);
    int fd = raw_accept(listener);
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    CU_ASSERT_TRUE(raw_greet(fd, "NULL", true));
    CU_ASSERT_TRUE(send_ready(fd, "PEER"));
    CU_ASSERT_TRUE(read_ready(fd, "PEER"));
    CU_ASSERT_TRUE(read_message_is(fd, "early"));
    CU_ASSERT_TRUE(raw_send_frame(fd, (const uint8_t *) "late", 4, 0));
    char buf[16];
    uint32_t from = 0;
    CU_ASSERT_EQUAL(test_recv_routed(peer, buf, sizeof buf, &from, 5000), 4);
    CU_ASSERT_EQUAL(from, id);
    close(fd);
    close(listener);
    test_close(peer);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ---- four threads sending on one PEER ------------------------------------ */

enum { LINKS = 4, PER_LINK = 1000 };

struct link {
    void *hub;    /* shared by the senders and the main thread */
    void *remote; /* the far PEER, used by its echo thread alone */
    uint32_t id;  /* the remote's routing id on hub */
    int sent;
    int echoed;
};

static void *send_on_hub(void *arg)
{
    struct link *l = arg;
    for (int i = 0; i < PER_LINK; i++) {
        char body[16];
        snprintf(body, sizeof body, "%d", i);
        if (test_send_routed(l->hub, l->id, body, 0) != 0)
            break;
        l->sent++;
    }
    return NULL;
}

static void *echo_remote(void *arg)
{
    struct link *l = arg;
    for (int i = 0; i < PER_LINK; i++) {
        char body[16];
        uint32_t from = 0;
        if (test_recv_routed(l->remote, body, sizeof body, &from, 10000) < 0 ||
            test_send_routed(l->remote, from, body, 0) != 0)
            break;
        l->echoed++;
    }
    return NULL;
}

/* Four threads send on one PEER, each to its own far PEER (over tcp),
 * whose thread echoes; the main thread receives every echo on the same
 * PEER meanwhile, each from the id it was sent to, in order. */
static void test_threads_share_peer(void)
{
    void *ctx = zmq_ctx_new();
    void *hub = zmq_socket(ctx, ZMQ_PEER);
    test_set_int(hub, ZMQ_SNDTIMEO, 10000);
    test_set_int(hub, ZMQ_SNDHWM, 32);
    struct link links[LINKS];
    pthread_t senders[LINKS], echoers[LINKS];
    for (int i = 0; i < LINKS; i++) {
        links[i] = (struct link){ hub, zmq_socket(ctx, ZMQ_PEER), 0, 0, 0 };
        test_set_int(links[i].remote, ZMQ_SNDTIMEO, 10000);
        char endpoint[256];
        CU_ASSERT_TRUE_FATAL(test_bind_endpoint(
            links[i].remote, "tcp://127.0.0.1:*", endpoint, sizeof endpoint));
        links[i].id = zmq_connect_peer(hub, endpoint);
        CU_ASSERT_NOT_EQUAL_FATAL(links[i].id, 0);
    }
    for (int i = 0; i < LINKS; i++) {
        CU_ASSERT_EQUAL_FATAL(
            pthread_create(&echoers[i], NULL, echo_remote, &links[i]), 0);
        CU_ASSERT_EQUAL_FATAL(
            pthread_create(&senders[i], NULL, send_on_hub, &links[i]), 0);
    }
    int next[LINKS] = { 0 };
    int received = 0;
    bool right = true;
    char body[16];
    uint32_t from = 0;
    while (received < LINKS * PER_LINK &&
           test_recv_routed(hub, body, sizeof body, &from, 10000) > 0) {
        int link = -1;
        for (int i = 0; i < LINKS; i++)
            if (links[i].id == from)
                link = i;
        if (link < 0 || atoi(body) != next[link])
            right = false;
        else
            next[link]++;
        received++;
    }
    for (int i = 0; i < LINKS; i++) {
        pthread_join(senders[i], NULL);
        pthread_join(echoers[i], NULL);
        CU_ASSERT_EQUAL(links[i].sent, PER_LINK);
        CU_ASSERT_EQUAL(links[i].echoed, PER_LINK);
        test_close(links[i].remote);
    }
    CU_ASSERT_EQUAL(received, LINKS * PER_LINK);
    CU_ASSERT_TRUE(right);
    test_close(hub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ---- CHANNEL --------------------------------------------------------------- */

static void test_channel_pair(void)
{
    for (size_t t = 0; t < TRANSPORTS; t++) {
        void *ctx = zmq_ctx_new();
        void *a = zmq_socket(ctx, ZMQ_CHANNEL),
             *b = zmq_socket(ctx, ZMQ_CHANNEL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        char endpoint[256];
        CU_ASSERT_TRUE_FATAL(
            test_bind_endpoint(a, transports[t], endpoint, sizeof endpoint));
        CU_ASSERT_EQUAL(zmq_connect(b, endpoint), 0);
        CU_ASSERT_TRUE(test_send(b, "ping", 0));
        CU_ASSERT_TRUE(test_recv_is(a, "ping", 5000));
        CU_ASSERT_TRUE(test_send(a, "pong", 0));
        CU_ASSERT_TRUE(test_recv_is(b, "pong", 5000));
        CU_ASSERT_EQUAL(zmq_send(a, "x", 1, ZMQ_SNDMORE), -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
        CU_ASSERT_EQUAL(test_get_int(a, ZMQ_THREAD_SAFE), 1);
        test_close(a);
        test_close(b);
        CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
    }
}

/* One peer: a second CHANNEL connecting is never served while the first
 * lives, as with PAIR. */
static void test_channel_second_peer_refused(void)
{
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_CHANNEL), *b = zmq_socket(ctx, ZMQ_CHANNEL);
    void *c = zmq_socket(ctx, ZMQ_CHANNEL);
    CU_ASSERT_EQUAL(zmq_bind(a, "inproc://one-channel"), 0);
    CU_ASSERT_EQUAL(zmq_connect(b, "inproc://one-channel"), 0);
    CU_ASSERT_EQUAL(zmq_connect(c, "inproc://one-channel"), 0);
    test_send(c, "from c", ZMQ_DONTWAIT);
    CU_ASSERT_TRUE(test_send(b, "from b", 0));
    CU_ASSERT_TRUE(test_recv_is(a, "from b", 2000));
    CU_ASSERT_TRUE(test_recv_nothing(a, 20));
    CU_ASSERT_EQUAL(test_get_int(c, ZMQ_EVENTS), 0);
    test_close(a);
    test_close(b);
    test_close(c);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Mute: no peer, or the peer's pipe full; a send waits. Multipart input
 * (an inproc PAIR, unchecked) is dropped whole. */
static void test_channel_mute_and_multipart(void)
{
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_CHANNEL);
    CU_ASSERT_EQUAL(zmq_send(a, "x", 1, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    test_set_int(a, ZMQ_SNDTIMEO, 50);
    CU_ASSERT_EQUAL(zmq_send(a, "x", 1, 0), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    test_set_int(a, ZMQ_SNDHWM, 2);
    void *b = zmq_socket(ctx, ZMQ_CHANNEL);
    test_set_int(b, ZMQ_RCVHWM, 2);
    CU_ASSERT_EQUAL(zmq_bind(b, "inproc://channel-mute"), 0);
    CU_ASSERT_EQUAL(zmq_connect(a, "inproc://channel-mute"), 0);
    int sent = 0;
    while (sent < 100 && zmq_send(a, "y", 1, ZMQ_DONTWAIT) == 1)
        sent++;
    CU_ASSERT_TRUE(sent > 0 && sent < 100);
    CU_ASSERT_EQUAL(zmq_send(a, "y", 1, 0), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    for (int i = 0; i < sent; i++)
        CU_ASSERT_TRUE(test_recv_is(b, "y", 2000));
    test_close(a);
    test_close(b);

    void *c = zmq_socket(ctx, ZMQ_CHANNEL);
    void *pair = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_EQUAL(zmq_bind(c, "inproc://channel-multipart"), 0);
    CU_ASSERT_EQUAL(zmq_connect(pair, "inproc://channel-multipart"), 0);
    CU_ASSERT_TRUE(test_send(pair, "one", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(pair, "two", 0));
    CU_ASSERT_TRUE(test_send(pair, "alone", 0));
    CU_ASSERT_TRUE(test_recv_is(c, "alone", 2000));
    CU_ASSERT_TRUE(test_recv_nothing(c, 20));
    test_close(pair);
    test_close(c);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A hand-written ZMTP CHANNEL talks to a bound modzmq CHANNEL; one that
 * says it is a PAIR is refused. */
static void test_channel_raw_zmtp(void)
{
    void *ctx = zmq_ctx_new();
    void *channel = zmq_socket(ctx, ZMQ_CHANNEL);
    char endpoint[256];
    CU_ASSERT_TRUE_FATAL(test_bind_endpoint(channel, "tcp://127.0.0.1:*",
                                            endpoint, sizeof endpoint));
    int wrong = raw_connect(endpoint);
    CU_ASSERT_TRUE_FATAL(wrong >= 0);
    CU_ASSERT_TRUE(raw_greet(wrong, "NULL", false));
    CU_ASSERT_TRUE(send_ready(wrong, "PAIR"));
    CU_ASSERT_TRUE(raw_closed_by_peer(wrong));
    close(wrong);

    int fd = raw_handshake(endpoint, "CHANNEL", "CHANNEL");
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    CU_ASSERT_TRUE(raw_send_frame(fd, (const uint8_t *) "hello", 5, 0));
    CU_ASSERT_TRUE(test_recv_is(channel, "hello", 5000));
    CU_ASSERT_TRUE(test_send(channel, "reply", 0));
    CU_ASSERT_TRUE(read_message_is(fd, "reply"));
    close(fd);
    test_close(channel);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "PEER routing with zmq_connect_peer", test_peer_routing },
        { "PEER plain connect", test_peer_plain_connect },
        { "zmq_connect_peer errors", test_connect_peer_errors },
        { "PEER errors and mute", test_peer_errors_and_mute },
        { "PEER with a ZMTP peer by hand", test_peer_raw_zmtp },
        { "zmq_connect_peer to a ZMTP peer", test_connect_peer_to_raw },
        { "four threads on one PEER", test_threads_share_peer },
        { "CHANNEL pair", test_channel_pair },
        { "CHANNEL second peer refused", test_channel_second_peer_refused },
        { "CHANNEL mute and multipart", test_channel_mute_and_multipart },
        { "CHANNEL with a ZMTP peer by hand", test_channel_raw_zmtp },
    };
    return test_run_suite("peer_channel", tests,
                          sizeof tests / sizeof tests[0]);
}
