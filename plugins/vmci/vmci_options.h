/*
 * vmci plugin: the ZMQ_VMCI_* socket options, read when an endpoint is
 * parsed and set on its AF_VSOCK fds before bind or connect, as libzmq's
 * vmci transport sets them (an accepted connection takes them from its
 * listener, as the kernel copies them). A value of 0 (the buffer sizes)
 * or below 1 (the timeout) leaves the kernel's own, as in libzmq.
 */
#ifndef MODZMQ_VMCI_OPTIONS_H
#define MODZMQ_VMCI_OPTIONS_H

#include <modzmq/plugin.h>
#include <stdint.h>

struct vmci_options {
    uint64_t buffer_size;     /* ZMQ_VMCI_BUFFER_SIZE, bytes */
    uint64_t buffer_min_size; /* ZMQ_VMCI_BUFFER_MIN_SIZE, bytes */
    uint64_t buffer_max_size; /* ZMQ_VMCI_BUFFER_MAX_SIZE, bytes */
    int connect_timeout;      /* ZMQ_VMCI_CONNECT_TIMEOUT, ms */
};

/* Reads them into a struct vmci_options it allocates (*options, freed
 * with free). 0, or -1 with errno. */
int vmci_options_read(const struct modzmq_core_services *services,
                      modzmq_socket *socket, void **options);

/* Sets them on fd: the bounds first, so that the kernel fits the size
 * between the new ones, then the size and the connect timeout. 0, or -1
 * with errno. */
int vmci_options_apply(const void *options, int fd);

#endif
