/*
 * The socket base: lifecycle, commands, blocking, endpoints and the options
 * every type shares. Routing is delegated to the socket's type.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "ctx.h"
#include "event_bus.h"
#include "inproc.h"
#include "listener.h"
#include "mechanism.h"
#include "plugin_loader.h"
#include "session.h"
#include "socket.h"
#include "socket_internal.h"
#include "transport.h"
#include "zap.h"

static const uint32_t SOCKET_TAG_LIVE = 0x6d7a736bu;   /* "mzsk" */
static const uint32_t SOCKET_TAG_CLOSED = 0x64656164u; /* "dead" */

extern const struct mz_socket_type mz_pair_type, mz_dealer_type, mz_pull_type,
    mz_push_type;
extern const struct mz_socket_type mz_router_type, mz_req_type, mz_rep_type;
extern const struct mz_socket_type mz_pub_type, mz_sub_type, mz_xpub_type,
    mz_xsub_type;
extern const struct mz_socket_type mz_stream_type;
extern const struct mz_socket_type mz_client_type, mz_server_type;
extern const struct mz_socket_type mz_radio_type, mz_dish_type;
extern const struct mz_socket_type mz_scatter_type, mz_gather_type,
    mz_peer_type, mz_channel_type, mz_dgram_type;

static const struct mz_socket_type *const socket_types[] = {
    &mz_pair_type,    &mz_dealer_type, &mz_pull_type,  &mz_push_type,
    &mz_router_type,  &mz_req_type,    &mz_rep_type,   &mz_pub_type,
    &mz_sub_type,     &mz_xpub_type,   &mz_xsub_type,  &mz_stream_type,
    &mz_client_type,  &mz_server_type, &mz_radio_type, &mz_dish_type,
    &mz_scatter_type, &mz_gather_type, &mz_peer_type,  &mz_channel_type,
    &mz_dgram_type,
};

const struct mz_socket_type *mz_socket_type_find(int type)
{
    for (size_t i = 0; i < sizeof socket_types / sizeof socket_types[0]; i++)
        if (socket_types[i]->type == type)
            return socket_types[i];
    return NULL;
}

bool mz_socket_is_live(const struct mz_socket *s)
{
    /* Relaxed: a thread-safe socket closed meanwhile is caught by its
     * guard (mz_socket_enter); a classic one is the caller's to order. */
    return s != NULL && atomic_load_explicit(&s->tag, memory_order_relaxed) ==
                            SOCKET_TAG_LIVE;
}

struct mz_options *mz_socket_options(struct mz_socket *s)
{
    return &s->options;
}

struct mz_ctx *mz_socket_ctx(const struct mz_socket *s)
{
    return s->ctx;
}

struct mz_event_source *mz_socket_event_source(const struct mz_socket *s)
{
    return s->events;
}

int mz_socket_zmq_type(const struct mz_socket *s)
{
    return s->type->type;
}

/* Sets up a zeroed shell (mz_ctx_socket_init_fn, under the context's
 * lock); -1 with errno on failure, leaving it zeroed. */
static int socket_init(struct mz_socket *s, struct mz_ctx *ctx,
                       const struct mz_ctx_socket_defaults *defaults,
                       const void *arg)
{
    const struct mz_socket_type *type = arg;
    memset(s, 0, sizeof *s);
    s->state = calloc(1, type->state_size ? type->state_size : 1);
    if (s->state == NULL) {
        errno = ENOMEM;
        return -1;
    }
    /* A thread-safe socket has no ZMQ_FD and its callers wait on its
     * guard: its mailbox needs no eventfd, and its posts no write. */
    int rc = type->thread_safe ? mz_mailbox_init_quiet(&s->mailbox)
                               : mz_mailbox_init(&s->mailbox);
    if (rc < 0) {
        free(s->state);
        memset(s, 0, sizeof *s);
        return -1;
    }
    s->events = mz_event_source_new(s);
    if (s->events == NULL) {
        mz_mailbox_fini(&s->mailbox);
        free(s->state);
        memset(s, 0, sizeof *s);
        return -1;
    }
    s->ctx = ctx;
    s->type = type;
    mz_options_init(&s->options, type->type);
    /* Context-wide settings that new sockets inherit. */
    if (!defaults->blocky)
        s->options.linger = 0;
    s->options.ipv6 = defaults->ipv6;
    mz_pipe_set_init(&s->pipes, MZ_SOCKET_PIPE_SLOT);
    if (type->thread_safe) {
        s->thread_safe = true;
        mz_socket_guard_init(s);
    }
    if (type->init != NULL)
        type->init(s);
    atomic_store_explicit(&s->tag, SOCKET_TAG_LIVE, memory_order_relaxed);
    return 0;
}

