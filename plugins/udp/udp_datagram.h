/*
 * udp plugin: the layout of one datagram, as libzmq 4.3.5's udp engine
 * writes and reads it, so that a libzmq RADIO and a modzmq DISH (or the
 * other way round) understand each other. A RADIO/DISH datagram is one
 * message: an octet giving the group's length, the group (RFC 48: 0 to
 * 255 octets, none of them 0), then the body, to the datagram's end.
 * DGRAM datagrams are the body alone (the peer's address is the
 * datagram's source or destination). No datagram is longer than
 * UDP_DATAGRAM_MAX, libzmq's limit: longer ones are neither sent nor
 * taken. Pure functions on buffers, so that the fuzz target drives them
 * as they are.
 */
#ifndef MODZMQ_UDP_DATAGRAM_H
#define MODZMQ_UDP_DATAGRAM_H

#include <stddef.h>
#include <stdint.h>

enum { UDP_DATAGRAM_MAX = 8192, UDP_GROUP_MAX = 255 };

/* Why a received datagram is not a message. */
enum udp_datagram_status {
    UDP_DATAGRAM_OK = 0,
    UDP_DATAGRAM_EMPTY,     /* not even the group's length */
    UDP_DATAGRAM_SHORT,     /* the group runs past the datagram's end */
    UDP_DATAGRAM_BAD_GROUP, /* the group holds an octet 0 */
    UDP_DATAGRAM_OVERSIZED, /* longer than UDP_DATAGRAM_MAX */
};

/* A decoded RADIO/DISH datagram: slices of the datagram's bytes. */
struct udp_datagram {
    const char *group;
    size_t group_size;
    const uint8_t *body;
    size_t body_size;
};

/* Reads a RADIO/DISH datagram of size bytes. */
enum udp_datagram_status udp_datagram_decode(const uint8_t *data, size_t size,
                                             struct udp_datagram *out);

/* Writes group and body as one datagram into buffer (capacity bytes);
 * returns its length, or 0 when it would not fit in capacity or
 * UDP_DATAGRAM_MAX, or the group is longer than UDP_GROUP_MAX. */
size_t udp_datagram_encode(uint8_t *buffer, size_t capacity, const char *group,
                           size_t group_size, const void *body,
                           size_t body_size);

/* What a status means, for the drop's log line. */
const char *udp_datagram_status_name(enum udp_datagram_status status);

#endif
