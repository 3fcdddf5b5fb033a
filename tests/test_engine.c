/* CUnit tests for the ZMTP engine (core/zmtp/engine.c and its codec, mechanism
 * and metadata files) over real sockets:
 *
 *   - two engines over a socketpair: handshake, metadata, message shapes
 *     and sizes, batching, incompatible types, subscriptions;
 *   - a scripted raw peer written by the test byte by byte: bad greetings,
 *     ZMTP 3.0, MAXMSGSIZE, truncation, timeouts, PING/PONG;
 *   - real libzmq 4.3 (Debian's pyzmq) in another process over TCP.
 *
 * The reactor runs on its own thread; engines are created, fed and
 * destroyed by tasks posted to it. Test sinks keep what they see in
 * memory under a mutex, and the test thread waits for it with bounded
 * condition waits. */
#include "engine.h"
#include "mechanism.h"
#include "msg.h"
#include "options.h"
#include "peer_metadata.h"
#include "reactor.h"
#include "testutil.h"
#include "zmq.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { WAIT_MS = 10000, MAX_PARTS = 20000 };

extern char **environ;

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

/* Runs before CUnit's suite starts, so it cannot assert. */
static bool start_reactor(void)
{
    reactor = mz_reactor_new();
    return reactor != NULL &&
           pthread_create(&reactor_thread, NULL, reactor_main, reactor) == 0;
}

static void stop_reactor(void)
{
    mz_reactor_stop(reactor);
    pthread_join(reactor_thread, NULL);
    mz_reactor_free(reactor);
}

/* ---- a session stand-in ---------------------------------------------- */

struct side {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    struct mz_options options;
    struct mz_engine *engine;
    bool ready;
    struct mz_peer_metadata *metadata;
    bool failed;
    enum mz_engine_error reason;
    struct mz_msg *inbox;
    size_t inbox_count;
    size_t inbox_limit; /* push refuses beyond this: a full pipe */
    struct mz_msg *outbox;
    size_t outbox_head;
    size_t outbox_count;
};

static bool sink_ready(void *session, struct mz_peer_metadata *metadata)
{
    struct side *s = session;
    pthread_mutex_lock(&s->lock);
    mz_peer_metadata_ref(metadata);
    s->metadata = metadata;
    s->ready = true;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
    return true;
}

static bool sink_push(void *session, struct mz_msg *m)
{
    struct side *s = session;
    pthread_mutex_lock(&s->lock);
    bool room = s->inbox_count < s->inbox_limit;
    if (room)
        s->inbox[s->inbox_count++] = *m;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
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
    bool some = s->outbox_head < s->outbox_count;
    if (some)
        *m = s->outbox[s->outbox_head++];
    pthread_mutex_unlock(&s->lock);
    return some;
}

static void sink_error(void *session, enum mz_engine_error reason)
{
    struct side *s = session;
    pthread_mutex_lock(&s->lock);
    s->failed = true;
    s->reason = reason;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->lock);
}

static const struct mz_engine_sink test_sink = {
    .ready = sink_ready,
    .push = sink_push,
    .flush = sink_flush,
    .pull = sink_pull,
    .error = sink_error,
};

static struct side *side_new(int socket_type)
{
    struct side *s = calloc(1, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->changed, NULL);
    mz_options_init(&s->options, socket_type);
    s->inbox = calloc(MAX_PARTS, sizeof *s->inbox);
    s->inbox_limit = MAX_PARTS;
    s->outbox = calloc(MAX_PARTS, sizeof *s->outbox);
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
    for (size_t i = s->outbox_head; i < s->outbox_count; i++)
        mz_msg_close(&s->outbox[i]);
    if (s->metadata != NULL)
        mz_peer_metadata_unref(s->metadata);
    mz_options_fini(&s->options);
    free(s->inbox);
    free(s->outbox);
    pthread_cond_destroy(&s->changed);
    pthread_mutex_destroy(&s->lock);
    free(s);
}

static void resume_output_task(void *arg)
{
    struct side *s = arg;
    if (s->engine != NULL)
        mz_engine_resume_output(s->engine);
}

static void resume_input_task(void *arg)
{
    struct side *s = arg;
    if (s->engine != NULL)
        mz_engine_resume_input(s->engine);
}

/* Queues one part (a copy of size bytes at data) and wakes the engine. */
static void side_send(struct side *s, const void *data, size_t size, bool more)
{
    struct mz_msg m;
    CU_ASSERT_FATAL(mz_msg_init_buffer(&m, data, size) == 0);
    mz_msg_set_more(&m, more);
    pthread_mutex_lock(&s->lock);
    CU_ASSERT_FATAL(s->outbox_count < MAX_PARTS);
    s->outbox[s->outbox_count++] = m;
    pthread_mutex_unlock(&s->lock);
    on_reactor(resume_output_task, s);
}

static void side_send_string(struct side *s, const char *text, bool more)
{
    side_send(s, text, strlen(text), more);
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

enum wait_for { READY, FAILED, PARTS };

/* Waits (bounded) until the side is ready, failed, or holds count parts. */
static bool side_wait(struct side *s, enum wait_for what, size_t count)
{
    struct timespec deadline = deadline_in(WAIT_MS);
    pthread_mutex_lock(&s->lock);
    for (;;) {
        bool done = (what == READY && s->ready) ||
                    (what == FAILED && s->failed) ||
                    (what == PARTS && s->inbox_count >= count);
        if (done || pthread_cond_timedwait(&s->changed, &s->lock, &deadline) ==
                        ETIMEDOUT) {
            pthread_mutex_unlock(&s->lock);
            return done;
        }
    }
}

/* Whether the engine reported an error, and which (under the lock: the
 * reactor thread writes them). */
static bool side_failed(struct side *s, enum mz_engine_error *reason)
{
    pthread_mutex_lock(&s->lock);
    bool failed = s->failed;
    if (reason != NULL)
        *reason = s->reason;
    pthread_mutex_unlock(&s->lock);
    return failed;
}

static enum mz_engine_error side_reason(struct side *s)
{
    enum mz_engine_error reason;
    side_failed(s, &reason);
    return reason;
}

static bool part_is(struct mz_msg *m, const char *text, bool more)
{
    return mz_msg_size(m) == strlen(text) &&
           memcmp(mz_msg_data(m), text, strlen(text)) == 0 &&
           mz_msg_has_more(m) == more;
}

static bool property_is(struct mz_peer_metadata *md, const char *name,
                        const char *value)
{
    const char *got = mz_peer_metadata_get(md, name, NULL);
    return got != NULL && strcmp(got, value) == 0;
}

static void pair_up(struct side *a, struct side *b)
{
    int sv[2];
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) ==
                    0);
    side_start(a, sv[0], "peer-of-a");
    side_start(b, sv[1], NULL);
}

