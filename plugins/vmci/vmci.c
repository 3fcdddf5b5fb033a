/*
 * vmci plugin: the module's descriptor. On Linux a VMCI socket is an
 * AF_VSOCK socket, so the transport is the vsock plugin's
 * (plugins/vsock/vsock_transport.c, compiled in) under the "vmci"
 * scheme, with the ZMQ_VMCI_* options of vmci_options.c.
 */
#define MODZMQ_PLUGIN_MODULE modzmq_vmci
#include <modzmq/transport.h>

#include "vmci_options.h"
#include "vsock_transport.h"

static const struct vsock_flavour vmci_flavour = {
    .scheme = "vmci",
    .options_read = vmci_options_read,
    .options_apply = vmci_options_apply,
};

static int vmci_init(const struct modzmq_core_services *services,
                     modzmq_core *core)
{
    (void) core;
    return vsock_transport_init(&vmci_flavour, services);
}

static const char *const vmci_schemes[] = { "vmci", NULL };

static const struct modzmq_plugin vmci_plugin = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "vmci",
    .kind = MODZMQ_PLUGIN_TRANSPORT,
    .serves = vmci_schemes,
    .ops = &vsock_transport_ops,
    .init = vmci_init,
};

MODZMQ_PLUGIN_ENTRY;

MODZMQ_PLUGIN_ENTRY
{
    return &vmci_plugin;
}
