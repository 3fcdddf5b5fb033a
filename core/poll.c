/*
 * zmq_poll and zmq_ppoll: level-triggered readiness over a mix of sockets
 * and plain file descriptors.
 *
 * A socket is ready when its ZMQ_EVENTS say so. Its ZMQ_FD (the mailbox
 * eventfd) only tells that commands are waiting, and it is edge-triggered:
 * once mz_socket_events has run the commands, the fd stays quiet until a
 * new one arrives. So every pass first asks each socket for its events and
 * only then sleeps in poll(2) on the socket fds plus the plain fds; a
 * command that arrives after the check makes the fd readable and wakes the
 * sleep. Plain fds map their poll(2) bits directly, and any condition other
 * than in/out/pri (error, hang-up, invalid fd) reads as ZMQ_POLLERR, as in
 * libzmq.
 *
 * A thread-safe socket (CLIENT, SERVER) has no fd: with one among the
 * items, the whole call goes through a zmq_poller, as libzmq 4.3.5's
 * zmq_poll does (poller.c says how that waits). zmq_ppoll's signal mask is
 * not applied on that path.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>

#include "clock.h"
#include "polling.h"
#include "socket.h"
#include "zmq.h"

short mz_poll_fd_events(short zmq_events)
{
    short events = 0;
    if (zmq_events & ZMQ_POLLIN)
        events |= POLLIN;
    if (zmq_events & ZMQ_POLLOUT)
        events |= POLLOUT;
    if (zmq_events & ZMQ_POLLPRI)
        events |= POLLPRI;
    return events;
}

short mz_poll_fd_revents(short poll_revents)
{
    short events = 0;
    if (poll_revents & POLLIN)
        events |= ZMQ_POLLIN;
    if (poll_revents & POLLOUT)
        events |= ZMQ_POLLOUT;
    if (poll_revents & POLLPRI)
        events |= ZMQ_POLLPRI;
    if (poll_revents & ~(POLLIN | POLLOUT | POLLPRI))
        events |= ZMQ_POLLERR;
    return events;
}

int64_t mz_poll_deadline(long timeout_ms)
{
    if (timeout_ms < 0)
        return -1;
    int64_t now = (int64_t) mz_clock_ms();
    /* A timeout too long to add is as good as forever, minus the -1. */
    if ((int64_t) timeout_ms > INT64_MAX - now)
        return INT64_MAX;
    return now + (int64_t) timeout_ms;
}

int mz_poll_remaining(int64_t deadline)
{
    if (deadline < 0)
        return -1;
    int64_t left = deadline - (int64_t) mz_clock_ms();
    if (left <= 0)
        return 0;
    return left > INT_MAX ? INT_MAX : (int) left;
}

int mz_poll_wait(struct pollfd *fds, nfds_t count, int timeout_ms,
                 const sigset_t *sigmask)
{
    struct timespec ts;
    struct timespec *tsp = NULL;
    if (timeout_ms >= 0) {
        ts.tv_sec = timeout_ms / 1000;
        ts.tv_nsec = (long) (timeout_ms % 1000) * 1000000L;
        tsp = &ts;
    }
    return ppoll(fds, count, tsp, sigmask);
}

/* With no items there is nothing to wait for but the clock (or a signal):
 * sleep the whole timeout, forever when it is negative. */
static int poll_nothing(long timeout, const sigset_t *sigmask)
{
    if (timeout == 0)
        return 0;
    int64_t deadline = mz_poll_deadline(timeout);
    for (;;) {
        int left = mz_poll_remaining(deadline);
        if (left == 0)
            return 0;
        if (mz_poll_wait(NULL, 0, left, sigmask) < 0)
            return -1;
    }
}

/* Fills one pollfd per item; -1 ENOTSOCK for a socket item that is not a
 * live socket. Returns whether any item is a plain fd. */
static int prepare(zmq_pollitem_t *items, int nitems, struct pollfd *fds)
{
    int plain = 0;
    for (int i = 0; i < nitems; i++) {
        if (items[i].socket != NULL) {
            if (!mz_socket_is_live(items[i].socket)) {
                errno = ENOTSOCK;
                return -1;
            }
            fds[i].fd = mz_socket_fd(items[i].socket);
            fds[i].events = POLLIN;
        } else {
            fds[i].fd = items[i].fd;
            fds[i].events = mz_poll_fd_events(items[i].events);
            plain = 1;
        }
        fds[i].revents = 0;
    }
    return plain;
}

/* Sets every item's revents from the sockets' events and the pollfds;
 * returns how many items have any, or -1 (ETERM) if a socket's context is
 * terminating. */
static int collect(zmq_pollitem_t *items, int nitems, const struct pollfd *fds)
{
    int ready = 0;
    for (int i = 0; i < nitems; i++) {
        short revents;
        if (items[i].socket != NULL) {
            int events = mz_socket_poll_events(items[i].socket);
            if (events < 0)
                return -1;
            revents =
                (short) (events & items[i].events & (ZMQ_POLLIN | ZMQ_POLLOUT));
        } else {
            revents = mz_poll_fd_revents(fds[i].revents);
        }
        items[i].revents = revents;
        if (revents != 0)
            ready++;
    }
    return ready;
}

