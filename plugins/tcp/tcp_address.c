/*
 * tcp plugin: address parsing, resolution and printing (see tcp_address.h).
 * Resolution follows libzmq's rules so that the same endpoint strings work
 * and fail the same way: a bind never looks names up in DNS (an unknown
 * name is an unknown interface, ENODEV), a connect does.
 */
#include "tcp_address.h"

#include <ctype.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "stream_fd.h"

static int fail(int error)
{
    errno = error;
    return -1;
}

static int parse_port(const char *text, size_t length,
                      struct tcp_host_port *out)
{
    if (length == 1 && text[0] == '*') {
        out->port = 0;
        out->any_port = true;
        return 0;
    }
    if (length == 0 || length > 5)
        return fail(EINVAL);
    unsigned long value = 0;
    for (size_t i = 0; i < length; i++) {
        if (!isdigit((unsigned char) text[i]))
            return fail(EINVAL);
        value = value * 10 + (unsigned long) (text[i] - '0');
    }
    if (value > UINT16_MAX)
        return fail(EINVAL);
    out->port = (uint16_t) value;
    return 0;
}

int tcp_host_port_parse(const char *text, size_t length,
                        struct tcp_host_port *out)
{
    memset(out, 0, sizeof *out);
    const char *colon = memrchr(text, ':', length);
    if (colon == NULL)
        return fail(EINVAL);
    const char *host = text;
    size_t host_length = (size_t) (colon - text);
    if (host_length >= 2 && host[0] == '[' && host[host_length - 1] == ']') {
        host++;
        host_length -= 2;
    }
    if (host_length == 0 || host_length >= sizeof out->host)
        return fail(EINVAL);
    for (size_t i = 0; i < host_length; i++) {
        unsigned char c = (unsigned char) host[i];
        if (!isgraph(c) || c == '[' || c == ']' || c == ';' || c == '/')
            return fail(EINVAL);
    }
    memcpy(out->host, host, host_length);
    out->host[host_length] = '\0';
    const char *port = colon + 1;
    return parse_port(port, (size_t) (text + length - port), out);
}

bool tcp_connect_address_plausible(const char *address)
{
    const char *p = address;
    if (!isalnum((unsigned char) *p) && *p != '[' && *p != ':')
        return false;
    for (; *p != '\0'; p++)
        if (!isalnum((unsigned char) *p) && strchr(".-:%;[]_*", *p) == NULL)
            return false;
    const char *colon = strrchr(address, ':');
    return colon != NULL && isdigit((unsigned char) colon[1]);
}

static void set_port(struct tcp_sockaddr *addr, uint16_t port)
{
    if (addr->storage.ss_family == AF_INET6)
        ((struct sockaddr_in6 *) &addr->storage)->sin6_port = htons(port);
    else
        ((struct sockaddr_in *) &addr->storage)->sin_port = htons(port);
}

static void any_address(bool ipv6, uint16_t port, struct tcp_sockaddr *out)
{
    memset(out, 0, sizeof *out);
    if (ipv6) {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &out->storage;
        in6->sin6_family = AF_INET6;
        in6->sin6_addr = in6addr_any;
        out->length = sizeof *in6;
    } else {
        struct sockaddr_in *in = (struct sockaddr_in *) &out->storage;
        in->sin_family = AF_INET;
        in->sin_addr.s_addr = htonl(INADDR_ANY);
        out->length = sizeof *in;
    }
    set_port(out, port);
}

/* The first address of the interface called name that the socket may use:
 * IPv4, or IPv4 and IPv6 when ipv6 is on. */
