/*
 * The message sources (see input.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "report.h"

struct cli_input {
    const struct cli_options *options;
    size_t next_datum; /* the -d source */
    FILE *file;        /* the -f or stdin source */
    bool lines;
    bool done;
};

void cli_message_add(struct cli_message *m, const void *data, size_t size)
{
    struct cli_part *parts = realloc(m->parts, (m->count + 1) * sizeof *parts);
    char *copy = malloc(size + 1);
    if (parts == NULL || copy == NULL)
        abort();
    memcpy(copy, data, size);
    copy[size] = '\0';
    parts[m->count++] = (struct cli_part) { copy, size };
    m->parts = parts;
}

void cli_message_clear(struct cli_message *m)
{
    for (size_t i = 0; i < m->count; i++)
        free(m->parts[i].data);
    free(m->parts);
    *m = (struct cli_message) { 0 };
}

struct cli_input *cli_input_open(const struct cli_options *o)
{
    struct cli_input *input = calloc(1, sizeof *input);
    if (input == NULL)
        abort();
    input->options = o;
    if (o->data_count > 0)
        return input;
    bool from_stdin = o->file == NULL || strcmp(o->file, "-") == 0;
    input->file = from_stdin ? stdin : fopen(o->file, "rb");
    if (input->file == NULL) {
        cli_fail(CLI_EXIT_RUNTIME, "%s: %s", o->file, strerror(errno));
        free(input);
        return NULL;
    }
    /* Standard input goes line by line, a file whole, unless told. */
    input->lines = o->lines || (from_stdin && !o->whole);
    return input;
}

/* The -d arguments, from the first again after the last. */
static int next_datum(struct cli_input *input, struct cli_message *m)
{
    const struct cli_options *o = input->options;
    if (input->next_datum == o->data_count)
        input->next_datum = 0;
    do {
        const char *text = o->data[input->next_datum].text;
        cli_message_add(m, text, strlen(text));
        input->next_datum++;
    } while (input->next_datum < o->data_count &&
             o->data[input->next_datum].joined);
    return 1;
}

static int next_line(struct cli_input *input, struct cli_message *m)
{
    char *line = NULL;
    size_t capacity = 0;
    ssize_t length = getline(&line, &capacity, input->file);
    if (length < 0) {
        free(line);
        if (ferror(input->file))
            return cli_fail(CLI_EXIT_RUNTIME, "reading input: %s",
                            strerror(errno)), -1;
        return 0;
    }
    if (length > 0 && line[length - 1] == '\n')
        length--;
    cli_message_add(m, line, (size_t) length);
    free(line);
    return 1;
}

static int next_whole(struct cli_input *input, struct cli_message *m)
{
    if (input->done)
        return 0;
    input->done = true;
    size_t size = 0, capacity = 65536;
    char *data = malloc(capacity);
    if (data == NULL)
        abort();
    size_t got;
    while ((got = fread(data + size, 1, capacity - size, input->file)) > 0) {
        size += got;
        if (size == capacity && (data = realloc(data, capacity *= 2)) == NULL)
            abort();
    }
    int result = 1;
    if (ferror(input->file))
        result = (cli_fail(CLI_EXIT_RUNTIME, "reading input: %s",
                           strerror(errno)), -1);
    else
        cli_message_add(m, data, size);
    free(data);
    return result;
}

int cli_input_next(struct cli_input *input, struct cli_message *m)
{
    if (input->options->data_count > 0)
        return next_datum(input, m);
    return input->lines ? next_line(input, m) : next_whole(input, m);
}

void cli_input_close(struct cli_input *input)
{
    if (input->file != NULL && input->file != stdin)
        fclose(input->file);
    free(input);
}
