/*
 * Listeners; see listener.h.
 *
 * The transport listens on the listener's I/O thread while the socket's
 * thread waits inside zmq_bind, so that its errors reach the caller, the
 * same way for both kinds of transport (transport.h); from then on the
 * listener lives on its I/O thread. Stopping is synchronous: the socket
 * thread posts the stop and waits for the I/O thread to confirm it, after
 * which no accepted session can hand a new pipe to the socket.
 */
#include <errno.h>
#include <stdatomic.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "event_bus.h"
#include "listener.h"
#include "reactor.h"
#include "session.h"
#include "socket.h"
#include "transport.h"
#include "zmq.h"

enum listener_state { LISTENING, STOPPING, STOPPED };

struct mz_listener {
    struct mz_socket *socket;
    struct mz_reactor *reactor;
    struct mz_net_endpoint endpoint; /* owned */
    void *listen_state;              /* the transport kind's */
    int event_fd; /* the fd the listener's events name, or -1: none */
    char *uri;    /* bound URI, for events */
    struct mz_event_source *events; /* the socket's, a reference */

    /* Accepted sessions still in their handshake. */
    struct mz_session **handshaking;
    size_t handshaking_count, handshaking_capacity;

    uint64_t id; /* unique in the process, never 0 (mz_listener_id) */
    /* LISTENING --listener_end starts--> STOPPING (no new peer is
     * accepted, handshakes are abandoned) --listener_end is done-->
     * STOPPED, which mz_listener_stop waits for. Written by the I/O
     * thread under done_lock; read there, and by mz_listener_stop under
     * done_lock. */
    enum listener_state state;
    pthread_mutex_t done_lock;
    pthread_cond_t done;
};

static void set_state(struct mz_listener *listener, enum listener_state state)
{
    pthread_mutex_lock(&listener->done_lock);
    listener->state = state;
    pthread_cond_signal(&listener->done);
    pthread_mutex_unlock(&listener->done_lock);
}

/* Listener ids tag the pipes of the peers a listener accepted; a counter
 * rather than the listener's address, which a later listener may reuse. */
static uint64_t next_id(void)
{
    static atomic_uint_fast64_t last;
    return (uint64_t) atomic_fetch_add(&last, 1) + 1;
}

void mz_listener_event(struct mz_listener *listener, uint64_t id,
                       uint64_t value)
{
    mz_event_publish_value(listener->events, id, value, true, listener->uri,
                           "");
}

/* The transport's listen, run on the listener's thread while
 * mz_listener_start waits. The bound URI is formatted and kept here,
 * before this task returns: from the listen on, the I/O thread may accept
 * a peer, and the session it makes reads the URI. */
struct listen_call {
    struct mz_listener *listener;
    char *uri_out;
    size_t uri_size;
    int rc;
    int error;
};

static void listen_task(void *arg)
{
    struct listen_call *call = arg;
    struct mz_listener *listener = call->listener;
    const struct mz_transport_kind *kind = listener->endpoint.kind;
    call->rc =
        kind->listen(listener, &listener->listen_state, &listener->event_fd);
    call->error = errno;
    if (call->rc < 0)
        return;
    if (mz_net_endpoint_format(&listener->endpoint, call->uri_out,
                               call->uri_size) < 0 ||
        (listener->uri = strdup(call->uri_out)) == NULL) {
        call->error = errno;
        kind->unlisten(listener, listener->listen_state);
        call->rc = -1;
        return;
    }
    if (listener->event_fd >= 0)
        mz_listener_event(listener, ZMQ_EVENT_LISTENING,
                          (uint64_t) listener->event_fd);
}

