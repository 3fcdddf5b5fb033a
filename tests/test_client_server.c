/*
 * CLIENT and SERVER (RFC 41), the first thread-safe socket types: routing
 * by 32-bit routing id, EHOSTUNREACH, single-part messages only,
 * ZMQ_THREAD_SAFE and the refused ZMQ_FD, zmq_poller and zmq_poll with a
 * thread-safe socket among classic ones and plain fds, many threads
 * blocked on one socket, eight threads hammering one CLIENT and one
 * SERVER while another closes them, the monitor and counter calls
 * made while other threads send, and zmq_disconnect_peer (SERVER and
 * PEER).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "modzmq.h"
#include "raw_zmtp.h"
#include "testutil.h"
#include "zmq.h"

static const char *const transports[] = { "inproc://cs", "tcp://127.0.0.1:*",
                                          "ipc://*" };

/* Binds server to transport and connects client to the endpoint it
 * got, asserting both. */
static void link_pair(void *server, void *client, const char *transport)
{
    char endpoint[256];
    CU_ASSERT_TRUE_FATAL(
        test_bind_endpoint(server, transport, endpoint, sizeof endpoint));
    CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
}

/* Two clients talk to one server over each transport; the server tells
 * them apart by routing id and answers each by it. */
static void test_routing(void)
{
    for (size_t t = 0; t < sizeof transports / sizeof transports[0]; t++) {
        void *ctx = zmq_ctx_new();
        void *server = zmq_socket(ctx, ZMQ_SERVER);
        void *a = zmq_socket(ctx, ZMQ_CLIENT), *b = zmq_socket(ctx, ZMQ_CLIENT);
        CU_ASSERT_PTR_NOT_NULL_FATAL(server);
        CU_ASSERT_PTR_NOT_NULL_FATAL(a);
        char endpoint[256];
        CU_ASSERT_TRUE_FATAL(test_bind_endpoint(server, transports[t], endpoint,
                                                sizeof endpoint));
        CU_ASSERT_EQUAL(zmq_connect(a, endpoint), 0);
        CU_ASSERT_EQUAL(zmq_connect(b, endpoint), 0);
        CU_ASSERT_TRUE(test_send(a, "from a", 0));
        CU_ASSERT_TRUE(test_send(b, "from b", 0));
        uint32_t id_a = 0, id_b = 0;
        for (int i = 0; i < 2; i++) {
            char buf[32];
            uint32_t id = 0;
            CU_ASSERT_EQUAL(
                test_recv_routed(server, buf, sizeof buf, &id, 5000), 6);
            CU_ASSERT_NOT_EQUAL(id, 0);
            if (strcmp(buf, "from a") == 0)
                id_a = id;
            else if (strcmp(buf, "from b") == 0)
                id_b = id;
        }
        CU_ASSERT_NOT_EQUAL(id_a, 0);
        CU_ASSERT_NOT_EQUAL(id_b, 0);
        CU_ASSERT_NOT_EQUAL(id_a, id_b);
        CU_ASSERT_EQUAL(test_send_routed(server, id_b, "to b", 0), 0);
        CU_ASSERT_EQUAL(test_send_routed(server, id_a, "to a", 0), 0);
        char buf[32];
        uint32_t id = 1;
        CU_ASSERT_EQUAL(test_recv_routed(a, buf, sizeof buf, &id, 5000), 4);
        CU_ASSERT_STRING_EQUAL(buf, "to a");
        CU_ASSERT_EQUAL(id, 0);
        CU_ASSERT_TRUE(test_recv_is(b, "to b", 5000));
        CU_ASSERT_TRUE(test_recv_nothing(a, 20));
        test_close(a);
        test_close(b);
        test_close(server);
        CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
    }
}

/* A CLIENT with two servers sends round robin. */
static void test_client_round_robin(void)
{
    void *ctx = zmq_ctx_new();
    void *s1 = zmq_socket(ctx, ZMQ_SERVER), *s2 = zmq_socket(ctx, ZMQ_SERVER);
    void *client = zmq_socket(ctx, ZMQ_CLIENT);
    CU_ASSERT_EQUAL(zmq_bind(s1, "inproc://rr1"), 0);
    CU_ASSERT_EQUAL(zmq_bind(s2, "inproc://rr2"), 0);
    CU_ASSERT_EQUAL(zmq_connect(client, "inproc://rr1"), 0);
    CU_ASSERT_EQUAL(zmq_connect(client, "inproc://rr2"), 0);
    for (int i = 0; i < 4; i++)
        CU_ASSERT_TRUE(test_send(client, "m", 0));
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_TRUE(test_recv_is(s1, "m", 2000));
        CU_ASSERT_TRUE(test_recv_is(s2, "m", 2000));
    }
    CU_ASSERT_TRUE(test_recv_nothing(s1, 10));
    CU_ASSERT_TRUE(test_recv_nothing(s2, 10));
    test_close(client);
    test_close(s1);
    test_close(s2);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Unknown routing ids, and messages with none, are unreachable. */
