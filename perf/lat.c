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
 * ROUTER), "client-server" (CLIENT to SERVER, the thread-safe pair) or
 * "pub-sub", for the transports that carry nothing else (pgm, epgm): the
 * timing side's PUB at ENDPOINT reaches the echoing side's SUB, whose PUB
 * answers through the --reply endpoint to a SUB of the timing side. A
 * SUB drops what comes before it has heard its PUB, so the timing side
 * first sends probes, one byte longer than SIZE, until one comes back
 * (the echoing side returns them too, and both skip them); a message lost
 * afterwards ends the run with an error after 10 s. When the library does
 * not offer the requested socket types the tool says "no TYPE (...)" and
 * exits with status 3, so a script can fall back.
 *
 * Usage: lat [--curve] [--pattern P] [--reply ENDPOINT2] [--rate KBIT]
 *            ENDPOINT [SIZE [COUNT [PATTERN]]]
 *        (defaults 64, 100000, pair; the positional PATTERN is the same as
 *        --pattern; --curve: the binding side is a CURVE server, the
 *        echoing side its client; --reply: pub-sub's way back, which it
 *        needs; --rate: ZMQ_RATE on every socket, for pgm, epgm and norm)
 *   e.g. lat inproc://lat, lat ipc:///tmp/dir/lat, lat tcp://127.0.0.1:*,
 *        lat --pattern client-server tcp://127.0.0.1:*,
 *        lat --pattern pub-sub --reply 'epgm://127.0.0.1;239.192.0.2:5556'
 *            --rate 1000000 'epgm://127.0.0.1;239.192.0.1:5555'
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

/* How long pub-sub waits for an echo before it calls the message lost. */
#define LOSSY_RCVTIMEO_MS 10000
/* How long pub-sub's round trips, warm-up and measured, may take in all:
 * over norm at 8 KiB each can take seconds (NORM's congestion control
 * paces the stream at a low rate while the probes' backlog drains). */
#define LOSSY_RUN_MS 60000

/* A socket pair: the timing side, which binds, and the echoing side. A
 * one-way pair (pub-sub) has a second pair of sockets for the way back,
 * of the same two types the other way round. */
struct pattern {
    const char *name;
    int main_type, echo_type;
    const char *main_name, *echo_name;
    bool one_way;
};

static const struct pattern patterns[] = {
    { "pair", ZMQ_PAIR, ZMQ_PAIR, "PAIR", "PAIR", false },
    { "reqrep", ZMQ_REQ, ZMQ_REP, "REQ", "REP", false },
    { "dealer-router", ZMQ_DEALER, ZMQ_ROUTER, "DEALER", "ROUTER", false },
    { "client-server", ZMQ_CLIENT, ZMQ_SERVER, "CLIENT", "SERVER", false },
    { "pub-sub", ZMQ_PUB, ZMQ_SUB, "PUB", "SUB", true },
};

static const struct pattern *pattern_named(const char *name)
{
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
        if (strcmp(patterns[i].name, name) == 0)
            return &patterns[i];
    fprintf(stderr,
            "unknown pattern '%s' (pair, reqrep, dealer-router,"
            " client-server or pub-sub)\n",
            name);
    exit(2);
}

struct echo_args {
    void *ctx;
    const char *endpoint; /* where the main thread's socket really listens */
    const char *reply_endpoint; /* one-way: where its second socket does */
    const struct pattern *pattern;
    size_t size;         /* one-way: a message of another size is a probe */
    unsigned long total; /* warm-up plus timed round trips */
    bool curve;
    int rate;        /* ZMQ_RATE, 0 for the library's default */
    void *reply_out; /* one-way: the echoing side's PUB, left open */
};

/* A SUB that takes everything, lossless up to the memory there is. */
static void *subscriber(void *ctx, int rate)
{
    void *s = perf_socket(ctx, ZMQ_SUB, "SUB");
    int zero = 0, timeout = LOSSY_RCVTIMEO_MS;
    perf_set_rate(s, rate);
    if (zmq_setsockopt(s, ZMQ_RCVHWM, &zero, sizeof zero) != 0 ||
        zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout) != 0 ||
        zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0) != 0)
        perf_die("zmq_setsockopt(SUB)");
    return s;
}

