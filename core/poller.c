/*
 * The draft zmq_poller_* API: a reusable set of sockets and plain fds,
 * each with the events it is watched for and the caller's user data.
 *
 * Waiting works like zmq_poll (see poll.c): ask every watched socket for
 * its ZMQ_EVENTS, and only when nothing is ready sleep in poll(2) on the
 * classic sockets' edge-triggered command fds and the plain fds, then look
 * again.
 *
 * A thread-safe socket (CLIENT, SERVER) has no fd to watch: any of its
 * threads may drain its mailbox. As in libzmq, the poller then owns an
 * eventfd (its signaler, made when the first such socket is added), which
 * the socket writes at every command posted to it (socket_guard.c); the
 * poller drains it before each look, so that a post after the look wakes
 * the sleep. zmq_poller_fd gives that eventfd, and fails with EINVAL on a
 * poller that has none, as libzmq's does.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "polling.h"
#include "socket.h"
#include "zmq.h"

static const uint32_t POLLER_TAG_LIVE = 0x6d7a706cu; /* "mzpl" */
static const uint32_t POLLER_TAG_DEAD = 0x64656164u; /* "dead" */

struct poller_item {
    struct mz_socket *socket; /* NULL for a plain fd */
    int fd;                   /* the plain fd, -1 for a socket */
    void *user_data;
    short events;
};

struct mz_poller {
    uint32_t tag;
    struct poller_item *items;
    int count, capacity;
    /* Scratch for a wait: the watched items and their pollfds (one more,
     * for the signaler). */
    struct pollfd *fds;
    int *watched;
    int signaler; /* eventfd the thread-safe sockets write; -1 until one */
};

static struct mz_poller *poller_of(void *poller)
{
    struct mz_poller *p = poller;
    if (p == NULL || p->tag != POLLER_TAG_LIVE) {
        errno = EFAULT;
        return NULL;
    }
    return p;
}

