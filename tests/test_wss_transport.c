/*
 * The wss transport (ZWS 2.0 over TLS): the ZMQ_WSS_* options and the
 * binds they allow, ours against ours for the classic pairs with
 * multipart and 1 MB messages, and a standard TLS peer in another process
 * (tests/peers/tls_peer.py: Python's ssl module, OpenSSL) that checks our
 * server's chain and hostname, and serves certificates our client must
 * refuse. Then peers that stall mid-handshake or send noise as records:
 * each such connection is dropped with a handshake-failed event while a
 * good one carries on; servers that stall or lie fail our client's
 * attempts, which it repeats. The certificates are made here, at each
 * run, by openssl in a temporary directory.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "peer.h"
#include "testutil.h"
#include "ws_suites.h"
#include "zmq.h"

static void *ctx;
static char dir[64];

/* The PEMs: a CA, a server certificate it signed for localhost and
 * 127.0.0.1 with its key, and a self-signed one of a stranger. */
static char *ca_pem, *server_pem, *server_key, *stranger_pem, *stranger_key;

static char *path_of(const char *name)
{
    static char path[4][128];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", dir, name);
    return p;
}

static char *slurp(const char *name)
{
    FILE *f = fopen(path_of(name), "r");
    if (f == NULL)
        return NULL;
    static const size_t cap = 64 * 1024;
    char *text = calloc(1, cap);
    size_t n = text ? fread(text, 1, cap - 1, f) : 0;
    fclose(f);
    if (text != NULL && n == 0) {
        free(text);
        text = NULL;
    }
    return text;
}

/* openssl makes the CA, the server's certificate and the stranger's. */
static bool make_certificates(void)
{
    snprintf(dir, sizeof dir, "/tmp/test_wss.XXXXXX");
    if (mkdtemp(dir) == NULL)
        return false;
    char script[2048];
    snprintf(
        script, sizeof script,
        "set -e; cd %s; k='-newkey ec -pkeyopt ec_paramgen_curve:P-256 "
        "-nodes'\n"
        "openssl req -x509 $k -keyout ca.key -out ca.pem -days 2 "
        "-subj /CN=wss-test-ca -addext basicConstraints=critical,CA:TRUE "
        "-addext keyUsage=critical,keyCertSign\n"
        "openssl req $k -keyout server.key -out server.csr -subj "
        "/CN=localhost\n"
        "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n"
        "basicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' >ext\n"
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key "
        "-CAcreateserial -days 2 -extfile ext -out server.pem\n"
        "openssl req -x509 $k -keyout stranger.key -out stranger.pem -days 2 "
        "-subj /CN=localhost -addext "
        "subjectAltName=DNS:localhost,IP:127.0.0.1\n",
        dir);
    char command[256];
    if (setenv("WSS_SCRIPT", script, 1) != 0)
        return false;
    snprintf(command, sizeof command,
             "sh -c \"$WSS_SCRIPT\" >%s/openssl.log 2>&1", dir);
    if (system(command) != 0)
        return false;
    ca_pem = slurp("ca.pem");
    server_pem = slurp("server.pem");
    server_key = slurp("server.key");
    stranger_pem = slurp("stranger.pem");
    stranger_key = slurp("stranger.key");
    return ca_pem && server_pem && server_key && stranger_pem && stranger_key;
}

