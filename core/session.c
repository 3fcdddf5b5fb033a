/*
 * Network sessions; see session.h.
 *
 * A session's engine is ZMTP or the raw engine (ZMQ_STREAM) on a
 * connected fd, or one that the endpoint's transport made
 * (mz_session_run, an own-engine transport's link); the session drives
 * each through its struct mz_engine_face and does not know which it has.
 * A connecting session's dialer (dialer.h) makes the connections.
 *
 * The session's life, one state after another (never back):
 *
 *   OPEN       the socket holds its end of the pipe (or will)
 *   CLOSING    the socket closed its end (PIPE_TERM, zmq_disconnect,
 *              zmq_close): what is queued goes out within ZMQ_LINGER
 *   DRAINING   everything queued is in the engine: the session ends once
 *              the engine reports it written
 *   FINISHING  session_finish is queued
 *   RELEASED   session_finish ran: only the struct is left, freed once
 *              the socket has let go too (detached)
 *
 * Everything here but mz_session_connect and the mailbox post (owner_post)
 * runs on the session's I/O thread. A session ends in one place,
 * session_finish, which is always reached through a reactor task so that
 * no engine or pipe call is still on the stack when the session is freed.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "byte_stream.h"
#include "ctx.h"
#include "dialer.h"
#include "engine.h"
#include "event_bus.h"
#include "fd_endpoint.h"
#include "listener.h"
#include "mechanism.h"
#include "options.h"
#include "peer_metadata.h"
#include "pipe.h"
#include "raw_engine.h"
#include "reactor.h"
#include "session.h"
#include "socket.h"
#include "transport.h"
#include "zap.h"
#include "zmq.h"

enum session_state {
    SESSION_OPEN,
    SESSION_CLOSING,
    SESSION_DRAINING,
    SESSION_FINISHING,
    SESSION_RELEASED,
};

struct mz_session {
    enum session_state state;
    struct mz_ctx *ctx;
    struct mz_reactor *reactor;
    struct mz_options options; /* the socket's options at connect/accept */
    /* Pipe commands from the socket; a reactor task runs them. */
    struct mz_mailbox mailbox;

    struct mz_pipe_end *end; /* the session's end of the pipe, or NULL */
    void *engine;            /* the current connection's engine, or NULL */
    const struct mz_engine_face *face;
    bool input_blocked;   /* the engine waits for room in the pipe */
    bool routing_id_sent; /* the peer's id went into the pipe */
    bool engine_failed;   /* engine_gone is queued */
    bool protocol_failed; /* ... because the peer broke the protocol */
    uint64_t origin;      /* an accepted session's listener id, else 0 */
    struct mz_zap *zap;   /* the engine's ZAP request in flight, or NULL */

    /* Connecting sessions make their connections through it; NULL for an
     * accepted session. */
    struct mz_dialer *dialer;

    bool handshaken; /* the current connection got past READY */
    bool hello_due;  /* ZMQ_HELLO_MSG goes out before the pipe's */

    /* Accepted sessions, and connecting ones with ZMQ_IMMEDIATE, create
     * their pipe when a handshake succeeds. */
    bool accepted;
    /* The transport carries the peer's commands (transport.h), from the
     * endpoint, for the pipe's all_groups. */
    bool carries_commands;
    struct mz_listener *listener; /* while handshaking, else NULL */
    struct mz_socket *socket;     /* where the pipe goes, until detached */

    /* A connecting session belongs to its socket's endpoint until the
     * socket lets go (mz_session_stop); only then may it be freed. */
    bool detached;
    uint64_t linger_timer;

    /* Events: the socket's source (a reference), the endpoint the
     * application named (connect URI, or the listener's bound one), and
     * the current connection's fd and far end, for as long as it lasts. */
    struct mz_event_source *events;
    char *uri;
    int event_fd;
    char *local;  /* connecting: our end; accepted: the bound URI */
    char *remote; /* connecting: the URI; accepted: the peer's end */
};

/* The only way the state changes: forward. */
static void advance(struct mz_session *session, enum session_state to)
{
    if (session->state < to)
        session->state = to;
}

static bool is_ending(const struct mz_session *session)
{
    return session->state >= SESSION_FINISHING;
}

