/*
 * The tool's own socket watched through zmq_socket_monitor: a PAIR
 * reader on an inproc endpoint, each event printed as it comes, as a
 * line "EVENT VALUE ENDPOINT" (LISTENING 0 tcp://127.0.0.1:5555) or,
 * with --json, one object a line:
 *   {"event":"LISTENING","id":8,"value":0,"endpoint":"tcp://..."}
 * With --v2, zmq_socket_monitor_versioned's version 2 (PIPES_STATS,
 * asked for every -i ms, and modzmq's HWM and peer counter events too),
 * each with all its values and both endpoints:
 *   PIPES_STATS 3,0 tcp://127.0.0.1:5555 tcp://127.0.0.1:40000
 *   {"event":"PIPES_STATS","id":65536,"values":[3,0],"local":"...",
 *    "remote":"..."}
 */
#ifndef MODZMQ_CLI_MONITOR_H
#define MODZMQ_CLI_MONITOR_H

#include <stdbool.h>
#include <stdio.h>

#include "options.h"

/* Attaches the monitor to socket (before its endpoints) and returns the
 * reader in *reader. CLI_EXIT_OK or an exit code, said. */
int cli_monitor_start(void *context, void *socket, bool v2, void **reader);
/* Reads one event that is waiting on reader and prints it; false when
 * none could be read. */
bool cli_monitor_print(void *reader, FILE *out, bool json, bool v2);
/* modzmq monitor: prints the socket's events until -n events or -w ms
 * without one. */
int cli_monitor_command(void *context, const struct cli_options *o);

#endif
