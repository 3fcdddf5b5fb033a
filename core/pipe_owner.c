/*
 * A socket and a network session as owners of pipe ends (pipe_owner.h),
 * and the events of a pipe's high-water mark, beyond libzmq:
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
#include "pipe_owner.h"
#include "session.h"
#include "socket.h"

/* Publishes a HWM event to source, when someone wants it: value 0 says
 * which direction (1 outbound), value 1 the limit of the pipe's queue. */
static void publish(struct mz_pipe_end *end, struct mz_event_source *source,
                    const char *endpoint, bool outbound, bool reached)
{
    uint64_t id =
        reached ? MODZMQ_EVENT_PIPE_HWM_REACHED : MODZMQ_EVENT_PIPE_HWM_CLEARED;
    if (source == NULL || !mz_event_wanted(source, id))
        return;
    uint64_t values[2] = {
        outbound ? 1 : 0,
        atomic_load_explicit(&end->pipe->hwm[end->side], memory_order_relaxed),
    };
    mz_event_publish(source, id, values, 2, false, "", endpoint);
}

static void socket_post(void *owner, const struct mz_command *cmd)
{
    mz_socket_post(owner, cmd);
}

static void socket_ended(void *owner, struct mz_pipe_end *end)
{
    mz_socket_pipe_ended(owner, end);
}

/* A socket's own end carries what it sends: the outbound direction. */
static void socket_hwm_event(void *owner, struct mz_pipe_end *end, bool reached)
{
    struct mz_socket *s = owner;
    publish(end, mz_socket_event_source(s), end->endpoint, true, reached);
}

static const struct mz_pipe_owner_ops socket_owner = {
    .post = socket_post,
    .ended = socket_ended,
    .hwm_event = socket_hwm_event,
};

static void session_post(void *owner, const struct mz_command *cmd)
{
    mz_session_post(owner, cmd);
}

static void session_ended(void *owner, struct mz_pipe_end *end)
{
    mz_session_pipe_ended(owner, end);
}

/* A session's end writes what arrived from the network: inbound. */
static void session_hwm_event(void *owner, struct mz_pipe_end *end,
                              bool reached)
{
    struct mz_session *session = owner;
    publish(end, mz_session_events(session), mz_session_uri(session), false,
            reached);
}

static const struct mz_pipe_owner_ops session_owner = {
    .post = session_post,
    .ended = session_ended,
    .hwm_event = session_hwm_event,
};

struct mz_pipe *mz_pipe_new(struct mz_socket *owner, uint64_t hwm0,
                            uint64_t hwm1, bool conflate)
{
    struct mz_pipe *pipe = mz_pipe_create(hwm0, hwm1, conflate);
    if (pipe != NULL && owner != NULL) {
        /* Nobody else sees the pipe yet. */
        pipe->end[0].owner_ops = &socket_owner;
        pipe->end[0].owner = owner;
    }
    return pipe;
}

void mz_pipe_set_socket(struct mz_pipe_end *end, struct mz_socket *owner)
{
    mz_pipe_set_owner(end, owner != NULL ? &socket_owner : NULL, owner);
}

void mz_pipe_set_session(struct mz_pipe_end *end, struct mz_session *session)
{
    mz_pipe_set_owner(end, session != NULL ? &session_owner : NULL, session);
}
