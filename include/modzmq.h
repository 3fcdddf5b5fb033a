/*
 * modzmq's extensions beyond the zmq API, exported by the same
 * libzmq.so.5. Applications that only use zmq.h never need this header.
 *
 * Transports, security mechanisms (and later observers) are plugins that
 * the library loads on first use: a transport when a socket first binds
 * or connects with its scheme, or when zmq_has asks about it; a mechanism
 * ("modzmq_plain" for PLAIN) when a socket first sets one of its options
 * or zmq_has asks ("curve", "gssapi"). A missing mechanism makes its
 * options fail with EINVAL. The
 * library looks for a module file "modzmq_<scheme>" (.la or .so) in each
 * directory of the MODZMQ_PLUGIN_PATH environment variable (colon
 * separated), then in its installed plugin directory (`pkg-config
 * --variable=plugindir modzmq-sdk`). If no file has that name, it opens
 * the other modzmq_* modules there until one serves the scheme. A plugin
 * that is missing or refused (built for another SDK ABI major or a newer
 * minor, a kind its release did not have, an ops table smaller than the
 * oldest release's, no entry symbol, init failed) is reported once on
 * stderr and its scheme fails with EPROTONOSUPPORT; everything else keeps
 * working.
 *
 * Plugins linked into the application, in either of two ways:
 *
 *   - explicitly: the application gets the plugin's descriptor (the
 *     plugin's modzmq_plugin_entry function, renamed if need be) and calls
 *     modzmq_plugin_register before it first uses the scheme;
 *
 *   - with libtool's -dlpreopen: link the application with
 *     "-dlpreopen modzmq_tcp.la" (the plugin built as a libtool module
 *     with a static archive, its entry point named with the module prefix,
 *     see MODZMQ_PLUGIN_ENTRY in <modzmq/plugin.h>), include <ltdl.h>, and
 *     call LTDL_SET_PRELOADED_SYMBOLS() at the start of main, before the
 *     first zmq call. The library then finds module modzmq_tcp among the
 *     preloaded ones before it searches any directory.
 *
 * All of these functions are thread-safe, and a plugin's init may call
 * them (and zmq_has): the registry is not locked while an init runs.
 * Lookups of the schemes of a plugin whose init is running wait for it,
 * except on the thread running that init, where they are not there yet.
 *
 * Diagnostics go to stderr when their level is at or above the one the
 * MODZMQ_LOG environment variable names (error, warning, info, debug;
 * warning when unset): refused and missing plugins are warnings.
 */
#ifndef MODZMQ_H
#define MODZMQ_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MODZMQ_EXPORT __attribute__((visibility("default")))

/* Events beyond libzmq's, for zmq_socket_monitor_versioned (version 2
 * frames carry 64-bit event ids) and observers; the same values as in
 * <modzmq/observer.h>. PIPE_HWM_*: values are 1 for outbound (0 inbound)
 * and the HWM. PEER_COUNTERS: messages in, bytes in, messages out, bytes
 * out, messages dropped, of one peer (pipe). */
#define MODZMQ_EVENT_PIPE_HWM_REACHED 0x100000000ULL
#define MODZMQ_EVENT_PIPE_HWM_CLEARED 0x200000000ULL
#define MODZMQ_EVENT_PEER_COUNTERS 0x400000000ULL

/* What went between a socket and its peers since it was created: the
 * sums of every peer's share (MODZMQ_EVENT_PEER_COUNTERS), so a message a
 * PUB sends to three subscribers counts three times out. Messages count
 * whole messages, bytes every part's body. Dropped counts the messages of a fan-out socket (PUB,
 * XPUB) that found a peer's pipe at its HWM; while that pipe stays full
 * the socket no longer offers it messages, and those are not counted. */
struct modzmq_counters {
    uint64_t msgs_in;
    uint64_t bytes_in;
    uint64_t msgs_out;
    uint64_t bytes_out;
    uint64_t msgs_dropped;
};

/* Reads socket's counters into *counters; with publish_peers nonzero,
 * also publishes one MODZMQ_EVENT_PEER_COUNTERS per peer (local endpoint
 * "", remote the endpoint the peer came through) to the socket's
 * observers. Call it as any call on the socket: on its thread for a
 * classic socket, from any thread for a thread-safe one (CLIENT, ...).
 * 0, or -1 with errno ENOTSOCK, ETERM or EFAULT (counters NULL). */
MODZMQ_EXPORT int modzmq_socket_counters(void *socket,
                                         struct modzmq_counters *counters,
                                         int publish_peers);

/* A plugin's descriptor, defined in <modzmq/plugin.h> (the SDK). */
struct modzmq_plugin;

/* One loaded plugin, as modzmq_plugins lists it. The strings live as long
 * as the plugin stays loaded, which is until the process exits. */
struct modzmq_plugin_info {
    const char *name; /* the descriptor's name: "tcp" */
    int kind;         /* enum modzmq_plugin_kind: 1 transport, 2 mechanism,
                         3 observer, 4 own-engine transport */
    /* The module file it came from, "(static)" for a descriptor given to
     * modzmq_plugin_register, "(preloaded)" for a -dlpreopen module. */
    const char *path;
    unsigned abi_major; /* the SDK ABI the plugin was built for */
    unsigned abi_minor;
};

/* Registers a plugin linked into the application. It is checked like a
 * loaded one, its init runs now, and it takes precedence over module
 * files for the schemes it serves. Registering the same descriptor again
 * does nothing. 0, or -1 with errno EINVAL when the descriptor is refused
 * (the reason goes to stderr). */
MODZMQ_EXPORT int modzmq_plugin_register(const struct modzmq_plugin *plugin);

/* Loads a plugin now rather than on first use. name is a scheme ("tcp")
 * or a module name ("modzmq_tcp"). 0 when it is loaded (or already was);
 * -1 with errno ENOENT when no plugin of that name or scheme is found,
 * EINVAL when one was found but refused. */
MODZMQ_EXPORT int modzmq_plugin_load(const char *name);

/* Fills list with up to capacity loaded plugins, in lookup order, and
 * returns how many are loaded (which may exceed capacity). list may be
 * NULL when capacity is 0. */
MODZMQ_EXPORT size_t modzmq_plugins(struct modzmq_plugin_info *list,
                                    size_t capacity);

#ifdef __cplusplus
}
#endif

#endif
