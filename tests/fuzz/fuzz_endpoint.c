/*
 * Fuzz target: endpoint strings for every transport: inproc through
 * zmq_bind, zmq_connect, zmq_unbind and zmq_disconnect; tcp and ipc
 * through their plugins' endpoint_parse and endpoint_free, for bind and
 * for connect (plugins/tcp/tcp_address.c, tcp_filter.c,
 * plugins/ipc/ipc_address.c), with the socket options they read first;
 * and whole URIs, split by the core (scheme, "://", address).
 *
 * A tcp or ipc endpoint is never listened on or connected to: a fuzzed
 * address could name any host, or a file anywhere. Parsing a bind
 * address resolves it only locally (an interface or a numeric address,
 * no DNS) and a connect address only for its source.
 *
 * Input: a byte of options (bit 0 ZMQ_IPV6; bit 1 a ZMQ_TCP_ACCEPT_FILTER
 * from a chunk; bit 2 a ZMQ_BINDTODEVICE from a chunk), a byte choosing
 * the transport (modulo 4: inproc, tcp, ipc, a whole URI), then the
 * address, or the URI: the rest of the input up to its first NUL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "plugin_loader.h"
#include "zmq.h"

static void *ctx;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void) argc;
    (void) argv;
    ctx = zmq_ctx_new();
    return 0;
}

/* A copy of size bytes as a string, cut at its first NUL. */
static char *string_of(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    fuzz_check(text != NULL, "memory");
    memcpy(text, data, size);
    text[size] = '\0';
    return text;
}

static void inproc(void *bound, void *connected, const char *uri)
{
    int bind_rc = zmq_bind(bound, uri);
    int connect_rc = zmq_connect(connected, uri);
    char last[256];
    size_t size = sizeof last;
    zmq_getsockopt(bound, ZMQ_LAST_ENDPOINT, last, &size);
    fuzz_check(size <= sizeof last, "ZMQ_LAST_ENDPOINT overran its buffer");
    if (bind_rc == 0)
        fuzz_check(zmq_unbind(bound, uri) == 0,
                   "an inproc endpoint bound could not be unbound");
    if (connect_rc == 0)
        fuzz_check(zmq_disconnect(connected, uri) == 0,
                   "an inproc endpoint connected could not be disconnected");
}

/* The plugin's parse and free, never listen or connect. */
static void network(void *s, const char *scheme, const char *address)
{
    const struct modzmq_transport_ops *ops = mz_plugin_transport(scheme);
    if (ops == NULL)
        return;
    const enum modzmq_endpoint_mode modes[] = { MODZMQ_ENDPOINT_BIND,
                                                MODZMQ_ENDPOINT_CONNECT };
    for (size_t i = 0; i < 2; i++) {
        modzmq_endpoint *endpoint = NULL;
        if (ops->endpoint_parse((modzmq_socket *) s, scheme, address, modes[i],
                                &endpoint) == 0)
            ops->endpoint_free(endpoint);
    }
}

/* A whole URI: inproc ones and malformed ones through the API, tcp and
 * ipc ones to their plugin, any other scheme to one that no plugin
 * serves (each new scheme would be searched for, and remembered). */
static void uri(void *bound, void *connected, const char *text)
{
    const char *separator = strstr(text, "://");
    if (separator == NULL || separator == text) {
        fuzz_check(zmq_bind(bound, text) == -1 &&
                       zmq_connect(connected, text) == -1,
                   "a URI without a scheme was accepted");
        return;
    }
    size_t length = (size_t) (separator - text);
    const char *address = separator + 3;
    if (length == 6 && memcmp(text, "inproc", 6) == 0) {
        inproc(bound, connected, text);
    } else if ((length == 3 && memcmp(text, "tcp", 3) == 0) ||
               (length == 3 && memcmp(text, "ipc", 3) == 0)) {
        char scheme[4];
        memcpy(scheme, text, 3);
        scheme[3] = '\0';
        network(bound, scheme, address);
    } else {
        size_t size = strlen(address) + sizeof "nosuch://";
        char *other = malloc(size);
        fuzz_check(other != NULL, "memory");
        snprintf(other, size, "nosuch://%s", address);
        fuzz_check(zmq_connect(connected, other) == -1,
                   "a scheme nothing serves was accepted");
        free(other);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in;
    fuzz_input_init(&in, data, size);
    uint8_t options = fuzz_byte(&in);
    uint8_t transport = fuzz_byte(&in);
    void *bound = zmq_socket(ctx, ZMQ_PAIR);
    void *connected = zmq_socket(ctx, ZMQ_PAIR);
    fuzz_check(bound != NULL && connected != NULL, "no socket");
    int one = 1;
    if (options & 1)
        zmq_setsockopt(bound, ZMQ_IPV6, &one, sizeof one);
    size_t n;
    const uint8_t *chunk;
    if (options & 2) {
        chunk = fuzz_chunk(&in, &n);
        char *filter = string_of(chunk, n);
        zmq_setsockopt(bound, ZMQ_TCP_ACCEPT_FILTER, filter, strlen(filter));
        free(filter);
    }
    if (options & 4) {
        chunk = fuzz_chunk(&in, &n);
        zmq_setsockopt(bound, ZMQ_BINDTODEVICE, chunk, n);
    }
    chunk = fuzz_rest(&in, &n);
    char *text = string_of(chunk, n);
    switch (transport % 4) {
    case 0: {
        size_t length = strlen(text) + sizeof "inproc://";
        char *full = malloc(length);
        fuzz_check(full != NULL, "memory");
        snprintf(full, length, "inproc://%s", text);
        inproc(bound, connected, full);
        free(full);
        break;
    }
    case 1:
        network(bound, "tcp", text);
        break;
    case 2:
        network(bound, "ipc", text);
        break;
    default:
        uri(bound, connected, text);
        break;
    }
    free(text);
    int zero = 0;
    zmq_setsockopt(bound, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(connected, ZMQ_LINGER, &zero, sizeof zero);
    zmq_close(bound);
    zmq_close(connected);
    return 0;
}
