/*
 * The ZMTP engine's state machine (see engine.h for its contract): one
 * connection, driven by the reactor's fd and timer callbacks.
 *
 *   GREETING   the first 11 bytes of ours are queued at once, the rest
 *              once the peer's first 11 say which version it speaks (RFC
 *              23's detection of 2.0 peers); the peer's is checked byte by
 *              byte as it arrives. A ZMTP 2.0 peer's greeting carries its
 *              socket type and identity and leads straight to TRAFFIC.
 *   HANDSHAKE  NULL: our READY is queued (after the ZAP handler's 200 when
 *              ZMQ_ZAP_DOMAIN asks for one) and we wait for the peer's.
 *              PLAIN, CURVE, GSSAPI: the plugin's session says which
 *              commands to send and judges the peer's (mechanism.h); an
 *              ERROR from the peer is ours to report. Then we tell the
 *              session.
 *   TRAFFIC    frames both ways, heartbeats, subscription commands.
 *   FAILED     the session was told; nothing more happens until destroy.
 *
 * Input: one read fills a buffer that the decoder turns into many parts;
 * while a large body is incomplete, readv puts its bytes straight into the
 * message and whatever follows into the buffer. Output: the encoder batches
 * parts pulled from the session into one writev. Both go to the byte
 * stream: the fd itself, or a transport's stream on it, whose readiness
 * is its own (stream_io below).
 *
 * Liveness is tracked with a timestamp of the last input instead of timers
 * re-armed on every read: a timeout timer that fires checks the timestamp
 * and either gives up or waits for the remainder.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "byte_stream.h"
#include "clock.h"
#include "engine.h"
#include "mechanism.h"
#include "null_mechanism.h"
#include "peer_metadata.h"
#include "reactor.h"
#include "socket_compat.h"
#include "zap.h"
#include "zmq.h"
#include "zmtp_command.h"
#include "zmtp_decoder.h"
#include "zmtp_encoder.h"
#include "zmtp_greeting.h"
#include "zmtp_properties.h"

enum engine_state { GREETING, HANDSHAKE, TRAFFIC, FAILED };

enum {
    /* Reads and writes per readiness callback, so that one busy connection
     * cannot starve the others of its I/O thread. */
    IO_ROUNDS = 8,
    INPUT_BUFFER_MIN = 512,
    BUFFER_MAX = 4 << 20,
    PING_CONTEXT_MAX = 16,
    /* Handshake commands a mechanism may queue at once: a bound against a
     * plugin that never says EAGAIN. */
    HANDSHAKE_BURST_MAX = 16
};

struct mz_engine {
    struct mz_reactor *reactor;
    struct mz_reactor_fd *handle; /* NULL while parked or after failure */
    struct mz_byte_stream stream; /* the fd, or a transport's stream on it */
    const struct mz_options *options;
    const struct mz_engine_sink *sink;
    void *session;

    enum engine_state state;
    enum mz_zmtp_version version;
    const char *mechanism_name; /* in the greetings: "NULL", "PLAIN", ... */
    /* A plugin mechanism's ops and this connection's session of it; both
     * NULL for the NULL mechanism. */
    const struct modzmq_mechanism_ops *mechanism_ops;
    mz_mechanism *mechanism;
    bool encodes;             /* traffic goes through the mechanism's encode */
    bool decodes;             /* and its decode */
    bool zap_pending;         /* a ZAP request is out: wait for its reply */
    bool peer_ready_received; /* NULL: the peer's READY came before ZAP's */
    uint8_t peer_greeting[MZ_ZMTP_V2_GREETING_MAX];
    size_t greeting_have;
    bool greeting_finished; /* the rest of ours follows the partial one */
    struct mz_peer_metadata *metadata;

    struct mz_zmtp_decoder decoder;
    struct mz_recv_buffer input; /* what reads bring; frames slice it */
    size_t input_pos;
    size_t input_end;
    struct mz_msg held_part; /* refused by push, retried on resume */
    /* DISH: the group frame that goes with the next data frame (RFC 48
     * over ZMTP: a group frame with MORE, then the body). */
    char group[MZ_MSG_GROUP_MAX + 1];
    size_t group_size;
    bool group_pending;
    bool input_blocked;
    bool pushed; /* parts pushed since the last flush */
    bool drained; /* the last read of the bare fd brought less than asked */

    struct mz_zmtp_encoder encoder;
    bool output_idle;  /* the session had nothing: wait for resume */
    bool sending_more; /* the last part pulled had MORE set */
    bool ping_due;
    bool pong_due;
    uint8_t pong_context[PING_CONTEXT_MAX];
    size_t pong_context_size;

    bool in_callback; /* inside a reactor callback of this engine */
    uint64_t handshake_timer;
    uint64_t heartbeat_timer;
    uint64_t timeout_timer;
    uint64_t ttl_timer;
    uint64_t resume_timer;
    /* A plugin's stream holds input the fd will not signal: read it from
     * the loop. */
    uint64_t stream_timer;
    uint64_t last_input_us;
    /* Why the handshake failed: a ZMQ_EVENT_HANDSHAKE_FAILED_* event and
     * its value, set where the failure is found; a failure that sets
     * nothing is reported as HANDSHAKE_FAILED_NO_DETAIL. */
    bool handshake_done;
    bool handshake_failure_noted;
    uint64_t handshake_failure_event;
    uint64_t handshake_failure_value;
    uint64_t ping_sent_us;
    uint64_t peer_ttl_ms;
};

static void on_io(void *arg, uint32_t events);
static void stream_readable(void *arg);
static void fail(struct mz_engine *e, enum mz_engine_error reason);
static void handshake_expired(void *arg);
static void pump_output(struct mz_engine *e);

static void cancel_timer(struct mz_engine *e, uint64_t *id)
{
    mz_reactor_cancel_timer(e->reactor, *id);
    *id = 0;
}

/* A plugin's stream decides what the fd must be ready for, and may have
 * input ready that the fd will not announce. */
static void update_stream_interest(struct mz_engine *e, bool readable,
                                   bool writable)
{
    bool read_fd, write_fd, readable_now;
    mz_byte_stream_interest(&e->stream, readable, writable, &read_fd, &write_fd,
                            &readable_now);
    mz_reactor_want(e->handle, read_fd, write_fd);
    if (!readable || !readable_now || e->stream_timer != 0)
        return;
    e->stream_timer = mz_reactor_add_timer(e->reactor, 0, stream_readable, e);
    /* Without the timer that input would never be read. */
    if (e->stream_timer == 0)
        fail(e, MZ_ENGINE_CONNECTION_CLOSED);
}

/* Interest follows state: read unless blocked, write while bytes wait or
 * the session may have more. */
static void update_interest(struct mz_engine *e)
{
    if (e->handle == NULL)
        return;
    bool writable = mz_zmtp_encoder_pending(&e->encoder) ||
                    (e->state == TRAFFIC &&
                     (!e->output_idle || e->ping_due || e->pong_due));
    if (mz_byte_stream_is_plugin(&e->stream))
        update_stream_interest(e, !e->input_blocked, writable);
    else
        mz_reactor_want(e->handle, !e->input_blocked, writable);
}

