/*
 * Helpers shared by zmq_poll (poll.c) and the zmq_poller API (poller.c):
 * translating event bits between ZeroMQ and poll(2), deadlines, and the
 * one blocking wait both use.
 */
#ifndef MZ_POLLING_H
#define MZ_POLLING_H

#include <poll.h>
#include <signal.h>
#include <stdint.h>

/* ZMQ_POLLIN/OUT/PRI requested on a plain fd, as poll(2) bits. */
short mz_poll_fd_events(short zmq_events);
/* poll(2) results on a plain fd, as ZMQ_POLL* bits; error, hang-up and
 * invalid fd all become ZMQ_POLLERR. */
short mz_poll_fd_revents(short poll_revents);
/* Deadline (monotonic ms) for a timeout in ms; -1 for none (timeout < 0). */
int64_t mz_poll_deadline(long timeout_ms);
/* Milliseconds left before deadline, 0 once passed, -1 for no deadline. */
int mz_poll_remaining(int64_t deadline);
/* ppoll(2) for timeout_ms (-1 forever) with sigmask (NULL: keep the
 * current mask) swapped in while it sleeps. -1 with errno (EINTR). */
int mz_poll_wait(struct pollfd *fds, nfds_t count, int timeout_ms,
                 const sigset_t *sigmask);

#endif
