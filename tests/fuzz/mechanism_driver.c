/*
 * The mechanism driver (mechanism_driver.h). Its loop follows the
 * engine's: each side sends every command it has due, a command reaches
 * a side still in its handshake as a handshake command and a side that
 * is ready as traffic (decoded), a pending ZAP request is answered
 * between rounds, and the handshake is over when both sides say ready.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "mechanism.h"
#include "mechanism_driver.h"
#include "msg.h"
#include "peer_metadata.h"
#include "plugin_loader.h"
#include "zmq.h"

enum {
    ROUNDS_MAX = 64, /* a handshake takes a handful */
    BURST_MAX = 16,  /* commands a side may send in one round */
    CLIENT = 0,
    SERVER = 1
};

enum zap_mode { ZAP_NONE, ZAP_ACCEPTS, ZAP_REFUSES, ZAP_FAILS, ZAP_MODES };

enum action {
    DELIVER,
    REPLACE,
    ALTER,
    CUT,
    EXTEND,
    DROP,
    TWICE,
    ACTIONS
};

struct side {
    struct mz_options options;
    struct mz_peer_metadata *metadata;
    mz_mechanism *m;
    bool under_test;
    bool failed;
    bool zap_pending;
    enum zap_mode zap;
};

struct run {
    struct side sides[2];
    struct fuzz_input *in;
    bool altered; /* some command or part did not arrive as sent */
};

/* Reads every byte, so that the sanitizers see a wrong length. */
static void touch(const void *data, size_t size)
{
    const volatile uint8_t *p = data;
    for (size_t i = 0; i < size; i++)
        (void) p[i];
}

static void host_protocol_error(void *engine, int code)
{
    (void) engine;
    fuzz_check(code != 0, "a protocol error of code 0");
}

static int host_zap_request(void *engine, const char *mechanism,
                            const uint8_t *const *credentials,
                            const size_t *credential_sizes, size_t count)
{
    struct side *s = engine;
    fuzz_check(mechanism != NULL, "a ZAP request without a mechanism");
    for (size_t i = 0; i < count; i++)
        touch(credentials[i], credential_sizes[i]);
    fuzz_check(!s->zap_pending, "a second ZAP request before the reply");
    switch (s->zap) {
    case ZAP_NONE:
        return 1;
    case ZAP_FAILS:
        errno = ENOMEM;
        return -1;
    default:
        s->zap_pending = true;
        return 0;
    }
}

static const struct mz_mechanism_host host = {
    .protocol_error = host_protocol_error,
    .zap_request = host_zap_request,
};

/* A copy of m's body with flags, changed as action says. */
static void copy_into(struct mz_msg *out, const void *data, size_t size,
                      unsigned flags)
{
    fuzz_check(mz_msg_init_buffer(out, data, size) == 0, "driver: memory");
    out->flags = (uint8_t) flags;
}

/* The command or frame m as the side under test receives it: zero, one or
 * two messages in out. */
static size_t apply_action(struct run *r, struct mz_msg *m, struct mz_msg *out)
{
    const uint8_t *body = mz_msg_data(m);
    size_t size = mz_msg_size(m);
    unsigned flags = m->flags;
    enum action action = (enum action) (fuzz_byte(r->in) % ACTIONS);
    if (action != DELIVER)
        r->altered = true;
    size_t chunk_size;
    const uint8_t *chunk;
    switch (action) {
    case REPLACE:
        chunk = fuzz_chunk(r->in, &chunk_size);
        copy_into(&out[0], chunk, chunk_size, flags);
        return 1;
    case ALTER:
        copy_into(&out[0], body, size, flags);
        chunk = fuzz_chunk(r->in, &chunk_size);
        if (size > 0) {
            uint8_t *p = mz_msg_data(&out[0]);
            for (size_t i = 0; i + 3 <= chunk_size; i += 3) {
                size_t at = ((size_t) chunk[i] << 8 | chunk[i + 1]) % size;
                p[at] ^= chunk[i + 2];
            }
        }
        return 1;
    case CUT: {
        size_t keep = fuzz_u16(r->in) % (size + 1);
        copy_into(&out[0], body, keep, flags);
        return 1;
    }
    case EXTEND: {
        chunk = fuzz_chunk(r->in, &chunk_size);
        fuzz_check(mz_msg_init_size(&out[0], size + chunk_size) == 0,
                   "driver: memory");
        uint8_t *p = mz_msg_data(&out[0]);
        if (size > 0)
            memcpy(p, body, size);
        if (chunk_size > 0)
            memcpy(p + size, chunk, chunk_size);
        out[0].flags = (uint8_t) flags;
        return 1;
    }
    case DROP:
        return 0;
    case TWICE:
        copy_into(&out[0], body, size, flags);
        copy_into(&out[1], body, size, flags);
        return 2;
    default:
        copy_into(&out[0], body, size, flags);
        return 1;
    }
}

