/*
 * thr: message throughput over any transport and socket pair, public zmq
 * API only.
 *
 * Both ends live in one process, in threads, whatever the transport: the
 * main thread binds the receiving socket to ENDPOINT and reads back the
 * endpoint it really got (ZMQ_LAST_ENDPOINT, so "tcp://127.0.0.1:*" picks a
 * free port); SENDERS threads connect there and send COUNT messages of SIZE
 * bytes between them, each built with zmq_msg_init_size and handed over
 * with zmq_msg_send (so large messages take the allocated path and small
 * ones the inline path). The main thread receives them with zmq_msg_recv
 * and checks each size. The clock (CLOCK_MONOTONIC, not the library's
 * stopwatch) starts when the first message arrives and stops when the last
 * one does, so the figure covers COUNT-1 messages in steady state, without
 * thread start-up and connection.
 *
 * PATTERN names the pair, sender first: push-pull (the default),
 * dealer-router (single-part messages; the ROUTER receives each after its
 * routing-id frame), locked-dealer-router (the same, but several senders
 * share ONE DEALER, each send under a mutex of this program's: what an
 * application must do to share a classic socket between threads),
 * client-server (the thread-safe pair: with several senders they all share
 * ONE CLIENT socket, where the other patterns but locked-dealer-router
 * give each sender a socket of its own), pub-sub (one subscription, to a
 * one-byte topic that each message starts with) and radio-dish (the DISH
 * joins one group, each message carries it; single part). The last two
 * drop what arrives before the subscription or join has reached the
 * sender, and at the high-water mark: so their sender first sends probes,
 * one byte longer than SIZE, until the receiver has seen one (the pipe
 * keeps them ahead of the measured messages, and the receiver skips them),
 * and both high-water marks are 0, unlimited; a message lost anyway ends
 * the run with an error after 10 s without one. With --lossy, for a
 * transport that drops messages under load (norm's congestion control), a
 * loss ends the run instead: once the first message has arrived, the
 * receiver listens for a window of 5 s (or until all COUNT have come),
 * and the figure is delivered messages, ARRIVED-1 over the time from the
 * first arrival to the last. A fixed window, not an idle time, ends the
 * run, so that both libraries get the same time to deliver: libzmq's norm
 * sometimes goes quiet for 3 s and then delivers again. Every socket then
 * closes with linger 0, since what has not arrived in the window is
 * counted lost. When the library lacks a
 * type of the pair (a libzmq without the draft API has no CLIENT, SERVER,
 * RADIO or DISH) the tool says "no TYPE (...)" on stderr and exits with
 * status 3.
 *
 * Payloads are never filled in (but for pub-sub's topic byte): the content
 * is not what is measured. Over inproc the bytes are never read; over ipc
 * and tcp every byte still crosses the socket, encoded and decoded as ZMTP
 * frames.
 *
 * Usage: thr [--curve] [--pattern P] [--senders N] [--rate KBIT] [--lossy]
 *            ENDPOINT [SIZE [COUNT [IO_THREADS]]]
 *        (defaults push-pull, 1 sender, 64, 1000000 and 1; with 2 I/O
 *        threads the sending and the receiving connection of a network
 *        transport each get one; --curve: the receiver is a CURVE server,
 *        the senders its clients; pub-sub needs SIZE >= 1, and several
 *        senders need a pattern that does not drop; --rate: ZMQ_RATE on
 *        every socket, for pgm, epgm and norm, whose default is 100 kbit/s;
 *        --lossy: see above, fewer than 2 arrivals is an error)
 *   e.g. thr inproc://thr, thr ipc:///tmp/dir/thr, thr tcp://127.0.0.1:*,
 *        thr --pattern client-server --senders 2 tcp://127.0.0.1:*,
 *        thr --lossy --pattern pub-sub --rate 2000000 norm://239.1.1.1:5555
 * Output, one line:
 *   tool=thr lib=<mapped libzmq path> version=<x.y.z> transport=T
 *   endpoint=E pattern=P senders=N io_threads=I mechanism=null|curve
 *   size=S count=N elapsed_s=T msgs_per_sec=R mbit_per_sec=M
 * and with --lossy, after those,
 *   arrived=A window_ms=5000 max_gap_ms=G:
 * COUNT messages were sent, A of them arrived in the window, T, R and M are
 * of those A, and G is the longest wait between two of them.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zmq.h"
#include "perf_curve.h"
#include "perf_util.h"
#include "perf_zmq.h"

#define MAX_SENDERS 64
/* pub-sub: the one subscription, and each message's first byte. */
#define TOPIC "p"
/* radio-dish: the one group. */
#define GROUP "perf"
/* How long a lossy pattern's receiver waits for a message before it calls
 * the rest lost. */
