/*
 * ZMTP spoken by hand over a loopback tcp socket, for the suites that
 * must put exact bytes on the wire (the CURVE suites): connect, listen,
 * accept, the 64-octet greeting, and frames. Every wait is bounded by
 * RAW_WAIT_MS.
 */
#ifndef TEST_RAW_ZMTP_H
#define TEST_RAW_ZMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    RAW_WAIT_MS = 3000,
    RAW_FRAME_MORE = 1,
    RAW_FRAME_LONG = 2,
    RAW_FRAME_COMMAND = 4,
};

/* A tcp connection to "tcp://127.0.0.1:PORT"; -1 on failure. */
int raw_connect(const char *endpoint);
/* A listening socket on a free loopback port, its endpoint written. */
int raw_listen(char *endpoint, size_t size);
/* The next connection on listener; -1 after RAW_WAIT_MS. */
int raw_accept(int listener);

/* Exactly size octets; false on close or after RAW_WAIT_MS. */
bool raw_read(int fd, uint8_t *out, size_t size);
bool raw_write(int fd, const uint8_t *data, size_t size);
/* True when the peer closes the connection within RAW_WAIT_MS, whatever
 * it sends before. */
bool raw_closed_by_peer(int fd);

/* Sends a ZMTP 3.1 greeting naming mechanism with the as-server bit and
 * reads the peer's, which must be ZMTP 3 and name the same mechanism.
 * libzmq 4.3 writes as-server 0 whatever its role and ignores the
 * peer's, so the peer's bit is not checked. */
bool raw_greet(int fd, const char *mechanism, bool as_server);

/* One frame: flags (RAW_FRAME_MORE, RAW_FRAME_COMMAND; LONG is added
 * when size needs it), then the body. */
bool raw_send_frame(int fd, const uint8_t *data, size_t size, uint8_t flags);

#endif
