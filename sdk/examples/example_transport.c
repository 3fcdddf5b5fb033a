/*
 * An example modzmq transport plugin, built outside modzmq's source tree
 * with nothing but the installed SDK:
 *
 *     cc -std=gnu11 -fPIC -shared -fvisibility=hidden \
 *        $(pkg-config --cflags modzmq-sdk) \
 *        -o modzmq_unixstream.so example_transport.c
 *     cp modzmq_unixstream.so "$(pkg-config --variable=plugindir modzmq-sdk)"
 *
 * (or `make` and `make install` with the Makefile next to this file). The
 * file name gives the scheme: the first zmq_bind or zmq_connect of a
 * "unixstream://" endpoint loads modzmq_unixstream.so from
 * MODZMQ_PLUGIN_PATH or the plugin directory.
 *
 * Scheme "unixstream" carries ZMTP over Linux abstract-namespace stream
 * sockets: "unixstream://name" is the abstract address "\0name", nothing
 * appears in the file system, and binding to the address "*" gets a name
 * the kernel picks (five hex digits), which ZMQ_LAST_ENDPOINT then shows. It
 * honours ZMQ_BACKLOG on listen and ZMQ_SNDBUF/ZMQ_RCVBUF on every
 * connection, read once when the endpoint is parsed.
 *
 * All the core asks of a stream transport is here: parse, listen,
 * accept, connect, format the endpoint; the core runs ZMTP over the fds.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* accept4 */
#endif

#include <errno.h>
#include <modzmq/transport.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <zmq.h>

/* A build may give it another name; modzmq's suite builds it so against
 * the frozen SDK 1.0 and 1.1 headers, to load it as an older plugin. */
#ifndef SCHEME
#define SCHEME "unixstream"
#endif

struct modzmq_endpoint {
    bool wildcard; /* bind to a name the kernel picks */
    int backlog;
    int sndbuf; /* -1: leave the kernel's default */
    int rcvbuf;
    /* The abstract address: sun_path[0] is 0, the name follows. After a
     * wildcard listen, the name the kernel picked. */
    struct sockaddr_un address;
    socklen_t address_length;
};

static const struct modzmq_core_services *services;

static int init(const struct modzmq_core_services *given, modzmq_core *core)
{
    (void) core;
    services = given;
    return 0;
}

/* Reads an int option of the socket, leaving *value alone on failure. */
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
    size_t length = strlen(address);
    bool wildcard = strcmp(address, "*") == 0;
    if (length == 0 || (wildcard && mode != MODZMQ_ENDPOINT_BIND)) {
        errno = EINVAL;
        return -1;
    }
    struct modzmq_endpoint *e = calloc(1, sizeof *e);
    if (e == NULL)
        return -1;
    /* One byte of sun_path is the leading 0 of the abstract namespace. */
    if (!wildcard && length > sizeof e->address.sun_path - 1) {
        free(e);
        errno = ENAMETOOLONG;
        return -1;
    }
    e->wildcard = wildcard;
    e->backlog = 100;
    e->sndbuf = -1;
    e->rcvbuf = -1;
    if (socket != NULL) {
        read_option(socket, ZMQ_BACKLOG, &e->backlog);
        read_option(socket, ZMQ_SNDBUF, &e->sndbuf);
        read_option(socket, ZMQ_RCVBUF, &e->rcvbuf);
    }
    e->address.sun_family = AF_UNIX;
    if (!wildcard)
        memcpy(e->address.sun_path + 1, address, length);
    e->address_length =
        (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + length);
    *endpoint = e;
    return 0;
}

static void endpoint_free(modzmq_endpoint *endpoint)
{
    free(endpoint);
}

/* Closes fd on a failure path without losing the failure's errno. */
static int fail_closing(int fd)
{
    int error = errno;
    close(fd);
    errno = error;
    return -1;
}

/* Gives a connection the endpoint's buffer sizes. */
static int apply_buffers(const modzmq_endpoint *e, int fd)
{
    if (e->sndbuf >= 0 &&
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &e->sndbuf, sizeof e->sndbuf))
        return -1;
    if (e->rcvbuf >= 0 &&
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &e->rcvbuf, sizeof e->rcvbuf))
        return -1;
    return 0;
}

