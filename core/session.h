/*
 * Sessions: the bridge between a socket's pipe and a ZMTP engine, living in
 * an I/O thread.
 *
 * A connecting session belongs to one zmq_connect endpoint and outlives its
 * connections: it creates the pipe at once (so messages queue before the
 * peer is reachable, as in libzmq), starts a connect through the transport
 * plugin, runs an engine on the connected fd, and after a failure or a
 * disconnection tries again after ZMQ_RECONNECT_IVL, doubling up to
 * ZMQ_RECONNECT_IVL_MAX. An accepted session belongs to one accepted
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

#include <modzmq/engine_transport.h>

#include "mailbox.h"

struct mz_ctx;
struct mz_listener;
struct mz_pipe;
struct mz_session;
struct mz_pipe_end;
struct mz_socket;

/* Connect: creates the session and starts connecting in an I/O thread.
 * Unless ZMQ_IMMEDIATE is set, the pipe is created at once and attached
 * to s (*end_out is the socket's end, which zmq_disconnect terminates);
 * otherwise *end_out is NULL and the pipe comes with the handshake. The
 * session takes endpoint (uri is its text, for events), and belongs to
 * the socket until mz_session_stop.
 * Socket thread. -1 with errno. */
int mz_session_connect(struct mz_socket *s,
                       const struct modzmq_transport_ops *ops,
                       modzmq_endpoint *endpoint, const char *uri,
                       struct mz_session **session_out,
                       struct mz_pipe_end **end_out);

/* The same for an own-engine transport (engine_transport.h): the session
 * runs links instead of connecting fds. */
int mz_session_connect_link(struct mz_socket *s,
                            const struct modzmq_engine_transport_ops *ops,
                            modzmq_endpoint *endpoint, const char *uri,
                            struct mz_session **session_out,
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

/* Accept: runs an engine on fd for the listener's socket (listener's
 * thread). The session attaches its pipe to the socket after the
 * handshake, unless the listener has stopped by then. */
void mz_session_accept(struct mz_listener *listener, int fd);

/* An own-engine transport's new peer on a bound endpoint: an accepted
 * session whose engine is a link with the plugin's state (listener's
 * thread). NULL with errno ECONNABORTED or ENOMEM. */
modzmq_link *mz_session_accept_link(struct mz_listener *listener,
                                    modzmq_link_state *state);

/* A link gives its peer's connected fd to ZMTP, which becomes the
 * session's engine in the link's place (the link retires itself). -1 with
 * errno ECONNABORTED, fd closed, when the session is ending anyway. */
int mz_session_link_to_zmtp(struct mz_session *session, int fd,
                            const char *peer_address);

/* The listener stopped before the session's handshake ended: end it
 * (listener thread). */
void mz_session_abort(struct mz_session *session);

/* Where the session's events go, and the endpoint it serves (the connect
 * URI, or the bound URI of an accepted session). Session thread. */
struct mz_event_source *mz_session_events(const struct mz_session *session);
const char *mz_session_uri(const struct mz_session *session);

/* Any thread: a pipe command for the session (see mz_pipe). */
void mz_session_post(struct mz_session *session, const struct mz_command *cmd);
/* The session's pipe read the socket's delimiter (session thread). */
void mz_session_pipe_ended(struct mz_session *session, struct mz_pipe_end *end);

#endif
