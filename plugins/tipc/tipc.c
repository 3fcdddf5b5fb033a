/*
 * tipc plugin: the module's descriptor and its stream transport ops over
 * AF_TIPC stream sockets. A bind publishes a service range or address
 * with bind(2), or, for "<*>", listens on the port id the kernel gives
 * every TIPC socket, which ZMQ_LAST_ENDPOINT then names. A kernel
 * without TIPC refuses the socket: zmq_bind fails with EAFNOSUPPORT, and
 * a connect's attempts fail with it and are retried, as in libzmq.
 */
#define MODZMQ_PLUGIN_MODULE modzmq_tipc
#include <modzmq/transport.h>
#include <zmq.h>

#include "stream_fd.h"
#include "tipc_address.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* What the core gave init; needed to read socket options. */
static const struct modzmq_core_services *core_services;

struct modzmq_endpoint {
    enum modzmq_endpoint_mode mode;
    modzmq_socket *socket; /* for the events only we see */
    struct tipc_address where;
    int backlog;     /* ZMQ_BACKLOG */
    char bound[96];  /* bind: the endpoint string once listening */
    char given[96];  /* the address as parsed, written as libzmq does */
};

static int fail(int error)
{
    errno = error;
    return -1;
}

static void tipc_endpoint_free(modzmq_endpoint *ep)
{
    free(ep);
}

static int tipc_endpoint_parse(modzmq_socket *socket, const char *scheme,
                               const char *address,
                               enum modzmq_endpoint_mode mode,
                               modzmq_endpoint **endpoint)
{
    (void) scheme;
    if (core_services == NULL || address == NULL || endpoint == NULL ||
        (mode != MODZMQ_ENDPOINT_BIND && mode != MODZMQ_ENDPOINT_CONNECT))
        return fail(EINVAL);
    struct tipc_address where;
    if (tipc_address_parse(address, &where) != 0)
        return -1;
    /* As libzmq: a bind cannot choose its port id, a connect cannot go
     * to one the kernel would choose. */
    if (mode == MODZMQ_ENDPOINT_BIND && !where.random &&
        where.sa.addrtype == TIPC_ADDR_ID)
        return fail(EINVAL);
    if (mode == MODZMQ_ENDPOINT_CONNECT && where.random)
        return fail(EINVAL);
    struct modzmq_endpoint *ep = calloc(1, sizeof *ep);
    if (ep == NULL)
        return -1;
    ep->mode = mode;
    ep->socket = socket;
    ep->where = where;
    size_t size = sizeof ep->backlog;
    if (core_services->socket_option(socket, ZMQ_BACKLOG, &ep->backlog,
                                     &size) != 0) {
        free(ep);
        return -1;
    }
    if (where.random)
        strcpy(ep->given, "tipc://<*>");
    else if (tipc_address_format(&where.sa, ep->given, sizeof ep->given) < 0)
        ep->given[0] = '\0';
    *endpoint = ep;
    return 0;
}

static int tipc_listen(modzmq_endpoint *ep, int *listen_fd)
{
    if (ep->mode != MODZMQ_ENDPOINT_BIND)
        return fail(EINVAL);
    int fd = stream_fd_open(AF_TIPC);
    if (fd == -1)
        return -1;
    struct sockaddr_tipc name = ep->where.sa;
    socklen_t length = sizeof name;
    if (stream_fd_listen(fd, ep->where.random ? NULL : &ep->where.sa,
                         sizeof ep->where.sa, ep->backlog) != 0 ||
        (ep->where.random &&
         getsockname(fd, (struct sockaddr *) &name, &length) != 0) ||
        tipc_address_format(&name, ep->bound, sizeof ep->bound) < 0)
        return stream_fd_discard(fd);
    *listen_fd = fd;
    return 0;
}

static int tipc_endpoint_format(modzmq_endpoint *ep, char *buffer,
                                size_t size)
{
    const char *text = ep->bound[0] != '\0' ? ep->bound : ep->given;
    size_t length = strlen(text);
    if (length >= size)
        return fail(ENOSPC);
    memcpy(buffer, text, length + 1);
    return (int) length;
}

static void tipc_unlisten(modzmq_endpoint *ep, int listen_fd)
{
    stream_fd_unlisten(core_services, ep->socket, listen_fd, ep->bound);
}

static int tipc_connect_start(modzmq_endpoint *ep, int *fd)
{
    if (ep->mode != MODZMQ_ENDPOINT_CONNECT)
        return fail(EINVAL);
    int conn = stream_fd_open(AF_TIPC);
    if (conn == -1)
        return -1;
    if (stream_fd_connect(conn, &ep->where.sa, sizeof ep->where.sa) != 0)
        return stream_fd_discard(conn);
    *fd = conn;
    return 0;
}

static int tipc_init(const struct modzmq_core_services *services,
                     modzmq_core *core)
{
    (void) core;
    if (services == NULL || services->socket_option == NULL)
        return fail(EINVAL);
    core_services = services;
    return 0;
}

static const struct modzmq_transport_ops tipc_ops = {
    .size = sizeof(struct modzmq_transport_ops),
    .endpoint_parse = tipc_endpoint_parse,
    .endpoint_free = tipc_endpoint_free,
    .listen = tipc_listen,
    .endpoint_format = tipc_endpoint_format,
    .accept = stream_fd_accept,
    .unlisten = tipc_unlisten,
    .connect_start = tipc_connect_start,
    .connect_finish = stream_fd_connect_finish,
    /* No peer_address: libzmq gives the Peer-Address property only for IP
     * transports. */
};

static const char *const tipc_schemes[] = { "tipc", NULL };

static const struct modzmq_plugin tipc_plugin = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "tipc",
    .kind = MODZMQ_PLUGIN_TRANSPORT,
    .serves = tipc_schemes,
    .ops = &tipc_ops,
    .init = tipc_init,
};

MODZMQ_PLUGIN_ENTRY;

MODZMQ_PLUGIN_ENTRY
{
    return &tipc_plugin;
}
