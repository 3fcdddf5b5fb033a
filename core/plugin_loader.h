/*
 * The plugin registry: which plugin serves which transport scheme or
 * security mechanism, loading plugins with libltdl the first time one is
 * needed.
 *
 * One registry serves the whole process (plugins are code, not state of a
 * context). Plugins come from three places, looked at in this order:
 * descriptors the application registered (modzmq_plugin_register), modules
 * the application linked in with libtool -dlpreopen, and module files
 * "modzmq_<scheme>" (or "modzmq_<mechanism name in lower case>",
 * "modzmq_plain" for PLAIN) in each directory of MODZMQ_PLUGIN_PATH and then in the
 * installed plugin directory. When no file carries the scheme's name, the
 * modzmq_* modules of those directories are opened in turn until one
 * serves the scheme, so that one file may serve several schemes.
 *
 * A plugin, once loaded and accepted, stays loaded until the process ends;
 * pointers to its ops stay valid that long. The ops handed out are the
 * core's copies in today's layout (plugin_abi.h): a member the plugin's
 * SDK release did not have is NULL, like an optional member left out, so
 * callers test members for NULL and never a table's size. When the
 * library is unloaded (exit, dlclose) each plugin's fini runs. The public side of the
 * registry (register, load, list) is declared in include/modzmq.h.
 */
#ifndef MZ_PLUGIN_LOADER_H
#define MZ_PLUGIN_LOADER_H

#include <stdbool.h>

#include <modzmq/curve.h>
#include <modzmq/engine_transport.h>
#include <modzmq/mechanism.h>
#include <modzmq/observer.h>
#include <modzmq/transport.h>

/* The ops of the transport serving scheme: exactly one of the two is set,
 * as the plugin is a stream or an own-engine transport. */
struct mz_transport {
    const struct modzmq_transport_ops *stream;
    const struct modzmq_engine_transport_ops *engine;
};

/* Finds the transport serving scheme ("tcp"), loading its plugin on first
 * use. -1 with errno EPROTONOSUPPORT when no plugin serves it, after one
 * diagnostic line on stderr naming the file(s) looked for. Thread-safe;
 * the ops stay valid until the process exits. */
int mz_plugin_find_transport(const char *scheme, struct mz_transport *found);

/* mz_plugin_find_transport for a stream transport: its ops, or NULL with
 * errno EPROTONOSUPPORT (also for an own-engine transport's scheme). */
const struct modzmq_transport_ops *mz_plugin_transport(const char *scheme);

/* True if a plugin serving scheme is registered or can be loaded (zmq_has).
 * Loads it if need be; says nothing on stderr when there is none, though a
 * plugin file that is refused is still reported. Thread-safe. */
bool mz_plugin_transport_available(const char *scheme);

/* The ops of the mechanism plugin serving name ("PLAIN"), loading it on
 * first use. NULL with errno EINVAL when none can be loaded, after one
 * diagnostic line naming the file looked for. Thread-safe. */
const struct modzmq_mechanism_ops *mz_plugin_mechanism(const char *name);

/* True if a plugin serving mechanism name is registered or can be loaded
 * (zmq_has); quiet when there is none. Thread-safe. */
bool mz_plugin_mechanism_available(const char *name);
/* CURVE's key functions (zmq_curve_keypair, zmq_curve_public) from the
 * plugin serving the CURVE mechanism, loaded quietly on first use; NULL
 * when there is none. A member may be NULL: that plugin lacks it.
 * Thread-safe. */
const struct modzmq_curve_keys *mz_plugin_curve_keys(void);

/* The observer that serves zmq_socket_monitor (the monitor plugin,
 * module modzmq_monitor, loaded on first use) and its handle in *core.
 * NULL with errno ENOTSUP when there is none, after one diagnostic line
 * naming the files looked for. Thread-safe. */
const struct modzmq_observer_ops *mz_plugin_monitor(modzmq_core **core);

/* Loads the observers named in MODZMQ_OBSERVERS, once per process (the
 * first zmq_ctx_new). */
void mz_plugin_load_observers(void);

#endif
