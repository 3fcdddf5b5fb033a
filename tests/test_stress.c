/*
 * The stress suite (issue 10): the library at scale and under abuse, each
 * case bounded in count and time, each printing its size and what it
 * measured. 10,000 sockets in one context; 10,000 tcp connections to one
 * ROUTER; zmq_ctx_term in the middle of full-speed traffic; peers killed
 * with SIGKILL in the middle of a message; a slow subscriber whose
 * publisher's memory stays bounded by the high-water marks.
 *
 * Peers that must be killed, or that need descriptors of their own, are
 * this program again in another process (child.h).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "child.h"
#include "raw_zmtp.h"
#include "resources.h"
#include "testutil.h"
#include "zmq.h"

/* Descriptors a process needs besides its sockets' (stdio, the I/O
 * thread's epoll and eventfd, the listener, CUnit's files). */
enum { FD_SPARE = 64 };

static void report(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    printf("\n    ");
    vprintf(format, args);
    va_end(args);
    fflush(stdout);
}

/* How many of wanted objects needing per_object descriptors each the fd
 * limit allows; says so when it is fewer. */
static int affordable(int wanted, int per_object, const char *what)
{
    long limit = test_raise_fd_limit((long) wanted * per_object + FD_SPARE);
    long room = (limit - FD_SPARE) / per_object;
    if (room >= wanted)
        return wanted;
    report("the fd hard limit (%ld) allows %ld %s, not %d", limit, room, what,
           wanted);
    return room > 0 ? (int) room : 0;
}

static void *new_socket(void *ctx, int type)
{
    void *s = zmq_socket(ctx, type);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    test_set_int(s, ZMQ_LINGER, 0);
    test_set_int(s, ZMQ_RCVTIMEO, 10000);
    test_set_int(s, ZMQ_SNDTIMEO, 10000);
    return s;
}

static void last_endpoint(void *s, char *endpoint, size_t size)
{
    CU_ASSERT_EQUAL(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, endpoint, &size), 0);
}

/* ---- 10,000 sockets ----------------------------------------------------- */

enum { SOCKETS = 10000 };

/* 10,000 sockets in one context (ZMQ_MAX_SOCKETS raised first), in 5,000
 * inproc PAIR pairs that each make a round trip; one more socket is
 * refused with EMFILE; then every socket closes and the context ends. */
static void test_ten_thousand_sockets(void)
{
    int count = affordable(SOCKETS, 1, "sockets") & ~1;
    void **sockets = calloc((size_t) count, sizeof *sockets);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sockets);
    void *ctx = zmq_ctx_new();
    CU_ASSERT_EQUAL(zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, count), 0);
    long rss_before = test_rss_kb();
    long start = test_now_ms();
    int made = 0;
    for (; made < count; made++) {
        sockets[made] = zmq_socket(ctx, ZMQ_PAIR);
        if (sockets[made] == NULL)
            break;
    }
    CU_ASSERT_EQUAL(made, count);
    if (made < count)
        report("socket %d: %s", made, zmq_strerror(errno));
    errno = 0;
    CU_ASSERT_PTR_NULL(zmq_socket(ctx, ZMQ_PAIR));
    CU_ASSERT_EQUAL(errno, EMFILE);
    long created = test_now_ms();

    int round_trips = 0;
    for (int i = 0; i + 1 < made; i += 2) {
        char name[64];
        snprintf(name, sizeof name, "inproc://pair-%d", i);
        if (zmq_bind(sockets[i], name) != 0 ||
            zmq_connect(sockets[i + 1], name) != 0)
            break;
        char reply[16];
        if (zmq_send(sockets[i], "ping", 4, 0) == 4 &&
            test_recv(sockets[i + 1], reply, sizeof reply, 5000) == 4 &&
            zmq_send(sockets[i + 1], "pong", 4, 0) == 4 &&
            test_recv(sockets[i], reply, sizeof reply, 5000) == 4)
            round_trips++;
    }
    CU_ASSERT_EQUAL(round_trips, made / 2);
    long rss_peak = test_rss_kb();
    long exchanged = test_now_ms();

    for (int i = 0; i < made; i++)
        CU_ASSERT_EQUAL(zmq_close(sockets[i]), 0);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
    long ended = test_now_ms();
    free(sockets);
    report("%d sockets: created in %.2f s, %d inproc round trips in %.2f s, "
           "closed and terminated in %.2f s; RSS +%.1f MB",
           made, (created - start) / 1000.0, round_trips,
           (exchanged - created) / 1000.0, (ended - exchanged) / 1000.0,
           (rss_peak - rss_before) / 1024.0);
}

/* ---- 10,000 tcp connections ---------------------------------------------- */

enum { CONNECTIONS = 10000, ROUTING_ID_MAX = 256 };

struct routing_id {
    unsigned char data[ROUTING_ID_MAX];
    size_t size;
};

static int compare_ids(const void *a, const void *b)
{
    const struct routing_id *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    return memcmp(x->data, y->data, x->size);
}

/* The child: one DEALER connects count times to endpoint (one tcp
 * connection each), sends one message down each (round robin), and exits 0
 * once the ROUTER answered every one. Its descriptors are limited to one
 * per connection and FD_SPARE more. */