/* An event about this session's endpoint. */
void mz_session_event(struct mz_session *session, uint64_t id, uint64_t value)
{
    if (!mz_event_wanted(session->events, id))
        return;
    const char *local = session->accepted ? session->uri : session->local;
    const char *remote = session->accepted ? session->remote : session->uri;
    mz_event_publish_value(session->events, id, value, session->accepted, local,
                           remote);
}

/* The connection on fd begins: remember its far end for its events. */
static void session_connection_named(struct mz_session *session, int fd)
{
    session->event_fd = fd;
    if (!mz_event_wanted(session->events, ~0ULL))
        return;
    char **end = session->accepted ? &session->remote : &session->local;
    free(*end);
    *end = mz_fd_endpoint(fd, !session->accepted, session->uri);
}

/* ZMTP, or the raw engine for ZMQ_STREAM, on a connected fd. */
static void zmtp_resume_input(void *engine)
{
    mz_engine_resume_input(engine);
}

static void zmtp_resume_output(void *engine)
{
    mz_engine_resume_output(engine);
}

static void zmtp_destroy(void *engine)
{
    mz_engine_destroy(engine);
}

static void zmtp_zap_reply(void *engine, const struct mz_zap_reply *reply)
{
    mz_engine_zap_reply(engine, reply);
}

static bool zmtp_handshake_failure(const void *engine, uint64_t *event,
                                   uint64_t *value)
{
    return mz_engine_handshake_failure(engine, event, value);
}

static const struct mz_engine_face zmtp_face = {
    .resume_input = zmtp_resume_input,
    .resume_output = zmtp_resume_output,
    .destroy = zmtp_destroy,
    .zap_reply = zmtp_zap_reply,
    .handshake_failure = zmtp_handshake_failure,
};

static void raw_resume_input(void *engine)
{
    mz_raw_engine_resume_input(engine);
}

static void raw_resume_output(void *engine)
{
    mz_raw_engine_resume_output(engine);
}

static void raw_destroy(void *engine)
{
    mz_raw_engine_destroy(engine);
}

static const struct mz_engine_face raw_face = {
    .resume_input = raw_resume_input,
    .resume_output = raw_resume_output,
    .destroy = raw_destroy,
};

static void session_schedule_finish(struct mz_session *session);
static void start_linger(struct mz_session *session);

/* ---- the mailbox --------------------------------------------------- */

static void zap_input(struct mz_session *session, bool peer_closed);

static void run_pipe_command(struct mz_session *session,
                             const struct mz_command *cmd)
{
    struct mz_pipe_end *end = &cmd->pipe->end[cmd->side];
    if (session->zap != NULL && mz_zap_owns(session->zap, end)) {
        zap_input(session, cmd->type == MZ_CMD_PIPE_TERM);
        return;
    }
    if (end != session->end || is_ending(session))
        return;
    switch (cmd->type) {
    case MZ_CMD_ACTIVATE_READ:
        if (session->engine != NULL)
            session->face->resume_output(session->engine);
        break;
    case MZ_CMD_ACTIVATE_WRITE:
        if (end->muted)
            mz_pipe_hwm_cleared(end);
        if (session->engine != NULL && session->input_blocked) {
            session->input_blocked = false;
            session->face->resume_input(session->engine);
        }
        break;
    case MZ_CMD_HWM:
        mz_pipe_hwm_changed(end);
        break;
    case MZ_CMD_PIPE_TERM:
        end->peer_closed = true;
        advance(session, SESSION_CLOSING);
        if (end->pipe->linger != MZ_PIPE_LINGER_UNSET)
            session->options.linger = end->pipe->linger;
        if (session->options.linger == 0) {
            session_schedule_finish(session);
            break;
        }
        /* What is queued still goes out, for at most ZMQ_LINGER: through
         * the engine, or through the connection still being made. */
        start_linger(session);
        /* Notices the delimiter when nothing is left to send. */
        mz_pipe_check_read(end);
        if (!is_ending(session) && session->engine != NULL)
            session->face->resume_output(session->engine);
        break;
    default:
        break;
    }
}

static void run_mailbox(struct mz_session *session)
{
    struct mz_command cmd;
    while (mz_mailbox_take(&session->mailbox, &cmd)) {
        run_pipe_command(session, &cmd);
        mz_pipe_unref(cmd.pipe);
    }
}

