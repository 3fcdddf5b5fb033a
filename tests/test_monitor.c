/*
 * Socket monitoring: the events the core publishes and the frames the
 * monitor plugin sends, over tcp and ipc on loopback. Sequences are the
 * ones libzmq 4.3 gives for the same actions (checked against it with
 * pyzmq; tests/check_monitor_seed.sh does it in make check for the seeds'
 * example). Events that may or may not come depending on timing (the
 * client's CONNECT_DELAYED) are skipped where libzmq's own tests skip them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <modzmq/observer.h>
#include <modzmq/plugin.h>

#include "modzmq.h"
#include "testutil.h"
#include "zmq.h"

enum { WAIT_MS = 3000 };

struct event {
    uint64_t id;
    uint64_t values[8];
    uint64_t value_count;
    char local[256];
    char remote[256]; /* v1: the one endpoint frame */
};

/* One part into buf; its size, or -1 when nothing came in time. */
static int recv_part(void *s, void *buf, size_t size, bool *more)
{
    int rc = zmq_recv(s, buf, size, 0);
    if (rc < 0)
        return -1;
    *more = test_get_int(s, ZMQ_RCVMORE) == 1;
    return rc;
}

static void *reader_new(void *ctx, const char *endpoint)
{
    void *r = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_TRUE(test_set_int(r, ZMQ_RCVTIMEO, WAIT_MS));
    CU_ASSERT_EQUAL(zmq_connect(r, endpoint), 0);
    return r;
}

static bool read_v1(void *r, struct event *e)
{
    uint8_t head[16];
    bool more = false;
    memset(e, 0, sizeof *e);
    if (recv_part(r, head, sizeof head, &more) != 6 || !more)
        return false;
    uint16_t id;
    uint32_t value;
    memcpy(&id, head, 2);
    memcpy(&value, head + 2, 4);
    e->id = id;
    e->values[0] = value;
    e->value_count = 1;
    int n = recv_part(r, e->remote, sizeof e->remote - 1, &more);
    if (n < 0 || more)
        return false;
    e->remote[n] = '\0';
    return true;
}

static bool read_v2(void *r, struct event *e)
{
    bool more = false;
    memset(e, 0, sizeof *e);
    if (recv_part(r, &e->id, 8, &more) != 8 || !more ||
        recv_part(r, &e->value_count, 8, &more) != 8 || !more ||
        e->value_count > 8)
        return false;
    for (uint64_t i = 0; i < e->value_count; i++)
        if (recv_part(r, &e->values[i], 8, &more) != 8 || !more)
            return false;
    int n = recv_part(r, e->local, sizeof e->local - 1, &more);
    if (n < 0 || !more)
        return false;
    e->local[n] = '\0';
    n = recv_part(r, e->remote, sizeof e->remote - 1, &more);
    if (n < 0 || more)
        return false;
    e->remote[n] = '\0';
    return true;
}

/* The next v1 event, skipping one optional id first; its id, or 0. */
static uint64_t next_v1(void *r, uint64_t optional, struct event *e)
{
    if (!read_v1(r, e))
        return 0;
    if (optional != 0 && e->id == optional && !read_v1(r, e))
        return 0;
    return e->id;
}

static uint16_t free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd, (struct sockaddr *) &a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *) &a, &len) != 0) {
        close(fd);
        return 0;
    }
    close(fd);
    return ntohs(a.sin_port);
}

static void bounce(void *client, void *server)
{
    CU_ASSERT_TRUE(test_send(client, "ping", 0));
    CU_ASSERT_TRUE(test_recv_is(server, "ping", WAIT_MS));
    CU_ASSERT_TRUE(test_send(server, "pong", 0));
    CU_ASSERT_TRUE(test_recv_is(client, "pong", WAIT_MS));
}

static void last_endpoint(void *s, char *buf, size_t size)
{
    CU_ASSERT_EQUAL(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, buf, &size), 0);
}

/* The seeds' example: client and server over one transport, all events
 * in version 1, both sockets closed, then each monitor read through. */
