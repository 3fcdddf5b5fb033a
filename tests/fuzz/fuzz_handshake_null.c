/*
 * Fuzz target: the NULL handshake after a valid greeting: the peer's
 * READY and its property block (core/zmtp/zmtp_properties.c, null_mechanism.c),
 * ERROR, unexpected commands and messages, with and without a ZAP handler
 * and its reply (the User-Id and metadata it adds).
 *
 * Input: the engine setup (engine_driver.h), then the peer's frames after
 * its greeting, as chunks (each a turn).
 */
#include "engine_driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in;
    fuzz_input_init(&in, data, size);
    struct fuzz_engine run;
    fuzz_engine_setup(&run, &in);
    fuzz_engine_greeting(&run, "NULL", false);
    fuzz_engine_run(&run, &in);
    return 0;
}
