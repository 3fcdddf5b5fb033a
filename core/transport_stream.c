/*
 * The stream kind of transport (sdk/modzmq/transport.h) behind the core's
 * one transport interface (transport.h): the plugin hands over fds, and
 * this file watches them. A listener's fd is accepted from as it becomes
 * readable, each connection starting an accepted session; a connect
 * attempt waits for its fd to become writable, finishes the connect, runs
 * the transport's own protocol if it has one (connect_handshake), and
 * hands the fd to the dialer for ZMTP.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "byte_stream.h"
#include "dialer.h"
#include "event_bus.h"
#include "listener.h"
#include "options.h"
#include "reactor.h"
#include "session.h"
#include "transport.h"
#include "zmq.h"

static const struct modzmq_transport_ops *ops_of(const void *plugin)
{
    return plugin;
}

static int stream_peer_address(const struct mz_net_endpoint *endpoint, int fd,
                               char *buffer, size_t size)
{
    const struct modzmq_transport_ops *ops = ops_of(endpoint->plugin);
    if (ops->peer_address == NULL)
        return -1;
    return ops->peer_address(endpoint->endpoint, fd, buffer, size);
}

static int stream_open_stream(const struct mz_net_endpoint *endpoint, int fd,
                              bool bare, struct mz_byte_stream *stream)
{
    const struct modzmq_transport_ops *ops = ops_of(endpoint->plugin);
    if (bare) {
        if (mz_byte_stream_wraps(ops)) {
            errno = EPROTONOSUPPORT;
            return -1;
        }
        *stream = mz_byte_stream_of_fd(fd);
        return 0;
    }
    return mz_byte_stream_open(stream, ops, endpoint->endpoint, fd);
}

/* ---- listening ---------------------------------------------------- */

struct stream_listen {
    struct mz_listener *listener;
    const struct modzmq_transport_ops *ops;
    modzmq_endpoint *endpoint;
    int fd;
    struct mz_reactor_fd *handle;
    /* The timer that resumes accepting after a lack of resources, or 0. */
    uint64_t pause_timer;
};

/* How long a listener stops accepting when the process lacks descriptors
 * or memory for a new connection. */
enum { ACCEPT_PAUSE_MS = 100 };

static void accept_resume(void *arg)
{
    struct stream_listen *listen = arg;
    listen->pause_timer = 0;
    mz_reactor_want(listen->handle, true, false);
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
    struct stream_listen *listen = arg;
    struct mz_listener *listener = listen->listener;
    /* A bounded batch per wake-up keeps other fds of this thread served. */
    for (int i = 0; i < 64 && !mz_listener_is_stopping(listener); i++) {
        int fd = -1;
        if (listen->ops->accept(listen->endpoint, listen->fd, &fd) < 0) {
            int error = errno;
            if (error == EAGAIN || error == EWOULDBLOCK)
                return;
            /* One refused or failed connection. */
            mz_listener_event(listener, ZMQ_EVENT_ACCEPT_FAILED,
                              (uint64_t) error);
            if (lacks_resources(error)) {
                struct mz_reactor *reactor = mz_listener_reactor(listener);
                listen->pause_timer = mz_reactor_add_timer(
                    reactor, ACCEPT_PAUSE_MS, accept_resume, listen);
                if (listen->pause_timer != 0)
                    mz_reactor_want(listen->handle, false, false);
                return;
            }
            continue;
        }
        struct mz_session *session = mz_session_accepted(listener);
        if (session == NULL) {
            /* Refused, as libzmq's listener refuses a connection it
             * cannot take. */
            close(fd);
            mz_listener_event(listener, ZMQ_EVENT_ACCEPT_FAILED,
                              (uint64_t) errno);
            continue;
        }
        mz_session_connection(session, fd);
    }
}

