/*
 * A libzmq peer in another process, for interoperability tests.
 *
 * test_peer_start runs tests/peers/zmq_peer.py with the system's python3
 * and an environment without LD_LIBRARY_PATH, so that the peer loads the
 * system's libzmq and never modzmq; the peer itself checks that in
 * /proc/self/maps. Only PATH, the locale and the KRB5* variables (for
 * the GSSAPI tests' realm) reach it. The test then drives it one command line at a time (see
 * the script for the commands) and reads one answer line per command.
 */
#ifndef TEST_PEER_H
#define TEST_PEER_H

#include <stdbool.h>
#include <stddef.h>

struct test_peer;

/* NULL (with a message on stderr) if python3-zmq is missing or the peer
 * did not report the system libzmq. */
struct test_peer *test_peer_start(void);
/* Sends one command (printf format) and returns its answer line, valid
 * until the next call; NULL after 10 s without an answer. */
const char *test_peer_ask(struct test_peer *peer, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* Asks the peer to quit, waits at most 5 s, then kills it. */
void test_peer_stop(struct test_peer *peer);

/* Writes data as the peer's part syntax (hex, "-" when empty) into text,
 * which must hold 2 * size + 2 bytes. */
void test_peer_part(char *text, const void *data, size_t size);

#endif
