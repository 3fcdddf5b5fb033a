/*
 * Counters of sockets and of their peers (modzmq_socket_counters in
 * include/modzmq.h). The counting itself happens on the hot path as plain
 * increments by the owning thread: the socket's in mz_socket_send and
 * mz_socket_recv, each pipe end's in mz_pipe_read and mz_pipe_write, and
 * drops in the distributor. Here they are only read, on the socket's
 * thread, and published as MODZMQ_EVENT_PEER_COUNTERS when asked and when
 * a peer leaves.
 */
#include <errno.h>

#include "event_bus.h"
#include "modzmq.h"
#include "socket.h"

static void publish_peer(struct mz_socket *s, const struct mz_pipe_end *end)
{
    if (s->events == NULL ||
        !mz_event_wanted(s->events, MODZMQ_EVENT_PEER_COUNTERS))
        return;
    uint64_t values[5] = { end->msgs_read, end->bytes_read, end->msgs_written,
                           end->bytes_written, end->msgs_dropped };
    mz_event_publish(s->events, MODZMQ_EVENT_PEER_COUNTERS, values, 5, false,
                     "", end->endpoint != NULL ? end->endpoint : "");
}

void mz_socket_peer_gone(struct mz_socket *s, struct mz_pipe_end *end)
{
    s->dropped_by_gone_pipes += end->msgs_dropped;
    publish_peer(s, end);
}

int modzmq_socket_counters(void *socket, struct modzmq_counters *counters,
                           int publish_peers)
{
    struct mz_socket *s = socket;
    if (!mz_socket_is_live(s)) {
        errno = ENOTSOCK;
        return -1;
    }
    if (counters == NULL) {
        errno = EFAULT;
        return -1;
    }
    if (mz_socket_process_commands(s) < 0)
        return -1;
    uint64_t dropped = s->dropped_by_gone_pipes;
    for (unsigned i = 0; i < s->pipes.count; i++) {
        const struct mz_pipe_end *end = s->pipes.items[i];
        dropped += end->msgs_dropped;
        if (publish_peers)
            publish_peer(s, end);
    }
    *counters = (struct modzmq_counters){
        .msgs_in = s->msgs_in,
        .bytes_in = s->bytes_in,
        .msgs_out = s->msgs_out,
        .bytes_out = s->bytes_out,
        .msgs_dropped = dropped,
    };
    return 0;
}
