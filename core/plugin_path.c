/*
 * Plugin search directories and the module files in them. A module is
 * known by its libtool name (no extension): libltdl then prefers the .la
 * file, which records the real shared object, and falls back to the .so.
 */
#include <glib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plugin_path.h"

#ifndef MZ_PLUGIN_DIR
#error "MZ_PLUGIN_DIR must name the installed plugin directory"
#endif

static const char *const module_suffixes[] = { ".la", ".so" };

char **mz_plugin_dirs(void)
{
    GPtrArray *dirs = g_ptr_array_new();
    const char *path = getenv("MODZMQ_PLUGIN_PATH");
    if (path != NULL) {
        char **parts = g_strsplit(path, ":", -1);
        for (char **part = parts; *part != NULL; part++) {
            if (**part != '\0')
                g_ptr_array_add(dirs, g_strdup(*part));
        }
        g_strfreev(parts);
    }
    g_ptr_array_add(dirs, g_strdup(MZ_PLUGIN_DIR));
    g_ptr_array_add(dirs, NULL);
    return (char **) g_ptr_array_free(dirs, FALSE);
}

/* The module name of a directory entry, or NULL when the entry is not a
 * module file. */
static char *module_of_entry(const char *entry)
{
    if (!g_str_has_prefix(entry, MZ_PLUGIN_PREFIX))
        return NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(module_suffixes); i++) {
        if (!g_str_has_suffix(entry, module_suffixes[i]))
            continue;
        char *module =
            g_strndup(entry, strlen(entry) - strlen(module_suffixes[i]));
        if (mz_plugin_name_valid(module + strlen(MZ_PLUGIN_PREFIX)))
            return module;
        g_free(module);
        return NULL;
    }
    return NULL;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *) a, *(char *const *) b);
}

char **mz_plugin_modules(const char *dir)
{
    GPtrArray *modules = g_ptr_array_new();
    GDir *handle = g_dir_open(dir, 0, NULL);
    if (handle != NULL) {
        const char *entry;
        while ((entry = g_dir_read_name(handle)) != NULL) {
            char *module = module_of_entry(entry);
            if (module != NULL)
                g_ptr_array_add(modules, module);
        }
        g_dir_close(handle);
    }
    g_ptr_array_sort(modules, compare_names);
    /* modzmq_x.la and modzmq_x.so are one module: keep the first. */
    guint kept = 0;
    for (guint i = 0; i < modules->len; i++) {
        char *module = g_ptr_array_index(modules, i);
        if (kept > 0 &&
            strcmp(g_ptr_array_index(modules, kept - 1), module) == 0) {
            g_free(module);
            continue;
        }
        g_ptr_array_index(modules, kept++) = module;
    }
    g_ptr_array_set_size(modules, kept);
    g_ptr_array_add(modules, NULL);
    return (char **) g_ptr_array_free(modules, FALSE);
}

bool mz_plugin_module_exists(const char *dir, const char *module)
{
    for (size_t i = 0; i < G_N_ELEMENTS(module_suffixes); i++) {
        char *file = g_strconcat(dir, "/", module, module_suffixes[i], NULL);
        bool found = access(file, F_OK) == 0;
        g_free(file);
        if (found)
            return true;
    }
    return false;
}

bool mz_plugin_name_valid(const char *name)
{
    size_t length = 0;
    for (const char *c = name; *c != '\0'; c++, length++) {
        if (length == 64)
            return false;
        if (!g_ascii_isalnum(*c) && *c != '_' && *c != '-' && *c != '+')
            return false;
    }
    return length > 0;
}
