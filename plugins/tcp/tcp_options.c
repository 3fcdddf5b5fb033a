/*
 * tcp plugin: reading the endpoint's options from the zmq socket and
 * setting them on fds (see tcp_options.h). Values that mean "leave the OS
 * default" (-1, or 0 where libzmq 4.3 treats it so) are not set at all.
 */
#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API /* ZMQ_BUSY_POLL, ZMQ_PRIORITY */
#endif

#include "tcp_options.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <zmq.h>

static int read_int(const struct modzmq_core_services *services,
                    modzmq_socket *socket, int option, int *value)
{
    size_t size = sizeof *value;
    return services->socket_option(socket, option, value, &size);
}

/* Reads one of the list options zmq_getsockopt refuses (see plugin.h):
 * *data is NULL for an empty list. A core that does not give lists
 * (EINVAL without a larger size) is taken as having none. */
static int read_list(const struct modzmq_core_services *services,
                     modzmq_socket *socket, int option, char **data,
                     size_t *size)
{
    *data = NULL;
    *size = 0;
    char first[256];
    size_t length = sizeof first;
    if (services->socket_option(socket, option, first, &length) == 0) {
        if (length == 0)
            return 0;
        *data = malloc(length);
        if (*data == NULL)
            return -1;
        memcpy(*data, first, length);
        *size = length;
        return 0;
    }
    if (errno != EINVAL)
        return -1;
    if (length <= sizeof first)
        return 0;
    char *grown = malloc(length);
    if (grown == NULL)
        return -1;
    if (services->socket_option(socket, option, grown, &length) != 0) {
        free(grown);
        return -1;
    }
    *data = grown;
    *size = length;
    return 0;
}

/* A string option as a copy, NULL when it is empty; capacity bounds it
 * with its NUL (a longer one fails with EINVAL). */
static int read_string(const struct modzmq_core_services *services,
                       modzmq_socket *socket, int option, size_t capacity,
                       char **out)
{
    *out = NULL;
    char *text = malloc(capacity);
    if (text == NULL)
        return -1;
    size_t size = capacity;
    if (services->socket_option(socket, option, text, &size) != 0) {
        free(text);
        return -1;
    }
    if (size <= 1 || size > capacity) {
        free(text);
        return 0;
    }
    text[size - 1] = '\0';
    *out = text;
    return 0;
}

/* The SOCKS options; names longer than a SOCKS request carries fail. */
static int read_socks(const struct modzmq_core_services *services,
                      modzmq_socket *socket, struct tcp_options *out)
{
    enum { ADDRESS_MAX = 2 + 255 + 1 + 5 + 1, CREDENTIAL_MAX = 255 + 1 };
    if (read_string(services, socket, ZMQ_SOCKS_PROXY, ADDRESS_MAX,
                    &out->socks_proxy) != 0 ||
        read_string(services, socket, ZMQ_SOCKS_USERNAME, CREDENTIAL_MAX,
                    &out->socks_username) != 0 ||
        read_string(services, socket, ZMQ_SOCKS_PASSWORD, CREDENTIAL_MAX,
                    &out->socks_password) != 0)
        return -1;
    return 0;
}

int tcp_options_read_socket(const struct modzmq_core_services *services,
                            modzmq_socket *socket, struct tcp_options *out)
{
    memset(out, 0, sizeof *out);
    int ipv6 = 0;
    size_t device_size = sizeof out->device;
    if (read_int(services, socket, ZMQ_IPV6, &ipv6) != 0 ||
        read_int(services, socket, ZMQ_TCP_KEEPALIVE, &out->keepalive) != 0 ||
        read_int(services, socket, ZMQ_TCP_KEEPALIVE_CNT,
                 &out->keepalive_cnt) != 0 ||
        read_int(services, socket, ZMQ_TCP_KEEPALIVE_IDLE,
                 &out->keepalive_idle) != 0 ||
        read_int(services, socket, ZMQ_TCP_KEEPALIVE_INTVL,
                 &out->keepalive_intvl) != 0 ||
        read_int(services, socket, ZMQ_TCP_MAXRT, &out->maxrt) != 0 ||
        read_int(services, socket, ZMQ_TOS, &out->tos) != 0 ||
        read_int(services, socket, ZMQ_PRIORITY, &out->priority) != 0 ||
        read_int(services, socket, ZMQ_SNDBUF, &out->sndbuf) != 0 ||
        read_int(services, socket, ZMQ_RCVBUF, &out->rcvbuf) != 0 ||
        read_int(services, socket, ZMQ_BACKLOG, &out->backlog) != 0 ||
        read_int(services, socket, ZMQ_USE_FD, &out->use_fd) != 0 ||
        services->socket_option(socket, ZMQ_BINDTODEVICE, out->device,
                                &device_size) != 0)
        return -1;
    out->ipv6 = ipv6 != 0;
    /* A core older than ZMQ_BUSY_POLL does not know it: no busy polling. */
    if (read_int(services, socket, ZMQ_BUSY_POLL, &out->busy_poll) != 0) {
        if (errno != EINVAL)
            return -1;
        out->busy_poll = 0;
    }
    /* The string comes back NUL-terminated, or empty with size 0. */
    if (device_size == 0 || device_size > sizeof out->device)
        out->device[0] = '\0';
    out->device[sizeof out->device - 1] = '\0';
    return 0;
}