/* Records the handshake event a failure found here should publish (the
 * first one noted wins). */
static void note_handshake_failure(struct mz_engine *e, uint64_t event,
                                   uint64_t value)
{
    if (e->handshake_done || e->handshake_failure_noted)
        return;
    e->handshake_failure_noted = true;
    e->handshake_failure_event = event;
    e->handshake_failure_value = value;
}

/* A handshake failure with the ZMQ_PROTOCOL_ERROR_* code libzmq gives. */
static void fail_protocol(struct mz_engine *e, enum mz_engine_error reason,
                          int protocol_error)
{
    note_handshake_failure(e, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                           (uint64_t) protocol_error);
    fail(e, reason);
}

/* Ends the connection: the session hears of it once, then nothing. */
static void fail(struct mz_engine *e, enum mz_engine_error reason)
{
    if (e->state == FAILED)
        return;
    note_handshake_failure(e, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL,
                           (uint64_t) errno);
    e->state = FAILED;
    cancel_timer(e, &e->handshake_timer);
    cancel_timer(e, &e->heartbeat_timer);
    cancel_timer(e, &e->timeout_timer);
    cancel_timer(e, &e->ttl_timer);
    cancel_timer(e, &e->resume_timer);
    cancel_timer(e, &e->stream_timer);
    if (e->handle != NULL) {
        mz_reactor_remove_fd(e->handle);
        e->handle = NULL;
    }
    /* Whole messages that arrived before the failure still count. */
    if (e->pushed) {
        e->pushed = false;
        e->sink->flush(e->session);
    }
    e->sink->error(e->session, reason);
}

static size_t clamp_buffer(int size)
{
    size_t n = size > 0 ? (size_t) size : 0;
    if (n < INPUT_BUFFER_MIN)
        n = INPUT_BUFFER_MIN;
    return n > BUFFER_MAX ? BUFFER_MAX : n;
}

/* Queues bytes [from, to) of our 3.x greeting: it goes out in two steps
 * (see GREETING above). as-server means something only to a mechanism that
 * has roles, never to NULL. */
static void queue_greeting(struct mz_engine *e, size_t from, size_t to)
{
    uint8_t greeting[MZ_ZMTP_GREETING_SIZE];
    mz_zmtp_greeting_build(greeting, e->mechanism_name,
                           e->mechanism_ops != NULL && e->options->as_server);
    mz_zmtp_encoder_add_raw(&e->encoder, greeting + from, to - from);
}

/* Frees what the engine owns besides its stream, its reactor handle and
 * its timers. */
static void engine_free(struct mz_engine *e)
{
    mz_mechanism_free(e->mechanism);
    mz_msg_close(&e->held_part);
    mz_zmtp_decoder_fini(&e->decoder);
    mz_zmtp_encoder_fini(&e->encoder);
    mz_recv_buffer_fini(&e->input);
    if (e->metadata != NULL)
        mz_peer_metadata_unref(e->metadata);
    free(e);
}

struct mz_engine *mz_engine_new(struct mz_reactor *reactor, int fd,
                                const struct mz_options *options,
                                const struct modzmq_mechanism_ops *mechanism,
                                const char *peer_address,
                                const struct mz_engine_sink *sink,
                                void *session)
{
    return mz_engine_new_on_stream(reactor, mz_byte_stream_of_fd(fd), options,
                                   mechanism, peer_address, sink, session);
}

struct mz_engine *mz_engine_new_on_stream(
    struct mz_reactor *reactor, struct mz_byte_stream stream,
    const struct mz_options *options,
    const struct modzmq_mechanism_ops *mechanism, const char *peer_address,
    const struct mz_engine_sink *sink, void *session)
{
    int fd = stream.fd;
    struct mz_engine *e = calloc(1, sizeof *e);
    if (e == NULL)
        goto fail;
    e->reactor = reactor;
    e->stream = stream;
    e->options = options;
    e->sink = sink;
    e->session = session;
    e->state = GREETING;
    e->mechanism_name = mz_mechanism_name(options->mechanism);
    e->mechanism_ops = mechanism;
    mz_msg_init(&e->held_part);
    mz_zmtp_decoder_init(&e->decoder, options->maxmsgsize);
    if (mz_recv_buffer_init(&e->input, clamp_buffer(options->in_batch_size)) <
        0)
        goto fail;
    if (mz_zmtp_encoder_init(&e->encoder,
                             clamp_buffer(options->out_batch_size)) < 0)
        goto fail;
    e->metadata = mz_peer_metadata_new();
    if (e->metadata == NULL)
        goto fail;
    mz_peer_metadata_set_fd(e->metadata, fd);
    if (peer_address != NULL &&
        mz_peer_metadata_add(e->metadata, "Peer-Address",
                             strlen("Peer-Address"), peer_address,
                             strlen(peer_address)) < 0)
        goto fail;

    queue_greeting(e, 0, MZ_ZMTP_GREETING_PARTIAL);

    e->handle = mz_reactor_add_fd(reactor, fd, on_io, e);
    if (e->handle == NULL)
        goto fail;
    if (options->handshake_ivl > 0) {
        e->handshake_timer = mz_reactor_add_timer(
            reactor, (uint64_t) options->handshake_ivl, handshake_expired, e);
        if (e->handshake_timer == 0) {
            mz_reactor_remove_fd(e->handle);
            goto fail;
        }
    }
    e->last_input_us = mz_clock_us();
    update_interest(e);
    return e;

fail:;
    int error = errno;
    if (e != NULL)
        engine_free(e);
    mz_byte_stream_close(&stream);
    errno = error;
    return NULL;
}

/* ---- timers -------------------------------------------------------- */

static void handshake_expired(void *arg)
{
    struct mz_engine *e = arg;
    e->handshake_timer = 0;
    e->in_callback = true;
    /* libzmq reports a handshake timeout with EAGAIN. */
    note_handshake_failure(e, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, EAGAIN);
    errno = ETIMEDOUT;
    fail(e, MZ_ENGINE_TIMEOUT);
    e->in_callback = false;
}

/* A PING went out heartbeat_timeout ago: any input since then proves the
 * peer alive. */
static void ping_unanswered(void *arg)
{
    struct mz_engine *e = arg;
    e->timeout_timer = 0;
    if (e->last_input_us <= e->ping_sent_us) {
        e->in_callback = true;
        fail(e, MZ_ENGINE_TIMEOUT);
        e->in_callback = false;
    }
}

/* The peer's PING asked us to drop it after ttl of silence. */
static void ttl_check(void *arg)
{
    struct mz_engine *e = arg;
    e->ttl_timer = 0;
    uint64_t idle_ms = (mz_clock_us() - e->last_input_us) / 1000;
    if (idle_ms < e->peer_ttl_ms) {
        e->ttl_timer = mz_reactor_add_timer(
            e->reactor, e->peer_ttl_ms - idle_ms, ttl_check, e);
        return;
    }
    e->in_callback = true;
    fail(e, MZ_ENGINE_TIMEOUT);
    e->in_callback = false;
}

