/*
 * The plugin registry and loader (see plugin_loader.h for the search
 * order), and the public side of it declared in include/modzmq.h.
 *
 * Everything happens under one mutex: lookups are rare (a bind, a connect,
 * a zmq_has), never per message. The registry remembers each module it
 * opened, accepted or refused, so that no file is opened or reported
 * twice, and each scheme nothing serves, so that a missing plugin costs
 * one search and one line on stderr however often it is asked for.
 */
#include <errno.h>
#include <glib.h>
#include <ltdl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modzmq.h"
#include "plugin_loader.h"
#include "plugin_path.h"
#include "plugin_services.h"

enum outcome { LOADED, NOT_FOUND, REFUSED };

struct mz_plugin {
    struct modzmq_core core; /* the plugin's handle in service calls */
    const struct modzmq_plugin *descriptor;
    char *path; /* for modzmq_plugins */
};

/* A scheme nothing serves: why, and whether stderr was told. */
struct missing {
    enum outcome outcome;
    bool reported;
};

static struct {
    pthread_mutex_t lock;
    GPtrArray *plugins;     /* struct mz_plugin *, in lookup order */
    guint registered_count; /* the first ones, given by the application */
    GHashTable *modules;    /* module opened (dir/name) -> enum outcome */
    GHashTable *missing;    /* scheme -> struct missing */
    enum { LTDL_UNTRIED, LTDL_READY, LTDL_FAILED } ltdl;
} registry = { .lock = PTHREAD_MUTEX_INITIALIZER };

/* An op of a kind's table that the core calls, so that may not be NULL. */
struct required_op {
    const char *name;
    size_t offset;
};

static const struct required_op transport_ops[] = {
    { "endpoint_parse", offsetof(struct modzmq_transport_ops, endpoint_parse) },
    { "endpoint_free", offsetof(struct modzmq_transport_ops, endpoint_free) },
    { "listen", offsetof(struct modzmq_transport_ops, listen) },
    { "endpoint_format",
      offsetof(struct modzmq_transport_ops, endpoint_format) },
    { "accept", offsetof(struct modzmq_transport_ops, accept) },
    { "unlisten", offsetof(struct modzmq_transport_ops, unlisten) },
    { "connect_start", offsetof(struct modzmq_transport_ops, connect_start) },
    { "connect_finish", offsetof(struct modzmq_transport_ops, connect_finish) },
    { "peer_address", offsetof(struct modzmq_transport_ops, peer_address) },
};

/* What the core requires of each kind it loads; the other kinds of the
 * SDK get a row here when the core can use them. */
struct kind_rule {
    enum modzmq_plugin_kind kind;
    const char *label;
    size_t min_ops_size;
    const struct required_op *ops;
    size_t op_count;
};

/* Every op of an observer is optional: the table need only hold its size. */
static const struct kind_rule kind_rules[] = {
    { MODZMQ_PLUGIN_TRANSPORT, "transport", sizeof(struct modzmq_transport_ops),
      transport_ops, G_N_ELEMENTS(transport_ops) },
    { MODZMQ_PLUGIN_OBSERVER, "observer", sizeof(size_t), NULL, 0 },
};

static void report(const char *format, ...)
    __attribute__((format(printf, 1, 2)));

/* One line on stderr, in a single write so that threads do not mix. */
static void report(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char *text = g_strdup_vprintf(format, args);
    va_end(args);
    fprintf(stderr, "modzmq: %s\n", text);
    g_free(text);
}

