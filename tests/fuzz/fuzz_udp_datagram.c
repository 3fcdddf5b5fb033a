/*
 * Fuzz target: the udp plugin's datagram layout and DGRAM address frames
 * (plugins/udp/udp_datagram.c, udp_address.c), the code that reads what
 * anyone on the network may send. Each input is copied into a buffer of
 * exactly its size, so that one octet read too many is a sanitizer
 * finding.
 *
 * Input: a byte choosing what to do with the rest: decode it as a
 * received RADIO/DISH datagram (one that decodes must encode back to the
 * same octets), read it as a DGRAM address frame for an IPv4 or an IPv6
 * socket (one that parses must print and parse back to the same address),
 * or encode a group chunk and a body (which must decode back to them, or
 * be refused only for a group or a datagram too long).
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "udp_address.h"
#include "udp_datagram.h"

static uint8_t *exact_copy(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size > 0 ? size : 1);
    fuzz_check(copy != NULL, "memory");
    if (size > 0)
        memcpy(copy, data, size);
    return copy;
}

static void decode(const uint8_t *data, size_t size)
{
    uint8_t *datagram = exact_copy(data, size);
    struct udp_datagram d;
    enum udp_datagram_status status = udp_datagram_decode(datagram, size, &d);
    fuzz_check(udp_datagram_status_name(status) != NULL, "a status unnamed");
    if (status == UDP_DATAGRAM_OK) {
        fuzz_check(1 + d.group_size + d.body_size == size &&
                       memchr(d.group, 0, d.group_size) == NULL,
                   "a decoded datagram that does not add up");
        uint8_t *again = malloc(UDP_DATAGRAM_MAX);
        fuzz_check(again != NULL, "memory");
        size_t n = udp_datagram_encode(again, UDP_DATAGRAM_MAX, d.group,
                                       d.group_size, d.body, d.body_size);
        fuzz_check(n == size && memcmp(again, datagram, size) == 0,
                   "a datagram that did not encode back to itself");
        free(again);
    } else {
        fuzz_check(size == 0 || size > UDP_DATAGRAM_MAX ||
                       (size_t) datagram[0] + 1 > size ||
                       memchr(datagram + 1, 0, datagram[0]) != NULL,
                   "a well-formed datagram refused");
    }
    free(datagram);
}

static void address_frame(const uint8_t *data, size_t size, int family)
{
    char *frame = (char *) exact_copy(data, size);
    struct udp_sockaddr a, b;
    if (udp_address_frame_parse(frame, size, family, &a) == 0) {
        char text[64];
        int n = udp_address_format((struct sockaddr *) &a.storage, text,
                                   sizeof text);
        fuzz_check(n > 0, "a parsed address that does not print");
        fuzz_check(udp_address_frame_parse(text, (size_t) n, family, &b) == 0 &&
                       a.length == b.length &&
                       memcmp(&a.storage, &b.storage, a.length) == 0,
                   "a printed address that does not parse back");
    }
    free(frame);
}

static void encode(struct fuzz_input *in)
{
    size_t group_size, body_size;
    const uint8_t *group = fuzz_chunk(in, &group_size);
    const uint8_t *body = fuzz_rest(in, &body_size);
    uint8_t *buffer = malloc(UDP_DATAGRAM_MAX);
    fuzz_check(buffer != NULL, "memory");
    size_t n = udp_datagram_encode(buffer, UDP_DATAGRAM_MAX,
                                   (const char *) group, group_size, body,
                                   body_size);
    bool fits = group_size <= UDP_GROUP_MAX &&
                1 + group_size + body_size <= UDP_DATAGRAM_MAX;
    fuzz_check((n != 0) == fits, "an encoding refused or taken wrongly");
    if (n != 0) {
        struct udp_datagram d;
        enum udp_datagram_status status = udp_datagram_decode(buffer, n, &d);
        bool has_nul = group_size > 0 && memchr(group, 0, group_size) != NULL;
        fuzz_check(has_nul ? status == UDP_DATAGRAM_BAD_GROUP
                           : status == UDP_DATAGRAM_OK &&
                                 d.group_size == group_size &&
                                 d.body_size == body_size &&
                                 (body_size == 0 ||
                                  memcmp(d.body, body, body_size) == 0),
                   "an encoded datagram that did not decode back");
    }
    free(buffer);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in;
    fuzz_input_init(&in, data, size);
    uint8_t what = fuzz_byte(&in);
    const uint8_t *rest;
    switch (what % 4) {
    case 0:
        rest = fuzz_rest(&in, &size);
        decode(rest, size);
        break;
    case 1:
        rest = fuzz_rest(&in, &size);
        address_frame(rest, size, AF_INET);
        break;
    case 2:
        rest = fuzz_rest(&in, &size);
        address_frame(rest, size, AF_INET6);
        break;
    default:
        encode(&in);
        break;
    }
    return 0;
}
