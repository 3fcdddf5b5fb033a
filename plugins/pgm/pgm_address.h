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

#endif