static void *publisher(void *ctx, int rate)
{
    void *s = perf_socket(ctx, ZMQ_PUB, "PUB");
    int zero = 0;
    perf_set_rate(s, rate);
    if (zmq_setsockopt(s, ZMQ_SNDHWM, &zero, sizeof zero) != 0 ||
        zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero) != 0)
        perf_die("zmq_setsockopt(PUB)");
    return s;
}

static int recv_or_die(zmq_msg_t *msg, void *s, const char *what)
{
    int n = zmq_msg_recv(msg, s, 0);
    if (n < 0 && zmq_errno() == EAGAIN) {
        fprintf(stderr, "%s: nothing for %d ms, a message lost\n", what,
                LOSSY_RCVTIMEO_MS);
        exit(1);
    }
    if (n < 0)
        perf_die(what);
    return n;
}

/*
 * Thread body: connects the peer socket and echoes every message. It
 * returns the socket unclosed, for the main thread to close after the last
 * reply has arrived (closing right after a send can lose that message on
 * libzmq 4.3 over ipc; see thr.c).
 */
static void *echo(void *arg)
{
    struct echo_args *a = arg;
    bool one_way = a->pattern->one_way;
    void *in, *out;
    if (one_way) {
        in = subscriber(a->ctx, a->rate);
        out = publisher(a->ctx, a->rate);
        if (zmq_connect(out, a->reply_endpoint) != 0)
            perf_die("zmq_connect(reply)");
        a->reply_out = out;
    } else {
        in = out =
            perf_socket(a->ctx, a->pattern->echo_type, a->pattern->echo_name);
        if (a->curve)
            perf_curve_client(in);
        perf_set_rate(in, a->rate);
    }
    if (zmq_connect(in, a->endpoint) != 0)
        perf_die("zmq_connect");
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    for (unsigned long i = 0; i < a->total;) {
        int n = one_way ? recv_or_die(&msg, in, "zmq_msg_recv(echo)")
                        : zmq_msg_recv(&msg, in, 0);
        if (n < 0)
            perf_die("zmq_msg_recv(echo)");
        bool more = zmq_msg_more(&msg);
        if (zmq_msg_send(&msg, out, more ? ZMQ_SNDMORE : 0) < 0)
            perf_die("zmq_msg_send(echo)");
        if (!more && (!one_way || (size_t) n == a->size))
            i++;
    }
    zmq_msg_close(&msg);
    return in;
}

static void send_size(void *s, size_t size)
{
    zmq_msg_t msg;
    if (zmq_msg_init_size(&msg, size) != 0)
        perf_die("zmq_msg_init_size");
    if (zmq_msg_send(&msg, s, 0) < 0)
        perf_die("zmq_msg_send");
}

/* One-way: a probe a millisecond until one comes back, at most 10 s by
 * the clock as well as by count: on a loaded machine, or with large
 * probes queueing, a round of the loop takes longer than its 1 ms wait.
 * (Over norm the stream of probes is also what lifts NORM's congestion
 * control from its first rate, 64 kbit/s; probes sent less often left a
 * round trip of 8 KiB at over a second in both directions.) */
static void until_heard(void *out, void *in, size_t size)
{
    int wait_ms = 1;
    zmq_msg_t reply;
    zmq_msg_init(&reply);
    if (zmq_setsockopt(in, ZMQ_RCVTIMEO, &wait_ms, sizeof wait_ms) != 0)
        perf_die("zmq_setsockopt(RCVTIMEO)");
    uint64_t give_up = perf_deadline_ns(LOSSY_RCVTIMEO_MS);
    for (int i = 0; i < LOSSY_RCVTIMEO_MS && perf_now_ns() < give_up; i++) {
        send_size(out, size + 1);
        if (zmq_msg_recv(&reply, in, 0) == (int) size + 1) {
            wait_ms = LOSSY_RCVTIMEO_MS;
            zmq_setsockopt(in, ZMQ_RCVTIMEO, &wait_ms, sizeof wait_ms);
            zmq_msg_close(&reply);
            return;
        }
    }
    fprintf(stderr, "no probe came back in %d ms\n", LOSSY_RCVTIMEO_MS);
    exit(1);
}

