/*
 * The tool's one-line diagnostics on stderr (see report.h).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include <zmq.h>

#include "options.h"
#include "report.h"

static void say(const char *format, va_list args)
{
    fputs("modzmq: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    fflush(stderr);
}

int cli_fail(int code, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    say(format, args);
    va_end(args);
    return code;
}

void cli_note(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    say(format, args);
    va_end(args);
}

int cli_fail_zmq(const char *what)
{
    int error = errno;
    if (error == EAGAIN)
        return cli_fail(CLI_EXIT_TIMEOUT, "%s: timed out", what);
    return cli_fail(CLI_EXIT_RUNTIME, "%s: %s", what, zmq_strerror(error));
}
