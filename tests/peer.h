/*
 * A peer in another process, spoken to one line at a time, for the
 * interoperability tests.
 *
 * test_peer_start runs tests/peers/zmq_peer.py with the system's python3
 * and an environment without LD_LIBRARY_PATH, so that the peer loads the
 * system's libzmq (4.3.4) and never modzmq; the peer itself checks that
 * in /proc/self/maps. Only PATH, the locale and the KRB5* variables (for
 * the GSSAPI tests' realm) reach it. The test then drives it one command
 * line at a time (see the script for the commands) and reads one answer
 * line per command.
 *
 * test_peer_spawn is the process underneath, for any such peer: the
 * libzmq 4.3.5 peer of draft_peer.h runs on it too.
 */
#ifndef TEST_PEER_H
#define TEST_PEER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct test_peer;

/* NULL (with a message on stderr) if python3-zmq is missing or the peer
 * did not report the system libzmq. */
struct test_peer *test_peer_start(void);

/* Runs path with argv and exactly envp, its stdin and stdout piped to
 * the test, and waits at most ready_ms for its first line; each answer
 * after it is waited for at most answer_ms. NULL if no process started;
 * otherwise the caller checks test_peer_ready, and stops the peer if
 * that is not the line it wants. */
struct test_peer *test_peer_spawn(const char *path, char *const argv[],
                                  char *const envp[], int ready_ms,
                                  int answer_ms);
/* The peer's first line, NULL if none came in time. */
const char *test_peer_ready(const struct test_peer *peer);
/* The peer's process, whose /proc/PID/maps a test may read. */
pid_t test_peer_pid(const struct test_peer *peer);

/* Sends one command (printf format) and returns its answer line, valid
 * until the next call; NULL when no answer came in time (10 s for the
 * peer of test_peer_start) or the peer has gone. */
const char *test_peer_ask(struct test_peer *peer, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
const char *test_peer_askv(struct test_peer *peer, const char *format,
                           va_list args) __attribute__((format(printf, 2, 0)));
/* Ends the peer's input, waits at most 5 s for it to exit, then kills
 * it. */
void test_peer_stop(struct test_peer *peer);

/* Writes data as the peers' part syntax (hex, "-" when empty) into text,
 * which must hold 2 * size + 2 bytes. */
void test_peer_part(char *text, const void *data, size_t size);

#endif