struct mz_socket *mz_socket_new(struct mz_ctx *ctx, int type)
{
    const struct mz_socket_type *socket_type = mz_socket_type_find(type);
    if (socket_type == NULL) {
        errno = EINVAL;
        return NULL;
    }
    return mz_ctx_register_socket(ctx, sizeof(struct mz_socket), socket_init,
                                  socket_type);
}

void mz_socket_post(struct mz_socket *s, const struct mz_command *cmd)
{
    mz_mailbox_post(&s->mailbox, cmd);
    if (s->thread_safe)
        mz_socket_guard_notify(s);
}

/* The pipe read its peer's delimiter: release it after the current
 * call. */
static void pipe_ended(struct mz_socket *s, struct mz_pipe_end *end)
{
    if (s->ended_count == s->ended_capacity) {
        unsigned capacity = s->ended_capacity ? s->ended_capacity * 2 : 8;
        struct mz_pipe_end **ended =
            realloc(s->ended, capacity * sizeof *ended);
        if (ended == NULL) {
            fputs("modzmq: out of memory ending a pipe\n", stderr);
            abort();
        }
        s->ended = ended;
        s->ended_capacity = capacity;
    }
    s->ended[s->ended_count++] = end;
}

/* A socket as the owner of pipe ends (pipe.h); the eventfd write is
 * the pipe's to make, and free_socket's mailbox fini waits for it. */
static void owner_post(void *owner, const struct mz_command *cmd,
                       struct mz_wakeup *wake)
{
    struct mz_socket *s = owner;
    mz_mailbox_post_deferred(&s->mailbox, cmd, wake);
    if (s->thread_safe)
        mz_socket_guard_notify(s);
}

static void owner_ended(void *owner, struct mz_pipe_end *end)
{
    pipe_ended(owner, end);
}

static struct mz_event_source *owner_events(void *owner)
{
    return ((struct mz_socket *) owner)->events;
}

static const char *owner_endpoint(void *owner, const struct mz_pipe_end *end)
{
    (void) owner;
    return end->endpoint;
}

static const struct mz_pipe_owner_ops socket_pipe_owner = {
    .post = owner_post,
    .ended = owner_ended,
    .events = owner_events,
    .endpoint = owner_endpoint,
    .outbound = true,
};

void mz_socket_own_pipe(struct mz_socket *s, struct mz_pipe_end *end)
{
    mz_pipe_set_owner(end, &socket_pipe_owner, s);
}

static void forget_endpoint_pipe(struct mz_socket *s, struct mz_pipe_end *end)
{
    for (unsigned i = 0; i < s->endpoint_count; i++)
        if (s->endpoints[i].pipe == end)
            s->endpoints[i].pipe = NULL;
}

/* Ends the socket's side of a pipe. A network session on the other side
 * lingers with the socket's ZMQ_LINGER as it is now, not as it was when
 * the connection was made: libzmq reads it at close, and setting it just
 * before zmq_close is the usual way to say how long to wait. */
static void end_pipe(struct mz_socket *s, struct mz_pipe_end *end)
{
    /* Both ends of an inproc pipe are sockets, which may close at once on
     * two threads; neither reads it. */
    if (!end->pipe->inproc)
        end->pipe->linger = s->options.linger;
    mz_pipe_terminate(end);
}

/* Takes an end out of the type and the socket's list. */
static void detach_pipe(struct mz_socket *s, struct mz_pipe_end *end)
{
    mz_socket_peer_gone(s, end);
    s->type->detach(s, end);
    mz_pipe_set_remove(&s->pipes, end);
    forget_endpoint_pipe(s, end);
}

void mz_socket_send_probe(struct mz_socket *s, struct mz_pipe_end *end)
{
    if (!s->options.probe_router)
        return;
    struct mz_msg probe;
    mz_msg_init(&probe);
    if (mz_pipe_write(end, &probe))
        mz_pipe_flush(end);
    else
        mz_msg_close(&probe);
}

/* A connect's inproc pipe that no bind has taken yet waits in the
 * context. A socket that drops it (zmq_disconnect, zmq_disconnect_peer, a
 * ROUTER handing its id to a newcomer) takes it back from there, so that
 * a later bind of the name, perhaps by this socket, is neither joined to
 * a connection already dropped nor handed what was sent on it. A socket
 * that closes leaves it: what it queued waits for the bind, as TCP's
 * linger waits for the peer. */
static void withdraw_waiting_connect(struct mz_socket *s,
                                     struct mz_pipe_end *end)
{
    if (!end->pipe->inproc)
        return;
    for (unsigned i = 0; i < s->endpoint_count; i++) {
        const struct mz_endpoint *ep = &s->endpoints[i];
        if (ep->pipe == end && !ep->bound) {
            mz_inproc_withdraw(s->ctx, strstr(ep->uri, "://") + 3, end->pipe);
            return;
        }
    }
}

