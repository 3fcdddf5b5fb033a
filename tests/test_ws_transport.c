/*
 * The ws transport (ZWS 2.0 over RFC 6455): endpoints as ZMQ_LAST_ENDPOINT
 * gives them and the ones refused, ours against ours for several socket
 * pairs, multipart and large messages, PLAIN, and a raw WebSocket client
 * written here, over a plain tcp socket, for what no library sends: bad
 * upgrades, unmasked, oversized and fragmented frames, pings, a client
 * that never finishes its upgrade, frames cut short. Each misbehaving
 * connection is dropped (with its event on the monitor) or answered, and
 * the bound socket carries on. As libzmq 4.3.4's ws, ZMQ_TCP_ACCEPT_FILTER
 * and ZMQ_SOCKS_PROXY do not apply.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "ws_suites.h"
#include "zap_handler.h"
#include "zmq.h"

static void *ctx;

static void test_has(void)
{
    CU_ASSERT_EQUAL(zmq_has("ws"), 1);
}

static void test_endpoints(void)
{
    void *s = test_ws_socket(ctx, ZMQ_PAIR);
    char endpoint[256];
    CU_ASSERT_TRUE(test_bind_endpoint(s, "ws://127.0.0.1:*/zpath", endpoint,
                                      sizeof endpoint));
    char expected[256];
    snprintf(expected, sizeof expected, "ws://127.0.0.1:%d/zpath",
             test_port_of(endpoint));
    CU_ASSERT_STRING_EQUAL(endpoint, expected);
    CU_ASSERT(test_port_of(endpoint) > 0);
    CU_ASSERT_EQUAL(zmq_unbind(s, endpoint), 0);

    /* Port 0 is a wildcard too; no path is "/". */
    CU_ASSERT_TRUE(test_bind_endpoint(s, "ws://127.0.0.1:0", endpoint,
                                      sizeof endpoint));
    snprintf(expected, sizeof expected, "ws://127.0.0.1:%d/",
             test_port_of(endpoint));
    CU_ASSERT_STRING_EQUAL(endpoint, expected);
    CU_ASSERT(test_port_of(endpoint) > 0);
    CU_ASSERT_TRUE(test_bind_endpoint(s, "ws://*:*/any", endpoint,
                                      sizeof endpoint));
    snprintf(expected, sizeof expected, "ws://0.0.0.0:%d/any",
             test_port_of(endpoint));
    CU_ASSERT_STRING_EQUAL(endpoint, expected);

    const char *bad_binds[] = { "ws://127.0.0.1", "ws://127.0.0.1:99999/",
                                "ws://:5555/", "ws://127.0.0.1:5555/a b",
                                "ws:///x" };
    for (size_t i = 0; i < sizeof bad_binds / sizeof bad_binds[0]; i++) {
        errno = 0;
        CU_ASSERT_EQUAL(zmq_bind(s, bad_binds[i]), -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
    }
    const char *bad_connects[] = { "ws://127.0.0.1:*/x", "ws://127.0.0.1:0/",
                                   "ws://*:5555/", "ws://localhost" };
    for (size_t i = 0; i < sizeof bad_connects / sizeof bad_connects[0];
         i++) {
        errno = 0;
        CU_ASSERT_EQUAL(zmq_connect(s, bad_connects[i]), -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
    }
    test_close(s);
}

/* A bound and a connected socket over ws on loopback. */
static void join(void *bound, void *connected, const char *path)
{
    char address[128], endpoint[256];
    snprintf(address, sizeof address, "ws://127.0.0.1:*%s", path);
    CU_ASSERT_TRUE_FATAL(
        test_bind_endpoint(bound, address, endpoint, sizeof endpoint));
    CU_ASSERT_EQUAL_FATAL(zmq_connect(connected, endpoint), 0);
}

static void test_pairs(void)
{
    for (size_t i = 0; i < 6; i++) {
        const struct test_pair_types *types = &test_pairs_classic[i];
        void *b = test_ws_socket(ctx, types->bind_type);
        void *c = test_ws_socket(ctx, types->connect_type);
        join(b, c, "/pairs");
        test_pair_exchange(b, types->bind_type, c);
        test_close(c);
        test_close(b);
    }
}

static void test_pub_sub(void)
{
    void *pub = test_ws_socket(ctx, ZMQ_XPUB);
    void *sub = test_ws_socket(ctx, ZMQ_SUB);
    join(pub, sub, "/feed");
    test_subscription_exchange(pub, sub);
    test_close(sub);
    test_close(pub);
}

/* Parts of 0, 1, 255, 256, 65535, 65536 and 3 MB bytes (each ws length
 * form), in one message and many, both ways. */
static void test_large_multipart(void)
{
    static const size_t sizes[] = { 0, 1, 255, 256, 65535, 65536,
                                    3 * 1024 * 1024 };
    void *a = test_ws_socket(ctx, ZMQ_PAIR);
    void *b = test_ws_socket(ctx, ZMQ_PAIR);
    join(a, b, "/big");
    test_exchange_parts(a, b, sizes, sizeof sizes / sizeof sizes[0]);
    test_close(b);
    test_close(a);
}

static void test_plain(void)
{
    struct zap_handler zap = { .username = "admin", .password = "secret" };
    CU_ASSERT_TRUE_FATAL(zap_handler_start(&zap, ctx, ZAP_CHECK_PASSWORD));
    void *server = test_ws_socket(ctx, ZMQ_REP);
    test_set_int(server, ZMQ_PLAIN_SERVER, 1);
    void *client = test_ws_socket(ctx, ZMQ_REQ);
    CU_ASSERT_EQUAL(zmq_setsockopt(client, ZMQ_PLAIN_USERNAME, "admin", 5), 0);
    CU_ASSERT_EQUAL(zmq_setsockopt(client, ZMQ_PLAIN_PASSWORD, "secret", 6),
                    0);
    join(server, client, "/plain");
    CU_ASSERT_TRUE(test_send(client, "hello", 0));
    CU_ASSERT_TRUE(test_recv_is(server, "hello", 5000));
    CU_ASSERT_EQUAL(zap_handler_requests(&zap), 1);
    CU_ASSERT_STRING_EQUAL(zap.mechanism, "PLAIN");
    CU_ASSERT_STRING_EQUAL(zap.username_seen, "admin");
    CU_ASSERT_TRUE(test_send(server, "world", 0));
    CU_ASSERT_TRUE(test_recv_is(client, "world", 5000));

    /* A NULL client offers ZWS2.0/NULL, which a PLAIN server refuses. */
    void *plain_less = test_ws_socket(ctx, ZMQ_REQ);
    char endpoint[256];
    size_t size = sizeof endpoint;
    zmq_getsockopt(server, ZMQ_LAST_ENDPOINT, endpoint, &size);
    CU_ASSERT_EQUAL(zmq_connect(plain_less, endpoint), 0);
    CU_ASSERT_TRUE(test_send(plain_less, "let me in", 0));
    CU_ASSERT_TRUE(test_recv_nothing(server, 300));
    test_close(plain_less);
    test_close(client);
    test_close(server);
    zap_handler_stop(&zap);
}

/* ---- a raw WebSocket client --------------------------------------- */

struct raw {
    int fd;
    char response[4096];
};

static bool read_some(int fd, void *buffer, size_t size, size_t *got,
                      int timeout_ms)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    if (poll(&pfd, 1, timeout_ms) <= 0)
        return false;
    ssize_t n = read(fd, buffer, size);
    if (n <= 0)
        return false;
    *got = (size_t) n;
    return true;
}

