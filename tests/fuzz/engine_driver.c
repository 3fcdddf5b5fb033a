/*
 * The engine driver (engine_driver.h). Everything runs on the calling
 * thread: the engine is made before the reactor runs and destroyed after
 * it returns, and in between the driver's own work is a 0 ms timer that
 * re-arms itself (the "pump"): it writes the next turn when the engine is
 * idle, drains what the engine wrote, and counts its rounds so that an
 * engine that never ends is caught.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine.h"
#include "mechanism.h"
#include "engine_driver.h"
#include "msg.h"
#include "null_mechanism.h"
#include "peer_metadata.h"
#include "reactor.h"
#include "socket_compat.h"
#include "zap.h"
#include "zmq.h"
#include "zmtp_greeting.h"

enum {
    /* Pump rounds after which an engine that neither failed nor finished
     * is declared hung: far more than any exchange of a fuzz input takes
     * (a few rounds per turn). */
    PUMP_ROUNDS_MAX = 200000,
    TURNS_MAX = 4096,
    ROUTING_ID_MAX = 255
};

static const int zap_statuses[] = { 200, 300, 400, 500, 0, -1 };

void fuzz_engine_setup(struct fuzz_engine *run, struct fuzz_input *in)
{
    memset(run, 0, sizeof *run);
    int type = fuzz_socket_type(fuzz_byte(in));
    run->flags = fuzz_byte(in);
    run->flags2 = fuzz_byte(in);
    run->peer_type = fuzz_peer_type(type);
    run->peer_3_0 = (run->flags & FUZZ_ENGINE_PEER_3_0) != 0;
    if (run->flags & FUZZ_ENGINE_ZAP_HANDLER) {
        run->zap.status = zap_statuses[fuzz_byte(in) % (sizeof zap_statuses /
                                                        sizeof zap_statuses[0])];
        run->zap.user_id = fuzz_chunk(in, &run->zap.user_id_size);
        run->zap.metadata = fuzz_chunk(in, &run->zap.metadata_size);
    }

    struct mz_options *o = &run->options;
    mz_options_init(o, type);
    int zero = 0, one = 1;
    /* Only the driver's own timers: no handshake timeout unless asked. */
    mz_options_set(o, ZMQ_HANDSHAKE_IVL, &zero, sizeof zero);
    if (run->flags & FUZZ_ENGINE_ZAP_DOMAIN)
        mz_options_set(o, ZMQ_ZAP_DOMAIN, "fuzz", 4);
    if (run->flags & FUZZ_ENGINE_ZAP_ENFORCE)
        mz_options_set(o, ZMQ_ZAP_ENFORCE_DOMAIN, &one, sizeof one);
    if (run->flags & FUZZ_ENGINE_SMALL_MAX) {
        int64_t max = 100;
        mz_options_set(o, ZMQ_MAXMSGSIZE, &max, sizeof max);
    }
    if (run->flags & FUZZ_ENGINE_ROUTING_ID)
        mz_options_set(o, ZMQ_ROUTING_ID, "fuzz-id", 7);
    if (run->flags2 & FUZZ_ENGINE_HEARTBEAT) {
        int ivl = 1, ttl = 200;
        mz_options_set(o, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl);
        mz_options_set(o, ZMQ_HEARTBEAT_TTL, &ttl, sizeof ttl);
    }
    if (run->flags2 & FUZZ_ENGINE_HANDSHAKE_IVL)
        mz_options_set(o, ZMQ_HANDSHAKE_IVL, &one, sizeof one);
}

void fuzz_engine_prelude(struct fuzz_engine *run, const void *bytes,
                         size_t size)
{
    size_t at = run->prelude_count > 0
                    ? run->prelude_ends[run->prelude_count - 1]
                    : 0;
    size_t capacity = sizeof run->prelude_ends / sizeof run->prelude_ends[0];
    fuzz_check(run->prelude_count < capacity &&
                   size <= sizeof run->prelude - at,
               "driver: too many preludes");
    memcpy(run->prelude + at, bytes, size);
    run->prelude_ends[run->prelude_count++] = at + size;
}

void fuzz_engine_greeting(struct fuzz_engine *run, const char *mechanism,
                          bool as_server)
{
    uint8_t greeting[MZ_ZMTP_GREETING_SIZE];
    mz_zmtp_greeting_build(greeting, mechanism, as_server);
    if (run->peer_3_0)
        greeting[11] = 0; /* the minor version */
    fuzz_engine_prelude(run, greeting, sizeof greeting);
}

