/*
 * Blocking ZMTP 3.0 over a loopback TCP connection, for tests that drive
 * a mechanism plugin's ops by hand against a real libzmq peer: the
 * greeting, then frames in and out. Every wait is bounded.
 */
#ifndef ZMTP_STREAM_H
#define ZMTP_STREAM_H

#include <stddef.h>

#include "gssapi_harness.h"

/* A connection to tcp://127.0.0.1:port; -1 on failure. */
int zmtp_stream_connect(int port);
/* A listening socket on a free loopback port (written to *port). */
int zmtp_stream_listen(int *port);
/* The next connection on listener, within timeout_ms; -1 if none. */
int zmtp_stream_accept(int listener, int timeout_ms);

/* Sends our 64-octet greeting (ZMTP 3.0, mechanism, as-server bit) and
 * reads the peer's; its mechanism name is written to peer_mechanism
 * (21 bytes). 0 or -1. */
int zmtp_stream_greet(int fd, const char *mechanism, int as_server,
                      char *peer_mechanism);

/* One frame; flags are MODZMQ_MSG_MORE and MODZMQ_MSG_COMMAND. */
int zmtp_stream_send(int fd, const struct modzmq_msg *frame);
/* The next frame into msg (replacing its body), within timeout_ms; -1
 * with ETIMEDOUT when none came, ECONNRESET when the peer closed. */
int zmtp_stream_recv(int fd, struct modzmq_msg *frame, int timeout_ms);

#endif
