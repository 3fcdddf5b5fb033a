/*
 * ZMQ_REP: a ROUTER held to strict receive/reply alternation. Receiving a
 * request strips its envelope (the routing id and every frame up to and
 * including the empty delimiter) and writes it straight back into the
 * requester's pipe, where the reply then completes it: no copy is kept
 * and replying allocates nothing. A request without a delimiter is
 * dropped whole. Like libzmq's, REP accepts the ROUTER options.
 */
#include <errno.h>

#include "router.h"

struct rep_state {
    struct mz_router router;
    bool sending_reply;  /* a request was received, its reply is due */
    bool request_begins; /* the next part read starts a request */
};

static void rep_init(struct mz_socket *s)
{
    struct rep_state *state = mz_socket_state(s);
    mz_router_init(&state->router, s);
    state->request_begins = true;
}

static void rep_fini(struct mz_socket *s)
{
    struct rep_state *state = mz_socket_state(s);
    mz_router_fini(&state->router);
}

static bool rep_attach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct rep_state *state = mz_socket_state(s);
    return mz_router_attach(&state->router, end);
}

static void rep_detach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct rep_state *state = mz_socket_state(s);
    mz_router_detach(&state->router, end);
}

static void rep_read_activated(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct rep_state *state = mz_socket_state(s);
    mz_router_read_activated(&state->router, end);
}

/* Moves the envelope of the next well-formed request into the reply
 * route. -1 (EAGAIN) when no request is waiting. */
static int take_envelope(struct mz_router *router, struct mz_msg *m)
{
    for (;;) {
        if (mz_router_recv(router, m) < 0) {
            mz_router_rollback(router);
            return -1;
        }
        if (!mz_msg_has_more(m)) {
            /* The request ended before its delimiter: drop it all. */
            mz_msg_close(m);
            mz_msg_init(m);
            mz_router_rollback(router);
            continue;
        }
        bool delimiter = mz_msg_size(m) == 0;
        mz_router_relay(router, m);
        if (delimiter)
            return 0;
    }
}

static int rep_recv(struct mz_socket *s, struct mz_msg *m)
{
    struct rep_state *state = mz_socket_state(s);
    if (state->sending_reply) {
        errno = EFSM;
        return -1;
    }
    if (state->request_begins) {
        if (take_envelope(&state->router, m) < 0)
            return -1;
        state->request_begins = false;
    }
    if (mz_router_recv(&state->router, m) < 0)
        return -1;
    if (!mz_msg_has_more(m)) {
        state->sending_reply = true;
        state->request_begins = true;
    }
    return 0;
}

static int rep_send(struct mz_socket *s, struct mz_msg *m)
{
    struct rep_state *state = mz_socket_state(s);
    if (!state->sending_reply) {
        errno = EFSM;
        return -1;
    }
    bool more = mz_msg_has_more(m);
    /* The envelope opened the route: this never fails, and a requester
     * that has gone simply loses its reply. */
    mz_router_relay(&state->router, m);
    if (!more)
        state->sending_reply = false;
    return 0;
}

static bool rep_can_send(struct mz_socket *s)
{
    struct rep_state *state = mz_socket_state(s);
    return state->sending_reply && mz_router_can_send(&state->router);
}

static bool rep_can_recv(struct mz_socket *s)
{
    struct rep_state *state = mz_socket_state(s);
    return !state->sending_reply && mz_router_can_recv(&state->router);
}

static int rep_setopt(struct mz_socket *s, int option, const void *value,
                      size_t size)
{
    struct rep_state *state = mz_socket_state(s);
    return mz_router_setopt(&state->router, option, value, size);
}

const struct mz_socket_type mz_rep_type = {
    .type = ZMQ_REP,
    .name = "REP",
    .state_size = sizeof(struct rep_state),
    .init = rep_init,
    .fini = rep_fini,
    .attach = rep_attach,
    .detach = rep_detach,
    .read_activated = rep_read_activated,
    .send = rep_send,
    .recv = rep_recv,
    .can_send = rep_can_send,
    .can_recv = rep_can_recv,
    .setopt = rep_setopt,
};
