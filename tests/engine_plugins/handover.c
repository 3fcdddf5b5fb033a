/*
 * Test plugin: an own-engine transport that runs a protocol of its own
 * before ZMTP, as a proxy transport would, and then gives each connection
 * to the core's ZMTP engine (services->link_zmtp).
 *
 * Scheme "handover" over Linux abstract stream sockets: "handover://name"
 * is the abstract address "\0name". The connecting side writes the eight
 * octets "MZPROXY1" first (from a task it posts, to use task_post); the
 * accepting side reads them, within ZMQ_HANDSHAKE_IVL (a timer) when the
 * bound socket sets one, and drops a connection that sends anything else
 * (EPROTO) or nothing in time (ETIMEDOUT). Then both sides hand the fd to
 * ZMTP.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* accept4 */
#endif

#include <errno.h>
#include <modzmq/engine_transport.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <zmq.h>

#define SCHEME "handover"
#define PREAMBLE "MZPROXY1"
enum { PREAMBLE_SIZE = 8 };

static const struct modzmq_core_services *services;

struct modzmq_endpoint {
    struct sockaddr_un address;
    socklen_t address_length;
    int timeout_ms; /* ZMQ_HANDSHAKE_IVL of a bound socket, 0 for none */
    int listen_fd;
    modzmq_watch *listen_watch;
    modzmq_listener *listener;
};

struct modzmq_link_state {
    modzmq_link *link;
    modzmq_reactor *reactor;
    int fd; /* -1 once closed or handed to ZMTP */
    modzmq_watch *watch;
    uint64_t timer;
    uint8_t got[PREAMBLE_SIZE];
    size_t have;
    bool task_pending; /* the connect's task has not run yet */
    bool closed;       /* link_close came first: the task frees */
};

static int init(const struct modzmq_core_services *given, modzmq_core *core)
{
    (void) core;
    if (!modzmq_has_service(given,
                            offsetof(struct modzmq_core_services, link_zmtp))) {
        errno = ENOTSUP;
        return -1;
    }
    services = given;
    return 0;
}

static int endpoint_parse(modzmq_socket *socket, const char *scheme,
                          const char *address, enum modzmq_endpoint_mode mode,
                          modzmq_endpoint **endpoint)
{
    (void) scheme;
    size_t length = strlen(address);
    struct modzmq_endpoint *e = calloc(1, sizeof *e);
    if (e == NULL)
        return -1;
    if (length == 0 || length > sizeof e->address.sun_path - 1) {
        free(e);
        errno = length == 0 ? EINVAL : ENAMETOOLONG;
        return -1;
    }
    e->address.sun_family = AF_UNIX;
    memcpy(e->address.sun_path + 1, address, length);
    e->address_length =
        (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + length);
    e->listen_fd = -1;
    if (mode == MODZMQ_ENDPOINT_BIND) {
        size_t size = sizeof e->timeout_ms;
        if (services->socket_option(socket, ZMQ_HANDSHAKE_IVL, &e->timeout_ms,
                                    &size) != 0)
            e->timeout_ms = 0;
    }
    *endpoint = e;
    return 0;
}

static void endpoint_free(modzmq_endpoint *endpoint)
{
    free(endpoint);
}

static int endpoint_format(modzmq_endpoint *e, char *buffer, size_t size)
{
    size_t name =
        e->address_length - offsetof(struct sockaddr_un, sun_path) - 1;
    int length = snprintf(buffer, size, SCHEME "://%.*s", (int) name,
                          e->address.sun_path + 1);
    if (length < 0 || (size_t) length >= size) {
        errno = ENOSPC;
        return -1;
    }
    return length;
}

