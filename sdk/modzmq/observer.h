/*
 * modzmq plugin SDK: observers, the subscribers of the core's event bus.
 *
 * The core publishes what happens to its sockets as events: every event
 * zmq_socket_monitor_versioned knows (ZMQ_EVENT_CONNECTED and the rest,
 * values as libzmq gives them) and the events modzmq adds (below). An
 * observer subscribes with services->subscribe, for one socket or for
 * all, with a mask of the events it wants; from then on the core calls its
 * on_event for each matching event, on the thread where the event happened
 * (an I/O thread, or the application's thread inside a zmq call). With no
 * subscriber an event costs the publisher one atomic load.
 *
 * on_event must be quick and must not block or call into the socket the
 * event is about; an observer that needs to do more (send the event on a
 * zmq socket, write a file) copies what it needs and hands it to a thread
 * of its own, or uses a socket of its own that is safe to use from there.
 *
 * Observers are loaded three ways: by name through modzmq_plugin_load(), by
 * the core when the application calls zmq_socket_monitor (the observer
 * that provides socket_monitor, the "monitor" plugin), and at the first
 * zmq_ctx_new for each name in the MODZMQ_OBSERVERS environment variable
 * (comma-separated), so an operator can watch an application without
 * changing it.
 */
#ifndef MODZMQ_OBSERVER_H
#define MODZMQ_OBSERVER_H

#include <stddef.h>
#include <stdint.h>

#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Events libzmq never had. Their bits lie above the 32 bits libzmq uses,
 * so they never collide with a ZMQ_EVENT_* value. */

/* A pipe to or from a peer reached its high-water mark: values[0] is 1
 * for the outbound direction, 0 for inbound; values[1] the HWM. */
#define MODZMQ_EVENT_PIPE_HWM_REACHED 0x100000000ULL
/* That pipe has room again: values as for MODZMQ_EVENT_PIPE_HWM_REACHED. */
#define MODZMQ_EVENT_PIPE_HWM_CLEARED 0x200000000ULL
/* Counters of one peer connection, published when modzmq_socket_counters
 * is asked to publish them and when the connection ends: values are
 * messages in, bytes in, messages out, bytes out, messages dropped. */
#define MODZMQ_EVENT_PEER_COUNTERS 0x400000000ULL
/* Since ABI 1.3: a socket's counters, published on the socket's thread
 * when an observer's services->counters_request reached it (when its
 * application next called it): values are messages in, bytes in,
 * messages out, bytes out, messages dropped (the sums of
 * modzmq_socket_counters), the socket's ZMQ_TYPE, and the number of
 * attached peers; local_endpoint the endpoints it bound, remote_endpoint
 * those it connected, each list space separated. Right after it, on the
 * same thread, come that many MODZMQ_EVENT_PEER_COUNTERS, one per peer
 * (to a subscriber that wants them). */
#define MODZMQ_EVENT_SOCKET_COUNTERS 0x800000000ULL

/* Every value an event carries fits here (PIPES_STATS has 2,
 * MODZMQ_EVENT_PEER_COUNTERS 5, MODZMQ_EVENT_SOCKET_COUNTERS 7). */
#define MODZMQ_EVENT_VALUES_MAX 8

struct modzmq_event {
    size_t size;           /* sizeof (struct modzmq_event) in the core */
    uint64_t id;           /* one ZMQ_EVENT_* or MODZMQ_EVENT_* bit */
    modzmq_socket *socket; /* the socket it happened to */
    size_t value_count;
    uint64_t values[MODZMQ_EVENT_VALUES_MAX];
    /* Never NULL; "" when the event has none. Valid during on_event
     * only. */
    const char *local_endpoint;
    const char *remote_endpoint;
    /* 1 when the event is about an endpoint the socket bound (a listener,
     * an accepted connection), 0 when about one it connected, or neither:
     * zmq_socket_monitor's single endpoint frame is local_endpoint in the
     * first case and remote_endpoint in the second, as in libzmq. */
    int bound;
};

/* A subscription (modzmq_subscription, from services->subscribe) calls
 * its modzmq_event_fn (plugin.h) with the arg the observer gave and each
 * event its mask selects. */

/* Publishes an event with one value about an endpoint the socket bound
 * (local is the endpoint as zmq_getsockopt ZMQ_LAST_ENDPOINT spells it):
 * for the events only a transport sees, such as ZMQ_EVENT_CLOSE_FAILED
 * when its listening fd does not close. Costs one lookup under a short
 * lock when nobody subscribes; does nothing with a core older than ABI
 * 1.1. */
static inline void
modzmq_publish_bound(const struct modzmq_core_services *services,
                     modzmq_socket *socket, uint64_t id, uint64_t value,
                     const char *local)
{
    if (!modzmq_has_service(
            services, offsetof(struct modzmq_core_services, event_wanted)) ||
        !services->event_wanted(socket, id))
        return;
    struct modzmq_event event = { .size = sizeof event,
                                  .id = id,
                                  .socket = socket,
                                  .value_count = 1,
                                  .values = { value },
                                  .local_endpoint = local,
                                  .remote_endpoint = "",
                                  .bound = 1 };
    services->publish(&event);
}

struct modzmq_observer_ops {
    size_t size; /* sizeof (struct modzmq_observer_ops) in the plugin */

    /* Optional: serves zmq_socket_monitor_versioned (and zmq_socket_monitor
     * as version 1) for socket. endpoint NULL stops monitoring; the core
     * also calls it so (events 0, event_version 0) when a monitored socket
     * closes, after the socket's last event, so that the observer sends
     * MONITOR_STOPPED and closes what it made. Returns 0, or -1 with the
     * errno zmq_socket_monitor_versioned returns. Runs on the
     * application's thread. */
    int (*socket_monitor)(modzmq_core *core, modzmq_socket *socket,
                          const char *endpoint, uint64_t events,
                          int event_version, int type);
};

#ifdef __cplusplus
}
#endif

#endif