static int interface_address(const char *name, uint16_t port, bool ipv6,
                             struct tcp_sockaddr *out)
{
    struct ifaddrs *list;
    if (getifaddrs(&list) != 0)
        return -1;
    int rc = fail(ENODEV);
    for (struct ifaddrs *ifa = list; ifa != NULL; ifa = ifa->ifa_next) {
        if (ifa->ifa_addr == NULL || strcmp(ifa->ifa_name, name) != 0)
            continue;
        int family = ifa->ifa_addr->sa_family;
        size_t size;
        if (family == AF_INET)
            size = sizeof(struct sockaddr_in);
        else if (family == AF_INET6 && ipv6)
            size = sizeof(struct sockaddr_in6);
        else
            continue;
        memset(out, 0, sizeof *out);
        memcpy(&out->storage, ifa->ifa_addr, size);
        out->length = (socklen_t) size;
        set_port(out, port);
        rc = 0;
        break;
    }
    freeifaddrs(list);
    return rc;
}

/* getaddrinfo's first answer; flags choose numeric-only or DNS. */
static int lookup(const char *host, uint16_t port, int family, int flags,
                  struct tcp_sockaddr *out)
{
    struct addrinfo hints = { .ai_family = family,
                              .ai_socktype = SOCK_STREAM,
                              .ai_flags = flags };
    struct addrinfo *result;
    int rc = getaddrinfo(host, NULL, &hints, &result);
    if (rc == EAI_MEMORY)
        return fail(ENOMEM);
    if (rc == EAI_SYSTEM)
        return -1;
    if (rc != 0)
        return fail(EINVAL);
    if (result->ai_addrlen > sizeof out->storage) {
        freeaddrinfo(result);
        return fail(EINVAL);
    }
    memset(out, 0, sizeof *out);
    memcpy(&out->storage, result->ai_addr, result->ai_addrlen);
    out->length = result->ai_addrlen;
    set_port(out, port);
    freeaddrinfo(result);
    return 0;
}

int tcp_resolve_local(const char *host, uint16_t port, bool ipv6,
                      struct tcp_sockaddr *out)
{
    if (strcmp(host, "*") == 0) {
        any_address(ipv6, port, out);
        return 0;
    }
    if (interface_address(host, port, ipv6, out) == 0)
        return 0;
    if (errno != ENODEV)
        return -1;
    int family = ipv6 ? AF_UNSPEC : AF_INET;
    if (lookup(host, port, family, AI_NUMERICHOST | AI_PASSIVE, out) == 0)
        return 0;
    return errno == ENOMEM ? -1 : fail(ENODEV);
}

int tcp_resolve_peer(const char *host, uint16_t port, bool ipv6, int family,
                     struct tcp_sockaddr *out)
{
    if (family == AF_UNSPEC && !ipv6)
        family = AF_INET;
    return lookup(host, port, family, 0, out);
}

int tcp_format_host(const struct sockaddr *addr, socklen_t length, char *buffer,
                    size_t size)
{
    char host[NI_MAXHOST];
    if (getnameinfo(addr, length, host, sizeof host, NULL, 0, NI_NUMERICHOST) !=
        0)
        return fail(EINVAL);
    size_t host_length = strlen(host);
    if (host_length >= size)
        return fail(ENOSPC);
    memcpy(buffer, host, host_length + 1);
    return (int) host_length;
}

int tcp_format_endpoint(const struct sockaddr *addr, socklen_t length,
                        char *buffer, size_t size)
{
    char host[NI_MAXHOST];
    if (tcp_format_host(addr, length, host, sizeof host) < 0)
        return -1;
    unsigned port;
    if (addr->sa_family == AF_INET6)
        port = ntohs(((const struct sockaddr_in6 *) addr)->sin6_port);
    else
        port = ntohs(((const struct sockaddr_in *) addr)->sin_port);
    const char *open = addr->sa_family == AF_INET6 ? "[" : "";
    const char *close = addr->sa_family == AF_INET6 ? "]" : "";
    int written =
        snprintf(buffer, size, "tcp://%s%s%s:%u", open, host, close, port);
    if (written < 0 || (size_t) written >= size)
        return fail(ENOSPC);
    return written;
}

int tcp_adopt_listener(int fd, struct tcp_sockaddr *local)
{
    if (stream_fd_adopt(fd) != 0)
        return -1;
    local->length = sizeof local->storage;
    return getsockname(fd, (struct sockaddr *) &local->storage, &local->length);
}
