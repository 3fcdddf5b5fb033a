/*
 * PLAIN and CURVE for the tool's socket, and the CURVE key files.
 *
 * A key file is text, one "name = value" a line, '#' starting a comment:
 *   public-key = <40 Z85 characters>
 *   secret-key = <40 Z85 characters>   (the secret file only)
 * keygen writes BASENAME.pub (the public key, mode 0644) and BASENAME.key
 * (both keys, mode 0600), refusing to overwrite either. A PLAIN account
 * file (--plain-file, so that the password is not on a command line that
 * ps shows) has the same form:
 *   user = <the user name>
 *   password = <the password, blanks around it trimmed>
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

/* Reads o->plain_file's account into o->plain_user and plain_password
 * (owned by o). CLI_EXIT_OK, or an exit code, said; a file others may
 * read is said too, and used. */
int cli_plain_file_read(struct cli_options *o);

/* modzmq keygen [-o BASENAME]. */
int cli_keygen(const struct cli_options *o);

#endif
