/*
 * The guard of a thread-safe socket (CLIENT, SERVER, RADIO, ...): one
 * lock held for the length of each call (futex_lock.h), a condition
 * variable that every command posted to the socket broadcasts, for the
 * callers blocked in send or receive and for a close waiting for them to
 * leave, and the eventfds of the pollers watching it. Classic sockets have none
 * of this: their calls never come here (socket_internal.h says why the
 * guard sits where it does).
 *
 * Why not the mailbox's eventfd, as a classic socket blocks on it: an
 * eventfd read by one waiter is drained for every other one, and which
 * thread runs the socket's commands is anybody's guess, so many waiters
 * would sleep through each other's wake-ups. A broadcast wakes them all,
 * each looks again under the lock, and the ones with nothing to do sleep
 * again.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "socket.h"
#include "socket_internal.h"

void mz_socket_guard_init(struct mz_socket *s)
{
    struct mz_socket_guard *g = &s->guard;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    /* Timeouts are measured on the monotonic clock, as everywhere else. */
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    /* The lock spins a little before it sleeps, and is recursive here,
     * not in itself: a transport plugin reads the socket's options
     * through zmq_getsockopt from inside zmq_bind and zmq_connect
     * (endpoint_parse, on the caller's thread), as the SDK tells it to. */
    mz_futex_lock_init(&g->lock);
    atomic_init(&g->holder, 0);
    g->depth = 0;
    pthread_mutex_init(&g->wake_lock, NULL);
    pthread_cond_init(&g->wake, &attr);
    pthread_condattr_destroy(&attr);
    g->callers = 0;
    g->closing = false;
    atomic_init(&g->wake_seq, 0);
    g->signalers = NULL;
    g->signaler_count = g->signaler_capacity = 0;
}

/* The holder's mark: pthread_self tells one live thread from every other,
 * and reads a register where a thread-local variable of a shared library
 * would cost a call. */
static uintptr_t self_mark(void)
{
    return (uintptr_t) pthread_self();
}

/* The lock's recursion. Only the holder writes holder while it holds the
 * lock, so a thread reading its own mark there is sure to hold it, and
 * one reading anything else is sure not to. */
static void lock_take(struct mz_socket_guard *g)
{
    uintptr_t self = self_mark();
    if (atomic_load_explicit(&g->holder, memory_order_relaxed) == self) {
        g->depth++;
        return;
    }
    mz_futex_lock_take(&g->lock);
    atomic_store_explicit(&g->holder, self, memory_order_relaxed);
    g->depth = 1;
}

static void lock_give(struct mz_socket_guard *g)
{
    if (--g->depth > 0)
        return;
    atomic_store_explicit(&g->holder, 0, memory_order_relaxed);
    mz_futex_lock_give(&g->lock);
}

/* Around a wait that lets the lock go: whatever the depth, the lock is
 * let go entirely and comes back as deep as it was. */
static unsigned holder_forget(struct mz_socket_guard *g)
{
    atomic_store_explicit(&g->holder, 0, memory_order_relaxed);
    return g->depth;
}

static void holder_restore(struct mz_socket_guard *g, unsigned depth)
{
    atomic_store_explicit(&g->holder, self_mark(), memory_order_relaxed);
    g->depth = depth;
}

int mz_socket_enter(struct mz_socket *s)
{
    struct mz_socket_guard *g = &s->guard;
    lock_take(g);
    if (g->closing) {
        lock_give(g);
        errno = ENOTSOCK;
        return -1;
    }
    g->callers++;
    return 0;
}

/* errno is the call's result, and nothing here touches it: the notify
 * and the futex wake keep it. */
void mz_socket_leave(struct mz_socket *s)
{
    struct mz_socket_guard *g = &s->guard;
    /* A close waits for the last of the others to leave. */
    if (--g->callers == 1 && g->closing)
        mz_socket_guard_notify(s);
    lock_give(g);
}

uint64_t mz_socket_guard_seq(struct mz_socket *s)
{
    return atomic_load(&s->guard.wake_seq);
}

