/*
 * gssapi plugin: the module's descriptor for the ZMTP mechanism "GSSAPI"
 * (RFC 38) over MIT Kerberos 5, and the services the core hands it. The
 * handshake is in gssapi_session.c, the protection of traffic in
 * gssapi_protect.c, the GSS-API calls in gssapi_context.c and the command
 * layouts in gssapi_wire.c.
 */
#define MODZMQ_PLUGIN_MODULE modzmq_gssapi
#include "gssapi_plugin.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

const struct modzmq_core_services *gssapi_services;
static modzmq_core *gssapi_core;

/* The last line logged: a client that keeps reconnecting to a service it
 * has no ticket for would otherwise repeat the same line every reconnect
 * interval. Sessions on several I/O threads log, hence the lock. */
static pthread_mutex_t last_line_lock = PTHREAD_MUTEX_INITIALIZER;
static char last_line[768];

void gssapi_log(enum modzmq_log_level level, const char *format, ...)
{
    char line[sizeof last_line];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);
    pthread_mutex_lock(&last_line_lock);
    bool repeated = strcmp(line, last_line) == 0;
    if (!repeated)
        memcpy(last_line, line, sizeof line);
    pthread_mutex_unlock(&last_line_lock);
    if (!repeated && gssapi_services != NULL)
        gssapi_services->log(gssapi_core, level, line);
}

/* The mechanism needs the ABI 1.1 services (messages, options of the
 * connection, metadata, ZAP); an older core's table lacks them. */
static int gssapi_init(const struct modzmq_core_services *services,
                       modzmq_core *core)
{
    if (!modzmq_has_service(
            services, offsetof(struct modzmq_core_services, handshake_error))) {
        errno = ENOTSUP;
        return -1;
    }
    gssapi_services = services;
    gssapi_core = core;
    return 0;
}

/* The library is unloading (plugin.h): the services stay, for a context
 * never terminated whose I/O threads may still log; only the repeat
 * filter starts afresh. */
static void gssapi_fini(void)
{
    pthread_mutex_lock(&last_line_lock);
    last_line[0] = '\0';
    pthread_mutex_unlock(&last_line_lock);
}

static const char *const gssapi_names[] = { "GSSAPI", NULL };

static const struct modzmq_plugin gssapi_plugin = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "gssapi",
    .kind = MODZMQ_PLUGIN_MECHANISM,
    .serves = gssapi_names,
    .ops = &gssapi_mechanism_ops,
    .init = gssapi_init,
    .fini = gssapi_fini,
};

MODZMQ_PLUGIN_ENTRY;

MODZMQ_PLUGIN_ENTRY
{
    return &gssapi_plugin;
}
