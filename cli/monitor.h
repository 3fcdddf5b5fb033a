/*
 * The tool's own socket watched through zmq_socket_monitor: a PAIR
 * reader on an inproc endpoint, each event printed as it comes, as a
 * line "EVENT VALUE ENDPOINT" (LISTENING 0 tcp://127.0.0.1:5555) or,
 * with --json, one object a line:
 *   {"event":"LISTENING","id":8,"value":0,"endpoint":"tcp://..."}
 */
#ifndef MODZMQ_CLI_MONITOR_H
#define MODZMQ_CLI_MONITOR_H

#include <stdbool.h>
#include <stdio.h>

#include "options.h"

/* Attaches the monitor to socket (before its endpoints) and returns the
 * reader in *reader. CLI_EXIT_OK or an exit code, said. */
int cli_monitor_start(void *context, void *socket, void **reader);
/* Reads one event that is waiting on reader and prints it; false when
 * none could be read. */
bool cli_monitor_print(void *reader, FILE *out, bool json);
/* modzmq monitor: prints the socket's events until -n events or -w ms
 * without one. */
int cli_monitor_command(void *context, const struct cli_options *o);

#endif
