/* CUnit tests for plugin mechanisms in the engine (core/zmtp/engine.c,
 * core/zmtp/mechanism.c) with the PLAIN plugin, below the socket layer so that
 * the handshake failure the engine records (the event and value monitoring
 * publishes) can be checked:
 *
 *   - two engines over a socketpair, PLAIN client and server, with a ZAP
 *     stand-in in the test's sink: accepted, refused with 300/400/500, a
 *     reply with bad metadata, no handler with and without
 *     ZAP_ENFORCE_DOMAIN, NULL with a ZAP domain;
 *   - a raw peer written by the test: truncated and oversized HELLO,
 *     commands out of sequence, a message during the handshake, the wrong
 *     mechanism, ERROR commands well and badly formed.
 *
 * MODZMQ_PLUGIN_PATH must reach the plain plugin (make check sets it). */
#include "engine.h"
#include "mechanism.h"
#include "msg.h"
#include "options.h"
#include "peer_metadata.h"
#include "reactor.h"
#include "testutil.h"
#include "zap.h"
#include "zmq.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { WAIT_MS = 10000, INBOX_MAX = 16 };

/* ---- the reactor thread -------------------------------------------- */

static struct mz_reactor *reactor;
static pthread_t reactor_thread;

static void *reactor_main(void *arg)
{
    mz_reactor_run(arg);
    return NULL;
}

struct call {
    void (*fn)(void *);
    void *arg;
    sem_t done;
};

static void call_task(void *arg)
{
    struct call *c = arg;
    c->fn(c->arg);
    sem_post(&c->done);
}

/* Runs fn(arg) on the reactor thread and waits for it. */
static void on_reactor(void (*fn)(void *), void *arg)
{
    struct call c = { .fn = fn, .arg = arg };
    sem_init(&c.done, 0, 0);
    CU_ASSERT_FATAL(mz_reactor_post(reactor, call_task, &c) == 0);
    sem_wait(&c.done);
    sem_destroy(&c.done);
}

/* ---- a session stand-in with a ZAP handler of its own ---------------- */

/* What the stand-in answers a ZAP request with. */
enum zap_mode {
    ZAP_NONE,   /* no handler bound */
    ZAP_HOLD,   /* keep the request; the test replies */
    ZAP_BROKEN, /* the request cannot be sent */
};

struct side {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct mz_options options;
    struct mz_engine *engine;
    bool ready;
    struct mz_peer_metadata *metadata;
    bool failed;
    struct mz_msg inbox[INBOX_MAX];
    size_t inbox_count;
    const char *outgoing; /* one part to send once ready, or NULL */

    enum zap_mode zap_mode;
    int zap_requests;
    char zap_mechanism[16];
    char zap_domain[64];
    char zap_address[64];
    char zap_credentials[2][64];
    size_t zap_credential_count;
};

static void signal_change(struct side *s)
{
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
}

static bool sink_ready(void *session, struct mz_peer_metadata *metadata)
{
    struct side *s = session;
    pthread_mutex_lock(&s->lock);
    mz_peer_metadata_ref(metadata);
    s->metadata = metadata;
    s->ready = true;
    signal_change(s);
    return true;
}

static bool sink_push(void *session, struct mz_msg *m)
{
    struct side *s = session;
    pthread_mutex_lock(&s->lock);
    bool room = s->inbox_count < INBOX_MAX;
    if (room)
        s->inbox[s->inbox_count++] = *m;
    signal_change(s);
    return room;
}

static void sink_flush(void *session)
{
    (void) session;
}

static bool sink_pull(void *session, struct mz_msg *m)
{
    struct side *s = session;
    pthread_mutex_lock(&s->lock);
    const char *text = s->outgoing;
    s->outgoing = NULL;
    pthread_mutex_unlock(&s->lock);
    return text != NULL && mz_msg_init_buffer(m, text, strlen(text)) == 0;
}

