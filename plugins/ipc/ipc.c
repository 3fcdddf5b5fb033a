/*
 * ipc plugin: the module's descriptor and its stream transport ops over
 * Unix domain sockets. A bind replaces a socket file left by an earlier
 * binding, as libzmq does (a live abstract name is refused by the kernel
 * instead), and removes its own file, and the wildcard's directory, when
 * it stops listening.
 */
#define MODZMQ_PLUGIN_MODULE modzmq_ipc
#include <modzmq/transport.h>

#include "ipc_address.h"
#include "ipc_filter.h"
#include "ipc_options.h"
#include "stream_fd.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* What the core gave init; needed to read socket options. */
static const struct modzmq_core_services *core_services;

struct modzmq_endpoint {
    enum modzmq_endpoint_mode mode;
    modzmq_socket *socket; /* for the events only we see */
    char *address;         /* as given, after "ipc://" */
    struct ipc_options options;
    bool wildcard;            /* bind to "*": address made by listen */
    bool resolved;            /* address holds the socket address */
    struct ipc_address where; /* where to listen or connect */
    char directory[sizeof(struct sockaddr_un)]; /* the wildcard's, or "" */
    /* The socket file listen created, to remove only that file. */
    bool created;
    dev_t file_device;
    ino_t file_inode;
};

static int fail(int error)
{
    errno = error;
    return -1;
}

static void ipc_endpoint_free(modzmq_endpoint *ep)
{
    if (ep == NULL)
        return;
    ipc_options_release(&ep->options);
    free(ep->address);
    free(ep);
}

static int ipc_endpoint_parse(modzmq_socket *socket, const char *scheme,
                              const char *address,
                              enum modzmq_endpoint_mode mode,
                              modzmq_endpoint **endpoint)
{
    (void) scheme;
    if (core_services == NULL || address == NULL || endpoint == NULL ||
        (mode != MODZMQ_ENDPOINT_BIND && mode != MODZMQ_ENDPOINT_CONNECT))
        return fail(EINVAL);
    struct modzmq_endpoint *ep = calloc(1, sizeof *ep);
    if (ep == NULL)
        return -1;
    ep->mode = mode;
    ep->socket = socket;
    ep->address = strdup(address);
    if (ep->address == NULL) {
        free(ep);
        return -1;
    }
    if (ipc_options_read(core_services, socket, &ep->options) != 0) {
        free(ep->address);
        free(ep);
        return -1;
    }
    ep->wildcard = mode == MODZMQ_ENDPOINT_BIND && strcmp(address, "*") == 0;
    if (!ep->wildcard) {
        if (ipc_address_parse(address, &ep->where) != 0) {
            int error = errno;
            ipc_endpoint_free(ep);
            return fail(error);
        }
        ep->resolved = true;
    }
    *endpoint = ep;
    return 0;
}

/* Makes the application's ZMQ_USE_FD socket fit the core's rules. */
static int adopt_listener(modzmq_endpoint *ep, int fd)
{
    if (stream_fd_adopt(fd) != 0 ||
        ipc_address_from_socket(fd, &ep->where) != 0)
        return -1;
    ep->resolved = true;
    return 0;
}

/* A socket file at path that nobody may be using any more: libzmq
 * replaces it on bind. Anything but a socket is left alone, and bind then
 * fails with EADDRINUSE. */
static void remove_old_socket(const char *path)
{
    struct stat status;
    if (lstat(path, &status) == 0 && S_ISSOCK(status.st_mode))
        unlink(path);
}

static void remember_file(modzmq_endpoint *ep)
{
    struct stat status;
    if (lstat(ep->where.sun.sun_path, &status) == 0) {
        ep->created = true;
        ep->file_device = status.st_dev;
        ep->file_inode = status.st_ino;
    }
}

static void remove_created(modzmq_endpoint *ep)
{
    struct stat status;
    if (ep->created && lstat(ep->where.sun.sun_path, &status) == 0 &&
        status.st_dev == ep->file_device && status.st_ino == ep->file_inode)
        unlink(ep->where.sun.sun_path);
    ep->created = false;
    if (ep->directory[0] != '\0')
        rmdir(ep->directory);
    ep->directory[0] = '\0';
}

