/*
 * Fuzz target: a PLAIN server (plugins/plain, RFC 24) in the engine: the
 * client's HELLO and its credentials, the ZAP request they become and the
 * handler's reply, INITIATE and its metadata, ERROR, commands out of
 * order, then traffic.
 *
 * Input: the engine setup (engine_driver.h), then the client's frames
 * after its greeting, as chunks (each a turn). The plain plugin must be
 * on MODZMQ_PLUGIN_PATH.
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
    mz_options_set(&run.options, ZMQ_PLAIN_SERVER, &one, sizeof one);
    fuzz_engine_greeting(&run, "PLAIN", false);
    fuzz_engine_run(&run, &in);
    return 0;
}