/* A new non-blocking, close-on-exec stream socket. */
static int open_socket(void)
{
    return socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

static int listen_fd(modzmq_endpoint *e, int *listen_fd)
{
    int fd = open_socket();
    if (fd < 0)
        return -1;
    /* Binding just the family asks Linux for an abstract name of its
     * choosing (autobind). */
    socklen_t length = e->wildcard ? sizeof(sa_family_t) : e->address_length;
    if (bind(fd, (const struct sockaddr *) &e->address, length) != 0 ||
        listen(fd, e->backlog) != 0)
        return fail_closing(fd);
    if (e->wildcard) {
        socklen_t bound = sizeof e->address;
        if (getsockname(fd, (struct sockaddr *) &e->address, &bound) != 0)
            return fail_closing(fd);
        e->address_length = bound;
    }
    *listen_fd = fd;
    return 0;
}

static int endpoint_format(modzmq_endpoint *e, char *buffer, size_t size)
{
    size_t name_length =
        e->address_length - offsetof(struct sockaddr_un, sun_path) - 1;
    int length = snprintf(buffer, size, SCHEME "://%.*s", (int) name_length,
                          e->address.sun_path + 1);
    if (length < 0 || (size_t) length >= size) {
        errno = ENOSPC;
        return -1;
    }
    return length;
}

static int accept_fd(modzmq_endpoint *e, int listen_fd, int *fd)
{
    int accepted = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (accepted < 0)
        return -1;
    if (apply_buffers(e, accepted) != 0)
        return fail_closing(accepted);
    *fd = accepted;
    return 0;
}

/* An abstract socket leaves nothing behind: closing is all. */
static void unlisten(modzmq_endpoint *e, int listen_fd)
{
    (void) e;
    close(listen_fd);
}

static int connect_start(modzmq_endpoint *e, int *fd)
{
    int connecting = open_socket();
    if (connecting < 0)
        return -1;
    if (apply_buffers(e, connecting) != 0)
        return fail_closing(connecting);
    /* ECONNREFUSED: nobody listens; EAGAIN: the listener's backlog is
     * full. Both are retried by the core after the reconnect interval. */
    if (connect(connecting, (const struct sockaddr *) &e->address,
                e->address_length) != 0 &&
        errno != EINPROGRESS)
        return fail_closing(connecting);
    *fd = connecting;
    return 0;
}

static int connect_finish(modzmq_endpoint *e, int fd)
{
    (void) e;
    int error = 0;
    socklen_t size = sizeof error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0)
        return -1;
    if (error != 0) {
        errno = error;
        return -1;
    }
    return 0;
}

/* The peer's abstract name as "@name". A connecting socket has none, so
 * on the accepting side there is nothing to give. */
static int peer_address(modzmq_endpoint *e, int fd, char *buffer, size_t size)
{
    (void) e;
    struct sockaddr_un peer;
    socklen_t length = sizeof peer;
    if (getpeername(fd, (struct sockaddr *) &peer, &length) != 0)
        return -1;
    size_t offset = offsetof(struct sockaddr_un, sun_path);
    if (length <= offset + 1 || peer.sun_path[0] != '\0') {
        errno = ENOENT;
        return -1;
    }
    int written = snprintf(buffer, size, "@%.*s", (int) (length - offset - 1),
                           peer.sun_path + 1);
    if (written < 0 || (size_t) written >= size) {
        errno = ENOSPC;
        return -1;
    }
    return written;
}

static const struct modzmq_transport_ops ops = {
    .size = sizeof(struct modzmq_transport_ops),
    .endpoint_parse = endpoint_parse,
    .endpoint_free = endpoint_free,
    .listen = listen_fd,
    .endpoint_format = endpoint_format,
    .accept = accept_fd,
    .unlisten = unlisten,
    .connect_start = connect_start,
    .connect_finish = connect_finish,
    .peer_address = peer_address,
};

static const char *const schemes[] = { SCHEME, NULL };

static const struct modzmq_plugin descriptor = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = SCHEME,
    .kind = MODZMQ_PLUGIN_TRANSPORT,
    .serves = schemes,
    .ops = &ops,
    .init = init,
};

MODZMQ_PLUGIN_ENTRY
{
    return &descriptor;
}
