/*
 * Allocation failure on demand; see alloc_fail.h. The wrappers count with
 * atomics only, and remember the failed call's stack, so that they work
 * on every thread and from a signal handler.
 */
#include <errno.h>
#include <execinfo.h>
#include <link.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc_fail.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *block, size_t size);
char *__real_strdup(const char *text);
char *__real_strndup(const char *text, size_t size);
void *__real_aligned_alloc(size_t alignment, size_t size);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *block, size_t size);
char *__wrap_strdup(const char *text);
char *__wrap_strndup(const char *text, size_t size);
void *__wrap_aligned_alloc(size_t alignment, size_t size);

static atomic_bool armed;
static atomic_long counted;
static atomic_long target;
static atomic_bool fired;

enum { STACK_DEPTH = 12 };
static void *failed_stack[STACK_DEPTH];
static int failed_depth;

void alloc_fail_arm(long n)
{
    atomic_store(&fired, false);
    atomic_store(&counted, 0);
    atomic_store(&target, n);
    atomic_store(&armed, true);
}

long alloc_fail_disarm(void)
{
    atomic_store(&armed, false);
    return atomic_load(&counted);
}

bool alloc_fail_fired(void)
{
    return atomic_load(&fired);
}

/* True for the one allocation that must fail. */
static bool failing_now(void)
{
    if (!atomic_load_explicit(&armed, memory_order_relaxed))
        return false;
    long n = atomic_fetch_add(&counted, 1) + 1;
    if (n != atomic_load(&target))
        return false;
    failed_depth = backtrace(failed_stack, STACK_DEPTH);
    atomic_store(&fired, true);
    errno = ENOMEM;
    return true;
}

void *__wrap_malloc(size_t size)
{
    return failing_now() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t count, size_t size)
{
    return failing_now() ? NULL : __real_calloc(count, size);
}

void *__wrap_realloc(void *block, size_t size)
{
    return failing_now() ? NULL : __real_realloc(block, size);
}

char *__wrap_strdup(const char *text)
{
    return failing_now() ? NULL : __real_strdup(text);
}

char *__wrap_strndup(const char *text, size_t size)
{
    return failing_now() ? NULL : __real_strndup(text, size);
}

void *__wrap_aligned_alloc(size_t alignment, size_t size)
{
    return failing_now() ? NULL : __real_aligned_alloc(alignment, size);
}

static int program_base(struct dl_phdr_info *info, size_t size, void *base)
{
    (void) size;
    /* The first object is the program itself. */
    *(uintptr_t *) base = info->dlpi_addr;
    return 1;
}

static void write_hex(int fd, uintptr_t value)
{
    char text[2 + 2 * sizeof value + 1];
    int at = (int) sizeof text - 1;
    text[at] = ' ';
    do {
        text[--at] = "0123456789abcdef"[value & 15];
        value >>= 4;
    } while (value != 0);
    text[--at] = 'x';
    text[--at] = '0';
    ssize_t rc = write(fd, text + at, sizeof text - (size_t) at);
    (void) rc;
}

void alloc_fail_write_caller(int fd)
{
    uintptr_t base = 0;
    dl_iterate_phdr(program_base, &base);
    static const char head[] = "failed allocation at (addr2line -fe the "
                               "program):";
    ssize_t rc = write(fd, head, sizeof head - 1);
    /* Frame 0 is failing_now, 1 the wrapper. */
    for (int i = 2; i < failed_depth; i++)
        write_hex(fd, (uintptr_t) failed_stack[i] - base - 1);
    rc = write(fd, "\n", 1);
    (void) rc;
}
