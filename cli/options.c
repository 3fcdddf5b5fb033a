/*
 * The command line, parsed with getopt_long (see options.h). Every
 * subcommand takes the same options; those that make no sense for it
 * are refused here, so that a typo is a usage error (exit 2), never a
 * silently different run.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "endpoints.h"
#include "options.h"
#include "report.h"

enum long_only {
    OPT_BIND = 'b',
    OPT_CONNECT = 'c',
    OPT_SUBSCRIBE = 256,
    OPT_JOIN,
    OPT_GROUP,
    OPT_IDENTITY,
    OPT_MORE,
    OPT_LINES,
    OPT_WHOLE,
    OPT_FORMAT,
    OPT_DELAY,
    OPT_PROGRESS,
    OPT_MONITOR,
    OPT_JSON,
    OPT_PLAIN_USER,
    OPT_PLAIN_PASSWORD,
    OPT_PLAIN_SERVER,
    OPT_PLAIN_FILE,
    OPT_CURVE_SERVER_KEY,
    OPT_CURVE_KEY,
    OPT_CURVE_SERVER,
    OPT_ENDPOINT,
    OPT_ONCE,
    OPT_V2,
    OPT_HELP,
};

static const struct option long_options[] = {
    { "type", required_argument, NULL, 't' },
    { "bind", required_argument, NULL, OPT_BIND },
    { "connect", required_argument, NULL, OPT_CONNECT },
    { "subscribe", required_argument, NULL, OPT_SUBSCRIBE },
    { "join", required_argument, NULL, OPT_JOIN },
    { "group", required_argument, NULL, OPT_GROUP },
    { "identity", required_argument, NULL, OPT_IDENTITY },
    { "data", required_argument, NULL, 'd' },
    { "more", no_argument, NULL, OPT_MORE },
    { "file", required_argument, NULL, 'f' },
    { "lines", no_argument, NULL, OPT_LINES },
    { "whole", no_argument, NULL, OPT_WHOLE },
    { "format", required_argument, NULL, OPT_FORMAT },
    { "count", required_argument, NULL, 'n' },
    { "interval", required_argument, NULL, 'i' },
    { "delay", required_argument, NULL, OPT_DELAY },
    { "timeout", required_argument, NULL, 'w' },
    { "progress", no_argument, NULL, OPT_PROGRESS },
    { "verbose", no_argument, NULL, 'v' },
    { "monitor", no_argument, NULL, OPT_MONITOR },
    { "json", no_argument, NULL, OPT_JSON },
    { "plain-user", required_argument, NULL, OPT_PLAIN_USER },
    { "plain-password", required_argument, NULL, OPT_PLAIN_PASSWORD },
    { "plain-server", no_argument, NULL, OPT_PLAIN_SERVER },
    { "plain-file", required_argument, NULL, OPT_PLAIN_FILE },
    { "curve-server-key", required_argument, NULL, OPT_CURVE_SERVER_KEY },
    { "curve-key", required_argument, NULL, OPT_CURVE_KEY },
    { "curve-server", no_argument, NULL, OPT_CURVE_SERVER },
    { "output", required_argument, NULL, 'o' },
    { "endpoint", required_argument, NULL, OPT_ENDPOINT },
    { "once", no_argument, NULL, OPT_ONCE },
    { "v2", no_argument, NULL, OPT_V2 },
    { "help", no_argument, NULL, OPT_HELP },
    { NULL, 0, NULL, 0 },
};

static const struct {
    const char *name;
    enum cli_command command;
} commands[] = {
    { "send", CLI_SEND },       { "recv", CLI_RECV },
    { "monitor", CLI_MONITOR }, { "keygen", CLI_KEYGEN },
    { "plugins", CLI_PLUGINS }, { "top", CLI_TOP },
    { "help", CLI_HELP },       { "--help", CLI_HELP },
    { "-h", CLI_HELP },         { "--version", CLI_VERSION },
};

static const struct {
    const char *name;
    enum cli_format format;
} formats[] = {
    { "raw", CLI_FORMAT_RAW },       { "line", CLI_FORMAT_LINE },
    { "quoted", CLI_FORMAT_QUOTED }, { "hex", CLI_FORMAT_HEX },
    { "msg", CLI_FORMAT_MSG },
};

/* Appends one element to a growing array; aborts when memory runs out,
 * as a command line never needs much. */
static void *append(void *array, size_t *count, size_t size)
{
    char *grown = realloc(array, (*count + 1) * size);
    if (grown == NULL)
        abort();
    memset(grown + *count * size, 0, size);
    (*count)++;
    return grown;
}

/* A non-negative number of milliseconds or messages. */
static bool parse_count(const char *text, long *value)
{
    char *end;
    errno = 0;
    long parsed = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || parsed < 0)
        return false;
    *value = parsed;
    return true;
}

