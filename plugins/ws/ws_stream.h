/*
 * ws plugin: the byte stream (modzmq/stream.h) that carries the core's
 * ZMTP engine over ZWS 2.0. After the HTTP upgrade ZWS has no greeting
 * and frames of its own (one binary WebSocket message per ZMTP frame,
 * whose first byte is 0x00 last, 0x01 more or 0x02 command), so the
 * stream translates: it hands the engine the ZMTP 3.0 greeting of a peer
 * with the negotiated mechanism (3.0 because ZWS sends subscriptions as
 * messages with a 0x01/0x00 prefix, as ZMTP 3.0 does), swallows the
 * engine's own greeting, and turns ZMTP frames into WebSocket messages
 * and back.
 *
 * A server with the NULL mechanism also accepts the bare "ZWS2.0" (no
 * mechanism), the only ZWS subprotocol a web browser can offer: "/" may
 * not appear in a subprotocol's token (RFC 6455, 4.1). Then, as in ZMTP
 * 2.0, each side's first message is its routing id, and no socket type
 * travels: the stream hands the engine a NULL READY from a peer of the
 * type the socket pairs with (a SUB for a PUB, a DEALER for a ROUTER, ...)
 * carrying the peer's routing id, and sends an empty routing id in place
 * of the engine's own READY.
 */
#ifndef MODZMQ_WS_STREAM_H
#define MODZMQ_WS_STREAM_H

#include "ws_tls.h"

#include <modzmq/stream.h>
#include <stdbool.h>
#include <stdint.h>

struct ws_stream_config {
    bool client;           /* we connected: we send the GET and mask */
    const char *mechanism; /* the socket's, "NULL", "PLAIN", "CURVE" */
    const char *host;      /* client: the Host header ("host:port") */
    const char *path;      /* the request's path ("/" at least) */
    int64_t maxmsgsize;    /* ZMQ_MAXMSGSIZE, -1 for no limit */
    int socket_type;       /* ZMQ_TYPE: the peer a bare ZWS2.0 implies */
    struct ws_tls *tls;    /* wss: the TLS the stream reads and writes
                              through, its own from then on; NULL: ws */
};

/* A stream over the connected fd (copies what config points at, and
 * takes config->tls, which it closes on failure too). 0 with *ops and
 * *stream, or -1 with errno. */
int ws_stream_open(int fd, const struct ws_stream_config *config,
                   const struct modzmq_stream_ops **ops,
                   modzmq_stream **stream);

#endif
