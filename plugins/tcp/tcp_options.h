/*
 * tcp plugin: the socket options a tcp endpoint uses, read once from the
 * zmq socket when the endpoint is parsed (later zmq_setsockopt calls do
 * not change a bound or connected endpoint, as in libzmq), and applied to
 * the listening, connecting and accepted fds.
 */
#ifndef MODZMQ_TCP_OPTIONS_H
#define MODZMQ_TCP_OPTIONS_H

#include <modzmq/plugin.h>
#include <stdbool.h>
#include <stddef.h>

struct tcp_options {
    bool ipv6;           /* ZMQ_IPV6: dual-stack, IPv6 addresses allowed */
    int keepalive;       /* ZMQ_TCP_KEEPALIVE: -1 leaves the OS default */
    int keepalive_cnt;   /* ZMQ_TCP_KEEPALIVE_CNT, -1 or a count */
    int keepalive_idle;  /* ZMQ_TCP_KEEPALIVE_IDLE, -1 or seconds */
    int keepalive_intvl; /* ZMQ_TCP_KEEPALIVE_INTVL, -1 or seconds */
    int maxrt;           /* ZMQ_TCP_MAXRT in ms, 0 for the OS default */
    int tos;             /* ZMQ_TOS, 0 for the OS default */
    int sndbuf;          /* ZMQ_SNDBUF in bytes, -1 or 0 for the default */
    int rcvbuf;          /* ZMQ_RCVBUF in bytes, -1 or 0 for the default */
    int backlog;         /* ZMQ_BACKLOG */
    int use_fd;          /* ZMQ_USE_FD: a listening fd to use, or -1 */
    int busy_poll;       /* ZMQ_BUSY_POLL: SO_BUSY_POLL us when > 0 */
    int priority;        /* ZMQ_PRIORITY: SO_PRIORITY when not 0 */
    char device[64];     /* ZMQ_BINDTODEVICE, "" for none */
    /* ZMQ_TCP_ACCEPT_FILTER: NUL-terminated masks one after the other,
     * NULL when there are none. */
    char *accept_filters;
    size_t accept_filters_size;
    /* ZMQ_SOCKS_PROXY ("host:port"), ZMQ_SOCKS_USERNAME and
     * ZMQ_SOCKS_PASSWORD; NULL when not set. */
    char *socks_proxy;
    char *socks_username;
    char *socks_password;
};

/* Reads the options of socket through the core's services. 0, or -1 with
 * errno; on success tcp_options_release frees what it allocated. */
int tcp_options_read(const struct modzmq_core_services *services,
                     modzmq_socket *socket, struct tcp_options *out);

/* The same without the SOCKS options and the accept filters (left NULL),
 * for a transport that, as libzmq's ws, applies neither. */
int tcp_options_read_socket(const struct modzmq_core_services *services,
                            modzmq_socket *socket, struct tcp_options *out);

void tcp_options_release(struct tcp_options *options);

/* A listener, before bind: SO_REUSEADDR, dual-stack for IPv6, then what
 * tcp_options_apply_socket sets. */
int tcp_options_apply_listener(const struct tcp_options *options, int fd,
                               int family);

/* Any socket before bind or connect: BINDTODEVICE, TOS, PRIORITY and
 * buffer sizes.
 * An accepted fd inherits the device and gets the rest again. */
int tcp_options_apply_socket(const struct tcp_options *options, int fd,
                             int family, bool device);

/* A connected fd: TCP_NODELAY, TCP_NOTSENT_LOWAT (unless ZMQ_SNDBUF is
 * set), keepalives, TCP_MAXRT and SO_BUSY_POLL. */
int tcp_options_apply_connection(const struct tcp_options *options, int fd);

#endif
