/*
 * The fake core of the CURVE unit suite; see curve_fake_core.h.
 */
#include "curve_fake_core.h"
#include "zmq.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int connection_option(modzmq_connection *connection, int option,
                             void *value, size_t *size)
{
    const uint8_t *key;
    switch (option) {
    case ZMQ_CURVE_PUBLICKEY:
        key = connection->public_key;
        break;
    case ZMQ_CURVE_SECRETKEY:
        key = connection->secret_key;
        break;
    case ZMQ_CURVE_SERVERKEY:
        key = connection->server_key;
        break;
    default:
        errno = EINVAL;
        return -1;
    }
    if (*size < 32) {
        errno = EINVAL;
        return -1;
    }
    memcpy(value, key, 32);
    *size = 32;
    return 0;
}

/* One RFC 23 property: name length, name, value length (4 octets,
 * network order), value. Returns its size; writes it when it fits. */
static size_t put_property(uint8_t *out, size_t room, const char *name,
                           const char *value)
{
    size_t name_size = strlen(name), value_size = strlen(value);
    size_t size = 1 + name_size + 4 + value_size;
    if (out != NULL && size <= room) {
        out[0] = (uint8_t) name_size;
        memcpy(out + 1, name, name_size);
        uint8_t *length = out + 1 + name_size;
        length[0] = (uint8_t) (value_size >> 24);
        length[1] = (uint8_t) (value_size >> 16);
        length[2] = (uint8_t) (value_size >> 8);
        length[3] = (uint8_t) value_size;
        memcpy(length + 4, value, value_size);
    }
    return size;
}

static size_t metadata_write(modzmq_connection *connection, uint8_t *buffer,
                             size_t size)
{
    if (connection->raw_metadata != NULL) {
        if (buffer != NULL && connection->raw_metadata_size <= size)
            memcpy(buffer, connection->raw_metadata,
                   connection->raw_metadata_size);
        return connection->raw_metadata_size;
    }
    size_t need = put_property(NULL, 0, "Socket-Type", connection->socket_type);
    if (connection->side != NULL)
        need += put_property(NULL, 0, "X-Side", connection->side);
    if (buffer == NULL || need > size)
        return need;
    size_t at =
        put_property(buffer, size, "Socket-Type", connection->socket_type);
    if (connection->side != NULL)
        put_property(buffer + at, size - at, "X-Side", connection->side);
    return need;
}

static int metadata_read(modzmq_connection *connection, const uint8_t *data,
                         size_t size)
{
    connection->metadata_reads++;
    size_t at = 0;
    while (at < size) {
        size_t name_size = data[at];
        if (name_size == 0 || at + 1 + name_size + 4 > size)
            goto bad;
        const char *name = (const char *) data + at + 1;
        const uint8_t *length = data + at + 1 + name_size;
        size_t value_size = (size_t) length[0] << 24 |
                            (size_t) length[1] << 16 | (size_t) length[2] << 8 |
                            length[3];
        if (value_size > size - (at + 1 + name_size + 4))
            goto bad;
        const char *value = (const char *) length + 4;
        char *into = NULL;
        if (name_size == 11 && memcmp(name, "Socket-Type", 11) == 0)
            into = connection->peer_socket_type;
        else if (name_size == 6 && memcmp(name, "X-Side", 6) == 0)
            into = connection->peer_side;
        if (into != NULL)
            snprintf(into, 32, "%.*s", (int) value_size, value);
        at += 1 + name_size + 4 + value_size;
    }
    return 0;
bad:
    connection->protocol_error = ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA;
    errno = EPROTO;
    return -1;
}

static int zap_request(modzmq_connection *connection, const char *mechanism,
                       const uint8_t *const *credentials,
                       const size_t *credential_sizes, size_t count)
{
    connection->zap_calls++;
    snprintf(connection->zap_mechanism, sizeof connection->zap_mechanism, "%s",
             mechanism);
    connection->zap_key_size = count == 1 ? credential_sizes[0] : 0;
    if (count == 1 && credential_sizes[0] == 32)
        memcpy(connection->zap_key, credentials[0], 32);
    if (connection->zap_answer < 0)
        errno = connection->zap_errno;
    return connection->zap_answer;
}

static void handshake_error(modzmq_connection *connection, int protocol_error)
{
    connection->protocol_error = protocol_error;
}

static const struct modzmq_core_services services = {
    .size = sizeof services,
    .msg_data = fake_msg_data,
    .msg_size = fake_msg_size,
    .msg_resize = fake_msg_resize,
    .msg_flags = fake_msg_flags,
    .msg_set_flags = fake_msg_set_flags,
    .connection_option = connection_option,
    .metadata_write = metadata_write,
    .metadata_read = metadata_read,
    .zap_request = zap_request,
    .handshake_error = handshake_error,
};

const struct modzmq_core_services *fake_core_services(void)
{
    return &services;
}

void fake_connection_init(struct modzmq_connection *connection,
                          const char *socket_type)
{
    memset(connection, 0, sizeof *connection);
    connection->socket_type = socket_type;
    connection->zap_answer = 1;
}

void fake_msg_init(struct modzmq_msg *msg)
{
    memset(msg, 0, sizeof *msg);
}

void fake_msg_set(struct modzmq_msg *msg, const void *data, size_t size,
                  unsigned flags)
{
    fake_msg_resize(msg, size);
    if (size > 0)
        memcpy(msg->data, data, size);
    msg->flags = flags;
}

void fake_msg_close(struct modzmq_msg *msg)
{
    free(msg->data);
    memset(msg, 0, sizeof *msg);
}
