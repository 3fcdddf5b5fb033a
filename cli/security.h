/*
 * PLAIN and CURVE for the tool's socket, and the CURVE key files.
 *
 * A key file is text, one "name = value" a line, '#' starting a comment:
 *   public-key = <40 Z85 characters>
 *   secret-key = <40 Z85 characters>   (the secret file only)
 * keygen writes BASENAME.pub (the public key, mode 0644) and BASENAME.key
 * (both keys, mode 0600), refusing to overwrite either.
 */
#ifndef MODZMQ_CLI_SECURITY_H
#define MODZMQ_CLI_SECURITY_H

#include "options.h"

/* Sets the mechanism options of o on socket (before any endpoint). */
int cli_security_apply(void *socket, const struct cli_options *o);

/* Reads a key file: public into public_key (41 bytes), and, when
 * secret_key is not NULL, the secret into it (41 bytes, required).
 * CLI_EXIT_OK, or an exit code, said. */
int cli_key_file_read(const char *path, char *public_key, char *secret_key);

/* modzmq keygen [-o BASENAME]. */
int cli_keygen(const struct cli_options *o);

#endif
