/*
 * The socket's own state, private to the files that make up the socket:
 * socket.c, and its counters (socket_counters.c) and monitoring
 * (socket_monitor.c), which walk its pipes and keep its event marks.
 * Everything else reaches a socket through the functions of socket.h, as
 * nng keeps its socket internals to the few files that need them.
 */
#ifndef MZ_SOCKET_INTERNAL_H
#define MZ_SOCKET_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailbox.h"
#include "options.h"
#include "pipe_set.h"
#include "socket.h"

/* An endpoint the socket bound or connected, for unbind/disconnect and
 * ZMQ_LAST_ENDPOINT. Inproc connects remember their pipe. */
struct mz_endpoint {
    char *uri;
    bool bound;
    struct mz_pipe_end *pipe;     /* connects: the pipe to the peer */
    struct mz_listener *listener; /* network binds */
    struct mz_session *session;   /* network connects */
};

struct mz_socket {
    /* First, for socket.h's inline mz_socket_state (checked below). */
    void *state;
    uint32_t tag;
    struct mz_ctx *ctx;
    const struct mz_socket_type *type;
    struct mz_options options;
    struct mz_mailbox mailbox;

    struct mz_pipe_set pipes;   /* every attached end */
    struct mz_pipe_end **ended; /* ends whose input ended, to release */
    unsigned ended_count, ended_capacity;

    struct mz_endpoint *endpoints;
    unsigned endpoint_count, endpoint_capacity;
    char *last_endpoint;

    bool stopped; /* the context is terminating */
    bool rcvmore;

    /* Where its events go (event_bus.h), and whether an observer
     * monitors it (zmq_socket_monitor), to be stopped at close. */
    struct mz_event_source *events;
    bool monitored;

    /* The counters of pipes since detached (modzmq_socket_counters adds
     * those of the pipes still attached): messages and bytes in, out,
     * messages dropped. */
    uint64_t gone_counters[5];
};

_Static_assert(offsetof(struct mz_socket, state) == 0,
               "mz_socket_state reads the socket's first member");

#endif