static bool read_exact(int fd, void *buffer, size_t size, int timeout_ms)
{
    size_t have = 0;
    while (have < size) {
        size_t got;
        if (!read_some(fd, (char *) buffer + have, size - have, &got,
                       timeout_ms))
            return false;
        have += got;
    }
    return true;
}

/* Sends request and reads the answer's header into raw->response. */
static bool raw_start(struct raw *raw, int port, const char *request)
{
    raw->fd = test_connect_loopback(port);
    CU_ASSERT_FATAL(raw->fd >= 0);
    CU_ASSERT_EQUAL(write(raw->fd, request, strlen(request)),
                    (ssize_t) strlen(request));
    size_t have = 0;
    raw->response[0] = '\0';
    /* One byte at a time, so that no frame after the header is eaten. */
    while (have + 1 < sizeof raw->response &&
           strstr(raw->response, "\r\n\r\n") == NULL) {
        if (!read_exact(raw->fd, raw->response + have, 1, 3000))
            return false;
        raw->response[++have] = '\0';
    }
    return strstr(raw->response, "\r\n\r\n") != NULL;
}

static void upgrade_request(char *out, size_t size, const char *path,
                            const char *protocol)
{
    snprintf(out, size,
             "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
             "Connection: keep-alive, Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
             "Sec-WebSocket-Protocol: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
             path, protocol);
}

