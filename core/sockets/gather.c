/*
 * ZMQ_GATHER (RFC 49): thread-safe, single-part messages, fair-queued
 * from the connected SCATTER sockets; a multipart message from a peer is
 * dropped whole. Sending is refused with ENOTSUP, as libzmq 4.3.5 does;
 * GATHER has no mute state of its own: a full pipe holds its SCATTER back.
 */
#include <errno.h>

#include "routing.h"
#include "single_part.h"
#include "socket.h"

struct gather_state {
    struct mz_fair_queue fq;
};

static void gather_init(struct mz_socket *s)
{
    struct gather_state *state = mz_socket_state(s);
    mz_fq_init(&state->fq, 0);
}

static void gather_fini(struct mz_socket *s)
{
    struct gather_state *state = mz_socket_state(s);
    mz_fq_fini(&state->fq);
}

static bool gather_attach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct gather_state *state = mz_socket_state(s);
    return mz_fq_attach(&state->fq, end);
}

static void gather_detach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct gather_state *state = mz_socket_state(s);
    mz_fq_detach(&state->fq, end);
}

static void gather_read_activated(struct mz_socket *s,
                                  struct mz_pipe_end *end)
{
    struct gather_state *state = mz_socket_state(s);
    mz_fq_activated(&state->fq, end);
}

static int gather_send(struct mz_socket *s, struct mz_msg *m)
{
    (void) s;
    (void) m;
    errno = ENOTSUP;
    return -1;
}

static int gather_recv(struct mz_socket *s, struct mz_msg *m)
{
    struct gather_state *state = mz_socket_state(s);
    return mz_single_part_recv(&state->fq, m, NULL);
}

static bool gather_can_send(struct mz_socket *s)
{
    (void) s;
    return false;
}

static bool gather_can_recv(struct mz_socket *s)
{
    struct gather_state *state = mz_socket_state(s);
    return mz_fq_has_in(&state->fq);
}

const struct mz_socket_type mz_gather_type = {
    .type = ZMQ_GATHER,
    .name = "GATHER",
    .thread_safe = true,
    .state_size = sizeof(struct gather_state),
    .init = gather_init,
    .fini = gather_fini,
    .attach = gather_attach,
    .detach = gather_detach,
    .read_activated = gather_read_activated,
    .send = gather_send,
    .recv = gather_recv,
    .can_send = gather_can_send,
    .can_recv = gather_can_recv,
};
