/*
 * modzmq plugin SDK: CURVE's key functions, an extension table.
 *
 * zmq_curve_keypair and zmq_curve_public have nothing to do with one
 * connection's handshake, and no mechanism but CURVE has them, so they are
 * not in struct modzmq_mechanism_ops: a plugin serving "CURVE" offers them
 * in its descriptor's extensions (since ABI 1.2) under MODZMQ_CURVE_KEYS:
 *
 *     static const struct modzmq_curve_keys keys = {
 *         .size = sizeof keys, .keypair = my_keypair, .public_key = my_public,
 *     };
 *     static const struct modzmq_extension extensions[] = {
 *         { MODZMQ_CURVE_KEYS, &keys }, { NULL, NULL },
 *     };
 *     ... .extensions = extensions, in the descriptor.
 *
 * The core asks the plugin that serves CURVE. Without the extension (or
 * with a member NULL), zmq_curve_keypair and zmq_curve_public fail with
 * ENOTSUP, as libzmq built without CURVE does. Both may be called from any
 * thread, at any time after init.
 */
#ifndef MODZMQ_CURVE_H
#define MODZMQ_CURVE_H

#include <stddef.h>

#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MODZMQ_CURVE_KEYS "curve-keys"

struct modzmq_curve_keys {
    size_t size; /* sizeof (struct modzmq_curve_keys) in the plugin */

    /* zmq_curve_keypair: writes a new key pair as two 41-byte Z85 strings
     * (40 characters and a NUL). 0 or -1 with errno. */
    int (*keypair)(char *z85_public_key, char *z85_secret_key);

    /* zmq_curve_public: derives the public key from the Z85 secret key.
     * 0 or -1 with errno (EINVAL for a bad key). */
    int (*public_key)(char *z85_public_key, const char *z85_secret_key);
};

#ifdef __cplusplus
}
#endif

#endif
