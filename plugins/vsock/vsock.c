/*
 * vsock plugin: the module's descriptor. The transport is the shared
 * AF_VSOCK one (vsock_transport.c) with no options of its own.
 */
#define MODZMQ_PLUGIN_MODULE modzmq_vsock
#include <modzmq/transport.h>

#include "vsock_transport.h"

static const struct vsock_flavour vsock_flavour = { .scheme = "vsock" };

static int vsock_init(const struct modzmq_core_services *services,
                      modzmq_core *core)
{
    (void) core;
    return vsock_transport_init(&vsock_flavour, services);
}

static const char *const vsock_schemes[] = { "vsock", NULL };

static const struct modzmq_plugin vsock_plugin = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "vsock",
    .kind = MODZMQ_PLUGIN_TRANSPORT,
    .serves = vsock_schemes,
    .ops = &vsock_transport_ops,
    .init = vsock_init,
};

MODZMQ_PLUGIN_ENTRY;

MODZMQ_PLUGIN_ENTRY
{
    return &vsock_plugin;
}
