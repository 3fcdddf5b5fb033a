/*
 * Fuzz target: traffic after a valid NULL handshake: frames of any shape
 * (core/zmtp_decoder.c in the engine, with its readv into large bodies),
 * multipart messages, MAXMSGSIZE, PING/PONG, SUBSCRIBE/CANCEL for a
 * publisher, ERROR and READY out of place, unknown commands, and a pipe
 * that fills (a part held and retried).
 *
 * Input: the engine setup (engine_driver.h), then the peer's frames after
 * its greeting and READY, as chunks (each a turn).
 */
#include "engine_driver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in;
    fuzz_input_init(&in, data, size);
    struct fuzz_engine run;
    fuzz_engine_setup(&run, &in);
    fuzz_engine_greeting(&run, "NULL", false);
    fuzz_engine_null_ready(&run);
    fuzz_engine_run(&run, &in);
    return 0;
}