#define LOSSY_RCVTIMEO_MS 10000
/* --lossy: how long the receiver listens after the first arrival. Over
 * norm both libraries pause mid-run for up to 1.7 s (NORM's flow control
 * holding its buffer for repairs) and then deliver again, so the window
 * spans several such pauses. */
#define LOSSY_WINDOW_MS 5000
/* --lossy: how often, with no message, the receiver looks at the clock. */
#define LOSSY_POLL_MS 100

/* What a receiver must subscribe to before messages reach it. */
enum subscription { NO_SUBSCRIPTION, ONE_TOPIC, ONE_GROUP };

struct pattern {
    const char *name;
    int sender_type, receiver_type;
    const char *sender_name, *receiver_name;
    bool routed; /* the receiver gets a routing-id frame before each message */
    bool shared; /* all senders share one socket */
    bool locked; /* ...a classic one, each send under a mutex of ours */
    enum subscription subscription;
};

static const struct pattern patterns[] = {
    { "push-pull", ZMQ_PUSH, ZMQ_PULL, "PUSH", "PULL", false, false, false,
      NO_SUBSCRIPTION },
    { "dealer-router", ZMQ_DEALER, ZMQ_ROUTER, "DEALER", "ROUTER", true, false,
      false, NO_SUBSCRIPTION },
    { "locked-dealer-router", ZMQ_DEALER, ZMQ_ROUTER, "DEALER", "ROUTER", true,
      true, true, NO_SUBSCRIPTION },
    { "client-server", ZMQ_CLIENT, ZMQ_SERVER, "CLIENT", "SERVER", false, true,
      false, NO_SUBSCRIPTION },
    { "pub-sub", ZMQ_PUB, ZMQ_SUB, "PUB", "SUB", false, false, false,
      ONE_TOPIC },
    { "radio-dish", ZMQ_RADIO, ZMQ_DISH, "RADIO", "DISH", false, false, false,
      ONE_GROUP },
};

static const struct pattern *pattern_named(const char *name)
{
    for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++)
        if (strcmp(patterns[i].name, name) == 0)
            return &patterns[i];
    fprintf(stderr,
            "unknown pattern '%s' (push-pull, dealer-router,"
            " locked-dealer-router, client-server, pub-sub or radio-dish)\n",
            name);
    exit(2);
}

/* The draft API's group calls, found at run time (perf_draft_function). */
static int (*msg_set_group)(zmq_msg_t *msg, const char *group);
static int (*socket_join)(void *socket, const char *group);

struct sender_args {
    void *ctx;
    const char *endpoint; /* where the receiver really listens */
    const struct pattern *pattern;
    void *shared_socket;   /* the one socket of every sender, or NULL */
    pthread_mutex_t *lock; /* a locked pattern's: held around each send */
    size_t size;
    unsigned long count; /* this sender's share */
    bool curve;
    int rate;           /* ZMQ_RATE (kbit/s), 0 for the library's default */
    atomic_bool *ready; /* set by the receiver once a probe has arrived */
};

static void set_int(void *socket, int option, int value, const char *what)
{
    if (zmq_setsockopt(socket, option, &value, sizeof value) != 0)
        perf_die(what);
}

