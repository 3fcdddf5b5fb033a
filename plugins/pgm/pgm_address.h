/*
 * pgm plugin: the address of a pgm:// or epgm:// endpoint, as zmq_pgm(7)
 * writes it: "IFACE;GROUP:PORT" or "GROUP:PORT", IFACE a name or an IPv4
 * address, GROUP an IPv4 multicast address. This splits it into the
 * network part OpenPGM's pgm_getaddrinfo reads ("IFACE;GROUP") and the
 * port, which names the data-destination port (and, for epgm, the UDP
 * port). Pure code, so that the suite tests it as it is.
 */
#ifndef MODZMQ_PGM_ADDRESS_H
#define MODZMQ_PGM_ADDRESS_H

#include <stddef.h>
#include <stdint.h>

enum { PGM_NETWORK_MAX = 256 };

struct pgm_address {
    char network[PGM_NETWORK_MAX];
    uint16_t port;
};

/* 0, or -1 with EINVAL: no port, a port that is not 1 to 65535, an empty
 * or over-long network part. */
int pgm_address_split(const char *address, struct pgm_address *out);

/* OpenPGM takes an interface by name only when it is not a loopback
 * device (its lookup skips IFF_LOOPBACK), so "lo;239.192.1.1" fails
 * there while "127.0.0.1;239.192.1.1" works. When the interface part of
 * a->network names a loopback interface with an IPv4 address, this
 * writes that address in its place. 1 when it did, 0 when the part is
 * something else (an address, another interface, none), which is left
 * for OpenPGM to resolve. */
int pgm_address_loopback_name(struct pgm_address *a);

#endif
