/*
 * Fuzz target: the thread-safe socket types through the API, from two
 * threads at once. Two sockets of a pair (CLIENT/SERVER, RADIO/DISH,
 * SCATTER/GATHER, PEER/PEER, CHANNEL/CHANNEL) run a small program the
 * input writes: sends (with routing ids, groups, ZMQ_SNDMORE, empty and
 * large bodies), receives, joins and leaves, options, binds, connects,
 * unbinds and disconnects on inproc endpoints, zmq_connect_peer,
 * zmq_disconnect_peer, the message's routing id and group, a poller; and
 * a SPAWN op hands the next ops to a worker thread, which runs them on
 * the same sockets while this thread runs the ops after them (joined at
 * a WAIT op or at the end).
 *
 * fuzz_traffic covers what these types receive from a network peer; here
 * it is their API and their locking. Checked as it goes (fuzz_check):
 *   - the errors libzmq documents: EINVAL for ZMQ_SNDMORE, for a routing
 *     id of 0 and for a group over ZMQ_GROUP_MAX_LENGTH; ENOTSUP for a
 *     send or receive the type lacks, a join or leave off a DISH,
 *     zmq_connect_peer off a PEER and zmq_disconnect_peer off a SERVER
 *     or PEER; EHOSTUNREACH for a SERVER's or PEER's message without a
 *     routing id, before any connection, or to a peer it disconnected;
 *     EAGAIN, never anything else, for a send or receive that cannot go
 *     now; EINVAL for ZMQ_FD and 1 for ZMQ_THREAD_SAFE;
 *   - a DISH's joins and leaves answer as its set of groups says (EINVAL
 *     for one joined twice or one not joined), and it receives only
 *     groups joined, each message with the group it was sent with;
 *   - a SERVER's and a PEER's messages all have a routing id;
 *   - every message received is one the other socket sent, whole and
 *     unchanged, at most once (a RADIO's at most once a pipe), and none
 *     whose send failed;
 *   - binds answer as the endpoints this run bound say (EADDRINUSE for
 *     one bound, ENOENT for an unbind or disconnect of one never bound
 *     or connected by that socket).
 * Messages may be lost (a RADIO drops, a disconnect ends a pipe): that
 * is no finding here.
 *
 * The ops that a worker may run concurrently share one model under one
 * mutex; the endpoint ops and the joins hold it across their call, so
 * that their expected answer is exact, and everything else holds it only
 * to read or write the model. ZMQ_HELLO_MSG, ZMQ_DISCONNECT_MSG and
 * ZMQ_HICCUP_MSG are never set: they send messages the model cannot tell
 * from forged ones. DGRAM is left out: it is not thread-safe.
 *
 * Each input runs in a context of its own, so that it replays alone as
 * it ran under libFuzzer.
 *
 * Input: a byte choosing the pair (modulo 5), then up to OPS_MAX ops,
 * each an op byte (bit 7: which socket, the rest modulo OP_COUNT) and
 * its operands as parse_op reads them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "zmq.h"

enum {
    OPS_MAX = 64,
    SLICE_MAX = 16,
    GROUP_BUFFER = 300,  /* groups from the input: over 255 on purpose */
    NAME_MAX_BYTES = 64, /* an endpoint name from the input */
    ENDPOINTS = 4,       /* the named endpoints of a run */
    IDS_MAX = 16,        /* routing ids a socket remembers */
    SMALL = 8,           /* a body shorter carries no header */
    GET_MAX = 4096,
    DRAIN_MAX = 64
};

enum op_code {
    OP_SEND,
    OP_RECV,
    OP_JOIN,
    OP_LEAVE,
    OP_SET_BYTES,
    OP_SET_INT,
    OP_GET,
    OP_BIND,
    OP_CONNECT,
    OP_UNBIND,
    OP_DISCONNECT,
    OP_CONNECT_PEER,
    OP_DISCONNECT_PEER,
    OP_MSG_EDGES,
    OP_SPAWN,
    OP_WAIT,
    OP_DRAIN,
    OP_POLL,
    OP_COUNT
};

/* The send op's flags byte. */
enum {
    SEND_MORE = 0x01,     /* with ZMQ_SNDMORE */
    SEND_KNOWN_ID = 0x02, /* to a routing id this socket has seen */
    SEND_GROUP = 0x04,    /* with a group from the input */
    SEND_ID = 0x08        /* to a routing id from the input */
};