/* Creates a sending socket of the pattern, connected to the receiver. */
static void *connect_sender(const struct sender_args *a)
{
    const struct pattern *p = a->pattern;
    void *s = perf_socket(a->ctx, p->sender_type, p->sender_name);
    if (p->subscription != NO_SUBSCRIPTION)
        set_int(s, ZMQ_SNDHWM, 0, "zmq_setsockopt(SNDHWM)");
    perf_set_rate(s, a->rate);
    if (a->curve)
        perf_curve_client(s);
    if (zmq_connect(s, a->endpoint) != 0)
        perf_die("zmq_connect");
    return s;
}

/* Sends one single-part message of size bytes, with its topic or group. */
static void send_one(void *s, const struct pattern *p, size_t size)
{
    zmq_msg_t msg;
    if (zmq_msg_init_size(&msg, size) != 0)
        perf_die("zmq_msg_init_size");
    if (p->subscription == ONE_TOPIC)
        memcpy(zmq_msg_data(&msg), TOPIC, 1);
    else if (p->subscription == ONE_GROUP && msg_set_group(&msg, GROUP) != 0)
        perf_die("zmq_msg_set_group");
    if (zmq_msg_send(&msg, s, 0) < 0)
        perf_die("zmq_msg_send");
}

/* Until the receiver has seen one, a probe every millisecond. */
static void send_probes(void *s, const struct sender_args *a)
{
    const struct timespec pause = { 0, 1000000 };
    while (!atomic_load(a->ready)) {
        send_one(s, a->pattern, a->size + 1);
        nanosleep(&pause, NULL);
    }
}

/*
 * Thread body: sends this sender's share, on the shared socket or on one of
 * its own. It returns its own socket unclosed, for the main thread to close
 * once everything has arrived: libzmq 4.3 sometimes loses the last messages
 * queued on an ipc PUSH socket closed right after sending, linger or not,
 * and then the receiver would wait forever.
 */
static void *sender(void *arg)
{
    const struct sender_args *a = arg;
    void *s = a->shared_socket != NULL ? a->shared_socket : connect_sender(a);
    if (a->pattern->subscription != NO_SUBSCRIPTION)
        send_probes(s, a);
    for (unsigned long i = 0; i < a->count; i++) {
        if (a->lock != NULL)
            pthread_mutex_lock(a->lock);
        send_one(s, a->pattern, a->size);
        if (a->lock != NULL)
            pthread_mutex_unlock(a->lock);
    }
    return a->shared_socket != NULL ? NULL : s;
}

/* Receives one message, after its routing-id frame on a ROUTER, and
 * leaves its size in *got; returns false when ZMQ_RCVTIMEO ran out. */
static bool recv_one(void *s, const struct pattern *p, zmq_msg_t *msg,
                     size_t *got)
{
    if (p->routed) {
        if (zmq_msg_recv(msg, s, 0) < 0) {
            if (zmq_errno() == EAGAIN)
                return false;
            perf_die("zmq_msg_recv(routing id)");
        }
        if (!zmq_msg_more(msg)) {
            fprintf(stderr, "a ROUTER message without its body\n");
            exit(1);
        }
    }
    if (zmq_msg_recv(msg, s, 0) < 0) {
        if (zmq_errno() == EAGAIN)
            return false;
        perf_die("zmq_msg_recv");
    }
    *got = zmq_msg_size(msg);
    return true;
}

/* Linger 0: a lossy run's undelivered rest is not waited for. */
static void close_now(void *s, const char *what)
{
    set_int(s, ZMQ_LINGER, 0, "zmq_setsockopt(LINGER)");
    if (zmq_close(s) != 0)
        perf_die(what);
}