static void registry_prepare(void)
{
    if (registry.plugins != NULL)
        return;
    registry.plugins = g_ptr_array_new();
    registry.modules =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    registry.missing =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

/* libltdl is set up on the first module search, never before: a process
 * that only registers plugins does not need it. */
static bool ltdl_ready(void)
{
    if (registry.ltdl == LTDL_UNTRIED) {
        if (lt_dlinit() == 0) {
            registry.ltdl = LTDL_READY;
        } else {
            registry.ltdl = LTDL_FAILED;
            report("cannot load plugins: libltdl: %s", lt_dlerror());
        }
    }
    return registry.ltdl == LTDL_READY;
}

static const struct kind_rule *kind_rule_of(enum modzmq_plugin_kind kind)
{
    for (size_t i = 0; i < G_N_ELEMENTS(kind_rules); i++) {
        if (kind_rules[i].kind == kind)
            return &kind_rules[i];
    }
    return NULL;
}

/* Why the core cannot use descriptor, written to why; false when it can. */
static bool refused(const struct modzmq_plugin *d, char *why, size_t size)
{
    if (d == NULL) {
        snprintf(why, size, "there is no descriptor");
        return true;
    }
    if (d->abi_major != MODZMQ_SDK_ABI_MAJOR ||
        d->abi_minor > MODZMQ_SDK_ABI_MINOR) {
        snprintf(why, size,
                 "built for SDK ABI %u.%u, this core has %u.%u (the major "
                 "must match, the minor may not be newer)",
                 (unsigned) d->abi_major, (unsigned) d->abi_minor,
                 MODZMQ_SDK_ABI_MAJOR, MODZMQ_SDK_ABI_MINOR);
        return true;
    }
    if (d->name == NULL || d->name[0] == '\0') {
        snprintf(why, size, "its descriptor has no name");
        return true;
    }
    const struct kind_rule *rule = kind_rule_of(d->kind);
    if (rule == NULL) {
        snprintf(why, size, "kind %d is not one this core loads",
                 (int) d->kind);
        return true;
    }
    if (d->serves == NULL || d->serves[0] == NULL) {
        snprintf(why, size, "its serves list is empty");
        return true;
    }
    if (d->ops == NULL) {
        snprintf(why, size, "it has no ops table");
        return true;
    }
    size_t ops_size = *(const size_t *) d->ops;
    if (ops_size < rule->min_ops_size) {
        snprintf(why, size,
                 "its %s ops table is %zu bytes, this core needs at least %zu",
                 rule->label, ops_size, rule->min_ops_size);
        return true;
    }
    for (size_t i = 0; i < rule->op_count; i++) {
        void (*op)(void);
        memcpy(&op, (const char *) d->ops + rule->ops[i].offset, sizeof op);
        if (op == NULL) {
            snprintf(why, size, "its %s op %s is NULL", rule->label,
                     rule->ops[i].name);
            return true;
        }
    }
    return false;
}

static bool serves(const struct modzmq_plugin *d, const char *name)
{
    for (const char *const *s = d->serves; *s != NULL; s++) {
        if (strcmp(*s, name) == 0)
            return true;
    }
    return false;
}

static struct mz_plugin *find_transport(const char *scheme)
{
    for (guint i = 0; i < registry.plugins->len; i++) {
        struct mz_plugin *p = g_ptr_array_index(registry.plugins, i);
        if (p->descriptor->kind == MODZMQ_PLUGIN_TRANSPORT &&
            serves(p->descriptor, scheme))
            return p;
    }
    return NULL;
}

static struct mz_plugin *find_named(const char *name)
{
    for (guint i = 0; i < registry.plugins->len; i++) {
        struct mz_plugin *p = g_ptr_array_index(registry.plugins, i);
        if (strcmp(p->descriptor->name, name) == 0)
            return p;
    }
    return NULL;
}

/* The first observer whose table has a socket_monitor op. */
static struct mz_plugin *find_monitor(void)
{
    size_t needed = offsetof(struct modzmq_observer_ops, socket_monitor) +
                    sizeof(void (*)(void));
    for (guint i = 0; i < registry.plugins->len; i++) {
        struct mz_plugin *p = g_ptr_array_index(registry.plugins, i);
        const struct modzmq_observer_ops *ops = p->descriptor->ops;
        if (p->descriptor->kind == MODZMQ_PLUGIN_OBSERVER &&
            ops->size >= needed && ops->socket_monitor != NULL)
            return p;
    }
    return NULL;
}

static struct mz_plugin *find_descriptor(const struct modzmq_plugin *d)
{
    for (guint i = 0; i < registry.plugins->len; i++) {
        struct mz_plugin *p = g_ptr_array_index(registry.plugins, i);
        if (p->descriptor == d)
            return p;
    }
    return NULL;
}

/* Checks, initialises and records a plugin. where names it in diagnostics
 * and path in modzmq_plugins; module (if any) is closed on refusal. A
 * descriptor already recorded (the same file reached through two names)
 * counts as loaded. */
static enum outcome admit(const struct modzmq_plugin *d, lt_dlhandle module,
                          const char *where, const char *path)
{
    char why[200];
    if (refused(d, why, sizeof why)) {
        report("plugin %s refused: %s", where, why);
        if (module != NULL)
            lt_dlclose(module);
        return REFUSED;
    }
    if (find_descriptor(d) != NULL) {
        if (module != NULL)
            lt_dlclose(module);
        return LOADED;
    }
    struct mz_plugin *p = g_new0(struct mz_plugin, 1);
    p->core.name = d->name;
    p->descriptor = d;
    p->path = g_strdup(path);
    if (d->init != NULL) {
        errno = 0;
        if (d->init(mz_plugin_services(), &p->core) != 0) {
            int error = errno;
            report("plugin %s refused: its init failed (%s)", where,
                   error != 0 ? strerror(error) : "no reason given");
            g_free(p->path);
            g_free(p);
            if (module != NULL)
                lt_dlclose(module);
            return REFUSED;
        }
    }
    if (module == NULL)
        g_ptr_array_insert(registry.plugins, (gint) registry.registered_count++,
                           p);
    else
        g_ptr_array_add(registry.plugins, p);
    return LOADED;
}

typedef const struct modzmq_plugin *(*entry_point)(void);

/* lt_dlopen of a module name (libltdl tries .la, then .so), keeping the
 * plugin's symbols to itself; preloaded: look only among the modules the
 * application linked in with -dlpreopen. */
static lt_dlhandle module_open(const char *name, bool preloaded)
{
    lt_dladvise advise;
    if (lt_dladvise_init(&advise) != 0)
        return NULL;
    lt_dladvise_ext(&advise);
    lt_dladvise_local(&advise);
    if (preloaded)
        lt_dladvise_preload(&advise);
    lt_dlhandle handle = lt_dlopenadvise(name, advise);
    lt_dladvise_destroy(&advise);
    return handle;
}

/* Finds the entry point of an open module and admits its plugin. */
static enum outcome admit_module(lt_dlhandle handle, const char *name,
                                 bool preloaded)
{
    const lt_dlinfo *info = lt_dlgetinfo(handle);
    const char *file =
        info != NULL && info->filename != NULL ? info->filename : name;
    char *where =
        preloaded ? g_strdup_printf("(preloaded) %s", name) : g_strdup(file);
    enum outcome outcome;
    void *entry = lt_dlsym(handle, MODZMQ_PLUGIN_ENTRY_SYMBOL);
    if (entry == NULL) {
        report("plugin %s refused: it has no %s symbol", where,
               MODZMQ_PLUGIN_ENTRY_SYMBOL);
        lt_dlclose(handle);
        outcome = REFUSED;
    } else {
        entry_point get_descriptor = (entry_point) entry;
        outcome = admit(get_descriptor(), handle, where,
                        preloaded ? "(preloaded)" : file);
    }
    g_free(where);
    return outcome;
}

/* Opens module (a preloaded one when dir is NULL) unless it was opened
 * before, and admits its plugin. A module that is not there is
 * NOT_FOUND; one that is there but fails in any way is reported and
 * REFUSED, and never opened again. A module not preloaded is not
 * remembered: the application may still preload it. */
static enum outcome open_module(const char *dir, const char *module)
{
    char *key =
        dir != NULL ? g_strconcat(dir, "/", module, NULL) : g_strdup(module);
    gpointer known;
    if (g_hash_table_lookup_extended(registry.modules, key, NULL, &known)) {
        g_free(key);
        return (enum outcome) GPOINTER_TO_INT(known);
    }
    lt_dlhandle handle = ltdl_ready() ? module_open(key, dir == NULL) : NULL;
    if (handle == NULL && (dir == NULL || !ltdl_ready())) {
        g_free(key);
        return NOT_FOUND;
    }
    enum outcome outcome;
    if (handle == NULL) {
        report("plugin %s refused: cannot load it: %s", key, lt_dlerror());
        outcome = REFUSED;
    } else {
        outcome = admit_module(handle, key, dir == NULL);
    }
    g_hash_table_insert(registry.modules, key, GINT_TO_POINTER(outcome));
    return outcome;
}

/* Keeps the worse of two outcomes of a search: REFUSED over NOT_FOUND. */
static enum outcome worse(enum outcome a, enum outcome b)
{
    return a == REFUSED || b == REFUSED ? REFUSED : NOT_FOUND;
}

/* Opens module: preloaded, else the first file of that name along the
 * search directories that is accepted. */
static enum outcome search_module(const char *module)
{
    enum outcome outcome = open_module(NULL, module);
    if (outcome == LOADED)
        return LOADED;
    char **dirs = mz_plugin_dirs();
    for (char **dir = dirs; *dir != NULL && outcome != LOADED; dir++) {
        if (mz_plugin_module_exists(*dir, module)) {
            enum outcome here = open_module(*dir, module);
            outcome = here == LOADED ? LOADED : worse(outcome, here);
        }
    }
    g_strfreev(dirs);
    return outcome;
}

/* Loads what serves scheme: module modzmq_<scheme>, else the first
 * module in the search directories whose plugin serves it. */
static enum outcome search_scheme(const char *scheme)
{
    if (!mz_plugin_name_valid(scheme))
        return NOT_FOUND;
    char *module = g_strconcat(MZ_PLUGIN_PREFIX, scheme, NULL);
    enum outcome outcome = search_module(module);
    g_free(module);
    if (find_transport(scheme) != NULL)
        return LOADED;
    outcome = outcome == LOADED ? NOT_FOUND : outcome;
    char **dirs = mz_plugin_dirs();
    for (char **dir = dirs; *dir != NULL; dir++) {
        char **modules = mz_plugin_modules(*dir);
        for (char **m = modules; *m != NULL; m++) {
            open_module(*dir, *m);
            if (find_transport(scheme) != NULL) {
                outcome = LOADED;
                break;
            }
        }
        g_strfreev(modules);
        if (outcome == LOADED)
            break;
    }
    g_strfreev(dirs);
    return outcome;
}

/* The one line telling why scheme has no transport. */
static void report_missing(const char *scheme, enum outcome outcome)
{
    if (outcome == REFUSED) {
        report("transport \"%s\" unavailable: its plugin was refused", scheme);
        return;
    }
    if (!mz_plugin_name_valid(scheme)) {
        report("transport \"%s\" unavailable: not a plugin name", scheme);
        return;
    }
    GString *looked = g_string_new(NULL);
    char **dirs = mz_plugin_dirs();
    for (char **dir = dirs; *dir != NULL; dir++) {
        g_string_append_printf(looked, "%s%s/%s%s.so", dir == dirs ? "" : ", ",
                               *dir, MZ_PLUGIN_PREFIX, scheme);
    }
    g_strfreev(dirs);
    report("transport \"%s\" unavailable: no plugin serves it (looked for "
           "%s, or .la, and in the other %s* modules there)",
           scheme, looked->str, MZ_PLUGIN_PREFIX);
    g_string_free(looked, TRUE);
}

/* The transport serving scheme, searching for it the first time it is
 * asked for. loud: report a missing scheme (once). Called locked. */
static struct mz_plugin *lookup_transport(const char *scheme, bool loud)
{
    registry_prepare();
    struct mz_plugin *p = find_transport(scheme);
    if (p != NULL)
        return p;
    struct missing *missing = g_hash_table_lookup(registry.missing, scheme);
    if (missing == NULL) {
        enum outcome outcome = search_scheme(scheme);
        p = find_transport(scheme);
        if (p != NULL)
            return p;
        missing = g_new0(struct missing, 1);
        missing->outcome = outcome;
        g_hash_table_insert(registry.missing, g_strdup(scheme), missing);
    }
    if (loud && !missing->reported) {
        missing->reported = true;
        report_missing(scheme, missing->outcome);
    }
    return NULL;
}

const struct modzmq_transport_ops *mz_plugin_transport(const char *scheme)
{
    struct mz_plugin *p = NULL;
    if (scheme != NULL) {
        pthread_mutex_lock(&registry.lock);
        p = lookup_transport(scheme, true);
        pthread_mutex_unlock(&registry.lock);
    }
    if (p == NULL) {
        errno = EPROTONOSUPPORT;
        return NULL;
    }
    return p->descriptor->ops;
}

bool mz_plugin_transport_available(const char *scheme)
{
    if (scheme == NULL)
        return false;
    pthread_mutex_lock(&registry.lock);
    bool available = lookup_transport(scheme, false) != NULL;
    pthread_mutex_unlock(&registry.lock);
    return available;
}

/* MODZMQ_OBSERVERS: comma-separated observer names, loaded once. */
static void load_observers_once(void)
{
    const char *list = getenv("MODZMQ_OBSERVERS");
    if (list == NULL || list[0] == '\0')
        return;
    char **names = g_strsplit(list, ",", -1);
    for (char **name = names; *name != NULL; name++) {
        char *bare = g_strstrip(*name);
        if (bare[0] != '\0' && modzmq_plugin_load(bare) < 0)
            report("observer \"%s\" from MODZMQ_OBSERVERS not loaded: %s", bare,
                   strerror(errno));
    }
    g_strfreev(names);
}

/* The module that serves zmq_socket_monitor unless another observer
 * already does. */
#define MONITOR_MODULE MZ_PLUGIN_PREFIX "monitor"

const struct modzmq_observer_ops *mz_plugin_monitor(modzmq_core **core)
{
    static bool reported;
    pthread_mutex_lock(&registry.lock);
    registry_prepare();
    struct mz_plugin *p = find_monitor();
    if (p == NULL) {
        search_module(MONITOR_MODULE);
        p = find_monitor();
    }
    if (p == NULL && !reported) {
        reported = true;
        GString *looked = g_string_new(NULL);
        char **dirs = mz_plugin_dirs();
        for (char **dir = dirs; *dir != NULL; dir++)
            g_string_append_printf(looked, "%s%s/%s.so",
                                   dir == dirs ? "" : ", ", *dir,
                                   MONITOR_MODULE);
        g_strfreev(dirs);
        report("socket monitoring unavailable: no observer plugin serves "
               "zmq_socket_monitor (looked for %s, or .la)",
               looked->str);
        g_string_free(looked, TRUE);
    }
    pthread_mutex_unlock(&registry.lock);
    if (p == NULL) {
        errno = ENOTSUP;
        return NULL;
    }
    *core = &p->core;
    return p->descriptor->ops;
}

void mz_plugin_load_observers(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, load_observers_once);
}

