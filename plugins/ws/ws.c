/*
 * ws plugin: ZeroMQ over WebSocket (ZWS 2.0, RFC 45, on RFC 6455), the
 * module's descriptor and its stream transport ops. The connections are
 * tcp ones (the tcp plugin's address and option code is compiled in
 * here too, so that ws:// endpoints resolve and take options exactly as
 * tcp:// ones do); each is wrapped in the ZWS stream (ws_stream.c), which
 * runs the upgrade and translates between WebSocket messages and the ZMTP
 * the core's engine speaks. ws://HOST:PORT/PATH; no PATH is "/".
 *
 * wss://HOST:PORT/PATH is the same with TLS under the framing (ws_tls.c,
 * GnuTLS): a bind needs ZMQ_WSS_CERT_PEM and ZMQ_WSS_KEY_PEM (EINVAL
 * without them or when they do not load: libzmq 4.3 asserts there); a
 * connect checks the server's chain against ZMQ_WSS_TRUST_PEM and, with
 * ZMQ_WSS_TRUST_SYSTEM, the system's store, and that it names
 * ZMQ_WSS_HOSTNAME, else the endpoint's host. A refused certificate fails
 * that connection's handshake (HANDSHAKE_FAILED_NO_DETAIL, EPROTO) and
 * the socket reconnects as after any failed handshake.
 *
 * As libzmq 4.3.4's ws and wss, neither ZMQ_TCP_ACCEPT_FILTER nor
 * ZMQ_SOCKS_PROXY applies here: its ws listener filters no peer and its
 * ws connecter goes through no proxy, so this plugin does not read them.
 *
 * This side offers "ZWS2.0/" and the socket's
 * mechanism, which is what libzmq 4.3 picks whenever both sides name a
 * mechanism; a NULL server also accepts the bare "ZWS2.0" of web browsers
 * (ws_stream.h). A bare ZWS2.0 client is not offered.
 */
#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API /* the ZMQ_WSS_* options */
#endif
#define MODZMQ_PLUGIN_MODULE modzmq_ws
#include <modzmq/transport.h>
#include <zmq.h>

#include "../tcp/tcp_address.h"
#include "../tcp/tcp_options.h"
#include "stream_fd.h"
#include "ws_stream.h"
#include "ws_tls.h"

#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum { PATH_MAX_SIZE = 256 };

static const struct modzmq_core_services *core_services;
static modzmq_core *plugin_core;

struct modzmq_endpoint {
    modzmq_socket *socket; /* for the events unlisten publishes */
    enum modzmq_endpoint_mode mode;
    const char *scheme;             /* "ws" or "wss" */
    struct ws_tls_credentials *tls; /* wss, NULL for ws */
    char *tls_hostname;             /* wss connect: the name checked */
    char *where;                    /* "host:port", as given */
    char path[PATH_MAX_SIZE];       /* "/" at least */
    struct tcp_options options;
    const char *mechanism; /* the socket's, for the subprotocol */
    int socket_type;       /* ZMQ_TYPE, for a bare ZWS2.0 peer */
    int64_t maxmsgsize;
    struct tcp_sockaddr local; /* bind */
    struct tcp_host_port peer; /* connect */
    char bound[160];           /* bind: the endpoint once listening */
};

static int fail(int error)
{
    errno = error;
    return -1;
}

static const char *mechanism_name(int mechanism)
{
    switch (mechanism) {
    case ZMQ_PLAIN:
        return "PLAIN";
    case ZMQ_CURVE:
        return "CURVE";
    case ZMQ_GSSAPI:
        return "GSSAPI";
    default:
        return "NULL";
    }
}

/* Splits "host:port/path" into where and path. */
static int split_address(const char *address, struct modzmq_endpoint *ep)
{
    const char *slash = strchr(address, '/');
    size_t where_size = slash ? (size_t) (slash - address) : strlen(address);
    const char *path = slash ? slash : "/";
    size_t path_size = strlen(path);
    if (where_size == 0 || path_size >= sizeof ep->path)
        return fail(EINVAL);
    for (size_t i = 0; i < path_size; i++)
        if (!isgraph((unsigned char) path[i]))
            return fail(EINVAL);
    memcpy(ep->path, path, path_size + 1);
    ep->where = strndup(address, where_size);
    return ep->where == NULL ? -1 : 0;
}

