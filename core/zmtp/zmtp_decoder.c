/*
 * Frame layout (RFC 23/37): flags (bit 0 MORE, bit 1 LONG, bit 2 COMMAND,
 * bits 3-7 zero), then the body size in one octet or, when LONG, in eight
 * octets in network order, then the body.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "zmtp_decoder.h"

enum {
    WIRE_MORE = 1,
    WIRE_LONG = 2,
    WIRE_COMMAND = 4,
    WIRE_RESERVED = 0xF8,
    SHORT_HEADER = 2,
    LONG_HEADER = 9
};

void mz_zmtp_decoder_init(struct mz_zmtp_decoder *d, int64_t maxmsgsize)
{
    memset(d, 0, sizeof *d);
    d->maxmsgsize = maxmsgsize;
    d->header_need = SHORT_HEADER;
    mz_msg_init(&d->frame);
}

void mz_zmtp_decoder_fini(struct mz_zmtp_decoder *d)
{
    if (d->growing)
        free(d->body);
    mz_msg_close(&d->frame);
}

void mz_zmtp_decoder_forbid_commands(struct mz_zmtp_decoder *d)
{
    d->no_commands = true;
}

static void free_grown_body(void *data, void *hint)
{
    (void) hint;
    free(data);
}

static uint64_t read_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

/* The header is complete: validate it and note the body's size and
 * flags. */
static enum mz_zmtp_decode_status header_done(struct mz_zmtp_decoder *d)
{
    uint8_t flags = d->header[0];
    uint64_t size = (flags & WIRE_LONG) ? read_be64(d->header + 1)
                                        : (uint64_t) d->header[1];
    if ((flags & WIRE_LONG) && size > INT64_MAX)
        return MZ_DECODE_PROTOCOL;
    if (d->maxmsgsize >= 0 && size > (uint64_t) d->maxmsgsize)
        return MZ_DECODE_TOO_LARGE;
    uint8_t msg_flags = 0;
    if (flags & WIRE_MORE)
        msg_flags |= MZ_MSG_MORE;
    if (flags & WIRE_COMMAND)
        msg_flags |= MZ_MSG_COMMAND;
    d->frame_flags = msg_flags;
    d->body_size = size;
    d->body_have = 0;
    return MZ_DECODE_NEED_INPUT;
}

/* Makes room for a body that is still to arrive. */
static enum mz_zmtp_decode_status body_start(struct mz_zmtp_decoder *d)
{
    if (d->body_size > MZ_ZMTP_GROW_FROM) {
        d->body = malloc(MZ_ZMTP_GROW_FROM);
        if (d->body == NULL)
            return MZ_DECODE_NO_MEMORY;
        d->body_room = MZ_ZMTP_GROW_FROM;
        d->growing = true;
    } else {
        if (mz_msg_init_size(&d->frame, (size_t) d->body_size) < 0)
            return MZ_DECODE_NO_MEMORY;
        d->frame.flags = d->frame_flags;
        d->body = mz_msg_data(&d->frame);
        d->body_room = (size_t) d->body_size;
    }
    d->in_body = true;
    return MZ_DECODE_NEED_INPUT;
}

static void frame_done(struct mz_zmtp_decoder *d)
{
    d->in_body = false;
    d->header_have = 0;
    d->header_need = SHORT_HEADER;
}

/* A body too big to live inside a message, already whole in the input
 * buffer, becomes a slice of that buffer instead of a copy. */
static bool take_slice(struct mz_zmtp_decoder *d, struct mz_recv_buffer *source,
                       const uint8_t *at, size_t available)
{
    if (source == NULL || d->body_size <= MZ_MSG_INLINE_MAX ||
        d->body_size > available)
        return false;
    mz_msg_close(&d->frame);
    mz_recv_buffer_slice(source, &d->frame, (uint8_t *) at,
                         (size_t) d->body_size);
    d->frame.flags = d->frame_flags;
    frame_done(d);
    return true;
}

enum mz_zmtp_decode_status mz_zmtp_decoder_feed(struct mz_zmtp_decoder *d,
                                                const uint8_t *in, size_t size,
                                                struct mz_recv_buffer *source,
                                                size_t *used)
{
    size_t pos = 0;
    *used = 0;
    if (!d->in_body) {
        while (d->header_have < d->header_need && pos < size) {
            d->header[d->header_have++] = in[pos++];
            if (d->header_have == 1) {
                uint8_t flags = d->header[0];
                if ((flags & WIRE_RESERVED) != 0 ||
                    ((flags & WIRE_COMMAND) &&
                     (d->no_commands || (flags & WIRE_MORE)))) {
                    *used = pos;
                    return MZ_DECODE_PROTOCOL;
                }
                d->header_need =
                    (flags & WIRE_LONG) ? LONG_HEADER : SHORT_HEADER;
            }
        }
        *used = pos;
        if (d->header_have < d->header_need)
            return MZ_DECODE_NEED_INPUT;
        enum mz_zmtp_decode_status status = header_done(d);
        if (status != MZ_DECODE_NEED_INPUT)
            return status;
        if (take_slice(d, source, in + pos, size - pos)) {
            *used = pos + (size_t) d->body_size;
            return MZ_DECODE_FRAME;
        }
        status = body_start(d);
        if (status != MZ_DECODE_NEED_INPUT)
            return status;
    }
    for (;;) {
        size_t space;
        uint8_t *at = mz_zmtp_decoder_body_space(d, &space);
        size_t take = size - pos < space ? size - pos : space;
        if (take > 0)
            memcpy(at, in + pos, take);
        pos += take;
        *used = pos;
        enum mz_zmtp_decode_status status =
            mz_zmtp_decoder_body_filled(d, take);
        if (status != MZ_DECODE_NEED_INPUT || pos == size)
            return status;
    }
}

void mz_zmtp_decoder_take(struct mz_zmtp_decoder *d, struct mz_msg *out)
{
    mz_msg_move(out, &d->frame);
}

uint8_t *mz_zmtp_decoder_body_space(struct mz_zmtp_decoder *d, size_t *space)
{
    if (!d->in_body) {
        *space = 0;
        return NULL;
    }
    *space = d->body_room - d->body_have;
    return d->body + d->body_have;
}

/* A growing body is full: double its room, up to the announced size. */
static bool grow(struct mz_zmtp_decoder *d)
{
    uint64_t room = (uint64_t) d->body_room * 2;
    if (room > d->body_size)
        room = d->body_size;
    if (room > SIZE_MAX)
        return false;
    uint8_t *body = realloc(d->body, (size_t) room);
    if (body == NULL)
        return false;
    d->body = body;
    d->body_room = (size_t) room;
    return true;
}

enum mz_zmtp_decode_status
mz_zmtp_decoder_body_filled(struct mz_zmtp_decoder *d, size_t n)
{
    d->body_have += n;
    if (d->body_have < d->body_size) {
        if (d->body_have == d->body_room && !grow(d)) {
            errno = ENOMEM;
            return MZ_DECODE_NO_MEMORY;
        }
        return MZ_DECODE_NEED_INPUT;
    }
    if (d->growing) {
        /* Hand the finished body to a message that frees it. */
        d->growing = false;
        if (mz_msg_init_data(&d->frame, d->body, d->body_have, free_grown_body,
                             NULL) < 0) {
            free(d->body);
            return MZ_DECODE_NO_MEMORY;
        }
        d->frame.flags = d->frame_flags;
    }
    frame_done(d);
    return MZ_DECODE_FRAME;
}
