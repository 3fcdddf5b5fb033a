/*
 * thr: message throughput over any transport, public zmq API only.
 *
 * Both ends live in one process, in two threads, whatever the transport:
 * the main thread binds a PULL socket to ENDPOINT and reads back the
 * endpoint it really got (ZMQ_LAST_ENDPOINT, so "tcp://127.0.0.1:*" picks a
 * free port); a second thread connects a PUSH socket there and sends COUNT
 * messages of SIZE bytes, each built with zmq_msg_init_size and handed over
 * with zmq_msg_send (so large messages take the allocated path and small
 * ones the inline path). The main thread receives them with zmq_msg_recv
 * and checks each size. The clock (CLOCK_MONOTONIC, not the library's
 * stopwatch) starts when the first message arrives and stops when the last
 * one does, so the figure covers COUNT-1 messages in steady state, without
 * thread start-up and connection.
 *
 * Payloads are never filled in: the content is not what is measured. Over
 * inproc the bytes are never read; over ipc and tcp every byte still
 * crosses the socket, encoded and decoded as ZMTP frames.
 *
 * Usage: thr [--curve] ENDPOINT [SIZE [COUNT [IO_THREADS]]]
 *        (defaults 64, 1000000 and 1; with 2 I/O threads the sending and
 *        the receiving connection of a network transport each get one;
 *        --curve: the PULL side is a CURVE server, PUSH its client)
 *   e.g. thr inproc://thr, thr ipc:///tmp/dir/thr, thr tcp://127.0.0.1:*
 * Output, one line:
 *   tool=thr lib=<mapped libzmq path> version=<x.y.z> transport=T
 *   endpoint=E pattern=push-pull mechanism=null|curve size=S count=N
 *   elapsed_s=T msgs_per_sec=R mbit_per_sec=M
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "zmq.h"
#include "perf_curve.h"
#include "perf_util.h"
#include "perf_zmq.h"

struct sender_args {
    void *ctx;
    const char *endpoint; /* where the PULL socket really listens */
    size_t size;
    unsigned long count;
    bool curve;
};

/*
 * Thread body: connects a PUSH socket and sends every message. It returns
 * the socket unclosed, for the main thread to close once everything has
 * arrived: libzmq 4.3 sometimes loses the last messages queued on an ipc
 * PUSH socket closed right after sending, linger or not, and then the
 * receiver would wait forever.
 */
static void *sender(void *arg)
{
    const struct sender_args *a = arg;
    void *push = zmq_socket(a->ctx, ZMQ_PUSH);
    if (push == NULL)
        perf_die("zmq_socket(PUSH)");
    if (a->curve)
        perf_curve_client(push);
    if (zmq_connect(push, a->endpoint) != 0)
        perf_die("zmq_connect");
    for (unsigned long i = 0; i < a->count; i++) {
        zmq_msg_t msg;
        if (zmq_msg_init_size(&msg, a->size) != 0)
            perf_die("zmq_msg_init_size");
        if (zmq_msg_send(&msg, push, 0) < 0)
            perf_die("zmq_msg_send");
    }
    return push;
}

int main(int argc, char **argv)
{
    bool curve = perf_take_curve_flag(&argc, &argv);
    if (argc < 2 || argc > 5) {
        fprintf(stderr,
                "usage: %s [--curve] ENDPOINT [SIZE [COUNT [IO_THREADS]]]\n",
                argv[0]);
        return 2;
    }
    char transport[32];
    perf_transport_of(argv[1], transport, sizeof transport);
    size_t size = argc > 2 ? perf_parse_count("size", argv[2], 0) : 64;
    unsigned long count =
        argc > 3 ? perf_parse_count("count", argv[3], 2) : 1000000;

    int io_threads =
        argc > 4 ? (int) perf_parse_count("io_threads", argv[4], 1) : 1;

    void *ctx = zmq_ctx_new();
    if (ctx == NULL)
        perf_die("zmq_ctx_new");
    if (zmq_ctx_set(ctx, ZMQ_IO_THREADS, io_threads) != 0)
        perf_die("zmq_ctx_set(ZMQ_IO_THREADS)");
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    if (pull == NULL)
        perf_die("zmq_socket(PULL)");
    if (curve)
        perf_curve_server(pull);
    char endpoint[256];
    perf_bind(pull, argv[1], endpoint, sizeof endpoint);

    struct sender_args args = { ctx, endpoint, size, count, curve };
    pthread_t thread;
    if (pthread_create(&thread, NULL, sender, &args) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }

    zmq_msg_t msg;
    zmq_msg_init(&msg);
    uint64_t start = 0;
    for (unsigned long i = 0; i < count; i++) {
        if (zmq_msg_recv(&msg, pull, 0) < 0)
            perf_die("zmq_msg_recv");
        if (i == 0)
            start = perf_now_ns();
        if (zmq_msg_size(&msg) != size) {
            fprintf(stderr, "message %lu has %zu bytes, expected %zu\n", i,
                    zmq_msg_size(&msg), size);
            return 1;
        }
    }
    uint64_t stop = perf_now_ns();
    zmq_msg_close(&msg);

    perf_finish(thread, pull, ctx);

    double elapsed = (double) (stop - start) / 1e9;
    if (elapsed <= 0)
        elapsed = 1e-9;
    double rate = (double) (count - 1) / elapsed;
    double mbit = rate * (double) size * 8.0 / 1e6;

    printf("tool=thr ");
    perf_print_lib();
    printf(" transport=%s endpoint=%s pattern=push-pull io_threads=%d"
           " mechanism=%s size=%zu count=%lu elapsed_s=%.6f msgs_per_sec=%.0f"
           " mbit_per_sec=%.3f\n",
           transport, endpoint, io_threads, perf_mechanism_name(curve), size,
           count, elapsed, rate, mbit);
    return 0;
}