static void sink_error(void *session, enum mz_engine_error reason)
{
    (void) reason;
    struct side *s = session;
    pthread_mutex_lock(&s->lock);
    s->failed = true;
    signal_change(s);
}

static void copy_text(char *to, size_t capacity, const void *from, size_t size)
{
    size_t n = size < capacity - 1 ? size : capacity - 1;
    if (n > 0)
        memcpy(to, from, n);
    to[n] = '\0';
}

static int sink_zap_request(void *session, const struct mz_zap_request *r)
{
    struct side *s = session;
    pthread_mutex_lock(&s->lock);
    s->zap_requests++;
    copy_text(s->zap_mechanism, sizeof s->zap_mechanism, r->mechanism,
              strlen(r->mechanism));
    copy_text(s->zap_domain, sizeof s->zap_domain, r->domain ? r->domain : "",
              r->domain ? strlen(r->domain) : 0);
    copy_text(s->zap_address, sizeof s->zap_address,
              r->address ? r->address : "",
              r->address ? strlen(r->address) : 0);
    s->zap_credential_count = r->credential_count;
    for (size_t i = 0; i < r->credential_count && i < 2; i++)
        copy_text(s->zap_credentials[i], sizeof s->zap_credentials[i],
                  r->credentials[i], r->credential_sizes[i]);
    enum zap_mode mode = s->zap_mode;
    signal_change(s);
    errno = mode == ZAP_NONE ? ECONNREFUSED : ENOMEM;
    return mode == ZAP_HOLD ? 0 : -1;
}

static const struct mz_engine_sink test_sink = {
    .ready = sink_ready,
    .push = sink_push,
    .flush = sink_flush,
    .pull = sink_pull,
    .error = sink_error,
    .zap_request = sink_zap_request,
};

static struct side *side_new(int socket_type)
{
    struct side *s = calloc(1, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->changed, NULL);
    mz_options_init(&s->options, socket_type);
    s->options.handshake_ivl = WAIT_MS;
    return s;
}

static struct side *plain_server(int socket_type, enum zap_mode mode)
{
    struct side *s = side_new(socket_type);
    int one = 1;
    CU_ASSERT_FATAL(
        mz_options_set(&s->options, ZMQ_PLAIN_SERVER, &one, sizeof one) == 0);
    s->zap_mode = mode;
    return s;
}

static struct side *plain_client(int socket_type, const char *user,
                                 const char *password)
{
    struct side *s = side_new(socket_type);
    CU_ASSERT_FATAL(mz_options_set(&s->options, ZMQ_PLAIN_USERNAME, user,
                                   strlen(user)) == 0);
    CU_ASSERT_FATAL(mz_options_set(&s->options, ZMQ_PLAIN_PASSWORD, password,
                                   strlen(password)) == 0);
    return s;
}

struct start {
    struct side *side;
    int fd;
    const char *peer_address;
};

static void start_task(void *arg)
{
    struct start *st = arg;
    const struct modzmq_mechanism_ops *mechanism = NULL;
    if (mz_mechanism_find(st->side->options.mechanism, &mechanism) == 0)
        st->side->engine =
            mz_engine_new(reactor, st->fd, &st->side->options, mechanism,
                          st->peer_address, &test_sink, st->side);
    else
        close(st->fd);
}

static void side_start(struct side *s, int fd, const char *peer_address)
{
    struct start st = { s, fd, peer_address };
    on_reactor(start_task, &st);
    CU_ASSERT_FATAL(s->engine != NULL);
}

static void destroy_task(void *arg)
{
    struct side *s = arg;
    mz_engine_destroy(s->engine);
    s->engine = NULL;
}

