/*
 * Fuzz target: the CURVE client (plugins/curve, RFC 25/26), its handshake
 * and MESSAGE traffic, against an honest CURVE server whose every
 * command the input may deliver, replace, alter, cut, extend, drop or
 * repeat (mechanism_driver.h has the input's layout).
 *
 * How far it gets: the client's parsers see every command in every state
 * an honest exchange reaches, and whatever the input makes of it; what a
 * box protects cannot be forged, so a changed byte under a MAC ends at
 * its check (the metadata inside READY is the server's own,
 * chosen by the input through its options). The curve plugin must be on
 * MODZMQ_PLUGIN_PATH.
 */
#include "mechanism_driver.h"

static const struct fuzz_mechanism curve = {
    .name = "CURVE",
    .configure = fuzz_curve_configure,
    .server_under_test = false,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in;
    fuzz_input_init(&in, data, size);
    fuzz_mechanism_run(&curve, &in);
    return 0;
}
