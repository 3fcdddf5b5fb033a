/*
 * Listeners: one per zmq_bind on a network transport. A listener lives in
 * an I/O thread, where its transport (transport.h, of either kind)
 * receives the peers, each of which starts an accepted session.
 */
#ifndef MZ_LISTENER_H
#define MZ_LISTENER_H

#include <stdbool.h>
#include <stdint.h>

#include "transport.h"

struct mz_listener;
struct mz_socket;
struct mz_reactor;
struct mz_session;

/* zmq_bind: the endpoint's transport listens on an I/O thread while this
 * waits, so that EADDRINUSE and friends reach the caller; accepting goes
 * on there. Socket thread. Takes endpoint in every case. The bound URI
 * (real port after a wildcard) is written into uri_out. NULL with errno. */
struct mz_listener *mz_listener_start(struct mz_socket *s,
                                      struct mz_net_endpoint *endpoint,
                                      char *uri_out, size_t uri_size);
/* zmq_unbind or zmq_close: stops accepting, closes the listening fd and
 * the connections still in their handshake, and frees the listener. Waits
 * until the I/O thread has done it, so that no new pipe reaches the socket
 * afterwards. Socket thread. */
void mz_listener_stop(struct mz_listener *listener);

/* For accepted sessions (listener thread). */
struct mz_reactor *mz_listener_reactor(struct mz_listener *listener);
struct mz_socket *mz_listener_socket(struct mz_listener *listener);
const struct mz_net_endpoint *
mz_listener_endpoint(const struct mz_listener *listener);
/* An event about the bound endpoint (ZMQ_EVENT_ACCEPT_FAILED, ...). */
void mz_listener_event(struct mz_listener *listener, uint64_t id,
                       uint64_t value);
/* The tag of the pipes of the peers this listener accepted (never 0). */
uint64_t mz_listener_id(const struct mz_listener *listener);
/* The bound URI, as zmq_bind reported it. */
const char *mz_listener_uri(const struct mz_listener *listener);
/* Sessions still handshaking register so that a stop can end them; false
 * when memory runs out (the session must then end). */
bool mz_listener_track(struct mz_listener *listener,
                       struct mz_session *session);
void mz_listener_untrack(struct mz_listener *listener,
                         struct mz_session *session);
/* The session's pipe goes to the socket: false if the listener stopped. */
bool mz_listener_is_stopping(const struct mz_listener *listener);

#endif
