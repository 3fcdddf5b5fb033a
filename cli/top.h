/*
 * modzmq top: the live view of a running application's socket and peer
 * counters, as the stats plugin (plugins/stats) serves them on its local
 * endpoint.
 */
#ifndef MODZMQ_CLI_TOP_H
#define MODZMQ_CLI_TOP_H

#include "options.h"

/* Shows the counters of the process o->top_pid (or at o->top_endpoint)
 * every -i ms (1000 by default) until -n frames, SIGINT or SIGTERM, or
 * once with --once; an exit code of options.h. */
int cli_top_command(const struct cli_options *o);

#endif
