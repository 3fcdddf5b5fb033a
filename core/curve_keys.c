/*
 * zmq_curve_keypair and zmq_curve_public: the curve plugin's, when it can
 * be loaded (the core has no CURVE of its own). Without it they fail
 * with ENOTSUP, as libzmq built without CURVE does.
 */
#include <errno.h>

#include "plugin_loader.h"
#include "zmq.h"

static int not_supported(void)
{
    errno = ENOTSUP;
    return -1;
}

/* Found quietly: libzmq without CURVE just says ENOTSUP. */
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
