/*
 * pgm plugin: the ZMTP 1.0 frame stream cut into PGM payloads, and read
 * back whole messages at a time (pgm_framing.h).
 */
#include "pgm_framing.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---- encoder ------------------------------------------------------- */

void pgm_encoder_init(struct pgm_encoder *e, size_t payload_max)
{
    memset(e, 0, sizeof *e);
    if (payload_max < PGM_PAYLOAD_MIN)
        payload_max = PGM_PAYLOAD_MIN;
    /* The offset field must be able to point anywhere in it. */
    if (payload_max > PGM_NO_OFFSET)
        payload_max = PGM_NO_OFFSET;
    e->payload_max = payload_max;
}

void pgm_encoder_fini(struct pgm_encoder *e)
{
    while (e->head != NULL)
        pgm_encoder_pop(e);
    free(e->open);
    e->open = NULL;
}

static void queue_payload(struct pgm_encoder *e, struct pgm_payload *p)
{
    p->next = NULL;
    if (e->tail != NULL)
        e->tail->next = p;
    else
        e->head = p;
    e->tail = p;
    e->queued++;
}

void pgm_encoder_flush(struct pgm_encoder *e)
{
    if (e->open != NULL && e->open->size > PGM_OFFSET_SIZE) {
        queue_payload(e, e->open);
        e->open = NULL;
    }
}

/* Appends n octets to the stream; boundary: a message begins at the
 * first of them. */
static int put(struct pgm_encoder *e, const uint8_t *data, size_t n,
               bool boundary)
{
    while (n > 0) {
        struct pgm_payload *p = e->open;
        if (p == NULL) {
            p = malloc(sizeof *p + e->payload_max);
            if (p == NULL) {
                errno = ENOMEM;
                return -1;
            }
            p->next = NULL;
            p->bytes[0] = p->bytes[1] = 0xFF;
            p->size = PGM_OFFSET_SIZE;
            e->open = p;
        }
        if (boundary && p->bytes[0] == 0xFF && p->bytes[1] == 0xFF) {
            size_t offset = p->size - PGM_OFFSET_SIZE;
            p->bytes[0] = (uint8_t) (offset >> 8);
            p->bytes[1] = (uint8_t) offset;
        }
        boundary = false;
        size_t chunk = e->payload_max - p->size;
        if (chunk > n)
            chunk = n;
        memcpy(p->bytes + p->size, data, chunk);
        p->size += chunk;
        data += chunk;
        n -= chunk;
        if (p->size == e->payload_max) {
            e->open = NULL;
            queue_payload(e, p);
        }
    }
    return 0;
}

int pgm_encoder_add(struct pgm_encoder *e, const void *data, size_t size,
                    bool more)
{
    uint8_t header[10];
    size_t header_size;
    uint64_t length = (uint64_t) size + 1; /* the flags octet counts */
    if (length < 0xFF) {
        header[0] = (uint8_t) length;
        header_size = 1;
    } else {
        header[0] = 0xFF;
        for (int i = 0; i < 8; i++)
            header[1 + i] = (uint8_t) (length >> (56 - 8 * i));
        header_size = 9;
    }
    header[header_size++] = more ? 0x01 : 0x00;
    bool starts_message = !e->in_message;
    e->in_message = more;
    if (put(e, header, header_size, starts_message) < 0)
        return -1;
    return put(e, data, size, false);
}

const struct pgm_payload *pgm_encoder_peek(const struct pgm_encoder *e)
{
    return e->head;
}

void pgm_encoder_pop(struct pgm_encoder *e)
{
    struct pgm_payload *p = e->head;
    if (p == NULL)
        return;
    e->head = p->next;
    if (e->head == NULL)
        e->tail = NULL;
    e->queued--;
    free(p);
}

/* ---- decoder ------------------------------------------------------- */

void pgm_decoder_init(struct pgm_decoder *d, int64_t part_max)
{
    memset(d, 0, sizeof *d);
    d->part_max = part_max;
    d->state = FRAME_LENGTH;
}

void pgm_decoder_set_sink(struct pgm_decoder *d,
                          bool (*take)(void *arg, const uint8_t *body,
                                       size_t size),
                          void (*flush)(void *arg), void *arg)
{
    d->take = take;
    d->flush = flush;
    d->sink_arg = arg;
}

void pgm_decoder_fini(struct pgm_decoder *d)
{
    assembly_fini(&d->messages);
}

/* Drops the message being read; the stream waits for a boundary. */
static void discard(struct pgm_decoder *d)
{
    assembly_discard(&d->messages);
    d->joined = false;
    d->state = FRAME_LENGTH;
    d->length_have = 0;
}

void pgm_decoder_reset(struct pgm_decoder *d)
{
    if (d->joined)
        d->dropped++;
    discard(d);
}

void pgm_decoder_sequence(struct pgm_decoder *d, uint32_t first, uint32_t last)
{
    if (d->has_sequence && first != d->next_sequence)
        pgm_decoder_reset(d);
    d->has_sequence = true;
    d->next_sequence = last + 1;
}