struct op {
    enum op_code code;
    int side;
    uint8_t flags;
    uint8_t option;
    uint16_t size;
    uint32_t id;
    uint8_t endpoint; /* below ENDPOINTS: a named one; else the text */
    char text[GROUP_BUFFER + 1]; /* a group or an endpoint name */
    size_t text_size;            /* its bytes before the input's NUL cut */
    uint8_t value[8];
    const uint8_t *bytes; /* OP_SET_BYTES's value, in the input */
};

enum record_state { UNUSED, SENDING, SENT, FAILED };

/* One message a send op tried: a body of SMALL or more octets carries
 * its sequence number, so that the receiver can find it here. */
struct record {
    enum record_state state;
    int sender;
    size_t size;
    char group[GROUP_BUFFER + 1];
    unsigned received;
};

struct pair {
    int types[2];
    void *s[2];
    pthread_mutex_t model; /* everything below */
    struct record records[OPS_MAX];
    unsigned next_seq;
    /* The bodies shorter than SMALL, by sender and size: tried minus
     * failed, and received. */
    unsigned small_tried[2][SMALL];
    unsigned small_received[2][SMALL];
    uint32_t ids[2][IDS_MAX]; /* routing ids each socket has seen */
    unsigned id_count[2];
    uint32_t gone[2][IDS_MAX]; /* ids disconnected by zmq_disconnect_peer */
    unsigned gone_count[2];
    bool connected_any;      /* a connect succeeded: a pipe may exist */
    unsigned connect_count;  /* connects that succeeded */
    int bound_by[ENDPOINTS]; /* -1, or the socket that bound it */
    unsigned connects[2][ENDPOINTS];
    /* The DISH's groups: joined now, and joined at any time since the
     * worker last ended (a concurrent receive may see either). */
    char *joined[OPS_MAX];
    unsigned joined_count;
    char *maybe_joined[OPS_MAX];
    unsigned maybe_count;
    bool worker_running;
    unsigned delivered; /* messages received, for the trace */
};

static const int pairs[5][2] = { { ZMQ_CLIENT, ZMQ_SERVER },
                                 { ZMQ_RADIO, ZMQ_DISH },
                                 { ZMQ_SCATTER, ZMQ_GATHER },
                                 { ZMQ_PEER, ZMQ_PEER },
                                 { ZMQ_CHANNEL, ZMQ_CHANNEL } };

/* ---- the input -------------------------------------------------------- */

/* A C string from a chunk: cut at the input's first NUL, as the API
 * sees it, and at GROUP_BUFFER octets, which is past every limit. */
static void read_text(struct fuzz_input *in, struct op *op)
{
    size_t n;
    const uint8_t *chunk = fuzz_chunk(in, &n);
    if (n > GROUP_BUFFER)
        n = GROUP_BUFFER;
    memcpy(op->text, chunk, n);
    op->text[n] = '\0';
    op->text_size = strlen(op->text);
}

static uint32_t read_u32(struct fuzz_input *in)
{
    uint32_t high = fuzz_u16(in);
    return high << 16 | fuzz_u16(in);
}

static void read_endpoint(struct fuzz_input *in, struct op *op)
{
    op->endpoint = fuzz_byte(in);
    if (op->endpoint >= ENDPOINTS) {
        read_text(in, op);
        if (op->text_size > NAME_MAX_BYTES)
            op->text[NAME_MAX_BYTES] = '\0';
    }
}

