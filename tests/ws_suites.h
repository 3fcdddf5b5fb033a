/*
 * What the ws and wss suites share: counting a socket's monitor events
 * (zmq_socket_monitor, version 1) to check that a dropped connection is
 * reported, a loopback listener for peers written by hand, and the
 * exchanges over the classic pairs, a subscription and large multipart
 * messages both ways.
 */
#ifndef TEST_WS_SUITES_H
#define TEST_WS_SUITES_H

#include <stddef.h>

/* A socket of ctx with ZMQ_LINGER 0 and 5 s send and receive timeouts. */
void *test_ws_socket(void *ctx, int type);

/* The port of an endpoint: the number after its last ':'. */
int test_port_of(const char *endpoint);

/* A PAIR reading the events of socket in mask, over an inproc address
 * of its own (a CUnit failure if the monitor cannot start). */
void *test_monitor_open(void *ctx, void *socket, int mask);

/* How many events of id the reader gives within ms, stopping at cap. */
int test_events_count(void *reader, int id, int ms, int cap);

/* Stops socket's monitor and closes its reader. */
void test_monitor_close(void *socket, void *reader);

/* A TCP socket listening on 127.0.0.1 at a free port, written to *port
 * (a CUnit failure if there is none). */
int test_listen_loopback(int *port);

/* The classic pairs a suite runs, bound type first. */
struct test_pair_types {
    int bind_type, connect_type;
};
extern const struct test_pair_types test_pairs_classic[6];

/* A two-part request from the connected socket (from the bound one when
 * it is a PUSH), and a reply where the pair has one. */
void test_pair_exchange(void *bound, int bound_type, void *connected);

/* A subscription crosses from sub to the XPUB as a message with a 0x01
 * prefix, a matching message comes back and another does not, and the
 * unsubscription crosses with a 0x00. */
void test_subscription_exchange(void *xpub, void *sub);

/* One message of count parts of the given sizes, three times, from a to
 * b and then from b to a; every part and its ZMQ_RCVMORE checked. */
void test_exchange_parts(void *a, void *b, const size_t *sizes, size_t count);

#endif