void fuzz_engine_frame(struct fuzz_engine *run, uint8_t flags,
                       const void *body, size_t size)
{
    uint8_t frame[1024];
    size_t header = size > 255 ? 9 : 2;
    fuzz_check(size <= sizeof frame - header, "driver: prelude frame too big");
    if (size > 255) {
        frame[0] = flags | 2;
        for (int i = 0; i < 8; i++)
            frame[1 + i] = (uint8_t) ((uint64_t) size >> (8 * (7 - i)));
    } else {
        frame[0] = flags;
        frame[1] = (uint8_t) size;
    }
    memcpy(frame + header, body, size);
    fuzz_engine_prelude(run, frame, header + size);
}

void fuzz_engine_null_ready(struct fuzz_engine *run)
{
    struct mz_options peer;
    mz_options_init(&peer, run->peer_type);
    struct mz_msg ready;
    fuzz_check(mz_null_ready_build(&peer, &ready) == 0, "driver: READY");
    fuzz_engine_frame(run, 4, mz_msg_data(&ready), mz_msg_size(&ready));
    mz_msg_close(&ready);
    mz_options_fini(&peer);
}

/* ---- one run ---------------------------------------------------------- */

struct turn {
    const uint8_t *bytes;
    size_t size;
};

struct driver {
    struct fuzz_engine *run;
    struct mz_reactor *reactor;
    struct mz_engine *engine;
    int engine_fd;
    int peer_fd;
    struct turn turns[TURNS_MAX];
    size_t turn_count;
    size_t turn_next;
    size_t turn_written; /* bytes of turns[turn_next] already written */
    bool shut;           /* the peer's side is shut down */
    bool finished;       /* the engine reported its end */
    bool zap_due;        /* a ZAP reply is scheduled */
    bool resume_due;     /* a refused part is to be retried */
    bool refused_last;   /* FUZZ_ENGINE_PIPE_FULL: the part now retried */
    bool resume_inside;  /* FUZZ_ENGINE_RESUME_INSIDE: flush resumes */
    struct mz_peer_metadata *metadata; /* from ready */
    size_t outgoing_ready; /* parts the session has had so far */
    size_t outgoing_pulled;
    unsigned pump_rounds;
    size_t parts;                  /* pushed to the session */
    enum mz_engine_error reason;   /* how the engine ended */
};

static void pump(void *arg);

static void arm_pump(struct driver *d)
{
    fuzz_check(mz_reactor_add_timer(d->reactor, 0, pump, d) != 0,
               "driver: timer");
}

/* FUZZ_ENGINE_SENDS_LATER: the session has one more part once the
 * connection is up, and says so. */
static void send_later(struct driver *d)
{
    if (!(d->run->flags2 & FUZZ_ENGINE_SENDS_LATER) || d->metadata == NULL ||
        d->finished)
        return;
    d->outgoing_ready++;
    mz_engine_resume_output(d->engine);
}

/* Bytes the engine has not read yet. */
static int unread(const struct driver *d)
{
    int n = 0;
    if (ioctl(d->engine_fd, FIONREAD, &n) != 0)
        return 0;
    return n;
}

static void drain_peer(struct driver *d)
{
    uint8_t sink[4096];
    while (read(d->peer_fd, sink, sizeof sink) > 0)
        ;
}

/* Writes what the engine may have next: the rest of the current turn, or
 * the next one once the engine has read and answered the last. */
static void write_turns(struct driver *d)
{
    if (d->zap_due || d->resume_due || unread(d) > 0)
        return;
    /* The engine has read (and answered) everything written so far. */
    while (d->turn_next < d->turn_count &&
           d->turn_written == d->turns[d->turn_next].size) {
        d->turn_next++;
        d->turn_written = 0;
        send_later(d);
    }
    if (d->turn_next < d->turn_count) {
        const struct turn *t = &d->turns[d->turn_next];
        ssize_t n = write(d->peer_fd, t->bytes + d->turn_written,
                          t->size - d->turn_written);
        if (n > 0)
            d->turn_written += (size_t) n;
        return;
    }
    if (!d->shut) {
        shutdown(d->peer_fd, SHUT_WR);
        d->shut = true;
    }
}

