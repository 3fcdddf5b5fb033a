/*
 * An example modzmq transport that brings its own engine, built outside
 * modzmq's source tree with nothing but the installed SDK:
 *
 *     cc -std=gnu11 -fPIC -shared -fvisibility=hidden \
 *        $(pkg-config --cflags modzmq-sdk) \
 *        -o modzmq_unixpacket.so example_datagram.c
 *
 * (or `make` with the Makefile next to this file). The first zmq_bind or
 * zmq_connect of a "unixpacket://" endpoint loads it.
 *
 * Scheme "unixpacket" carries whole messages over AF_UNIX SOCK_SEQPACKET
 * sockets: "unixpacket:///tmp/dir/name" binds or connects the socket file
 * at that path. There is no ZMTP: each datagram is one message, framed
 * here as
 *
 *     version (1 octet, 1), then for each part:
 *     flags (1 octet, 1 = more parts follow), size (4 octets, big-endian),
 *     the part's bytes
 *
 * so a message must fit in one datagram (the socket's send buffer,
 * ZMQ_SNDBUF; a larger one is dropped with a warning). Nothing is
 * negotiated: a connection is ready as soon as it is made, and a SUB's
 * subscriptions travel to the PUB as the messages the socket gives, so
 * PUB/SUB filters as usual. The plugin does its own I/O on the core's I/O
 * threads through the reactor services; the core does the rest
 * (reconnecting after ZMQ_RECONNECT_IVL, ZMQ_LINGER, the HWMs). When the
 * socket's pipe is full the plugin stops reading, so the kernel's buffer
 * fills and the sender's sends wait in turn: back-pressure all the way.
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
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <zmq.h>

#define SCHEME "unixpacket"

enum {
    FRAME_VERSION = 1,
    PART_MORE = 1,
    PART_HEADER = 5,   /* flags and size */
    SEND_BATCH = 256,  /* messages sent per wake-up before yielding */
    ACCEPT_BATCH = 64, /* connections accepted per wake-up */
};

static const struct modzmq_core_services *services;
static modzmq_core *core;

struct modzmq_endpoint {
    struct sockaddr_un address;
    socklen_t address_length;
    int backlog;
    int sndbuf; /* -1: the kernel's default */
    int rcvbuf;
    /* Bound endpoints. */
    int listen_fd;
    modzmq_watch *listen_watch;
    modzmq_listener *listener;
};

/* A growable byte buffer. */
struct buffer {
    uint8_t *data;
    size_t size;
    size_t capacity;
};

struct modzmq_link_state {
    modzmq_link *link;
    int fd; /* -1 once the connection failed */
    modzmq_watch *watch;
    bool reading;      /* not paused by a full pipe */
    struct buffer out; /* one encoded message */
    bool out_pending;  /* out waits for room in the socket */
    struct buffer in;  /* one received datagram */
    bool in_pending;   /* in waits for room in the pipe */
};

static int init(const struct modzmq_core_services *given, modzmq_core *handle)
{
    /* The reactor and link services are this table's latest members. */
    if (!modzmq_has_service(given,
                            offsetof(struct modzmq_core_services, link_zmtp))) {
        errno = ENOTSUP;
        return -1;
    }
    services = given;
    core = handle;
    return 0;
}

static bool buffer_reserve(struct buffer *b, size_t capacity)
{
    if (capacity <= b->capacity)
        return true;
    size_t grown = b->capacity ? b->capacity : 256;
    while (grown < capacity)
        grown *= 2;
    uint8_t *data = realloc(b->data, grown);
    if (data == NULL)
        return false;
    b->data = data;
    b->capacity = grown;
    return true;
}

/* ---- endpoints ---------------------------------------------------- */

static void read_option(modzmq_socket *socket, int option, int *value)
{
    int read = 0;
    size_t size = sizeof read;
    if (services->socket_option(socket, option, &read, &size) == 0)
        *value = read;
}

