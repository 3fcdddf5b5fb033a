/*
 * API entry points whose feature is not part of this build yet, or comes
 * from a plugin: CURVE key functions (from the curve plugin when it can be
 * loaded) and zmq_disconnect_peer (SERVER and PEER: not yet). Each
 * fails the way libzmq does when built without the feature,
 * after checking its arguments like the real thing would.
 */
#include <errno.h>

#include "plugin_loader.h"
#include "socket.h"
#include "zmq.h"

static int not_supported(void)
{
    errno = ENOTSUP;
    return -1;
}

/* The curve plugin's key functions, found quietly: libzmq without CURVE
 * just says ENOTSUP. */
int zmq_curve_keypair(char *z85_public_key, char *z85_secret_key)
{
    const struct modzmq_curve_keys *keys = mz_plugin_curve_keys();
    if (keys == NULL || keys->keypair == NULL)
        return not_supported();
    return keys->keypair(z85_public_key, z85_secret_key);
}

int zmq_curve_public(char *z85_public_key, const char *z85_secret_key)
{
    const struct modzmq_curve_keys *keys = mz_plugin_curve_keys();
    if (keys == NULL || keys->public_key == NULL)
        return not_supported();
    return keys->public_key(z85_public_key, z85_secret_key);
}

/* Disconnecting by routing id belongs to SERVER and PEER sockets; this
 * build does not do it yet. */
static int wrong_socket_type(void *socket)
{
    if (!mz_socket_is_live(socket)) {
        errno = ENOTSOCK;
        return -1;
    }
    return not_supported();
}

int zmq_disconnect_peer(void *socket, uint32_t routing_id)
{
    (void) routing_id;
    return wrong_socket_type(socket);
}