static void pump(void *arg)
{
    struct driver *d = arg;
    if (d->finished)
        return;
    fuzz_check(++d->pump_rounds < PUMP_ROUNDS_MAX,
               "engine neither failed nor ended after the stream ended");
    drain_peer(d);
    write_turns(d);
    arm_pump(d);
}

/* ---- the session stand-in ------------------------------------------ */

/* Reads a whole body, so that the sanitizers see a bad length. */
static unsigned touch(const void *data, size_t size)
{
    const uint8_t *p = data;
    unsigned sum = 0;
    for (size_t i = 0; i < size; i++)
        sum += p[i];
    return sum;
}

static bool sink_ready(void *session, struct mz_peer_metadata *metadata)
{
    struct driver *d = session;
    size_t size = 0;
    const char *identity = mz_peer_metadata_get(metadata, "Identity", &size);
    /* The pipe's routing-id field holds 255 octets. */
    fuzz_check(identity == NULL || size <= ROUTING_ID_MAX,
               "an Identity over 255 octets reached the session");
    const char *type = mz_peer_metadata_get(metadata, "Socket-Type", &size);
    fuzz_check(type == NULL ||
                   mz_socket_types_compatible(
                       d->run->options.socket_type,
                       mz_socket_type_from_name(type, size)),
               "an incompatible socket type reached the session");
    const char *user = mz_peer_metadata_get(metadata, "User-Id", &size);
    if (user != NULL)
        touch(user, size);
    mz_peer_metadata_ref(metadata);
    d->metadata = metadata;
    return (d->run->flags & FUZZ_ENGINE_SESSION_NO) == 0;
}

static void resume_input(void *arg)
{
    struct driver *d = arg;
    d->resume_due = false;
    d->resume_inside = false;
    if (!d->finished)
        mz_engine_resume_input(d->engine);
}

static bool sink_push(void *session, struct mz_msg *m)
{
    struct driver *d = session;
    fuzz_check(d->metadata != NULL, "a part before the handshake ended");
    fuzz_check(mz_msg_metadata(m) == d->metadata,
               "a part without the connection's metadata");
    /* A full pipe: this part waits for the resume, its retry passes. The
     * resume comes from the loop, or from inside the flush that follows
     * (one of the engine's callbacks: it must put the retry off itself),
     * with the loop's as a fallback when no flush comes. */
    if ((d->run->flags & FUZZ_ENGINE_PIPE_FULL) && !d->refused_last) {
        d->refused_last = true;
        d->resume_due = true;
        d->resume_inside = (d->run->flags2 & FUZZ_ENGINE_RESUME_INSIDE) != 0;
        fuzz_check(mz_reactor_add_timer(d->reactor, 0, resume_input, d) != 0,
                   "driver: timer");
        return false;
    }
    d->refused_last = false;
    int64_t max = d->run->options.maxmsgsize;
    fuzz_check(max < 0 || mz_msg_size(m) <= (uint64_t) max,
               "a part over ZMQ_MAXMSGSIZE reached the session");
    touch(mz_msg_data(m), mz_msg_size(m));
    if (d->run->on_part != NULL)
        d->run->on_part(d->run->arg, m);
    mz_msg_close(m);
    d->parts++;
    return true;
}

static void sink_flush(void *session)
{
    struct driver *d = session;
    if (d->resume_inside) {
        d->resume_inside = false;
        mz_engine_resume_input(d->engine);
    }
}

/* The parts a session has for the engine, made as they are pulled:
 * subscriptions for a subscriber (commands for a 3.1 peer), else a
 * message and a two-part one, again and again. */
static bool sink_pull(void *session, struct mz_msg *m)
{
    struct driver *d = session;
    if (d->outgoing_pulled == d->outgoing_ready)
        return false;
    int type = d->run->options.socket_type;
    bool subscriber = type == ZMQ_SUB || type == ZMQ_XSUB;
    static const char *const texts[2][3] = { { "hello", "a", "b" },
                                             { "\1topic", "\0topic", "\1" } };
    static const size_t sizes[2][3] = { { 5, 1, 1 }, { 6, 6, 1 } };
    size_t i = d->outgoing_pulled++ % 3;
    if (mz_msg_init_buffer(m, texts[subscriber][i], sizes[subscriber][i]) < 0)
        return false;
    mz_msg_set_more(m, !subscriber && i == 1);
    return true;
}

