/* Test plugin: a module that exports no modzmq_plugin_entry; refused. */
#include "parse_only.h"

__attribute__((visibility("default"))) int modzmq_plugin_version(void);

int modzmq_plugin_version(void)
{
    return MODZMQ_SDK_ABI_MAJOR;
}
