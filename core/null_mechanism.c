/*
 * READY metadata layout (RFC 37): a sequence of properties, each a name
 * (length octet, 1 to 255 bytes) and a value (4-byte big-endian length,
 * then the bytes).
 */
#include <string.h>
#include <strings.h>

#include "null_mechanism.h"
#include "peer_metadata.h"
#include "socket_compat.h"
#include "zmq.h"

/* Only these socket types name themselves to a ROUTER (RFC 37 "The
 * Identity Property"); libzmq sends the property, possibly empty, for
 * exactly them. */
static bool announces_identity(int socket_type)
{
    return socket_type == ZMQ_REQ || socket_type == ZMQ_DEALER ||
           socket_type == ZMQ_ROUTER;
}

static size_t property_size(const char *name, size_t value_size)
{
    return 1 + strlen(name) + 4 + value_size;
}

static uint8_t *put_property(uint8_t *p, const char *name, const void *value,
                             size_t value_size)
{
    size_t name_size = strlen(name);
    *p++ = (uint8_t) name_size;
    memcpy(p, name, name_size);
    p += name_size;
    for (int i = 0; i < 4; i++)
        *p++ = (uint8_t) (value_size >> (8 * (3 - i)));
    if (value_size > 0)
        memcpy(p, value, value_size);
    return p + value_size;
}

int mz_null_ready_build(const struct mz_options *options, struct mz_msg *out)
{
    static const char ready[] = "\5READY";
    const char *type = mz_socket_type_name(options->socket_type);
    if (type == NULL)
        type = "";
    bool identity = announces_identity(options->socket_type);
    const struct mz_metadata_list *user = &options->metadata;

    size_t size = sizeof ready - 1 + property_size("Socket-Type", strlen(type));
    if (identity)
        size += property_size("Identity", options->routing_id_size);
    for (size_t i = 0; i < user->count; i++)
        size +=
            property_size(user->items[i].name, strlen(user->items[i].value));

    if (mz_msg_init_size(out, size) < 0)
        return -1;
    uint8_t *p = mz_msg_data(out);
    memcpy(p, ready, sizeof ready - 1);
    p += sizeof ready - 1;
    p = put_property(p, "Socket-Type", type, strlen(type));
    if (identity)
        p = put_property(p, "Identity", options->routing_id,
                         options->routing_id_size);
    for (size_t i = 0; i < user->count; i++)
        p = put_property(p, user->items[i].name, user->items[i].value,
                         strlen(user->items[i].value));
    return 0;
}

int mz_null_error_build(const char *reason, struct mz_msg *out)
{
    uint8_t data[256];
    size_t len = strlen(reason);
    if (len > 255)
        len = 255;
    data[0] = (uint8_t) len;
    memcpy(data + 1, reason, len);
    return mz_zmtp_command_build(out, "ERROR", data, len + 1);
}

static uint32_t read_be32(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) |
           ((uint32_t) p[2] << 8) | (uint32_t) p[3];
}

enum mz_null_result mz_null_parse(const struct mz_zmtp_command *command,
                                  int our_socket_type,
                                  struct mz_peer_metadata *metadata)
{
    if (mz_zmtp_command_is(command, "ERROR"))
        return MZ_NULL_PEER_ERROR;
    if (!mz_zmtp_command_is(command, "READY"))
        return MZ_NULL_MALFORMED;

    const uint8_t *p = command->data;
    size_t left = command->data_size;
    while (left > 0) {
        size_t name_size = p[0];
        if (name_size == 0 || left < 1 + name_size + 4)
            return MZ_NULL_MALFORMED;
        const char *name = (const char *) p + 1;
        uint32_t value_size = read_be32(p + 1 + name_size);
        size_t head = 1 + name_size + 4;
        if (value_size > INT32_MAX || value_size > left - head)
            return MZ_NULL_MALFORMED;
        const uint8_t *value = p + head;

        if (name_size == strlen("Socket-Type") &&
            strncasecmp(name, "Socket-Type", name_size) == 0) {
            int theirs =
                mz_socket_type_from_name((const char *) value, value_size);
            if (!mz_socket_types_compatible(our_socket_type, theirs))
                return MZ_NULL_INCOMPATIBLE;
        }
        if (mz_peer_metadata_add(metadata, name, name_size, value, value_size) <
            0)
            return MZ_NULL_NO_MEMORY;
        p += head + value_size;
        left -= head + value_size;
    }
    return MZ_NULL_READY;
}