int modzmq_plugin_register(const struct modzmq_plugin *plugin)
{
    pthread_mutex_lock(&registry.lock);
    registry_prepare();
    enum outcome outcome = admit(
        plugin, NULL,
        plugin != NULL && plugin->name != NULL ? plugin->name : "(registered)",
        "(static)");
    pthread_mutex_unlock(&registry.lock);
    if (outcome != LOADED) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

/* A scheme is searched afresh (the application may have set
 * MODZMQ_PLUGIN_PATH since), though files already refused stay refused. */
int modzmq_plugin_load(const char *name)
{
    if (name == NULL) {
        errno = EINVAL;
        return -1;
    }
    bool is_module = g_str_has_prefix(name, MZ_PLUGIN_PREFIX);
    const char *bare = is_module ? name + strlen(MZ_PLUGIN_PREFIX) : name;
    if (!mz_plugin_name_valid(bare)) {
        errno = ENOENT;
        return -1;
    }
    pthread_mutex_lock(&registry.lock);
    registry_prepare();
    enum outcome outcome;
    if (is_module) {
        outcome = search_module(name);
    } else if (find_transport(name) != NULL || find_named(name) != NULL) {
        outcome = LOADED;
    } else {
        /* modzmq_<name> may be an observer of that name (MODZMQ_OBSERVERS),
         * which no search for a scheme would count as found. */
        char *module = g_strconcat(MZ_PLUGIN_PREFIX, name, NULL);
        search_module(module);
        g_free(module);
        if (find_named(name) != NULL && find_transport(name) == NULL) {
            outcome = LOADED;
        } else {
            outcome = search_scheme(name);
            if (outcome == LOADED)
                g_hash_table_remove(registry.missing, name);
        }
    }
    pthread_mutex_unlock(&registry.lock);
    if (outcome != LOADED) {
        errno = outcome == REFUSED ? EINVAL : ENOENT;
        return -1;
    }
    return 0;
}

size_t modzmq_plugins(struct modzmq_plugin_info *list, size_t capacity)
{
    if (list == NULL)
        capacity = 0;
    pthread_mutex_lock(&registry.lock);
    registry_prepare();
    size_t count = registry.plugins->len;
    for (size_t i = 0; i < count && i < capacity; i++) {
        const struct mz_plugin *p = g_ptr_array_index(registry.plugins, i);
        list[i] = (struct modzmq_plugin_info){
            .name = p->descriptor->name,
            .kind = (int) p->descriptor->kind,
            .path = p->path,
            .abi_major = p->descriptor->abi_major,
            .abi_minor = p->descriptor->abi_minor,
        };
    }
    pthread_mutex_unlock(&registry.lock);
    return count;
}