/* One message reaching side to: a handshake command, or traffic once to
 * is ready (the engine decodes it then). False when to refused it. */
static bool receive(struct side *to, struct mz_msg *m)
{
    int rc;
    if (mz_mechanism_is_ready(to->m))
        rc = mz_mechanism_decodes(to->m) ? mz_mechanism_decode(to->m, m) : 0;
    else
        rc = mz_mechanism_process_command(to->m, m);
    if (rc < 0)
        to->failed = true;
    return rc == 0;
}

/* A command from one side on its way to the other; takes *command. */
static bool deliver(struct run *r, struct side *to, struct mz_msg *command)
{
    struct mz_msg arriving[2];
    size_t count = 1;
    if (to->under_test)
        count = apply_action(r, command, arriving);
    else {
        mz_msg_init(&arriving[0]);
        mz_msg_move(&arriving[0], command);
    }
    mz_msg_close(command);
    bool ok = true;
    for (size_t i = 0; i < count; i++) {
        if (ok)
            ok = receive(to, &arriving[i]);
        mz_msg_close(&arriving[i]);
    }
    return ok;
}

/* Runs the handshake; true when both sides are ready. */
static bool handshake(struct run *r)
{
    for (int round = 0; round < ROUNDS_MAX; round++) {
        bool moved = false;
        for (int i = 0; i < 2; i++) {
            struct side *from = &r->sides[i];
            struct side *to = &r->sides[1 - i];
            for (int burst = 0; burst < BURST_MAX; burst++) {
                struct mz_msg command;
                mz_msg_init(&command);
                if (mz_mechanism_next_command(from->m, &command) < 0) {
                    mz_msg_close(&command);
                    if (errno == EAGAIN)
                        break;
                    from->failed = true;
                    return false;
                }
                moved = true;
                if (!deliver(r, to, &command))
                    return false;
            }
        }
        struct side *server = &r->sides[SERVER];
        if (server->zap_pending) {
            /* The engine's ZAP reply, after the round. A refusal ends the
             * connection with an ERROR the engine writes itself. */
            server->zap_pending = false;
            if (server->zap == ZAP_REFUSES)
                return false;
            mz_mechanism_zap_accepted(server->m);
            moved = true;
        }
        if (mz_mechanism_is_ready(r->sides[CLIENT].m) &&
            mz_mechanism_is_ready(r->sides[SERVER].m))
            return true;
        if (!moved)
            return false;
    }
    return false;
}

/* One part each way: the peer's through the input's action to the side
 * under test, and back from it to the peer, which must get it intact. */
static bool exchange_part(struct run *r, struct side *peer, struct side *us)
{
    unsigned flags = fuzz_byte(r->in) & (MZ_MSG_MORE | MZ_MSG_COMMAND);
    size_t size;
    const uint8_t *body = fuzz_chunk(r->in, &size);

    struct mz_msg part;
    copy_into(&part, body, size, flags);
    fuzz_check(mz_mechanism_encode(peer->m, &part) == 0,
               "the peer could not encode a part");
    struct mz_msg arriving[2];
    size_t count = apply_action(r, &part, arriving);
    /* Nothing was altered, in the handshake or since. */
    bool honest = !r->altered;
    mz_msg_close(&part);
    bool ok = true;
    for (size_t i = 0; i < count; i++) {
        if (ok) {
            ok = mz_mechanism_decode(us->m, &arriving[i]) == 0;
            if (ok && honest)
                fuzz_check(mz_msg_size(&arriving[i]) == size &&
                               (size == 0 ||
                                memcmp(mz_msg_data(&arriving[i]), body,
                                       size) == 0) &&
                               (arriving[i].flags & flags) == flags,
                           "an honest part did not decode to itself");
        }
        mz_msg_close(&arriving[i]);
    }
    fuzz_check(ok || !honest, "an honest part was refused");
    if (!ok)
        return false;

    /* And back: whatever state the input left us in, what we send must be
     * what the peer reads. */
    struct mz_msg back;
    copy_into(&back, body, size, flags);
    if (mz_mechanism_encode(us->m, &back) == 0) {
        fuzz_check(mz_mechanism_decode(peer->m, &back) == 0 &&
                       mz_msg_size(&back) == size &&
                       (size == 0 ||
                        memcmp(mz_msg_data(&back), body, size) == 0),
                   "the peer could not read what we encoded");
    }
    mz_msg_close(&back);
    return true;
}

