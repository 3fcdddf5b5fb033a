/*
 * The routing of ZMQ_SERVER (server.c), shared with ZMQ_PEER (peer.c),
 * which routes the same way and only adds zmq_connect_peer: each peer a
 * non-zero 32-bit routing id, EHOSTUNREACH for an id no peer has. The
 * hooks are those of struct mz_socket_type, on a state of struct
 * mz_server_state.
 */
#ifndef MZ_SERVER_H
#define MZ_SERVER_H

#include <glib.h>
#include <stdint.h>

#include "routing.h"
#include "socket.h"

struct mz_server_state {
    struct mz_fair_queue fq;
    GHashTable *peers; /* routing id -> struct mz_pipe_end */
    uint32_t next_id;
    uint32_t last_attached; /* the id of the newest pipe (zmq_connect_peer) */
};

void mz_server_init(struct mz_socket *s);
void mz_server_fini(struct mz_socket *s);
bool mz_server_attach(struct mz_socket *s, struct mz_pipe_end *end);
void mz_server_detach(struct mz_socket *s, struct mz_pipe_end *end);
int mz_server_disconnect_peer(struct mz_socket *s, uint32_t routing_id);
void mz_server_read_activated(struct mz_socket *s, struct mz_pipe_end *end);
int mz_server_send(struct mz_socket *s, struct mz_msg *m);
int mz_server_recv(struct mz_socket *s, struct mz_msg *m);
bool mz_server_can_send(struct mz_socket *s);
bool mz_server_can_recv(struct mz_socket *s);

#endif
