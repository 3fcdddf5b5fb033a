/*
 * Shared machinery of the transport plugin suites (see
 * transport_harness.h). Every wait is bounded by poll with a timeout, so
 * a broken plugin fails a test instead of hanging it.
 */
#include "transport_harness.h"

#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

/* The test's stand-in for a zmq socket: only its address matters. */
struct modzmq_socket {
    int unused;
};

enum { MAX_OVERRIDES = 16, MAX_VALUE = 512 };

struct override {
    int option;
    size_t size;
    unsigned char value[MAX_VALUE];
};

static struct modzmq_socket fake_socket;
static struct override overrides[MAX_OVERRIDES];
static size_t override_count;
static void *module_handle;
static const struct modzmq_plugin *loaded_plugin;

/* libzmq's defaults of the options the transports read. */
static bool default_int(int option, int *value)
{
    switch (option) {
    case ZMQ_IPV6:
    case ZMQ_TCP_MAXRT:
    case ZMQ_TOS:
    case ZMQ_PRIORITY:
        *value = 0;
        return true;
    case ZMQ_TCP_KEEPALIVE:
    case ZMQ_TCP_KEEPALIVE_CNT:
    case ZMQ_TCP_KEEPALIVE_IDLE:
    case ZMQ_TCP_KEEPALIVE_INTVL:
    case ZMQ_SNDBUF:
    case ZMQ_RCVBUF:
    case ZMQ_USE_FD:
        *value = -1;
        return true;
    case ZMQ_BACKLOG:
        *value = 100;
        return true;
    default:
        return false;
    }
}

static bool is_list(int option)
{
    return option == ZMQ_TCP_ACCEPT_FILTER || option == ZMQ_IPC_FILTER_UID ||
           option == ZMQ_IPC_FILTER_GID || option == ZMQ_IPC_FILTER_PID;
}

static int answer(const void *value, size_t length, void *out, size_t *size,
                  bool grow)
{
    if (*size < length) {
        if (grow)
            *size = length;
        errno = EINVAL;
        return -1;
    }
    memcpy(out, value, length);
    *size = length;
    return 0;
}

static int fake_socket_option(modzmq_socket *socket, int option, void *value,
                              size_t *size)
{
    if (socket != &fake_socket || size == NULL || value == NULL) {
        errno = EFAULT;
        return -1;
    }
    for (size_t i = 0; i < override_count; i++) {
        if (overrides[i].option == option)
            return answer(overrides[i].value, overrides[i].size, value, size,
                          is_list(option));
    }
    int number;
    if (default_int(option, &number))
        return answer(&number, sizeof number, value, size, false);
    if (option == ZMQ_BINDTODEVICE || option == ZMQ_SOCKS_PROXY ||
        option == ZMQ_SOCKS_USERNAME || option == ZMQ_SOCKS_PASSWORD)
        return answer("", 1, value, size, false);
    if (is_list(option)) {
        *size = 0;
        return 0;
    }
    errno = EINVAL;
    return -1;
}

static void fake_log(modzmq_core *core, enum modzmq_log_level level,
                     const char *message)
{
    (void) core;
    fprintf(stderr, "plugin log %d: %s\n", (int) level, message);
}

static const struct modzmq_core_services fake_services = {
    .size = sizeof fake_services,
    .socket_option = fake_socket_option,
    .log = fake_log,
};

const struct modzmq_transport_ops *harness_load(const char *path,
                                                const char *module)
{
    module_handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (module_handle == NULL) {
        fprintf(stderr, "cannot load %s: %s\n", path, dlerror());
        return NULL;
    }
    char symbol[128];
    snprintf(symbol, sizeof symbol, "%s_LTX_%s", module,
             MODZMQ_PLUGIN_ENTRY_SYMBOL);
    const struct modzmq_plugin *(*entry)(void);
    *(void **) &entry = dlsym(module_handle, symbol);
    if (entry == NULL) {
        fprintf(stderr, "%s has no %s\n", path, symbol);
        return NULL;
    }
    loaded_plugin = entry();
    const struct modzmq_transport_ops *ops = loaded_plugin->ops;
    if (loaded_plugin->abi_major != MODZMQ_SDK_ABI_MAJOR ||
        loaded_plugin->kind != MODZMQ_PLUGIN_TRANSPORT ||
        ops->size < sizeof *ops) {
        fprintf(stderr, "%s: unexpected descriptor\n", path);
        return NULL;
    }
    if (loaded_plugin->init != NULL &&
        loaded_plugin->init(&fake_services, NULL) != 0) {
        fprintf(stderr, "%s: init failed\n", path);
        return NULL;
    }
    return ops;
}

const struct modzmq_plugin *harness_plugin(void)
{
    return loaded_plugin;
}

void harness_unload(void)
{
    if (loaded_plugin != NULL && loaded_plugin->fini != NULL)
        loaded_plugin->fini();
    loaded_plugin = NULL;
    if (module_handle != NULL)
        dlclose(module_handle);
    module_handle = NULL;
}

modzmq_socket *harness_socket(void)
{
    return &fake_socket;
}

void harness_options_reset(void)
{
    override_count = 0;
}

