/*
 * Traffic tests shared by the suites of the own-engine multicast
 * transports (tests/test_pgm_transport, tests/test_norm_transport), so
 * that pgm, epgm and norm are held to the same checks: each child runs
 * in a network namespace of its own (multicast_in_namespace) and returns
 * 0, or an exit code saying which step failed.
 */
#ifndef TEST_MULTICAST_TRAFFIC_H
#define TEST_MULTICAST_TRAFFIC_H

#include <CUnit/Basic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { PEER_PARTS_MAX = 64 };

/* One transport's endpoint and how its sockets are set up. */
struct multicast_case {
    const char *endpoint;
    int rate; /* ZMQ_RATE for our sockets and the peer's, kbit/s; 0: leave */
    /* The large message libzmq's PUB sends after a part of 3 octets:
     * peer_parts parts (at most PEER_PARTS_MAX) of peer_part_size. */
    int peer_parts;
    int peer_part_size;
};

/* The children, each taking a const struct multicast_case *. */
int multicast_ours_to_ours(void *arg);  /* multipart, large, SUB filters */
int multicast_xpub_xsub(void *arg);     /* XPUB bound, XSUB connected */
int multicast_late_joiner(void *arg);   /* a late SUB's first is whole */
int multicast_to_libzmq(void *arg);     /* ours PUB, libzmq's SUB */
int multicast_from_libzmq(void *arg);   /* libzmq's PUB, ours SUB */

/* Runs child in a network namespace of its own and asserts it returned
 * 0 (says so and passes where namespaces are refused). */
void multicast_in_namespace(int (*child)(void *),
                            const struct multicast_case *c);

/* Asserts what libzmq refuses: the socket types other than PUB, XPUB,
 * SUB and XSUB on endpoint (connect and bind, ENOCOMPATPROTO), and each
 * of the bad endpoints on a PUB (EINVAL). */
void multicast_check_refusals(void *context, const char *endpoint,
                              const char *const *bad, size_t bad_count);

/* Pieces for a suite's own children: the multicast route on lo; a SUB
 * (subscribed to everything) or PUB connected to the case's endpoint,
 * NULL on failure; octet k of a pattern is k * 7 + seed; "ping" until
 * sub hears one, then drained up to a "last", at most 10 s. */
bool multicast_route(void);
void *multicast_socket_at(void *context, int type,
                          const struct multicast_case *c);
void multicast_fill_pattern(uint8_t *data, size_t size, unsigned seed);
bool multicast_is_pattern(const uint8_t *data, size_t size, unsigned seed);
bool multicast_until_heard(void *pub, void *sub);

#endif
