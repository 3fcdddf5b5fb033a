/*
 * Counters of sockets and of their peers (modzmq_socket_counters in
 * include/modzmq.h). The counting itself happens on the hot path as plain
 * increments by the thread that owns each pipe end, in mz_pipe_read and
 * mz_pipe_write (drops in the distributor); a socket's counters are the
 * sums over its pipes, those attached and those gone. Here they are only
 * read, on the socket's thread, and published as
 * MODZMQ_EVENT_PEER_COUNTERS when asked and when a peer leaves.
 */
#include <errno.h>
#include <string.h>

#include "event_bus.h"
#include "modzmq.h"
#include "socket.h"
#include "socket_internal.h"

enum { COUNTER_COUNT = 5 };

/* msgs in, bytes in, msgs out, bytes out, dropped: the event's order. */
static void pipe_counters(const struct mz_pipe_end *end,
                          uint64_t values[COUNTER_COUNT])
{
    values[0] = end->msgs_read;
    values[1] = end->bytes_read;
    values[2] = end->msgs_written;
    values[3] = end->bytes_written;
    values[4] = end->msgs_dropped;
}

static void publish_peer(struct mz_socket *s, const uint64_t *values,
                         const struct mz_pipe_end *end)
{
    if (s->events == NULL ||
        !mz_event_wanted(s->events, MODZMQ_EVENT_PEER_COUNTERS))
        return;
    mz_event_publish(s->events, MODZMQ_EVENT_PEER_COUNTERS, values,
                     COUNTER_COUNT, false, "",
                     end->endpoint != NULL ? end->endpoint : "");
}

void mz_socket_peer_gone(struct mz_socket *s, struct mz_pipe_end *end)
{
    uint64_t values[COUNTER_COUNT];
    pipe_counters(end, values);
    for (int i = 0; i < COUNTER_COUNT; i++)
        s->gone_counters[i] += values[i];
    publish_peer(s, values, end);
}

/* The sums of modzmq_socket_counters, the socket held. */
static int sum_counters(struct mz_socket *s, struct modzmq_counters *counters,
                        int publish_peers)
{
    if (mz_socket_process_commands(s) < 0)
        return -1;
    uint64_t sums[COUNTER_COUNT];
    memcpy(sums, s->gone_counters, sizeof sums);
    for (unsigned i = 0; i < s->pipes.count; i++) {
        const struct mz_pipe_end *end = s->pipes.items[i];
        uint64_t values[COUNTER_COUNT];
        pipe_counters(end, values);
        for (int k = 0; k < COUNTER_COUNT; k++)
            sums[k] += values[k];
        if (publish_peers)
            publish_peer(s, values, end);
    }
    *counters = (struct modzmq_counters){
        .msgs_in = sums[0],
        .bytes_in = sums[1],
        .msgs_out = sums[2],
        .bytes_out = sums[3],
        .msgs_dropped = sums[4],
    };
    return 0;
}

int modzmq_socket_counters(void *socket, struct modzmq_counters *counters,
                           int publish_peers)
{
    if (counters == NULL) {
        errno = mz_socket_is_live(socket) ? EFAULT : ENOTSOCK;
        return -1;
    }
    struct mz_socket *s = mz_socket_call_begin(socket);
    return s ? mz_socket_call_end(s, sum_counters(s, counters, publish_peers))
             : -1;
}