/* ---- two engines ------------------------------------------------------ */

static void test_handshake_metadata(void)
{
    struct side *dealer = side_new(ZMQ_DEALER);
    struct side *router = side_new(ZMQ_ROUTER);
    CU_ASSERT(mz_options_set(&dealer->options, ZMQ_ROUTING_ID, "alice", 5) ==
              0);
    CU_ASSERT(
        mz_options_set(&dealer->options, ZMQ_METADATA, "X-Color:red", 11) == 0);
    pair_up(router, dealer);
    CU_ASSERT_FATAL(side_wait(router, READY, 0));
    CU_ASSERT_FATAL(side_wait(dealer, READY, 0));
    CU_ASSERT(property_is(router->metadata, "Socket-Type", "DEALER"));
    CU_ASSERT(property_is(router->metadata, "identity", "alice"));
    CU_ASSERT(property_is(router->metadata, "X-Color", "red"));
    CU_ASSERT(property_is(router->metadata, "Peer-Address", "peer-of-a"));
    CU_ASSERT(property_is(dealer->metadata, "Socket-Type", "ROUTER"));
    CU_ASSERT(property_is(dealer->metadata, "Identity", ""));
    CU_ASSERT(mz_peer_metadata_get(dealer->metadata, "Peer-Address", NULL) ==
              NULL);

    side_send_string(dealer, "one", false);
    side_send_string(dealer, "two", true);
    side_send_string(dealer, "", true);
    side_send_string(dealer, "three", false);
    side_send_string(router, "back", false);
    CU_ASSERT_FATAL(side_wait(router, PARTS, 4));
    CU_ASSERT_FATAL(side_wait(dealer, PARTS, 1));
    CU_ASSERT(part_is(&router->inbox[0], "one", false));
    CU_ASSERT(part_is(&router->inbox[1], "two", true));
    CU_ASSERT(part_is(&router->inbox[2], "", true));
    CU_ASSERT(part_is(&router->inbox[3], "three", false));
    CU_ASSERT(part_is(&dealer->inbox[0], "back", false));

    /* zmq_msg_gets reads the metadata every received part carries. */
    zmq_msg_t *received = (zmq_msg_t *) (void *) &router->inbox[1];
    const char *type = zmq_msg_gets(received, "Socket-Type");
    CU_ASSERT(type != NULL && strcmp(type, "DEALER") == 0);
    const char *id = zmq_msg_gets(received, "Routing-Id");
    CU_ASSERT(id != NULL && strcmp(id, "alice") == 0);
    const char *color = zmq_msg_gets(received, "X-Color");
    CU_ASSERT(color != NULL && strcmp(color, "red") == 0);
    errno = 0;
    CU_ASSERT(zmq_msg_gets(received, "X-Missing") == NULL);
    CU_ASSERT(errno == EINVAL);

    /* Copies share the metadata; closing each drops its reference. */
    zmq_msg_t copy;
    zmq_msg_init(&copy);
    CU_ASSERT(zmq_msg_copy(&copy, received) == 0);
    CU_ASSERT(zmq_msg_gets(&copy, "X-Color") != NULL);
    zmq_msg_close(&copy);

    side_free(dealer);
    side_free(router);
}

static void fill_pattern(unsigned char *p, size_t size, unsigned seed)
{
    for (size_t i = 0; i < size; i++)
        p[i] = (unsigned char) ((i * 7 + seed) % 253);
}

static bool has_pattern(struct mz_msg *m, size_t size, unsigned seed)
{
    if (mz_msg_size(m) != size)
        return false;
    unsigned char *p = mz_msg_data(m);
    for (size_t i = 0; i < size; i++)
        if (p[i] != (unsigned char) ((i * 7 + seed) % 253))
            return false;
    return true;
}

static void test_empty_and_large(void)
{
    enum { BIG = 10 * 1024 * 1024 };
    struct side *a = side_new(ZMQ_PAIR);
    struct side *b = side_new(ZMQ_PAIR);
    pair_up(a, b);
    unsigned char *big = malloc(BIG);
    fill_pattern(big, BIG, 1);
    side_send(a, "", 0, false);
    side_send(a, big, BIG, false);
    side_send_string(a, "after", false);
    fill_pattern(big, BIG, 2);
    side_send(b, big, BIG, true);
    side_send(b, "", 0, false);
    free(big);
    CU_ASSERT_FATAL(side_wait(b, PARTS, 3));
    CU_ASSERT_FATAL(side_wait(a, PARTS, 2));
    CU_ASSERT(part_is(&b->inbox[0], "", false));
    CU_ASSERT(has_pattern(&b->inbox[1], BIG, 1));
    CU_ASSERT(part_is(&b->inbox[2], "after", false));
    CU_ASSERT(has_pattern(&a->inbox[0], BIG, 2));
    CU_ASSERT(mz_msg_has_more(&a->inbox[0]));
    CU_ASSERT(part_is(&a->inbox[1], "", false));
    CU_ASSERT(!side_failed(a, NULL) && !side_failed(b, NULL));
    side_free(a);
    side_free(b);
}

