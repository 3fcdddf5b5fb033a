/*
 * The event bus: what happens to sockets (connects, accepts, handshakes,
 * closes...) goes from where it happens to the observers that subscribed
 * (see sdk/modzmq/observer.h for the contract plugins see).
 *
 * Each socket has an event source, a small reference-counted object that
 * outlives the socket as long as a listener, a session or a subscription
 * still points at it. Its atomic mask is the union of the masks of every
 * subscription that covers the socket, so that a publisher with nobody
 * listening pays one relaxed atomic load. When the socket closes, its
 * source is cut off: the mask drops to zero and events published later
 * (by a lingering session) go nowhere.
 *
 * Observers' callbacks run outside the bus lock, on the publisher's
 * thread; a callback in progress holds its subscription, which
 * unsubscribe waits for.
 */
#ifndef MZ_EVENT_BUS_H
#define MZ_EVENT_BUS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <modzmq/observer.h>

struct mz_socket;

struct mz_event_source {
    _Atomic uint64_t wanted; /* ids some subscriber wants */
    atomic_uint refs;
    struct mz_socket *socket; /* NULL once the socket closed; bus lock */
};

/* A source for a new socket, covered by the subscriptions to all sockets
 * made so far. NULL with ENOMEM. */
struct mz_event_source *mz_event_source_new(struct mz_socket *socket);
void mz_event_source_ref(struct mz_event_source *source);
void mz_event_source_unref(struct mz_event_source *source);
/* The socket is closing: nothing it publishes from now on is delivered.
 * Drops the socket's reference. */
void mz_event_source_close(struct mz_event_source *source);

static inline bool mz_event_wanted(const struct mz_event_source *source,
                                   uint64_t id)
{
    return (atomic_load_explicit(&source->wanted, memory_order_relaxed) & id) !=
           0;
}

/* Delivers an event to the subscribers that want it. bound: the event is
 * about an endpoint the socket bound (see struct modzmq_event). local and
 * remote may be NULL for "". Any thread. */
void mz_event_publish(struct mz_event_source *source, uint64_t id,
                      const uint64_t *values, size_t value_count, bool bound,
                      const char *local, const char *remote);

/* The same for one value, the common case. */
void mz_event_publish_value(struct mz_event_source *source, uint64_t id,
                            uint64_t value, bool bound, const char *local,
                            const char *remote);

/* The services of plugin.h (publish, event_wanted, subscribe,
 * unsubscribe). */
void mz_event_service_publish(const struct modzmq_event *event);
int mz_event_service_wanted(modzmq_socket *socket, uint64_t id);
modzmq_subscription *mz_event_subscribe(modzmq_core *core,
                                        modzmq_socket *socket, uint64_t mask,
                                        modzmq_event_fn fn, void *arg);
void mz_event_unsubscribe(modzmq_subscription *subscription);

#endif
