/*
 * ZMQ_RADIO (RFC 48): thread-safe, send-only, single-part messages, each
 * sent to the peers (DISH sockets) that joined its group, matched exactly;
 * a message without a group is in the group "" as in libzmq. ZMQ_SNDMORE
 * is refused with EINVAL and zmq_recv with ENOTSUP, as libzmq refuses
 * them. A peer at its high-water mark loses the message (the mute state
 * drops) unless ZMQ_XPUB_NODROP is set, which libzmq's RADIO honours too:
 * send then says EAGAIN until every receiver has room.
 *
 * Each peer's joins reach its pipe as JOIN and LEAVE command messages
 * (what dish.c writes; a ZMTP engine passes the peer's commands on the
 * same way) and are kept per pipe, with an index from each group to its
 * pipes for the send. A pipe whose transport carries no joins (a link of
 * an own-engine transport such as udp: mz_pipe_end.all_groups) gets every
 * message, as libzmq's udp pipes do; the DISH at the other end filters.
 */
#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "group_table.h"
#include "routing.h"
#include "socket.h"
#include "zmtp_command.h"

struct radio_state {
    struct mz_distributor dist;
    struct mz_group_table groups; /* group -> GPtrArray of the pipes that
                                     joined it */
    GPtrArray *all_pipes;         /* pipes that get every group */
    bool lossy;                   /* not ZMQ_XPUB_NODROP */
};

/* What one pipe joined: the set (values NULL) its type_data points to. */
static struct mz_group_table *joined_of(struct mz_pipe_end *end)
{
    return end->type_data;
}

static void radio_init(struct mz_socket *s)
{
    struct radio_state *state = mz_socket_state(s);
    mz_dist_init(&state->dist, 0);
    mz_group_table_init(&state->groups);
    state->all_pipes = g_ptr_array_new();
    state->lossy = true;
}

static void radio_fini(struct mz_socket *s)
{
    struct radio_state *state = mz_socket_state(s);
    uint32_t cursor = 0;
    const char *group;
    void *pipes;
    while (mz_group_table_next(&state->groups, &cursor, &group, &pipes))
        g_ptr_array_unref(pipes);
    mz_group_table_fini(&state->groups);
    g_ptr_array_unref(state->all_pipes);
    mz_dist_fini(&state->dist);
}

/* A group no pipe has joined any more leaves the socket's table. */
static void forget_empty(struct radio_state *state, GPtrArray *pipes,
                         const char *group, size_t size)
{
    mz_group_table_remove(&state->groups, group, size, NULL);
    g_ptr_array_unref(pipes);
}

/* Out of memory, a join is lost as if the DISH had never sent it: the
 * RADIO sends that group nowhere, and the socket carries on. */
static void join(struct radio_state *state, struct mz_pipe_end *end,
                 const char *group, size_t size)
{
    GPtrArray *pipes = mz_group_table_find(&state->groups, group, size);
    if (pipes == NULL) {
        pipes = g_ptr_array_new();
        if (mz_group_table_add(&state->groups, group, size, pipes) < 0) {
            g_ptr_array_unref(pipes);
            return;
        }
    }
    if (mz_group_table_add(joined_of(end), group, size, NULL) == 1)
        g_ptr_array_add(pipes, end);
    else if (pipes->len == 0)
        forget_empty(state, pipes, group, size);
}

static void leave(struct radio_state *state, struct mz_pipe_end *end,
                  const char *group, size_t size)
{
    if (!mz_group_table_remove(joined_of(end), group, size, NULL))
        return;
    GPtrArray *pipes = mz_group_table_find(&state->groups, group, size);
    g_ptr_array_remove_fast(pipes, end);
    if (pipes->len == 0)
        forget_empty(state, pipes, group, size);
}

/* A JOIN or LEAVE from the pipe's peer; anything else a DISH might send
 * is dropped (RFC 48). A group over 255 octets or holding a NUL is no
 * group and is ignored. */
static void apply_command(struct radio_state *state, struct mz_pipe_end *end,
                          struct mz_msg *m)
{
    struct mz_zmtp_command command;
    if (!(m->flags & MZ_MSG_COMMAND) ||
        !mz_zmtp_command_parse(mz_msg_data(m), mz_msg_size(m), &command))
        return;
    bool is_join = mz_zmtp_command_is(&command, "JOIN");
    if (!is_join && !mz_zmtp_command_is(&command, "LEAVE"))
        return;
    if (command.data_size > MZ_MSG_GROUP_MAX ||
        memchr(command.data, 0, command.data_size) != NULL)
        return;
    if (is_join)
        join(state, end, (const char *) command.data, command.data_size);
    else
        leave(state, end, (const char *) command.data, command.data_size);
}

