/*
 * The ZMTP frame decoder (3.x, and 2.0, which has no commands): turns the
 * byte stream after the greeting into message parts and command frames,
 * whatever the read boundaries were.
 *
 * The engine feeds it what each read brought, many frames per read. A
 * frame whose body is whole in that buffer becomes a slice of it
 * (recv_buffer.h); bodies small enough to live inside a message are copied
 * there. The engine may read the rest of a body straight into the message
 * (body_space / body_filled), so big messages cost no extra copy. A body
 * over MZ_ZMTP_GROW_FROM bytes grows as its bytes arrive instead of being
 * allocated at the size the header claims: a hostile header costs only
 * what the peer really sends.
 */
#ifndef MZ_ZMTP_DECODER_H
#define MZ_ZMTP_DECODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"
#include "recv_buffer.h"

enum {
    MZ_ZMTP_HEADER_MAX = 9,         /* flags + 8-byte size */
    MZ_ZMTP_GROW_FROM = 1024 * 1024 /* first allocation of a large body */
};

struct mz_zmtp_decoder {
    int64_t maxmsgsize; /* -1: no limit */
    uint8_t header[MZ_ZMTP_HEADER_MAX];
    size_t header_have;
    size_t header_need;
    bool in_body;
    uint64_t body_size;
    size_t body_have;
    uint8_t *body;       /* where the body goes: into frame, or growing */
    size_t body_room;    /* bytes allocated at body */
    bool growing;        /* body is our own allocation, not yet in frame */
    uint8_t frame_flags; /* MZ_MSG_MORE / MZ_MSG_COMMAND of the frame */
    bool no_commands;    /* ZMTP 2.0: the COMMAND bit is reserved */
    struct mz_msg frame; /* the frame being filled */
};

enum mz_zmtp_decode_status {
    MZ_DECODE_NEED_INPUT, /* all input used, frame not complete */
    MZ_DECODE_FRAME,      /* a frame is complete: take it */
    MZ_DECODE_PROTOCOL,   /* malformed header (reserved bits, MORE on a
                             command, size over 2^63-1) */
    MZ_DECODE_TOO_LARGE,  /* over maxmsgsize */
    MZ_DECODE_NO_MEMORY
};

void mz_zmtp_decoder_init(struct mz_zmtp_decoder *d, int64_t maxmsgsize);
void mz_zmtp_decoder_fini(struct mz_zmtp_decoder *d);

/* From now on a frame with the COMMAND flag is a protocol error, as for a
 * ZMTP 2.0 peer, whose framing has no commands. */
void mz_zmtp_decoder_forbid_commands(struct mz_zmtp_decoder *d);

/* Consumes bytes of in (at most up to the end of one frame) and says how
 * many in *used. When in lies inside source's bytes, frames may be slices
 * of it; with source NULL every body is copied. */
enum mz_zmtp_decode_status mz_zmtp_decoder_feed(struct mz_zmtp_decoder *d,
                                                const uint8_t *in, size_t size,
                                                struct mz_recv_buffer *source,
                                                size_t *used);

/* After MZ_DECODE_FRAME: moves the frame into *out (closing what *out held)
 * with MZ_MSG_MORE and MZ_MSG_COMMAND flags as on the wire. */
void mz_zmtp_decoder_take(struct mz_zmtp_decoder *d, struct mz_msg *out);

/* While a body is incomplete: where its next bytes go and how many fit
 * there; NULL when no body is in progress. */
uint8_t *mz_zmtp_decoder_body_space(struct mz_zmtp_decoder *d, size_t *space);

/* n bytes were written into the body space. Returns MZ_DECODE_FRAME when
 * the frame is complete (take it), MZ_DECODE_NEED_INPUT, or
 * MZ_DECODE_NO_MEMORY when a growing body cannot grow. */
enum mz_zmtp_decode_status
mz_zmtp_decoder_body_filled(struct mz_zmtp_decoder *d, size_t n);

#endif
