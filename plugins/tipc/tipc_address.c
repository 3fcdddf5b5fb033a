/*
 * tipc plugin: parsing and writing TIPC addresses (see tipc_address.h).
 * A small cursor over the text reads one token at a time, so that every
 * form is checked to its last byte.
 */
#include "tipc_address.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Node addresses are zone.cluster.node in 8, 12 and 12 bits. */
enum { ZONE_MAX = 255, CLUSTER_MAX = 4095, NODE_MAX = 4095 };

static int fail(int error)
{
    errno = error;
    return -1;
}

/* Reads an unsigned 32-bit decimal number at *at, after optional spaces
 * (as sscanf's %u skips them), without a sign. */
static bool read_number(const char **at, uint32_t *value)
{
    const char *p = *at;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p < '0' || *p > '9')
        return false;
    uint64_t n = 0;
    while (*p >= '0' && *p <= '9') {
        n = n * 10 + (uint64_t) (*p - '0');
        if (n > UINT32_MAX)
            return false;
        p++;
    }
    *value = (uint32_t) n;
    *at = p;
    return true;
}

static bool read_char(const char **at, char c)
{
    if (**at != c)
        return false;
    (*at)++;
    return true;
}

/* "z.c.n" at *at, each part in its range: the node address. */
static bool read_node(const char **at, uint32_t *node)
{
    uint32_t z, c, n;
    if (!read_number(at, &z) || !read_char(at, '.') || !read_number(at, &c) ||
        !read_char(at, '.') || !read_number(at, &n))
        return false;
    if (z > ZONE_MAX || c > CLUSTER_MAX || n > NODE_MAX)
        return false;
    *node = tipc_addr(z, c, n);
    return true;
}

/* The rest of the text: nothing, or "@z.c.n" and nothing. */
static bool read_domain(const char *at, uint32_t *domain)
{
    if (*at == '\0')
        return true;
    if (!read_char(&at, '@') || !read_node(&at, domain))
        return false;
    return *at == '\0';
}

/* "{a,b}" or "{a,b,c}": count is 2 or 3. */
static bool read_service(const char **at, uint32_t numbers[3], int *count)
{
    if (!read_char(at, '{') || !read_number(at, &numbers[0]) ||
        !read_char(at, ',') || !read_number(at, &numbers[1]))
        return false;
    *count = 2;
    if (read_char(at, ',')) {
        if (!read_number(at, &numbers[2]))
            return false;
        *count = 3;
    }
    return read_char(at, '}');
}

int tipc_address_parse(const char *text, struct tipc_address *out)
{
    if (text == NULL || out == NULL)
        return fail(EINVAL);
    memset(out, 0, sizeof *out);
    out->sa.family = AF_TIPC;
    const char *at = text;
    /* libzmq's default lookup domain, zone 1. */
    uint32_t domain = tipc_addr(1, 0, 0);
    if (strncmp(at, "<*>", 3) == 0) {
        if (!read_domain(at + 3, &domain))
            return fail(EINVAL);
        out->random = true;
        out->sa.addrtype = TIPC_ADDR_ID;
        return 0;
    }
    if (*at == '<') {
        uint32_t node, ref;
        at++;
        if (!read_node(&at, &node) || !read_char(&at, ':') ||
            !read_number(&at, &ref) || !read_char(&at, '>') ||
            !read_domain(at, &domain))
            return fail(EINVAL);
        out->sa.addrtype = TIPC_ADDR_ID;
        out->sa.addr.id.node = node;
        out->sa.addr.id.ref = ref;
        return 0;
    }
    uint32_t numbers[3];
    int count;
    if (!read_service(&at, numbers, &count) || !read_domain(at, &domain))
        return fail(EINVAL);
    if (count == 3) {
        if (numbers[0] < TIPC_RESERVED_TYPES || numbers[2] < numbers[1])
            return fail(EINVAL);
        out->sa.addrtype = TIPC_ADDR_NAMESEQ;
        out->sa.scope = TIPC_ZONE_SCOPE;
        out->sa.addr.nameseq.type = numbers[0];
        out->sa.addr.nameseq.lower = numbers[1];
        out->sa.addr.nameseq.upper = numbers[2];
        return 0;
    }
    /* As libzmq: a service address's type is above the reserved ones. */
    if (numbers[0] <= TIPC_RESERVED_TYPES)
        return fail(EINVAL);
    out->sa.addrtype = TIPC_ADDR_NAME;
    out->sa.addr.name.name.type = numbers[0];
    out->sa.addr.name.name.instance = numbers[1];
    out->sa.addr.name.domain = domain;
    return 0;
}

int tipc_address_format(const struct sockaddr_tipc *sa, char *buffer,
                        size_t size)
{
    if (sa == NULL || sa->family != AF_TIPC)
        return fail(EINVAL);
    int length;
    if (sa->addrtype == TIPC_ADDR_NAMESEQ || sa->addrtype == TIPC_ADDR_NAME)
        length = snprintf(buffer, size, "tipc://{%u, %u, %u}",
                          sa->addr.nameseq.type, sa->addr.nameseq.lower,
                          sa->addr.nameseq.upper);
    else if (sa->addrtype == TIPC_ADDR_ID)
        length = snprintf(buffer, size, "tipc://<%u.%u.%u:%u>",
                          tipc_zone(sa->addr.id.node),
                          tipc_cluster(sa->addr.id.node),
                          tipc_node(sa->addr.id.node), sa->addr.id.ref);
    else
        return fail(EINVAL);
    if (length < 0 || (size_t) length >= size)
        return fail(ENOSPC);
    return length;
}
