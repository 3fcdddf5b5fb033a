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
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* How many of wanted objects needing per_object descriptors each the fd
 * limit allows; says so when it is fewer. */
static int affordable(int wanted, int per_object, const char *what)
{
    long limit = test_raise_fd_limit((long) wanted * per_object + FD_SPARE);
    long room = (limit - FD_SPARE) / per_object;
    if (room >= wanted)
        return wanted;
    test_report("the fd hard limit (%ld) allows %ld %s, not %d", limit, room,
                what, wanted);
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
        test_report("socket %d: %s", made, zmq_strerror(errno));
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
    test_report(
        "%d sockets: created in %.2f s, %d inproc round trips in %.2f s, "
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
    /* As a server expecting thousands of clients at once would: fewer
     * connections dropped from a full accept queue and retried by TCP
     * (after 1, 3, 7 s), which the default of 100 makes the bulk of the
     * time. */
    test_set_int(router, ZMQ_BACKLOG, 4096);
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
    test_report(
        "%d tcp connections to one ROUTER: %d messages from %d distinct "
        "peers in %.2f s, all answered in %.2f s more; ROUTER RSS +%.1f MB",
        count, heard, distinct, (all_heard - start) / 1000.0,
        (done - all_heard) / 1000.0, (rss_peak - rss_before) / 1024.0);
}

/* ---- zmq_ctx_term under full-speed traffic ------------------------------ */

enum { TERM_ROUNDS = 36, TERM_WAIT_MS = 20000, TERM_MSG_MAX = 256 * 1024 };

/* One side of the traffic: sends or receives as fast as it can, blocking
 * without a timeout, until a call fails; then closes its socket, as an
 * application must for zmq_ctx_term to return. */
struct traffic {
    void *socket;
    bool sending;
    size_t size; /* of each message sent */
    atomic_long count;
    int error;
    pthread_t thread;
};

static void *traffic_run(void *arg)
{
    struct traffic *t = arg;
    char *buffer = calloc(1, TERM_MSG_MAX);
    for (;;) {
        int rc = t->sending ? zmq_send(t->socket, buffer, t->size, 0)
                            : zmq_recv(t->socket, buffer, TERM_MSG_MAX, 0);
        if (rc < 0) {
            t->error = errno;
            break;
        }
        atomic_fetch_add(&t->count, 1);
    }
    free(buffer);
    zmq_close(t->socket);
    return NULL;
}

static void *term_run(void *ctx)
{
    static int rc;
    rc = zmq_ctx_term(ctx);
    return &rc;
}

/* Joins thread within ms; false if it is still running. */
static bool join_within(pthread_t thread, int ms, void **result)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += ms / 1000;
    deadline.tv_nsec += (long) (ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    return pthread_timedjoin_np(thread, result, &deadline) == 0;
}

/* One round: PUSH to PULL at full speed over endpoint, then zmq_ctx_term
 * from a third thread once the PULL has received after messages. Both
 * blocked calls return ETERM, the threads close their sockets, and term
 * returns 0. A hang fails the round and stops the suite (the threads
 * cannot be taken back). */
static bool term_round(const char *endpoint, int linger, size_t size,
                       long after, long *moved)
{
    void *ctx = zmq_ctx_new();
    struct traffic ends[2] = { { .sending = false },
                               { .sending = true, .size = size } };
    ends[0].socket = zmq_socket(ctx, ZMQ_PULL);
    ends[1].socket = zmq_socket(ctx, ZMQ_PUSH);
    for (int i = 0; i < 2; i++)
        test_set_int(ends[i].socket, ZMQ_LINGER, linger);
    char bound[256];
    CU_ASSERT_EQUAL_FATAL(zmq_bind(ends[0].socket, endpoint), 0);
    last_endpoint(ends[0].socket, bound, sizeof bound);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(ends[1].socket, bound), 0);
    for (int i = 0; i < 2; i++) {
        atomic_init(&ends[i].count, 0);
        pthread_create(&ends[i].thread, NULL, traffic_run, &ends[i]);
    }
    long deadline = test_now_ms() + 10000;
    while (atomic_load(&ends[0].count) < after && test_now_ms() < deadline)
        usleep(100);
    CU_ASSERT(atomic_load(&ends[0].count) >= after);
    pthread_t term;
    pthread_create(&term, NULL, term_run, ctx);
    void *term_result = NULL;
    bool ended = join_within(term, TERM_WAIT_MS, &term_result);
    if (!ended) {
        fprintf(stderr, "\nzmq_ctx_term over %s did not return in %d ms\n",
                endpoint, TERM_WAIT_MS);
        abort();
    }
    CU_ASSERT_EQUAL(*(int *) term_result, 0);
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_TRUE(join_within(ends[i].thread, TERM_WAIT_MS, NULL));
        CU_ASSERT_EQUAL(ends[i].error, ETERM);
    }
    *moved = atomic_load(&ends[0].count);
    return ended;
}