/* The task a post into an empty mailbox queues. One may still be queued
 * when the session ends: it finds the session released, and the session's
 * memory is freed by a task queued after every such wake-up
 * (session_free_later). */
static void mailbox_ready(void *arg)
{
    struct mz_session *session = arg;
    if (session->state != SESSION_RELEASED)
        run_mailbox(session);
}

/* Called with the pipe's lock held, while the pipe names this session as
 * an end's owner: session_finish takes the session off every pipe before
 * it queues the free, so every wake-up task is queued before it. Only the
 * reactor's eventfd write waits for the pipe's unlock (*wake), and the
 * reactor outlives it (mz_reactor_free waits for such writes). */
static void owner_post(void *owner, const struct mz_command *cmd,
                       struct mz_wakeup *wake)
{
    struct mz_session *session = owner;
    if (mz_mailbox_post(&session->mailbox, cmd))
        mz_reactor_post_deferred(session->reactor, mailbox_ready, session,
                                 "waking a session", wake);
}

static void pipe_ended(struct mz_session *session, struct mz_pipe_end *end);

static void owner_ended(void *owner, struct mz_pipe_end *end)
{
    pipe_ended(owner, end);
}

static struct mz_event_source *owner_events(void *owner)
{
    return ((struct mz_session *) owner)->events;
}

/* What the session's end writes came from its endpoint. */
static const char *owner_endpoint(void *owner, const struct mz_pipe_end *end)
{
    (void) end;
    return ((struct mz_session *) owner)->uri;
}

static const struct mz_pipe_owner_ops session_pipe_owner = {
    .post = owner_post,
    .ended = owner_ended,
    .events = owner_events,
    .endpoint = owner_endpoint,
    .outbound = false,
};

void mz_session_own_pipe(struct mz_session *session, struct mz_pipe_end *end)
{
    mz_pipe_set_owner(end, &session_pipe_owner, session);
}

/* ---- the engine's side ------------------------------------------- */

/* The endpoint whose transport names a connection's peer: the dialer's,
 * or the listener's while an accepted session starts. */
static const struct mz_net_endpoint *
connection_endpoint(const struct mz_session *session)
{
    if (session->dialer != NULL)
        return mz_dialer_endpoint(session->dialer);
    return mz_listener_endpoint(session->listener);
}

/* A pipe between socket (end[0], which may not own it yet: NULL) and the
 * session (end[1], taken now), limited by the session's HWMs. */
static struct mz_pipe *session_pipe_new(struct mz_session *session,
                                        struct mz_socket *socket)
{
    const struct mz_options *o = &session->options;
    struct mz_pipe *pipe =
        mz_pipe_new((uint64_t) (o->sndhwm > 0 ? o->sndhwm : 0),
                    (uint64_t) (o->rcvhwm > 0 ? o->rcvhwm : 0), o->conflate);
    if (pipe == NULL)
        return NULL;
    if (socket != NULL)
        mz_socket_own_pipe(socket, &pipe->end[0]);
    pipe->end[0].all_groups = !session->carries_commands;
    /* Names the peer in the socket's MODZMQ_EVENT_PEER_COUNTERS: the
     * address it came from, or the endpoint connected to (NULL when
     * memory ran out: the events then name none). */
    const char *peer = session->accepted && session->remote != NULL
                           ? session->remote
                           : session->uri;
    pipe->end[0].endpoint = strdup(peer);
    session->end = &pipe->end[1];
    mz_session_own_pipe(session, session->end);
    session->end->attached = true;
    return pipe;
}

/* Creates the pipe of an accepted (or ZMQ_IMMEDIATE) session and hands
 * the socket's end over through the socket's mailbox. */
static bool attach_pipe(struct mz_session *session)
{
    if (session->socket == NULL)
        return false;
    struct mz_pipe *pipe = session_pipe_new(session, NULL);
    if (pipe == NULL)
        return false;
    /* The socket's end is the socket's from now on, so that activations
     * reach it; the command carries a reference of its own. */
    pipe->origin = session->origin;
    mz_socket_own_pipe(session->socket, &pipe->end[0]);
    mz_pipe_ref(pipe);
    struct mz_command attach = { .type = MZ_CMD_ATTACH,
                                 .pipe = pipe,
                                 .side = 0 };
    mz_socket_post(session->socket, &attach);
    return true;
}

