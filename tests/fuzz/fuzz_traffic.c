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
 * Input: the engine setup (engine_driver.h), then the peer's frames after
 * its greeting and READY, as chunks (each a turn).
 */
#include <stdlib.h>
#include <string.h>

#include "engine_driver.h"
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
};

/* What the stream's reading depends on: the socket type. */
struct reader {
    bool publisher;
    int type;
    const uint8_t *group; /* a DISH's group frame, awaiting its body */
    size_t group_size;
    bool group_pending;
};

struct traffic {
    uint8_t stream[65536 + 4096];
    size_t stream_size;
    struct part expected[PARTS_MAX];
    size_t expected_count;
    bool expected_whole; /* the stream holds nothing the engine refuses */
    bool truncated;      /* the stream is longer than this file reads */
    size_t got;          /* parts the session took, each as expected */
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
    *p = (struct part){ prefix, data, size, more, false, NULL, 0 };
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
            expect(t, 2, body, (size_t) size, (flags & 1) != 0);
        }
        pos += header + (size_t) size;
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

    run.on_part = on_part;
    run.arg = t;
    fuzz_engine_run(&run, &in);
    if (run.handshake_done && run.end == MZ_ENGINE_CONNECTION_CLOSED &&
        t->expected_whole && !t->truncated && t->expected_count < PARTS_MAX)
        fuzz_check(t->got == t->expected_count,
                   "parts the stream holds never reached the session");
    free(t);
    return 0;
}
