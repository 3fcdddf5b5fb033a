/*
 * norm plugin: norm:// address parsing (see norm_address.h).
 */
#include "norm_address.h"

#include <errno.h>
#include <string.h>

/* The decimal number in [text, end), at most max; false if there is none
 * or it is larger. */
static bool read_number(const char *text, const char *end, uint64_t max,
                        uint64_t *out)
{
    if (text == end)
        return false;
    uint64_t value = 0;
    for (const char *p = text; p < end; p++) {
        if (*p < '0' || *p > '9')
            return false;
        value = value * 10 + (uint64_t) (*p - '0');
        if (value > max)
            return false;
    }
    *out = value;
    return true;
}

/* Copies [text, end) into out (size bytes); false when it is empty or
 * does not fit. */
static bool copy_part(const char *text, const char *end, char *out,
                      size_t size)
{
    size_t length = (size_t) (end - text);
    if (length == 0 || length >= size)
        return false;
    memcpy(out, text, length);
    out[length] = '\0';
    return true;
}

static int invalid(void)
{
    errno = EINVAL;
    return -1;
}

int norm_address_parse(const char *address, struct norm_address *out)
{
    memset(out, 0, sizeof *out);
    const char *rest = address;
    const char *comma = strchr(rest, ',');
    if (comma != NULL) {
        uint64_t id;
        if (!read_number(rest, comma, UINT32_MAX, &id) || id == 0 ||
            id == UINT32_MAX)
            return invalid();
        out->has_node_id = true;
        out->node_id = (uint32_t) id;
        rest = comma + 1;
    }
    const char *semicolon = strchr(rest, ';');
    if (semicolon != NULL) {
        if (!copy_part(rest, semicolon, out->iface, sizeof out->iface))
            return invalid();
        rest = semicolon + 1;
    }
    const char *colon = strrchr(rest, ':');
    uint64_t port;
    if (colon == NULL ||
        !copy_part(rest, colon, out->host, sizeof out->host) ||
        !read_number(colon + 1, colon + strlen(colon), 65535, &port) ||
        port == 0)
        return invalid();
    out->port = (uint16_t) port;
    return 0;
}
