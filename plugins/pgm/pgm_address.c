/*
 * pgm plugin: splitting "IFACE;GROUP:PORT", and loopback interfaces by
 * name (pgm_address.h).
 */
#include "pgm_address.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
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

int pgm_address_loopback_name(struct pgm_address *a)
{
    const char *semicolon = strchr(a->network, ';');
    if (semicolon == NULL || semicolon == a->network)
        return 0;
    char name[PGM_NETWORK_MAX];
    size_t length = (size_t) (semicolon - a->network);
    memcpy(name, a->network, length);
    name[length] = '\0';
    struct ifaddrs *all;
    if (getifaddrs(&all) != 0)
        return 0;
    char address[INET_ADDRSTRLEN] = "";
    for (struct ifaddrs *i = all; i != NULL; i = i->ifa_next)
        if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET &&
            (i->ifa_flags & IFF_LOOPBACK) && strcmp(i->ifa_name, name) == 0) {
            const struct sockaddr_in *in = (const void *) i->ifa_addr;
            inet_ntop(AF_INET, &in->sin_addr, address, sizeof address);
            break;
        }
    freeifaddrs(all);
    if (address[0] == '\0')
        return 0;
    size_t address_length = strlen(address), rest = strlen(semicolon) + 1;
    if (address_length + rest > sizeof a->network)
        return 0;
    memmove(a->network + address_length, semicolon, rest);
    memcpy(a->network, address, address_length);
    return 1;
}
