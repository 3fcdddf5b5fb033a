/*
 * ZMQ_PUB: XPUB (xpub.c) without anything for the application to receive.
 * Subscriptions from the peers still decide where messages go; recv is
 * ENOTSUP. The XPUB options are accepted, as libzmq's PUB accepts them.
 */
#include <errno.h>

#include "pubsub.h"

static int pub_recv(struct mz_socket *s, struct mz_msg *m)
{
    (void) s;
    (void) m;
    errno = ENOTSUP;
    return -1;
}

static bool pub_can_recv(struct mz_socket *s)
{
    (void) s;
    return false;
}

const struct mz_socket_type mz_pub_type = {
    .type = ZMQ_PUB,
    .name = "PUB",
    .state_size = sizeof(struct mz_xpub_state),
    .init = mz_xpub_init,
    .fini = mz_xpub_fini,
    .attach = mz_xpub_attach,
    .detach = mz_xpub_detach,
    .read_activated = mz_xpub_read_activated,
    .write_activated = mz_xpub_write_activated,
    .send = mz_xpub_send,
    .recv = pub_recv,
    .can_send = mz_xpub_can_send,
    .can_recv = pub_can_recv,
    .setopt = mz_xpub_setopt,
    .getopt = mz_xpub_getopt,
};
