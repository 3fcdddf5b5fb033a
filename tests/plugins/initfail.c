/* Test plugin: a good descriptor whose init fails (EPERM); refused. */
#include <errno.h>

#include "parse_only.h"

static int init(const struct modzmq_core_services *services, modzmq_core *core)
{
    (void) services;
    (void) core;
    errno = EPERM;
    return -1;
}

static const char *const schemes[] = { "initfail", NULL };

static const struct modzmq_plugin descriptor = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "initfail",
    .kind = MODZMQ_PLUGIN_TRANSPORT,
    .serves = schemes,
    .ops = &parse_only_ops,
    .init = init,
};

MODZMQ_PLUGIN_ENTRY
{
    return &descriptor;
}
