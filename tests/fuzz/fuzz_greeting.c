/*
 * Fuzz target: the greeting (core/zmtp/zmtp_greeting.c and the engine's
 * GREETING state): ZMTP 3.x, ZMTP 2.0 peers detected from their first 11
 * bytes and the traffic that follows them, ZMTP 1.0 peers refused, in
 * pieces of any size.
 *
 * Input: the engine setup (engine_driver.h), a byte choosing our
 * mechanism (NULL, PLAIN client, PLAIN server, modulo 3), then the peer's
 * bytes from the very first, as chunks (each a turn).
 */
#include "engine_driver.h"
#include "zmq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in;
    fuzz_input_init(&in, data, size);
    struct fuzz_engine run;
    fuzz_engine_setup(&run, &in);
    int one = 1;
    switch (fuzz_byte(&in) % 3) {
    case 1:
        mz_options_set(&run.options, ZMQ_PLAIN_USERNAME, "user", 4);
        break;
    case 2:
        mz_options_set(&run.options, ZMQ_PLAIN_SERVER, &one, sizeof one);
        break;
    default:
        break;
    }
    fuzz_engine_run(&run, &in);
    return 0;
}