static void side_free(struct side *s)
{
    if (s->engine != NULL)
        on_reactor(destroy_task, s);
    for (size_t i = 0; i < s->inbox_count; i++)
        mz_msg_close(&s->inbox[i]);
    if (s->metadata != NULL)
        mz_peer_metadata_unref(s->metadata);
    mz_options_fini(&s->options);
    pthread_cond_destroy(&s->changed);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static struct timespec deadline_in(int ms)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += ms / 1000;
    t.tv_nsec += (long) (ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

enum wait_for { READY, FAILED, ZAP_ASKED, PARTS };

/* Waits (bounded) for the side to be ready, failed, asked ZAP, or hold a
 * part. */
static bool side_wait(struct side *s, enum wait_for what)
{
    struct timespec deadline = deadline_in(WAIT_MS);
    pthread_mutex_lock(&s->lock);
    for (;;) {
        bool done = (what == READY && s->ready) ||
                    (what == FAILED && s->failed) ||
                    (what == ZAP_ASKED && s->zap_requests > 0) ||
                    (what == PARTS && s->inbox_count > 0);
        if (done || pthread_cond_timedwait(&s->changed, &s->lock, &deadline) ==
                        ETIMEDOUT) {
            pthread_mutex_unlock(&s->lock);
            return done;
        }
    }
}

/* The handshake failure the engine recorded, read on the reactor. */
struct failure {
    struct side *side;
    bool during_handshake;
    uint64_t event;
    uint64_t value;
};

static void failure_task(void *arg)
{
    struct failure *f = arg;
    f->during_handshake =
        mz_engine_handshake_failure(f->side->engine, &f->event, &f->value);
}

/* Waits for the side to fail and checks the recorded event and value. */
static void expect_failure(struct side *s, uint64_t event, uint64_t value)
{
    CU_ASSERT_FATAL(side_wait(s, FAILED));
    struct failure f = { .side = s };
    on_reactor(failure_task, &f);
    CU_ASSERT(f.during_handshake);
    CU_ASSERT_EQUAL(f.event, event);
    CU_ASSERT_EQUAL(f.value, value);
    if (f.event != event || f.value != value)
        fprintf(stderr, "\n  recorded event %#llx value %#llx\n",
                (unsigned long long) f.event, (unsigned long long) f.value);
}

static void pair_up(struct side *server, struct side *client)
{
    int sv[2];
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) ==
                    0);
    side_start(server, sv[0], "192.0.2.7");
    side_start(client, sv[1], NULL);
}

/* Replies to the held ZAP request on the reactor, as the session would. */
struct reply_call {
    struct side *side;
    struct mz_zap_reply reply;
};

static void reply_task(void *arg)
{
    struct reply_call *c = arg;
    mz_engine_zap_reply(c->side->engine, &c->reply);
}

static void zap_reply(struct side *s, int status_code, const char *user,
                      const void *metadata, size_t metadata_size)
{
    CU_ASSERT_FATAL(side_wait(s, ZAP_ASKED));
    struct reply_call c = { .side = s };
    c.reply.status_code = status_code;
    c.reply.user_id = (const uint8_t *) user;
    c.reply.user_id_size = strlen(user);
    c.reply.metadata = metadata;
    c.reply.metadata_size = metadata_size;
    on_reactor(reply_task, &c);
}

static bool property_is(struct mz_peer_metadata *md, const char *name,
                        const char *value)
{
    const char *got = md != NULL ? mz_peer_metadata_get(md, name, NULL) : NULL;
    return got != NULL && strcmp(got, value) == 0;
}

static void resume_output_task(void *arg)
{
    struct side *s = arg;
    mz_engine_resume_output(s->engine);
}

/* One part from sender reaches receiver as text. */
static void expect_traffic(struct side *sender, struct side *receiver,
                           const char *text)
{
    pthread_mutex_lock(&sender->lock);
    sender->outgoing = text;
    pthread_mutex_unlock(&sender->lock);
    on_reactor(resume_output_task, sender);
    CU_ASSERT_FATAL(side_wait(receiver, PARTS));
    struct mz_msg *m = &receiver->inbox[0];
    CU_ASSERT(mz_msg_size(m) == strlen(text) &&
              memcmp(mz_msg_data(m), text, strlen(text)) == 0);
}

