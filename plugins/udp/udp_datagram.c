/*
 * udp plugin: encoding and decoding datagrams; see udp_datagram.h.
 */
#include "udp_datagram.h"

#include <string.h>

enum udp_datagram_status udp_datagram_decode(const uint8_t *data, size_t size,
                                             struct udp_datagram *out)
{
    if (size > UDP_DATAGRAM_MAX)
        return UDP_DATAGRAM_OVERSIZED;
    if (size < 1)
        return UDP_DATAGRAM_EMPTY;
    size_t group_size = data[0];
    if (size - 1 < group_size)
        return UDP_DATAGRAM_SHORT;
    if (memchr(data + 1, 0, group_size) != NULL)
        return UDP_DATAGRAM_BAD_GROUP;
    out->group = (const char *) data + 1;
    out->group_size = group_size;
    out->body = data + 1 + group_size;
    out->body_size = size - 1 - group_size;
    return UDP_DATAGRAM_OK;
}

size_t udp_datagram_encode(uint8_t *buffer, size_t capacity, const char *group,
                           size_t group_size, const void *body,
                           size_t body_size)
{
    if (group_size > UDP_GROUP_MAX)
        return 0;
    size_t limit = capacity < UDP_DATAGRAM_MAX ? capacity : UDP_DATAGRAM_MAX;
    if (limit < 1 + group_size || body_size > limit - 1 - group_size)
        return 0;
    buffer[0] = (uint8_t) group_size;
    if (group_size > 0)
        memcpy(buffer + 1, group, group_size);
    if (body_size > 0)
        memcpy(buffer + 1 + group_size, body, body_size);
    return 1 + group_size + body_size;
}

const char *udp_datagram_status_name(enum udp_datagram_status status)
{
    switch (status) {
    case UDP_DATAGRAM_OK:
        return "well-formed";
    case UDP_DATAGRAM_EMPTY:
        return "empty";
    case UDP_DATAGRAM_SHORT:
        return "shorter than its group";
    case UDP_DATAGRAM_BAD_GROUP:
        return "with a 0 octet in its group";
    case UDP_DATAGRAM_OVERSIZED:
        return "oversized";
    }
    return "malformed";
}
