/*
 * curve plugin: zmq_curve_keypair and zmq_curve_public. Keys are handed
 * to applications as Z85 text (RFC 32): 40 characters for 32 octets, and
 * a NUL. The plugin does its own Z85 so that it needs nothing from the
 * core beyond the SDK.
 */
#include "curve_keys.h"
#include "curve_session.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

enum { Z85_KEY_LENGTH = 40 };

static const char z85_digits[] = "0123456789abcdefghijklmnopqrstuvwxyz"
                                 "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 ".-:+=^!/*?&<>()[]{}@%$#";

/* Each 4 octets, big-endian, become 5 base-85 digits, most significant
 * first. */
static void z85_encode_key(char *text, const uint8_t *key)
{
    for (size_t chunk = 0; chunk < CURVE_KEY_SIZE / 4; chunk++) {
        uint32_t value = (uint32_t) key[4 * chunk] << 24 |
                         (uint32_t) key[4 * chunk + 1] << 16 |
                         (uint32_t) key[4 * chunk + 2] << 8 |
                         key[4 * chunk + 3];
        for (int digit = 4; digit >= 0; digit--) {
            text[5 * chunk + (size_t) digit] = z85_digits[value % 85];
            value /= 85;
        }
    }
    text[Z85_KEY_LENGTH] = '\0';
}

/* -1 unless text is exactly 40 Z85 digits whose chunks fit 32 bits. */
static int z85_decode_key(uint8_t *key, const char *text)
{
    if (strlen(text) != Z85_KEY_LENGTH)
        return -1;
    for (size_t chunk = 0; chunk < CURVE_KEY_SIZE / 4; chunk++) {
        uint64_t value = 0;
        for (size_t digit = 0; digit < 5; digit++) {
            const char *at = strchr(z85_digits, text[5 * chunk + digit]);
            if (at == NULL)
                return -1;
            value = value * 85 + (uint64_t) (at - z85_digits);
        }
        if (value > UINT32_MAX)
            return -1;
        for (int i = 3; i >= 0; i--) {
            key[4 * chunk + (size_t) i] = (uint8_t) value;
            value >>= 8;
        }
    }
    return 0;
}

int curve_keypair(char *z85_public_key, char *z85_secret_key)
{
    uint8_t public_key[CURVE_KEY_SIZE];
    uint8_t secret_key[CURVE_KEY_SIZE];
    crypto_box_keypair(public_key, secret_key);
    z85_encode_key(z85_public_key, public_key);
    z85_encode_key(z85_secret_key, secret_key);
    sodium_memzero(secret_key, sizeof secret_key);
    return 0;
}

int curve_public(char *z85_public_key, const char *z85_secret_key)
{
    uint8_t secret_key[CURVE_KEY_SIZE];
    if (z85_decode_key(secret_key, z85_secret_key) != 0) {
        errno = EINVAL;
        return -1;
    }
    uint8_t public_key[CURVE_KEY_SIZE];
    crypto_scalarmult_base(public_key, secret_key);
    sodium_memzero(secret_key, sizeof secret_key);
    z85_encode_key(z85_public_key, public_key);
    return 0;
}
