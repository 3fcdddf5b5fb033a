/*
 * RADIO and DISH (RFC 48, libzmq 4.3.5's draft API) over real sockets:
 * inproc, tcp, ipc and udp (unicast on loopback, multicast inside a
 * network namespace the test makes), both sides modzmq. Errors as libzmq
 * gives them, exact group matching, join and leave, joins told to a peer
 * that connects later, groups of up to 255 octets, the mute state
 * dropping, and several threads joining, leaving and receiving on one
 * DISH at once. The wire format against libzmq itself is
 * test_draft_pairs's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "raw_zmtp.h"
#include "testutil.h"
#include "zmq.h"

static void *ctx;

/* Sends body in group (NULL: none) without waiting; true when taken. */
static bool send_group(void *radio, const char *group, const char *body)
{
    zmq_msg_t m;
    zmq_msg_init_size(&m, strlen(body));
    memcpy(zmq_msg_data(&m), body, strlen(body));
    if (group != NULL && zmq_msg_set_group(&m, group) != 0) {
        zmq_msg_close(&m);
        return false;
    }
    if (zmq_msg_send(&m, radio, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&m);
        return false;
    }
    return true;
}

/* One message within timeout_ms: its body and group (NUL-terminated). */
static bool recv_group(void *dish, char *body, size_t body_size, char *group,
                       int timeout_ms)
{
    zmq_setsockopt(dish, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms);
    zmq_msg_t m;
    zmq_msg_init(&m);
    int size = zmq_msg_recv(&m, dish, 0);
    if (size < 0 || (size_t) size >= body_size) {
        zmq_msg_close(&m);
        return false;
    }
    memcpy(body, zmq_msg_data(&m), (size_t) size);
    body[size] = '\0';
    strcpy(group, zmq_msg_group(&m));
    zmq_msg_close(&m);
    return true;
}

/* Probes group until the DISH hears it (its join has reached the RADIO),
 * then drains the probes: at most 200 tries of 25 ms. */
static bool joined(void *radio, void *dish, const char *group)
{
    char body[64], got[ZMQ_GROUP_MAX_LENGTH + 1];
    bool heard = false;
    for (int i = 0; i < 200 && !heard; i++) {
        if (!send_group(radio, group, "probe"))
            return false;
        heard = recv_group(dish, body, sizeof body, got, 25);
    }
    while (heard && recv_group(dish, body, sizeof body, got, 50))
        ;
    return heard;
}

static void *new_socket(int type)
{
    void *s = zmq_socket(ctx, type);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    return s;
}

/* ---- errors ------------------------------------------------------- */

static void test_errors(void)
{
    void *radio = new_socket(ZMQ_RADIO);
    void *dish = new_socket(ZMQ_DISH);
    void *pub = new_socket(ZMQ_PUB);
    CU_ASSERT_EQUAL(test_get_int(radio, ZMQ_THREAD_SAFE), 1);
    CU_ASSERT_EQUAL(test_get_int(dish, ZMQ_THREAD_SAFE), 1);
    CU_ASSERT_EQUAL(test_get_int(radio, ZMQ_TYPE), ZMQ_RADIO);

    char buf[8];
    errno = 0;
    CU_ASSERT_EQUAL(zmq_recv(radio, buf, sizeof buf, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, ENOTSUP);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(dish, "x", 1, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, ENOTSUP);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(radio, "x", 1, ZMQ_SNDMORE), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    /* With no peer a message without a group goes nowhere, as any. */
    CU_ASSERT_EQUAL(zmq_send(radio, "x", 1, 0), 1);

    errno = 0;
    CU_ASSERT_EQUAL(zmq_join(radio, "a"), -1);
    CU_ASSERT_EQUAL(errno, ENOTSUP);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_leave(pub, "a"), -1);
    CU_ASSERT_EQUAL(errno, ENOTSUP);

    char group[ZMQ_GROUP_MAX_LENGTH + 2];
    memset(group, 'g', sizeof group - 1);
    group[sizeof group - 1] = '\0';
    errno = 0;
    CU_ASSERT_EQUAL(zmq_join(dish, group), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    group[ZMQ_GROUP_MAX_LENGTH] = '\0';
    CU_ASSERT_EQUAL(zmq_join(dish, group), 0);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_join(dish, group), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(zmq_leave(dish, group), 0);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_leave(dish, group), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_leave(dish, "never"), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_join(dish, NULL), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(zmq_join(dish, ""), 0);

    test_close(radio);
    test_close(dish);
    test_close(pub);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_join(dish, "a"), -1);
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
}

