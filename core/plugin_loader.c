/*
 * The plugin registry and loader (see plugin_loader.h for the search
 * order), and the public side of it declared in include/modzmq.h.
 *
 * Everything happens under one mutex: lookups are rare (a bind, a connect,
 * a zmq_has), never per message. The registry remembers each module it
 * opened, accepted or refused, so that no file is opened or reported
 * twice, and each scheme nothing serves, so that a missing plugin costs
 * one search and one line on stderr however often it is asked for.
 *
 * A plugin's init runs with the mutex released, so that it may call
 * zmq_has or load another plugin. While it runs the plugin is "starting":
 * another thread that reaches it waits until init is over, the thread
 * running init does not see it (its own schemes are not there yet).
 *
 * The core sees each plugin's descriptor and ops in today's layout,
 * copied when the plugin's release had them smaller (plugin_abi.h), so
 * that nothing past the loader needs to know which release a plugin was
 * built for.
 */
#include <errno.h>
#include <glib.h>
#include <ltdl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <modzmq/curve.h>

#include "modzmq.h"
#include "plugin_abi.h"
#include "plugin_loader.h"
#include "plugin_path.h"
#include "plugin_services.h"

/* STARTING: the module's plugin is in its init on this very thread (a
 * search from inside init reached it); counts as not found, and is not
 * remembered. */
enum outcome { LOADED, NOT_FOUND, REFUSED, STARTING };

struct mz_plugin {
    struct modzmq_core core; /* the plugin's handle in service calls */
    const struct modzmq_plugin *given; /* the descriptor as exported */
    /* The descriptor and ops in today's layout (what the plugin's release
     * lacked is NULL): the plugin's own, or copies when its release's
     * were smaller (then descriptor->ops may still be the plugin's own
     * table: use ops). */
    const struct modzmq_plugin *descriptor;
    const void *ops;
    void *descriptor_copy, *ops_copy; /* NULL: nothing copied */
    /* CURVE's key functions when the plugin has them (its curve-keys
     * extension, or the reserved slots of a 1.1 mechanism table). */
    struct modzmq_curve_keys curve_keys;
    char *path;        /* for modzmq_plugins */
    pthread_t starter; /* the thread running init, while starting */
};

/* A scheme or mechanism nothing serves: why, and whether stderr was told. */
struct missing {
    enum outcome outcome;
    bool reported;
};

static struct {
    pthread_mutex_t lock;
    pthread_cond_t started; /* a starting plugin's init returned */
    GPtrArray *plugins;     /* struct mz_plugin *, in lookup order */
    GPtrArray *starting;    /* struct mz_plugin *, in their init */
    guint registered_count; /* the first ones, given by the application */
    GHashTable *modules;    /* module opened (dir/name) -> enum outcome */
    GHashTable *missing;    /* "<kind>:<name>" -> struct missing */
    enum { LTDL_UNTRIED, LTDL_READY, LTDL_FAILED } ltdl;
} registry = { .lock = PTHREAD_MUTEX_INITIALIZER,
               .started = PTHREAD_COND_INITIALIZER };

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
    /* peer_address is optional: without it, no Peer-Address property. */
};

static const struct required_op mechanism_ops[] = {
    { "session_new", offsetof(struct modzmq_mechanism_ops, session_new) },
    { "session_free", offsetof(struct modzmq_mechanism_ops, session_free) },
    { "next_command", offsetof(struct modzmq_mechanism_ops, next_command) },
    { "process_command",
      offsetof(struct modzmq_mechanism_ops, process_command) },
    { "status", offsetof(struct modzmq_mechanism_ops, status) },
    { "zap_accepted", offsetof(struct modzmq_mechanism_ops, zap_accepted) },
};

static const struct required_op engine_transport_ops[] = {
    { "endpoint_parse",
      offsetof(struct modzmq_engine_transport_ops, endpoint_parse) },
    { "endpoint_free",
      offsetof(struct modzmq_engine_transport_ops, endpoint_free) },
    { "endpoint_format",
      offsetof(struct modzmq_engine_transport_ops, endpoint_format) },
    { "listen", offsetof(struct modzmq_engine_transport_ops, listen) },
    { "unlisten", offsetof(struct modzmq_engine_transport_ops, unlisten) },
    { "connect", offsetof(struct modzmq_engine_transport_ops, connect) },
    { "link_output",
      offsetof(struct modzmq_engine_transport_ops, link_output) },
    { "link_input", offsetof(struct modzmq_engine_transport_ops, link_input) },
    { "link_close", offsetof(struct modzmq_engine_transport_ops, link_close) },
};

