/*
 * Fuzz target: the GSSAPI client (plugins/gssapi, RFC 38 as libzmq lays
 * it out), its handshake and MESSAGE traffic, against an honest GSSAPI
 * server whose every command the input may deliver, replace,
 * alter, cut, extend, drop or repeat (mechanism_driver.h has the input's
 * layout); with ZMQ_GSSAPI_PLAINTEXT or without.
 *
 * How far it gets: with a Kerberos realm (tools/fuzz.sh and make check
 * run it inside tests/gssapi_realm.sh) the exchange is a real one, so the
 * client's parsers see every command an honest exchange brings, and the
 * context tokens and wrapped messages the input changes go to MIT
 * Kerberos, which refuses them. Without a realm no session can start and
 * the target does nothing. The gssapi plugin must be on
 * MODZMQ_PLUGIN_PATH.
 */
#include "mechanism_driver.h"

static const struct fuzz_mechanism gssapi = {
    .name = "GSSAPI",
    .configure = fuzz_gssapi_configure,
    .server_under_test = false,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in;
    fuzz_input_init(&in, data, size);
    fuzz_mechanism_run(&gssapi, &in);
    return 0;
}
