/*
 * The routing core of ZMQ_ROUTER, shared with ZMQ_REP.
 *
 * As in libzmq, a REP socket is a ROUTER with a request/reply state machine
 * on top: it routes replies by the envelope it saved, and it accepts the
 * ROUTER options too. router.c implements ZMQ_ROUTER on these functions;
 * rep.c embeds a struct mz_router and adds the state machine.
 *
 * Every pipe is known by its peer's routing id. A pipe whose id has not
 * arrived yet waits aside ("anonymous") until a read activation brings it;
 * an empty id is replaced by a generated one (a zero byte and a 32-bit
 * big-endian counter). A second peer claiming an id in use is ignored, or
 * with ZMQ_ROUTER_HANDOVER takes the id over from the first.
 */
#ifndef MZ_ROUTER_H
#define MZ_ROUTER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "routing.h"
#include "socket.h"

struct mz_router {
    struct mz_socket *socket;
    struct mz_fair_queue fq;      /* identified pipes */
    struct mz_pipe_set anonymous; /* pipes whose peer id has not arrived */
    GHashTable *peers;            /* routing id -> struct mz_router_peer */
    uint32_t next_generated_id;

    /* Receiving: the first part of a message waits here while its routing
     * id frame is returned. */
    struct mz_msg prefetched;
    bool has_prefetched;
    bool more_in;                   /* inside a message, after its id */
    struct mz_pipe_end *current_in; /* its pipe */
    bool terminate_current_in;      /* handed over: close after this message */

    /* Sending. */
    bool more_out;                   /* the routing id part has been seen */
    struct mz_pipe_end *current_out; /* NULL: the rest is dropped */

    /* ROUTER options. */
    bool mandatory;
    bool handover;
    bool raw;
};

void mz_router_init(struct mz_router *r, struct mz_socket *s);
void mz_router_fini(struct mz_router *r);
bool mz_router_attach(struct mz_router *r, struct mz_pipe_end *end);
void mz_router_detach(struct mz_router *r, struct mz_pipe_end *end);
void mz_router_read_activated(struct mz_router *r, struct mz_pipe_end *end);
/* Sends one part: the first part of a message names the peer (unknown
 * or full peer: EHOSTUNREACH / EAGAIN when mandatory, else dropped). */
int mz_router_send(struct mz_router *r, struct mz_msg *m, bool mandatory);
/* Sends one part as ZMQ_ROUTER does (the first part of a message names the
 * peer and is consumed), always taking it: an unknown or full peer makes
 * the message be dropped whatever ROUTER_MANDATORY says. REP's replies. */
void mz_router_relay(struct mz_router *r, struct mz_msg *m);
/* Drops the message being sent (its parts already written included). */
void mz_router_rollback(struct mz_router *r);
/* Receives the routing id frame, then the message's parts. */
int mz_router_recv(struct mz_router *r, struct mz_msg *m);
bool mz_router_can_send(struct mz_router *r);
bool mz_router_can_recv(struct mz_router *r);
/* The routing id end's peer is known by (its size in *size), or NULL
 * while it is not identified. */
const void *mz_router_id_of(const struct mz_pipe_end *end, size_t *size);
/* The ROUTER options: 0, -1 EINVAL, or MZ_OPTION_NOT_MINE. */
int mz_router_setopt(struct mz_router *r, int option, const void *value,
                     size_t size);

#endif