static void sequence_v1(const char *bind_endpoint)
{
    void *ctx = zmq_ctx_new();
    void *client = zmq_socket(ctx, ZMQ_DEALER);
    void *server = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_EQUAL(
        zmq_socket_monitor(client, "inproc://seq-client", ZMQ_EVENT_ALL), 0);
    CU_ASSERT_EQUAL(
        zmq_socket_monitor(server, "inproc://seq-server", ZMQ_EVENT_ALL), 0);
    void *client_mon = reader_new(ctx, "inproc://seq-client");
    void *server_mon = reader_new(ctx, "inproc://seq-server");
    CU_ASSERT_EQUAL_FATAL(zmq_bind(server, bind_endpoint), 0);
    char endpoint[256];
    last_endpoint(server, endpoint, sizeof endpoint);
    CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
    bounce(client, server);

    struct event e;
    CU_ASSERT_EQUAL(next_v1(server_mon, 0, &e), ZMQ_EVENT_LISTENING);
    CU_ASSERT_STRING_EQUAL(e.remote, endpoint);
    CU_ASSERT(e.values[0] > 2); /* the listening fd */
    CU_ASSERT_EQUAL(next_v1(server_mon, 0, &e), ZMQ_EVENT_ACCEPTED);
    CU_ASSERT_STRING_EQUAL(e.remote, endpoint);
    uint64_t accepted_fd = e.values[0];
    CU_ASSERT_EQUAL(next_v1(server_mon, 0, &e), ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    CU_ASSERT_EQUAL(e.values[0], 0);

    test_close(client);
    /* The server sees the client go before it closes itself. */
    CU_ASSERT_EQUAL(next_v1(server_mon, 0, &e), ZMQ_EVENT_DISCONNECTED);
    CU_ASSERT_EQUAL(e.values[0], accepted_fd);
    CU_ASSERT_STRING_EQUAL(e.remote, endpoint);
    test_close(server);

    CU_ASSERT_EQUAL(next_v1(client_mon, ZMQ_EVENT_CONNECT_DELAYED, &e),
                    ZMQ_EVENT_CONNECTED);
    CU_ASSERT_STRING_EQUAL(e.remote, endpoint);
    CU_ASSERT_EQUAL(next_v1(client_mon, 0, &e), ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    CU_ASSERT_EQUAL(next_v1(client_mon, 0, &e), ZMQ_EVENT_MONITOR_STOPPED);
    CU_ASSERT_STRING_EQUAL(e.remote, "");
    CU_ASSERT_EQUAL(next_v1(server_mon, 0, &e), ZMQ_EVENT_CLOSED);
    CU_ASSERT_STRING_EQUAL(e.remote, endpoint);
    CU_ASSERT_EQUAL(next_v1(server_mon, 0, &e), ZMQ_EVENT_MONITOR_STOPPED);
    /* Nothing after MONITOR_STOPPED. */
    CU_ASSERT_TRUE(test_recv_nothing(client_mon, 50));
    CU_ASSERT_TRUE(test_recv_nothing(server_mon, 50));
    test_close(client_mon);
    test_close(server_mon);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_tcp_sequence(void)
{
    sequence_v1("tcp://127.0.0.1:*");
}

static void test_ipc_sequence(void)
{
    char dir[] = "/tmp/mz_monitor_XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char endpoint[300];
    snprintf(endpoint, sizeof endpoint, "ipc://%s/s", dir);
    sequence_v1(endpoint);
    rmdir(dir);
}

/* Version 2 names both ends of a connection. */
static void test_v2_endpoints(void)
{
    void *ctx = zmq_ctx_new();
    void *client = zmq_socket(ctx, ZMQ_DEALER);
    void *server = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_EQUAL(zmq_socket_monitor_versioned(client, "inproc://v2-client",
                                                 ZMQ_EVENT_ALL_V2, 2, ZMQ_PAIR),
                    0);
    CU_ASSERT_EQUAL(zmq_socket_monitor_versioned(server, "inproc://v2-server",
                                                 ZMQ_EVENT_ALL_V2, 2, ZMQ_PAIR),
                    0);
    void *client_mon = reader_new(ctx, "inproc://v2-client");
    void *server_mon = reader_new(ctx, "inproc://v2-server");
    CU_ASSERT_EQUAL(zmq_bind(server, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    last_endpoint(server, endpoint, sizeof endpoint);
    CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
    bounce(client, server);

    struct event e;
    CU_ASSERT_TRUE(read_v2(server_mon, &e));
    CU_ASSERT_EQUAL(e.id, ZMQ_EVENT_LISTENING);
    CU_ASSERT_EQUAL(e.value_count, 1);
    CU_ASSERT_STRING_EQUAL(e.local, endpoint);
    CU_ASSERT_STRING_EQUAL(e.remote, "");
    CU_ASSERT_TRUE(read_v2(server_mon, &e));
    CU_ASSERT_EQUAL(e.id, ZMQ_EVENT_ACCEPTED);
    CU_ASSERT_STRING_EQUAL(e.local, endpoint);
    char server_remote[256];
    strcpy(server_remote, e.remote);
    CU_ASSERT_EQUAL(strncmp(e.remote, "tcp://127.0.0.1:", 16), 0);

    CU_ASSERT_TRUE(read_v2(client_mon, &e));
    if (e.id == ZMQ_EVENT_CONNECT_DELAYED) {
        CU_ASSERT_EQUAL(e.values[0], EINPROGRESS);
        CU_ASSERT_STRING_EQUAL(e.local, "");
        CU_ASSERT_STRING_EQUAL(e.remote, endpoint);
        CU_ASSERT_TRUE(read_v2(client_mon, &e));
    }
    CU_ASSERT_EQUAL(e.id, ZMQ_EVENT_CONNECTED);
    CU_ASSERT_STRING_EQUAL(e.remote, endpoint);
    /* Each side's far end is the other's near end. */
    CU_ASSERT_STRING_EQUAL(e.local, server_remote);
    test_close(client);
    test_close(server);
    test_close(client_mon);
    test_close(server_mon);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* The frames byte by byte: v1 is a 6-byte head (16-bit event, 32-bit
 * value, host order) and the endpoint; v2 is 8-byte event, 8-byte count,
 * the values, local, remote. */
static void test_frame_layouts(void)
{
    void *ctx = zmq_ctx_new();
    void *s1 = zmq_socket(ctx, ZMQ_DEALER);
    void *s2 = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_EQUAL(
        zmq_socket_monitor(s1, "inproc://frames-1", ZMQ_EVENT_LISTENING), 0);
    CU_ASSERT_EQUAL(zmq_socket_monitor_versioned(s2, "inproc://frames-2",
                                                 ZMQ_EVENT_LISTENING, 2,
                                                 ZMQ_PAIR),
                    0);
    void *r1 = reader_new(ctx, "inproc://frames-1");
    void *r2 = reader_new(ctx, "inproc://frames-2");
    CU_ASSERT_EQUAL(zmq_bind(s1, "tcp://127.0.0.1:*"), 0);
    CU_ASSERT_EQUAL(zmq_bind(s2, "tcp://127.0.0.1:*"), 0);
    char ep1[256], ep2[256];
    last_endpoint(s1, ep1, sizeof ep1);
    last_endpoint(s2, ep2, sizeof ep2);

    uint8_t buf[64];
    bool more = false;
    CU_ASSERT_EQUAL(recv_part(r1, buf, sizeof buf, &more), 6);
    CU_ASSERT_TRUE(more);
    uint16_t id = ZMQ_EVENT_LISTENING;
    CU_ASSERT_EQUAL(memcmp(buf, &id, 2), 0);
    uint32_t fd1;
    memcpy(&fd1, buf + 2, 4);
    CU_ASSERT(fd1 > 2 && fd1 < 65536);
    int n = recv_part(r1, buf, sizeof buf, &more);
    CU_ASSERT_EQUAL(n, (int) strlen(ep1));
    CU_ASSERT_FALSE(more);
    CU_ASSERT_EQUAL(memcmp(buf, ep1, strlen(ep1)), 0);

    uint64_t word;
    CU_ASSERT_EQUAL(recv_part(r2, &word, 8, &more), 8);
    CU_ASSERT_EQUAL(word, ZMQ_EVENT_LISTENING);
    CU_ASSERT_TRUE(more);
    CU_ASSERT_EQUAL(recv_part(r2, &word, 8, &more), 8);
    CU_ASSERT_EQUAL(word, 1);
    CU_ASSERT_EQUAL(recv_part(r2, &word, 8, &more), 8);
    CU_ASSERT(word > 2 && word < 65536 && word != fd1);
    n = recv_part(r2, buf, sizeof buf, &more);
    CU_ASSERT_EQUAL(n, (int) strlen(ep2));
    CU_ASSERT_EQUAL(memcmp(buf, ep2, strlen(ep2)), 0);
    CU_ASSERT_TRUE(more);
    CU_ASSERT_EQUAL(recv_part(r2, buf, sizeof buf, &more), 0);
    CU_ASSERT_FALSE(more);

    test_close(s1);
    test_close(s2);
    test_close(r1);
    test_close(r2);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A refused connect: CONNECT_DELAYED, CLOSED, CONNECT_RETRIED with the
 * interval, which doubles up to RECONNECT_IVL_MAX. */
static void test_reconnect_intervals(void)
{
    void *ctx = zmq_ctx_new();
    void *client = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_TRUE(test_set_int(client, ZMQ_RECONNECT_IVL, 20));
    CU_ASSERT_TRUE(test_set_int(client, ZMQ_RECONNECT_IVL_MAX, 80));
    CU_ASSERT_EQUAL(zmq_socket_monitor(client, "inproc://retry",
                                       ZMQ_EVENT_CONNECT_RETRIED |
                                           ZMQ_EVENT_CLOSED |
                                           ZMQ_EVENT_CONNECT_DELAYED),
                    0);
    void *mon = reader_new(ctx, "inproc://retry");
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%u", free_port());
    CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
    const uint64_t expected[] = { 20, 40, 80, 80 };
    size_t seen = 0;
    struct event e;
    for (int i = 0; i < 40 && seen < 4 && read_v1(mon, &e); i++) {
        CU_ASSERT_STRING_EQUAL(e.remote, endpoint);
        if (e.id == ZMQ_EVENT_CONNECT_DELAYED)
            CU_ASSERT_EQUAL(e.values[0], EINPROGRESS);
        if (e.id == ZMQ_EVENT_CONNECT_RETRIED)
            CU_ASSERT_EQUAL(e.values[0], expected[seen++]);
    }
    CU_ASSERT_EQUAL(seen, 4);
    test_close(client);
    test_close(mon);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A peer that goes away: DISCONNECTED, then the reconnect attempts. */
static void test_disconnect_then_retry(void)
{
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_DEALER);
    void *client = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_TRUE(test_set_int(client, ZMQ_RECONNECT_IVL, 30));
    CU_ASSERT_EQUAL(zmq_socket_monitor(client, "inproc://drop", ZMQ_EVENT_ALL),
                    0);
    void *mon = reader_new(ctx, "inproc://drop");
    CU_ASSERT_EQUAL(zmq_bind(server, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    last_endpoint(server, endpoint, sizeof endpoint);
    CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
    bounce(client, server);
    test_close(server);
    struct event e;
    CU_ASSERT_EQUAL(next_v1(mon, ZMQ_EVENT_CONNECT_DELAYED, &e),
                    ZMQ_EVENT_CONNECTED);
    CU_ASSERT_EQUAL(next_v1(mon, 0, &e), ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    CU_ASSERT_EQUAL(next_v1(mon, 0, &e), ZMQ_EVENT_DISCONNECTED);
    CU_ASSERT_EQUAL(next_v1(mon, 0, &e), ZMQ_EVENT_CONNECT_RETRIED);
    CU_ASSERT_EQUAL(e.values[0], 30);
    test_close(client);
    test_close(mon);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_bind_failed(void)
{
    void *ctx = zmq_ctx_new();
    void *first = zmq_socket(ctx, ZMQ_DEALER);
    void *second = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_EQUAL(zmq_bind(first, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    last_endpoint(first, endpoint, sizeof endpoint);
    CU_ASSERT_EQUAL(
        zmq_socket_monitor(second, "inproc://bindfail", ZMQ_EVENT_BIND_FAILED),
        0);
    void *mon = reader_new(ctx, "inproc://bindfail");
    CU_ASSERT_EQUAL(zmq_bind(second, endpoint), -1);
    CU_ASSERT_EQUAL(errno, EADDRINUSE);
    struct event e;
    CU_ASSERT_TRUE(read_v1(mon, &e));
    CU_ASSERT_EQUAL(e.id, ZMQ_EVENT_BIND_FAILED);
    CU_ASSERT_EQUAL(e.values[0], EADDRINUSE);
    /* libzmq names the address without its scheme. */
    CU_ASSERT_STRING_EQUAL(e.remote, endpoint + strlen("tcp://"));
    test_close(first);
    test_close(second);
    test_close(mon);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A peer the accept filter refuses: ACCEPT_FAILED with the errno
 * (EACCES from the tcp plugin; libzmq 4.3.4 leaves a stale EAGAIN). */
static void test_accept_failed(void)
{
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_DEALER);
    void *client = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_EQUAL(
        zmq_setsockopt(server, ZMQ_TCP_ACCEPT_FILTER, "10.1.1.1", 8), 0);
    CU_ASSERT_EQUAL(
        zmq_socket_monitor(server, "inproc://refused",
                           ZMQ_EVENT_ACCEPT_FAILED | ZMQ_EVENT_ACCEPTED),
        0);
    void *mon = reader_new(ctx, "inproc://refused");
    CU_ASSERT_EQUAL(zmq_bind(server, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    last_endpoint(server, endpoint, sizeof endpoint);
    CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
    struct event e;
    CU_ASSERT_TRUE(read_v1(mon, &e));
    CU_ASSERT_EQUAL(e.id, ZMQ_EVENT_ACCEPT_FAILED);
    CU_ASSERT_EQUAL(e.values[0], EACCES);
    CU_ASSERT_STRING_EQUAL(e.remote, endpoint);
    test_close(client);
    test_close(server);
    test_close(mon);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A raw TCP client writes bytes at a monitored server; the server's
 * events for the failed handshake follow. */
static void raw_handshake(const void *bytes, size_t size, uint64_t event,
                          uint64_t value)
{
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_EQUAL(zmq_socket_monitor(server, "inproc://raw", ZMQ_EVENT_ALL),
                    0);
    void *mon = reader_new(ctx, "inproc://raw");
    CU_ASSERT_EQUAL(zmq_bind(server, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    last_endpoint(server, endpoint, sizeof endpoint);
    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t) atoi(strrchr(endpoint, ':') + 1));
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CU_ASSERT_EQUAL_FATAL(connect(fd, (struct sockaddr *) &a, sizeof a), 0);
    CU_ASSERT_EQUAL(write(fd, bytes, size), (ssize_t) size);
    struct event e;
    CU_ASSERT_EQUAL(next_v1(mon, 0, &e), ZMQ_EVENT_LISTENING);
    CU_ASSERT_EQUAL(next_v1(mon, 0, &e), ZMQ_EVENT_ACCEPTED);
    if (event != 0) {
        CU_ASSERT_EQUAL(next_v1(mon, 0, &e), event);
        CU_ASSERT_EQUAL(e.values[0], value);
    }
    CU_ASSERT_EQUAL(next_v1(mon, 0, &e), ZMQ_EVENT_DISCONNECTED);
    close(fd);
    test_close(server);
    test_close(mon);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A ZMTP 3.1 greeting: signature, version, mechanism, as-server, filler. */
static size_t greeting(uint8_t *out, const char *mechanism)
{
    memset(out, 0, 64);
    out[0] = 0xff;
    out[9] = 0x7f;
    out[10] = 3;
    out[11] = 1;
    memcpy(out + 12, mechanism, strlen(mechanism));
    return 64;
}

static void test_handshake_mechanism_mismatch(void)
{
    uint8_t bytes[64];
    raw_handshake(bytes, greeting(bytes, "PLAIN"),
                  ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                  ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH);
}

static void test_handshake_unexpected_command(void)
{
    uint8_t bytes[80];
    size_t n = greeting(bytes, "NULL");
    const uint8_t hello[] = { 0x04, 0x05, 0x05, 'H', 'E', 'L', 'L', 'O' };
    memcpy(bytes + n, hello, sizeof hello);
    raw_handshake(bytes, n + sizeof hello, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                  ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
}

static void test_handshake_malformed_error(void)
{
    uint8_t bytes[80];
    size_t n = greeting(bytes, "NULL");
    /* ERROR without its reason's length byte. */
    const uint8_t error[] = { 0x04, 0x06, 0x05, 'E', 'R', 'R', 'O', 'R' };
    memcpy(bytes + n, error, sizeof error);
    raw_handshake(bytes, n + sizeof error, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                  ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR);
}

static void test_handshake_peer_closed(void)
{
    /* Half a greeting, then the peer is gone: no detail, the errno. */
    uint8_t bytes[64];
    greeting(bytes, "NULL");
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_EQUAL(zmq_socket_monitor(server, "inproc://half",
                                       ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL),
                    0);
    void *mon = reader_new(ctx, "inproc://half");
    CU_ASSERT_EQUAL(zmq_bind(server, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    last_endpoint(server, endpoint, sizeof endpoint);
    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((uint16_t) atoi(strrchr(endpoint, ':') + 1));
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CU_ASSERT_EQUAL_FATAL(connect(fd, (struct sockaddr *) &a, sizeof a), 0);
    CU_ASSERT_EQUAL(write(fd, bytes, 10), 10);
    close(fd);
    struct event e;
    CU_ASSERT_TRUE(read_v1(mon, &e));
    CU_ASSERT_EQUAL(e.id, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL);
    CU_ASSERT(e.values[0] != 0);
    test_close(server);
    test_close(mon);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* REQ may not talk to PUB: libzmq publishes no handshake event, only the
 * disconnection, on both sides. */
static void test_socket_type_mismatch(void)
{
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_PUB);
    void *client = zmq_socket(ctx, ZMQ_REQ);
    CU_ASSERT_EQUAL(
        zmq_socket_monitor(server, "inproc://mm-server", ZMQ_EVENT_ALL), 0);
    void *mon = reader_new(ctx, "inproc://mm-server");
    CU_ASSERT_EQUAL(zmq_bind(server, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    last_endpoint(server, endpoint, sizeof endpoint);
    CU_ASSERT_TRUE(test_set_int(client, ZMQ_RECONNECT_IVL, 5000));
    CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
    struct event e;
    CU_ASSERT_EQUAL(next_v1(mon, 0, &e), ZMQ_EVENT_LISTENING);
    CU_ASSERT_EQUAL(next_v1(mon, 0, &e), ZMQ_EVENT_ACCEPTED);
    CU_ASSERT_EQUAL(next_v1(mon, 0, &e), ZMQ_EVENT_DISCONNECTED);
    test_close(client);
    test_close(server);
    test_close(mon);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* libzmq does not reconnect after a protocol failure: a peer of the wrong
 * socket type would refuse us again. The client, retrying every 10 ms if
 * it did, sees CONNECTED, DISCONNECTED and nothing more; the server
 * accepts it once. */
static void test_no_retry_after_protocol_failure(void)
{
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_PUB);
    void *client = zmq_socket(ctx, ZMQ_REQ);
    CU_ASSERT_EQUAL(
        zmq_socket_monitor(server, "inproc://nr-server", ZMQ_EVENT_ALL), 0);
    CU_ASSERT_EQUAL(
        zmq_socket_monitor(client, "inproc://nr-client", ZMQ_EVENT_ALL), 0);
    void *server_mon = reader_new(ctx, "inproc://nr-server");
    void *client_mon = reader_new(ctx, "inproc://nr-client");
    CU_ASSERT_EQUAL(zmq_bind(server, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    last_endpoint(server, endpoint, sizeof endpoint);
    CU_ASSERT_TRUE(test_set_int(client, ZMQ_RECONNECT_IVL, 10));
    CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
    struct event e;
    CU_ASSERT_EQUAL(next_v1(client_mon, ZMQ_EVENT_CONNECT_DELAYED, &e),
                    ZMQ_EVENT_CONNECTED);
    CU_ASSERT_EQUAL(next_v1(client_mon, 0, &e), ZMQ_EVENT_DISCONNECTED);
    CU_ASSERT_EQUAL(next_v1(server_mon, 0, &e), ZMQ_EVENT_LISTENING);
    CU_ASSERT_EQUAL(next_v1(server_mon, 0, &e), ZMQ_EVENT_ACCEPTED);
    CU_ASSERT_EQUAL(next_v1(server_mon, 0, &e), ZMQ_EVENT_DISCONNECTED);
    /* Thirty reconnect intervals: any retry would show by now. */
    CU_ASSERT_TRUE(test_set_int(client_mon, ZMQ_RCVTIMEO, 300));
    CU_ASSERT_TRUE(test_set_int(server_mon, ZMQ_RCVTIMEO, 10));
    CU_ASSERT_FALSE(read_v1(client_mon, &e));
    CU_ASSERT_FALSE(read_v1(server_mon, &e));
    /* The endpoint is still the socket's to disconnect. */
    CU_ASSERT_EQUAL(zmq_disconnect(client, endpoint), 0);
    test_close(client);
    test_close(server);
    test_close(client_mon);
    test_close(server_mon);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

struct reader_job {
    void *ctx;
    uint64_t ids[16];
    int count;
    /* The reader is connected: events from now on reach it (the monitor
     * drops what it cannot send, where libzmq would block). */
    pthread_mutex_t lock;
    pthread_cond_t connected_signal;
    bool connected;
};

static void *read_in_thread(void *arg)
{
    struct reader_job *job = arg;
    void *mon = zmq_socket(job->ctx, ZMQ_PAIR);
    int timeout = WAIT_MS;
    zmq_setsockopt(mon, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_connect(mon, "inproc://threaded");
    pthread_mutex_lock(&job->lock);
    job->connected = true;
    pthread_cond_signal(&job->connected_signal);
    pthread_mutex_unlock(&job->lock);
    struct event e;
    while (job->count < 16 && read_v1(mon, &e)) {
        job->ids[job->count++] = e.id;
        if (e.id == ZMQ_EVENT_MONITOR_STOPPED)
            break;
    }
    int linger = 0;
    zmq_setsockopt(mon, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(mon);
    return NULL;
}

static void test_read_from_thread(void)
{
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_DEALER);
    void *client = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_EQUAL(
        zmq_socket_monitor(server, "inproc://threaded", ZMQ_EVENT_ALL), 0);
    struct reader_job job = { .ctx = ctx,
                              .lock = PTHREAD_MUTEX_INITIALIZER,
                              .connected_signal = PTHREAD_COND_INITIALIZER };
    pthread_t thread;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&thread, NULL, read_in_thread, &job),
                          0);
    pthread_mutex_lock(&job.lock);
    while (!job.connected)
        pthread_cond_wait(&job.connected_signal, &job.lock);
    pthread_mutex_unlock(&job.lock);
    CU_ASSERT_EQUAL(zmq_bind(server, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    last_endpoint(server, endpoint, sizeof endpoint);
    CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
    bounce(client, server);
    test_close(server);
    pthread_join(thread, NULL);
    CU_ASSERT_TRUE_FATAL(job.count >= 4);
    CU_ASSERT_EQUAL(job.ids[0], ZMQ_EVENT_LISTENING);
    CU_ASSERT_EQUAL(job.ids[1], ZMQ_EVENT_ACCEPTED);
    CU_ASSERT_EQUAL(job.ids[2], ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
    CU_ASSERT_EQUAL(job.ids[job.count - 1], ZMQ_EVENT_MONITOR_STOPPED);
    test_close(client);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Several sockets monitored at once, by PAIR, PUB and PUSH monitors; a
 * second monitor on one socket replaces the first, which says so. */
static void test_several_monitors(void)
{
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_DEALER);
    void *b = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_EQUAL(zmq_socket_monitor_versioned(a, "inproc://many-a",
                                                 ZMQ_EVENT_ALL_V2, 2, ZMQ_PUB),
                    0);
    CU_ASSERT_EQUAL(zmq_socket_monitor_versioned(b, "inproc://many-b",
                                                 ZMQ_EVENT_ALL_V2, 2, ZMQ_PUSH),
                    0);
    void *ra = zmq_socket(ctx, ZMQ_SUB);
    CU_ASSERT_EQUAL(zmq_setsockopt(ra, ZMQ_SUBSCRIBE, "", 0), 0);
    CU_ASSERT_TRUE(test_set_int(ra, ZMQ_RCVTIMEO, WAIT_MS));
    CU_ASSERT_EQUAL(zmq_connect(ra, "inproc://many-a"), 0);
    void *rb = zmq_socket(ctx, ZMQ_PULL);
    CU_ASSERT_TRUE(test_set_int(rb, ZMQ_RCVTIMEO, WAIT_MS));
    CU_ASSERT_EQUAL(zmq_connect(rb, "inproc://many-b"), 0);
    CU_ASSERT_EQUAL(zmq_bind(a, "tcp://127.0.0.1:*"), 0);
    CU_ASSERT_EQUAL(zmq_bind(b, "tcp://127.0.0.1:*"), 0);
    struct event e;
    CU_ASSERT_TRUE(read_v2(ra, &e));
    CU_ASSERT_EQUAL(e.id, ZMQ_EVENT_LISTENING);
    CU_ASSERT_TRUE(read_v2(rb, &e));
    CU_ASSERT_EQUAL(e.id, ZMQ_EVENT_LISTENING);

    /* b's monitor moves: the old one stops, the new one sees the rest. */
    CU_ASSERT_EQUAL(zmq_socket_monitor(b, "inproc://many-b2", ZMQ_EVENT_ALL),
                    0);
    CU_ASSERT_TRUE(read_v2(rb, &e));
    CU_ASSERT_EQUAL(e.id, ZMQ_EVENT_MONITOR_STOPPED);
    void *rb2 = reader_new(ctx, "inproc://many-b2");
    CU_ASSERT_EQUAL(zmq_bind(b, "tcp://127.0.0.1:*"), 0);
    CU_ASSERT_EQUAL(next_v1(rb2, 0, &e), ZMQ_EVENT_LISTENING);
    /* A NULL endpoint stops monitoring. */
    CU_ASSERT_EQUAL(zmq_socket_monitor(b, NULL, 0), 0);
    CU_ASSERT_EQUAL(next_v1(rb2, 0, &e), ZMQ_EVENT_MONITOR_STOPPED);
    CU_ASSERT_EQUAL(zmq_bind(b, "tcp://127.0.0.1:*"), 0);
    CU_ASSERT_TRUE(test_recv_nothing(rb2, 50));
    CU_ASSERT_TRUE(test_recv_nothing(ra, 50));

    test_close(a);
    CU_ASSERT_TRUE(read_v2(ra, &e));
    CU_ASSERT_EQUAL(e.id, ZMQ_EVENT_CLOSED);
    CU_ASSERT_TRUE(read_v2(ra, &e));
    CU_ASSERT_EQUAL(e.id, ZMQ_EVENT_MONITOR_STOPPED);
    test_close(b);
    test_close(ra);
    test_close(rb);
    test_close(rb2);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* The monitored socket closes with events nobody has read yet: they stay
 * readable, MONITOR_STOPPED last, and nothing hangs. */
static void test_close_with_pending_events(void)
{
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_EQUAL(zmq_socket_monitor(s, "inproc://pending", ZMQ_EVENT_ALL),
                    0);
    void *mon = reader_new(ctx, "inproc://pending");
    for (int i = 0; i < 20; i++)
        CU_ASSERT_EQUAL(zmq_bind(s, "tcp://127.0.0.1:*"), 0);
    test_close(s);
    struct event e;
    int listening = 0, closed = 0;
    uint64_t last = 0;
    for (int i = 0; i < 60 && read_v1(mon, &e); i++) {
        listening += e.id == ZMQ_EVENT_LISTENING;
        closed += e.id == ZMQ_EVENT_CLOSED;
        last = e.id;
        if (e.id == ZMQ_EVENT_MONITOR_STOPPED)
            break;
    }
    CU_ASSERT_EQUAL(listening, 20);
    CU_ASSERT_EQUAL(closed, 20);
    CU_ASSERT_EQUAL(last, ZMQ_EVENT_MONITOR_STOPPED);
    test_close(mon);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* The errors libzmq gives. */
static void test_bad_arguments(void)
{
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_EQUAL(zmq_socket_monitor(s, "tcp://127.0.0.1:9999", 0), -1);
    CU_ASSERT_EQUAL(errno, EPROTONOSUPPORT);
    CU_ASSERT_EQUAL(zmq_socket_monitor(s, "bogus", ZMQ_EVENT_ALL), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(zmq_socket_monitor(s, "inproc://", ZMQ_EVENT_ALL), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    /* Version 1 carries 16 bits of event. */
    CU_ASSERT_EQUAL(zmq_socket_monitor(s, "inproc://big", 1 << 20), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(zmq_socket_monitor_versioned(s, "inproc://type",
                                                 ZMQ_EVENT_ALL, 2, ZMQ_REQ),
                    -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(zmq_socket_monitor_versioned(s, "inproc://version",
                                                 ZMQ_EVENT_ALL, 3, ZMQ_PAIR),
                    -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    /* The inproc name is taken. */
    void *other = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_EQUAL(zmq_bind(other, "inproc://taken"), 0);
    CU_ASSERT_EQUAL(zmq_socket_monitor(s, "inproc://taken", ZMQ_EVENT_ALL), -1);
    CU_ASSERT_EQUAL(errno, EADDRINUSE);
    /* Stopping what is not monitored is fine. */
    CU_ASSERT_EQUAL(zmq_socket_monitor(s, NULL, 0), 0);
    test_close(other);
    test_close(s);
    CU_ASSERT_EQUAL(zmq_socket_monitor(s, "inproc://closed", ZMQ_EVENT_ALL),
                    -1);
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
    CU_ASSERT_EQUAL(zmq_socket_monitor_pipes_stats(s), -1);
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* PIPES_STATS: one event per pipe, queued outbound and inbound. */
static void test_pipes_stats(void)
{
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_PAIR);
    void *b = zmq_socket(ctx, ZMQ_PAIR);
    /* Not monitored, or not for these events: EINVAL. */
    CU_ASSERT_EQUAL(zmq_socket_monitor_pipes_stats(a), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(zmq_socket_monitor_versioned(a, "inproc://stats",
                                                 ZMQ_EVENT_PIPES_STATS, 2,
                                                 ZMQ_PAIR),
                    0);
    void *mon = reader_new(ctx, "inproc://stats");
    /* No pipe yet: EAGAIN. */
    CU_ASSERT_EQUAL(zmq_socket_monitor_pipes_stats(a), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    CU_ASSERT_EQUAL(zmq_bind(b, "inproc://stats-pipe"), 0);
    CU_ASSERT_EQUAL(zmq_connect(a, "inproc://stats-pipe"), 0);
    for (int i = 0; i < 3; i++)
        CU_ASSERT_TRUE(test_send(a, "queued", 0));
    CU_ASSERT_TRUE(test_send(b, "back", 0));
    CU_ASSERT_EQUAL(zmq_socket_monitor_pipes_stats(a), 0);
    struct event e;
    CU_ASSERT_TRUE(read_v2(mon, &e));
    CU_ASSERT_EQUAL(e.id, ZMQ_EVENT_PIPES_STATS);
    CU_ASSERT_EQUAL(e.value_count, 2);
    CU_ASSERT(e.values[0] >= 3);
    CU_ASSERT(e.values[1] >= 1);
    CU_ASSERT_TRUE(test_recv_nothing(mon, 50));
    test_close(a);
    test_close(b);
    test_close(mon);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Beyond libzmq: a pipe reaching its HWM and leaving it, in v2 frames. */
static void test_hwm_events(void)
{
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    CU_ASSERT_TRUE(test_set_int(push, ZMQ_SNDHWM, 4));
    CU_ASSERT_TRUE(test_set_int(pull, ZMQ_RCVHWM, 4));
    CU_ASSERT_EQUAL(
        zmq_socket_monitor_versioned(push, "inproc://hwm",
                                     MODZMQ_EVENT_PIPE_HWM_REACHED |
                                         MODZMQ_EVENT_PIPE_HWM_CLEARED,
                                     2, ZMQ_PAIR),
        0);
    void *mon = reader_new(ctx, "inproc://hwm");
    CU_ASSERT_EQUAL(zmq_bind(pull, "inproc://hwm-pipe"), 0);
    CU_ASSERT_EQUAL(zmq_connect(push, "inproc://hwm-pipe"), 0);
    int sent = 0;
    while (sent < 1000 && zmq_send(push, "x", 1, ZMQ_DONTWAIT) == 1)
        sent++;
    CU_ASSERT_EQUAL(errno, EAGAIN);
    CU_ASSERT(sent > 0 && sent < 1000);
    struct event e;
    CU_ASSERT_TRUE(read_v2(mon, &e));
    CU_ASSERT_EQUAL(e.id, MODZMQ_EVENT_PIPE_HWM_REACHED);
    CU_ASSERT_EQUAL(e.value_count, 2);
    CU_ASSERT_EQUAL(e.values[0], 1); /* outbound */
    CU_ASSERT(e.values[1] > 0);
    /* Once, however often the full pipe is tried. */
    CU_ASSERT_EQUAL(zmq_send(push, "x", 1, ZMQ_DONTWAIT), -1);
    CU_ASSERT_TRUE(test_recv_nothing(mon, 50));
    char buf[8];
    for (int i = 0; i < sent; i++)
        CU_ASSERT_EQUAL(zmq_recv(pull, buf, sizeof buf, 0), 1);
    /* The writer hears of the room on its next call. */
    bool cleared = false;
    for (int i = 0; i < 100 && !cleared; i++) {
        test_get_int(push, ZMQ_EVENTS);
        cleared =
            zmq_poll(&(zmq_pollitem_t){ .socket = mon, .events = ZMQ_POLLIN },
                     1, 20) == 1;
    }
    CU_ASSERT_TRUE_FATAL(cleared);
    CU_ASSERT_TRUE(read_v2(mon, &e));
    CU_ASSERT_EQUAL(e.id, MODZMQ_EVENT_PIPE_HWM_CLEARED);
    CU_ASSERT_EQUAL(e.values[0], 1);
    test_close(push);
    test_close(pull);
    test_close(mon);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Beyond libzmq: counters of a socket and of its peers. */
static void test_counters(void)
{
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    CU_ASSERT_TRUE(test_set_int(pub, ZMQ_SNDHWM, 2));
    CU_ASSERT_TRUE(test_set_int(sub, ZMQ_RCVHWM, 2));
    CU_ASSERT_EQUAL(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0), 0);
    CU_ASSERT_EQUAL(zmq_bind(pub, "inproc://counted"), 0);
    CU_ASSERT_EQUAL(zmq_connect(sub, "inproc://counted"), 0);
    CU_ASSERT_EQUAL(zmq_socket_monitor_versioned(pub, "inproc://counters",
                                                 MODZMQ_EVENT_PEER_COUNTERS, 2,
                                                 ZMQ_PAIR),
                    0);
    void *mon = reader_new(ctx, "inproc://counters");
    /* The subscription reaches the PUB on its next call. */
    test_get_int(pub, ZMQ_EVENTS);
    for (int i = 0; i < 20; i++) {
        CU_ASSERT_TRUE(test_send(pub, "head", ZMQ_SNDMORE));
        CU_ASSERT_TRUE(test_send(pub, "body!", 0));
    }
    struct modzmq_counters c;
    CU_ASSERT_EQUAL(modzmq_socket_counters(pub, &c, 1), 0);
    /* One peer: the socket's counters are its. Every message its pipe
     * did not take was dropped: the one that found it full, and each one
     * sent while it was set aside. */
    CU_ASSERT(c.msgs_dropped >= 1);
    CU_ASSERT_EQUAL(c.msgs_out + c.msgs_dropped, 20);
    CU_ASSERT(c.msgs_out > 0);
    CU_ASSERT_EQUAL(c.bytes_out, c.msgs_out * 9);
    struct event e;
    CU_ASSERT_TRUE(read_v2(mon, &e));
    CU_ASSERT_EQUAL(e.id, MODZMQ_EVENT_PEER_COUNTERS);
    CU_ASSERT_EQUAL(e.value_count, 5);
    CU_ASSERT_EQUAL(e.values[0], c.msgs_in); /* the subscription */
    CU_ASSERT_EQUAL(e.values[1], c.bytes_in);
    CU_ASSERT_EQUAL(e.values[2], c.msgs_out);
    CU_ASSERT_EQUAL(e.values[3], c.bytes_out);
    CU_ASSERT_EQUAL(e.values[4], c.msgs_dropped);

    uint64_t received = 0;
    char buf[16];
    while (received < 40 && zmq_recv(sub, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
        received++;
    struct modzmq_counters s;
    CU_ASSERT_EQUAL(modzmq_socket_counters(sub, &s, 0), 0);
    CU_ASSERT_EQUAL(s.msgs_in * 2, received);
    CU_ASSERT_EQUAL(s.bytes_in, s.msgs_in * 9);
    /* Everything the peer's pipe took arrived. */
    CU_ASSERT_EQUAL(s.msgs_in, e.values[2]);
    CU_ASSERT_EQUAL(s.bytes_in, e.values[3]);
    CU_ASSERT_EQUAL(modzmq_socket_counters(sub, NULL, 0), -1);
    CU_ASSERT_EQUAL(errno, EFAULT);
    test_close(sub);
    test_close(pub);
    test_close(mon);
    CU_ASSERT_EQUAL(modzmq_socket_counters(pub, &c, 0), -1);
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* The same over tcp, where the peer is a session. */
static void test_counters_tcp(void)
{
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    CU_ASSERT_EQUAL(zmq_bind(pull, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    last_endpoint(pull, endpoint, sizeof endpoint);
    CU_ASSERT_EQUAL(zmq_connect(push, endpoint), 0);
    for (int i = 0; i < 10; i++)
        CU_ASSERT_TRUE(test_send(push, "0123456789", 0));
    for (int i = 0; i < 10; i++)
        CU_ASSERT_TRUE(test_recv_is(pull, "0123456789", WAIT_MS));
    struct modzmq_counters c;
    CU_ASSERT_EQUAL(modzmq_socket_counters(push, &c, 0), 0);
    CU_ASSERT_EQUAL(c.msgs_out, 10);
    CU_ASSERT_EQUAL(c.bytes_out, 100);
    CU_ASSERT_EQUAL(modzmq_socket_counters(pull, &c, 0), 0);
    CU_ASSERT_EQUAL(c.msgs_in, 10);
    CU_ASSERT_EQUAL(c.bytes_in, 100);
    CU_ASSERT_EQUAL(c.msgs_dropped, 0);
    test_close(push);
    test_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* An observer registered by the suite, to drive the SDK's event services
 * (subscribe, event_wanted, publish, unsubscribe) directly. */
static const struct modzmq_core_services *bus;
static modzmq_core *bus_core;

static int observer_init(const struct modzmq_core_services *services,
                         modzmq_core *core)
{
    bus = services;
    bus_core = core;
    return 0;
}

static const struct modzmq_observer_ops observer_ops = {
    .size = sizeof observer_ops,
};
static const char *const observer_serves[] = { "suite", NULL };
static const struct modzmq_plugin observer_plugin = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "suite_observer",
    .kind = MODZMQ_PLUGIN_OBSERVER,
    .serves = observer_serves,
    .ops = &observer_ops,
    .init = observer_init,
};

struct seen {
    pthread_mutex_t lock;
    int count;
    struct modzmq_event last;
    char local[256];
};

static void observed(void *arg, const struct modzmq_event *event)
{
    struct seen *seen = arg;
    pthread_mutex_lock(&seen->lock);
    seen->count++;
    seen->last = *event;
    snprintf(seen->local, sizeof seen->local, "%s", event->local_endpoint);
    pthread_mutex_unlock(&seen->lock);
}

/* The suite's observer, registered by the first test that needs it. */
static void need_bus(void)
{
    if (bus == NULL)
        CU_ASSERT_EQUAL(modzmq_plugin_register(&observer_plugin), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(bus);
}

static void test_sdk_services(void)
{
    need_bus();
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    void *other = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_FALSE(bus->event_wanted(s, ZMQ_EVENT_LISTENING));
    struct seen seen = { .lock = PTHREAD_MUTEX_INITIALIZER };
    modzmq_subscription *sub =
        bus->subscribe(bus_core, s, ZMQ_EVENT_LISTENING, observed, &seen);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sub);
    CU_ASSERT_TRUE(bus->event_wanted(s, ZMQ_EVENT_LISTENING));
    CU_ASSERT_FALSE(bus->event_wanted(s, ZMQ_EVENT_CLOSED));
    CU_ASSERT_FALSE(bus->event_wanted(other, ZMQ_EVENT_LISTENING));
    CU_ASSERT_EQUAL(zmq_bind(s, "tcp://127.0.0.1:*"), 0);
    CU_ASSERT_EQUAL(zmq_bind(other, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    last_endpoint(s, endpoint, sizeof endpoint);
    /* LISTENING is published inside zmq_bind. */
    CU_ASSERT_EQUAL(seen.count, 1);
    CU_ASSERT_EQUAL(seen.last.id, ZMQ_EVENT_LISTENING);
    CU_ASSERT_PTR_EQUAL(seen.last.socket, s);
    CU_ASSERT_EQUAL(seen.last.bound, 1);
    CU_ASSERT_STRING_EQUAL(seen.local, endpoint);

    /* What a transport would publish, with two values. */
    struct modzmq_event event = {
        .size = sizeof event,
        .id = ZMQ_EVENT_LISTENING,
        .socket = s,
        .value_count = 2,
        .values = { 7, 8 },
        .local_endpoint = "x://here",
        .remote_endpoint = "",
    };
    bus->publish(&event);
    CU_ASSERT_EQUAL(seen.count, 2);
    CU_ASSERT_EQUAL(seen.last.value_count, 2);
    CU_ASSERT_EQUAL(seen.last.values[1], 8);
    CU_ASSERT_STRING_EQUAL(seen.local, "x://here");

    /* A subscription to every socket sees the other one too. */
    struct seen all = { .lock = PTHREAD_MUTEX_INITIALIZER };
    modzmq_subscription *everywhere =
        bus->subscribe(bus_core, NULL, ZMQ_EVENT_CLOSED, observed, &all);
    CU_ASSERT_PTR_NOT_NULL_FATAL(everywhere);
    CU_ASSERT_TRUE(bus->event_wanted(other, ZMQ_EVENT_CLOSED));
    test_close(other);
    CU_ASSERT_EQUAL(all.count, 1);
    CU_ASSERT_EQUAL(all.last.id, ZMQ_EVENT_CLOSED);

    bus->unsubscribe(sub);
    CU_ASSERT_FALSE(bus->event_wanted(s, ZMQ_EVENT_LISTENING));
    CU_ASSERT_EQUAL(zmq_bind(s, "tcp://127.0.0.1:*"), 0);
    CU_ASSERT_EQUAL(seen.count, 2);
    bus->unsubscribe(everywhere);
    CU_ASSERT_FALSE(bus->event_wanted(s, ZMQ_EVENT_CLOSED));
    /* Bad subscriptions. */
    CU_ASSERT_PTR_NULL(bus->subscribe(bus_core, s, 0, observed, &seen));
    CU_ASSERT_EQUAL(errno, EINVAL);
    test_close(s);
    CU_ASSERT_PTR_NULL(
        bus->subscribe(bus_core, s, ZMQ_EVENT_ALL, observed, &seen));
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
    CU_ASSERT_FALSE(bus->event_wanted(s, ZMQ_EVENT_LISTENING));
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A plugin's thread asking about and publishing to a socket the
 * application closes meanwhile (the services are for any thread). */
struct racer {
    void *socket;
    atomic_uint calls;
    atomic_bool stop;
    bool wanted_once;
    bool wanted_last;
};

static void *race_close(void *arg)
{
    struct racer *racer = arg;
    struct modzmq_event event = {
        .size = sizeof event,
        .id = ZMQ_EVENT_CONNECT_DELAYED,
        .socket = racer->socket,
        .value_count = 1,
    };
    for (int i = 0; i < 10000000 && !atomic_load(&racer->stop); i++) {
        racer->wanted_last =
            bus->event_wanted(racer->socket, ZMQ_EVENT_CONNECT_DELAYED);
        racer->wanted_once |= racer->wanted_last;
        bus->publish(&event);
        atomic_fetch_add(&racer->calls, 1);
    }
    return NULL;
}

/* Until the racer made count more calls than it had made (10 s at most). */
static void wait_calls(struct racer *racer, unsigned count)
{
    unsigned from = atomic_load(&racer->calls);
    for (int i = 0; i < 10000 && atomic_load(&racer->calls) - from < count; i++)
        usleep(1000);
}

/* ThreadSanitizer reported the services reading the closing socket's
 * fields; here the answers must also be right on each side of the close. */
static void test_sdk_services_during_close(void)
{
    need_bus();
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    struct seen seen = { .lock = PTHREAD_MUTEX_INITIALIZER };
    modzmq_subscription *everywhere = bus->subscribe(
        bus_core, NULL, ZMQ_EVENT_CONNECT_DELAYED, observed, &seen);
    CU_ASSERT_PTR_NOT_NULL_FATAL(everywhere);
    struct racer racer = { .socket = s };
    pthread_t thread;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&thread, NULL, race_close, &racer),
                          0);
    wait_calls(&racer, 100);
    test_close(s);
    wait_calls(&racer, 100);
    atomic_store(&racer.stop, true);
    pthread_join(thread, NULL);
    bus->unsubscribe(everywhere);
    /* Each of its calls asked first: only what was wanted got through. */
    CU_ASSERT_TRUE(racer.wanted_once);
    CU_ASSERT_FALSE(racer.wanted_last);
    CU_ASSERT_TRUE(seen.count >= 1);
    CU_ASSERT_TRUE((unsigned) seen.count < atomic_load(&racer.calls));
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

int main(void)
{
    const struct test_case tests[] = {
        { "tcp client and server sequence (v1)", test_tcp_sequence },
        { "ipc client and server sequence (v1)", test_ipc_sequence },
        { "v2 local and remote endpoints", test_v2_endpoints },
        { "v1 and v2 frames byte by byte", test_frame_layouts },
        { "CONNECT_RETRIED follows the back-off", test_reconnect_intervals },
        { "disconnection then reconnect attempt", test_disconnect_then_retry },
        { "BIND_FAILED with EADDRINUSE", test_bind_failed },
        { "ACCEPT_FAILED for a filtered peer", test_accept_failed },
        { "handshake: mechanism mismatch", test_handshake_mechanism_mismatch },
        { "handshake: unexpected command", test_handshake_unexpected_command },
        { "handshake: malformed ERROR", test_handshake_malformed_error },
        { "handshake: peer closed", test_handshake_peer_closed },
        { "socket type mismatch", test_socket_type_mismatch },
        { "no reconnect after a protocol failure",
          test_no_retry_after_protocol_failure },
        { "events read from another thread", test_read_from_thread },
        { "several monitors, replaced and stopped", test_several_monitors },
        { "close with events pending", test_close_with_pending_events },
        { "bad arguments", test_bad_arguments },
        { "pipe statistics", test_pipes_stats },
        { "HWM reached and cleared", test_hwm_events },
        { "socket and peer counters", test_counters },
        { "counters over tcp", test_counters_tcp },
        { "the SDK's event services", test_sdk_services },
        { "the event services while the socket closes",
          test_sdk_services_during_close },
    };
    return test_run_suite("monitor", tests, sizeof tests / sizeof tests[0]);
}