static void test_unreachable(void)
{
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_SERVER);
    void *client = zmq_socket(ctx, ZMQ_CLIENT);
    CU_ASSERT_EQUAL(zmq_bind(server, "inproc://unreach"), 0);
    CU_ASSERT_EQUAL(zmq_connect(client, "inproc://unreach"), 0);
    CU_ASSERT_EQUAL(test_send_routed(server, 0, "nobody", 0), EHOSTUNREACH);
    CU_ASSERT_TRUE(test_send(client, "hi", 0));
    char buf[16];
    uint32_t id = 0;
    CU_ASSERT_EQUAL(test_recv_routed(server, buf, sizeof buf, &id, 2000), 2);
    CU_ASSERT_EQUAL(test_send_routed(server, id + 1, "stranger", 0),
                    EHOSTUNREACH);
    CU_ASSERT_EQUAL(test_send_routed(server, id, "known", 0), 0);
    CU_ASSERT_TRUE(test_recv_is(client, "known", 2000));
    /* Once the client has gone, its id is unknown again. */
    test_close(client);
    int rc = 0;
    for (int i = 0; i < 200 && rc != EHOSTUNREACH; i++) {
        rc = test_send_routed(server, id, "gone", ZMQ_DONTWAIT);
        if (rc != EHOSTUNREACH)
            usleep(10000);
    }
    CU_ASSERT_EQUAL(rc, EHOSTUNREACH);
    test_close(server);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A full peer pipe: SERVER's send says EAGAIN (after SNDTIMEO when
 * blocking); CLIENT's blocks until its timeout. */