static int stream_listen(struct mz_listener *listener, void **state,
                         int *event_fd)
{
    const struct mz_net_endpoint *endpoint = mz_listener_endpoint(listener);
    struct stream_listen *listen = calloc(1, sizeof *listen);
    if (listen == NULL) {
        errno = ENOMEM;
        return -1;
    }
    listen->listener = listener;
    listen->ops = ops_of(endpoint->plugin);
    listen->endpoint = endpoint->endpoint;
    if (listen->ops->listen(listen->endpoint, &listen->fd) < 0) {
        int error = errno;
        free(listen);
        errno = error;
        return -1;
    }
    listen->handle = mz_reactor_add_fd(mz_listener_reactor(listener),
                                       listen->fd, accept_ready, listen);
    if (listen->handle == NULL)
        fprintf(stderr, "modzmq: cannot watch a listening socket: %s\n",
                strerror(errno));
    else
        mz_reactor_want(listen->handle, true, false);
    *state = listen;
    *event_fd = listen->fd;
    return 0;
}

static void stream_unlisten(struct mz_listener *listener, void *state)
{
    struct stream_listen *listen = state;
    mz_reactor_cancel_timer(mz_listener_reactor(listener), listen->pause_timer);
    if (listen->handle != NULL)
        mz_reactor_remove_fd(listen->handle);
    listen->ops->unlisten(listen->endpoint, listen->fd);
    free(listen);
}

/* ---- connecting --------------------------------------------------- */

struct stream_attempt {
    struct mz_dialer *dialer;
    const struct modzmq_transport_ops *ops;
    modzmq_endpoint *endpoint;
    int fd;
    struct mz_reactor_fd *handle; /* the fd while watched, else NULL */
    /* ZMQ_CONNECT_TIMEOUT, then ZMQ_HANDSHAKE_IVL of the transport's own
     * protocol, or 0. */
    uint64_t timer;
};

static struct mz_reactor *reactor_of(const struct stream_attempt *a)
{
    return mz_dialer_reactor(a->dialer);
}

/* The attempt is over: its fd is no longer watched nor timed, and the
 * attempt freed. Returns the fd. */
static int attempt_end(struct stream_attempt *a)
{
    if (a->handle != NULL)
        mz_reactor_remove_fd(a->handle);
    if (a->timer != 0)
        mz_reactor_cancel_timer(reactor_of(a), a->timer);
    int fd = a->fd;
    free(a);
    return fd;
}

/* The attempt failed on its fd: closed, CLOSED, and the dialer hears. */
static void attempt_failed(struct stream_attempt *a, bool counts, int error)
{
    struct mz_dialer *dialer = a->dialer;
    int fd = attempt_end(a);
    close(fd);
    mz_dialer_event(dialer, ZMQ_EVENT_CLOSED, (uint64_t) fd);
    if (counts)
        mz_dialer_failed(dialer, error);
    else
        mz_dialer_retry(dialer);
}

/* Whether the transport speaks a protocol of its own before ZMTP
 * (connect_handshake, ABI 1.2: a table of 1.1 ends before it). */
static bool transport_handshakes(const struct modzmq_transport_ops *ops)
{
    return ops->size >=
               offsetof(struct modzmq_transport_ops, connect_handshake) +
                   sizeof ops->connect_handshake &&
           ops->connect_handshake != NULL;
}

/* Watches the attempt's fd for fn; false when it cannot. */
static bool attempt_watch(struct stream_attempt *a, mz_reactor_io_fn *fn,
                          bool readable, bool writable)
{
    a->handle = mz_reactor_add_fd(reactor_of(a), a->fd, fn, a);
    if (a->handle == NULL)
        return false;
    mz_reactor_want(a->handle, readable, writable);
    return true;
}

static void handshake_ready(void *arg, uint32_t events);

/* One step of the transport's protocol on the fd; waits for the fd again,
 * or goes on to ZMTP, or closes it and tries again later (as libzmq does
 * after a failed SOCKS exchange, whatever ZMQ_RECONNECT_STOP says). */
static void handshake_step(struct stream_attempt *a)
{
    unsigned wants = 0;
    int rc = a->ops->connect_handshake(a->endpoint, a->fd, &wants);
    if (rc == 0 &&
        attempt_watch(a, handshake_ready, (wants & MODZMQ_WANT_READ) != 0,
                      (wants & MODZMQ_WANT_WRITE) != 0))
        return;
    if (rc <= 0) {
        attempt_failed(a, false, 0);
        return;
    }
    struct mz_dialer *dialer = a->dialer;
    mz_dialer_connected_fd(dialer, attempt_end(a));
}