/* zmq_ctx_term in the middle of full-speed traffic on inproc, ipc and tcp,
 * with LINGER 0 and 100 ms, messages of 100 B, 8 KiB and 256 KiB (caught
 * half written on the wire), stopping after a different number of
 * messages each round. */
static void test_term_under_traffic(void)
{
    static const char *const endpoints[] = { "inproc://term-traffic", "ipc://*",
                                             "tcp://127.0.0.1:*" };
    for (size_t e = 0; e < sizeof endpoints / sizeof endpoints[0]; e++) {
        long start = test_now_ms(), moved_total = 0;
        int rounds = 0;
        for (int round = 0; round < TERM_ROUNDS; round++) {
            long moved = 0;
            static const size_t sizes[] = { 100, 8192, TERM_MSG_MAX };
            size_t size = sizes[round % 3];
            long after = 1 + (round * 7919L) % (size > 8192 ? 200 : 20000);
            if (term_round(endpoints[e], round / 3 % 2 ? 100 : 0, size, after,
                           &moved))
                rounds++;
            moved_total += moved;
        }
        CU_ASSERT_EQUAL(rounds, TERM_ROUNDS);
        test_report("%s: %d zmq_ctx_term calls under traffic returned, "
                    "%ld messages moved, %.2f s",
                    endpoints[e], rounds, moved_total,
                    (test_now_ms() - start) / 1000.0);
    }
}

/* ---- peers killed with SIGKILL in the middle of a message ----------------- */

static const uint8_t ready_push[] = "\5READY\13Socket-Type\0\0\0\4PUSH";
static const uint8_t ready_pull[] = "\5READY\13Socket-Type\0\0\0\4PULL";

/* The child: a PUSH spoken by hand that announces a 1 MiB message, sends
 * half of it, says "mid" and waits to be killed. */
static int child_partial_sender(const char *endpoint)
{
    int fd = raw_connect(endpoint);
    if (fd < 0 || !raw_greet(fd, "NULL", false) ||
        !raw_send_frame(fd, ready_push, sizeof ready_push - 1,
                        RAW_FRAME_COMMAND))
        return 2;
    enum { SIZE = 1 << 20 };
    uint8_t header[9] = { RAW_FRAME_LONG };
    for (int i = 0; i < 8; i++)
        header[1 + i] = (uint8_t) ((uint64_t) SIZE >> (56 - 8 * i));
    static uint8_t half[SIZE / 2];
    memset(half, 'h', sizeof half);
    if (!raw_write(fd, header, sizeof header) ||
        !raw_write(fd, half, sizeof half))
        return 3;
    printf("mid\n");
    fflush(stdout);
    sleep(60);
    return 4;
}

/* The child: a PULL spoken by hand that listens, prints its endpoint,
 * takes one connection, reads about 256 KiB of what comes, says "mid" and
 * waits to be killed. */
