/*
 * I/O threads (see iothread.h). The thread is created through
 * mz_thread_create so it gets the same signal mask and naming as every other
 * thread the library starts; its whole life is one mz_reactor_run call.
 */
#include "iothread.h"

#include "reactor.h"
#include "thread.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

struct mz_iothread {
    pthread_t thread;
    struct mz_reactor *reactor;
};

static void *mz_iothread_main(void *arg)
{
    struct mz_iothread *t = arg;
    mz_reactor_run(t->reactor);
    return NULL;
}

struct mz_iothread *mz_iothread_start(const char *name)
{
    struct mz_iothread *t = malloc(sizeof *t);
    if (t == NULL)
        return NULL;
    t->reactor = mz_reactor_new();
    if (t->reactor != NULL &&
        mz_thread_create(&t->thread, mz_iothread_main, t, name) == 0)
        return t;
    int saved = errno;
    mz_reactor_free(t->reactor);
    free(t);
    errno = saved;
    return NULL;
}

struct mz_reactor *mz_iothread_reactor(struct mz_iothread *t)
{
    return t->reactor;
}

int mz_iothread_set_sched(struct mz_iothread *t, int policy, int priority,
                          const int *cpus, size_t ncpus)
{
    return mz_thread_set_sched(t->thread, policy, priority, cpus, ncpus);
}

void mz_iothread_stop(struct mz_iothread *t)
{
    mz_reactor_stop(t->reactor);
    pthread_join(t->thread, NULL);
    mz_reactor_free(t->reactor);
    free(t);
}

void mz_iothread_abandon(struct mz_iothread *t)
{
    mz_reactor_abandon(t->reactor);
    free(t);
}
