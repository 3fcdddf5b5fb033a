/*
 * ZMQ_XPUB: sends each message to the peers subscribed to a prefix of its
 * first part (the rest of a multipart message follows to the same peers),
 * and hands the application the subscriptions its peers send upstream,
 * plus any other message an XSUB peer sends.
 *
 * By default a subscription is reported only when it is the first to its
 * prefix and an unsubscription only when it is the last; VERBOSE reports
 * every subscription, VERBOSER every unsubscription too. When a peer goes,
 * its prefixes are unsubscribed and reported by the same rule. In MANUAL
 * mode the peers' requests are only reported: the application decides
 * with ZMQ_SUBSCRIBE / ZMQ_UNSUBSCRIBE on this socket what the peer of the
 * notice it received last gets. A peer at its high-water mark loses
 * messages, unless NODROP makes send wait (EAGAIN) until all can take it.
 *
 * PUB (pub.c) is this type with nothing for the application to receive.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "pubsub.h"

static struct mz_xpub_state *xpub_state(struct mz_socket *s)
{
    return mz_socket_state(s);
}

/* PUB keeps neither notices nor upstream messages. */
static bool delivers_to_application(const struct mz_socket *s)
{
    return mz_socket_zmq_type(s) == ZMQ_XPUB;
}

void mz_xpub_init(struct mz_socket *s)
{
    struct mz_xpub_state *state = xpub_state(s);
    mz_dist_init(&state->dist, 0);
    mz_mtrie_init(&state->subscriptions);
    mz_mtrie_init(&state->requested);
    mz_msg_init(&state->welcome);
    state->lossy = true;
}

void mz_xpub_fini(struct mz_socket *s)
{
    struct mz_xpub_state *state = xpub_state(s);
    for (unsigned i = 0; i < state->pending_count; i++) {
        unsigned slot = (state->pending_head + i) % state->pending_capacity;
        mz_msg_close(&state->pending[slot].msg);
    }
    free(state->pending);
    mz_msg_close(&state->welcome);
    mz_mtrie_fini(&state->requested);
    mz_mtrie_fini(&state->subscriptions);
    mz_dist_fini(&state->dist);
}

/* Queues *m (taken, left empty) for the application. */
static void pending_push(struct mz_xpub_state *state, struct mz_msg *m,
                         struct mz_pipe_end *from, bool is_notice)
{
    if (state->pending_count == state->pending_capacity) {
        unsigned capacity =
            state->pending_capacity ? state->pending_capacity * 2 : 16;
        struct mz_xpub_pending *pending = malloc(capacity * sizeof *pending);
        if (pending == NULL) {
            fputs("modzmq: out of memory queueing a subscription\n", stderr);
            abort();
        }
        /* Unwrap the ring into the new array. */
        for (unsigned i = 0; i < state->pending_count; i++)
            pending[i] = state->pending[(state->pending_head + i) %
                                        state->pending_capacity];
        free(state->pending);
        state->pending = pending;
        state->pending_capacity = capacity;
        state->pending_head = 0;
    }
    unsigned slot =
        (state->pending_head + state->pending_count) % state->pending_capacity;
    struct mz_xpub_pending *entry = &state->pending[slot];
    mz_msg_init(&entry->msg);
    mz_msg_move(&entry->msg, m);
    entry->from = from;
    entry->is_notice = is_notice;
    state->pending_count++;
}

/* Applies one (un)subscription from a peer; true when the application is
 * to be told about it. */
static bool apply_request(struct mz_xpub_state *state, struct mz_pipe_end *end,
                          bool subscribe, const unsigned char *prefix,
                          size_t size)
{
    if (state->manual) {
        /* Only remembered; the application decides what to apply. */
        if (subscribe)
            mz_mtrie_add(&state->requested, prefix, size, end);
        else
            mz_mtrie_rm(&state->requested, prefix, size, end);
        return true;
    }
    if (subscribe)
        return mz_mtrie_add(&state->subscriptions, prefix, size, end) ||
               state->verbose_subscribe;
    return mz_mtrie_rm(&state->subscriptions, prefix, size, end) !=
               MZ_MTRIE_OTHERS_REMAIN ||
           state->verbose_unsubscribe;
}

/* Reads everything the peer sent: (un)subscriptions, and messages for the
 * application. With ZMQ_ONLY_FIRST_SUBSCRIBE, the parts after a first part
 * that was not a subscription are never taken for one. */
