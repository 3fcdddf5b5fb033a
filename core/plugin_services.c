/*
 * The services a plugin may call back into the core for: reading a
 * socket's options, writing diagnostics, and the event bus (event_bus.c). A plugin's modzmq_socket handle
 * is the application's socket handle itself (a struct mz_socket), so the
 * option read goes through zmq_getsockopt and behaves exactly as it does,
 * errors included, except for the filter lists that only plugins read.
 */
#include <errno.h>
#include <stdio.h>

#include "event_bus.h"
#include "options.h"
#include "plugin_services.h"
#include "socket.h"
#include "zmq.h"

static int socket_option(modzmq_socket *socket, int option, void *value,
                         size_t *size)
{
    switch (option) {
    case ZMQ_TCP_ACCEPT_FILTER:
    case ZMQ_IPC_FILTER_UID:
    case ZMQ_IPC_FILTER_GID:
    case ZMQ_IPC_FILTER_PID: {
        /* Write-only for applications, readable for the transports that
         * apply them (see plugin.h). */
        struct mz_socket *s = (struct mz_socket *) socket;
        if (!mz_socket_is_live(s)) {
            errno = ENOTSOCK;
            return -1;
        }
        return mz_options_get_filter_list(&s->options, option, value, size);
    }
    default:
        return zmq_getsockopt(socket, option, value, size);
    }
}

static void *socket_context(modzmq_socket *socket)
{
    struct mz_socket *s = (struct mz_socket *) socket;
    if (!mz_socket_is_live(s)) {
        errno = ENOTSOCK;
        return NULL;
    }
    return s->ctx;
}

/* One fprintf per line: stdio locks the stream for the call, so lines from
 * several threads do not interleave. */
static void log_line(modzmq_core *core, enum modzmq_log_level level,
                     const char *message)
{
    (void) level;
    if (message == NULL)
        return;
    const char *name = core != NULL ? core->name : "(unknown plugin)";
    fprintf(stderr, "modzmq: %s: %s\n", name, message);
}

static const struct modzmq_core_services services = {
    .size = sizeof(struct modzmq_core_services),
    .socket_option = socket_option,
    .log = log_line,
    .publish = mz_event_service_publish,
    .event_wanted = mz_event_service_wanted,
    .subscribe = mz_event_subscribe,
    .unsubscribe = mz_event_unsubscribe,
    .socket_context = socket_context,
};

const struct modzmq_core_services *mz_plugin_services(void)
{
    return &services;
}