static int parse_command(struct cli_options *options, const char *name)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(commands[i].name, name) == 0) {
            options->command = commands[i].command;
            return CLI_EXIT_OK;
        }
    }
    return cli_fail(CLI_EXIT_USAGE, "unknown command '%s' (try modzmq --help)",
                    name);
}

static int parse_format(struct cli_options *options, const char *name)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
        if (strcmp(formats[i].name, name) == 0) {
            options->format = formats[i].format;
            return CLI_EXIT_OK;
        }
    }
    return cli_fail(CLI_EXIT_USAGE,
                    "unknown format '%s' (raw, line, quoted, hex, msg)", name);
}

/* One option; CLI_EXIT_USAGE (said) when its argument is wrong. */
static int parse_one(struct cli_options *options, int option,
                     const char *argument, bool *more)
{
    long *number = NULL;
    switch (option) {
    case 't':
        options->socket_type = cli_socket_type(argument);
        options->socket_name = argument;
        if (options->socket_type < 0)
            return cli_fail(CLI_EXIT_USAGE, "unknown socket type '%s'",
                            argument);
        return CLI_EXIT_OK;
    case OPT_BIND:
    case OPT_CONNECT:
        options->endpoints = append(options->endpoints,
                                    &options->endpoint_count,
                                    sizeof *options->endpoints);
        options->endpoints[options->endpoint_count - 1] =
            (struct cli_endpoint) { argument, option == OPT_BIND };
        return CLI_EXIT_OK;
    case OPT_SUBSCRIBE:
        options->subscriptions =
            append(options->subscriptions, &options->subscription_count,
                   sizeof *options->subscriptions);
        options->subscriptions[options->subscription_count - 1] = argument;
        return CLI_EXIT_OK;
    case OPT_JOIN:
        options->groups = append(options->groups, &options->group_count,
                                 sizeof *options->groups);
        options->groups[options->group_count - 1] = argument;
        return CLI_EXIT_OK;
    case OPT_GROUP:
        options->send_group = argument;
        return CLI_EXIT_OK;
    case OPT_IDENTITY:
        options->identity = argument;
        return CLI_EXIT_OK;
    case 'd':
        options->data = append(options->data, &options->data_count,
                               sizeof *options->data);
        options->data[options->data_count - 1] =
            (struct cli_datum) { argument, *more };
        *more = false;
        return CLI_EXIT_OK;
    case OPT_MORE:
        if (options->data_count == 0)
            return cli_fail(CLI_EXIT_USAGE, "--more must follow a -d");
        *more = true;
        return CLI_EXIT_OK;
    case 'f':
        options->file = argument;
        return CLI_EXIT_OK;
    case OPT_LINES:
        options->lines = true;
        return CLI_EXIT_OK;
    case OPT_WHOLE:
        options->whole = true;
        return CLI_EXIT_OK;
    case OPT_FORMAT:
        return parse_format(options, argument);
    case 'n':
        number = &options->count;
        break;
    case 'i':
        number = &options->interval_ms;
        break;
    case OPT_DELAY:
        number = &options->delay_ms;
        break;
    case 'w':
        number = &options->timeout_ms;
        break;
    case OPT_PROGRESS:
        options->progress = true;
        return CLI_EXIT_OK;
    case 'v':
        options->verbose = true;
        return CLI_EXIT_OK;
    case OPT_MONITOR:
        options->monitor = true;
        return CLI_EXIT_OK;
    case OPT_JSON:
        options->json = true;
        return CLI_EXIT_OK;
    case OPT_PLAIN_USER:
        options->plain_user = argument;
        return CLI_EXIT_OK;
    case OPT_PLAIN_PASSWORD:
        options->plain_password = argument;
        return CLI_EXIT_OK;
    case OPT_PLAIN_SERVER:
        options->plain_server = true;
        return CLI_EXIT_OK;
    case OPT_PLAIN_FILE:
        options->plain_file = argument;
        return CLI_EXIT_OK;
    case OPT_CURVE_SERVER_KEY:
        options->curve_server_key = argument;
        return CLI_EXIT_OK;
    case OPT_CURVE_KEY:
        options->curve_key = argument;
        return CLI_EXIT_OK;
    case OPT_CURVE_SERVER:
        options->curve_server = true;
        return CLI_EXIT_OK;
    case 'o':
        options->output = argument;
        return CLI_EXIT_OK;
    case OPT_ENDPOINT:
        options->top_endpoint = argument;
        return CLI_EXIT_OK;
    case OPT_ONCE:
        options->top_once = true;
        return CLI_EXIT_OK;
    case OPT_V2:
        options->v2 = true;
        return CLI_EXIT_OK;
    case OPT_HELP:
        options->command = CLI_HELP;
        return CLI_EXIT_OK;
    default: /* '?' or ':', which the caller says */
        return CLI_EXIT_USAGE;
    }
    if (!parse_count(argument, number))
        return cli_fail(CLI_EXIT_USAGE, "'%s' is not a number >= 0", argument);
    return CLI_EXIT_OK;
}

