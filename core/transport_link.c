/*
 * The own-engine kind of transport (sdk/modzmq/engine_transport.h) behind
 * the core's one transport interface (transport.h): the plugin watches
 * its own fds, and each peer is a link (plugin_link.h) that becomes the
 * session's engine, on the dialing side at once, on the bound side when
 * the plugin calls link_accept.
 */
#include <errno.h>

#include "dialer.h"
#include "listener.h"
#include "plugin_link.h"
#include "session.h"
#include "transport.h"

static const struct modzmq_engine_transport_ops *ops_of(const void *plugin)
{
    return plugin;
}

/* Links publish no listener events yet: they have no fd to report. */
static int link_listen(struct mz_listener *listener, void **state,
                       int *event_fd)
{
    const struct mz_net_endpoint *endpoint = mz_listener_endpoint(listener);
    *state = NULL;
    *event_fd = -1;
    return ops_of(endpoint->plugin)
        ->listen(endpoint->endpoint, (modzmq_listener *) listener);
}

static void link_unlisten(struct mz_listener *listener, void *state)
{
    (void) state;
    const struct mz_net_endpoint *endpoint = mz_listener_endpoint(listener);
    ops_of(endpoint->plugin)->unlisten(endpoint->endpoint);
}

/* The link is the session's engine from the plugin's connect on: the
 * plugin reports through it (link_ready, link_failed), not through the
 * dialer. */
static int link_connect(struct mz_dialer *dialer, void **attempt)
{
    const struct mz_net_endpoint *endpoint = mz_dialer_endpoint(dialer);
    struct mz_session *session = mz_dialer_session(dialer);
    *attempt = NULL;
    struct mz_link *link =
        mz_link_connect(ops_of(endpoint->plugin), endpoint->endpoint, session);
    if (link == NULL)
        return -1;
    mz_dialer_connected(dialer);
    mz_session_run(session, link, &mz_link_face);
    mz_link_connected(link);
    return 0;
}

modzmq_link *mz_link_accept(modzmq_listener *handle, modzmq_link_state *state)
{
    struct mz_listener *listener = (struct mz_listener *) handle;
    struct mz_session *session = mz_session_accepted(listener);
    if (session == NULL)
        return NULL;
    const struct mz_net_endpoint *endpoint = mz_listener_endpoint(listener);
    struct mz_link *link =
        mz_link_accepted(ops_of(endpoint->plugin), state, session);
    if (link == NULL) {
        mz_session_abort(session);
        errno = ENOMEM;
        return NULL;
    }
    mz_session_run(session, link, &mz_link_face);
    return (modzmq_link *) link;
}

const struct mz_transport_kind mz_link_transport = {
    .listen = link_listen,
    .unlisten = link_unlisten,
    .connect = link_connect,
    /* Nothing stays under way: the link is the session's engine at once.
     * A link's fd goes to ZMTP with its own peer address (link_zmtp). */
    .cancel = NULL,
    .peer_address = NULL,
};