static void sink_error(void *session, enum mz_engine_error reason)
{
    struct driver *d = session;
    d->reason = reason;
    fuzz_check(!d->finished, "the engine reported its end twice");
    d->finished = true;
    mz_reactor_stop(d->reactor);
}

static void zap_reply(void *arg)
{
    struct driver *d = arg;
    d->zap_due = false;
    if (d->finished)
        return;
    const struct fuzz_engine_zap *z = &d->run->zap;
    struct mz_zap_reply reply = { 0 };
    if (z->status < 0) {
        reply.handler_gone = true;
    } else if (z->status == 0) {
        reply.protocol_error = ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY;
    } else {
        reply.status_code = z->status;
        reply.user_id = z->user_id;
        reply.user_id_size = z->user_id_size;
        reply.metadata = z->metadata;
        reply.metadata_size = z->metadata_size;
    }
    mz_engine_zap_reply(d->engine, &reply);
}

static int sink_zap_request(void *session, const struct mz_zap_request *r)
{
    struct driver *d = session;
    fuzz_check(r->mechanism != NULL, "a ZAP request without a mechanism");
    for (size_t i = 0; i < r->credential_count; i++)
        touch(r->credentials[i], r->credential_sizes[i]);
    if (!(d->run->flags & FUZZ_ENGINE_ZAP_HANDLER)) {
        errno = ECONNREFUSED;
        return -1;
    }
    fuzz_check(!d->zap_due, "a second ZAP request before the reply");
    d->zap_due = true;
    fuzz_check(mz_reactor_add_timer(d->reactor, 0, zap_reply, d) != 0,
               "driver: timer");
    return 0;
}

static const struct mz_engine_sink sink = {
    .ready = sink_ready,
    .push = sink_push,
    .flush = sink_flush,
    .pull = sink_pull,
    .error = sink_error,
    .zap_request = sink_zap_request,
};

void fuzz_engine_run(struct fuzz_engine *run, struct fuzz_input *in)
{
    signal(SIGPIPE, SIG_IGN);
    struct driver *d = calloc(1, sizeof *d);
    fuzz_check(d != NULL, "driver: memory");
    d->run = run;
    size_t start = 0;
    for (size_t i = 0; i < run->prelude_count; i++) {
        d->turns[d->turn_count++] = (struct turn){
            run->prelude + start, run->prelude_ends[i] - start
        };
        start = run->prelude_ends[i];
    }
    while (!fuzz_input_done(in) && d->turn_count < TURNS_MAX) {
        struct turn *t = &d->turns[d->turn_count++];
        t->bytes = fuzz_chunk(in, &t->size);
    }
    if (run->flags2 & FUZZ_ENGINE_SENDS)
        d->outgoing_ready = 3;

    int fds[2];
    d->reactor = mz_reactor_new();
    fuzz_check(d->reactor != NULL &&
                   socketpair(AF_UNIX,
                              SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
                              fds) == 0,
               "driver: reactor or socketpair");
    d->engine_fd = fds[0];
    d->peer_fd = fds[1];
    const struct modzmq_mechanism_ops *mechanism = NULL;
    if (mz_mechanism_find(run->options.mechanism, &mechanism) == 0)
        d->engine = mz_engine_new(d->reactor, d->engine_fd, &run->options,
                                  mechanism, "fuzz-peer", &sink, d);
    else
        close(d->engine_fd);
    if (d->engine != NULL) {
        arm_pump(d);
        mz_reactor_run(d->reactor);
        uint64_t event = 0, value = 0;
        bool failed = mz_engine_handshake_failure(d->engine, &event, &value);
        mz_engine_destroy(d->engine);
        run->handshake_done = !failed;
        run->end = d->reason;
        fuzz_trace("engine: handshake %s (event %llu, value %llu), %zu parts, "
                   "end %d, %zu of %zu turns",
                   failed ? "failed" : "done", (unsigned long long) event,
                   (unsigned long long) value, d->parts, (int) d->reason,
                   d->turn_next, d->turn_count);
    }
    close(d->peer_fd);
    mz_reactor_free(d->reactor);
    if (d->metadata != NULL)
        mz_peer_metadata_unref(d->metadata);
    mz_options_fini(&run->options);
    free(d);
}
