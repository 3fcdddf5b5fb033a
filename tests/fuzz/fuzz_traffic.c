/*
 * Fuzz target: traffic after a valid NULL handshake: frames of any shape
 * (core/zmtp/zmtp_decoder.c in the engine, with its readv into large bodies),
 * multipart messages, MAXMSGSIZE, PING/PONG, SUBSCRIBE/CANCEL for a
 * publisher, JOIN/LEAVE (RFC 48: a group of at most 255 octets, no NUL)
 * for any type and a RADIO, a DISH's group and body frames, ERROR and
 * READY out of place, unknown commands, and a pipe that fills (a part
 * held and retried).
 *
 * What the session gets is checked against this file's own reading of
 * the stream: the data frames in order with their MORE flags, for a
 * publisher each SUBSCRIBE or CANCEL as its 1 or 0 byte and topic, for a
 * RADIO each JOIN and LEAVE as the command it is, and for a DISH each
 * group frame and body frame as one part with its group. The
 * parts must be a prefix of that (the engine stops at the first frame it
 * refuses), and all of it when the connection ended with the stream.
 *
 * The single-part types (CLIENT, SERVER, SCATTER, GATHER, PEER, CHANNEL)
 * get every frame from the engine too; it is their socket that drops a
 * multipart message whole. So for them each part the session takes also
 * goes through a pipe to the receive path those sockets use
 * (core/sockets/single_part.c), which must return exactly the frames that
 * were a message of one part, in order.
 *
 * Input: the engine setup (engine_driver.h), then the peer's frames after
 * its greeting and READY, as chunks (each a turn).
 */
#include <stdlib.h>
#include <string.h>

#include "engine_driver.h"
#include "pipe.h"
#include "routing.h"
#include "single_part.h"
#include "zmq.h"

enum { PARTS_MAX = 4096 };

struct part {
    uint8_t prefix; /* 2: none; else the subscription byte before data */
    const uint8_t *data;
    size_t size;
    bool more;
    bool command;         /* a RADIO's JOIN or LEAVE */
    const uint8_t *group; /* a DISH's part: its group */
    size_t group_size;
    bool single; /* a message of one part: a single-part socket returns it */
};

/* What the stream's reading depends on: the socket type. */
struct reader {
    bool publisher;
    int type;
    const uint8_t *group; /* a DISH's group frame, awaiting its body */
    size_t group_size;
    bool group_pending;
    bool in_message; /* the last data frame had MORE */
};

/* The receive path of a single-part socket type, fed with what the
 * session takes. */
struct socket_side {
    struct mz_pipe *pipe;
    struct mz_fair_queue fq;
    size_t next; /* expected[] index after the last message it returned */
    size_t returned;
};

struct traffic {
    uint8_t stream[65536 + 4096];
    size_t stream_size;
    struct part expected[PARTS_MAX];
    size_t expected_count;
    bool expected_whole; /* the stream holds nothing the engine refuses */
    bool truncated;      /* the stream is longer than this file reads */
    size_t got;          /* parts the session took, each as expected */
    size_t single_count; /* parts a single-part socket returns */
    struct socket_side *socket; /* single-part types only */
};

static bool command_is(const uint8_t *body, size_t size, const char *name,
                       const uint8_t **data, size_t *data_size)
{
    size_t length = strlen(name);
    if (body[0] != length || memcmp(body + 1, name, length) != 0)
        return false;
    *data = body + 1 + length;
    *data_size = size - 1 - length;
    return true;
}

static struct part *expect(struct traffic *t, uint8_t prefix,
                           const uint8_t *data, size_t size, bool more)
{
    static struct part ignored;
    if (t->expected_count == PARTS_MAX)
        return &ignored;
    struct part *p = &t->expected[t->expected_count++];
    *p = (struct part){ prefix, data, size, more, false, NULL, 0, false };
    return p;
}

/* A group of RFC 48: at most 255 octets, none of them NUL. */
static bool is_group(const uint8_t *data, size_t size)
{
    return size <= 255 && memchr(data, 0, size) == NULL;
}

