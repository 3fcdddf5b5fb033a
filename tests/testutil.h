/*
 * Shared helpers of the CUnit suites: running a suite, the clock, and the
 * few socket chores every test repeats (send and receive strings, expect
 * EAGAIN, raw TCP peers, a network namespace of its own for multicast).
 * Every wait is bounded so that a broken library fails a test instead of
 * hanging it.
 */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <CUnit/Basic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct test_case {
    const char *name;
    CU_TestFunc fn;
};

/* Runs the tests as one suite, verbose; returns the process exit status. */
int test_run_suite(const char *suite, const struct test_case *tests,
                   size_t count);

/* CLOCK_MONOTONIC in ms, for the suites' deadlines and elapsed times. */
int64_t test_now_ms(void);

/* Sends a string as one part (more: ZMQ_SNDMORE follows); true on success. */
bool test_send(void *socket, const char *text, int flags);
/* Receives one part within timeout_ms and compares it with text. */
bool test_recv_is(void *socket, const char *text, int timeout_ms);
/* Receives one part within timeout_ms into buf (NUL-terminated); returns
 * its size or -1. */
int test_recv(void *socket, char *buf, size_t size, int timeout_ms);
/* True when nothing arrives within timeout_ms. */
bool test_recv_nothing(void *socket, int timeout_ms);
/* Sets an int socket option; true on success. */
bool test_set_int(void *socket, int option, int value);
int test_get_int(void *socket, int option);
/* Closes a socket with linger 0. */
void test_close(void *socket);
/* Binds socket to transport ("tcp://127.0.0.1:*", ...) and writes the
 * endpoint it got (ZMQ_LAST_ENDPOINT) to endpoint; true on success. */
bool test_bind_endpoint(void *socket, const char *transport, char *endpoint,
                        size_t size);

/* For the routing-id types (SERVER, PEER, ...): receives one message
 * within timeout_ms into buf (NUL-terminated), its routing id in *id
 * (when not NULL); its size or -1. And sends text to the peer with
 * routing id id (none when 0): 0, or the errno of the failed send (the
 * message then closed). */
int test_recv_routed(void *socket, char *buf, size_t size, uint32_t *id,
                     int timeout_ms);
int test_send_routed(void *socket, uint32_t id, const char *text, int flags);

/* For raw TCP peers written by hand: a connection to 127.0.0.1:port, or
 * -1; and whether the other end closes fd within timeout_ms, whatever it
 * sends first (end of file or a reset). */
int test_connect_loopback(int port);
bool test_closed_by_peer(int fd, int timeout_ms);
/* A UDP port of 127.0.0.1 free a moment ago (udp binds take no wildcard
 * port), or -1. */
int test_free_udp_port(void);

/* For "a missing plugin" tests: runs check() in a forked child whose
 * MODZMQ_PLUGIN_PATH leads nowhere ("/nonexistent-modzmq-plugins"),
 * with its stderr (the loader's diagnostics) captured into said (size
 * bytes, NUL-terminated). Call it before this process has looked any
 * plugin up. Returns check's exit status, or -1 when the child did not
 * exit normally. */
int test_without_plugins(int (*check)(void), char *said, size_t size);

/* For multicast, which must never touch the host's interfaces: runs
 * child(arg) in a forked child inside a network namespace of its own,
 * whose lo is up with multicast on, killed by SIGALRM after timeout_s.
 * Returns the child's exit status (0: passed; the child's own codes
 * say which step failed), or -1 when the kernel refuses the namespace
 * (said on stderr; the case is then not run). The calling process must
 * have no other thread alive, as ThreadSanitizer refuses threads started
 * after a multi-threaded fork: terminate every context first. */
int test_in_network_namespace(int (*child)(void *arg), void *arg,
                              unsigned timeout_s);

#endif