static bool engine_ready(void *arg, struct mz_peer_metadata *metadata)
{
    struct mz_session *session = arg;
    if (session->listener != NULL) {
        if (mz_listener_is_stopping(session->listener))
            return false;
        mz_listener_untrack(session->listener, session);
        session->listener = NULL;
    }
    if (session->end == NULL && !attach_pipe(session))
        return false;
    session->handshaken = true;
    if (session->dialer != NULL)
        mz_dialer_handshaken(session->dialer);
    mz_session_event(session, ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0);
    /* The peer's routing id goes first into the pipe, once per pipe: a
     * ROUTER learns who is there from it (empty: make one up). */
    if (!session->routing_id_sent && !session->options.conflate) {
        size_t size = 0;
        const char *id = NULL;
        if (metadata != NULL)
            id = mz_peer_metadata_get(metadata, "Identity", &size);
        if (id == NULL)
            size = 0;
        if (mz_pipe_send_routing_id(session->end, id, size) < 0)
            return false;
        session->routing_id_sent = true;
    }
    /* ZMQ_ROUTER_NOTIFY: an empty message from the peer, once per
     * connection; dropped at the high-water mark, as in libzmq. */
    if (session->options.router_notify & ZMQ_NOTIFY_CONNECT) {
        struct mz_msg notice;
        mz_msg_init(&notice);
        if (mz_pipe_write(session->end, &notice))
            mz_pipe_flush(session->end);
        else
            mz_msg_close(&notice);
    }
    session->hello_due = session->options.hello_msg.size > 0;
    return true;
}

static bool engine_push(void *arg, struct mz_msg *m)
{
    struct mz_session *session = arg;
    if (session->end == NULL || session->end->peer_closed) {
        /* The socket is gone: what arrives now has nowhere to go. */
        mz_msg_close(m);
        mz_msg_init(m);
        return true;
    }
    if (mz_pipe_write(session->end, m))
        return true;
    session->input_blocked = true;
    return false;
}

static void engine_flush(void *arg)
{
    struct mz_session *session = arg;
    if (session->end != NULL)
        mz_pipe_flush(session->end);
}

static bool engine_pull(void *arg, struct mz_msg *m)
{
    struct mz_session *session = arg;
    if (session->hello_due) {
        /* ZMQ_HELLO_MSG: each new peer's first message, ahead of what
         * the socket queued (libzmq 4.3.5). */
        session->hello_due = false;
        const struct mz_blob *hello = &session->options.hello_msg;
        if (mz_msg_init_buffer(m, hello->data, hello->size) == 0)
            return true;
        mz_msg_init(m);
    }
    if (session->end == NULL || session->end->ended)
        return false;
    return mz_pipe_read(session->end, m);
}

static void engine_gone(void *arg);

/* Whether the connection failed because of what the peer sent, rather
 * than because the network or a timer ended it. libzmq does not reconnect
 * after such a failure (a peer of the wrong socket type, or one that
 * refuses our credentials, would refuse us again), and neither do we. */
static bool is_protocol_failure(enum mz_engine_error reason)
{
    return reason == MZ_ENGINE_PROTOCOL || reason == MZ_ENGINE_INCOMPATIBLE ||
           reason == MZ_ENGINE_TOO_LARGE;
}

static void engine_error(void *arg, enum mz_engine_error reason)
{
    struct mz_session *session = arg;
    /* A session already ending destroys its engine itself. */
    if (is_ending(session) || session->engine_failed)
        return;
    session->engine_failed = true;
    session->protocol_failed = is_protocol_failure(reason);
    mz_reactor_post_or_abort(session->reactor, engine_gone, session,
                             "ending a connection");
}

static void engine_drained(void *arg);

/* The engine asks the ZAP handler; the reply comes through the mailbox. */
static int engine_zap_request(void *arg, const struct mz_zap_request *request)
{
    struct mz_session *session = arg;
    mz_zap_free(session->zap);
    session->zap = mz_zap_request(session->ctx, session, request);
    return session->zap != NULL ? 0 : -1;
}