static void parse_op(struct fuzz_input *in, struct op *op)
{
    uint8_t code = fuzz_byte(in);
    memset(op, 0, offsetof(struct op, text));
    op->text[0] = '\0';
    op->text_size = 0;
    op->bytes = NULL;
    op->side = code >> 7;
    op->code = (enum op_code)((code & 0x7f) % OP_COUNT);
    switch (op->code) {
    case OP_SEND:
        op->flags = fuzz_byte(in);
        op->size = fuzz_u16(in);
        if (op->flags & SEND_KNOWN_ID)
            op->id = fuzz_byte(in);
        if (op->flags & SEND_ID)
            op->id = read_u32(in);
        if (op->flags & SEND_GROUP)
            read_text(in, op);
        break;
    case OP_JOIN:
    case OP_LEAVE:
        read_text(in, op);
        break;
    case OP_SET_BYTES: {
        op->option = fuzz_byte(in);
        size_t n;
        op->bytes = fuzz_chunk(in, &n);
        op->size = (uint16_t) n;
        break;
    }
    case OP_SET_INT:
        op->option = fuzz_byte(in);
        for (int i = 0; i < 4; i++)
            op->value[i] = fuzz_byte(in);
        break;
    case OP_GET:
        op->option = fuzz_byte(in);
        op->size = fuzz_u16(in) % (GET_MAX + 1);
        break;
    case OP_BIND:
    case OP_CONNECT:
    case OP_UNBIND:
    case OP_DISCONNECT:
    case OP_CONNECT_PEER:
        read_endpoint(in, op);
        break;
    case OP_DISCONNECT_PEER:
        op->flags = fuzz_byte(in);
        op->id = (op->flags & SEND_ID) ? read_u32(in) : fuzz_byte(in);
        break;
    case OP_MSG_EDGES:
        op->id = read_u32(in);
        read_text(in, op);
        break;
    case OP_SPAWN:
        op->size = fuzz_byte(in) % SLICE_MAX + 1;
        break;
    default:
        break;
    }
}

/* ---- the model -------------------------------------------------------- */

static void lock(struct pair *p)
{
    pthread_mutex_lock(&p->model);
}

static void unlock(struct pair *p)
{
    pthread_mutex_unlock(&p->model);
}

static bool holds(char *const *set, unsigned count, const char *group)
{
    for (unsigned i = 0; i < count; i++)
        if (strcmp(set[i], group) == 0)
            return true;
    return false;
}

static bool has_id(const uint32_t *ids, unsigned count, uint32_t id)
{
    for (unsigned i = 0; i < count; i++)
        if (ids[i] == id)
            return true;
    return false;
}

static void remember_id(uint32_t *ids, unsigned *count, uint32_t id)
{
    if (!has_id(ids, *count, id) && *count < IDS_MAX)
        ids[(*count)++] = id;
}

static bool sends_to_ids(int type)
{
    return type == ZMQ_SERVER || type == ZMQ_PEER;
}

/* The byte at i of a body of sequence number seq: a pattern, so that a
 * body is checked without being kept. */
static uint8_t body_byte(unsigned seq, size_t size, size_t i)
{
    return (uint8_t) (seq * 7 + size * 3 + i);
}

static void fill_body(uint8_t *body, size_t size, unsigned seq, int sender)
{
    if (size < SMALL) {
        for (size_t i = 0; i < size; i++)
            body[i] = body_byte(0, size, i);
        return;
    }
    memcpy(body, &seq, 4);
    body[4] = (uint8_t) sender;
    body[5] = 0x5a;
    body[6] = (uint8_t) size;
    body[7] = (uint8_t) (size >> 8);
    for (size_t i = SMALL; i < size; i++)
        body[i] = body_byte(seq, size, i);
}

/* How many copies of one message side's socket sends: a RADIO one down
 * every pipe of its group, so as many as connects made at most; every
 * other type one. */
static unsigned copies(const struct pair *p, int side)
{
    return p->types[side] == ZMQ_RADIO ? p->connect_count : 1;
}