static int read_socket_options(modzmq_socket *socket,
                               struct modzmq_endpoint *ep)
{
    int mechanism = ZMQ_NULL;
    size_t size = sizeof mechanism;
    if (core_services->socket_option(socket, ZMQ_MECHANISM, &mechanism,
                                     &size) != 0)
        return -1;
    ep->mechanism = mechanism_name(mechanism);
    size = sizeof ep->socket_type;
    if (core_services->socket_option(socket, ZMQ_TYPE, &ep->socket_type,
                                     &size) != 0)
        return -1;
    size = sizeof ep->maxmsgsize;
    if (core_services->socket_option(socket, ZMQ_MAXMSGSIZE, &ep->maxmsgsize,
                                     &size) != 0)
        return -1;
    return tcp_options_read_socket(core_services, socket, &ep->options);
}

static void log_tls(const char *line)
{
    core_services->log(plugin_core, MODZMQ_LOG_INFO, line);
}

/* A PEM option's bytes, allocated (NULL with size 0 when not set). */
static int read_pem(modzmq_socket *socket, int option, void **pem, size_t *size)
{
    *pem = NULL;
    *size = 0;
    if (core_services->socket_option(socket, option, NULL, size) == 0)
        return 0;
    if (errno != EINVAL || *size == 0)
        return -1;
    *pem = malloc(*size);
    if (*pem == NULL)
        return -1;
    return core_services->socket_option(socket, option, *pem, size);
}

/* What a wss bind takes: its certificate chain and key (a client
 * presents none, as libzmq's does not, so a connect leaves them). */
static int read_server_options(modzmq_socket *socket,
                               struct ws_tls_settings *settings)
{
    void *key = NULL, *cert = NULL;
    int rc = read_pem(socket, ZMQ_WSS_KEY_PEM, &key, &settings->key_size);
    if (rc == 0)
        rc = read_pem(socket, ZMQ_WSS_CERT_PEM, &cert, &settings->cert_size);
    settings->key_pem = key;
    settings->cert_pem = cert;
    return rc;
}

/* What a wss connect takes: whom it trusts and the name it checks,
 * ZMQ_WSS_HOSTNAME or else host (kept in the endpoint). */
static int read_client_options(modzmq_socket *socket,
                               struct modzmq_endpoint *ep, const char *host,
                               struct ws_tls_settings *settings)
{
    void *trust = NULL;
    int trust_system = 0;
    size_t size = sizeof trust_system;
    char hostname[256];
    size_t hostname_size = sizeof hostname;
    int rc = read_pem(socket, ZMQ_WSS_TRUST_PEM, &trust, &settings->trust_size);
    settings->trust_pem = trust;
    if (rc == 0)
        rc = core_services->socket_option(socket, ZMQ_WSS_TRUST_SYSTEM,
                                          &trust_system, &size);
    settings->trust_system = trust_system != 0;
    if (rc == 0)
        rc = core_services->socket_option(socket, ZMQ_WSS_HOSTNAME, hostname,
                                          &hostname_size);
    if (rc == 0) {
        ep->tls_hostname = strdup(hostname_size > 1 ? hostname : host);
        if (ep->tls_hostname == NULL)
            rc = -1;
    }
    return rc;
}

/* A wss endpoint's credentials, from the ZMQ_WSS_* options of its side. */
static int read_tls_options(modzmq_socket *socket, struct modzmq_endpoint *ep,
                            const char *host)
{
    struct ws_tls_settings settings = {
        .server = ep->mode == MODZMQ_ENDPOINT_BIND,
        .log = log_tls,
    };
    int rc = settings.server ? read_server_options(socket, &settings)
                             : read_client_options(socket, ep, host, &settings);
    if (rc == 0)
        rc = ws_tls_credentials_new(&settings, &ep->tls);
    int error = errno;
    free((void *) settings.key_pem);
    free((void *) settings.cert_pem);
    free((void *) settings.trust_pem);
    errno = error;
    return rc;
}