/* ---- traffic over each transport ------------------------------------ */

/* Exact matching, leave, a long group and a message without one between
 * a RADIO and a DISH joined over endpoint (the DISH binds). */
static void exchange(const char *endpoint)
{
    void *radio = new_socket(ZMQ_RADIO);
    void *dish = new_socket(ZMQ_DISH);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(dish, endpoint), 0);
    char bound[256];
    size_t size = sizeof bound;
    CU_ASSERT_EQUAL_FATAL(zmq_getsockopt(dish, ZMQ_LAST_ENDPOINT, bound, &size),
                          0);
    CU_ASSERT_EQUAL(zmq_join(dish, "weather"), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(radio, bound), 0);
    CU_ASSERT_FATAL(joined(radio, dish, "weather"));

    char body[64], group[ZMQ_GROUP_MAX_LENGTH + 1];
    CU_ASSERT(send_group(radio, "weath", "1"));
    CU_ASSERT(send_group(radio, "weatherx", "2"));
    CU_ASSERT(send_group(radio, "news", "3"));
    CU_ASSERT(send_group(radio, NULL, "4"));
    CU_ASSERT(send_group(radio, "weather", "5"));
    CU_ASSERT(recv_group(dish, body, sizeof body, group, 5000));
    CU_ASSERT_STRING_EQUAL(body, "5");
    CU_ASSERT_STRING_EQUAL(group, "weather");
    CU_ASSERT(test_recv_nothing(dish, 100));

    /* 255 octets, kept out of line, over the wire and back. */
    char longest[ZMQ_GROUP_MAX_LENGTH + 1];
    for (int i = 0; i < ZMQ_GROUP_MAX_LENGTH; i++)
        longest[i] = (char) ('a' + i % 26);
    longest[ZMQ_GROUP_MAX_LENGTH] = '\0';
    CU_ASSERT_EQUAL(zmq_join(dish, longest), 0);
    CU_ASSERT_FATAL(joined(radio, dish, longest));
    CU_ASSERT(send_group(radio, longest, "long"));
    CU_ASSERT(recv_group(dish, body, sizeof body, group, 5000));
    CU_ASSERT_STRING_EQUAL(body, "long");
    CU_ASSERT_STRING_EQUAL(group, longest);

    /* A message without a group is in the group "", as in libzmq. */
    CU_ASSERT_EQUAL(zmq_join(dish, ""), 0);
    CU_ASSERT_FATAL(joined(radio, dish, ""));
    CU_ASSERT(send_group(radio, NULL, "none"));
    CU_ASSERT(recv_group(dish, body, sizeof body, group, 5000));
    CU_ASSERT_STRING_EQUAL(body, "none");
    CU_ASSERT_STRING_EQUAL(group, "");

    /* After a leave, a marker sent behind it proves the RADIO has it. */
    CU_ASSERT_EQUAL(zmq_leave(dish, "weather"), 0);
    CU_ASSERT_EQUAL(zmq_join(dish, "marker"), 0);
    CU_ASSERT_FATAL(joined(radio, dish, "marker"));
    CU_ASSERT(send_group(radio, "weather", "6"));
    CU_ASSERT(send_group(radio, "marker", "7"));
    CU_ASSERT(recv_group(dish, body, sizeof body, group, 5000));
    CU_ASSERT_STRING_EQUAL(body, "7");
    test_close(radio);
    test_close(dish);
}

