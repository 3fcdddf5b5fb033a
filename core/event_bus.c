/*
 * The event bus; see event_bus.h.
 *
 * One mutex guards the table of sources and the list of subscriptions:
 * both change only when a socket opens or closes or an observer
 * subscribes, and publishing takes it only when someone wants the event.
 * The table, keyed by socket, is also how a plugin's socket handle finds
 * its source: under the lock, so that a plugin on any thread never reads
 * the fields of a socket that another thread is closing.
 * A publish copies the matching subscriptions out under the lock, marks
 * each as running, and calls them after letting go, so that a callback
 * may itself publish (its socket's events) or take other locks without
 * deadlocking against the bus.
 */
#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <stdlib.h>

#include "event_bus.h"

struct modzmq_subscription {
    struct mz_event_source *source; /* NULL: every socket */
    uint64_t mask;
    modzmq_event_fn fn;
    void *arg;
    unsigned running; /* callbacks in progress; bus lock */
    bool ended;       /* unsubscribe began */
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t idle; /* some callback finished */
    GHashTable *sources; /* live sockets' sources, by socket */
    GPtrArray *subscriptions;
    uint64_t everywhere; /* union of the masks of subscriptions to all */
} bus = { .lock = PTHREAD_MUTEX_INITIALIZER, .idle = PTHREAD_COND_INITIALIZER };

static void bus_prepare(void)
{
    if (bus.sources != NULL)
        return;
    bus.sources = g_hash_table_new(g_direct_hash, g_direct_equal);
    bus.subscriptions = g_ptr_array_new();
}

/* The mask a source needs now; bus lock. */
static uint64_t mask_of(const struct mz_event_source *source)
{
    uint64_t mask = bus.everywhere;
    for (guint i = 0; i < bus.subscriptions->len; i++) {
        const struct modzmq_subscription *sub =
            g_ptr_array_index(bus.subscriptions, i);
        if (sub->source == source)
            mask |= sub->mask;
    }
    return mask;
}

/* After a subscription came or went; bus lock. */
static void update_masks(struct mz_event_source *only)
{
    uint64_t everywhere = 0;
    for (guint i = 0; i < bus.subscriptions->len; i++) {
        const struct modzmq_subscription *sub =
            g_ptr_array_index(bus.subscriptions, i);
        if (sub->source == NULL)
            everywhere |= sub->mask;
    }
    bus.everywhere = everywhere;
    if (only != NULL) {
        /* A closed socket's source stays at zero. */
        if (only->socket != NULL)
            atomic_store_explicit(&only->wanted, mask_of(only),
                                  memory_order_relaxed);
        return;
    }
    GHashTableIter iter;
    gpointer source;
    g_hash_table_iter_init(&iter, bus.sources);
    while (g_hash_table_iter_next(&iter, NULL, &source))
        atomic_store_explicit(&((struct mz_event_source *) source)->wanted,
                              mask_of(source), memory_order_relaxed);
}