static void test_many_small(void)
{
    enum { COUNT = 10000 };
    struct side *push = side_new(ZMQ_PUSH);
    struct side *pull = side_new(ZMQ_PULL);
    pair_up(push, pull);
    pthread_mutex_lock(&push->lock);
    for (int i = 0; i < COUNT; i++) {
        char text[32];
        int n = snprintf(text, sizeof text, "m%d", i);
        mz_msg_init_buffer(&push->outbox[push->outbox_count++], text,
                           (size_t) n);
    }
    pthread_mutex_unlock(&push->lock);
    on_reactor(resume_output_task, push);
    CU_ASSERT_FATAL(side_wait(pull, PARTS, COUNT));
    bool in_order = true;
    for (int i = 0; i < COUNT; i++) {
        char text[32];
        snprintf(text, sizeof text, "m%d", i);
        in_order = in_order && part_is(&pull->inbox[i], text, false);
    }
    CU_ASSERT(in_order);
    side_free(push);
    side_free(pull);
}

static void test_incompatible_types(void)
{
    struct side *push = side_new(ZMQ_PUSH);
    struct side *pub = side_new(ZMQ_PUB);
    pair_up(push, pub);
    CU_ASSERT_FATAL(side_wait(push, FAILED, 0));
    CU_ASSERT_FATAL(side_wait(pub, FAILED, 0));
    CU_ASSERT(side_reason(push) == MZ_ENGINE_INCOMPATIBLE);
    CU_ASSERT(side_reason(pub) == MZ_ENGINE_INCOMPATIBLE);
    CU_ASSERT(!push->ready && !pub->ready);
    side_free(push);
    side_free(pub);
}

static void test_subscriptions_3_1(void)
{
    struct side *sub = side_new(ZMQ_SUB);
    struct side *pub = side_new(ZMQ_XPUB);
    pair_up(sub, pub);
    side_send(sub, "\1news", 5, false);
    side_send(sub, "\0news", 5, false);
    CU_ASSERT_FATAL(side_wait(pub, PARTS, 2));
    CU_ASSERT(mz_msg_size(&pub->inbox[0]) == 5 &&
              memcmp(mz_msg_data(&pub->inbox[0]), "\1news", 5) == 0);
    CU_ASSERT(mz_msg_size(&pub->inbox[1]) == 5 &&
              memcmp(mz_msg_data(&pub->inbox[1]), "\0news", 5) == 0);
    side_send_string(pub, "news: today", false);
    CU_ASSERT_FATAL(side_wait(sub, PARTS, 1));
    CU_ASSERT(part_is(&sub->inbox[0], "news: today", false));
    side_free(sub);
    side_free(pub);
}

/* ---- a raw peer --------------------------------------------------------- */

/* Reads exactly size bytes within the bound; false otherwise. */
static bool read_exact(int fd, void *buf, size_t size)
{
    size_t have = 0;
    for (int rounds = 0; have < size && rounds < 1000; rounds++) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, WAIT_MS) <= 0)
            return false;
        ssize_t n = read(fd, (char *) buf + have, size - have);
        if (n <= 0)
            return false;
        have += (size_t) n;
    }
    return have == size;
}

static void write_all(int fd, const void *buf, size_t size)
{
    CU_ASSERT(write(fd, buf, size) == (ssize_t) size);
}

static void write_greeting(int fd, int major, int minor)
{
    unsigned char g[64] = { 0xFF };
    g[9] = 0x7F;
    g[10] = (unsigned char) major;
    g[11] = (unsigned char) minor;
    memcpy(g + 12, "NULL", 4);
    write_all(fd, g, sizeof g);
}

static void write_ready(int fd, const char *type)
{
    unsigned char f[64];
    size_t len = strlen(type);
    size_t body = 6 + 1 + 11 + 4 + len;
    f[0] = 4;
    f[1] = (unsigned char) body;
    memcpy(f + 2, "\5READY\13Socket-Type\0\0\0", 22);
    f[23] = (unsigned char) len;
    memcpy(f + 24, type, len);
    write_all(fd, f, 2 + body);
}

/* Reads one frame's flags and body (at most cap bytes kept). */
static bool read_frame(int fd, unsigned char *flags, unsigned char *body,
                       size_t cap, size_t *size)
{
    unsigned char head[2];
    if (!read_exact(fd, head, 2) || (head[0] & 2) != 0 || head[1] > cap)
        return false;
    *flags = head[0];
    *size = head[1];
    return read_exact(fd, body, head[1]);
}

/* Starts an engine of socket_type on one end and returns the other, where
 * the test plays the peer. */
static int raw_peer(struct side *s)
{
    int sv[2];
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    CU_ASSERT_FATAL(fcntl(sv[0], F_SETFL, O_NONBLOCK) == 0);
    side_start(s, sv[0], NULL);
    return sv[1];
}

/* Plays a full handshake as a peer of the given version and type, and
 * checks the engine's greeting and READY. */
static bool raw_handshake(int fd, int minor, const char *type)
{
    write_greeting(fd, 3, minor);
    write_ready(fd, type);
    unsigned char g[64];
    if (!read_exact(fd, g, sizeof g) || g[0] != 0xFF || g[10] != 3 ||
        g[11] != 1 || memcmp(g + 12, "NULL\0", 5) != 0)
        return false;
    unsigned char flags = 0, body[255];
    size_t size = 0;
    return read_frame(fd, &flags, body, sizeof body, &size) && flags == 4 &&
           memcmp(body, "\5READY", 6) == 0;
}

static void expect_failure(struct side *s, int fd, enum mz_engine_error why)
{
    CU_ASSERT(side_wait(s, FAILED, 0));
    CU_ASSERT(side_reason(s) == why);
    close(fd);
    side_free(s);
}

/* A 3.0 or 2.0 peer gets a SUB's subscription as a message, not a
 * command; then the SUB and the raw end are closed. */
static void expect_subscription_message(struct side *sub, int fd)
{
    side_send(sub, "\1abc", 4, false);
    unsigned char flags = 0, body[255];
    size_t size = 0;
    CU_ASSERT(read_frame(fd, &flags, body, sizeof body, &size));
    CU_ASSERT(flags == 0 && size == 4 && memcmp(body, "\1abc", 4) == 0);
    close(fd);
    side_free(sub);
}

