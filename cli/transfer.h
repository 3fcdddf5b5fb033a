/*
 * modzmq send and modzmq recv. send sends the input's messages (then,
 * on a REQ socket, receives and prints each reply); recv prints what
 * arrives (then, on a REP socket, answers each request with the next
 * input message when -d or -f gives one, or with the request itself).
 */
#ifndef MODZMQ_CLI_TRANSFER_H
#define MODZMQ_CLI_TRANSFER_H

#include "options.h"

int cli_send_command(void *context, const struct cli_options *o);
int cli_recv_command(void *context, const struct cli_options *o);

#endif
