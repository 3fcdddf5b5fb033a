/*
 * ipc plugin: the socket options an ipc endpoint uses, read once from the
 * zmq socket when the endpoint is parsed, as in libzmq.
 */
#ifndef MODZMQ_IPC_OPTIONS_H
#define MODZMQ_IPC_OPTIONS_H

#include <modzmq/plugin.h>
#include <stddef.h>
#include <sys/types.h>

struct ipc_options {
    int backlog; /* ZMQ_BACKLOG */
    int use_fd;  /* ZMQ_USE_FD: a listening fd to use, or -1 */
    /* ZMQ_IPC_FILTER_UID, _GID, _PID; NULL when empty. */
    uid_t *uids;
    size_t uid_count;
    gid_t *gids;
    size_t gid_count;
    pid_t *pids;
    size_t pid_count;
};

/* Reads the options of socket through the core's services. 0, or -1 with
 * errno; on success ipc_options_release frees what it allocated. */
int ipc_options_read(const struct modzmq_core_services *services,
                     modzmq_socket *socket, struct ipc_options *out);

void ipc_options_release(struct ipc_options *options);

#endif
