/* Placeholder until the plugin-loader branch lands: the interface only. */
#ifndef MZ_PLUGIN_LOADER_H
#define MZ_PLUGIN_LOADER_H
#include <stdbool.h>
#include <modzmq/transport.h>
const struct modzmq_transport_ops *mz_plugin_transport(const char *scheme);
bool mz_plugin_transport_available(const char *scheme);
#endif