static void read_requests(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct mz_xpub_state *state = xpub_state(s);
    bool keep = delivers_to_application(s);
    struct mz_msg m;
    mz_msg_init(&m);
    while (mz_pipe_read(end, &m)) {
        const unsigned char *data = mz_msg_data(&m);
        size_t size = mz_msg_size(&m);
        bool first_part = !state->receiving_more;
        state->receiving_more = mz_msg_has_more(&m);
        bool is_request = (first_part || state->parts_may_subscribe) &&
                          size > 0 && (data[0] == 0 || data[0] == 1);
        if (first_part)
            state->parts_may_subscribe =
                !state->only_first_subscribe || is_request;
        if (!is_request) {
            if (keep)
                pending_push(state, &m, end, false);
            else
                mz_msg_close(&m);
            continue;
        }
        if (apply_request(state, end, data[0] == 1, data + 1, size - 1) &&
            keep) {
            /* The request is already in the form the application gets. */
            mz_msg_set_more(&m, false);
            pending_push(state, &m, end, true);
        } else {
            mz_msg_close(&m);
        }
    }
}

bool mz_xpub_attach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct mz_xpub_state *state = xpub_state(s);
    if (!mz_dist_attach(&state->dist, end))
        return false;
    if (mz_msg_size(&state->welcome) > 0) {
        struct mz_msg welcome;
        mz_msg_init(&welcome);
        mz_msg_copy(&welcome, &state->welcome);
        /* A new pipe always has room for its first message. */
        if (mz_pipe_write(end, &welcome))
            mz_pipe_flush(end);
        else
            mz_msg_close(&welcome);
    }
    /* The peer may have subscribed before the pipe got here. */
    read_requests(s, end);
    return true;
}

/* Queues an unsubscription notice for a prefix of a departed peer. Its
 * pipe is gone: receiving it leaves manual mode without a last pipe. */
static void queue_departure(struct mz_socket *s, const unsigned char *prefix,
                            size_t size)
{
    struct mz_msg notice;
    mz_subscription_msg_init(&notice, false, prefix, size);
    pending_push(xpub_state(s), &notice, NULL, true);
}

static void report_departure(const unsigned char *prefix, size_t size,
                             bool was_last, void *socket)
{
    struct mz_socket *s = socket;
    if (was_last || xpub_state(s)->verbose_unsubscribe)
        queue_departure(s, prefix, size);
}

static void report_manual_departure(const unsigned char *prefix, size_t size,
                                    bool was_last, void *socket)
{
    (void) was_last;
    queue_departure(socket, prefix, size);
}

void mz_xpub_detach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct mz_xpub_state *state = xpub_state(s);
    mz_dist_detach(&state->dist, end);
    /* A closing socket skips the bookkeeping: fini frees it all. */
    if (!mz_socket_is_live(s))
        return;
    bool report = delivers_to_application(s);
    if (state->manual) {
        mz_mtrie_rm_pipe(&state->requested, end,
                         report ? report_manual_departure : NULL, s);
        mz_mtrie_rm_pipe(&state->subscriptions, end, NULL, NULL);
    } else {
        mz_mtrie_rm_pipe(&state->subscriptions, end,
                         report ? report_departure : NULL, s);
    }
    for (unsigned i = 0; i < state->pending_count; i++) {
        struct mz_xpub_pending *entry =
            &state
                 ->pending[(state->pending_head + i) % state->pending_capacity];
        if (entry->from == end)
            entry->from = NULL;
    }
    if (state->last_pipe == end)
        state->last_pipe = NULL;
}

void mz_xpub_read_activated(struct mz_socket *s, struct mz_pipe_end *end)
{
    read_requests(s, end);
}

void mz_xpub_write_activated(struct mz_socket *s, struct mz_pipe_end *end)
{
    mz_dist_activated(&xpub_state(s)->dist, end);
}

static void match_pipe(struct mz_pipe_end *end, void *dist)
{
    mz_dist_match(dist, end);
}

/* ZMQ_XPUB_MANUAL_LAST_VALUE: only the last pipe, if it is subscribed. */
static void match_last_pipe(struct mz_pipe_end *end, void *state_arg)
{
    struct mz_xpub_state *state = state_arg;
    if (end == state->last_pipe)
        mz_dist_match(&state->dist, end);
}

int mz_xpub_send(struct mz_socket *s, struct mz_msg *m)
{
    struct mz_xpub_state *state = xpub_state(s);
    bool more = mz_msg_has_more(m);
    if (!state->sending_more) {
        const unsigned char *data = mz_msg_data(m);
        size_t size = mz_msg_size(m);
        mz_dist_unmatch(&state->dist);
        if (state->manual && state->last_value && state->last_pipe != NULL) {
            mz_mtrie_match(&state->subscriptions, data, size, match_last_pipe,
                           state);
            state->last_pipe = NULL;
        } else {
            mz_mtrie_match(&state->subscriptions, data, size, match_pipe,
                           &state->dist);
        }
        if (mz_socket_options(s)->invert_matching)
            mz_dist_reverse_match(&state->dist);
    }
    if (!state->lossy && !mz_dist_matching_can_write(&state->dist)) {
        errno = EAGAIN;
        return -1;
    }
    mz_dist_send(&state->dist, m);
    state->sending_more = more;
    return 0;
}

