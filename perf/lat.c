/*
 * lat: round-trip latency over any transport, public zmq API only.
 *
 * Both ends live in one process, in two threads, whatever the transport:
 * the main thread binds a socket to ENDPOINT and reads back the endpoint it
 * really got (ZMQ_LAST_ENDPOINT, so "tcp://127.0.0.1:*" picks a free port);
 * a second thread connects its peer there and echoes every message it
 * receives straight back (the received zmq_msg_t is sent again, no copy). The main thread sends a SIZE-byte message, waits for
 * the echo, checks its size, and repeats COUNT times after a short untimed
 * warm-up. Reported latency is the one-way figure: total time on
 * CLOCK_MONOTONIC divided by 2*COUNT. Payloads are never filled in: the aim
 * is to time the library, not memset; over ipc and tcp the bytes still
 * cross the socket.
 *
 * PATTERN is "pair" (PAIR to PAIR, the default) or "reqrep" (REQ to REP).
 * When the library does not offer the requested socket types the tool says
 * so and exits with status 3, so a script can fall back to "pair".
 *
 * Usage: lat [--curve] ENDPOINT [SIZE [COUNT [PATTERN]]]
 *        (defaults 64, 100000, pair; --curve: the binding side is a CURVE
 *        server, the echoing side its client)
 *   e.g. lat inproc://lat, lat ipc:///tmp/dir/lat, lat tcp://127.0.0.1:*
 * Output, one line:
 *   tool=lat lib=<mapped libzmq path> version=<x.y.z> transport=T
 *   endpoint=E pattern=P mechanism=null|curve size=S count=N elapsed_s=T
 *   latency_us=L
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zmq.h"
#include "perf_curve.h"
#include "perf_util.h"
#include "perf_zmq.h"

#define EXIT_UNSUPPORTED 3

struct echo_args {
    void *ctx;
    const char *endpoint; /* where the main thread's socket really listens */
    int type;
    unsigned long total; /* warm-up plus timed round trips */
    bool curve;
};

/*
 * Thread body: connects the peer socket and echoes every message. It
 * returns the socket unclosed, for the main thread to close after the last
 * reply has arrived (closing right after a send can lose that message on
 * libzmq 4.3 over ipc; see thr.c).
 */
static void *echo(void *arg)
{
    const struct echo_args *a = arg;
    void *s = zmq_socket(a->ctx, a->type);
    if (s == NULL)
        perf_die("zmq_socket(echo)");
    if (a->curve)
        perf_curve_client(s);
    if (zmq_connect(s, a->endpoint) != 0)
        perf_die("zmq_connect");
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    for (unsigned long i = 0; i < a->total; i++) {
        if (zmq_msg_recv(&msg, s, 0) < 0)
            perf_die("zmq_msg_recv(echo)");
        if (zmq_msg_send(&msg, s, 0) < 0)
            perf_die("zmq_msg_send(echo)");
    }
    zmq_msg_close(&msg);
    return s;
}

/* One round trip from the main thread. */
static void round_trip(void *s, size_t size, zmq_msg_t *reply)
{
    zmq_msg_t msg;
    if (zmq_msg_init_size(&msg, size) != 0)
        perf_die("zmq_msg_init_size");
    if (zmq_msg_send(&msg, s, 0) < 0)
        perf_die("zmq_msg_send");
    if (zmq_msg_recv(reply, s, 0) < 0)
        perf_die("zmq_msg_recv");
    if (zmq_msg_size(reply) != size) {
        fprintf(stderr, "reply has %zu bytes, expected %zu\n",
                zmq_msg_size(reply), size);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    bool curve = perf_take_curve_flag(&argc, &argv);
    if (argc < 2 || argc > 5) {
        fprintf(stderr,
                "usage: %s [--curve] ENDPOINT [SIZE [COUNT [pair|reqrep]]]\n",
                argv[0]);
        return 2;
    }
    char transport[32];
    perf_transport_of(argv[1], transport, sizeof transport);
    size_t size = argc > 2 ? perf_parse_count("size", argv[2], 0) : 64;
    unsigned long count =
        argc > 3 ? perf_parse_count("count", argv[3], 1) : 100000;
    const char *pattern = argc > 4 ? argv[4] : "pair";
    int main_type, echo_type;
    if (strcmp(pattern, "pair") == 0) {
        main_type = ZMQ_PAIR;
        echo_type = ZMQ_PAIR;
    } else if (strcmp(pattern, "reqrep") == 0) {
        main_type = ZMQ_REQ;
        echo_type = ZMQ_REP;
    } else {
        fprintf(stderr, "unknown pattern '%s' (pair or reqrep)\n", pattern);
        return 2;
    }

    void *ctx = zmq_ctx_new();
    if (ctx == NULL)
        perf_die("zmq_ctx_new");
    void *s = zmq_socket(ctx, main_type);
    void *probe = s != NULL ? zmq_socket(ctx, echo_type) : NULL;
    if (s == NULL || probe == NULL) {
        fprintf(stderr, "pattern %s unsupported by this library: %s\n", pattern,
                zmq_strerror(zmq_errno()));
        return EXIT_UNSUPPORTED;
    }
    zmq_close(probe);
    if (curve)
        perf_curve_server(s);
    char endpoint[256];
    perf_bind(s, argv[1], endpoint, sizeof endpoint);

    unsigned long warmup = count / 10 < 1000 ? count / 10 : 1000;
    struct echo_args args = { ctx, endpoint, echo_type, warmup + count, curve };
    pthread_t thread;
    if (pthread_create(&thread, NULL, echo, &args) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }

    zmq_msg_t reply;
    zmq_msg_init(&reply);
    for (unsigned long i = 0; i < warmup; i++)
        round_trip(s, size, &reply);
    uint64_t start = perf_now_ns();
    for (unsigned long i = 0; i < count; i++)
        round_trip(s, size, &reply);
    uint64_t stop = perf_now_ns();
    zmq_msg_close(&reply);

    perf_finish(thread, s, ctx);

    double elapsed = (double) (stop - start) / 1e9;
    double latency_us = elapsed * 1e6 / (2.0 * (double) count);

    printf("tool=lat ");
    perf_print_lib();
    printf(" transport=%s endpoint=%s pattern=%s mechanism=%s size=%zu"
           " count=%lu elapsed_s=%.6f latency_us=%.3f\n",
           transport, endpoint, pattern, perf_mechanism_name(curve), size,
           count, elapsed, latency_us);
    return 0;
}
