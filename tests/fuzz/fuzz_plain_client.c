/*
 * Fuzz target: a PLAIN client (plugins/plain, RFC 24) in the engine: the
 * server's WELCOME, READY and its metadata, ERROR (libzmq's misspelt one
 * too), commands out of order, then traffic.
 *
 * Input: the engine setup (engine_driver.h), then the server's frames
 * after its greeting, as chunks (each a turn). The plain plugin must be on
 * MODZMQ_PLUGIN_PATH.
 */
#include "engine_driver.h"
#include "zmq.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in;
    fuzz_input_init(&in, data, size);
    struct fuzz_engine run;
    fuzz_engine_setup(&run, &in);
    mz_options_set(&run.options, ZMQ_PLAIN_USERNAME, "admin", 5);
    mz_options_set(&run.options, ZMQ_PLAIN_PASSWORD, "secret", 6);
    fuzz_engine_greeting(&run, "PLAIN", true);
    fuzz_engine_run(&run, &in);
    return 0;
}
