/*
 * API entry points whose feature is not part of this build yet, or comes
 * from a plugin: CURVE key functions (from the curve plugin when it can be
 * loaded), socket monitoring (the monitor plugin), and
 * the draft socket types that groups and peer routing ids belong to (DISH,
 * PEER). Each fails the way libzmq does when built without the feature,
 * after checking its arguments like the real thing would.
 */
#include <errno.h>
#include <stdio.h>

#include "plugin_loader.h"
#include "socket.h"
#include "zmq.h"

static int not_supported(void)
{
    errno = ENOTSUP;
    return -1;
}

/* The curve plugin's ops when it can be loaded, quietly: libzmq without
 * CURVE just says ENOTSUP. */
static const struct modzmq_mechanism_ops *curve_ops(void)
{
    if (!mz_plugin_mechanism_available("CURVE"))
        return NULL;
    return mz_plugin_mechanism("CURVE");
}

int zmq_curve_keypair(char *z85_public_key, char *z85_secret_key)
{
    const struct modzmq_mechanism_ops *ops = curve_ops();
    if (ops == NULL || ops->curve_keypair == NULL)
        return not_supported();
    return ops->curve_keypair(z85_public_key, z85_secret_key);
}

int zmq_curve_public(char *z85_public_key, const char *z85_secret_key)
{
    const struct modzmq_mechanism_ops *ops = curve_ops();
    if (ops == NULL || ops->curve_public == NULL)
        return not_supported();
    return ops->curve_public(z85_public_key, z85_secret_key);
}

static int monitor_unavailable(void *socket)
{
    if (!mz_socket_is_live(socket)) {
        errno = ENOTSOCK;
        return -1;
    }
    static bool said;
    if (!said) {
        said = true;
        fputs("modzmq: socket monitoring needs the monitor plugin, "
              "which this build does not have\n",
              stderr);
    }
    return not_supported();
}

int zmq_socket_monitor(void *socket, const char *endpoint, int events)
{
    (void) endpoint;
    (void) events;
    return monitor_unavailable(socket);
}

int zmq_socket_monitor_versioned(void *socket, const char *endpoint,
                                 uint64_t events, int event_version, int type)
{
    (void) endpoint;
    (void) events;
    (void) event_version;
    (void) type;
    return monitor_unavailable(socket);
}

int zmq_socket_monitor_pipes_stats(void *socket)
{
    return monitor_unavailable(socket);
}

/* Groups belong to DISH sockets, peer routing ids to PEER sockets; no
 * socket of this build is either. */
static int wrong_socket_type(void *socket)
{
    if (!mz_socket_is_live(socket)) {
        errno = ENOTSOCK;
        return -1;
    }
    return not_supported();
}

int zmq_join(void *socket, const char *group)
{
    (void) group;
    return wrong_socket_type(socket);
}

int zmq_leave(void *socket, const char *group)
{
    (void) group;
    return wrong_socket_type(socket);
}

uint32_t zmq_connect_peer(void *socket, const char *endpoint)
{
    (void) endpoint;
    wrong_socket_type(socket);
    return 0;
}

int zmq_disconnect_peer(void *socket, uint32_t routing_id)
{
    (void) routing_id;
    return wrong_socket_type(socket);
}
