/*
 * Memory for large message bodies.
 *
 * A large body is typically allocated by one thread (the application, or
 * the I/O thread decoding it) and freed by another, at a steady rate. Left
 * to malloc, each such block is returned to the system and fetched again,
 * and every new page faults on first touch: at 64 KB per message that costs
 * more than copying the bytes. Smaller blocks suffer too: glibc's caches
 * are per thread, so a block freed by the thread that did not allocate it
 * goes back through its arena's locks (inproc 1 KiB messages ran at 60% of
 * the speed they reach with this cache). So blocks above 512 bytes and up
 * to 1 MiB are rounded up to one of four sizes per power of two and, when
 * freed, kept in a small per-size cache (at most 256 blocks or about
 * 1 MiB per size) for the next allocation of that size. Smaller and larger
 * blocks go straight to malloc. Thread-safe.
 */
#ifndef MZ_BUFFER_CACHE_H
#define MZ_BUFFER_CACHE_H

#include <stddef.h>

/* At least size bytes, or NULL. */
void *mz_buffer_alloc(size_t size);
/* Releases a block from mz_buffer_alloc; size as asked for then. */
void mz_buffer_free(void *block, size_t size);

#endif
