/*
 * Fuzz target: the ZMTP frame decoder (core/zmtp/zmtp_decoder.c), fed the way
 * the engine feeds it: reads of a size the input chooses, copied into the
 * receive buffer whose slices small frames become, and the rest of a large
 * body written straight into its message (the engine's readv).
 *
 * Input: a byte choosing ZMQ_MAXMSGSIZE, a byte of modes, a byte giving
 * the read size, then the stream. Every frame the decoder gives is checked
 * against a reading of the same bytes done here (flags, size, body); the
 * last frames are held open across later reads and checked again at the
 * end, so that a slice whose buffer was reused shows.
 */
#include <string.h>

#include "fuzz.h"
#include "msg.h"
#include "recv_buffer.h"
#include "zmtp_decoder.h"

enum {
    MODE_SLICES = 1,        /* frames may be slices of the buffer */
    MODE_NO_COMMANDS = 2,   /* ZMTP 2.0 framing */
    MODE_DIRECT_BODY = 4,   /* large bodies are read into their message */
    HELD_FRAMES = 4,        /* frames kept open across reads */
    READ_MAX = 4096
};

/* A frame as this file reads it from the stream. */
struct expected {
    size_t at; /* where its body starts in the stream */
    size_t size;
    uint8_t flags; /* MZ_MSG_MORE, MZ_MSG_COMMAND */
};

struct run {
    const uint8_t *stream;
    size_t stream_size;
    size_t frame_start; /* where the next frame's header starts */
    struct mz_msg held[HELD_FRAMES];
    struct expected held_expected[HELD_FRAMES];
    size_t held_next;
};

/* Reads the frame whose header starts at frame_start; false if the
 * stream ends inside the header. */
static bool expect_frame(const struct run *r, struct expected *out)
{
    const uint8_t *p = r->stream + r->frame_start;
    size_t left = r->stream_size - r->frame_start;
    if (left < 2)
        return false;
    bool is_long = (p[0] & 2) != 0;
    size_t header = is_long ? 9 : 2;
    if (left < header)
        return false;
    uint64_t size = p[1];
    if (is_long) {
        size = 0;
        for (int i = 1; i < 9; i++)
            size = size << 8 | p[i];
    }
    out->at = r->frame_start + header;
    out->size = (size_t) size;
    out->flags = (uint8_t) (((p[0] & 1) ? MZ_MSG_MORE : 0) |
                            ((p[0] & 4) ? MZ_MSG_COMMAND : 0));
    return true;
}

static void check_frame(const struct run *r, struct mz_msg *frame,
                        const struct expected *e)
{
    fuzz_check(mz_msg_size(frame) == e->size, "frame size differs");
    fuzz_check(e->at + e->size <= r->stream_size, "frame beyond the stream");
    fuzz_check((frame->flags & (MZ_MSG_MORE | MZ_MSG_COMMAND)) == e->flags,
               "frame flags differ");
    fuzz_check(e->size == 0 ||
                   memcmp(mz_msg_data(frame), r->stream + e->at, e->size) == 0,
               "frame body differs");
}

static void frame_decoded(struct run *r, struct mz_zmtp_decoder *d)
{
    struct expected e = { 0 };
    fuzz_check(expect_frame(r, &e), "frame without a whole header");
    struct mz_msg frame;
    mz_msg_init(&frame);
    mz_zmtp_decoder_take(d, &frame);
    check_frame(r, &frame, &e);
    r->frame_start = e.at + e.size;
    /* Keep it open for a while, closing the oldest kept. */
    struct mz_msg *slot = &r->held[r->held_next];
    if (mz_msg_size(slot) > 0 || slot->flags != 0)
        check_frame(r, slot, &r->held_expected[r->held_next]);
    mz_msg_close(slot);
    mz_msg_move(slot, &frame);
    r->held_expected[r->held_next] = e;
    r->held_next = (r->held_next + 1) % HELD_FRAMES;
}

/* Feeds one read's bytes at in (size of them); false once the decoder
 * refused the stream. */
static bool feed(struct run *r, struct mz_zmtp_decoder *d, const uint8_t *in,
                 size_t size, struct mz_recv_buffer *source)
{
    size_t pos = 0;
    while (pos < size) {
        size_t used;
        enum mz_zmtp_decode_status status =
            mz_zmtp_decoder_feed(d, in + pos, size - pos, source, &used);
        fuzz_check(used <= size - pos, "decoder used more than it was given");
        pos += used;
        if (status == MZ_DECODE_FRAME)
            frame_decoded(r, d);
        else if (status != MZ_DECODE_NEED_INPUT)
            return false;
        else
            fuzz_check(pos == size, "decoder stopped early without a frame");
    }
    return true;
}

/* The engine's readv: as much of the read as fits goes into the body in
 * progress; returns how many bytes went there, or SIZE_MAX on failure. */
static size_t fill_body(struct run *r, struct mz_zmtp_decoder *d,
                        const uint8_t *in, size_t size)
{
    size_t space;
    uint8_t *body = mz_zmtp_decoder_body_space(d, &space);
    if (body == NULL || space == 0)
        return 0;
    size_t n = size < space ? size : space;
    memcpy(body, in, n);
    enum mz_zmtp_decode_status status = mz_zmtp_decoder_body_filled(d, n);
    if (status == MZ_DECODE_FRAME)
        frame_decoded(r, d);
    else if (status != MZ_DECODE_NEED_INPUT)
        return SIZE_MAX;
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in;
    fuzz_input_init(&in, data, size);
    uint8_t limit = fuzz_byte(&in);
    uint8_t modes = fuzz_byte(&in);
    size_t read_size = fuzz_byte(&in) * 16u + 1;
    if (read_size > READ_MAX)
        read_size = READ_MAX;

    struct run r = { 0 };
    r.stream = fuzz_rest(&in, &r.stream_size);
    for (size_t i = 0; i < HELD_FRAMES; i++)
        mz_msg_init(&r.held[i]);

    struct mz_zmtp_decoder d;
    mz_zmtp_decoder_init(&d, limit == 0 ? -1 : (int64_t) limit * limit);
    if (modes & MODE_NO_COMMANDS)
        mz_zmtp_decoder_forbid_commands(&d);
    struct mz_recv_buffer buffer;
    if (mz_recv_buffer_init(&buffer, READ_MAX) < 0)
        return 0;

    size_t pos = 0;
    bool ok = true;
    while (ok && pos < r.stream_size) {
        size_t n = r.stream_size - pos < read_size ? r.stream_size - pos
                                                   : read_size;
        if (modes & MODE_DIRECT_BODY) {
            size_t direct = fill_body(&r, &d, r.stream + pos, n);
            if (direct == SIZE_MAX)
                break;
            pos += direct;
            n -= direct;
        }
        if (mz_recv_buffer_prepare(&buffer) < 0)
            break;
        memcpy(buffer.bytes, r.stream + pos, n);
        ok = feed(&r, &d, buffer.bytes, n,
                  (modes & MODE_SLICES) ? &buffer : NULL);
        pos += n;
    }

    for (size_t i = 0; i < HELD_FRAMES; i++) {
        if (mz_msg_size(&r.held[i]) > 0 || r.held[i].flags != 0)
            check_frame(&r, &r.held[i], &r.held_expected[i]);
        mz_msg_close(&r.held[i]);
    }
    mz_recv_buffer_fini(&buffer);
    mz_zmtp_decoder_fini(&d);
    return 0;
}
