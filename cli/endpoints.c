/*
 * Socket setup for send, recv and monitor (see endpoints.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <zmq.h>

#include "endpoints.h"
#include "report.h"
#include "security.h"

static const struct {
    const char *name;
    int type;
} socket_types[] = {
    { "pair", ZMQ_PAIR },       { "pub", ZMQ_PUB },
    { "sub", ZMQ_SUB },         { "req", ZMQ_REQ },
    { "rep", ZMQ_REP },         { "dealer", ZMQ_DEALER },
    { "router", ZMQ_ROUTER },   { "pull", ZMQ_PULL },
    { "push", ZMQ_PUSH },       { "xpub", ZMQ_XPUB },
    { "xsub", ZMQ_XSUB },       { "stream", ZMQ_STREAM },
    { "server", ZMQ_SERVER },   { "client", ZMQ_CLIENT },
    { "radio", ZMQ_RADIO },     { "dish", ZMQ_DISH },
    { "gather", ZMQ_GATHER },   { "scatter", ZMQ_SCATTER },
    { "dgram", ZMQ_DGRAM },     { "peer", ZMQ_PEER },
    { "channel", ZMQ_CHANNEL },
};

int cli_socket_type(const char *name)
{
    for (size_t i = 0; i < sizeof socket_types / sizeof socket_types[0]; i++) {
        if (strcasecmp(socket_types[i].name, name) == 0)
            return socket_types[i].type;
    }
    return -1;
}

static int set_int(void *socket, int option, int value, const char *what)
{
    if (zmq_setsockopt(socket, option, &value, sizeof value) != 0)
        return cli_fail_zmq(what);
    return CLI_EXIT_OK;
}

/* Identity, subscriptions and groups: what says who the socket is and
 * what it takes. */
static int set_membership(void *socket, const struct cli_options *o)
{
    if (o->identity != NULL &&
        zmq_setsockopt(socket, ZMQ_ROUTING_ID, o->identity,
                       strlen(o->identity)) != 0)
        return cli_fail_zmq("--identity");
    for (size_t i = 0; i < o->subscription_count; i++) {
        if (zmq_setsockopt(socket, ZMQ_SUBSCRIBE, o->subscriptions[i],
                           strlen(o->subscriptions[i])) != 0)
            return cli_fail_zmq("--subscribe");
    }
    for (size_t i = 0; i < o->group_count; i++) {
        if (zmq_join(socket, o->groups[i]) != 0)
            return cli_fail_zmq("--join");
    }
    return CLI_EXIT_OK;
}

/* Timeouts: -w bounds every send and receive, and the linger at the end
 * (without -w, messages sent are delivered however long it takes, as
 * libzmq's default linger does). */
static int set_timeouts(void *socket, const struct cli_options *o)
{
    if (o->timeout_ms < 0)
        return CLI_EXIT_OK;
    int timeout = o->timeout_ms > 0x7fffffff ? 0x7fffffff : (int) o->timeout_ms;
    int code = set_int(socket, ZMQ_RCVTIMEO, timeout, "-w");
    if (code == CLI_EXIT_OK)
        code = set_int(socket, ZMQ_SNDTIMEO, timeout, "-w");
    if (code == CLI_EXIT_OK)
        code = set_int(socket, ZMQ_LINGER, timeout, "-w");
    return code;
}

int cli_socket_attach(void *socket, const struct cli_options *o)
{
    for (size_t i = 0; i < o->endpoint_count; i++) {
        const struct cli_endpoint *e = &o->endpoints[i];
        if ((e->bind ? zmq_bind(socket, e->address)
                     : zmq_connect(socket, e->address)) != 0) {
            return cli_fail(CLI_EXIT_RUNTIME, "%s %s: %s",
                            e->bind ? "bind" : "connect", e->address,
                            zmq_strerror(errno));
        }
        if (o->verbose) {
            /* The real endpoint, after a wildcard port: a script (and
             * the tests) read it here. */
            char last[1024] = "";
            size_t size = sizeof last;
            zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, last, &size);
            cli_note("%s %s", e->bind ? "bound" : "connected",
                     last[0] != '\0' ? last : e->address);
        }
    }
    return CLI_EXIT_OK;
}

int cli_socket_open(void *context, const struct cli_options *o,
                    void **socket_out)
{
    void *socket = zmq_socket(context, o->socket_type);
    if (socket == NULL)
        return cli_fail(CLI_EXIT_RUNTIME, "socket type '%s': %s",
                        o->socket_name, zmq_strerror(errno));
    int code = set_membership(socket, o);
    if (code == CLI_EXIT_OK)
        code = set_timeouts(socket, o);
    if (code == CLI_EXIT_OK)
        code = cli_security_apply(socket, o);
    if (code != CLI_EXIT_OK) {
        zmq_close(socket);
        return code;
    }
    *socket_out = socket;
    return CLI_EXIT_OK;
}
