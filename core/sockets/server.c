/*
 * ZMQ_SERVER (RFC 41): thread-safe, single-part messages. Each peer (a
 * CLIENT) gets a non-zero 32-bit routing id, set on every message received
 * from it (zmq_msg_routing_id); a message sent goes to the peer its routing
 * id names: EHOSTUNREACH when no peer has it, EAGAIN while that peer's pipe
 * is full (libzmq 4.3.5's answer, which a blocking send waits out in the
 * socket base). ZMQ_SNDMORE is refused with EINVAL; a multipart message
 * from a peer is dropped. The routing id is cleared as the message goes
 * out, so that an inproc CLIENT receives it without one. PEER routes
 * with these same hooks (server.h).
 */
#include <errno.h>
#include <glib.h>
#include <stdint.h>

#include "random.h"
#include "routing.h"
#include "server.h"
#include "single_part.h"
#include "socket.h"

void mz_server_init(struct mz_socket *s)
{
    struct mz_server_state *state = mz_socket_state(s);
    mz_fq_init(&state->fq, 0);
    state->peers = g_hash_table_new(g_direct_hash, g_direct_equal);
    state->next_id = mz_random_counter_start();
}

void mz_server_fini(struct mz_socket *s)
{
    struct mz_server_state *state = mz_socket_state(s);
    g_hash_table_destroy(state->peers);
    mz_fq_fini(&state->fq);
}

static uint32_t id_of(const struct mz_pipe_end *end)
{
    return (uint32_t) GPOINTER_TO_UINT(end->type_data);
}

bool mz_server_attach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct mz_server_state *state = mz_socket_state(s);
    uint32_t id;
    do
        id = state->next_id++;
    while (id == 0 || g_hash_table_contains(state->peers, GUINT_TO_POINTER(id)));
    if (!mz_fq_attach(&state->fq, end))
        return false;
    end->type_data = GUINT_TO_POINTER(id);
    g_hash_table_insert(state->peers, GUINT_TO_POINTER(id), end);
    state->last_attached = id;
    return true;
}

void mz_server_detach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct mz_server_state *state = mz_socket_state(s);
    gpointer id = GUINT_TO_POINTER(id_of(end));
    /* Gone from the table already if zmq_disconnect_peer named it. */
    if (g_hash_table_lookup(state->peers, id) == end)
        g_hash_table_remove(state->peers, id);
    end->type_data = NULL;
    mz_fq_detach(&state->fq, end);
}

/* The peer's pipe is terminated at once, so that a send to its id fails
 * with EHOSTUNREACH from now on; a connecting peer reconnects, and
 * comes back with a new id. */
int mz_server_disconnect_peer(struct mz_socket *s, uint32_t routing_id)
{
    struct mz_server_state *state = mz_socket_state(s);
    struct mz_pipe_end *end =
        g_hash_table_lookup(state->peers, GUINT_TO_POINTER(routing_id));
    if (end == NULL) {
        errno = EHOSTUNREACH;
        return -1;
    }
    g_hash_table_remove(state->peers, GUINT_TO_POINTER(routing_id));
    mz_socket_terminate_pipe(s, end);
    return 0;
}

void mz_server_read_activated(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct mz_server_state *state = mz_socket_state(s);
    mz_fq_activated(&state->fq, end);
}

int mz_server_send(struct mz_socket *s, struct mz_msg *m)
{
    struct mz_server_state *state = mz_socket_state(s);
    if (mz_msg_has_more(m)) {
        errno = EINVAL;
        return -1;
    }
    struct mz_pipe_end *end =
        g_hash_table_lookup(state->peers, GUINT_TO_POINTER(m->routing_id));
    if (end == NULL) {
        errno = EHOSTUNREACH;
        return -1;
    }
    uint32_t id = m->routing_id;
    m->routing_id = 0;
    if (!mz_pipe_write(end, m)) {
        /* Full (or closing): the message stays the caller's, as it was. */
        m->routing_id = id;
        errno = EAGAIN;
        return -1;
    }
    mz_pipe_flush(end);
    return 0;
}

int mz_server_recv(struct mz_socket *s, struct mz_msg *m)
{
    struct mz_server_state *state = mz_socket_state(s);
    struct mz_pipe_end *from = NULL;
    if (mz_single_part_recv(&state->fq, m, &from) < 0)
        return -1;
    m->routing_id = id_of(from);
    return 0;
}

/* As libzmq's: a SERVER can always try a send; it is the peer named by
 * the message that may be unreachable or full. */
bool mz_server_can_send(struct mz_socket *s)
{
    (void) s;
    return true;
}

bool mz_server_can_recv(struct mz_socket *s)
{
    struct mz_server_state *state = mz_socket_state(s);
    return mz_fq_has_in(&state->fq);
}

const struct mz_socket_type mz_server_type = {
    .type = ZMQ_SERVER,
    .name = "SERVER",
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
