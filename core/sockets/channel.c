/*
 * ZMQ_CHANNEL (RFC 52): a thread-safe PAIR of single-part messages. One
 * peer at a time: a second connection is refused while the first lives,
 * as PAIR refuses it. A send blocks in the mute state (the peer's pipe
 * full, or no peer); ZMQ_SNDMORE is refused with EINVAL and a multipart
 * message from the peer is dropped whole, as libzmq 4.3.5 does. The one
 * pipe is read through a fair queue of one, for the dropping of
 * single_part.h.
 */
#include <errno.h>

#include "routing.h"
#include "single_part.h"
#include "socket.h"

struct channel_state {
    struct mz_pipe_end *peer;
    struct mz_fair_queue fq;
};

static void channel_init(struct mz_socket *s)
{
    struct channel_state *state = mz_socket_state(s);
    mz_fq_init(&state->fq, 0);
}

static void channel_fini(struct mz_socket *s)
{
    struct channel_state *state = mz_socket_state(s);
    mz_fq_fini(&state->fq);
}

static bool channel_attach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct channel_state *state = mz_socket_state(s);
    if (state->peer != NULL)
        return false;
    if (!mz_fq_attach(&state->fq, end))
        return false;
    state->peer = end;
    return true;
}

static void channel_detach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct channel_state *state = mz_socket_state(s);
    if (state->peer != end)
        return;
    mz_fq_detach(&state->fq, end);
    state->peer = NULL;
}

static void channel_read_activated(struct mz_socket *s,
                                   struct mz_pipe_end *end)
{
    struct channel_state *state = mz_socket_state(s);
    mz_fq_activated(&state->fq, end);
}

static int channel_send(struct mz_socket *s, struct mz_msg *m)
{
    struct channel_state *state = mz_socket_state(s);
    if (mz_msg_has_more(m)) {
        errno = EINVAL;
        return -1;
    }
    if (state->peer == NULL || !mz_pipe_write(state->peer, m)) {
        errno = EAGAIN;
        return -1;
    }
    mz_pipe_flush(state->peer);
    return 0;
}

static int channel_recv(struct mz_socket *s, struct mz_msg *m)
{
    struct channel_state *state = mz_socket_state(s);
    return mz_single_part_recv(&state->fq, m, NULL);
}

static bool channel_can_send(struct mz_socket *s)
{
    struct channel_state *state = mz_socket_state(s);
    return state->peer != NULL && mz_pipe_check_write(state->peer);
}

static bool channel_can_recv(struct mz_socket *s)
{
    struct channel_state *state = mz_socket_state(s);
    return mz_fq_has_in(&state->fq);
}

const struct mz_socket_type mz_channel_type = {
    .type = ZMQ_CHANNEL,
    .name = "CHANNEL",
    .thread_safe = true,
    .state_size = sizeof(struct channel_state),
    .init = channel_init,
    .fini = channel_fini,
    .attach = channel_attach,
    .detach = channel_detach,
    .read_activated = channel_read_activated,
    .send = channel_send,
    .recv = channel_recv,
    .can_send = channel_can_send,
    .can_recv = channel_can_recv,
};
