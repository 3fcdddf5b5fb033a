/*
 * ZMQ_SOCKS_PROXY, ZMQ_SOCKS_USERNAME and ZMQ_SOCKS_PASSWORD: connecting
 * through a SOCKS5 proxy (RFC 1928, RFC 1929), over loopback. The proxy
 * is a thread of this suite that checks what it is sent, records it, and
 * relays; it can also refuse, hang up or answer wrongly. libzmq 4.3.4, in
 * another process, is the reference for the bytes: each exchange is made
 * by it and by us through the same proxy, and they must match. After any
 * failure of the exchange libzmq closes the connection and tries again
 * later; so must we, without delivering anything meanwhile.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "peer.h"
#include "testutil.h"
#include "zmq.h"

enum { WAIT_MS = 3000, RECORD_MAX = 600, PROXY_LIFE_MS = 30000 };

/* How the proxy behaves for the next connections. */
enum proxy_mode {
    PROXY_RELAY,        /* does its job */
    PROXY_REFUSE_AUTH,  /* answers 01 01 to the credentials */
    PROXY_HANG_UP,      /* closes after the greeting */
    PROXY_BAD_VERSION,  /* answers the greeting 04 00 */
    PROXY_NO_METHOD,    /* answers the greeting 05 FF */
    PROXY_WRONG_METHOD, /* chooses a method that was not offered */
    PROXY_FAIL_CONNECT, /* replies 05 05 (connection refused) */
    PROXY_BAD_ADDRESS,  /* replies with address type 07 */
    PROXY_SILENT        /* reads the greeting, then says nothing */
};

struct proxy {
    int listen_fd;
    uint16_t port;
    pthread_t thread;
    atomic_int mode;
    atomic_bool stop;
    atomic_int connections; /* accepted so far */
    atomic_int relayed;     /* connections that reached the relay */
    pthread_mutex_t lock;   /* guards what follows */
    /* What the last connection sent, as hex: greeting, credentials and
     * request, each a message. */
    char greeting[64];
    char auth[RECORD_MAX];
    char request[RECORD_MAX];
    char target_host[256];
    uint16_t target_port;
};

/* Reads exactly size bytes within WAIT_MS; false on a timeout or EOF. */
static bool read_exact(int fd, uint8_t *buffer, size_t size)
{
    size_t done = 0;
    int64_t deadline = test_now_ms() + WAIT_MS;
    while (done < size) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int left = (int) (deadline - test_now_ms());
        if (left <= 0 || poll(&p, 1, left) != 1)
            return false;
        ssize_t n = recv(fd, buffer + done, size - done, 0);
        if (n <= 0)
            return false;
        done += (size_t) n;
    }
    return true;
}

static bool write_all(int fd, const void *data, size_t size)
{
    return send(fd, data, size, MSG_NOSIGNAL) == (ssize_t) size;
}

static void hex(char *out, size_t capacity, const uint8_t *data, size_t size)
{
    out[0] = '\0';
    for (size_t i = 0; i < size && 2 * i + 2 < capacity; i++)
        snprintf(out + 2 * i, 3, "%02x", data[i]);
}

/* Copies bytes both ways until either side closes or the proxy stops. */
static void relay(struct proxy *proxy, int a, int b)
{
    uint8_t buffer[16384];
    while (!atomic_load(&proxy->stop)) {
        struct pollfd p[2] = { { .fd = a, .events = POLLIN },
                               { .fd = b, .events = POLLIN } };
        int rc = poll(p, 2, 100);
        if (rc < 0)
            return;
        for (int i = 0; i < 2; i++) {
            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t n = recv(p[i].fd, buffer, sizeof buffer, 0);
            if (n <= 0 || !write_all(p[1 - i].fd, buffer, (size_t) n))
                return;
        }
    }
}