/* Offers a whole single-part message to the sink, after what is queued
 * before it; false when it must be assembled and queued instead. */
static bool take_whole(struct pgm_decoder *d, const uint8_t *body, size_t size)
{
    if (d->take == NULL || assembly_reading(&d->messages))
        return false;
    if (assembly_peek(&d->messages) != NULL) {
        d->flush(d->sink_arg);
        if (assembly_peek(&d->messages) != NULL)
            return false;
    }
    return d->take(d->sink_arg, body, size);
}

static void part_end(struct pgm_decoder *d)
{
    d->state = FRAME_LENGTH;
    assembly_part_end(&d->messages, d->part_more);
}

/* Reads the frames in data, from a frame's start or where the last
 * payload left off. */
static enum pgm_decode_status read_frames(struct pgm_decoder *d,
                                          const uint8_t *data, size_t n)
{
    while (n > 0) {
        switch (d->state) {
        case FRAME_LENGTH: {
            uint8_t b = *data++;
            n--;
            if (b == 0xFF) {
                d->state = FRAME_LONG_LENGTH;
                d->length_have = 0;
            } else if (b == 0) {
                return PGM_DECODE_BAD_FRAME;
            } else {
                d->body_left = b - 1u;
                d->state = FRAME_FLAGS;
            }
            break;
        }
        case FRAME_LONG_LENGTH: {
            d->length_bytes[d->length_have++] = *data++;
            n--;
            if (d->length_have < 8)
                break;
            uint64_t length = 0;
            for (int i = 0; i < 8; i++)
                length = length << 8 | d->length_bytes[i];
            if (length == 0)
                return PGM_DECODE_BAD_FRAME;
            d->body_left = length - 1;
            d->state = FRAME_FLAGS;
            break;
        }
        case FRAME_FLAGS:
            d->part_more = (*data & 0x01) != 0;
            data++;
            n--;
            if ((d->part_max >= 0 && d->body_left > (uint64_t) d->part_max) ||
                d->body_left > SIZE_MAX / 4)
                return PGM_DECODE_TOO_LARGE;
            if (!d->part_more && d->body_left <= n &&
                take_whole(d, data, (size_t) d->body_left)) {
                data += d->body_left;
                n -= (size_t) d->body_left;
                d->state = FRAME_LENGTH;
                break;
            }
            if (assembly_part_begin(&d->messages) < 0)
                return PGM_DECODE_NO_MEMORY;
            d->state = FRAME_BODY;
            if (d->body_left == 0)
                part_end(d);
            break;
        case FRAME_BODY: {
            size_t chunk = n;
            if (chunk > d->body_left)
                chunk = (size_t) d->body_left;
            if (assembly_part_append(&d->messages, data, chunk) < 0)
                return PGM_DECODE_NO_MEMORY;
            data += chunk;
            n -= chunk;
            d->body_left -= chunk;
            if (d->body_left == 0)
                part_end(d);
            break;
        }
        }
    }
    return PGM_DECODE_OK;
}

enum pgm_decode_status pgm_decoder_feed(struct pgm_decoder *d,
                                        const uint8_t *payload, size_t size)
{
    if (size < PGM_OFFSET_SIZE) {
        d->dropped++;
        return PGM_DECODE_SHORT;
    }
    size_t offset = (size_t) payload[0] << 8 | payload[1];
    const uint8_t *data = payload + PGM_OFFSET_SIZE;
    size_t n = size - PGM_OFFSET_SIZE;
    if (offset != PGM_NO_OFFSET && offset > n) {
        /* A lying payload: what it carries cannot be trusted. */
        discard(d);
        d->dropped++;
        return PGM_DECODE_BAD_OFFSET;
    }
    if (!d->joined) {
        if (offset == PGM_NO_OFFSET)
            return PGM_DECODE_WAITING;
        data += offset;
        n -= offset;
        d->joined = true;
        d->state = FRAME_LENGTH;
    }
    enum pgm_decode_status status = read_frames(d, data, n);
    if (status != PGM_DECODE_OK) {
        d->dropped++;
        discard(d);
    }
    return status;
}

struct assembled_message *pgm_decoder_peek(const struct pgm_decoder *d)
{
    return assembly_peek(&d->messages);
}

void pgm_decoder_pop(struct pgm_decoder *d)
{
    assembly_pop(&d->messages);
}

const char *pgm_decode_status_name(enum pgm_decode_status status)
{
    switch (status) {
    case PGM_DECODE_OK:
        return "ok";
    case PGM_DECODE_WAITING:
        return "no message begins in it";
    case PGM_DECODE_SHORT:
        return "shorter than its offset";
    case PGM_DECODE_BAD_OFFSET:
        return "an offset past its end";
    case PGM_DECODE_BAD_FRAME:
        return "a frame of length 0";
    case PGM_DECODE_TOO_LARGE:
        return "a part over the size limit";
    case PGM_DECODE_NO_MEMORY:
        return "out of memory";
    }
    return "?";
}
