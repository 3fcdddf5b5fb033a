/*
 * modzmq plugin SDK: stream transports.
 *
 * A stream transport turns an address into connected file descriptors;
 * the core does the rest. It runs ZMTP over each fd with its own engine,
 * owns the fds' event loop (an epoll reactor in its I/O threads), and
 * handles reconnection, back-off, linger and termination. So a transport
 * is a handful of system calls: parse and resolve, listen, accept,
 * connect, and print an endpoint.
 *
 * Life of an endpoint:
 *
 *   zmq_bind("tcp://...")     endpoint_parse(bind) -> listen -> endpoint_format
 *                             ... accept, many times, as the fd is readable
 *                             (then stream_open on each fd, if present)
 *   zmq_unbind / zmq_close    unlisten -> endpoint_free
 *
 *   zmq_connect("tcp://...")  endpoint_parse(connect)
 *                             ... connect_start, then connect_finish once
 *                             the fd is writable (then connect_handshake
 *                             and stream_open, if present); again after a
 *                             reconnect interval whenever one fails or the
 *                             connection later drops
 *   zmq_disconnect / close    endpoint_free
 *
 * Threads, the same rule for both kinds of transport (engine_transport.h):
 * endpoint_parse runs on the application thread inside zmq_bind or
 * zmq_connect. listen and a bind's endpoint_format run on the I/O thread
 * that will serve the endpoint, while the application thread waits inside
 * zmq_bind for their outcome (so that their errors reach it); accept and
 * unlisten run on that thread too, and a bind's endpoint_free on the
 * application thread once unlisten has returned. connect_start,
 * connect_finish, connect_handshake, stream_open, peer_address and a
 * connect's endpoint_free run on the I/O thread of the connect
 * (endpoint_free on the application thread when zmq_connect itself
 * fails). The core never
 * calls two ops on the same endpoint at once. A plugin that reads
 * socket options does so in endpoint_parse and keeps what it needs in its
 * endpoint: options set after zmq_bind or zmq_connect do not affect that
 * endpoint, as in libzmq.
 *
 * Errors: -1 with errno, using the values libzmq uses for the same
 * condition (EINVAL for a malformed address, EADDRINUSE,
 * EADDRNOTAVAIL, ENODEV, ECONNREFUSED, ...). They reach the application
 * unchanged from zmq_bind and zmq_connect.
 *
 * Every fd handed to the core is non-blocking and close-on-exec; the core
 * closes connection fds itself, while a listening fd is given back through
 * unlisten.
 *
 * A transport whose bytes are not ZMTP's as they are (TLS, WebSocket
 * framing) wraps each connected fd in a byte stream (stream_open and
 * stream.h): the core's engine runs ZMTP through it. A transport that does
 * not fit this shape (datagrams, multicast, or a protocol of its own
 * beside ZMTP) brings its own engine instead: see engine_transport.h.
 */
#ifndef MODZMQ_TRANSPORT_H
#define MODZMQ_TRANSPORT_H

#include <stddef.h>

#include "plugin.h"
#include "stream.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The plugin's parsed (and, for bind, resolved) address. */
typedef struct modzmq_endpoint modzmq_endpoint;

enum modzmq_endpoint_mode {
    MODZMQ_ENDPOINT_BIND = 1,
    MODZMQ_ENDPOINT_CONNECT = 2
};

struct modzmq_transport_ops {
    size_t size; /* sizeof (struct modzmq_transport_ops) in the plugin */

    /* Checks address (what follows "scheme://") and keeps what the
     * endpoint needs, including the socket options it will apply. A bind
     * address is resolved now (a wildcard port stays a wildcard until
     * listen); a connect address need only be well formed, since it is
     * resolved by each connect_start. */
    int (*endpoint_parse)(modzmq_socket *socket, const char *scheme,
                          const char *address, enum modzmq_endpoint_mode mode,
                          modzmq_endpoint **endpoint);

    /* Releases an endpoint (closing nothing the core was handed). */
    void (*endpoint_free)(modzmq_endpoint *endpoint);

