/*
 * The reactor services of the plugin SDK (struct modzmq_core_services):
 * fd watches, one-shot timers and posted tasks on a core I/O thread, for
 * plugins that do their own I/O. A modzmq_reactor is the core's
 * struct mz_reactor itself; only watches need a small wrapper, to turn
 * epoll's event bits into the SDK's.
 */
#ifndef MZ_PLUGIN_REACTOR_H
#define MZ_PLUGIN_REACTOR_H

#include <modzmq/plugin.h>

struct mz_reactor;

static inline modzmq_reactor *mz_plugin_reactor(struct mz_reactor *reactor)
{
    return (modzmq_reactor *) reactor;
}

modzmq_watch *mz_plugin_watch_add(modzmq_reactor *reactor, int fd,
                                  modzmq_watch_fn fn, void *arg);
void mz_plugin_watch_set(modzmq_watch *watch, unsigned events);
void mz_plugin_watch_remove(modzmq_watch *watch);
uint64_t mz_plugin_timer_add(modzmq_reactor *reactor, uint64_t delay_ms,
                             modzmq_task_fn fn, void *arg);
void mz_plugin_timer_cancel(modzmq_reactor *reactor, uint64_t timer);
int mz_plugin_task_post(modzmq_reactor *reactor, modzmq_task_fn fn, void *arg);

#endif