static int child_partial_reader(void)
{
    char endpoint[64];
    int listener = raw_listen(endpoint, sizeof endpoint);
    printf("%s\n", endpoint);
    fflush(stdout);
    int fd = raw_accept(listener);
    if (fd < 0 || !raw_greet(fd, "NULL", false) ||
        !raw_send_frame(fd, ready_pull, sizeof ready_pull - 1,
                        RAW_FRAME_COMMAND))
        return 2;
    static uint8_t sink[256 * 1024];
    if (!raw_read(fd, sink, sizeof sink))
        return 3;
    printf("mid\n");
    fflush(stdout);
    sleep(60);
    return 4;
}

/* A round trip on a fresh PUSH/PULL pair over tcp in ctx: the context
 * still works. */
static bool fresh_round_trip(void *ctx)
{
    void *pull = new_socket(ctx, ZMQ_PULL);
    void *push = new_socket(ctx, ZMQ_PUSH);
    char endpoint[256];
    bool ok = zmq_bind(pull, "tcp://127.0.0.1:*") == 0;
    last_endpoint(pull, endpoint, sizeof endpoint);
    ok = ok && zmq_connect(push, endpoint) == 0 &&
         test_send(push, "fresh", 0) && test_recv_is(pull, "fresh", 10000);
    zmq_close(push);
    zmq_close(pull);
    return ok;
}

enum { KILL_ROUNDS = 5 };

/* A sender killed half way through a 1 MiB message: the PULL delivers
 * nothing of it, takes the next peer's messages, and the context works. */
