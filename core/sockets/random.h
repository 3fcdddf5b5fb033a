/*
 * The starting values libzmq gives the counters of its request/reply
 * sockets: a ROUTER's (and REP's) generated routing ids and a REQ's
 * request ids. libzmq draws each from the C library's rand(), twice per
 * socket, at creation. Drawing them the same way makes a fresh process name
 * its anonymous peers with exactly the ids libzmq would give them.
 */
#ifndef MZ_RANDOM_H
#define MZ_RANDOM_H

#include <stdint.h>
#include <stdlib.h>

/* rand() yields 31 bits: the second draw supplies the top bit. */
static inline uint32_t mz_random_counter_start(void)
{
    uint32_t low = (uint32_t) rand();
    uint32_t high = (uint32_t) rand();
    return (high << 31) | low;
}

#endif