static void test_mute(void)
{
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_SERVER);
    void *client = zmq_socket(ctx, ZMQ_CLIENT);
    test_set_int(server, ZMQ_SNDHWM, 2);
    test_set_int(client, ZMQ_SNDHWM, 2);
    test_set_int(server, ZMQ_RCVHWM, 2);
    test_set_int(client, ZMQ_RCVHWM, 2);
    CU_ASSERT_EQUAL(zmq_bind(server, "inproc://mute"), 0);
    CU_ASSERT_EQUAL(zmq_connect(client, "inproc://mute"), 0);
    CU_ASSERT_TRUE(test_send(client, "hi", 0));
    char buf[16];
    uint32_t id = 0;
    CU_ASSERT_EQUAL(test_recv_routed(server, buf, sizeof buf, &id, 2000), 2);
    int rc = 0, sent = 0;
    while (sent < 100 &&
           (rc = test_send_routed(server, id, "x", ZMQ_DONTWAIT)) == 0)
        sent++;
    CU_ASSERT_EQUAL(rc, EAGAIN);
    CU_ASSERT_TRUE(sent > 0 && sent < 100);
    test_set_int(server, ZMQ_SNDTIMEO, 50);
    CU_ASSERT_EQUAL(test_send_routed(server, id, "x", 0), EAGAIN);
    /* The client, never reading, fills its way too. */
    sent = 0;
    while (sent < 100 && zmq_send(client, "y", 1, ZMQ_DONTWAIT) == 1)
        sent++;
    CU_ASSERT_TRUE(sent > 0 && sent < 100);
    test_set_int(client, ZMQ_SNDTIMEO, 50);
    CU_ASSERT_EQUAL(zmq_send(client, "y", 1, 0), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    test_close(client);
    test_close(server);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Single part only: SNDMORE is refused, multipart input dropped. */
static void test_single_part(void)
{
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_SERVER);
    void *client = zmq_socket(ctx, ZMQ_CLIENT);
    CU_ASSERT_EQUAL(zmq_bind(server, "inproc://single"), 0);
    CU_ASSERT_EQUAL(zmq_connect(client, "inproc://single"), 0);
    CU_ASSERT_EQUAL(zmq_send(client, "a", 1, ZMQ_SNDMORE), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_TRUE(test_send(client, "whole", 0));
    char buf[16];
    uint32_t id = 0;
    CU_ASSERT_EQUAL(test_recv_routed(server, buf, sizeof buf, &id, 2000), 5);
    CU_ASSERT_STRING_EQUAL(buf, "whole");
    CU_ASSERT_EQUAL(test_send_routed(server, id, "part", ZMQ_SNDMORE), EINVAL);

    /* An inproc DEALER (no socket-type check there) sends multipart: the
     * SERVER drops it whole and returns the next single-part message. */
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_EQUAL(zmq_connect(dealer, "inproc://single"), 0);
    CU_ASSERT_TRUE(test_send(dealer, "one", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(dealer, "two", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(dealer, "three", 0));
    CU_ASSERT_TRUE(test_send(dealer, "alone", 0));
    CU_ASSERT_TRUE(test_recv_is(server, "alone", 2000));
    CU_ASSERT_TRUE(test_recv_nothing(server, 20));
    test_close(dealer);
    test_close(client);
    test_close(server);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A ZMTP peer that says it is a CLIENT sends a multipart message, then a
 * single-part one: the SERVER drops the first whole, as libzmq does. */
static void test_multipart_from_zmtp_peer(void)
{
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_SERVER);
    char endpoint[256];
    CU_ASSERT_TRUE_FATAL(test_bind_endpoint(server, "tcp://127.0.0.1:*",
                                            endpoint, sizeof endpoint));
    int fd = raw_connect(endpoint);
    CU_ASSERT_TRUE_FATAL(fd >= 0);
    CU_ASSERT_TRUE(raw_greet(fd, "NULL", false));
    static const uint8_t ready[] = { 5,   'R', 'E', 'A', 'D', 'Y', 11,
                                     'S', 'o', 'c', 'k', 'e', 't', '-',
                                     'T', 'y', 'p', 'e', 0,   0,   0,
                                     6,   'C', 'L', 'I', 'E', 'N', 'T' };
    CU_ASSERT_TRUE(raw_send_frame(fd, ready, sizeof ready, RAW_FRAME_COMMAND));
    CU_ASSERT_TRUE(
        raw_send_frame(fd, (const uint8_t *) "one", 3, RAW_FRAME_MORE));
    CU_ASSERT_TRUE(raw_send_frame(fd, (const uint8_t *) "two", 3, 0));
    CU_ASSERT_TRUE(raw_send_frame(fd, (const uint8_t *) "alone", 5, 0));
    char buf[16];
    uint32_t id = 0;
    CU_ASSERT_EQUAL(test_recv_routed(server, buf, sizeof buf, &id, 5000), 5);
    CU_ASSERT_STRING_EQUAL(buf, "alone");
    CU_ASSERT_NOT_EQUAL(id, 0);
    CU_ASSERT_TRUE(test_recv_nothing(server, 20));
    close(fd);
    test_close(server);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_routing_id_api(void)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    CU_ASSERT_EQUAL(zmq_msg_routing_id(&msg), 0);
    CU_ASSERT_EQUAL(zmq_msg_set_routing_id(&msg, 0), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(zmq_msg_set_routing_id(&msg, 0xdeadbeefu), 0);
    CU_ASSERT_EQUAL(zmq_msg_routing_id(&msg), 0xdeadbeefu);
    zmq_msg_t copy;
    zmq_msg_init(&copy);
    zmq_msg_copy(&copy, &msg);
    CU_ASSERT_EQUAL(zmq_msg_routing_id(&copy), 0xdeadbeefu);
    zmq_msg_close(&copy);
    zmq_msg_close(&msg);
}

/* ZMQ_THREAD_SAFE reads 1 for these and 0 for classic types; ZMQ_FD is
 * refused with EINVAL, as libzmq 4.3.5 refuses it. */
static void test_thread_safe_option(void)
{
    void *ctx = zmq_ctx_new();
    const int types[] = { ZMQ_CLIENT, ZMQ_SERVER, ZMQ_DEALER };
    for (size_t i = 0; i < 3; i++) {
        void *s = zmq_socket(ctx, types[i]);
        CU_ASSERT_PTR_NOT_NULL_FATAL(s);
        bool safe = types[i] != ZMQ_DEALER;
        CU_ASSERT_EQUAL(test_get_int(s, ZMQ_THREAD_SAFE), safe ? 1 : 0);
        CU_ASSERT_EQUAL(test_get_int(s, ZMQ_TYPE), types[i]);
        int fd = -1;
        size_t size = sizeof fd;
        int rc = zmq_getsockopt(s, ZMQ_FD, &fd, &size);
        if (safe) {
            CU_ASSERT_EQUAL(rc, -1);
            CU_ASSERT_EQUAL(errno, EINVAL);
        } else {
            CU_ASSERT_EQUAL(rc, 0);
            CU_ASSERT_TRUE(fd >= 0);
        }
        test_close(s);
        /* A closed thread-safe socket is no socket. */
        CU_ASSERT_EQUAL(zmq_close(s), -1);
        CU_ASSERT_EQUAL(errno, ENOTSOCK);
    }
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Sends "late" on a client after a pause, from another thread. */
static void *send_late(void *arg)
{
    usleep(100 * 1000);
    test_set_int(arg, ZMQ_SNDTIMEO, 5000);
    test_send(arg, "late", 0);
    return NULL;
}

/* A poller holding a SERVER, a classic PULL and a pipe's fd wakes for
 * each; zmq_poller_fd exists once a thread-safe socket is in it. */
static void test_poller_mixed(void)
{
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_SERVER);
    void *client = zmq_socket(ctx, ZMQ_CLIENT);
    void *pull = zmq_socket(ctx, ZMQ_PULL), *push = zmq_socket(ctx, ZMQ_PUSH);
    link_pair(server, client, "tcp://127.0.0.1:*");
    CU_ASSERT_EQUAL(zmq_bind(pull, "inproc://poll-pull"), 0);
    CU_ASSERT_EQUAL(zmq_connect(push, "inproc://poll-pull"), 0);
    int fds[2];
    CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);

    void *poller = zmq_poller_new();
    zmq_fd_t poller_fd;
    CU_ASSERT_EQUAL(zmq_poller_add(poller, pull, pull, ZMQ_POLLIN), 0);
    CU_ASSERT_EQUAL(zmq_poller_fd(poller, &poller_fd), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(zmq_poller_add(poller, server, server, ZMQ_POLLIN), 0);
    CU_ASSERT_EQUAL(zmq_poller_add_fd(poller, fds[0], NULL, ZMQ_POLLIN), 0);
    CU_ASSERT_EQUAL(zmq_poller_fd(poller, &poller_fd), 0);
    CU_ASSERT_TRUE(poller_fd >= 0);

    zmq_poller_event_t event;
    CU_ASSERT_EQUAL(zmq_poller_wait(poller, &event, 0), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);

    /* The SERVER, woken by a message arriving while the poller sleeps. */
    pthread_t thread;
    pthread_create(&thread, NULL, send_late, client);
    CU_ASSERT_EQUAL(zmq_poller_wait(poller, &event, 5000), 0);
    CU_ASSERT_PTR_EQUAL(event.socket, server);
    CU_ASSERT_PTR_EQUAL(event.user_data, server);
    CU_ASSERT_EQUAL(event.events, ZMQ_POLLIN);
    pthread_join(thread, NULL);
    CU_ASSERT_TRUE(test_recv_is(server, "late", 1000));
    CU_ASSERT_EQUAL(zmq_poller_wait(poller, &event, 0), -1);

    /* The classic socket, then the plain fd. */
    CU_ASSERT_TRUE(test_send(push, "classic", 0));
    CU_ASSERT_EQUAL(zmq_poller_wait(poller, &event, 2000), 0);
    CU_ASSERT_PTR_EQUAL(event.socket, pull);
    CU_ASSERT_TRUE(test_recv_is(pull, "classic", 1000));
    CU_ASSERT_EQUAL(write(fds[1], "x", 1), 1);
    CU_ASSERT_EQUAL(zmq_poller_wait(poller, &event, 2000), 0);
    CU_ASSERT_PTR_NULL(event.socket);
    CU_ASSERT_EQUAL(event.fd, fds[0]);

    CU_ASSERT_EQUAL(zmq_poller_remove(poller, server), 0);
    CU_ASSERT_EQUAL(zmq_poller_destroy(&poller), 0);
    close(fds[0]);
    close(fds[1]);
    test_close(client);
    test_close(server);
    test_close(push);
    test_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* zmq_poll takes a thread-safe socket, as libzmq 4.3.5's does. */
static void test_zmq_poll(void)
{
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_SERVER);
    void *client = zmq_socket(ctx, ZMQ_CLIENT);
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    CU_ASSERT_EQUAL(zmq_bind(server, "inproc://zpoll"), 0);
    CU_ASSERT_EQUAL(zmq_connect(client, "inproc://zpoll"), 0);
    CU_ASSERT_EQUAL(zmq_bind(pull, "inproc://zpoll-pull"), 0);
    zmq_pollitem_t items[] = {
        { .socket = server, .events = ZMQ_POLLIN },
        { .socket = pull, .events = ZMQ_POLLIN },
        { .socket = client, .events = ZMQ_POLLOUT },
    };
    CU_ASSERT_EQUAL(zmq_poll(items, 3, 0), 1);
    CU_ASSERT_EQUAL(items[0].revents, 0);
    CU_ASSERT_EQUAL(items[2].revents, ZMQ_POLLOUT);
    pthread_t thread;
    pthread_create(&thread, NULL, send_late, client);
    CU_ASSERT_EQUAL(zmq_poll(items, 2, 5000), 1);
    CU_ASSERT_EQUAL(items[0].revents, ZMQ_POLLIN);
    CU_ASSERT_EQUAL(items[1].revents, 0);
    pthread_join(thread, NULL);
    CU_ASSERT_TRUE(test_recv_is(server, "late", 1000));
    test_close(client);
    test_close(server);
    test_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ---- Many threads on one socket ----------------------------------------- */

enum { WAITERS = 4 };

struct waiter {
    void *socket;
    atomic_int *received;
};

static void *wait_one(void *arg)
{
    struct waiter *w = arg;
    char buf[16];
    if (zmq_recv(w->socket, buf, sizeof buf, 0) >= 0)
        atomic_fetch_add(w->received, 1);
    return NULL;
}

/* Four threads blocked in one CLIENT's recv all wake, one message each. */
static void test_many_waiters(void)
{
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_SERVER);
    void *client = zmq_socket(ctx, ZMQ_CLIENT);
    link_pair(server, client, "tcp://127.0.0.1:*");
    test_set_int(client, ZMQ_RCVTIMEO, 10000);
    CU_ASSERT_TRUE(test_send(client, "hi", 0));
    char buf[16];
    uint32_t id = 0;
    CU_ASSERT_EQUAL_FATAL(test_recv_routed(server, buf, sizeof buf, &id, 5000),
                          2);

    atomic_int received = 0;
    struct waiter w = { .socket = client, .received = &received };
    pthread_t threads[WAITERS];
    for (int i = 0; i < WAITERS; i++)
        pthread_create(&threads[i], NULL, wait_one, &w);
    usleep(100 * 1000);
    for (int i = 0; i < WAITERS; i++) {
        CU_ASSERT_EQUAL(test_send_routed(server, id, "wake", 0), 0);
        usleep(5 * 1000);
    }
    for (int i = 0; i < WAITERS; i++)
        pthread_join(threads[i], NULL);
    CU_ASSERT_EQUAL(atomic_load(&received), WAITERS);
    test_close(client);
    test_close(server);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

struct blocked_recv {
    void *socket;
    int rc, error;
};

static void *recv_blocked(void *arg)
{
    struct blocked_recv *b = arg;
    char buf[16];
    b->rc = zmq_recv(b->socket, buf, sizeof buf, 0);
    b->error = errno;
    return NULL;
}

/* zmq_ctx_shutdown ends the calls blocked in a thread-safe socket with
 * ETERM, as it does a classic socket's. */
static void test_shutdown_wakes_waiters(void)
{
    void *ctx = zmq_ctx_new();
    void *client = zmq_socket(ctx, ZMQ_CLIENT);
    CU_ASSERT_EQUAL(zmq_connect(client, "inproc://nobody-yet"), 0);
    test_set_int(client, ZMQ_RCVTIMEO, 10000);
    struct blocked_recv b[2] = { { .socket = client }, { .socket = client } };
    pthread_t threads[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&threads[i], NULL, recv_blocked, &b[i]);
    usleep(50 * 1000);
    CU_ASSERT_EQUAL(zmq_ctx_shutdown(ctx), 0);
    for (int i = 0; i < 2; i++) {
        pthread_join(threads[i], NULL);
        CU_ASSERT_EQUAL(b[i].rc, -1);
        CU_ASSERT_EQUAL(b[i].error, ETERM);
    }
    test_close(client);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

enum { SENDERS = 4, ECHOERS = 4, PER_SENDER = 500 };

/* The hammer: SENDERS threads send on one CLIENT and read echoes from it;
 * ECHOERS threads read from one SERVER and echo by routing id; all of
 * them read and set options between. Every message is "sender seq". */
struct hammer {
    void *client, *server;
    atomic_int served, echoed;
    atomic_uchar seen[SENDERS * PER_SENDER];
    atomic_int duplicates, bad, errors;
    atomic_bool closed;
    int64_t deadline_ms;
    int next_index;
    pthread_mutex_t lock;
};

static int take_index(struct hammer *h)
{
    pthread_mutex_lock(&h->lock);
    int i = h->next_index++;
    pthread_mutex_unlock(&h->lock);
    return i;
}

/* Options between messages: a read, and a write that changes nothing. */
static void poke_options(struct hammer *h, void *socket)
{
    int value;
    size_t size = sizeof value;
    if (zmq_getsockopt(socket, ZMQ_EVENTS, &value, &size) != 0 ||
        zmq_getsockopt(socket, ZMQ_THREAD_SAFE, &value, &size) != 0 ||
        value != 1)
        atomic_fetch_add(&h->errors, 1);
    int linger = 0;
    if (zmq_setsockopt(socket, ZMQ_LINGER, &linger, sizeof linger) != 0)
        atomic_fetch_add(&h->errors, 1);
}

/* After the counted work: blocks in recv until the closer's zmq_close
 * ends it with ENOTSOCK (bounded by count and by the deadline). */
static void block_until_closed(struct hammer *h, void *socket)
{
    for (int i = 0; i < 1000 && test_now_ms() < h->deadline_ms; i++) {
        char buf[32];
        int rc = zmq_recv(socket, buf, sizeof buf, 0);
        if (rc < 0 && errno == ENOTSOCK)
            return;
        if (rc < 0 && errno != EAGAIN)
            atomic_fetch_add(&h->errors, 1);
    }
    atomic_fetch_add(&h->errors, 1);
}

static void *hammer_sender(void *arg)
{
    struct hammer *h = arg;
    int me = take_index(h);
    for (int seq = 0; seq < PER_SENDER; seq++) {
        char text[32];
        int n = snprintf(text, sizeof text, "%d %d", me, seq);
        if (zmq_send(h->client, text, (size_t) n, 0) != n)
            atomic_fetch_add(&h->errors, 1);
        if (seq % 16 == 0)
            poke_options(h, h->client);
        char buf[32];
        while (zmq_recv(h->client, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
            atomic_fetch_add(&h->echoed, 1);
    }
    while (atomic_load(&h->echoed) < SENDERS * PER_SENDER &&
           test_now_ms() < h->deadline_ms) {
        char buf[32];
        if (zmq_recv(h->client, buf, sizeof buf, 0) >= 0)
            atomic_fetch_add(&h->echoed, 1);
    }
    block_until_closed(h, h->client);
    return NULL;
}

static void *hammer_echoer(void *arg)
{
    struct hammer *h = arg;
    int count = 0;
    while (atomic_load(&h->served) < SENDERS * PER_SENDER &&
           test_now_ms() < h->deadline_ms) {
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, h->server, 0) < 0) {
            zmq_msg_close(&msg);
            continue;
        }
        char text[32];
        size_t n = zmq_msg_size(&msg) < 31 ? zmq_msg_size(&msg) : 31;
        memcpy(text, zmq_msg_data(&msg), n);
        text[n] = '\0';
        int sender, seq;
        if (sscanf(text, "%d %d", &sender, &seq) != 2 || sender < 0 ||
            sender >= SENDERS || seq < 0 || seq >= PER_SENDER ||
            zmq_msg_routing_id(&msg) == 0) {
            atomic_fetch_add(&h->bad, 1);
        } else if (atomic_exchange(&h->seen[sender * PER_SENDER + seq], 1)) {
            atomic_fetch_add(&h->duplicates, 1);
        }
        atomic_fetch_add(&h->served, 1);
        /* The routing id stays on the message: echo it back. */
        if (zmq_msg_send(&msg, h->server, 0) < 0) {
            zmq_msg_close(&msg);
            atomic_fetch_add(&h->errors, 1);
        }
        if (++count % 16 == 0)
            poke_options(h, h->server);
    }
    block_until_closed(h, h->server);
    return NULL;
}

/* Many senders blocked on one mute CLIENT, many receivers on one SERVER:
 * every blocked send is woken as room appears, and nothing is lost. */
enum { MUTE_THREADS = 4, MUTE_EACH = 1000 };

struct mute_flow {
    void *client, *server;
    atomic_int sent, received, errors;
    int64_t deadline_ms;
};

static void *mute_sender(void *arg)
{
    struct mute_flow *f = arg;
    for (int i = 0; i < MUTE_EACH && test_now_ms() < f->deadline_ms; i++) {
        if (zmq_send(f->client, "load", 4, 0) == 4)
            atomic_fetch_add(&f->sent, 1);
        else
            atomic_fetch_add(&f->errors, 1);
    }
    return NULL;
}

static void *mute_receiver(void *arg)
{
    struct mute_flow *f = arg;
    while (atomic_load(&f->received) < MUTE_THREADS * MUTE_EACH &&
           test_now_ms() < f->deadline_ms) {
        char buf[8];
        if (zmq_recv(f->server, buf, sizeof buf, 0) == 4)
            atomic_fetch_add(&f->received, 1);
    }
    return NULL;
}

static void test_mute_many_threads(void)
{
    void *ctx = zmq_ctx_new();
    static struct mute_flow f;
    memset(&f, 0, sizeof f);
    f.deadline_ms = test_now_ms() + 60000;
    f.client = zmq_socket(ctx, ZMQ_CLIENT);
    f.server = zmq_socket(ctx, ZMQ_SERVER);
    test_set_int(f.client, ZMQ_SNDHWM, 10);
    test_set_int(f.server, ZMQ_RCVHWM, 10);
    test_set_int(f.client, ZMQ_SNDTIMEO, 20000);
    test_set_int(f.server, ZMQ_RCVTIMEO, 100);
    link_pair(f.server, f.client, "ipc://*");
    pthread_t threads[2 * MUTE_THREADS];
    for (int i = 0; i < MUTE_THREADS; i++) {
        pthread_create(&threads[i], NULL, mute_sender, &f);
        pthread_create(&threads[MUTE_THREADS + i], NULL, mute_receiver, &f);
    }
    for (int i = 0; i < 2 * MUTE_THREADS; i++)
        pthread_join(threads[i], NULL);
    CU_ASSERT_EQUAL(atomic_load(&f.errors), 0);
    CU_ASSERT_EQUAL(atomic_load(&f.sent), MUTE_THREADS * MUTE_EACH);
    CU_ASSERT_EQUAL(atomic_load(&f.received), MUTE_THREADS * MUTE_EACH);
    test_close(f.client);
    test_close(f.server);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_hammer(void)
{
    void *ctx = zmq_ctx_new();
    static struct hammer h;
    memset(&h, 0, sizeof h);
    pthread_mutex_init(&h.lock, NULL);
    h.deadline_ms = test_now_ms() + 60000;
    h.client = zmq_socket(ctx, ZMQ_CLIENT);
    h.server = zmq_socket(ctx, ZMQ_SERVER);
    /* No high-water marks: echoes and requests never block each other. */
    test_set_int(h.client, ZMQ_SNDHWM, 0);
    test_set_int(h.client, ZMQ_RCVHWM, 0);
    test_set_int(h.server, ZMQ_SNDHWM, 0);
    test_set_int(h.server, ZMQ_RCVHWM, 0);
    test_set_int(h.client, ZMQ_RCVTIMEO, 200);
    test_set_int(h.server, ZMQ_RCVTIMEO, 200);
    link_pair(h.server, h.client, "tcp://127.0.0.1:*");

    pthread_t threads[SENDERS + ECHOERS];
    for (int i = 0; i < SENDERS; i++)
        pthread_create(&threads[i], NULL, hammer_sender, &h);
    for (int i = 0; i < ECHOERS; i++)
        pthread_create(&threads[SENDERS + i], NULL, hammer_echoer, &h);

    /* The closer waits for the work to be done, lets the threads block,
     * and closes both sockets under them. */
    while ((atomic_load(&h.echoed) < SENDERS * PER_SENDER ||
            atomic_load(&h.served) < SENDERS * PER_SENDER) &&
           test_now_ms() < h.deadline_ms)
        usleep(10 * 1000);
    usleep(50 * 1000);
    CU_ASSERT_EQUAL(zmq_close(h.client), 0);
    CU_ASSERT_EQUAL(zmq_close(h.server), 0);
    for (int i = 0; i < SENDERS + ECHOERS; i++)
        pthread_join(threads[i], NULL);

    CU_ASSERT_EQUAL(atomic_load(&h.served), SENDERS * PER_SENDER);
    CU_ASSERT_EQUAL(atomic_load(&h.echoed), SENDERS * PER_SENDER);
    CU_ASSERT_EQUAL(atomic_load(&h.duplicates), 0);
    CU_ASSERT_EQUAL(atomic_load(&h.bad), 0);
    CU_ASSERT_EQUAL(atomic_load(&h.errors), 0);
    int missing = 0;
    for (int i = 0; i < SENDERS * PER_SENDER; i++)
        missing += atomic_load(&h.seen[i]) ? 0 : 1;
    CU_ASSERT_EQUAL(missing, 0);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
    pthread_mutex_destroy(&h.lock);
}

enum { WATCHED_SENDERS = 2, WATCHED_EACH = 2000 };

static void *send_many(void *socket)
{
    for (int i = 0; i < WATCHED_EACH; i++) {
        if (!test_send(socket, "m", 0))
            CU_FAIL("send on a watched CLIENT failed");
    }
    return NULL;
}

/* Reads one monitor event's number within timeout_ms; -1 if none. */
static int monitor_event(void *monitor, int timeout_ms)
{
    test_set_int(monitor, ZMQ_RCVTIMEO, timeout_ms);
    uint8_t frame[6];
    if (zmq_recv(monitor, frame, sizeof frame, 0) < 6)
        return -1;
    char address[256];
    zmq_recv(monitor, address, sizeof address, 0);
    return frame[0] | frame[1] << 8;
}

/* zmq_socket_monitor and modzmq_socket_counters on a CLIENT while two
 * other threads send on it: the calls are held like any other (this
 * case is what ThreadSanitizer would flag otherwise), the counters add
 * up to what was sent, and the monitor reports the server going. */
static void test_monitor_and_counters_while_sending(void)
{
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_SERVER);
    void *client = zmq_socket(ctx, ZMQ_CLIENT);
    link_pair(server, client, "tcp://127.0.0.1:*");
    test_set_int(client, ZMQ_SNDTIMEO, 10000);

    pthread_t senders[WATCHED_SENDERS];
    for (int i = 0; i < WATCHED_SENDERS; i++)
        pthread_create(&senders[i], NULL, send_many, client);
    CU_ASSERT_EQUAL(
        zmq_socket_monitor(client, "inproc://watched", ZMQ_EVENT_DISCONNECTED),
        0);
    void *monitor = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_EQUAL(zmq_connect(monitor, "inproc://watched"), 0);
    struct modzmq_counters counters;
    for (int i = 0; i < 200; i++)
        CU_ASSERT_EQUAL(modzmq_socket_counters(client, &counters, 0), 0);

    int received = 0;
    char buf[8];
    while (received < WATCHED_SENDERS * WATCHED_EACH &&
           test_recv_routed(server, buf, sizeof buf, NULL, 5000) == 1)
        received++;
    CU_ASSERT_EQUAL(received, WATCHED_SENDERS * WATCHED_EACH);
    for (int i = 0; i < WATCHED_SENDERS; i++)
        pthread_join(senders[i], NULL);
    CU_ASSERT_EQUAL(modzmq_socket_counters(client, &counters, 0), 0);
    CU_ASSERT_EQUAL(counters.msgs_out,
                    (uint64_t) WATCHED_SENDERS * WATCHED_EACH);

    test_close(server);
    CU_ASSERT_EQUAL(monitor_event(monitor, 5000), ZMQ_EVENT_DISCONNECTED);
    test_close(monitor);
    test_close(client);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* zmq_disconnect_peer: ENOTSUP on other types, EHOSTUNREACH for an id
 * no peer has; the named peer's pipe goes at once (a send to it is
 * EHOSTUNREACH), and a CLIENT that reconnects comes back with a new id.
 * A PEER disconnects a peer it connected with zmq_connect_peer. */
static void test_disconnect_peer(void)
{
    void *ctx = zmq_ctx_new();
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_EQUAL(zmq_disconnect_peer(dealer, 1), -1);
    CU_ASSERT_EQUAL(errno, ENOTSUP);
    test_close(dealer);

    void *server = zmq_socket(ctx, ZMQ_SERVER);
    void *client = zmq_socket(ctx, ZMQ_CLIENT);
    char endpoint[256];
    CU_ASSERT_FATAL(test_bind_endpoint(server, "tcp://127.0.0.1:*", endpoint,
                                       sizeof endpoint));
    test_set_int(client, ZMQ_RECONNECT_IVL, 20);
    test_set_int(client, ZMQ_SNDTIMEO, 1000);
    CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
    CU_ASSERT_TRUE(test_send(client, "a", 0));
    char buf[16];
    uint32_t first = 0;
    CU_ASSERT_EQUAL_FATAL(
        test_recv_routed(server, buf, sizeof buf, &first, 5000), 1);
    CU_ASSERT_EQUAL(zmq_disconnect_peer(server, first ^ 0x80000000u), -1);
    CU_ASSERT_EQUAL(errno, EHOSTUNREACH);
    CU_ASSERT_EQUAL(zmq_disconnect_peer(server, first), 0);
    CU_ASSERT_EQUAL(test_send_routed(server, first, "gone", 0), EHOSTUNREACH);
    CU_ASSERT_EQUAL(zmq_disconnect_peer(server, first), -1);
    CU_ASSERT_EQUAL(errno, EHOSTUNREACH);

    /* A message sent while the connection goes may be lost with it:
     * the client tries a bounded number of times. */
    uint32_t second = 0;
    for (int i = 0; i < 50 && second == 0; i++) {
        test_send(client, "b", 0);
        uint32_t id = 0;
        if (test_recv_routed(server, buf, sizeof buf, &id, 200) == 1)
            second = id;
    }
    CU_ASSERT_NOT_EQUAL(second, 0);
    CU_ASSERT_NOT_EQUAL(second, first);
    CU_ASSERT_EQUAL(test_send_routed(server, second, "back", 0), 0);
    CU_ASSERT_TRUE(test_recv_is(client, "back", 5000));
    test_close(client);
    test_close(server);

    void *bound = zmq_socket(ctx, ZMQ_PEER);
    void *connecting = zmq_socket(ctx, ZMQ_PEER);
    CU_ASSERT_FATAL(test_bind_endpoint(bound, "tcp://127.0.0.1:*", endpoint,
                                       sizeof endpoint));
    uint32_t id = zmq_connect_peer(connecting, endpoint);
    CU_ASSERT_NOT_EQUAL_FATAL(id, 0);
    CU_ASSERT_EQUAL(test_send_routed(connecting, id, "hi", 0), 0);
    CU_ASSERT_TRUE(test_recv_is(bound, "hi", 5000));
    CU_ASSERT_EQUAL(zmq_disconnect_peer(connecting, id), 0);
    CU_ASSERT_EQUAL(test_send_routed(connecting, id, "gone", 0), EHOSTUNREACH);
    test_close(connecting);
    test_close(bound);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "routing by id over inproc, tcp, ipc", test_routing },
        { "CLIENT sends round robin", test_client_round_robin },
        { "EHOSTUNREACH", test_unreachable },
        { "mute: EAGAIN and blocking", test_mute },
        { "single part only", test_single_part },
        { "multipart from a ZMTP peer dropped", test_multipart_from_zmtp_peer },
        { "routing id on messages", test_routing_id_api },
        { "ZMQ_THREAD_SAFE and ZMQ_FD", test_thread_safe_option },
        { "zmq_poller mixed", test_poller_mixed },
        { "zmq_poll with a thread-safe socket", test_zmq_poll },
        { "many waiters on one socket", test_many_waiters },
        { "shutdown wakes the waiters", test_shutdown_wakes_waiters },
        { "mute CLIENT, many blocked senders", test_mute_many_threads },
        { "8 threads hammer, then close", test_hammer },
        { "monitor and counters while sending",
          test_monitor_and_counters_while_sending },
        { "zmq_disconnect_peer", test_disconnect_peer },
    };
    return test_run_suite("client_server", tests,
                          sizeof tests / sizeof tests[0]);
}