/* Checks a message received by side against what the other side sent. */
static void check_received(struct pair *p, int side, zmq_msg_t *m)
{
    const uint8_t *body = zmq_msg_data(m);
    size_t size = zmq_msg_size(m);
    int sender = 1 - side;
    lock(p);
    p->delivered++;
    if (size < SMALL) {
        for (size_t i = 0; i < size; i++)
            fuzz_check(body[i] == body_byte(0, size, i),
                       "a short body changed on its way");
        p->small_received[sender][size]++;
        fuzz_check(p->small_received[sender][size] <=
                       p->small_tried[sender][size] * copies(p, sender),
                   "more short messages received than sent");
        unlock(p);
        return;
    }
    unsigned seq;
    memcpy(&seq, body, 4);
    fuzz_check(seq < OPS_MAX && p->records[seq].state != UNUSED,
               "a message received that was never sent");
    struct record *r = &p->records[seq];
    fuzz_check(r->sender == sender && body[4] == sender,
               "a message received by the socket that sent it");
    fuzz_check(r->state != FAILED, "a message whose send failed arrived");
    fuzz_check(body[5] == 0x5a && r->size == size &&
                   body[6] == (uint8_t) size &&
                   body[7] == (uint8_t) (size >> 8),
               "a message arrived with another size");
    for (size_t i = SMALL; i < size; i++)
        fuzz_check(body[i] == body_byte(seq, size, i),
                   "a message changed on its way");
    fuzz_check(++r->received <= copies(p, sender),
               "a message arrived more often than it was sent");
    if (p->types[side] == ZMQ_DISH) {
        const char *group = zmq_msg_group(m);
        fuzz_check(group != NULL && strcmp(group, r->group) == 0,
                   "a DISH got a message with another group than sent");
        fuzz_check(holds(p->maybe_joined, p->maybe_count, group),
                   "a DISH got a message of a group it did not join");
    }
    if (sends_to_ids(p->types[side])) {
        uint32_t id = zmq_msg_routing_id(m);
        fuzz_check(id != 0, "a message without a routing id on a SERVER "
                            "or PEER");
        remember_id(p->ids[side], &p->id_count[side], id);
    }
    unlock(p);
}

/* ---- the ops ---------------------------------------------------------- */

static void expect_errno(bool ok, const char *what)
{
    if (!ok)
        fprintf(stderr, "errno %d (%s)\n", errno, strerror(errno));
    fuzz_check(ok, what);
}

static void do_send(struct pair *p, const struct op *op)
{
    int side = op->side, type = p->types[side];
    void *s = p->s[side];
    size_t size = op->size;
    zmq_msg_t m;
    fuzz_check(zmq_msg_init_size(&m, size) == 0, "memory");

    lock(p);
    unsigned seq = 0;
    struct record *r = NULL;
    if (size >= SMALL) {
        if (p->next_seq == OPS_MAX) {
            unlock(p);
            zmq_msg_close(&m);
            return;
        }
        seq = p->next_seq++;
        r = &p->records[seq];
        r->state = SENDING;
        r->sender = side;
        r->size = size;
        r->group[0] = '\0';
    } else {
        p->small_tried[side][size]++;
    }
    uint32_t id = 0;
    if (op->flags & SEND_KNOWN_ID && p->id_count[side] > 0)
        id = p->ids[side][op->id % p->id_count[side]];
    else if (op->flags & SEND_ID)
        id = op->id;
    unlock(p);

    fill_body(zmq_msg_data(&m), size, seq, side);
    if (id != 0)
        fuzz_check(zmq_msg_set_routing_id(&m, id) == 0,
                   "zmq_msg_set_routing_id refused an id");
    if (op->flags & SEND_GROUP) {
        int rc = zmq_msg_set_group(&m, op->text);
        if (op->text_size > ZMQ_GROUP_MAX_LENGTH)
            expect_errno(rc == -1 && errno == EINVAL,
                         "zmq_msg_set_group took an over-long group");
        else
            fuzz_check(rc == 0, "zmq_msg_set_group refused a group");
    }
    const char *group = zmq_msg_group(&m);
    fuzz_check(group != NULL, "zmq_msg_group gave NULL");

    /* Before any connection the model is held across the send, so that
     * no connect on the other thread comes between. */
    lock(p);
    if (r != NULL)
        strcpy(r->group, group);
    bool gone = has_id(p->gone[side], p->gone_count[side], id);
    bool connected = p->connected_any;
    if (connected)
        unlock(p);

    int flags = ZMQ_DONTWAIT | ((op->flags & SEND_MORE) ? ZMQ_SNDMORE : 0);
    int rc = zmq_msg_send(&m, s, flags);
    int error = errno;
    if (rc < 0)
        zmq_msg_close(&m);
    else
        fuzz_check((size_t) rc == size, "zmq_msg_send returned another size");

    if (type == ZMQ_DISH || type == ZMQ_GATHER)
        expect_errno(rc == -1 && error == ENOTSUP,
                     "a send on a receive-only type did not fail ENOTSUP");
    else if (op->flags & SEND_MORE)
        expect_errno(rc == -1 && error == EINVAL,
                     "ZMQ_SNDMORE on a single-part type not refused EINVAL");
    else if (sends_to_ids(type) && (id == 0 || !connected || gone))
        expect_errno(rc == -1 && error == EHOSTUNREACH,
                     "a send to no peer did not fail EHOSTUNREACH");
    else if (sends_to_ids(type))
        expect_errno(rc >= 0 || error == EAGAIN || error == EHOSTUNREACH,
                     "a send failed with another errno than EAGAIN or "
                     "EHOSTUNREACH");
    else if (!connected && type != ZMQ_RADIO)
        expect_errno(rc == -1 && error == EAGAIN,
                     "a send before any connection did not fail EAGAIN");
    else
        expect_errno(rc >= 0 || error == EAGAIN,
                     "a send failed with another errno than EAGAIN");

    if (connected)
        lock(p);
    if (r != NULL) {
        r->state = rc >= 0 ? SENT : FAILED;
        fuzz_check(rc >= 0 || r->received == 0,
                   "a message arrived whose send failed");
    } else if (rc < 0) {
        p->small_tried[side][size]--;
        fuzz_check(p->small_received[side][size] <=
                       p->small_tried[side][size] * copies(p, side),
                   "a short message arrived whose send failed");
    }
    unlock(p);
}

