/*
 * ZMQ_XSUB: fair-queues what the publishers send, and sends upstream to
 * every publisher whatever the application sends. Messages starting with
 * byte 1 or 0 are (un)subscriptions: XSUB counts them in its own list, so
 * that a publisher connecting later is sent every subscribed prefix, and
 * passes an unsubscription on only when it removes the last count of its
 * prefix (every one with ZMQ_XSUB_VERBOSE_UNSUBSCRIBE). Other messages go
 * upstream unchanged. Like libzmq's, XSUB delivers everything it receives;
 * SUB (sub.c) is this type with the list used as a filter.
 */
#include "pubsub.h"

static struct mz_xsub_state *xsub_state(struct mz_socket *s)
{
    return mz_socket_state(s);
}

void mz_xsub_init(struct mz_socket *s)
{
    struct mz_xsub_state *state = xsub_state(s);
    mz_fq_init(&state->fq, 0);
    mz_dist_init(&state->dist, 1);
    mz_trie_init(&state->subscriptions);
    mz_msg_init(&state->prefetched);
}

void mz_xsub_fini(struct mz_socket *s)
{
    struct mz_xsub_state *state = xsub_state(s);
    mz_msg_close(&state->prefetched);
    mz_trie_fini(&state->subscriptions);
    mz_dist_fini(&state->dist);
    mz_fq_fini(&state->fq);
}

/* Sends one subscribed prefix to a new publisher; at its HWM the
 * subscription is lost, as one set while the pipe is full would be. */
static void resend_subscription(const unsigned char *prefix, size_t size,
                                void *end)
{
    struct mz_msg m;
    mz_subscription_msg_init(&m, true, prefix, size);
    if (!mz_pipe_write(end, &m))
        mz_msg_close(&m);
}

bool mz_xsub_attach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct mz_xsub_state *state = xsub_state(s);
    if (!mz_fq_attach(&state->fq, end))
        return false;
    if (!mz_dist_attach(&state->dist, end)) {
        mz_fq_detach(&state->fq, end);
        return false;
    }
    mz_trie_apply(&state->subscriptions, resend_subscription, end);
    mz_pipe_flush(end);
    return true;
}

void mz_xsub_detach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct mz_xsub_state *state = xsub_state(s);
    mz_fq_detach(&state->fq, end);
    mz_dist_detach(&state->dist, end);
}

void mz_xsub_read_activated(struct mz_socket *s, struct mz_pipe_end *end)
{
    mz_fq_activated(&xsub_state(s)->fq, end);
}

void mz_xsub_write_activated(struct mz_socket *s, struct mz_pipe_end *end)
{
    mz_dist_activated(&xsub_state(s)->dist, end);
}

/* To every publisher; a publisher at its HWM loses the message. */
static int send_upstream(struct mz_xsub_state *state, struct mz_msg *m)
{
    if (!mz_dist_in_message(&state->dist))
        mz_dist_match_all(&state->dist);
    mz_dist_send(&state->dist, m);
    return 0;
}

int mz_xsub_send(struct mz_socket *s, struct mz_msg *m)
{
    struct mz_xsub_state *state = xsub_state(s);
    const unsigned char *data = mz_msg_data(m);
    size_t size = mz_msg_size(m);
    bool first_part = !state->sending_more;
    state->sending_more = mz_msg_has_more(m);
    if (first_part)
        state->parts_may_subscribe = !state->only_first_subscribe;
    else if (!state->parts_may_subscribe)
        return send_upstream(state, m);

    if (size == 0 || data[0] > 1)
        return send_upstream(state, m);
    /* A subscription makes the following parts candidates too. */
    state->parts_may_subscribe = true;
    if (data[0] == 1) {
        /* Duplicates go up as well: XPUB_VERBOSE peers want to see them. */
        mz_trie_add(&state->subscriptions, data + 1, size - 1);
        return send_upstream(state, m);
    }
    if (mz_trie_rm(&state->subscriptions, data + 1, size - 1) ||
        state->verbose_unsubscribe)
        return send_upstream(state, m);
    mz_msg_close(m);
    mz_msg_init(m);
    return 0;
}