static void test_raw_garbage_greeting(void)
{
    struct side *s = side_new(ZMQ_PULL);
    int fd = raw_peer(s);
    write_all(fd, "GET / HTTP/1.1\r\n\r\n", 18);
    expect_failure(s, fd, MZ_ENGINE_PROTOCOL);
}

/* Revision 0 is neither 2.0 nor 3.x. */
static void test_raw_revision_zero(void)
{
    struct side *s = side_new(ZMQ_PULL);
    int fd = raw_peer(s);
    write_greeting(fd, 0, 0);
    expect_failure(s, fd, MZ_ENGINE_PROTOCOL);
}

/* Our greeting goes out in two steps: 11 bytes, and the other 53 only
 * once the peer's first 11 bytes have said it speaks 3.x. */
static void test_raw_greeting_in_two_steps(void)
{
    struct side *s = side_new(ZMQ_PULL);
    int fd = raw_peer(s);
    unsigned char g[64];
    CU_ASSERT_FATAL(read_exact(fd, g, 11));
    CU_ASSERT(g[0] == 0xFF && g[9] == 0x7F && g[10] == 3);
    struct pollfd p = { fd, POLLIN, 0 };
    CU_ASSERT(poll(&p, 1, 200) == 0); /* nothing more yet */
    unsigned char partial[11] = { 0xFF, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 3 };
    write_all(fd, partial, sizeof partial);
    CU_ASSERT_FATAL(read_exact(fd, g + 11, 53));
    CU_ASSERT(g[11] == 1 && memcmp(g + 12, "NULL\0", 5) == 0);
    unsigned char rest[53] = { 1, 'N', 'U', 'L', 'L' };
    write_all(fd, rest, sizeof rest);
    write_ready(fd, "PUSH");
    CU_ASSERT(side_wait(s, READY, 0));
    close(fd);
    CU_ASSERT(side_wait(s, FAILED, 0));
    side_free(s);
}

/* A ZMTP 2.0 peer's greeting: signature, revision 1, socket type, and its
 * identity as a final short frame. */
static void write_v2_greeting(int fd, int type, const char *identity)
{
    unsigned char g[14 + 255] = { 0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 1 };
    size_t len = strlen(identity);
    g[11] = (unsigned char) type;
    g[12] = 0;
    g[13] = (unsigned char) len;
    memcpy(g + 14, identity, len);
    write_all(fd, g, 14 + len);
}

/* Reads what we send a 2.0 peer: the partial 3.x greeting, then our 2.0
 * socket type and an identity frame with our routing id. */
static bool read_v2_greeting(int fd, int type, const char *identity)
{
    unsigned char g[14 + 255];
    size_t len = strlen(identity);
    return read_exact(fd, g, 14 + len) && g[0] == 0xFF && g[9] == 0x7F &&
           g[10] == 3 && g[11] == type && g[12] == 0 && g[13] == len &&
           memcmp(g + 14, identity, len) == 0;
}

/* ZMTP 2.0: no handshake, the identity and socket type in the greeting,
 * frames without commands, both ways. */
static void test_raw_zmtp_2_0(void)
{
    struct side *pair = side_new(ZMQ_PAIR);
    CU_ASSERT(mz_options_set(&pair->options, ZMQ_ROUTING_ID, "new", 3) == 0);
    int fd = raw_peer(pair);
    write_v2_greeting(fd, ZMQ_PAIR, "old-peer");
    CU_ASSERT_FATAL(read_v2_greeting(fd, ZMQ_PAIR, "new"));
    CU_ASSERT_FATAL(side_wait(pair, READY, 0));
    CU_ASSERT(property_is(pair->metadata, "Socket-Type", "PAIR"));
    CU_ASSERT(property_is(pair->metadata, "Identity", "old-peer"));
    write_all(fd, "\1\3one\0\3two", 10);
    CU_ASSERT_FATAL(side_wait(pair, PARTS, 2));
    CU_ASSERT(part_is(&pair->inbox[0], "one", true));
    CU_ASSERT(part_is(&pair->inbox[1], "two", false));
    side_send_string(pair, "back", false);
    unsigned char flags = 0, body[255];
    size_t size = 0;
    CU_ASSERT(read_frame(fd, &flags, body, sizeof body, &size));
    CU_ASSERT(flags == 0 && size == 4 && memcmp(body, "back", 4) == 0);
    CU_ASSERT(!side_failed(pair, NULL));
    close(fd);
    CU_ASSERT(side_wait(pair, FAILED, 0));
    side_free(pair);
}

/* Subscriptions to and from a 2.0 peer travel as messages, never as
 * commands, which 2.0 framing cannot carry. */
static void test_raw_zmtp_2_0_subscriptions(void)
{
    struct side *pub = side_new(ZMQ_PUB);
    int fd = raw_peer(pub);
    write_v2_greeting(fd, ZMQ_SUB, "");
    CU_ASSERT_FATAL(read_v2_greeting(fd, ZMQ_PUB, ""));
    write_all(fd, "\0\4\1abc", 6);
    CU_ASSERT_FATAL(side_wait(pub, PARTS, 1));
    CU_ASSERT(mz_msg_size(&pub->inbox[0]) == 4 &&
              memcmp(mz_msg_data(&pub->inbox[0]), "\1abc", 4) == 0);
    close(fd);
    side_free(pub);

    struct side *sub = side_new(ZMQ_SUB);
    fd = raw_peer(sub);
    write_v2_greeting(fd, ZMQ_PUB, "");
    CU_ASSERT_FATAL(read_v2_greeting(fd, ZMQ_SUB, ""));
    CU_ASSERT_FATAL(side_wait(sub, READY, 0));
    expect_subscription_message(sub, fd);
}

/* A 2.0 peer of a type we cannot talk to is hung up on (2.0 has no ERROR);
 * a command frame or an identity frame with flags is a protocol error. */
