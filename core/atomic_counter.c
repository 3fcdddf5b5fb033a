/* Thread-safe integer counters for applications (zmq_atomic_counter_*), for
 * example to reference-count objects shared between threads. A counter is a
 * heap-allocated C11 atomic int; all operations are sequentially consistent,
 * and arithmetic wraps around like libzmq's 32-bit counter instead of
 * overflowing. */
#include "zmq.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

typedef struct mz_atomic_counter {
    atomic_int value;
} mz_atomic_counter_t;

void *zmq_atomic_counter_new(void)
{
    mz_atomic_counter_t *counter = malloc(sizeof *counter);
    if (!counter) {
        errno = ENOMEM;
        return NULL;
    }
    atomic_init(&counter->value, 0);
    return counter;
}

void zmq_atomic_counter_set(void *counter_, int value_)
{
    mz_atomic_counter_t *counter = counter_;
    atomic_store(&counter->value, value_);
}

int zmq_atomic_counter_inc(void *counter_)
{
    mz_atomic_counter_t *counter = counter_;
    return atomic_fetch_add(&counter->value, 1);
}

/* Returns 0 when this decrement brought the counter to exactly zero and 1
 * otherwise. That is "still above zero" in normal use; like libzmq, a counter
 * decremented below zero also yields 1, since it did not reach zero. */
int zmq_atomic_counter_dec(void *counter_)
{
    mz_atomic_counter_t *counter = counter_;
    int old = atomic_fetch_sub(&counter->value, 1);
    return old != 1;
}

int zmq_atomic_counter_value(void *counter_)
{
    mz_atomic_counter_t *counter = counter_;
    return atomic_load(&counter->value);
}

/* Frees the counter and clears the caller's pointer, so that a stale handle
 * is NULL rather than dangling. NULL or a pointer to NULL is ignored. */
void zmq_atomic_counter_destroy(void **counter_p_)
{
    if (!counter_p_)
        return;
    free(*counter_p_);
    *counter_p_ = NULL;
}
