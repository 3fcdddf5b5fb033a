/*
 * The ZAP handler (RFC 27) of --plain-server: a PLAIN server needs one
 * (as in libzmq, without it every PLAIN client is refused). It runs on
 * a thread of the tool and lets in the one account that --plain-user
 * and --plain-password name (status 200), refusing every other (400).
 */
#ifndef MODZMQ_CLI_ZAP_H
#define MODZMQ_CLI_ZAP_H

struct cli_zap;

/* NULL, said, when the handler cannot bind. */
struct cli_zap *cli_zap_start(void *context, const char *user,
                              const char *password);
/* Stops the thread and closes its socket (before the context ends). */
void cli_zap_stop(struct cli_zap *zap);

#endif
