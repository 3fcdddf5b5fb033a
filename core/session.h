/*
 * Sessions: the bridge between a socket's pipe and a ZMTP engine, living in
 * an I/O thread.
 *
 * A connecting session belongs to one zmq_connect endpoint and outlives its
 * connections: it creates the pipe at once (so messages queue before the
 * peer is reachable, as in libzmq) and runs an engine on each connection
 * its dialer (dialer.h) makes, asking the dialer for another when one
 * ends. An accepted session belongs to one accepted
 * connection: it creates its pipe when the handshake succeeds and ends with
 * the connection.
 *
 * The socket talks to a session only through their pipe: activations and
 * PIPE_TERM arrive in the session's mailbox, and the first command into an
 * empty mailbox queues a task on the session's reactor that runs them (no
 * descriptor per session: a connection costs one fd). When the socket closes its end (zmq_close,
 * zmq_disconnect) the session sends what is queued, for at most
 * ZMQ_LINGER, and then ends.
 */
#ifndef MZ_SESSION_H
#define MZ_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "mailbox.h"

struct mz_ctx;
struct mz_listener;
struct mz_net_endpoint;
struct mz_options;
struct mz_pipe;
struct mz_reactor;
struct mz_session;
struct mz_pipe_end;
struct mz_socket;
struct mz_zap_reply;

/* How a session drives its engine, whichever it is: ZMTP, the raw engine,
 * or a transport's own (a link, plugin_link.h). */
struct mz_engine_face {
    /* The pipe has room again / parts to send again. */
    void (*resume_input)(void *engine);
    void (*resume_output)(void *engine);
    /* The session is done with the engine. */
    void (*destroy)(void *engine);
    /* Optional, for an engine that asks ZAP (mz_engine_sink.zap_request):
     * the reply. */
    void (*zap_reply)(void *engine, const struct mz_zap_reply *reply);
    /* Optional: how the handshake failed, for its event (see
     * mz_engine_handshake_failure). */
    bool (*handshake_failure)(const void *engine, uint64_t *event,
                              uint64_t *value);
};

/* The sink every session engine feeds, with the session as its argument. */
extern const struct mz_engine_sink mz_session_sink;

/* Connect: creates the session and its dialer (dialer.h), which starts
 * connecting in an I/O thread. Unless ZMQ_IMMEDIATE is set, the pipe is
 * created at once and attached to s (*end_out is the socket's end, which
 * zmq_disconnect terminates); otherwise *end_out is NULL and the pipe
 * comes with the handshake. The session takes endpoint (uri is its text,
 * for events), and belongs to the socket until mz_session_stop.
 * Socket thread. -1 with errno. */
int mz_session_connect(struct mz_socket *s, struct mz_net_endpoint *endpoint,
                       const char *uri, struct mz_session **session_out,
                       struct mz_pipe_end **end_out);

/* zmq_disconnect or zmq_close: the socket lets go of a connecting session
 * (after terminating its end of the pipe, if it has one). What is queued
 * still goes out within ZMQ_LINGER; the session then frees itself. Waits
 * until the I/O thread has taken note, so that the session hands no new
 * pipe to the socket afterwards. Socket thread. Returns, with a reference
 * for the caller, the pipe of a ZMQ_IMMEDIATE connection that the socket
 * must still end (its end is attached, or its ATTACH is in the socket's
 * mailbox), or NULL. linger is the socket's ZMQ_LINGER at this moment,
 * which is the one that applies (as in libzmq, it is read at close). */
struct mz_pipe *mz_session_stop(struct mz_session *session, int linger);

/* A peer of the listener's endpoint: an accepted session, which attaches
 * its pipe to the listener's socket after the handshake unless the
 * listener has stopped by then; its transport gives it its engine next
 * (mz_session_connection or mz_session_run). Listener's thread. NULL with
 * errno ECONNABORTED (the listener is stopping) or ENOMEM. */
struct mz_session *mz_session_accepted(struct mz_listener *listener);

/* A connection on fd, connected or accepted: the session publishes
 * ZMQ_EVENT_CONNECTED or ZMQ_EVENT_ACCEPTED and runs ZMTP (the raw engine
 * for ZMQ_STREAM) on it. False, fd closed, when the engine could not
 * start: an accepted session then ends. */
bool mz_session_connection(struct mz_session *session, int fd);

/* engine, which the transport made, becomes the session's (it may report
 * ready from inside its own start, before this). */
void mz_session_run(struct mz_session *session, void *engine,
                    const struct mz_engine_face *face);

/* The session's engine gives its peer's connected fd to ZMTP, which takes
 * its place (the old engine retires itself). -1 with errno ECONNABORTED,
 * fd closed, when the session is ending anyway. */
int mz_session_run_zmtp(struct mz_session *session, int fd,
                        const char *peer_address);

/* The listener stopped before the session's handshake ended: end it
 * (listener thread). */
void mz_session_abort(struct mz_session *session);

/* The session's dialer makes no more attempts: the session ends. */
void mz_session_dialer_stopped(struct mz_session *session);

/* An event about the session's endpoint. Session thread. */
void mz_session_event(struct mz_session *session, uint64_t id, uint64_t value);

/* Its I/O thread, and its copy of the socket's options. */
struct mz_reactor *mz_session_reactor(const struct mz_session *session);
const struct mz_options *mz_session_options(const struct mz_session *session);

/* Makes session the owner of end (pipe.h): its commands go to the
 * session's mailbox, the end of its input to the session, and its
 * high-water mark events to the session's endpoint. */
void mz_session_own_pipe(struct mz_session *session, struct mz_pipe_end *end);

#endif