static void zap_input(struct mz_session *session, bool peer_closed)
{
    struct mz_zap_reply reply;
    if (!mz_zap_receive(session->zap, peer_closed, &reply))
        return;
    struct mz_zap *zap = session->zap;
    session->zap = NULL;
    if (session->engine != NULL && !session->engine_failed &&
        !is_ending(session) && session->face->zap_reply != NULL)
        session->face->zap_reply(session->engine, &reply);
    mz_zap_free(zap);
}

const struct mz_engine_sink mz_session_sink = {
    .ready = engine_ready,
    .push = engine_push,
    .flush = engine_flush,
    .pull = engine_pull,
    .error = engine_error,
    .drained = engine_drained,
    .zap_request = engine_zap_request,
};

/* What the previous connection left is forgotten before the next one
 * (which may report ready from inside its own start). */
static void connection_reset(struct mz_session *session)
{
    session->input_blocked = false;
    session->handshaken = false;
    session->hello_due = false;
}

/* Runs ZMTP (or the raw engine, on the bare fd) on a connected stream. */
static void run_engine(struct mz_session *session, struct mz_byte_stream stream,
                       const char *peer_address)
{
    connection_reset(session);
    if (session->options.socket_type == ZMQ_STREAM) {
        session->face = &raw_face;
        session->engine =
            mz_raw_engine_new(session->reactor, stream.fd, &session->options,
                              peer_address, &mz_session_sink, session);
    } else {
        session->face = &zmtp_face;
        const struct modzmq_mechanism_ops *mechanism;
        if (mz_mechanism_find(session->options.mechanism, &mechanism) < 0) {
            mz_byte_stream_close(&stream);
            session->engine = NULL;
            return;
        }
        session->engine = mz_engine_new_on_stream(
            session->reactor, stream, &session->options, mechanism,
            peer_address, &mz_session_sink, session);
    }
}

void mz_session_run(struct mz_session *session, void *engine,
                    const struct mz_engine_face *face)
{
    session->engine = engine;
    session->face = face;
}

bool mz_session_connection(struct mz_session *session, int fd)
{
    session_connection_named(session, fd);
    mz_session_event(
        session, session->accepted ? ZMQ_EVENT_ACCEPTED : ZMQ_EVENT_CONNECTED,
        (uint64_t) fd);
    const struct mz_net_endpoint *endpoint = connection_endpoint(session);
    char peer[256];
    const char *peer_address = NULL;
    if (endpoint->kind->peer_address != NULL &&
        endpoint->kind->peer_address(endpoint, fd, peer, sizeof peer) >= 0)
        peer_address = peer;
    /* The raw engine of ZMQ_STREAM reads the bare fd only. */
    struct mz_byte_stream stream;
    if (endpoint->kind->open_stream(endpoint, fd,
                                    session->options.socket_type == ZMQ_STREAM,
                                    &stream) < 0) {
        close(fd);
        session->engine = NULL;
    } else {
        run_engine(session, stream, peer_address);
    }
    if (session->engine != NULL)
        return true;
    if (session->accepted)
        session_schedule_finish(session);
    return false;
}

int mz_session_run_zmtp(struct mz_session *session, int fd,
                        const char *peer_address)
{
    /* An ending session destroys its current engine itself. */
    if (is_ending(session) || session->engine_failed) {
        close(fd);
        errno = ECONNABORTED;
        return -1;
    }
    /* The current engine retires itself; ZMTP takes its place. */
    run_engine(session, mz_byte_stream_of_fd(fd), peer_address);
    if (session->engine == NULL)
        engine_error(session, MZ_ENGINE_CONNECTION_CLOSED);
    return 0;
}

/* The events of a connection that failed: how its handshake failed, if
 * it did and libzmq would say so, then DISCONNECTED. */
static void publish_engine_end(struct mz_session *session)
{
    uint64_t event = 0, value = 0;
    if (session->face->handshake_failure != NULL &&
        session->face->handshake_failure(session->engine, &event, &value) &&
        event != 0)
        mz_session_event(session, event, value);
    mz_session_event(session, ZMQ_EVENT_DISCONNECTED,
                     (uint64_t) session->event_fd);
    /* Until the next connection, a connecting session's events have no
     * local end (CONNECT_RETRIED, CONNECT_DELAYED), as in libzmq. */
    if (!session->accepted) {
        free(session->local);
        session->local = NULL;
    }
}