bool mz_xpub_can_send(struct mz_socket *s)
{
    /* Like libzmq: a peer at its HWM loses the message or makes send
     * return EAGAIN, but never makes the socket unwritable. */
    (void) s;
    return true;
}

static int xpub_recv(struct mz_socket *s, struct mz_msg *m)
{
    struct mz_xpub_state *state = xpub_state(s);
    if (state->pending_count == 0) {
        errno = EAGAIN;
        return -1;
    }
    struct mz_xpub_pending *entry = &state->pending[state->pending_head];
    state->pending_head = (state->pending_head + 1) % state->pending_capacity;
    state->pending_count--;
    if (state->manual && entry->is_notice)
        state->last_pipe = entry->from;
    mz_msg_move(m, &entry->msg);
    return 0;
}

static bool xpub_can_recv(struct mz_socket *s)
{
    return xpub_state(s)->pending_count > 0;
}

int mz_xpub_setopt(struct mz_socket *s, int option, const void *value,
                   size_t size)
{
    struct mz_xpub_state *state = xpub_state(s);
    bool flag;
    switch (option) {
    case ZMQ_XPUB_VERBOSE:
        if (mz_pubsub_read_flag(value, size, &flag) < 0)
            return -1;
        state->verbose_subscribe = flag;
        state->verbose_unsubscribe = false;
        return 0;
    case ZMQ_XPUB_VERBOSER:
        if (mz_pubsub_read_flag(value, size, &flag) < 0)
            return -1;
        state->verbose_subscribe = flag;
        state->verbose_unsubscribe = flag;
        return 0;
    case ZMQ_XPUB_NODROP:
        if (mz_pubsub_read_flag(value, size, &flag) < 0)
            return -1;
        state->lossy = !flag;
        return 0;
    case ZMQ_XPUB_MANUAL:
        return mz_pubsub_read_flag(value, size, &state->manual);
    case ZMQ_XPUB_MANUAL_LAST_VALUE:
        if (mz_pubsub_read_flag(value, size, &flag) < 0)
            return -1;
        state->manual = flag;
        state->last_value = flag;
        return 0;
    case ZMQ_ONLY_FIRST_SUBSCRIBE:
        return mz_pubsub_read_flag(value, size, &state->only_first_subscribe);
    case ZMQ_SUBSCRIBE:
    case ZMQ_UNSUBSCRIBE:
        /* Outside manual mode these are not XPUB options (EINVAL). */
        if (!state->manual)
            return MZ_OPTION_NOT_MINE;
        if (state->last_pipe == NULL)
            return 0;
        if (option == ZMQ_SUBSCRIBE)
            mz_mtrie_add(&state->subscriptions, value, size, state->last_pipe);
        else
            mz_mtrie_rm(&state->subscriptions, value, size, state->last_pipe);
        return 0;
    case ZMQ_XPUB_WELCOME_MSG:
        mz_msg_close(&state->welcome);
        if (size == 0) {
            mz_msg_init(&state->welcome);
            return 0;
        }
        return mz_msg_init_buffer(&state->welcome, value, size);
    default:
        return MZ_OPTION_NOT_MINE;
    }
}

int mz_xpub_getopt(struct mz_socket *s, int option, void *value, size_t *size)
{
    if (option != ZMQ_TOPICS_COUNT)
        return MZ_OPTION_NOT_MINE;
    return mz_pubsub_get_count(value, size,
                               xpub_state(s)->subscriptions.prefix_count);
}

const struct mz_socket_type mz_xpub_type = {
    .type = ZMQ_XPUB,
    .name = "XPUB",
    .state_size = sizeof(struct mz_xpub_state),
    .init = mz_xpub_init,
    .fini = mz_xpub_fini,
    .attach = mz_xpub_attach,
    .detach = mz_xpub_detach,
    .read_activated = mz_xpub_read_activated,
    .write_activated = mz_xpub_write_activated,
    .send = mz_xpub_send,
    .recv = xpub_recv,
    .can_send = mz_xpub_can_send,
    .can_recv = xpub_can_recv,
    .setopt = mz_xpub_setopt,
    .getopt = mz_xpub_getopt,
};