static int connect_target(const char *host, uint16_t port)
{
    struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
    /* The suite only ever names the loopback, by number or as localhost. */
    if (strcmp(host, "localhost") == 0)
        host = "127.0.0.1";
    if (inet_pton(AF_INET, host, &to.sin_addr) != 1)
        return -1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    if (connect(fd, (struct sockaddr *) &to, sizeof to) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One connection from a client, as the mode says. */
static void serve(struct proxy *proxy, int fd)
{
    enum proxy_mode mode = (enum proxy_mode) atomic_load(&proxy->mode);
    uint8_t m[RECORD_MAX];
    if (!read_exact(fd, m, 2) || m[0] != 5 || m[1] == 0 ||
        !read_exact(fd, m + 2, m[1]))
        return;
    pthread_mutex_lock(&proxy->lock);
    hex(proxy->greeting, sizeof proxy->greeting, m, 2 + (size_t) m[1]);
    proxy->auth[0] = proxy->request[0] = '\0';
    pthread_mutex_unlock(&proxy->lock);
    bool password = memchr(m + 2, 2, m[1]) != NULL;
    switch (mode) {
    case PROXY_HANG_UP:
        return;
    case PROXY_SILENT:
        read_exact(fd, m, 1); /* waits until the client gives up */
        return;
    case PROXY_BAD_VERSION:
        write_all(fd, "\x04\x00", 2);
        read_exact(fd, m, 1);
        return;
    case PROXY_NO_METHOD:
        write_all(fd, "\x05\xff", 2);
        read_exact(fd, m, 1);
        return;
    case PROXY_WRONG_METHOD:
        write_all(fd, password ? "\x05\x00" : "\x05\x02", 2);
        read_exact(fd, m, 1);
        return;
    default:
        break;
    }
    write_all(fd, password ? "\x05\x02" : "\x05\x00", 2);
    if (password) {
        size_t size = 2;
        if (!read_exact(fd, m, 2) || !read_exact(fd, m + 2, m[1] + 1u))
            return;
        size = 2 + m[1];
        uint8_t password_length = m[size];
        size++;
        if (!read_exact(fd, m + size, password_length))
            return;
        size += password_length;
        pthread_mutex_lock(&proxy->lock);
        hex(proxy->auth, sizeof proxy->auth, m, size);
        pthread_mutex_unlock(&proxy->lock);
        if (mode == PROXY_REFUSE_AUTH) {
            write_all(fd, "\x01\x01", 2);
            read_exact(fd, m, 1);
            return;
        }
        write_all(fd, "\x01\x00", 2);
    }
    if (!read_exact(fd, m, 4))
        return;
    size_t size = 4;
    char host[256] = "";
    if (m[3] == 1 && read_exact(fd, m + 4, 4)) {
        inet_ntop(AF_INET, m + 4, host, sizeof host);
        size += 4;
    } else if (m[3] == 3 && read_exact(fd, m + 4, 1) &&
               read_exact(fd, m + 5, m[4])) {
        memcpy(host, m + 5, m[4]);
        host[m[4]] = '\0';
        size += 1 + m[4];
    } else {
        return;
    }
    if (!read_exact(fd, m + size, 2))
        return;
    uint16_t port = (uint16_t) (m[size] << 8 | m[size + 1]);
    size += 2;
    pthread_mutex_lock(&proxy->lock);
    hex(proxy->request, sizeof proxy->request, m, size);
    snprintf(proxy->target_host, sizeof proxy->target_host, "%s", host);
    proxy->target_port = port;
    pthread_mutex_unlock(&proxy->lock);
    if (mode == PROXY_FAIL_CONNECT) {
        write_all(fd, "\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00", 10);
        read_exact(fd, m, 1);
        return;
    }
    if (mode == PROXY_BAD_ADDRESS) {
        write_all(fd, "\x05\x00\x00\x07\x00\x00\x00\x00\x00\x00", 10);
        read_exact(fd, m, 1);
        return;
    }
    int target = connect_target(host, port);
    if (target < 0) {
        write_all(fd, "\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00", 10);
        return;
    }
    /* Bound to 127.0.0.1:4660, with a name to make the client read a
     * variable-length reply correctly. */
    static const uint8_t reply[] = { 5,   0,   0,   3,   9,   'l', 'o',  'c',
                                     'a', 'l', 'h', 'o', 's', 't', 0x12, 0x34 };
    if (write_all(fd, reply, sizeof reply)) {
        atomic_fetch_add(&proxy->relayed, 1);
        relay(proxy, fd, target);
    }
    close(target);
}

static void *proxy_main(void *arg)
{
    struct proxy *proxy = arg;
    int64_t end = test_now_ms() + PROXY_LIFE_MS;
    while (!atomic_load(&proxy->stop) && test_now_ms() < end) {
        struct pollfd p = { .fd = proxy->listen_fd, .events = POLLIN };
        if (poll(&p, 1, 50) != 1)
            continue;
        int fd = accept(proxy->listen_fd, NULL, NULL);
        if (fd < 0)
            continue;
        atomic_fetch_add(&proxy->connections, 1);
        serve(proxy, fd);
        close(fd);
    }
    return NULL;
}

static struct proxy *proxy_start(enum proxy_mode mode)
{
    struct proxy *proxy = calloc(1, sizeof *proxy);
    CU_ASSERT_PTR_NOT_NULL_FATAL(proxy);
    pthread_mutex_init(&proxy->lock, NULL);
    atomic_init(&proxy->mode, mode);
    proxy->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in at = { .sin_family = AF_INET,
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t length = sizeof at;
    CU_ASSERT_FATAL(
        bind(proxy->listen_fd, (struct sockaddr *) &at, sizeof at) == 0 &&
        listen(proxy->listen_fd, 8) == 0 &&
        getsockname(proxy->listen_fd, (struct sockaddr *) &at, &length) == 0);
    proxy->port = ntohs(at.sin_port);
    CU_ASSERT_FATAL(pthread_create(&proxy->thread, NULL, proxy_main, proxy) ==
                    0);
    return proxy;
}

static void proxy_stop(struct proxy *proxy)
{
    atomic_store(&proxy->stop, true);
    pthread_join(proxy->thread, NULL);
    close(proxy->listen_fd);
    pthread_mutex_destroy(&proxy->lock);
    free(proxy);
}

/* Waits (bounded) until the proxy has accepted at least count. */
static bool wait_connections(struct proxy *proxy, int count)
{
    int64_t end = test_now_ms() + 5 * WAIT_MS;
    while (atomic_load(&proxy->connections) < count && test_now_ms() < end)
        usleep(10000);
    return atomic_load(&proxy->connections) >= count;
}

/* What the proxy recorded of the last connection. */
struct record {
    char greeting[64];
    char auth[RECORD_MAX];
    char request[RECORD_MAX];
};

static void take_record(struct proxy *proxy, struct record *out)
{
    pthread_mutex_lock(&proxy->lock);
    memcpy(out->greeting, proxy->greeting, sizeof out->greeting);
    memcpy(out->auth, proxy->auth, sizeof out->auth);
    memcpy(out->request, proxy->request, sizeof out->request);
    pthread_mutex_unlock(&proxy->lock);
}

static void *ctx;

static void *our_socket(int type)
{
    void *s = zmq_socket(ctx, type);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    test_set_int(s, ZMQ_RCVTIMEO, WAIT_MS);
    test_set_int(s, ZMQ_SNDTIMEO, WAIT_MS);
    test_set_int(s, ZMQ_LINGER, 0);
    test_set_int(s, ZMQ_RECONNECT_IVL, 50);
    return s;
}

static void set_text(void *s, int option, const char *text)
{
    CU_ASSERT_EQUAL(zmq_setsockopt(s, option, text, strlen(text)), 0);
}

/* A ROUTER of ours on a free loopback port; its port in *port. */
static void *bound_router(uint16_t *port)
{
    void *router = our_socket(ZMQ_ROUTER);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(router, "tcp://127.0.0.1:*"), 0);
    char endpoint[64];
    size_t size = sizeof endpoint;
    zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, endpoint, &size);
    *port = (uint16_t) atoi(strrchr(endpoint, ':') + 1);
    return router;
}

/* A DEALER of ours through the proxy to host:port, with credentials when
 * username is not NULL; it sends "ping" and the ROUTER must get it and
 * answer. */
static void round_trip(struct proxy *proxy, void *router, const char *host,
                       uint16_t port, const char *username,
                       const char *password)
{
    void *dealer = our_socket(ZMQ_DEALER);
    char address[64];
    snprintf(address, sizeof address, "127.0.0.1:%u", proxy->port);
    set_text(dealer, ZMQ_SOCKS_PROXY, address);
    if (username != NULL) {
        set_text(dealer, ZMQ_SOCKS_USERNAME, username);
        set_text(dealer, ZMQ_SOCKS_PASSWORD, password);
    }
    set_text(dealer, ZMQ_ROUTING_ID, "ours");
    char endpoint[300];
    snprintf(endpoint, sizeof endpoint, "tcp://%s:%u", host, port);
    CU_ASSERT_EQUAL(zmq_connect(dealer, endpoint), 0);
    CU_ASSERT_TRUE(test_send(dealer, "ping", 0));
    CU_ASSERT_TRUE(test_recv_is(router, "ours", WAIT_MS));
    CU_ASSERT_TRUE(test_recv_is(router, "ping", WAIT_MS));
    CU_ASSERT_TRUE(test_send(router, "ours", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(router, "pong", 0));
    CU_ASSERT_TRUE(test_recv_is(dealer, "pong", WAIT_MS));
    test_close(dealer);
}

/* The same through libzmq 4.3.4 in another process. */
static void libzmq_round_trip(struct proxy *proxy, void *router,
                              const char *host, uint16_t port,
                              const char *username, const char *password)
{
    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    const char *answer = test_peer_ask(peer, "socket DEALER");
    CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
    answer =
        test_peer_ask(peer, "set SOCKS_PROXY str:127.0.0.1:%u", proxy->port);
    CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
    if (username != NULL) {
        answer = test_peer_ask(peer, "set SOCKS_USERNAME str:%s", username);
        CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
        answer = test_peer_ask(peer, "set SOCKS_PASSWORD str:%s", password);
        CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
    }
    answer = test_peer_ask(peer, "set ROUTING_ID str:theirs");
    answer = test_peer_ask(peer, "connect tcp://%s:%u", host, port);
    CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
    answer = test_peer_ask(peer, "send 70696e67");
    CU_ASSERT_TRUE(test_recv_is(router, "theirs", WAIT_MS));
    CU_ASSERT_TRUE(test_recv_is(router, "ping", WAIT_MS));
    test_peer_stop(peer);
}

/* Ours and libzmq's exchanges must be the same bytes. */
static void check_same_bytes(const struct record *ours,
                             const struct record *theirs)
{
    if (strcmp(ours->greeting, theirs->greeting) != 0 ||
        strcmp(ours->auth, theirs->auth) != 0 ||
        strcmp(ours->request, theirs->request) != 0) {
        fprintf(stderr, "\n  ours:   %s / %s / %s\n  libzmq: %s / %s / %s\n",
                ours->greeting, ours->auth, ours->request, theirs->greeting,
                theirs->auth, theirs->request);
        CU_FAIL("the exchange differs from libzmq's");
    }
}

static void check_exchange(const char *host, const char *username,
                           const char *password, const char *greeting)
{
    struct proxy *proxy = proxy_start(PROXY_RELAY);
    uint16_t port;
    void *router = bound_router(&port);
    round_trip(proxy, router, host, port, username, password);
    struct record ours, theirs;
    take_record(proxy, &ours);
    CU_ASSERT_STRING_EQUAL(ours.greeting, greeting);
    libzmq_round_trip(proxy, router, host, port, username, password);
    take_record(proxy, &theirs);
    check_same_bytes(&ours, &theirs);
    test_close(router);
    proxy_stop(proxy);
}

static void test_no_authentication(void)
{
    check_exchange("127.0.0.1", NULL, NULL, "050100");
}

static void test_password(void)
{
    check_exchange("127.0.0.1", "alice", "s3cret", "050102");
    /* An empty username is no authentication, in libzmq too. */
    check_exchange("127.0.0.1", "", "", "050100");
}

/* A name goes to the proxy as a name, for it to resolve. */
static void test_domain_name(void)
{
    check_exchange("localhost", NULL, NULL, "050100");
}

/* A proxy that fails the exchange in the way mode says: the connection
 * is closed and tried again (more connections reach the proxy), nothing
 * is delivered; once the proxy behaves, the queued message arrives. */
static void check_retried(enum proxy_mode mode, const char *username)
{
    struct proxy *proxy = proxy_start(mode);
    uint16_t port;
    void *router = bound_router(&port);
    void *dealer = our_socket(ZMQ_DEALER);
    char address[64];
    snprintf(address, sizeof address, "127.0.0.1:%u", proxy->port);
    set_text(dealer, ZMQ_SOCKS_PROXY, address);
    if (username != NULL) {
        set_text(dealer, ZMQ_SOCKS_USERNAME, username);
        set_text(dealer, ZMQ_SOCKS_PASSWORD, "wrong");
    }
    test_set_int(dealer, ZMQ_HANDSHAKE_IVL, 300); /* bounds PROXY_SILENT */
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%u", port);
    CU_ASSERT_EQUAL(zmq_connect(dealer, endpoint), 0);
    CU_ASSERT_TRUE(test_send(dealer, "queued", 0));
    CU_ASSERT_TRUE(wait_connections(proxy, 3));
    CU_ASSERT_EQUAL(atomic_load(&proxy->relayed), 0);
    CU_ASSERT_TRUE(test_recv_nothing(router, 100));
    atomic_store(&proxy->mode, PROXY_RELAY);
    char id[16];
    CU_ASSERT(test_recv(router, id, sizeof id, 5 * WAIT_MS) > 0);
    CU_ASSERT_TRUE(test_recv_is(router, "queued", WAIT_MS));
    test_close(dealer);
    test_close(router);
    proxy_stop(proxy);
}

static void test_refused_password(void)
{
    check_retried(PROXY_REFUSE_AUTH, "alice");
}

static void test_hang_up(void)
{
    check_retried(PROXY_HANG_UP, NULL);
}

static void test_malformed_replies(void)
{
    check_retried(PROXY_BAD_VERSION, NULL);
    check_retried(PROXY_NO_METHOD, NULL);
    check_retried(PROXY_WRONG_METHOD, NULL);
    check_retried(PROXY_WRONG_METHOD, "alice");
    check_retried(PROXY_BAD_ADDRESS, NULL);
}

static void test_connect_failed(void)
{
    check_retried(PROXY_FAIL_CONNECT, NULL);
}

/* A proxy that never answers holds the connection no longer than
 * ZMQ_HANDSHAKE_IVL. */
static void test_silent_proxy(void)
{
    check_retried(PROXY_SILENT, NULL);
}

/* A proxy address that is not host:port fails zmq_connect. */
static void test_bad_proxy_address(void)
{
    const char *bad[] = { "127.0.0.1", "127.0.0.1:*", "127.0.0.1:0",
                          "127.0.0.1:x" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        void *dealer = our_socket(ZMQ_DEALER);
        set_text(dealer, ZMQ_SOCKS_PROXY, bad[i]);
        errno = 0;
        CU_ASSERT_EQUAL(zmq_connect(dealer, "tcp://127.0.0.1:5555"), -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
        test_close(dealer);
    }
}

int main(void)
{
    static const struct test_case tests[] = {
        { "no authentication", test_no_authentication },
        { "username and password", test_password },
        { "a domain name", test_domain_name },
        { "refused password", test_refused_password },
        { "proxy hangs up mid-exchange", test_hang_up },
        { "malformed replies", test_malformed_replies },
        { "proxy cannot connect", test_connect_failed },
        { "silent proxy", test_silent_proxy },
        { "bad proxy address", test_bad_proxy_address },
    };
    ctx = zmq_ctx_new();
    int status =
        test_run_suite("SOCKS5 proxy", tests, sizeof tests / sizeof tests[0]);
    zmq_ctx_term(ctx);
    return status;
}