/* Whether any item is a thread-safe socket; -1 ENOTSOCK for a socket item
 * that is no live socket. */
static int has_thread_safe(const zmq_pollitem_t *items, int nitems)
{
    int found = 0;
    for (int i = 0; i < nitems; i++) {
        if (items[i].socket == NULL)
            continue;
        if (!mz_socket_is_live(items[i].socket)) {
            errno = ENOTSOCK;
            return -1;
        }
        if (mz_socket_thread_safe(items[i].socket))
            found = 1;
    }
    return found;
}

/* Registers item i in poller, merging the events of an item that names
 * the same socket or fd as an earlier one. */
static int add_to_poller(void *poller, const zmq_pollitem_t *items, int i)
{
    const zmq_pollitem_t *item = &items[i];
    for (int j = 0; j < i; j++) {
        if (items[j].socket == item->socket &&
            (item->socket != NULL || items[j].fd == item->fd)) {
            short merged = items[j].events | item->events;
            return item->socket != NULL
                       ? zmq_poller_modify(poller, item->socket, merged)
                       : zmq_poller_modify_fd(poller, item->fd, merged);
        }
    }
    return item->socket != NULL
               ? zmq_poller_add(poller, item->socket, NULL, item->events)
               : zmq_poller_add_fd(poller, item->fd, NULL, item->events);
}

/* zmq_poll over items that include a thread-safe socket: one wait of a
 * poller made for the call, its results spread back over the items. */
static int poll_with_poller(zmq_pollitem_t *items, int nitems, long timeout)
{
    void *poller = zmq_poller_new();
    zmq_poller_event_t *events = malloc((size_t) nitems * sizeof *events);
    int rc = -1;
    if (poller == NULL || events == NULL) {
        errno = ENOMEM;
        goto out;
    }
    for (int i = 0; i < nitems; i++) {
        items[i].revents = 0;
        if (add_to_poller(poller, items, i) < 0)
            goto out;
    }
    int found = zmq_poller_wait_all(poller, events, nitems, timeout);
    if (found < 0) {
        if (errno == EAGAIN)
            rc = 0;
        goto out;
    }
    rc = 0;
    for (int i = 0; i < nitems; i++) {
        for (int k = 0; k < found; k++) {
            bool same = items[i].socket != NULL
                            ? events[k].socket == items[i].socket
                            : events[k].socket == NULL &&
                                  events[k].fd == items[i].fd;
            if (same)
                items[i].revents = (short) (events[k].events &
                                            (items[i].events | ZMQ_POLLERR));
        }
        if (items[i].revents != 0)
            rc++;
    }
out:;
    int saved = errno;
    free(events);
    if (poller != NULL)
        zmq_poller_destroy(&poller);
    errno = saved;
    return rc;
}

/* The loop behind zmq_poll and zmq_ppoll; sigmask may be NULL. */
static int poll_items(zmq_pollitem_t *items, int nitems, long timeout,
                      const sigset_t *sigmask)
{
    if (nitems < 0) {
        errno = EINVAL;
        return -1;
    }
    if (nitems == 0)
        return poll_nothing(timeout, sigmask);
    if (items == NULL) {
        errno = EFAULT;
        return -1;
    }
    int safe = has_thread_safe(items, nitems);
    if (safe < 0)
        return -1;
    if (safe)
        return poll_with_poller(items, nitems, timeout);

    struct pollfd local[ZMQ_POLLITEMS_DFLT];
    struct pollfd *fds = local;
    if (nitems > ZMQ_POLLITEMS_DFLT) {
        fds = malloc((size_t) nitems * sizeof *fds);
        if (fds == NULL) {
            errno = ENOMEM;
            return -1;
        }
    }
    int rc = prepare(items, nitems, fds);
    if (rc < 0)
        goto out;
    /* Without plain fds the first look needs no system call: the sockets'
     * events come from their own state. */
    bool look_first = rc > 0;
    int64_t deadline = mz_poll_deadline(timeout);
    for (bool first = true;; first = false) {
        int wait_ms = first ? 0 : mz_poll_remaining(deadline);
        if (!first || look_first) {
            if (mz_poll_wait(fds, (nfds_t) nitems, wait_ms, sigmask) < 0) {
                rc = -1;
                goto out;
            }
        }
        rc = collect(items, nitems, fds);
        if (rc != 0 || timeout == 0)
            goto out;
        if (!first && mz_poll_remaining(deadline) == 0)
            goto out;
    }
out:
    if (fds != local) {
        int saved = errno;
        free(fds);
        errno = saved;
    }
    return rc;
}

int zmq_poll(zmq_pollitem_t *items, int nitems, long timeout)
{
    return poll_items(items, nitems, timeout, NULL);
}

int zmq_ppoll(zmq_pollitem_t *items, int nitems, long timeout,
              const sigset_t *sigmask)
{
    return poll_items(items, nitems, timeout, sigmask);
}
