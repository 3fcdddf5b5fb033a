/*
 * The fault suite (issue 10): the process out of file descriptors, and
 * memory allocation failing. Each fault gives the call that meets it a
 * clean error (libzmq's errno), never a crash, a spin or a leak, and once
 * the fault is gone the same context works again.
 *
 * The program links the core and static copies of the tcp and ipc
 * plugins into itself (-dlpreopen) with allocations wrapped (alloc_fail.h).
 * Each point of the allocation sweep runs in a process of its own (this
 * program again, child.h), so that an abort is seen and reported rather
 * than ending the suite.
 */
#include <errno.h>
#include <ltdl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "alloc_fail.h"
#include "child.h"
#include "raw_zmtp.h"
#include "resources.h"
#include "testutil.h"
#include "zmq.h"

static void *new_socket(void *ctx, int type)
{
    void *s = zmq_socket(ctx, type);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    test_set_int(s, ZMQ_LINGER, 0);
    test_set_int(s, ZMQ_RCVTIMEO, 5000);
    test_set_int(s, ZMQ_SNDTIMEO, 5000);
    return s;
}

static bool last_endpoint(void *s, char *endpoint, size_t size)
{
    return zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0;
}

/* A PUSH/PULL round trip over a fresh pair bound at endpoint in ctx. */
static bool round_trip(void *ctx, const char *endpoint)
{
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    if (pull == NULL || push == NULL) {
        if (pull != NULL)
            zmq_close(pull);
        if (push != NULL)
            zmq_close(push);
        return false;
    }
    test_set_int(pull, ZMQ_LINGER, 0);
    test_set_int(push, ZMQ_LINGER, 0);
    char bound[256];
    bool ok = zmq_bind(pull, endpoint) == 0 &&
              last_endpoint(pull, bound, sizeof bound) &&
              zmq_connect(push, bound) == 0 && test_send(push, "again", 0) &&
              test_recv_is(pull, "again", 5000);
    zmq_close(push);
    zmq_close(pull);
    return ok;
}

/* ---- the fd limit -------------------------------------------------------- */

/* Descriptors taken to exhaust the table: the soft limit is lowered to a
 * little above what is open, then the rest is filled with copies of
 * stdin, so that the next descriptor anyone asks for gets EMFILE. */
struct fd_fill {
    long saved_limit;
    int fds[64];
    int count;
};

static void fill_fds(struct fd_fill *fill)
{
    fill->saved_limit = test_raise_fd_limit(0);
    CU_ASSERT_EQUAL(test_set_fd_limit(test_open_fds() + 16), 0);
    fill->count = 0;
    int fd;
    while (fill->count < 64 && (fd = dup(0)) >= 0)
        fill->fds[fill->count++] = fd;
    CU_ASSERT(fill->count < 64);
    CU_ASSERT_EQUAL(dup(0), -1);
    CU_ASSERT_EQUAL(errno, EMFILE);
}

static void release_fds(struct fd_fill *fill)
{
    while (fill->count > 0)
        close(fill->fds[--fill->count]);
    CU_ASSERT_EQUAL(test_set_fd_limit(fill->saved_limit), 0);
}

/* With no descriptor left: a new context's first socket (its I/O thread
 * needs an epoll and an eventfd) and a new socket (its mailbox) fail with
 * EMFILE, tcp and ipc binds fail with EMFILE, an inproc bind (no
 * descriptor) works. Once descriptors are back, the same contexts work. */
static void test_emfile_calls(void)
{
    void *ctx = zmq_ctx_new();
    void *early = new_socket(ctx, ZMQ_PULL);
    void *fresh_ctx = zmq_ctx_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(fresh_ctx);
    struct fd_fill fill;
    fill_fds(&fill);

    errno = 0;
    CU_ASSERT_PTR_NULL(zmq_socket(ctx, ZMQ_PUSH));
    CU_ASSERT_EQUAL(errno, EMFILE);
    errno = 0;
    CU_ASSERT_PTR_NULL(zmq_socket(fresh_ctx, ZMQ_PUSH));
    CU_ASSERT_EQUAL(errno, EMFILE);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_bind(early, "tcp://127.0.0.1:*"), -1);
    CU_ASSERT_EQUAL(errno, EMFILE);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_bind(early, "ipc://*"), -1);
    CU_ASSERT_EQUAL(errno, EMFILE);
    CU_ASSERT_EQUAL(zmq_bind(early, "inproc://no-descriptor"), 0);

    release_fds(&fill);
    CU_ASSERT_TRUE(round_trip(ctx, "tcp://127.0.0.1:*"));
    CU_ASSERT_TRUE(round_trip(ctx, "ipc://*"));
    CU_ASSERT_TRUE(round_trip(fresh_ctx, "tcp://127.0.0.1:*"));
    void *push = new_socket(ctx, ZMQ_PUSH);
    CU_ASSERT_EQUAL(zmq_connect(push, "inproc://no-descriptor"), 0);
    CU_ASSERT_TRUE(test_send(push, "inproc", 0));
    CU_ASSERT_TRUE(test_recv_is(early, "inproc", 5000));
    zmq_close(push);
    zmq_close(early);
    CU_ASSERT_EQUAL(zmq_ctx_term(fresh_ctx), 0);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* CPU the whole process uses over one second of waiting: a spinning I/O
 * thread takes about all of it. */