/* What the core requires of each kind it loads: the ops it calls without
 * checking. The smallest table it accepts is that of the oldest release
 * with the kind (plugin_abi.h); what came later is optional. */
struct kind_rule {
    enum modzmq_plugin_kind kind;
    const char *label;
    const struct required_op *ops;
    size_t op_count;
};

/* Every op of an observer is optional: the table need only hold its size. */
static const struct kind_rule kind_rules[] = {
    { MODZMQ_PLUGIN_TRANSPORT, "transport", transport_ops,
      G_N_ELEMENTS(transport_ops) },
    { MODZMQ_PLUGIN_MECHANISM, "mechanism", mechanism_ops,
      G_N_ELEMENTS(mechanism_ops) },
    { MODZMQ_PLUGIN_ENGINE_TRANSPORT, "own-engine transport",
      engine_transport_ops, G_N_ELEMENTS(engine_transport_ops) },
    { MODZMQ_PLUGIN_OBSERVER, "observer", NULL, 0 },
};

static void report(const char *format, ...)
    __attribute__((format(printf, 1, 2)));

/* One line on stderr, in a single write so that threads do not mix; a
 * warning, as MODZMQ_LOG sees it. */
static void report(const char *format, ...)
{
    if (!mz_log_wanted(MODZMQ_LOG_WARNING))
        return;
    va_list args;
    va_start(args, format);
    char *text = g_strdup_vprintf(format, args);
    va_end(args);
    fprintf(stderr, "modzmq: %s\n", text);
    g_free(text);
}

/* The library is being unloaded (exit, or dlclose of libzmq): every
 * plugin's fini, in the reverse of lookup order, outside the lock so that
 * a fini may still ask the registry. Skipped when another thread holds
 * the registry (in a lookup, or taken when this process forked). */
static void registry_unload(void)
{
    if (pthread_mutex_trylock(&registry.lock) != 0)
        return;
    GPtrArray *plugins = registry.plugins;
    guint count = plugins != NULL ? plugins->len : 0;
    typedef void (*fini_fn)(void);
    fini_fn *finis = g_new0(fini_fn, count + 1);
    for (guint i = 0; i < count; i++) {
        const struct mz_plugin *p = g_ptr_array_index(plugins, count - 1 - i);
        finis[i] = p->descriptor->fini;
    }
    pthread_mutex_unlock(&registry.lock);
    /* The records stay: an I/O thread of a context never terminated may
     * still hold their ops. */
    for (guint i = 0; i < count; i++) {
        if (finis[i] != NULL)
            finis[i]();
    }
    g_free(finis);
}

