/*
 * ZMQ_ROUTER: every message received is prefixed with a frame naming the
 * peer it came from, and every message sent is routed to the peer its
 * first frame names. See router.h for how peers get their names; REP
 * reuses all of this through the mz_router_* functions.
 *
 * Sending never allocates: the routing id is looked up in place, and the
 * table of peers only changes when pipes come and go.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "random.h"
#include "router.h"

/* A routing id as the peers table sees it; lookups point it into the
 * message being sent. */
struct route_key {
    const unsigned char *data;
    size_t size;
};

struct mz_router_peer {
    struct route_key key; /* points into id */
    struct mz_pipe_end *end;
    unsigned char id[MZ_ROUTING_ID_MAX];
};

/* What became of a pipe offered for identification. */
enum peer_identity {
    PEER_REGISTERED,   /* routable and fair-queued */
    PEER_UNIDENTIFIED, /* its routing id has not arrived yet */
    PEER_REFUSED,      /* duplicate id without handover: ignored */
    PEER_FAILED        /* out of memory: the pipe must end */
};

/* Bytes of a generated routing id: a zero byte and a 32-bit counter. */
enum { GENERATED_ID_SIZE = 5 };

/* FNV-1a over the id bytes. */
static guint route_key_hash(gconstpointer key)
{
    const struct route_key *k = key;
    uint32_t hash = 2166136261u;
    for (size_t i = 0; i < k->size; i++) {
        hash ^= k->data[i];
        hash *= 16777619u;
    }
    return hash;
}

static gboolean route_key_equal(gconstpointer a, gconstpointer b)
{
    const struct route_key *x = a, *y = b;
    return x->size == y->size && memcmp(x->data, y->data, x->size) == 0;
}

static void out_of_memory(void)
{
    fputs("modzmq: out of memory in a ROUTER socket\n", stderr);
    abort();
}

static void drop_part(struct mz_msg *m)
{
    mz_msg_close(m);
    mz_msg_init(m);
}

void mz_router_init(struct mz_router *r, struct mz_socket *s)
{
    r->socket = s;
    mz_fq_init(&r->fq, 0);
    mz_pipe_set_init(&r->anonymous, 1);
    r->peers =
        g_hash_table_new_full(route_key_hash, route_key_equal, NULL, free);
    r->next_generated_id = mz_random_counter_start();
    mz_msg_init(&r->prefetched);
}

void mz_router_fini(struct mz_router *r)
{
    mz_msg_close(&r->prefetched);
    g_hash_table_destroy(r->peers);
    mz_pipe_set_fini(&r->anonymous);
    mz_fq_fini(&r->fq);
}

/* Gives peer the next generated id that nobody holds (an explicit id may
 * look like a generated one). */
static void generate_id(struct mz_router *r, struct mz_router_peer *peer)
{
    peer->key.data = peer->id;
    peer->key.size = GENERATED_ID_SIZE;
    do {
        uint32_t n = r->next_generated_id++;
        peer->id[0] = 0;
        peer->id[1] = (unsigned char) (n >> 24);
        peer->id[2] = (unsigned char) (n >> 16);
        peer->id[3] = (unsigned char) (n >> 8);
        peer->id[4] = (unsigned char) n;
    } while (g_hash_table_contains(r->peers, &peer->key));
}

/* The current holder of an id gives it up to a newcomer: it is renamed
 * with a generated id (as libzmq does, which keeps the counter in step)
 * and closed, after the message being read from it if there is one. */
static void hand_over(struct mz_router *r, struct mz_router_peer *holder)
{
    g_hash_table_steal(r->peers, &holder->key);
    generate_id(r, holder);
    g_hash_table_insert(r->peers, &holder->key, holder);
    if (holder->end == r->current_in)
        r->terminate_current_in = true;
    else
        mz_socket_terminate_pipe(r->socket, holder->end);
}

/* Names a pipe after its peer's routing id once that has arrived. */
static enum peer_identity identify(struct mz_router *r, struct mz_pipe_end *end)
{
    /* In raw mode the peer's own id, if any, is ignored; one given by
     * ZMQ_CONNECT_ROUTING_ID, there before anything is read, is not. */
    if (!r->raw && !mz_pipe_identify(end))
        return PEER_UNIDENTIFIED;
    struct mz_router_peer *peer = malloc(sizeof *peer);
    if (peer == NULL)
        return PEER_FAILED;
    peer->end = end;
    if ((r->raw && !end->identified) || end->peer_routing_id_size == 0) {
        generate_id(r, peer);
    } else {
        memcpy(peer->id, end->peer_routing_id, end->peer_routing_id_size);
        peer->key.data = peer->id;
        peer->key.size = end->peer_routing_id_size;
        struct mz_router_peer *holder =
            g_hash_table_lookup(r->peers, &peer->key);
        if (holder != NULL) {
            if (!r->handover) {
                free(peer);
                return PEER_REFUSED;
            }
            hand_over(r, holder);
        }
    }
    if (!mz_fq_attach(&r->fq, end)) {
        free(peer);
        return PEER_FAILED;
    }
    g_hash_table_insert(r->peers, &peer->key, peer);
    end->type_data = peer;
    return PEER_REGISTERED;
}