/* One frame: first byte b0, payload masked when mask. */
static void raw_frame(int fd, uint8_t b0, const void *payload, size_t size,
                      bool mask)
{
    uint8_t header[14];
    size_t n = 0;
    header[n++] = b0;
    uint8_t bit = mask ? 0x80 : 0;
    if (size < 126) {
        header[n++] = (uint8_t) (bit | size);
    } else if (size < 65536) {
        header[n++] = bit | 126;
        header[n++] = (uint8_t) (size >> 8);
        header[n++] = (uint8_t) size;
    } else {
        header[n++] = bit | 127;
        for (int shift = 56; shift >= 0; shift -= 8)
            header[n++] = (uint8_t) ((uint64_t) size >> shift);
    }
    static const uint8_t key[4] = { 0x37, 0xfa, 0x21, 0x3d };
    if (mask) {
        memcpy(header + n, key, 4);
        n += 4;
    }
    uint8_t *frame = malloc(n + size);
    memcpy(frame, header, n);
    for (size_t i = 0; i < size; i++)
        frame[n + i] = ((const uint8_t *) payload)[i] ^ (mask ? key[i & 3] : 0);
    CU_ASSERT_EQUAL(write(fd, frame, n + size), (ssize_t) (n + size));
    free(frame);
}

/* Reads one unmasked server frame: its opcode and payload. */
static bool raw_read_frame(int fd, uint8_t *opcode, uint8_t *payload,
                           size_t *size)
{
    uint8_t h[2];
    if (!read_exact(fd, h, 2, 3000) || (h[1] & 0x80))
        return false;
    size_t length = h[1] & 0x7F;
    if (length == 126) {
        uint8_t e[2];
        if (!read_exact(fd, e, 2, 3000))
            return false;
        length = (size_t) e[0] << 8 | e[1];
    } else if (length == 127) {
        return false;
    }
    if (length > *size || !read_exact(fd, payload, length, 3000))
        return false;
    *opcode = h[0] & 0x0F;
    *size = length;
    return true;
}

/* A PULL bound on ws whose raw peer is a PUSH: upgrade, READY both ways. */
static const uint8_t push_ready[] = "\2\5READY\13Socket-Type\0\0\0\4PUSH";

static bool raw_ready(struct raw *raw, int port, const char *path)
{
    char request[512];
    upgrade_request(request, sizeof request, path, "chat, ZWS2.0/NULL");
    if (!raw_start(raw, port, request) ||
        strncmp(raw->response, "HTTP/1.1 101", 12) != 0 ||
        strstr(raw->response,
               "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=") == NULL ||
        strstr(raw->response, "Sec-WebSocket-Protocol: ZWS2.0/NULL") == NULL)
        return false;
    uint8_t payload[256], opcode;
    size_t size = sizeof payload;
    if (!raw_read_frame(raw->fd, &opcode, payload, &size) || opcode != 2 ||
        payload[0] != 2 || memcmp(payload + 1, "\5READY", 6) != 0)
        return false;
    raw_frame(raw->fd, 0x82, push_ready, sizeof push_ready - 1, true);
    return true;
}

struct raw_fixture {
    void *pull;
    int port;
};

static void fixture_open(struct raw_fixture *f)
{
    f->pull = test_ws_socket(ctx, ZMQ_PULL);
    int64_t limit = 100000;
    CU_ASSERT_EQUAL(
        zmq_setsockopt(f->pull, ZMQ_MAXMSGSIZE, &limit, sizeof limit), 0);
    test_set_int(f->pull, ZMQ_HANDSHAKE_IVL, 1000);
    char endpoint[256];
    CU_ASSERT_TRUE_FATAL(test_bind_endpoint(f->pull, "ws://127.0.0.1:*/raw",
                                            endpoint, sizeof endpoint));
    f->port = test_port_of(endpoint);
}

/* The bound socket still takes a well-behaved peer. */
static void fixture_carries_on(struct raw_fixture *f)
{
    struct raw good;
    CU_ASSERT_TRUE(raw_ready(&good, f->port, "/raw"));
    raw_frame(good.fd, 0x82, "\0still here", 11, true);
    CU_ASSERT_TRUE(test_recv_is(f->pull, "still here", 5000));
    close(good.fd);
}

