/* Threads: zmq_threadstart/zmq_threadclose for applications, and the core's
 * own thread creation and scheduling helpers (see thread.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pthread_setname_np, pthread_setaffinity_np */
#endif

#include "zmq.h"

#include "thread.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

/* What a new thread needs before it runs the caller's function: the
 * thread names itself first, so fn never sees a nameless thread (the
 * creator names it as well, and may be late). */
struct thread_start {
    void *(*fn)(void *);
    void *arg;
    char name[16]; /* Linux keeps 15 characters */
};

static void *thread_main(void *arg)
{
    struct thread_start start = *(struct thread_start *) arg;
    free(arg);
    if (start.name[0] != '\0')
        pthread_setname_np(pthread_self(), start.name);
    return start.fn(start.arg);
}

int mz_thread_create(pthread_t *thread, void *(*fn)(void *), void *arg,
                     const char *name)
{
    struct thread_start *start = calloc(1, sizeof *start);
    if (start == NULL) {
        errno = ENOMEM;
        return -1;
    }
    start->fn = fn;
    start->arg = arg;
    if (name != NULL)
        strncpy(start->name, name, sizeof start->name - 1);

    /* A new thread inherits the creator's signal mask, so block signals
     * around pthread_create: the thread then never runs with them
     * unblocked. Faults raised by the thread's own code (SIGSEGV and the
     * like) stay unblocked, because a blocked fault kills the process
     * without running any handler, such as a sanitizer's. */
    sigset_t blocked, saved;
    sigfillset(&blocked);
    sigdelset(&blocked, SIGSEGV);
    sigdelset(&blocked, SIGBUS);
    sigdelset(&blocked, SIGFPE);
    sigdelset(&blocked, SIGILL);
    sigdelset(&blocked, SIGTRAP);
    sigdelset(&blocked, SIGABRT);
    pthread_sigmask(SIG_SETMASK, &blocked, &saved);
    int rc = pthread_create(thread, NULL, thread_main, start);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (rc != 0) {
        free(start);
        errno = rc;
        return -1;
    }
    /* Named here too, so that the name is in place when this returns
     * whether or not the thread has started yet. */
    if (name != NULL) {
        char short_name[16] = "";
        strncpy(short_name, name, sizeof short_name - 1);
        pthread_setname_np(*thread, short_name);
    }
    return 0;
}

int mz_thread_set_sched(pthread_t thread, int policy, int priority,
                        const int *cpus, size_t ncpus)
{
    if (policy != -1 || priority != -1) {
        int current_policy;
        struct sched_param param;
        int rc = pthread_getschedparam(thread, &current_policy, &param);
        if (rc == 0) {
            if (policy != -1)
                current_policy = policy;
            if (priority != -1)
                param.sched_priority = priority;
            /* The time-sharing policies take no static priority: libzmq
             * renices the thread instead, which needs the thread's own
             * id; here the priority is left at 0 (best effort). */
            if (current_policy == SCHED_OTHER ||
                current_policy == SCHED_BATCH || current_policy == SCHED_IDLE)
                param.sched_priority = 0;
            rc = pthread_setschedparam(thread, current_policy, &param);
        }
        if (rc != 0) {
            errno = rc;
            return -1;
        }
    }
    if (ncpus > 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        for (size_t i = 0; i < ncpus; i++) {
            if (cpus[i] < 0 || cpus[i] >= CPU_SETSIZE) {
                errno = EINVAL;
                return -1;
            }
            CPU_SET(cpus[i], &set);
        }
        int rc = pthread_setaffinity_np(thread, sizeof set, &set);
        if (rc != 0) {
            errno = rc;
            return -1;
        }
    }
    return 0;
}

/* What zmq_threadstart hands back: the thread and the call it runs. */
typedef struct mz_app_thread {
    pthread_t thread;
    zmq_thread_fn *fn;
    void *arg;
} mz_app_thread_t;

/* Adapts the application's void function to pthread's entry signature. */
static void *mz_app_thread_main(void *self_)
{
    mz_app_thread_t *self = self_;
    self->fn(self->arg);
    return NULL;
}

/* Starts func_ (arg_) in a new thread; returns the handle for
 * zmq_threadclose, or NULL with errno set when the thread cannot start. */
void *zmq_threadstart(zmq_thread_fn *func_, void *arg_)
{
    mz_app_thread_t *self = malloc(sizeof *self);
    if (!self) {
        errno = ENOMEM;
        return NULL;
    }
    self->fn = func_;
    self->arg = arg_;
    if (mz_thread_create(&self->thread, mz_app_thread_main, self, "ZMQapp") ==
        -1) {
        free(self);
        return NULL;
    }
    return self;
}

/* Waits for the thread to return, then frees its handle. */
void zmq_threadclose(void *thread_)
{
    mz_app_thread_t *self = thread_;
    pthread_join(self->thread, NULL);
    free(self);
}
