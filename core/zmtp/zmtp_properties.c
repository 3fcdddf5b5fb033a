/*
 * Property blocks, written from a socket's options and read into a
 * connection's metadata; shared by the NULL mechanism, the services that
 * plugin mechanisms call and ZAP replies.
 */
#include <string.h>
#include <strings.h>

#include "peer_metadata.h"
#include "socket_compat.h"
#include "zmq.h"
#include "zmtp_properties.h"

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

size_t mz_zmtp_properties_write(const struct mz_options *options,
                                uint8_t *buffer, size_t size)
{
    const char *type = mz_socket_type_name(options->socket_type);
    if (type == NULL)
        type = "";
    bool identity = announces_identity(options->socket_type);
    const struct mz_metadata_list *user = &options->metadata;

    size_t needed = property_size("Socket-Type", strlen(type));
    if (identity)
        needed += property_size("Identity", options->routing_id_size);
    for (size_t i = 0; i < user->count; i++)
        needed +=
            property_size(user->items[i].name, strlen(user->items[i].value));
    if (needed > size)
        return needed;

    uint8_t *p = put_property(buffer, "Socket-Type", type, strlen(type));
    if (identity)
        p = put_property(p, "Identity", options->routing_id,
                         options->routing_id_size);
    for (size_t i = 0; i < user->count; i++)
        p = put_property(p, user->items[i].name, user->items[i].value,
                         strlen(user->items[i].value));
    return needed;
}

static uint32_t read_be32(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | ((uint32_t) p[1] << 16) |
           ((uint32_t) p[2] << 8) | (uint32_t) p[3];
}

/* Property names are case-insensitive (RFC 23 "Command Metadata"). */
static bool is_named(const char *name, size_t name_size, const char *wanted)
{
    return name_size == strlen(wanted) &&
           strncasecmp(name, wanted, name_size) == 0;
}

enum mz_properties_result
mz_zmtp_properties_read(const uint8_t *data, size_t size, int our_socket_type,
                        struct mz_peer_metadata *metadata)
{
    const uint8_t *p = data;
    size_t left = size;
    while (left > 0) {
        size_t name_size = p[0];
        if (name_size == 0 || left < 1 + name_size + 4)
            return MZ_PROPERTIES_MALFORMED;
        const char *name = (const char *) p + 1;
        uint32_t value_size = read_be32(p + 1 + name_size);
        size_t head = 1 + name_size + 4;
        if (value_size > INT32_MAX || value_size > left - head)
            return MZ_PROPERTIES_MALFORMED;
        const uint8_t *value = p + head;
        /* RFC 23 "The Identity Property": 0 to 255 octets, the size of
         * the routing-id field it becomes. */
        if (is_named(name, name_size, "Identity") &&
            value_size > MZ_ROUTING_ID_MAX)
            return MZ_PROPERTIES_MALFORMED;

        if (our_socket_type >= 0 && is_named(name, name_size, "Socket-Type")) {
            int theirs =
                mz_socket_type_from_name((const char *) value, value_size);
            if (!mz_socket_types_compatible(our_socket_type, theirs))
                return MZ_PROPERTIES_INCOMPATIBLE;
        }
        if (mz_peer_metadata_add(metadata, name, name_size, value, value_size) <
            0)
            return MZ_PROPERTIES_NO_MEMORY;
        p += head + value_size;
        left -= head + value_size;
    }
    return MZ_PROPERTIES_OK;
}
