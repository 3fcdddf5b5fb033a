/*
 * Allocation failure on demand, for the fault suite.
 *
 * test_faults links the core (and a static copy of the tcp plugin) into
 * the program with -Wl,--wrap for malloc, calloc, realloc, strdup,
 * strndup and aligned_alloc, so that every allocation they make, on any
 * thread, comes through here. Once armed with n, the nth such allocation
 * from then on fails (ENOMEM), once. GLib's allocations do not come here:
 * g_malloc aborts when memory runs out, by design.
 */
#ifndef TEST_ALLOC_FAIL_H
#define TEST_ALLOC_FAIL_H

#include <stdbool.h>

/* Counts allocations from now on and fails the nth (n >= 1). */
void alloc_fail_arm(long n);
/* Stops counting; returns how many allocations were counted. */
long alloc_fail_disarm(void);
/* Whether the armed allocation has failed yet. */
bool alloc_fail_fired(void);
/* Writes where the failed allocation was called from (addresses relative
 * to the program, for addr2line) to fd; async-signal-safe. */
void alloc_fail_write_caller(int fd);

#endif
