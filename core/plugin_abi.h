/*
 * The SDK's releases as the loader knows them: the size every table had in
 * each release (1.0, 1.1, 1.2, 1.3), so that a plugin built against any of them
 * is read with the layout it was built with, and the table a plugin hands
 * over is copied into one of today's layout, the members its release
 * lacked left NULL.
 */
#ifndef MZ_PLUGIN_ABI_H
#define MZ_PLUGIN_ABI_H

#include <stddef.h>

#include <modzmq/plugin.h>

/* The tables of the SDK, each with its own size per release. */
enum mz_abi_table {
    MZ_ABI_DESCRIPTOR,       /* struct modzmq_plugin */
    MZ_ABI_SERVICES,         /* struct modzmq_core_services */
    MZ_ABI_TRANSPORT,        /* struct modzmq_transport_ops */
    MZ_ABI_MECHANISM,        /* struct modzmq_mechanism_ops */
    MZ_ABI_OBSERVER,         /* struct modzmq_observer_ops */
    MZ_ABI_ENGINE_TRANSPORT, /* struct modzmq_engine_transport_ops */
    MZ_ABI_CURVE_KEYS,       /* struct modzmq_curve_keys (an extension) */
    MZ_ABI_TABLE_COUNT
};

/* The size of table in release 1.minor of the SDK, 0 when that release
 * had no such table (or is newer than this core). */
size_t mz_abi_table_size(enum mz_abi_table table, unsigned minor);

/* The first release (its minor) that had table. */
unsigned mz_abi_table_since(enum mz_abi_table table);

/* The smallest table of that kind the core accepts: its size in the
 * oldest release that had it. */
size_t mz_abi_oldest_size(enum mz_abi_table table);

/* The ops table kind's plugins hand over; MZ_ABI_TABLE_COUNT for a kind
 * the SDK does not have. */
enum mz_abi_table mz_abi_ops_table(enum modzmq_plugin_kind kind);

/* given, a table that is given_size bytes long, in today's layout: given
 * itself when it is as large as today's table, else a copy of it in a new,
 * zero-filled table of today's size (its size member then says today's
 * size), stored in *copy to free with g_free. *copy is NULL when nothing
 * was copied. */
const void *mz_abi_today(enum mz_abi_table table, const void *given,
                         size_t given_size, void **copy);

#endif