static void test_inproc(void)
{
    exchange("inproc://radio-dish");
}

static void test_tcp(void)
{
    exchange("tcp://127.0.0.1:*");
}

static void test_ipc(void)
{
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "ipc:///tmp/modzmq-radio-%d",
             (int) getpid());
    exchange(endpoint);
    unlink(endpoint + strlen("ipc://"));
}

/* The RADIO binds first; DISHes joined before they connect are told to
 * it at the connection, and one that connects later still hears. Two
 * DISHes in one group both get each message. */
static void late_joiners(const char *endpoint)
{
    void *radio = new_socket(ZMQ_RADIO);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(radio, endpoint), 0);
    char bound[256];
    size_t size = sizeof bound;
    CU_ASSERT_EQUAL_FATAL(
        zmq_getsockopt(radio, ZMQ_LAST_ENDPOINT, bound, &size), 0);
    void *first = new_socket(ZMQ_DISH);
    CU_ASSERT_EQUAL(zmq_join(first, "tv"), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(first, bound), 0);
    CU_ASSERT_FATAL(joined(radio, first, "tv"));

    void *later = new_socket(ZMQ_DISH);
    CU_ASSERT_EQUAL(zmq_join(later, "tv"), 0);
    CU_ASSERT_EQUAL(zmq_join(later, "radio"), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(later, bound), 0);
    CU_ASSERT_FATAL(joined(radio, later, "radio"));
    char body[64], group[64];
    while (recv_group(first, body, sizeof body, group, 50))
        ; /* "tv" probes of no interest here */
    CU_ASSERT(send_group(radio, "tv", "both"));
    CU_ASSERT(recv_group(first, body, sizeof body, group, 5000));
    CU_ASSERT_STRING_EQUAL(body, "both");
    CU_ASSERT(recv_group(later, body, sizeof body, group, 5000));
    CU_ASSERT_STRING_EQUAL(body, "both");
    CU_ASSERT_STRING_EQUAL(group, "tv");
    CU_ASSERT(test_recv_nothing(first, 100));
    test_close(first);
    test_close(later);
    test_close(radio);
}

static void test_late_joiners_inproc(void)
{
    late_joiners("inproc://late-joiners");
}

static void test_late_joiners_tcp(void)
{
    late_joiners("tcp://127.0.0.1:*");
}

/* ---- the wire, against a hand-written ZMTP 3.0 RADIO ----------------- */

/* A DISH tells a ZMTP 3.0 peer its joins as JOIN commands, as libzmq
 * 4.3.5 does, takes a group frame and a body frame as one message, and
 * ends the connection at a group frame without MORE. */
/* A raw ZMTP 3.0 RADIO connected to dish at endpoint, its handshake done
 * and the DISH's JOIN of "weather" read: the fd, or -1. */
