/*
 * ZMQ_SCATTER (RFC 49): thread-safe, single-part messages, sent round
 * robin to the connected GATHER sockets; a send blocks in the mute state
 * (every pipe full, or none at all), as PUSH's does. ZMQ_SNDMORE is
 * refused with EINVAL, receiving with ENOTSUP, as libzmq 4.3.5 does.
 */
#include <errno.h>

#include "routing.h"
#include "socket.h"

struct scatter_state {
    struct mz_load_balancer lb;
};

static void scatter_init(struct mz_socket *s)
{
    struct scatter_state *state = mz_socket_state(s);
    mz_lb_init(&state->lb, 0);
}

static void scatter_fini(struct mz_socket *s)
{
    struct scatter_state *state = mz_socket_state(s);
    mz_lb_fini(&state->lb);
}

static bool scatter_attach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct scatter_state *state = mz_socket_state(s);
    return mz_lb_attach(&state->lb, end);
}

static void scatter_detach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct scatter_state *state = mz_socket_state(s);
    mz_lb_detach(&state->lb, end);
}

static void scatter_write_activated(struct mz_socket *s,
                                    struct mz_pipe_end *end)
{
    struct scatter_state *state = mz_socket_state(s);
    mz_lb_activated(&state->lb, end);
}

static int scatter_send(struct mz_socket *s, struct mz_msg *m)
{
    struct scatter_state *state = mz_socket_state(s);
    if (mz_msg_has_more(m)) {
        errno = EINVAL;
        return -1;
    }
    return mz_lb_send(&state->lb, m, NULL);
}

static int scatter_recv(struct mz_socket *s, struct mz_msg *m)
{
    (void) s;
    (void) m;
    errno = ENOTSUP;
    return -1;
}

static bool scatter_can_send(struct mz_socket *s)
{
    struct scatter_state *state = mz_socket_state(s);
    return mz_lb_has_out(&state->lb);
}

static bool scatter_can_recv(struct mz_socket *s)
{
    (void) s;
    return false;
}

const struct mz_socket_type mz_scatter_type = {
    .type = ZMQ_SCATTER,
    .name = "SCATTER",
    .thread_safe = true,
    .state_size = sizeof(struct scatter_state),
    .init = scatter_init,
    .fini = scatter_fini,
    .attach = scatter_attach,
    .detach = scatter_detach,
    .write_activated = scatter_write_activated,
    .send = scatter_send,
    .recv = scatter_recv,
    .can_send = scatter_can_send,
    .can_recv = scatter_can_recv,
};
