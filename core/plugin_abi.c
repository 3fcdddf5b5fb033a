/*
 * The table sizes of every released SDK ABI (see plugin_abi.h).
 *
 * A released table never changes, so its size in release 1.n is where its
 * last member of 1.n ends in today's header: members are only ever
 * appended. tests/sdk-fixtures/ keeps the 1.0 and 1.1 headers as they were
 * released, and the loader suite checks that sizeof of each of their
 * tables is the size this file gives, so a member inserted anywhere but at
 * the end fails the build's tests.
 *
 * The newest release (1.3) is the one being made: its tables end where
 * today's do. When 1.4 starts, the 1.3 row becomes the end of the last
 * member 1.3 had, like the rows before it.
 */
#include <glib.h>
#include <string.h>

#include <modzmq/curve.h>
#include <modzmq/engine_transport.h>
#include <modzmq/mechanism.h>
#include <modzmq/observer.h>
#include <modzmq/transport.h>

#include "plugin_abi.h"

/* Where member ends in type: the size of a table whose last member it is.
 * A macro, as offsetof is: a function cannot take a member's name. */
#define MEMBER_END(type, member)                                               \
    (offsetof(type, member) + sizeof(((type *) NULL)->member))

enum { RELEASES = MODZMQ_SDK_ABI_MINOR + 1 };

/* [table][minor]: 0 where the release had no such table. */
static const size_t sizes[MZ_ABI_TABLE_COUNT][RELEASES] = {
    [MZ_ABI_DESCRIPTOR] = { MEMBER_END(struct modzmq_plugin, fini),
                            MEMBER_END(struct modzmq_plugin, fini),
                            MEMBER_END(struct modzmq_plugin, extensions),
                            sizeof(struct modzmq_plugin) },
    [MZ_ABI_SERVICES] = { MEMBER_END(struct modzmq_core_services, log),
                          MEMBER_END(struct modzmq_core_services,
                                     socket_context),
                          MEMBER_END(struct modzmq_core_services,
                                     link_push_group),
                          sizeof(struct modzmq_core_services) },
    [MZ_ABI_TRANSPORT] = { MEMBER_END(struct modzmq_transport_ops,
                                      peer_address),
                           MEMBER_END(struct modzmq_transport_ops,
                                      peer_address),
                           MEMBER_END(struct modzmq_transport_ops, stream_open),
                           sizeof(struct modzmq_transport_ops) },
    [MZ_ABI_MECHANISM] = { 0,
                           MEMBER_END(struct modzmq_mechanism_ops,
                                      reserved_1_1),
                           MEMBER_END(struct modzmq_mechanism_ops,
                                      reserved_1_1),
                           sizeof(struct modzmq_mechanism_ops) },
    [MZ_ABI_OBSERVER] = { 0,
                          MEMBER_END(struct modzmq_observer_ops,
                                     socket_monitor),
                          MEMBER_END(struct modzmq_observer_ops,
                                     socket_monitor),
                          sizeof(struct modzmq_observer_ops) },
    [MZ_ABI_ENGINE_TRANSPORT] = { 0,
                                  MEMBER_END(struct modzmq_engine_transport_ops,
                                             link_close),
                                  MEMBER_END(struct modzmq_engine_transport_ops,
                                             link_close),
                                  sizeof(struct modzmq_engine_transport_ops) },
    [MZ_ABI_CURVE_KEYS] = { 0, 0,
                            MEMBER_END(struct modzmq_curve_keys, public_key),
                            sizeof(struct modzmq_curve_keys) },
};

size_t mz_abi_table_size(enum mz_abi_table table, unsigned minor)
{
    if ((unsigned) table >= MZ_ABI_TABLE_COUNT || minor >= RELEASES)
        return 0;
    return sizes[table][minor];
}

unsigned mz_abi_table_since(enum mz_abi_table table)
{
    unsigned minor = 0;
    while (minor + 1 < RELEASES && mz_abi_table_size(table, minor) == 0)
        minor++;
    return minor;
}

size_t mz_abi_oldest_size(enum mz_abi_table table)
{
    return mz_abi_table_size(table, mz_abi_table_since(table));
}

enum mz_abi_table mz_abi_ops_table(enum modzmq_plugin_kind kind)
{
    switch (kind) {
    case MODZMQ_PLUGIN_TRANSPORT:
        return MZ_ABI_TRANSPORT;
    case MODZMQ_PLUGIN_MECHANISM:
        return MZ_ABI_MECHANISM;
    case MODZMQ_PLUGIN_OBSERVER:
        return MZ_ABI_OBSERVER;
    case MODZMQ_PLUGIN_ENGINE_TRANSPORT:
        return MZ_ABI_ENGINE_TRANSPORT;
    }
    return MZ_ABI_TABLE_COUNT;
}

const void *mz_abi_today(enum mz_abi_table table, const void *given,
                         size_t given_size, void **copy)
{
    size_t today = mz_abi_table_size(table, MODZMQ_SDK_ABI_MINOR);
    *copy = NULL;
    if (given_size >= today)
        return given;
    *copy = g_malloc0(today);
    memcpy(*copy, given, given_size);
    if (table != MZ_ABI_DESCRIPTOR)
        memcpy(*copy, &today, sizeof today);
    return *copy;
}