static int endpoint_parse(modzmq_socket *socket, const char *scheme,
                          const char *address, enum modzmq_endpoint_mode mode,
                          modzmq_endpoint **endpoint)
{
    (void) scheme;
    (void) mode;
    size_t length = strlen(address);
    struct modzmq_endpoint *e = calloc(1, sizeof *e);
    if (e == NULL)
        return -1;
    if (length == 0) {
        free(e);
        errno = EINVAL;
        return -1;
    }
    if (length >= sizeof e->address.sun_path) {
        free(e);
        errno = ENAMETOOLONG;
        return -1;
    }
    e->address.sun_family = AF_UNIX;
    memcpy(e->address.sun_path, address, length + 1);
    e->address_length =
        (socklen_t) (offsetof(struct sockaddr_un, sun_path) + length + 1);
    e->backlog = 100;
    e->sndbuf = -1;
    e->rcvbuf = -1;
    e->listen_fd = -1;
    read_option(socket, ZMQ_BACKLOG, &e->backlog);
    read_option(socket, ZMQ_SNDBUF, &e->sndbuf);
    read_option(socket, ZMQ_RCVBUF, &e->rcvbuf);
    *endpoint = e;
    return 0;
}

static void endpoint_free(modzmq_endpoint *endpoint)
{
    free(endpoint);
}

static int endpoint_format(modzmq_endpoint *e, char *buffer, size_t size)
{
    int length = snprintf(buffer, size, SCHEME "://%s", e->address.sun_path);
    if (length < 0 || (size_t) length >= size) {
        errno = ENOSPC;
        return -1;
    }
    return length;
}

static int fail_closing(int fd)
{
    int error = errno;
    close(fd);
    errno = error;
    return -1;
}

/* A non-blocking, close-on-exec packet socket with the endpoint's buffer
 * sizes. */
static int open_socket(const modzmq_endpoint *e)
{
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if ((e->sndbuf >= 0 && setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &e->sndbuf,
                                      sizeof e->sndbuf) != 0) ||
        (e->rcvbuf >= 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &e->rcvbuf,
                                      sizeof e->rcvbuf) != 0))
        return fail_closing(fd);
    return fd;
}

/* ---- one connection ---------------------------------------------- */

static void connection_io(void *arg, unsigned events);

static struct modzmq_link_state *connection_new(int fd)
{
    struct modzmq_link_state *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->fd = fd;
    c->reading = true;
    return c;
}

/* Stops all I/O: the watch goes, the fd closes. The state stays for
 * link_close. */
