/*
 * The options of the mechanisms the mechanism driver runs: CURVE with
 * fixed long-term keys (so that runs repeat; every transient key is still
 * fresh), GSSAPI with the principals of the realm tests/gssapi_realm.sh
 * makes.
 */
#include <string.h>

#include "mechanism_driver.h"
#include "zmq.h"

/* Any 32 octets are a Curve25519 secret key. */
static const uint8_t server_secret[32] = "modzmq fuzz: the server's key..";
static const uint8_t client_secret[32] = "modzmq fuzz: the client's key..";

/* The public key of a secret, through the curve plugin (zmq_curve_public):
 * false when it cannot be had. */
static bool public_of(const uint8_t secret[32], uint8_t public_key[32])
{
    char secret_text[41], public_text[41];
    return zmq_z85_encode(secret_text, secret, 32) != NULL &&
           zmq_curve_public(public_text, secret_text) == 0 &&
           zmq_z85_decode(public_key, public_text) != NULL;
}

void fuzz_curve_configure(struct mz_options *options, bool as_server,
                          uint8_t variant)
{
    (void) variant;
    int one = 1;
    if (as_server) {
        mz_options_set(options, ZMQ_CURVE_SERVER, &one, sizeof one);
        mz_options_set(options, ZMQ_CURVE_SECRETKEY, server_secret, 32);
        return;
    }
    uint8_t server_public[32], client_public[32];
    if (!public_of(server_secret, server_public) ||
        !public_of(client_secret, client_public))
        return;
    mz_options_set(options, ZMQ_CURVE_SERVERKEY, server_public, 32);
    mz_options_set(options, ZMQ_CURVE_PUBLICKEY, client_public, 32);
    mz_options_set(options, ZMQ_CURVE_SECRETKEY, client_secret, 32);
}

void fuzz_gssapi_configure(struct mz_options *options, bool as_server,
                           uint8_t variant)
{
    int one = 1;
    if (variant & 1)
        mz_options_set(options, ZMQ_GSSAPI_PLAINTEXT, &one, sizeof one);
    if (as_server) {
        mz_options_set(options, ZMQ_GSSAPI_SERVER, &one, sizeof one);
        return;
    }
    const char *service = "zmqtest@localhost";
    mz_options_set(options, ZMQ_GSSAPI_SERVICE_PRINCIPAL, service,
                   strlen(service));
}