void harness_set_bytes(int option, const void *value, size_t size)
{
    struct override *slot = NULL;
    for (size_t i = 0; i < override_count; i++) {
        if (overrides[i].option == option)
            slot = &overrides[i];
    }
    if (slot == NULL && override_count < MAX_OVERRIDES)
        slot = &overrides[override_count++];
    if (slot == NULL || size > MAX_VALUE)
        return;
    slot->option = option;
    slot->size = size;
    memcpy(slot->value, value, size);
}

void harness_set_int(int option, int value)
{
    harness_set_bytes(option, &value, sizeof value);
}

bool harness_wait(int fd, short events)
{
    struct pollfd entry = { .fd = fd, .events = events };
    int rc;
    do {
        rc = poll(&entry, 1, HARNESS_WAIT_MS);
    } while (rc == -1 && errno == EINTR);
    return rc == 1;
}

int harness_connect(const struct modzmq_transport_ops *ops,
                    modzmq_endpoint *endpoint, int *fd)
{
    int conn;
    if (ops->connect_start(endpoint, &conn) != 0)
        return -1;
    if (!harness_wait(conn, POLLOUT)) {
        close(conn);
        errno = ETIMEDOUT;
        return -1;
    }
    if (ops->connect_finish(endpoint, conn) != 0) {
        int error = errno;
        close(conn);
        errno = error;
        return -1;
    }
    *fd = conn;
    return 0;
}

int harness_accept(const struct modzmq_transport_ops *ops,
                   modzmq_endpoint *endpoint, int listen_fd, int *fd)
{
    if (!harness_wait(listen_fd, POLLIN)) {
        errno = ETIMEDOUT;
        return -1;
    }
    return ops->accept(endpoint, listen_fd, fd);
}

/* Sends text from one fd and reads it back whole from the other. */
static bool pass(int from, int to, const char *text)
{
    size_t length = strlen(text);
    if (write(from, text, length) != (ssize_t) length)
        return false;
    char buffer[64];
    size_t got = 0;
    while (got < length) {
        if (!harness_wait(to, POLLIN))
            return false;
        ssize_t n = read(to, buffer + got, sizeof buffer - got);
        if (n <= 0)
            return false;
        got += (size_t) n;
    }
    return got == length && memcmp(buffer, text, length) == 0;
}

bool harness_exchange(int a, int b)
{
    return pass(a, b, "ping from one end") && pass(b, a, "pong");
}

int harness_parse(const char *address, enum modzmq_endpoint_mode mode,
                  modzmq_endpoint **endpoint)
{
    const struct modzmq_transport_ops *ops = loaded_plugin->ops;
    return ops->endpoint_parse(harness_socket(), loaded_plugin->serves[0],
                               address, mode, endpoint);
}

bool harness_parse_fails(const char *address, enum modzmq_endpoint_mode mode,
                         int error)
{
    modzmq_endpoint *endpoint = NULL;
    errno = 0;
    if (harness_parse(address, mode, &endpoint) == 0) {
        const struct modzmq_transport_ops *ops = loaded_plugin->ops;
        ops->endpoint_free(endpoint);
        fprintf(stderr, "\n  \"%s\" parsed\n", address);
        return false;
    }
    if (errno != error)
        fprintf(stderr, "\n  \"%s\": %s\n", address, strerror(errno));
    return errno == error;
}

bool harness_listen(const char *address, struct harness_listener *l)
{
    const struct modzmq_transport_ops *ops = loaded_plugin->ops;
    memset(l, 0, sizeof *l);
    l->fd = -1;
    if (harness_parse(address, MODZMQ_ENDPOINT_BIND, &l->endpoint) != 0)
        return false;
    if (ops->listen(l->endpoint, &l->fd) != 0) {
        int error = errno;
        ops->endpoint_free(l->endpoint);
        l->endpoint = NULL;
        errno = error;
        return false;
    }
    return ops->endpoint_format(l->endpoint, l->name, sizeof l->name) > 0;
}

void harness_unlisten(struct harness_listener *l)
{
    const struct modzmq_transport_ops *ops = loaded_plugin->ops;
    if (l->endpoint == NULL)
        return;
    ops->unlisten(l->endpoint, l->fd);
    ops->endpoint_free(l->endpoint);
    l->endpoint = NULL;
}

bool harness_connect_to(const char *address, struct harness_listener *l,
                        struct harness_connection *c)
{
    const struct modzmq_transport_ops *ops = loaded_plugin->ops;
    c->endpoint = NULL;
    c->connected = c->accepted = -1;
    if (harness_parse(address, MODZMQ_ENDPOINT_CONNECT, &c->endpoint) != 0)
        return false;
    if (harness_connect(ops, c->endpoint, &c->connected) != 0)
        return false;
    return harness_accept(ops, l->endpoint, l->fd, &c->accepted) == 0;
}

void harness_disconnect(struct harness_connection *c)
{
    if (c->connected != -1)
        close(c->connected);
    if (c->accepted != -1)
        close(c->accepted);
    const struct modzmq_transport_ops *ops = loaded_plugin->ops;
    if (c->endpoint != NULL)
        ops->endpoint_free(c->endpoint);
}
