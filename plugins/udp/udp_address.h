/*
 * udp plugin: reading the addresses zmq_udp(7) describes,
 *
 *     [IFACE;]HOST:PORT
 *
 * HOST is "*" (bind only: every interface), a numeric IPv4 address, an
 * IPv6 address in brackets, an interface name (bind: its address) or a
 * DNS name (connect), unicast or multicast. IFACE, before a ';', is "*",
 * an interface name or a numeric address of one: for a multicast group,
 * the interface that joins it or sends to it; for a unicast connect, the
 * local address datagrams leave from. PORT is decimal; "*" or 0 binds an
 * ephemeral port. IPv6 hosts need ZMQ_IPV6, as in libzmq; "*" is then
 * "::", which takes IPv4 datagrams too. Also the "ip:port" address frames
 * of DGRAM messages, read and written here.
 */
#ifndef MODZMQ_UDP_ADDRESS_H
#define MODZMQ_UDP_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct udp_sockaddr {
    struct sockaddr_storage storage;
    socklen_t length;
};

struct udp_address {
    int family;                 /* AF_INET or AF_INET6 */
    struct udp_sockaddr target; /* connect: where datagrams go; bind: the
                                   local address or the group */
    bool multicast;             /* target is a multicast group */
    unsigned iface_index;       /* IFACE's index, 0 for any */
    struct udp_sockaddr source; /* IFACE's address (port 0); length 0 for
                                   none */
};

/* Parses text for bind (bind true) or connect. 0, or -1 with errno:
 * EINVAL for text that is not an address or a port out of range (or 0 on
 * connect), ENODEV for a bind host or an IFACE that is no local address
 * or interface, and EINVAL for a name that does not resolve. */
int udp_address_parse(const char *text, bool bind, bool ipv6,
                      struct udp_address *out);

/* Writes "127.0.0.1:5555" or "[::1]:5555" (a DGRAM address frame, and
 * after "udp://" an endpoint). Its length, or -1 with ENOSPC. */
int udp_address_format(const struct sockaddr *addr, char *buffer,
                       size_t size);

/* Reads a DGRAM address frame (size bytes, no NUL needed): a numeric
 * "ip:port" or "[ipv6]:port" of family (AF_INET6 also takes IPv4, as a
 * mapped address). 0, or -1 with EINVAL. */
int udp_address_frame_parse(const char *frame, size_t size, int family,
                            struct udp_sockaddr *out);

#endif
