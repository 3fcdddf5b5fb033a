/*
 * The monitor plugin: zmq_socket_monitor and zmq_socket_monitor_versioned
 * as libzmq gives them, built on the core's event bus.
 *
 * Each monitored socket gets a monitor: a socket of the requested type
 * (PAIR, PUB or PUSH) bound to the application's inproc endpoint in the
 * monitored socket's context, and a subscription to the socket's events.
 * Events arrive on whatever thread they happen on (mostly I/O threads),
 * so every use of the monitor's socket is under the monitor's lock, and
 * sends never wait: an event that finds the monitor's queue full, or no
 * reader connected yet, is dropped rather than stall an I/O thread (or
 * deadlock zmq_close, which waits for callbacks in progress). libzmq
 * blocks instead, hanging a zmq_bind whose monitor has no reader yet. When monitoring stops (a NULL
 * endpoint, a new monitor, or the socket closing, which the core tells us
 * as a NULL endpoint) the subscription ends first, then MONITOR_STOPPED
 * is sent and the monitor's socket closes with ZMQ_LINGER 0; what it
 * queued stays readable by the application's reader.
 *
 * Frames, in the byte order of the host as in libzmq:
 *   version 1: [event: 16 bits][value: 32 bits], then the endpoint;
 *   version 2: [event: 64 bits], [value count: 64 bits], each value on
 *   64 bits, the local endpoint, the remote endpoint.
 */
#define MODZMQ_PLUGIN_MODULE modzmq_monitor
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <modzmq/observer.h>
#include <modzmq/plugin.h>
#include <zmq.h>

struct monitor {
    modzmq_socket *socket; /* the monitored one */
    uint64_t events;
    int version;
    modzmq_subscription *subscription;
    pthread_mutex_t lock; /* guards sender */
    void *sender;         /* our socket, bound to the inproc endpoint */
    struct monitor *next;
};

static const struct modzmq_core_services *services;
static modzmq_core *self;

/* The monitors, one per monitored socket. */
static pthread_mutex_t monitors_lock = PTHREAD_MUTEX_INITIALIZER;
static struct monitor *monitors;

static int fail(int error)
{
    errno = error;
    return -1;
}

/* Sends the parts of one event; the first decides whether it goes at all
 * (the others always fit after it). Monitor's lock held. */
static void send_parts(void *sender, const void *const *parts,
                       const size_t *sizes, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        int flags = ZMQ_DONTWAIT | (i + 1 < count ? ZMQ_SNDMORE : 0);
        if (zmq_send(sender, parts[i], sizes[i], flags) < 0 && i == 0)
            return;
    }
}

static void send_v1(struct monitor *m, const struct modzmq_event *event)
{
    uint8_t head[6];
    uint16_t id = (uint16_t) event->id;
    uint32_t value = event->value_count > 0 ? (uint32_t) event->values[0] : 0;
    memcpy(head, &id, sizeof id);
    memcpy(head + 2, &value, sizeof value);
    const char *endpoint =
        event->bound ? event->local_endpoint : event->remote_endpoint;
    const void *parts[2] = { head, endpoint };
    size_t sizes[2] = { sizeof head, strlen(endpoint) };
    send_parts(m->sender, parts, sizes, 2);
}

static void send_v2(struct monitor *m, const struct modzmq_event *event)
{
    uint64_t count = event->value_count;
    const void *parts[4 + MODZMQ_EVENT_VALUES_MAX];
    size_t sizes[4 + MODZMQ_EVENT_VALUES_MAX];
    size_t n = 0;
    parts[n] = &event->id;
    sizes[n++] = sizeof event->id;
    parts[n] = &count;
    sizes[n++] = sizeof count;
    for (size_t i = 0; i < count; i++) {
        parts[n] = &event->values[i];
        sizes[n++] = sizeof event->values[i];
    }
    parts[n] = event->local_endpoint;
    sizes[n++] = strlen(event->local_endpoint);
    parts[n] = event->remote_endpoint;
    sizes[n++] = strlen(event->remote_endpoint);
    send_parts(m->sender, parts, sizes, n);
}

static void send_event(struct monitor *m, const struct modzmq_event *event)
{
    pthread_mutex_lock(&m->lock);
    if (m->sender != NULL) {
        if (m->version == 1)
            send_v1(m, event);
        else
            send_v2(m, event);
    }
    pthread_mutex_unlock(&m->lock);
}

/* The bus's callback, on the thread of the event. */
static void on_event(void *arg, const struct modzmq_event *event)
{
    send_event(arg, event);
}

static void monitor_free(struct monitor *m)
{
    pthread_mutex_destroy(&m->lock);
    free(m);
}

/* Ends m (already out of the list): no more events, then MONITOR_STOPPED
 * if it was asked for, then its socket goes. */
