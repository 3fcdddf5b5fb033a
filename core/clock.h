/* Monotonic time for the whole core: timers, timeouts, heartbeats and
 * stopwatches all measure intervals with these, so that a change of the wall
 * clock never fires or delays anything. */
#ifndef MZ_CLOCK_H
#define MZ_CLOCK_H

#include <stdint.h>

/* Microseconds since an arbitrary fixed point (CLOCK_MONOTONIC). */
uint64_t mz_clock_us(void);

/* Milliseconds since the same fixed point as mz_clock_us. */
uint64_t mz_clock_ms(void);

#endif
