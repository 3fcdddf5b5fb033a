/*
 * curve plugin: the module's descriptor. It serves the "CURVE" mechanism
 * (RFC 25 and 26) with libsodium: the handshake in curve_client.c and
 * curve_server.c, the MESSAGE traffic in curve_traffic.c, and the key
 * functions of the zmq API in curve_keys.c.
 */
#define MODZMQ_PLUGIN_MODULE modzmq_curve
#include <modzmq/curve.h>
#include <modzmq/mechanism.h>

#include "curve_keys.h"
#include "curve_session.h"

#include <errno.h>

const struct modzmq_core_services *curve_services;

static const struct modzmq_mechanism_ops curve_ops = {
    .size = sizeof(struct modzmq_mechanism_ops),
    .session_new = curve_session_new,
    .session_free = curve_session_free,
    .next_command = curve_session_next,
    .process_command = curve_session_process,
    .status = curve_session_status,
    .zap_accepted = curve_session_zap_accepted,
    .encode = curve_encode,
    .decode = curve_decode,
};

/* zmq_curve_keypair and zmq_curve_public, CURVE's alone (curve.h). */
static const struct modzmq_curve_keys curve_keys = {
    .size = sizeof(struct modzmq_curve_keys),
    .keypair = curve_keypair,
    .public_key = curve_public,
};

static const struct modzmq_extension curve_extensions[] = {
    { MODZMQ_CURVE_KEYS, &curve_keys },
    { NULL, NULL },
};

/* libsodium must be ready (its random source open) before any key is
 * made; a core older than ABI 1.1 lacks the services a mechanism needs. */
static int curve_init(const struct modzmq_core_services *services,
                      modzmq_core *core)
{
    (void) core;
    if (!modzmq_has_service(
            services, offsetof(struct modzmq_core_services, handshake_error))) {
        errno = ENOTSUP;
        return -1;
    }
    if (sodium_init() < 0) {
        errno = ENOTSUP;
        return -1;
    }
    curve_services = services;
    return 0;
}

static const char *const curve_names[] = { "CURVE", NULL };

static const struct modzmq_plugin curve_plugin = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "curve",
    .kind = MODZMQ_PLUGIN_MECHANISM,
    .serves = curve_names,
    .ops = &curve_ops,
    .init = curve_init,
    .extensions = curve_extensions,
};

MODZMQ_PLUGIN_ENTRY
{
    return &curve_plugin;
}
