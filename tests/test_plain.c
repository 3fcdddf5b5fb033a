/*
 * PLAIN (RFC 24) and ZAP (RFC 27) through the public API, over tcp and
 * ipc, with a ZAP handler thread of the test (zap_handler.h): accepted,
 * refused (wrong password, 300, 500), malformed replies, no handler with
 * and without ZAP_ENFORCE_DOMAIN, NULL with a ZAP domain, User-Id and ZAP
 * metadata through zmq_msg_gets, either side closing mid-request, bad
 * input from a raw TCP client beside a good one, and a process without the
 * plain plugin. (The handshake failure each refusal records is checked in
 * test_mechanism; interop with libzmq is test_plain_interop.)
 *
 * A refusal is seen here as nothing arriving within a short bounded wait,
 * with the handler asked and the other connections unaffected.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "testutil.h"
#include "zap_handler.h"
#include "zmq.h"

enum { WAIT_MS = 5000, REFUSED_MS = 300, TRANSPORTS = 2 };

static const char *const wildcard[TRANSPORTS] = { "tcp://127.0.0.1:*",
                                                  "ipc://*" };

static void *ctx;

static void *new_socket(int type)
{
    void *s = zmq_socket(ctx, type);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    test_set_int(s, ZMQ_RCVTIMEO, WAIT_MS);
    test_set_int(s, ZMQ_SNDTIMEO, WAIT_MS);
    test_set_int(s, ZMQ_LINGER, 0);
    return s;
}

static void *plain_server(const char *domain)
{
    void *s = new_socket(ZMQ_PULL);
    CU_ASSERT_FATAL(test_set_int(s, ZMQ_PLAIN_SERVER, 1));
    if (domain != NULL)
        CU_ASSERT_FATAL(
            zmq_setsockopt(s, ZMQ_ZAP_DOMAIN, domain, strlen(domain)) == 0);
    return s;
}

static void *plain_client(const char *user, const char *password)
{
    void *s = new_socket(ZMQ_PUSH);
    CU_ASSERT_FATAL(zmq_setsockopt(s, ZMQ_PLAIN_USERNAME, user, strlen(user)) ==
                    0);
    CU_ASSERT_FATAL(
        zmq_setsockopt(s, ZMQ_PLAIN_PASSWORD, password, strlen(password)) == 0);
    return s;
}

/* Binds server on transport t; the real endpoint goes to endpoint. */
static void bind_to(void *server, int t, char *endpoint, size_t capacity)
{
    CU_ASSERT_FATAL(zmq_bind(server, wildcard[t]) == 0);
    size_t size = capacity;
    CU_ASSERT_FATAL(
        zmq_getsockopt(server, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
}

static void join(void *server, void *client, int t)
{
    char endpoint[256];
    bind_to(server, t, endpoint, sizeof endpoint);
    CU_ASSERT_FATAL(zmq_connect(client, endpoint) == 0);
}

/* The client's message arrives; returns it (to close) for its metadata. */
static bool arrives(void *client, void *server, zmq_msg_t *msg)
{
    CU_ASSERT_FATAL(test_send(client, "knock", 0));
    zmq_msg_init(msg);
    int n = zmq_msg_recv(msg, server, 0);
    if (n != 5)
        fprintf(stderr, "\n  receive failed: %s\n", zmq_strerror(errno));
    CU_ASSERT_EQUAL(n, 5);
    return n == 5;
}

static bool property_is(zmq_msg_t *msg, const char *name, const char *value)
{
    const char *got = zmq_msg_gets(msg, name);
    return got != NULL && strcmp(got, value) == 0;
}

/* Sends, and nothing arrives within the refusal wait. */
static void refused(void *client, void *server)
{
    CU_ASSERT(zmq_send(client, "knock", 5, ZMQ_DONTWAIT) == 5 ||
              errno == EAGAIN);
    CU_ASSERT(test_recv_nothing(server, REFUSED_MS));
}

static void start_handler(struct zap_handler *zap, enum zap_mode mode)
{
    CU_ASSERT_FATAL(zap_handler_start(zap, ctx, mode));
}

/* ---- accepted, refused --------------------------------------------- */

static void test_accepted(void)
{
    for (int t = 0; t < TRANSPORTS; t++) {
        struct zap_handler zap;
        start_handler(&zap, ZAP_CHECK_PASSWORD);
        void *server = plain_server("global");
        void *client = plain_client("admin", "secret");
        join(server, client, t);
        zmq_msg_t msg;
        if (arrives(client, server, &msg)) {
            CU_ASSERT(property_is(&msg, "User-Id", "admin"));
            CU_ASSERT(property_is(&msg, "Hello", "World"));
            CU_ASSERT(property_is(&msg, "Socket-Type", "PUSH"));
        }
        zmq_msg_close(&msg);
        CU_ASSERT_EQUAL(zap_handler_requests(&zap), 1);
        CU_ASSERT_STRING_EQUAL(zap.mechanism, "PLAIN");
        CU_ASSERT_STRING_EQUAL(zap.domain, "global");
        CU_ASSERT_STRING_EQUAL(zap.username_seen, "admin");
        CU_ASSERT_EQUAL(zap.frames, 8);
        if (t == 0)
            CU_ASSERT_STRING_EQUAL(zap.address, "127.0.0.1");
        zmq_close(client);
        zmq_close(server);
        zap_handler_stop(&zap);
    }
}

/* PLAIN the other way round: the server connects, the client binds. */
static void test_server_connects(void)
{
    struct zap_handler zap;
    start_handler(&zap, ZAP_CHECK_PASSWORD);
    void *server = plain_server(NULL);
    void *client = plain_client("admin", "secret");
    join(client, server, 0);
    zmq_msg_t msg;
    if (arrives(client, server, &msg))
        CU_ASSERT(property_is(&msg, "User-Id", "admin"));
    zmq_msg_close(&msg);
    zmq_close(client);
    zmq_close(server);
    zap_handler_stop(&zap);
}

static void test_wrong_password(void)
{
    for (int t = 0; t < TRANSPORTS; t++) {
        struct zap_handler zap;
        start_handler(&zap, ZAP_CHECK_PASSWORD);
        void *server = plain_server("global");
        char endpoint[256];
        bind_to(server, t, endpoint, sizeof endpoint);
        void *intruder = plain_client("admin", "guess");
        CU_ASSERT_FATAL(zmq_connect(intruder, endpoint) == 0);
        refused(intruder, server);
        CU_ASSERT(zap_handler_requests(&zap) >= 1);
        /* A good client still gets in beside the refused one. */
        void *client = plain_client("admin", "secret");
        CU_ASSERT_FATAL(zmq_connect(client, endpoint) == 0);
        zmq_msg_t msg;
        if (arrives(client, server, &msg))
            CU_ASSERT(property_is(&msg, "User-Id", "admin"));
        zmq_msg_close(&msg);
        zmq_close(intruder);
        zmq_close(client);
        zmq_close(server);
        zap_handler_stop(&zap);
    }
}

static void refused_with_status(int status)
{
    for (int t = 0; t < TRANSPORTS; t++) {
        struct zap_handler zap;
        start_handler(&zap, ZAP_STATUS);
        zap.status = status;
        void *server = plain_server("global");
        void *client = plain_client("admin", "secret");
        join(server, client, t);
        CU_ASSERT(zap_handler_wait_request(&zap, WAIT_MS));
        refused(client, server);
        zmq_close(client);
        zmq_close(server);
        zap_handler_stop(&zap);
    }
}

static void test_refused_300(void)
{
    refused_with_status(300);
}

static void test_refused_400(void)
{
    refused_with_status(400);
}

static void test_refused_500(void)
{
    refused_with_status(500);
}

static void test_malformed_replies(void)
{
    static const enum zap_mode modes[] = { ZAP_BAD_VERSION, ZAP_BAD_REQUEST_ID,
                                           ZAP_BAD_STATUS, ZAP_SHORT_REPLY };
    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        struct zap_handler zap;
        start_handler(&zap, modes[i]);
        void *server = plain_server("global");
        void *client = plain_client("admin", "secret");
        join(server, client, 0);
        CU_ASSERT(zap_handler_wait_request(&zap, WAIT_MS));
        refused(client, server);
        zmq_close(client);
        zmq_close(server);
        zap_handler_stop(&zap);
    }
}

/* ---- without a handler --------------------------------------------- */

/* Without a handler libzmq 4.3 lets nobody in over PLAIN, with or without
 * ZAP_ENFORCE_DOMAIN. */
static void no_handler(bool enforce)
{
    for (int t = 0; t < TRANSPORTS; t++) {
        void *server = plain_server("global");
        CU_ASSERT(test_set_int(server, ZMQ_ZAP_ENFORCE_DOMAIN, enforce));
        void *client = plain_client("anyone", "anything");
        join(server, client, t);
        refused(client, server);
        zmq_close(client);
        zmq_close(server);
    }
}

static void test_no_handler(void)
{
    no_handler(false);
}

static void test_no_handler_enforced(void)
{
    no_handler(true);
}

/* NULL with a domain and no handler: in, unless the domain is enforced. */
static void test_null_domain_no_handler(void)
{
    for (int enforce = 0; enforce < 2; enforce++) {
        void *server = new_socket(ZMQ_PULL);
        CU_ASSERT(zmq_setsockopt(server, ZMQ_ZAP_DOMAIN, "d", 1) == 0);
        CU_ASSERT(test_set_int(server, ZMQ_ZAP_ENFORCE_DOMAIN, enforce));
        void *client = new_socket(ZMQ_PUSH);
        join(server, client, 0);
        if (enforce) {
            refused(client, server);
        } else {
            zmq_msg_t msg;
            arrives(client, server, &msg);
            zmq_msg_close(&msg);
        }
        zmq_close(client);
        zmq_close(server);
    }
}

/* ---- NULL and ZAP --------------------------------------------------- */

static void test_null_with_domain(void)
{
    struct zap_handler zap;
    start_handler(&zap, ZAP_CHECK_PASSWORD);
    void *server = new_socket(ZMQ_PULL);
    CU_ASSERT(zmq_setsockopt(server, ZMQ_ZAP_DOMAIN, "d", 1) == 0);
    void *client = new_socket(ZMQ_PUSH);
    join(server, client, 0);
    zmq_msg_t msg;
    if (arrives(client, server, &msg)) {
        CU_ASSERT(property_is(&msg, "User-Id", "anonymous"));
        CU_ASSERT(property_is(&msg, "Hello", "World"));
    }
    zmq_msg_close(&msg);
    CU_ASSERT_EQUAL(zap_handler_requests(&zap), 1);
    CU_ASSERT_STRING_EQUAL(zap.mechanism, "NULL");
    CU_ASSERT_EQUAL(zap.frames, 6);
    zmq_close(client);
    zmq_close(server);
    zap_handler_stop(&zap);
}

static void test_null_with_domain_refused(void)
{
    struct zap_handler zap;
    start_handler(&zap, ZAP_STATUS);
    zap.status = 400;
    void *server = new_socket(ZMQ_PULL);
    CU_ASSERT(zmq_setsockopt(server, ZMQ_ZAP_DOMAIN, "d", 1) == 0);
    void *client = new_socket(ZMQ_PUSH);
    join(server, client, 1);
    CU_ASSERT(zap_handler_wait_request(&zap, WAIT_MS));
    refused(client, server);
    zmq_close(client);
    zmq_close(server);
    zap_handler_stop(&zap);
}

/* NULL without a domain never asks, even with a handler bound. */
static void test_null_without_domain(void)
{
    struct zap_handler zap;
    start_handler(&zap, ZAP_STATUS);
    zap.status = 400;
    void *server = new_socket(ZMQ_PULL);
    void *client = new_socket(ZMQ_PUSH);
    join(server, client, 0);
    zmq_msg_t msg;
    if (arrives(client, server, &msg))
        CU_ASSERT_PTR_NULL(zmq_msg_gets(&msg, "User-Id"));
    zmq_msg_close(&msg);
    CU_ASSERT_EQUAL(zap_handler_requests(&zap), 0);
    zmq_close(client);
    zmq_close(server);
    zap_handler_stop(&zap);
}

/* ---- closing mid-request ------------------------------------------- */

/* The handler goes away holding the request: the connection is held
 * unanswered until its handshake times out (and, with no handler left,
 * the client's reconnections then fail); nothing gets through, nothing
 * hangs. */
static void test_handler_closes_mid_request(void)
{
    struct zap_handler zap;
    start_handler(&zap, ZAP_CLOSE);
    void *server = plain_server("global");
    void *client = plain_client("admin", "secret");
    join(server, client, 0);
    CU_ASSERT(zap_handler_wait_request(&zap, WAIT_MS));
    zap_handler_stop(&zap);
    refused(client, server);
    zmq_close(client);
    zmq_close(server);
}

/* A handler that dies on a request leaves the door shut: the client's
 * reconnections after the handshake timeout find no handler, and NULL
 * with a domain (like CURVE) would let them in as if none had ever been
 * bound, as libzmq does. Nothing gets in until a handler binds again. */
static void test_dead_handler_lets_nobody_in(void)
{
    struct zap_handler zap;
    start_handler(&zap, ZAP_CLOSE);
    void *server = new_socket(ZMQ_PULL);
    CU_ASSERT(zmq_setsockopt(server, ZMQ_ZAP_DOMAIN, "d", 1) == 0);
    CU_ASSERT(test_set_int(server, ZMQ_HANDSHAKE_IVL, 100));
    void *client = new_socket(ZMQ_PUSH);
    test_set_int(client, ZMQ_RECONNECT_IVL, 20);
    join(server, client, 0);
    CU_ASSERT(zap_handler_wait_request(&zap, WAIT_MS));
    zap_handler_stop(&zap);
    /* Several timeouts and reconnections long. */
    CU_ASSERT(zmq_send(client, "knock", 5, ZMQ_DONTWAIT) == 5);
    CU_ASSERT(test_recv_nothing(server, 1000));

    start_handler(&zap, ZAP_CHECK_PASSWORD);
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    CU_ASSERT_EQUAL(zmq_msg_recv(&msg, server, 0), 5);
    CU_ASSERT(property_is(&msg, "User-Id", "anonymous"));
    zmq_msg_close(&msg);
    zmq_close(client);
    zmq_close(server);
    zap_handler_stop(&zap);
}

/* The server closes while its request waits; the late reply finds the
 * pipe gone. */
static void test_server_closes_mid_request(void)
{
    struct zap_handler zap;
    start_handler(&zap, ZAP_HOLD);
    void *server = plain_server("global");
    void *client = plain_client("admin", "secret");
    join(server, client, 1);
    CU_ASSERT(zap_handler_wait_request(&zap, WAIT_MS));
    zmq_close(server);
    zmq_close(client);
    zap_handler_release(&zap);
    zap_handler_stop(&zap);
}

/* The context shuts down while a request waits: every side lets go and
 * zmq_ctx_term returns. */
static void test_term_mid_request(void)
{
    void *own = zmq_ctx_new();
    void *outer = ctx;
    ctx = own;
    struct zap_handler zap;
    start_handler(&zap, ZAP_HOLD);
    void *server = plain_server("global");
    void *client = plain_client("admin", "secret");
    join(server, client, 0);
    CU_ASSERT(zap_handler_wait_request(&zap, WAIT_MS));
    zmq_ctx_shutdown(own);
    zmq_close(client);
    zmq_close(server);
    zap_handler_stop(&zap);
    CU_ASSERT_EQUAL(zmq_ctx_term(own), 0);
    ctx = outer;
}

/* ---- bad input ----------------------------------------------------- */

static int raw_connect(const char *endpoint)
{
    const char *colon = strrchr(endpoint, ':');
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons((uint16_t) atoi(colon + 1)) };
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(connect(fd, (struct sockaddr *) &a, sizeof a) == 0);
    return fd;
}

