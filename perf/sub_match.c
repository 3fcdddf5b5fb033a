/*
 * sub_match: does the cost of subscription matching grow with the number
 * of subscriptions? Public zmq API only, so that the same source runs on
 * modzmq and on the system libzmq.
 *
 * For each N in 0, 10, 100, 1000, 10000, a PUB and a SUB are connected
 * over inproc; the SUB subscribes to N distinct topics "sensor/NNNNNN/"
 * that no message matches, plus "sensor/000000/", which every message
 * matches. After a probe message shows the PUB has taken in every
 * subscription, COUNT messages "sensor/000000/temperature=21.5" are
 * published and received in batches of BATCH, in one thread: publish a
 * batch, then receive it. Both sides match every message against the N+1
 * prefixes (the PUB to choose its receivers, the SUB to filter). The
 * high-water marks are off, so nothing is dropped, and a batch bounds the
 * memory queued. The clock (CLOCK_MONOTONIC) covers the COUNT messages
 * only; this is repeated REPS times per N, and the median rate reported
 * with the slowest and fastest.
 *
 * Usage: sub_match [COUNT [BATCH [REPS]]]   (defaults 1000000, 500, 5)
 * Output, one line per N:
 *   tool=sub_match lib=<mapped libzmq path> version=<x.y.z>
 *   subscriptions=N count=C reps=R msgs_per_sec=MEDIAN min=MIN max=MAX
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zmq.h"
#include "perf_util.h"
#include "perf_zmq.h"

static const char MESSAGE[] = "sensor/000000/temperature=21.5";
static const char PROBE[] = "sensor/000000/probe";
enum { MAX_REPS = 99 };

static void subscribe(void *sub, const char *topic)
{
    if (zmq_setsockopt(sub, ZMQ_SUBSCRIBE, topic, strlen(topic)) != 0)
        perf_die("zmq_setsockopt(SUBSCRIBE)");
}

/* Publishes the probe until the SUB receives one: the PUB reads the
 * subscriptions of a pipe in order, so it has then seen them all. */
static void wait_for_subscriptions(void *pub, void *sub)
{
    char buf[64];
    for (int attempt = 0; attempt < 10000; attempt++) {
        if (zmq_send(pub, PROBE, sizeof PROBE - 1, 0) < 0)
            perf_die("zmq_send(probe)");
        if (zmq_recv(sub, buf, sizeof buf, ZMQ_DONTWAIT) >= 0) {
            /* Earlier probes cannot still be on their way, but be sure. */
            while (zmq_recv(sub, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
                ;
            return;
        }
        usleep(1000);
    }
    fputs("the PUB never took in the subscriptions\n", stderr);
    exit(1);
}

/* Publishes and receives count messages, batch by batch; seconds taken. */
static double time_messages(void *pub, void *sub, unsigned long count,
                            unsigned long batch)
{
    char buf[64];
    uint64_t start = perf_now_ns();
    for (unsigned long done = 0; done < count;) {
        unsigned long now = count - done < batch ? count - done : batch;
        for (unsigned long i = 0; i < now; i++)
            if (zmq_send(pub, MESSAGE, sizeof MESSAGE - 1, 0) < 0)
                perf_die("zmq_send");
        for (unsigned long i = 0; i < now; i++)
            if (zmq_recv(sub, buf, sizeof buf, 0) != (int) sizeof MESSAGE - 1)
                perf_die("zmq_recv");
        done += now;
    }
    return (double) (perf_now_ns() - start) / 1e9;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *) a, y = *(const double *) b;
    return (x > y) - (x < y);
}

static void run(void *ctx, unsigned long subscriptions, unsigned long count,
                unsigned long batch, unsigned long reps)
{
    /* A fresh endpoint each time: libzmq releases a closed socket's name
     * asynchronously. */
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "inproc://modzmq-perf-sub-match-%lu",
             subscriptions);
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    if (pub == NULL || sub == NULL)
        perf_die("zmq_socket");
    int timeout = 5000;
    if (zmq_setsockopt(sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout) != 0)
        perf_die("zmq_setsockopt(RCVTIMEO)");
    /* No high-water marks: 10,001 subscriptions would not fit the default
     * queue, and libzmq's PUB, which looks at its commands only now and
     * then while sending, would drop messages of a batch. */
    int unlimited = 0;
    if (zmq_setsockopt(pub, ZMQ_SNDHWM, &unlimited, sizeof unlimited) != 0 ||
        zmq_setsockopt(pub, ZMQ_RCVHWM, &unlimited, sizeof unlimited) != 0 ||
        zmq_setsockopt(sub, ZMQ_SNDHWM, &unlimited, sizeof unlimited) != 0 ||
        zmq_setsockopt(sub, ZMQ_RCVHWM, &unlimited, sizeof unlimited) != 0)
        perf_die("zmq_setsockopt(HWM)");
    if (zmq_bind(pub, endpoint) != 0)
        perf_die("zmq_bind");
    if (zmq_connect(sub, endpoint) != 0)
        perf_die("zmq_connect");
    char topic[32];
    for (unsigned long i = 1; i <= subscriptions; i++) {
        snprintf(topic, sizeof topic, "sensor/%06lu/", i);
        subscribe(sub, topic);
    }
    subscribe(sub, "sensor/000000/");
    wait_for_subscriptions(pub, sub);

    double rates[MAX_REPS];
    for (unsigned long rep = 0; rep < reps; rep++) {
        double elapsed = time_messages(pub, sub, count, batch);
        rates[rep] = (double) count / elapsed;
    }
    qsort(rates, reps, sizeof rates[0], compare_doubles);
    printf("tool=sub_match ");
    perf_print_lib();
    printf(" subscriptions=%lu count=%lu reps=%lu msgs_per_sec=%.0f min=%.0f "
           "max=%.0f\n",
           subscriptions, count, reps, rates[reps / 2], rates[0],
           rates[reps - 1]);
    fflush(stdout);
    zmq_close(sub);
    zmq_close(pub);
}

int main(int argc, char **argv)
{
    if (argc > 4) {
        fprintf(stderr, "usage: %s [COUNT [BATCH [REPS]]]\n", argv[0]);
        return 2;
    }
    unsigned long count =
        argc > 1 ? perf_parse_count("COUNT", argv[1], 1) : 1000000;
    unsigned long batch =
        argc > 2 ? perf_parse_count("BATCH", argv[2], 1) : 500;
    unsigned long reps = argc > 3 ? perf_parse_count("REPS", argv[3], 1) : 5;
    if (reps > MAX_REPS) {
        fprintf(stderr, "REPS must be at most %d\n", MAX_REPS);
        return 2;
    }
    static const unsigned long sizes[] = { 0, 10, 100, 1000, 10000 };
    void *ctx = zmq_ctx_new();
    if (ctx == NULL)
        perf_die("zmq_ctx_new");
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
        run(ctx, sizes[i], count, batch, reps);
    zmq_ctx_term(ctx);
    return 0;
}
