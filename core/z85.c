/* Z85 text encoding of binary data (ZeroMQ RFC 32), used for CURVE keys in
 * option strings and configuration: zmq_z85_encode and zmq_z85_decode.
 * Every 4 bytes, read as a big-endian 32-bit number, become 5 base-85 digits
 * written most significant first, and the other way round. */
#include "zmq.h"

#include <errno.h>
#include <string.h>

/* The 85 digits in value order, as listed by RFC 32. */
static const char mz_z85_digits[] = "0123456789"
                                    "abcdefghijklmnopqrstuvwxyz"
                                    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                    ".-:+=^!/*?&<>()[]{}@%$#";

/* The value of one Z85 digit, or -1 when c is not a Z85 digit. Letters and
 * figures are contiguous runs in ASCII, so only the 23 punctuation digits
 * (values 62 to 84) need a lookup. */
static int mz_z85_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'z')
        return 10 + (c - 'a');
    if (c >= 'A' && c <= 'Z')
        return 36 + (c - 'A');
    const char *punct = mz_z85_digits + 62;
    const char *hit = c != '\0' ? strchr(punct, c) : NULL;
    return hit ? 62 + (int) (hit - punct) : -1;
}

char *zmq_z85_encode(char *dest_, const uint8_t *data_, size_t size_)
{
    if (size_ % 4 != 0) {
        errno = EINVAL;
        return NULL;
    }
    char *out = dest_;
    for (size_t i = 0; i < size_; i += 4) {
        uint32_t value = (uint32_t) data_[i] << 24 |
                         (uint32_t) data_[i + 1] << 16 |
                         (uint32_t) data_[i + 2] << 8 | (uint32_t) data_[i + 3];
        for (int digit = 4; digit >= 0; digit--) {
            out[digit] = mz_z85_digits[value % 85];
            value /= 85;
        }
        out += 5;
    }
    *out = '\0';
    return dest_;
}

/* Decoding rejects, with EINVAL, an empty string (as libzmq does, although
 * encoding zero bytes gives one), a length that is not a multiple of 5, any
 * character outside the alphabet, and a group whose value exceeds 2^32 - 1
 * (possible because 85^5 > 2^32), so every accepted string maps to exactly
 * one byte sequence. Nothing is promised about dest_ after a failure. */
uint8_t *zmq_z85_decode(uint8_t *dest_, const char *string_)
{
    size_t len = strlen(string_);
    if (len == 0 || len % 5 != 0) {
        errno = EINVAL;
        return NULL;
    }
    uint8_t *out = dest_;
    for (size_t i = 0; i < len; i += 5) {
        uint64_t value = 0;
        for (size_t k = 0; k < 5; k++) {
            int digit = mz_z85_value(string_[i + k]);
            if (digit < 0) {
                errno = EINVAL;
                return NULL;
            }
            value = value * 85 + (uint64_t) digit;
        }
        if (value > UINT32_MAX) {
            errno = EINVAL;
            return NULL;
        }
        out[0] = (uint8_t) (value >> 24);
        out[1] = (uint8_t) (value >> 16);
        out[2] = (uint8_t) (value >> 8);
        out[3] = (uint8_t) value;
        out += 4;
    }
    return dest_;
}