void mz_socket_terminate_pipe(struct mz_socket *s, struct mz_pipe_end *end)
{
    /* An end whose input has ended is already queued for release at the
     * end of this call; releasing it here too could free the pipe first. */
    if (end->ended)
        return;
    withdraw_waiting_connect(s, end);
    detach_pipe(s, end);
    end_pipe(s, end);
}

/* Releases the ends whose input reached the peer's delimiter. */
static void reap_ended_pipes(struct mz_socket *s)
{
    while (s->ended_count > 0) {
        struct mz_pipe_end *end = s->ended[--s->ended_count];
        if (!end->attached)
            continue;
        detach_pipe(s, end);
        mz_pipe_release(end);
    }
}

int mz_socket_attach_pipe(struct mz_socket *s, struct mz_pipe_end *end)
{
    end->attached = true;
    bool sends_id = s->options.routing_id_size > 0 || !end->pipe->conflate;
    if ((sends_id && mz_pipe_send_routing_id(end, s->options.routing_id,
                                             s->options.routing_id_size) < 0) ||
        !mz_pipe_set_add(&s->pipes, end, true)) {
        forget_endpoint_pipe(s, end);
        end_pipe(s, end);
        errno = ENOMEM;
        return -1;
    }
    /* An inproc peer's ZMQ_HELLO_MSG comes from us; a network peer's from
     * the session, once per connection. */
    if (end->pipe->inproc && s->options.hello_msg.size > 0 &&
        mz_pipe_write_notice(end, s->options.hello_msg.data,
                             s->options.hello_msg.size))
        mz_pipe_flush(end);
    errno = 0;
    if (!s->type->attach(s, end)) {
        bool no_memory = errno == ENOMEM;
        mz_pipe_set_remove(&s->pipes, end);
        forget_endpoint_pipe(s, end);
        end_pipe(s, end);
        errno = no_memory ? ENOMEM : 0;
        return no_memory ? -1 : 0;
    }
    return 1;
}

/* Kept out of line: mz_socket_process_commands runs on every send and
 * receive, and inlining the commands' cases there costs every call the
 * registers they need. */
__attribute__((noinline)) static void run_command(struct mz_socket *s,
                                                  const struct mz_command *cmd)
{
    if (cmd->type == MZ_CMD_STOP) {
        s->stopped = true;
        return;
    }
    if (cmd->type == MZ_CMD_PUBLISH_COUNTERS) {
        mz_socket_publish_counters(s);
        return;
    }
    struct mz_pipe_end *end = &cmd->pipe->end[cmd->side];
    switch (cmd->type) {
    case MZ_CMD_ATTACH:
        mz_socket_attach_pipe(s, end);
        break;
    case MZ_CMD_ACTIVATE_READ:
        if (end->attached && !end->ended && s->type->read_activated != NULL)
            s->type->read_activated(s, end);
        break;
    case MZ_CMD_ACTIVATE_WRITE:
        if (end->muted)
            mz_pipe_hwm_cleared(end);
        if (end->attached && !end->peer_closed &&
            s->type->write_activated != NULL)
            s->type->write_activated(s, end);
        break;
    case MZ_CMD_HWM:
        if (end->attached && !end->ended)
            mz_pipe_hwm_changed(end);
        break;
    case MZ_CMD_PIPE_TERM:
        if (end->attached) {
            end->peer_closed = true;
            /* Notices the delimiter if nothing is left to read. */
            mz_pipe_check_read(end);
            if (!end->ended && s->type->read_activated != NULL)
                s->type->read_activated(s, end);
        }
        break;
    case MZ_CMD_STOP:
    case MZ_CMD_PUBLISH_COUNTERS:
        break;
    }
    mz_pipe_unref(cmd->pipe);
}

int mz_socket_process_commands(struct mz_socket *s)
{
    if (mz_mailbox_has_pending(&s->mailbox)) {
        struct mz_command cmd;
        while (mz_mailbox_take(&s->mailbox, &cmd))
            run_command(s, &cmd);
    }
    reap_ended_pipes(s);
    if (s->stopped) {
        errno = ETERM;
        return -1;
    }
    return 0;
}

/* Milliseconds left before deadline (-1: none), 0 when passed. */
static int remaining_ms(int64_t deadline)
{
    if (deadline < 0)
        return -1;
    int64_t left = deadline - (int64_t) mz_clock_ms();
    return left > 0 ? (int) left : 0;
}

static int64_t deadline_after(int timeout_ms)
{
    return timeout_ms < 0 ? -1 : (int64_t) mz_clock_ms() + timeout_ms;
}

/* run_blocking's wait on a thread-safe socket, whose caller holds its
 * guard: the guard's wake-ups (socket_guard.c) replace the mailbox's
 * eventfd, which any of the socket's threads may have drained. A signal
 * does not end this wait (a condition variable knows none). */
