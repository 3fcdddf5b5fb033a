/*
 * ZMQ_CLIENT (RFC 41): thread-safe, single-part messages. Sends go round
 * robin to the connected peers (a SERVER each) and block while none can
 * take one (the mute state blocks); receives fair-queue from all of them.
 * ZMQ_SNDMORE is refused with EINVAL; a multipart message from a peer is
 * dropped. The thread safety is the socket base's (socket_guard.c): this
 * file, like every type, runs under the socket's lock.
 */
#include <errno.h>

#include "routing.h"
#include "single_part.h"
#include "socket.h"

struct client_state {
    struct mz_fair_queue fq;
    struct mz_load_balancer lb;
};

static void client_init(struct mz_socket *s)
{
    struct client_state *state = mz_socket_state(s);
    mz_fq_init(&state->fq, 0);
    mz_lb_init(&state->lb, 1);
}

static void client_fini(struct mz_socket *s)
{
    struct client_state *state = mz_socket_state(s);
    mz_fq_fini(&state->fq);
    mz_lb_fini(&state->lb);
}

static bool client_attach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct client_state *state = mz_socket_state(s);
    if (!mz_fq_attach(&state->fq, end))
        return false;
    if (!mz_lb_attach(&state->lb, end)) {
        mz_fq_detach(&state->fq, end);
        return false;
    }
    return true;
}

static void client_detach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct client_state *state = mz_socket_state(s);
    mz_fq_detach(&state->fq, end);
    mz_lb_detach(&state->lb, end);
}

static void client_read_activated(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct client_state *state = mz_socket_state(s);
    mz_fq_activated(&state->fq, end);
}

static void client_write_activated(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct client_state *state = mz_socket_state(s);
    mz_lb_activated(&state->lb, end);
}

static int client_send(struct mz_socket *s, struct mz_msg *m)
{
    struct client_state *state = mz_socket_state(s);
    if (mz_msg_has_more(m)) {
        errno = EINVAL;
        return -1;
    }
    return mz_lb_send(&state->lb, m, NULL);
}

static int client_recv(struct mz_socket *s, struct mz_msg *m)
{
    struct client_state *state = mz_socket_state(s);
    return mz_single_part_recv(&state->fq, m, NULL);
}

static bool client_can_send(struct mz_socket *s)
{
    struct client_state *state = mz_socket_state(s);
    return mz_lb_has_out(&state->lb);
}

static bool client_can_recv(struct mz_socket *s)
{
    struct client_state *state = mz_socket_state(s);
    return mz_fq_has_in(&state->fq);
}

const struct mz_socket_type mz_client_type = {
    .type = ZMQ_CLIENT,
    .name = "CLIENT",
    .thread_safe = true,
    .state_size = sizeof(struct client_state),
    .init = client_init,
    .fini = client_fini,
    .attach = client_attach,
    .detach = client_detach,
    .read_activated = client_read_activated,
    .write_activated = client_write_activated,
    .send = client_send,
    .recv = client_recv,
    .can_send = client_can_send,
    .can_recv = client_can_recv,
};