static void ws_endpoint_free(modzmq_endpoint *ep)
{
    if (ep == NULL)
        return;
    tcp_options_release(&ep->options);
    ws_tls_credentials_release(ep->tls);
    free(ep->tls_hostname);
    free(ep->where);
    free(ep);
}

static int ws_endpoint_parse(modzmq_socket *socket, const char *scheme,
                             const char *address,
                             enum modzmq_endpoint_mode mode,
                             modzmq_endpoint **endpoint)
{
    if (core_services == NULL || address == NULL || endpoint == NULL)
        return fail(EINVAL);
    struct modzmq_endpoint *ep = calloc(1, sizeof *ep);
    if (ep == NULL)
        return -1;
    ep->socket = socket;
    ep->mode = mode;
    ep->scheme = strcmp(scheme, "wss") == 0 ? "wss" : "ws";
    int rc = split_address(address, ep);
    if (rc == 0)
        rc = read_socket_options(socket, ep);
    struct tcp_host_port where;
    if (rc == 0)
        rc = tcp_host_port_parse(ep->where, strlen(ep->where), &where);
    if (rc == 0 && mode == MODZMQ_ENDPOINT_BIND)
        rc = tcp_resolve_local(where.host, where.port, ep->options.ipv6,
                               &ep->local);
    if (rc == 0 && mode == MODZMQ_ENDPOINT_CONNECT) {
        if (where.any_port || where.port == 0 || strcmp(where.host, "*") == 0)
            rc = fail(EINVAL);
        ep->peer = where;
    }
    if (rc == 0 && strcmp(ep->scheme, "wss") == 0)
        rc = read_tls_options(socket, ep, where.host);
    if (rc != 0) {
        int error = errno;
        ws_endpoint_free(ep);
        return fail(error);
    }
    *endpoint = ep;
    return 0;
}

static int format_bound(struct modzmq_endpoint *ep)
{
    char host[NI_MAXHOST];
    const struct sockaddr *addr = (const struct sockaddr *) &ep->local.storage;
    if (tcp_format_host(addr, ep->local.length, host, sizeof host) < 0)
        return -1;
    bool v6 = addr->sa_family == AF_INET6;
    unsigned port = v6 ? ntohs(((const struct sockaddr_in6 *) addr)->sin6_port)
                       : ntohs(((const struct sockaddr_in *) addr)->sin_port);
    int n =
        snprintf(ep->bound, sizeof ep->bound, "%s://%s%s%s:%u%s", ep->scheme,
                 v6 ? "[" : "", host, v6 ? "]" : "", port, ep->path);
    return n < 0 || (size_t) n >= sizeof ep->bound ? fail(ENOSPC) : 0;
}

static int ws_listen(modzmq_endpoint *ep, int *listen_fd)
{
    if (ep->mode != MODZMQ_ENDPOINT_BIND)
        return fail(EINVAL);
    /* ZMQ_USE_FD: the application's listening fd, as libzmq's ws takes. */
    if (ep->options.use_fd != -1) {
        if (tcp_adopt_listener(ep->options.use_fd, &ep->local) != 0 ||
            format_bound(ep) != 0)
            return -1;
        *listen_fd = ep->options.use_fd;
        return 0;
    }
    int family = ep->local.storage.ss_family;
    int fd = stream_fd_open(family);
    if (fd == -1)
        return -1;
    ep->local.length =
        ep->local.length ? ep->local.length : sizeof ep->local.storage;
    if (tcp_options_apply_listener(&ep->options, fd, family) != 0 ||
        stream_fd_listen(fd, &ep->local.storage, ep->local.length,
                         ep->options.backlog) != 0)
        return stream_fd_discard(fd);
    ep->local.length = sizeof ep->local.storage;
    if (getsockname(fd, (struct sockaddr *) &ep->local.storage,
                    &ep->local.length) != 0 ||
        format_bound(ep) != 0)
        return stream_fd_discard(fd);
    *listen_fd = fd;
    return 0;
}

static int ws_endpoint_format(modzmq_endpoint *ep, char *buffer, size_t size)
{
    int n;
    if (ep->mode == MODZMQ_ENDPOINT_BIND)
        n = snprintf(buffer, size, "%s", ep->bound);
    else
        n = snprintf(buffer, size, "%s://%s%s", ep->scheme, ep->where,
                     ep->path);
    if (n < 0 || (size_t) n >= size)
        return fail(ENOSPC);
    return n;
}