struct mz_listener *mz_listener_start(struct mz_socket *s,
                                      struct mz_net_endpoint *endpoint,
                                      char *uri_out, size_t uri_size)
{
    struct mz_reactor *reactor =
        mz_ctx_choose_reactor(mz_socket_ctx(s), mz_socket_options(s)->affinity);
    struct mz_listener *listener =
        reactor != NULL ? calloc(1, sizeof *listener) : NULL;
    if (listener == NULL) {
        mz_net_endpoint_free(endpoint);
        if (reactor != NULL)
            errno = ENOMEM;
        return NULL;
    }
    listener->socket = s;
    listener->id = next_id();
    listener->reactor = reactor;
    listener->endpoint = *endpoint;
    listener->event_fd = -1;
    /* Set, as everything an accepted peer reads, before the listen. */
    mz_event_source_ref(mz_socket_event_source(s));
    listener->events = mz_socket_event_source(s);
    struct listen_call call = { .listener = listener,
                                .uri_out = uri_out,
                                .uri_size = uri_size };
    mz_reactor_call(reactor, listen_task, &call, "listening");
    if (call.rc < 0) {
        mz_event_source_unref(listener->events);
        mz_net_endpoint_free(&listener->endpoint);
        free(listener);
        errno = call.error;
        return NULL;
    }
    pthread_mutex_init(&listener->done_lock, NULL);
    pthread_cond_init(&listener->done, NULL);
    mz_ctx_network_object_added(mz_socket_ctx(s));
    return listener;
}

static void listener_end(void *arg)
{
    struct mz_listener *listener = arg;
    set_state(listener, STOPPING);
    listener->endpoint.kind->unlisten(listener, listener->listen_state);
    if (listener->event_fd >= 0)
        mz_listener_event(listener, ZMQ_EVENT_CLOSED,
                          (uint64_t) listener->event_fd);
    /* Sessions still handshaking end without reaching the socket. */
    for (size_t i = 0; i < listener->handshaking_count; i++)
        mz_session_abort(listener->handshaking[i]);
    listener->handshaking_count = 0;
    set_state(listener, STOPPED);
}

void mz_listener_stop(struct mz_listener *listener)
{
    mz_reactor_post_or_abort(listener->reactor, listener_end, listener,
                             "stopping a listener");
    pthread_mutex_lock(&listener->done_lock);
    while (listener->state != STOPPED)
        pthread_cond_wait(&listener->done, &listener->done_lock);
    pthread_mutex_unlock(&listener->done_lock);
    /* Accepted sessions keep their own copy of what they need, except the
     * endpoint, which they use only while handshaking (peer_address). */
    struct mz_ctx *ctx = mz_socket_ctx(listener->socket);
    mz_net_endpoint_free(&listener->endpoint);
    pthread_cond_destroy(&listener->done);
    pthread_mutex_destroy(&listener->done_lock);
    free(listener->handshaking);
    mz_event_source_unref(listener->events);
    free(listener->uri);
    free(listener);
    mz_ctx_network_object_removed(ctx);
}

struct mz_reactor *mz_listener_reactor(struct mz_listener *listener)
{
    return listener->reactor;
}

uint64_t mz_listener_id(const struct mz_listener *listener)
{
    return listener->id;
}

const char *mz_listener_uri(const struct mz_listener *listener)
{
    return listener->uri;
}

struct mz_socket *mz_listener_socket(struct mz_listener *listener)
{
    return listener->socket;
}

const struct mz_net_endpoint *
mz_listener_endpoint(const struct mz_listener *listener)
{
    return &listener->endpoint;
}

bool mz_listener_track(struct mz_listener *listener, struct mz_session *session)
{
    if (listener->handshaking_count == listener->handshaking_capacity) {
        size_t capacity = listener->handshaking_capacity
                              ? listener->handshaking_capacity * 2
                              : 8;
        struct mz_session **grown = realloc(
            listener->handshaking, capacity * sizeof *listener->handshaking);
        if (grown == NULL)
            return false;
        listener->handshaking = grown;
        listener->handshaking_capacity = capacity;
    }
    listener->handshaking[listener->handshaking_count++] = session;
    return true;
}

void mz_listener_untrack(struct mz_listener *listener,
                         struct mz_session *session)
{
    for (size_t i = 0; i < listener->handshaking_count; i++) {
        if (listener->handshaking[i] == session) {
            listener->handshaking[i] =
                listener->handshaking[--listener->handshaking_count];
            return;
        }
    }
}

bool mz_listener_is_stopping(const struct mz_listener *listener)
{
    return listener->state != LISTENING;
}
