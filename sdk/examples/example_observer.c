/*
 * An example modzmq observer plugin, built outside modzmq's source tree
 * with nothing but the installed SDK:
 *
 *     cc -std=gnu11 -fPIC -shared -fvisibility=hidden \
 *        $(pkg-config --cflags modzmq-sdk) \
 *        -o modzmq_eventlog.so example_observer.c
 *
 * (or `make` with the Makefile next to this file). It writes every event
 * of every socket as one JSON line to the file named by the environment
 * variable MODZMQ_EVENT_LOG, for an operator who wants to watch an
 * application without changing it:
 *
 *     MODZMQ_OBSERVERS=eventlog MODZMQ_EVENT_LOG=/tmp/events.jsonl ./app
 *
 * The core loads it at the application's first zmq_ctx_new. A line looks
 * like
 *
 *     {"event":"CONNECTED","id":1,"socket":"0x55d0c0a0","values":[12],
 *      "local":"tcp://127.0.0.1:40312","remote":"tcp://127.0.0.1:5555"}
 *
 * (on one line). Events arrive on the thread where they happen, often an
 * I/O thread, so the callback does no more than format the line and hand
 * it to the kernel in one write(2) to a file opened with O_APPEND: lines
 * from several threads never mix, and nothing waits on a lock of ours.
 */
#include <errno.h>
#include <fcntl.h>
#include <modzmq/observer.h>
#include <modzmq/plugin.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

static const struct modzmq_core_services *services;
static modzmq_subscription *subscription;
static int log_fd = -1;

/* The name of each event, as zmq.h spells it after ZMQ_EVENT_. */
static const struct {
    uint64_t id;
    const char *name;
} event_names[] = {
    { ZMQ_EVENT_CONNECTED, "CONNECTED" },
    { ZMQ_EVENT_CONNECT_DELAYED, "CONNECT_DELAYED" },
    { ZMQ_EVENT_CONNECT_RETRIED, "CONNECT_RETRIED" },
    { ZMQ_EVENT_LISTENING, "LISTENING" },
    { ZMQ_EVENT_BIND_FAILED, "BIND_FAILED" },
    { ZMQ_EVENT_ACCEPTED, "ACCEPTED" },
    { ZMQ_EVENT_ACCEPT_FAILED, "ACCEPT_FAILED" },
    { ZMQ_EVENT_CLOSED, "CLOSED" },
    { ZMQ_EVENT_CLOSE_FAILED, "CLOSE_FAILED" },
    { ZMQ_EVENT_DISCONNECTED, "DISCONNECTED" },
    { ZMQ_EVENT_MONITOR_STOPPED, "MONITOR_STOPPED" },
    { ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, "HANDSHAKE_FAILED_NO_DETAIL" },
    { ZMQ_EVENT_HANDSHAKE_SUCCEEDED, "HANDSHAKE_SUCCEEDED" },
    { ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, "HANDSHAKE_FAILED_PROTOCOL" },
    { ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, "HANDSHAKE_FAILED_AUTH" },
    { 0x10000, "PIPES_STATS" },
    { MODZMQ_EVENT_PIPE_HWM_REACHED, "PIPE_HWM_REACHED" },
    { MODZMQ_EVENT_PIPE_HWM_CLEARED, "PIPE_HWM_CLEARED" },
    { MODZMQ_EVENT_PEER_COUNTERS, "PEER_COUNTERS" },
};

static const char *event_name(uint64_t id)
{
    for (size_t i = 0; i < sizeof event_names / sizeof event_names[0]; i++)
        if (event_names[i].id == id)
            return event_names[i].name;
    return "UNKNOWN";
}

/* A line being built in a fixed buffer; too long a line is cut short
 * but stays one line (the closing brace is always written). */
struct line {
    char text[2048];
    size_t length;
};

static void append(struct line *line, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void append(struct line *line, const char *format, ...)
{
    size_t room = sizeof line->text - 3 - line->length; /* "}\n\0" */
    va_list args;
    va_start(args, format);
    int n = vsnprintf(line->text + line->length, room, format, args);
    va_end(args);
    if (n > 0)
        line->length += (size_t) n < room ? (size_t) n : room - 1;
}

/* A JSON string: quotes, backslashes and control bytes escaped. */
static void append_string(struct line *line, const char *text)
{
    append(line, "\"");
    for (const unsigned char *c = (const unsigned char *) text; *c; c++) {
        if (*c == '"' || *c == '\\')
            append(line, "\\%c", *c);
        else if (*c < 0x20)
            append(line, "\\u%04x", *c);
        else
            append(line, "%c", *c);
    }
    append(line, "\"");
}

static void on_event(void *arg, const struct modzmq_event *event)
{
    (void) arg;
    struct line line = { .length = 0 };
    append(&line,
           "{\"event\":\"%s\",\"id\":%llu,\"socket\":\"%p\",\"values\":[",
           event_name(event->id), (unsigned long long) event->id,
           (void *) event->socket);
    for (size_t i = 0; i < event->value_count; i++)
        append(&line, "%s%llu", i ? "," : "",
               (unsigned long long) event->values[i]);
    append(&line, "],\"local\":");
    append_string(&line, event->local_endpoint);
    append(&line, ",\"remote\":");
    append_string(&line, event->remote_endpoint);
    memcpy(line.text + line.length, "}\n", 2);
    line.length += 2;
    if (write(log_fd, line.text, line.length) < 0) {
        /* Nothing to be done from here; the application goes on. */
    }
}

static int eventlog_init(const struct modzmq_core_services *core_services,
                         modzmq_core *core)
{
    /* subscribe came with ABI 1.1. */
    if (!modzmq_has_service(core_services, offsetof(struct modzmq_core_services,
                                                    unsubscribe))) {
        errno = ENOTSUP;
        return -1;
    }
    services = core_services;
    const char *path = getenv("MODZMQ_EVENT_LOG");
    if (path == NULL || path[0] == '\0') {
        services->log(core, MODZMQ_LOG_ERROR,
                      "MODZMQ_EVENT_LOG names no file to write events to");
        errno = EINVAL;
        return -1;
    }
    log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0)
        return -1;
    /* Every event of every socket. */
    subscription =
        services->subscribe(core, NULL, ~(uint64_t) 0, on_event, NULL);
    if (subscription == NULL) {
        int error = errno;
        close(log_fd);
        log_fd = -1;
        errno = error;
        return -1;
    }
    return 0;
}

static void eventlog_fini(void)
{
    services->unsubscribe(subscription);
    close(log_fd);
}

static const struct modzmq_observer_ops eventlog_ops = {
    .size = sizeof(struct modzmq_observer_ops),
};

static const char *const eventlog_serves[] = { "eventlog", NULL };

static const struct modzmq_plugin eventlog_plugin = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "eventlog",
    .kind = MODZMQ_PLUGIN_OBSERVER,
    .serves = eventlog_serves,
    .ops = &eventlog_ops,
    .init = eventlog_init,
    .fini = eventlog_fini,
};

MODZMQ_PLUGIN_ENTRY
{
    return &eventlog_plugin;
}
