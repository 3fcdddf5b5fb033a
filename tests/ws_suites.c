/*
 * What the ws and wss suites share (see ws_suites.h).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "testutil.h"
#include "ws_suites.h"
#include "zmq.h"

void *test_ws_socket(void *ctx, int type)
{
    void *s = zmq_socket(ctx, type);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    test_set_int(s, ZMQ_LINGER, 0);
    test_set_int(s, ZMQ_RCVTIMEO, 5000);
    test_set_int(s, ZMQ_SNDTIMEO, 5000);
    return s;
}

int test_port_of(const char *endpoint)
{
    const char *colon = strrchr(endpoint, ':');
    return colon ? atoi(colon + 1) : -1;
}

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

int test_events_count(void *reader, int id, int ms, int cap)
{
    int count = 0;
    int64_t start = test_now_ms();
    for (int i = 0; i < 1000 && count < cap; i++) {
        long left = ms - (test_now_ms() - start);
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

int test_listen_loopback(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    CU_ASSERT_FATAL(fd >= 0);
    struct sockaddr_in address = { .sin_family = AF_INET };
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    CU_ASSERT_FATAL(bind(fd, (struct sockaddr *) &address, length) == 0);
    CU_ASSERT_FATAL(listen(fd, 8) == 0);
    CU_ASSERT_FATAL(getsockname(fd, (struct sockaddr *) &address, &length) ==
                    0);
    *port = ntohs(address.sin_port);
    return fd;
}

void test_exchange_parts(void *a, void *b, const size_t *sizes, size_t count)
{
    size_t largest = 0;
    for (size_t i = 0; i < count; i++)
        largest = sizes[i] > largest ? sizes[i] : largest;
    uint8_t *data = malloc(largest + 1);
    uint8_t *got = malloc(largest + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    CU_ASSERT_PTR_NOT_NULL_FATAL(got);
    for (size_t i = 0; i < largest; i++)
        data[i] = (uint8_t) (i * 7 + i / 251);
    void *ends[2][2] = { { a, b }, { b, a } };
    for (int way = 0; way < 2; way++) {
        void *from = ends[way][0], *to = ends[way][1];
        for (int round = 0; round < 3; round++)
            for (size_t i = 0; i < count; i++)
                CU_ASSERT_EQUAL(zmq_send(from, data, sizes[i],
                                         i + 1 < count ? ZMQ_SNDMORE : 0),
                                (int) sizes[i]);
        for (int round = 0; round < 3; round++)
            for (size_t i = 0; i < count; i++) {
                int n = zmq_recv(to, got, largest, 0);
                CU_ASSERT_EQUAL(n, (int) sizes[i]);
                if (n == (int) sizes[i])
                    CU_ASSERT_EQUAL(memcmp(got, data, sizes[i]), 0);
                CU_ASSERT_EQUAL(test_get_int(to, ZMQ_RCVMORE), i + 1 < count);
            }
    }
    free(got);
    free(data);
}

const struct test_pair_types test_pairs_classic[6] = {
    { ZMQ_PAIR, ZMQ_PAIR },     { ZMQ_PULL, ZMQ_PUSH },
    { ZMQ_PUSH, ZMQ_PULL },     { ZMQ_REP, ZMQ_REQ },
    { ZMQ_ROUTER, ZMQ_DEALER }, { ZMQ_DEALER, ZMQ_DEALER }
};

void test_pair_exchange(void *bound, int bound_type, void *connected)
{
    void *sender = bound_type == ZMQ_PUSH ? bound : connected;
    void *receiver = sender == bound ? connected : bound;
    CU_ASSERT_TRUE(test_send(sender, "head", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(sender, "request", 0));
    if (bound_type == ZMQ_ROUTER) {
        char id[256];
        int size = zmq_recv(bound, id, sizeof id, 0);
        CU_ASSERT(size > 0);
        CU_ASSERT_TRUE(test_recv_is(bound, "head", 5000));
        CU_ASSERT_TRUE(test_recv_is(bound, "request", 5000));
        CU_ASSERT_EQUAL(zmq_send(bound, id, (size_t) size, ZMQ_SNDMORE), size);
        CU_ASSERT_TRUE(test_send(bound, "reply", 0));
        CU_ASSERT_TRUE(test_recv_is(connected, "reply", 5000));
        return;
    }
    CU_ASSERT_TRUE(test_recv_is(receiver, "head", 5000));
    CU_ASSERT_EQUAL(test_get_int(receiver, ZMQ_RCVMORE), 1);
    CU_ASSERT_TRUE(test_recv_is(receiver, "request", 5000));
    if (bound_type != ZMQ_PULL && bound_type != ZMQ_PUSH) {
        CU_ASSERT_TRUE(test_send(receiver, "reply", 0));
        CU_ASSERT_TRUE(test_recv_is(sender, "reply", 5000));
    }
}

void test_subscription_exchange(void *xpub, void *sub)
{
    CU_ASSERT_EQUAL(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "news", 4), 0);
    char subscription[16];
    CU_ASSERT_EQUAL(zmq_recv(xpub, subscription, sizeof subscription, 0), 5);
    CU_ASSERT_EQUAL(memcmp(subscription, "\1news", 5), 0);
    CU_ASSERT_TRUE(test_send(xpub, "sports", 0));
    CU_ASSERT_TRUE(test_send(xpub, "news today", 0));
    CU_ASSERT_TRUE(test_recv_is(sub, "news today", 5000));
    CU_ASSERT_EQUAL(zmq_setsockopt(sub, ZMQ_UNSUBSCRIBE, "news", 4), 0);
    CU_ASSERT_EQUAL(zmq_recv(xpub, subscription, sizeof subscription, 0), 5);
    CU_ASSERT_EQUAL(memcmp(subscription, "\0news", 5), 0);
}