static int wait_guarded(struct mz_socket *s, struct mz_msg *m, int timeout_ms,
                        int (*op)(struct mz_socket *, struct mz_msg *))
{
    int64_t deadline = deadline_after(timeout_ms);
    for (;;) {
        uint64_t seq = mz_socket_guard_seq(s);
        if (mz_socket_process_commands(s) < 0)
            return -1;
        int rc = op(s, m);
        reap_ended_pipes(s);
        if (rc == 0 || errno != EAGAIN)
            return rc;
        int left = remaining_ms(deadline);
        if (left == 0) {
            errno = EAGAIN;
            return -1;
        }
        if (mz_socket_guard_wait(s, seq, left) < 0)
            return -1;
    }
}

/* Runs op until it succeeds, fails with something other than EAGAIN, or
 * the timeout passes. A signal that interrupts the wait ends it with
 * EINTR, as libzmq's zmq_send and zmq_recv do, so that the application's
 * handler gets to run (Python raises KeyboardInterrupt there). */
static int run_blocking(struct mz_socket *s, struct mz_msg *m, bool nowait,
                        int timeout_ms,
                        int (*op)(struct mz_socket *, struct mz_msg *))
{
    if (mz_socket_process_commands(s) < 0)
        return -1;
    int rc = op(s, m);
    reap_ended_pipes(s);
    if (rc == 0 || errno != EAGAIN || nowait || timeout_ms == 0)
        return rc;
    if (s->thread_safe)
        return wait_guarded(s, m, timeout_ms, op);
    int64_t deadline = deadline_after(timeout_ms);
    for (;;) {
        int left = remaining_ms(deadline);
        if (left == 0) {
            errno = EAGAIN;
            return -1;
        }
        if (mz_mailbox_wait(&s->mailbox, left) < 0)
            return -1;
        if (mz_socket_process_commands(s) < 0)
            return -1;
        rc = op(s, m);
        reap_ended_pipes(s);
        if (rc == 0 || errno != EAGAIN)
            return rc;
    }
}

static int type_send(struct mz_socket *s, struct mz_msg *m)
{
    return s->type->send(s, m);
}

static int type_recv(struct mz_socket *s, struct mz_msg *m)
{
    return s->type->recv(s, m);
}

int mz_socket_send(struct mz_socket *s, struct mz_msg *m, int flags)
{
    mz_msg_set_more(m, (flags & ZMQ_SNDMORE) != 0);
    int rc = run_blocking(s, m, (flags & ZMQ_DONTWAIT) != 0,
                          s->options.sndtimeo, type_send);
    if (rc < 0)
        mz_msg_set_more(m, false);
    return rc;
}

int mz_socket_recv(struct mz_socket *s, struct mz_msg *m, int flags)
{
    int rc = run_blocking(s, m, (flags & ZMQ_DONTWAIT) != 0,
                          s->options.rcvtimeo, type_recv);
    if (rc == 0)
        s->rcvmore = mz_msg_has_more(m);
    return rc;
}

int mz_socket_events(struct mz_socket *s)
{
    if (mz_socket_process_commands(s) < 0)
        return -1;
    int events = 0;
    if (s->type->can_recv(s))
        events |= ZMQ_POLLIN;
    if (s->type->can_send(s))
        events |= ZMQ_POLLOUT;
    reap_ended_pipes(s);
    return events;
}

int mz_socket_poll_events(struct mz_socket *s)
{
    if (!s->thread_safe)
        return mz_socket_events(s);
    if (mz_socket_enter(s) < 0)
        return -1;
    int events = mz_socket_events(s);
    mz_socket_leave(s);
    return events;
}

int mz_socket_fd(const struct mz_socket *s)
{
    return s->mailbox.fd;
}

int mz_socket_add_endpoint(struct mz_socket *s, const char *uri, bool bound,
                           struct mz_pipe_end *pipe)
{
    char *copy = strdup(uri);
    char *last = strdup(uri);
    if (copy == NULL || last == NULL)
        goto nomem;
    if (s->endpoint_count == s->endpoint_capacity) {
        unsigned capacity = s->endpoint_capacity ? s->endpoint_capacity * 2 : 4;
        struct mz_endpoint *endpoints =
            realloc(s->endpoints, capacity * sizeof *endpoints);
        if (endpoints == NULL)
            goto nomem;
        s->endpoints = endpoints;
        s->endpoint_capacity = capacity;
    }
    s->endpoints[s->endpoint_count++] =
        (struct mz_endpoint){ .uri = copy, .bound = bound, .pipe = pipe };
    free(s->last_endpoint);
    s->last_endpoint = last;
    return 0;
nomem:
    free(copy);
    free(last);
    errno = ENOMEM;
    return -1;
}

