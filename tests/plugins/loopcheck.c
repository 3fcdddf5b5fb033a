/* Test plugin: a good transport serving scheme "loopcheck". */
#include "parse_only.h"

static const char *const schemes[] = { "loopcheck", NULL };

static const struct modzmq_plugin descriptor = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "loopcheck",
    .kind = MODZMQ_PLUGIN_TRANSPORT,
    .serves = schemes,
    .ops = &parse_only_ops,
    .init = parse_only_init,
};

MODZMQ_PLUGIN_ENTRY
{
    return &descriptor;
}