int tcp_options_read(const struct modzmq_core_services *services,
                     modzmq_socket *socket, struct tcp_options *out)
{
    if (tcp_options_read_socket(services, socket, out) != 0)
        return -1;
    if (read_socks(services, socket, out) != 0 ||
        read_list(services, socket, ZMQ_TCP_ACCEPT_FILTER, &out->accept_filters,
                  &out->accept_filters_size) != 0) {
        int error = errno;
        tcp_options_release(out);
        errno = error;
        return -1;
    }
    return 0;
}

void tcp_options_release(struct tcp_options *options)
{
    free(options->accept_filters);
    options->accept_filters = NULL;
    options->accept_filters_size = 0;
    free(options->socks_proxy);
    free(options->socks_username);
    free(options->socks_password);
    options->socks_proxy = NULL;
    options->socks_username = NULL;
    options->socks_password = NULL;
}

static int set_int(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof value);
}

int tcp_options_apply_socket(const struct tcp_options *options, int fd,
                             int family, bool device)
{
    if (device && options->device[0] != '\0' &&
        setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, options->device,
                   (socklen_t) strlen(options->device)) != 0)
        return -1;
    if (options->tos != 0) {
        if (family == AF_INET6 &&
            set_int(fd, IPPROTO_IPV6, IPV6_TCLASS, options->tos) != 0)
            return -1;
        /* Also on IPv6 sockets, for their IPv4-mapped traffic. */
        if (set_int(fd, IPPROTO_IP, IP_TOS, options->tos) != 0)
            return -1;
    }
    /* As libzmq 4.3.5; above 6 Linux wants CAP_NET_ADMIN (EPERM). */
    if (options->priority != 0 &&
        set_int(fd, SOL_SOCKET, SO_PRIORITY, options->priority) != 0)
        return -1;
    if (options->sndbuf > 0 &&
        set_int(fd, SOL_SOCKET, SO_SNDBUF, options->sndbuf) != 0)
        return -1;
    if (options->rcvbuf > 0 &&
        set_int(fd, SOL_SOCKET, SO_RCVBUF, options->rcvbuf) != 0)
        return -1;
    return 0;
}

int tcp_options_apply_listener(const struct tcp_options *options, int fd,
                               int family)
{
    if (set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) != 0)
        return -1;
    if (family == AF_INET6 && options->ipv6 &&
        set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0) != 0)
        return -1;
    return tcp_options_apply_socket(options, fd, family, true);
}

/* The kernel's queue of bytes not yet sent is kept short, so that the
 * backlog waits in the zmq pipe, where the high-water marks govern it,
 * rather than in megabytes of socket buffer that a reader finds cold in
 * cache: over loopback with one I/O thread serving both ends, 64 KiB
 * messages otherwise fell, run after run, into a mode at half speed
 * (perf/compare.sh). Bytes in flight are not counted, so a long fat link
 * keeps its window. A user who sizes ZMQ_SNDBUF manages the kernel's
 * buffer and is left alone. */
enum { NOT_SENT_LOW_WATER = 128 * 1024 };

int tcp_options_apply_connection(const struct tcp_options *options, int fd)
{
    if (set_int(fd, IPPROTO_TCP, TCP_NODELAY, 1) != 0)
        return -1;
    if (options->sndbuf <= 0 &&
        set_int(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT, NOT_SENT_LOW_WATER) != 0)
        return -1;
    if (options->keepalive != -1) {
        if (set_int(fd, SOL_SOCKET, SO_KEEPALIVE, options->keepalive) != 0)
            return -1;
        if (options->keepalive == 1) {
            if (options->keepalive_cnt != -1 &&
                set_int(fd, IPPROTO_TCP, TCP_KEEPCNT, options->keepalive_cnt))
                return -1;
            if (options->keepalive_idle != -1 &&
                set_int(fd, IPPROTO_TCP, TCP_KEEPIDLE, options->keepalive_idle))
                return -1;
            if (options->keepalive_intvl != -1 &&
                set_int(fd, IPPROTO_TCP, TCP_KEEPINTVL,
                        options->keepalive_intvl))
                return -1;
        }
    }
    if (options->maxrt > 0 &&
        set_int(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, options->maxrt) != 0)
        return -1;
    /* As libzmq: the kernel polls the device queue for this many
     * microseconds before sleeping on a read. Above the net.core.busy_read
     * sysctl it needs CAP_NET_ADMIN (EPERM: the connection fails). */
    if (options->busy_poll > 0 &&
        set_int(fd, SOL_SOCKET, SO_BUSY_POLL, options->busy_poll) != 0)
        return -1;
    return 0;
}
