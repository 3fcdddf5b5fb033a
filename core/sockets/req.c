/*
 * ZMQ_REQ: a DEALER held to strict request/reply alternation. Each request
 * goes to the next peer with room, behind an empty delimiter frame (and,
 * with ZMQ_REQ_CORRELATE, a request id frame before that); only a reply
 * from that peer, carrying the same frames, is accepted, and everything
 * else is dropped. ZMQ_REQ_RELAXED lets a new request abandon the one
 * still waiting for its reply.
 */
#include <errno.h>
#include <string.h>

#include "random.h"
#include "routing.h"
#include "socket.h"

struct req_state {
    struct mz_fair_queue fq;
    struct mz_load_balancer lb;
    struct mz_pipe_end *reply_pipe; /* where the request went; NULL: any */
    uint32_t request_id;            /* of the last request, host order */
    bool receiving_reply;           /* a request was sent, its reply is due */
    bool message_begins;            /* the next part starts a message */
    bool correlate;                 /* ZMQ_REQ_CORRELATE */
    bool strict;                    /* not ZMQ_REQ_RELAXED */
};

static void req_init(struct mz_socket *s)
{
    struct req_state *state = mz_socket_state(s);
    mz_fq_init(&state->fq, 0);
    mz_lb_init(&state->lb, 1);
    state->request_id = mz_random_counter_start();
    state->message_begins = true;
    state->strict = true;
}

static void req_fini(struct mz_socket *s)
{
    struct req_state *state = mz_socket_state(s);
    mz_fq_fini(&state->fq);
    mz_lb_fini(&state->lb);
}

static bool req_attach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct req_state *state = mz_socket_state(s);
    if (!mz_fq_attach(&state->fq, end))
        return false;
    if (!mz_lb_attach(&state->lb, end)) {
        mz_fq_detach(&state->fq, end);
        return false;
    }
    mz_socket_send_probe(s, end);
    return true;
}

static void req_detach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct req_state *state = mz_socket_state(s);
    /* As in libzmq, a reply is then taken from whichever peer sends one. */
    if (state->reply_pipe == end)
        state->reply_pipe = NULL;
    mz_fq_detach(&state->fq, end);
    mz_lb_detach(&state->lb, end);
}

static void req_read_activated(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct req_state *state = mz_socket_state(s);
    mz_fq_activated(&state->fq, end);
}

static void req_write_activated(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct req_state *state = mz_socket_state(s);
    mz_lb_activated(&state->lb, end);
}

/* Sends one generated frame of the request's head, noting its pipe. */
static int send_head_frame(struct req_state *state, struct mz_msg *frame)
{
    mz_msg_set_more(frame, true);
    if (mz_lb_send(&state->lb, frame, &state->reply_pipe) < 0) {
        mz_msg_close(frame);
        return -1;
    }
    return 0;
}

/* Starts a request: the optional request id, the delimiter, and the end
 * of any reply still queued, which can no longer be the awaited one. */
static int begin_request(struct req_state *state)
{
    struct mz_msg frame;
    state->reply_pipe = NULL;
    if (state->correlate) {
        state->request_id++;
        mz_msg_init_size(&frame, sizeof state->request_id);
        memcpy(mz_msg_data(&frame), &state->request_id,
               sizeof state->request_id);
        if (send_head_frame(state, &frame) < 0)
            return -1;
    }
    mz_msg_init(&frame);
    if (send_head_frame(state, &frame) < 0)
        return -1;
    state->message_begins = false;
    for (;;) {
        mz_msg_init(&frame);
        if (mz_fq_recv(&state->fq, &frame, NULL) < 0)
            break;
        mz_msg_close(&frame);
    }
    return 0;
}

