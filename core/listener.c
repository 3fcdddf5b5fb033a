/*
 * Listeners; see listener.h.
 *
 * The listening fd is opened on the socket's thread, inside zmq_bind, so
 * that its errors reach the caller; from then on the listener lives on its
 * I/O thread. Stopping is synchronous: the socket thread posts the stop
 * and waits for the I/O thread to confirm it, after which no accepted
 * session can hand a new pipe to the socket.
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

struct mz_listener {
    struct mz_socket *socket;
    struct mz_reactor *reactor;
    const struct modzmq_transport_ops *ops;
    /* An own-engine transport's ops instead of ops, else NULL. */
    const struct modzmq_engine_transport_ops *link_ops;
    modzmq_endpoint *endpoint;
    int fd;
    struct mz_reactor_fd *handle;
    char *uri;                      /* bound URI, for events */
    struct mz_event_source *events; /* the socket's, a reference */

    /* Accepted sessions still in their handshake. */
    struct mz_session **handshaking;
    size_t handshaking_count, handshaking_capacity;

    uint64_t id; /* unique in the process, never 0 (mz_listener_id) */
    /* The timer that resumes accepting after a lack of resources, or 0. */
    uint64_t pause_timer;
    bool stopping;
    bool stopped; /* set by the I/O thread, under done_lock */
    pthread_mutex_t done_lock;
    pthread_cond_t done;
};

/* Listener ids tag the pipes of the peers a listener accepted; a counter
 * rather than the listener's address, which a later listener may reuse. */
static uint64_t next_id(void)
{
    static atomic_uint_fast64_t last;
    return (uint64_t) atomic_fetch_add(&last, 1) + 1;
}

/* How long a listener stops accepting when the process lacks descriptors
 * or memory for a new connection. */
enum { ACCEPT_PAUSE_MS = 100 };

static void accept_resume(void *arg)
{
    struct mz_listener *listener = arg;
    listener->pause_timer = 0;
    mz_reactor_want(listener->handle, true, false);
}

/* Out of descriptors (EMFILE, ENFILE) or memory, accept fails while the
 * connection stays pending, so the listening fd stays readable: watching
 * it on would spin. The listener stops watching for a while instead and
 * the connection waits in the kernel's backlog. */
static bool lacks_resources(int error)
{
    return error == EMFILE || error == ENFILE || error == ENOBUFS ||
           error == ENOMEM;
}

static void accept_ready(void *arg, uint32_t events)
{
    (void) events;
    struct mz_listener *listener = arg;
    /* A bounded batch per wake-up keeps other fds of this thread served. */
    for (int i = 0; i < 64 && !listener->stopping; i++) {
        int fd = -1;
        if (listener->ops->accept(listener->endpoint, listener->fd, &fd) < 0) {
            int error = errno;
            if (error == EAGAIN || error == EWOULDBLOCK)
                return;
            /* One refused or failed connection. */
            mz_event_publish_value(listener->events, ZMQ_EVENT_ACCEPT_FAILED,
                                   (uint64_t) error, true, listener->uri, "");
            if (lacks_resources(error)) {
                listener->pause_timer =
                    mz_reactor_add_timer(listener->reactor, ACCEPT_PAUSE_MS,
                                         accept_resume, listener);
                if (listener->pause_timer != 0)
                    mz_reactor_want(listener->handle, false, false);
                return;
            }
            continue;
        }
        mz_session_accept(listener, fd);
    }
}

static void listener_begin(void *arg)
{
    struct mz_listener *listener = arg;
    listener->handle = mz_reactor_add_fd(listener->reactor, listener->fd,
                                         accept_ready, listener);
    if (listener->handle == NULL) {
        fprintf(stderr, "modzmq: cannot watch a listening socket: %s\n",
                strerror(errno));
        return;
    }
    mz_reactor_want(listener->handle, true, false);
}

struct mz_listener *mz_listener_start(struct mz_socket *s,
                                      const struct modzmq_transport_ops *ops,
                                      modzmq_endpoint *endpoint, char *uri_out,
                                      size_t uri_size)
{
    struct mz_reactor *reactor =
        mz_ctx_choose_reactor(mz_socket_ctx(s), mz_socket_options(s)->affinity);
    if (reactor == NULL) {
        ops->endpoint_free(endpoint);
        return NULL;
    }
    struct mz_listener *listener = calloc(1, sizeof *listener);
    if (listener == NULL) {
        ops->endpoint_free(endpoint);
        errno = ENOMEM;
        return NULL;
    }
    listener->socket = s;
    listener->id = next_id();
    listener->reactor = reactor;
    listener->ops = ops;
    listener->endpoint = endpoint;
    if (ops->listen(endpoint, &listener->fd) < 0) {
        int saved = errno;
        ops->endpoint_free(endpoint);
        free(listener);
        errno = saved;
        return NULL;
    }
    if (ops->endpoint_format(endpoint, uri_out, uri_size) < 0 ||
        (listener->uri = strdup(uri_out)) == NULL) {
        int saved = errno;
        ops->unlisten(endpoint, listener->fd);
        ops->endpoint_free(endpoint);
        free(listener);
        errno = saved;
        return NULL;
    }
    mz_event_source_ref(mz_socket_event_source(s));
    listener->events = mz_socket_event_source(s);
    mz_event_publish_value(listener->events, ZMQ_EVENT_LISTENING,
                           (uint64_t) listener->fd, true, listener->uri, "");
    pthread_mutex_init(&listener->done_lock, NULL);
    pthread_cond_init(&listener->done, NULL);
    mz_ctx_network_object_added(mz_socket_ctx(s));
    mz_reactor_post_or_abort(reactor, listener_begin, listener,
                             "starting a listener");
    return listener;
}