static void test_raw_bad_upgrades(void)
{
    struct raw_fixture f;
    fixture_open(&f);
    char request[512];
    const char *bad[] = {
        /* wrong path, no ZWS protocol, not version 13, no key, HTTP/1.0 */
        "GET /other HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Protocol: ZWS2.0/NULL\r\nSec-WebSocket-Version: 13\r\n\r\n",
        NULL,
        "GET /raw HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Protocol: ZWS2.0/NULL\r\nSec-WebSocket-Version: 8\r\n\r\n",
        "GET /raw HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Protocol: ZWS2.0/NULL\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n",
        "GET /raw HTTP/1.0\r\nHost: h\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Protocol: ZWS2.0/NULL\r\nSec-WebSocket-Version: 13\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *text = bad[i];
        if (text == NULL) {
            /* A NULL server takes ZWS2.0/NULL or the bare ZWS2.0 only. */
            upgrade_request(request, sizeof request, "/raw",
                            "ZWS2.0/PLAIN, ZWS2.0/CURVE");
            text = request;
        }
        struct raw raw;
        CU_ASSERT_TRUE(raw_start(&raw, f.port, text));
        CU_ASSERT_EQUAL(strncmp(raw.response, "HTTP/1.1 400", 12), 0);
        CU_ASSERT_TRUE(test_closed_by_peer(raw.fd, 3000));
        close(raw.fd);
    }
    /* A header that never ends is cut off at its cap. */
    struct raw raw;
    raw.fd = test_connect_loopback(f.port);
    char junk[1024];
    memset(junk, 'x', sizeof junk);
    bool closed = false;
    for (int i = 0; i < 64 && !closed; i++) {
        if (send(raw.fd, junk, sizeof junk, MSG_NOSIGNAL) < 0)
            closed = true;
        else
            closed = test_closed_by_peer(raw.fd, 20);
    }
    if (!closed)
        closed = test_closed_by_peer(raw.fd, 3000);
    CU_ASSERT_TRUE(closed);
    close(raw.fd);
    /* A client that never upgrades meets ZMQ_HANDSHAKE_IVL (1 s). */
    raw.fd = test_connect_loopback(f.port);
    CU_ASSERT_TRUE(test_closed_by_peer(raw.fd, 4000));
    close(raw.fd);
    fixture_carries_on(&f);
    test_close(f.pull);
}

static void test_raw_frames(void)
{
    struct raw_fixture f;
    fixture_open(&f);
    struct raw raw;

    /* A ping is answered with a pong carrying its payload, and a message
     * in three fragments with pings between them arrives whole. */
    CU_ASSERT_TRUE_FATAL(raw_ready(&raw, f.port, "/raw"));
    raw_frame(raw.fd, 0x89, "are you there", 13, true);
    uint8_t payload[256], opcode;
    size_t size = sizeof payload;
    CU_ASSERT_TRUE(raw_read_frame(raw.fd, &opcode, payload, &size));
    CU_ASSERT_EQUAL(opcode, 0xA);
    CU_ASSERT(size == 13 && memcmp(payload, "are you there", 13) == 0);
    raw_frame(raw.fd, 0x02, "\0frag", 5, true);
    raw_frame(raw.fd, 0x89, "", 0, true);
    raw_frame(raw.fd, 0x00, "mented ", 7, true);
    raw_frame(raw.fd, 0x80, "message", 7, true);
    CU_ASSERT_TRUE(test_recv_is(f.pull, "fragmented message", 5000));
    size = sizeof payload;
    CU_ASSERT_TRUE(raw_read_frame(raw.fd, &opcode, payload, &size));
    CU_ASSERT_EQUAL(opcode, 0xA);
    /* A close is answered with a close, and the connection ends. */
    raw_frame(raw.fd, 0x88, "\3\350", 2, true);
    size = sizeof payload;
    CU_ASSERT_TRUE(raw_read_frame(raw.fd, &opcode, payload, &size));
    CU_ASSERT_EQUAL(opcode, 0x8);
    CU_ASSERT_TRUE(test_closed_by_peer(raw.fd, 3000));
    close(raw.fd);

    /* An unmasked client frame ends that connection. */
    CU_ASSERT_TRUE_FATAL(raw_ready(&raw, f.port, "/raw"));
    raw_frame(raw.fd, 0x82, "\0unmasked", 9, false);
    CU_ASSERT_TRUE(test_closed_by_peer(raw.fd, 3000));
    close(raw.fd);
    CU_ASSERT_TRUE(test_recv_nothing(f.pull, 100));

    /* So does a frame beyond ZMQ_MAXMSGSIZE (its header alone says so),
     * a text frame, a continuation with nothing to continue, a bad ZWS
     * flag and a fragmented ping. */
    static const struct {
        uint8_t b0;
        const char *payload;
        size_t size;
    } bad[] = { { 0x82, NULL, 200000 }, { 0x81, "\0text", 5 },
                { 0x80, "\0cont", 5 },  { 0x82, "\7flag", 5 },
                { 0x09, "ping", 4 },    { 0x82, "", 0 } };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT_TRUE_FATAL(raw_ready(&raw, f.port, "/raw"));
        if (bad[i].payload == NULL) {
            uint8_t header[14] = { 0x82, 0x80 | 127 };
            uint64_t length = bad[i].size;
            for (int b = 0; b < 8; b++)
                header[2 + b] = (uint8_t) (length >> (56 - 8 * b));
            CU_ASSERT_EQUAL(write(raw.fd, header, 14), 14);
        } else {
            raw_frame(raw.fd, bad[i].b0, bad[i].payload, bad[i].size, true);
        }
        CU_ASSERT_TRUE(test_closed_by_peer(raw.fd, 3000));
        close(raw.fd);
    }
    CU_ASSERT_TRUE(test_recv_nothing(f.pull, 100));
    fixture_carries_on(&f);
    test_close(f.pull);
}

