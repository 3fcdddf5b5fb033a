/*
 * ZMQ_DEALER: load-balances outgoing messages and fair-queues incoming
 * ones, without touching their envelopes. PROBE_ROUTER sends an empty
 * message to each new peer.
 */
#include "routing.h"
#include "socket.h"

struct dealer_state {
    struct mz_fair_queue fq;
    struct mz_load_balancer lb;
};

static void dealer_init(struct mz_socket *s)
{
    struct dealer_state *state = mz_socket_state(s);
    mz_fq_init(&state->fq, 0);
    mz_lb_init(&state->lb, 1);
}

static void dealer_fini(struct mz_socket *s)
{
    struct dealer_state *state = mz_socket_state(s);
    mz_fq_fini(&state->fq);
    mz_lb_fini(&state->lb);
}

static bool dealer_attach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct dealer_state *state = mz_socket_state(s);
    if (!mz_fq_attach(&state->fq, end))
        return false;
    if (!mz_lb_attach(&state->lb, end)) {
        mz_fq_detach(&state->fq, end);
        return false;
    }
    mz_socket_send_probe(s, end);
    return true;
}

static void dealer_detach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct dealer_state *state = mz_socket_state(s);
    mz_fq_detach(&state->fq, end);
    mz_lb_detach(&state->lb, end);
}

static void dealer_read_activated(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct dealer_state *state = mz_socket_state(s);
    mz_fq_activated(&state->fq, end);
}

static void dealer_write_activated(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct dealer_state *state = mz_socket_state(s);
    mz_lb_activated(&state->lb, end);
}

static int dealer_send(struct mz_socket *s, struct mz_msg *m)
{
    struct dealer_state *state = mz_socket_state(s);
    return mz_lb_send(&state->lb, m, NULL);
}

static int dealer_recv(struct mz_socket *s, struct mz_msg *m)
{
    struct dealer_state *state = mz_socket_state(s);
    return mz_fq_recv(&state->fq, m, NULL);
}

static bool dealer_can_send(struct mz_socket *s)
{
    struct dealer_state *state = mz_socket_state(s);
    return mz_lb_has_out(&state->lb);
}

static bool dealer_can_recv(struct mz_socket *s)
{
    struct dealer_state *state = mz_socket_state(s);
    return mz_fq_has_in(&state->fq);
}

const struct mz_socket_type mz_dealer_type = {
    .type = ZMQ_DEALER,
    .name = "DEALER",
    .state_size = sizeof(struct dealer_state),
    .init = dealer_init,
    .fini = dealer_fini,
    .attach = dealer_attach,
    .detach = dealer_detach,
    .read_activated = dealer_read_activated,
    .write_activated = dealer_write_activated,
    .send = dealer_send,
    .recv = dealer_recv,
    .can_send = dealer_can_send,
    .can_recv = dealer_can_recv,
};