/* Whether a first part passes SUB's filter. */
static bool wanted(struct mz_socket *s, struct mz_msg *m)
{
    struct mz_xsub_state *state = xsub_state(s);
    if (!state->filter)
        return true;
    bool subscribed =
        mz_trie_check(&state->subscriptions, mz_msg_data(m), mz_msg_size(m));
    return subscribed != mz_socket_options(s)->invert_matching;
}

/* Reads whole messages until the first part of a wanted one is in *m;
 * unwanted messages are dropped with all their parts. -1 EAGAIN when
 * nothing wanted is waiting. */
static int receive_wanted(struct mz_socket *s, struct mz_msg *m)
{
    struct mz_xsub_state *state = xsub_state(s);
    for (;;) {
        if (mz_fq_recv(&state->fq, m, NULL) < 0)
            return -1;
        if (wanted(s, m))
            return 0;
        while (mz_msg_has_more(m)) {
            mz_msg_close(m);
            mz_msg_init(m);
            if (mz_fq_recv(&state->fq, m, NULL) < 0)
                break;
        }
        mz_msg_close(m);
        mz_msg_init(m);
    }
}

int mz_xsub_recv(struct mz_socket *s, struct mz_msg *m)
{
    struct mz_xsub_state *state = xsub_state(s);
    if (state->has_prefetched) {
        mz_msg_move(m, &state->prefetched);
        state->has_prefetched = false;
    } else if (state->receiving_more) {
        /* The rest of a message already let through. */
        if (mz_fq_recv(&state->fq, m, NULL) < 0)
            return -1;
    } else if (receive_wanted(s, m) < 0) {
        return -1;
    }
    state->receiving_more = mz_msg_has_more(m);
    return 0;
}

bool mz_xsub_can_recv(struct mz_socket *s)
{
    struct mz_xsub_state *state = xsub_state(s);
    if (state->receiving_more || state->has_prefetched)
        return true;
    state->has_prefetched = receive_wanted(s, &state->prefetched) == 0;
    return state->has_prefetched;
}

static bool xsub_can_send(struct mz_socket *s)
{
    /* (Un)subscriptions can always be sent; a full pipe loses them. */
    (void) s;
    return true;
}

static int xsub_setopt(struct mz_socket *s, int option, const void *value,
                       size_t size)
{
    struct mz_xsub_state *state = xsub_state(s);
    switch (option) {
    case ZMQ_ONLY_FIRST_SUBSCRIBE:
        return mz_pubsub_read_flag(value, size, &state->only_first_subscribe);
    case ZMQ_XSUB_VERBOSE_UNSUBSCRIBE:
        return mz_pubsub_read_flag(value, size, &state->verbose_unsubscribe);
    default:
        return MZ_OPTION_NOT_MINE;
    }
}

int mz_xsub_getopt(struct mz_socket *s, int option, void *value, size_t *size)
{
    if (option != ZMQ_TOPICS_COUNT)
        return MZ_OPTION_NOT_MINE;
    return mz_pubsub_get_count(value, size,
                               xsub_state(s)->subscriptions.prefix_count);
}

const struct mz_socket_type mz_xsub_type = {
    .type = ZMQ_XSUB,
    .name = "XSUB",
    .state_size = sizeof(struct mz_xsub_state),
    .init = mz_xsub_init,
    .fini = mz_xsub_fini,
    .attach = mz_xsub_attach,
    .detach = mz_xsub_detach,
    .read_activated = mz_xsub_read_activated,
    .write_activated = mz_xsub_write_activated,
    .send = mz_xsub_send,
    .recv = mz_xsub_recv,
    .can_send = xsub_can_send,
    .can_recv = mz_xsub_can_recv,
    .setopt = xsub_setopt,
    .getopt = mz_xsub_getopt,
};
