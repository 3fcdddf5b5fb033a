/*
 * ZMQ_STREAM: raw TCP peers behind a ROUTER-like interface.
 *
 * Each connection is known by a routing id the socket makes up; a message
 * is [id, data], where data is whatever bytes arrived (received) or are to
 * be written (sent). Sending an empty data part closes that connection,
 * and with ZMQ_STREAM_NOTIFY (default on) an empty data part is received
 * when a connection opens and when it closes. The connections themselves
 * run the raw engine (raw_engine.c) instead of ZMTP; the routing is the
 * ROUTER's in raw mode.
 */
#include <errno.h>
#include <string.h>

#include "router.h"
#include "zmq.h"

static void stream_init(struct mz_socket *s)
{
    struct mz_router *r = mz_socket_state(s);
    mz_router_init(r, s);
    r->raw = true;
}

static void stream_fini(struct mz_socket *s)
{
    mz_router_fini(mz_socket_state(s));
}

/* As libzmq's STREAM, every id made up for a new connection becomes the
 * socket's ZMQ_ROUTING_ID: zmq_socket's way to learn the id of the peer
 * just connected. An id given by ZMQ_CONNECT_ROUTING_ID is not recorded. */
static bool stream_attach(struct mz_socket *s, struct mz_pipe_end *end)
{
    bool named = end->identified;
    if (!mz_router_attach(mz_socket_state(s), end))
        return false;
    size_t size = 0;
    const void *id = mz_router_id_of(end, &size);
    if (!named && id != NULL) {
        memcpy(mz_socket_options(s)->routing_id, id, size);
        mz_socket_options(s)->routing_id_size = size;
    }
    return true;
}

static void stream_detach(struct mz_socket *s, struct mz_pipe_end *end)
{
    mz_router_detach(mz_socket_state(s), end);
}

static void stream_read_activated(struct mz_socket *s, struct mz_pipe_end *end)
{
    mz_router_read_activated(mz_socket_state(s), end);
}

/* An unknown peer is an error, as in libzmq: STREAM is always mandatory. */
static int stream_send(struct mz_socket *s, struct mz_msg *m)
{
    return mz_router_send(mz_socket_state(s), m, true);
}

static int stream_recv(struct mz_socket *s, struct mz_msg *m)
{
    return mz_router_recv(mz_socket_state(s), m);
}

static bool stream_can_send(struct mz_socket *s)
{
    return mz_router_can_send(mz_socket_state(s));
}

static bool stream_can_recv(struct mz_socket *s)
{
    return mz_router_can_recv(mz_socket_state(s));
}

static int stream_setopt(struct mz_socket *s, int option, const void *value,
                         size_t size)
{
    if (option != ZMQ_STREAM_NOTIFY)
        return MZ_OPTION_NOT_MINE;
    int flag;
    if (value == NULL || size != sizeof flag) {
        errno = EINVAL;
        return -1;
    }
    memcpy(&flag, value, sizeof flag);
    if (flag != 0 && flag != 1) {
        errno = EINVAL;
        return -1;
    }
    /* Kept in the options: each new connection's engine reads it. Like
     * libzmq, the option cannot be read back. */
    mz_socket_options(s)->stream_notify = flag != 0;
    return 0;
}

const struct mz_socket_type mz_stream_type = {
    .type = ZMQ_STREAM,
    .name = "STREAM",
    .state_size = sizeof(struct mz_router),
    .init = stream_init,
    .fini = stream_fini,
    .attach = stream_attach,
    .detach = stream_detach,
    .read_activated = stream_read_activated,
    .send = stream_send,
    .recv = stream_recv,
    .can_send = stream_can_send,
    .can_recv = stream_can_recv,
    .setopt = stream_setopt,
};
