/*
 * vmci plugin: reading and setting the ZMQ_VMCI_* options (see
 * vmci_options.h).
 */
#include "vmci_options.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/vm_sockets.h>
#include <zmq.h>

static int read_size(const struct modzmq_core_services *services,
                     modzmq_socket *socket, int option, uint64_t *value)
{
    size_t size = sizeof *value;
    return services->socket_option(socket, option, value, &size);
}

int vmci_options_read(const struct modzmq_core_services *services,
                      modzmq_socket *socket, void **options)
{
    struct vmci_options *o = calloc(1, sizeof *o);
    if (o == NULL)
        return -1;
    size_t size = sizeof o->connect_timeout;
    if (read_size(services, socket, ZMQ_VMCI_BUFFER_SIZE, &o->buffer_size) !=
            0 ||
        read_size(services, socket, ZMQ_VMCI_BUFFER_MIN_SIZE,
                  &o->buffer_min_size) != 0 ||
        read_size(services, socket, ZMQ_VMCI_BUFFER_MAX_SIZE,
                  &o->buffer_max_size) != 0 ||
        services->socket_option(socket, ZMQ_VMCI_CONNECT_TIMEOUT,
                                &o->connect_timeout, &size) != 0) {
        int error = errno;
        free(o);
        errno = error;
        return -1;
    }
    *options = o;
    return 0;
}

static int set_size(int fd, int name, uint64_t value)
{
    unsigned long long v = value;
    return value == 0 ? 0 : setsockopt(fd, AF_VSOCK, name, &v, sizeof v);
}

int vmci_options_apply(const void *options, int fd)
{
    const struct vmci_options *o = options;
    if (set_size(fd, SO_VM_SOCKETS_BUFFER_MIN_SIZE, o->buffer_min_size) != 0 ||
        set_size(fd, SO_VM_SOCKETS_BUFFER_MAX_SIZE, o->buffer_max_size) != 0 ||
        set_size(fd, SO_VM_SOCKETS_BUFFER_SIZE, o->buffer_size) != 0)
        return -1;
    if (o->connect_timeout > 0) {
        struct timeval timeout = {
            .tv_sec = o->connect_timeout / 1000,
            .tv_usec = (o->connect_timeout % 1000) * 1000,
        };
        if (setsockopt(fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT, &timeout,
                       sizeof timeout) != 0)
            return -1;
    }
    return 0;
}
