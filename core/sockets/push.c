/*
 * ZMQ_PUSH: load-balances whole messages over its peers; never receives.
 */
#include <errno.h>

#include "routing.h"
#include "socket.h"

struct push_state {
    struct mz_load_balancer lb;
};

static void push_init(struct mz_socket *s)
{
    struct push_state *state = mz_socket_state(s);
    mz_lb_init(&state->lb, 0);
}

static void push_fini(struct mz_socket *s)
{
    struct push_state *state = mz_socket_state(s);
    mz_lb_fini(&state->lb);
}

static bool push_attach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct push_state *state = mz_socket_state(s);
    return mz_lb_attach(&state->lb, end);
}

static void push_detach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct push_state *state = mz_socket_state(s);
    mz_lb_detach(&state->lb, end);
}

static void push_write_activated(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct push_state *state = mz_socket_state(s);
    mz_lb_activated(&state->lb, end);
}

static int push_send(struct mz_socket *s, struct mz_msg *m)
{
    struct push_state *state = mz_socket_state(s);
    return mz_lb_send(&state->lb, m, NULL);
}

static int push_recv(struct mz_socket *s, struct mz_msg *m)
{
    (void) s;
    (void) m;
    errno = ENOTSUP;
    return -1;
}

static bool push_can_send(struct mz_socket *s)
{
    struct push_state *state = mz_socket_state(s);
    return mz_lb_has_out(&state->lb);
}

static bool push_can_recv(struct mz_socket *s)
{
    (void) s;
    return false;
}

const struct mz_socket_type mz_push_type = {
    .type = ZMQ_PUSH,
    .name = "PUSH",
    .state_size = sizeof(struct push_state),
    .init = push_init,
    .fini = push_fini,
    .attach = push_attach,
    .detach = push_detach,
    .write_activated = push_write_activated,
    .send = push_send,
    .recv = push_recv,
    .can_send = push_can_send,
    .can_recv = push_can_recv,
};
