/*
 * CUnit tests for the plugin loader: lazy loading from MODZMQ_PLUGIN_PATH,
 * the refusals (ABI major, short ops table, no entry symbol, failed init)
 * with their diagnostics, the scan for a scheme served by a module of
 * another name, missing schemes, static registration, modzmq_plugins and
 * zmq_has; then what the SDK promises of the loader: the release rules
 * of each kind, an optional peer_address, an init that calls zmq_has,
 * the MODZMQ_LOG level and fini at exit (these two in a child process,
 * this program run again). The plugins are the small modules of
 * tests/plugins/ and descriptors registered from here.
 *
 * The registry lives as long as the process, so the tests build on each
 * other and run in the order listed.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <modzmq/curve.h>

#include "modzmq.h"
#include "plugin_loader.h"
#include "plugin_services.h"
#include "plugins/parse_only.h"
#include "testutil.h"
#include "zmq.h"

/* stderr, redirected to a temporary file while a call runs. */
struct capture {
    int saved_fd;
    FILE *file;
    char text[4096];
};

static void capture_begin(struct capture *c)
{
    fflush(stderr);
    c->file = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(c->file);
    c->saved_fd = dup(STDERR_FILENO);
    CU_ASSERT_FATAL(c->saved_fd >= 0);
    CU_ASSERT_FATAL(dup2(fileno(c->file), STDERR_FILENO) >= 0);
}

/* Restores stderr and returns what was written meanwhile. */
static const char *capture_end(struct capture *c)
{
    fflush(stderr);
    dup2(c->saved_fd, STDERR_FILENO);
    close(c->saved_fd);
    rewind(c->file);
    size_t length = fread(c->text, 1, sizeof c->text - 1, c->file);
    c->text[length] = '\0';
    fclose(c->file);
    return c->text;
}

static int line_count(const char *text)
{
    int lines = 0;
    for (const char *c = text; *c != '\0'; c++)
        lines += *c == '\n';
    return lines;
}

static size_t plugin_count(void)
{
    return modzmq_plugins(NULL, 0);
}

/* The listed plugin of that name, or false. */
static bool find_listed(const char *name, struct modzmq_plugin_info *found)
{
    struct modzmq_plugin_info list[16];
    size_t count = modzmq_plugins(list, 16);
    for (size_t i = 0; i < count && i < 16; i++) {
        if (strcmp(list[i].name, name) == 0) {
            *found = list[i];
            return true;
        }
    }
    return false;
}

enum { LOOKUP_THREADS = 4 };

static void *look_up_loopcheck(void *ops)
{
    *(const struct modzmq_transport_ops **) ops =
        mz_plugin_transport("loopcheck");
    return NULL;
}

/* Nothing is loaded before the first lookup; the first lookup loads the
 * module and runs its init (which logs through the services), once, even
 * when several threads ask at the same time. */
static void test_lazy_load(void)
{
    CU_ASSERT_EQUAL(plugin_count(), 0);
    struct capture c;
    capture_begin(&c);
    pthread_t threads[LOOKUP_THREADS];
    const struct modzmq_transport_ops *found[LOOKUP_THREADS];
    for (int i = 0; i < LOOKUP_THREADS; i++)
        CU_ASSERT_EQUAL_FATAL(
            pthread_create(&threads[i], NULL, look_up_loopcheck, &found[i]), 0);
    for (int i = 0; i < LOOKUP_THREADS; i++)
        pthread_join(threads[i], NULL);
    const char *said = capture_end(&c);
    const struct modzmq_transport_ops *ops = found[0];
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
    for (int i = 1; i < LOOKUP_THREADS; i++)
        CU_ASSERT_PTR_EQUAL(found[i], ops);
    CU_ASSERT_EQUAL(line_count(said), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(said, "modzmq: loopcheck: ready\n"));
    CU_ASSERT_EQUAL(ops->size, sizeof(struct modzmq_transport_ops));
    CU_ASSERT_EQUAL(plugin_count(), 1);

    struct modzmq_plugin_info info;
    CU_ASSERT_FATAL(find_listed("loopcheck", &info));
    CU_ASSERT_EQUAL(info.kind, MODZMQ_PLUGIN_TRANSPORT);
    CU_ASSERT_PTR_NOT_NULL(strstr(info.path, "modzmq_loopcheck"));
    CU_ASSERT_EQUAL(info.abi_major, MODZMQ_SDK_ABI_MAJOR);
    CU_ASSERT_EQUAL(info.abi_minor, MODZMQ_SDK_ABI_MINOR);

    /* Later lookups find it loaded. */
    CU_ASSERT_PTR_EQUAL(mz_plugin_transport("loopcheck"), ops);
    CU_ASSERT_EQUAL(plugin_count(), 1);
}