static void remove_certificates(void)
{
    char command[128];
    snprintf(command, sizeof command, "rm -rf %s", dir);
    if (dir[0] != '\0' && system(command) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    free(ca_pem);
    free(server_pem);
    free(server_key);
    free(stranger_pem);
    free(stranger_key);
}

static void set_text(void *s, int option, const char *text)
{
    CU_ASSERT_EQUAL(zmq_setsockopt(s, option, text, strlen(text)), 0);
}

static void *wss_server(int type)
{
    void *s = test_ws_socket(ctx, type);
    set_text(s, ZMQ_WSS_CERT_PEM, server_pem);
    set_text(s, ZMQ_WSS_KEY_PEM, server_key);
    return s;
}

/* A client trusting our CA, checking the name "localhost". */
static void *wss_client(int type)
{
    void *s = test_ws_socket(ctx, type);
    set_text(s, ZMQ_WSS_TRUST_PEM, ca_pem);
    set_text(s, ZMQ_WSS_HOSTNAME, "localhost");
    return s;
}

/* ---- options and endpoints ------------------------------------------- */

static void test_options(void)
{
    CU_ASSERT_EQUAL(zmq_has("wss"), 1);
    void *s = test_ws_socket(ctx, ZMQ_PAIR);
    /* Write-only, as in libzmq; TRUST_SYSTEM takes 0 or 1. */
    int options[] = { ZMQ_WSS_KEY_PEM, ZMQ_WSS_CERT_PEM, ZMQ_WSS_TRUST_PEM,
                      ZMQ_WSS_HOSTNAME, ZMQ_WSS_TRUST_SYSTEM };
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
        char value[256];
        size_t size = sizeof value;
        errno = 0;
        CU_ASSERT_EQUAL(zmq_getsockopt(s, options[i], value, &size), -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
    }
    CU_ASSERT_TRUE(test_set_int(s, ZMQ_WSS_TRUST_SYSTEM, 1));
    CU_ASSERT_TRUE(test_set_int(s, ZMQ_WSS_TRUST_SYSTEM, 0));
    CU_ASSERT_FALSE(test_set_int(s, ZMQ_WSS_TRUST_SYSTEM, 2));

    /* A bind needs a certificate and its key that load. */
    errno = 0;
    CU_ASSERT_EQUAL(zmq_bind(s, "wss://127.0.0.1:*/x"), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    set_text(s, ZMQ_WSS_CERT_PEM, server_pem);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_bind(s, "wss://127.0.0.1:*/x"), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    set_text(s, ZMQ_WSS_KEY_PEM, "-----BEGIN PRIVATE KEY-----\nnonsense\n");
    errno = 0;
    CU_ASSERT_EQUAL(zmq_bind(s, "wss://127.0.0.1:*/x"), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    set_text(s, ZMQ_WSS_KEY_PEM, stranger_key); /* not the cert's key */
    errno = 0;
    CU_ASSERT_EQUAL(zmq_bind(s, "wss://127.0.0.1:*/x"), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    set_text(s, ZMQ_WSS_KEY_PEM, server_key);
    char endpoint[256], expected[256];
    CU_ASSERT_TRUE(test_bind_endpoint(s, "wss://127.0.0.1:*/x", endpoint,
                                      sizeof endpoint));
    snprintf(expected, sizeof expected, "wss://127.0.0.1:%d/x",
             test_port_of(endpoint));
    CU_ASSERT_STRING_EQUAL(endpoint, expected);

    /* A trust PEM without a certificate in it is refused at connect. */
    void *c = test_ws_socket(ctx, ZMQ_PAIR);
    set_text(c, ZMQ_WSS_TRUST_PEM, "no certificate here");
    errno = 0;
    CU_ASSERT_EQUAL(zmq_connect(c, endpoint), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    /* Without any trust the connect is taken, and no handshake passes. */
    CU_ASSERT_EQUAL(zmq_setsockopt(c, ZMQ_WSS_TRUST_PEM, NULL, 0), 0);
    CU_ASSERT_EQUAL(zmq_connect(c, endpoint), 0);
    CU_ASSERT_TRUE(test_send(c, "untrusted", ZMQ_DONTWAIT) ||
                   zmq_errno() == EAGAIN);
    CU_ASSERT_TRUE(test_recv_nothing(s, 500));
    test_close(c);
    test_close(s);
}

/* ---- ours against ours ----------------------------------------------- */

/* How a client names the server it checks: by ZMQ_WSS_HOSTNAME, by the
 * endpoint's host name, or by its address (an IP SAN). */
enum naming { BY_OPTION, BY_ENDPOINT_NAME, BY_ENDPOINT_ADDRESS };

static void join(void *bound, void *connected, const char *path,
                 enum naming naming)
{
    char address[128], endpoint[256];
    snprintf(address, sizeof address, "wss://127.0.0.1:*%s", path);
    CU_ASSERT_TRUE_FATAL(
        test_bind_endpoint(bound, address, endpoint, sizeof endpoint));
    if (naming != BY_OPTION)
        CU_ASSERT_EQUAL(zmq_setsockopt(connected, ZMQ_WSS_HOSTNAME, NULL, 0),
                        0);
    if (naming == BY_ENDPOINT_NAME)
        snprintf(endpoint, sizeof endpoint, "wss://localhost:%d%s",
                 test_port_of(endpoint), path);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(connected, endpoint), 0);
}

static void test_pairs(void)
{
    for (size_t i = 0; i < 6; i++) {
        const struct test_pair_types *types = &test_pairs_classic[i];
        void *b = wss_server(types->bind_type);
        void *c = wss_client(types->connect_type);
        join(b, c, "/pairs", (enum naming)(i % 3));
        test_pair_exchange(b, types->bind_type, c);
        test_close(c);
        test_close(b);
    }
}

static void test_pub_sub(void)
{
    void *pub = wss_server(ZMQ_XPUB);
    void *sub = wss_client(ZMQ_SUB);
    join(pub, sub, "/feed", BY_OPTION);
    test_subscription_exchange(pub, sub);
    test_close(sub);
    test_close(pub);
}

/* 1 MB and a spread of sizes in one multipart message, both ways, three
 * times: many TLS records per message and messages per record. */
static void test_large_multipart(void)
{
    static const size_t sizes[] = {
        0, 1, 255, 16383, 16384, 65536, 1024 * 1024
    };
    void *a = wss_server(ZMQ_PAIR);
    void *b = wss_client(ZMQ_PAIR);
    join(a, b, "/big", BY_OPTION);
    test_exchange_parts(a, b, sizes, sizeof sizes / sizeof sizes[0]);
    test_close(b);
    test_close(a);
}

/* ---- a standard TLS peer --------------------------------------------- */

static struct test_peer *tls_peer_start(void)
{
    char script[4096];
    const char *srcdir = getenv("srcdir");
    snprintf(script, sizeof script, "%s/tests/peers/tls_peer.py",
             srcdir != NULL ? srcdir : ".");
    char *const argv[] = { "python3", script, NULL };
    char *const envp[] = { "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", NULL };
    struct test_peer *peer =
        test_peer_spawn("/usr/bin/python3", argv, envp, 10000, 15000);
    if (peer == NULL)
        return NULL;
    const char *ready = test_peer_ready(peer);
    if (ready == NULL || strncmp(ready, "ready tls peer", 14) != 0) {
        fprintf(stderr, "tls peer did not start: %s\n",
                ready != NULL ? ready : "(no answer)");
        test_peer_stop(peer);
        return NULL;
    }
    return peer;
}

static bool starts(const char *answer, const char *prefix)
{
    if (answer == NULL || strncmp(answer, prefix, strlen(prefix)) != 0) {
        fprintf(stderr, "tls peer answered: %s\n",
                answer != NULL ? answer : "(nothing)");
        return false;
    }
    return true;
}

/* OpenSSL verifies our server's chain against the CA and its name, and
 * refuses it for another name or without the CA. */
static void test_standard_client(void)
{
    struct test_peer *peer = tls_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    void *server = wss_server(ZMQ_REP);
    char endpoint[256];
    CU_ASSERT_TRUE_FATAL(test_bind_endpoint(server, "wss://127.0.0.1:*/wss",
                                            endpoint, sizeof endpoint));
    int port = test_port_of(endpoint);
    CU_ASSERT_TRUE(starts(
        test_peer_ask(peer, "verify %d %s localhost", port, path_of("ca.pem")),
        "ok HTTP/1.1 101"));
    CU_ASSERT_TRUE(starts(
        test_peer_ask(peer, "verify %d %s 127.0.0.1", port, path_of("ca.pem")),
        "ok HTTP/1.1 101"));
    CU_ASSERT_TRUE(starts(test_peer_ask(peer, "verify %d %s wrong.example",
                                        port, path_of("ca.pem")),
                          "refused CERTIFICATE_VERIFY_FAILED"));
    CU_ASSERT_TRUE(starts(test_peer_ask(peer, "verify %d %s localhost", port,
                                        path_of("stranger.pem")),
                          "refused CERTIFICATE_VERIFY_FAILED"));
    test_close(server);
    test_peer_stop(peer);
}

/* Our client against OpenSSL servers: one with the good certificate is
 * taken (its upgrade arrives), a stranger's certificate and a wrong name
 * are refused, each attempt with a handshake-failed event, and the
 * socket tries again. */
static void test_our_client_refuses(void)
{
    struct test_peer *good = tls_peer_start();
    struct test_peer *stranger = tls_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(good);
    CU_ASSERT_PTR_NOT_NULL_FATAL(stranger);
    const char *answer = test_peer_ask(
        good, "serve %s %s", path_of("server.pem"), path_of("server.key"));
    CU_ASSERT_TRUE_FATAL(starts(answer, "port "));
    int good_port = atoi(answer + 5);
    answer = test_peer_ask(stranger, "serve %s %s", path_of("stranger.pem"),
                           path_of("stranger.key"));
    CU_ASSERT_TRUE_FATAL(starts(answer, "port "));
    int stranger_port = atoi(answer + 5);

    struct {
        int port;
        const char *hostname;
        struct test_peer *peer;
        bool taken;
    } cases[] = { { good_port, "localhost", good, true },
                  { stranger_port, "localhost", stranger, false },
                  { good_port, "wrong.example", good, false } };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        CU_ASSERT_TRUE(starts(test_peer_ask(cases[i].peer, "clear"), "clear"));
        void *client = wss_client(ZMQ_DEALER);
        set_text(client, ZMQ_WSS_HOSTNAME, cases[i].hostname);
        void *reader = test_monitor_open(ctx, client,
                                         ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL);
        char endpoint[128];
        snprintf(endpoint, sizeof endpoint, "wss://127.0.0.1:%d/wss",
                 cases[i].port);
        CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
        int failures = test_events_count(
            reader, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, 1500, 2);
        /* Refused, retried, refused; or taken at once. */
        CU_ASSERT_EQUAL(failures, cases[i].taken ? 0 : 2);
        const char *expected = cases[i].taken ? "upgrade GET /wss" : "failed";
        answer = NULL;
        for (int tries = 0; tries < 50; tries++) {
            answer = test_peer_ask(cases[i].peer, "outcomes");
            if (answer == NULL || strstr(answer, expected) != NULL)
                break;
            usleep(100 * 1000);
        }
        CU_ASSERT_PTR_NOT_NULL(answer);
        if (answer != NULL) {
            CU_ASSERT_PTR_NOT_NULL(strstr(answer, expected));
            if (!cases[i].taken)
                CU_ASSERT_PTR_NULL(strstr(answer, "upgrade"));
        }
        test_monitor_close(client, reader);
        test_close(client);
    }
    test_peer_stop(stranger);
    test_peer_stop(good);
}

/* ---- peers that stall or lie ------------------------------------------ */

struct victim {
    void *pull, *push, *reader;
    int port;
};

/* A wss PULL with a short ZMQ_HANDSHAKE_IVL, its monitor, and a good
 * PUSH connected to it. */
static void victim_open(struct victim *v)
{
    v->pull = wss_server(ZMQ_PULL);
    test_set_int(v->pull, ZMQ_HANDSHAKE_IVL, 1000);
    v->reader =
        test_monitor_open(ctx, v->pull, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL);
    char endpoint[256];
    CU_ASSERT_TRUE_FATAL(test_bind_endpoint(v->pull, "wss://127.0.0.1:*/v",
                                            endpoint, sizeof endpoint));
    v->port = test_port_of(endpoint);
    v->push = wss_client(ZMQ_PUSH);
    CU_ASSERT_EQUAL(zmq_connect(v->push, endpoint), 0);
    CU_ASSERT_TRUE(test_send(v->push, "before", 0));
    CU_ASSERT_TRUE(test_recv_is(v->pull, "before", 5000));
}

/* The attacker's connection was dropped with its event. */
static void victim_saw_one_failure(struct victim *v)
{
    CU_ASSERT_EQUAL(test_events_count(v->reader,
                                      ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL,
                                      2000, 1),
                    1);
}

/* The good connection still carries messages. */
static void victim_carries_on(struct victim *v, const char *text)
{
    CU_ASSERT_TRUE(test_send(v->push, text, 0));
    CU_ASSERT_TRUE(test_recv_is(v->pull, text, 5000));
}

static void victim_close(struct victim *v)
{
    test_monitor_close(v->pull, v->reader);
    test_close(v->push);
    test_close(v->pull);
}

static void test_stalling_clients(void)
{
    struct victim v;
    victim_open(&v);
    /* A ClientHello cut short, then silence: ZMQ_HANDSHAKE_IVL ends it. */
    int fd = test_connect_loopback(v.port);
    CU_ASSERT_FATAL(fd >= 0);
    static const uint8_t partial_hello[] = { 0x16, 0x03, 0x01, 0x00, 0xC8, 0x01,
                                             0x00, 0x00, 0xC4, 0x03, 0x03 };
    CU_ASSERT_EQUAL(send(fd, partial_hello, sizeof partial_hello, 0),
                    (ssize_t) sizeof partial_hello);
    victim_carries_on(&v, "during the stall");
    CU_ASSERT_TRUE(test_closed_by_peer(fd, 4000));
    close(fd);
    victim_saw_one_failure(&v);
    /* A client that says nothing at all. */
    fd = test_connect_loopback(v.port);
    CU_ASSERT_TRUE(test_closed_by_peer(fd, 4000));
    close(fd);
    victim_saw_one_failure(&v);
    victim_carries_on(&v, "after the stalls");
    victim_close(&v);
}

static void test_lying_clients(void)
{
    struct victim v;
    victim_open(&v);
    /* Noise where the ClientHello should be, and a record header that
     * claims more than a record may hold. */
    uint8_t noise[512];
    for (size_t i = 0; i < sizeof noise; i++)
        noise[i] = (uint8_t) (i * 37 + 11);
    static const uint8_t huge_record[] = { 0x16, 0x03, 0x03, 0xFF, 0xFF };
    const struct {
        const void *bytes;
        size_t size;
    } lies[] = { { noise, sizeof noise }, { huge_record, sizeof huge_record } };
    for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++) {
        int fd = test_connect_loopback(v.port);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT_EQUAL(send(fd, lies[i].bytes, lies[i].size, MSG_NOSIGNAL),
                        (ssize_t) lies[i].size);
        CU_ASSERT_TRUE(test_closed_by_peer(fd, 3000));
        close(fd);
        victim_saw_one_failure(&v);
        victim_carries_on(&v, "after a lie");
    }
    /* A real handshake, then a record of noise (its MAC cannot hold). */
    struct test_peer *peer = tls_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    CU_ASSERT_TRUE(starts(test_peer_ask(peer, "garbage %d", v.port), "closed"));
    victim_saw_one_failure(&v);
    test_peer_stop(peer);
    victim_carries_on(&v, "after the noise");
    victim_close(&v);
}

/* Our client against servers written here: one that accepts and never
 * answers (each attempt meets ZMQ_HANDSHAKE_IVL) and one that answers
 * the ClientHello with noise. Each attempt fails with its event, and the
 * socket tries again. */
static void test_bad_servers(void)
{
    uint8_t noise[256];
    for (size_t i = 0; i < sizeof noise; i++)
        noise[i] = (uint8_t) (i * 53 + 7);
    for (int lies = 0; lies < 2; lies++) {
        int port;
        int listener = test_listen_loopback(&port);
        void *client = wss_client(ZMQ_DEALER);
        test_set_int(client, ZMQ_HANDSHAKE_IVL, 300);
        void *reader = test_monitor_open(ctx, client,
                                         ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL);
        char endpoint[128];
        snprintf(endpoint, sizeof endpoint, "wss://127.0.0.1:%d/", port);
        CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
        int accepted[2], count = 0;
        struct pollfd pfd = { .fd = listener, .events = POLLIN };
        while (count < 2 && poll(&pfd, 1, 3000) == 1) {
            accepted[count] = accept(listener, NULL, NULL);
            if (lies && accepted[count] >= 0)
                CU_ASSERT_EQUAL(
                    send(accepted[count], noise, sizeof noise, MSG_NOSIGNAL),
                    (ssize_t) sizeof noise);
            count++;
        }
        CU_ASSERT_EQUAL(count, 2);
        CU_ASSERT(test_events_count(reader,
                                    ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, 2000,
                                    1) >= 1);
        for (int i = 0; i < count; i++)
            close(accepted[i]);
        test_monitor_close(client, reader);
        test_close(client);
        close(listener);
    }
}

int main(void)
{
    const struct test_case tests[] = {
        { "options and binds", test_options },
        { "socket pairs", test_pairs },
        { "publish and subscribe", test_pub_sub },
        { "large and multipart messages", test_large_multipart },
        { "a standard TLS client", test_standard_client },
        { "our client refuses", test_our_client_refuses },
        { "clients that stall", test_stalling_clients },
        { "clients that lie", test_lying_clients },
        { "servers that stall or lie", test_bad_servers },
    };
    if (!make_certificates()) {
        printf("openssl could not make the test certificates in %s\n", dir);
        remove_certificates();
        return 77;
    }
    ctx = zmq_ctx_new();
    int rc =
        test_run_suite("wss transport", tests, sizeof tests / sizeof tests[0]);
    zmq_ctx_term(ctx);
    remove_certificates();
    return rc;
}
