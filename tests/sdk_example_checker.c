/*
 * For tests/check_sdk_example.sh: checks that libzmq.so.5, through its
 * public modzmq.h API only, loads the example transport that the script
 * built out of tree, from the directory MODZMQ_PLUGIN_PATH names. Prints
 * what is wrong and exits 1, or exits 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modzmq.h"
#include "zmq.h"

static int fail(const char *what)
{
    fprintf(stderr, "sdk example: %s (errno %d: %s)\n", what, errno,
            strerror(errno));
    return 1;
}

int main(void)
{
    const char *dir = getenv("MODZMQ_PLUGIN_PATH");
    if (dir == NULL || *dir == '\0')
        return fail("MODZMQ_PLUGIN_PATH is not set");
    if (modzmq_plugins(NULL, 0) != 0)
        return fail("plugins loaded before any was asked for");
    if (modzmq_plugin_load("unixstream") != 0)
        return fail("modzmq_plugin_load(\"unixstream\") failed");
    if (modzmq_plugin_load("modzmq_unixstream") != 0)
        return fail("modzmq_plugin_load(\"modzmq_unixstream\") failed");

    struct modzmq_plugin_info list[4];
    size_t count = modzmq_plugins(list, 4);
    if (count != 1)
        return fail("modzmq_plugins does not list exactly one plugin");
    if (strcmp(list[0].name, "unixstream") != 0 || list[0].kind != 1)
        return fail("the plugin listed is not the unixstream transport");
    if (strncmp(list[0].path, dir, strlen(dir)) != 0 ||
        strstr(list[0].path, "modzmq_unixstream") == NULL)
        return fail("the plugin was not loaded from MODZMQ_PLUGIN_PATH");
    printf("loaded %s (SDK ABI %u.%u) from %s\n", list[0].name,
           list[0].abi_major, list[0].abi_minor, list[0].path);

    /* A transport zmq_has does not know stays unknown to it. */
    if (zmq_has("unixstream") != 0)
        return fail("zmq_has answers for a scheme that is no capability");
    return 0;
}