/* The ops answer, and socket_option reads the socket's options. */
static void test_ops_usable(void)
{
    const struct modzmq_transport_ops *ops = mz_plugin_transport("loopcheck");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
    modzmq_endpoint *endpoint = NULL;
    errno = 0;
    CU_ASSERT_EQUAL(ops->endpoint_parse(NULL, "loopcheck", "bad",
                                        MODZMQ_ENDPOINT_CONNECT, &endpoint),
                    -1);
    CU_ASSERT_EQUAL(errno, EINVAL);

    CU_ASSERT_EQUAL_FATAL(ops->endpoint_parse(NULL, "loopcheck", "ok",
                                              MODZMQ_ENDPOINT_BIND, &endpoint),
                          0);
    char text[64];
    CU_ASSERT_EQUAL(ops->endpoint_format(endpoint, text, sizeof text), 17);
    CU_ASSERT_STRING_EQUAL(text, "loopcheck://ok/-1");
    errno = 0;
    CU_ASSERT_EQUAL(ops->endpoint_format(endpoint, text, 4), -1);
    CU_ASSERT_EQUAL(errno, ENOSPC);
    ops->endpoint_free(endpoint);

    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    CU_ASSERT_PTR_NOT_NULL_FATAL(push);
    CU_ASSERT_EQUAL_FATAL(
        ops->endpoint_parse((modzmq_socket *) push, "loopcheck", "ok",
                            MODZMQ_ENDPOINT_CONNECT, &endpoint),
        0);
    CU_ASSERT(ops->endpoint_format(endpoint, text, sizeof text) > 0);
    CU_ASSERT_STRING_EQUAL(text, "loopcheck://ok/8");
    ops->endpoint_free(endpoint);

    /* The services behave as zmq_getsockopt, errors included. */
    const struct modzmq_core_services *services = mz_plugin_services();
    CU_ASSERT_EQUAL(services->size, sizeof(struct modzmq_core_services));
    int type = -1;
    size_t size = sizeof type;
    CU_ASSERT_EQUAL(
        services->socket_option((modzmq_socket *) push, ZMQ_TYPE, &type, &size),
        0);
    CU_ASSERT_EQUAL(type, ZMQ_PUSH);
    size = 1;
    errno = 0;
    CU_ASSERT_EQUAL(
        services->socket_option((modzmq_socket *) push, ZMQ_TYPE, &type, &size),
        -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    test_close(push);
    zmq_ctx_term(ctx);

    struct modzmq_core core = { .name = "tester" };
    struct capture c;
    capture_begin(&c);
    services->log(&core, MODZMQ_LOG_WARNING, "hello");
    services->log(&core, MODZMQ_LOG_WARNING, NULL);
    CU_ASSERT_STRING_EQUAL(capture_end(&c), "modzmq: tester: hello\n");
}

/* Loads module by name and expects a refusal whose line says all of
 * words. */
static void expect_refusal(const char *module, const char *const *words)
{
    struct capture c;
    capture_begin(&c);
    errno = 0;
    int rc = modzmq_plugin_load(module);
    int error = errno;
    const char *said = capture_end(&c);
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT_EQUAL(error, EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(said, "refused"));
    CU_ASSERT_PTR_NOT_NULL(strstr(said, module));
    for (const char *const *w = words; *w != NULL; w++) {
        CU_ASSERT_PTR_NOT_NULL(strstr(said, *w));
        if (strstr(said, *w) == NULL)
            fprintf(stderr, "\"%s\" not in: %s", *w, said);
    }
    /* Once refused, the module is not opened or reported again. */
    capture_begin(&c);
    errno = 0;
    CU_ASSERT_EQUAL(modzmq_plugin_load(module), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_STRING_EQUAL(capture_end(&c), "");
}

/* Each refusal is one line naming the file and saying why. */
static void test_refusals_reported(void)
{
    char theirs[32], ours[32];
    snprintf(theirs, sizeof theirs, "%d.0", MODZMQ_SDK_ABI_MAJOR + 1);
    snprintf(ours, sizeof ours, "%d.%d", MODZMQ_SDK_ABI_MAJOR,
             MODZMQ_SDK_ABI_MINOR);
    expect_refusal("modzmq_badabi",
                   (const char *const[]){ "SDK ABI", theirs, ours, NULL });

    char small[32], needed[32];
    snprintf(small, sizeof small, "%zu bytes", 2 * sizeof(void *));
    /* The oldest transport table, 1.0's (1.1's is the same): without the
     * optional connect_handshake of 1.2. */
    snprintf(needed, sizeof needed, "at least %zu",
             offsetof(struct modzmq_transport_ops, connect_handshake));
    expect_refusal("modzmq_small",
                   (const char *const[]){ "ops table", small, needed,
                                          "(the table of SDK ABI 1.0)", NULL });

    expect_refusal("modzmq_noentry",
                   (const char *const[]){ "modzmq_plugin_entry", NULL });
    expect_refusal(
        "modzmq_initfail",
        (const char *const[]){ "init failed", strerror(EPERM), NULL });
    CU_ASSERT_EQUAL(plugin_count(), 1);
}

/* No file is named modzmq_multiscan: the scan finds modzmq_multi, which
 * serves it as its second scheme. */
static void test_scan(void)
{
    struct modzmq_plugin_info info;
    CU_ASSERT_FALSE(find_listed("multi", &info));
    struct capture c;
    capture_begin(&c);
    const struct modzmq_transport_ops *ops = mz_plugin_transport("multiscan");
    CU_ASSERT_STRING_EQUAL(capture_end(&c), "modzmq: multi: ready\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
    CU_ASSERT_FATAL(find_listed("multi", &info));
    CU_ASSERT_PTR_NOT_NULL(strstr(info.path, "modzmq_multi"));
    CU_ASSERT_PTR_EQUAL(mz_plugin_transport("multi"), ops);
    CU_ASSERT_EQUAL(plugin_count(), 2);

    modzmq_endpoint *endpoint;
    CU_ASSERT_EQUAL_FATAL(ops->endpoint_parse(NULL, "multiscan", "ok",
                                              MODZMQ_ENDPOINT_BIND, &endpoint),
                          0);
    char text[64];
    CU_ASSERT(ops->endpoint_format(endpoint, text, sizeof text) > 0);
    CU_ASSERT_STRING_EQUAL(text, "multiscan://ok/-1");
    ops->endpoint_free(endpoint);
}

/* A refused plugin's scheme is unsupported; everything else still works. */
static void test_refused_schemes(void)
{
    const char *schemes[] = { "badabi", "small", "noentry", "initfail" };
    for (size_t i = 0; i < 4; i++) {
        struct capture c;
        capture_begin(&c);
        errno = 0;
        CU_ASSERT_PTR_NULL(mz_plugin_transport(schemes[i]));
        CU_ASSERT_EQUAL(errno, EPROTONOSUPPORT);
        const char *said = capture_end(&c);
        CU_ASSERT_PTR_NOT_NULL(strstr(said, schemes[i]));
        CU_ASSERT_PTR_NOT_NULL(strstr(said, "refused"));
        CU_ASSERT_PTR_NOT_NULL(mz_plugin_transport("loopcheck"));
        CU_ASSERT_PTR_NOT_NULL(mz_plugin_transport("multi"));
    }
    /* Looking for them scanned every module: the example came too. */
    struct modzmq_plugin_info info;
    CU_ASSERT(find_listed("unixstream", &info));
    CU_ASSERT_EQUAL(plugin_count(), 3);

    /* inproc does not need any plugin. */
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    CU_ASSERT_EQUAL(zmq_bind(pull, "inproc://after-refusals"), 0);
    CU_ASSERT_EQUAL(zmq_connect(push, "inproc://after-refusals"), 0);
    CU_ASSERT(test_send(push, "still here", 0));
    CU_ASSERT(test_recv_is(pull, "still here", 5000));
    test_close(push);
    test_close(pull);
    zmq_ctx_term(ctx);
}

/* A scheme nothing serves: EPROTONOSUPPORT, and one line naming the
 * files looked for, the first time only. */
static void test_missing(void)
{
    struct capture c;
    capture_begin(&c);
    errno = 0;
    CU_ASSERT_PTR_NULL(mz_plugin_transport("nosuch"));
    CU_ASSERT_EQUAL(errno, EPROTONOSUPPORT);
    const char *said = capture_end(&c);
    CU_ASSERT_PTR_NOT_NULL(strstr(said, TEST_PLUGIN_DIR "/modzmq_nosuch.so"));
    CU_ASSERT_PTR_NOT_NULL(strstr(said, "transport \"nosuch\" unavailable"));
    CU_ASSERT_EQUAL(line_count(said), 1);

    for (int i = 0; i < 3; i++) {
        capture_begin(&c);
        errno = 0;
        CU_ASSERT_PTR_NULL(mz_plugin_transport("nosuch"));
        CU_ASSERT_EQUAL(errno, EPROTONOSUPPORT);
        CU_ASSERT_STRING_EQUAL(capture_end(&c), "");
    }

    /* The AF_TIPC and AF_VSOCK transports' modules, absent from this
     * suite's plugin directory, are named as the others are. */
    const char *afsock[] = { "tipc", "vmci", "vsock" };
    for (size_t i = 0; i < 3; i++) {
        char file[256], line[64];
        snprintf(file, sizeof file, "%s/modzmq_%s.so", TEST_PLUGIN_DIR,
                 afsock[i]);
        snprintf(line, sizeof line, "transport \"%s\" unavailable",
                 afsock[i]);
        capture_begin(&c);
        errno = 0;
        CU_ASSERT_PTR_NULL(mz_plugin_transport(afsock[i]));
        CU_ASSERT_EQUAL(errno, EPROTONOSUPPORT);
        said = capture_end(&c);
        CU_ASSERT_PTR_NOT_NULL(strstr(said, file));
        CU_ASSERT_PTR_NOT_NULL(strstr(said, line));
        CU_ASSERT_EQUAL(line_count(said), 1);
    }

    /* Names that cannot be a module file are never looked for. */
    errno = 0;
    CU_ASSERT_PTR_NULL(mz_plugin_transport(NULL));
    CU_ASSERT_EQUAL(errno, EPROTONOSUPPORT);
    capture_begin(&c);
    CU_ASSERT_PTR_NULL(mz_plugin_transport("../plugins/.libs/modzmq_multi"));
    CU_ASSERT_EQUAL(errno, EPROTONOSUPPORT);
    CU_ASSERT_PTR_NOT_NULL(strstr(capture_end(&c), "not a plugin name"));
    capture_begin(&c);
    CU_ASSERT_PTR_NULL(mz_plugin_transport(""));
    CU_ASSERT_PTR_NOT_NULL(strstr(capture_end(&c), "not a plugin name"));
    CU_ASSERT_EQUAL(plugin_count(), 3);
}

/* modzmq_plugin_load's answers. */
static void test_load(void)
{
    CU_ASSERT_EQUAL(modzmq_plugin_load("loopcheck"), 0);
    CU_ASSERT_EQUAL(modzmq_plugin_load("modzmq_loopcheck"), 0);
    CU_ASSERT_EQUAL(modzmq_plugin_load("modzmq_multi"), 0);
    CU_ASSERT_EQUAL(modzmq_plugin_load("multiscan"), 0);
    errno = 0;
    CU_ASSERT_EQUAL(modzmq_plugin_load(NULL), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    errno = 0;
    CU_ASSERT_EQUAL(modzmq_plugin_load("modzmq_nosuch"), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    errno = 0;
    CU_ASSERT_EQUAL(modzmq_plugin_load("nosuch"), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    errno = 0;
    CU_ASSERT_EQUAL(modzmq_plugin_load("../x"), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    errno = 0;
    CU_ASSERT_EQUAL(modzmq_plugin_load("badabi"), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(plugin_count(), 3);

    struct modzmq_plugin_info list[1];
    CU_ASSERT_EQUAL(modzmq_plugins(list, 1), 3);
    CU_ASSERT_STRING_EQUAL(list[0].name, "loopcheck");
}

static const char *const static_schemes[] = { "tipc", "loopcheck", NULL };

static const struct modzmq_plugin static_plugin = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "linked-in",
    .kind = MODZMQ_PLUGIN_TRANSPORT,
    .serves = static_schemes,
    .ops = &parse_only_ops,
    .init = parse_only_init,
};

/* Registers bad, a spoilt copy of static_plugin: refused. */
static void expect_register_refused(struct modzmq_plugin bad)
{
    struct capture c;
    capture_begin(&c);
    errno = 0;
    CU_ASSERT_EQUAL(modzmq_plugin_register(&bad), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(capture_end(&c), "refused"));
}

/* Application-registered plugins are checked, listed first as
 * "(static)", and looked at before module files. */
static void test_register(void)
{
    /* zmq_has asks quietly, and the answer follows registrations. */
    struct capture c;
    capture_begin(&c);
    CU_ASSERT_EQUAL(zmq_has("tipc"), 0);
    CU_ASSERT_STRING_EQUAL(capture_end(&c), "");

    struct modzmq_plugin bad = static_plugin;
    bad.abi_major = 99;
    expect_register_refused(bad);
    bad = static_plugin;
    bad.abi_minor = MODZMQ_SDK_ABI_MINOR + 1;
    expect_register_refused(bad);
    /* A table of another kind is refused by its size; a whole 1.2
     * transport table is as large as a mechanism's, so an ABI 1.1 one. */
    struct modzmq_transport_ops older = parse_only_ops;
    older.size = offsetof(struct modzmq_transport_ops, connect_handshake);
    bad = static_plugin;
    bad.kind = MODZMQ_PLUGIN_MECHANISM;
    bad.ops = &older;
    expect_register_refused(bad);
    bad = static_plugin;
    bad.kind = (enum modzmq_plugin_kind) 42;
    expect_register_refused(bad);
    bad = static_plugin;
    bad.ops = NULL;
    expect_register_refused(bad);
    bad = static_plugin;
    bad.serves = NULL;
    expect_register_refused(bad);
    bad = static_plugin;
    bad.name = NULL;
    expect_register_refused(bad);
    struct modzmq_transport_ops holed = parse_only_ops;
    holed.accept = NULL;
    bad = static_plugin;
    bad.ops = &holed;
    expect_register_refused(bad);
    capture_begin(&c);
    errno = 0;
    CU_ASSERT_EQUAL(modzmq_plugin_register(NULL), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(capture_end(&c), "no descriptor"));
    CU_ASSERT_EQUAL(plugin_count(), 3);

    capture_begin(&c);
    CU_ASSERT_EQUAL(modzmq_plugin_register(&static_plugin), 0);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(capture_end(&c), "modzmq: linked-in: ready\n"));
    CU_ASSERT_EQUAL(modzmq_plugin_register(&static_plugin), 0);
    CU_ASSERT_EQUAL(plugin_count(), 4);
    struct modzmq_plugin_info list[4];
    CU_ASSERT_EQUAL(modzmq_plugins(list, 4), 4);
    CU_ASSERT_STRING_EQUAL(list[0].name, "linked-in");
    CU_ASSERT_STRING_EQUAL(list[0].path, "(static)");

    CU_ASSERT_PTR_EQUAL(mz_plugin_transport("tipc"), &parse_only_ops);
    CU_ASSERT_PTR_EQUAL(mz_plugin_transport("loopcheck"), &parse_only_ops);
    CU_ASSERT_EQUAL(zmq_has("tipc"), 1);
}

/* Waits at most 5 s for fd to become ready for events. */
static bool wait_fd(int fd, short events)
{
    struct pollfd p = { .fd = fd, .events = events };
    return poll(&p, 1, 5000) == 1 && (p.revents & events) != 0;
}

/* The SDK's example transport (sdk/examples, built here as a module):
 * every op over real abstract-namespace sockets, without the core's
 * sessions. */
static void test_example_transport(void)
{
    const struct modzmq_transport_ops *ops = mz_plugin_transport("unixstream");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
    void *ctx = zmq_ctx_new();
    void *pair = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pair);
    CU_ASSERT(test_set_int(pair, ZMQ_RCVBUF, 32768));
    modzmq_socket *socket = (modzmq_socket *) pair;
    modzmq_endpoint *server, *client;

    errno = 0;
    CU_ASSERT_EQUAL(ops->endpoint_parse(socket, "unixstream", "",
                                        MODZMQ_ENDPOINT_BIND, &server),
                    -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    errno = 0;
    CU_ASSERT_EQUAL(ops->endpoint_parse(socket, "unixstream", "*",
                                        MODZMQ_ENDPOINT_CONNECT, &client),
                    -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    char long_name[200];
    memset(long_name, 'n', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    errno = 0;
    CU_ASSERT_EQUAL(ops->endpoint_parse(socket, "unixstream", long_name,
                                        MODZMQ_ENDPOINT_BIND, &server),
                    -1);
    CU_ASSERT_EQUAL(errno, ENAMETOOLONG);

    /* A wildcard bind gets a kernel-chosen name, which format shows. */
    CU_ASSERT_EQUAL_FATAL(ops->endpoint_parse(socket, "unixstream", "*",
                                              MODZMQ_ENDPOINT_BIND, &server),
                          0);
    int listen_fd = -1;
    CU_ASSERT_EQUAL_FATAL(ops->listen(server, &listen_fd), 0);
    char endpoint[64];
    CU_ASSERT_EQUAL(ops->endpoint_format(server, endpoint, sizeof endpoint),
                    18);
    CU_ASSERT_NSTRING_EQUAL(endpoint, "unixstream://", 13);
    errno = 0;
    CU_ASSERT_EQUAL(ops->endpoint_format(server, endpoint, 10), -1);
    CU_ASSERT_EQUAL(errno, ENOSPC);
    CU_ASSERT(ops->endpoint_format(server, endpoint, sizeof endpoint) > 0);
    const char *name = endpoint + 13;
    errno = 0;
    CU_ASSERT_EQUAL(ops->accept(server, listen_fd, &(int){ -1 }), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);

    /* The same name again is taken. */
    modzmq_endpoint *twin;
    CU_ASSERT_EQUAL_FATAL(ops->endpoint_parse(socket, "unixstream", name,
                                              MODZMQ_ENDPOINT_BIND, &twin),
                          0);
    int twin_fd;
    errno = 0;
    CU_ASSERT_EQUAL(ops->listen(twin, &twin_fd), -1);
    CU_ASSERT_EQUAL(errno, EADDRINUSE);
    ops->endpoint_free(twin);

    CU_ASSERT_EQUAL_FATAL(ops->endpoint_parse(socket, "unixstream", name,
                                              MODZMQ_ENDPOINT_CONNECT, &client),
                          0);
    int client_fd = -1, server_fd = -1;
    CU_ASSERT_EQUAL_FATAL(ops->connect_start(client, &client_fd), 0);
    CU_ASSERT_FATAL(wait_fd(client_fd, POLLOUT));
    CU_ASSERT_EQUAL(ops->connect_finish(client, client_fd), 0);
    CU_ASSERT_FATAL(wait_fd(listen_fd, POLLIN));
    CU_ASSERT_EQUAL_FATAL(ops->accept(server, listen_fd, &server_fd), 0);

    /* Bytes go through; the buffers are the socket's. */
    CU_ASSERT_EQUAL(write(client_fd, "ping", 4), 4);
    CU_ASSERT_FATAL(wait_fd(server_fd, POLLIN));
    char bytes[8] = { 0 };
    CU_ASSERT_EQUAL(read(server_fd, bytes, sizeof bytes), 4);
    CU_ASSERT_NSTRING_EQUAL(bytes, "ping", 4);
    int rcvbuf = 0;
    socklen_t size = sizeof rcvbuf;
    CU_ASSERT_EQUAL(
        getsockopt(server_fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &size), 0);
    CU_ASSERT(rcvbuf >= 32768);

    /* The connecting side sees the listener's name; the accepting side
     * sees an unnamed peer. */
    char peer[64];
    CU_ASSERT_EQUAL(ops->peer_address(client, client_fd, peer, sizeof peer), 6);
    CU_ASSERT_EQUAL(peer[0], '@');
    CU_ASSERT_STRING_EQUAL(peer + 1, name);
    CU_ASSERT_EQUAL(ops->peer_address(server, server_fd, peer, sizeof peer),
                    -1);
    close(client_fd);
    close(server_fd);

    /* Nobody listens once unlistened. */
    ops->unlisten(server, listen_fd);
    errno = 0;
    int refused_fd = -1;
    CU_ASSERT_EQUAL(ops->connect_start(client, &refused_fd), -1);
    CU_ASSERT_EQUAL(errno, ECONNREFUSED);
    ops->endpoint_free(client);
    ops->endpoint_free(server);
    test_close(pair);
    zmq_ctx_term(ctx);
}

/* zmq_has: transports from availability, without a word on stderr. */
static void test_has(void)
{
    struct capture c;
    capture_begin(&c);
    CU_ASSERT_EQUAL(zmq_has("norm"), mz_plugin_transport_available("norm"));
    CU_ASSERT_EQUAL(zmq_has("vmci"), mz_plugin_transport_available("vmci"));
    CU_ASSERT_EQUAL(zmq_has("ipc"), mz_plugin_transport_available("ipc"));
    CU_ASSERT_EQUAL(zmq_has("pgm"), mz_plugin_transport_available("pgm"));
    CU_ASSERT_STRING_EQUAL(capture_end(&c), "");
    /* Not capabilities, though loadable. */
    CU_ASSERT_EQUAL(zmq_has("loopcheck"), 0);
    CU_ASSERT_EQUAL(zmq_has("tcp"), 0);
    CU_ASSERT_EQUAL(zmq_has("draft"), 0);
    CU_ASSERT_EQUAL(zmq_has("curve"), 0);
    CU_ASSERT_EQUAL(zmq_has("gssapi"), 0);
    CU_ASSERT_EQUAL(zmq_has(NULL), 0);
    CU_ASSERT_TRUE(mz_plugin_transport_available("loopcheck"));
    CU_ASSERT_TRUE(mz_plugin_transport_available("multiscan"));
    CU_ASSERT_FALSE(mz_plugin_transport_available("badabi"));
    CU_ASSERT_FALSE(mz_plugin_transport_available(NULL));
}

/* ---- what the SDK promises of the loader ----------------------------- */

static void fini_never(void)
{
    CU_FAIL("called a refused plugin");
}

/* Each kind exists from a release on, and its table is at least as large
 * as in the oldest release that had it; an extension too. */
static void test_release_rules(void)
{
    struct capture c;
    struct modzmq_plugin bad = static_plugin;
    bad.abi_minor = 0;
    bad.kind = MODZMQ_PLUGIN_MECHANISM;
    capture_begin(&c);
    CU_ASSERT_EQUAL(modzmq_plugin_register(&bad), -1);
    const char *said = capture_end(&c);
    CU_ASSERT_PTR_NOT_NULL(strstr(said, "built for SDK ABI 1.0"));
    CU_ASSERT_PTR_NOT_NULL(strstr(said, "mechanisms came with 1.1"));

    /* A mechanism table one member short of 1.1's. */
    struct modzmq_mechanism_ops mechanism = { 0 };
    mechanism.size = offsetof(struct modzmq_mechanism_ops, reserved_1_1) +
                     sizeof(void (*)(void));
    bad = static_plugin;
    bad.kind = MODZMQ_PLUGIN_MECHANISM;
    bad.ops = &mechanism;
    char needed[64];
    snprintf(needed, sizeof needed, "at least %zu (the table of SDK ABI 1.1)",
             sizeof(struct modzmq_mechanism_ops));
    capture_begin(&c);
    CU_ASSERT_EQUAL(modzmq_plugin_register(&bad), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(capture_end(&c), needed));

    /* A 1.0 transport table one member short. */
    struct modzmq_transport_ops transport = parse_only_ops;
    transport.size = offsetof(struct modzmq_transport_ops, peer_address);
    bad = static_plugin;
    bad.abi_minor = 0;
    bad.ops = &transport;
    snprintf(needed, sizeof needed, "at least %zu (the table of SDK ABI 1.0)",
             offsetof(struct modzmq_transport_ops, connect_handshake));
    capture_begin(&c);
    CU_ASSERT_EQUAL(modzmq_plugin_register(&bad), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(capture_end(&c), needed));

    /* A curve-keys extension smaller than any release's. */
    static const size_t tiny = sizeof(size_t);
    const struct modzmq_extension extensions[] = { { MODZMQ_CURVE_KEYS, &tiny },
                                                   { NULL, NULL } };
    /* A whole mechanism table: every op set (to something never called,
     * the plugin being refused before). */
    struct modzmq_mechanism_ops whole;
    void (*filler)(void) = fini_never;
    for (size_t at = sizeof(size_t); at + sizeof filler <= sizeof whole;
         at += sizeof filler)
        memcpy((char *) &whole + at, &filler, sizeof filler);
    whole.size = sizeof whole;
    bad = static_plugin;
    bad.kind = MODZMQ_PLUGIN_MECHANISM;
    bad.ops = &whole;
    bad.extensions = extensions;
    capture_begin(&c);
    CU_ASSERT_EQUAL(modzmq_plugin_register(&bad), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(capture_end(&c), "curve-keys extension"));
}

static const char *const nopeer_schemes[] = { "nopeer", NULL };

/* peer_address is optional: a transport without it is loaded (the
 * session then leaves Peer-Address out). */
static void test_peer_address_optional(void)
{
    static struct modzmq_transport_ops ops;
    ops = parse_only_ops;
    ops.peer_address = NULL;
    static struct modzmq_plugin plugin;
    plugin = static_plugin;
    plugin.name = "nopeer";
    plugin.serves = nopeer_schemes;
    plugin.ops = &ops;
    plugin.init = NULL;
    CU_ASSERT_EQUAL(modzmq_plugin_register(&plugin), 0);
    const struct modzmq_transport_ops *found = mz_plugin_transport("nopeer");
    CU_ASSERT_PTR_NOT_NULL_FATAL(found);
    CU_ASSERT_PTR_NULL(found->peer_address);
}

/* What the init below saw. */
static struct {
    int ipc;           /* zmq_has("ipc") */
    int loaded;        /* modzmq_plugin_load("multiscan") */
    bool own;          /* its own scheme, from inside its init */
    atomic_bool other; /* a second thread's lookup of its scheme found it */
    bool other_ran;    /* that lookup had returned before init did */
} in_init;

static void *look_up_hasinit(void *unused)
{
    (void) unused;
    atomic_store(&in_init.other, mz_plugin_transport("hasinit") != NULL);
    return NULL;
}

/* An init that asks the registry: zmq_has, modzmq_plugin_load, its own
 * scheme; meanwhile another thread looks that scheme up and must wait
 * for init to end, then find the plugin. */
static int init_asking(const struct modzmq_core_services *services,
                       modzmq_core *core)
{
    (void) services;
    (void) core;
    in_init.ipc = zmq_has("ipc");
    in_init.loaded = modzmq_plugin_load("multiscan");
    in_init.own = mz_plugin_transport_available("hasinit");
    pthread_t other;
    if (pthread_create(&other, NULL, look_up_hasinit, NULL) != 0)
        return -1;
    struct timespec pause = { 0, 50 * 1000 * 1000 };
    nanosleep(&pause, NULL);
    in_init.other_ran = atomic_load(&in_init.other);
    pthread_detach(other);
    return 0;
}

static const char *const hasinit_schemes[] = { "hasinit", NULL };

static void test_init_asks_registry(void)
{
    static const struct modzmq_plugin plugin = {
        .abi_major = MODZMQ_SDK_ABI_MAJOR,
        .abi_minor = MODZMQ_SDK_ABI_MINOR,
        .name = "hasinit",
        .kind = MODZMQ_PLUGIN_TRANSPORT,
        .serves = hasinit_schemes,
        .ops = &parse_only_ops,
        .init = init_asking,
    };
    /* Should the registry be locked around init again, this would hang:
     * the alarm ends the suite instead. */
    alarm(30);
    struct capture c;
    capture_begin(&c);
    CU_ASSERT_EQUAL(modzmq_plugin_register(&plugin), 0);
    capture_end(&c);
    alarm(0);
    CU_ASSERT_EQUAL(in_init.ipc, mz_plugin_transport_available("ipc"));
    CU_ASSERT_EQUAL(in_init.loaded, 0);
    CU_ASSERT_FALSE(in_init.own);
    CU_ASSERT_FALSE(in_init.other_ran);
    CU_ASSERT_TRUE(mz_plugin_transport_available("hasinit"));
    /* The waiting thread found it once init was over. */
    for (int i = 0; i < 500 && !atomic_load(&in_init.other); i++) {
        struct timespec pause = { 0, 10 * 1000 * 1000 };
        nanosleep(&pause, NULL);
    }
    CU_ASSERT_TRUE(atomic_load(&in_init.other));
}

/* ---- in a child: MODZMQ_LOG and fini ------------------------------------ */

static int logging_init(const struct modzmq_core_services *services,
                        modzmq_core *core)
{
    services->log(core, MODZMQ_LOG_ERROR, "an error");
    services->log(core, MODZMQ_LOG_WARNING, "a warning");
    services->log(core, MODZMQ_LOG_INFO, "some news");
    services->log(core, MODZMQ_LOG_DEBUG, "a detail");
    return 0;
}

static void fini_first(void)
{
    fputs("fini of the first\n", stderr);
}

static void fini_second(void)
{
    fputs("fini of the second\n", stderr);
}

static const char *const child_schemes[] = { "child-a", NULL };
static const char *const child_schemes_b[] = { "child-b", NULL };

/* The child's part: register two plugins (one logging at every level),
 * then leave through exit, which runs their fini. */
static int child_main(void)
{
    static const struct modzmq_plugin first = {
        .abi_major = MODZMQ_SDK_ABI_MAJOR,
        .abi_minor = MODZMQ_SDK_ABI_MINOR,
        .name = "first",
        .kind = MODZMQ_PLUGIN_TRANSPORT,
        .serves = child_schemes,
        .ops = &parse_only_ops,
        .init = logging_init,
        .fini = fini_first,
    };
    static const struct modzmq_plugin second = {
        .abi_major = MODZMQ_SDK_ABI_MAJOR,
        .abi_minor = 0, /* a 1.0 descriptor's fini is called too */
        .name = "second",
        .kind = MODZMQ_PLUGIN_TRANSPORT,
        .serves = child_schemes_b,
        .ops = &parse_only_ops,
        .fini = fini_second,
    };
    if (modzmq_plugin_register(&first) != 0 ||
        modzmq_plugin_register(&second) != 0)
        return 2;
    exit(0);
}

/* Runs this program again as the child above with MODZMQ_LOG set to level
 * (NULL: unset); what it wrote to stderr goes to said. */
static bool run_child(const char *level, char *said, size_t size)
{
    int out[2];
    if (pipe(out) != 0)
        return false;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(out[1], STDERR_FILENO);
        close(out[0]);
        close(out[1]);
        if (level != NULL)
            setenv("MODZMQ_LOG", level, 1);
        else
            unsetenv("MODZMQ_LOG");
        execl("/proc/self/exe", "test_loader", "child", (char *) NULL);
        _exit(127);
    }
    close(out[1]);
    size_t length = 0;
    ssize_t got;
    while (length + 1 < size && wait_fd(out[0], POLLIN) &&
           (got = read(out[0], said + length, size - 1 - length)) > 0)
        length += (size_t) got;
    said[length] = '\0';
    close(out[0]);
    int status = -1;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* What a child wrote at each MODZMQ_LOG: only the levels asked for,
 * warnings by default; fini of both plugins at exit, the later first. */
static void test_log_level_and_fini(void)
{
    static const struct {
        const char *level;
        const char *expected;
    } cases[] = {
        { NULL, "modzmq: first: an error\nmodzmq: first: a warning\n" },
        { "error", "modzmq: first: an error\n" },
        { "warning", "modzmq: first: an error\nmodzmq: first: a warning\n" },
        { "info", "modzmq: first: an error\nmodzmq: first: a warning\n"
                  "modzmq: first: some news\n" },
        { "debug", "modzmq: first: an error\nmodzmq: first: a warning\n"
                   "modzmq: first: some news\nmodzmq: first: a detail\n" },
        { "loud", "modzmq: MODZMQ_LOG=\"loud\" is not error, warning, info or "
                  "debug: writing warnings and errors\n"
                  "modzmq: first: an error\nmodzmq: first: a warning\n" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char said[1024], expected[1024];
        CU_ASSERT_TRUE(run_child(cases[i].level, said, sizeof said));
        snprintf(expected, sizeof expected, "%s%s", cases[i].expected,
                 "fini of the second\nfini of the first\n");
        CU_ASSERT_STRING_EQUAL(said, expected);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return child_main();
    setenv("MODZMQ_PLUGIN_PATH", ":" TEST_PLUGIN_DIR ":/nonexistent", 1);
    /* The test plugins say "ready" at level info. */
    setenv("MODZMQ_LOG", "info", 1);
    static const struct test_case tests[] = {
        { "lazy load on first lookup", test_lazy_load },
        { "ops and services usable", test_ops_usable },
        { "refusals reported", test_refusals_reported },
        { "scan finds a second scheme", test_scan },
        { "refused schemes unsupported", test_refused_schemes },
        { "missing scheme", test_missing },
        { "modzmq_plugin_load", test_load },
        { "modzmq_plugin_register", test_register },
        { "example transport's ops", test_example_transport },
        { "zmq_has", test_has },
        { "kinds and sizes by release", test_release_rules },
        { "peer_address optional", test_peer_address_optional },
        { "init may ask the registry", test_init_asks_registry },
        { "MODZMQ_LOG and fini at exit", test_log_level_and_fini },
    };
    return test_run_suite("loader", tests, sizeof tests / sizeof tests[0]);
}
