/*
 * The address-parsing transport the loader's test plugins share (see
 * parse_only.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse_only.h"
#include "zmq.h"

struct modzmq_endpoint {
    const char *scheme;
    int socket_type;
};

static const struct modzmq_core_services *services;

int parse_only_init(const struct modzmq_core_services *given, modzmq_core *core)
{
    services = given;
    services->log(core, MODZMQ_LOG_INFO, "ready");
    return 0;
}

static int endpoint_parse(modzmq_socket *socket, const char *scheme,
                          const char *address, enum modzmq_endpoint_mode mode,
                          modzmq_endpoint **endpoint)
{
    (void) mode;
    if (strcmp(address, "ok") != 0) {
        errno = EINVAL;
        return -1;
    }
    int type = -1;
    if (socket != NULL) {
        size_t size = sizeof type;
        if (services->socket_option(socket, ZMQ_TYPE, &type, &size) != 0)
            return -1;
    }
    modzmq_endpoint *e = malloc(sizeof *e);
    if (e == NULL)
        return -1;
    e->scheme = scheme;
    e->socket_type = type;
    *endpoint = e;
    return 0;
}

static void endpoint_free(modzmq_endpoint *endpoint)
{
    free(endpoint);
}

static int endpoint_format(modzmq_endpoint *endpoint, char *buffer, size_t size)
{
    int length = snprintf(buffer, size, "%s://ok/%d", endpoint->scheme,
                          endpoint->socket_type);
    if (length < 0 || (size_t) length >= size) {
        errno = ENOSPC;
        return -1;
    }
    return length;
}

/* No real I/O: every other op says so. */
static int not_supported(void)
{
    errno = EOPNOTSUPP;
    return -1;
}

static int listen_fd(modzmq_endpoint *endpoint, int *fd)
{
    (void) endpoint;
    (void) fd;
    return not_supported();
}

static int accept_fd(modzmq_endpoint *endpoint, int listen_fd, int *fd)
{
    (void) endpoint;
    (void) listen_fd;
    (void) fd;
    return not_supported();
}

/* listen never succeeds, so there is never a listening fd to close. */
static void unlisten(modzmq_endpoint *endpoint, int listen_fd)
{
    (void) endpoint;
    (void) listen_fd;
}

static int connect_start(modzmq_endpoint *endpoint, int *fd)
{
    (void) endpoint;
    (void) fd;
    return not_supported();
}

static int connect_finish(modzmq_endpoint *endpoint, int fd)
{
    (void) endpoint;
    (void) fd;
    return not_supported();
}

static int peer_address(modzmq_endpoint *endpoint, int fd, char *buffer,
                        size_t size)
{
    (void) endpoint;
    (void) fd;
    (void) buffer;
    (void) size;
    return not_supported();
}

const struct modzmq_transport_ops parse_only_ops = {
    .size = sizeof(struct modzmq_transport_ops),
    .endpoint_parse = endpoint_parse,
    .endpoint_free = endpoint_free,
    .listen = listen_fd,
    .endpoint_format = endpoint_format,
    .accept = accept_fd,
    .unlisten = unlisten,
    .connect_start = connect_start,
    .connect_finish = connect_finish,
    .peer_address = peer_address,
};
