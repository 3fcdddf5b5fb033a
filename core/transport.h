/*
 * Network transports as the core sees them: one interface for both kinds
 * of transport plugin, so that the socket, the listener, the dialer and
 * the session never ask which kind they hold.
 *
 * A plugin is a stream transport (sdk/modzmq/transport.h: it hands the
 * core connected fds, transport_stream.c) or an own-engine transport
 * (sdk/modzmq/engine_transport.h: it does its own I/O through links,
 * transport_link.c). Each kind adapts its plugin's table to struct
 * mz_transport_kind below. What the socket keeps for one bind or connect
 * is a struct mz_net_endpoint: the plugin's endpoint with the kind and
 * table that parsed it.
 *
 * Threads, the same for both kinds (sdk/GUIDE.md, section 4): parse runs
 * on the application thread inside zmq_bind or zmq_connect; listen,
 * endpoint_format (of a bind), unlisten and connect run on the I/O thread
 * that serves the endpoint, the bind's while the application thread waits
 * for the outcome; a bind's endpoint_free runs on the application thread
 * once the listener has stopped, a connect's on its dialer's I/O thread.
 */
#ifndef MZ_TRANSPORT_H
#define MZ_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <modzmq/engine_transport.h>

struct mz_byte_stream;
struct mz_dialer;
struct mz_listener;
struct mz_socket;
struct mz_transport_kind;

/* A bound or connected endpoint. Both kinds of table free and format an
 * endpoint with the same ops, which it keeps. */
struct mz_net_endpoint {
    const struct mz_transport_kind *kind;
    const void *plugin;        /* the plugin's table, of that kind */
    modzmq_endpoint *endpoint; /* the plugin's parsed address */
    void (*endpoint_free)(modzmq_endpoint *endpoint);
    int (*endpoint_format)(modzmq_endpoint *endpoint, char *buffer,
                           size_t size);
};

/* What differs between the kinds. */
struct mz_transport_kind {
    /* Starts receiving the peers of listener's endpoint; each becomes an
     * accepted session. *state is the kind's, for unlisten; *event_fd the
     * fd that ZMQ_EVENT_LISTENING and ZMQ_EVENT_CLOSED name, or -1 when
     * the kind publishes no listener events. -1 with errno. */
    int (*listen)(struct mz_listener *listener, void **state, int *event_fd);
    /* Stops receiving peers and frees state. */
    void (*unlisten)(struct mz_listener *listener, void *state);
    /* One attempt to reach dialer's peer: 0 when under way (the kind then
     * reports to the dialer, see dialer.h) with *attempt for cancel (NULL
     * when there is nothing to cancel), or -1 with errno for a failure
     * known at once (ECONNREFUSED counts as a refusal for
     * ZMQ_RECONNECT_STOP_CONN_REFUSED). */
    int (*connect)(struct mz_dialer *dialer, void **attempt);
    /* Abandons an attempt still under way (the dialer is stopping); NULL
     * for a kind whose connect leaves nothing under way. */
    void (*cancel)(void *attempt);
    /* The "Peer-Address" property of a connected fd it handed to
     * mz_session_connection; -1 for none. NULL for a kind that hands no
     * fd there. */
    int (*peer_address)(const struct mz_net_endpoint *endpoint, int fd,
                        char *buffer, size_t size);
    /* The byte stream the engine runs on over such an fd: the plugin's
     * (its stream_open, SDK 1.2) or the fd itself. bare: the caller needs
     * the fd itself (the raw engine of ZMQ_STREAM), so a transport that
     * wraps its connections is refused (EPROTONOSUPPORT). -1 with errno,
     * the fd left open. NULL for a kind that hands no fd there. */
    int (*open_stream)(const struct mz_net_endpoint *endpoint, int fd,
                       bool bare, struct mz_byte_stream *stream);
    /* Whether the peer can send commands the socket reads (a DISH's JOIN
     * and LEAVE over ZMTP); a link carries data parts only, so a RADIO
     * sends it every group (mz_pipe_end.all_groups). */
    bool carries_commands;
};

/* Finds the transport serving scheme (loading its plugin) and parses
 * address with it into *out. Application thread. -1 with errno
 * (EPROTONOSUPPORT: no plugin serves scheme). */
int mz_net_endpoint_parse(struct mz_socket *s, const char *scheme,
                          const char *address, enum modzmq_endpoint_mode mode,
                          struct mz_net_endpoint *out);
void mz_net_endpoint_free(struct mz_net_endpoint *endpoint);
int mz_net_endpoint_format(const struct mz_net_endpoint *endpoint, char *buffer,
                           size_t size);

/* The two kinds. */
extern const struct mz_transport_kind mz_stream_transport;
extern const struct mz_transport_kind mz_link_transport;

/* A transport's own options (ZMQ_NORM_*) may be set or read only when a
 * plugin serves that transport, as libzmq built without it refuses them:
 * 0, or -1 with EINVAL. Other options pass. Loads the plugin quietly on
 * first use. */
int mz_transport_option_check(int option);

#endif