static void test_raw_zmtp_2_0_refused(void)
{
    struct side *s = side_new(ZMQ_PULL);
    int fd = raw_peer(s);
    write_v2_greeting(fd, ZMQ_SUB, "");
    expect_failure(s, fd, MZ_ENGINE_INCOMPATIBLE);

    s = side_new(ZMQ_PULL);
    fd = raw_peer(s);
    write_v2_greeting(fd, ZMQ_PUSH, "");
    CU_ASSERT(side_wait(s, READY, 0));
    write_all(fd, "\4\5\4PING", 7);
    expect_failure(s, fd, MZ_ENGINE_PROTOCOL);

    s = side_new(ZMQ_PULL);
    fd = raw_peer(s);
    unsigned char g[14] = {
        0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 1, ZMQ_PUSH, 1
    };
    write_all(fd, g, sizeof g);
    expect_failure(s, fd, MZ_ENGINE_PROTOCOL);

    s = side_new(ZMQ_PULL);
    fd = raw_peer(s);
    write_v2_greeting(fd, 42, "");
    expect_failure(s, fd, MZ_ENGINE_PROTOCOL);
}

static void test_raw_wrong_mechanism(void)
{
    struct side *s = side_new(ZMQ_PULL);
    int fd = raw_peer(s);
    unsigned char g[64] = { 0xFF };
    g[9] = 0x7F;
    g[10] = 3;
    g[11] = 1;
    memcpy(g + 12, "PLAIN", 5);
    write_all(fd, g, sizeof g);
    expect_failure(s, fd, MZ_ENGINE_INCOMPATIBLE);
}

/* A 3.0 peer: subscriptions travel as messages, both ways. */
static void test_raw_zmtp_3_0(void)
{
    struct side *pub = side_new(ZMQ_PUB);
    int fd = raw_peer(pub);
    CU_ASSERT_FATAL(raw_handshake(fd, 0, "SUB"));
    CU_ASSERT_FATAL(side_wait(pub, READY, 0));
    write_all(fd, "\0\4\1abc", 6);
    CU_ASSERT_FATAL(side_wait(pub, PARTS, 1));
    CU_ASSERT(mz_msg_size(&pub->inbox[0]) == 4 &&
              memcmp(mz_msg_data(&pub->inbox[0]), "\1abc", 4) == 0);
    close(fd);
    CU_ASSERT(side_wait(pub, FAILED, 0));
    side_free(pub);

    struct side *sub = side_new(ZMQ_SUB);
    fd = raw_peer(sub);
    CU_ASSERT_FATAL(raw_handshake(fd, 0, "PUB"));
    expect_subscription_message(sub, fd);
}

/* A 3.1 peer gets SUBSCRIBE and CANCEL commands. */
static void test_raw_subscribe_command(void)
{
    struct side *sub = side_new(ZMQ_SUB);
    int fd = raw_peer(sub);
    CU_ASSERT_FATAL(raw_handshake(fd, 1, "PUB"));
    side_send(sub, "\1abc", 4, false);
    side_send(sub, "\0abc", 4, false);
    unsigned char flags = 0, body[255];
    size_t size = 0;
    CU_ASSERT(read_frame(fd, &flags, body, sizeof body, &size));
    CU_ASSERT(flags == 4 && size == 13 &&
              memcmp(body, "\11SUBSCRIBEabc", 13) == 0);
    CU_ASSERT(read_frame(fd, &flags, body, sizeof body, &size));
    CU_ASSERT(flags == 4 && size == 10 && memcmp(body, "\6CANCELabc", 10) == 0);
    close(fd);
    side_free(sub);
}

/* The decoder keeps its place across reads of any size: a handshake and a
 * short, a long and an empty frame written one byte per write. */
static void test_raw_byte_by_byte(void)
{
    struct side *s = side_new(ZMQ_PULL);
    int fd = raw_peer(s);
    unsigned char wire[512];
    size_t n = 0;
    unsigned char greeting[64] = { 0xFF };
    greeting[9] = 0x7F;
    greeting[10] = 3;
    greeting[11] = 1;
    memcpy(greeting + 12, "NULL", 4);
    memcpy(wire, greeting, 64);
    n = 64;
    memcpy(wire + n, "\4\32\5READY\13Socket-Type\0\0\0\4PUSH", 28);
    n += 28;
    memcpy(wire + n, "\1\5short", 7);
    n += 7;
    unsigned char long_head[9] = { 3, 0, 0, 0, 0, 0, 0, 1, 44 };
    memcpy(wire + n, long_head, 9);
    n += 9;
    fill_pattern(wire + n, 300, 3);
    n += 300;
    memcpy(wire + n, "\0\0", 2);
    n += 2;
    for (size_t i = 0; i < n; i++)
        write_all(fd, wire + i, 1);
    CU_ASSERT_FATAL(side_wait(s, PARTS, 3));
    CU_ASSERT(part_is(&s->inbox[0], "short", true));
    CU_ASSERT(has_pattern(&s->inbox[1], 300, 3));
    CU_ASSERT(mz_msg_has_more(&s->inbox[1]));
    CU_ASSERT(part_is(&s->inbox[2], "", false));
    CU_ASSERT(!side_failed(s, NULL));
    close(fd);
    side_free(s);
}

static void test_raw_too_large(void)
{
    struct side *s = side_new(ZMQ_PULL);
    s->options.maxmsgsize = 100;
    int fd = raw_peer(s);
    CU_ASSERT_FATAL(raw_handshake(fd, 1, "PUSH"));
    unsigned char frame[2 + 200] = { 0, 200 };
    write_all(fd, frame, sizeof frame);
    expect_failure(s, fd, MZ_ENGINE_TOO_LARGE);
}

/* A header may claim any size: memory follows the bytes that really come,
 * so a 2^50-byte claim costs nothing and ends cleanly when the peer
 * leaves; a size over 2^63-1 is a protocol error. */