const void *mz_router_id_of(const struct mz_pipe_end *end, size_t *size)
{
    const struct mz_router_peer *peer = end->type_data;
    if (peer == NULL)
        return NULL;
    *size = peer->key.size;
    return peer->key.data;
}

bool mz_router_attach(struct mz_router *r, struct mz_pipe_end *end)
{
    mz_socket_send_probe(r->socket, end);
    switch (identify(r, end)) {
    case PEER_UNIDENTIFIED:
        return mz_pipe_set_add(&r->anonymous, end, true);
    case PEER_FAILED:
        return false;
    default:
        return true;
    }
}

void mz_router_detach(struct mz_router *r, struct mz_pipe_end *end)
{
    struct mz_router_peer *peer = end->type_data;
    if (peer != NULL) {
        end->type_data = NULL;
        mz_fq_detach(&r->fq, end);
        g_hash_table_remove(r->peers, &peer->key);
    } else if (mz_pipe_set_contains(&r->anonymous, end)) {
        mz_pipe_set_remove(&r->anonymous, end);
    }
    if (end == r->current_out)
        r->current_out = NULL; /* the rest of that message is dropped */
    if (end == r->current_in) {
        /* Gone in the middle of a message (zmq_disconnect): the part in
         * hand ends it, the rest is lost. */
        r->current_in = NULL;
        r->terminate_current_in = false;
        if (r->has_prefetched)
            mz_msg_set_more(&r->prefetched, false);
        else
            r->more_in = false;
    }
}

void mz_router_read_activated(struct mz_router *r, struct mz_pipe_end *end)
{
    if (end->type_data != NULL) {
        mz_fq_activated(&r->fq, end);
        return;
    }
    bool identity_failed = false;
    if (mz_pipe_set_contains(&r->anonymous, end)) {
        enum peer_identity identity = identify(r, end);
        if (identity == PEER_UNIDENTIFIED)
            return;
        mz_pipe_set_remove(&r->anonymous, end);
        if (identity == PEER_REGISTERED)
            return;
        identity_failed = identity == PEER_FAILED;
    }
    /* A refused duplicate is never read; once its peer has gone there is
     * no reason to keep it. One that could not be registered for want of
     * memory ends now. */
    if (end->peer_closed || identity_failed)
        mz_socket_terminate_pipe(r->socket, end);
}

/* The first part of an outgoing message: find the pipe it names. */
static int open_route(struct mz_router *r, struct mz_msg *m, bool mandatory)
{
    /* A lone routing id is no message at all: dropped, even when
     * mandatory. */
    if (mz_msg_has_more(m)) {
        struct route_key key = { mz_msg_data(m), mz_msg_size(m) };
        struct mz_router_peer *peer = g_hash_table_lookup(r->peers, &key);
        struct mz_pipe_end *end = peer != NULL ? peer->end : NULL;
        if (end != NULL && !mz_pipe_check_write(end)) {
            if (mandatory) {
                errno = end->peer_closed || end->ended ? EHOSTUNREACH : EAGAIN;
                return -1;
            }
            end = NULL;
        } else if (end == NULL && mandatory) {
            errno = EHOSTUNREACH;
            return -1;
        }
        r->current_out = end;
        r->more_out = true;
    }
    drop_part(m);
    return 0;
}

int mz_router_send(struct mz_router *r, struct mz_msg *m, bool mandatory)
{
    if (!r->more_out)
        return open_route(r, m, mandatory);
    /* Raw mode: every data part is a whole message. */
    if (r->raw)
        mz_msg_set_more(m, false);
    r->more_out = mz_msg_has_more(m);
    struct mz_pipe_end *end = r->current_out;
    if (end == NULL) {
        drop_part(m);
        return 0;
    }
    if (r->raw && mz_msg_size(m) == 0) {
        /* Raw mode: an empty part closes the connection. */
        r->current_out = NULL;
        drop_part(m);
        mz_socket_terminate_pipe(r->socket, end);
        return 0;
    }
    if (!mz_pipe_write(end, m)) {
        /* The peer is closing: the parts already written go as well. */
        drop_part(m);
        mz_pipe_rollback(end);
        r->current_out = NULL;
        return 0;
    }
    if (!r->more_out) {
        mz_pipe_flush(end);
        r->current_out = NULL;
    }
    return 0;
}

void mz_router_relay(struct mz_router *r, struct mz_msg *m)
{
    mz_router_send(r, m, false);
}

void mz_router_rollback(struct mz_router *r)
{
    if (r->current_out != NULL) {
        mz_pipe_rollback(r->current_out);
        r->current_out = NULL;
    }
    r->more_out = false;
}