static int child_dealers(const char *endpoint, int count)
{
    if (test_set_fd_limit((long) count + FD_SPARE) != 0) {
        perror("child: fd limit");
        return 5;
    }
    void *ctx = zmq_ctx_new();
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    test_set_int(dealer, ZMQ_LINGER, 0);
    test_set_int(dealer, ZMQ_RCVTIMEO, 60000);
    for (int i = 0; i < count; i++) {
        if (zmq_connect(dealer, endpoint) != 0) {
            fprintf(stderr, "child: connect %d: %s\n", i, zmq_strerror(errno));
            return 2;
        }
    }
    for (int i = 0; i < count; i++) {
        if (zmq_send(dealer, "hello", 5, 0) != 5) {
            fprintf(stderr, "child: send %d: %s\n", i, zmq_strerror(errno));
            return 3;
        }
    }
    int answered = 0;
    char reply[16];
    while (answered < count && zmq_recv(dealer, reply, sizeof reply, 0) == 5)
        answered++;
    if (answered < count)
        fprintf(stderr, "child: %d replies of %d\n", answered, count);
    zmq_close(dealer);
    zmq_ctx_term(ctx);
    return answered == count ? 0 : 4;
}

/* 10,000 tcp connections to one ROUTER: the connecting side is another
 * process, so that each process needs one descriptor per connection, and
 * each side is held to that (plus FD_SPARE) by its soft fd limit. The
 * ROUTER hears one message on each connection, from 10,000 distinct
 * routing ids, and answers each. */
static void test_ten_thousand_connections(void)
{
    int count = affordable(CONNECTIONS, 1, "connections");
    struct rlimit saved;
    getrlimit(RLIMIT_NOFILE, &saved);
    CU_ASSERT_EQUAL(test_set_fd_limit((long) count + FD_SPARE), 0);
    void *ctx = zmq_ctx_new();
    void *router = new_socket(ctx, ZMQ_ROUTER);
    test_set_int(router, ZMQ_RCVTIMEO, 60000);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(router, "tcp://127.0.0.1:*"), 0);
    char endpoint[256], count_text[16];
    last_endpoint(router, endpoint, sizeof endpoint);
    snprintf(count_text, sizeof count_text, "%d", count);
    long rss_before = test_rss_kb();
    long start = test_now_ms();
    const char *args[] = { "dealers", endpoint, count_text, NULL };
    struct test_child *child = test_child_start(args);
    CU_ASSERT_PTR_NOT_NULL_FATAL(child);

    struct routing_id *ids = calloc((size_t) count, sizeof *ids);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ids);
    int heard = 0;
    while (heard < count) {
        int size = zmq_recv(router, ids[heard].data, ROUTING_ID_MAX, 0);
        char body[16];
        if (size < 0 || test_get_int(router, ZMQ_RCVMORE) != 1 ||
            zmq_recv(router, body, sizeof body, 0) != 5)
            break;
        ids[heard++].size = (size_t) size;
    }
    CU_ASSERT_EQUAL(heard, count);
    long all_heard = test_now_ms();
    long rss_peak = test_rss_kb();
    int answered = 0;
    for (int i = 0; i < heard; i++)
        if (zmq_send(router, ids[i].data, ids[i].size, ZMQ_SNDMORE) ==
                (int) ids[i].size &&
            zmq_send(router, "world", 5, 0) == 5)
            answered++;
    CU_ASSERT_EQUAL(answered, heard);
    qsort(ids, (size_t) heard, sizeof *ids, compare_ids);
    int distinct = heard > 0 ? 1 : 0;
    for (int i = 1; i < heard; i++)
        if (compare_ids(&ids[i - 1], &ids[i]) != 0)
            distinct++;
    CU_ASSERT_EQUAL(distinct, count);
    CU_ASSERT_EQUAL(test_child_wait(child, 60000), 0);
    long done = test_now_ms();
    free(ids);
    zmq_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
    setrlimit(RLIMIT_NOFILE, &saved);
    report("%d tcp connections to one ROUTER: %d messages from %d distinct "
           "peers in %.2f s, all answered in %.2f s more; ROUTER RSS +%.1f MB",
           count, heard, distinct, (all_heard - start) / 1000.0,
           (done - all_heard) / 1000.0, (rss_peak - rss_before) / 1024.0);
}

/* ---- the program ------------------------------------------------------- */

static int run_child(int argc, char **argv)
{
    const char *mode = argv[2];
    if (strcmp(mode, "dealers") == 0 && argc == 5)
        return child_dealers(argv[3], atoi(argv[4]));
    fprintf(stderr, "unknown child mode %s\n", mode);
    return 99;
}

int main(int argc, char **argv)
{
    if (test_is_child(argc, argv))
        return run_child(argc, argv);
    static const struct test_case tests[] = {
        { "10,000 sockets in one context", test_ten_thousand_sockets },
        { "10,000 tcp connections to one ROUTER",
          test_ten_thousand_connections },
    };
    return test_run_suite("stress", tests, sizeof tests / sizeof tests[0]);
}