static void remove_endpoint(struct mz_socket *s, unsigned index)
{
    free(s->endpoints[index].uri);
    s->endpoints[index] = s->endpoints[--s->endpoint_count];
}

/* Splits "scheme://address"; -1 EINVAL when malformed. */
static int split_uri(const char *uri, char *scheme, size_t scheme_size,
                     const char **address)
{
    const char *sep = strstr(uri, "://");
    if (sep == NULL || sep == uri || (size_t) (sep - uri) >= scheme_size) {
        errno = EINVAL;
        return -1;
    }
    memcpy(scheme, uri, (size_t) (sep - uri));
    scheme[sep - uri] = '\0';
    *address = sep + 3;
    return 0;
}

/* Longest URI scheme, with its NUL. */
enum { SCHEME_SIZE = 16 };

/* What bind, connect, unbind and disconnect first do: run pending
 * commands (ETERM once stopped) and split the URI. */
static int begin_endpoint_call(struct mz_socket *s, const char *uri,
                               char scheme[SCHEME_SIZE], const char **address)
{
    if (mz_socket_process_commands(s) < 0)
        return -1;
    return split_uri(uri, scheme, SCHEME_SIZE, address);
}

/* Lets go of a connecting session. The pipe of a ZMQ_IMMEDIATE connection
 * is not the endpoint's: the session hands it back, and the socket ends
 * its side once any ATTACH still in the mailbox has run, so that what it
 * queued lingers as it does without IMMEDIATE. */
static void stop_session(struct mz_socket *s, struct mz_session *session)
{
    struct mz_pipe *pipe = mz_session_stop(session, s->options.linger);
    if (pipe == NULL)
        return;
    mz_socket_process_commands(s);
    if (pipe->end[0].attached)
        mz_socket_terminate_pipe(s, &pipe->end[0]);
    mz_pipe_unref(pipe);
}

/* Network endpoints: the transport plugin parses the address; a bind
 * listens at once, a connect starts a session that connects in an I/O
 * thread. Either leaves ZMQ_FD readable, as libzmq's is after it (the
 * socket has sent itself a command about its new listener or session),
 * so that an event loop that watches the fd wakes and looks at
 * ZMQ_EVENTS. */

static int network_bind(struct mz_socket *s, const char *scheme,
                        const char *address)
{
    struct mz_net_endpoint endpoint;
    char bound_uri[512];
    struct mz_listener *listener = NULL;
    if (mz_net_endpoint_parse(s, scheme, address, MODZMQ_ENDPOINT_BIND,
                              &endpoint) == 0)
        listener = mz_listener_start(s, &endpoint, bound_uri, sizeof bound_uri);
    if (listener == NULL) {
        /* libzmq names the address without its scheme here. */
        int error = errno;
        mz_event_publish_value(s->events, ZMQ_EVENT_BIND_FAILED,
                               (uint64_t) error, true, address, "");
        errno = error;
        return -1;
    }
    if (mz_socket_add_endpoint(s, bound_uri, true, NULL) < 0) {
        mz_listener_stop(listener);
        return -1;
    }
    s->endpoints[s->endpoint_count - 1].listener = listener;
    mz_mailbox_signal(&s->mailbox);
    return 0;
}

static int network_connect(struct mz_socket *s, const char *scheme,
                           const char *address, const char *uri)
{
    struct mz_net_endpoint endpoint;
    if (mz_net_endpoint_parse(s, scheme, address, MODZMQ_ENDPOINT_CONNECT,
                              &endpoint) < 0)
        return -1;
    struct mz_pipe_end *end = NULL;
    struct mz_session *session = NULL;
    if (mz_session_connect(s, &endpoint, uri, &session, &end) < 0)
        return -1;
    if (mz_socket_add_endpoint(s, uri, false, end) < 0) {
        if (end != NULL) {
            detach_pipe(s, end);
            end_pipe(s, end);
        }
        stop_session(s, session);
        return -1;
    }
    s->endpoints[s->endpoint_count - 1].session = session;
    mz_mailbox_signal(&s->mailbox);
    return 0;
}

int mz_socket_bind(struct mz_socket *s, const char *uri)
{
    char scheme[SCHEME_SIZE];
    const char *address;
    if (begin_endpoint_call(s, uri, scheme, &address) < 0)
        return -1;
    if (*address == '\0') {
        errno = EINVAL;
        return -1;
    }
    if (strcmp(scheme, "inproc") != 0)
        return network_bind(s, scheme, address);
    if (mz_inproc_bind(s, address) < 0)
        return -1;
    if (mz_socket_add_endpoint(s, uri, true, NULL) < 0) {
        mz_inproc_unbind(s, address);
        return -1;
    }
    mz_zap_note_bind(s->ctx, address);
    return 0;
}