static int raw_radio_joined(void *dish, const char *endpoint)
{
    int fd = raw_connect(endpoint);
    CU_ASSERT_FATAL(fd >= 0);
    uint8_t greeting[64] = { 0xff, 0,    0, 0, 0,   0,   0,   0,
                             1,    0x7f, 3, 0, 'N', 'U', 'L', 'L' };
    uint8_t theirs[64];
    CU_ASSERT_FATAL(raw_write(fd, greeting, sizeof greeting));
    CU_ASSERT_FATAL(raw_read(fd, theirs, sizeof theirs));
    static const uint8_t ready[] = "\5READY\13Socket-Type\0\0\0\5RADIO";
    CU_ASSERT_FATAL(
        raw_send_frame(fd, ready, sizeof ready - 1, RAW_FRAME_COMMAND));
    uint8_t header[2], body[256];
    CU_ASSERT_FATAL(raw_read(fd, header, 2));
    CU_ASSERT_EQUAL(header[0], RAW_FRAME_COMMAND);
    CU_ASSERT_FATAL(raw_read(fd, body, header[1]));
    /* The new pipe reaches the DISH, which then sends its joins, when
     * the application next calls it (as in libzmq): look at ZMQ_EVENTS
     * until the JOIN is there, for at most 3 s. */
    struct pollfd ready_fd = { .fd = fd, .events = POLLIN };
    for (int i = 0; i < 300 && poll(&ready_fd, 1, 10) == 0; i++)
        test_get_int(dish, ZMQ_EVENTS);
    CU_ASSERT_FATAL(raw_read(fd, header, 2));
    CU_ASSERT_EQUAL(header[0], RAW_FRAME_COMMAND);
    CU_ASSERT_EQUAL_FATAL(header[1], 12);
    CU_ASSERT_FATAL(raw_read(fd, body, 12));
    CU_ASSERT_EQUAL(memcmp(body, "\4JOINweather", 12), 0);
    return fd;
}

static void *dish_bound(char *endpoint, size_t size)
{
    void *dish = new_socket(ZMQ_DISH);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(dish, "tcp://127.0.0.1:*"), 0);
    CU_ASSERT_EQUAL_FATAL(
        zmq_getsockopt(dish, ZMQ_LAST_ENDPOINT, endpoint, &size), 0);
    CU_ASSERT_EQUAL(zmq_join(dish, "weather"), 0);
    return dish;
}

static void test_zmtp_3_0_radio(void)
{
    char endpoint[256];
    void *dish = dish_bound(endpoint, sizeof endpoint);
    int fd = raw_radio_joined(dish, endpoint);
    CU_ASSERT(
        raw_send_frame(fd, (const uint8_t *) "weather", 7, RAW_FRAME_MORE));
    CU_ASSERT(raw_send_frame(fd, (const uint8_t *) "9e", 2, 0));
    char text[16], group[16];
    CU_ASSERT(recv_group(dish, text, sizeof text, group, 5000));
    CU_ASSERT_STRING_EQUAL(text, "9e");
    CU_ASSERT_STRING_EQUAL(group, "weather");
    CU_ASSERT(raw_send_frame(fd, (const uint8_t *) "weather", 7, 0));
    CU_ASSERT(raw_closed_by_peer(fd));
    close(fd);
    test_close(dish);
}

/* A group frame holding a NUL is no group (RFC 48): the connection ends
 * and its message never reaches the application; the DISH carries on
 * with the next RADIO. */
static void test_group_with_nul(void)
{
    char endpoint[256];
    void *dish = dish_bound(endpoint, sizeof endpoint);
    int fd = raw_radio_joined(dish, endpoint);
    CU_ASSERT(raw_send_frame(fd, (const uint8_t *) "weather\0x", 9,
                             RAW_FRAME_MORE));
    CU_ASSERT(raw_send_frame(fd, (const uint8_t *) "bad", 3, 0));
    CU_ASSERT(raw_closed_by_peer(fd));
    close(fd);
    char text[16], group[16];
    CU_ASSERT_FALSE(recv_group(dish, text, sizeof text, group, 100));
    fd = raw_radio_joined(dish, endpoint);
    CU_ASSERT(
        raw_send_frame(fd, (const uint8_t *) "weather", 7, RAW_FRAME_MORE));
    CU_ASSERT(raw_send_frame(fd, (const uint8_t *) "good", 4, 0));
    CU_ASSERT(recv_group(dish, text, sizeof text, group, 5000));
    CU_ASSERT_STRING_EQUAL(text, "good");
    close(fd);
    test_close(dish);
}

/* ---- the mute state ------------------------------------------------ */

/* A DISH that does not read: the RADIO's sends all succeed and the
 * surplus is dropped; with ZMQ_XPUB_NODROP they say EAGAIN instead. */
