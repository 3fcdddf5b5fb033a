/*
 * A mutex of one word on Linux futexes, for the guard of the thread-safe
 * sockets, whose every call takes it. Taken when free it costs one
 * compare-and-swap inline, and given back one exchange, where glibc's
 * mutex costs a call and its type checks each way; a thread that finds it
 * taken spins briefly (a call holds it for well under a microsecond),
 * then sleeps on the futex. The word is 0 when free, 1 when held, 2 when
 * held and somebody may sleep on it (so only then does giving it back
 * make a system call). Not recursive, and it knows no owner: the guard
 * keeps both.
 */
#ifndef MZ_FUTEX_LOCK_H
#define MZ_FUTEX_LOCK_H

#include <stdatomic.h>

struct mz_futex_lock {
    atomic_int word;
};

void mz_futex_lock_init(struct mz_futex_lock *lock);
/* The slow halves: the lock was taken; somebody may sleep on it. */
void mz_futex_lock_take_contended(struct mz_futex_lock *lock);
void mz_futex_lock_wake_one(struct mz_futex_lock *lock);

static inline void mz_futex_lock_take(struct mz_futex_lock *lock)
{
    int free_word = 0;
    if (!atomic_compare_exchange_strong_explicit(&lock->word, &free_word, 1,
                                                 memory_order_acquire,
                                                 memory_order_relaxed))
        mz_futex_lock_take_contended(lock);
}

static inline void mz_futex_lock_give(struct mz_futex_lock *lock)
{
    if (atomic_exchange_explicit(&lock->word, 0, memory_order_release) == 2)
        mz_futex_lock_wake_one(lock);
}

#endif