/* What the socket hears when a connection that got past its handshake
 * ends, as in libzmq 4.3.5: ZMQ_ROUTER_NOTIFY's empty message (dropped at
 * the high-water mark), then an accepted peer's ZMQ_DISCONNECT_MSG or a
 * connecting socket's ZMQ_HICCUP_MSG (past it). Not when the socket
 * itself ended the connection: it hears nothing more. */
static void announce_departure(struct mz_session *session)
{
    struct mz_pipe_end *end = session->end;
    if (end == NULL || end->peer_closed || !session->handshaken)
        return;
    const struct mz_options *o = &session->options;
    if (o->router_notify & ZMQ_NOTIFY_DISCONNECT) {
        struct mz_msg notice;
        mz_msg_init(&notice);
        if (!mz_pipe_write(end, &notice))
            mz_msg_close(&notice);
    }
    const struct mz_blob *message =
        session->accepted ? &o->disconnect_msg : &o->hiccup_msg;
    if (message->size > 0)
        mz_pipe_write_notice(end, message->data, message->size);
    mz_pipe_flush(end);
}

/* The engine stopped: a connecting session tries again, an accepted one
 * ends. */
static void engine_gone(void *arg)
{
    struct mz_session *session = arg;
    if (session->engine != NULL) {
        publish_engine_end(session);
        session->face->destroy(session->engine);
        session->engine = NULL;
    }
    mz_zap_free(session->zap);
    session->zap = NULL;
    session->engine_failed = false;
    /* A message cut short by the connection does not stay half written. */
    if (session->end != NULL)
        mz_pipe_rollback(session->end);
    if (is_ending(session))
        return;
    announce_departure(session);
    if (session->accepted || session->state == SESSION_DRAINING) {
        session_schedule_finish(session);
        return;
    }
    /* With ZMQ_IMMEDIATE the pipe lives only as long as the connection. */
    if (session->options.immediate && session->end != NULL) {
        mz_pipe_terminate(session->end);
        session->end = NULL;
        session->routing_id_sent = false;
        if (session->state >= SESSION_CLOSING) {
            session_schedule_finish(session);
            return;
        }
    }
    bool handshaken = session->handshaken;
    connection_reset(session);
    mz_dialer_redial(session->dialer, handshaken, session->protocol_failed);
}

void mz_session_dialer_stopped(struct mz_session *session)
{
    session_schedule_finish(session);
}

/* ---- life and death ---------------------------------------------- */

