/*
 * tcp plugin: the module's descriptor and its stream transport ops. An
 * endpoint keeps its parsed address and the socket options read when it
 * was parsed; the ops are the few system calls that turn it into
 * listening and connected fds, which the core then drives.
 */
#define MODZMQ_PLUGIN_MODULE modzmq_tcp
#include <modzmq/transport.h>

#include "stream_fd.h"
#include "tcp_address.h"
#include "tcp_filter.h"
#include "tcp_options.h"
#include "tcp_socks.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* What the core gave init; needed to read socket options. */
static const struct modzmq_core_services *core_services;

struct modzmq_endpoint {
    enum modzmq_endpoint_mode mode;
    modzmq_socket *socket; /* for the events only we see */
    char *address;         /* as given, after "tcp://" */
    struct tcp_options options;
    /* bind: the interface to listen on (a connect resolves its source
     * and peer at each attempt) */
    bool has_local;
    bool local_is_any; /* bind to "*": may fall back to IPv4 */
    struct tcp_sockaddr local;
    struct tcp_host_port peer; /* connect: where to */
    /* connect through ZMQ_SOCKS_PROXY: the proxy, and the exchange with
     * it of the current connection */
    bool has_proxy;
    struct tcp_host_port proxy;
    struct tcp_socks socks;
    struct tcp_filter *filter; /* bind: NULL accepts every peer */
    char bound[128];           /* bind: endpoint string once listening */
};

static int fail(int error)
{
    errno = error;
    return -1;
}

static int parse_bind(struct modzmq_endpoint *ep)
{
    if (ep->options.accept_filters != NULL &&
        tcp_filter_new(ep->options.accept_filters,
                       ep->options.accept_filters_size, &ep->filter) != 0)
        return -1;
    /* With ZMQ_USE_FD the application's listening fd is used as it is,
     * and the address is not looked at, as in libzmq. */
    if (ep->options.use_fd != -1)
        return 0;
    struct tcp_host_port where;
    if (tcp_host_port_parse(ep->address, strlen(ep->address), &where) != 0)
        return -1;
    if (tcp_resolve_local(where.host, where.port, ep->options.ipv6,
                          &ep->local) != 0)
        return -1;
    ep->has_local = true;
    ep->local_is_any = strcmp(where.host, "*") == 0;
    return 0;
}

/* "dst" or "src;dst". As libzmq 4.3.4, zmq_connect only glances at it:
 * a source that is no interface, a name that does not resolve, even a
 * port out of range, fail each attempt (which is retried), not the call. */
static int parse_connect(struct modzmq_endpoint *ep)
{
    if (!tcp_connect_address_plausible(ep->address))
        return fail(EINVAL);
    /* With ZMQ_SOCKS_PROXY each attempt connects to the proxy. */
    const char *proxy = ep->options.socks_proxy;
    if (proxy != NULL) {
        if (tcp_host_port_parse(proxy, strlen(proxy), &ep->proxy) != 0 ||
            ep->proxy.any_port || ep->proxy.port == 0)
            return fail(EINVAL);
        ep->has_proxy = true;
    }
    return 0;
}

/* Resolves a connect address for one attempt: the source (after the last
 * ';', as libzmq splits) as a bind's host, never by DNS, its port possibly
 * "*"; the destination by DNS too, with a real host and port, kept in
 * ep->peer for a SOCKS proxy, which is then resolved instead. *has_local
 * says whether there was a source. */
static int resolve_connect(modzmq_endpoint *ep, bool *has_local,
                           struct tcp_sockaddr *local,
                           struct tcp_sockaddr *peer)
{
    const char *destination = ep->address;
    const char *semicolon = strrchr(destination, ';');
    *has_local = semicolon != NULL;
    if (semicolon != NULL) {
        struct tcp_host_port source;
        if (tcp_host_port_parse(destination,
                                (size_t) (semicolon - destination),
                                &source) != 0 ||
            tcp_resolve_local(source.host, source.port, ep->options.ipv6,
                              local) != 0)
            return -1;
        destination = semicolon + 1;
    }
    struct tcp_host_port where;
    if (tcp_host_port_parse(destination, strlen(destination), &where) != 0)
        return -1;
    if (where.any_port || strcmp(where.host, "*") == 0)
        return fail(EINVAL);
    ep->peer = where;
    /* The proxy connects to the peer by the name it is given, at most 255
     * bytes in SOCKS. */
    if (ep->has_proxy && strlen(where.host) > 255)
        return fail(EINVAL);
    const struct tcp_host_port *to = ep->has_proxy ? &ep->proxy : &where;
    int family = *has_local ? local->storage.ss_family : AF_UNSPEC;
    return tcp_resolve_peer(to->host, to->port, ep->options.ipv6, family,
                            peer);
}