/* What holds between options, once all are read. */
static int check(const struct cli_options *o)
{
    if ((o->top_endpoint != NULL || o->top_once) && o->command != CLI_TOP)
        return cli_fail(CLI_EXIT_USAGE, "--endpoint and --once are top's");
    if (o->v2 && o->command != CLI_MONITOR && !o->monitor)
        return cli_fail(CLI_EXIT_USAGE, "--v2 is for monitor and --monitor");
    if (o->command == CLI_TOP && (o->top_pid < 0) == (o->top_endpoint == NULL))
        return cli_fail(CLI_EXIT_USAGE,
                        "top needs a process id or --endpoint E, not both");
    bool socket_command = o->command == CLI_SEND || o->command == CLI_RECV ||
                          o->command == CLI_MONITOR;
    if (!socket_command)
        return CLI_EXIT_OK;
    if (o->socket_type < 0)
        return cli_fail(CLI_EXIT_USAGE, "a socket type is needed (-t TYPE)");
    if (o->endpoint_count == 0)
        return cli_fail(CLI_EXIT_USAGE,
                        "an endpoint is needed (--bind EP or --connect EP)");
    if (o->data_count > 0 && o->file != NULL)
        return cli_fail(CLI_EXIT_USAGE, "-d and -f cannot be used together");
    if (o->lines && o->whole)
        return cli_fail(CLI_EXIT_USAGE, "--lines and --whole exclude each other");
    if (o->plain_file != NULL &&
        (o->plain_user != NULL || o->plain_password != NULL))
        return cli_fail(CLI_EXIT_USAGE,
                        "--plain-file gives the account: "
                        "no --plain-user or --plain-password with it");
    if ((o->plain_user == NULL) != (o->plain_password == NULL))
        return cli_fail(CLI_EXIT_USAGE,
                        "--plain-user and --plain-password go together");
    if (o->plain_server && o->plain_user == NULL && o->plain_file == NULL)
        return cli_fail(CLI_EXIT_USAGE,
                        "--plain-server needs the account it "
                        "lets in: --plain-user and --plain-password, or "
                        "--plain-file");
    int mechanisms =
        (o->plain_user != NULL || o->plain_server || o->plain_file != NULL) +
        (o->curve_server || o->curve_server_key != NULL);
    if (mechanisms > 1)
        return cli_fail(CLI_EXIT_USAGE, "PLAIN and CURVE exclude each other");
    if (o->curve_server && o->curve_key == NULL)
        return cli_fail(CLI_EXIT_USAGE, "--curve-server needs --curve-key FILE");
    if (o->curve_key != NULL && !o->curve_server && o->curve_server_key == NULL)
        return cli_fail(CLI_EXIT_USAGE,
                        "--curve-key needs --curve-server or --curve-server-key");
    return CLI_EXIT_OK;
}

int cli_options_parse(struct cli_options *options, int argc, char **argv)
{
    *options = (struct cli_options){
        .socket_type = -1,
        .format = CLI_FORMAT_LINE,
        .count = -1,
        .timeout_ms = -1,
        .top_pid = -1,
    };
    if (argc < 2)
        return cli_fail(CLI_EXIT_USAGE, "a command is needed (try modzmq --help)");
    int code = parse_command(options, argv[1]);
    if (code != CLI_EXIT_OK)
        return code;
    /* top's process id comes first: modzmq top PID [OPTIONS]. */
    if (options->command == CLI_TOP && argc > 2 && argv[2][0] != '-') {
        if (!parse_count(argv[2], &options->top_pid) || options->top_pid == 0)
            return cli_fail(CLI_EXIT_USAGE, "'%s' is not a process id",
                            argv[2]);
        argv++;
        argc--;
    }
    bool more = false;
    optind = 1;
    opterr = 0; /* getopt would name the subcommand, not modzmq */
    int option;
    while ((option = getopt_long(argc - 1, argv + 1,
                                 "+:t:b:c:d:f:n:i:w:vo:", long_options,
                                 NULL)) != -1) {
        if (option == '?')
            return cli_fail(CLI_EXIT_USAGE, "unknown option '%s'",
                            argv[optind]);
        if (option == ':')
            return cli_fail(CLI_EXIT_USAGE, "option '%s' needs an argument",
                            argv[optind]);
        code = parse_one(options, option, optarg, &more);
        if (code != CLI_EXIT_OK)
            return code;
    }
    if (optind < argc - 1)
        return cli_fail(CLI_EXIT_USAGE, "unexpected argument '%s'",
                        argv[optind + 1]);
    if (more)
        return cli_fail(CLI_EXIT_USAGE, "--more must be followed by a -d");
    return check(options);
}

void cli_options_free(struct cli_options *options)
{
    free(options->endpoints);
    free(options->subscriptions);
    free(options->groups);
    free(options->data);
    free(options->plain_owned[0]);
    free(options->plain_owned[1]);
}