/* ---- two engines ---------------------------------------------------- */

static void test_plain_zap_accepts(void)
{
    struct side *server = plain_server(ZMQ_PULL, ZAP_HOLD);
    mz_options_set(&server->options, ZMQ_ZAP_DOMAIN, "global", 6);
    struct side *client = plain_client(ZMQ_PUSH, "admin", "secret");
    pair_up(server, client);
    /* role=ops as one ZAP metadata property */
    static const uint8_t metadata[] = { 4, 'R', 'o', 'l', 'e', 0,
                                        0, 0,   3,   'o', 'p', 's' };
    zap_reply(server, 200, "alice", metadata, sizeof metadata);
    CU_ASSERT_FATAL(side_wait(server, READY));
    CU_ASSERT_FATAL(side_wait(client, READY));

    CU_ASSERT_STRING_EQUAL(server->zap_mechanism, "PLAIN");
    CU_ASSERT_STRING_EQUAL(server->zap_domain, "global");
    CU_ASSERT_STRING_EQUAL(server->zap_address, "192.0.2.7");
    CU_ASSERT_EQUAL(server->zap_credential_count, 2);
    CU_ASSERT_STRING_EQUAL(server->zap_credentials[0], "admin");
    CU_ASSERT_STRING_EQUAL(server->zap_credentials[1], "secret");
    CU_ASSERT(property_is(server->metadata, "User-Id", "alice"));
    CU_ASSERT(property_is(server->metadata, "Role", "ops"));
    CU_ASSERT(property_is(server->metadata, "Socket-Type", "PUSH"));
    CU_ASSERT(property_is(client->metadata, "Socket-Type", "PULL"));
    expect_traffic(client, server, "through PLAIN");
    side_free(client);
    side_free(server);
}

/* The handler's word beats a property of the same name from the peer. */
static void test_plain_zap_user_id_wins(void)
{
    struct side *server = plain_server(ZMQ_PULL, ZAP_HOLD);
    struct side *client = plain_client(ZMQ_PUSH, "u", "p");
    mz_options_set(&client->options, ZMQ_METADATA, "X-User:mallory", 14);
    pair_up(server, client);
    static const uint8_t metadata[] = { 6, 'X', '-', 'U', 's', 'e', 'r', 0,
                                        0, 0,   5,   'a', 'l', 'i', 'c', 'e' };
    zap_reply(server, 200, "alice", metadata, sizeof metadata);
    CU_ASSERT_FATAL(side_wait(server, READY));
    CU_ASSERT(property_is(server->metadata, "X-User", "alice"));
    side_free(client);
    side_free(server);
}

/* Refused: the server records AUTH with the code; the client reads the
 * ERROR and records the same, except for 300, which closes silently. */