static int ws_accept(modzmq_endpoint *ep, int listen_fd, int *fd)
{
    struct sockaddr_storage peer;
    int conn = stream_fd_accept_from(listen_fd, &peer);
    if (conn == -1)
        return -1;
    if (tcp_options_apply_socket(&ep->options, conn, peer.ss_family, false) !=
            0 ||
        tcp_options_apply_connection(&ep->options, conn) != 0)
        return stream_fd_discard(conn);
    *fd = conn;
    return 0;
}

static void ws_unlisten(modzmq_endpoint *ep, int listen_fd)
{
    stream_fd_unlisten(core_services, ep->socket, listen_fd, ep->bound);
}

static int ws_connect_start(modzmq_endpoint *ep, int *fd)
{
    if (ep->mode != MODZMQ_ENDPOINT_CONNECT)
        return fail(EINVAL);
    struct tcp_sockaddr peer;
    if (tcp_resolve_peer(ep->peer.host, ep->peer.port, ep->options.ipv6,
                         AF_UNSPEC, &peer) != 0)
        return -1;
    int family = peer.storage.ss_family;
    int conn = stream_fd_open(family);
    if (conn == -1)
        return -1;
    if (tcp_options_apply_socket(&ep->options, conn, family, true) != 0 ||
        stream_fd_connect(conn, &peer.storage, peer.length) != 0)
        return stream_fd_discard(conn);
    *fd = conn;
    return 0;
}

static int ws_connect_finish(modzmq_endpoint *ep, int fd)
{
    if (stream_fd_connect_finish(ep, fd) != 0)
        return -1;
    return tcp_options_apply_connection(&ep->options, fd);
}

static int ws_peer_address(modzmq_endpoint *ep, int fd, char *buffer,
                           size_t size)
{
    (void) ep;
    struct sockaddr_storage peer;
    socklen_t length = sizeof peer;
    if (getpeername(fd, (struct sockaddr *) &peer, &length) != 0)
        return -1;
    return tcp_format_host((struct sockaddr *) &peer, length, buffer, size);
}

static int ws_stream_open_op(modzmq_endpoint *ep, int fd,
                             const struct modzmq_stream_ops **ops,
                             modzmq_stream **stream)
{
    struct ws_stream_config config = {
        .client = ep->mode == MODZMQ_ENDPOINT_CONNECT,
        .mechanism = ep->mechanism,
        .host = ep->where,
        .path = ep->path,
        .maxmsgsize = ep->maxmsgsize,
        .socket_type = ep->socket_type,
    };
    if (ep->tls != NULL &&
        ws_tls_open(ep->tls, fd, ep->tls_hostname, &config.tls) != 0)
        return -1;
    return ws_stream_open(fd, &config, ops, stream);
}

static int ws_init(const struct modzmq_core_services *services,
                   modzmq_core *core)
{
    if (services == NULL || services->socket_option == NULL ||
        services->log == NULL)
        return fail(EINVAL);
    core_services = services;
    plugin_core = core;
    return 0;
}

static const struct modzmq_transport_ops ws_ops = {
    .size = sizeof(struct modzmq_transport_ops),
    .endpoint_parse = ws_endpoint_parse,
    .endpoint_free = ws_endpoint_free,
    .listen = ws_listen,
    .endpoint_format = ws_endpoint_format,
    .accept = ws_accept,
    .unlisten = ws_unlisten,
    .connect_start = ws_connect_start,
    .connect_finish = ws_connect_finish,
    .peer_address = ws_peer_address,
    .stream_open = ws_stream_open_op,
};

static const char *const ws_schemes[] = { "ws", "wss", NULL };

static const struct modzmq_plugin ws_plugin = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "ws",
    .kind = MODZMQ_PLUGIN_TRANSPORT,
    .serves = ws_schemes,
    .ops = &ws_ops,
    .init = ws_init,
};

MODZMQ_PLUGIN_ENTRY;

MODZMQ_PLUGIN_ENTRY
{
    return &ws_plugin;
}