/* One command; false when the engine must refuse it. */
static bool read_command(struct traffic *t, const uint8_t *body, size_t size,
                         const struct reader *r)
{
    if (size < 1 || body[0] == 0 || (size_t) body[0] + 1 > size)
        return false;
    const uint8_t *data;
    size_t data_size;
    /* A context longer than RFC 37's 16 octets is cut to them in the
     * PONG, as libzmq does: only a PING without its TTL is refused. */
    if (command_is(body, size, "PING", &data, &data_size))
        return data_size >= 2;
    if (command_is(body, size, "SUBSCRIBE", &data, &data_size) ||
        command_is(body, size, "CANCEL", &data, &data_size)) {
        if (r->publisher)
            expect(t, body[1] == 'S' ? 1 : 0, data, data_size, false);
        return true;
    }
    if (command_is(body, size, "JOIN", &data, &data_size) ||
        command_is(body, size, "LEAVE", &data, &data_size)) {
        if (!is_group(data, data_size))
            return false;
        if (r->type == ZMQ_RADIO)
            expect(t, 2, body, size, false)->command = true;
        return true;
    }
    return !command_is(body, size, "ERROR", &data, &data_size) &&
           !command_is(body, size, "READY", &data, &data_size);
}

/* A DISH's data frame: a group frame (MORE) then its body (no MORE);
 * false when the engine must refuse it. */
static bool read_dish_frame(struct traffic *t, const uint8_t *body, size_t size,
                            bool more, struct reader *r)
{
    if (!r->group_pending) {
        if (!more || !is_group(body, size))
            return false;
        r->group = body;
        r->group_size = size;
        r->group_pending = true;
        return true;
    }
    if (more)
        return false;
    r->group_pending = false;
    struct part *p = expect(t, 2, body, size, false);
    p->group = r->group;
    p->group_size = r->group_size;
    return true;
}

/* The parts the stream holds, up to the first frame the engine must
 * refuse; a frame cut short by the end of the stream is no part. */
static void read_stream(struct traffic *t, int64_t max, struct reader *r)
{
    const uint8_t *s = t->stream;
    size_t pos = 0, n = t->stream_size;
    t->expected_whole = true;
    while (n - pos >= 2) {
        uint8_t flags = s[pos];
        bool command = (flags & 4) != 0;
        if ((flags & 0xF8) != 0 || (command && (flags & 1))) {
            t->expected_whole = false;
            return;
        }
        size_t header = (flags & 2) ? 9 : 2;
        if (n - pos < header)
            return;
        uint64_t size = s[pos + 1];
        if (flags & 2) {
            size = 0;
            for (size_t i = 1; i < 9; i++)
                size = size << 8 | s[pos + i];
        }
        if (size > INT64_MAX || (max >= 0 && size > (uint64_t) max)) {
            t->expected_whole = false;
            return;
        }
        if (n - pos - header < size)
            return;
        const uint8_t *body = s + pos + header;
        if (command) {
            if (!read_command(t, body, (size_t) size, r)) {
                t->expected_whole = false;
                return;
            }
        } else if (r->type == ZMQ_DISH) {
            if (!read_dish_frame(t, body, (size_t) size, (flags & 1) != 0, r)) {
                t->expected_whole = false;
                return;
            }
        } else {
            bool more = (flags & 1) != 0;
            struct part *p = expect(t, 2, body, (size_t) size, more);
            p->single = !more && !r->in_message;
            r->in_message = more;
        }
        pos += header + (size_t) size;
    }
}

static bool is_single_part_type(int type)
{
    return type == ZMQ_CLIENT || type == ZMQ_SERVER || type == ZMQ_SCATTER ||
           type == ZMQ_GATHER || type == ZMQ_PEER || type == ZMQ_CHANNEL;
}

static struct socket_side *socket_side_new(struct traffic *t)
{
    for (size_t i = 0; i < t->expected_count; i++)
        t->single_count += t->expected[i].single;
    struct socket_side *s = calloc(1, sizeof *s);
    fuzz_check(s != NULL, "memory");
    s->pipe = mz_pipe_new(0, 0, false);
    fuzz_check(s->pipe != NULL, "memory");
    mz_fq_init(&s->fq, 0);
    fuzz_check(mz_fq_attach(&s->fq, &s->pipe->end[1]), "memory");
    return s;
}

static void socket_side_free(struct socket_side *s)
{
    mz_fq_fini(&s->fq);
    mz_pipe_release(&s->pipe->end[0]);
    mz_pipe_release(&s->pipe->end[1]);
    free(s);
}

/* Hands a copy of the session's part to the socket's receive path and
 * checks each message it returns against the next single part expected. */
