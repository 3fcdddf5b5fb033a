/*
 * Receive buffers shared by slices; see recv_buffer.h for why.
 *
 * The block's reference count is 1 for the engine plus REFERENCE_POOL
 * counted in advance for slices. A slice takes one of the pool without
 * touching the counter; letting go of the block gives back the untaken
 * rest of the pool and the engine's own reference.
 */
#include <errno.h>

#include "buffer_cache.h"
#include "recv_buffer.h"

/* More than a buffer can ever hold slices of: every slice is at least
 * MZ_MSG_INLINE_MAX + 1 bytes of body, and mz_recv_buffer_init refuses a
 * size that could hold REFERENCE_POOL of them. */
enum { REFERENCE_POOL = 1u << 30 };

static void fill_pool(struct mz_recv_buffer *b)
{
    atomic_store_explicit(&b->content->refs, 1u + REFERENCE_POOL,
                          memory_order_relaxed);
    b->granted = 0;
}

static int new_block(struct mz_recv_buffer *b)
{
    size_t block_size = sizeof(struct mz_msg_content) + b->size;
    struct mz_msg_content *content = mz_buffer_alloc(block_size);
    if (content == NULL) {
        b->content = NULL;
        b->bytes = NULL;
        errno = ENOMEM;
        return -1;
    }
    content->free_fn = NULL;
    content->hint = NULL;
    content->block_size = block_size;
    b->content = content;
    b->bytes = (uint8_t *) (content + 1);
    fill_pool(b);
    return 0;
}

/* Drops count references; true if they were the last. */
static bool drop_references(struct mz_msg_content *content, unsigned count)
{
    return atomic_fetch_sub_explicit(&content->refs, count,
                                     memory_order_acq_rel) == count;
}

int mz_recv_buffer_init(struct mz_recv_buffer *b, size_t size)
{
    if (size / (MZ_MSG_INLINE_MAX + 1) >= REFERENCE_POOL) {
        errno = EINVAL;
        return -1;
    }
    b->size = size;
    return new_block(b);
}

void mz_recv_buffer_fini(struct mz_recv_buffer *b)
{
    if (b->content == NULL)
        return;
    if (drop_references(b->content, 1u + REFERENCE_POOL - b->granted))
        mz_buffer_free(b->content, b->content->block_size);
    b->content = NULL;
    b->bytes = NULL;
}

int mz_recv_buffer_prepare(struct mz_recv_buffer *b)
{
    if (b->content == NULL) {
        errno = ENOMEM;
        return -1;
    }
    if (b->granted == 0)
        return 0;
    /* Give back the untaken pool: what remains is the engine's reference
     * and one per open slice. */
    unsigned untaken = REFERENCE_POOL - b->granted;
    unsigned left = atomic_fetch_sub_explicit(&b->content->refs, untaken,
                                              memory_order_acq_rel) -
                    untaken;
    if (left == 1 || drop_references(b->content, 1)) {
        /* Every slice is closed (perhaps just now): the bytes are ours. */
        fill_pool(b);
        return 0;
    }
    return new_block(b);
}

void mz_recv_buffer_slice(struct mz_recv_buffer *b, struct mz_msg *m,
                          uint8_t *data, size_t size)
{
    b->granted++;
    mz_msg_init_slice(m, b->content, data, size);
}