static void handshake_ready(void *arg, uint32_t events)
{
    (void) events;
    struct stream_attempt *a = arg;
    mz_reactor_remove_fd(a->handle);
    a->handle = NULL;
    handshake_step(a);
}

/* ZMQ_CONNECT_TIMEOUT (or ZMQ_HANDSHAKE_IVL for a transport's own
 * protocol): the connect is abandoned and tried again later. */
static void connect_timed_out(void *arg)
{
    struct stream_attempt *a = arg;
    a->timer = 0;
    attempt_failed(a, false, 0);
}

static void connect_ready(void *arg, uint32_t events)
{
    (void) events;
    struct stream_attempt *a = arg;
    mz_reactor_remove_fd(a->handle);
    a->handle = NULL;
    if (a->timer != 0) {
        mz_reactor_cancel_timer(reactor_of(a), a->timer);
        a->timer = 0;
    }
    if (a->ops->connect_finish(a->endpoint, a->fd) < 0) {
        attempt_failed(a, true, errno);
        return;
    }
    if (transport_handshakes(a->ops)) {
        /* Bounded like a ZMTP handshake, which libzmq's SOCKS client is
         * not: a silent proxy would hold the connection for ever. */
        int ivl = mz_dialer_options(a->dialer)->handshake_ivl;
        if (ivl > 0)
            a->timer = mz_reactor_add_timer(reactor_of(a), (uint64_t) ivl,
                                            connect_timed_out, a);
        handshake_step(a);
        return;
    }
    struct mz_dialer *dialer = a->dialer;
    mz_dialer_connected_fd(dialer, attempt_end(a));
}

static int stream_connect(struct mz_dialer *dialer, void **attempt)
{
    const struct mz_net_endpoint *endpoint = mz_dialer_endpoint(dialer);
    const struct modzmq_transport_ops *ops = ops_of(endpoint->plugin);
    int fd = -1;
    /* A transport leaves errno EINPROGRESS when the connect goes on in the
     * background (transport.h): libzmq calls that CONNECT_DELAYED. */
    errno = 0;
    if (ops->connect_start(endpoint->endpoint, &fd) < 0) {
        /* Retried whatever the reason, as libzmq's connecter does:
         * ZMQ_RECONNECT_STOP_CONN_REFUSED is for a refusal that comes once
         * the connect is under way. */
        mz_dialer_retry(dialer);
        *attempt = NULL;
        return 0;
    }
    if (errno == EINPROGRESS)
        mz_dialer_event(dialer, ZMQ_EVENT_CONNECT_DELAYED, EINPROGRESS);
    struct stream_attempt *a = calloc(1, sizeof *a);
    if (a == NULL) {
        close(fd);
        mz_dialer_retry(dialer);
        *attempt = NULL;
        return 0;
    }
    a->dialer = dialer;
    a->ops = ops;
    a->endpoint = endpoint->endpoint;
    a->fd = fd;
    if (!attempt_watch(a, connect_ready, false, true)) {
        free(a);
        close(fd);
        mz_dialer_retry(dialer);
        *attempt = NULL;
        return 0;
    }
    int timeout = mz_dialer_options(dialer)->connect_timeout;
    if (timeout > 0)
        a->timer = mz_reactor_add_timer(reactor_of(a), (uint64_t) timeout,
                                        connect_timed_out, a);
    *attempt = a;
    return 0;
}

static void stream_cancel(void *attempt)
{
    close(attempt_end(attempt));
}

const struct mz_transport_kind mz_stream_transport = {
    .carries_commands = true,
    .listen = stream_listen,
    .unlisten = stream_unlisten,
    .connect = stream_connect,
    .cancel = stream_cancel,
    .peer_address = stream_peer_address,
    .open_stream = stream_open_stream,
};
