/*
 * modzmq plugins: every modzmq_* module in MODZMQ_PLUGIN_PATH and the
 * installed plugin directory, loaded one by one through
 * modzmq_plugin_load, with what the core says of those it refuses.
 */
#ifndef MODZMQ_CLI_PLUGINS_H
#define MODZMQ_CLI_PLUGINS_H

#include "options.h"

int cli_plugins_command(const struct cli_options *o);

#endif