    /* Bind: opens the listening fd. */
    int (*listen)(modzmq_endpoint *endpoint, int *listen_fd);

    /* Writes the endpoint as zmq_getsockopt(ZMQ_LAST_ENDPOINT) and
     * zmq_unbind spell it, with the real port after a wildcard bind
     * ("tcp://127.0.0.1:41234"). Returns the length written, or -1 with
     * errno ENOSPC when size is too small. */
    int (*endpoint_format)(modzmq_endpoint *endpoint, char *buffer,
                           size_t size);

    /* Accepts one pending connection, applying the endpoint's connection
     * options and filters. 0 with *fd, or -1: EAGAIN when nothing is
     * pending, another errno when one connection was refused or failed
     * (the core carries on listening either way). */
    int (*accept)(modzmq_endpoint *endpoint, int listen_fd, int *fd);

    /* Closes the listening fd and removes anything listen created (an ipc
     * socket file). */
    void (*unlisten)(modzmq_endpoint *endpoint, int listen_fd);

    /* Connect: resolves the address and starts a non-blocking connect.
     * 0 with *fd once started (the core waits for the fd to become
     * writable, then calls connect_finish), or -1 for a failure known at
     * once (the core retries after the reconnect interval). A connect
     * still in progress leaves errno EINPROGRESS, as connect(2) does; the
     * core then publishes ZMQ_EVENT_CONNECT_DELAYED, as libzmq does. */
    int (*connect_start)(modzmq_endpoint *endpoint, int *fd);

    /* Completes a connect the fd reported writable for: 0 when connected
     * (connection options applied), -1 with the reason (ECONNREFUSED,
     * ETIMEDOUT, ...). The core closes a failed fd. */
    int (*connect_finish)(modzmq_endpoint *endpoint, int fd);

    /* Optional (NULL: the property is left out on every connection). The
     * peer's address of a connected fd, as the "Peer-Address" metadata
     * property gives it ("127.0.0.1" for tcp). Returns the length
     * written, or -1 (the property is then left out). */
    int (*peer_address)(modzmq_endpoint *endpoint, int fd, char *buffer,
                        size_t size);

    /* ---- since ABI 1.2, optional (NULL, or a 1.0 or 1.1 table: none) - */

    /* A protocol the transport speaks on a connected fd before ZMTP (the
     * tcp plugin's SOCKS5 proxy exchange). Called after connect_finish
     * succeeded, then again each time the fd is ready the way *wants said
     * (MODZMQ_WANT_READ, MODZMQ_WANT_WRITE): 1 when the fd is ready for
     * ZMTP, 0 with *wants to be called again, -1 with errno when it
     * failed (the core closes the fd and tries again after the reconnect
     * interval, as libzmq does for a SOCKS failure). The core bounds the
     * exchange by ZMQ_HANDSHAKE_IVL and publishes ZMQ_EVENT_CONNECTED
     * once it is over. */
    int (*connect_handshake)(modzmq_endpoint *endpoint, int fd,
                             unsigned *wants);

    /* Wraps a connected fd in a byte stream (stream.h) that the core's
     * ZMTP engine reads and writes instead of the fd: TLS, WebSocket
     * framing. Called for every connection the engine is to run on:
     * after connect_finish (and connect_handshake, when there is one)
     * on the connecting side, after accept on the bound side; the
     * endpoint says which side this is. 0 with *ops and *stream set, or
     * -1 with errno (the core closes the fd; a connecting socket tries
     * again after the reconnect interval). The fd stays the core's, to
     * watch and, after the stream's close, to close. An I/O thread calls
     * it. The stream must not keep the endpoint: an accepted connection
     * may outlive its listener. ZMQ_STREAM sockets
     * do not run over streams: on such a transport the core closes their
     * connections as they are made, without calling stream_open. */
    int (*stream_open)(modzmq_endpoint *endpoint, int fd,
                       const struct modzmq_stream_ops **ops,
                       modzmq_stream **stream);
};

/* What connect_handshake waits for. */
enum { MODZMQ_WANT_READ = 1, MODZMQ_WANT_WRITE = 2 };

#ifdef __cplusplus
}
#endif

#endif
