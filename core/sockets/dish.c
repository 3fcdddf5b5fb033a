/*
 * ZMQ_DISH (RFC 48): thread-safe, receive-only, single-part messages from
 * the RADIO peers, fair-queued, each with its group (zmq_msg_group).
 * zmq_join and zmq_leave say which groups it wants: EINVAL for a group
 * over ZMQ_GROUP_MAX_LENGTH octets, one already joined or one not joined,
 * as libzmq answers; zmq_send is ENOTSUP.
 *
 * Each join and leave goes to every peer as a JOIN or LEAVE command
 * message (the ZMTP engine sends it as that command; an inproc RADIO reads
 * it from the pipe), and a peer that comes later is told every group
 * joined so far. The RADIO filters what it sends, but a transport that
 * carries no joins (udp) brings every group, so the DISH filters too,
 * exactly, as libzmq's does. A join or leave is written past a pipe's
 * high-water mark, never lost (libzmq drops it there): a DISH whose peer
 * reads nothing queues its joins and leaves without bound.
 */
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "group_table.h"
#include "routing.h"
#include "single_part.h"
#include "socket.h"
#include "zmtp_command.h"

struct dish_state {
    struct mz_fair_queue fq;
    GPtrArray *pipes;   /* every attached pipe, to tell of joins */
    struct mz_group_table joined; /* the groups joined (values NULL) */
    /* A matching message found by can_recv (poll), returned first. */
    struct mz_msg prefetched;
    bool has_prefetched;
};

static void dish_init(struct mz_socket *s)
{
    struct dish_state *state = mz_socket_state(s);
    mz_fq_init(&state->fq, 0);
    state->pipes = g_ptr_array_new();
    mz_group_table_init(&state->joined);
    mz_msg_init(&state->prefetched);
}

static void dish_fini(struct mz_socket *s)
{
    struct dish_state *state = mz_socket_state(s);
    mz_msg_close(&state->prefetched);
    mz_group_table_fini(&state->joined);
    g_ptr_array_unref(state->pipes);
    mz_fq_fini(&state->fq);
}

/* Writes a JOIN or LEAVE of group to one pipe, past its high-water mark:
 * a lost one would leave the RADIO sending a group left, or never one
 * joined. (libzmq drops them at the mark.) */
static void tell_pipe(struct mz_pipe_end *end, const char *name,
                      const char *group)
{
    struct mz_msg command;
    if (mz_zmtp_command_build(&command, name, group, strlen(group)) < 0)
        return;
    command.flags |= MZ_MSG_COMMAND;
    if (mz_pipe_write_past_hwm(end, &command))
        mz_pipe_flush(end);
    else
        mz_msg_close(&command);
}

static void tell_all(struct dish_state *state, const char *name,
                     const char *group)
{
    for (unsigned i = 0; i < state->pipes->len; i++)
        tell_pipe(g_ptr_array_index(state->pipes, i), name, group);
}

static bool dish_attach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct dish_state *state = mz_socket_state(s);
    if (!mz_fq_attach(&state->fq, end))
        return false;
    g_ptr_array_add(state->pipes, end);
    uint32_t cursor = 0;
    const char *group;
    while (mz_group_table_next(&state->joined, &cursor, &group, NULL))
        tell_pipe(end, "JOIN", group);
    return true;
}

static void dish_detach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct dish_state *state = mz_socket_state(s);
    g_ptr_array_remove_fast(state->pipes, end);
    mz_fq_detach(&state->fq, end);
}

static void dish_read_activated(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct dish_state *state = mz_socket_state(s);
    mz_fq_activated(&state->fq, end);
}

static int dish_join(struct mz_socket *s, const char *group)
{
    struct dish_state *state = mz_socket_state(s);
    size_t size = strnlen(group, MZ_MSG_GROUP_MAX + 1);
    int added = size > MZ_MSG_GROUP_MAX
                    ? 0
                    : mz_group_table_add(&state->joined, group, size, NULL);
    if (added <= 0) {
        if (added == 0)
            errno = EINVAL;
        return -1;
    }
    tell_all(state, "JOIN", group);
    return 0;
}

static int dish_leave(struct mz_socket *s, const char *group)
{
    struct dish_state *state = mz_socket_state(s);
    size_t size = strnlen(group, MZ_MSG_GROUP_MAX + 1);
    if (size > MZ_MSG_GROUP_MAX ||
        !mz_group_table_remove(&state->joined, group, size, NULL)) {
        errno = EINVAL;
        return -1;
    }
    tell_all(state, "LEAVE", group);
    return 0;
}

static int dish_send(struct mz_socket *s, struct mz_msg *m)
{
    (void) s;
    (void) m;
    errno = ENOTSUP;
    return -1;
}

/* The next message of a joined group, others dropped: 0, or -1 EAGAIN. */
static int next_matching(struct dish_state *state, struct mz_msg *m)
{
    for (;;) {
        if (mz_single_part_recv(&state->fq, m, NULL) < 0)
            return -1;
        if (!(m->flags & MZ_MSG_COMMAND) &&
            mz_group_table_has(&state->joined, mz_msg_group(m),
                               mz_msg_group_size(m)))
            return 0;
        mz_msg_close(m);
        mz_msg_init(m);
    }
}

static int dish_recv(struct mz_socket *s, struct mz_msg *m)
{
    struct dish_state *state = mz_socket_state(s);
    if (state->has_prefetched) {
        mz_msg_move(m, &state->prefetched);
        state->has_prefetched = false;
        return 0;
    }
    return next_matching(state, m);
}

/* As libzmq's: readable only when a message of a joined group waits, so
 * that a poll does not wake for what recv would drop. */
static bool dish_can_recv(struct mz_socket *s)
{
    struct dish_state *state = mz_socket_state(s);
    if (state->has_prefetched)
        return true;
    if (!mz_fq_has_in(&state->fq))
        return false;
    struct mz_msg m;
    mz_msg_init(&m);
    if (next_matching(state, &m) < 0)
        return false;
    mz_msg_move(&state->prefetched, &m);
    state->has_prefetched = true;
    return true;
}

/* Joins can always be sent, as libzmq says. */
static bool dish_can_send(struct mz_socket *s)
{
    (void) s;
    return true;
}

const struct mz_socket_type mz_dish_type = {
    .type = ZMQ_DISH,
    .name = "DISH",
    .thread_safe = true,
    .state_size = sizeof(struct dish_state),
    .init = dish_init,
    .fini = dish_fini,
    .attach = dish_attach,
    .detach = dish_detach,
    .read_activated = dish_read_activated,
    .send = dish_send,
    .recv = dish_recv,
    .can_send = dish_can_send,
    .can_recv = dish_can_recv,
    .join = dish_join,
    .leave = dish_leave,
};