static void tcp_endpoint_free(modzmq_endpoint *ep)
{
    if (ep == NULL)
        return;
    tcp_filter_free(ep->filter);
    tcp_options_release(&ep->options);
    free(ep->address);
    free(ep);
}

static int tcp_endpoint_parse(modzmq_socket *socket, const char *scheme,
                              const char *address,
                              enum modzmq_endpoint_mode mode,
                              modzmq_endpoint **endpoint)
{
    (void) scheme;
    if (core_services == NULL)
        return fail(EINVAL);
    if (address == NULL || endpoint == NULL ||
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
    if (tcp_options_read(core_services, socket, &ep->options) != 0) {
        free(ep->address);
        free(ep);
        return -1;
    }
    int rc = mode == MODZMQ_ENDPOINT_BIND ? parse_bind(ep) : parse_connect(ep);
    if (rc != 0) {
        int error = errno;
        tcp_endpoint_free(ep);
        return fail(error);
    }
    *endpoint = ep;
    return 0;
}

/* Makes the application's ZMQ_USE_FD socket fit the core's rules. */
static int adopt_listener(modzmq_endpoint *ep, int fd)
{
    if (stream_fd_adopt(fd) != 0)
        return -1;
    ep->local.length = sizeof ep->local.storage;
    return getsockname(fd, (struct sockaddr *) &ep->local.storage,
                       &ep->local.length);
}

static int open_listener(modzmq_endpoint *ep)
{
    int family = ep->local.storage.ss_family;
    int fd = stream_fd_open(family);
    if (fd == -1 && errno == EAFNOSUPPORT && family == AF_INET6 &&
        ep->local_is_any) {
        /* "*" with ZMQ_IPV6 on a host without IPv6: every IPv4 address. */
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &ep->local.storage;
        uint16_t port = ntohs(in6->sin6_port);
        if (tcp_resolve_local("*", port, false, &ep->local) != 0)
            return -1;
        family = AF_INET;
        fd = stream_fd_open(family);
    }
    if (fd == -1)
        return -1;
    if (tcp_options_apply_listener(&ep->options, fd, family) != 0 ||
        stream_fd_listen(fd, &ep->local.storage, ep->local.length,
                         ep->options.backlog) != 0)
        return stream_fd_discard(fd);
    /* The real port, after a wildcard one. */
    ep->local.length = sizeof ep->local.storage;
    if (getsockname(fd, (struct sockaddr *) &ep->local.storage,
                    &ep->local.length) != 0)
        return stream_fd_discard(fd);
    return fd;
}

static int tcp_listen(modzmq_endpoint *ep, int *listen_fd)
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
    ep->has_local = true;
    if (tcp_format_endpoint((struct sockaddr *) &ep->local.storage,
                            ep->local.length, ep->bound,
                            sizeof ep->bound) < 0) {
        ep->bound[0] = '\0';
    }
    *listen_fd = fd;
    return 0;
}

static int tcp_endpoint_format(modzmq_endpoint *ep, char *buffer, size_t size)
{
    if (ep->mode == MODZMQ_ENDPOINT_BIND && ep->bound[0] != '\0') {
        size_t length = strlen(ep->bound);
        if (length >= size)
            return fail(ENOSPC);
        memcpy(buffer, ep->bound, length + 1);
        return (int) length;
    }
    if (ep->mode == MODZMQ_ENDPOINT_BIND && ep->has_local)
        return tcp_format_endpoint((struct sockaddr *) &ep->local.storage,
                                   ep->local.length, buffer, size);
    size_t length = strlen("tcp://") + strlen(ep->address);
    if (length >= size)
        return fail(ENOSPC);
    strcpy(buffer, "tcp://");
    strcat(buffer, ep->address);
    return (int) length;
}