static void test_raw_huge_claims(void)
{
    struct side *s = side_new(ZMQ_PULL);
    int fd = raw_peer(s);
    CU_ASSERT_FATAL(raw_handshake(fd, 1, "PUSH"));
    unsigned char claim[9] = { 2, 0, 4, 0, 0, 0, 0, 0, 0 };
    write_all(fd, claim, sizeof claim);
    unsigned char some[4096] = { 0 };
    write_all(fd, some, sizeof some);
    shutdown(fd, SHUT_WR);
    expect_failure(s, fd, MZ_ENGINE_CONNECTION_CLOSED);

    s = side_new(ZMQ_PULL);
    fd = raw_peer(s);
    CU_ASSERT_FATAL(raw_handshake(fd, 1, "PUSH"));
    unsigned char over[9] = { 2, 0x80, 0, 0, 0, 0, 0, 0, 1 };
    write_all(fd, over, sizeof over);
    expect_failure(s, fd, MZ_ENGINE_PROTOCOL);
}

static void test_raw_truncated(void)
{
    struct side *s = side_new(ZMQ_PULL);
    int fd = raw_peer(s);
    CU_ASSERT_FATAL(raw_handshake(fd, 1, "PUSH"));
    write_all(fd, "\0\2ok\2\0\0\0\0\0\0\1\0partial", 20);
    CU_ASSERT(side_wait(s, PARTS, 1));
    CU_ASSERT(part_is(&s->inbox[0], "ok", false));
    shutdown(fd, SHUT_WR);
    expect_failure(s, fd, MZ_ENGINE_CONNECTION_CLOSED);
}

static void test_raw_bad_flags(void)
{
    struct side *s = side_new(ZMQ_PULL);
    int fd = raw_peer(s);
    CU_ASSERT_FATAL(raw_handshake(fd, 1, "PUSH"));
    write_all(fd, "\x05\1x", 3); /* a command with MORE set */
    expect_failure(s, fd, MZ_ENGINE_PROTOCOL);
}

static void test_raw_slow_greeting(void)
{
    struct side *s = side_new(ZMQ_PULL);
    s->options.handshake_ivl = 100;
    int fd = raw_peer(s);
    write_all(fd, "\xff", 1);
    write_all(fd, "\0", 1);
    expect_failure(s, fd, MZ_ENGINE_TIMEOUT);
}

/* A PING (the frame, as written) gets the PONG given (its body). */
static void expect_pong(const char *ping, size_t ping_size, const char *pong,
                        size_t pong_size)
{
    struct side *s = side_new(ZMQ_PULL);
    int fd = raw_peer(s);
    CU_ASSERT_FATAL(raw_handshake(fd, 1, "PUSH"));
    write_all(fd, ping, ping_size);
    unsigned char flags = 0, body[255];
    size_t size = 0;
    CU_ASSERT(read_frame(fd, &flags, body, sizeof body, &size));
    CU_ASSERT(flags == 4 && size == pong_size &&
              memcmp(body, pong, pong_size) == 0);
    CU_ASSERT(!side_failed(s, NULL));
    close(fd);
    side_free(s);
}

static void test_raw_ping_pong(void)
{
    expect_pong("\4\14\4PING\0\0ctx42", 14, "\4PONGctx42", 10);
}

/* A PING whose context is longer than the 16 octets RFC 37 allows is
 * answered, as libzmq 4.3.4 does, with a PONG of its first 16. */
static void test_raw_ping_long_context(void)
{
    expect_pong("\4\33\4PING\0\0ABCDEFGHIJKLMNOPQRSTU", 29,
                "\4PONGABCDEFGHIJKLMNOP", 21);
}

/* A full pipe stops reading; the parts held back arrive after resume, even
 * when the peer hung up in between. */
static void test_raw_backpressure(void)
{
    struct side *s = side_new(ZMQ_PULL);
    s->inbox_limit = 2;
    int fd = raw_peer(s);
    CU_ASSERT_FATAL(raw_handshake(fd, 1, "PUSH"));
    write_all(fd, "\1\1a\0\1b\0\1c\0\1d\0\1e", 15);
    CU_ASSERT_FATAL(side_wait(s, PARTS, 2));
    close(fd);
    pthread_mutex_lock(&s->lock);
    s->inbox_limit = MAX_PARTS;
    pthread_mutex_unlock(&s->lock);
    on_reactor(resume_input_task, s);
    CU_ASSERT(side_wait(s, PARTS, 5));
    CU_ASSERT(side_wait(s, FAILED, 0));
    CU_ASSERT(side_reason(s) == MZ_ENGINE_CONNECTION_CLOSED);
    const char *expected[] = { "a", "b", "c", "d", "e" };
    for (size_t i = 0; i < 5 && i < s->inbox_count; i++)
        CU_ASSERT(part_is(&s->inbox[i], expected[i], i == 0));
    side_free(s);
}

/* Our PINGs go out, and their timeout fires, whether the peer speaks ZMTP
 * 3.1 or 3.0: RFC 23 has no PING, but libzmq 4.3.4 sends it to 3.0 peers
 * too (and answers theirs). */
static void expect_heartbeat_timeout(int minor)
{
    struct side *s = side_new(ZMQ_PULL);
    s->options.heartbeat_ivl = 50;
    s->options.heartbeat_timeout = 150;
    s->options.heartbeat_ttl = 1000;
    int fd = raw_peer(s);
    CU_ASSERT_FATAL(raw_handshake(fd, minor, "PUSH"));
    unsigned char flags = 0, body[255];
    size_t size = 0;
    CU_ASSERT(read_frame(fd, &flags, body, sizeof body, &size));
    CU_ASSERT(flags == 4 && size == 7 && memcmp(body, "\4PING\0\12", 7) == 0);
    expect_failure(s, fd, MZ_ENGINE_TIMEOUT);
}

static void test_raw_heartbeat_timeout(void)
{
    expect_heartbeat_timeout(1);
}

static void test_raw_heartbeat_timeout_zmtp_3_0(void)
{
    expect_heartbeat_timeout(0);
}