static int open_listener(modzmq_endpoint *ep)
{
    if (ep->wildcard) {
        if (ipc_address_wildcard(&ep->where, ep->directory,
                                 sizeof ep->directory) != 0)
            return -1;
        ep->resolved = true;
    }
    if (!ep->where.abstract)
        remove_old_socket(ep->where.sun.sun_path);
    int fd = stream_fd_open(AF_UNIX);
    if (fd == -1 ||
        bind(fd, (struct sockaddr *) &ep->where.sun, ep->where.length) != 0) {
        int error = errno;
        if (fd != -1)
            close(fd);
        remove_created(ep);
        return fail(error);
    }
    if (!ep->where.abstract)
        remember_file(ep);
    if (listen(fd, ep->options.backlog) != 0) {
        int error = errno;
        close(fd);
        remove_created(ep);
        return fail(error);
    }
    return fd;
}

static int ipc_listen(modzmq_endpoint *ep, int *listen_fd)
{
    if (ep->mode != MODZMQ_ENDPOINT_BIND)
        return fail(EINVAL);
    int fd = ep->options.use_fd;
    if (fd != -1) {
        if (adopt_listener(ep, fd) != 0)
            return -1;
    } else {
        fd = open_listener(ep);
        if (fd == -1)
            return -1;
    }
    *listen_fd = fd;
    return 0;
}

static int ipc_endpoint_format(modzmq_endpoint *ep, char *buffer, size_t size)
{
    if (ep->resolved)
        return ipc_address_format(&ep->where, buffer, size);
    size_t length = strlen("ipc://") + strlen(ep->address);
    if (length >= size)
        return fail(ENOSPC);
    strcpy(buffer, "ipc://");
    strcat(buffer, ep->address);
    return (int) length;
}

static int ipc_accept(modzmq_endpoint *ep, int listen_fd, int *fd)
{
    int conn = stream_fd_accept_from(listen_fd, NULL);
    if (conn == -1)
        return -1;
    if (ipc_filter_check(&ep->options, conn) != 0)
        return stream_fd_discard(conn);
    *fd = conn;
    return 0;
}

static void ipc_unlisten(modzmq_endpoint *ep, int listen_fd)
{
    remove_created(ep);
    /* Written before the close, for the event should it fail. */
    char endpoint[sizeof(struct sockaddr_un) + 8];
    if (ipc_endpoint_format(ep, endpoint, sizeof endpoint) < 0)
        endpoint[0] = '\0';
    stream_fd_unlisten(core_services, ep->socket, listen_fd, endpoint);
}

static int ipc_connect_start(modzmq_endpoint *ep, int *fd)
{
    if (ep->mode != MODZMQ_ENDPOINT_CONNECT)
        return fail(EINVAL);
    int conn = stream_fd_open(AF_UNIX);
    if (conn == -1)
        return -1;
    /* ENOENT, ECONNREFUSED, or EAGAIN for a full backlog: the core tries
     * again later. */
    if (stream_fd_connect(conn, &ep->where.sun, ep->where.length) != 0)
        return stream_fd_discard(conn);
    *fd = conn;
    return 0;
}

/* libzmq gives the Peer-Address property only for IP transports. */
static int ipc_peer_address(modzmq_endpoint *ep, int fd, char *buffer,
                            size_t size)
{
    (void) ep;
    (void) fd;
    (void) buffer;
    (void) size;
    return fail(ENOTSUP);
}

static int ipc_init(const struct modzmq_core_services *services,
                    modzmq_core *core)
{
    (void) core;
    if (services == NULL || services->socket_option == NULL)
        return fail(EINVAL);
    core_services = services;
    return 0;
}

static const struct modzmq_transport_ops ipc_ops = {
    .size = sizeof(struct modzmq_transport_ops),
    .endpoint_parse = ipc_endpoint_parse,
    .endpoint_free = ipc_endpoint_free,
    .listen = ipc_listen,
    .endpoint_format = ipc_endpoint_format,
    .accept = ipc_accept,
    .unlisten = ipc_unlisten,
    .connect_start = ipc_connect_start,
    .connect_finish = stream_fd_connect_finish,
    .peer_address = ipc_peer_address,
};

static const char *const ipc_schemes[] = { "ipc", NULL };

static const struct modzmq_plugin ipc_plugin = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "ipc",
    .kind = MODZMQ_PLUGIN_TRANSPORT,
    .serves = ipc_schemes,
    .ops = &ipc_ops,
    .init = ipc_init,
};

MODZMQ_PLUGIN_ENTRY;

MODZMQ_PLUGIN_ENTRY
{
    return &ipc_plugin;
}