/* The plugin's listen of an own-engine transport, run on the listener's
 * thread for mz_listener_start_links. The bound URI is formatted and kept
 * here, before this task returns: from the plugin's listen on, the I/O
 * thread may accept a link, and the session it makes reads the URI. */
struct link_listen {
    struct mz_listener *listener;
    char *uri_out;
    size_t uri_size;
    int rc;
    int error;
};

static void link_listen_task(void *arg)
{
    struct link_listen *call = arg;
    struct mz_listener *listener = call->listener;
    const struct modzmq_engine_transport_ops *ops = listener->link_ops;
    call->rc = ops->listen(listener->endpoint, (modzmq_listener *) listener);
    call->error = errno;
    if (call->rc < 0)
        return;
    if (ops->endpoint_format(listener->endpoint, call->uri_out,
                             call->uri_size) < 0 ||
        (listener->uri = strdup(call->uri_out)) == NULL) {
        call->error = errno;
        ops->unlisten(listener->endpoint);
        call->rc = -1;
    }
}

struct mz_listener *mz_listener_start_links(
    struct mz_socket *s, const struct modzmq_engine_transport_ops *ops,
    modzmq_endpoint *endpoint, char *uri_out, size_t uri_size)
{
    struct mz_reactor *reactor =
        mz_ctx_choose_reactor(mz_socket_ctx(s), mz_socket_options(s)->affinity);
    struct mz_listener *listener =
        reactor != NULL ? calloc(1, sizeof *listener) : NULL;
    if (listener == NULL) {
        ops->endpoint_free(endpoint);
        if (reactor != NULL)
            errno = ENOMEM;
        return NULL;
    }
    listener->socket = s;
    listener->id = next_id();
    listener->reactor = reactor;
    listener->link_ops = ops;
    listener->endpoint = endpoint;
    listener->fd = -1;
    /* Links publish no events yet (they have no fd to report); the
     * reference keeps the socket's source as the stream listener does.
     * Set, as everything an accepted link reads, before the listen. */
    mz_event_source_ref(mz_socket_event_source(s));
    listener->events = mz_socket_event_source(s);
    struct link_listen call = { .listener = listener,
                                .uri_out = uri_out,
                                .uri_size = uri_size };
    mz_reactor_call(reactor, link_listen_task, &call, "listening");
    if (call.rc < 0) {
        mz_event_source_unref(listener->events);
        ops->endpoint_free(endpoint);
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
    listener->stopping = true;
    if (listener->link_ops != NULL) {
        listener->link_ops->unlisten(listener->endpoint);
    } else {
        mz_reactor_cancel_timer(listener->reactor, listener->pause_timer);
        if (listener->handle != NULL)
            mz_reactor_remove_fd(listener->handle);
        listener->ops->unlisten(listener->endpoint, listener->fd);
        mz_event_publish_value(listener->events, ZMQ_EVENT_CLOSED,
                               (uint64_t) listener->fd, true, listener->uri,
                               "");
    }
    /* Sessions still handshaking end without reaching the socket. */
    for (size_t i = 0; i < listener->handshaking_count; i++)
        mz_session_abort(listener->handshaking[i]);
    listener->handshaking_count = 0;
    pthread_mutex_lock(&listener->done_lock);
    listener->stopped = true;
    pthread_cond_signal(&listener->done);
    pthread_mutex_unlock(&listener->done_lock);
}

void mz_listener_stop(struct mz_listener *listener)
{
    mz_reactor_post_or_abort(listener->reactor, listener_end, listener,
                             "stopping a listener");
    pthread_mutex_lock(&listener->done_lock);
    while (!listener->stopped)
        pthread_cond_wait(&listener->done, &listener->done_lock);
    pthread_mutex_unlock(&listener->done_lock);
    /* Accepted sessions keep their own copy of what they need, except the
     * endpoint, which they use only while handshaking (peer_address). */
    struct mz_ctx *ctx = mz_socket_ctx(listener->socket);
    if (listener->link_ops != NULL)
        listener->link_ops->endpoint_free(listener->endpoint);
    else
        listener->ops->endpoint_free(listener->endpoint);
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

const struct modzmq_transport_ops *mz_listener_ops(struct mz_listener *listener)
{
    return listener->ops;
}

modzmq_endpoint *mz_listener_endpoint(struct mz_listener *listener)
{
    return listener->endpoint;
}

const struct modzmq_engine_transport_ops *
mz_listener_link_ops(struct mz_listener *listener)
{
    return listener->link_ops;
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
    return listener->stopping;
}