static void test_mute_drops(void)
{
    void *radio = new_socket(ZMQ_RADIO);
    void *dish = new_socket(ZMQ_DISH);
    CU_ASSERT(test_set_int(radio, ZMQ_SNDHWM, 10));
    CU_ASSERT(test_set_int(dish, ZMQ_RCVHWM, 10));
    CU_ASSERT_EQUAL_FATAL(zmq_bind(dish, "inproc://mute"), 0);
    CU_ASSERT_EQUAL(zmq_join(dish, "g"), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(radio, "inproc://mute"), 0);
    CU_ASSERT_FATAL(joined(radio, dish, "g"));
    int sent = 0;
    for (int i = 0; i < 1000; i++)
        sent += send_group(radio, "g", "m");
    CU_ASSERT_EQUAL(sent, 1000);
    int received = 0;
    char body[8], group[8];
    while (received < 1000 && recv_group(dish, body, sizeof body, group, 100))
        received++;
    CU_ASSERT(received > 0);
    CU_ASSERT(received <= 20);

    CU_ASSERT(test_set_int(radio, ZMQ_XPUB_NODROP, 1));
    int taken = 0;
    errno = 0;
    while (taken < 1000 && send_group(radio, "g", "m"))
        taken++;
    CU_ASSERT(taken > 0);
    CU_ASSERT(taken <= 20);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    test_close(radio);
    test_close(dish);
}

/* ---- threads -------------------------------------------------------- */

enum { JOINERS = 4, ROUNDS = 300 };

struct joiner {
    void *dish;
    int index;
    int failures;
};

static void *join_and_leave(void *arg)
{
    struct joiner *j = arg;
    char group[16];
    snprintf(group, sizeof group, "g%d", j->index);
    for (int i = 0; i < ROUNDS; i++) {
        if (zmq_join(j->dish, group) != 0)
            j->failures++;
        if (zmq_leave(j->dish, group) != 0)
            j->failures++;
    }
    if (zmq_join(j->dish, group) != 0)
        j->failures++;
    return NULL;
}

struct receiver {
    void *dish;
    atomic_int stop;
    int received;
};

static void *receive_until_stopped(void *arg)
{
    struct receiver *r = arg;
    char body[16], group[16];
    for (int i = 0; i < 100000 && !atomic_load(&r->stop); i++)
        if (recv_group(r->dish, body, sizeof body, group, 10))
            r->received++;
    return NULL;
}

/* Four threads join and leave groups of their own on one DISH while a
 * fifth receives from it and the RADIO sends to all the groups: every
 * call succeeds and, at the end, every group joined last is heard. */
static void test_join_leave_races(void)
{
    void *radio = new_socket(ZMQ_RADIO);
    void *dish = new_socket(ZMQ_DISH);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(dish, "tcp://127.0.0.1:*"), 0);
    char bound[256];
    size_t size = sizeof bound;
    CU_ASSERT_EQUAL_FATAL(zmq_getsockopt(dish, ZMQ_LAST_ENDPOINT, bound, &size),
                          0);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(radio, bound), 0);

    struct joiner joiners[JOINERS];
    pthread_t threads[JOINERS];
    struct receiver r = { .dish = dish };
    pthread_t receiver_thread;
    CU_ASSERT_EQUAL_FATAL(
        pthread_create(&receiver_thread, NULL, receive_until_stopped, &r), 0);
    for (int i = 0; i < JOINERS; i++) {
        joiners[i] = (struct joiner){ .dish = dish, .index = i };
        CU_ASSERT_EQUAL_FATAL(
            pthread_create(&threads[i], NULL, join_and_leave, &joiners[i]), 0);
    }
    for (int i = 0; i < 200; i++) {
        char group[16];
        snprintf(group, sizeof group, "g%d", i % JOINERS);
        send_group(radio, group, "race");
    }
    for (int i = 0; i < JOINERS; i++) {
        pthread_join(threads[i], NULL);
        CU_ASSERT_EQUAL(joiners[i].failures, 0);
    }
    atomic_store(&r.stop, 1);
    pthread_join(receiver_thread, NULL);
    for (int i = 0; i < JOINERS; i++) {
        char group[16];
        snprintf(group, sizeof group, "g%d", i);
        CU_ASSERT(joined(radio, dish, group));
    }
    /* Nothing but the joined groups gets through. */
    CU_ASSERT(send_group(radio, "other", "no"));
    CU_ASSERT(test_recv_nothing(dish, 100));
    test_close(radio);
    test_close(dish);
}