static void connection_stop(struct modzmq_link_state *c)
{
    services->watch_remove(c->watch);
    c->watch = NULL;
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

static void connection_fail(struct modzmq_link_state *c, int error)
{
    connection_stop(c);
    services->link_failed(c->link, error);
}

static void connection_watch(struct modzmq_link_state *c)
{
    if (c->watch != NULL)
        services->watch_set(c->watch,
                            (c->reading ? MODZMQ_WATCH_READ : 0) |
                                (c->out_pending ? MODZMQ_WATCH_WRITE : 0));
}

/* Starts I/O on a connection whose link the core has made. */
static int connection_start(struct modzmq_link_state *c)
{
    c->watch = services->watch_add(services->link_reactor(c->link), c->fd,
                                   connection_io, c);
    if (c->watch == NULL)
        return -1;
    connection_watch(c);
    return 0;
}

/* Encodes the socket's next message into c->out: 1, 0 when none is
 * queued, -1 with errno. */
static int encode_next(struct modzmq_link_state *c)
{
    struct modzmq_part part;
    if (services->link_pull(c->link, &part) != 1)
        return 0;
    if (part.size > UINT32_MAX) {
        errno = EMSGSIZE;
        return -1;
    }
    c->out.size = 0;
    if (!buffer_reserve(&c->out, 1))
        return -1;
    c->out.data[c->out.size++] = FRAME_VERSION;
    for (;;) {
        if (part.size > UINT32_MAX ||
            !buffer_reserve(&c->out, c->out.size + PART_HEADER + part.size))
            return -1;
        uint8_t *p = c->out.data + c->out.size;
        uint32_t size = (uint32_t) part.size;
        p[0] = (part.flags & MODZMQ_MSG_MORE) ? PART_MORE : 0;
        p[1] = (uint8_t) (size >> 24);
        p[2] = (uint8_t) (size >> 16);
        p[3] = (uint8_t) (size >> 8);
        p[4] = (uint8_t) size;
        if (part.size > 0)
            memcpy(p + PART_HEADER, part.data, part.size);
        c->out.size += PART_HEADER + part.size;
        if (!(part.flags & MODZMQ_MSG_MORE))
            return 1;
        /* The rest of a message is always queued with its first part. */
        if (services->link_pull(c->link, &part) != 1) {
            errno = EPROTO;
            return -1;
        }
    }
}

/* Sends what the socket queued until the socket buffer is full, nothing
 * is left, or a batch is done (then the write watch calls again). */
static void connection_send(struct modzmq_link_state *c)
{
    for (int sent = 0; c->fd >= 0; sent++) {
        if (!c->out_pending) {
            if (sent == SEND_BATCH) {
                /* The writable socket calls again at once. */
                services->watch_set(c->watch,
                                    (c->reading ? MODZMQ_WATCH_READ : 0) |
                                        MODZMQ_WATCH_WRITE);
                return;
            }
            int encoded = encode_next(c);
            if (encoded < 0) {
                connection_fail(c, errno);
                return;
            }
            if (encoded == 0)
                break;
            c->out_pending = true;
        }
        if (send(c->fd, c->out.data, c->out.size, MSG_NOSIGNAL) < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
                break;
            if (errno != EMSGSIZE) {
                connection_fail(c, errno);
                return;
            }
            services->log(core, MODZMQ_LOG_WARNING,
                          "message larger than the socket buffer dropped");
        }
        c->out_pending = false;
    }
    connection_watch(c);
}

/* Checks a datagram's framing: true when it is one whole message. */
static bool frame_valid(const uint8_t *data, size_t size)
{
    if (size < 1 + PART_HEADER || data[0] != FRAME_VERSION)
        return false;
    size_t at = 1;
    for (;;) {
        if (size - at < PART_HEADER || (data[at] & ~PART_MORE) != 0)
            return false;
        size_t part = (size_t) data[at + 1] << 24 |
                      (size_t) data[at + 2] << 16 | (size_t) data[at + 3] << 8 |
                      data[at + 4];
        bool more = data[at] & PART_MORE;
        at += PART_HEADER;
        if (size - at < part)
            return false;
        at += part;
        if (!more)
            return at == size;
    }
}

/* Gives the socket the datagram in c->in. False when the pipe is full
 * (the datagram stays, and link_input calls again) or the link failed. */
static bool deliver(struct modzmq_link_state *c)
{
    const uint8_t *data = c->in.data;
    size_t at = 1;
    for (;;) {
        unsigned flags = data[at] & PART_MORE ? MODZMQ_MSG_MORE : 0;
        size_t part = (size_t) data[at + 1] << 24 |
                      (size_t) data[at + 2] << 16 | (size_t) data[at + 3] << 8 |
                      data[at + 4];
        at += PART_HEADER;
        if (services->link_push(c->link, data + at, part, flags) < 0) {
            if (errno == EAGAIN) {
                c->in_pending = true;
                return false;
            }
            connection_fail(c, errno);
            return false;
        }
        at += part;
        if (!flags) {
            c->in_pending = false;
            return true;
        }
    }
}

/* Reads datagrams until none is left or the pipe is full. */
static void connection_receive(struct modzmq_link_state *c)
{
    while (c->fd >= 0) {
        /* The datagram's real size, so that the buffer can hold it. */
        ssize_t size = recv(c->fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
        if (size == 0) {
            connection_fail(c, ECONNRESET);
            return;
        }
        if (size < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK)
                connection_fail(c, errno);
            return;
        }
        if (!buffer_reserve(&c->in, (size_t) size)) {
            connection_fail(c, ENOMEM);
            return;
        }
        ssize_t got = recv(c->fd, c->in.data, c->in.capacity, 0);
        if (got != size) {
            connection_fail(c, got < 0 ? errno : EPROTO);
            return;
        }
        c->in.size = (size_t) got;
        if (!frame_valid(c->in.data, c->in.size)) {
            connection_fail(c, EPROTO);
            return;
        }
        if (!deliver(c)) {
            if (c->fd >= 0) {
                c->reading = false;
                connection_watch(c);
            }
            return;
        }
    }
}

static void connection_io(void *arg, unsigned events)
{
    struct modzmq_link_state *c = arg;
    if (events & (MODZMQ_WATCH_READ | MODZMQ_WATCH_ERROR))
        connection_receive(c);
    if (c->fd >= 0 && (events & MODZMQ_WATCH_WRITE))
        connection_send(c);
}

/* The link is ready: send what is queued, read what comes. */
static void connection_ready(struct modzmq_link_state *c)
{
    if (services->link_ready(c->link) == 0)
        connection_send(c);
    else
        connection_stop(c);
}

static void link_output(modzmq_link_state *c)
{
    if (!c->out_pending)
        connection_send(c);
}

static void link_input(modzmq_link_state *c)
{
    if (c->fd < 0 || !c->in_pending || !deliver(c))
        return;
    c->reading = true;
    connection_watch(c);
    connection_receive(c);
}

static void link_close(modzmq_link_state *c)
{
    connection_stop(c);
    free(c->out.data);
    free(c->in.data);
    free(c);
}

/* ---- connecting ---------------------------------------------------- */

static int connect_link(modzmq_endpoint *e, modzmq_link *link,
                        modzmq_link_state **state)
{
    int fd = open_socket(e);
    if (fd < 0)
        return -1;
    /* A Unix connect completes at once, or fails (ENOENT, ECONNREFUSED:
     * nobody there; EAGAIN: the backlog is full): the core retries. */
    if (connect(fd, (const struct sockaddr *) &e->address, e->address_length))
        return fail_closing(fd);
    struct modzmq_link_state *c = connection_new(fd);
    if (c == NULL)
        return fail_closing(fd);
    c->link = link;
    if (connection_start(c) < 0) {
        int error = errno;
        free(c);
        close(fd);
        errno = error;
        return -1;
    }
    *state = c;
    connection_ready(c);
    return 0;
}

/* ---- listening ------------------------------------------------------ */

static void accept_ready(void *arg, unsigned events)
{
    (void) events;
    modzmq_endpoint *e = arg;
    for (int i = 0; i < ACCEPT_BATCH; i++) {
        int fd =
            accept4(e->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        struct modzmq_link_state *c = connection_new(fd);
        if (c == NULL) {
            close(fd);
            continue;
        }
        c->link = services->link_accept(e->listener, c);
        if (c->link == NULL) {
            close(fd);
            free(c);
            continue;
        }
        /* From here on the core owns c's life: link_close frees it. */
        if (connection_start(c) < 0)
            connection_fail(c, errno);
        else
            connection_ready(c);
    }
}

/* A socket file left by a process that did not unbind is replaced, as
 * libzmq's ipc does; anything else at the path is an error. */
static void remove_stale_socket(const char *path)
{
    struct stat status;
    if (lstat(path, &status) == 0 && S_ISSOCK(status.st_mode))
        unlink(path);
}

static int listen_on(modzmq_endpoint *e, modzmq_listener *listener)
{
    int fd = open_socket(e);
    if (fd < 0)
        return -1;
    remove_stale_socket(e->address.sun_path);
    if (bind(fd, (const struct sockaddr *) &e->address, e->address_length) ||
        listen(fd, e->backlog) != 0)
        return fail_closing(fd);
    e->listen_watch = services->watch_add(services->listener_reactor(listener),
                                          fd, accept_ready, e);
    if (e->listen_watch == NULL) {
        int error = errno;
        unlink(e->address.sun_path);
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
    e->listen_watch = NULL;
    close(e->listen_fd);
    e->listen_fd = -1;
    unlink(e->address.sun_path);
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
