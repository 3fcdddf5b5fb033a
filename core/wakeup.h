/*
 * A wake-up decided under a lock and delivered after it is let go.
 *
 * A mailbox or a reactor wakes its owner by writing an eventfd. Written
 * under the poster's lock, the woken thread's first act is to want that
 * lock, and it sleeps on it until the write returns: a second sleep and
 * wake-up per message. So a poster decides the write under its lock
 * (counting it as raised, which only the lock's holders change) and makes
 * it after letting go, and whoever closes the eventfd first waits, through
 * mz_wakeup_await, until its reads have brought back every write raised:
 * a write on its way never reaches a closed fd, nor one reused under the
 * same number. The write needs nothing but the fd, copied under the lock,
 * so the poster touches none of the owner's memory after letting go.
 */
#ifndef MZ_WAKEUP_H
#define MZ_WAKEUP_H

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

struct mz_wakeup {
    int fd; /* the eventfd to write once the lock is let go, or -1 */
};

static inline struct mz_wakeup mz_wakeup_none(void)
{
    return (struct mz_wakeup){ .fd = -1 };
}

/* Makes the decided write, if any; call with no lock held. A nonblocking
 * eventfd write fails only if the counter would overflow, which one write
 * per raise, read back at every reset, never comes near. */
static inline void mz_wakeup_deliver(struct mz_wakeup *wake)
{
    uint64_t one = 1;
    if (wake->fd >= 0 && write(wake->fd, &one, sizeof one) < 0 &&
        errno != EAGAIN)
        perror("modzmq: eventfd write");
    wake->fd = -1;
}

/* Before fd is closed: sleeps on it until the writes read back
 * (*consumed) reach the writes raised, every one of which its poster is
 * about to make, then reads back what landed. No poster raises a new one
 * by now (the owner is going away), so this ends as soon as the last
 * write in flight lands. */
static inline void mz_wakeup_await(int fd, uint64_t raised, uint64_t *consumed)
{
    while (*consumed < raised) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
            perror("modzmq: eventfd poll");
            return;
        }
        uint64_t value;
        if (read(fd, &value, sizeof value) == sizeof value)
            *consumed += value;
    }
}

#endif
