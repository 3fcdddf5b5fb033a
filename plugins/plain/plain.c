/*
 * The PLAIN plugin's descriptor and the parts its roles share. PLAIN sends
 * the username and password in clear (RFC 24); the server side asks the
 * ZAP handler about them through the core. Nothing is done to traffic, so
 * the plugin has no encode or decode.
 */
#define MODZMQ_PLUGIN_MODULE modzmq_plain
#include "plain.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const struct modzmq_core_services *plain_services;

bool plain_command_is(const uint8_t *body, size_t body_size, const char *name,
                      const uint8_t **data, size_t *size)
{
    size_t name_size = strlen(name);
    if (body_size < 1 + name_size || body[0] != name_size ||
        memcmp(body + 1, name, name_size) != 0)
        return false;
    *data = body + 1 + name_size;
    *size = body_size - 1 - name_size;
    return true;
}

int plain_command_write(modzmq_msg *command, const char *name,
                        const uint8_t *data, size_t data_size,
                        modzmq_connection *metadata_of)
{
    size_t name_size = strlen(name);
    size_t head = 1 + name_size + data_size;
    size_t metadata_size =
        metadata_of != NULL
            ? plain_services->metadata_write(metadata_of, NULL, 0)
            : 0;
    if (plain_services->msg_resize(command, head + metadata_size) < 0)
        return -1;
    uint8_t *p = plain_services->msg_data(command);
    p[0] = (uint8_t) name_size;
    memcpy(p + 1, name, name_size);
    if (data_size > 0)
        memcpy(p + 1 + name_size, data, data_size);
    if (metadata_of != NULL)
        plain_services->metadata_write(metadata_of, p + head, metadata_size);
    plain_services->msg_set_flags(command, MODZMQ_MSG_COMMAND);
    return 0;
}

int plain_refuse(modzmq_connection *connection, int protocol_error)
{
    plain_services->handshake_error(connection, protocol_error);
    errno = EPROTO;
    return -1;
}

static int plain_session_new(modzmq_connection *connection, int as_server,
                             modzmq_mechanism_session **session)
{
    struct modzmq_mechanism_session *s = calloc(1, sizeof *s);
    if (s == NULL) {
        errno = ENOMEM;
        return -1;
    }
    s->connection = connection;
    s->as_server = as_server != 0;
    s->state = s->as_server ? PLAIN_WAIT_HELLO : PLAIN_SEND_HELLO;
    *session = s;
    return 0;
}

static void plain_session_free(modzmq_mechanism_session *session)
{
    free(session);
}

static int plain_next_command(modzmq_mechanism_session *s, modzmq_msg *command)
{
    return s->as_server ? plain_server_next(s, command)
                        : plain_client_next(s, command);
}

static int plain_process_command(modzmq_mechanism_session *s,
                                 modzmq_msg *command)
{
    return s->as_server ? plain_server_process(s, command)
                        : plain_client_process(s, command);
}

static enum modzmq_mechanism_status plain_status(modzmq_mechanism_session *s)
{
    return s->state == PLAIN_DONE ? MODZMQ_MECHANISM_READY
                                  : MODZMQ_MECHANISM_HANDSHAKING;
}

static void plain_zap_accepted(modzmq_mechanism_session *s)
{
    if (s->state == PLAIN_WAIT_ZAP)
        s->state = PLAIN_SEND_WELCOME;
}

static int plain_init(const struct modzmq_core_services *services,
                      modzmq_core *core)
{
    (void) core;
    /* Every service this plugin calls came with ABI 1.1. */
    if (!modzmq_has_service(
            services, offsetof(struct modzmq_core_services, handshake_error))) {
        errno = EINVAL;
        return -1;
    }
    plain_services = services;
    return 0;
}

static const struct modzmq_mechanism_ops plain_ops = {
    .size = sizeof(struct modzmq_mechanism_ops),
    .session_new = plain_session_new,
    .session_free = plain_session_free,
    .next_command = plain_next_command,
    .process_command = plain_process_command,
    .status = plain_status,
    .zap_accepted = plain_zap_accepted,
};

static const char *const plain_names[] = { "PLAIN", NULL };

static const struct modzmq_plugin plain_plugin = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "plain",
    .kind = MODZMQ_PLUGIN_MECHANISM,
    .serves = plain_names,
    .ops = &plain_ops,
    .init = plain_init,
};

MODZMQ_PLUGIN_ENTRY;

MODZMQ_PLUGIN_ENTRY
{
    return &plain_plugin;
}
