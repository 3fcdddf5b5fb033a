/*
 * The output formats (see output.h).
 */
#include <stdio.h>

#include "output.h"

/* A part as a C string literal's body: \\ \" \n \r \t named, other bytes
 * outside printable ASCII as three octal digits, never ambiguous. */
static void write_quoted(FILE *out, const struct cli_part *part)
{
    fputc('"', out);
    for (size_t i = 0; i < part->size; i++) {
        unsigned char c = (unsigned char) part->data[i];
        switch (c) {
        case '\\': fputs("\\\\", out); break;
        case '"': fputs("\\\"", out); break;
        case '\n': fputs("\\n", out); break;
        case '\r': fputs("\\r", out); break;
        case '\t': fputs("\\t", out); break;
        default:
            if (c < 0x20 || c >= 0x7f)
                fprintf(out, "\\%03o", c);
            else
                fputc(c, out);
        }
    }
    fputc('"', out);
}

static void write_hex(FILE *out, const struct cli_part *part)
{
    if (part->size == 0)
        fputc('-', out);
    for (size_t i = 0; i < part->size; i++)
        fprintf(out, "%02x", (unsigned char) part->data[i]);
}

bool cli_output_write(FILE *out, enum cli_format format,
                      const struct cli_message *m, long number)
{
    if (format == CLI_FORMAT_MSG)
        fprintf(out, "message %ld: %zu part%s\n", number, m->count,
                m->count == 1 ? "" : "s");
    for (size_t i = 0; i < m->count; i++) {
        const struct cli_part *part = &m->parts[i];
        switch (format) {
        case CLI_FORMAT_RAW:
        case CLI_FORMAT_LINE:
            fwrite(part->data, 1, part->size, out);
            break;
        case CLI_FORMAT_QUOTED:
        case CLI_FORMAT_HEX:
            if (i > 0)
                fputc(' ', out);
            if (format == CLI_FORMAT_QUOTED)
                write_quoted(out, part);
            else
                write_hex(out, part);
            break;
        case CLI_FORMAT_MSG:
            fprintf(out, "  [%zu] %zu ", i + 1, part->size);
            write_quoted(out, part);
            fputc('\n', out);
            break;
        }
    }
    if (format == CLI_FORMAT_LINE || format == CLI_FORMAT_QUOTED ||
        format == CLI_FORMAT_HEX)
        fputc('\n', out);
    return fflush(out) == 0;
}