int mz_socket_connect(struct mz_socket *s, const char *uri)
{
    char scheme[SCHEME_SIZE];
    const char *address;
    if (begin_endpoint_call(s, uri, scheme, &address) < 0)
        return -1;
    if (*address == '\0') {
        errno = EINVAL;
        return -1;
    }
    if (strcmp(scheme, "inproc") != 0)
        return network_connect(s, scheme, address, uri);
    return mz_inproc_connect(s, address, uri);
}

/* zmq_unbind ends the connections its endpoint accepted, as libzmq does:
 * their pipes end as a disconnect's does, so what is queued still goes out
 * within ZMQ_LINGER. The listener has stopped, so every ATTACH its
 * sessions will ever post is in the mailbox: run those first. */
static void end_accepted_pipes(struct mz_socket *s, uint64_t origin)
{
    mz_socket_process_commands(s);
    /* Terminating takes an end out of the set (and may reorder it): look
     * again from the start after each one. */
    bool found = true;
    while (found) {
        found = false;
        for (unsigned i = 0; i < s->pipes.count && !found; i++) {
            struct mz_pipe_end *end = s->pipes.items[i];
            if (end->pipe->origin == origin && !end->ended) {
                mz_socket_terminate_pipe(s, end);
                found = true;
            }
        }
    }
}

int mz_socket_unbind(struct mz_socket *s, const char *uri)
{
    char scheme[SCHEME_SIZE];
    const char *address;
    if (begin_endpoint_call(s, uri, scheme, &address) < 0)
        return -1;
    for (unsigned i = 0; i < s->endpoint_count; i++) {
        if (s->endpoints[i].bound && strcmp(s->endpoints[i].uri, uri) == 0) {
            struct mz_listener *listener = s->endpoints[i].listener;
            remove_endpoint(s, i);
            if (listener != NULL) {
                uint64_t origin = mz_listener_id(listener);
                mz_listener_stop(listener);
                end_accepted_pipes(s, origin);
                /* libzmq's fd signals once its listener has ended. */
                mz_mailbox_signal(&s->mailbox);
                return 0;
            }
            /* Existing inproc connections stay; only the name goes. */
            return mz_inproc_unbind(s, address);
        }
    }
    errno = ENOENT;
    return -1;
}

int mz_socket_disconnect(struct mz_socket *s, const char *uri)
{
    char scheme[SCHEME_SIZE];
    const char *address;
    /* For its checks only (ETERM once stopped, EINVAL for a malformed
     * URI): the endpoints are matched by their whole URI. */
    if (begin_endpoint_call(s, uri, scheme, &address) < 0)
        return -1;
    bool found = false;
    for (unsigned i = 0; i < s->endpoint_count;) {
        struct mz_endpoint *ep = &s->endpoints[i];
        if (ep->bound || strcmp(ep->uri, uri) != 0) {
            i++;
            continue;
        }
        found = true;
        struct mz_pipe_end *end = ep->pipe;
        struct mz_session *session = ep->session;
        if (end != NULL)
            withdraw_waiting_connect(s, end);
        remove_endpoint(s, i);
        if (end != NULL && end->attached) {
            detach_pipe(s, end);
            end_pipe(s, end);
        }
        if (session != NULL) {
            stop_session(s, session);
            /* libzmq's fd signals once its session has ended. */
            mz_mailbox_signal(&s->mailbox);
        }
    }
    if (!found) {
        errno = ENOENT;
        return -1;
    }
    return 0;
}

/* Like libzmq, an int option needs a buffer of exactly sizeof (int). */
static int get_int(void *value, size_t *size, int x)
{
    if (*size != sizeof(int)) {
        errno = EINVAL;
        return -1;
    }
    memcpy(value, &x, sizeof x);
    *size = sizeof x;
    return 0;
}

/* The options libzmq's socket base answers itself (ZMQ_RCVMORE, ZMQ_FD,
 * ZMQ_EVENTS, ZMQ_THREAD_SAFE, ZMQ_LAST_ENDPOINT) take any buffer at least
 * as large as the value: libzmq writes the value, zeroes the rest of the
 * buffer, and sets the size to the value's. */
static int get_filling(void *value, size_t *size, const void *x, size_t x_size)
{
    if (*size < x_size) {
        errno = EINVAL;
        return -1;
    }
    memcpy(value, x, x_size);
    memset((char *) value + x_size, 0, *size - x_size);
    *size = x_size;
    return 0;
}

static int get_filling_int(void *value, size_t *size, int x)
{
    return get_filling(value, size, &x, sizeof x);
}

/* Options leave the mailbox alone, as libzmq's do (only ZMQ_EVENTS runs
 * the commands): running them here would reset ZMQ_FD, and an event loop
 * that reads an option (ZMQ_FD itself, ZMQ_RCVMORE) between its look at
 * ZMQ_EVENTS and its wait on the fd would sleep through the edge. Once a
 * STOP has run, they fail with ETERM as libzmq's do. */
