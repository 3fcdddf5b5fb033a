/*
 * lat: round-trip latency over any transport, public zmq API only.
 *
 * Both ends live in one process, in two threads, whatever the transport:
 * the main thread binds a socket to ENDPOINT and reads back the endpoint it
 * really got (ZMQ_LAST_ENDPOINT, so "tcp://127.0.0.1:*" picks a free port);
 * a second thread connects its peer there and echoes every message it
 * receives straight back, part by part (the received zmq_msg_t is sent
 * again, no copy; a ROUTER's routing-id frame goes back first, a SERVER's
 * routing id rides on the message). The main thread sends a SIZE-byte
 * message, waits for the echo, checks its size, and repeats COUNT times
 * after a short untimed warm-up. Reported latency is the one-way figure:
 * total time on CLOCK_MONOTONIC divided by 2*COUNT. Payloads are never
 * filled in: the aim is to time the library, not memset; over ipc and tcp
 * the bytes still cross the socket.
 *
 * PATTERN names the pair, the timing (binding) side first: "pair" (PAIR to
 * PAIR, the default), "reqrep" (REQ to REP), "dealer-router" (DEALER to
 * ROUTER) or "client-server" (CLIENT to SERVER, the thread-safe pair). When
 * the library does not offer the requested socket types the tool says
 * "no TYPE (...)" and exits with status 3, so a script can fall back.
 *
 * Usage: lat [--curve] [--pattern P] ENDPOINT [SIZE [COUNT [PATTERN]]]
 *        (defaults 64, 100000, pair; the positional PATTERN is the same as
 *        --pattern; --curve: the binding side is a CURVE server, the
 *        echoing side its client)
 *   e.g. lat inproc://lat, lat ipc:///tmp/dir/lat, lat tcp://127.0.0.1:*,
 *        lat --pattern client-server tcp://127.0.0.1:*
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

/* A socket pair: the timing side, which binds, and the echoing side. */
struct pattern {
    const char *name;
    int main_type, echo_type;
    const char *main_name, *echo_name;
};

static const struct pattern patterns[] = {
    { "pair", ZMQ_PAIR, ZMQ_PAIR, "PAIR", "PAIR" },
    { "reqrep", ZMQ_REQ, ZMQ_REP, "REQ", "REP" },
    { "dealer-router", ZMQ_DEALER, ZMQ_ROUTER, "DEALER", "ROUTER" },
    { "client-server", ZMQ_CLIENT, ZMQ_SERVER, "CLIENT", "SERVER" },
};

static const struct pattern *pattern_named(const char *name)
{
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
        if (strcmp(patterns[i].name, name) == 0)
            return &patterns[i];
    fprintf(stderr,
            "unknown pattern '%s' (pair, reqrep, dealer-router or"
            " client-server)\n",
            name);
    exit(2);
}

struct echo_args {
    void *ctx;
    const char *endpoint; /* where the main thread's socket really listens */
    const struct pattern *pattern;
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
    void *s = perf_socket(a->ctx, a->pattern->echo_type, a->pattern->echo_name);
    if (a->curve)
        perf_curve_client(s);
    if (zmq_connect(s, a->endpoint) != 0)
        perf_die("zmq_connect");
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    for (unsigned long i = 0; i < a->total;) {
        if (zmq_msg_recv(&msg, s, 0) < 0)
            perf_die("zmq_msg_recv(echo)");
        bool more = zmq_msg_more(&msg);
        if (zmq_msg_send(&msg, s, more ? ZMQ_SNDMORE : 0) < 0)
            perf_die("zmq_msg_send(echo)");
        if (!more)
            i++;
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
    bool curve = false;
    const struct pattern *p = &patterns[0];
    for (;;) {
        const char *value;
        if (perf_take_curve_flag(&argc, &argv))
            curve = true;
        else if ((value = perf_take_option(&argc, &argv, "--pattern")) != NULL)
            p = pattern_named(value);
        else
            break;
    }
    if (argc < 2 || argc > 5) {
        fprintf(stderr,
                "usage: %s [--curve] [--pattern P] ENDPOINT"
                " [SIZE [COUNT [PATTERN]]]\n",
                argv[0]);
        return 2;
    }
    char transport[32];
    perf_transport_of(argv[1], transport, sizeof transport);
    size_t size = argc > 2 ? perf_parse_count("size", argv[2], 0) : 64;
    unsigned long count =
        argc > 3 ? perf_parse_count("count", argv[3], 1) : 100000;
    if (argc > 4)
        p = pattern_named(argv[4]);

    void *ctx = zmq_ctx_new();
    if (ctx == NULL)
        perf_die("zmq_ctx_new");
    void *s = perf_socket(ctx, p->main_type, p->main_name);
    zmq_close(perf_socket(ctx, p->echo_type, p->echo_name));
    if (curve)
        perf_curve_server(s);
    char endpoint[256];
    perf_bind(s, argv[1], endpoint, sizeof endpoint);

    unsigned long warmup = count / 10 < 1000 ? count / 10 : 1000;
    struct echo_args args = { ctx, endpoint, p, warmup + count, curve };
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
           transport, endpoint, p->name, perf_mechanism_name(curve), size,
           count, elapsed, latency_us);
    return 0;
}