static struct mz_session *
session_new(struct mz_socket *s, struct mz_reactor *reactor, const char *uri)
{
    struct mz_ctx *ctx = mz_socket_ctx(s);
    const struct mz_options *options = mz_socket_options(s);
    struct mz_session *session = calloc(1, sizeof *session);
    if (session == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    session->uri = strdup(uri);
    if (session->uri == NULL) {
        free(session);
        errno = ENOMEM;
        return NULL;
    }
    if (mz_options_copy(&session->options, options) < 0) {
        free(session->uri);
        free(session);
        errno = ENOMEM;
        return NULL;
    }
    if (mz_mailbox_init_quiet(&session->mailbox) < 0) {
        mz_options_fini(&session->options);
        free(session->uri);
        free(session);
        return NULL;
    }
    mz_event_source_ref(mz_socket_event_source(s));
    session->events = mz_socket_event_source(s);
    session->ctx = ctx;
    session->reactor = reactor;
    session->event_fd = -1;
    mz_ctx_network_object_added(ctx);
    return session;
}

static void session_free(struct mz_session *session)
{
    struct mz_ctx *ctx = session->ctx;
    mz_event_source_unref(session->events);
    free(session->uri);
    free(session->local);
    free(session->remote);
    free(session);
    mz_ctx_network_object_removed(ctx);
}

static void session_free_task(void *arg)
{
    session_free(arg);
}

/* Frees a released session once the wake-ups queued before it have run
 * (see mailbox_ready). */
static void session_free_later(struct mz_session *session)
{
    mz_reactor_post_or_abort(session->reactor, session_free_task, session,
                             "ending a session");
}

static void session_finish(void *arg)
{
    struct mz_session *session = arg;
    if (session->linger_timer != 0)
        mz_reactor_cancel_timer(session->reactor, session->linger_timer);
    if (session->engine != NULL)
        session->face->destroy(session->engine);
    mz_zap_free(session->zap);
    session->zap = NULL;
    if (session->listener != NULL)
        mz_listener_untrack(session->listener, session);
    if (session->end != NULL) {
        if (session->end->ended)
            mz_pipe_release(session->end);
        else
            mz_pipe_terminate(session->end);
    }
    /* Commands that arrived after the decision to end. */
    struct mz_command cmd;
    while (mz_mailbox_take(&session->mailbox, &cmd))
        mz_pipe_unref(cmd.pipe);
    mz_mailbox_fini(&session->mailbox);
    if (session->dialer != NULL)
        mz_dialer_free(session->dialer);
    session->dialer = NULL;
    mz_options_fini(&session->options);
    session->state = SESSION_RELEASED;
    if (session->detached)
        session_free_later(session);
}

static void session_schedule_finish(struct mz_session *session)
{
    if (is_ending(session))
        return;
    session->state = SESSION_FINISHING;
    /* No connection is made any more. */
    if (session->dialer != NULL)
        mz_dialer_stop(session->dialer);
    mz_reactor_post_or_abort(session->reactor, session_finish, session,
                             "ending a session");
}

static void linger_expired(void *arg)
{
    struct mz_session *session = arg;
    session->linger_timer = 0;
    session_schedule_finish(session);
}

/* ZMQ_LINGER starts when the socket lets go of the pipe: -1 waits as long
 * as it takes, a positive value bounds the wait. */
static void start_linger(struct mz_session *session)
{
    int linger = session->options.linger;
    if (linger <= 0 || session->linger_timer != 0)
        return;
    session->linger_timer = mz_reactor_add_timer(
        session->reactor, (uint64_t) linger, linger_expired, session);
}

static void pipe_ended(struct mz_session *session, struct mz_pipe_end *end)
{
    /* A ZAP pipe's reader notices its end itself. */
    if (end != session->end)
        return;
    /* Everything the socket queued has been handed to the engine; it ends
     * when the engine reports all of it written (engine_drained). An
     * engine still in its handshake was handed nothing. */
    if (session->engine == NULL || !session->handshaken ||
        session->options.linger == 0) {
        session_schedule_finish(session);
        return;
    }
    advance(session, SESSION_DRAINING);
    start_linger(session);
}

static void engine_drained(void *arg)
{
    struct mz_session *session = arg;
    if (session->state == SESSION_DRAINING)
        session_schedule_finish(session);
}

/* ---- entry points ------------------------------------------------ */

/* The first connect, as a task: the session may have ended first. */
static void start_dialing(void *arg)
{
    struct mz_session *session = arg;
    if (!is_ending(session))
        mz_dialer_start(session->dialer);
}

int mz_session_connect(struct mz_socket *s, struct mz_net_endpoint *endpoint,
                       const char *uri, struct mz_session **session_out,
                       struct mz_pipe_end **end_out)
{
    struct mz_reactor *reactor =
        mz_ctx_choose_reactor(mz_socket_ctx(s), mz_socket_options(s)->affinity);
    struct mz_session *session =
        reactor != NULL ? session_new(s, reactor, uri) : NULL;
    if (session != NULL) {
        session->dialer =
            mz_dialer_new(session, reactor, &session->options, endpoint);
        if (session->dialer == NULL) {
            mz_mailbox_fini(&session->mailbox);
            mz_options_fini(&session->options);
            session_free(session);
            session = NULL;
            errno = ENOMEM;
        }
    }
    if (session == NULL) {
        int error = errno;
        mz_net_endpoint_free(endpoint);
        errno = error;
        return -1;
    }
    session->socket = s;
    session->carries_commands =
        mz_dialer_endpoint(session->dialer)->kind->carries_commands;
    *session_out = session;
    *end_out = NULL;
    /* With ZMQ_IMMEDIATE the pipe comes with the first successful
     * handshake; otherwise now, so that messages queue meanwhile, named by
     * ZMQ_CONNECT_ROUTING_ID if set. (With IMMEDIATE libzmq 4.3.4 leaves
     * that option for a later connect and uses the peer's id; so do we.) */
    if (!mz_socket_options(s)->immediate) {
        struct mz_pipe *pipe = session_pipe_new(session, s);
        if (pipe == NULL) {
            /* Not started: free by hand. */
            mz_mailbox_fini(&session->mailbox);
            mz_dialer_free(session->dialer);
            mz_options_fini(&session->options);
            session_free(session);
            errno = ENOMEM;
            return -1;
        }
        mz_pipe_take_connect_routing_id(&pipe->end[0], mz_socket_options(s));
        int taken = mz_socket_attach_pipe(s, &pipe->end[0]);
        if (taken < 0) {
            /* Out of memory; the socket has ended its side. The session
             * is let go as zmq_disconnect would, and ends at once. */
            mz_session_stop(session, 0);
            errno = ENOMEM;
            return -1;
        }
        if (taken > 0)
            *end_out = &pipe->end[0];
    }
    mz_reactor_post_or_abort(reactor, start_dialing, session,
                             "starting a connection");
    return 0;
}

struct mz_session *mz_session_accepted(struct mz_listener *listener)
{
    if (mz_listener_is_stopping(listener)) {
        errno = ECONNABORTED;
        return NULL;
    }
    struct mz_socket *s = mz_listener_socket(listener);
    struct mz_session *session = session_new(s, mz_listener_reactor(listener),
                                             mz_listener_uri(listener));
    if (session == NULL)
        return NULL;
    session->accepted = true;
    session->detached = true; /* nobody holds an accepted session */
    session->listener = listener;
    session->carries_commands =
        mz_listener_endpoint(listener)->kind->carries_commands;
    session->origin = mz_listener_id(listener);
    session->socket = s;
    if (!mz_listener_track(listener, session)) {
        /* Out of memory: the peer is refused. */
        session->listener = NULL;
        session_schedule_finish(session);
        errno = ENOMEM;
        return NULL;
    }
    return session;
}

void mz_session_abort(struct mz_session *session)
{
    session->listener = NULL;
    session_schedule_finish(session);
}

/* mz_session_stop's request, run while the socket thread waits. */
struct stop_request {
    struct mz_session *session;
    int linger;           /* the socket's ZMQ_LINGER now */
    struct mz_pipe *pipe; /* an IMMEDIATE pipe the socket must end */
};

static void stop_task(void *arg)
{
    struct stop_request *request = arg;
    struct mz_session *session = request->session;
    session->options.linger = request->linger;
    /* Pipe commands first: the socket may have closed its end just now. */
    if (session->state != SESSION_RELEASED)
        run_mailbox(session);
    session->detached = true;
    session->socket = NULL;
    if (session->state == SESSION_RELEASED) {
        session_free_later(session);
    } else {
        advance(session, SESSION_CLOSING);
        if (session->end != NULL && !session->end->peer_closed &&
            session->options.immediate) {
            /* zmq_disconnect of a ZMQ_IMMEDIATE connection: the socket
             * does not know this pipe as the endpoint's. It ends its side
             * after this, so that what it queued lingers as in every
             * other case (its PIPE_TERM then starts ZMQ_LINGER here). */
            mz_pipe_ref(session->end->pipe);
            request->pipe = session->end->pipe;
        } else if (session->end != NULL && !session->end->peer_closed) {
            mz_pipe_terminate(session->end);
            session->end = NULL;
        }
        if (request->pipe == NULL &&
            (session->end == NULL || session->options.linger == 0))
            session_schedule_finish(session);
    }
}

struct mz_pipe *mz_session_stop(struct mz_session *session, int linger)
{
    struct stop_request request = { .session = session, .linger = linger };
    mz_reactor_call(session->reactor, stop_task, &request,
                    "stopping a connection");
    return request.pipe;
}

struct mz_reactor *mz_session_reactor(const struct mz_session *session)
{
    return session->reactor;
}

const struct mz_options *mz_session_options(const struct mz_session *session)
{
    return &session->options;
}
