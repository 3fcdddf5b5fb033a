/*
 * vsock plugin: the stream transport ops over AF_VSOCK, shared by the
 * vsock and vmci modules (each compiles this file in; plugins/vsock owns
 * it). The modules differ only in their scheme and in the socket options
 * of their own that they apply (vmci: the ZMQ_VMCI_* options), which a
 * flavour describes.
 */
#ifndef MODZMQ_VSOCK_TRANSPORT_H
#define MODZMQ_VSOCK_TRANSPORT_H

#include <modzmq/transport.h>

struct vsock_flavour {
    const char *scheme; /* "vsock" or "vmci": the endpoint strings' */
    /* Optional (NULL: none). Reads the flavour's own options when an
     * endpoint is parsed, into a block it allocates (freed with free):
     * 0, or -1 with errno. */
    int (*options_read)(const struct modzmq_core_services *services,
                        modzmq_socket *socket, void **options);
    /* Sets them on each fd before bind or connect (an accepted fd takes
     * them from its listener): 0, or -1 with errno. */
    int (*options_apply)(const void *options, int fd);
};

/* The module's init: which flavour, and the core's services. 0, or -1
 * with errno EINVAL. */
int vsock_transport_init(const struct vsock_flavour *flavour,
                         const struct modzmq_core_services *services);

extern const struct modzmq_transport_ops vsock_transport_ops;

#endif