/* One receive without waiting: true when a message came. */
static bool do_recv(struct pair *p, int side)
{
    int type = p->types[side];
    zmq_msg_t m;
    zmq_msg_init(&m);
    int rc = zmq_msg_recv(&m, p->s[side], ZMQ_DONTWAIT);
    int error = errno;
    if (type == ZMQ_RADIO || type == ZMQ_SCATTER)
        expect_errno(rc == -1 && error == ENOTSUP,
                     "a receive on a send-only type did not fail ENOTSUP");
    else if (rc < 0)
        expect_errno(error == EAGAIN,
                     "a receive failed with another errno than EAGAIN");
    else
        check_received(p, side, &m);
    zmq_msg_close(&m);
    return rc >= 0;
}

static void forget(char **set, unsigned *count, const char *group)
{
    for (unsigned i = 0; i < *count; i++)
        if (strcmp(set[i], group) == 0) {
            free(set[i]);
            set[i] = set[--*count];
            return;
        }
}

static void add(char **set, unsigned *count, const char *group)
{
    if (*count == OPS_MAX || holds(set, *count, group))
        return;
    set[*count] = strdup(group);
    fuzz_check(set[*count] != NULL, "memory");
    (*count)++;
}

static void do_group(struct pair *p, const struct op *op)
{
    bool join = op->code == OP_JOIN;
    lock(p);
    int rc = join ? zmq_join(p->s[op->side], op->text)
                  : zmq_leave(p->s[op->side], op->text);
    int error = errno;
    if (p->types[op->side] != ZMQ_DISH) {
        expect_errno(rc == -1 && error == ENOTSUP,
                     "a join or leave off a DISH did not fail ENOTSUP");
    } else if (op->text_size > ZMQ_GROUP_MAX_LENGTH) {
        expect_errno(rc == -1 && error == EINVAL,
                     "an over-long group not refused EINVAL");
    } else {
        bool joined = holds(p->joined, p->joined_count, op->text);
        if (join == joined)
            expect_errno(rc == -1 && error == EINVAL,
                         "a join of a joined group or a leave of another "
                         "not refused EINVAL");
        else
            expect_errno(rc == 0, "a join or leave refused");
        if (rc == 0 && join) {
            add(p->joined, &p->joined_count, op->text);
            add(p->maybe_joined, &p->maybe_count, op->text);
        } else if (rc == 0) {
            forget(p->joined, &p->joined_count, op->text);
            if (!p->worker_running)
                forget(p->maybe_joined, &p->maybe_count, op->text);
        }
    }
    unlock(p);
}

static bool injects_messages(int option)
{
    return option == ZMQ_HELLO_MSG || option == ZMQ_DISCONNECT_MSG ||
           option == ZMQ_HICCUP_MSG;
}

static void do_set(struct pair *p, const struct op *op)
{
    if (injects_messages(op->option))
        return;
    size_t size = op->code == OP_SET_INT ? 4 : op->size;
    const uint8_t *from = op->code == OP_SET_INT ? op->value : op->bytes;
    /* A copy of exactly size bytes: reading past it is a finding. */
    uint8_t *value = malloc(size > 0 ? size : 1);
    fuzz_check(value != NULL, "memory");
    if (size > 0)
        memcpy(value, from, size);
    zmq_setsockopt(p->s[op->side], op->option, value, size);
    free(value);
}

