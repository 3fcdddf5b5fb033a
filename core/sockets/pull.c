/*
 * ZMQ_PULL: fair-queues whole messages from its peers; never sends.
 */
#include <errno.h>

#include "routing.h"
#include "socket.h"

struct pull_state {
    struct mz_fair_queue fq;
};

static void pull_init(struct mz_socket *s)
{
    struct pull_state *state = mz_socket_state(s);
    mz_fq_init(&state->fq, 0);
}

static void pull_fini(struct mz_socket *s)
{
    struct pull_state *state = mz_socket_state(s);
    mz_fq_fini(&state->fq);
}

static bool pull_attach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct pull_state *state = mz_socket_state(s);
    return mz_fq_attach(&state->fq, end);
}

static void pull_detach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct pull_state *state = mz_socket_state(s);
    mz_fq_detach(&state->fq, end);
}

static void pull_read_activated(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct pull_state *state = mz_socket_state(s);
    mz_fq_activated(&state->fq, end);
}

static int pull_send(struct mz_socket *s, struct mz_msg *m)
{
    (void) s;
    (void) m;
    errno = ENOTSUP;
    return -1;
}

static int pull_recv(struct mz_socket *s, struct mz_msg *m)
{
    struct pull_state *state = mz_socket_state(s);
    return mz_fq_recv(&state->fq, m, NULL);
}

static bool pull_can_send(struct mz_socket *s)
{
    (void) s;
    return false;
}

static bool pull_can_recv(struct mz_socket *s)
{
    struct pull_state *state = mz_socket_state(s);
    return mz_fq_has_in(&state->fq);
}

const struct mz_socket_type mz_pull_type = {
    .type = ZMQ_PULL,
    .name = "PULL",
    .state_size = sizeof(struct pull_state),
    .init = pull_init,
    .fini = pull_fini,
    .attach = pull_attach,
    .detach = pull_detach,
    .read_activated = pull_read_activated,
    .send = pull_send,
    .recv = pull_recv,
    .can_send = pull_can_send,
    .can_recv = pull_can_recv,
};
