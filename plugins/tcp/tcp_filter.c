/*
 * tcp plugin: accept filter masks (see tcp_filter.h). A mask is kept as
 * the address bytes and a prefix length in bits.
 */
#include "tcp_filter.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct tcp_mask {
    int family;
    unsigned char bytes[16];
    unsigned bits;
};

struct tcp_filter {
    size_t count;
    struct tcp_mask masks[];
};

/* Reads "address" or "address/bits" into mask. */
static int parse_mask(const char *text, struct tcp_mask *mask)
{
    char address[INET6_ADDRSTRLEN];
    const char *slash = strchr(text, '/');
    size_t length = slash != NULL ? (size_t) (slash - text) : strlen(text);
    if (length == 0 || length >= sizeof address)
        return -1;
    memcpy(address, text, length);
    address[length] = '\0';
    memset(mask, 0, sizeof *mask);
    unsigned max_bits;
    if (inet_pton(AF_INET, address, mask->bytes) == 1) {
        mask->family = AF_INET;
        max_bits = 32;
    } else if (inet_pton(AF_INET6, address, mask->bytes) == 1) {
        mask->family = AF_INET6;
        max_bits = 128;
    } else {
        return -1;
    }
    mask->bits = max_bits;
    if (slash == NULL)
        return 0;
    const char *digits = slash + 1;
    if (*digits == '\0' || strlen(digits) > 3)
        return -1;
    unsigned bits = 0;
    for (const char *d = digits; *d != '\0'; d++) {
        if (*d < '0' || *d > '9')
            return -1;
        bits = bits * 10 + (unsigned) (*d - '0');
    }
    if (bits > max_bits)
        return -1;
    mask->bits = bits;
    return 0;
}

int tcp_filter_new(const char *masks, size_t size, struct tcp_filter **filter)
{
    size_t count = 0;
    for (size_t i = 0; i < size; i++)
        count += masks[i] == '\0';
    if (size > 0 && masks[size - 1] != '\0') {
        errno = EINVAL;
        return -1;
    }
    struct tcp_filter *f = malloc(sizeof *f + count * sizeof(struct tcp_mask));
    if (f == NULL)
        return -1;
    f->count = count;
    const char *text = masks;
    for (size_t i = 0; i < count; i++) {
        if (parse_mask(text, &f->masks[i]) != 0) {
            free(f);
            errno = EINVAL;
            return -1;
        }
        text += strlen(text) + 1;
    }
    *filter = f;
    return 0;
}

void tcp_filter_free(struct tcp_filter *filter)
{
    free(filter);
}

static bool mask_matches(const struct tcp_mask *mask,
                         const unsigned char *bytes)
{
    unsigned whole = mask->bits / 8;
    if (memcmp(mask->bytes, bytes, whole) != 0)
        return false;
    unsigned rest = mask->bits % 8;
    if (rest == 0)
        return true;
    unsigned char high = (unsigned char) (0xff << (8 - rest));
    return (mask->bytes[whole] & high) == (bytes[whole] & high);
}

bool tcp_filter_allows(const struct tcp_filter *filter,
                       const struct sockaddr *addr)
{
    const unsigned char *bytes;
    if (addr->sa_family == AF_INET)
        bytes = (const unsigned char *) &((const struct sockaddr_in *) addr)
                    ->sin_addr;
    else if (addr->sa_family == AF_INET6)
        bytes = (const unsigned char *) &((const struct sockaddr_in6 *) addr)
                    ->sin6_addr;
    else
        return false;
    for (size_t i = 0; i < filter->count; i++) {
        if (filter->masks[i].family == addr->sa_family &&
            mask_matches(&filter->masks[i], bytes))
            return true;
    }
    return false;
}
