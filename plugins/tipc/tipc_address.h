/*
 * tipc plugin: TIPC addresses as libzmq 4.3 writes them, parsed into a
 * sockaddr_tipc and written back (the endpoint strings of
 * ZMQ_LAST_ENDPOINT and zmq_unbind). Kept apart from the transport ops so
 * that a suite can test the parser without a kernel that has TIPC.
 */
#ifndef MODZMQ_TIPC_ADDRESS_H
#define MODZMQ_TIPC_ADDRESS_H

#include <linux/tipc.h>
#include <stdbool.h>
#include <stddef.h>

struct tipc_address {
    struct sockaddr_tipc sa;
    bool random; /* "<*>": a port id the kernel picks when listening */
};

/* What follows "tipc://":
 *   {type,lower,upper}   a service range (type >= 64, lower <= upper)
 *   {type,instance}      a service address (type > 64), looked up in the
 *                        domain of an "@z.c.n" suffix, 1.0.0 without one
 *                        (as libzmq: "@0.0.0" looks everywhere)
 *   <z.c.n:ref>          a port id
 *   <*>                  a port id of the kernel's choice (bind only)
 * Spaces may come before each number, so that the endpoint string
 * tipc_address_format writes parses again. An "@z.c.n" suffix may follow
 * any form; only a service address uses it. 0, or -1 with errno EINVAL
 * for anything else (libzmq 4.3.4 returns -1 without setting errno for a
 * malformed address, and takes trailing garbage and negative numbers;
 * here those are refused with EINVAL). */
int tipc_address_parse(const char *text, struct tipc_address *out);

/* Writes "tipc://{type, lower, upper}" for a service range or address
 * (a service address's third number is its domain, as libzmq writes it),
 * or "tipc://<z.c.n:ref>" for a port id. Returns the length, or -1 with
 * ENOSPC when size is too small, EINVAL when sa is no TIPC address. */
int tipc_address_format(const struct sockaddr_tipc *sa, char *buffer,
                        size_t size);

#endif
