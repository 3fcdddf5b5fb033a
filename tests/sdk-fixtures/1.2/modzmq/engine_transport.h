/*
 * modzmq plugin SDK: transports that bring their own engine.
 *
 * A stream transport (transport.h) hands the core connected fds and the
 * core speaks ZMTP over them. An own-engine transport does its own I/O
 * instead: a datagram or multicast transport (udp, pgm) that frames
 * messages in its own way, or a transport that must talk some protocol of
 * its own before ZMTP (a proxy handshake) and then gives the fd to the
 * core's ZMTP engine. It registers with kind MODZMQ_PLUGIN_ENGINE_TRANSPORT
 * and the ops table below, and does its I/O from the core's I/O threads
 * through the reactor services of plugin.h (watch_add, timer_add,
 * task_post).
 *
 * The core's side of one peer is a link: a handle through which the
 * plugin takes the socket's outgoing message parts and gives it the parts
 * it receives, exactly as the core's ZMTP engine does for a stream
 * connection. The core still runs the socket's side: the pipe to the
 * socket with its high-water marks, ZMQ_IMMEDIATE, ZMQ_LINGER,
 * reconnection with ZMQ_RECONNECT_IVL and its back-off, and termination.
 *
 * Life of an endpoint:
 *
 *   zmq_bind("x://...")      endpoint_parse(bind) -> listen -> endpoint_format
 *                            ... the plugin watches its own fds; for each
 *                            peer it calls services->link_accept, which
 *                            starts a link the way an accepted connection
 *                            starts
 *   zmq_unbind / zmq_close   unlisten -> endpoint_free (links accepted
 *                            earlier live on until they end)
 *
 *   zmq_connect("x://...")   endpoint_parse(connect)
 *                            ... connect(link), and again after the
 *                            reconnect interval whenever it fails or the
 *                            link later fails
 *   zmq_disconnect / close   link_close (after ZMQ_LINGER), endpoint_free
 *
 * Life of a link (connect gives one, link_accept makes one):
 *
 *   services->link_ready     the peer is there (for the plugin's protocol,
 *                            the handshake is over): the core attaches the
 *                            pipe to the socket (with ZMQ_IMMEDIATE and on
 *                            the bind side it is made now), and messages
 *                            flow
 *   services->link_pull      the socket's next outgoing part; when there is
 *                            none, the core calls link_output once more
 *                            are queued
 *   services->link_push      a part received from the peer; when the
 *                            socket's pipe is full, the core calls
 *                            link_input once it has room again
 *   services->link_failed    the peer is gone: a connecting link is made
 *                            again after the reconnect interval, an
 *                            accepted one ends
 *   services->link_zmtp      instead of carrying messages itself, the
 *                            plugin gives a connected stream fd to the
 *                            core's ZMTP engine, which takes the link's
 *                            place (reconnection stays the core's)
 *   link_close               the core is done with the link: the plugin
 *                            frees its state and must not use the link
 *                            handle again
 *
 * Threads, the same rule as for stream transports (transport.h):
 * endpoint_parse runs on the application thread inside zmq_bind or
 * zmq_connect. listen and a bind's endpoint_format run on the I/O thread
 * that the endpoint is given (listener_reactor), while the application
 * thread waits inside zmq_bind for their outcome, so that their errors
 * reach it; unlisten runs there too, and a bind's endpoint_free on the
 * application thread once unlisten has returned. connect, the link_* ops
 * and a connect's endpoint_free run on the link's I/O thread
 * (link_reactor; endpoint_free on the application thread when zmq_connect
 * itself fails). The link
 * services may only be called from that thread, and never after
 * link_close. The core never calls into the plugin from inside one of
 * the plugin's own service calls: link_close and the rest come from the
 * reactor's loop.
 *
 * Socket options: the core applies the HWMs, ZMQ_IMMEDIATE, ZMQ_LINGER,
 * ZMQ_RECONNECT_IVL(_MAX), ZMQ_RECONNECT_STOP (a connect that fails with
 * ECONNREFUSED counts as a refusal) and ZMQ_MAXMSGSIZE (link_push refuses
 * a larger part; the plugin then drops the peer, as ZMTP does). Options
 * about the wire (ZMQ_CONNECT_TIMEOUT, ZMQ_HANDSHAKE_IVL, buffer sizes)
 * are the plugin's to read in endpoint_parse and apply.
 *
 * Errors: -1 with errno, as in transport.h; they reach the application
 * unchanged from zmq_bind and zmq_connect.
 *
 * Not in this version: a way for a one-way transport (pgm) to say that its
 * peer cannot send subscriptions, so that a PUB sends it everything; a
 * transport needing that cannot be written on this SDK yet.
 */
#ifndef MODZMQ_ENGINE_TRANSPORT_H
#define MODZMQ_ENGINE_TRANSPORT_H

#include <stddef.h>

#include "plugin.h"
#include "transport.h"

#ifdef __cplusplus
extern "C" {
#endif

struct modzmq_engine_transport_ops {
    size_t size; /* sizeof (struct modzmq_engine_transport_ops) in the plugin */

    /* As in struct modzmq_transport_ops. */
    int (*endpoint_parse)(modzmq_socket *socket, const char *scheme,
                          const char *address, enum modzmq_endpoint_mode mode,
                          modzmq_endpoint **endpoint);
    void (*endpoint_free)(modzmq_endpoint *endpoint);
    int (*endpoint_format)(modzmq_endpoint *endpoint, char *buffer,
                           size_t size);

    /* Bind: opens what receives the peers (a bound fd, a multicast group)
     * and starts watching it on services->listener_reactor (listener).
     * The listener handle is for link_accept and stays valid until
     * unlisten returns. */
    int (*listen)(modzmq_endpoint *endpoint, modzmq_listener *listener);

    /* Stops watching and closes what listen opened. Links accepted
     * through the listener that are not ready yet are closed by the core
     * right after (link_close); ready ones live on. */
    void (*unlisten)(modzmq_endpoint *endpoint);

    /* Connect: starts reaching the endpoint's peer for link and sets
     * *state (which the link ops then get). 0 when under way: the plugin
     * later calls link_ready or link_failed (from here already, if it
     * knows at once). -1 with errno for a failure known at once, without
     * having called link_failed: the core tries again after the reconnect
     * interval, and link_close is not called. */
    int (*connect)(modzmq_endpoint *endpoint, modzmq_link *link,
                   modzmq_link_state **state);

    /* The socket queued parts after link_pull had found none: pull again. */
    void (*link_output)(modzmq_link_state *state);

    /* The socket's pipe has room again after link_push said EAGAIN. */
    void (*link_input)(modzmq_link_state *state);

    /* The link is over (the socket closed or disconnected and ZMQ_LINGER
     * is done, the link failed, or it went to the ZMTP engine): release
     * state, and any fd not handed to link_zmtp. */
    void (*link_close)(modzmq_link_state *state);
};

/* One message part the socket sends, as link_pull lends it. */
struct modzmq_part {
    const void *data;
    size_t size;
    unsigned flags; /* MODZMQ_MSG_MORE when more parts of it follow */
};

#ifdef __cplusplus
}
#endif

#endif
