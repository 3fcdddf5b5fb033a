/*
 * handshake: connections per second, each one a full ZMTP handshake with
 * CURVE (or NULL, to see what the mechanism costs), public zmq API only.
 *
 * The main thread binds a ROUTER to ENDPOINT (a CURVE server with
 * --curve) and echoes every message back to its sender. A second thread
 * then, COUNT times in a row: opens a DEALER (the server's CURVE client),
 * connects it, sends one byte and waits for the echo, which can only come
 * once the handshake is over, and closes the socket with linger 0. The
 * figure is COUNT divided by the time of the whole loop on
 * CLOCK_MONOTONIC, after a short untimed warm-up.
 *
 * Usage: handshake [--curve] ENDPOINT [COUNT]   (default 1000)
 *   e.g. handshake --curve tcp://127.0.0.1:*
 * Output, one line:
 *   tool=handshake lib=<mapped libzmq path> version=<x.y.z> transport=T
 *   endpoint=E mechanism=null|curve count=N elapsed_s=T conns_per_sec=R
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "zmq.h"
#include "perf_curve.h"
#include "perf_util.h"
#include "perf_zmq.h"

struct client_args {
    void *ctx;
    const char *endpoint;
    unsigned long warmup, count;
    bool curve;
    uint64_t start, stop; /* around the timed connections */
};

/* One connection: handshake, one round trip, close. */
static void connect_once(const struct client_args *a)
{
    void *dealer = zmq_socket(a->ctx, ZMQ_DEALER);
    if (dealer == NULL)
        perf_die("zmq_socket(DEALER)");
    int zero = 0;
    zmq_setsockopt(dealer, ZMQ_LINGER, &zero, sizeof zero);
    if (a->curve)
        perf_curve_client(dealer);
    if (zmq_connect(dealer, a->endpoint) != 0)
        perf_die("zmq_connect");
    if (zmq_send(dealer, "x", 1, 0) != 1)
        perf_die("zmq_send");
    char reply[8];
    if (zmq_recv(dealer, reply, sizeof reply, 0) != 1) {
        fprintf(stderr, "no echo from the server\n");
        exit(1);
    }
    if (zmq_close(dealer) != 0)
        perf_die("zmq_close(DEALER)");
}

/* Thread body: the warm-up, then the timed connections; ends by sending
 * the server an empty stop message on one more connection. */
static void *client(void *arg)
{
    struct client_args *a = arg;
    for (unsigned long i = 0; i < a->warmup; i++)
        connect_once(a);
    a->start = perf_now_ns();
    for (unsigned long i = 0; i < a->count; i++)
        connect_once(a);
    a->stop = perf_now_ns();
    void *dealer = zmq_socket(a->ctx, ZMQ_DEALER);
    if (dealer == NULL)
        perf_die("zmq_socket(DEALER)");
    if (a->curve)
        perf_curve_client(dealer);
    if (zmq_connect(dealer, a->endpoint) != 0 ||
        zmq_send(dealer, "", 0, 0) != 0)
        perf_die("zmq_send(stop)");
    return dealer;
}

int main(int argc, char **argv)
{
    bool curve = perf_take_curve_flag(&argc, &argv);
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s [--curve] ENDPOINT [COUNT]\n", argv[0]);
        return 2;
    }
    char transport[32];
    perf_transport_of(argv[1], transport, sizeof transport);
    unsigned long count =
        argc > 2 ? perf_parse_count("count", argv[2], 1) : 1000;

    void *ctx = zmq_ctx_new();
    if (ctx == NULL)
        perf_die("zmq_ctx_new");
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    if (router == NULL)
        perf_die("zmq_socket(ROUTER)");
    if (curve)
        perf_curve_server(router);
    char endpoint[256];
    perf_bind(router, argv[1], endpoint, sizeof endpoint);

    struct client_args args = { ctx, endpoint, count / 10 + 1, count, curve,
                                0,   0 };
    pthread_t thread;
    if (pthread_create(&thread, NULL, client, &args) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    /* Echo each one-byte message to its sender until the empty one. The
     * echo of a sender already gone is dropped by ROUTER, as it should. */
    for (;;) {
        char id[256], body[8];
        int id_size = zmq_recv(router, id, sizeof id, 0);
        int body_size = zmq_recv(router, body, sizeof body, 0);
        if (id_size < 0 || body_size < 0)
            perf_die("zmq_recv(ROUTER)");
        if (body_size == 0)
            break;
        if (zmq_send(router, id, (size_t) id_size, ZMQ_SNDMORE) < 0 ||
            zmq_send(router, body, (size_t) body_size, 0) < 0)
            perf_die("zmq_send(ROUTER)");
    }
    perf_finish(thread, router, ctx);

    double elapsed = (double) (args.stop - args.start) / 1e9;
    if (elapsed <= 0)
        elapsed = 1e-9;
    printf("tool=handshake ");
    perf_print_lib();
    printf(" transport=%s endpoint=%s mechanism=%s count=%lu elapsed_s=%.6f"
           " conns_per_sec=%.1f\n",
           transport, endpoint, perf_mechanism_name(curve), count, elapsed,
           (double) count / elapsed);
    return 0;
}
