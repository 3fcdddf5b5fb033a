/*
 * The cache of large message blocks; see buffer_cache.h.
 *
 * Sizes are rounded up to one of four steps per power of two (80, 96, 112
 * or 128 KiB between 64 and 128, say) rather than to the power of two: a
 * 64 KiB body with its header would otherwise take a 128 KiB block, which
 * is where glibc starts serving blocks with mmap, so that every block that
 * missed the cache cost an mmap, page faults and an munmap.
 *
 * One free list per size class, each under its own mutex: a block moves
 * between threads once per message, so a short critical section per large
 * message costs nothing beside the bytes it carries.
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "buffer_cache.h"

enum {
    LOWEST_SHIFT = 9,   /* classes start above 512 bytes */
    HIGHEST_SHIFT = 20, /* and end at 1 MiB */
    STEPS_PER_OCTAVE = 4,
    CLASS_COUNT = (HIGHEST_SHIFT - LOWEST_SHIFT) * STEPS_PER_OCTAVE,
    BYTES_KEPT_PER_CLASS = 1 << 20,
    MIN_BLOCKS_KEPT = 2,
    MAX_BLOCKS_KEPT = 256
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
    if (size <= (size_t) 1 << LOWEST_SHIFT || size > (size_t) 1
                                                         << HIGHEST_SHIFT)
        return -1;
    int shift = LOWEST_SHIFT;
    while (((size_t) 2 << shift) < size)
        shift++;
    /* size is in (2^shift, 2^(shift+1)]: which step of that range. */
    size_t step = ((size_t) 1 << shift) / STEPS_PER_OCTAVE;
    size_t above = size - ((size_t) 1 << shift);
    int index = (int) ((above + step - 1) / step) - 1;
    return (shift - LOWEST_SHIFT) * STEPS_PER_OCTAVE + index;
}

/* The size of every block of a class. */
static size_t class_size(int index)
{
    int shift = LOWEST_SHIFT + index / STEPS_PER_OCTAVE;
    size_t step = ((size_t) 1 << shift) / STEPS_PER_OCTAVE;
    return ((size_t) 1 << shift) +
           step * (size_t) (index % STEPS_PER_OCTAVE + 1);
}

static unsigned blocks_kept(int index)
{
    unsigned blocks = (unsigned) (BYTES_KEPT_PER_CLASS / class_size(index));
    if (blocks > MAX_BLOCKS_KEPT)
        return MAX_BLOCKS_KEPT;
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
    return malloc(class_size(index));
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
