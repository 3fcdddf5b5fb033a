/*
 * ipc plugin: reading the endpoint's options (see ipc_options.h). The
 * filter lists come through the services' list form of socket_option
 * (plugin.h); each plugin reads them itself so that it stays a module of
 * its own.
 */
#include "ipc_options.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

static int read_int(const struct modzmq_core_services *services,
                    modzmq_socket *socket, int option, int *value)
{
    size_t size = sizeof *value;
    return services->socket_option(socket, option, value, &size);
}

/* Reads a list of element_size items into *items (NULL when empty). A
 * core that does not give lists (EINVAL without a larger size) is taken
 * as having none. */
static int read_list(const struct modzmq_core_services *services,
                     modzmq_socket *socket, int option, size_t element_size,
                     void **items, size_t *count)
{
    *items = NULL;
    *count = 0;
    unsigned char first[256];
    size_t size = sizeof first;
    unsigned char *copy = NULL;
    if (services->socket_option(socket, option, first, &size) != 0) {
        if (errno != EINVAL)
            return -1;
        if (size <= sizeof first)
            return 0;
        copy = malloc(size);
        if (copy == NULL)
            return -1;
        if (services->socket_option(socket, option, copy, &size) != 0) {
            free(copy);
            return -1;
        }
    }
    if (size == 0 || size % element_size != 0) {
        free(copy);
        if (size == 0)
            return 0;
        errno = EINVAL;
        return -1;
    }
    if (copy == NULL) {
        copy = malloc(size);
        if (copy == NULL)
            return -1;
        memcpy(copy, first, size);
    }
    *items = copy;
    *count = size / element_size;
    return 0;
}

int ipc_options_read(const struct modzmq_core_services *services,
                     modzmq_socket *socket, struct ipc_options *out)
{
    memset(out, 0, sizeof *out);
    void *uids, *gids, *pids;
    if (read_int(services, socket, ZMQ_BACKLOG, &out->backlog) != 0 ||
        read_int(services, socket, ZMQ_USE_FD, &out->use_fd) != 0)
        return -1;
    if (read_list(services, socket, ZMQ_IPC_FILTER_UID, sizeof(uid_t), &uids,
                  &out->uid_count) != 0)
        return -1;
    out->uids = uids;
    if (read_list(services, socket, ZMQ_IPC_FILTER_GID, sizeof(gid_t), &gids,
                  &out->gid_count) != 0) {
        ipc_options_release(out);
        return -1;
    }
    out->gids = gids;
    if (read_list(services, socket, ZMQ_IPC_FILTER_PID, sizeof(pid_t), &pids,
                  &out->pid_count) != 0) {
        ipc_options_release(out);
        return -1;
    }
    out->pids = pids;
    return 0;
}

void ipc_options_release(struct ipc_options *options)
{
    free(options->uids);
    free(options->gids);
    free(options->pids);
    options->uids = NULL;
    options->gids = NULL;
    options->pids = NULL;
    options->uid_count = options->gid_count = options->pid_count = 0;
}
