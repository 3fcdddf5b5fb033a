/*
 * The cache of large message blocks; see buffer_cache.h.
 *
 * One free list per power-of-two size, each under its own mutex: a block
 * moves between threads once per message, so a short critical section per
 * large message costs nothing beside the bytes it carries.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "buffer_cache.h"

enum {
    SMALLEST_SHIFT = 14, /* 16 KiB */
    LARGEST_SHIFT = 20,  /* 1 MiB */
    CLASS_COUNT = LARGEST_SHIFT - SMALLEST_SHIFT + 1,
    BYTES_KEPT_PER_CLASS = 1 << 20,
    MIN_BLOCKS_KEPT = 2
};

struct free_block {
    struct free_block *next;
};

struct size_class {
    pthread_mutex_t lock;
    struct free_block *free;
    unsigned count;
};

static struct size_class classes[CLASS_COUNT] = {
    [0 ... CLASS_COUNT - 1] = { .lock = PTHREAD_MUTEX_INITIALIZER },
};

/* The class serving size, or -1 for a size left to malloc. */
static int class_of(size_t size)
{
    if (size <= (size_t) 1 << (SMALLEST_SHIFT - 1) ||
        size > (size_t) 1 << LARGEST_SHIFT)
        return -1;
    int shift = SMALLEST_SHIFT;
    while (((size_t) 1 << shift) < size)
        shift++;
    return shift - SMALLEST_SHIFT;
}

static unsigned blocks_kept(int index)
{
    unsigned blocks = BYTES_KEPT_PER_CLASS >> (index + SMALLEST_SHIFT);
    return blocks > MIN_BLOCKS_KEPT ? blocks : MIN_BLOCKS_KEPT;
}

void *mz_buffer_alloc(size_t size)
{
    int index = class_of(size);
    if (index < 0)
        return malloc(size);
    struct size_class *c = &classes[index];
    pthread_mutex_lock(&c->lock);
    struct free_block *block = c->free;
    if (block != NULL) {
        c->free = block->next;
        c->count--;
    }
    pthread_mutex_unlock(&c->lock);
    if (block != NULL)
        return block;
    return malloc((size_t) 1 << (index + SMALLEST_SHIFT));
}

void mz_buffer_free(void *block, size_t size)
{
    if (block == NULL)
        return;
    int index = class_of(size);
    if (index < 0) {
        free(block);
        return;
    }
    struct size_class *c = &classes[index];
    bool kept = false;
    pthread_mutex_lock(&c->lock);
    if (c->count < blocks_kept(index)) {
        struct free_block *entry = block;
        entry->next = c->free;
        c->free = entry;
        c->count++;
        kept = true;
    }
    pthread_mutex_unlock(&c->lock);
    if (!kept)
        free(block);
}