/* One round trip from the main thread (out and in are one socket but for
 * a one-way pair, whose late probes are skipped: for 10 s at most, since
 * over norm at 8 KiB the thousands of probes until_heard sent can take
 * minutes to drain, which ran the tool past compare.sh's 120 s). A one-way
 * pair's run ends with an error past run_limit; the other pairs read no
 * clock here. */
static void round_trip(void *out, void *in, size_t size, zmq_msg_t *reply,
                       uint64_t run_limit)
{
    uint64_t give_up = 0;
    if (in != out) {
        uint64_t now = perf_now_ns();
        if (now >= run_limit) {
            fprintf(stderr, "round trips still going after %d ms\n",
                    LOSSY_RUN_MS);
            exit(1);
        }
        give_up = now + (uint64_t) LOSSY_RCVTIMEO_MS * 1000000u;
    }
    send_size(out, size);
    while (recv_or_die(reply, in, "zmq_msg_recv") == (int) size + 1 &&
           in != out) {
        if (perf_now_ns() >= give_up) {
            fprintf(stderr, "late probes still arriving after %d ms\n",
                    LOSSY_RCVTIMEO_MS);
            exit(1);
        }
    }
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
    const char *reply_at = NULL;
    int kbit = 0;
    for (;;) {
        const char *value;
        if (perf_take_curve_flag(&argc, &argv))
            curve = true;
        else if ((value = perf_take_option(&argc, &argv, "--pattern")) != NULL)
            p = pattern_named(value);
        else if ((value = perf_take_option(&argc, &argv, "--reply")) != NULL)
            reply_at = value;
        else if ((value = perf_take_option(&argc, &argv, "--rate")) != NULL)
            kbit = (int) perf_parse_count("rate", value, 1);
        else
            break;
    }
    if (argc < 2 || argc > 5) {
        fprintf(stderr,
                "usage: %s [--curve] [--pattern P] [--reply ENDPOINT2]"
                " [--rate KBIT] ENDPOINT [SIZE [COUNT [PATTERN]]]\n",
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
    if (p->one_way && (reply_at == NULL || curve)) {
        fprintf(stderr, "%s needs --reply ENDPOINT2, and takes no --curve\n",
                p->name);
        return 2;
    }

    void *ctx = zmq_ctx_new();
    if (ctx == NULL)
        perf_die("zmq_ctx_new");
    void *s = p->one_way ? publisher(ctx, kbit)
                         : perf_socket(ctx, p->main_type, p->main_name);
    zmq_close(perf_socket(ctx, p->echo_type, p->echo_name));
    if (curve)
        perf_curve_server(s);
    perf_set_rate(s, kbit);
    char endpoint[256], reply_endpoint[256] = "";
    perf_bind(s, argv[1], endpoint, sizeof endpoint);
    void *in = s;
    if (p->one_way) {
        in = subscriber(ctx, kbit);
        perf_bind(in, reply_at, reply_endpoint, sizeof reply_endpoint);
    }

    unsigned long warmup = count / 10 < 1000 ? count / 10 : 1000;
    struct echo_args args = { ctx,   endpoint, reply_endpoint,
                              p,     size,     warmup + count,
                              curve, kbit,     NULL };
    pthread_t thread;
    if (pthread_create(&thread, NULL, echo, &args) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }

    zmq_msg_t reply;
    zmq_msg_init(&reply);
    uint64_t run_limit = 0; /* read by round_trip for one-way pairs only */
    if (p->one_way) {
        until_heard(s, in, size);
        run_limit = perf_deadline_ns(LOSSY_RUN_MS);
    }
    for (unsigned long i = 0; i < warmup; i++)
        round_trip(s, in, size, &reply, run_limit);
    uint64_t start = perf_now_ns();
    for (unsigned long i = 0; i < count; i++)
        round_trip(s, in, size, &reply, run_limit);
    uint64_t stop = perf_now_ns();
    zmq_msg_close(&reply);

    if (p->one_way) {
        /* perf_finish's teardown, with the way back's two sockets. */
        void *echo_in = NULL;
        pthread_join(thread, &echo_in);
        if (zmq_close(echo_in) != 0 || zmq_close(args.reply_out) != 0 ||
            zmq_close(in) != 0 || zmq_close(s) != 0 || zmq_ctx_term(ctx) != 0)
            perf_die("closing");
    } else {
        perf_finish(thread, s, ctx);
    }

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
