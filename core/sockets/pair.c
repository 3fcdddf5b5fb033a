/*
 * ZMQ_PAIR: exactly one peer, messages both ways. A second connection is
 * refused while the first lives.
 */
#include <errno.h>

#include "socket.h"

struct pair_state {
    struct mz_pipe_end *peer;
};

static bool pair_attach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct pair_state *state = mz_socket_state(s);
    if (state->peer != NULL)
        return false;
    state->peer = end;
    return true;
}

static void pair_detach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct pair_state *state = mz_socket_state(s);
    if (state->peer == end)
        state->peer = NULL;
}

static int pair_send(struct mz_socket *s, struct mz_msg *m)
{
    struct pair_state *state = mz_socket_state(s);
    if (state->peer == NULL || !mz_pipe_write(state->peer, m)) {
        errno = EAGAIN;
        return -1;
    }
    if (!state->peer->writing_more)
        mz_pipe_flush(state->peer);
    return 0;
}

static int pair_recv(struct mz_socket *s, struct mz_msg *m)
{
    struct pair_state *state = mz_socket_state(s);
    if (state->peer == NULL || !mz_pipe_read(state->peer, m)) {
        errno = EAGAIN;
        return -1;
    }
    return 0;
}

static bool pair_can_send(struct mz_socket *s)
{
    struct pair_state *state = mz_socket_state(s);
    return state->peer != NULL && mz_pipe_check_write(state->peer);
}

static bool pair_can_recv(struct mz_socket *s)
{
    struct pair_state *state = mz_socket_state(s);
    return state->peer != NULL && mz_pipe_check_read(state->peer);
}

const struct mz_socket_type mz_pair_type = {
    .type = ZMQ_PAIR,
    .name = "PAIR",
    .state_size = sizeof(struct pair_state),
    .attach = pair_attach,
    .detach = pair_detach,
    .send = pair_send,
    .recv = pair_recv,
    .can_send = pair_can_send,
    .can_recv = pair_can_recv,
};