static long cpu_ms_over_a_second(void)
{
    long before = test_cpu_ms();
    usleep(1000 * 1000);
    return test_cpu_ms() - before;
}

enum { SPIN_CPU_MS = 250 };

static const uint8_t ready_dealer[] = "\5READY\13Socket-Type\0\0\0\6DEALER";

/* A listener whose accept fails with EMFILE: pending connections wait in
 * the kernel while the I/O thread does not spin, and are taken (and work)
 * once descriptors are back. */
static void test_emfile_accept(void)
{
    void *ctx = zmq_ctx_new();
    void *router = new_socket(ctx, ZMQ_ROUTER);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(router, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    CU_ASSERT_TRUE(last_endpoint(router, endpoint, sizeof endpoint));
    struct sockaddr_in address = { .sin_family = AF_INET };
    address.sin_port = htons((uint16_t) atoi(strrchr(endpoint, ':') + 1));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int client = socket(AF_INET, SOCK_STREAM, 0);
    CU_ASSERT_FATAL(client >= 0);

    struct fd_fill fill;
    fill_fds(&fill);
    /* The kernel completes the connection; the listener cannot take it. */
    CU_ASSERT_EQUAL(
        connect(client, (struct sockaddr *) &address, sizeof address), 0);
    long cpu = cpu_ms_over_a_second();
    test_report("accept at EMFILE: %ld ms of CPU in 1 s", cpu);
    CU_ASSERT(cpu < SPIN_CPU_MS);
    release_fds(&fill);

    CU_ASSERT_TRUE(raw_greet(client, "NULL", false));
    CU_ASSERT_TRUE(raw_send_frame(client, ready_dealer, sizeof ready_dealer - 1,
                                  RAW_FRAME_COMMAND));
    CU_ASSERT_TRUE(raw_send_frame(client, (const uint8_t *) "late", 4, 0));
    char id[256];
    CU_ASSERT(zmq_recv(router, id, sizeof id, 0) > 0);
    CU_ASSERT_TRUE(test_recv_is(router, "late", 5000));
    close(client);
    CU_ASSERT_TRUE(round_trip(ctx, "tcp://127.0.0.1:*"));
    zmq_close(router);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A connect whose socket() fails with EMFILE in the I/O thread: it is
 * retried at ZMQ_RECONNECT_IVL without spinning, and the message queued
 * meanwhile arrives once descriptors are back. */
static void test_emfile_connect(void)
{
    void *ctx = zmq_ctx_new();
    void *pull = new_socket(ctx, ZMQ_PULL);
    void *push = new_socket(ctx, ZMQ_PUSH);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(pull, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    CU_ASSERT_TRUE(last_endpoint(pull, endpoint, sizeof endpoint));

    struct fd_fill fill;
    fill_fds(&fill);
    CU_ASSERT_EQUAL(zmq_connect(push, endpoint), 0);
    CU_ASSERT_TRUE(test_send(push, "queued", 0));
    long cpu = cpu_ms_over_a_second();
    test_report("connect at EMFILE: %ld ms of CPU in 1 s", cpu);
    CU_ASSERT(cpu < SPIN_CPU_MS);
    CU_ASSERT_TRUE(test_recv_nothing(pull, 100));
    release_fds(&fill);

    CU_ASSERT_TRUE(test_recv_is(pull, "queued", 5000));
    zmq_close(push);
    zmq_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ---- allocation failure -------------------------------------------------- */

/* One point of the sweep, in a child: the nth allocation of a sequence of
 * calls fails. */
struct sweep_point {
    const char *reported_by; /* the call that returned ENOMEM, or NULL */
    bool lost;               /* the message did not arrive */
    bool bad;                /* a call failed otherwise than cleanly */
};

/* Whether a call succeeded; a failure must be the armed allocation's,
 * reported once with ENOMEM. */
static bool call_ok(struct sweep_point *point, const char *call, bool ok)
{
    if (ok)
        return true;
    int error = errno;
    if (error == ENOMEM && alloc_fail_fired() && point->reported_by == NULL) {
        point->reported_by = call;
        return false;
    }
    printf("bad: %s failed: %s\n", call, zmq_strerror(error));
    point->bad = true;
    return false;
}

/* The calls of the sweep over endpoint (a wildcard). A call that fails
 * cleanly is made again, and must then succeed. */
static void *run_sequence(struct sweep_point *point, const char *endpoint)
{
    void *ctx = NULL;
    for (int i = 0; i < 2 && ctx == NULL; i++)
        if (!call_ok(point, "zmq_ctx_new", (ctx = zmq_ctx_new()) != NULL) &&
            point->bad)
            return NULL;
    if (ctx == NULL)
        return NULL;
    void *pull = NULL, *push = NULL;
    for (int i = 0; i < 2 && pull == NULL; i++)
        call_ok(point, "zmq_socket",
                (pull = zmq_socket(ctx, ZMQ_PULL)) != NULL);
    for (int i = 0; i < 2 && push == NULL; i++)
        call_ok(point, "zmq_socket",
                (push = zmq_socket(ctx, ZMQ_PUSH)) != NULL);
    if (pull == NULL || push == NULL)
        return ctx;
    int linger = 0, timeout = 2000;
    call_ok(point, "zmq_setsockopt",
            zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof linger) == 0);
    call_ok(point, "zmq_setsockopt",
            zmq_setsockopt(pull, ZMQ_LINGER, &linger, sizeof linger) == 0);
    call_ok(point, "zmq_setsockopt",
            zmq_setsockopt(pull, ZMQ_RCVTIMEO, &timeout, sizeof timeout) == 0);
    bool bound = false, connected = false, sent = false;
    for (int i = 0; i < 2 && !bound; i++)
        bound = call_ok(point, "zmq_bind", zmq_bind(pull, endpoint) == 0);
    char real[256] = "";
    if (bound)
        call_ok(point, "zmq_getsockopt",
                last_endpoint(pull, real, sizeof real));
    for (int i = 0; i < 2 && bound && !connected; i++)
        connected = call_ok(point, "zmq_connect", zmq_connect(push, real) == 0);
    for (int i = 0; i < 2 && connected && !sent; i++)
        sent = call_ok(point, "zmq_send", zmq_send(push, "hello", 5, 0) == 5);
    if (sent) {
        char text[16];
        int size = zmq_recv(pull, text, sizeof text, 0);
        if (size < 0 && errno == ENOMEM)
            call_ok(point, "zmq_recv", false);
        else if (size < 0 && errno == EAGAIN && alloc_fail_fired())
            point->lost = true;
        else if (size != 5)
            call_ok(point, "zmq_recv", false);
    }
    call_ok(point, "zmq_close", zmq_close(push) == 0);
    call_ok(point, "zmq_close", zmq_close(pull) == 0);
    return ctx;
}

/* SIGABRT and SIGALRM (a hang) say what they are and where the failed
 * allocation was, then end the child as they would have. */
static void on_abort(int signal_number)
{
    static const char aborted[] = "aborted\n", hung[] = "hung\n";
    ssize_t rc = signal_number == SIGALRM
                     ? write(STDOUT_FILENO, hung, sizeof hung - 1)
                     : write(STDOUT_FILENO, aborted, sizeof aborted - 1);
    (void) rc;
    if (alloc_fail_fired())
        alloc_fail_write_caller(STDOUT_FILENO);
    signal(signal_number, SIG_DFL);
    raise(signal_number);
}

/* The child of one sweep point: prints what happened, one line each
 * ("reported CALL", "unreported" when no call saw the failure, "lost",
 * "unreached COUNT", "bad ..."), and exits 0 unless something was bad.
 * Its stderr goes to the same pipe, so the core's last words before an
 * abort, and a sanitizer's report, reach the parent. */
static int child_alloc(long n, const char *endpoint)
{
    dup2(STDOUT_FILENO, STDERR_FILENO);
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGABRT, on_abort);
    signal(SIGALRM, on_abort);
    alarm(30); /* a hang ends the child (SIGALRM) */
    /* The first backtrace loads libgcc: not while armed. */
    alloc_fail_arm(1);
    alloc_fail_disarm();
    free(malloc(1));

    struct sweep_point point = { NULL, false, false };
    alloc_fail_arm(n);
    void *ctx = run_sequence(&point, endpoint);
    bool fired = alloc_fail_fired();
    if (ctx != NULL)
        call_ok(&point, "zmq_ctx_term", zmq_ctx_term(ctx) == 0);
    long counted = alloc_fail_disarm();
    fired = fired || alloc_fail_fired();
    if (!fired)
        printf("unreached %ld\n", counted);
    else if (point.reported_by != NULL)
        printf("reported %s\n", point.reported_by);
    else
        printf("unreported\n");
    if (point.lost)
        printf("lost\n");
    /* The failure is gone: a new context and the sequence's calls work. */
    ctx = zmq_ctx_new();
    if (ctx == NULL || !round_trip(ctx, endpoint)) {
        printf("bad: no round trip after the failure\n");
        point.bad = true;
    }
    if (ctx != NULL)
        zmq_ctx_term(ctx);
    return point.bad ? 1 : 0;
}

enum { SWEEP_MAX = 4000 };

/* What a sweep saw, for its report. */
struct sweep_totals {
    long points;
    long reported, unreported, lost;
};

/* Runs point n in a child; false once n is past the sequence's last
 * allocation. */
static bool sweep_point(struct sweep_totals *totals, long n,
                        const char *endpoint)
{
    char number[32];
    snprintf(number, sizeof number, "%ld", n);
    const char *args[] = { "alloc", number, endpoint, NULL };
    struct test_child *child = test_child_start(args);
    CU_ASSERT_PTR_NOT_NULL_FATAL(child);
    char output[4096] = "";
    size_t used = 0;
    bool unreached = false;
    const char *line;
    while ((line = test_child_line(child, 40000)) != NULL) {
        used += (size_t) snprintf(output + used, sizeof output - used,
                                  "      %s\n", line);
        if (used >= sizeof output)
            used = sizeof output - 1;
        if (strncmp(line, "unreached", 9) == 0)
            unreached = true;
        else if (strncmp(line, "reported", 8) == 0)
            totals->reported++;
        else if (strcmp(line, "unreported") == 0)
            totals->unreported++;
        else if (strcmp(line, "lost") == 0)
            totals->lost++;
    }
    int status = test_child_wait(child, 40000);
    if (!unreached)
        totals->points++;
    /* An abort, a hang or a sanitizer's report: the child's output says
     * which, and where the failed allocation was. */
    if (status != 0) {
        printf("\n    point %ld (%s) failed, status %d:\n%s", n, endpoint,
               status, output);
        CU_FAIL("allocation failure not handled cleanly");
    }
    return !unreached;
}

/* Every allocation of socket, setsockopt, bind, connect, send, recv, close
 * and ctx_term over one transport fails in turn, one per child: each call
 * succeeds or fails with ENOMEM (and then works when made again), a
 * failure no call can report (in an I/O thread) at most loses the message
 * in flight, nothing aborts, crashes, hangs or leaks, and a fresh round
 * trip works afterwards. */
static void sweep(const char *endpoint)
{
    struct sweep_totals totals = { 0 };
    long start = test_now_ms();
    for (long n = 1; n <= SWEEP_MAX; n++)
        if (!sweep_point(&totals, n, endpoint))
            break;
    CU_ASSERT(totals.points < SWEEP_MAX);
    test_report("%s: %ld allocations failed in turn in %.1f s: %ld reported "
                "ENOMEM to the caller, %ld met where no call could be told "
                "(an I/O thread, a pipe the peer handed over; the message "
                "was lost %ld times)",
                endpoint, totals.points, (test_now_ms() - start) / 1000.0,
                totals.reported, totals.unreported, totals.lost);
}

static void test_alloc_inproc(void)
{
    sweep("inproc://sweep");
}

static void test_alloc_tcp(void)
{
    sweep("tcp://127.0.0.1:*");
}

static void test_alloc_ipc(void)
{
    sweep("ipc://*");
}

/* ---- the program ------------------------------------------------------- */

int main(int argc, char **argv)
{
    LTDL_SET_PRELOADED_SYMBOLS();
    /* Only the plugins linked in: allocations of a loaded one would not
     * be counted. */
    setenv("MODZMQ_PLUGIN_PATH", "/nonexistent", 1);
    if (test_is_child(argc, argv)) {
        if (strcmp(argv[2], "alloc") == 0 && argc == 5)
            return child_alloc(atol(argv[3]), argv[4]);
        return 99;
    }
    static const struct test_case tests[] = {
        { "EMFILE: socket, bind", test_emfile_calls },
        { "EMFILE: accept does not spin", test_emfile_accept },
        { "EMFILE: connect does not spin", test_emfile_connect },
        { "allocation failure sweep, inproc", test_alloc_inproc },
        { "allocation failure sweep, tcp", test_alloc_tcp },
        { "allocation failure sweep, ipc", test_alloc_ipc },
    };
    return test_run_suite("faults", tests, sizeof tests / sizeof tests[0]);
}
