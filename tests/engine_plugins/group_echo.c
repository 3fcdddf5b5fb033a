/*
 * A test plugin for the group services of links (SDK 1.2): scheme
 * "groupecho". A connect's link is ready at once and echoes every
 * message the socket sends, giving each part back with the group
 * link_part_group read from it and "-echo" after it, through
 * link_push_group. When the core refuses that group (longer than it
 * holds) the part comes back without a group and with the body
 * "EINVAL", so that the suite sees the refusal. No I/O: link_output does
 * the echo on the link's I/O thread.
 */
#include <errno.h>
#include <modzmq/engine_transport.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct modzmq_core_services *services;

struct modzmq_endpoint {
    int unused;
};

struct modzmq_link_state {
    modzmq_link *link;
};

static int init(const struct modzmq_core_services *given, modzmq_core *core)
{
    (void) core;
    if (!modzmq_has_service(
            given, offsetof(struct modzmq_core_services, link_push_group))) {
        errno = ENOTSUP;
        return -1;
    }
    services = given;
    return 0;
}

static int endpoint_parse(modzmq_socket *socket, const char *scheme,
                          const char *address, enum modzmq_endpoint_mode mode,
                          modzmq_endpoint **endpoint)
{
    (void) socket;
    (void) scheme;
    (void) address;
    if (mode != MODZMQ_ENDPOINT_CONNECT) {
        errno = ENOTSUP;
        return -1;
    }
    *endpoint = calloc(1, sizeof **endpoint);
    return *endpoint != NULL ? 0 : -1;
}

static void endpoint_free(modzmq_endpoint *endpoint)
{
    free(endpoint);
}

static int endpoint_format(modzmq_endpoint *endpoint, char *buffer,
                           size_t size)
{
    (void) endpoint;
    int length = snprintf(buffer, size, "groupecho://x");
    if (length < 0 || (size_t) length >= size)
        return errno = ENOSPC, -1;
    return length;
}

static int listen_on(modzmq_endpoint *endpoint, modzmq_listener *listener)
{
    (void) endpoint;
    (void) listener;
    errno = ENOTSUP;
    return -1;
}

static void unlisten(modzmq_endpoint *endpoint)
{
    (void) endpoint;
}

/* Echoes what is queued. A full pipe loses the rest of the turn's parts:
 * the suite sends few. */
static void link_output(modzmq_link_state *state)
{
    struct modzmq_part part;
    while (services->link_pull(state->link, &part) == 1) {
        const char *group = services->link_part_group(state->link);
        char echoed[300]; /* past ZMQ_GROUP_MAX_LENGTH, to be refused */
        int length = snprintf(echoed, sizeof echoed, "%s-echo",
                              group != NULL ? group : "(none)");
        if (services->link_push_group(state->link, echoed, (size_t) length,
                                      part.data, part.size, part.flags) == 0)
            continue;
        if (errno == EINVAL)
            services->link_push(state->link, "EINVAL", 6, part.flags);
    }
}

static int connect_link(modzmq_endpoint *endpoint, modzmq_link *link,
                        modzmq_link_state **state)
{
    (void) endpoint;
    struct modzmq_link_state *s = calloc(1, sizeof *s);
    if (s == NULL)
        return -1;
    s->link = link;
    *state = s;
    if (services->link_ready(link) == 0)
        link_output(s);
    return 0;
}

static void link_input(modzmq_link_state *state)
{
    (void) state;
}

static void link_close(modzmq_link_state *state)
{
    free(state);
}

static const struct modzmq_engine_transport_ops ops = {
    .size = sizeof(struct modzmq_engine_transport_ops),
    .endpoint_parse = endpoint_parse,
    .endpoint_free = endpoint_free,
    .endpoint_format = endpoint_format,
    .listen = listen_on,
    .unlisten = unlisten,
    .connect = connect_link,
    .link_output = link_output,
    .link_input = link_input,
    .link_close = link_close,
};

static const char *const schemes[] = { "groupecho", NULL };

static const struct modzmq_plugin descriptor = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "groupecho",
    .kind = MODZMQ_PLUGIN_ENGINE_TRANSPORT,
    .serves = schemes,
    .ops = &ops,
    .init = init,
};

MODZMQ_PLUGIN_ENTRY
{
    return &descriptor;
}
