/*
 * How the tool speaks on stderr: every error is one line starting
 * "modzmq: ", so a script can grep it; the exit code says its class.
 */
#ifndef MODZMQ_CLI_REPORT_H
#define MODZMQ_CLI_REPORT_H

/* Says "modzmq: <message>\n" on stderr and returns code, so that a
 * caller can write return cli_fail(CLI_EXIT_USAGE, ...). */
int cli_fail(int code, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* The same line, for what is no failure (-v, --progress). */
void cli_note(const char *format, ...) __attribute__((format(printf, 1, 2)));
/* cli_fail for a failed zmq call: "<what>: <zmq_strerror(errno)>", with
 * exit code 3 for EAGAIN (a timeout) and 1 otherwise. */
int cli_fail_zmq(const char *what);

#endif
