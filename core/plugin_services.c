/*
 * The services a plugin may call back into the core for: reading a
 * socket's options, writing diagnostics, reading and rewriting messages,
 * what mechanisms ask of the engine (mechanism.c answers those), doing
 * I/O on the core's threads (plugin_reactor.c, plugin_link.c), and the event
 * bus (event_bus.c). A plugin's
 * modzmq_msg is the core's struct mz_msg itself, whose MORE and COMMAND
 * flags have the SDK's values. A plugin's modzmq_socket handle
 * is the application's socket handle itself (a struct mz_socket), so the
 * option read goes through zmq_getsockopt and behaves exactly as it does,
 * errors included, except for the filter lists that only plugins read.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mechanism.h"
#include "msg.h"
#include "event_bus.h"
#include "options.h"
#include "plugin_link.h"
#include "plugin_reactor.h"
#include "plugin_services.h"
#include "socket.h"
#include "zmq.h"

/* The write-only options the transports read (see plugin.h), under the
 * guard of a thread-safe socket as zmq_getsockopt reads the others, so a
 * setsockopt of another thread never changes a list as it is copied. */
static int write_only_option(modzmq_socket *socket, int option, void *value,
                             size_t *size)
{
    struct mz_socket *s = mz_socket_call_begin(socket);
    if (s == NULL)
        return -1;
    const struct mz_options *options = mz_socket_options(s);
    int rc = option == ZMQ_BUSY_POLL
                 ? mz_options_get_write_only(options, option, value, size)
                 : mz_options_get_filter_list(options, option, value, size);
    return mz_socket_call_end(s, rc);
}

static int socket_option(modzmq_socket *socket, int option, void *value,
                         size_t *size)
{
    switch (option) {
    case ZMQ_TCP_ACCEPT_FILTER:
    case ZMQ_IPC_FILTER_UID:
    case ZMQ_IPC_FILTER_GID:
    case ZMQ_IPC_FILTER_PID:
    case ZMQ_BUSY_POLL: /* write-only for applications too (libzmq) */
        return write_only_option(socket, option, value, size);
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
    return mz_socket_ctx(s);
}

static const char *const log_levels[] = {
    [MODZMQ_LOG_ERROR] = "error",
    [MODZMQ_LOG_WARNING] = "warning",
    [MODZMQ_LOG_INFO] = "info",
    [MODZMQ_LOG_DEBUG] = "debug",
};

static enum modzmq_log_level log_threshold = MODZMQ_LOG_WARNING;

static void log_threshold_read(void)
{
    const char *wanted = getenv("MODZMQ_LOG");
    if (wanted == NULL || wanted[0] == '\0')
        return;
    for (size_t i = 0; i < sizeof log_levels / sizeof log_levels[0]; i++) {
        if (strcmp(wanted, log_levels[i]) == 0) {
            log_threshold = (enum modzmq_log_level) i;
            return;
        }
    }
    fprintf(stderr,
            "modzmq: MODZMQ_LOG=\"%s\" is not error, warning, info or "
            "debug: writing warnings and errors\n",
            wanted);
}

bool mz_log_wanted(enum modzmq_log_level level)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, log_threshold_read);
    return level <= log_threshold;
}

/* One fprintf per line: stdio locks the stream for the call, so lines from
 * several threads do not interleave. */
static void log_line(modzmq_core *core, enum modzmq_log_level level,
                     const char *message)
{
    if (message == NULL || !mz_log_wanted(level))
        return;
    const char *name = core != NULL ? core->name : "(unknown plugin)";
    fprintf(stderr, "modzmq: %s: %s\n", name, message);
}

static struct mz_msg *core_msg(modzmq_msg *msg)
{
    return (struct mz_msg *) (void *) msg;
}

static const unsigned sdk_flags = MODZMQ_MSG_MORE | MODZMQ_MSG_COMMAND;

static void *msg_data(modzmq_msg *msg)
{
    return mz_msg_data(core_msg(msg));
}

static size_t msg_size(const modzmq_msg *msg)
{
    return mz_msg_size((const struct mz_msg *) (const void *) msg);
}

/* A new body; the flags stay. */
static int msg_resize(modzmq_msg *msg, size_t size)
{
    struct mz_msg *m = core_msg(msg);
    uint8_t flags = m->flags & (uint8_t) sdk_flags;
    mz_msg_close(m);
    int rc = mz_msg_init_size(m, size);
    m->flags |= flags;
    return rc;
}

static unsigned msg_flags(const modzmq_msg *msg)
{
    return ((const struct mz_msg *) (const void *) msg)->flags & sdk_flags;
}

static void msg_set_flags(modzmq_msg *msg, unsigned flags)
{
    struct mz_msg *m = core_msg(msg);
    m->flags = (uint8_t) ((m->flags & ~sdk_flags) | (flags & sdk_flags));
}

static const struct modzmq_core_services services = {
    .size = sizeof(struct modzmq_core_services),
    .socket_option = socket_option,
    .log = log_line,
    .msg_data = msg_data,
    .msg_size = msg_size,
    .msg_resize = msg_resize,
    .msg_flags = msg_flags,
    .msg_set_flags = msg_set_flags,
    .connection_option = mz_connection_option,
    .metadata_write = mz_connection_metadata_write,
    .metadata_read = mz_connection_metadata_read,
    .zap_request = mz_connection_zap_request,
    .handshake_error = mz_connection_handshake_error,
    /* Reactors and own-engine links. */
    .link_reactor = mz_link_reactor,
    .listener_reactor = mz_link_listener_reactor,
    .watch_add = mz_plugin_watch_add,
    .watch_set = mz_plugin_watch_set,
    .watch_remove = mz_plugin_watch_remove,
    .timer_add = mz_plugin_timer_add,
    .timer_cancel = mz_plugin_timer_cancel,
    .task_post = mz_plugin_task_post,
    .link_accept = mz_link_accept,
    .link_ready = mz_link_ready,
    .link_failed = mz_link_failed,
    .link_pull = mz_link_pull,
    .link_push = mz_link_push,
    .link_zmtp = mz_link_zmtp,
    .publish = mz_event_service_publish,
    .event_wanted = mz_event_service_wanted,
    .subscribe = mz_event_subscribe,
    .unsubscribe = mz_event_unsubscribe,
    .socket_context = socket_context,
    .link_part_group = mz_link_part_group,
    .link_push_group = mz_link_push_group,
};

const struct modzmq_core_services *mz_plugin_services(void)
{
    return &services;
}
