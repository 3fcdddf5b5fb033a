/*
 * CUnit tests for plugins linked into the application with libtool
 * -dlpreopen: once the program sets its preloaded symbols, the loader
 * finds module modzmq_preloaded among them, with no plugin directory
 * holding it, through the public modzmq.h API of libzmq.so.5.
 */
#include <errno.h>
#include <ltdl.h>
#include <stdlib.h>
#include <string.h>

#include "modzmq.h"
#include "testutil.h"
#include "zmq.h"

static void test_found_preloaded(void)
{
    CU_ASSERT_EQUAL(modzmq_plugins(NULL, 0), 0);
    CU_ASSERT_EQUAL(modzmq_plugin_load("preloaded"), 0);
    CU_ASSERT_EQUAL(modzmq_plugin_load("modzmq_preloaded"), 0);
    struct modzmq_plugin_info list[2];
    CU_ASSERT_EQUAL_FATAL(modzmq_plugins(list, 2), 1);
    CU_ASSERT_STRING_EQUAL(list[0].name, "preloaded");
    CU_ASSERT_STRING_EQUAL(list[0].path, "(preloaded)");
    CU_ASSERT_EQUAL(list[0].kind, 1);
}

/* What is not preloaded is still looked for, and not found. */
static void test_others_missing(void)
{
    errno = 0;
    CU_ASSERT_EQUAL(modzmq_plugin_load("modzmq_loopcheck"), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    CU_ASSERT_EQUAL(modzmq_plugins(NULL, 0), 1);
}

int main(void)
{
    LTDL_SET_PRELOADED_SYMBOLS();
    /* Only the preloaded module can serve: no directory of test plugins. */
    setenv("MODZMQ_PLUGIN_PATH", "/nonexistent", 1);
    static const struct test_case tests[] = {
        { "preloaded module found", test_found_preloaded },
        { "others still missing", test_others_missing },
    };
    return test_run_suite("preload", tests, sizeof tests / sizeof tests[0]);
}
