/*
 * Lock-free SPSC message queue; see queue.h for the protocol.
 *
 * Memory ordering: the writer fills slots with plain stores and publishes
 * them with an atomic exchange (release); the reader loads the published
 * count (acquire) before touching the slots. The asleep bit lives in the same
 * word so that "queue empty, reader going to sleep" and "new data published"
 * cannot cross: exactly one of the reader's compare-exchange and the
 * writer's exchange sees the other.
 */
#include <errno.h>
#include <stdlib.h>

#include "queue.h"

static const uint64_t MZ_QUEUE_ASLEEP = UINT64_C(1) << 63;

/* Writer: a chunk from the spares if the reader left one, else a new one. */
static struct mz_queue_chunk *chunk_new(struct mz_queue *q)
{
    struct mz_queue_chunk *chunk = NULL;
    uint64_t put = atomic_load_explicit(&q->spares_put, memory_order_acquire);
    if (q->spares_taken < put) {
        chunk = q->spares[q->spares_taken % MZ_QUEUE_SPARE_CHUNKS];
        q->spares_taken++;
        atomic_store_explicit(&q->spares_got, q->spares_taken,
                              memory_order_release);
    } else {
        chunk = malloc(sizeof *chunk);
    }
    if (chunk != NULL)
        chunk->next = NULL;
    return chunk;
}

/* Reader: offers a finished chunk to the writer, or frees it when the
 * spares are full. */
static void chunk_recycle(struct mz_queue *q, struct mz_queue_chunk *chunk)
{
    uint64_t got = atomic_load_explicit(&q->spares_got, memory_order_acquire);
    if (q->spares_given - got == MZ_QUEUE_SPARE_CHUNKS) {
        free(chunk);
        return;
    }
    q->spares[q->spares_given % MZ_QUEUE_SPARE_CHUNKS] = chunk;
    q->spares_given++;
    atomic_store_explicit(&q->spares_put, q->spares_given,
                          memory_order_release);
}

int mz_queue_init(struct mz_queue *q)
{
    q->spares_taken = q->spares_given = 0;
    atomic_init(&q->spares_put, 0);
    atomic_init(&q->spares_got, 0);
    struct mz_queue_chunk *first = chunk_new(q);
    if (first == NULL) {
        errno = ENOMEM;
        return -1;
    }
    q->write_chunk = q->commit_chunk = q->read_chunk = first;
    q->write_slot = q->commit_slot = q->read_slot = 0;
    q->written = q->committed = q->flushed = 0;
    q->read = q->visible = 0;
    atomic_init(&q->published, 0);
    return 0;
}

void mz_queue_fini(struct mz_queue *q)
{
    /* Close what was never read, committed or not. */
    struct mz_queue_chunk *chunk = q->read_chunk;
    unsigned slot = q->read_slot;
    for (uint64_t n = q->read; n < q->written; n++) {
        mz_msg_close(&chunk->slots[slot]);
        if (++slot == MZ_QUEUE_CHUNK_SLOTS) {
            chunk = chunk->next;
            slot = 0;
        }
    }
    /* Free the chain, including chunks linked ahead by a rollback. */
    for (chunk = q->read_chunk; chunk != NULL;) {
        struct mz_queue_chunk *next = chunk->next;
        free(chunk);
        chunk = next;
    }
    for (uint64_t n = q->spares_taken; n < q->spares_given; n++)
        free(q->spares[n % MZ_QUEUE_SPARE_CHUNKS]);
}

int mz_queue_write(struct mz_queue *q, struct mz_msg *m, bool complete)
{
    /* The slot after this one must exist before we advance into it. */
    if (q->write_slot + 1 == MZ_QUEUE_CHUNK_SLOTS &&
        q->write_chunk->next == NULL) {
        struct mz_queue_chunk *next = chunk_new(q);
        if (next == NULL) {
            errno = ENOMEM;
            return -1;
        }
        q->write_chunk->next = next;
    }
    q->write_chunk->slots[q->write_slot] = *m;
    mz_msg_init(m);
    q->written++;
    if (++q->write_slot == MZ_QUEUE_CHUNK_SLOTS) {
        q->write_chunk = q->write_chunk->next;
        q->write_slot = 0;
    }
    if (complete) {
        q->commit_chunk = q->write_chunk;
        q->commit_slot = q->write_slot;
        q->committed = q->written;
    }
    return 0;
}

void mz_queue_rollback(struct mz_queue *q)
{
    struct mz_queue_chunk *chunk = q->commit_chunk;
    unsigned slot = q->commit_slot;
    for (uint64_t n = q->committed; n < q->written; n++) {
        mz_msg_close(&chunk->slots[slot]);
        if (++slot == MZ_QUEUE_CHUNK_SLOTS) {
            chunk = chunk->next;
            slot = 0;
        }
    }
    /* Chunks linked beyond the commit point stay linked and are reused. */
    q->write_chunk = q->commit_chunk;
    q->write_slot = q->commit_slot;
    q->written = q->committed;
}

bool mz_queue_flush(struct mz_queue *q)
{
    if (q->committed == q->flushed)
        return false;
    q->flushed = q->committed;
    uint64_t before = atomic_exchange_explicit(&q->published, q->committed,
                                               memory_order_acq_rel);
    return (before & MZ_QUEUE_ASLEEP) != 0;
}

uint64_t mz_queue_backlog(const struct mz_queue *q)
{
    uint64_t published =
        atomic_load_explicit(&q->published, memory_order_acquire) &
        ~MZ_QUEUE_ASLEEP;
    return published > q->read ? published - q->read : 0;
}

bool mz_queue_check_read(struct mz_queue *q)
{
    if (q->read < q->visible)
        return true;
    uint64_t seen = atomic_load_explicit(&q->published, memory_order_acquire);
    q->visible = seen & ~MZ_QUEUE_ASLEEP;
    if (q->read < q->visible)
        return true;
    if (seen & MZ_QUEUE_ASLEEP)
        return false;
    /* Empty: go to sleep unless the writer published in the meantime. */
    uint64_t expected = q->read;
    if (atomic_compare_exchange_strong_explicit(
            &q->published, &expected, q->read | MZ_QUEUE_ASLEEP,
            memory_order_acq_rel, memory_order_acquire))
        return false;
    q->visible = expected & ~MZ_QUEUE_ASLEEP;
    return q->read < q->visible;
}

const struct mz_msg *mz_queue_front(const struct mz_queue *q)
{
    return &q->read_chunk->slots[q->read_slot];
}

void mz_queue_read(struct mz_queue *q, struct mz_msg *m)
{
    *m = q->read_chunk->slots[q->read_slot];
    q->read++;
    if (++q->read_slot == MZ_QUEUE_CHUNK_SLOTS) {
        struct mz_queue_chunk *done = q->read_chunk;
        q->read_chunk = done->next;
        q->read_slot = 0;
        chunk_recycle(q, done);
    }
}
