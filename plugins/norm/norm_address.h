/*
 * norm plugin: the address of a norm:// endpoint, as libzmq 4.3 takes it:
 * "[ID,][IFACE;]ADDRESS:PORT". ID is the local NORM node id (a decimal
 * number; without it NORM derives one from the host's address), IFACE
 * the interface a multicast session uses, ADDRESS the session's
 * (multicast or unicast) address and PORT its port. Pure code, so that
 * the suite tests it as it is.
 */
#ifndef MODZMQ_NORM_ADDRESS_H
#define MODZMQ_NORM_ADDRESS_H

#include <stdbool.h>
#include <stdint.h>

enum { NORM_IFACE_MAX = 16, NORM_HOST_MAX = 256 };

struct norm_address {
    bool has_node_id;
    uint32_t node_id;
    char iface[NORM_IFACE_MAX]; /* "" when none is named */
    char host[NORM_HOST_MAX];
    uint16_t port;
};

/* 0, or -1 with EINVAL: no port, a port that is not 1 to 65535, an id
 * that is not a number (or is 0 or 0xFFFFFFFF, NORM's "none" and "any"),
 * an empty or over-long interface or address. */
int norm_address_parse(const char *address, struct norm_address *out);

#endif
