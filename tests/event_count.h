/*
 * Counting a socket's monitor events (zmq_socket_monitor, version 1) in
 * the suites that check that a dropped connection is reported.
 */
#ifndef TEST_EVENT_COUNT_H
#define TEST_EVENT_COUNT_H

/* A PAIR reading the events of socket in mask, over an inproc address
 * of its own; NULL (with a CUnit failure) if the monitor cannot start. */
void *test_monitor_open(void *ctx, void *socket, int mask);

/* How many events of id the reader gives within ms, stopping at cap. */
int test_events_count(void *reader, int id, int ms, int cap);

/* Stops socket's monitor and closes its reader. */
void test_monitor_close(void *socket, void *reader);

#endif
