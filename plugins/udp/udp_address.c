/*
 * udp plugin: addresses; see udp_address.h.
 */
#include "udp_address.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { HOST_MAX = 256 };

static void set_port(struct udp_sockaddr *a, uint16_t port)
{
    if (a->storage.ss_family == AF_INET)
        ((struct sockaddr_in *) &a->storage)->sin_port = htons(port);
    else
        ((struct sockaddr_in6 *) &a->storage)->sin6_port = htons(port);
}

/* A numeric address of family (AF_INET6 with ipv6 only). */
static bool numeric(const char *host, int family, struct udp_sockaddr *out)
{
    memset(out, 0, sizeof *out);
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *) &out->storage;
        if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
            return false;
        in->sin_family = AF_INET;
        out->length = sizeof *in;
        return true;
    }
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &out->storage;
    if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
        return false;
    in6->sin6_family = AF_INET6;
    out->length = sizeof *in6;
    return true;
}

/* An IPv4 address as IPv6 maps it, for an IPv6 socket. */
static void map_ipv4(struct udp_sockaddr *a)
{
    struct sockaddr_in in = *(struct sockaddr_in *) &a->storage;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &a->storage;
    memset(a, 0, sizeof *a);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = in.sin_port;
    in6->sin6_addr.s6_addr[10] = 0xff;
    in6->sin6_addr.s6_addr[11] = 0xff;
    memcpy(&in6->sin6_addr.s6_addr[12], &in.sin_addr, 4);
    a->length = sizeof *in6;
}

/* A numeric host of either family the socket may use: IPv4 always (mapped
 * on an IPv6 socket), IPv6 with ipv6. *family gets the host's own. */
static bool numeric_any(const char *host, bool ipv6, struct udp_sockaddr *out,
                        int *family)
{
    if (numeric(host, AF_INET, out)) {
        *family = AF_INET;
        return true;
    }
    if (ipv6 && numeric(host, AF_INET6, out)) {
        *family = AF_INET6;
        return true;
    }
    return false;
}

/* An interface by name or by one of its addresses: its index and its
 * first address of family. */
static int find_interface(const char *name, int family, unsigned *index,
                          struct udp_sockaddr *address)
{
    struct udp_sockaddr wanted;
    int wanted_family = 0;
    bool by_address = numeric_any(name, true, &wanted, &wanted_family);
    struct ifaddrs *list;
    if (getifaddrs(&list) != 0)
        return -1;
    int rc = -1;
    for (struct ifaddrs *i = list; i != NULL; i = i->ifa_next) {
        if (i->ifa_addr == NULL || i->ifa_addr->sa_family != family)
            continue;
        bool match;
        if (by_address && family == AF_INET && wanted_family == AF_INET)
            match = memcmp(&((struct sockaddr_in *) i->ifa_addr)->sin_addr,
                           &((struct sockaddr_in *) &wanted.storage)->sin_addr,
                           4) == 0;
        else if (by_address && family == AF_INET6 && wanted_family == AF_INET6)
            match =
                memcmp(&((struct sockaddr_in6 *) i->ifa_addr)->sin6_addr,
                       &((struct sockaddr_in6 *) &wanted.storage)->sin6_addr,
                       16) == 0;
        else
            match = !by_address && strcmp(i->ifa_name, name) == 0;
        if (!match)
            continue;
        memset(address, 0, sizeof *address);
        address->length = family == AF_INET ? sizeof(struct sockaddr_in)
                                            : sizeof(struct sockaddr_in6);
        memcpy(&address->storage, i->ifa_addr, address->length);
        set_port(address, 0);
        *index = if_nametoindex(i->ifa_name);
        rc = 0;
        break;
    }
    freeifaddrs(list);
    if (rc < 0)
        errno = ENODEV;
    return rc;
}

static bool is_multicast(const struct udp_sockaddr *a)
{
    if (a->storage.ss_family == AF_INET)
        return IN_MULTICAST(
            ntohl(((const struct sockaddr_in *) &a->storage)->sin_addr.s_addr));
    return IN6_IS_ADDR_MULTICAST(
        &((const struct sockaddr_in6 *) &a->storage)->sin6_addr);
}

/* Splits "host:port" (host possibly in brackets) into host and port. */
static int split_host_port(const char *text, char *host, bool *bracketed,
                           long *port)
{
    const char *colon = strrchr(text, ':');
    if (colon == NULL || colon == text)
        return errno = EINVAL, -1;
    size_t length = (size_t) (colon - text);
    *bracketed = text[0] == '[';
    if (*bracketed) {
        if (length < 3 || text[length - 1] != ']')
            return errno = EINVAL, -1;
        text++;
        length -= 2;
    }
    if (length >= HOST_MAX)
        return errno = EINVAL, -1;
    memcpy(host, text, length);
    host[length] = '\0';
    const char *digits = colon + 1;
    if (strcmp(digits, "*") == 0) {
        *port = 0;
        return 0;
    }
    if (*digits < '0' || *digits > '9')
        return errno = EINVAL, -1;
    char *end;
    errno = 0;
    *port = strtol(digits, &end, 10);
    if (*end != '\0' || errno != 0 || *port > 65535)
        return errno = EINVAL, -1;
    return 0;
}