static void registry_prepare(void)
{
    if (registry.plugins != NULL)
        return;
    atexit(registry_unload);
    registry.plugins = g_ptr_array_new();
    registry.starting = g_ptr_array_new();
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
    enum mz_abi_table table = mz_abi_ops_table(d->kind);
    if (d->abi_minor < mz_abi_table_since(table)) {
        snprintf(why, size,
                 "it is a %s built for SDK ABI %u.%u, and %ss came with %u.%u",
                 rule->label, (unsigned) d->abi_major, (unsigned) d->abi_minor,
                 rule->label, MODZMQ_SDK_ABI_MAJOR, mz_abi_table_since(table));
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
    size_t oldest = mz_abi_oldest_size(table);
    if (ops_size < oldest) {
        snprintf(why, size,
                 "its %s ops table is %zu bytes, this core needs at least %zu "
                 "(the table of SDK ABI %u.%u)",
                 rule->label, ops_size, oldest, MODZMQ_SDK_ABI_MAJOR,
                 mz_abi_table_since(table));
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

/* Whether a plugin of kind have answers a search for kind want: a scheme
 * is served by a stream or an own-engine transport alike. */
static bool kind_matches(enum modzmq_plugin_kind have,
                         enum modzmq_plugin_kind want)
{
    if (want == MODZMQ_PLUGIN_TRANSPORT)
        return have == MODZMQ_PLUGIN_TRANSPORT ||
               have == MODZMQ_PLUGIN_ENGINE_TRANSPORT;
    return have == want;
}

/* The plugin of kind serving name (a scheme, a mechanism name). */
static struct mz_plugin *find_serving(enum modzmq_plugin_kind kind,
                                      const char *name)
{
    for (guint i = 0; i < registry.plugins->len; i++) {
        struct mz_plugin *p = g_ptr_array_index(registry.plugins, i);
        if (kind_matches(p->descriptor->kind, kind) &&
            serves(p->descriptor, name))
            return p;
    }
    return NULL;
}

/* Whether a plugin of kind serving name is in its init on another
 * thread (its lookups wait for it). */
static bool starting_elsewhere(enum modzmq_plugin_kind kind, const char *name)
{
    for (guint i = 0; i < registry.starting->len; i++) {
        struct mz_plugin *p = g_ptr_array_index(registry.starting, i);
        if (kind_matches(p->descriptor->kind, kind) &&
            serves(p->descriptor, name) &&
            !pthread_equal(p->starter, pthread_self()))
            return true;
    }
    return false;
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

/* The first observer with a socket_monitor op. */
static struct mz_plugin *find_monitor(void)
{
    for (guint i = 0; i < registry.plugins->len; i++) {
        struct mz_plugin *p = g_ptr_array_index(registry.plugins, i);
        const struct modzmq_observer_ops *ops = p->ops;
        if (p->descriptor->kind == MODZMQ_PLUGIN_OBSERVER &&
            ops->socket_monitor != NULL)
            return p;
    }
    return NULL;
}

static struct mz_plugin *find_given(GPtrArray *plugins,
                                    const struct modzmq_plugin *d)
{
    for (guint i = 0; i < plugins->len; i++) {
        struct mz_plugin *p = g_ptr_array_index(plugins, i);
        if (p->given == d)
            return p;
    }
    return NULL;
}

static void plugin_free(struct mz_plugin *p)
{
    g_free(p->descriptor_copy);
    g_free(p->ops_copy);
    g_free(p->path);
    g_free(p);
}

/* The extension called name among the (copied) descriptor's, or NULL. */
static const void *extension_of(const struct modzmq_plugin *d, const char *name)
{
    for (const struct modzmq_extension *x = d->extensions;
         x != NULL && x->name != NULL; x++) {
        if (strcmp(x->name, name) == 0)
            return x->table;
    }
    return NULL;
}

/* The plugin record for d, its tables copied into today's layout, with
 * CURVE's key functions where it has them; NULL with the reason in why
 * when an extension it offers is too small to use. */
static struct mz_plugin *plugin_new(const struct modzmq_plugin *d,
                                    const char *path, char *why, size_t size)
{
    struct mz_plugin *p = g_new0(struct mz_plugin, 1);
    p->given = d;
    p->descriptor =
        mz_abi_today(MZ_ABI_DESCRIPTOR, d,
                     mz_abi_table_size(MZ_ABI_DESCRIPTOR, d->abi_minor),
                     &p->descriptor_copy);
    enum mz_abi_table table = mz_abi_ops_table(d->kind);
    p->ops =
        mz_abi_today(table, d->ops, *(const size_t *) d->ops, &p->ops_copy);
    p->core.name = p->descriptor->name;
    p->path = g_strdup(path);
    if (d->kind != MODZMQ_PLUGIN_MECHANISM)
        return p;
    const struct modzmq_curve_keys *keys =
        extension_of(p->descriptor, MODZMQ_CURVE_KEYS);
    if (keys != NULL && keys->size < mz_abi_oldest_size(MZ_ABI_CURVE_KEYS)) {
        snprintf(why, size,
                 "its %s extension is %zu bytes, this core needs "
                 "at least %zu",
                 MODZMQ_CURVE_KEYS, keys->size,
                 mz_abi_oldest_size(MZ_ABI_CURVE_KEYS));
        plugin_free(p);
        return NULL;
    }
    if (keys != NULL) {
        memcpy(&p->curve_keys, keys, sizeof p->curve_keys);
    } else if (d->abi_minor < 2) {
        /* A 1.1 table's reserved slots were CURVE's key functions. */
        const struct modzmq_mechanism_ops *ops = p->ops;
        p->curve_keys.keypair = (int (*)(char *, char *)) ops->reserved_1_1[0];
        p->curve_keys.public_key =
            (int (*)(char *, const char *)) ops->reserved_1_1[1];
    }
    return p;
}

/* Waits, locked, while the plugin of d is starting on another thread.
 * LOADED once it is in the registry, REFUSED when its init failed,
 * STARTING when it is starting on this thread, NOT_FOUND when d is new. */
static enum outcome wait_started(const struct modzmq_plugin *d)
{
    for (;;) {
        if (find_given(registry.plugins, d) != NULL)
            return LOADED;
        struct mz_plugin *p = find_given(registry.starting, d);
        if (p == NULL)
            return NOT_FOUND;
        if (pthread_equal(p->starter, pthread_self()))
            return STARTING;
        pthread_cond_wait(&registry.started, &registry.lock);
        /* The plugin is no longer starting: in the registry, or refused. */
        if (find_given(registry.starting, d) == NULL)
            return find_given(registry.plugins, d) != NULL ? LOADED : REFUSED;
    }
}

/* Checks, initialises and records a plugin; called locked, and unlocks
 * while its init runs. where names it in diagnostics and path in
 * modzmq_plugins; module (if any) is closed unless it is LOADED anew. A
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
    enum outcome known = wait_started(d);
    if (known != NOT_FOUND) {
        if (module != NULL)
            lt_dlclose(module);
        return known;
    }
    struct mz_plugin *p = plugin_new(d, path, why, sizeof why);
    if (p == NULL) {
        report("plugin %s refused: %s", where, why);
        if (module != NULL)
            lt_dlclose(module);
        return REFUSED;
    }
    if (d->init != NULL) {
        p->starter = pthread_self();
        g_ptr_array_add(registry.starting, p);
        pthread_mutex_unlock(&registry.lock);
        errno = 0;
        int rc = d->init(mz_plugin_services(), &p->core);
        int error = errno;
        pthread_mutex_lock(&registry.lock);
        g_ptr_array_remove(registry.starting, p);
        if (rc != 0) {
            report("plugin %s refused: its init failed (%s)", where,
                   error != 0 ? strerror(error) : "no reason given");
            plugin_free(p);
            if (module != NULL)
                lt_dlclose(module);
            pthread_cond_broadcast(&registry.started);
            return REFUSED;
        }
    }
    if (module == NULL)
        g_ptr_array_insert(registry.plugins, (gint) registry.registered_count++,
                           p);
    else
        g_ptr_array_add(registry.plugins, p);
    pthread_cond_broadcast(&registry.started);
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
    if (outcome == STARTING) {
        /* Opened from its own init: the outer admission decides. */
        g_free(key);
        return NOT_FOUND;
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

/* The module named after what a plugin serves: "modzmq_tcp" for the
 * scheme tcp, "modzmq_plain" for the mechanism PLAIN. */
static char *module_for(const char *name)
{
    char *lower = g_ascii_strdown(name, -1);
    char *module = g_strconcat(MZ_PLUGIN_PREFIX, lower, NULL);
    g_free(lower);
    return module;
}

/* Loads what serves name (of kind): the module named after it, else the
 * first module in the search directories whose plugin serves it. */
static enum outcome search_name(enum modzmq_plugin_kind kind, const char *name)
{
    if (!mz_plugin_name_valid(name))
        return NOT_FOUND;
    char *module = module_for(name);
    enum outcome outcome = search_module(module);
    g_free(module);
    if (find_serving(kind, name) != NULL)
        return LOADED;
    outcome = outcome == LOADED ? NOT_FOUND : outcome;
    char **dirs = mz_plugin_dirs();
    for (char **dir = dirs; *dir != NULL; dir++) {
        char **modules = mz_plugin_modules(*dir);
        for (char **m = modules; *m != NULL; m++) {
            open_module(*dir, *m);
            if (find_serving(kind, name) != NULL) {
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

static const char *kind_label(enum modzmq_plugin_kind kind)
{
    const struct kind_rule *rule = kind_rule_of(kind);
    return rule != NULL ? rule->label : "plugin";
}

/* The one line telling why name has no plugin of kind. */
static void report_missing(enum modzmq_plugin_kind kind, const char *name,
                           enum outcome outcome)
{
    const char *label = kind_label(kind);
    if (outcome == REFUSED) {
        report("%s \"%s\" unavailable: its plugin was refused", label, name);
        return;
    }
    if (!mz_plugin_name_valid(name)) {
        report("%s \"%s\" unavailable: not a plugin name", label, name);
        return;
    }
    char *module = module_for(name);
    GString *looked = g_string_new(NULL);
    char **dirs = mz_plugin_dirs();
    for (char **dir = dirs; *dir != NULL; dir++) {
        g_string_append_printf(looked, "%s%s/%s.so", dir == dirs ? "" : ", ",
                               *dir, module);
    }
    g_strfreev(dirs);
    report("%s \"%s\" unavailable: no plugin serves it (looked for "
           "%s, or .la, and in the other %s* modules there)",
           label, name, looked->str, MZ_PLUGIN_PREFIX);
    g_string_free(looked, TRUE);
    g_free(module);
}

/* The plugin of kind serving name, searching for it the first time it is
 * asked for. loud: report a missing one (once). Called locked. */
static struct mz_plugin *lookup(enum modzmq_plugin_kind kind, const char *name,
                                bool loud)
{
    registry_prepare();
    struct mz_plugin *p;
    while ((p = find_serving(kind, name)) == NULL &&
           starting_elsewhere(kind, name))
        pthread_cond_wait(&registry.started, &registry.lock);
    if (p != NULL)
        return p;
    char *key = g_strdup_printf("%d:%s", (int) kind, name);
    struct missing *missing = g_hash_table_lookup(registry.missing, key);
    if (missing == NULL) {
        enum outcome outcome = search_name(kind, name);
        p = find_serving(kind, name);
        if (p != NULL) {
            g_free(key);
            return p;
        }
        /* Another search may have ended while an init ran unlocked. */
        missing = g_hash_table_lookup(registry.missing, key);
        if (missing == NULL) {
            missing = g_new0(struct missing, 1);
            missing->outcome = outcome;
            g_hash_table_insert(registry.missing, g_strdup(key), missing);
        }
    }
    g_free(key);
    if (loud && !missing->reported) {
        missing->reported = true;
        report_missing(kind, name, missing->outcome);
    }
    return NULL;
}

/* The plugin of kind serving name, or NULL. */
static const struct mz_plugin *lookup_plugin(enum modzmq_plugin_kind kind,
                                             const char *name, bool loud)
{
    if (name == NULL)
        return NULL;
    pthread_mutex_lock(&registry.lock);
    struct mz_plugin *p = lookup(kind, name, loud);
    pthread_mutex_unlock(&registry.lock);
    return p;
}

/* The ops of the plugin of kind serving name, or NULL. */
static const void *lookup_ops(enum modzmq_plugin_kind kind, const char *name,
                              bool loud)
{
    const struct mz_plugin *p = lookup_plugin(kind, name, loud);
    return p != NULL ? p->ops : NULL;
}

int mz_plugin_find_transport(const char *scheme, struct mz_transport *found)
{
    const struct mz_plugin *p =
        lookup_plugin(MODZMQ_PLUGIN_TRANSPORT, scheme, true);
    if (p == NULL) {
        errno = EPROTONOSUPPORT;
        return -1;
    }
    *found = (struct mz_transport){ NULL, NULL };
    if (p->descriptor->kind == MODZMQ_PLUGIN_ENGINE_TRANSPORT)
        found->engine = p->ops;
    else
        found->stream = p->ops;
    return 0;
}

const struct modzmq_transport_ops *mz_plugin_transport(const char *scheme)
{
    struct mz_transport found;
    if (mz_plugin_find_transport(scheme, &found) < 0)
        return NULL;
    if (found.stream == NULL)
        errno = EPROTONOSUPPORT;
    return found.stream;
}

bool mz_plugin_transport_available(const char *scheme)
{
    return lookup_ops(MODZMQ_PLUGIN_TRANSPORT, scheme, false) != NULL;
}

const struct modzmq_mechanism_ops *mz_plugin_mechanism(const char *name)
{
    const struct modzmq_mechanism_ops *ops =
        lookup_ops(MODZMQ_PLUGIN_MECHANISM, name, true);
    if (ops == NULL)
        errno = EINVAL;
    return ops;
}

bool mz_plugin_mechanism_available(const char *name)
{
    return lookup_ops(MODZMQ_PLUGIN_MECHANISM, name, false) != NULL;
}

const struct modzmq_curve_keys *mz_plugin_curve_keys(void)
{
    pthread_mutex_lock(&registry.lock);
    struct mz_plugin *p = lookup(MODZMQ_PLUGIN_MECHANISM, "CURVE", false);
    pthread_mutex_unlock(&registry.lock);
    return p != NULL ? &p->curve_keys : NULL;
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
    return p->ops;
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
    } else if (find_serving(MODZMQ_PLUGIN_TRANSPORT, name) != NULL ||
               find_named(name) != NULL) {
        outcome = LOADED;
    } else {
        /* modzmq_<name> may be a mechanism or an observer of that name,
         * which no search for a scheme would count as found. */
        char *module = g_strconcat(MZ_PLUGIN_PREFIX, name, NULL);
        search_module(module);
        g_free(module);
        if (find_named(name) != NULL) {
            outcome = LOADED;
        } else {
            outcome = search_name(MODZMQ_PLUGIN_TRANSPORT, name);
            if (outcome == LOADED) {
                char *key =
                    g_strdup_printf("%d:%s", MODZMQ_PLUGIN_TRANSPORT, name);
                g_hash_table_remove(registry.missing, key);
                g_free(key);
            }
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