static int stream_socket(void)
{
    return socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

/* Stops the state's I/O and timer; the fd, if still ours, closes. */
static void state_stop(struct modzmq_link_state *c)
{
    if (c->timer != 0)
        services->timer_cancel(c->reactor, c->timer);
    c->timer = 0;
    services->watch_remove(c->watch);
    c->watch = NULL;
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

static void state_fail(struct modzmq_link_state *c, int error)
{
    state_stop(c);
    services->link_failed(c->link, error);
}

/* The fd goes to ZMTP: it is the core's from here on. */
static void hand_over(struct modzmq_link_state *c, const char *peer)
{
    int fd = c->fd;
    c->fd = -1;
    state_stop(c);
    services->link_zmtp(c->link, fd, peer);
}

/* ---- connecting ---------------------------------------------------- */

static void send_preamble(void *arg)
{
    struct modzmq_link_state *c = arg;
    c->task_pending = false;
    if (c->closed) {
        free(c);
        return;
    }
    /* A new stream socket always has room for eight octets. */
    if (write(c->fd, PREAMBLE, PREAMBLE_SIZE) != PREAMBLE_SIZE) {
        state_fail(c, errno != 0 ? errno : EIO);
        return;
    }
    hand_over(c, "handover-peer");
}

static int connect_link(modzmq_endpoint *e, modzmq_link *link,
                        modzmq_link_state **state)
{
    int fd = stream_socket();
    if (fd < 0)
        return -1;
    struct modzmq_link_state *c = calloc(1, sizeof *c);
    if (c == NULL ||
        connect(fd, (const struct sockaddr *) &e->address, e->address_length)) {
        int error = c == NULL ? ENOMEM : errno;
        free(c);
        close(fd);
        errno = error;
        return -1;
    }
    c->link = link;
    c->reactor = services->link_reactor(link);
    c->fd = fd;
    c->task_pending = true;
    if (services->task_post(c->reactor, send_preamble, c) < 0) {
        free(c);
        close(fd);
        errno = ENOMEM;
        return -1;
    }
    *state = c;
    return 0;
}

/* ---- accepting ------------------------------------------------------ */

static void preamble_timeout(void *arg)
{
    struct modzmq_link_state *c = arg;
    c->timer = 0;
    state_fail(c, ETIMEDOUT);
}

static void preamble_ready(void *arg, unsigned events)
{
    (void) events;
    struct modzmq_link_state *c = arg;
    ssize_t n = read(c->fd, c->got + c->have, PREAMBLE_SIZE - c->have);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return;
    if (n <= 0) {
        state_fail(c, n == 0 ? ECONNRESET : errno);
        return;
    }
    c->have += (size_t) n;
    if (c->have < PREAMBLE_SIZE)
        return;
    if (memcmp(c->got, PREAMBLE, PREAMBLE_SIZE) != 0) {
        state_fail(c, EPROTO);
        return;
    }
    hand_over(c, NULL);
}

static void accept_ready(void *arg, unsigned events)
{
    (void) events;
    modzmq_endpoint *e = arg;
    for (;;) {
        int fd =
            accept4(e->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        struct modzmq_link_state *c = calloc(1, sizeof *c);
        if (c == NULL) {
            close(fd);
            continue;
        }
        c->fd = fd;
        c->link = services->link_accept(e->listener, c);
        if (c->link == NULL) {
            close(fd);
            free(c);
            continue;
        }
        c->reactor = services->link_reactor(c->link);
        c->watch = services->watch_add(c->reactor, fd, preamble_ready, c);
        if (c->watch == NULL) {
            state_fail(c, errno);
            continue;
        }
        services->watch_set(c->watch, MODZMQ_WATCH_READ);
        if (e->timeout_ms > 0)
            c->timer = services->timer_add(c->reactor, (uint64_t) e->timeout_ms,
                                           preamble_timeout, c);
    }
}

static int listen_on(modzmq_endpoint *e, modzmq_listener *listener)
{
    int fd = stream_socket();
    if (fd < 0)
        return -1;
    e->listen_watch = NULL;
    if (bind(fd, (const struct sockaddr *) &e->address, e->address_length) ||
        listen(fd, 16) ||
        (e->listen_watch =
             services->watch_add(services->listener_reactor(listener), fd,
                                 accept_ready, e)) == NULL) {
        int error = errno;
        close(fd);
        errno = error;
        return -1;
    }
    services->watch_set(e->listen_watch, MODZMQ_WATCH_READ);
    e->listen_fd = fd;
    e->listener = listener;
    return 0;
}

static void unlisten(modzmq_endpoint *e)
{
    services->watch_remove(e->listen_watch);
    close(e->listen_fd);
    e->listen_fd = -1;
}

/* The link carries no messages itself: ZMTP does, after the hand-over. */
static void link_output(modzmq_link_state *c)
{
    (void) c;
}

static void link_input(modzmq_link_state *c)
{
    (void) c;
}

static void link_close(modzmq_link_state *c)
{
    state_stop(c);
    if (c->task_pending)
        c->closed = true;
    else
        free(c);
}

static const struct modzmq_engine_transport_ops ops = {
    .size = sizeof(struct modzmq_engine_transport_ops),
    .endpoint_parse = endpoint_parse,
    .endpoint_free = endpoint_free,
    .endpoint_format = endpoint_format,
    .listen = listen_on,
    .unlisten = unlisten,
    .connect = connect_link,
    .link_output = link_output,
    .link_input = link_input,
    .link_close = link_close,
};

static const char *const schemes[] = { SCHEME, NULL };

static const struct modzmq_plugin descriptor = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = SCHEME,
    .kind = MODZMQ_PLUGIN_ENGINE_TRANSPORT,
    .serves = schemes,
    .ops = &ops,
    .init = init,
};

MODZMQ_PLUGIN_ENTRY
{
    return &descriptor;
}
