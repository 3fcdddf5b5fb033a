/*
 * I/O threads: each is one core thread running one reactor (see reactor.h).
 * The context starts as many as ZMQ_IO_THREADS asks for and spreads
 * sessions, listeners and plugins over them by mz_reactor_load.
 */
#ifndef MZ_IOTHREAD_H
#define MZ_IOTHREAD_H

#include <stddef.h>

struct mz_iothread;
struct mz_reactor;

/* Starts a thread running a new reactor. name, if not NULL, names the thread
 * (the context passes e.g. "ZMQbg/IO/0", with its ZMQ_THREAD_NAME_PREFIX).
 * Returns NULL with errno set on failure. */
struct mz_iothread *mz_iothread_start(const char *name);

/* The thread's reactor: post tasks to it from other threads. */
struct mz_reactor *mz_iothread_reactor(struct mz_iothread *t);

/* Applies ZMQ_THREAD_SCHED_POLICY, ZMQ_THREAD_PRIORITY (-1 each to keep the
 * current value) and the ZMQ_THREAD_AFFINITY_CPU_ADD list (ncpus CPU
 * numbers; none to leave affinity alone), with mz_thread_set_sched's rules.
 * Best effort: returns 0, or -1 with errno set. */
int mz_iothread_set_sched(struct mz_iothread *t, int policy, int priority,
                          const int *cpus, size_t ncpus);

/* Stops the reactor, waits for the thread to finish its current iteration
 * and exit, then frees the thread and its reactor (tasks still queued are
 * dropped). Must not be called from the I/O thread itself. */
void mz_iothread_stop(struct mz_iothread *t);

/* mz_iothread_stop in a forked child, where the thread does not exist:
 * abandons its reactor (mz_reactor_abandon) and frees t, without a join. */
void mz_iothread_abandon(struct mz_iothread *t);

#endif
