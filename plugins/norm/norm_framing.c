/*
 * norm plugin: libzmq's message layout in a NORM stream (see
 * norm_framing.h).
 */
#include "norm_framing.h"

#include <string.h>

size_t norm_frame_header(uint8_t out[NORM_HEADER_MAX], uint64_t size,
                         bool first, bool more)
{
    out[0] = first ? NORM_SYNC_FIRST : NORM_SYNC_LATER;
    out[1] = more ? NORM_FLAG_MORE : 0;
    if (size <= 0xFF) {
        out[2] = (uint8_t) size;
        return 3;
    }
    out[1] |= NORM_FLAG_LONG;
    for (int i = 0; i < 8; i++)
        out[2 + i] = (uint8_t) (size >> (56 - 8 * i));
    return NORM_HEADER_MAX;
}

void norm_decoder_init(struct norm_decoder *d, int64_t part_max)
{
    memset(d, 0, sizeof *d);
    d->part_max = part_max;
}

void norm_decoder_fini(struct norm_decoder *d)
{
    assembly_fini(&d->messages);
}

void norm_decoder_sync(struct norm_decoder *d, uint8_t first_octet)
{
    if (d->joined || first_octet != NORM_SYNC_FIRST)
        return;
    d->joined = true;
    d->in_message = false;
    d->state = AT_FLAGS;
}

/* Out of step: the stream waits for the next message boundary. */
static void unjoin(struct norm_decoder *d)
{
    d->joined = false;
    d->state = AT_SYNC;
    d->in_message = false;
}

void norm_decoder_reset(struct norm_decoder *d)
{
    if (assembly_discard(&d->messages))
        d->dropped++;
    unjoin(d);
}

/* A part's size is known: checks it and starts the part. */
static enum norm_decode_status part_start(struct norm_decoder *d,
                                          uint64_t size)
{
    if ((d->part_max >= 0 && size > (uint64_t) d->part_max) ||
        size > SIZE_MAX / 4)
        return NORM_DECODE_TOO_LARGE;
    if (assembly_part_begin(&d->messages) < 0)
        return NORM_DECODE_NO_MEMORY;
    d->body_left = size;
    d->state = AT_BODY;
    return NORM_DECODE_OK;
}

static void part_finish(struct norm_decoder *d)
{
    assembly_part_end(&d->messages, d->part_more);
    d->in_message = d->part_more;
    d->state = AT_SYNC;
}

/* One step of the frame reader on data; how many octets it took, or
 * -1 with *status set. */
static long step(struct norm_decoder *d, const uint8_t *data, size_t n,
                 enum norm_decode_status *status)
{
    switch (d->state) {
    case AT_SYNC:
        /* A message's first part after a whole message, a later part in
         * the middle of one: anything else is out of step. */
        if (*data != (d->in_message ? NORM_SYNC_LATER : NORM_SYNC_FIRST)) {
            *status = NORM_DECODE_BAD_SYNC;
            return -1;
        }
        d->state = AT_FLAGS;
        return 1;
    case AT_FLAGS:
        if (*data & ~(NORM_FLAG_MORE | NORM_FLAG_LONG)) {
            *status = NORM_DECODE_BAD_FLAGS;
            return -1;
        }
        d->part_more = (*data & NORM_FLAG_MORE) != 0;
        d->size_need = (*data & NORM_FLAG_LONG) ? 8 : 1;
        d->size_have = 0;
        d->state = AT_SIZE;
        return 1;
    case AT_SIZE: {
        d->size_bytes[d->size_have++] = *data;
        if (d->size_have < d->size_need)
            return 1;
        uint64_t size = 0;
        for (size_t i = 0; i < d->size_need; i++)
            size = size << 8 | d->size_bytes[i];
        *status = part_start(d, size);
        if (*status != NORM_DECODE_OK)
            return -1;
        if (size == 0)
            part_finish(d);
        return 1;
    }
    case AT_BODY: {
        size_t chunk = n < d->body_left ? n : (size_t) d->body_left;
        if (assembly_part_append(&d->messages, data, chunk) < 0) {
            *status = NORM_DECODE_NO_MEMORY;
            return -1;
        }
        d->body_left -= chunk;
        if (d->body_left == 0)
            part_finish(d);
        return (long) chunk;
    }
    }
    return -1;
}

enum norm_decode_status norm_decoder_feed(struct norm_decoder *d,
                                          const uint8_t *bytes, size_t size)
{
    enum norm_decode_status status = NORM_DECODE_OK;
    while (size > 0 && d->joined) {
        long taken = step(d, bytes, size, &status);
        if (taken < 0) {
            assembly_discard(&d->messages);
            d->dropped++;
            unjoin(d);
            return status;
        }
        bytes += taken;
        size -= (size_t) taken;
    }
    return status;
}

struct assembled_message *norm_decoder_peek(const struct norm_decoder *d)
{
    return assembly_peek(&d->messages);
}

void norm_decoder_pop(struct norm_decoder *d)
{
    assembly_pop(&d->messages);
}

const char *norm_decode_status_name(enum norm_decode_status status)
{
    switch (status) {
    case NORM_DECODE_OK:
        return "ok";
    case NORM_DECODE_BAD_SYNC:
        return "a sync octet out of step";
    case NORM_DECODE_BAD_FLAGS:
        return "unknown frame flags";
    case NORM_DECODE_TOO_LARGE:
        return "a part over the size limit";
    case NORM_DECODE_NO_MEMORY:
        return "out of memory";
    }
    return "?";
}