/* Each dropped connection is on the monitor: a bad upgrade as a failed
 * handshake, a bad frame after READY as a disconnection; frames the peer
 * cut short (in the header, in the payload, between fragments) too. */
static void test_raw_events(void)
{
    struct raw_fixture f;
    fixture_open(&f);
    void *reader = test_monitor_open(
        ctx, f.pull,
        ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_DISCONNECTED);
    struct raw raw;
    CU_ASSERT_TRUE(raw_start(&raw, f.port,
                             "GET /raw HTTP/1.1\r\nHost: h\r\n\r\n"));
    CU_ASSERT_TRUE(test_closed_by_peer(raw.fd, 3000));
    close(raw.fd);
    CU_ASSERT_EQUAL(test_events_count(reader,
                                      ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL,
                                      2000, 1),
                    1);

    CU_ASSERT_TRUE_FATAL(raw_ready(&raw, f.port, "/raw"));
    raw_frame(raw.fd, 0x82, "\0unmasked", 9, false);
    CU_ASSERT_TRUE(test_closed_by_peer(raw.fd, 3000));
    close(raw.fd);
    CU_ASSERT_EQUAL(
        test_events_count(reader, ZMQ_EVENT_DISCONNECTED, 2000, 1), 1);

    static const uint8_t cut_header[] = { 0x82, 0xFE, 0x03 };
    static const uint8_t cut_payload[] = { 0x82, 0x90, 1, 2, 3, 4, 1, 2 };
    static const uint8_t cut_message[] = { 0x02, 0x82, 1, 2, 3, 4, 1, 2 };
    const struct {
        const uint8_t *bytes;
        size_t size;
    } cuts[] = { { cut_header, sizeof cut_header },
                 { cut_payload, sizeof cut_payload },
                 { cut_message, sizeof cut_message } };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        CU_ASSERT_TRUE_FATAL(raw_ready(&raw, f.port, "/raw"));
        CU_ASSERT_EQUAL(write(raw.fd, cuts[i].bytes, cuts[i].size),
                        (ssize_t) cuts[i].size);
        shutdown(raw.fd, SHUT_WR);
        CU_ASSERT_TRUE(test_closed_by_peer(raw.fd, 3000));
        close(raw.fd);
        CU_ASSERT_EQUAL(
            test_events_count(reader, ZMQ_EVENT_DISCONNECTED, 2000, 1), 1);
    }
    CU_ASSERT_TRUE(test_recv_nothing(f.pull, 100));
    fixture_carries_on(&f);
    test_monitor_close(f.pull, reader);
    test_close(f.pull);
}

/* libzmq 4.3.4's ws listener filters no peer and its connecter takes no
 * proxy: a filter that admits nobody on loopback and a proxy where none
 * listens change nothing. */
static void test_tcp_only_options(void)
{
    void *pull = test_ws_socket(ctx, ZMQ_PULL);
    CU_ASSERT_EQUAL(
        zmq_setsockopt(pull, ZMQ_TCP_ACCEPT_FILTER, "192.0.2.1", 9), 0);
    void *push = test_ws_socket(ctx, ZMQ_PUSH);
    CU_ASSERT_EQUAL(zmq_setsockopt(push, ZMQ_SOCKS_PROXY, "127.0.0.1:1", 11),
                    0);
    join(pull, push, "/tcp-only");
    CU_ASSERT_TRUE(test_send(push, "straight through", 0));
    CU_ASSERT_TRUE(test_recv_is(pull, "straight through", 5000));
    test_close(push);
    test_close(pull);
}

