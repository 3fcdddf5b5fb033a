/*
 * ZMQ_DGRAM: datagrams over udp (zmq_udp(7)), not thread-safe, as in
 * libzmq 4.3.5. Every message has two parts: the address, "ip:port", then
 * the body. Received, the address is the sender's; sent, it names where
 * the body goes. The udp plugin (plugins/udp/) reads and writes the
 * datagrams and the address frames: this type only passes the two-part
 * messages on the socket's one pipe, the link of its first bind or
 * connect (a second one is refused, as libzmq refuses it).
 *
 * A first part without ZMQ_SNDMORE, or a second with it, is refused with
 * EINVAL, as libzmq does. The mute state (the pipe full, or no bind or
 * connect yet) is EAGAIN, which a blocking send waits out. libzmq drops
 * the message and fails with no errno set when there is no pipe; we keep
 * the message and wait, as PAIR does.
 *
 * Like libzmq, the socket binds and connects on tcp, ipc and inproc too,
 * but no peer there ever completes a ZMTP handshake with a DGRAM socket
 * (the compatibility table of socket_compat.c has no partner for it), so
 * only udp carries messages.
 */
#include <errno.h>

#include "socket.h"

struct dgram_state {
    struct mz_pipe_end *pipe;
    bool more_out; /* the address part went; the body is next */
};

static bool dgram_attach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct dgram_state *state = mz_socket_state(s);
    if (state->pipe != NULL)
        return false;
    state->pipe = end;
    return true;
}

static void dgram_detach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct dgram_state *state = mz_socket_state(s);
    if (state->pipe == end)
        state->pipe = NULL;
}

static int dgram_send(struct mz_socket *s, struct mz_msg *m)
{
    struct dgram_state *state = mz_socket_state(s);
    /* The address part must say more follows; the body must not. */
    if (mz_msg_has_more(m) == state->more_out) {
        errno = EINVAL;
        return -1;
    }
    if (state->pipe == NULL || !mz_pipe_write(state->pipe, m)) {
        errno = EAGAIN;
        return -1;
    }
    if (state->more_out)
        mz_pipe_flush(state->pipe);
    state->more_out = !state->more_out;
    return 0;
}

static int dgram_recv(struct mz_socket *s, struct mz_msg *m)
{
    struct dgram_state *state = mz_socket_state(s);
    if (state->pipe == NULL || !mz_pipe_read(state->pipe, m)) {
        errno = EAGAIN;
        return -1;
    }
    return 0;
}

static bool dgram_can_send(struct mz_socket *s)
{
    struct dgram_state *state = mz_socket_state(s);
    return state->pipe != NULL && mz_pipe_check_write(state->pipe);
}

static bool dgram_can_recv(struct mz_socket *s)
{
    struct dgram_state *state = mz_socket_state(s);
    return state->pipe != NULL && mz_pipe_check_read(state->pipe);
}

const struct mz_socket_type mz_dgram_type = {
    .type = ZMQ_DGRAM,
    .name = "DGRAM",
    .state_size = sizeof(struct dgram_state),
    .attach = dgram_attach,
    .detach = dgram_detach,
    .send = dgram_send,
    .recv = dgram_recv,
    .can_send = dgram_can_send,
    .can_recv = dgram_can_recv,
};