static bool side_start(struct side *s, const struct fuzz_mechanism *mechanism,
                       const struct modzmq_mechanism_ops *ops, int type,
                       bool as_server, uint8_t variant)
{
    mz_options_init(&s->options, type);
    mechanism->configure(&s->options, as_server, variant);
    s->metadata = mz_peer_metadata_new();
    if (s->metadata == NULL)
        return false;
    s->m = mz_mechanism_new(ops, &s->options, s->metadata, &host, s);
    return s->m != NULL;
}

static void side_end(struct side *s)
{
    mz_mechanism_free(s->m);
    if (s->metadata != NULL)
        mz_peer_metadata_unref(s->metadata);
    mz_options_fini(&s->options);
}

/* The peer's own metadata from the input: an X-Fuzz property and a
 * routing id, as far as the options take them. */
static void peer_metadata(struct fuzz_input *in, struct mz_options *options)
{
    size_t size;
    const uint8_t *value = fuzz_chunk(in, &size);
    if (size > 0) {
        char text[7 + 65536];
        memcpy(text, "X-Fuzz:", 7);
        memcpy(text + 7, value, size);
        mz_options_set(options, ZMQ_METADATA, text, 7 + size);
    }
    value = fuzz_chunk(in, &size);
    if (size > 0)
        mz_options_set(options, ZMQ_ROUTING_ID, value, size);
}

bool fuzz_mechanism_run(const struct fuzz_mechanism *mechanism,
                        struct fuzz_input *in)
{
    const struct modzmq_mechanism_ops *ops =
        mz_plugin_mechanism(mechanism->name);
    if (ops == NULL)
        return false;
    struct run r = { .in = in };
    enum zap_mode zap = (enum zap_mode) (fuzz_byte(in) % ZAP_MODES);
    uint8_t variant = fuzz_byte(in);
    int peer_type = fuzz_socket_type(fuzz_byte(in));
    int our_type = fuzz_peer_type(peer_type);
    int under_test = mechanism->server_under_test ? SERVER : CLIENT;
    int peer = 1 - under_test;

    bool started = true;
    for (int i = 0; i < 2; i++) {
        struct side *s = &r.sides[i];
        s->under_test = i == under_test;
        if (!side_start(s, mechanism, ops, i == under_test ? our_type : peer_type,
                        i == SERVER, variant))
            started = false;
    }
    r.sides[SERVER].zap = zap;
    if (started) {
        /* Metadata options are read when the peer writes its commands. */
        peer_metadata(in, &r.sides[peer].options);
        bool ready = handshake(&r);
        fuzz_check(ready || r.altered || zap == ZAP_REFUSES ||
                       zap == ZAP_FAILS,
                   "an honest handshake did not complete");
        while (ready && !fuzz_input_done(in) &&
               exchange_part(&r, &r.sides[peer], &r.sides[under_test]))
            ;
        fuzz_trace("%s: handshake %s, %s, client %s, server %s",
                   mechanism->name, ready ? "done" : "not done",
                   r.altered ? "altered" : "honest",
                   r.sides[CLIENT].failed ? "failed" : "ok",
                   r.sides[SERVER].failed ? "failed" : "ok");
    }
    for (int i = 0; i < 2; i++)
        side_end(&r.sides[i]);
    return started;
}