static void do_get(struct pair *p, const struct op *op)
{
    size_t size = op->size;
    uint8_t *value = malloc(size > 0 ? size : 1);
    fuzz_check(value != NULL, "memory");
    size_t got = size;
    int rc = zmq_getsockopt(p->s[op->side], op->option, value, &got);
    if (rc == 0)
        fuzz_check(got <= size, "getsockopt wrote more than it was given");
    if (op->option == ZMQ_FD)
        expect_errno(rc == -1 && errno == EINVAL,
                     "ZMQ_FD on a thread-safe socket did not fail EINVAL");
    if (op->option == ZMQ_THREAD_SAFE && size >= sizeof(int)) {
        int one;
        memcpy(&one, value, sizeof one);
        fuzz_check(rc == 0 && one == 1, "ZMQ_THREAD_SAFE did not read 1");
    }
    free(value);
}

/* The endpoint of an op: a named one, or "inproc://" and the input's
 * text behind a digit saying which socket binds it, so that a socket
 * never connects to itself (the model has no such pipe). The context is
 * the run's own: no name of an earlier run is bound or pending. */
static void endpoint_of(const struct op *op, int binder, char *out, size_t size)
{
    if (op->endpoint < ENDPOINTS)
        snprintf(out, size, "inproc://named-%u", op->endpoint);
    else
        snprintf(out, size, "inproc://%d-%s", binder, op->text);
}

static void do_endpoint(struct pair *p, const struct op *op)
{
    int side = op->side;
    bool binds = op->code == OP_BIND || op->code == OP_UNBIND;
    char endpoint[sizeof op->text + 64];
    endpoint_of(op, binds ? side : 1 - side, endpoint, sizeof endpoint);
    bool named = op->endpoint < ENDPOINTS;
    unsigned k = op->endpoint;
    lock(p);
    /* Which would join a socket to itself: not done. A connect the
     * socket has dropped (zmq_disconnect, or zmq_disconnect_peer before
     * anyone bound the name) is no longer offered to its bind
     * (mz_inproc_withdraw), so a name it disconnected from may be
     * bound. */
    if (named && ((binds && p->connects[side][k] > 0) ||
                  (!binds && p->bound_by[k] == side))) {
        unlock(p);
        return;
    }
    void *s = p->s[side];
    int rc, error;
    switch (op->code) {
    case OP_BIND:
        rc = zmq_bind(s, endpoint);
        error = errno;
        if (named && p->bound_by[k] < 0)
            expect_errno(rc == 0, "a bind to a free inproc name refused");
        else if (named)
            expect_errno(rc == -1 && error == EADDRINUSE,
                         "a bind to a bound inproc name not EADDRINUSE");
        if (named && rc == 0)
            p->bound_by[k] = side;
        break;
    case OP_UNBIND:
        rc = zmq_unbind(s, endpoint);
        error = errno;
        if (named && p->bound_by[k] == side)
            expect_errno(rc == 0, "an unbind of a bound name refused");
        else if (named)
            expect_errno(rc == -1 && error == ENOENT,
                         "an unbind of a name not bound not ENOENT");
        if (named && rc == 0)
            p->bound_by[k] = -1;
        break;
    case OP_CONNECT:
        rc = zmq_connect(s, endpoint);
        if (named)
            expect_errno(rc == 0, "a connect to an inproc name refused");
        if (rc == 0) {
            p->connected_any = true;
            p->connect_count++;
        }
        if (named && rc == 0)
            p->connects[side][k]++;
        break;
    case OP_CONNECT_PEER: {
        uint32_t id = zmq_connect_peer(s, endpoint);
        error = errno;
        if (p->types[side] != ZMQ_PEER) {
            expect_errno(id == 0 && error == ENOTSUP,
                         "zmq_connect_peer off a PEER not ENOTSUP");
        } else if (named) {
            fuzz_check(id != 0, "zmq_connect_peer to an inproc name failed");
        }
        if (id != 0) {
            p->connected_any = true;
            p->connect_count++;
            remember_id(p->ids[side], &p->id_count[side], id);
            if (named)
                p->connects[side][k]++;
        }
        break;
    }
    default:
        rc = zmq_disconnect(s, endpoint);
        error = errno;
        if (named && p->connects[side][k] == 0)
            expect_errno(rc == -1 && error == ENOENT,
                         "a disconnect of a name not connected not ENOENT");
        if (named && rc == 0)
            p->connects[side][k] = 0;
        break;
    }
    unlock(p);
}