/* Many groups, of lengths up to 255, joined and then every third one
 * left, on both sides' group tables (the RADIO's per peer and per group,
 * the DISH's own): each message of a group still joined arrives, in
 * order, and nothing of a group left does. */
enum { MANY_GROUPS = 600 };

/* Group i: its number, padded with 'x' to i % 256 octets when that is
 * longer; the digits before the padding keep every name apart. */
static void many_group_name(char *group, int i)
{
    int digits = snprintf(group, ZMQ_GROUP_MAX_LENGTH + 1, "%d", i);
    int length = i % (ZMQ_GROUP_MAX_LENGTH + 1);
    if (length > digits)
        memset(group + digits, 'x', (size_t) (length - digits));
    group[length > digits ? length : digits] = '\0';
}

static void test_many_groups(void)
{
    void *radio = new_socket(ZMQ_RADIO);
    void *dish = new_socket(ZMQ_DISH);
    int hwm = 0;
    CU_ASSERT_EQUAL(zmq_setsockopt(radio, ZMQ_SNDHWM, &hwm, sizeof hwm), 0);
    CU_ASSERT_EQUAL(zmq_setsockopt(dish, ZMQ_RCVHWM, &hwm, sizeof hwm), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(dish, "tcp://127.0.0.1:*"), 0);
    char bound[256];
    size_t size = sizeof bound;
    CU_ASSERT_EQUAL_FATAL(zmq_getsockopt(dish, ZMQ_LAST_ENDPOINT, bound, &size),
                          0);
    char group[ZMQ_GROUP_MAX_LENGTH + 1];
    for (int i = 0; i < MANY_GROUPS; i++) {
        many_group_name(group, i);
        CU_ASSERT_EQUAL(zmq_join(dish, group), 0);
    }
    CU_ASSERT_EQUAL_FATAL(zmq_connect(radio, bound), 0);
    for (int i = 0; i < MANY_GROUPS; i += 3) {
        many_group_name(group, i);
        CU_ASSERT_EQUAL(zmq_leave(dish, group), 0);
    }
    /* Every join and leave went to the RADIO before this one. */
    CU_ASSERT_EQUAL(zmq_join(dish, "last"), 0);
    CU_ASSERT_FATAL(joined(radio, dish, "last"));
    for (int i = 0; i < MANY_GROUPS; i++) {
        many_group_name(group, i);
        char body[16];
        snprintf(body, sizeof body, "%d", i);
        CU_ASSERT(send_group(radio, group, body));
    }
    int expected = 0, wrong = 0, got_count = 0;
    char body[16], got[ZMQ_GROUP_MAX_LENGTH + 1];
    while (recv_group(dish, body, sizeof body, got, 2000)) {
        while (expected % 3 == 0)
            expected++;
        many_group_name(group, expected);
        if (atoi(body) != expected || strcmp(got, group) != 0)
            wrong++;
        expected++;
        if (++got_count == MANY_GROUPS - (MANY_GROUPS + 2) / 3)
            break;
    }
    CU_ASSERT_EQUAL(got_count, MANY_GROUPS - (MANY_GROUPS + 2) / 3);
    CU_ASSERT_EQUAL(wrong, 0);
    CU_ASSERT(test_recv_nothing(dish, 100));
    test_close(radio);
    test_close(dish);
}

