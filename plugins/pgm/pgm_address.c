/*
 * pgm plugin: splitting "IFACE;GROUP:PORT" (pgm_address.h).
 */
#include "pgm_address.h"

#include <errno.h>
#include <string.h>

int pgm_address_split(const char *address, struct pgm_address *out)
{
    const char *colon = address != NULL ? strrchr(address, ':') : NULL;
    if (colon == NULL || colon == address || colon[1] == '\0')
        return errno = EINVAL, -1;
    unsigned long port = 0;
    for (const char *c = colon + 1; *c != '\0'; c++) {
        if (*c < '0' || *c > '9' || port > 65535)
            return errno = EINVAL, -1;
        port = port * 10 + (unsigned long) (*c - '0');
    }
    size_t length = (size_t) (colon - address);
    if (port == 0 || port > 65535 || length >= sizeof out->network)
        return errno = EINVAL, -1;
    memcpy(out->network, address, length);
    out->network[length] = '\0';
    out->port = (uint16_t) port;
    return 0;
}
