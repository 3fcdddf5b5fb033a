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
#include <string.h>

#include "routing.h"
#include "socket.h"
#include "zmtp_command.h"

struct radio_state {
    struct mz_distributor dist;
    GHashTable *groups;   /* group -> GPtrArray of the pipes that joined it */
    GPtrArray *all_pipes; /* pipes that get every group */
    bool lossy;           /* not ZMQ_XPUB_NODROP */
};

/* What one pipe joined: the set its type_data points to. */
static GHashTable *joined_of(struct mz_pipe_end *end)
{
    return end->type_data;
}

static void radio_init(struct mz_socket *s)
{
    struct radio_state *state = mz_socket_state(s);
    mz_dist_init(&state->dist, 0);
    state->groups = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          (GDestroyNotify) g_ptr_array_unref);
    state->all_pipes = g_ptr_array_new();
    state->lossy = true;
}

static void radio_fini(struct mz_socket *s)
{
    struct radio_state *state = mz_socket_state(s);
    g_ptr_array_unref(state->all_pipes);
    g_hash_table_destroy(state->groups);
    mz_dist_fini(&state->dist);
}

static void join(struct radio_state *state, struct mz_pipe_end *end,
                 const char *group)
{
    if (g_hash_table_contains(joined_of(end), group))
        return;
    g_hash_table_add(joined_of(end), g_strdup(group));
    GPtrArray *pipes = g_hash_table_lookup(state->groups, group);
    if (pipes == NULL) {
        pipes = g_ptr_array_new();
        g_hash_table_insert(state->groups, g_strdup(group), pipes);
    }
    g_ptr_array_add(pipes, end);
}

static void leave(struct radio_state *state, struct mz_pipe_end *end,
                  const char *group)
{
    if (!g_hash_table_remove(joined_of(end), group))
        return;
    GPtrArray *pipes = g_hash_table_lookup(state->groups, group);
    g_ptr_array_remove_fast(pipes, end);
    if (pipes->len == 0)
        g_hash_table_remove(state->groups, group);
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
    char group[MZ_MSG_GROUP_MAX + 1];
    memcpy(group, command.data, command.data_size);
    group[command.data_size] = '\0';
    if (is_join)
        join(state, end, group);
    else
        leave(state, end, group);
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
    end->type_data =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (end->all_groups)
        g_ptr_array_add(state->all_pipes, end);
    /* Joins may be waiting already (an inproc DISH's, sent at once). */
    read_commands(state, end);
    return true;
}

static void forget_group(void *group, void *unused, void *arg)
{
    (void) unused;
    void **args = arg;
    struct radio_state *state = args[0];
    GPtrArray *pipes = g_hash_table_lookup(state->groups, group);
    g_ptr_array_remove_fast(pipes, args[1]);
    if (pipes->len == 0)
        g_hash_table_remove(state->groups, group);
}

static void radio_detach(struct mz_socket *s, struct mz_pipe_end *end)
{
    struct radio_state *state = mz_socket_state(s);
    void *args[2] = { state, end };
    g_hash_table_foreach(joined_of(end), forget_group, args);
    g_hash_table_destroy(joined_of(end));
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
    GPtrArray *pipes = g_hash_table_lookup(state->groups, mz_msg_group(m));
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