static void test_sender_killed_mid_message(void)
{
    void *ctx = zmq_ctx_new();
    void *pull = new_socket(ctx, ZMQ_PULL);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(pull, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    last_endpoint(pull, endpoint, sizeof endpoint);
    int killed = 0;
    for (int round = 0; round < KILL_ROUNDS; round++) {
        const char *args[] = { "partial-sender", endpoint, NULL };
        struct test_child *child = test_child_start(args);
        CU_ASSERT_PTR_NOT_NULL_FATAL(child);
        const char *line = test_child_line(child, 10000);
        CU_ASSERT(line != NULL && strcmp(line, "mid") == 0);
        test_child_kill(child);
        killed++;
        CU_ASSERT_TRUE(test_recv_nothing(pull, 200));
        void *push = new_socket(ctx, ZMQ_PUSH);
        CU_ASSERT_EQUAL(zmq_connect(push, endpoint), 0);
        CU_ASSERT_TRUE(test_send(push, "next", 0));
        CU_ASSERT_TRUE(test_recv_is(pull, "next", 10000));
        zmq_close(push);
    }
    CU_ASSERT_TRUE(fresh_round_trip(ctx));
    zmq_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
    test_report("%d senders killed half way through a 1 MiB message: nothing "
                "delivered from them, the next peer's message delivered",
                killed);
}

/* The child: a PULL that connects to endpoint, says "mid" after its first
 * message, and reads until it is killed. */
static int child_reader(const char *endpoint)
{
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    if (zmq_connect(pull, endpoint) != 0)
        return 2;
    static char buffer[1 << 20];
    if (zmq_recv(pull, buffer, sizeof buffer, 0) < 0)
        return 3;
    printf("mid\n");
    fflush(stdout);
    while (zmq_recv(pull, buffer, sizeof buffer, 0) >= 0)
        ;
    return 4;
}

/* Sends small messages, and now and then a 1 MiB one, without blocking,
 * until told to stop: the engine is always writing. */
struct stream_sender {
    void *push;
    atomic_bool stop;
    long sent;
    pthread_t thread;
};

static void *stream_send(void *arg)
{
    struct stream_sender *sender = arg;
    static char big[1 << 20];
    for (long i = 0; !atomic_load(&sender->stop); i++) {
        size_t size = i % 1000 == 0 ? sizeof big : 64;
        if (zmq_send(sender->push, big, size, ZMQ_DONTWAIT) >= 0)
            sender->sent++;
        else
            usleep(50);
    }
    return NULL;
}

/* Whether this process's PUSH delivers to a fresh PULL after its other
 * peers were killed. */
static bool push_still_delivers(void *ctx, void *push, const char *endpoint)
{
    void *pull = new_socket(ctx, ZMQ_PULL);
    bool delivered = false;
    if (zmq_connect(pull, endpoint) == 0) {
        for (int i = 0; i < 500 && !delivered; i++) {
            zmq_send(push, "after", 5, ZMQ_DONTWAIT);
            char text[16];
            delivered = zmq_recv(pull, text, sizeof text, ZMQ_DONTWAIT) >= 0;
            usleep(10000);
        }
    }
    zmq_close(pull);
    return delivered;
}

/* Receivers killed while this process streams messages to them, over tcp
 * by hand in the middle of a 16 MiB message, and over tcp and ipc with
 * modzmq peers: this process gets no SIGPIPE (the test keeps SIGPIPE's
 * default action, which would end it), its PUSH delivers to the next peer,
 * and the context works. */
static void test_receiver_killed_mid_message(void)
{
    void *ctx = zmq_ctx_new();
    enum { BIG = 16 << 20 };
    char *big = malloc(BIG);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    memset(big, 'b', BIG);
    int killed = 0;
    for (int round = 0; round < KILL_ROUNDS; round++) {
        const char *args[] = { "partial-reader", NULL };
        struct test_child *child = test_child_start(args);
        CU_ASSERT_PTR_NOT_NULL_FATAL(child);
        const char *line = test_child_line(child, 10000);
        CU_ASSERT_PTR_NOT_NULL_FATAL(line);
        char endpoint[64];
        snprintf(endpoint, sizeof endpoint, "%s", line);
        void *push = new_socket(ctx, ZMQ_PUSH);
        CU_ASSERT_EQUAL(zmq_connect(push, endpoint), 0);
        CU_ASSERT_EQUAL(zmq_send(push, big, BIG, 0), BIG);
        line = test_child_line(child, 10000);
        CU_ASSERT(line != NULL && strcmp(line, "mid") == 0);
        test_child_kill(child);
        killed++;
        CU_ASSERT_EQUAL(zmq_disconnect(push, endpoint), 0);
        void *pull = new_socket(ctx, ZMQ_PULL);
        CU_ASSERT_EQUAL(zmq_bind(pull, "tcp://127.0.0.1:*"), 0);
        char next[256];
        last_endpoint(pull, next, sizeof next);
        CU_ASSERT_EQUAL(zmq_connect(push, next), 0);
        CU_ASSERT_TRUE(test_send(push, "next", 0));
        CU_ASSERT_TRUE(test_recv_is(pull, "next", 10000));
        zmq_close(pull);
        zmq_close(push);
    }
    free(big);
    static const char *const transports[] = { "tcp://127.0.0.1:*", "ipc://*" };
    int streamed = 0;
    long sent = 0;
    for (size_t t = 0; t < 2; t++) {
        void *push = new_socket(ctx, ZMQ_PUSH);
        CU_ASSERT_EQUAL_FATAL(zmq_bind(push, transports[t]), 0);
        char endpoint[256];
        last_endpoint(push, endpoint, sizeof endpoint);
        struct stream_sender sender = { .push = push };
        atomic_init(&sender.stop, false);
        pthread_create(&sender.thread, NULL, stream_send, &sender);
        for (int round = 0; round < 4 * KILL_ROUNDS; round++) {
            const char *args[] = { "reader", endpoint, NULL };
            struct test_child *child = test_child_start(args);
            CU_ASSERT_PTR_NOT_NULL_FATAL(child);
            const char *line = test_child_line(child, 10000);
            CU_ASSERT(line != NULL && strcmp(line, "mid") == 0);
            usleep((useconds_t) (round % 5) * 2000);
            test_child_kill(child);
            streamed++;
        }
        atomic_store(&sender.stop, true);
        pthread_join(sender.thread, NULL);
        sent += sender.sent;
        CU_ASSERT_TRUE(push_still_delivers(ctx, push, endpoint));
        zmq_close(push);
    }
    CU_ASSERT_TRUE(fresh_round_trip(ctx));
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
    test_report(
        "%d receivers killed in the middle of a 16 MiB message (tcp, by "
        "hand), %d killed while %ld messages streamed to them (tcp, "
        "ipc): no SIGPIPE, the PUSH delivered to the next peer",
        killed, streamed, sent);
}

/* ---- a slow subscriber --------------------------------------------------- */

enum {
    SUB_HWM = 1000,
    SUB_MSG_SIZE = 16 * 1024,
    SUB_MESSAGES = 40000,
    SAMPLE_US = 2000
};

struct rss_sampler {
    atomic_bool stop;
    long peak_kb;
    pthread_t thread;
};

static void *sample_rss(void *arg)
{
    struct rss_sampler *sampler = arg;
    while (!atomic_load(&sampler->stop)) {
        long kb = test_rss_kb();
        if (kb > sampler->peak_kb)
            sampler->peak_kb = kb;
        usleep(SAMPLE_US);
    }
    return NULL;
}

struct slow_reader {
    void *sub;
    atomic_bool stop;
    long received;
    pthread_t thread;
};

/* Reads one message every millisecond or so: far slower than the PUB. */
static void *read_slowly(void *arg)
{
    struct slow_reader *reader = arg;
    char *buffer = malloc(SUB_MSG_SIZE);
    while (!atomic_load(&reader->stop)) {
        if (zmq_recv(reader->sub, buffer, SUB_MSG_SIZE, ZMQ_DONTWAIT) ==
            SUB_MSG_SIZE)
            reader->received++;
        usleep(1000);
    }
    free(buffer);
    return NULL;
}

/* The child: a PUB with SNDHWM hwm publishes 40,000 messages of 16 KiB
 * (625 MiB) as fast as it can to a SUB with RCVHWM hwm over tcp that reads
 * about one a millisecond; prints "SENT READ PUBLISH_MS GROWTH_KB", the
 * growth being the peak RSS over the RSS once the two were joined. A
 * process of its own, so that memory freed by other tests is not there to
 * be reused. */
static int child_slow_subscriber(int hwm)
{
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    test_set_int(pub, ZMQ_SNDHWM, hwm);
    test_set_int(sub, ZMQ_RCVHWM, hwm);
    test_set_int(pub, ZMQ_LINGER, 0);
    test_set_int(sub, ZMQ_LINGER, 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    if (zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0) != 0 ||
        zmq_bind(pub, "tcp://127.0.0.1:*") != 0 ||
        zmq_getsockopt(pub, ZMQ_LAST_ENDPOINT, endpoint, &size) != 0 ||
        zmq_connect(sub, endpoint) != 0)
        return 2;
    char *message = calloc(1, SUB_MSG_SIZE);
    /* Wait until the subscription has reached the PUB. */
    bool joined = false;
    for (int i = 0; i < 500 && !joined; i++) {
        zmq_send(pub, message, SUB_MSG_SIZE, 0);
        joined = zmq_recv(sub, message, SUB_MSG_SIZE, ZMQ_DONTWAIT) >= 0;
        usleep(10000);
    }
    if (!joined)
        return 3;

    struct rss_sampler sampler = { .peak_kb = test_rss_kb() };
    long baseline = sampler.peak_kb;
    atomic_init(&sampler.stop, false);
    struct slow_reader reader = { .sub = sub };
    atomic_init(&reader.stop, false);
    pthread_create(&sampler.thread, NULL, sample_rss, &sampler);
    pthread_create(&reader.thread, NULL, read_slowly, &reader);
    long start = test_now_ms();
    int sent = 0;
    for (; sent < SUB_MESSAGES; sent++)
        if (zmq_send(pub, message, SUB_MSG_SIZE, 0) != SUB_MSG_SIZE)
            break;
    long published = test_now_ms();
    /* Let the queues fill behind the reader for a while. */
    usleep(500 * 1000);
    atomic_store(&reader.stop, true);
    pthread_join(reader.thread, NULL);
    atomic_store(&sampler.stop, true);
    pthread_join(sampler.thread, NULL);
    free(message);
    zmq_close(sub);
    zmq_close(pub);
    zmq_ctx_term(ctx);
    printf("%d %ld %ld %ld\n", sent, reader.received, published - start,
           sampler.peak_kb - baseline);
    return 0;
}

/* What is queued behind a slow subscriber stays within the PUB's and the
 * SUB's high-water marks (1,000 each), so the process grows by at most
 * 2,000 x 16 KiB, twice over for buffer rounding and the buffer cache,
 * plus 32 MiB; without the marks it would hold most of the 625 MiB.
 * AddressSanitizer keeps freed memory in quarantine (256 MiB), so that
 * build only prints the figure. */
static void test_slow_subscriber_memory(void)
{
    char hwm[16];
    snprintf(hwm, sizeof hwm, "%d", SUB_HWM);
    const char *args[] = { "slow-subscriber", hwm, NULL };
    struct test_child *child = test_child_start(args);
    CU_ASSERT_PTR_NOT_NULL_FATAL(child);
    const char *line = test_child_line(child, 60000);
    int sent = 0;
    long received = 0, publish_ms = 0, growth_kb = -1;
    CU_ASSERT(line != NULL && sscanf(line, "%d %ld %ld %ld", &sent, &received,
                                     &publish_ms, &growth_kb) == 4);
    CU_ASSERT_EQUAL(test_child_wait(child, 30000), 0);
    long bound_kb = 2L * (SUB_HWM + SUB_HWM) * SUB_MSG_SIZE / 1024 + 32 * 1024;
    test_report("slow subscriber, HWM %d each side: %d x %d B published in "
                "%.2f s, %ld read; RSS +%.1f MB at the peak (bound %.1f MB)",
                SUB_HWM, sent, SUB_MSG_SIZE, publish_ms / 1000.0, received,
                growth_kb / 1024.0, bound_kb / 1024.0);
    CU_ASSERT_EQUAL(sent, SUB_MESSAGES);
    CU_ASSERT(received > 0);
    CU_ASSERT(growth_kb >= 0);
#if defined(__SANITIZE_ADDRESS__)
    test_report("(AddressSanitizer build: the bound is not checked)");
#elif defined(__SANITIZE_THREAD__)
    /* Its shadow memory, several bytes per byte of heap touched, is in
     * the RSS too. */
    test_report("(ThreadSanitizer build: the bound is not checked)");
#else
    CU_ASSERT(growth_kb <= bound_kb);
#endif
}

/* ---- the program ------------------------------------------------------- */

static int run_child(int argc, char **argv)
{
    const char *mode = argv[2];
    if (strcmp(mode, "dealers") == 0 && argc == 5)
        return child_dealers(argv[3], atoi(argv[4]));
    if (strcmp(mode, "partial-sender") == 0 && argc == 4)
        return child_partial_sender(argv[3]);
    if (strcmp(mode, "partial-reader") == 0 && argc == 3)
        return child_partial_reader();
    if (strcmp(mode, "reader") == 0 && argc == 4)
        return child_reader(argv[3]);
    if (strcmp(mode, "slow-subscriber") == 0 && argc == 4)
        return child_slow_subscriber(atoi(argv[3]));
    fprintf(stderr, "unknown child mode %s\n", mode);
    return 99;
}

int main(int argc, char **argv)
{
    if (test_is_child(argc, argv))
        return run_child(argc, argv);
    /* A write to a dead peer must never raise SIGPIPE: keep its default
     * action, which ends the program, whatever the caller set. */
    signal(SIGPIPE, SIG_DFL);
    static const struct test_case tests[] = {
        { "10,000 sockets in one context", test_ten_thousand_sockets },
        { "10,000 tcp connections to one ROUTER",
          test_ten_thousand_connections },
        { "zmq_ctx_term under full-speed traffic", test_term_under_traffic },
        { "a sender killed mid-message", test_sender_killed_mid_message },
        { "a receiver killed mid-message", test_receiver_killed_mid_message },
        { "a slow subscriber's memory", test_slow_subscriber_memory },
    };
    return test_run_suite("stress", tests, sizeof tests / sizeof tests[0]);
}