static void heartbeat_due(void *arg)
{
    struct mz_engine *e = arg;
    e->heartbeat_timer = mz_reactor_add_timer(
        e->reactor, (uint64_t) e->options->heartbeat_ivl, heartbeat_due, e);
    e->ping_due = true;
    if (e->timeout_timer == 0) {
        int timeout = mz_options_heartbeat_timeout(e->options);
        e->ping_sent_us = mz_clock_us();
        e->timeout_timer = mz_reactor_add_timer(
            e->reactor, timeout > 0 ? (uint64_t) timeout : 1, ping_unanswered,
            e);
    }
    e->in_callback = true;
    pump_output(e);
    e->in_callback = false;
}

/* ---- handshake ------------------------------------------------------ */

static void protocol_error_noted(void *engine, int code)
{
    struct mz_engine *e = engine;
    note_handshake_failure(e, ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                           (uint64_t) code);
}

/* Asks the ZAP handler about the peer (the services' zap_request, and the
 * NULL mechanism's with ZMQ_ZAP_DOMAIN). 1: no handler and none required,
 * go on; 0: wait for mz_engine_zap_reply; -1: fail. */
static int zap_ask(void *engine, const char *mechanism,
                   const uint8_t *const *credentials,
                   const size_t *credential_sizes, size_t count)
{
    struct mz_engine *e = engine;
    if (e->zap_pending) {
        errno = EALREADY;
        return -1;
    }
    const struct mz_options *o = e->options;
    struct mz_zap_request request = {
        .domain = o->zap_domain,
        .address = mz_peer_metadata_get(e->metadata, "Peer-Address", NULL),
        .identity = o->routing_id,
        .identity_size = o->routing_id_size,
        .mechanism = mechanism,
        .credentials = credentials,
        .credential_sizes = credential_sizes,
        .credential_count = count,
    };
    errno = ECONNREFUSED;
    if (e->sink->zap_request != NULL &&
        e->sink->zap_request(e->session, &request) == 0) {
        e->zap_pending = true;
        return 0;
    }
    if (errno == EPIPE) {
        /* The context's handler died (zap.h): nobody will answer, as when
         * it dies holding this very request (mz_engine_zap_reply), and the
         * handshake timer ends the connection. libzmq would let the peer
         * in as if no handler had ever been bound. */
        e->zap_pending = true;
        return 0;
    }
    if (errno != ECONNREFUSED)
        return -1;
    /* No handler bound: libzmq 4.3 lets the peer in unless the domain is
     * enforced, and then reports EFAULT. */
    if (!o->zap_enforce_domain)
        return 1;
    note_handshake_failure(e, ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, EFAULT);
    errno = ECONNREFUSED;
    return -1;
}

static const struct mz_mechanism_host mechanism_host = {
    .protocol_error = protocol_error_noted,
    .zap_request = zap_ask,
};

/* Queues a handshake command, making room by writing if need be. */
static bool queue_command(struct mz_engine *e, struct mz_msg *command)
{
    if (!mz_zmtp_encoder_has_room(&e->encoder) &&
        mz_zmtp_encoder_write(&e->encoder, &e->stream) < 0) {
        fail(e, MZ_ENGINE_CONNECTION_CLOSED);
        return false;
    }
    if (!mz_zmtp_encoder_has_room(&e->encoder)) {
        errno = ENOBUFS;
        fail(e, MZ_ENGINE_CONNECTION_CLOSED);
        return false;
    }
    mz_zmtp_encoder_add(&e->encoder, true, NULL, 0, command, 0);
    return true;
}

/* Tells the peer why before hanging up; best effort, one write. */
static void send_error(struct mz_engine *e, const char *reason)
{
    struct mz_msg error;
    if (mz_null_error_build(reason, &error) == 0) {
        if (mz_zmtp_encoder_has_room(&e->encoder))
            mz_zmtp_encoder_add(&e->encoder, true, NULL, 0, &error, 0);
        mz_msg_close(&error);
        mz_zmtp_encoder_write(&e->encoder, &e->stream);
    }
}

/* The NULL mechanism's refusal of the peer's socket type: ERROR, then
 * hang up. libzmq publishes no handshake event for it. */
static void refuse(struct mz_engine *e, const char *reason)
{
    send_error(e, reason);
    note_handshake_failure(e, 0, 0);
    fail(e, MZ_ENGINE_INCOMPATIBLE);
}

/* Both sides are done: traffic from now on. */
static void handshake_complete(struct mz_engine *e)
{
    cancel_timer(e, &e->handshake_timer);
    e->handshake_done = true;
    e->state = TRAFFIC;
    e->output_idle = false;
    if (e->mechanism != NULL) {
        e->encodes = mz_mechanism_encodes(e->mechanism);
        e->decodes = mz_mechanism_decodes(e->mechanism);
    }
    if (!e->sink->ready(e->session, e->metadata)) {
        fail(e, MZ_ENGINE_INCOMPATIBLE);
        return;
    }
    /* RFC 23 (ZMTP 3.0) has no PING, but libzmq 4.3.4 sends it to 3.0
     * peers too, so that ZMQ_HEARTBEAT_TIMEOUT guards them; only 2.0
     * framing cannot carry it. */
    if (e->options->heartbeat_ivl > 0 && e->version != MZ_ZMTP_2_0)
        e->heartbeat_timer = mz_reactor_add_timer(
            e->reactor, (uint64_t) e->options->heartbeat_ivl, heartbeat_due, e);
    update_interest(e);
}

static void send_null_ready(struct mz_engine *e)
{
    struct mz_msg ready;
    if (mz_null_ready_build(e->options, &ready) < 0) {
        fail(e, MZ_ENGINE_CONNECTION_CLOSED);
        return;
    }
    bool queued = queue_command(e, &ready);
    mz_msg_close(&ready);
    if (queued)
        pump_output(e);
}

/* Sends what the plugin's session has due, then ends the handshake if it
 * says so. */
static void mechanism_progress(struct mz_engine *e)
{
    for (int i = 0; i < HANDSHAKE_BURST_MAX && e->state == HANDSHAKE; i++) {
        struct mz_msg command;
        mz_msg_init(&command);
        if (mz_mechanism_next_command(e->mechanism, &command) < 0) {
            mz_msg_close(&command);
            if (errno == EAGAIN)
                break;
            fail(e,
                 errno == EPROTO ? MZ_ENGINE_PROTOCOL : MZ_ENGINE_INCOMPATIBLE);
            return;
        }
        bool queued = queue_command(e, &command);
        mz_msg_close(&command);
        if (!queued)
            return;
    }
    if (e->state != HANDSHAKE)
        return;
    pump_output(e);
    if (e->state == HANDSHAKE && !e->zap_pending &&
        mz_mechanism_is_ready(e->mechanism))
        handshake_complete(e);
}

