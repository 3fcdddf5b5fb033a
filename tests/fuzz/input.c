/*
 * The input reader of the fuzz targets (fuzz.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

void fuzz_input_init(struct fuzz_input *in, const uint8_t *data, size_t size)
{
    in->data = data;
    in->left = size;
}

bool fuzz_input_done(const struct fuzz_input *in)
{
    return in->left == 0;
}

uint8_t fuzz_byte(struct fuzz_input *in)
{
    if (in->left == 0)
        return 0;
    in->left--;
    return *in->data++;
}

uint16_t fuzz_u16(struct fuzz_input *in)
{
    uint16_t high = fuzz_byte(in);
    return (uint16_t) (high << 8 | fuzz_byte(in));
}

const uint8_t *fuzz_chunk(struct fuzz_input *in, size_t *size)
{
    size_t want = fuzz_u16(in);
    *size = want < in->left ? want : in->left;
    const uint8_t *chunk = in->data;
    in->data += *size;
    in->left -= *size;
    return chunk;
}

const uint8_t *fuzz_rest(struct fuzz_input *in, size_t *size)
{
    *size = in->left;
    const uint8_t *rest = in->data;
    in->data += in->left;
    in->left = 0;
    return rest;
}

void fuzz_check(bool ok, const char *what)
{
    if (ok)
        return;
    fprintf(stderr, "fuzz finding: %s\n", what);
    abort();
}

void fuzz_trace(const char *format, ...)
{
    static int enabled = -1;
    if (enabled < 0)
        enabled = getenv("FUZZ_TRACE") != NULL;
    if (!enabled)
        return;
    va_list args;
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
}
