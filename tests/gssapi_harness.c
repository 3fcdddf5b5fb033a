/*
 * The fake core of the mechanism tests; see gssapi_harness.h. The
 * metadata it writes and reads is RFC 23's property list, so a mechanism
 * under test carries it exactly as the real core's would be carried.
 */
#include "gssapi_harness.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

static void *module_handle;
static const struct modzmq_plugin *loaded_plugin;
static char last_log[1024];

void harness_connection_init(struct modzmq_connection *connection)
{
    memset(connection, 0, sizeof *connection);
    connection->socket_type = "DEALER";
    connection->zap_answer = 1;
}

static int give_string(const char *text, void *value, size_t *size)
{
    size_t length = strlen(text) + 1;
    if (*size < length) {
        errno = EINVAL;
        return -1;
    }
    memcpy(value, text, length);
    *size = length;
    return 0;
}

static int give_int(int number, void *value, size_t *size)
{
    if (*size < sizeof number) {
        errno = EINVAL;
        return -1;
    }
    memcpy(value, &number, sizeof number);
    *size = sizeof number;
    return 0;
}

static int fake_connection_option(modzmq_connection *connection, int option,
                                  void *value, size_t *size)
{
    switch (option) {
    case ZMQ_GSSAPI_PRINCIPAL:
        return give_string(connection->principal, value, size);
    case ZMQ_GSSAPI_SERVICE_PRINCIPAL:
        return give_string(connection->service_principal, value, size);
    case ZMQ_GSSAPI_PRINCIPAL_NAMETYPE:
        return give_int(connection->principal_nametype, value, size);
    case ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE:
        return give_int(connection->service_principal_nametype, value, size);
    case ZMQ_GSSAPI_PLAINTEXT:
        return give_int(connection->plaintext, value, size);
    default:
        errno = EINVAL;
        return -1;
    }
}

/* One property: name length, name, 4-octet value length, value. */
static size_t fake_metadata_write(modzmq_connection *connection,
                                  uint8_t *buffer, size_t size)
{
    static const char name[] = "Socket-Type";
    size_t name_length = sizeof name - 1;
    size_t value_length = strlen(connection->socket_type);
    size_t needed = 1 + name_length + 4 + value_length;
    if (buffer == NULL || size < needed)
        return needed;
    buffer[0] = (uint8_t) name_length;
    memcpy(buffer + 1, name, name_length);
    uint8_t *length = buffer + 1 + name_length;
    length[0] = length[1] = length[2] = 0;
    length[3] = (uint8_t) value_length;
    memcpy(length + 4, connection->socket_type, value_length);
    return needed;
}

static int fake_metadata_read(modzmq_connection *connection,
                              const uint8_t *data, size_t size)
{
    connection->metadata_reads++;
    size_t at = 0;
    while (at < size) {
        size_t name_length = data[at];
        if (name_length == 0 || size - at < 1 + name_length + 4)
            goto malformed;
        const uint8_t *name = data + at + 1;
        const uint8_t *length = name + name_length;
        size_t value_length = (size_t) length[0] << 24 |
                              (size_t) length[1] << 16 |
                              (size_t) length[2] << 8 | length[3];
        at += 1 + name_length + 4;
        if (size - at < value_length)
            goto malformed;
        if (name_length == 11 && memcmp(name, "Socket-Type", 11) == 0 &&
            value_length < sizeof connection->peer_socket_type) {
            memcpy(connection->peer_socket_type, data + at, value_length);
            connection->peer_socket_type[value_length] = '\0';
        }
        at += value_length;
    }
    return 0;
malformed:
    connection->protocol_error = ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA;
    errno = EPROTO;
    return -1;
}

static int fake_zap_request(modzmq_connection *connection,
                            const char *mechanism,
                            const uint8_t *const *credentials,
                            const size_t *credential_sizes, size_t count)
{
    connection->zap_requests++;
    snprintf(connection->zap_mechanism, sizeof connection->zap_mechanism, "%s",
             mechanism);
    connection->zap_credential[0] = '\0';
    if (count >= 1) {
        snprintf(connection->zap_credential, sizeof connection->zap_credential,
                 "%.*s", (int) credential_sizes[0],
                 (const char *) credentials[0]);
    }
    if (connection->zap_answer < 0) {
        errno = ECONNREFUSED;
        return -1;
    }
    return connection->zap_answer;
}

static void fake_handshake_error(modzmq_connection *connection,
                                 int protocol_error)
{
    connection->protocol_error = protocol_error;
}

static void fake_log(modzmq_core *core, enum modzmq_log_level level,
                     const char *message)
{
    (void) core;
    snprintf(last_log, sizeof last_log, "%s", message);
    fprintf(stderr, "plugin log %d: %s\n", (int) level, message);
}

/* The event, socket option and subscription services stay NULL: a
 * mechanism has no use for them. */
static const struct modzmq_core_services fake_services = {
    .size = sizeof fake_services,
    .log = fake_log,
    .msg_data = fake_msg_data,
    .msg_size = fake_msg_size,
    .msg_resize = fake_msg_resize,
    .msg_flags = fake_msg_flags,
    .msg_set_flags = fake_msg_set_flags,
    .connection_option = fake_connection_option,
    .metadata_write = fake_metadata_write,
    .metadata_read = fake_metadata_read,
    .zap_request = fake_zap_request,
    .handshake_error = fake_handshake_error,
};

const struct modzmq_core_services *harness_services(void)
{
    return &fake_services;
}

const struct modzmq_plugin *harness_load_mechanism(const char *path,
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
        harness_unload_mechanism();
        return NULL;
    }
    const struct modzmq_plugin *plugin = entry();
    if (plugin->init != NULL && plugin->init(&fake_services, NULL) != 0) {
        fprintf(stderr, "%s: init failed\n", path);
        harness_unload_mechanism();
        return NULL;
    }
    loaded_plugin = plugin;
    return plugin;
}

void harness_unload_mechanism(void)
{
    if (loaded_plugin != NULL && loaded_plugin->fini != NULL)
        loaded_plugin->fini();
    loaded_plugin = NULL;
    if (module_handle != NULL)
        dlclose(module_handle);
    module_handle = NULL;
}

void harness_msg_set(struct modzmq_msg *msg, const void *data, size_t size,
                     unsigned flags)
{
    free(msg->data);
    msg->data = malloc(size > 0 ? size : 1);
    if (size > 0)
        memcpy(msg->data, data, size);
    msg->size = size;
    msg->flags = flags;
}

void harness_msg_free(struct modzmq_msg *msg)
{
    free(msg->data);
    msg->data = NULL;
    msg->size = 0;
    msg->flags = 0;
}

const char *harness_last_log(void)
{
    return last_log;
}

void harness_log_clear(void)
{
    last_log[0] = '\0';
}