static void greeting_received(struct mz_engine *e)
{
    e->state = HANDSHAKE;
    if (e->mechanism_ops != NULL) {
        e->mechanism = mz_mechanism_new(e->mechanism_ops, e->options,
                                        e->metadata, &mechanism_host, e);
        if (e->mechanism == NULL) {
            fail(e, MZ_ENGINE_INCOMPATIBLE);
            return;
        }
        mechanism_progress(e);
        return;
    }
    /* NULL asks ZAP only when the socket names a domain. */
    const char *domain = e->options->zap_domain;
    if (domain != NULL && domain[0] != '\0') {
        int rc = zap_ask(e, "NULL", NULL, NULL, 0);
        if (rc < 0) {
            fail(e, MZ_ENGINE_INCOMPATIBLE);
            return;
        }
        if (rc == 0)
            return;
    }
    send_null_ready(e);
}

/* The peer's ERROR ends the handshake. A reason that is a ZAP status code
 * (300, 400, 500) means its ZAP handler refused us: HANDSHAKE_FAILED_AUTH
 * with that code, as libzmq reports it; libzmq publishes no handshake
 * event for other reasons. */
static void peer_error(struct mz_engine *e,
                       const struct mz_zmtp_command *command)
{
    const uint8_t *data = command->data;
    size_t size = command->data_size;
    if (size < 1 || data[0] > size - 1) {
        fail_protocol(e, MZ_ENGINE_PROTOCOL,
                      ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_ERROR);
        return;
    }
    const uint8_t *reason = data + 1;
    if (data[0] == 3 && reason[0] >= '3' && reason[0] <= '5' &&
        reason[1] == '0' && reason[2] == '0')
        note_handshake_failure(e, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH,
                               (uint64_t) (reason[0] - '0') * 100);
    else
        note_handshake_failure(e, 0, 0);
    errno = ECONNREFUSED;
    fail(e, MZ_ENGINE_INCOMPATIBLE);
}

