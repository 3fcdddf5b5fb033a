/* Test plugin: linked into the test program with libtool -dlpreopen, so
 * its entry point carries libtool's module prefix. */
#define MODZMQ_PLUGIN_MODULE modzmq_preloaded
#include "../plugins/parse_only.h"

static const char *const schemes[] = { "preloaded", NULL };

static const struct modzmq_plugin descriptor = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "preloaded",
    .kind = MODZMQ_PLUGIN_TRANSPORT,
    .serves = schemes,
    .ops = &parse_only_ops,
    .init = parse_only_init,
};

MODZMQ_PLUGIN_ENTRY
{
    return &descriptor;
}