/* A DNS name (connect only), to its first address of family. */
static int resolve_name(const char *host, int family, struct udp_sockaddr *out)
{
    struct addrinfo hints = { .ai_family = family, .ai_socktype = SOCK_DGRAM };
    struct addrinfo *found;
    if (getaddrinfo(host, NULL, &hints, &found) != 0 || found == NULL)
        return errno = EINVAL, -1;
    memset(out, 0, sizeof *out);
    memcpy(&out->storage, found->ai_addr, found->ai_addrlen);
    out->length = found->ai_addrlen;
    freeaddrinfo(found);
    return 0;
}

static int resolve_host(const char *host, bool bracketed, bool bind, bool ipv6,
                        struct udp_address *out)
{
    int family = AF_INET;
    if (bracketed) {
        if (!ipv6 || !numeric(host, AF_INET6, &out->target))
            return errno = EINVAL, -1;
        out->family = AF_INET6;
        return 0;
    }
    if (strcmp(host, "*") == 0) {
        if (!bind)
            return errno = EINVAL, -1;
        out->family = ipv6 ? AF_INET6 : AF_INET;
        numeric(ipv6 ? "::" : "0.0.0.0", out->family, &out->target);
        return 0;
    }
    if (numeric_any(host, ipv6, &out->target, &family)) {
        out->family = family;
        return 0;
    }
    if (bind) {
        /* An interface name: its address. */
        unsigned index;
        out->family = ipv6 ? AF_INET6 : AF_INET;
        if (find_interface(host, out->family, &index, &out->target) < 0 &&
            (!ipv6 || find_interface(host, out->family = AF_INET, &index,
                                     &out->target) < 0))
            return -1;
        return 0;
    }
    out->family = ipv6 ? AF_UNSPEC : AF_INET;
    if (resolve_name(host, out->family, &out->target) < 0)
        return -1;
    out->family = out->target.storage.ss_family;
    return 0;
}

/* A link-local IPv6 target (ff02::1, fe80::1) means nothing without its
 * interface: binding and sending need it as the scope. */
static void set_scope(struct udp_address *a)
{
    if (a->family != AF_INET6)
        return;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &a->target.storage;
    if (IN6_IS_ADDR_MC_LINKLOCAL(&in6->sin6_addr) ||
        IN6_IS_ADDR_LINKLOCAL(&in6->sin6_addr))
        in6->sin6_scope_id = a->iface_index;
}

int udp_address_parse(const char *text, bool bind, bool ipv6,
                      struct udp_address *out)
{
    memset(out, 0, sizeof *out);
    const char *semicolon = strchr(text, ';');
    const char *hostport = semicolon != NULL ? semicolon + 1 : text;
    char host[HOST_MAX];
    bool bracketed;
    long port;
    if (split_host_port(hostport, host, &bracketed, &port) < 0)
        return -1;
    if (port == 0 && !bind)
        return errno = EINVAL, -1;
    if (resolve_host(host, bracketed, bind, ipv6, out) < 0)
        return -1;
    set_port(&out->target, (uint16_t) port);
    out->multicast = is_multicast(&out->target);
    if (semicolon == NULL)
        return 0;
    size_t length = (size_t) (semicolon - text);
    char iface[HOST_MAX];
    if (length == 0 || length >= sizeof iface)
        return errno = EINVAL, -1;
    memcpy(iface, text, length);
    iface[length] = '\0';
    if (iface[0] == '[' && length > 2 && iface[length - 1] == ']') {
        memmove(iface, iface + 1, length - 2);
        iface[length - 2] = '\0';
    }
    if (strcmp(iface, "*") == 0)
        return 0;
    if (find_interface(iface, out->family, &out->iface_index, &out->source) <
        0)
        return -1;
    set_scope(out);
    return 0;
}

int udp_address_format(const struct sockaddr *addr, char *buffer, size_t size)
{
    char host[INET6_ADDRSTRLEN];
    unsigned port;
    int length;
    if (addr->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *) addr;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        port = ntohs(in->sin_port);
        length = snprintf(buffer, size, "%s:%u", host, port);
    } else {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) addr;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            /* An IPv4 peer of an IPv6 socket, as an IPv4 one sees it. */
            inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], host, sizeof host);
            length = snprintf(buffer, size, "%s:%u", host,
                              (unsigned) ntohs(in6->sin6_port));
        } else {
            inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
            length = snprintf(buffer, size, "[%s]:%u", host,
                              (unsigned) ntohs(in6->sin6_port));
        }
    }
    if (length < 0 || (size_t) length >= size)
        return errno = ENOSPC, -1;
    return length;
}

int udp_address_frame_parse(const char *frame, size_t size, int family,
                            struct udp_sockaddr *out)
{
    char text[HOST_MAX + 8];
    if (size == 0 || size >= sizeof text || memchr(frame, 0, size) != NULL)
        return errno = EINVAL, -1;
    memcpy(text, frame, size);
    text[size] = '\0';
    char host[HOST_MAX];
    bool bracketed;
    long port;
    if (split_host_port(text, host, &bracketed, &port) < 0 || port == 0)
        return errno = EINVAL, -1;
    int found;
    if (bracketed) {
        if (family != AF_INET6 || !numeric(host, AF_INET6, out))
            return errno = EINVAL, -1;
    } else if (!numeric_any(host, false, out, &found)) {
        return errno = EINVAL, -1;
    }
    set_port(out, (uint16_t) port);
    if (family == AF_INET6 && out->storage.ss_family == AF_INET)
        map_ipv4(out);
    return 0;
}
