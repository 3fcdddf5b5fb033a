/*
 * The events of a pipe's high-water mark, beyond libzmq:
 * MODZMQ_EVENT_PIPE_HWM_REACHED when a writer finds the pipe full and
 * MODZMQ_EVENT_PIPE_HWM_CLEARED when it is told there is room again.
 * Both belong to the socket at one end of the pipe: the socket's own end
 * is the outbound direction, a session's end (writing what arrived from
 * the network) the inbound one. They run on the writer's thread, off the
 * hot path (a full pipe), and cost one atomic load when nobody listens.
 */
#include <stdatomic.h>

#include "event_bus.h"
#include "pipe.h"

static void publish(struct mz_pipe_end *end, uint64_t id)
{
    const struct mz_pipe_owner_ops *owner = end->owner_ops;
    if (owner == NULL)
        return;
    struct mz_event_source *source = owner->events(end->owner);
    if (source == NULL || !mz_event_wanted(source, id))
        return;
    bool outbound = owner->outbound;
    const char *endpoint = owner->endpoint(end->owner, end);
    uint64_t values[2] = {
        outbound ? 1 : 0,
        atomic_load_explicit(&end->pipe->hwm[end->side], memory_order_relaxed),
    };
    mz_event_publish(source, id, values, 2, false, "", endpoint);
}

void mz_pipe_hwm_reached(struct mz_pipe_end *end)
{
    end->muted = true;
    publish(end, MODZMQ_EVENT_PIPE_HWM_REACHED);
}

void mz_pipe_hwm_cleared(struct mz_pipe_end *end)
{
    end->muted = false;
    publish(end, MODZMQ_EVENT_PIPE_HWM_CLEARED);
}
