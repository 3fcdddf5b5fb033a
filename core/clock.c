/* Monotonic clock readings (see clock.h). CLOCK_MONOTONIC is used rather than
 * the wall clock because every caller measures intervals, and the wall clock
 * can jump. */
#include "clock.h"

#include <time.h>

/* Reads CLOCK_MONOTONIC. On Linux this cannot fail with a valid clock id and
 * pointer, so the return value is not checked. */
static struct timespec mz_clock_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts;
}

uint64_t mz_clock_us(void)
{
    struct timespec ts = mz_clock_now();
    return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

uint64_t mz_clock_ms(void)
{
    struct timespec ts = mz_clock_now();
    return (uint64_t) ts.tv_sec * 1000u + (uint64_t) ts.tv_nsec / 1000000u;
}
