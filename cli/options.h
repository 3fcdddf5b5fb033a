/*
 * The tool's command line: one struct every subcommand reads, filled by
 * cli_options_parse from argv. Parsing only records what was asked and
 * refuses what cannot be meant (exit code 2); the subcommands act on it.
 */
#ifndef MODZMQ_CLI_OPTIONS_H
#define MODZMQ_CLI_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

/* Exit codes a script can rely on (the --help text lists them too). */
enum cli_exit {
    CLI_EXIT_OK = 0,
    CLI_EXIT_RUNTIME = 1, /* a network, system or library error */
    CLI_EXIT_USAGE = 2,   /* the command line cannot be meant */
    CLI_EXIT_TIMEOUT = 3, /* -w passed before what was waited for came */
};

enum cli_command {
    CLI_SEND,
    CLI_RECV,
    CLI_MONITOR,
    CLI_KEYGEN,
    CLI_PLUGINS,
    CLI_TOP,
    CLI_HELP,
    CLI_VERSION,
};

enum cli_format {
    CLI_FORMAT_RAW,
    CLI_FORMAT_LINE,
    CLI_FORMAT_QUOTED,
    CLI_FORMAT_HEX,
    CLI_FORMAT_MSG,
};

/* One -b/-c argument, in the order given. */
struct cli_endpoint {
    const char *address;
    bool bind;
};

/* One -d argument; joined says a --more came just before it, so it is
 * the next part of the previous -d's message. */
struct cli_datum {
    const char *text;
    bool joined;
};

struct cli_options {
    enum cli_command command;
    int socket_type; /* ZMQ_*, -1 when -t was not given */
    const char *socket_name;
    struct cli_endpoint *endpoints;
    size_t endpoint_count;
    const char **subscriptions;
    size_t subscription_count;
    const char **groups; /* --join */
    size_t group_count;
    const char *send_group; /* --group, for RADIO */
    const char *identity;
    struct cli_datum *data;
    size_t data_count;
    const char *file;    /* -f, "-" for standard input */
    bool lines;          /* --lines: one message per input line */
    bool whole;          /* --whole: the whole input, one message */
    enum cli_format format;
    long count;          /* -n, -1 when not given */
    long interval_ms;    /* -i */
    long delay_ms;       /* --delay */
    long timeout_ms;     /* -w, -1 when not given */
    bool progress;
    bool verbose;        /* -v: bound endpoints on stderr */
    bool monitor;        /* recv --monitor / send --monitor */
    bool json;           /* monitor --json */
    bool v2;             /* --v2: version 2 monitor events */
    const char *plain_user;
    const char *plain_password;
    bool plain_server;
    const char *plain_file;       /* --plain-file: the account, from a file */
    char *plain_owned[2];         /* the user and password read from it */
    const char *curve_server_key; /* file with the server's public key */
    const char *curve_key;        /* file with this side's key pair */
    bool curve_server;
    const char *output;  /* keygen -o BASENAME */
    long top_pid;        /* top PID, -1 when not given */
    const char *top_endpoint; /* top --endpoint E */
    bool top_once;            /* top --once */
};

/* Fills options from argv (argv[1] the subcommand). CLI_EXIT_OK, or
 * CLI_EXIT_USAGE with the reason said on stderr. */
int cli_options_parse(struct cli_options *options, int argc, char **argv);
void cli_options_free(struct cli_options *options);

#endif
