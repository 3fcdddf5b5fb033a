/*
 * Fuzz target: Z85 (core/z85.c, RFC 32) and zmq_curve_public, with
 * buffers of exactly the size the API documents, so that one byte too
 * many is a sanitizer finding.
 *
 * Input: a byte choosing what to do with the rest: decode it as text (a
 * string that decodes must encode back to itself: Z85 is canonical),
 * encode it as bytes (which must decode back), or derive a public key
 * from its first 40 characters.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "zmq.h"

static void decode_text(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    fuzz_check(text != NULL, "memory");
    memcpy(text, data, size);
    text[size] = '\0';
    size_t length = strlen(text);
    size_t bytes = length / 5 * 4;
    uint8_t *decoded = malloc(bytes > 0 ? bytes : 1);
    fuzz_check(decoded != NULL, "memory");
    if (zmq_z85_decode(decoded, text) != NULL) {
        fuzz_check(length > 0 && length % 5 == 0,
                   "Z85 decoded a length that is not a multiple of 5");
        char *again = malloc(length + 1);
        fuzz_check(again != NULL, "memory");
        fuzz_check(zmq_z85_encode(again, decoded, bytes) == again &&
                       strcmp(again, text) == 0,
                   "Z85 text did not encode back to itself");
        free(again);
    }
    free(decoded);
    free(text);
}

static void encode_bytes(const uint8_t *data, size_t size)
{
    char *text = malloc(size / 4 * 5 + 1);
    fuzz_check(text != NULL, "memory");
    char *encoded = zmq_z85_encode(text, data, size);
    fuzz_check((encoded != NULL) == (size % 4 == 0),
               "Z85 encoded a size that is not a multiple of 4, or refused one");
    if (encoded != NULL && size > 0) {
        uint8_t *back = malloc(size);
        fuzz_check(back != NULL, "memory");
        fuzz_check(strlen(text) == size / 4 * 5 &&
                       zmq_z85_decode(back, text) == back &&
                       memcmp(back, data, size) == 0,
                   "Z85 bytes did not decode back to themselves");
        free(back);
    }
    free(text);
}

static void public_key(const uint8_t *data, size_t size)
{
    char secret[41];
    size_t n = size < 40 ? size : 40;
    memcpy(secret, data, n);
    secret[n] = '\0';
    char *public = malloc(41);
    fuzz_check(public != NULL, "memory");
    if (zmq_curve_public(public, secret) == 0)
        fuzz_check(strlen(public) == 40, "a public key that is not 40 long");
    free(public);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in;
    fuzz_input_init(&in, data, size);
    uint8_t what = fuzz_byte(&in);
    const uint8_t *rest = fuzz_rest(&in, &size);
    switch (what % 3) {
    case 0:
        decode_text(rest, size);
        break;
    case 1:
        encode_bytes(rest, size);
        break;
    default:
        public_key(rest, size);
        break;
    }
    return 0;
}