/* Reads until the server hangs up (true) or the wait ends (false). */
static bool hung_up(int fd)
{
    char buffer[256];
    for (int i = 0; i < 100; i++) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, WAIT_MS) != 1)
            return false;
        ssize_t n = read(fd, buffer, sizeof buffer);
        if (n <= 0)
            return true;
    }
    return false;
}

static void raw_send(int fd, const void *bytes, size_t size)
{
    CU_ASSERT(write(fd, bytes, size) == (ssize_t) size);
}

static const unsigned char plain_greeting[64] = { 0xFF, 0,   0,   0,    0,  0,
                                                  0,    0,   1,   0x7F, 3,  1,
                                                  'P',  'L', 'A', 'I',  'N' };

static void test_bad_input_beside_good(void)
{
    struct zap_handler zap;
    start_handler(&zap, ZAP_CHECK_PASSWORD);
    void *server = plain_server("global");
    char endpoint[256];
    bind_to(server, 0, endpoint, sizeof endpoint);
    void *client = plain_client("admin", "secret");
    CU_ASSERT_FATAL(zmq_connect(client, endpoint) == 0);
    zmq_msg_t msg;
    arrives(client, server, &msg);
    zmq_msg_close(&msg);

    static const struct {
        unsigned char flags; /* 4: command, 6: long command */
        const char *body;
        size_t size;
    } attacks[] = {
        { 4, "\5HELLO", 6 },             /* truncated HELLO */
        { 4, "\5HELLO\7bob", 10 },       /* username overruns */
        { 4, "\5HELLO\1u\1pJUNK", 14 },  /* trailing bytes */
        { 4, "\10INITIATE", 9 },         /* out of sequence */
        { 0, "hello", 5 },               /* a message */
        { 4, "\5ERROR\003400", 10 },     /* ERROR to a server */
        { 6, "\5HELLO\377\377", 65536 }, /* 64 KiB HELLO */
    };
    for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
        int fd = raw_connect(endpoint);
        raw_send(fd, plain_greeting, sizeof plain_greeting);
        size_t size = attacks[i].size;
        size_t head = attacks[i].flags & 2 ? 9 : 2;
        unsigned char *frame = calloc(1, head + size);
        frame[0] = attacks[i].flags;
        for (size_t k = 1; k < head; k++)
            frame[k] = (unsigned char) (size >> (8 * (head - 1 - k)));
        memcpy(frame + head, attacks[i].body, strlen(attacks[i].body));
        raw_send(fd, frame, head + size);
        free(frame);
        CU_ASSERT(hung_up(fd));
        close(fd);
        /* The good connection carries on. */
        CU_ASSERT(arrives(client, server, &msg));
        zmq_msg_close(&msg);
    }
    zmq_close(client);
    zmq_close(server);
    zap_handler_stop(&zap);
}

