/*
 * The ZMTP engine: speaks ZMTP 3.x over one connected, non-blocking fd on
 * behalf of one session, in the session's I/O thread, reading and writing
 * the fd itself or a transport's byte stream on it (byte_stream.h).
 *
 * The engine owns the fd (and the stream) from mz_engine_new until
 * mz_engine_destroy (which closes them). It registers the fd with the reactor, sends its greeting,
 * negotiates the version (3.1, or 3.0 with a 3.0 peer), runs the security
 * handshake (NULL's READY exchange itself, PLAIN, CURVE or GSSAPI through
 * their plugins, asking ZAP when the mechanism or ZMQ_ZAP_DOMAIN wants it)
 * and checks that the two socket types may talk (ENOCOMPATPROTO-style
 * refusal otherwise). From then on it decodes frames
 * into message parts for the session and encodes the session's parts into
 * frames, batching many messages into one write and decoding many from one
 * read. It answers PINGs, sends its own (ZMQ_HEARTBEAT_IVL) and gives up on
 * a silent peer (HEARTBEAT_TIMEOUT, or the TTL the peer asked for); it gives
 * up on a handshake that takes longer than HANDSHAKE_IVL; it refuses a
 * message larger than MAXMSGSIZE.
 *
 * Subscriptions travel through pipes as messages whose first byte is 1
 * (subscribe) or 0 (cancel) followed by the topic. The engine turns them
 * into SUBSCRIBE / CANCEL commands for a ZMTP 3.1 peer and keeps them as
 * messages for a 3.0 peer; what it receives in either form reaches the
 * session as such a message.
 *
 * The session supplies the callbacks below. They run on the I/O thread,
 * from within the engine's reactor callbacks; after engine_error the
 * engine makes no further calls and the session destroys it.
 */
#ifndef MZ_ENGINE_H
#define MZ_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "byte_stream.h"
#include "msg.h"
#include "options.h"

struct mz_engine;
struct mz_reactor;
struct modzmq_mechanism_ops;
struct mz_peer_metadata;
struct mz_zap_request;
struct mz_zap_reply;

/* Why an engine stopped, for the session's reconnect decision and for the
 * events monitoring will publish. */
enum mz_engine_error {
    MZ_ENGINE_CONNECTION_CLOSED, /* the peer closed or the fd failed */
    MZ_ENGINE_TIMEOUT,           /* handshake or heartbeat timeout */
    MZ_ENGINE_PROTOCOL,          /* malformed or unexpected wire data */
    MZ_ENGINE_INCOMPATIBLE,      /* socket types may not talk, or no
                                    common mechanism */
    MZ_ENGINE_TOO_LARGE          /* a message over ZMQ_MAXMSGSIZE */
};

struct mz_engine_sink {
    /* The handshake succeeded. metadata holds the peer's properties (see
     * below); the session keeps a reference if it wants one. The peer's
     * Identity property is the routing id to hand to the pipe. Returns
     * false to drop the connection. */
    bool (*ready)(void *session, struct mz_peer_metadata *metadata);
    /* One decoded message part (flags: MORE; every part already carries
     * the connection's metadata). Returns false if the pipe is full: the
     * part is left untouched in *m, the engine stops reading, and it
     * retries that same part after mz_engine_resume_input. */
    bool (*push)(void *session, struct mz_msg *m);
    /* Makes the parts pushed so far visible to the socket. */
    void (*flush)(void *session);
    /* The next part to send into *m, or false when none is ready (the
     * engine stops asking until mz_engine_resume_output). */
    bool (*pull)(void *session, struct mz_msg *m);
    /* The connection is over; the session must destroy the engine (not
     * from inside this callback: defer it, for instance with a reactor
     * task). */
    void (*error)(void *session, enum mz_engine_error reason);
    /* Optional: everything pulled so far is written to the fd and pull has
     * nothing more, so a closing session may end now (ZMQ_LINGER). May be
     * called more than once. */
    void (*drained)(void *session);
    /* Optional: sends a ZAP request (zap.h) on the engine's behalf; its
     * reply goes to mz_engine_zap_reply, from outside the engine's own
     * callbacks. 0, or -1 with errno ECONNREFUSED when no handler is
     * bound (a NULL member counts as no handler). */
    int (*zap_request)(void *session, const struct mz_zap_request *request);
};

/* Starts an engine on fd (now owned by it). options is the session's copy,
 * which must outlive the engine; mechanism is the plugin of its
 * ZMQ_MECHANISM, which the caller resolved (mz_mechanism_find), NULL for
 * ZMQ_NULL. peer_address feeds the "Peer-Address" property (may be NULL).
 * NULL with errno on failure, fd then closed. */
struct mz_engine *mz_engine_new(struct mz_reactor *reactor, int fd,
                                const struct mz_options *options,
                                const struct modzmq_mechanism_ops *mechanism,
                                const char *peer_address,
                                const struct mz_engine_sink *sink,
                                void *session);
/* The same over a byte stream (byte_stream.h: a transport's TLS or
 * WebSocket stream on the fd, or the fd itself), which the engine owns
 * from now on, closing it on failure too. */
struct mz_engine *mz_engine_new_on_stream(
    struct mz_reactor *reactor, struct mz_byte_stream stream,
    const struct mz_options *options,
    const struct modzmq_mechanism_ops *mechanism, const char *peer_address,
    const struct mz_engine_sink *sink, void *session);
/* The pipe has room again: retry the held part and read on. */
void mz_engine_resume_input(struct mz_engine *engine);
/* The pipe has parts to send again. */
void mz_engine_resume_output(struct mz_engine *engine);
/* The reply to the engine's ZAP request (see mz_engine_sink.zap_request):
 * the handshake goes on, or fails with the status code or the reply's
 * protocol error. */
void mz_engine_zap_reply(struct mz_engine *engine,
                         const struct mz_zap_reply *reply);
/* Stops watching the fd, closes it and frees everything. */
void mz_engine_destroy(struct mz_engine *engine);

/* How the handshake of an engine that reported an error ended, for the
 * ZMQ_EVENT_HANDSHAKE_FAILED_* events: false when it had succeeded (the
 * error came later). Otherwise *event is ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
 * (*value a ZMQ_PROTOCOL_ERROR_* code), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH
 * (*value the ZAP status code), ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL
 * (*value the errno of the failure), or 0 when libzmq publishes no
 * handshake event for that failure. */
bool mz_engine_handshake_failure(const struct mz_engine *engine,
                                 uint64_t *event, uint64_t *value);

#endif
