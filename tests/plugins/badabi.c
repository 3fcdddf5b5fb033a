/* Test plugin: built, it claims, for the next SDK ABI major; refused. */
#include "parse_only.h"

static const char *const schemes[] = { "badabi", NULL };

static const struct modzmq_plugin descriptor = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR + 1,
    .abi_minor = 0,
    .name = "badabi",
    .kind = MODZMQ_PLUGIN_TRANSPORT,
    .serves = schemes,
    .ops = &parse_only_ops,
    .init = parse_only_init,
};

MODZMQ_PLUGIN_ENTRY
{
    return &descriptor;
}