/* Only the four ZMQ_POLL* bits may be asked for. */
static int check_events(short events)
{
    if (events & ~(ZMQ_POLLIN | ZMQ_POLLOUT | ZMQ_POLLERR | ZMQ_POLLPRI)) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

static int check_socket(void *socket)
{
    if (!mz_socket_is_live(socket)) {
        errno = ENOTSOCK;
        return -1;
    }
    return 0;
}

static int check_fd(int fd)
{
    if (fd < 0) {
        errno = EBADF;
        return -1;
    }
    return 0;
}

/* Index of the item for socket (or, when socket is NULL, for fd); -1 with
 * EINVAL when it is not registered. */
static int find_item(const struct mz_poller *p, const void *socket, int fd)
{
    for (int i = 0; i < p->count; i++) {
        const struct poller_item *item = &p->items[i];
        if (socket != NULL ? item->socket == socket
                           : item->socket == NULL && item->fd == fd)
            return i;
    }
    errno = EINVAL;
    return -1;
}

/* Appends an item after the duplicate check; -1 EINVAL or ENOMEM. */
static int add_item(struct mz_poller *p, struct poller_item item)
{
    if (find_item(p, item.socket, item.fd) >= 0) {
        errno = EINVAL;
        return -1;
    }
    if (p->count == p->capacity) {
        int capacity = p->capacity ? p->capacity * 2 : 8;
        struct poller_item *items =
            realloc(p->items, (size_t) capacity * sizeof *items);
        if (items == NULL)
            goto nomem;
        p->items = items;
        struct pollfd *fds =
            realloc(p->fds, (size_t) (capacity + 1) * sizeof *fds);
        if (fds == NULL)
            goto nomem;
        p->fds = fds;
        int *watched = realloc(p->watched, (size_t) capacity * sizeof *watched);
        if (watched == NULL)
            goto nomem;
        p->watched = watched;
        p->capacity = capacity;
    }
    p->items[p->count++] = item;
    return 0;
nomem:
    errno = ENOMEM;
    return -1;
}

/* Removes item i, keeping the others in registration order. */
static void remove_item(struct mz_poller *p, int i)
{
    for (int j = i + 1; j < p->count; j++)
        p->items[j - 1] = p->items[j];
    p->count--;
}

/* A thread-safe socket stops writing the poller's signaler; nothing to do
 * for the others, or for a socket closed meanwhile (its close forgot). */
static void forget_signaler(struct mz_poller *p, const struct poller_item *item)
{
    if (item->socket != NULL && mz_socket_is_live(item->socket) &&
        mz_socket_thread_safe(item->socket))
        mz_socket_remove_signaler(item->socket, p->signaler);
}

/* A thread-safe socket is added: it writes the signaler from now on. */
static int use_signaler(struct mz_poller *p, struct mz_socket *s)
{
    if (p->signaler < 0) {
        p->signaler = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (p->signaler < 0)
            return -1;
    }
    return mz_socket_add_signaler(s, p->signaler);
}

void *zmq_poller_new(void)
{
    struct mz_poller *p = calloc(1, sizeof *p);
    if (p == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    p->tag = POLLER_TAG_LIVE;
    p->signaler = -1;
    return p;
}

int zmq_poller_destroy(void **poller_p)
{
    if (poller_p == NULL) {
        errno = EFAULT;
        return -1;
    }
    struct mz_poller *p = poller_of(*poller_p);
    if (p == NULL)
        return -1;
    p->tag = POLLER_TAG_DEAD;
    for (int i = 0; i < p->count; i++)
        forget_signaler(p, &p->items[i]);
    if (p->signaler >= 0)
        close(p->signaler);
    free(p->items);
    free(p->fds);
    free(p->watched);
    free(p);
    *poller_p = NULL;
    return 0;
}

int zmq_poller_size(void *poller)
{
    struct mz_poller *p = poller_of(poller);
    return p ? p->count : -1;
}

int zmq_poller_add(void *poller, void *socket, void *user_data, short events)
{
    struct mz_poller *p = poller_of(poller);
    if (p == NULL || check_socket(socket) < 0 || check_events(events) < 0)
        return -1;
    if (add_item(p, (struct poller_item){ .socket = socket,
                                          .fd = -1,
                                          .user_data = user_data,
                                          .events = events }) < 0)
        return -1;
    if (mz_socket_thread_safe(socket) && use_signaler(p, socket) < 0) {
        int error = errno;
        remove_item(p, p->count - 1);
        errno = error;
        return -1;
    }
    return 0;
}

int zmq_poller_modify(void *poller, void *socket, short events)
{
    struct mz_poller *p = poller_of(poller);
    if (p == NULL || check_socket(socket) < 0 || check_events(events) < 0)
        return -1;
    int i = find_item(p, socket, -1);
    if (i < 0)
        return -1;
    p->items[i].events = events;
    return 0;
}

int zmq_poller_remove(void *poller, void *socket)
{
    struct mz_poller *p = poller_of(poller);
    if (p == NULL || check_socket(socket) < 0)
        return -1;
    int i = find_item(p, socket, -1);
    if (i < 0)
        return -1;
    forget_signaler(p, &p->items[i]);
    remove_item(p, i);
    return 0;
}

int zmq_poller_add_fd(void *poller, zmq_fd_t fd, void *user_data, short events)
{
    struct mz_poller *p = poller_of(poller);
    if (p == NULL || check_fd(fd) < 0 || check_events(events) < 0)
        return -1;
    return add_item(p, (struct poller_item){ .socket = NULL,
                                             .fd = fd,
                                             .user_data = user_data,
                                             .events = events });
}

int zmq_poller_modify_fd(void *poller, zmq_fd_t fd, short events)
{
    struct mz_poller *p = poller_of(poller);
    if (p == NULL || check_fd(fd) < 0 || check_events(events) < 0)
        return -1;
    int i = find_item(p, NULL, fd);
    if (i < 0)
        return -1;
    p->items[i].events = events;
    return 0;
}

int zmq_poller_remove_fd(void *poller, zmq_fd_t fd)
{
    struct mz_poller *p = poller_of(poller);
    if (p == NULL || check_fd(fd) < 0)
        return -1;
    int i = find_item(p, NULL, fd);
    if (i < 0)
        return -1;
    remove_item(p, i);
    return 0;
}

int zmq_poller_fd(void *poller, zmq_fd_t *fd)
{
    struct mz_poller *p = poller_of(poller);
    if (p == NULL)
        return -1;
    /* Only thread-safe sockets give a poller an fd. */
    if (p->signaler < 0) {
        errno = EINVAL;
        return -1;
    }
    if (fd == NULL) {
        errno = EFAULT;
        return -1;
    }
    *fd = p->signaler;
    return 0;
}

/* Lists the items with events to watch, with their pollfds. Returns how
 * many, plus (through has_plain) whether any is a plain fd and (through
 * has_safe) whether any is a thread-safe socket, whose pollfd is unused
 * (-1) and the signaler's, after the last, stands for; -1 ENOTSOCK if a
 * socket was closed while registered. */
static int prepare(struct mz_poller *p, bool *has_plain, bool *has_safe)
{
    int n = 0;
    *has_plain = false;
    *has_safe = false;
    for (int i = 0; i < p->count; i++) {
        const struct poller_item *item = &p->items[i];
        if (item->events == 0)
            continue;
        struct pollfd *fd = &p->fds[n];
        if (item->socket != NULL) {
            if (check_socket(item->socket) < 0)
                return -1;
            if (mz_socket_thread_safe(item->socket)) {
                fd->fd = -1;
                *has_safe = true;
            } else {
                fd->fd = mz_socket_fd(item->socket);
            }
            fd->events = POLLIN;
        } else {
            fd->fd = item->fd;
            fd->events = mz_poll_fd_events(item->events);
            *has_plain = true;
        }
        fd->revents = 0;
        p->watched[n++] = i;
    }
    if (*has_safe)
        p->fds[n] = (struct pollfd){ .fd = p->signaler, .events = POLLIN };
    return n;
}

/* Resets the signaler before a look at the thread-safe sockets. */
static void drain_signaler(struct mz_poller *p)
{
    uint64_t value;
    /* EAGAIN: nothing was posted since the last look. */
    ssize_t got = read(p->signaler, &value, sizeof value);
    (void) got;
}

/* Reports up to max ready items into events; -1 ETERM when a watched
 * socket's context is terminating. Every watched socket runs its commands
 * even past max, so that no command fd is left readable to spin on. */
static int collect(struct mz_poller *p, int n, zmq_poller_event_t *events,
                   int max)
{
    int found = 0;
    for (int k = 0; k < n; k++) {
        const struct poller_item *item = &p->items[p->watched[k]];
        short revents;
        if (item->socket != NULL) {
            int ready = mz_socket_poll_events(item->socket);
            if (ready < 0)
                return -1;
            revents =
                (short) (ready & item->events & (ZMQ_POLLIN | ZMQ_POLLOUT));
        } else {
            revents = mz_poll_fd_revents(p->fds[k].revents);
        }
        if (revents == 0 || found == max)
            continue;
        events[found++] = (zmq_poller_event_t){
            .socket = item->socket,
            .fd = item->socket != NULL ? -1 : item->fd,
            .user_data = item->user_data,
            .events = revents,
        };
    }
    return found;
}

/* Nothing is watched: wait out the timeout and report it (a negative one
 * would never end, which is EFAULT). */
static int wait_for_nothing(long timeout)
{
    if (timeout < 0) {
        errno = EFAULT;
        return -1;
    }
    int64_t deadline = mz_poll_deadline(timeout);
    int left;
    while ((left = mz_poll_remaining(deadline)) > 0)
        if (mz_poll_wait(NULL, 0, left, NULL) < 0)
            return -1;
    errno = EAGAIN;
    return -1;
}

int zmq_poller_wait_all(void *poller, zmq_poller_event_t *events, int n_events,
                        long timeout)
{
    struct mz_poller *p = poller_of(poller);
    if (p == NULL)
        return -1;
    if (events == NULL) {
        errno = EFAULT;
        return -1;
    }
    if (n_events < 0) {
        errno = EINVAL;
        return -1;
    }
    bool has_plain, has_safe;
    int n = prepare(p, &has_plain, &has_safe);
    if (n < 0)
        return -1;
    if (n == 0)
        return wait_for_nothing(timeout);

    nfds_t nfds = (nfds_t) n + (has_safe ? 1 : 0);
    int64_t deadline = mz_poll_deadline(timeout);
    for (bool first = true;; first = false) {
        /* The first look at sockets alone needs no system call. */
        if (!first || has_plain) {
            int wait_ms = first ? 0 : mz_poll_remaining(deadline);
            if (mz_poll_wait(p->fds, nfds, wait_ms, NULL) < 0)
                return -1;
        }
        if (has_safe)
            drain_signaler(p);
        int found = collect(p, n, events, n_events);
        if (found != 0)
            return found;
        if (timeout == 0 || (!first && mz_poll_remaining(deadline) == 0))
            break;
    }
    errno = EAGAIN;
    return -1;
}

int zmq_poller_wait(void *poller, zmq_poller_event_t *event, long timeout)
{
    int rc = zmq_poller_wait_all(poller, event, 1, timeout);
    if (rc < 0) {
        if (event != NULL)
            *event = (zmq_poller_event_t){ .socket = NULL, .fd = -1 };
        return -1;
    }
    return 0;
}
