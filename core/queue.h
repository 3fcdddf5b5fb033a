/*
 * A lock-free single-producer single-consumer queue of messages.
 *
 * One thread writes, one thread reads. Slots live in fixed-size chunks so the
 * queue grows without copying and without a lock. The writer makes whole
 * messages visible at once: parts are written, committed when the last part
 * is in, and published with mz_queue_flush. The reader can fall asleep: when
 * it finds the queue empty it records that in the same word the writer
 * publishes through, so the writer's next flush tells it whether the reader
 * must be woken. That one atomic exchange per flush is the only shared write
 * on the hot path.
 */
#ifndef MZ_QUEUE_H
#define MZ_QUEUE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "msg.h"

enum { MZ_QUEUE_CHUNK_SLOTS = 128 };

struct mz_queue_chunk {
    struct mz_queue_chunk *next;
    struct mz_msg slots[MZ_QUEUE_CHUNK_SLOTS];
};

/* Chunks the reader has finished, waiting for the writer to reuse them: a
 * steady flow recycles memory instead of calling malloc and free. It is a
 * ring of its own (reader puts, writer takes), deep enough for a queue
 * that runs a few thousand messages ahead of its reader. */
enum { MZ_QUEUE_SPARE_CHUNKS = 32 };

/* Writer fields, reader fields and the shared word each sit on their own
 * cache line so that the two threads do not invalidate each other's
 * lines on every message. */
struct mz_queue {
    /* Writer side. */
    struct mz_queue_chunk *write_chunk;
    unsigned write_slot;
    uint64_t written; /* slots written, committed or not */
    struct mz_queue_chunk *commit_chunk;
    unsigned commit_slot;
    uint64_t committed;    /* slots ending in a complete message */
    uint64_t flushed;      /* last value published */
    uint64_t spares_taken; /* writer's index into spares */

    /* Reader side. */
    _Alignas(64) struct mz_queue_chunk *read_chunk;
    unsigned read_slot;
    uint64_t read;
    uint64_t visible;      /* last published value the reader saw */
    uint64_t spares_given; /* reader's index into spares */

    /* Shared: number of slots published, plus MZ_QUEUE_ASLEEP when the
     * reader has found the queue empty and waits to be told. */
    _Alignas(64) _Atomic uint64_t published;
    _Atomic uint64_t spares_put; /* published by the reader */
    _Atomic uint64_t spares_got; /* published by the writer */
    struct mz_queue_chunk *spares[MZ_QUEUE_SPARE_CHUNKS];
};

int mz_queue_init(struct mz_queue *q);
/* Closes every message still queued, published or not. Single-threaded. */
void mz_queue_fini(struct mz_queue *q);

/* Writer: appends one part (taking ownership of *m, which becomes empty).
 * complete is true for the last part of a message. -1 ENOMEM. */
int mz_queue_write(struct mz_queue *q, struct mz_msg *m, bool complete);
/* Writer: drops parts written since the last complete message. */
void mz_queue_rollback(struct mz_queue *q);
/* Writer: publishes complete messages. Returns true when the reader was
 * asleep and must be woken by other means. */
bool mz_queue_flush(struct mz_queue *q);

/* Reader: parts published and not yet read (for statistics). */
uint64_t mz_queue_backlog(const struct mz_queue *q);
/* Reader: true if a part can be read. When false, the reader is asleep: the
 * writer's next flush returns true. */
bool mz_queue_check_read(struct mz_queue *q);
/* Reader: takes the next part into *m (which must be closed or empty).
 * Only valid after mz_queue_check_read returned true. */
void mz_queue_read(struct mz_queue *q, struct mz_msg *m);
/* Reader: peeks at the next part without taking it (after check_read). */
const struct mz_msg *mz_queue_front(const struct mz_queue *q);

#endif
