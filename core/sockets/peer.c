/*
 * ZMQ_PEER (RFC 51): thread-safe, single-part messages, routed as a
 * SERVER routes them (server.h): every peer, connected or accepted, has a
 * non-zero 32-bit routing id, set on each message received from it; a
 * message goes to the peer its routing id names, EHOSTUNREACH when none
 * has it, EAGAIN while that peer's pipe is full. zmq_connect_peer connects
 * and answers the new peer's routing id at once: the pipe of a connect is
 * attached as zmq_connect returns (not with ZMQ_IMMEDIATE, which
 * zmq_connect_peer refuses with EFAULT, as libzmq 4.3.5 does), and the
 * id it got is the newest one. A plain zmq_connect works too, as in
 * libzmq; the id is then learnt from the first message.
 */
#include <errno.h>

#include "server.h"
#include "socket.h"

uint32_t mz_peer_connect(struct mz_socket *s, const char *uri)
{
    if (mz_socket_options(s)->immediate) {
        errno = EFAULT;
        return 0;
    }
    struct mz_server_state *state = mz_socket_state(s);
    state->last_attached = 0;
    if (mz_socket_connect(s, uri) < 0)
        return 0;
    if (state->last_attached == 0) {
        /* The connect's pipe was not taken (out of memory is the only
         * way): libzmq has no such case; say it as the connect would. */
        errno = ENOMEM;
        return 0;
    }
    return state->last_attached;
}

const struct mz_socket_type mz_peer_type = {
    .type = ZMQ_PEER,
    .name = "PEER",
    .thread_safe = true,
    .state_size = sizeof(struct mz_server_state),
    .init = mz_server_init,
    .fini = mz_server_fini,
    .attach = mz_server_attach,
    .detach = mz_server_detach,
    .read_activated = mz_server_read_activated,
    .send = mz_server_send,
    .recv = mz_server_recv,
    .can_send = mz_server_can_send,
    .can_recv = mz_server_can_recv,
    .disconnect_peer = mz_server_disconnect_peer,
};
