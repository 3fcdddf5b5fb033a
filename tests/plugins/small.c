/* Test plugin: an ops table shorter than the core's transport table, as
 * an older or broken SDK would give; refused. */
#include "parse_only.h"

/* The first two members of struct modzmq_transport_ops and no more. */
struct short_ops {
    size_t size;
    int (*endpoint_parse)(modzmq_socket *socket, const char *scheme,
                          const char *address, enum modzmq_endpoint_mode mode,
                          modzmq_endpoint **endpoint);
};

static int refuse_all(modzmq_socket *socket, const char *scheme,
                      const char *address, enum modzmq_endpoint_mode mode,
                      modzmq_endpoint **endpoint)
{
    (void) socket;
    (void) scheme;
    (void) address;
    (void) mode;
    (void) endpoint;
    return -1;
}

static const struct short_ops ops = {
    .size = sizeof(struct short_ops),
    .endpoint_parse = refuse_all,
};

static const char *const schemes[] = { "small", NULL };

static const struct modzmq_plugin descriptor = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "small",
    .kind = MODZMQ_PLUGIN_TRANSPORT,
    .serves = schemes,
    .ops = &ops,
};

MODZMQ_PLUGIN_ENTRY
{
    return &descriptor;
}
