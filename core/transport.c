/*
 * Network endpoints, whichever kind of transport serves them; see
 * transport.h.
 */
#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API /* ZMQ_NORM_* */
#endif

#include <errno.h>

#include "plugin_loader.h"
#include "socket.h"
#include "transport.h"
#include "zmq.h"

int mz_transport_option_check(int option)
{
    if (option < ZMQ_NORM_MODE || option > ZMQ_NORM_PUSH ||
        mz_plugin_transport_available("norm"))
        return 0;
    errno = EINVAL;
    return -1;
}

int mz_net_endpoint_parse(struct mz_socket *s, const char *scheme,
                          const char *address, enum modzmq_endpoint_mode mode,
                          struct mz_net_endpoint *out)
{
    struct mz_transport found;
    if (mz_plugin_find_transport(scheme, &found) < 0)
        return -1;
    int (*parse)(modzmq_socket *, const char *, const char *,
                 enum modzmq_endpoint_mode, modzmq_endpoint **);
    if (found.engine != NULL) {
        out->kind = &mz_link_transport;
        out->plugin = found.engine;
        parse = found.engine->endpoint_parse;
        out->endpoint_free = found.engine->endpoint_free;
        out->endpoint_format = found.engine->endpoint_format;
    } else {
        out->kind = &mz_stream_transport;
        out->plugin = found.stream;
        parse = found.stream->endpoint_parse;
        out->endpoint_free = found.stream->endpoint_free;
        out->endpoint_format = found.stream->endpoint_format;
    }
    out->endpoint = NULL;
    return parse((modzmq_socket *) s, scheme, address, mode, &out->endpoint);
}

void mz_net_endpoint_free(struct mz_net_endpoint *endpoint)
{
    if (endpoint->endpoint != NULL)
        endpoint->endpoint_free(endpoint->endpoint);
    endpoint->endpoint = NULL;
}

int mz_net_endpoint_format(const struct mz_net_endpoint *endpoint, char *buffer,
                           size_t size)
{
    return endpoint->endpoint_format(endpoint->endpoint, buffer, size);
}
