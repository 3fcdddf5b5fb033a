/*
 * For tests/check_sdk_example.sh: checks that libzmq.so.5, through its
 * public modzmq.h API only, loads the example transports that the script
 * built out of tree, from the directory MODZMQ_PLUGIN_PATH names, and that
 * messages make a round trip through them: REQ and REP over ZMTP on the
 * unixstream plugin's connections, PUSH and PULL over the unixpacket
 * plugin's own engine (its socket file in SDK_EXAMPLE_DIR). Prints what is
 * wrong and exits 1, or exits 0.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modzmq.h"
#include "zmq.h"

static int fail(const char *what)
{
    fprintf(stderr, "sdk example: %s (errno %d: %s)\n", what, errno,
            strerror(errno));
    return 1;
}

/* REQ asks, REP answers, over a unixstream connection. */
static int round_trip(void)
{
    void *ctx = zmq_ctx_new();
    void *rep = zmq_socket(ctx, ZMQ_REP);
    void *req = zmq_socket(ctx, ZMQ_REQ);
    int timeout = 5000, linger = 0;
    zmq_setsockopt(rep, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(req, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(rep, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(req, ZMQ_LINGER, &linger, sizeof linger);
    int status = 1;
    char endpoint[256], buffer[16];
    size_t size = sizeof endpoint;
    if (zmq_bind(rep, "unixstream://*") != 0)
        status = fail("zmq_bind(unixstream://*) failed");
    else if (zmq_getsockopt(rep, ZMQ_LAST_ENDPOINT, endpoint, &size) != 0)
        status = fail("no ZMQ_LAST_ENDPOINT");
    else if (zmq_connect(req, endpoint) != 0)
        status = fail("zmq_connect to the bound endpoint failed");
    else if (zmq_send(req, "ping", 4, 0) != 4)
        status = fail("REQ could not send");
    else if (zmq_recv(rep, buffer, sizeof buffer, 0) != 4 ||
             memcmp(buffer, "ping", 4) != 0)
        status = fail("REP did not get the request");
    else if (zmq_send(rep, "pong", 4, 0) != 4)
        status = fail("REP could not answer");
    else if (zmq_recv(req, buffer, sizeof buffer, 0) != 4 ||
             memcmp(buffer, "pong", 4) != 0)
        status = fail("REQ did not get the answer");
    else {
        printf("round trip over %s\n", endpoint);
        status = 0;
    }
    zmq_close(req);
    zmq_close(rep);
    zmq_ctx_term(ctx);
    return status;
}

/* A two-part message from PUSH to PULL over unixpacket, whose socket
 * file goes in dir. */
static int packet_round_trip(const char *dir)
{
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL);
    void *push = zmq_socket(ctx, ZMQ_PUSH);
    int timeout = 5000, linger = 0;
    zmq_setsockopt(pull, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(pull, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(push, ZMQ_LINGER, &linger, sizeof linger);
    char endpoint[256], buffer[16];
    snprintf(endpoint, sizeof endpoint, "unixpacket://%s/packet", dir);
    int status = 1, more = 0;
    size_t size = sizeof more;
    if (zmq_bind(pull, endpoint) != 0)
        status = fail("zmq_bind(unixpacket://...) failed");
    else if (zmq_connect(push, endpoint) != 0)
        status = fail("zmq_connect(unixpacket://...) failed");
    else if (zmq_send(push, "head", 4, ZMQ_SNDMORE) != 4 ||
             zmq_send(push, "tail", 4, 0) != 4)
        status = fail("PUSH could not send");
    else if (zmq_recv(pull, buffer, sizeof buffer, 0) != 4 ||
             memcmp(buffer, "head", 4) != 0 ||
             zmq_getsockopt(pull, ZMQ_RCVMORE, &more, &size) != 0 || !more)
        status = fail("PULL did not get the first part");
    else if (zmq_recv(pull, buffer, sizeof buffer, 0) != 4 ||
             memcmp(buffer, "tail", 4) != 0)
        status = fail("PULL did not get the second part");
    else {
        printf("round trip over %s\n", endpoint);
        status = 0;
    }
    zmq_close(push);
    zmq_close(pull);
    zmq_ctx_term(ctx);
    return status;
}

int main(void)
{
    const char *dir = getenv("MODZMQ_PLUGIN_PATH");
    if (dir == NULL || *dir == '\0')
        return fail("MODZMQ_PLUGIN_PATH is not set");
    if (modzmq_plugins(NULL, 0) != 0)
        return fail("plugins loaded before any was asked for");
    if (modzmq_plugin_load("unixstream") != 0)
        return fail("modzmq_plugin_load(\"unixstream\") failed");
    if (modzmq_plugin_load("modzmq_unixstream") != 0)
        return fail("modzmq_plugin_load(\"modzmq_unixstream\") failed");

    struct modzmq_plugin_info list[4];
    size_t count = modzmq_plugins(list, 4);
    if (count != 1)
        return fail("modzmq_plugins does not list exactly one plugin");
    if (strcmp(list[0].name, "unixstream") != 0 || list[0].kind != 1)
        return fail("the plugin listed is not the unixstream transport");
    if (strncmp(list[0].path, dir, strlen(dir)) != 0 ||
        strstr(list[0].path, "modzmq_unixstream") == NULL)
        return fail("the plugin was not loaded from MODZMQ_PLUGIN_PATH");
    printf("loaded %s (SDK ABI %u.%u) from %s\n", list[0].name,
           list[0].abi_major, list[0].abi_minor, list[0].path);

    /* A transport zmq_has does not know stays unknown to it. */
    if (zmq_has("unixstream") != 0)
        return fail("zmq_has answers for a scheme that is no capability");
    if (round_trip() != 0)
        return 1;

    /* The own-engine example, kind 4. */
    const char *scratch = getenv("SDK_EXAMPLE_DIR");
    if (scratch == NULL || *scratch == '\0')
        return fail("SDK_EXAMPLE_DIR is not set");
    if (modzmq_plugin_load("unixpacket") != 0)
        return fail("modzmq_plugin_load(\"unixpacket\") failed");
    count = modzmq_plugins(list, 4);
    if (count != 2 || strcmp(list[1].name, "unixpacket") != 0 ||
        list[1].kind != 4)
        return fail("the own-engine example is not listed as kind 4");
    printf("loaded %s (SDK ABI %u.%u) from %s\n", list[1].name,
           list[1].abi_major, list[1].abi_minor, list[1].path);
    return packet_round_trip(scratch);
}
