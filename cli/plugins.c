/*
 * What plugins are installed, loadable, and why not (see plugins.h).
 *
 * The core says why it refuses a plugin on stderr only, once; so the
 * tool loads each module with stderr sent to a temporary file, and
 * prints that line as the reason. Output, one module a line:
 *   modzmq_tcp  loaded   transport  abi 1.3  /usr/lib/.../modzmq_tcp.so
 *   modzmq_bad  refused  <the core's reason, e.g. "built for SDK ABI 2.0,
 *                         this core has 1.2 (...)">
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <modzmq.h>

#include "plugins.h"
#include "report.h"

/* MZ_PLUGIN_DIR, the installed plugin directory, comes from the build
 * (Makefile.am's AM_CPPFLAGS), as the core's does. */

static const char *kind_name(int kind)
{
    static const char *const names[] = { "?", "transport", "mechanism",
                                         "observer", "engine-transport" };
    return kind >= 1 && kind <= 4 ? names[kind] : names[0];
}

/* The module names ("modzmq_tcp") of one directory, added to names. */
static void scan(const char *dir, char ***names, size_t *count)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL) {
        const char *name = entry->d_name;
        size_t length = strlen(name);
        if (strncmp(name, "modzmq_", 7) != 0)
            continue;
        if (length > 3 && strcmp(name + length - 3, ".la") == 0)
            length -= 3;
        else if (length > 3 && strcmp(name + length - 3, ".so") == 0)
            length -= 3;
        else
            continue;
        bool seen = false;
        for (size_t i = 0; i < *count && !seen; i++)
            seen = strlen((*names)[i]) == length &&
                   strncmp((*names)[i], name, length) == 0;
        if (seen)
            continue;
        *names = realloc(*names, (*count + 1) * sizeof **names);
        if (*names == NULL || ((*names)[*count] = strndup(name, length)) == NULL)
            abort();
        (*count)++;
    }
    closedir(d);
}

/* Loads module; its refusal, if any, in why (the core's stderr line). */
static int load_capturing(const char *module, char *why, size_t size)
{
    why[0] = '\0';
    FILE *capture = tmpfile();
    int saved = dup(2);
    fflush(stderr);
    if (capture != NULL && saved >= 0)
        dup2(fileno(capture), 2);
    int result = modzmq_plugin_load(module);
    int error = errno;
    fflush(stderr);
    if (saved >= 0) {
        dup2(saved, 2);
        close(saved);
    }
    if (capture != NULL) {
        rewind(capture);
        if (fgets(why, (int) size, capture) != NULL)
            why[strcspn(why, "\n")] = '\0';
        fclose(capture);
    }
    errno = error;
    return result;
}

/* The core's line without its "modzmq: plugin PATH refused: " head. */
static const char *reason(const char *why)
{
    const char *after = strstr(why, " refused: ");
    if (after != NULL)
        return after + strlen(" refused: ");
    return why[0] != '\0' ? why : strerror(errno);
}

static void print_loaded(const char *module)
{
    size_t count = modzmq_plugins(NULL, 0);
    struct modzmq_plugin_info *list = calloc(count + 1, sizeof *list);
    if (list == NULL)
        abort();
    count = modzmq_plugins(list, count);
    for (size_t i = 0; i < count; i++) {
        const char *base = strrchr(list[i].path, '/');
        base = base != NULL ? base + 1 : list[i].path;
        size_t length = strlen(module);
        /* modzmq_tcp.so or modzmq_tcp.la, never modzmq_tcpx.so */
        if (strncmp(base, module, length) == 0 &&
            (base[length] == '.' || base[length] == '\0')) {
            printf("%-18s loaded   %-16s abi %u.%u  %s\n", module,
                   kind_name(list[i].kind), list[i].abi_major,
                   list[i].abi_minor, list[i].path);
        }
    }
    free(list);
}

int cli_plugins_command(const struct cli_options *o)
{
    (void) o;
    char **names = NULL;
    size_t count = 0;
    const char *path = getenv("MODZMQ_PLUGIN_PATH");
    char *dirs = strdup(path != NULL ? path : "");
    if (dirs == NULL)
        abort();
    for (char *save = NULL, *dir = strtok_r(dirs, ":", &save); dir != NULL;
         dir = strtok_r(NULL, ":", &save))
        scan(dir, &names, &count);
    free(dirs);
    scan(MZ_PLUGIN_DIR, &names, &count);
    if (count == 0)
        cli_note("no plugin in MODZMQ_PLUGIN_PATH nor in %s", MZ_PLUGIN_DIR);
    for (size_t i = 0; i < count; i++) {
        char why[1024];
        if (load_capturing(names[i], why, sizeof why) == 0)
            print_loaded(names[i]);
        else
            printf("%-18s %-8s %s\n", names[i],
                   errno == ENOENT ? "missing" : "refused", reason(why));
        free(names[i]);
    }
    free(names);
    return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_RUNTIME;
}