static void refused_with(int status_code)
{
    struct side *server = plain_server(ZMQ_PULL, ZAP_HOLD);
    struct side *client = plain_client(ZMQ_PUSH, "admin", "wrong");
    pair_up(server, client);
    zap_reply(server, status_code, "", NULL, 0);
    expect_failure(server, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH,
                   (uint64_t) status_code);
    /* The session would now destroy the engine, closing the connection. */
    on_reactor(destroy_task, server);
    CU_ASSERT_FATAL(side_wait(client, FAILED));
    struct failure f = { .side = client };
    on_reactor(failure_task, &f);
    CU_ASSERT(f.during_handshake);
    if (status_code == 300) {
        CU_ASSERT_NOT_EQUAL(f.event, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    } else {
        CU_ASSERT_EQUAL(f.event, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
        CU_ASSERT_EQUAL(f.value, (uint64_t) status_code);
    }
    CU_ASSERT(!client->ready && !server->ready);
    side_free(client);
    side_free(server);
}

static void test_plain_zap_400(void)
{
    refused_with(400);
}

static void test_plain_zap_500(void)
{
    refused_with(500);
}

static void test_plain_zap_300(void)
{
    refused_with(300);
}

static void test_plain_zap_bad_metadata(void)
{
    struct side *server = plain_server(ZMQ_PULL, ZAP_HOLD);
    struct side *client = plain_client(ZMQ_PUSH, "u", "p");
    pair_up(server, client);
    static const uint8_t broken[] = { 9, 'T', 'r', 'u', 'n' };
    zap_reply(server, 200, "u", broken, sizeof broken);
    expect_failure(server, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                   ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA);
    side_free(client);
    side_free(server);
}

/* libzmq 4.3 lets nobody in over PLAIN without a ZAP handler. */
static void test_plain_no_handler(void)
{
    struct side *server = plain_server(ZMQ_PULL, ZAP_NONE);
    struct side *client = plain_client(ZMQ_PUSH, "anyone", "anything");
    pair_up(server, client);
    expect_failure(server, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, EFAULT);
    CU_ASSERT_EQUAL(server->zap_requests, 1);
    CU_ASSERT(!server->ready);
    side_free(client);
    side_free(server);
}

static void test_plain_no_handler_enforced(void)
{
    struct side *server = plain_server(ZMQ_PULL, ZAP_NONE);
    int one = 1;
    mz_options_set(&server->options, ZMQ_ZAP_ENFORCE_DOMAIN, &one, sizeof one);
    struct side *client = plain_client(ZMQ_PUSH, "u", "p");
    pair_up(server, client);
    expect_failure(server, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, EFAULT);
    CU_ASSERT(!server->ready);
    side_free(client);
    side_free(server);
}

static void test_zap_request_fails(void)
{
    struct side *server = plain_server(ZMQ_PULL, ZAP_BROKEN);
    struct side *client = plain_client(ZMQ_PUSH, "u", "p");
    pair_up(server, client);
    expect_failure(server, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, ENOMEM);
    side_free(client);
    side_free(server);
}

static void test_null_with_domain(void)
{
    struct side *server = side_new(ZMQ_PULL);
    server->zap_mode = ZAP_HOLD;
    mz_options_set(&server->options, ZMQ_ZAP_DOMAIN, "d", 1);
    struct side *client = side_new(ZMQ_PUSH);
    pair_up(server, client);
    zap_reply(server, 200, "guest", NULL, 0);
    CU_ASSERT_FATAL(side_wait(server, READY));
    CU_ASSERT_FATAL(side_wait(client, READY));
    CU_ASSERT_STRING_EQUAL(server->zap_mechanism, "NULL");
    CU_ASSERT_EQUAL(server->zap_credential_count, 0);
    CU_ASSERT(property_is(server->metadata, "User-Id", "guest"));
    CU_ASSERT_EQUAL(client->zap_requests, 0);
    side_free(client);
    side_free(server);
}

static void test_null_with_domain_refused(void)
{
    struct side *server = side_new(ZMQ_PULL);
    server->zap_mode = ZAP_HOLD;
    mz_options_set(&server->options, ZMQ_ZAP_DOMAIN, "d", 1);
    struct side *client = side_new(ZMQ_PUSH);
    pair_up(server, client);
    zap_reply(server, 400, "", NULL, 0);
    expect_failure(server, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400);
    expect_failure(client, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400);
    side_free(client);
    side_free(server);
}

/* ---- a raw peer ------------------------------------------------------ */

/* The engine under test on one end of a socketpair; the test writes and
 * reads the other end (blocking, bounded by poll). */
static int raw_peer(struct side *s)
{
    int sv[2];
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CU_ASSERT_FATAL(fcntl(sv[0], F_SETFL, O_NONBLOCK) == 0);
    side_start(s, sv[0], NULL);
    return sv[1];
}

static void raw_write(int fd, const void *bytes, size_t size)
{
    CU_ASSERT_FATAL(write(fd, bytes, size) == (ssize_t) size);
}

/* Reads exactly size bytes within the wait; false if they do not come. */
static bool raw_read(int fd, void *bytes, size_t size)
{
    size_t have = 0;
    while (have < size) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, WAIT_MS) != 1)
            return false;
        ssize_t n = read(fd, (char *) bytes + have, size - have);
        if (n <= 0)
            return false;
        have += (size_t) n;
    }
    return true;
}

