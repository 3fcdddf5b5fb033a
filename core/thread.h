/* Thread creation for the core: the threads the library starts itself (I/O
 * threads, zmq_threadstart) are created here so that all get the same
 * signal mask, naming and scheduling treatment. */
#ifndef MZ_THREAD_H
#define MZ_THREAD_H

#include <pthread.h>
#include <stddef.h>

/* Starts a joinable thread running fn (arg) with all asynchronous signals
 * blocked, so that signals go to the application's own threads. name, if not
 * NULL, becomes the thread's name (cut to the 15 characters Linux keeps).
 * Returns 0, or -1 with errno set. */
int mz_thread_create(pthread_t *thread, void *(*fn)(void *), void *arg,
                     const char *name);

/* Applies the context's thread options to a thread: policy and priority as
 * for pthread_setschedparam, each -1 to keep the current value (both -1 do
 * nothing), and, when ncpus > 0, pins the thread to the ncpus CPU numbers in
 * cpus. Returns 0, or -1 with errno set (EINVAL for a CPU number out of
 * range, EPERM when the caller may not use that policy or priority). */
int mz_thread_set_sched(pthread_t thread, int policy, int priority,
                        const int *cpus, size_t ncpus);

#endif
