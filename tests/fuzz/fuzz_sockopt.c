/*
 * Fuzz target: zmq_setsockopt and zmq_getsockopt (core/options.c and the
 * socket types' own options) on every socket type, with values of any
 * size and kind and buffers of exactly the size given, so that a byte
 * read or written beyond it is a sanitizer finding.
 *
 * Input: a byte choosing the socket type (the byte itself: PAIR is 0,
 * CHANNEL 20; a type this build lacks ends the input), then operations
 * until the input ends, each an operation byte and an option byte (the
 * option number itself, which covers every option of zmq.h):
 *   op % 5 == 0  set: the value is a chunk
 *   op % 5 == 1  set: an int from the next four bytes
 *   op % 5 == 2  set: an int64 from the next eight bytes
 *   op % 5 == 3  set: a NULL value with a 16-bit size
 *   op % 5 == 4  get: into a buffer of a 16-bit size (at most 4096)
 * No socket binds or connects, so options that act then (ZMQ_USE_FD,
 * ZMQ_BINDTODEVICE) only get stored.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "zmq.h"

enum { GET_MAX = 4096 };

static void *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void) argc;
    (void) argv;
    ctx = zmq_ctx_new();
    return 0;
}

static void set_bytes(void *s, int option, const uint8_t *bytes, size_t size)
{
    /* A copy of exactly size bytes: reading past it is a finding. */
    uint8_t *value = malloc(size > 0 ? size : 1);
    fuzz_check(value != NULL, "memory");
    if (size > 0)
        memcpy(value, bytes, size);
    zmq_setsockopt(s, option, value, size);
    free(value);
}

static void get(void *s, int option, size_t size)
{
    uint8_t *value = malloc(size > 0 ? size : 1);
    fuzz_check(value != NULL, "memory");
    size_t got = size;
    if (zmq_getsockopt(s, option, value, &got) == 0)
        fuzz_check(got <= size, "getsockopt wrote more than it was given");
    free(value);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in;
    fuzz_input_init(&in, data, size);
    void *s = zmq_socket(ctx, fuzz_byte(&in));
    if (s == NULL)
        return 0;
    while (!fuzz_input_done(&in)) {
        uint8_t op = fuzz_byte(&in);
        int option = fuzz_byte(&in);
        uint8_t bytes[8];
        size_t n;
        const uint8_t *chunk;
        switch (op % 5) {
        case 0:
            chunk = fuzz_chunk(&in, &n);
            set_bytes(s, option, chunk, n);
            break;
        case 1:
        case 2:
            n = op % 5 == 1 ? 4 : 8;
            for (size_t i = 0; i < n; i++)
                bytes[i] = fuzz_byte(&in);
            set_bytes(s, option, bytes, n);
            break;
        case 3:
            zmq_setsockopt(s, option, NULL, fuzz_u16(&in));
            break;
        default:
            get(s, option, fuzz_u16(&in) % (GET_MAX + 1));
            break;
        }
    }
    int zero = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_close(s);
    return 0;
}
