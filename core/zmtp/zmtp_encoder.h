/*
 * The ZMTP 3.x frame encoder: gathers many frames into one batch and
 * writes the batch with a single writev.
 *
 * Headers and small bodies are copied into a staging buffer; a large body
 * is not copied: its message is held and the batch points at its bytes
 * until they are written. The batch accepts frames until it holds about
 * batch_size bytes (ZMQ_OUT_BATCH_SIZE), then the engine writes it.
 */
#ifndef MZ_ZMTP_ENCODER_H
#define MZ_ZMTP_ENCODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "byte_stream.h"
#include "msg.h"

enum { MZ_ZMTP_IOV_MAX = 64, MZ_ZMTP_HELD_MAX = 31 };

struct mz_zmtp_encoder {
    uint8_t *stage;
    size_t stage_size;
    size_t stage_used;
    size_t stage_sealed; /* stage bytes already covered by an iovec */
    size_t batch_size;
    size_t queued; /* bytes in the batch, written or not */
    struct iovec iov[MZ_ZMTP_IOV_MAX];
    int iov_first; /* first iovec not completely written */
    int iov_count;
    struct mz_msg held[MZ_ZMTP_HELD_MAX];
    int held_count;
};

/* Returns 0, or -1 with ENOMEM. */
int mz_zmtp_encoder_init(struct mz_zmtp_encoder *e, size_t batch_size);
void mz_zmtp_encoder_fini(struct mz_zmtp_encoder *e);

/* Whether the batch takes one more frame. */
bool mz_zmtp_encoder_has_room(const struct mz_zmtp_encoder *e);
/* Whether anything waits to be written. */
bool mz_zmtp_encoder_pending(const struct mz_zmtp_encoder *e);

/* Queues bytes as they are (a greeting, or part of one), before any
 * frame. n <= 512, the smallest batch. */
void mz_zmtp_encoder_add_raw(struct mz_zmtp_encoder *e, const void *bytes,
                             size_t n);

/* Queues one frame whose body is prefix (at most 255 bytes, e.g. a command
 * name with its length octet; may be empty) followed by the bytes of *m
 * from offset on. command selects the COMMAND flag, otherwise m's
 * MZ_MSG_MORE flag is used. Takes *m, leaving it empty. Call only when
 * has_room. */
void mz_zmtp_encoder_add(struct mz_zmtp_encoder *e, bool command,
                         const void *prefix, size_t prefix_size,
                         struct mz_msg *m, size_t offset);
/* Queues one data frame of at most 255 octets copied from bytes, MORE
 * set if more: a RADIO's group frame, with no message made for it. */
void mz_zmtp_encoder_add_short(struct mz_zmtp_encoder *e, bool more,
                               const void *bytes, size_t n);
/* The staging buffer also takes one frame of at most 255 octets (a
 * RADIO's group frame, mechanism-encoded or not) added in the same
 * has_room turn, just before the frame has_room was asked for. */

/* Writes as much of the batch as the stream takes. Returns 1 when all is
 * written (the batch is empty again), 0 when the stream would block, -1 on
 * a write error (errno set). */
int mz_zmtp_encoder_write(struct mz_zmtp_encoder *e,
                          struct mz_byte_stream *out);

#endif
