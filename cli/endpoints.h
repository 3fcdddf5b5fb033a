/*
 * The tool's one socket: its type by name, its options (identity,
 * subscriptions, groups, security, timeouts) and its endpoints, set up
 * in that order so that every option is in force before the first
 * connection.
 */
#ifndef MODZMQ_CLI_ENDPOINTS_H
#define MODZMQ_CLI_ENDPOINTS_H

#include "options.h"

/* ZMQ_PUB for "pub" (any case), -1 for an unknown name. */
int cli_socket_type(const char *name);

/* Creates the socket of options in context, configured but with no
 * endpoint yet, so that a monitor attached next sees every bind and
 * connect. CLI_EXIT_OK and *socket, or an exit code, said. */
int cli_socket_open(void *context, const struct cli_options *options,
                    void **socket);
/* Binds and connects every endpoint, in the order given; with -v says
 * each real endpoint ("modzmq: bound tcp://127.0.0.1:41234"). */
int cli_socket_attach(void *socket, const struct cli_options *options);

#endif