static void null_command(struct mz_engine *e,
                         const struct mz_zmtp_command *command)
{
    if (e->peer_ready_received) {
        fail_protocol(e, MZ_ENGINE_PROTOCOL,
                      ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
        return;
    }
    switch (mz_null_parse(command, e->options->socket_type, e->metadata)) {
    case MZ_NULL_READY:
        break;
    case MZ_NULL_MALFORMED:
        /* As libzmq: a command other than READY is unexpected; a READY
         * whose properties do not parse fails with no handshake event. */
        if (!mz_zmtp_command_is(command, "READY")) {
            fail_protocol(e, MZ_ENGINE_PROTOCOL,
                          ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
            return;
        }
        note_handshake_failure(e, 0, 0);
        fail(e, MZ_ENGINE_PROTOCOL);
        return;
    case MZ_NULL_INCOMPATIBLE:
        refuse(e, "Invalid socket type");
        return;
    case MZ_NULL_NO_MEMORY:
        fail(e, MZ_ENGINE_CONNECTION_CLOSED);
        return;
    }
    e->peer_ready_received = true;
    /* With ZAP, our READY waits for the handler's 200. */
    if (!e->zap_pending)
        handshake_complete(e);
}

/* libzmq 4.3's PLAIN writes its ERROR name as the C string "\x05ERROR",
 * whose hex escape swallows the E: the body starts 0x5E "RROR", then the
 * reason. Its clients expect exactly that, so a libzmq PLAIN server's
 * refusal arrives so; read it as the ERROR it means. */
static bool libzmq_plain_error(const struct mz_engine *e,
                               const struct mz_msg *frame,
                               struct mz_zmtp_command *command)
{
    static const uint8_t name[] = { 0x5E, 'R', 'R', 'O', 'R' };
    const uint8_t *body = mz_msg_data((struct mz_msg *) frame);
    size_t size = mz_msg_size(frame);
    if (strcmp(e->mechanism_name, "PLAIN") != 0 || size < sizeof name ||
        memcmp(body, name, sizeof name) != 0)
        return false;
    command->name = body + 1;
    command->name_size = sizeof name - 1;
    command->data = body + sizeof name;
    command->data_size = size - sizeof name;
    return true;
}

static void handshake_command(struct mz_engine *e, struct mz_msg *frame)
{
    /* A command without even a name is the mechanism's to judge: libzmq's
     * GSSAPI client sends one when its security context is done. */
    if (e->mechanism != NULL && (frame->flags & MZ_MSG_COMMAND) &&
        mz_msg_size(frame) == 0) {
        if (mz_mechanism_process_command(e->mechanism, frame) < 0) {
            fail(e,
                 errno == EPROTO ? MZ_ENGINE_PROTOCOL : MZ_ENGINE_INCOMPATIBLE);
            return;
        }
        mechanism_progress(e);
        return;
    }
    struct mz_zmtp_command command;
    if ((frame->flags & MZ_MSG_COMMAND) &&
        libzmq_plain_error(e, frame, &command)) {
        peer_error(e, &command);
        return;
    }
    if (!(frame->flags & MZ_MSG_COMMAND) ||
        !mz_zmtp_command_parse(mz_msg_data(frame), mz_msg_size(frame),
                               &command)) {
        fail_protocol(e, MZ_ENGINE_PROTOCOL,
                      ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
        return;
    }
    if (mz_zmtp_command_is(&command, "ERROR")) {
        peer_error(e, &command);
        return;
    }
    if (e->mechanism == NULL) {
        null_command(e, &command);
        return;
    }
    if (mz_mechanism_process_command(e->mechanism, frame) < 0) {
        fail(e, errno == EPROTO ? MZ_ENGINE_PROTOCOL : MZ_ENGINE_INCOMPATIBLE);
        return;
    }
    mechanism_progress(e);
}

/* The handler refused the peer: ERROR with the status code (none for 300,
 * a temporary failure that RFC 27 and libzmq answer by just closing), and
 * HANDSHAKE_FAILED_AUTH here. */
static void zap_refused(struct mz_engine *e, int status_code)
{
    note_handshake_failure(e, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH,
                           (uint64_t) status_code);
    if (status_code != 300) {
        char reason[4];
        reason[0] = (char) ('0' + status_code / 100);
        reason[1] = reason[2] = '0';
        reason[3] = '\0';
        send_error(e, reason);
    }
    errno = EACCES;
    fail(e, MZ_ENGINE_INCOMPATIBLE);
}

/* A 200 reply: its User-Id and metadata go with every message the peer
 * sends, ahead of anything the peer said about itself. */
static bool zap_properties_added(struct mz_engine *e,
                                 const struct mz_zap_reply *reply)
{
    size_t first = mz_peer_metadata_count(e->metadata);
    if (mz_peer_metadata_add(e->metadata, "User-Id", strlen("User-Id"),
                             reply->user_id, reply->user_id_size) < 0) {
        fail(e, MZ_ENGINE_CONNECTION_CLOSED);
        return false;
    }
    switch (mz_zmtp_properties_read(reply->metadata, reply->metadata_size, -1,
                                    e->metadata)) {
    case MZ_PROPERTIES_OK:
        break;
    case MZ_PROPERTIES_NO_MEMORY:
        fail(e, MZ_ENGINE_CONNECTION_CLOSED);
        return false;
    default:
        fail_protocol(e, MZ_ENGINE_PROTOCOL,
                      ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA);
        return false;
    }
    mz_peer_metadata_promote(e->metadata, first);
    return true;
}

static void zap_replied(struct mz_engine *e, const struct mz_zap_reply *reply)
{
    if (reply->protocol_error != 0) {
        fail_protocol(e, MZ_ENGINE_PROTOCOL, reply->protocol_error);
        return;
    }
    if (reply->status_code != 200) {
        zap_refused(e, reply->status_code);
        return;
    }
    if (!zap_properties_added(e, reply))
        return;
    if (e->mechanism != NULL) {
        mz_mechanism_zap_accepted(e->mechanism);
        mechanism_progress(e);
        return;
    }
    send_null_ready(e);
    if (e->state == HANDSHAKE && e->peer_ready_received)
        handshake_complete(e);
}

void mz_engine_zap_reply(struct mz_engine *engine,
                         const struct mz_zap_reply *reply)
{
    if (engine->state != HANDSHAKE || !engine->zap_pending)
        return;
    /* A handler that closed without replying answers nothing: the request
     * stays pending, so the peer is neither let in nor told anything, and
     * the handshake timer (ZMQ_HANDSHAKE_IVL) ends the connection, as in
     * libzmq 4.3.4. Failing at once would have the client reconnect at
     * once and, with no handler bound any more, be let in (NULL, CURVE). */
    if (reply->handler_gone)
        return;
    engine->zap_pending = false;
    engine->in_callback = true;
    zap_replied(engine, reply);
    engine->in_callback = false;
}

/* ---- traffic input -------------------------------------------------- */

/* Hands one part to the session; a full pipe parks it in held_part. */
static void deliver(struct mz_engine *e, struct mz_msg *part)
{
    mz_msg_set_metadata(part, e->metadata);
    if (!e->sink->push(e->session, part)) {
        mz_msg_move(&e->held_part, part);
        e->input_blocked = true;
        update_interest(e);
        return;
    }
    /* The session took the part (bitwise): forget it without closing. */
    mz_msg_init(part);
    e->pushed = true;
}

/* A subscription command becomes the message form sessions use: a 1 or 0
 * byte followed by the topic. Only publishers care for them. */
static void deliver_subscription(struct mz_engine *e, bool subscribe,
                                 const struct mz_zmtp_command *command)
{
    int type = e->options->socket_type;
    if (type != ZMQ_PUB && type != ZMQ_XPUB)
        return;
    struct mz_msg part;
    if (mz_msg_init_size(&part, command->data_size + 1) < 0) {
        fail(e, MZ_ENGINE_CONNECTION_CLOSED);
        return;
    }
    uint8_t *p = mz_msg_data(&part);
    p[0] = subscribe ? 1 : 0;
    if (command->data_size > 0)
        memcpy(p + 1, command->data, command->data_size);
    deliver(e, &part);
    mz_msg_close(&part);
}

/* A DISH's data frame: each message is a group frame (MORE set, at most
 * 255 octets, no NUL) and a body frame (MORE clear), joined here into one
 * part with its group, as libzmq's DISH session does; any other layout
 * is a broken protocol and ends the connection, as in libzmq. */
static void dish_frame(struct mz_engine *e, struct mz_msg *frame)
{
    if (!e->group_pending) {
        size_t size = mz_msg_size(frame);
        /* A NUL in the group is found when the body joins it. */
        if (!mz_msg_has_more(frame) || size > MZ_MSG_GROUP_MAX) {
            fail(e, MZ_ENGINE_PROTOCOL);
            return;
        }
        memcpy(e->group, mz_msg_data(frame), size);
        e->group_size = size;
        e->group_pending = true;
        return;
    }
    if (mz_msg_has_more(frame)) {
        fail(e, MZ_ENGINE_PROTOCOL);
        return;
    }
    e->group_pending = false;
    if (mz_msg_set_group_n(frame, e->group, e->group_size) < 0) {
        fail(e, errno == EINVAL ? MZ_ENGINE_PROTOCOL
                                : MZ_ENGINE_CONNECTION_CLOSED);
        return;
    }
    deliver(e, frame);
}

/* A DISH's JOIN or LEAVE goes to a RADIO's socket as the command message
 * it is (radio.c reads it); any other socket type ignores it. A group
 * over RFC 48's 255 octets, or with a NUL in it, breaks the protocol. */
static void deliver_group_command(struct mz_engine *e, const char *name,
                                  const struct mz_zmtp_command *command)
{
    if (command->data_size > MZ_MSG_GROUP_MAX ||
        memchr(command->data, 0, command->data_size) != NULL) {
        fail(e, MZ_ENGINE_PROTOCOL);
        return;
    }
    if (e->options->socket_type != ZMQ_RADIO)
        return;
    struct mz_msg part;
    if (mz_zmtp_command_build(&part, name, command->data, command->data_size) <
        0) {
        fail(e, MZ_ENGINE_CONNECTION_CLOSED);
        return;
    }
    part.flags |= MZ_MSG_COMMAND;
    deliver(e, &part);
    mz_msg_close(&part);
}

static void ping_received(struct mz_engine *e,
                          const struct mz_zmtp_command *command)
{
    if (command->data_size < 2) {
        fail(e, MZ_ENGINE_PROTOCOL);
        return;
    }
    uint64_t ttl_ms =
        (((uint64_t) command->data[0] << 8) | command->data[1]) * 100;
    /* A context over RFC 37's 16 octets is cut to them, as libzmq does. */
    e->pong_context_size = command->data_size - 2;
    if (e->pong_context_size > PING_CONTEXT_MAX)
        e->pong_context_size = PING_CONTEXT_MAX;
    memcpy(e->pong_context, command->data + 2, e->pong_context_size);
    e->pong_due = true;
    if (ttl_ms > 0) {
        e->peer_ttl_ms = ttl_ms;
        if (e->ttl_timer == 0)
            e->ttl_timer =
                mz_reactor_add_timer(e->reactor, ttl_ms, ttl_check, e);
    }
    update_interest(e);
}

static void traffic_command(struct mz_engine *e, const struct mz_msg *frame)
{
    struct mz_zmtp_command command;
    if (!mz_zmtp_command_parse(mz_msg_data((struct mz_msg *) frame),
                               mz_msg_size(frame), &command)) {
        fail(e, MZ_ENGINE_PROTOCOL);
        return;
    }
    if (mz_zmtp_command_is(&command, "PING"))
        ping_received(e, &command);
    else if (mz_zmtp_command_is(&command, "SUBSCRIBE"))
        deliver_subscription(e, true, &command);
    else if (mz_zmtp_command_is(&command, "CANCEL"))
        deliver_subscription(e, false, &command);
    else if (mz_zmtp_command_is(&command, "JOIN"))
        deliver_group_command(e, "JOIN", &command);
    else if (mz_zmtp_command_is(&command, "LEAVE"))
        deliver_group_command(e, "LEAVE", &command);
    else if (mz_zmtp_command_is(&command, "ERROR") ||
             mz_zmtp_command_is(&command, "READY"))
        fail(e, MZ_ENGINE_PROTOCOL);
    /* PONG only proves life, as any input does; unknown commands are
     * ignored so that later protocol revisions can add their own. */
}

static void frame_received(struct mz_engine *e, struct mz_msg *frame)
{
    if (e->state == HANDSHAKE) {
        handshake_command(e, frame);
        return;
    }
    if (e->decodes && mz_mechanism_decode(e->mechanism, frame) < 0) {
        fail(e, MZ_ENGINE_PROTOCOL);
        return;
    }
    if (frame->flags & MZ_MSG_COMMAND)
        traffic_command(e, frame);
    else if (e->options->socket_type == ZMQ_DISH)
        dish_frame(e, frame);
    else
        deliver(e, frame);
}

/* The peer's version is known: the rest of our greeting, for 3.x, or the
 * 2.0 socket type and identity. */
static void finish_greeting(struct mz_engine *e)
{
    e->greeting_finished = true;
    if (e->version == MZ_ZMTP_2_0) {
        uint8_t rest[MZ_ZMTP_V2_GREETING_MAX];
        size_t size = mz_zmtp_v2_greeting_build(rest, e->options->socket_type,
                                                e->options->routing_id,
                                                e->options->routing_id_size);
        mz_zmtp_encoder_add_raw(&e->encoder, rest, size);
    } else {
        queue_greeting(e, MZ_ZMTP_GREETING_PARTIAL, MZ_ZMTP_GREETING_SIZE);
    }
    pump_output(e);
}

/* A ZMTP 2.0 peer's greeting carries what a READY would: its socket type
 * and identity. There is no handshake and no way to send an ERROR, so an
 * incompatible peer is just hung up on. */
static void v2_greeting_received(struct mz_engine *e)
{
    struct mz_zmtp_v2_peer peer;
    mz_zmtp_v2_greeting_parse(e->peer_greeting, &peer);
    const char *type = mz_socket_type_name(peer.socket_type);
    if (type == NULL || !mz_socket_types_compatible(e->options->socket_type,
                                                    peer.socket_type)) {
        note_handshake_failure(e, 0, 0);
        fail(e, MZ_ENGINE_INCOMPATIBLE);
        return;
    }
    if (mz_peer_metadata_add(e->metadata, "Socket-Type", strlen("Socket-Type"),
                             type, strlen(type)) < 0 ||
        mz_peer_metadata_add(e->metadata, "Identity", strlen("Identity"),
                             peer.identity, peer.identity_size) < 0) {
        fail(e, MZ_ENGINE_CONNECTION_CLOSED);
        return;
    }
    mz_zmtp_decoder_forbid_commands(&e->decoder);
    handshake_complete(e);
}

static void greeting_bytes(struct mz_engine *e)
{
    size_t want =
        mz_zmtp_greeting_expected(e->peer_greeting, e->greeting_have) -
        e->greeting_have;
    size_t avail = e->input_end - e->input_pos;
    size_t n = avail < want ? avail : want;
    memcpy(e->peer_greeting + e->greeting_have, e->input.bytes + e->input_pos,
           n);
    e->greeting_have += n;
    e->input_pos += n;
    enum mz_zmtp_greeting_status status = mz_zmtp_greeting_check(
        e->peer_greeting, e->greeting_have, e->mechanism_name, &e->version);
    if (status == MZ_GREETING_BAD) {
        fail_protocol(e, MZ_ENGINE_PROTOCOL,
                      ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED);
        return;
    }
    if (status == MZ_GREETING_WRONG_MECHANISM) {
        fail_protocol(e, MZ_ENGINE_INCOMPATIBLE,
                      ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH);
        return;
    }
    /* A 2.0 peer cannot be put to a ZAP handler: with a domain set it
     * would slip past authentication, so it is refused, as libzmq does. */
    if (e->version == MZ_ZMTP_2_0 &&
        e->greeting_have >= MZ_ZMTP_GREETING_PARTIAL &&
        e->options->zap_domain != NULL && e->options->zap_domain[0] != '\0') {
        fail_protocol(e, MZ_ENGINE_INCOMPATIBLE,
                      ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED);
        return;
    }
    if (!e->greeting_finished && e->greeting_have >= MZ_ZMTP_GREETING_PARTIAL) {
        finish_greeting(e);
        if (e->state == FAILED)
            return;
    }
    if (status != MZ_GREETING_DONE)
        return;
    if (e->version == MZ_ZMTP_2_0)
        v2_greeting_received(e);
    else
        greeting_received(e);
}

static bool may_consume(const struct mz_engine *e)
{
    return e->state != FAILED && !e->input_blocked;
}

static void decode_failed(struct mz_engine *e,
                          enum mz_zmtp_decode_status status)
{
    if (status == MZ_DECODE_TOO_LARGE)
        fail(e, MZ_ENGINE_TOO_LARGE);
    else if (status == MZ_DECODE_PROTOCOL)
        fail(e, MZ_ENGINE_PROTOCOL);
    else
        fail(e, MZ_ENGINE_CONNECTION_CLOSED);
}

/* Works through the buffered input until it is used up, the session's
 * pipe is full or the connection failed. */
static void process_input(struct mz_engine *e)
{
    while (may_consume(e) && e->input_pos < e->input_end) {
        if (e->state == GREETING) {
            greeting_bytes(e);
            continue;
        }
        size_t used;
        enum mz_zmtp_decode_status status =
            mz_zmtp_decoder_feed(&e->decoder, e->input.bytes + e->input_pos,
                                 e->input_end - e->input_pos, &e->input, &used);
        e->input_pos += used;
        if (status == MZ_DECODE_NEED_INPUT)
            continue;
        if (status != MZ_DECODE_FRAME) {
            decode_failed(e, status);
            return;
        }
        struct mz_msg frame;
        mz_msg_init(&frame);
        mz_zmtp_decoder_take(&e->decoder, &frame);
        frame_received(e, &frame);
        mz_msg_close(&frame);
    }
    if (e->input_pos == e->input_end)
        e->input_pos = e->input_end = 0;
}

/* One read: straight into a large body in progress (and the buffer after
 * it), or into the buffer. Returns bytes read, 0 at end of stream, -1 with
 * errno. Notes when a read of the bare fd came back short: the socket had
 * no more, and the reactor, level-triggered, says when it has. */
static ssize_t read_some(struct mz_engine *e)
{
    size_t space;
    uint8_t *body = e->state == GREETING
                        ? NULL
                        : mz_zmtp_decoder_body_space(&e->decoder, &space);
    e->input_pos = 0;
    e->input_end = 0;
    if (mz_recv_buffer_prepare(&e->input) < 0)
        return -1;
    if (body == NULL || space == 0) {
        ssize_t n =
            mz_byte_stream_read(&e->stream, e->input.bytes, e->input.size);
        e->input_end = n > 0 ? (size_t) n : 0;
        e->drained = n > 0 && (size_t) n < e->input.size &&
                     !mz_byte_stream_is_plugin(&e->stream);
        return n;
    }
    struct iovec iov[2] = { { body, space },
                            { e->input.bytes, e->input.size } };
    ssize_t n = mz_byte_stream_readv(&e->stream, iov, 2);
    if (n <= 0)
        return n;
    e->drained = (size_t) n < space + e->input.size &&
                 !mz_byte_stream_is_plugin(&e->stream);
    size_t into_body = (size_t) n < space ? (size_t) n : space;
    e->input_end = (size_t) n - into_body;
    enum mz_zmtp_decode_status status =
        mz_zmtp_decoder_body_filled(&e->decoder, into_body);
    if (status == MZ_DECODE_FRAME) {
        struct mz_msg frame;
        mz_msg_init(&frame);
        mz_zmtp_decoder_take(&e->decoder, &frame);
        frame_received(e, &frame);
        mz_msg_close(&frame);
    } else if (status != MZ_DECODE_NEED_INPUT) {
        decode_failed(e, status);
    }
    return n;
}

static void input_ready(struct mz_engine *e)
{
    bool got_input = false;
    for (int round = 0; round < IO_ROUNDS && may_consume(e); round++) {
        ssize_t n = read_some(e);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {
            /* libzmq reports a stream the peer closed as EPIPE (in a
             * HANDSHAKE_FAILED_NO_DETAIL, say), a failed read with its
             * errno. */
            if (n == 0)
                errno = EPIPE;
            fail(e, MZ_ENGINE_CONNECTION_CLOSED);
            break;
        }
        got_input = true;
        if (e->input_end > 0 && e->state != FAILED)
            process_input(e);
        /* A plugin's stream may hold bytes the fd does not signal: it is
         * read until it says EAGAIN. The bare fd is not read again for
         * an EAGAIN once a read came back short. */
        if (e->drained)
            break;
    }
    if (got_input)
        e->last_input_us = mz_clock_us();
    if (e->pushed && e->state != FAILED) {
        e->pushed = false;
        e->sink->flush(e->session);
    }
}

/* ---- output --------------------------------------------------------- */

/* A part or command through the mechanism's encode (CURVE, GSSAPI), then
 * into the batch as the frame it became. */
static void add_encoded(struct mz_engine *e, struct mz_msg *part)
{
    if (mz_mechanism_encode(e->mechanism, part) < 0) {
        fail(e, MZ_ENGINE_PROTOCOL);
        return;
    }
    mz_zmtp_encoder_add(&e->encoder, (part->flags & MZ_MSG_COMMAND) != 0, NULL,
                        0, part, 0);
}

/* A subscription command (name, then the topic after the part's first
 * byte) for a mechanism that encodes: it needs the whole body at once. */
static void add_encoded_subscription(struct mz_engine *e, const char *name,
                                     struct mz_msg *part)
{
    struct mz_msg command;
    if (mz_zmtp_command_build(&command, name, (uint8_t *) mz_msg_data(part) + 1,
                              mz_msg_size(part) - 1) < 0) {
        fail(e, MZ_ENGINE_CONNECTION_CLOSED);
        return;
    }
    command.flags |= MZ_MSG_COMMAND;
    add_encoded(e, &command);
    mz_msg_close(&command);
}

/* A RADIO's message goes out as two frames, its group (MORE set) and its
 * body, which is what libzmq 4.3.5 sends and expects over ZMTP 3.0 and
 * 3.1 alike. */
static void add_group_frame(struct mz_engine *e, const struct mz_msg *part)
{
    if (!e->encodes) {
        mz_zmtp_encoder_add_short(&e->encoder, true, mz_msg_group(part),
                                  mz_msg_group_size(part));
        return;
    }
    struct mz_msg group;
    if (mz_msg_init_buffer(&group, mz_msg_group(part),
                           mz_msg_group_size(part)) < 0) {
        fail(e, MZ_ENGINE_CONNECTION_CLOSED);
        return;
    }
    mz_msg_set_more(&group, true);
    add_encoded(e, &group);
    mz_msg_close(&group);
}

/* SUB and XSUB send their subscriptions as commands to a 3.1 peer; a
 * single-part message starting with 1 or 0 is one. A DISH's JOIN and
 * LEAVE are command parts already, sent as commands to 3.0 and 3.1 peers
 * as libzmq sends them; a RADIO's parts carry their group. */
static void encode_part(struct mz_engine *e, struct mz_msg *part)
{
    if (part->flags & MZ_MSG_COMMAND) {
        if (e->encodes)
            add_encoded(e, part);
        else
            mz_zmtp_encoder_add(&e->encoder, true, NULL, 0, part, 0);
        return;
    }
    if (e->options->socket_type == ZMQ_RADIO) {
        add_group_frame(e, part);
        if (e->state != TRAFFIC)
            return;
    }
    bool first = !e->sending_more;
    e->sending_more = mz_msg_has_more(part);
    int type = e->options->socket_type;
    if (e->version == MZ_ZMTP_3_1 && (type == ZMQ_SUB || type == ZMQ_XSUB) &&
        first && !e->sending_more && mz_msg_size(part) > 0) {
        uint8_t kind = *(const uint8_t *) mz_msg_data(part);
        if (kind == 1 || kind == 0) {
            if (e->encodes)
                add_encoded_subscription(e, kind ? "SUBSCRIBE" : "CANCEL",
                                         part);
            else if (kind == 1)
                mz_zmtp_encoder_add(&e->encoder, true, "\011SUBSCRIBE", 10,
                                    part, 1);
            else
                mz_zmtp_encoder_add(&e->encoder, true, "\006CANCEL", 7, part,
                                    1);
            return;
        }
    }
    if (e->encodes)
        add_encoded(e, part);
    else
        mz_zmtp_encoder_add(&e->encoder, false, NULL, 0, part, 0);
}

/* A heartbeat command, encoded when the mechanism protects traffic. */
static void add_command(struct mz_engine *e, struct mz_msg *command)
{
    if (e->encodes) {
        command->flags |= MZ_MSG_COMMAND;
        add_encoded(e, command);
    } else {
        mz_zmtp_encoder_add(&e->encoder, true, NULL, 0, command, 0);
    }
}

static void add_heartbeat_commands(struct mz_engine *e)
{
    struct mz_msg command;
    if (e->pong_due && mz_zmtp_encoder_has_room(&e->encoder)) {
        if (mz_zmtp_command_build(&command, "PONG", e->pong_context,
                                  e->pong_context_size) == 0) {
            add_command(e, &command);
            mz_msg_close(&command);
            e->pong_due = false;
        }
    }
    if (e->ping_due && mz_zmtp_encoder_has_room(&e->encoder)) {
        /* The TTL travels in tenths of a second. */
        unsigned ttl = (unsigned) (e->options->heartbeat_ttl / 100);
        uint8_t data[2] = { (uint8_t) (ttl >> 8), (uint8_t) ttl };
        if (mz_zmtp_command_build(&command, "PING", data, sizeof data) == 0) {
            add_command(e, &command);
            mz_msg_close(&command);
            e->ping_due = false;
        }
    }
}

/* Fills the batch from the session: heartbeats first, then parts. */
static void fill_batch(struct mz_engine *e)
{
    if (e->state != TRAFFIC)
        return;
    add_heartbeat_commands(e);
    while (e->state == TRAFFIC && !e->output_idle &&
           mz_zmtp_encoder_has_room(&e->encoder)) {
        struct mz_msg part;
        mz_msg_init(&part);
        if (!e->sink->pull(e->session, &part)) {
            e->output_idle = true;
            break;
        }
        encode_part(e, &part);
        mz_msg_close(&part);
    }
}

static void pump_output(struct mz_engine *e)
{
    for (int round = 0; round < IO_ROUNDS && e->state != FAILED; round++) {
        fill_batch(e);
        if (e->state == FAILED || !mz_zmtp_encoder_pending(&e->encoder))
            break;
        int rc = mz_zmtp_encoder_write(&e->encoder, &e->stream);
        if (rc < 0) {
            fail(e, MZ_ENGINE_CONNECTION_CLOSED);
            return;
        }
        if (rc == 0)
            break;
    }
    if (e->state == TRAFFIC && e->output_idle &&
        !mz_zmtp_encoder_pending(&e->encoder) && e->sink->drained != NULL)
        e->sink->drained(e->session);
    if (e->state != FAILED)
        update_interest(e);
}

/* ---- reactor callback ---------------------------------------------- */

/* The peer hung up or the fd failed while our pipe is full: stop watching
 * (the hang-up would be reported again and again) until the session makes
 * room; then reading resumes and finds the end of the stream itself. */
static void park(struct mz_engine *e)
{
    mz_reactor_remove_fd(e->handle);
    e->handle = NULL;
}

/* A plugin's stream on any readiness of the fd (or none, for input it
 * holds): its read may wait for the fd to be writable and its write for
 * it to be readable, so both go on as far as the engine wants them, and
 * a stream that asked for a writable fd while the engine has nothing to
 * send gets to flush what it owes of its own. */
static void stream_io(struct mz_engine *e, uint32_t events)
{
    if (e->input_blocked && (events & (MZ_REACTOR_ERROR | MZ_REACTOR_HANGUP))) {
        park(e);
        return;
    }
    if (!e->input_blocked)
        input_ready(e);
    if (e->state == FAILED || e->handle == NULL)
        return;
    pump_output(e);
    if (e->state != FAILED && (events & MZ_REACTOR_WRITABLE) &&
        !mz_zmtp_encoder_pending(&e->encoder) &&
        mz_byte_stream_writev(&e->stream, NULL, 0) < 0 && errno != EAGAIN &&
        errno != EWOULDBLOCK) {
        fail(e, MZ_ENGINE_CONNECTION_CLOSED);
        return;
    }
    if (e->state != FAILED)
        update_interest(e);
}

static void on_io(void *arg, uint32_t events)
{
    struct mz_engine *e = arg;
    e->in_callback = true;
    if (mz_byte_stream_is_plugin(&e->stream)) {
        stream_io(e, events);
    } else {
        if (events &
            (MZ_REACTOR_READABLE | MZ_REACTOR_ERROR | MZ_REACTOR_HANGUP)) {
            if (e->input_blocked)
                park(e);
            else
                input_ready(e);
        }
        if (e->state != FAILED && e->handle != NULL &&
            (events & MZ_REACTOR_WRITABLE))
            pump_output(e);
    }
    e->in_callback = false;
}

static void stream_readable(void *arg)
{
    struct mz_engine *e = arg;
    e->stream_timer = 0;
    if (e->state == FAILED || e->handle == NULL)
        return;
    e->in_callback = true;
    stream_io(e, 0);
    e->in_callback = false;
}

/* ---- the session's calls -------------------------------------------- */

static void resume_input_now(struct mz_engine *e)
{
    if (e->state == FAILED || !e->input_blocked)
        return;
    if (!e->sink->push(e->session, &e->held_part))
        return;
    mz_msg_init(&e->held_part);
    e->input_blocked = false;
    e->pushed = true;
    process_input(e);
    if (e->state == FAILED)
        return;
    if (e->handle == NULL && !e->input_blocked) {
        e->handle = mz_reactor_add_fd(e->reactor, e->stream.fd, on_io, e);
        if (e->handle == NULL) {
            fail(e, MZ_ENGINE_CONNECTION_CLOSED);
            return;
        }
    }
    if (e->pushed) {
        e->pushed = false;
        e->sink->flush(e->session);
    }
    update_interest(e);
}

static void resume_timer_fired(void *arg)
{
    struct mz_engine *e = arg;
    e->resume_timer = 0;
    e->in_callback = true;
    resume_input_now(e);
    e->in_callback = false;
}

void mz_engine_resume_input(struct mz_engine *engine)
{
    if (engine->state == FAILED || !engine->input_blocked)
        return;
    /* From inside one of our callbacks (a sink call), retrying now would
     * re-enter the session: come back from the loop instead. */
    if (engine->in_callback) {
        if (engine->resume_timer == 0)
            engine->resume_timer = mz_reactor_add_timer(
                engine->reactor, 0, resume_timer_fired, engine);
        return;
    }
    engine->in_callback = true;
    resume_input_now(engine);
    engine->in_callback = false;
}

void mz_engine_resume_output(struct mz_engine *engine)
{
    if (engine->state == FAILED)
        return;
    engine->output_idle = false;
    if (engine->in_callback || engine->state != TRAFFIC) {
        update_interest(engine);
        return;
    }
    engine->in_callback = true;
    pump_output(engine);
    engine->in_callback = false;
}

bool mz_engine_handshake_failure(const struct mz_engine *engine,
                                 uint64_t *event, uint64_t *value)
{
    if (engine->handshake_done)
        return false;
    *event = engine->handshake_failure_event;
    *value = engine->handshake_failure_value;
    return true;
}

void mz_engine_destroy(struct mz_engine *engine)
{
    if (engine == NULL)
        return;
    cancel_timer(engine, &engine->handshake_timer);
    cancel_timer(engine, &engine->heartbeat_timer);
    cancel_timer(engine, &engine->timeout_timer);
    cancel_timer(engine, &engine->ttl_timer);
    cancel_timer(engine, &engine->resume_timer);
    cancel_timer(engine, &engine->stream_timer);
    if (engine->handle != NULL)
        mz_reactor_remove_fd(engine->handle);
    mz_byte_stream_close(&engine->stream);
    engine_free(engine);
}