/* Exchanges greetings: the engine sends its first 11 bytes and the rest
 * once it has our first 11, so we read 11, send all of ours, then read the
 * rest (which the engine has sent before it judges our mechanism). */
static void raw_greeting(int fd, const char *mechanism, bool as_server)
{
    uint8_t theirs[64];
    CU_ASSERT_FATAL(raw_read(fd, theirs, 11));
    uint8_t g[64] = { 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3, 1 };
    memcpy(g + 12, mechanism, strlen(mechanism));
    g[32] = as_server ? 1 : 0;
    raw_write(fd, g, sizeof g);
    CU_ASSERT_FATAL(raw_read(fd, theirs + 11, sizeof theirs - 11));
}

/* Sends a short frame: flags (4: command), then body. */
static void raw_frame(int fd, uint8_t flags, const void *body, size_t size)
{
    uint8_t head[2] = { flags, (uint8_t) size };
    CU_ASSERT_FATAL(size <= 255);
    raw_write(fd, head, sizeof head);
    raw_write(fd, body, size);
}

static void raw_command(int fd, const void *body, size_t size)
{
    raw_frame(fd, 4, body, size);
}

/* Reads one short command frame into body (NUL-terminated); its size. */
static int raw_read_command(int fd, uint8_t *body, size_t capacity)
{
    uint8_t head[2];
    if (!raw_read(fd, head, 2) || head[0] != 4 || head[1] >= capacity)
        return -1;
    if (!raw_read(fd, body, head[1]))
        return -1;
    body[head[1]] = 0;
    return head[1];
}

#define BYTES(literal) literal, sizeof literal - 1