static int check_stopped(const struct mz_socket *s)
{
    if (s->stopped) {
        errno = ETERM;
        return -1;
    }
    return 0;
}

/* Groups: pipes attached meanwhile are taken first, so that each hears
 * of the change once, either with the groups sent at its attach or with
 * this one. */
static int group_call(struct mz_socket *s, const char *group,
                      int (*call)(struct mz_socket *, const char *))
{
    if (call == NULL) {
        errno = ENOTSUP;
        return -1;
    }
    if (mz_socket_process_commands(s) < 0)
        return -1;
    int rc = call(s, group);
    reap_ended_pipes(s);
    return rc;
}

int mz_socket_join_group(struct mz_socket *s, const char *group)
{
    return group_call(s, group, s->type->join);
}

int mz_socket_leave_group(struct mz_socket *s, const char *group)
{
    return group_call(s, group, s->type->leave);
}

/* Pipes attached meanwhile are taken first, so that a peer that has
 * just connected can be named. */
int mz_socket_disconnect_peer(struct mz_socket *s, uint32_t routing_id)
{
    if (s->type->disconnect_peer == NULL) {
        errno = ENOTSUP;
        return -1;
    }
    if (mz_socket_process_commands(s) < 0)
        return -1;
    int rc = s->type->disconnect_peer(s, routing_id);
    reap_ended_pipes(s);
    return rc;
}

int mz_socket_setopt(struct mz_socket *s, int option, const void *value,
                     size_t size)
{
    if (check_stopped(s) < 0)
        return -1;
    if (value == NULL && size > 0) {
        errno = EINVAL;
        return -1;
    }
    if (s->type->setopt != NULL) {
        int rc = s->type->setopt(s, option, value, size);
        if (rc != MZ_OPTION_NOT_MINE)
            return rc;
    }
    if (mz_mechanism_option_check(option) < 0 ||
        mz_transport_option_check(option) < 0)
        return -1;
    if (mz_options_set(&s->options, option, value, size) < 0)
        return -1;
    /* As in libzmq, the pipes that exist follow a new high-water mark. */
    if (option == ZMQ_SNDHWM || option == ZMQ_RCVHWM)
        for (unsigned i = 0; i < s->pipes.count; i++)
            mz_pipe_apply_hwms(s->pipes.items[i], s->options.sndhwm,
                               s->options.rcvhwm);
    return 0;
}

int mz_socket_getopt(struct mz_socket *s, int option, void *value, size_t *size)
{
    if (check_stopped(s) < 0)
        return -1;
    switch (option) {
    case ZMQ_TYPE:
        return get_int(value, size, s->type->type);
    case ZMQ_RCVMORE:
        return get_filling_int(value, size, s->rcvmore ? 1 : 0);
    case ZMQ_FD:
        /* A thread-safe socket has no fd to give: libzmq 4.3.5 fails
         * with EINVAL, its pollers wait on one of their own. */
        if (s->thread_safe) {
            errno = EINVAL;
            return -1;
        }
        return get_filling_int(value, size, s->mailbox.fd);
    case ZMQ_THREAD_SAFE:
        return get_filling_int(value, size, s->thread_safe ? 1 : 0);
    case ZMQ_EVENTS: {
        int events = mz_socket_events(s);
        return events < 0 ? -1 : get_filling_int(value, size, events);
    }
    case ZMQ_LAST_ENDPOINT: {
        const char *last = s->last_endpoint ? s->last_endpoint : "";
        return get_filling(value, size, last, strlen(last) + 1);
    }
    default:
        break;
    }
    if (s->type->getopt != NULL) {
        int rc = s->type->getopt(s, option, value, size);
        if (rc != MZ_OPTION_NOT_MINE)
            return rc;
    }
    if (mz_transport_option_check(option) < 0)
        return -1;
    return mz_options_get(&s->options, option, value, size);
}

/* What the socket alone owns, freed at the end of either kind of close:
 * its pipes, listeners and sessions are gone or let go of by then. */
static void free_socket(struct mz_socket *s)
{
    if (s->type->fini != NULL)
        s->type->fini(s);
    free(s->state);
    mz_pipe_set_fini(&s->pipes);
    free(s->ended);
    while (s->endpoint_count > 0)
        remove_endpoint(s, s->endpoint_count - 1);
    free(s->endpoints);
    free(s->last_endpoint);
    mz_options_fini(&s->options);
    mz_mailbox_fini(&s->mailbox);
    /* The thread-safe flag, the tag and the guard stay: a thread that entered a thread-safe socket's call as it
     * closed still takes its lock and reads that it is closing. */
    size_t from = offsetof(struct mz_socket, ctx);
    memset((char *) s + from, 0, offsetof(struct mz_socket, guard) - from);
    s->state = NULL;
    atomic_store_explicit(&s->tag, SOCKET_TAG_CLOSED, memory_order_relaxed);
}

