/*
 * Counters of sockets and of their peers (modzmq_socket_counters in
 * include/modzmq.h). The counting itself happens on the hot path as plain
 * increments by the thread that owns each pipe end, in mz_pipe_read and
 * mz_pipe_write (drops in the distributor); a socket's counters are the
 * sums over its pipes, those attached and those gone. Here they are only
 * read, on the socket's thread, and published as
 * MODZMQ_EVENT_PEER_COUNTERS when asked and when a peer leaves.
 *
 * An observer asks every socket at once (the counters_request service):
 * each gets a PUBLISH_COUNTERS command and answers on its own thread when
 * it next runs its commands, with MODZMQ_EVENT_SOCKET_COUNTERS and one
 * MODZMQ_EVENT_PEER_COUNTERS per peer. Reading the pipes from the
 * observer's thread instead would race with the socket's increments.
 */
#include <errno.h>
#include <glib.h>
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

/* The socket's counters: those of its pipes gone and of those attached. */
static void socket_sums(const struct mz_socket *s, uint64_t sums[COUNTER_COUNT])
{
    memcpy(sums, s->gone_counters, sizeof s->gone_counters);
    for (unsigned i = 0; i < s->pipes.count; i++) {
        uint64_t values[COUNTER_COUNT];
        pipe_counters(s->pipes.items[i], values);
        for (int k = 0; k < COUNTER_COUNT; k++)
            sums[k] += values[k];
    }
}

static void publish_peers(struct mz_socket *s)
{
    for (unsigned i = 0; i < s->pipes.count; i++) {
        uint64_t values[COUNTER_COUNT];
        pipe_counters(s->pipes.items[i], values);
        publish_peer(s, values, s->pipes.items[i]);
    }
}

/* The sums of modzmq_socket_counters, the socket held. */
static int sum_counters(struct mz_socket *s, struct modzmq_counters *counters,
                        int publish)
{
    if (mz_socket_process_commands(s) < 0)
        return -1;
    uint64_t sums[COUNTER_COUNT];
    socket_sums(s, sums);
    if (publish)
        publish_peers(s);
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

void mz_socket_request_counters(struct mz_socket *s)
{
    if (atomic_exchange_explicit(&s->counters_requested, true,
                                 memory_order_relaxed))
        return;
    mz_socket_post(s, &(struct mz_command){ .type = MZ_CMD_PUBLISH_COUNTERS });
}

/* The endpoints the socket bound (or connected), space separated. */
static char *endpoint_list(const struct mz_socket *s, bool bound)
{
    GString *list = g_string_new(NULL);
    for (unsigned i = 0; i < s->endpoint_count; i++) {
        if (s->endpoints[i].bound != bound)
            continue;
        if (list->len > 0)
            g_string_append_c(list, ' ');
        g_string_append(list, s->endpoints[i].uri);
    }
    return g_string_free(list, FALSE);
}

void mz_socket_publish_counters(struct mz_socket *s)
{
    atomic_store_explicit(&s->counters_requested, false, memory_order_relaxed);
    if (s->events == NULL ||
        !mz_event_wanted(s->events, MODZMQ_EVENT_SOCKET_COUNTERS))
        return;
    /* The five sums, the socket's type, how many peers follow. */
    uint64_t values[COUNTER_COUNT + 2];
    socket_sums(s, values);
    values[COUNTER_COUNT] = (uint64_t) s->type->type;
    values[COUNTER_COUNT + 1] = s->pipes.count;
    char *bound = endpoint_list(s, true);
    char *connected = endpoint_list(s, false);
    mz_event_publish(s->events, MODZMQ_EVENT_SOCKET_COUNTERS, values,
                     COUNTER_COUNT + 2, false, bound, connected);
    g_free(bound);
    g_free(connected);
    publish_peers(s);
}