/* timeout_ms from now on the monotonic clock. */
static struct timespec deadline_in(int timeout_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += timeout_ms / 1000;
    ts.tv_nsec += (long) (timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* Lets the lock go, sleeps until a post after seq or timeout_ms (-1
 * forever) passed, and takes the lock again as deep as it was. */
static void wait_for_post(struct mz_socket_guard *g, uint64_t seq,
                          int timeout_ms)
{
    struct timespec deadline = deadline_in(timeout_ms < 0 ? 0 : timeout_ms);
    unsigned depth = holder_forget(g);
    mz_futex_lock_give(&g->lock);
    pthread_mutex_lock(&g->wake_lock);
    while (atomic_load(&g->wake_seq) == seq) {
        if (timeout_ms < 0)
            pthread_cond_wait(&g->wake, &g->wake_lock);
        else if (pthread_cond_timedwait(&g->wake, &g->wake_lock, &deadline) ==
                 ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&g->wake_lock);
    mz_futex_lock_take(&g->lock);
    holder_restore(g, depth);
}

int mz_socket_guard_wait(struct mz_socket *s, uint64_t seq, int timeout_ms)
{
    struct mz_socket_guard *g = &s->guard;
    wait_for_post(g, seq, timeout_ms);
    if (g->closing) {
        errno = ENOTSOCK;
        return -1;
    }
    return 0;
}

/* Signals one poller's eventfd; a full counter is readable already. */
static void signal_fd(int fd)
{
    uint64_t one = 1;
    if (write(fd, &one, sizeof one) < 0 && errno != EAGAIN)
        perror("modzmq: poller eventfd write");
}

void mz_socket_guard_notify(struct mz_socket *s)
{
    struct mz_socket_guard *g = &s->guard;
    int saved = errno;
    pthread_mutex_lock(&g->wake_lock);
    atomic_fetch_add(&g->wake_seq, 1);
    pthread_cond_broadcast(&g->wake);
    for (unsigned i = 0; i < g->signaler_count; i++)
        signal_fd(g->signalers[i]);
    pthread_mutex_unlock(&g->wake_lock);
    errno = saved;
}

void mz_socket_guard_close(struct mz_socket *s)
{
    struct mz_socket_guard *g = &s->guard;
    g->closing = true;
    mz_socket_guard_notify(s);
    /* The seq is read with the lock held, and a caller leaving posts
     * with it held: no leave falls between the look and the sleep. */
    while (g->callers > 1)
        wait_for_post(g, mz_socket_guard_seq(s), -1);
}

void mz_socket_guard_fini(struct mz_socket *s)
{
    struct mz_socket_guard *g = &s->guard;
    pthread_mutex_lock(&g->wake_lock);
    free(g->signalers);
    g->signalers = NULL;
    g->signaler_count = g->signaler_capacity = 0;
    pthread_mutex_unlock(&g->wake_lock);
}

int mz_socket_add_signaler(struct mz_socket *s, int fd)
{
    struct mz_socket_guard *g = &s->guard;
    int rc = 0;
    pthread_mutex_lock(&g->wake_lock);
    if (g->signaler_count == g->signaler_capacity) {
        unsigned capacity = g->signaler_capacity ? g->signaler_capacity * 2 : 4;
        int *signalers = realloc(g->signalers, capacity * sizeof *signalers);
        if (signalers == NULL) {
            rc = -1;
            goto out;
        }
        g->signalers = signalers;
        g->signaler_capacity = capacity;
    }
    g->signalers[g->signaler_count++] = fd;
    /* Whatever happened before the poller looked is its to see first. */
    signal_fd(fd);
out:
    pthread_mutex_unlock(&g->wake_lock);
    if (rc < 0)
        errno = ENOMEM;
    return rc;
}

void mz_socket_remove_signaler(struct mz_socket *s, int fd)
{
    struct mz_socket_guard *g = &s->guard;
    pthread_mutex_lock(&g->wake_lock);
    for (unsigned i = 0; i < g->signaler_count; i++) {
        if (g->signalers[i] == fd) {
            g->signalers[i] = g->signalers[--g->signaler_count];
            break;
        }
    }
    pthread_mutex_unlock(&g->wake_lock);
}