/* Takes a socket out of its context's live list, for zmq_close. */
static void begin_close(struct mz_socket *s)
{
    mz_ctx_socket_closing(s->ctx, s);
    atomic_store_explicit(&s->tag, SOCKET_TAG_CLOSED, memory_order_relaxed);
}

/* zmq_close in a forked child (mz_ctx_inherited). The socket's sessions
 * and listeners live in I/O threads that run only in the parent, and its
 * eventfd and connections are the parent's too: it posts no command,
 * reads or writes no eventfd and ends no connection. It lets go of its
 * pipes as the owner of an ended pipe does (so that another inherited
 * socket's posts to them are dropped), and frees what it alone owns. Its
 * event source stays on the event bus, whose lock a thread of the parent
 * may have held at the fork; it publishes nothing more. */
static void close_inherited(struct mz_socket *s)
{
    struct mz_ctx *ctx = s->ctx;
    mz_inproc_unbind_all(s);
    begin_close(s);
    while (s->pipes.count > 0) {
        struct mz_pipe_end *end = s->pipes.items[s->pipes.count - 1];
        mz_pipe_set_remove(&s->pipes, end);
        mz_pipe_release_inherited(end);
    }
    struct mz_command cmd;
    while (mz_mailbox_take_inherited(&s->mailbox, &cmd)) {
        if (cmd.type == MZ_CMD_ATTACH)
            mz_pipe_release_inherited(&cmd.pipe->end[cmd.side]);
        if (cmd.pipe != NULL)
            mz_pipe_unref(cmd.pipe);
    }
    s->events = NULL;
    mz_mailbox_forget_writes(&s->mailbox);
    bool thread_safe = s->thread_safe;
    free_socket(s);
    if (thread_safe)
        mz_socket_leave(s);
    mz_ctx_unregister_socket(ctx, s);
}

void mz_socket_close(struct mz_socket *s)
{
    struct mz_ctx *ctx = s->ctx;
    /* The caller holds the guard of a thread-safe socket: the other
     * threads inside it leave first (ENOTSOCK), none enters after. */
    if (s->thread_safe)
        mz_socket_guard_close(s);
    if (mz_ctx_inherited(ctx)) {
        close_inherited(s);
        return;
    }

    /* No new inproc peers, no more STOP commands. */
    mz_inproc_unbind_all(s);
    /* No new network peers: after this, no listener posts ATTACH. */
    for (unsigned i = 0; i < s->endpoint_count; i++) {
        if (s->endpoints[i].listener != NULL) {
            mz_listener_stop(s->endpoints[i].listener);
            s->endpoints[i].listener = NULL;
        }
    }
    begin_close(s);

    reap_ended_pipes(s);
    while (s->pipes.count > 0) {
        struct mz_pipe_end *end = s->pipes.items[s->pipes.count - 1];
        detach_pipe(s, end);
        end_pipe(s, end);
    }
    /* Connecting sessions go on alone (LINGER); after this none of them
     * posts ATTACH. */
    for (unsigned i = 0; i < s->endpoint_count; i++) {
        if (s->endpoints[i].session != NULL) {
            /* The mailbox drain below ends an IMMEDIATE pipe. */
            struct mz_pipe *pipe =
                mz_session_stop(s->endpoints[i].session, s->options.linger);
            if (pipe != NULL)
                mz_pipe_unref(pipe);
            s->endpoints[i].session = NULL;
        }
    }
    /* Monitoring ends after the last event about this socket's own
     * endpoints (a listener's CLOSED); what lingering sessions do from
     * here on is no longer this socket's. */
    if (s->monitored)
        mz_socket_monitor_stop(s);
    mz_event_source_close(s->events);
    s->events = NULL;
    /* Ends handed over but not yet attached, and commands about pipes we
     * already let go of. Terminating an end stops further posts about it,
     * so this drains. */
    struct mz_command cmd;
    while (mz_mailbox_take(&s->mailbox, &cmd)) {
        if (cmd.type == MZ_CMD_ATTACH) {
            struct mz_pipe_end *end = &cmd.pipe->end[cmd.side];
            end->attached = true;
            end_pipe(s, end);
        }
        if (cmd.pipe != NULL)
            mz_pipe_unref(cmd.pipe);
    }
    s->ended_count = 0;
    bool thread_safe = s->thread_safe;
    if (thread_safe)
        mz_socket_guard_fini(s);
    free_socket(s);
    /* Let go before the context may hand the shell to a new socket. */
    if (thread_safe)
        mz_socket_leave(s);
    mz_ctx_unregister_socket(ctx, s);
}