struct mz_event_source *mz_event_source_new(struct mz_socket *socket)
{
    struct mz_event_source *source = calloc(1, sizeof *source);
    if (source == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    atomic_init(&source->refs, 1);
    source->socket = socket;
    pthread_mutex_lock(&bus.lock);
    bus_prepare();
    g_hash_table_insert(bus.sources, socket, source);
    atomic_init(&source->wanted, bus.everywhere);
    pthread_mutex_unlock(&bus.lock);
    return source;
}

void mz_event_source_ref(struct mz_event_source *source)
{
    atomic_fetch_add_explicit(&source->refs, 1, memory_order_relaxed);
}

void mz_event_source_unref(struct mz_event_source *source)
{
    if (source != NULL &&
        atomic_fetch_sub_explicit(&source->refs, 1, memory_order_acq_rel) == 1)
        free(source);
}

void mz_event_source_close(struct mz_event_source *source)
{
    pthread_mutex_lock(&bus.lock);
    g_hash_table_remove(bus.sources, source->socket);
    source->socket = NULL;
    atomic_store_explicit(&source->wanted, 0, memory_order_relaxed);
    pthread_mutex_unlock(&bus.lock);
    mz_event_source_unref(source);
}

/* Up to this many subscribers hear one event without an allocation. */
enum { LISTENERS_ON_STACK = 8 };

void mz_event_publish(struct mz_event_source *source, uint64_t id,
                      const uint64_t *values, size_t value_count, bool bound,
                      const char *local, const char *remote)
{
    if (source == NULL || !mz_event_wanted(source, id))
        return;
    struct modzmq_event event = {
        .size = sizeof event,
        .id = id,
        .value_count = value_count < MODZMQ_EVENT_VALUES_MAX
                           ? value_count
                           : MODZMQ_EVENT_VALUES_MAX,
        .local_endpoint = local != NULL ? local : "",
        .remote_endpoint = remote != NULL ? remote : "",
        .bound = bound ? 1 : 0,
    };
    for (size_t i = 0; i < event.value_count; i++)
        event.values[i] = values[i];

    struct modzmq_subscription *stack[LISTENERS_ON_STACK];
    struct modzmq_subscription **listeners = stack;
    size_t count = 0;
    pthread_mutex_lock(&bus.lock);
    event.socket = (modzmq_socket *) source->socket;
    if (event.socket == NULL) {
        pthread_mutex_unlock(&bus.lock);
        return;
    }
    if (bus.subscriptions->len > LISTENERS_ON_STACK)
        listeners = g_new(struct modzmq_subscription *, bus.subscriptions->len);
    for (guint i = 0; i < bus.subscriptions->len; i++) {
        struct modzmq_subscription *sub =
            g_ptr_array_index(bus.subscriptions, i);
        if ((sub->source == NULL || sub->source == source) &&
            (sub->mask & id) != 0 && !sub->ended) {
            sub->running++;
            listeners[count++] = sub;
        }
    }
    pthread_mutex_unlock(&bus.lock);

    for (size_t i = 0; i < count; i++)
        listeners[i]->fn(listeners[i]->arg, &event);

    pthread_mutex_lock(&bus.lock);
    for (size_t i = 0; i < count; i++)
        listeners[i]->running--;
    pthread_cond_broadcast(&bus.idle);
    pthread_mutex_unlock(&bus.lock);
    if (listeners != stack)
        g_free(listeners);
}

void mz_event_publish_value(struct mz_event_source *source, uint64_t id,
                            uint64_t value, bool bound, const char *local,
                            const char *remote)
{
    mz_event_publish(source, id, &value, 1, bound, local, remote);
}

/* A plugin's socket handle is the application's: its source, if it is
 * still open, with a reference for the caller. Looked up in the table
 * rather than read from the socket, which its own thread may be closing
 * (and a closed socket's shell may be reused). */
static struct mz_event_source *source_of(modzmq_socket *socket)
{
    pthread_mutex_lock(&bus.lock);
    struct mz_event_source *source =
        bus.sources != NULL ? g_hash_table_lookup(bus.sources, socket) : NULL;
    if (source != NULL)
        mz_event_source_ref(source);
    pthread_mutex_unlock(&bus.lock);
    return source;
}

void mz_event_service_publish(const struct modzmq_event *event)
{
    if (event == NULL ||
        event->size < sizeof(struct modzmq_event) - sizeof event->bound)
        return;
    struct mz_event_source *source = source_of(event->socket);
    if (source == NULL)
        return;
    int bound = event->size >= sizeof(struct modzmq_event) ? event->bound : 0;
    mz_event_publish(source, event->id, event->values, event->value_count,
                     bound != 0, event->local_endpoint, event->remote_endpoint);
    mz_event_source_unref(source);
}

int mz_event_service_wanted(modzmq_socket *socket, uint64_t id)
{
    struct mz_event_source *source = source_of(socket);
    int wanted = source != NULL && mz_event_wanted(source, id);
    mz_event_source_unref(source);
    return wanted;
}

modzmq_subscription *mz_event_subscribe(modzmq_core *core,
                                        modzmq_socket *socket, uint64_t mask,
                                        modzmq_event_fn fn, void *arg)
{
    (void) core;
    struct mz_event_source *source = NULL;
    if (socket != NULL) {
        source = source_of(socket);
        if (source == NULL) {
            errno = ENOTSOCK;
            return NULL;
        }
    }
    struct modzmq_subscription *sub = NULL;
    if (fn == NULL || mask == 0)
        errno = EINVAL;
    else if ((sub = calloc(1, sizeof *sub)) == NULL)
        errno = ENOMEM;
    if (sub == NULL) {
        mz_event_source_unref(source);
        return NULL;
    }
    sub->mask = mask;
    sub->fn = fn;
    sub->arg = arg;
    sub->source = source; /* source_of's reference */
    pthread_mutex_lock(&bus.lock);
    bus_prepare();
    g_ptr_array_add(bus.subscriptions, sub);
    update_masks(source);
    pthread_mutex_unlock(&bus.lock);
    return sub;
}

void mz_event_unsubscribe(modzmq_subscription *sub)
{
    if (sub == NULL)
        return;
    pthread_mutex_lock(&bus.lock);
    sub->ended = true;
    g_ptr_array_remove(bus.subscriptions, sub);
    update_masks(sub->source);
    while (sub->running > 0)
        pthread_cond_wait(&bus.idle, &bus.lock);
    pthread_mutex_unlock(&bus.lock);
    mz_event_source_unref(sub->source);
    free(sub);
}
