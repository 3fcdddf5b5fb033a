/*
 * The futex lock's slow halves (futex_lock.h says why it exists).
 */
#include <errno.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "futex_lock.h"

/* How often a thread finding the lock held looks again before it sleeps:
 * about as long as glibc's adaptive mutexes spin. */
enum { SPINS = 100 };

void mz_futex_lock_init(struct mz_futex_lock *lock)
{
    atomic_init(&lock->word, 0);
}

/* A pause that tells the CPU this is a spin (its sibling thread runs). */
static void spin_pause(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

void mz_futex_lock_take_contended(struct mz_futex_lock *lock)
{
    /* Taking it as 1 while others sleep loses no wake-up: the sleeper
     * woken next marks it 2 again, whether it gets it or sleeps on. */
    for (int i = 0; i < SPINS; i++) {
        int word = atomic_load_explicit(&lock->word, memory_order_relaxed);
        if (word == 0 &&
            atomic_compare_exchange_weak_explicit(&lock->word, &word, 1,
                                                  memory_order_acquire,
                                                  memory_order_relaxed))
            return;
        spin_pause();
    }
    /* Marked 2 from here, since this thread may sleep: whoever gives the
     * lock back wakes one sleeper, and a thread woken takes it as 2,
     * because others may still sleep. */
    int saved = errno; /* a futex wait fails with EAGAIN as it races */
    while (atomic_exchange_explicit(&lock->word, 2, memory_order_acquire) != 0)
        syscall(SYS_futex, &lock->word, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
    errno = saved;
}

/* Keeps errno, as the take does: the guard gives the lock back after a
 * call has set it. */
void mz_futex_lock_wake_one(struct mz_futex_lock *lock)
{
    int saved = errno;
    syscall(SYS_futex, &lock->word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    errno = saved;
}
