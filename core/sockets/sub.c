/*
 * ZMQ_SUB: XSUB (xsub.c) that delivers only the messages whose first part
 * begins with a subscribed prefix (or, with ZMQ_INVERT_MATCHING, only
 * those that match none), and whose subscriptions are the ZMQ_SUBSCRIBE
 * and ZMQ_UNSUBSCRIBE options instead of messages; send is ENOTSUP.
 */
#include <errno.h>

#include "pubsub.h"

static void sub_init(struct mz_socket *s)
{
    mz_xsub_init(s);
    ((struct mz_xsub_state *) mz_socket_state(s))->filter = true;
}

static int sub_send(struct mz_socket *s, struct mz_msg *m)
{
    (void) s;
    (void) m;
    errno = ENOTSUP;
    return -1;
}

static bool sub_can_send(struct mz_socket *s)
{
    (void) s;
    return false;
}

/* ZMQ_SUBSCRIBE / ZMQ_UNSUBSCRIBE become the message an XSUB user would
 * send; every other option is generic (or EINVAL). */
static int sub_setopt(struct mz_socket *s, int option, const void *value,
                      size_t size)
{
    if (option != ZMQ_SUBSCRIBE && option != ZMQ_UNSUBSCRIBE)
        return MZ_OPTION_NOT_MINE;
    struct mz_msg request;
    mz_subscription_msg_init(&request, option == ZMQ_SUBSCRIBE, value, size);
    return mz_xsub_send(s, &request);
}

const struct mz_socket_type mz_sub_type = {
    .type = ZMQ_SUB,
    .name = "SUB",
    .state_size = sizeof(struct mz_xsub_state),
    .init = sub_init,
    .fini = mz_xsub_fini,
    .attach = mz_xsub_attach,
    .detach = mz_xsub_detach,
    .read_activated = mz_xsub_read_activated,
    .write_activated = mz_xsub_write_activated,
    .send = sub_send,
    .recv = mz_xsub_recv,
    .can_send = sub_can_send,
    .can_recv = mz_xsub_can_recv,
    .setopt = sub_setopt,
    .getopt = mz_xsub_getopt,
};
