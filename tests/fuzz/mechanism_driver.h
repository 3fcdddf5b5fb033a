/*
 * The mechanism driver of the fuzz targets: a client and a server session
 * of one mechanism plugin (CURVE, GSSAPI), made and driven through the
 * core's own wrapper (core/zmtp/mechanism.c: the real option, metadata and
 * property code behind the plugin's services), talking in memory.
 *
 * One side is under test. The other, the peer, is honest: each command it
 * produces is what a real peer would send, and the input decides what
 * becomes of it on its way to the side under test: delivered, replaced,
 * bytes altered, cut short, extended, dropped or delivered twice. So the
 * side under test gets as far into the handshake as an honest exchange
 * goes, and meets hostile input at every step; what the crypto protects
 * stays sealed by the peer's real keys. Once both sides are ready, the
 * peer encodes the parts the input gives (altered on the way as above) for
 * the side under test to decode, and the side under test encodes each part
 * back for the peer: an honest part must come through intact both ways.
 *
 * Input:
 *
 *   byte    ZAP as the server sees it: no handler, a handler that
 *           accepts, one that refuses, a request that cannot be sent
 *           (modulo 4)
 *   byte    a variant of the mechanism's options, for the target's
 *           configure (GSSAPI: bit 0 sets ZMQ_GSSAPI_PLAINTEXT)
 *   byte    the peer's socket type: index into PAIR, PUB, SUB, REQ, REP,
 *           DEALER, ... (fuzz.h's fuzz_socket_type); ours is
 *           one that may talk to it
 *   chunk   the peer's ZMQ_METADATA value for X-Fuzz (none if empty)
 *   chunk   the peer's ZMQ_ROUTING_ID (none if empty)
 *   then, for each command the peer sends, an action byte (modulo 7:
 *   deliver, replace by a chunk, alter by a chunk of (16-bit offset, xor
 *   byte) triples, cut to a 16-bit length, extend by a chunk, drop,
 *   deliver twice); after the handshake, for each part: a flags byte (1
 *   MORE, 2 COMMAND), a chunk with its body, and an action byte as above.
 */
#ifndef MODZMQ_FUZZ_MECHANISM_DRIVER_H
#define MODZMQ_FUZZ_MECHANISM_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "fuzz.h"
#include "options.h"

/* Sets a side's mechanism options (keys, principals, the server role);
 * variant is the input's byte for it. */
typedef void fuzz_mechanism_configure(struct mz_options *options,
                                      bool as_server, uint8_t variant);

struct fuzz_mechanism {
    const char *name; /* "CURVE", "GSSAPI" */
    fuzz_mechanism_configure *configure;
    bool server_under_test; /* else the client is */
};

/* The configures of mechanism_setup.c. */
fuzz_mechanism_configure fuzz_curve_configure;
fuzz_mechanism_configure fuzz_gssapi_configure;

/* Runs one input. Returns false when the plugin cannot be loaded or a
 * session cannot start (nothing was tried). */
bool fuzz_mechanism_run(const struct fuzz_mechanism *mechanism,
                        struct fuzz_input *in);

#endif