/* The receiving socket, bound, subscribed or joined as the pattern asks. */
static void *bind_receiver(void *ctx, const struct pattern *p, bool curve,
                           bool lossy, int rate, const char *where,
                           char *endpoint, size_t len)
{
    void *s = perf_socket(ctx, p->receiver_type, p->receiver_name);
    perf_set_rate(s, rate);
    if (p->subscription != NO_SUBSCRIPTION)
        set_int(s, ZMQ_RCVHWM, 0, "zmq_setsockopt(RCVHWM)");
    if (p->subscription != NO_SUBSCRIPTION || lossy)
        set_int(s, ZMQ_RCVTIMEO, LOSSY_RCVTIMEO_MS, "zmq_setsockopt(RCVTIMEO)");
    if (p->subscription == ONE_TOPIC &&
        zmq_setsockopt(s, ZMQ_SUBSCRIBE, TOPIC, 1) != 0)
        perf_die("zmq_setsockopt(SUBSCRIBE)");
    if (p->subscription == ONE_GROUP) {
        socket_join = perf_draft_function("zmq_join");
        msg_set_group = perf_draft_function("zmq_msg_set_group");
        if (socket_join(s, GROUP) != 0)
            perf_die("zmq_join");
    }
    if (curve)
        perf_curve_server(s);
    perf_bind(s, where, endpoint, len);
    return s;
}

