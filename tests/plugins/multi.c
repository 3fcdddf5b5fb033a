/* Test plugin: one module, modzmq_multi, serving two schemes; the second,
 * "multiscan", has no file of its own, so only a scan finds it. */
#include "parse_only.h"

static const char *const schemes[] = { "multi", "multiscan", NULL };

static const struct modzmq_plugin descriptor = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "multi",
    .kind = MODZMQ_PLUGIN_TRANSPORT,
    .serves = schemes,
    .ops = &parse_only_ops,
    .init = parse_only_init,
};

MODZMQ_PLUGIN_ENTRY
{
    return &descriptor;
}