/* ---- udp ------------------------------------------------------------ */

/* No joins travel over udp: the RADIO sends every group, and the DISH
 * keeps those it joined. Datagrams may be lost, so the RADIO repeats
 * until the DISH hears (bounded). 0 on success, else a step number. */
static int udp_exchange(const char *dish_at, const char *radio_to)
{
    void *radio = zmq_socket(ctx, ZMQ_RADIO);
    void *dish = zmq_socket(ctx, ZMQ_DISH);
    if (radio == NULL || dish == NULL)
        return 1;
    if (zmq_bind(dish, dish_at) != 0)
        return 2;
    if (zmq_join(dish, "tv") != 0)
        return 3;
    if (zmq_connect(radio, radio_to) != 0)
        return 4;
    char body[64], group[64];
    bool heard = false;
    int others = 0;
    for (int i = 0; i < 200 && !heard; i++) {
        send_group(radio, "news", "other");
        send_group(radio, "tv", "wanted");
        while (recv_group(dish, body, sizeof body, group, 25)) {
            if (strcmp(group, "tv") == 0 && strcmp(body, "wanted") == 0)
                heard = true;
            else
                others++;
        }
    }
    int rc = !heard ? 5 : others != 0 ? 6 : 0;
    zmq_close(radio);
    zmq_close(dish);
    return rc;
}

static void test_udp_unicast(void)
{
    int port = test_free_udp_port();
    CU_ASSERT_FATAL(port > 0);
    char dish_at[64], radio_to[64];
    snprintf(dish_at, sizeof dish_at, "udp://127.0.0.1:%d", port);
    snprintf(radio_to, sizeof radio_to, "udp://127.0.0.1:%d", port);
    CU_ASSERT_EQUAL(udp_exchange(dish_at, radio_to), 0);
}

/* Multicast on lo inside a network namespace of a child's own, never on
 * the host's interfaces. */
/* In the child: its own context (the parent's is not here), a RADIO and a
 * DISH on one group of lo. */
static int udp_multicast_child(void *unused)
{
    (void) unused;
    ctx = zmq_ctx_new();
    int rc =
        udp_exchange("udp://lo;239.1.2.4:5556", "udp://lo;239.1.2.4:5556");
    zmq_ctx_term(ctx);
    return rc;
}

static void test_udp_multicast(void)
{
    /* The fork must leave no thread behind it (testutil.h): the suite's
     * context goes first, I/O threads and all, and a new one follows.
     * After a failed case its sockets may still be open, and the term
     * would wait for them: then this case is not run. */
    if (CU_get_number_of_failures() > 0) {
        CU_FAIL("not run after an earlier failure");
        return;
    }
    zmq_ctx_term(ctx);
    ctx = zmq_ctx_new();
    int rc = test_in_network_namespace(udp_multicast_child, NULL, 30);
    if (rc != -1)
        CU_ASSERT_EQUAL(rc, 0);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "errors as libzmq gives them", test_errors },
        { "inproc", test_inproc },
        { "tcp", test_tcp },
        { "ipc", test_ipc },
        { "late joiners, inproc", test_late_joiners_inproc },
        { "late joiners, tcp", test_late_joiners_tcp },
        { "a ZMTP 3.0 RADIO peer", test_zmtp_3_0_radio },
        { "a group holding a NUL", test_group_with_nul },
        { "the mute state drops", test_mute_drops },
        { "join and leave from several threads", test_join_leave_races },
        { "many groups joined and left", test_many_groups },
        { "udp unicast", test_udp_unicast },
        { "udp multicast in a namespace", test_udp_multicast },
    };
    ctx = zmq_ctx_new();
    int rc = test_run_suite("radio_dish", tests, sizeof tests / sizeof *tests);
    /* A fatal failure leaves its sockets open, and the term would wait
     * for them for ever. */
    if (rc == 0)
        zmq_ctx_term(ctx);
    return rc;
}
