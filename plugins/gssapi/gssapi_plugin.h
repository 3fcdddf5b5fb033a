/*
 * What the GSSAPI plugin's files share: the core's services, handed to
 * the plugin's init, and a log line helper.
 */
#ifndef GSSAPI_PLUGIN_H
#define GSSAPI_PLUGIN_H

#include <modzmq/mechanism.h>

/* Set by init, valid until fini. */
extern const struct modzmq_core_services *gssapi_services;

/* One diagnostic line through the core, printf-style; a line equal to the
 * last one is not repeated. Thread-safe. */
void gssapi_log(enum modzmq_log_level level, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* The ops table the descriptor exports (gssapi_session.c). */
extern const struct modzmq_mechanism_ops gssapi_mechanism_ops;

#endif