static int tcp_accept(modzmq_endpoint *ep, int listen_fd, int *fd)
{
    struct sockaddr_storage peer;
    int conn = stream_fd_accept_from(listen_fd, &peer);
    if (conn == -1)
        return -1;
    if (ep->filter != NULL &&
        !tcp_filter_allows(ep->filter, (struct sockaddr *) &peer)) {
        close(conn);
        return fail(EACCES);
    }
    if (tcp_options_apply_socket(&ep->options, conn, peer.ss_family, false) !=
            0 ||
        tcp_options_apply_connection(&ep->options, conn) != 0)
        return stream_fd_discard(conn);
    *fd = conn;
    return 0;
}

static void tcp_unlisten(modzmq_endpoint *ep, int listen_fd)
{
    stream_fd_unlisten(core_services, ep->socket, listen_fd, ep->bound);
}

static int tcp_connect_start(modzmq_endpoint *ep, int *fd)
{
    if (ep->mode != MODZMQ_ENDPOINT_CONNECT)
        return fail(EINVAL);
    bool has_local;
    struct tcp_sockaddr local, peer;
    if (resolve_connect(ep, &has_local, &local, &peer) != 0)
        return -1;
    int family = peer.storage.ss_family;
    int conn = stream_fd_open(family);
    if (conn == -1)
        return -1;
    int rc = tcp_options_apply_socket(&ep->options, conn, family, true);
    if (rc == 0 && has_local) {
        /* Several connects may share one source port, as in libzmq. */
        int on = 1;
        rc = setsockopt(conn, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (rc == 0)
            rc = bind(conn, (struct sockaddr *) &local.storage, local.length);
    }
    if (rc == 0)
        rc = stream_fd_connect(conn, &peer.storage, peer.length);
    if (rc != 0)
        return stream_fd_discard(conn);
    *fd = conn;
    return 0;
}

static int tcp_connect_finish(modzmq_endpoint *ep, int fd)
{
    if (stream_fd_connect_finish(ep, fd) != 0 ||
        tcp_options_apply_connection(&ep->options, fd) != 0)
        return -1;
    if (ep->has_proxy)
        return tcp_socks_start(&ep->socks, ep->options.socks_username,
                               ep->options.socks_password, ep->peer.host,
                               ep->peer.port);
    return 0;
}

/* The SOCKS exchange with the proxy, when there is one. */
static int tcp_connect_handshake(modzmq_endpoint *ep, int fd, unsigned *wants)
{
    if (!ep->has_proxy)
        return 1;
    unsigned socks_wants = 0;
    int rc = tcp_socks_step(&ep->socks, fd, &socks_wants);
    if (rc == 0)
        *wants = socks_wants == TCP_SOCKS_WANT_READ ? MODZMQ_WANT_READ
                                                    : MODZMQ_WANT_WRITE;
    return rc;
}

static int tcp_peer_address(modzmq_endpoint *ep, int fd, char *buffer,
                            size_t size)
{
    (void) ep;
    struct sockaddr_storage peer;
    socklen_t length = sizeof peer;
    if (getpeername(fd, (struct sockaddr *) &peer, &length) != 0)
        return -1;
    return tcp_format_host((struct sockaddr *) &peer, length, buffer, size);
}

static int tcp_init(const struct modzmq_core_services *services,
                    modzmq_core *core)
{
    (void) core;
    if (services == NULL || services->socket_option == NULL)
        return fail(EINVAL);
    core_services = services;
    return 0;
}

static const struct modzmq_transport_ops tcp_ops = {
    .size = sizeof(struct modzmq_transport_ops),
    .endpoint_parse = tcp_endpoint_parse,
    .endpoint_free = tcp_endpoint_free,
    .listen = tcp_listen,
    .endpoint_format = tcp_endpoint_format,
    .accept = tcp_accept,
    .unlisten = tcp_unlisten,
    .connect_start = tcp_connect_start,
    .connect_finish = tcp_connect_finish,
    .peer_address = tcp_peer_address,
    .connect_handshake = tcp_connect_handshake,
};

static const char *const tcp_schemes[] = { "tcp", NULL };

static const struct modzmq_plugin tcp_plugin = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "tcp",
    .kind = MODZMQ_PLUGIN_TRANSPORT,
    .serves = tcp_schemes,
    .ops = &tcp_ops,
    .init = tcp_init,
};

MODZMQ_PLUGIN_ENTRY;

MODZMQ_PLUGIN_ENTRY
{
    return &tcp_plugin;
}
