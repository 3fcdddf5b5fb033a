/* The undocumented timing helpers of zmq.h that perf tools and tests use:
 * stopwatches measuring microseconds on the monotonic clock, and zmq_sleep. */
#include "zmq.h"

#include "clock.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

typedef struct mz_stopwatch {
    uint64_t start_us;
} mz_stopwatch_t;

void *zmq_stopwatch_start(void)
{
    mz_stopwatch_t *watch = malloc(sizeof *watch);
    if (!watch) {
        errno = ENOMEM;
        return NULL;
    }
    watch->start_us = mz_clock_us();
    return watch;
}

/* Microseconds since the watch was started; the watch keeps running. */
unsigned long zmq_stopwatch_intermediate(void *watch_)
{
    const mz_stopwatch_t *watch = watch_;
    return (unsigned long) (mz_clock_us() - watch->start_us);
}

/* Microseconds since the watch was started; the watch is freed. */
unsigned long zmq_stopwatch_stop(void *watch_)
{
    unsigned long elapsed = zmq_stopwatch_intermediate(watch_);
    free(watch_);
    return elapsed;
}

/* Sleeps for the whole number of seconds, resuming after signal handlers
 * interrupt the sleep. Zero or negative values return at once. */
void zmq_sleep(int seconds_)
{
    if (seconds_ <= 0)
        return;
    struct timespec left = { .tv_sec = seconds_, .tv_nsec = 0 };
    while (nanosleep(&left, &left) == -1 && errno == EINTR)
        ;
}
