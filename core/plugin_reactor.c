/*
 * Reactor services for plugins; see plugin_reactor.h.
 */
#include <errno.h>
#include <stdlib.h>

#include "plugin_reactor.h"
#include "reactor.h"

struct modzmq_watch {
    struct mz_reactor_fd *handle;
    modzmq_watch_fn fn;
    void *arg;
};

static struct mz_reactor *core_reactor(modzmq_reactor *reactor)
{
    return (struct mz_reactor *) reactor;
}

static void watch_ready(void *arg, uint32_t events)
{
    struct modzmq_watch *watch = arg;
    unsigned ready = 0;
    if (events & MZ_REACTOR_READABLE)
        ready |= MODZMQ_WATCH_READ;
    if (events & MZ_REACTOR_WRITABLE)
        ready |= MODZMQ_WATCH_WRITE;
    if (events & (MZ_REACTOR_ERROR | MZ_REACTOR_HANGUP))
        ready |= MODZMQ_WATCH_ERROR;
    watch->fn(watch->arg, ready);
}

modzmq_watch *mz_plugin_watch_add(modzmq_reactor *reactor, int fd,
                                  modzmq_watch_fn fn, void *arg)
{
    if (reactor == NULL || fn == NULL) {
        errno = EINVAL;
        return NULL;
    }
    struct modzmq_watch *watch = malloc(sizeof *watch);
    if (watch == NULL)
        return NULL;
    watch->fn = fn;
    watch->arg = arg;
    watch->handle =
        mz_reactor_add_fd(core_reactor(reactor), fd, watch_ready, watch);
    if (watch->handle == NULL) {
        int error = errno;
        free(watch);
        errno = error;
        return NULL;
    }
    return watch;
}

void mz_plugin_watch_set(modzmq_watch *watch, unsigned events)
{
    mz_reactor_want(watch->handle, (events & MODZMQ_WATCH_READ) != 0,
                    (events & MODZMQ_WATCH_WRITE) != 0);
}

/* The reactor never calls a removed handle back, even for events of the
 * batch being dispatched, so the wrapper can go at once. */
void mz_plugin_watch_remove(modzmq_watch *watch)
{
    if (watch == NULL)
        return;
    mz_reactor_remove_fd(watch->handle);
    free(watch);
}

uint64_t mz_plugin_timer_add(modzmq_reactor *reactor, uint64_t delay_ms,
                             modzmq_task_fn fn, void *arg)
{
    if (reactor == NULL || fn == NULL) {
        errno = EINVAL;
        return 0;
    }
    return mz_reactor_add_timer(core_reactor(reactor), delay_ms, fn, arg);
}

void mz_plugin_timer_cancel(modzmq_reactor *reactor, uint64_t timer)
{
    if (reactor != NULL)
        mz_reactor_cancel_timer(core_reactor(reactor), timer);
}

int mz_plugin_task_post(modzmq_reactor *reactor, modzmq_task_fn fn, void *arg)
{
    if (reactor == NULL || fn == NULL) {
        errno = EINVAL;
        return -1;
    }
    return mz_reactor_post(core_reactor(reactor), fn, arg);
}
