/*
 * A socket with nothing to do uses no CPU. Each test leaves a connection
 * in one state (peer reset with the inbound pipe full, on STREAM and on a
 * ZMTP socket; half-open; handshake stalled; reconnect back-off; idle with
 * heartbeats) and measures the process's CPU time over an idle second:
 * more than IDLE_CPU_BOUND_MS means some thread spins. The first finding
 * was STREAM's: a reset peer kept epoll reporting an fd nobody wanted,
 * 1.99 s of CPU in 2 s.
 */
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "raw_zmtp.h"
#include "testutil.h"
#include "zmq.h"

enum {
    IDLE_MS = 1000,
    /* A spinning thread burns the whole second; an idle process a few
     * milliseconds at most, even in a sanitizer build. */
    IDLE_CPU_BOUND_MS = 100,
    FILL_BYTES = 64 << 20, /* the most a filling peer writes */
};

static void *ctx;

static long cpu_ms(void)
{
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000L +
           (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000L;
}

/* CPU milliseconds the process spends over IDLE_MS of this thread
 * sleeping; reported so that a failure says how bad it is. */
static long idle_second_cpu(const char *state)
{
    long before = cpu_ms();
    struct timespec pause = { .tv_sec = IDLE_MS / 1000,
                              .tv_nsec = (IDLE_MS % 1000) * 1000000L };
    nanosleep(&pause, NULL);
    long used = cpu_ms() - before;
    printf("[%s: %ld ms CPU in %d ms] ", state, used, IDLE_MS);
    return used;
}

/* A socket of type bound on tcp with RCVHWM rcvhwm (0: the default). */
static void *bound(int type, int rcvhwm, char *endpoint, size_t size)
{
    void *s = zmq_socket(ctx, type);
    CU_ASSERT_FATAL(s != NULL);
    if (rcvhwm > 0)
        test_set_int(s, ZMQ_RCVHWM, rcvhwm);
    CU_ASSERT_FATAL(zmq_bind(s, "tcp://127.0.0.1:*") == 0);
    CU_ASSERT_FATAL(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0);
    return s;
}

/* Writes until the other side stops reading (the kernel's buffers are
 * full: no write possible for 200 ms), at most FILL_BYTES. */
static bool fill(int fd, const uint8_t *chunk, size_t chunk_size)
{
    for (size_t written = 0; written < FILL_BYTES;) {
        struct pollfd pfd = { .fd = fd, .events = POLLOUT };
        if (poll(&pfd, 1, 200) == 0)
            return true;
        ssize_t n = send(fd, chunk, chunk_size, MSG_DONTWAIT);
        if (n < 0)
            return false;
        written += (size_t) n;
    }
    return false;
}

/* Closes with a reset instead of a FIN. */
static void reset(int fd)
{
    struct linger abort_on_close = { .l_onoff = 1, .l_linger = 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close,
               sizeof abort_on_close);
    close(fd);
}

static void test_stream_reset_with_full_pipe(void)
{
    char endpoint[256];
    void *stream = bound(ZMQ_STREAM, 2, endpoint, sizeof endpoint);

    int fd = raw_connect(endpoint);
    CU_ASSERT_FATAL(fd >= 0);
    static uint8_t chunk[65536];
    CU_ASSERT_TRUE(fill(fd, chunk, sizeof chunk));
    reset(fd);
    CU_ASSERT_TRUE(idle_second_cpu("STREAM, reset, pipe full") <
                   IDLE_CPU_BOUND_MS);
    test_close(stream);
}

static void test_zmtp_reset_with_full_pipe(void)
{
    char endpoint[256];
    void *pull = bound(ZMQ_PULL, 2, endpoint, sizeof endpoint);

    int fd = raw_connect(endpoint);
    CU_ASSERT_FATAL(fd >= 0);
    static const uint8_t ready[] = { 5,   'R', 'E', 'A', 'D', 'Y', 11,  'S',
                                     'o', 'c', 'k', 'e', 't', '-', 'T', 'y',
                                     'p', 'e', 0,   0,   0,   4,   'P', 'U',
                                     'S', 'H' };
    CU_ASSERT_TRUE(raw_greet(fd, "NULL", false));
    CU_ASSERT_TRUE(raw_send_frame(fd, ready, sizeof ready, RAW_FRAME_COMMAND));
    /* Frames with 250-byte bodies, back to back. */
    static uint8_t stream[252 * 400];
    for (size_t i = 0; i < 400; i++)
        stream[i * 252 + 1] = 250;
    CU_ASSERT_TRUE(fill(fd, stream, sizeof stream));
    reset(fd);
    CU_ASSERT_TRUE(idle_second_cpu("ZMTP, reset, pipe full") <
                   IDLE_CPU_BOUND_MS);
    test_close(pull);
}

/* Connected, nothing sent: the greeting waits for HANDSHAKE_IVL. */
static void test_half_open(void)
{
    char endpoint[256];
    void *router = bound(ZMQ_ROUTER, 0, endpoint, sizeof endpoint);
    int fd = raw_connect(endpoint);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_TRUE(idle_second_cpu("half-open") < IDLE_CPU_BOUND_MS);
    close(fd);
    test_close(router);
}

/* The peer's greeting, then silence in the middle of the handshake. */
static void test_handshake_stalled(void)
{
    char endpoint[256];
    void *router = bound(ZMQ_ROUTER, 0, endpoint, sizeof endpoint);
    int fd = raw_connect(endpoint);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_TRUE(raw_greet(fd, "NULL", false));
    CU_ASSERT_TRUE(idle_second_cpu("handshake stalled") < IDLE_CPU_BOUND_MS);
    close(fd);
    test_close(router);
}

/* A connect to a port nobody listens on, retried every 100 ms. */
static void test_reconnect_backoff(void)
{
    char endpoint[256];
    int listener = raw_listen(endpoint, sizeof endpoint);
    CU_ASSERT_FATAL(listener >= 0);
    close(listener); /* the port is now free and refuses */
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    test_set_int(dealer, ZMQ_RECONNECT_IVL, 100);
    CU_ASSERT_TRUE(zmq_connect(dealer, endpoint) == 0);
    CU_ASSERT_TRUE(idle_second_cpu("reconnect back-off") < IDLE_CPU_BOUND_MS);
    test_close(dealer);
}

/* A live connection with nothing to send, pinging every 100 ms. */
static void test_idle_with_heartbeats(void)
{
    char endpoint[256];
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    test_set_int(router, ZMQ_HEARTBEAT_IVL, 100);
    CU_ASSERT_FATAL(zmq_bind(router, "tcp://127.0.0.1:*") == 0);
    size_t size = sizeof endpoint;
    zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, endpoint, &size);
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    test_set_int(dealer, ZMQ_HEARTBEAT_IVL, 100);
    CU_ASSERT_TRUE(zmq_connect(dealer, endpoint) == 0);
    CU_ASSERT_TRUE(test_send(dealer, "hello", 0));
    char id[256];
    CU_ASSERT_TRUE(test_recv(router, id, sizeof id, 3000) > 0);
    CU_ASSERT_TRUE(test_recv_is(router, "hello", 3000));
    CU_ASSERT_TRUE(idle_second_cpu("idle, heartbeats") < IDLE_CPU_BOUND_MS);
    test_close(dealer);
    test_close(router);
}

int main(void)
{
    const struct test_case cases[] = {
        { "STREAM: peer reset while the pipe is full",
          test_stream_reset_with_full_pipe },
        { "ZMTP: peer reset while the pipe is full",
          test_zmtp_reset_with_full_pipe },
        { "half-open connection", test_half_open },
        { "handshake stalled", test_handshake_stalled },
        { "reconnect back-off", test_reconnect_backoff },
        { "idle connection with heartbeats", test_idle_with_heartbeats },
    };
    signal(SIGPIPE, SIG_IGN);
    ctx = zmq_ctx_new();
    int status =
        test_run_suite("idle CPU", cases, sizeof cases / sizeof cases[0]);
    zmq_ctx_term(ctx);
    return status;
}
