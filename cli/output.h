/*
 * How received messages are written on stdout, one format per run:
 *   raw     every part's bytes as they are, nothing between
 *   line    the parts' bytes, then a newline, per message
 *   quoted  each part C-escaped in double quotes, parts separated by a
 *           space, a newline per message
 *   hex     each part in lowercase hex ("-" when empty), separated by a
 *           space, a newline per message
 *   msg     "message N: K parts" then one line per part,
 *           "  [I] LENGTH "quoted"", for multipart at a glance
 */
#ifndef MODZMQ_CLI_OUTPUT_H
#define MODZMQ_CLI_OUTPUT_H

#include <stdio.h>
#include "input.h"

/* Writes message (number: 1 for the first received) in format, flushed;
 * false when stdout fails. */
bool cli_output_write(FILE *out, enum cli_format format,
                      const struct cli_message *message, long number);

#endif