/* ---- a process without the plain plugin ------------------------------ */

static int missing_plugin_child(void)
{
    void *c = zmq_ctx_new();
    void *s = zmq_socket(c, ZMQ_PULL);
    int one = 1;
    int rc = zmq_setsockopt(s, ZMQ_PLAIN_SERVER, &one, sizeof one);
    int error = errno;
    int rc2 = zmq_setsockopt(s, ZMQ_PLAIN_USERNAME, "u", 1);
    zmq_close(s);
    zmq_ctx_term(c);
    return rc == -1 && error == EINVAL && rc2 == -1 ? 0 : 1;
}

/* The environment for a child that cannot find the plain plugin: the
 * same, with the plain directory cut off MODZMQ_PLUGIN_PATH. Built before
 * fork, since the child of a threaded process may not allocate. */
static char **environment_without_plain(void)
{
    extern char **environ;
    size_t count = 0;
    while (environ[count] != NULL)
        count++;
    char **env = calloc(count + 1, sizeof *env);
    for (size_t i = 0; i < count; i++) {
        env[i] = strdup(environ[i]);
        if (strncmp(env[i], "MODZMQ_PLUGIN_PATH=", 19) != 0)
            continue;
        char *plain = strstr(env[i], "/plugins/plain/");
        if (plain == NULL)
            continue;
        while (plain > env[i] + 19 && plain[-1] != ':')
            plain--;
        *plain = '\0';
    }
    return env;
}