/* Bookkeeping after a part of the body was handed out. */
static void end_part(struct mz_router *r, const struct mz_msg *m)
{
    r->more_in = mz_msg_has_more(m);
    if (r->more_in)
        return;
    struct mz_pipe_end *done = r->current_in;
    r->current_in = NULL;
    if (r->terminate_current_in) {
        r->terminate_current_in = false;
        mz_socket_terminate_pipe(r->socket, done);
    }
}

int mz_router_recv(struct mz_router *r, struct mz_msg *m)
{
    if (r->has_prefetched) {
        mz_msg_move(m, &r->prefetched);
        r->has_prefetched = false;
        end_part(r, m);
        return 0;
    }
    if (r->more_in) {
        if (mz_fq_recv(&r->fq, m, NULL) < 0)
            return -1;
        end_part(r, m);
        return 0;
    }
    /* A new message: keep its first part and return its peer's id. */
    struct mz_pipe_end *from;
    if (mz_fq_recv(&r->fq, &r->prefetched, &from) < 0)
        return -1;
    const struct mz_router_peer *peer = from->type_data;
    if (mz_msg_init_buffer(m, peer->key.data, peer->key.size) < 0)
        out_of_memory();
    /* The id part carries its connection's properties and fd too, as in
     * libzmq (zmq_msg_gets, ZMQ_SRCFD). */
    mz_msg_set_metadata(m, mz_msg_metadata(&r->prefetched));
    mz_msg_set_more(m, true);
    r->has_prefetched = true;
    r->more_in = true;
    r->current_in = from;
    return 0;
}

bool mz_router_can_send(struct mz_router *r)
{
    /* Without ROUTER_MANDATORY a send always succeeds, if only by dropping
     * the message; with it, some peer must have room. */
    if (!r->mandatory)
        return true;
    for (unsigned i = 0; i < r->fq.pipes.count; i++)
        if (mz_pipe_check_write(r->fq.pipes.items[i]))
            return true;
    return false;
}

bool mz_router_can_recv(struct mz_router *r)
{
    return r->more_in || mz_fq_has_in(&r->fq);
}

int mz_router_setopt(struct mz_router *r, int option, const void *value,
                     size_t size)
{
    bool *flag;
    switch (option) {
    case ZMQ_ROUTER_MANDATORY:
        flag = &r->mandatory;
        break;
    case ZMQ_ROUTER_HANDOVER:
        flag = &r->handover;
        break;
    case ZMQ_ROUTER_RAW:
        flag = &r->raw;
        break;
    default:
        return MZ_OPTION_NOT_MINE;
    }
    int v;
    if (size != sizeof v) {
        errno = EINVAL;
        return -1;
    }
    memcpy(&v, value, sizeof v);
    if (v < 0) {
        errno = EINVAL;
        return -1;
    }
    *flag = v != 0;
    return 0;
}

/* ---- the ZMQ_ROUTER socket type ---------------------------------------- */

static void router_init(struct mz_socket *s)
{
    mz_router_init(mz_socket_state(s), s);
}

static void router_fini(struct mz_socket *s)
{
    mz_router_fini(mz_socket_state(s));
}

static bool router_attach(struct mz_socket *s, struct mz_pipe_end *end)
{
    return mz_router_attach(mz_socket_state(s), end);
}

static void router_detach(struct mz_socket *s, struct mz_pipe_end *end)
{
    mz_router_detach(mz_socket_state(s), end);
}

static void router_read_activated(struct mz_socket *s, struct mz_pipe_end *end)
{
    mz_router_read_activated(mz_socket_state(s), end);
}

static int router_send(struct mz_socket *s, struct mz_msg *m)
{
    struct mz_router *r = mz_socket_state(s);
    return mz_router_send(r, m, r->mandatory);
}

static int router_recv(struct mz_socket *s, struct mz_msg *m)
{
    return mz_router_recv(mz_socket_state(s), m);
}

static bool router_can_send(struct mz_socket *s)
{
    return mz_router_can_send(mz_socket_state(s));
}

static bool router_can_recv(struct mz_socket *s)
{
    return mz_router_can_recv(mz_socket_state(s));
}

static int router_setopt(struct mz_socket *s, int option, const void *value,
                         size_t size)
{
    return mz_router_setopt(mz_socket_state(s), option, value, size);
}

const struct mz_socket_type mz_router_type = {
    .type = ZMQ_ROUTER,
    .name = "ROUTER",
    .state_size = sizeof(struct mz_router),
    .init = router_init,
    .fini = router_fini,
    .attach = router_attach,
    .detach = router_detach,
    .read_activated = router_read_activated,
    .send = router_send,
    .recv = router_recv,
    .can_send = router_can_send,
    .can_recv = router_can_recv,
    .setopt = router_setopt,
};
