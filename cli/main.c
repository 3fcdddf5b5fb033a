/*
 * modzmq: the command-line tool. Parses the command line, runs the
 * subcommand, and turns its outcome into the documented exit code.
 */
#include <stdio.h>

#include <zmq.h>

#include "monitor.h"
#include "options.h"
#include "plugins.h"
#include "report.h"
#include "security.h"
#include "top.h"
#include "transfer.h"
#include "zap.h"

static const char help_text[] =
    "usage: modzmq COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  send      send messages (a REQ socket prints each reply)\n"
    "  recv      receive and print messages (a REP socket answers each)\n"
    "  monitor   print the events of the tool's own socket\n"
    "  keygen    make a CURVE key pair\n"
    "  plugins   list the plugins found, loaded or refused and why\n"
    "  top PID   the live counters of the sockets of process PID, which\n"
    "            runs with MODZMQ_OBSERVERS=stats (or top --endpoint E)\n"
    "\n"
    "socket:\n"
    "  -t, --type TYPE          pair pub sub req rep dealer router pull push\n"
    "                           xpub xsub stream server client radio dish\n"
    "                           gather scatter dgram peer channel\n"
    "  -b, --bind EP            bind (repeatable; tcp://127.0.0.1:* allowed)\n"
    "  -c, --connect EP         connect (repeatable)\n"
    "  --subscribe TOPIC        SUB's subscriptions (repeatable)\n"
    "  --join GROUP             DISH's groups (repeatable)\n"
    "  --group GROUP            the group of RADIO's messages\n"
    "  --identity ID            the routing id\n"
    "  --monitor                send/recv: the socket's events on stderr\n"
    "  --json                   monitor: one JSON object per event line,\n"
    "                           {\"event\":\"LISTENING\",\"id\":8,\"value\":V,\n"
    "                           \"endpoint\":\"EP\"}; else \"LISTENING V EP\"\n"
    "  --v2                     monitor, --monitor: version 2 events (also\n"
    "                           PIPES_STATS every -i MS, PIPE_HWM_REACHED,\n"
    "                           _CLEARED, PEER_COUNTERS), all values and both\n"
    "                           endpoints: \"EVENT V1,V2 LOCAL REMOTE\", or\n"
    "                           {..,\"values\":[..],\"local\":..,\"remote\":..}\n"
    "  -v, --verbose            say each real endpoint on stderr\n"
    "\n"
    "data (send, and REP's answers):\n"
    "  -d, --data TEXT          one message; -d A --more -d B: one message\n"
    "                           of two parts\n"
    "  -f, --file FILE          a file (- for standard input), one message\n"
    "  --lines / --whole        one message per line / the whole input\n"
    "                           (standard input, the default source, goes\n"
    "                           line by line)\n"
    "\n"
    "output (recv, REQ's replies):\n"
    "  --format FORMAT          raw: the bytes; line (default): the parts'\n"
    "                           bytes and a newline; quoted: each part\n"
    "                           C-escaped in \"\", space separated; hex: each\n"
    "                           part in hex (- when empty); msg: a header\n"
    "                           line, then \"  [I] LENGTH \"quoted\"\" per part\n"
    "\n"
    "timing:\n"
    "  -n, --count N            messages to send (cycling -d) or receive;\n"
    "                           monitor: events to print\n"
    "  -i, --interval MS        pause between sends\n"
    "  --delay MS               pause before the first send\n"
    "  -w, --timeout MS         bound on every send and receive\n"
    "  --progress               counts and rates on stderr, every second\n"
    "\n"
    "top:\n"
    "  --endpoint E             the stats plugin's endpoint, @name or a path\n"
    "                           (default @modzmq-stats.PID)\n"
    "  --once                   one table, no rates, then exit\n"
    "  -i MS / -n N / -w MS     refresh every MS (1000), N tables, wait at\n"
    "                           most MS (2000) for each snapshot\n"
    "\n"
    "security:\n"
    "  --plain-user U --plain-password P   a PLAIN client\n"
    "  --plain-file FILE        the same account from FILE, lines\n"
    "                           \"user = U\" and \"password = P\" (mode 0600),\n"
    "                           so that ps does not show the password\n"
    "  --plain-server --plain-user U --plain-password P\n"
    "                           (or --plain-file FILE): a PLAIN server\n"
    "                           letting in that account only\n"
    "                           (through a ZAP handler of its own)\n"
    "  --curve-server --curve-key FILE     a CURVE server with its key pair\n"
    "  --curve-server-key FILE             a CURVE client of that server\n"
    "                           (--curve-key FILE its own pair, else a new one)\n"
    "  keygen [-o BASENAME]     writes BASENAME.pub (public-key = Z85, mode\n"
    "                           0644) and BASENAME.key (public-key and\n"
    "                           secret-key lines, mode 0600), never\n"
    "                           overwriting; without -o prints the .key text\n"
    "\n"
    "exit codes: 0 done; 1 a runtime or network error; 2 a usage error;\n"
    "3 a timeout (-w passed before -n messages or events came, or before\n"
    "any when -n is not given). Errors are one line \"modzmq: ...\" on\n"
    "stderr.\n";

static int run(const struct cli_options *o)
{
    switch (o->command) {
    case CLI_HELP:
        fputs(help_text, stdout);
        return CLI_EXIT_OK;
    case CLI_VERSION: {
        int major, minor, patch;
        zmq_version(&major, &minor, &patch);
        printf("modzmq, the ZeroMQ API %d.%d.%d\n", major, minor, patch);
        return CLI_EXIT_OK;
    }
    case CLI_KEYGEN:
        return cli_keygen(o);
    case CLI_PLUGINS:
        return cli_plugins_command(o);
    case CLI_TOP:
        return cli_top_command(o);
    default:
        break;
    }
    void *context = zmq_ctx_new();
    if (context == NULL)
        return cli_fail_zmq("context");
    struct cli_zap *zap = NULL;
    int code = CLI_EXIT_OK;
    if (o->plain_server &&
        (zap = cli_zap_start(context, o->plain_user, o->plain_password)) == NULL)
        code = CLI_EXIT_RUNTIME;
    if (code == CLI_EXIT_OK)
        code = o->command == CLI_SEND   ? cli_send_command(context, o)
               : o->command == CLI_RECV ? cli_recv_command(context, o)
                                        : cli_monitor_command(context, o);
    /* The handler's socket closes before the context can end. */
    if (zap != NULL)
        cli_zap_stop(zap);
    zmq_ctx_term(context);
    return code;
}

int main(int argc, char **argv)
{
    struct cli_options options;
    int code = cli_options_parse(&options, argc, argv);
    if (code == CLI_EXIT_OK && options.plain_file != NULL)
        code = cli_plain_file_read(&options);
    if (code == CLI_EXIT_OK)
        code = run(&options);
    cli_options_free(&options);
    return code;
}
