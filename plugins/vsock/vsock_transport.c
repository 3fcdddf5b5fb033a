/*
 * vsock plugin: the stream transport ops over AF_VSOCK (see
 * vsock_transport.h). A wildcard bind's real port is read back after
 * listen, for ZMQ_LAST_ENDPOINT. A kernel without AF_VSOCK refuses the
 * socket (EAFNOSUPPORT); one without a transport for the CID refuses
 * the bind (EADDRNOTAVAIL), both at once from zmq_bind. The
 * ZMQ_TCP_KEEPALIVE options are not applied: the pages give them to the
 * TCP transports only, and a vsock connection has no keepalive probes
 * (ZMTP heartbeats, ZMQ_HEARTBEAT_IVL, work over it as over any).
 */
#include "vsock_transport.h"

#include <zmq.h>

#include "stream_fd.h"
#include "vsock_address.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct modzmq_core_services *core_services;
static const struct vsock_flavour *flavour;

struct modzmq_endpoint {
    enum modzmq_endpoint_mode mode;
    modzmq_socket *socket; /* for the events only we see */
    struct sockaddr_vm where;
    int backlog;         /* ZMQ_BACKLOG */
    void *options;       /* the flavour's, or NULL */
    char name[64];       /* the endpoint string; a bind's real one once
                            listening */
};

static int fail(int error)
{
    errno = error;
    return -1;
}

int vsock_transport_init(const struct vsock_flavour *which,
                         const struct modzmq_core_services *services)
{
    if (which == NULL || services == NULL || services->socket_option == NULL)
        return fail(EINVAL);
    flavour = which;
    core_services = services;
    return 0;
}

static void vsock_endpoint_free(modzmq_endpoint *ep)
{
    if (ep == NULL)
        return;
    free(ep->options);
    free(ep);
}

static int vsock_endpoint_parse(modzmq_socket *socket, const char *scheme,
                                const char *address,
                                enum modzmq_endpoint_mode mode,
                                modzmq_endpoint **endpoint)
{
    (void) scheme;
    if (core_services == NULL || address == NULL || endpoint == NULL ||
        (mode != MODZMQ_ENDPOINT_BIND && mode != MODZMQ_ENDPOINT_CONNECT))
        return fail(EINVAL);
    struct sockaddr_vm where;
    if (vsock_address_parse(address, mode == MODZMQ_ENDPOINT_BIND, &where) !=
        0)
        return -1;
    struct modzmq_endpoint *ep = calloc(1, sizeof *ep);
    if (ep == NULL)
        return -1;
    ep->mode = mode;
    ep->socket = socket;
    ep->where = where;
    size_t size = sizeof ep->backlog;
    if (core_services->socket_option(socket, ZMQ_BACKLOG, &ep->backlog,
                                     &size) != 0 ||
        (flavour->options_read != NULL &&
         flavour->options_read(core_services, socket, &ep->options) != 0) ||
        vsock_address_format(flavour->scheme, &where, ep->name,
                             sizeof ep->name) < 0) {
        int error = errno;
        vsock_endpoint_free(ep);
        return fail(error);
    }
    *endpoint = ep;
    return 0;
}

/* A new AF_VSOCK stream socket with the flavour's options set. */
static int open_socket(modzmq_endpoint *ep)
{
    int fd = stream_fd_open(AF_VSOCK);
    if (fd == -1)
        return -1;
    if (ep->options != NULL && flavour->options_apply(ep->options, fd) != 0)
        return stream_fd_discard(fd);
    return fd;
}

static int vsock_listen(modzmq_endpoint *ep, int *listen_fd)
{
    if (ep->mode != MODZMQ_ENDPOINT_BIND)
        return fail(EINVAL);
    int fd = open_socket(ep);
    if (fd == -1)
        return -1;
    struct sockaddr_vm bound;
    socklen_t length = sizeof bound;
    if (stream_fd_listen(fd, &ep->where, sizeof ep->where, ep->backlog) != 0 ||
        getsockname(fd, (struct sockaddr *) &bound, &length) != 0 ||
        vsock_address_format(flavour->scheme, &bound, ep->name,
                             sizeof ep->name) < 0)
        return stream_fd_discard(fd);
    *listen_fd = fd;
    return 0;
}

static int vsock_endpoint_format(modzmq_endpoint *ep, char *buffer,
                                 size_t size)
{
    size_t length = strlen(ep->name);
    if (length >= size)
        return fail(ENOSPC);
    memcpy(buffer, ep->name, length + 1);
    return (int) length;
}

static void vsock_unlisten(modzmq_endpoint *ep, int listen_fd)
{
    stream_fd_unlisten(core_services, ep->socket, listen_fd, ep->name);
}

static int vsock_connect_start(modzmq_endpoint *ep, int *fd)
{
    if (ep->mode != MODZMQ_ENDPOINT_CONNECT)
        return fail(EINVAL);
    int conn = open_socket(ep);
    if (conn == -1)
        return -1;
    if (stream_fd_connect(conn, &ep->where, sizeof ep->where) != 0)
        return stream_fd_discard(conn);
    *fd = conn;
    return 0;
}

const struct modzmq_transport_ops vsock_transport_ops = {
    .size = sizeof(struct modzmq_transport_ops),
    .endpoint_parse = vsock_endpoint_parse,
    .endpoint_free = vsock_endpoint_free,
    .listen = vsock_listen,
    .endpoint_format = vsock_endpoint_format,
    .accept = stream_fd_accept,
    .unlisten = vsock_unlisten,
    .connect_start = vsock_connect_start,
    .connect_finish = stream_fd_connect_finish,
    /* No peer_address: libzmq gives the Peer-Address property only for IP
     * transports. */
};