static void server_refuses_hello(const void *hello, size_t size)
{
    struct side *server = plain_server(ZMQ_PULL, ZAP_NONE);
    int fd = raw_peer(server);
    raw_greeting(fd, "PLAIN", false);
    raw_command(fd, hello, size);
    expect_failure(server, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                   ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
    CU_ASSERT_EQUAL(server->zap_requests, 0);
    close(fd);
    side_free(server);
}

static void test_raw_truncated_hello(void)
{
    server_refuses_hello(BYTES("\5HELLO"));
    server_refuses_hello(BYTES("\5HELLO\5bob"));
    server_refuses_hello(BYTES("\5HELLO\3bob"));
    server_refuses_hello(BYTES("\5HELLO\3bob\6sec"));
}

static void test_raw_oversized_hello(void)
{
    server_refuses_hello(BYTES("\5HELLO\3bob\3pwdEXTRA"));
    /* A long frame: 64 KiB of HELLO whose lengths do not add up. */
    struct side *server = plain_server(ZMQ_PULL, ZAP_NONE);
    int fd = raw_peer(server);
    raw_greeting(fd, "PLAIN", false);
    size_t size = 65536;
    uint8_t *frame = calloc(1, 9 + size);
    frame[0] = 6; /* long command */
    for (int i = 0; i < 8; i++)
        frame[1 + i] = (uint8_t) (size >> (8 * (7 - i)));
    memcpy(frame + 9, "\5HELLO\377", 7);
    raw_write(fd, frame, 9 + size);
    free(frame);
    expect_failure(server, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                   ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
    close(fd);
    side_free(server);
}

static void test_raw_out_of_sequence(void)
{
    /* INITIATE before HELLO. */
    struct side *server = plain_server(ZMQ_PULL, ZAP_NONE);
    int fd = raw_peer(server);
    raw_greeting(fd, "PLAIN", false);
    raw_command(fd, BYTES("\10INITIATE"));
    expect_failure(server, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                   ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    close(fd);
    side_free(server);

    /* HELLO twice. */
    server = plain_server(ZMQ_PULL, ZAP_HOLD);
    fd = raw_peer(server);
    raw_greeting(fd, "PLAIN", false);
    raw_command(fd, BYTES("\5HELLO\1u\1p"));
    zap_reply(server, 200, "u", NULL, 0);
    uint8_t body[256];
    CU_ASSERT(raw_read_command(fd, body, sizeof body) == 8 &&
              memcmp(body, "\7WELCOME", 8) == 0);
    raw_command(fd, BYTES("\5HELLO\1u\1p"));
    expect_failure(server, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                   ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    close(fd);
    side_free(server);

    /* A client that gets READY before WELCOME. */
    struct side *client = plain_client(ZMQ_PUSH, "u", "p");
    fd = raw_peer(client);
    raw_greeting(fd, "PLAIN", true);
    CU_ASSERT(raw_read_command(fd, body, sizeof body) > 0);
    raw_command(fd, BYTES("\5READY"));
    expect_failure(client, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                   ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    close(fd);
    side_free(client);
}

static void test_raw_message_in_handshake(void)
{
    struct side *server = plain_server(ZMQ_PULL, ZAP_NONE);
    int fd = raw_peer(server);
    raw_greeting(fd, "PLAIN", false);
    raw_frame(fd, 0, BYTES("hello"));
    expect_failure(server, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                   ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    close(fd);
    side_free(server);
}

static void test_raw_wrong_mechanism(void)
{
    struct side *server = plain_server(ZMQ_PULL, ZAP_NONE);
    int fd = raw_peer(server);
    raw_greeting(fd, "NULL", false);
    expect_failure(server, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                   ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH);
    close(fd);
    side_free(server);
}

/* A whole client handshake by hand, checking what the server sends. */
static void test_raw_client_by_hand(void)
{
    struct side *server = plain_server(ZMQ_PULL, ZAP_HOLD);
    int fd = raw_peer(server);
    raw_greeting(fd, "PLAIN", false);
    raw_command(fd, BYTES("\5HELLO\1u\1p"));
    zap_reply(server, 200, "u", NULL, 0);
    uint8_t body[256];
    CU_ASSERT(raw_read_command(fd, body, sizeof body) == 8 &&
              memcmp(body, "\7WELCOME", 8) == 0);
    raw_command(fd, BYTES("\10INITIATE\13Socket-Type\0\0\0\4PUSH"));
    int n = raw_read_command(fd, body, sizeof body);
    CU_ASSERT(n > 6 && memcmp(body, "\5READY\13Socket-Type\0\0\0\4PULL",
                              n < 27 ? (size_t) n : 27) == 0);
    CU_ASSERT_FATAL(side_wait(server, READY));
    raw_frame(fd, 0, BYTES("by hand"));
    CU_ASSERT(side_wait(server, PARTS));
    close(fd);
    side_free(server);
}

static void test_raw_bad_initiate(void)
{
    struct side *server = plain_server(ZMQ_PULL, ZAP_HOLD);
    int fd = raw_peer(server);
    raw_greeting(fd, "PLAIN", false);
    raw_command(fd, BYTES("\5HELLO\1u\1p"));
    zap_reply(server, 200, "u", NULL, 0);
    uint8_t body[256];
    CU_ASSERT(raw_read_command(fd, body, sizeof body) == 8);
    /* A PULL may not talk to a PULL. */
    raw_command(fd, BYTES("\10INITIATE\13Socket-Type\0\0\0\4PULL"));
    expect_failure(server, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                   ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA);
    close(fd);
    side_free(server);
}

static void test_raw_error_commands(void)
{
    /* A well-formed ZAP refusal. */
    struct side *client = plain_client(ZMQ_PUSH, "u", "p");
    int fd = raw_peer(client);
    raw_greeting(fd, "PLAIN", true);
    uint8_t body[256];
    CU_ASSERT(raw_read_command(fd, body, sizeof body) > 0);
    raw_command(fd, BYTES("\5ERROR\003500"));
    expect_failure(client, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 500);
    close(fd);
    side_free(client);

    /* A reason longer than the command. */
    client = plain_client(ZMQ_PUSH, "u", "p");
    fd = raw_peer(client);
    raw_greeting(fd, "PLAIN", true);
    CU_ASSERT(raw_read_command(fd, body, sizeof body) > 0);
    raw_command(fd, BYTES("\5ERROR\050short"));
    expect_failure(client, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                   ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR);
    close(fd);
    side_free(client);

    /* libzmq 4.3's PLAIN ERROR, its name mangled by a C hex escape. */
    client = plain_client(ZMQ_PUSH, "u", "p");
    fd = raw_peer(client);
    raw_greeting(fd, "PLAIN", true);
    CU_ASSERT(raw_read_command(fd, body, sizeof body) > 0);
    raw_command(fd, BYTES("\x5eRROR\003400"));
    expect_failure(client, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400);
    close(fd);
    side_free(client);

    /* Any other reason: no handshake event, as in libzmq. */
    client = plain_client(ZMQ_PUSH, "u", "p");
    fd = raw_peer(client);
    raw_greeting(fd, "PLAIN", true);
    CU_ASSERT(raw_read_command(fd, body, sizeof body) > 0);
    raw_command(fd, BYTES("\5ERROR\4nope"));
    expect_failure(client, 0, 0);
    close(fd);
    side_free(client);
}

static void test_raw_welcome_with_data(void)
{
    struct side *client = plain_client(ZMQ_PUSH, "u", "p");
    int fd = raw_peer(client);
    raw_greeting(fd, "PLAIN", true);
    uint8_t body[256];
    int n = raw_read_command(fd, body, sizeof body);
    CU_ASSERT(n == 10 && memcmp(body, "\5HELLO\1u\1p", 10) == 0);
    raw_command(fd, BYTES("\7WELCOMEjunk"));
    expect_failure(client, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                   ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME);
    close(fd);
    side_free(client);
}

int main(void)
{
    reactor = mz_reactor_new();
    if (reactor == NULL ||
        pthread_create(&reactor_thread, NULL, reactor_main, reactor) != 0)
        return 1;
    static const struct test_case tests[] = {
        { "PLAIN: ZAP accepts, User-Id and metadata", test_plain_zap_accepts },
        { "PLAIN: ZAP metadata beats the peer's", test_plain_zap_user_id_wins },
        { "PLAIN: ZAP 400", test_plain_zap_400 },
        { "PLAIN: ZAP 500", test_plain_zap_500 },
        { "PLAIN: ZAP 300 closes silently", test_plain_zap_300 },
        { "PLAIN: ZAP reply with bad metadata", test_plain_zap_bad_metadata },
        { "PLAIN: no handler refuses", test_plain_no_handler },
        { "PLAIN: no handler, domain enforced",
          test_plain_no_handler_enforced },
        { "PLAIN: ZAP request cannot be sent", test_zap_request_fails },
        { "NULL with a ZAP domain", test_null_with_domain },
        { "NULL with a ZAP domain, refused", test_null_with_domain_refused },
        { "raw: truncated HELLO", test_raw_truncated_hello },
        { "raw: oversized HELLO", test_raw_oversized_hello },
        { "raw: commands out of sequence", test_raw_out_of_sequence },
        { "raw: a message during the handshake",
          test_raw_message_in_handshake },
        { "raw: wrong mechanism", test_raw_wrong_mechanism },
        { "raw: a client by hand", test_raw_client_by_hand },
        { "raw: INITIATE of an incompatible type", test_raw_bad_initiate },
        { "raw: ERROR commands", test_raw_error_commands },
        { "raw: WELCOME with data", test_raw_welcome_with_data },
    };
    int status =
        test_run_suite("mechanism", tests, sizeof tests / sizeof tests[0]);
    mz_reactor_stop(reactor);
    pthread_join(reactor_thread, NULL);
    mz_reactor_free(reactor);
    return status;
}