static void socket_side_take(struct traffic *t, const struct mz_msg *m)
{
    struct socket_side *s = t->socket;
    struct mz_msg copy;
    mz_msg_init(&copy);
    mz_msg_copy(&copy, m);
    fuzz_check(mz_pipe_write(&s->pipe->end[0], &copy), "driver: pipe");
    mz_pipe_flush(&s->pipe->end[0]);
    /* The pipe's ACTIVATE_READ would go to the reading end's owner, here
     * nobody: wake the fair queue as the socket does on it. */
    mz_fq_activated(&s->fq, &s->pipe->end[1]);
    struct mz_msg got;
    mz_msg_init(&got);
    while (mz_single_part_recv(&s->fq, &got, NULL) == 0) {
        while (s->next < t->expected_count && !t->expected[s->next].single)
            s->next++;
        fuzz_check(s->next < t->expected_count,
                   "a single-part socket returned a part of a multipart "
                   "message");
        const struct part *e = &t->expected[s->next++];
        size_t size = mz_msg_size(&got);
        fuzz_check(!mz_msg_has_more(&got) && size == e->size &&
                       (size == 0 ||
                        memcmp(mz_msg_data(&got), e->data, size) == 0),
                   "a single-part socket returned another message than "
                   "the next one of one part");
        s->returned++;
        mz_msg_close(&got);
        mz_msg_init(&got);
    }
}

static void on_part(void *arg, const struct mz_msg *m)
{
    struct traffic *t = arg;
    if (t->truncated || t->got == PARTS_MAX)
        return;
    fuzz_check(t->got < t->expected_count,
               "a part the stream does not hold reached the session");
    const struct part *e = &t->expected[t->got++];
    const uint8_t *data = mz_msg_data((struct mz_msg *) m);
    size_t size = mz_msg_size(m);
    bool same;
    if (e->prefix == 2)
        same = size == e->size && mz_msg_has_more(m) == e->more &&
               (size == 0 || memcmp(data, e->data, size) == 0);
    else
        same = size == e->size + 1 && data[0] == e->prefix &&
               (e->size == 0 || memcmp(data + 1, e->data, e->size) == 0);
    same = same && ((m->flags & MZ_MSG_COMMAND) != 0) == e->command;
    if (e->group != NULL)
        same = same && mz_msg_group_size(m) == e->group_size &&
               memcmp(mz_msg_group(m), e->group, e->group_size) == 0;
    fuzz_check(same, "a part differs from the frame it came from");
    if (t->socket != NULL)
        socket_side_take(t, m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in;
    fuzz_input_init(&in, data, size);
    struct fuzz_engine run;
    fuzz_engine_setup(&run, &in);
    fuzz_engine_greeting(&run, "NULL", false);
    fuzz_engine_null_ready(&run);

    struct traffic *t = calloc(1, sizeof *t);
    fuzz_check(t != NULL, "memory");
    /* The turns, as the driver will read them, end to end. */
    struct fuzz_input turns = in;
    while (!fuzz_input_done(&turns)) {
        size_t n;
        const uint8_t *chunk = fuzz_chunk(&turns, &n);
        size_t room = sizeof t->stream - t->stream_size;
        if (n > room) {
            n = room;
            t->truncated = true;
        }
        memcpy(t->stream + t->stream_size, chunk, n);
        t->stream_size += n;
    }
    int type = run.options.socket_type;
    struct reader r = { .publisher = type == ZMQ_PUB || type == ZMQ_XPUB,
                        .type = type };
    read_stream(t, run.options.maxmsgsize, &r);
    if (is_single_part_type(type))
        t->socket = socket_side_new(t);

    run.on_part = on_part;
    run.arg = t;
    fuzz_engine_run(&run, &in);
    fuzz_trace("traffic: %zu of %zu parts, %zu of %zu single-part messages",
               t->got, t->expected_count,
               t->socket != NULL ? t->socket->returned : 0, t->single_count);
    if (run.handshake_done && run.end == MZ_ENGINE_CONNECTION_CLOSED &&
        t->expected_whole && !t->truncated && t->expected_count < PARTS_MAX)
        fuzz_check(t->got == t->expected_count &&
                       (t->socket == NULL ||
                        t->socket->returned == t->single_count),
                   "parts the stream holds never reached the session");
    if (t->socket != NULL)
        socket_side_free(t->socket);
    free(t);
    return 0;
}