static void test_raw_peer_ttl(void)
{
    struct side *s = side_new(ZMQ_PULL);
    int fd = raw_peer(s);
    CU_ASSERT_FATAL(raw_handshake(fd, 1, "PUSH"));
    write_all(fd, "\4\7\4PING\0\1", 9); /* TTL 100 ms, then silence */
    expect_failure(s, fd, MZ_ENGINE_TIMEOUT);
}

/* ---- real libzmq ------------------------------------------------------ */

struct libzmq_peer {
    pid_t pid;
    int port;
};

/* Starts tests/peers/zmtp_peer.py in mode with Debian's python and
 * LD_LIBRARY_PATH removed, and reads the port it bound. */
static bool libzmq_peer_start(struct libzmq_peer *peer, const char *mode)
{
    const char *srcdir = getenv("srcdir");
    char script[4096];
    snprintf(script, sizeof script, "%s/tests/peers/zmtp_peer.py",
             srcdir != NULL ? srcdir : ".");
    size_t n = 0;
    while (environ[n] != NULL)
        n++;
    char **env = calloc(n + 1, sizeof *env);
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "LD_LIBRARY_PATH=", 16) != 0 &&
            strncmp(environ[i], "LD_PRELOAD=", 11) != 0)
            env[kept++] = environ[i];
    int out[2];
    if (pipe(out) < 0) {
        free(env);
        return false;
    }
    peer->pid = fork();
    if (peer->pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        close(out[1]);
        char *argv[] = { "/usr/bin/python3", script, (char *) mode, NULL };
        execve(argv[0], argv, env);
        _exit(127);
    }
    free(env);
    close(out[1]);
    char line[32] = { 0 };
    size_t have = 0;
    while (have < sizeof line - 1 && memchr(line, '\n', have) == NULL) {
        struct pollfd p = { out[0], POLLIN, 0 };
        if (poll(&p, 1, WAIT_MS) <= 0)
            break;
        ssize_t got = read(out[0], line + have, sizeof line - 1 - have);
        if (got <= 0)
            break;
        have += (size_t) got;
    }
    close(out[0]);
    peer->port = atoi(line);
    return peer->pid > 0 && peer->port > 0;
}

/* Waits (bounded) for the peer's verdict; kills it if it hangs. */
static bool libzmq_peer_finish(struct libzmq_peer *peer)
{
    int status = 0;
    for (int i = 0; i < WAIT_MS / 10; i++) {
        if (waitpid(peer->pid, &status, WNOHANG) == peer->pid)
            return WIFEXITED(status) && WEXITSTATUS(status) == 0;
        struct timespec ts = { 0, 10000000L };
        nanosleep(&ts, NULL);
    }
    kill(peer->pid, SIGKILL);
    waitpid(peer->pid, &status, 0);
    return false;
}

