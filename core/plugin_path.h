/*
 * Where plugin module files are: the directories to search and the
 * modzmq_* modules each holds.
 */
#ifndef MZ_PLUGIN_PATH_H
#define MZ_PLUGIN_PATH_H

#include <stdbool.h>

/* Every module file is named with this prefix: "modzmq_tcp". */
#define MZ_PLUGIN_PREFIX "modzmq_"

/* The directories to search, in order: those of MODZMQ_PLUGIN_PATH (read
 * now, empty entries skipped), then the installed plugin directory.
 * NULL-terminated; free with g_strfreev. */
char **mz_plugin_dirs(void);

/* The module names found in dir, sorted and without repeats: "modzmq_tcp"
 * for a modzmq_tcp.la or modzmq_tcp.so there. NULL-terminated (empty when
 * dir cannot be read); free with g_strfreev. */
char **mz_plugin_modules(const char *dir);

/* True when dir holds module (module.la or module.so). */
bool mz_plugin_module_exists(const char *dir, const char *module);

/* True when name may form part of a module file name: 1 to 64 letters,
 * digits, '_', '-' or '+'. Keeps a scheme from naming a file elsewhere. */
bool mz_plugin_name_valid(const char *name);

#endif