static void do_disconnect_peer(struct pair *p, const struct op *op)
{
    int side = op->side;
    lock(p);
    uint32_t id = op->id;
    if (!(op->flags & SEND_ID) && p->id_count[side] > 0)
        id = p->ids[side][id % p->id_count[side]];
    bool connected = p->connected_any;
    unlock(p);
    int rc = zmq_disconnect_peer(p->s[side], id);
    int error = errno;
    if (!sends_to_ids(p->types[side]))
        expect_errno(rc == -1 && error == ENOTSUP,
                     "zmq_disconnect_peer off a SERVER or PEER not ENOTSUP");
    else if (!connected)
        expect_errno(rc == -1 && error == EHOSTUNREACH,
                     "zmq_disconnect_peer before any connection not "
                     "EHOSTUNREACH");
    else
        expect_errno(rc == 0 || error == EHOSTUNREACH,
                     "zmq_disconnect_peer failed with another errno");
    if (rc == 0) {
        lock(p);
        remember_id(p->gone[side], &p->gone_count[side], id);
        unlock(p);
    }
}

/* The message's own edges, on a message that goes nowhere. */
static void do_msg_edges(const struct op *op)
{
    zmq_msg_t m;
    zmq_msg_init(&m);
    int rc = zmq_msg_set_routing_id(&m, op->id);
    if (op->id == 0)
        expect_errno(rc == -1 && errno == EINVAL,
                     "a routing id of 0 not refused EINVAL");
    else
        fuzz_check(rc == 0 && zmq_msg_routing_id(&m) == op->id,
                   "a routing id not kept");
    rc = zmq_msg_set_group(&m, op->text);
    if (op->text_size > ZMQ_GROUP_MAX_LENGTH)
        expect_errno(rc == -1 && errno == EINVAL &&
                         strcmp(zmq_msg_group(&m), "") == 0,
                     "an over-long group not refused EINVAL");
    else
        fuzz_check(rc == 0 && strcmp(zmq_msg_group(&m), op->text) == 0,
                   "a group not kept");
    zmq_msg_t copy;
    zmq_msg_init(&copy);
    fuzz_check(zmq_msg_copy(&copy, &m) == 0, "zmq_msg_copy");
    fuzz_check(strcmp(zmq_msg_group(&copy), zmq_msg_group(&m)) == 0,
               "a copy has another group");
    zmq_msg_close(&copy);
    zmq_msg_close(&m);
}

static void do_poll(struct pair *p)
{
    void *poller = zmq_poller_new();
    fuzz_check(poller != NULL, "zmq_poller_new");
    for (int i = 0; i < 2; i++)
        fuzz_check(zmq_poller_add(poller, p->s[i], NULL,
                                  ZMQ_POLLIN | ZMQ_POLLOUT) == 0,
                   "zmq_poller_add of a thread-safe socket");
    zmq_poller_event_t events[2];
    int n = zmq_poller_wait_all(poller, events, 2, 0);
    expect_errno(n >= 0 || errno == EAGAIN || errno == EINTR,
                 "zmq_poller_wait_all failed");
    for (int i = 0; i < n; i++)
        if (events[i].events & ZMQ_POLLIN)
            do_recv(p, events[i].socket == p->s[0] ? 0 : 1);
    zmq_poller_destroy(&poller);
}