static void monitor_stop(struct monitor *m)
{
    services->unsubscribe(m->subscription);
    if (m->events & ZMQ_EVENT_MONITOR_STOPPED) {
        struct modzmq_event stopped = {
            .size = sizeof stopped,
            .id = ZMQ_EVENT_MONITOR_STOPPED,
            .socket = m->socket,
            .value_count = 1,
            .local_endpoint = "",
            .remote_endpoint = "",
        };
        send_event(m, &stopped);
    }
    pthread_mutex_lock(&m->lock);
    zmq_close(m->sender);
    m->sender = NULL;
    pthread_mutex_unlock(&m->lock);
    monitor_free(m);
}

/* Takes socket's monitor out of the list, if it has one. */
static struct monitor *monitor_take(modzmq_socket *socket)
{
    pthread_mutex_lock(&monitors_lock);
    struct monitor **link = &monitors;
    while (*link != NULL && (*link)->socket != socket)
        link = &(*link)->next;
    struct monitor *m = *link;
    if (m != NULL)
        *link = m->next;
    pthread_mutex_unlock(&monitors_lock);
    return m;
}

/* The checks libzmq makes of an endpoint: malformed is EINVAL, any
 * transport but inproc EPROTONOSUPPORT. */
static int check_endpoint(const char *endpoint)
{
    const char *sep = strstr(endpoint, "://");
    if (sep == NULL || sep == endpoint || sep[3] == '\0')
        return fail(EINVAL);
    if ((size_t) (sep - endpoint) != strlen("inproc") ||
        strncmp(endpoint, "inproc", strlen("inproc")) != 0)
        return fail(EPROTONOSUPPORT);
    return 0;
}

/* The monitor's socket, bound to endpoint; NULL with errno. */
static void *open_sender(modzmq_socket *socket, const char *endpoint, int type)
{
    void *ctx = services->socket_context(socket);
    if (ctx == NULL)
        return NULL;
    void *sender = zmq_socket(ctx, type);
    if (sender == NULL)
        return NULL;
    int linger = 0;
    if (zmq_setsockopt(sender, ZMQ_LINGER, &linger, sizeof linger) < 0 ||
        zmq_bind(sender, endpoint) < 0) {
        int error = errno;
        zmq_close(sender);
        errno = error;
        return NULL;
    }
    return sender;
}

static int socket_monitor(modzmq_core *core, modzmq_socket *socket,
                          const char *endpoint, uint64_t events,
                          int event_version, int type)
{
    (void) core;
    /* Version 1 frames carry 16 bits of event. */
    if (event_version == 1 && (events >> 16) != 0)
        return fail(EINVAL);
    /* The core stops a closing socket's monitor with a NULL endpoint and
     * no version. */
    if (endpoint == NULL) {
        struct monitor *old = monitor_take(socket);
        if (old != NULL)
            monitor_stop(old);
        return 0;
    }
    if (event_version != 1 && event_version != 2)
        return fail(EINVAL);
    if (check_endpoint(endpoint) < 0)
        return -1;
    /* A new monitor replaces the old one, which says it stopped, even if
     * the new one then fails (as in libzmq). */
    struct monitor *old = monitor_take(socket);
    if (old != NULL)
        monitor_stop(old);
    if (type != ZMQ_PAIR && type != ZMQ_PUB && type != ZMQ_PUSH)
        return fail(EINVAL);

    struct monitor *m = calloc(1, sizeof *m);
    if (m == NULL)
        return fail(ENOMEM);
    pthread_mutex_init(&m->lock, NULL);
    m->socket = socket;
    m->events = events;
    m->version = event_version;
    m->sender = open_sender(socket, endpoint, type);
    if (m->sender == NULL) {
        int error = errno;
        monitor_free(m);
        return fail(error);
    }
    /* MONITOR_STOPPED is ours to send; the bus has the rest. */
    uint64_t mask = events & ~(uint64_t) ZMQ_EVENT_MONITOR_STOPPED;
    if (mask != 0) {
        m->subscription = services->subscribe(self, socket, mask, on_event, m);
        if (m->subscription == NULL) {
            int error = errno;
            zmq_close(m->sender);
            monitor_free(m);
            return fail(error);
        }
    }
    pthread_mutex_lock(&monitors_lock);
    m->next = monitors;
    monitors = m;
    pthread_mutex_unlock(&monitors_lock);
    return 0;
}

static int monitor_init(const struct modzmq_core_services *core_services,
                        modzmq_core *core)
{
    /* The services this plugin uses arrived with ABI 1.1. */
    if (!modzmq_has_service(core_services, offsetof(struct modzmq_core_services,
                                                    socket_context)))
        return fail(ENOTSUP);
    services = core_services;
    self = core;
    return 0;
}

static const struct modzmq_observer_ops monitor_ops = {
    .size = sizeof(struct modzmq_observer_ops),
    .socket_monitor = socket_monitor,
};

static const char *const monitor_serves[] = { "socket_monitor", NULL };

static const struct modzmq_plugin monitor_plugin = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "monitor",
    .kind = MODZMQ_PLUGIN_OBSERVER,
    .serves = monitor_serves,
    .ops = &monitor_ops,
    .init = monitor_init,
};

MODZMQ_PLUGIN_ENTRY;

MODZMQ_PLUGIN_ENTRY
{
    return &monitor_plugin;
}
