/*
 * The services table: what the core offers every plugin it loads (see
 * struct modzmq_core_services in sdk/modzmq/plugin.h).
 */
#ifndef MZ_PLUGIN_SERVICES_H
#define MZ_PLUGIN_SERVICES_H

#include <stdbool.h>

#include <modzmq/plugin.h>

/* What a plugin's modzmq_core handle points at: the little the services
 * need to know of the plugin calling them. The loader keeps one per
 * plugin, for as long as the plugin stays loaded. */
struct modzmq_core {
    const char *name; /* the descriptor's name, for diagnostics */
};

/* The table handed to each plugin's init; it lives as long as the process. */
const struct modzmq_core_services *mz_plugin_services(void);

/* Whether a diagnostic of level is written: level is at or above the one
 * the MODZMQ_LOG environment variable names ("error", "warning", "info",
 * "debug"), warning when it is unset or names none of them (then said
 * once on stderr). Read once, at the first diagnostic. Thread-safe. */
bool mz_log_wanted(enum modzmq_log_level level);

#endif