static void run_op(struct pair *p, const struct op *op)
{
    switch (op->code) {
    case OP_SEND:
        do_send(p, op);
        break;
    case OP_RECV:
        do_recv(p, op->side);
        break;
    case OP_JOIN:
    case OP_LEAVE:
        do_group(p, op);
        break;
    case OP_SET_BYTES:
    case OP_SET_INT:
        do_set(p, op);
        break;
    case OP_GET:
        do_get(p, op);
        break;
    case OP_BIND:
    case OP_CONNECT:
    case OP_UNBIND:
    case OP_DISCONNECT:
    case OP_CONNECT_PEER:
        do_endpoint(p, op);
        break;
    case OP_DISCONNECT_PEER:
        do_disconnect_peer(p, op);
        break;
    case OP_MSG_EDGES:
        do_msg_edges(op);
        break;
    case OP_DRAIN:
        for (int i = 0; i < DRAIN_MAX && do_recv(p, op->side); i++)
            ;
        break;
    case OP_POLL:
        do_poll(p);
        break;
    default: /* SPAWN and WAIT: the main thread's, see run_program */
        break;
    }
}

/* ---- the threads ------------------------------------------------------ */

struct slice {
    struct pair *p;
    const struct op *ops;
    size_t count;
};

static void *worker_main(void *arg)
{
    struct slice *w = arg;
    for (size_t i = 0; i < w->count; i++)
        run_op(w->p, &w->ops[i]);
    return NULL;
}

struct worker {
    pthread_t thread;
    struct slice slice;
    bool running;
};

/* After the worker: a group left meanwhile is no longer maybe joined. */
static void wait_worker(struct pair *p, struct worker *w)
{
    if (!w->running)
        return;
    pthread_join(w->thread, NULL);
    w->running = false;
    lock(p);
    p->worker_running = false;
    for (unsigned i = 0; i < p->maybe_count; i++)
        free(p->maybe_joined[i]);
    p->maybe_count = 0;
    for (unsigned i = 0; i < p->joined_count; i++)
        add(p->maybe_joined, &p->maybe_count, p->joined[i]);
    unlock(p);
}

static void run_program(struct pair *p, const struct op *ops, size_t count)
{
    struct worker w = { .running = false };
    for (size_t i = 0; i < count; i++) {
        if (ops[i].code == OP_WAIT) {
            wait_worker(p, &w);
        } else if (ops[i].code == OP_SPAWN) {
            wait_worker(p, &w);
            size_t n = ops[i].size;
            if (n > count - i - 1)
                n = count - i - 1;
            w.slice = (struct slice){ p, &ops[i + 1], n };
            lock(p);
            p->worker_running = true;
            unlock(p);
            fuzz_check(pthread_create(&w.thread, NULL, worker_main, &w.slice) ==
                           0,
                       "pthread_create");
            w.running = true;
            i += n;
        } else {
            run_op(p, &ops[i]);
        }
    }
    wait_worker(p, &w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in;
    fuzz_input_init(&in, data, size);
    struct pair *p = calloc(1, sizeof *p);
    struct op *ops = calloc(OPS_MAX, sizeof *ops);
    fuzz_check(p != NULL && ops != NULL, "memory");
    const int *types = pairs[fuzz_byte(&in) % 5];
    size_t count = 0;
    while (!fuzz_input_done(&in) && count < OPS_MAX)
        parse_op(&in, &ops[count++]);

    pthread_mutex_init(&p->model, NULL);
    for (int k = 0; k < ENDPOINTS; k++)
        p->bound_by[k] = -1;
    /* A context of its own: an inproc connect to a name never bound
     * stays pending in its context until the context ends (in libzmq
     * too), holding its pipe and what was sent into it. */
    void *ctx = zmq_ctx_new();
    fuzz_check(ctx != NULL, "zmq_ctx_new");
    for (int i = 0; i < 2; i++) {
        p->types[i] = types[i];
        p->s[i] = zmq_socket(ctx, types[i]);
        fuzz_check(p->s[i] != NULL, "zmq_socket of a thread-safe type");
    }
    run_program(p, ops, count);
    fuzz_trace("threadsafe: %zu ops, %u bodies with a header, %u received",
               count, p->next_seq, p->delivered);

    for (int i = 0; i < 2; i++) {
        int zero = 0;
        zmq_setsockopt(p->s[i], ZMQ_LINGER, &zero, sizeof zero);
        zmq_close(p->s[i]);
    }
    fuzz_check(zmq_ctx_term(ctx) == 0, "zmq_ctx_term");
    for (unsigned i = 0; i < p->joined_count; i++)
        free(p->joined[i]);
    for (unsigned i = 0; i < p->maybe_count; i++)
        free(p->maybe_joined[i]);
    pthread_mutex_destroy(&p->model);
    free(ops);
    free(p);
    return 0;
}
