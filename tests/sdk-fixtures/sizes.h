/*
 * The size of every SDK table as one frozen release's headers lay it out
 * (tests/sdk-fixtures/<release>/), for the suite to hold against the
 * sizes the loader believes (core/plugin_abi.c). sizes.c, compiled once
 * per release against that release's headers, fills one of these; a table
 * the release did not have is 0. Nothing here includes the SDK, so the
 * suite can see every release at once.
 */
#ifndef TEST_SDK_FIXTURE_SIZES_H
#define TEST_SDK_FIXTURE_SIZES_H

#include <stddef.h>

struct fixture_sizes {
    unsigned minor; /* MODZMQ_SDK_ABI_MINOR of those headers */
    size_t descriptor;
    size_t services;
    size_t transport;
    size_t mechanism;
    size_t observer;
    size_t engine_transport;
};

extern const struct fixture_sizes fixture_sizes_1_0;
extern const struct fixture_sizes fixture_sizes_1_1;
extern const struct fixture_sizes fixture_sizes_1_2;

#endif