static int tcp_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET,
                             .sin_port = htons((uint16_t) port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (fd < 0 || connect(fd, (struct sockaddr *) &a, sizeof a) < 0 ||
        fcntl(fd, F_SETFL, O_NONBLOCK) < 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

enum { BIG_INTEROP = 1024 * 1024 };

static unsigned char *interop_body(void)
{
    unsigned char *p = malloc(BIG_INTEROP);
    for (size_t i = 0; i < BIG_INTEROP; i++)
        p[i] = (unsigned char) (i % 251);
    return p;
}

static bool is_interop_body(struct mz_msg *m)
{
    unsigned char *want = interop_body();
    bool same = mz_msg_size(m) == BIG_INTEROP &&
                memcmp(mz_msg_data(m), want, BIG_INTEROP) == 0;
    free(want);
    return same;
}

/* Starts the libzmq peer in mode and an engine for s connected to it. */
static bool interop_start(struct libzmq_peer *peer, const char *mode,
                          struct side *s)
{
    if (!libzmq_peer_start(peer, mode))
        return false;
    int fd = tcp_connect(peer->port);
    if (fd < 0)
        return false;
    side_start(s, fd, "127.0.0.1");
    return true;
}

static void test_libzmq_router(void)
{
    struct libzmq_peer peer;
    struct side *dealer = side_new(ZMQ_DEALER);
    CU_ASSERT(
        mz_options_set(&dealer->options, ZMQ_ROUTING_ID, "engine-id", 9) == 0);
    CU_ASSERT(
        mz_options_set(&dealer->options, ZMQ_METADATA, "X-Color:red", 11) == 0);
    CU_ASSERT_FATAL(interop_start(&peer, "router", dealer));
    CU_ASSERT(side_wait(dealer, READY, 0));
    CU_ASSERT(property_is(dealer->metadata, "Socket-Type", "ROUTER"));
    side_send_string(dealer, "hello", true);
    side_send_string(dealer, "world", false);
    unsigned char *big = interop_body();
    side_send(dealer, big, BIG_INTEROP, false);
    free(big);
    CU_ASSERT(side_wait(dealer, PARTS, 2));
    if (dealer->inbox_count >= 2) {
        CU_ASSERT(part_is(&dealer->inbox[0], "reply", true));
        CU_ASSERT(is_interop_body(&dealer->inbox[1]));
    }
    CU_ASSERT(libzmq_peer_finish(&peer));
    side_free(dealer);
}

static void test_libzmq_pull(void)
{
    struct libzmq_peer peer;
    struct side *push = side_new(ZMQ_PUSH);
    CU_ASSERT_FATAL(interop_start(&peer, "pull", push));
    CU_ASSERT(side_wait(push, READY, 0));
    for (int i = 0; i < 1000; i++) {
        char text[32];
        snprintf(text, sizeof text, "msg-%d", i);
        side_send_string(push, text, false);
    }
    side_send_string(push, "a", true);
    side_send_string(push, "", true);
    side_send_string(push, "c", false);
    unsigned char *big = interop_body();
    side_send(push, big, BIG_INTEROP, false);
    free(big);
    CU_ASSERT(libzmq_peer_finish(&peer));
    enum mz_engine_error reason;
    CU_ASSERT(!side_failed(push, &reason) ||
              reason == MZ_ENGINE_CONNECTION_CLOSED);
    side_free(push);
}

static void test_libzmq_xpub(void)
{
    struct libzmq_peer peer;
    struct side *sub = side_new(ZMQ_SUB);
    CU_ASSERT_FATAL(interop_start(&peer, "xpub", sub));
    CU_ASSERT(side_wait(sub, READY, 0));
    side_send(sub, "\1topic", 6, false);
    CU_ASSERT(side_wait(sub, PARTS, 2));
    if (sub->inbox_count >= 2) {
        CU_ASSERT(part_is(&sub->inbox[0], "topic-data", true));
        CU_ASSERT(part_is(&sub->inbox[1], "tail", false));
        zmq_msg_t *m = (zmq_msg_t *) (void *) &sub->inbox[0];
        const char *type = zmq_msg_gets(m, "Socket-Type");
        CU_ASSERT(type != NULL && strcmp(type, "XPUB") == 0);
        const char *address = zmq_msg_gets(m, "Peer-Address");
        CU_ASSERT(address != NULL && strcmp(address, "127.0.0.1") == 0);
    }
    side_send(sub, "\0topic", 6, false);
    CU_ASSERT(libzmq_peer_finish(&peer));
    side_free(sub);
}

/* libzmq's subscriptions (commands from a 3.1 peer) reach an XPUB
 * session in the message form. */
static void test_libzmq_sub(void)
{
    struct libzmq_peer peer;
    struct side *xpub = side_new(ZMQ_XPUB);
    CU_ASSERT_FATAL(interop_start(&peer, "sub", xpub));
    CU_ASSERT(side_wait(xpub, PARTS, 1));
    if (xpub->inbox_count >= 1)
        CU_ASSERT(mz_msg_size(&xpub->inbox[0]) == 5 &&
                  memcmp(mz_msg_data(&xpub->inbox[0]), "\1news", 5) == 0);
    side_send_string(xpub, "news flash", false);
    CU_ASSERT(side_wait(xpub, PARTS, 2));
    if (xpub->inbox_count >= 2)
        CU_ASSERT(mz_msg_size(&xpub->inbox[1]) == 5 &&
                  memcmp(mz_msg_data(&xpub->inbox[1]), "\0news", 5) == 0);
    CU_ASSERT(libzmq_peer_finish(&peer));
    side_free(xpub);
}

/* Both sides ping every 20 ms and give up after 100 ms of silence: the
 * connection must outlive many heartbeats on each side. */
static void test_libzmq_heartbeats(void)
{
    struct libzmq_peer peer;
    struct side *pair = side_new(ZMQ_PAIR);
    pair->options.heartbeat_ivl = 20;
    pair->options.heartbeat_timeout = 100;
    pair->options.heartbeat_ttl = 200;
    CU_ASSERT_FATAL(interop_start(&peer, "heartbeat", pair));
    CU_ASSERT(side_wait(pair, PARTS, 1));
    if (pair->inbox_count >= 1)
        CU_ASSERT(part_is(&pair->inbox[0], "still here", false));
    side_send_string(pair, "so am I", false);
    CU_ASSERT(libzmq_peer_finish(&peer));
    enum mz_engine_error reason;
    CU_ASSERT(!side_failed(pair, &reason) ||
              reason == MZ_ENGINE_CONNECTION_CLOSED);
    side_free(pair);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (!start_reactor()) {
        fprintf(stderr, "test_engine: no reactor\n");
        return 1;
    }
    static const struct test_case tests[] = {
        { "handshake and metadata", test_handshake_metadata },
        { "empty and 10 MB messages", test_empty_and_large },
        { "many small messages", test_many_small },
        { "incompatible socket types", test_incompatible_types },
        { "subscriptions over ZMTP 3.1", test_subscriptions_3_1 },
        { "raw: garbage greeting", test_raw_garbage_greeting },
        { "raw: revision 0", test_raw_revision_zero },
        { "raw: our greeting goes out in two steps",
          test_raw_greeting_in_two_steps },
        { "raw: ZMTP 2.0 peer", test_raw_zmtp_2_0 },
        { "raw: ZMTP 2.0 subscriptions", test_raw_zmtp_2_0_subscriptions },
        { "raw: ZMTP 2.0 refusals", test_raw_zmtp_2_0_refused },
        { "raw: wrong mechanism", test_raw_wrong_mechanism },
        { "raw: ZMTP 3.0 peer", test_raw_zmtp_3_0 },
        { "raw: SUBSCRIBE and CANCEL", test_raw_subscribe_command },
        { "raw: one byte per write", test_raw_byte_by_byte },
        { "raw: over MAXMSGSIZE", test_raw_too_large },
        { "raw: truncated frame", test_raw_truncated },
        { "raw: huge size claims", test_raw_huge_claims },
        { "raw: bad frame flags", test_raw_bad_flags },
        { "raw: slow greeting", test_raw_slow_greeting },
        { "raw: PING gets PONG", test_raw_ping_pong },
        { "raw: full pipe, then resume", test_raw_backpressure },
        { "raw: PING with a long context", test_raw_ping_long_context },
        { "raw: heartbeat timeout", test_raw_heartbeat_timeout },
        { "raw: heartbeat timeout, ZMTP 3.0 peer",
          test_raw_heartbeat_timeout_zmtp_3_0 },
        { "raw: peer's TTL", test_raw_peer_ttl },
        { "libzmq: DEALER to ROUTER", test_libzmq_router },
        { "libzmq: PUSH to PULL", test_libzmq_pull },
        { "libzmq: SUB to XPUB", test_libzmq_xpub },
        { "libzmq: XPUB to SUB", test_libzmq_sub },
        { "libzmq: heartbeats both ways", test_libzmq_heartbeats },
    };
    int rc = test_run_suite("engine", tests, sizeof tests / sizeof tests[0]);
    stop_reactor();
    return rc;
}
