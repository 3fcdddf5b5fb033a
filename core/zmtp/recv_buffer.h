/*
 * The engine's receive buffer, whose bytes small messages share.
 *
 * A read brings many small frames at once. Instead of allocating a body
 * for each and copying it there, the decoder makes each message a slice of
 * the buffer: its data points into the buffer and it holds a reference to
 * the buffer's content block, which is freed when the last slice is closed
 * (see mz_msg_init_slice). Before the next read the engine asks for the
 * buffer again: if every slice is gone it reads into the same bytes,
 * otherwise it leaves the old block to the slices and takes a new one.
 *
 * References are handed out without an atomic operation each: a fresh
 * block starts with a large pool of them already counted, slices take from
 * the pool, and the part of the pool nobody took is given back in one
 * atomic subtraction when the engine lets go of the block. Only the thread
 * that owns the engine calls these functions; slices may be closed on any
 * thread.
 */
#ifndef MZ_RECV_BUFFER_H
#define MZ_RECV_BUFFER_H

#include <stddef.h>
#include <stdint.h>

#include "msg.h"

struct mz_recv_buffer {
    struct mz_msg_content *content; /* header, then size bytes */
    uint8_t *bytes;
    size_t size;
    unsigned granted; /* slices made from the pool since it was filled */
};

/* A buffer of size bytes; -1 with ENOMEM. */
int mz_recv_buffer_init(struct mz_recv_buffer *b, size_t size);

/* Lets go of the block; slices still open keep it alive. */
void mz_recv_buffer_fini(struct mz_recv_buffer *b);

/* Before a read overwrites b->bytes: keeps the block if no slice of it is
 * open, or switches to a new one. -1 with ENOMEM (the buffer is then
 * unusable until fini). */
int mz_recv_buffer_prepare(struct mz_recv_buffer *b);

/* Makes m (uninitialised) a message of the size bytes at data, which lie
 * inside b->bytes. */
void mz_recv_buffer_slice(struct mz_recv_buffer *b, struct mz_msg *m,
                          uint8_t *data, size_t size);

#endif
