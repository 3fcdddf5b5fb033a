/*
 * Where the messages to send come from: the -d arguments (each -d one
 * message, "--more" between two joining them as parts of one), a file
 * (-f FILE, one message, or one per line with --lines) or standard input
 * (one message per line, or the whole of it with --whole). Each source
 * gives its messages in turn; -n repeats the -d arguments cyclically.
 */
#ifndef MODZMQ_CLI_INPUT_H
#define MODZMQ_CLI_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "options.h"

struct cli_part {
    char *data;
    size_t size;
};

/* One message, its parts owned by it. */
struct cli_message {
    struct cli_part *parts;
    size_t count;
};

struct cli_input;

/* NULL, said, when the file cannot be opened. */
struct cli_input *cli_input_open(const struct cli_options *o);
/* The next message into *message (freed by cli_message_clear): 1, 0 at
 * the end, -1 on a read error (said). */
int cli_input_next(struct cli_input *input, struct cli_message *message);
void cli_input_close(struct cli_input *input);

void cli_message_add(struct cli_message *message, const void *data,
                     size_t size);
void cli_message_clear(struct cli_message *message);

#endif
