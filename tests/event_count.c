/*
 * Counting monitor events (see event_count.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "event_count.h"
#include "testutil.h"
#include "zmq.h"

void *test_monitor_open(void *ctx, void *socket, int mask)
{
    static int serial;
    char address[64];
    snprintf(address, sizeof address, "inproc://event-count-%d", serial++);
    CU_ASSERT_EQUAL_FATAL(zmq_socket_monitor(socket, address, mask), 0);
    void *reader = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_PTR_NOT_NULL_FATAL(reader);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(reader, address), 0);
    return reader;
}

static long elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1000L +
           (now.tv_nsec - since->tv_nsec) / 1000000L;
}

int test_events_count(void *reader, int id, int ms, int cap)
{
    int count = 0;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (int i = 0; i < 1000 && count < cap; i++) {
        long left = ms - elapsed_ms(&start);
        if (left <= 0)
            break;
        zmq_pollitem_t item = { reader, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll(&item, 1, left) <= 0)
            break;
        /* Two parts: the event and its value, then the endpoint. */
        uint8_t head[6];
        char endpoint[256];
        if (zmq_recv(reader, head, sizeof head, 0) != 6 ||
            zmq_recv(reader, endpoint, sizeof endpoint, 0) < 0)
            break;
        uint16_t event;
        memcpy(&event, head, sizeof event);
        if (event == id)
            count++;
    }
    return count;
}

void test_monitor_close(void *socket, void *reader)
{
    zmq_socket_monitor(socket, NULL, 0);
    test_close(reader);
}
