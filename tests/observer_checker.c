/*
 * Run by tests/check_sdk_observer.sh with MODZMQ_OBSERVERS naming the
 * example observer built out of tree: a client and a server talk over
 * tcp, so that the observer sees the events of both, then everything
 * closes. The script reads the observer's log. Exit status 0 when the
 * round trip worked and the observer was loaded.
 */
#include <stdio.h>
#include <string.h>

#include "modzmq.h"
#include "zmq.h"

static int fail(const char *what)
{
    fprintf(stderr, "observer_checker: %s: %s\n", what,
            zmq_strerror(zmq_errno()));
    return 1;
}

int main(void)
{
    void *ctx = zmq_ctx_new();
    struct modzmq_plugin_info plugins[16];
    size_t count = modzmq_plugins(plugins, 16);
    int loaded = 0;
    for (size_t i = 0; i < count && i < 16; i++)
        loaded |= strcmp(plugins[i].name, "eventlog") == 0;
    if (!loaded)
        return fail("the eventlog observer is not loaded");
    void *server = zmq_socket(ctx, ZMQ_REP);
    void *client = zmq_socket(ctx, ZMQ_REQ);
    int timeout = 5000;
    zmq_setsockopt(server, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(client, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    char endpoint[256];
    size_t size = sizeof endpoint;
    if (zmq_bind(server, "tcp://127.0.0.1:*") != 0 ||
        zmq_getsockopt(server, ZMQ_LAST_ENDPOINT, endpoint, &size) != 0)
        return fail("bind");
    if (zmq_connect(client, endpoint) != 0)
        return fail("connect");
    char buf[16];
    if (zmq_send(client, "hello", 5, 0) != 5 ||
        zmq_recv(server, buf, sizeof buf, 0) != 5 ||
        zmq_send(server, "world", 5, 0) != 5 ||
        zmq_recv(client, buf, sizeof buf, 0) != 5)
        return fail("round trip");
    zmq_close(client);
    zmq_close(server);
    zmq_ctx_term(ctx);
    printf("round trip over %s done\n", endpoint);
    return 0;
}
