/*
 * zmq_socket_monitor, zmq_socket_monitor_versioned and
 * zmq_socket_monitor_pipes_stats.
 *
 * The first two belong to an observer plugin (the monitor plugin, found
 * by the loader): the core checks the socket, finds the plugin and hands
 * the call over. A build or installation without it fails with ENOTSUP
 * and one line on stderr naming the file looked for, and the socket goes
 * on working. The pipe statistics are the core's own: it knows the pipes,
 * and it publishes one ZMQ_EVENT_PIPES_STATS per pipe to whoever wants
 * them.
 */
#include <errno.h>
#include <stdatomic.h>

#include "event_bus.h"
#include "plugin_loader.h"
#include "socket.h"
#include "socket_internal.h"
#include "zmq.h"

/* Hands the call to the monitor plugin, the socket held. */
static int start_monitor(struct mz_socket *s, const char *endpoint,
                         uint64_t events, int event_version, int type)
{
    if (mz_socket_process_commands(s) < 0)
        return -1;
    modzmq_core *core = NULL;
    const struct modzmq_observer_ops *ops = mz_plugin_monitor(&core);
    if (ops == NULL)
        return -1;
    int rc = ops->socket_monitor(core, (modzmq_socket *) s, endpoint, events,
                                 event_version, type);
    if (rc == 0 && endpoint != NULL)
        s->monitored = true;
    return rc;
}

int zmq_socket_monitor_versioned(void *socket, const char *endpoint,
                                 uint64_t events, int event_version, int type)
{
    struct mz_socket *s = mz_socket_call_begin(socket);
    if (s == NULL)
        return -1;
    return mz_socket_call_end(
        s, start_monitor(s, endpoint, events, event_version, type));
}

int zmq_socket_monitor(void *socket, const char *endpoint, int events)
{
    /* The int's bits as libzmq reads them: only the low 16 are events. */
    return zmq_socket_monitor_versioned(
        socket, endpoint, (uint64_t) (uint32_t) events, 1, ZMQ_PAIR);
}

void mz_socket_monitor_stop(struct mz_socket *s)
{
    modzmq_core *core = NULL;
    const struct modzmq_observer_ops *ops = mz_plugin_monitor(&core);
    if (ops != NULL)
        ops->socket_monitor(core, (modzmq_socket *) s, NULL, 0, 0, 0);
    s->monitored = false;
}

/* Messages queued in each direction, as far as this end can tell without
 * asking the peer (libzmq asks it with a command round trip): outbound is
 * what it wrote less what the peer last reported reading, which readers
 * report only in batches and only on pipes with an HWM, so it can be
 * high (unfinished: exact only for a peer that has reported since);
 * inbound is what the peer published and this end has not read, in
 * parts rather than messages. */
static uint64_t outbound_count(const struct mz_pipe_end *end)
{
    uint64_t read = atomic_load_explicit(&end->pipe->msgs_read[end->side],
                                         memory_order_acquire);
    return end->msgs_written > read ? end->msgs_written - read : 0;
}

static uint64_t inbound_count(const struct mz_pipe_end *end)
{
    return mz_queue_backlog(&end->pipe->queue[1 - end->side]);
}

/* One ZMQ_EVENT_PIPES_STATS per pipe, the socket held. */
static int publish_pipes_stats(struct mz_socket *s)
{
    if (mz_socket_process_commands(s) < 0)
        return -1;
    /* As libzmq: EINVAL unless a monitor asked for these events, EAGAIN
     * when there is no pipe to report on. */
    if (!mz_event_wanted(s->events, ZMQ_EVENT_PIPES_STATS)) {
        errno = EINVAL;
        return -1;
    }
    if (s->pipes.count == 0) {
        errno = EAGAIN;
        return -1;
    }
    for (unsigned i = 0; i < s->pipes.count; i++) {
        const struct mz_pipe_end *end = s->pipes.items[i];
        uint64_t values[2] = { outbound_count(end), inbound_count(end) };
        mz_event_publish(s->events, ZMQ_EVENT_PIPES_STATS, values, 2, false, "",
                         end->endpoint != NULL ? end->endpoint : "");
    }
    return 0;
}

int zmq_socket_monitor_pipes_stats(void *socket)
{
    struct mz_socket *s = mz_socket_call_begin(socket);
    return s ? mz_socket_call_end(s, publish_pipes_stats(s)) : -1;
}