static void read_commands(struct radio_state *state, struct mz_pipe_end *end)
{
    struct mz_msg m;
    mz_msg_init(&m);
    while (mz_pipe_read(end, &m)) {
        apply_command(state, end, &m);
        mz_msg_close(&m);
        mz_msg_init(&m);
    }
}

static bool radio_attach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct radio_state *state = mz_socket_state(s);
    if (!mz_dist_attach(&state->dist, end))
        return false;
    struct mz_group_table *joined = malloc(sizeof *joined);
    if (joined == NULL) {
        mz_dist_detach(&state->dist, end);
        return false;
    }
    mz_group_table_init(joined);
    end->type_data = joined;
    if (end->all_groups)
        g_ptr_array_add(state->all_pipes, end);
    /* Joins may be waiting already (an inproc DISH's, sent at once). */
    read_commands(state, end);
    return true;
}

static void radio_detach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct radio_state *state = mz_socket_state(s);
    struct mz_group_table *joined = joined_of(end);
    uint32_t cursor = 0;
    const char *group;
    while (mz_group_table_next(joined, &cursor, &group, NULL)) {
        size_t size = strlen(group);
        GPtrArray *pipes = mz_group_table_find(&state->groups, group, size);
        g_ptr_array_remove_fast(pipes, end);
        if (pipes->len == 0)
            forget_empty(state, pipes, group, size);
    }
    mz_group_table_fini(joined);
    free(joined);
    end->type_data = NULL;
    g_ptr_array_remove_fast(state->all_pipes, end);
    mz_dist_detach(&state->dist, end);
}

static void radio_read_activated(struct mz_socket *s, struct mz_pipe_end *end)
{
    read_commands(mz_socket_state(s), end);
}

static void radio_write_activated(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct radio_state *state = mz_socket_state(s);
    mz_dist_activated(&state->dist, end);
}

static int radio_send(struct mz_socket *s, struct mz_msg *m)
{
    struct radio_state *state = mz_socket_state(s);
    if (mz_msg_has_more(m)) {
        errno = EINVAL;
        return -1;
    }
    mz_dist_unmatch(&state->dist);
    GPtrArray *pipes = mz_group_table_find(&state->groups, mz_msg_group(m),
                                           mz_msg_group_size(m));
    for (unsigned i = 0; pipes != NULL && i < pipes->len; i++)
        mz_dist_match(&state->dist, g_ptr_array_index(pipes, i));
    for (unsigned i = 0; i < state->all_pipes->len; i++)
        mz_dist_match(&state->dist, g_ptr_array_index(state->all_pipes, i));
    if (!state->lossy && !mz_dist_matching_can_write(&state->dist)) {
        errno = EAGAIN;
        return -1;
    }
    mz_dist_send(&state->dist, m);
    return 0;
}

static int radio_recv(struct mz_socket *s, struct mz_msg *m)
{
    (void) s;
    (void) m;
    errno = ENOTSUP;
    return -1;
}

/* As libzmq's: a RADIO can always send, dropping what a peer cannot
 * take. */
static bool radio_can_send(struct mz_socket *s)
{
    (void) s;
    return true;
}

static bool radio_can_recv(struct mz_socket *s)
{
    (void) s;
    return false;
}

static int radio_setopt(struct mz_socket *s, int option, const void *value,
                        size_t size)
{
    struct radio_state *state = mz_socket_state(s);
    if (option != ZMQ_XPUB_NODROP)
        return MZ_OPTION_NOT_MINE;
    if (value == NULL || size != sizeof(int)) {
        errno = EINVAL;
        return -1;
    }
    state->lossy = *(const int *) value == 0;
    return 0;
}

const struct mz_socket_type mz_radio_type = {
    .type = ZMQ_RADIO,
    .name = "RADIO",
    .thread_safe = true,
    .state_size = sizeof(struct radio_state),
    .init = radio_init,
    .fini = radio_fini,
    .attach = radio_attach,
    .detach = radio_detach,
    .read_activated = radio_read_activated,
    .write_activated = radio_write_activated,
    .send = radio_send,
    .recv = radio_recv,
    .can_send = radio_can_send,
    .can_recv = radio_can_recv,
    .setopt = radio_setopt,
};