int main(int argc, char **argv)
{
    bool curve = false, lossy = false;
    const struct pattern *p = &patterns[0];
    unsigned long senders = 1;
    int kbit = 0;
    for (;;) {
        const char *value;
        if (perf_take_curve_flag(&argc, &argv))
            curve = true;
        else if ((value = perf_take_option(&argc, &argv, "--pattern")) != NULL)
            p = pattern_named(value);
        else if ((value = perf_take_option(&argc, &argv, "--senders")) != NULL)
            senders = perf_parse_count("senders", value, 1);
        else if ((value = perf_take_option(&argc, &argv, "--rate")) != NULL)
            kbit = (int) perf_parse_count("rate", value, 1);
        else if (argc >= 2 && strcmp(argv[1], "--lossy") == 0) {
            lossy = true;
            argv[1] = argv[0];
            argc--;
            argv++;
        } else
            break;
    }
    if (argc < 2 || argc > 5) {
        fprintf(stderr,
                "usage: %s [--curve] [--pattern P] [--senders N]"
                " [--rate KBIT] [--lossy] ENDPOINT [SIZE [COUNT [IO_THREADS]]]\n",
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
    if (senders > MAX_SENDERS || count < 2 * senders) {
        fprintf(stderr, "bad senders %lu (at most %d, and COUNT/2)\n", senders,
                MAX_SENDERS);
        return 2;
    }
    if (p->subscription != NO_SUBSCRIPTION && senders > 1) {
        fprintf(stderr, "%s takes one sender\n", p->name);
        return 2;
    }
    if (p->subscription == ONE_TOPIC && size < 1) {
        fprintf(stderr, "pub-sub needs SIZE >= 1 (the topic byte)\n");
        return 2;
    }
    /* Each sender sends an equal share. */
    count -= count % senders;

    void *ctx = zmq_ctx_new();
    if (ctx == NULL)
        perf_die("zmq_ctx_new");
    if (zmq_ctx_set(ctx, ZMQ_IO_THREADS, io_threads) != 0)
        perf_die("zmq_ctx_set(ZMQ_IO_THREADS)");
    /* The sender's type first: "no RADIO" says more than "no DISH". */
    void *probe = perf_socket(ctx, p->sender_type, p->sender_name);
    zmq_close(probe);
    char endpoint[256];
    void *receiver =
        bind_receiver(ctx, p, curve, lossy, kbit, argv[1], endpoint,
                      sizeof endpoint);

    atomic_bool ready;
    atomic_init(&ready, false);
    pthread_mutex_t send_lock = PTHREAD_MUTEX_INITIALIZER;
    struct sender_args args[MAX_SENDERS];
    pthread_t threads[MAX_SENDERS];
    for (unsigned long i = 0; i < senders; i++) {
        args[i] =
            (struct sender_args){ ctx,  endpoint,        p,     NULL, NULL,
                                  size, count / senders, curve, kbit, &ready };
        if (p->locked)
            args[i].lock = &send_lock;
        if (p->shared)
            args[i].shared_socket =
                i == 0 ? connect_sender(&args[0]) : args[0].shared_socket;
        if (pthread_create(&threads[i], NULL, sender, &args[i]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            return 1;
        }
    }

    zmq_msg_t msg;
    zmq_msg_init(&msg);
    uint64_t start = 0, last = 0, max_gap = 0;
    const uint64_t window_ns = (uint64_t) LOSSY_WINDOW_MS * 1000000u;
    unsigned long received = 0;
    while (received < count) {
        size_t got = 0;
        if (!recv_one(receiver, p, &msg, &got)) {
            if (lossy && received > 0) {
                if (perf_now_ns() - start >= window_ns)
                    break;
                continue;
            }
            fprintf(stderr, "messages lost: %lu of %lu arrived\n", received,
                    count);
            return 1;
        }
        if (p->subscription != NO_SUBSCRIPTION && got == size + 1) {
            atomic_store(&ready, true);
            continue;
        }
        if (got != size) {
            fprintf(stderr, "message %lu has %zu bytes, expected %zu\n",
                    received, got, size);
            return 1;
        }
        /* The time of each arrival: the last one is known only later. An
         * arrival after the window is not counted. */
        if (lossy) {
            uint64_t now = perf_now_ns();
            if (received > 0 && now - start >= window_ns)
                break;
            if (received > 0 && now - last > max_gap)
                max_gap = now - last;
            last = now;
        }
        if (received++ == 0) {
            /* A lossy run has just read the clock for this arrival. */
            start = lossy ? last : perf_now_ns();
            /* From now on the window's clock is read at least this often. */
            if (lossy)
                set_int(receiver, ZMQ_RCVTIMEO, LOSSY_POLL_MS,
                        "zmq_setsockopt(RCVTIMEO)");
        }
    }
    uint64_t stop = lossy ? last : perf_now_ns();
    zmq_msg_close(&msg);
    if (received < 2) {
        fprintf(stderr, "messages lost: %lu of %lu arrived\n", received,
                count);
        return 1;
    }

    /* Every sender's own socket, then the shared one, then the receiver. */
    for (unsigned long i = 0; i < senders; i++) {
        void *own = NULL;
        pthread_join(threads[i], &own);
        if (own != NULL && lossy)
            close_now(own, "zmq_close(sender)");
        else if (own != NULL && zmq_close(own) != 0)
            perf_die("zmq_close(sender)");
    }
    if (p->shared && lossy)
        close_now(args[0].shared_socket, "zmq_close(shared sender)");
    else if (p->shared && zmq_close(args[0].shared_socket) != 0)
        perf_die("zmq_close(shared sender)");
    if (lossy)
        close_now(receiver, "zmq_close(receiver)");
    else if (zmq_close(receiver) != 0)
        perf_die("zmq_close(receiver)");
    if (zmq_ctx_term(ctx) != 0)
        perf_die("zmq_ctx_term");

    double elapsed = (double) (stop - start) / 1e9;
    if (elapsed <= 0)
        elapsed = 1e-9;
    double rate = (double) (received - 1) / elapsed;
    double mbit = rate * (double) size * 8.0 / 1e6;

    printf("tool=thr ");
    perf_print_lib();
    printf(" transport=%s endpoint=%s pattern=%s senders=%lu io_threads=%d"
           " mechanism=%s size=%zu count=%lu elapsed_s=%.6f msgs_per_sec=%.0f"
           " mbit_per_sec=%.3f",
           transport, endpoint, p->name, senders, io_threads,
           perf_mechanism_name(curve), size, count, elapsed, rate, mbit);
    if (lossy)
        printf(" arrived=%lu window_ms=%d max_gap_ms=%.0f", received,
               LOSSY_WINDOW_MS, (double) max_gap / 1e6);
    printf("\n");
    return 0;
}