/* ZMQ_USE_FD: the bind takes the application's listening fd, as libzmq's
 * ws listener does, and the endpoint is that fd's. */
static void test_use_fd(void)
{
    int port;
    int own = test_listen_loopback(&port);
    void *pull = test_ws_socket(ctx, ZMQ_PULL);
    CU_ASSERT_TRUE(test_set_int(pull, ZMQ_USE_FD, own));
    char endpoint[256], expected[256];
    CU_ASSERT_TRUE_FATAL(test_bind_endpoint(pull, "ws://127.0.0.1:*/fd",
                                            endpoint, sizeof endpoint));
    snprintf(expected, sizeof expected, "ws://127.0.0.1:%d/fd", port);
    CU_ASSERT_STRING_EQUAL(endpoint, expected);
    void *push = test_ws_socket(ctx, ZMQ_PUSH);
    CU_ASSERT_EQUAL(zmq_connect(push, endpoint), 0);
    CU_ASSERT_TRUE(test_send(push, "through my fd", 0));
    CU_ASSERT_TRUE(test_recv_is(pull, "through my fd", 5000));
    test_close(push);
    test_close(pull); /* closes own, as libzmq does */
}

/* ---- a missing plugin ------------------------------------------------ */

/* In a child whose plugin path lacks the ws module: EPROTONOSUPPORT, and
 * stderr names the file looked for. Runs before this process loads ws. */
static void test_missing_plugin(void)
{
    if (access(MZ_PLUGIN_DIR "/modzmq_ws.so", F_OK) == 0 ||
        access(MZ_PLUGIN_DIR "/modzmq_ws.la", F_OK) == 0) {
        printf("a ws plugin is installed in %s: not checked\n",
               MZ_PLUGIN_DIR);
        return;
    }
    int err[2];
    CU_ASSERT_FATAL(pipe(err) == 0);
    pid_t child = fork();
    CU_ASSERT_FATAL(child >= 0);
    if (child == 0) {
        close(err[0]);
        dup2(err[1], STDERR_FILENO);
        setenv("MODZMQ_PLUGIN_PATH", MISSING_PLUGIN_DIR, 1);
        void *c = zmq_ctx_new();
        void *s = zmq_socket(c, ZMQ_PAIR);
        int code = 0;
        errno = 0;
        if (zmq_bind(s, "ws://127.0.0.1:*/") != -1 || errno != EPROTONOSUPPORT)
            code = 1;
        errno = 0;
        if (zmq_connect(s, "ws://127.0.0.1:5555/") != -1 ||
            errno != EPROTONOSUPPORT)
            code = 2;
        if (zmq_has("ws") != 0)
            code = 3;
        zmq_close(s);
        zmq_ctx_term(c);
        _exit(code);
    }
    close(err[1]);
    char said[4096];
    size_t have = 0, got;
    while (have + 1 < sizeof said &&
           read_some(err[0], said + have, sizeof said - 1 - have, &got, 5000))
        have += got;
    said[have] = '\0';
    close(err[0]);
    int status = -1;
    CU_ASSERT_EQUAL(waitpid(child, &status, 0), child);
    CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(said, "/modzmq_ws.so"));
    CU_ASSERT_PTR_NOT_NULL(strstr(said, "transport \"ws\" unavailable"));
}

int main(void)
{
    const struct test_case tests[] = {
        { "a missing plugin", test_missing_plugin },
        { "zmq_has", test_has },
        { "endpoints", test_endpoints },
        { "socket pairs", test_pairs },
        { "publish and subscribe", test_pub_sub },
        { "large and multipart messages", test_large_multipart },
        { "PLAIN", test_plain },
        { "raw client: bad upgrades", test_raw_bad_upgrades },
        { "raw client: frames", test_raw_frames },
        { "raw client: drops and their events", test_raw_events },
        { "tcp-only options", test_tcp_only_options },
        { "ZMQ_USE_FD", test_use_fd },
    };
    ctx = zmq_ctx_new();
    int rc = test_run_suite("ws transport", tests,
                            sizeof tests / sizeof tests[0]);
    zmq_ctx_term(ctx);
    return rc;
}