static void test_missing_plugin(void)
{
    char **env = environment_without_plain();
    int err[2];
    CU_ASSERT_FATAL(pipe(err) == 0);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        dup2(err[1], 2);
        close(err[0]);
        execle("/proc/self/exe", "test_plain", "--missing-plain", (char *) 0,
               env);
        _exit(127);
    }
    for (char **e = env; *e != NULL; e++)
        free(*e);
    free(env);
    close(err[1]);
    char text[4096] = "";
    size_t have = 0;
    ssize_t n;
    while (have < sizeof text - 1 &&
           (n = read(err[0], text + have, sizeof text - 1 - have)) > 0)
        have += (size_t) n;
    text[have] = '\0';
    close(err[0]);
    int status = 0;
    CU_ASSERT(waitpid(pid, &status, 0) == pid);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "mechanism \"PLAIN\" unavailable"));
    CU_ASSERT_PTR_NOT_NULL(strstr(text, "modzmq_plain.so"));
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--missing-plain") == 0)
        return missing_plugin_child();
    ctx = zmq_ctx_new();
    static const struct test_case tests[] = {
        { "accepted, User-Id and metadata (tcp, ipc)", test_accepted },
        { "the PLAIN server connects", test_server_connects },
        { "wrong password beside a good one", test_wrong_password },
        { "ZAP 300", test_refused_300 },
        { "ZAP 400", test_refused_400 },
        { "ZAP 500", test_refused_500 },
        { "malformed ZAP replies", test_malformed_replies },
        { "no handler", test_no_handler },
        { "no handler, ZAP_ENFORCE_DOMAIN", test_no_handler_enforced },
        { "NULL with a ZAP domain, no handler", test_null_domain_no_handler },
        { "NULL with a ZAP domain", test_null_with_domain },
        { "NULL with a ZAP domain, refused", test_null_with_domain_refused },
        { "NULL without a domain asks nobody", test_null_without_domain },
        { "handler closes mid-request", test_handler_closes_mid_request },
        { "a dead handler lets nobody in", test_dead_handler_lets_nobody_in },
        { "server closes mid-request", test_server_closes_mid_request },
        { "context ends mid-request", test_term_mid_request },
        { "bad input beside a good client", test_bad_input_beside_good },
        { "no plain plugin", test_missing_plugin },
    };
    int status = test_run_suite("plain", tests, sizeof tests / sizeof tests[0]);
    zmq_ctx_term(ctx);
    return status;
}
