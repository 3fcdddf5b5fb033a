/*
 * Socket mailbox: a growable ring of commands under a mutex, signalled
 * through an eventfd. See mailbox.h.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "mailbox.h"
#include "wakeup.h"

/* Commands a mailbox holds from the start: posting, which has no caller
 * to report to, allocates only when more than this many are waiting. */
enum { RING_RESERVED = 16 };

int mz_mailbox_init_quiet(struct mz_mailbox *mb)
{
    mb->ring = malloc(RING_RESERVED * sizeof *mb->ring);
    if (mb->ring == NULL) {
        errno = ENOMEM;
        return -1;
    }
    mb->fd = -1;
    pthread_mutex_init(&mb->lock, NULL);
    mb->head = mb->count = 0;
    mb->capacity = RING_RESERVED;
    atomic_init(&mb->pending, false);
    atomic_init(&mb->raised, 0);
    atomic_init(&mb->consumed, 0);
    return 0;
}

int mz_mailbox_init(struct mz_mailbox *mb)
{
    if (mz_mailbox_init_quiet(mb) < 0)
        return -1;
    mb->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (mb->fd < 0) {
        int error = errno;
        mz_mailbox_fini(mb);
        errno = error;
        return -1;
    }
    return 0;
}

/* A poster's eventfd write may still be on its way (made after the
 * poster let the lock go): it lands before the fd closes. */
void mz_mailbox_fini(struct mz_mailbox *mb)
{
    if (mb->fd >= 0) {
        uint64_t consumed =
            atomic_load_explicit(&mb->consumed, memory_order_relaxed);
        mz_wakeup_await(mb->fd,
                        atomic_load_explicit(&mb->raised, memory_order_relaxed),
                        &consumed);
        close(mb->fd);
    }
    pthread_mutex_destroy(&mb->lock);
    free(mb->ring);
}

static void ring_grow(struct mz_mailbox *mb)
{
    size_t capacity = mb->capacity * 2;
    struct mz_command *ring = malloc(capacity * sizeof *ring);
    if (ring == NULL) {
        fputs("modzmq: out of memory posting a socket command\n", stderr);
        abort();
    }
    for (size_t i = 0; i < mb->count; i++)
        ring[i] = mb->ring[(mb->head + i) % mb->capacity];
    free(mb->ring);
    mb->ring = ring;
    mb->head = 0;
    mb->capacity = capacity;
}

/* Sets pending, and decides the eventfd write (if there is an eventfd)
 * that the caller makes once it has let the lock go. The caller holds
 * the lock. */
static void raise_pending(struct mz_mailbox *mb, struct mz_wakeup *wake)
{
    atomic_store_explicit(&mb->pending, true, memory_order_release);
    if (mb->fd < 0)
        return;
    atomic_store_explicit(&mb->raised,
                          atomic_load_explicit(&mb->raised,
                                               memory_order_relaxed) +
                              1,
                          memory_order_relaxed);
    wake->fd = mb->fd;
}

bool mz_mailbox_post_deferred(struct mz_mailbox *mb,
                              const struct mz_command *cmd,
                              struct mz_wakeup *wake)
{
    pthread_mutex_lock(&mb->lock);
    if (mb->count == mb->capacity)
        ring_grow(mb);
    mb->ring[(mb->head + mb->count) % mb->capacity] = *cmd;
    bool was_empty = mb->count++ == 0;
    if (was_empty)
        raise_pending(mb, wake);
    pthread_mutex_unlock(&mb->lock);
    return was_empty;
}

bool mz_mailbox_post(struct mz_mailbox *mb, const struct mz_command *cmd)
{
    struct mz_wakeup wake = mz_wakeup_none();
    bool was_empty = mz_mailbox_post_deferred(mb, cmd, &wake);
    mz_wakeup_deliver(&wake);
    return was_empty;
}

void mz_mailbox_signal(struct mz_mailbox *mb)
{
    struct mz_wakeup wake = mz_wakeup_none();
    pthread_mutex_lock(&mb->lock);
    if (!atomic_load_explicit(&mb->pending, memory_order_relaxed))
        raise_pending(mb, &wake);
    pthread_mutex_unlock(&mb->lock);
    mz_wakeup_deliver(&wake);
}

/* Whether every eventfd write decided so far has been read back. */
static bool writes_all_read(struct mz_mailbox *mb)
{
    return atomic_load_explicit(&mb->consumed, memory_order_relaxed) ==
           atomic_load_explicit(&mb->raised, memory_order_relaxed);
}

/* Takes the oldest command, if any; the caller holds the lock (or is
 * alone, see mz_mailbox_take_inherited). */
static bool take_locked(struct mz_mailbox *mb, struct mz_command *cmd)
{
    if (mb->count == 0)
        return false;
    *cmd = mb->ring[mb->head];
    mb->head = (mb->head + 1) % mb->capacity;
    mb->count--;
    return true;
}

bool mz_mailbox_take_inherited(struct mz_mailbox *mb, struct mz_command *cmd)
{
    return take_locked(mb, cmd);
}

void mz_mailbox_forget_writes(struct mz_mailbox *mb)
{
    atomic_store_explicit(
        &mb->consumed, atomic_load_explicit(&mb->raised, memory_order_relaxed),
        memory_order_relaxed);
}

/* Empty, the mailbox is reset: its eventfd read back, pending cleared.
 * A poster's write still on its way (raised ahead of what the reads
 * brought) keeps pending set, so that the fd is never readable with
 * pending clear; the owner then sleeps on the fd (mz_mailbox_wait) until
 * the write lands, and its next take finishes the reset. */
bool mz_mailbox_take(struct mz_mailbox *mb, struct mz_command *cmd)
{
    pthread_mutex_lock(&mb->lock);
    bool found = take_locked(mb, cmd);
    if (mb->count == 0 &&
        atomic_load_explicit(&mb->pending, memory_order_relaxed)) {
        uint64_t value;
        if (mb->fd >= 0 && !writes_all_read(mb)) {
            if (read(mb->fd, &value, sizeof value) == sizeof value)
                atomic_store_explicit(
                    &mb->consumed,
                    atomic_load_explicit(&mb->consumed, memory_order_relaxed) +
                        value,
                    memory_order_relaxed);
            else if (errno != EAGAIN)
                perror("modzmq: mailbox eventfd read");
        }
        if (mb->fd < 0 || writes_all_read(mb))
            atomic_store_explicit(&mb->pending, false, memory_order_release);
    }
    pthread_mutex_unlock(&mb->lock);
    return found;
}

int mz_mailbox_wait(struct mz_mailbox *mb, int timeout_ms)
{
    /* Pending with a write on its way means nothing to take yet: sleep
     * on the fd, which that write makes readable. */
    if (mz_mailbox_has_pending(mb) && writes_all_read(mb))
        return 1;
    struct pollfd pfd = { .fd = mb->fd, .events = POLLIN };
    int rc = poll(&pfd, 1, timeout_ms);
    return rc < 0 ? -1 : rc > 0;
}
