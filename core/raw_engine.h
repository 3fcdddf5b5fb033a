/*
 * The raw engine of ZMQ_STREAM: the bytes of a connected fd as messages,
 * without ZMTP. It feeds the same session sink as the ZMTP engine (see
 * engine.h); the peer metadata it hands to ready is NULL, but every
 * message it delivers carries the connection's properties: Peer-Address
 * and the fd (ZMQ_SRCFD), as in libzmq.
 */
#ifndef MZ_RAW_ENGINE_H
#define MZ_RAW_ENGINE_H

#include "engine.h"

struct mz_raw_engine;

/* Takes fd. peer_address feeds the "Peer-Address" property (may be NULL).
 * NULL with errno on failure (fd then closed). */
struct mz_raw_engine *mz_raw_engine_new(struct mz_reactor *reactor, int fd,
                                        const struct mz_options *options,
                                        const char *peer_address,
                                        const struct mz_engine_sink *sink,
                                        void *session);
void mz_raw_engine_resume_input(struct mz_raw_engine *engine);
void mz_raw_engine_resume_output(struct mz_raw_engine *engine);
void mz_raw_engine_destroy(struct mz_raw_engine *engine);

#endif