static int req_send(struct mz_socket *s, struct mz_msg *m)
{
    struct req_state *state = mz_socket_state(s);
    if (state->receiving_reply) {
        if (state->strict) {
            errno = EFSM;
            return -1;
        }
        state->receiving_reply = false;
        state->message_begins = true;
    }
    if (state->message_begins && begin_request(state) < 0)
        return -1;
    bool more = mz_msg_has_more(m);
    if (mz_lb_send(&state->lb, m, NULL) < 0)
        return -1;
    if (!more) {
        state->receiving_reply = true;
        state->message_begins = true;
    }
    return 0;
}

/* Receives the next part that came from the request's pipe, dropping
 * parts from any other. */
static int recv_reply_part(struct req_state *state, struct mz_msg *m)
{
    for (;;) {
        mz_msg_close(m);
        mz_msg_init(m);
        struct mz_pipe_end *from;
        if (mz_fq_recv(&state->fq, m, &from) < 0)
            return -1;
        if (state->reply_pipe == NULL || from == state->reply_pipe)
            return 0;
    }
}

/* Drops the rest of a reply that does not match the request. */
static void skip_reply(struct req_state *state, struct mz_msg *m)
{
    while (mz_msg_has_more(m) && recv_reply_part(state, m) == 0)
        ;
    mz_msg_close(m);
    mz_msg_init(m);
}

static bool is_request_id(const struct req_state *state, struct mz_msg *m)
{
    return mz_msg_has_more(m) && mz_msg_size(m) == sizeof state->request_id &&
           memcmp(mz_msg_data(m), &state->request_id,
                  sizeof state->request_id) == 0;
}

static int req_recv(struct mz_socket *s, struct mz_msg *m)
{
    struct req_state *state = mz_socket_state(s);
    if (!state->receiving_reply) {
        errno = EFSM;
        return -1;
    }
    while (state->message_begins) {
        if (state->correlate) {
            if (recv_reply_part(state, m) < 0)
                return -1;
            if (!is_request_id(state, m)) {
                skip_reply(state, m);
                continue;
            }
        }
        if (recv_reply_part(state, m) < 0)
            return -1;
        if (!mz_msg_has_more(m) || mz_msg_size(m) != 0) {
            skip_reply(state, m);
            continue;
        }
        state->message_begins = false;
    }
    if (recv_reply_part(state, m) < 0)
        return -1;
    if (!mz_msg_has_more(m)) {
        state->receiving_reply = false;
        state->message_begins = true;
    }
    return 0;
}

static bool req_can_send(struct mz_socket *s)
{
    struct req_state *state = mz_socket_state(s);
    if (state->receiving_reply && state->strict)
        return false;
    return mz_lb_has_out(&state->lb);
}

static bool req_can_recv(struct mz_socket *s)
{
    struct req_state *state = mz_socket_state(s);
    return state->receiving_reply && mz_fq_has_in(&state->fq);
}

static int req_setopt(struct mz_socket *s, int option, const void *value,
                      size_t size)
{
    struct req_state *state = mz_socket_state(s);
    if (option != ZMQ_REQ_CORRELATE && option != ZMQ_REQ_RELAXED)
        return MZ_OPTION_NOT_MINE;
    int v;
    if (size != sizeof v) {
        errno = EINVAL;
        return -1;
    }
    memcpy(&v, value, sizeof v);
    if (v < 0) {
        errno = EINVAL;
        return -1;
    }
    if (option == ZMQ_REQ_CORRELATE)
        state->correlate = v != 0;
    else
        state->strict = v == 0;
    return 0;
}

const struct mz_socket_type mz_req_type = {
    .type = ZMQ_REQ,
    .name = "REQ",
    .state_size = sizeof(struct req_state),
    .init = req_init,
    .fini = req_fini,
    .attach = req_attach,
    .detach = req_detach,
    .read_activated = req_read_activated,
    .write_activated = req_write_activated,
    .send = req_send,
    .recv = req_recv,
    .can_send = req_can_send,
    .can_recv = req_can_recv,
    .setopt = req_setopt,
};
