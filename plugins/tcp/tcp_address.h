/*
 * tcp plugin: reading "host:port" addresses and turning them into socket
 * addresses, and printing socket addresses back the way libzmq prints
 * endpoints. Bind (and connect source) hosts are local: "*", an interface
 * name or a numeric address. Connect hosts may also be DNS names. A
 * connect address is only glanced at by zmq_connect, and its source and
 * destination are resolved at each attempt, as libzmq does.
 */
#ifndef MODZMQ_TCP_ADDRESS_H
#define MODZMQ_TCP_ADDRESS_H

#include <netdb.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct tcp_host_port {
    char host[NI_MAXHOST]; /* without IPv6 brackets */
    uint16_t port;         /* 0 when the port was "*" or "0" */
    bool any_port;         /* the port was "*" */
};

/* A resolved socket address. */
struct tcp_sockaddr {
    struct sockaddr_storage storage;
    socklen_t length;
};

/* Splits length bytes of text into host and port; EINVAL when it is not
 * "host:port" or "[ipv6]:port" with a decimal port or "*". */
int tcp_host_port_parse(const char *text, size_t length,
                        struct tcp_host_port *out);

/* The check libzmq 4.3 makes of a connect address ("dst" or "src;dst")
 * before leaving the rest to each attempt: it starts with a letter, a
 * digit, '[' or ':', has only letters, digits and ".-:%;[]_*", and its
 * last ':' is followed by a digit. */
bool tcp_connect_address_plausible(const char *address);

/* Resolves a local host for bind or for a connect's source: "*" (every
 * interface: "::" when ipv6, else 0.0.0.0), an interface name, or a
 * numeric address; ENODEV when it is none of these, as libzmq. */
int tcp_resolve_local(const char *host, uint16_t port, bool ipv6,
                      struct tcp_sockaddr *out);

/* Resolves a peer host, numeric or DNS name, to its first address of
 * family (AF_UNSPEC: either, as ipv6 allows). EINVAL when it does not
 * resolve. */
int tcp_resolve_peer(const char *host, uint16_t port, bool ipv6, int family,
                     struct tcp_sockaddr *out);

/* Writes the numeric host of addr ("127.0.0.1", "::1"); returns its
 * length, or -1 with ENOSPC or EINVAL. */
int tcp_format_host(const struct sockaddr *addr, socklen_t length, char *buffer,
                    size_t size);

/* Writes "tcp://127.0.0.1:5555" or "tcp://[::1]:5555"; returns its
 * length, or -1 with ENOSPC or EINVAL. */
int tcp_format_endpoint(const struct sockaddr *addr, socklen_t length,
                        char *buffer, size_t size);

/* A listening fd the application made (ZMQ_USE_FD), made non-blocking
 * and close-on-exec, with the address it is bound to in *local. 0, or -1
 * with errno. */
int tcp_adopt_listener(int fd, struct tcp_sockaddr *local);

#endif
