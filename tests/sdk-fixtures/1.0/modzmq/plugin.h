/*
 * modzmq plugin SDK: what every plugin exports and what the core gives it.
 *
 * A plugin is a shared module (built with libtool -module) that modzmq's
 * core loads with libltdl the first time a socket needs it: a transport on
 * the first zmq_bind or zmq_connect of one of its schemes, or on a zmq_has
 * query. The module exports one function,
 *
 *     const struct modzmq_plugin *modzmq_plugin_entry(void);
 *
 * returning a descriptor that lives as long as the module. The core checks
 * the descriptor before it uses anything else:
 *
 *   - abi_major must equal the core's MODZMQ_SDK_ABI_MAJOR; abi_minor may be
 *     lower than the core's (the core knows every older table layout) but
 *     not higher;
 *   - the ops table's first member is its own size, as the plugin was
 *     compiled; a table smaller than the core's minimum for that kind is
 *     refused. Tables only grow by appending members, so a core reads just
 *     the members that fit in the size the plugin reported.
 *
 * A refused plugin is reported on stderr with the reason, and the core
 * carries on without it.
 *
 * Plugins never see the core's structures: sockets and the core are opaque
 * handles, and everything a plugin may ask of the core goes through the
 * services table handed to its init function. Nothing here is thread-safe
 * unless it says so; each ops member says which thread calls it.
 *
 * A plugin that is linked statically into an application (libtool
 * -dlpreopen) must give its entry point libtool's module prefix, which
 * MODZMQ_PLUGIN_ENTRY does when MODZMQ_PLUGIN_MODULE names the module:
 *
 *     #define MODZMQ_PLUGIN_MODULE modzmq_tcp
 *     #include <modzmq/plugin.h>
 *     MODZMQ_PLUGIN_ENTRY { return &descriptor; }
 */
#ifndef MODZMQ_PLUGIN_H
#define MODZMQ_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A plugin built against a different major cannot be loaded. */
#define MODZMQ_SDK_ABI_MAJOR 1
/* Grows when a table gains members at its end. */
#define MODZMQ_SDK_ABI_MINOR 0

enum modzmq_plugin_kind {
    MODZMQ_PLUGIN_TRANSPORT = 1, /* ops: struct modzmq_transport_ops */
    MODZMQ_PLUGIN_MECHANISM = 2, /* reserved for the security mechanisms */
    MODZMQ_PLUGIN_OBSERVER = 3   /* reserved for event-bus subscribers */
};

/* Opaque handles. */
typedef struct modzmq_core modzmq_core;     /* the loading core */
typedef struct modzmq_socket modzmq_socket; /* one zmq socket */

enum modzmq_log_level {
    MODZMQ_LOG_ERROR = 0,
    MODZMQ_LOG_WARNING = 1,
    MODZMQ_LOG_INFO = 2,
    MODZMQ_LOG_DEBUG = 3
};

/* What the core offers a plugin. Handed to init and valid until fini. */
struct modzmq_core_services {
    size_t size; /* sizeof (struct modzmq_core_services) in the core */

    /* Reads one of a socket's options, exactly as zmq_getsockopt would
     * (same option numbers, same sizes). 0, or -1 with errno. Any thread
     * that is running a call of this plugin for that socket. */
    int (*socket_option)(modzmq_socket *socket, int option, void *value,
                         size_t *size);

    /* Writes one line to the core's diagnostics (stderr), prefixed with
     * the plugin's name. Thread-safe. */
    void (*log)(modzmq_core *core, enum modzmq_log_level level,
                const char *message);
};

struct modzmq_plugin {
    uint32_t abi_major; /* MODZMQ_SDK_ABI_MAJOR at build time */
    uint32_t abi_minor; /* MODZMQ_SDK_ABI_MINOR at build time */
    const char *name;   /* "tcp": for diagnostics and modzmq_plugins() */
    enum modzmq_plugin_kind kind;
    /* NULL-terminated: the URL schemes a transport serves ("tcp"), the
     * mechanism names a mechanism serves ("CURVE"). */
    const char *const *serves;
    /* The kind's ops table; its first member is a size_t holding the
     * table's size. */
    const void *ops;
    /* Optional: called once after the checks, before any ops. Nonzero
     * refuses the load (set errno). core identifies this plugin in calls
     * back to the services. */
    int (*init)(const struct modzmq_core_services *services,
                modzmq_core *core);
    /* Optional: called once when the core unloads the plugin, after the
     * last ops call. */
    void (*fini)(void);
};

#define MODZMQ_PLUGIN_ENTRY_SYMBOL "modzmq_plugin_entry"

/* The entry point stays visible even when the plugin builds with
 * -fvisibility=hidden. */
#define MODZMQ_PLUGIN_EXPORT __attribute__((visibility("default")))

#ifdef MODZMQ_PLUGIN_MODULE
#define MODZMQ_PLUGIN_PASTE2(module, symbol) module##_LTX_##symbol
#define MODZMQ_PLUGIN_PASTE(module, symbol) MODZMQ_PLUGIN_PASTE2(module, symbol)
#define MODZMQ_PLUGIN_ENTRY_NAME                                               \
    MODZMQ_PLUGIN_PASTE(MODZMQ_PLUGIN_MODULE, modzmq_plugin_entry)
#else
#define MODZMQ_PLUGIN_ENTRY_NAME modzmq_plugin_entry
#endif

/* A prototype, then the head of the definition: builds warning about
 * functions without a prototype stay quiet. */
#define MODZMQ_PLUGIN_ENTRY                                                    \
    MODZMQ_PLUGIN_EXPORT const struct modzmq_plugin *MODZMQ_PLUGIN_ENTRY_NAME( \
        void);                                                                 \
    MODZMQ_PLUGIN_EXPORT const struct modzmq_plugin *MODZMQ_PLUGIN_ENTRY_NAME( \
        void)

#ifdef __cplusplus
}
#endif

#endif
