/*
 * Batching frames into iovecs over one staging buffer. The staging buffer
 * never moves while a batch is open, so iovecs may point into it; a batch
 * is closed (and the buffer reused) only once every byte is written.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zmtp_encoder.h"

enum {
    WIRE_MORE = 1,
    WIRE_LONG = 2,
    WIRE_COMMAND = 4,
    PREFIX_MAX = 255,
    /* Bodies up to this size are copied: cheaper than an iovec and a held
     * message each. */
    COPY_MAX = 1024,
    /* What a short frame ahead of another may stage at most: its header
     * and up to 255 octets, with room for what a mechanism's encoding of
     * it adds. */
    SHORT_STAGE_MAX = 9 + 512,
    /* What one frame may add to the staging buffer at most, with the
     * short frame that may go ahead of it in the same turn. */
    FRAME_STAGE_MAX = 9 + PREFIX_MAX + COPY_MAX + SHORT_STAGE_MAX
};

int mz_zmtp_encoder_init(struct mz_zmtp_encoder *e, size_t batch_size)
{
    memset(e, 0, sizeof *e);
    e->batch_size = batch_size > 0 ? batch_size : 1;
    /* A batch stops taking frames once queued reaches batch_size, and the
     * staging buffer never holds more than what was queued: one frame's
     * worth of headroom is enough. */
    e->stage_size = e->batch_size + FRAME_STAGE_MAX;
    e->stage = malloc(e->stage_size);
    if (e->stage == NULL) {
        errno = ENOMEM;
        return -1;
    }
    return 0;
}

static void release_held(struct mz_zmtp_encoder *e)
{
    for (int i = 0; i < e->held_count; i++)
        mz_msg_close(&e->held[i]);
    e->held_count = 0;
}

void mz_zmtp_encoder_fini(struct mz_zmtp_encoder *e)
{
    release_held(e);
    free(e->stage);
    e->stage = NULL;
}

bool mz_zmtp_encoder_has_room(const struct mz_zmtp_encoder *e)
{
    /* Each frame needs at most two iovecs (staged bytes, held body) plus
     * one to seal the stage before writing. */
    return e->queued < e->batch_size && e->iov_count + 3 <= MZ_ZMTP_IOV_MAX &&
           e->held_count < MZ_ZMTP_HELD_MAX;
}

bool mz_zmtp_encoder_pending(const struct mz_zmtp_encoder *e)
{
    return e->queued > 0;
}

/* Turns the staged bytes not yet covered into an iovec. */
static void seal_stage(struct mz_zmtp_encoder *e)
{
    if (e->stage_used == e->stage_sealed)
        return;
    e->iov[e->iov_count].iov_base = e->stage + e->stage_sealed;
    e->iov[e->iov_count].iov_len = e->stage_used - e->stage_sealed;
    e->iov_count++;
    e->stage_sealed = e->stage_used;
}

static void stage_bytes(struct mz_zmtp_encoder *e, const void *bytes, size_t n)
{
    if (n == 0)
        return;
    memcpy(e->stage + e->stage_used, bytes, n);
    e->stage_used += n;
    e->queued += n;
}

void mz_zmtp_encoder_add_raw(struct mz_zmtp_encoder *e, const void *bytes,
                             size_t n)
{
    stage_bytes(e, bytes, n);
}

void mz_zmtp_encoder_add(struct mz_zmtp_encoder *e, bool command,
                         const void *prefix, size_t prefix_size,
                         struct mz_msg *m, size_t offset)
{
    size_t body_size = mz_msg_size(m) - offset;
    uint64_t frame_size = (uint64_t) prefix_size + body_size;
    uint8_t header[9];
    size_t header_size;
    uint8_t flags =
        command ? WIRE_COMMAND : (mz_msg_has_more(m) ? WIRE_MORE : 0);
    if (frame_size <= 255) {
        header[0] = flags;
        header[1] = (uint8_t) frame_size;
        header_size = 2;
    } else {
        header[0] = flags | WIRE_LONG;
        for (int i = 0; i < 8; i++)
            header[1 + i] = (uint8_t) (frame_size >> (8 * (7 - i)));
        header_size = 9;
    }
    stage_bytes(e, header, header_size);
    stage_bytes(e, prefix, prefix_size);
    const uint8_t *body = (const uint8_t *) mz_msg_data(m) + offset;
    if (body_size <= COPY_MAX) {
        stage_bytes(e, body, body_size);
        mz_msg_close(m);
        mz_msg_init(m);
        return;
    }
    seal_stage(e);
    e->iov[e->iov_count].iov_base = (void *) body;
    e->iov[e->iov_count].iov_len = body_size;
    e->iov_count++;
    e->queued += body_size;
    /* Moving keeps the body where it is: only the 64-byte handle moves. */
    mz_msg_init(&e->held[e->held_count]);
    mz_msg_move(&e->held[e->held_count], m);
    e->held_count++;
}

void mz_zmtp_encoder_add_short(struct mz_zmtp_encoder *e, bool more,
                               const void *bytes, size_t n)
{
    uint8_t *header = e->stage + e->stage_used;
    header[0] = more ? WIRE_MORE : 0;
    header[1] = (uint8_t) n;
    e->stage_used += 2;
    e->queued += 2;
    stage_bytes(e, bytes, n);
}

/* Everything is written: start an empty batch. */
static void reset_batch(struct mz_zmtp_encoder *e)
{
    release_held(e);
    e->stage_used = 0;
    e->stage_sealed = 0;
    e->queued = 0;
    e->iov_first = 0;
    e->iov_count = 0;
}

int mz_zmtp_encoder_write(struct mz_zmtp_encoder *e, struct mz_byte_stream *out)
{
    seal_stage(e);
    while (e->iov_first < e->iov_count) {
        ssize_t n = mz_byte_stream_writev(out, e->iov + e->iov_first,
                                          e->iov_count - e->iov_first);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;
            return -1;
        }
        size_t left = (size_t) n;
        while (left > 0) {
            struct iovec *v = &e->iov[e->iov_first];
            if (left < v->iov_len) {
                v->iov_base = (uint8_t *) v->iov_base + left;
                v->iov_len -= left;
                left = 0;
            } else {
                left -= v->iov_len;
                e->iov_first++;
            }
        }
    }
    reset_batch(e);
    return 1;
}
