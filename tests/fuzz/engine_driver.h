/*
 * The engine driver of the fuzz targets: one ZMTP engine (core/zmtp/engine.c)
 * on one end of a socketpair, below the socket layer, the way the session
 * runs it, with the fuzz input as what the peer sends on the other end.
 *
 * The peer's bytes go out in turns: first the preludes the target adds (a
 * valid greeting, a valid READY, to reach a later state honestly), then
 * each chunk of the input (fuzz.h). A turn is written only once the engine
 * has read everything before it and has its ZAP reply, so that an
 * exchange runs as it would with a peer that waits for answers; then the
 * peer shuts its side down and the engine must report the end of the
 * connection. An engine that never does is a finding (a hang), as is a
 * property the engine lets through that breaks its field's limit.
 *
 * The input starts with the setup (fuzz_engine_setup reads it):
 *
 *   byte 0  our socket type: index into PAIR, PUB, SUB, REQ, REP, DEALER,
 *           ROUTER, PULL, PUSH, XPUB, XSUB, RADIO, DISH, CLIENT, SERVER,
 *           SCATTER, GATHER, PEER, CHANNEL (modulo 19; socket_types.c)
 *   byte 1  FUZZ_ENGINE_* flags below
 *   byte 2  FUZZ_ENGINE_* flags of the second byte
 *   then, with FUZZ_ENGINE_ZAP_HANDLER: the ZAP reply, a byte choosing
 *           200, 300, 400, 500, a malformed reply or a handler that went
 *           away (modulo 6), a chunk with the User-Id and a chunk with
 *           the metadata block
 */
#ifndef MODZMQ_FUZZ_ENGINE_DRIVER_H
#define MODZMQ_FUZZ_ENGINE_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "fuzz.h"
#include "msg.h"
#include "options.h"

enum {
    /* byte 1 */
    FUZZ_ENGINE_ZAP_DOMAIN = 0x01,  /* ZMQ_ZAP_DOMAIN "fuzz" */
    FUZZ_ENGINE_ZAP_HANDLER = 0x02, /* a handler answers (else none) */
    FUZZ_ENGINE_ZAP_ENFORCE = 0x04, /* ZMQ_ZAP_ENFORCE_DOMAIN */
    FUZZ_ENGINE_PEER_3_0 = 0x08,    /* preludes speak ZMTP 3.0 */
    FUZZ_ENGINE_PIPE_FULL = 0x10,   /* every other part is refused once */
    FUZZ_ENGINE_SESSION_NO = 0x20,  /* the session refuses the handshake */
    FUZZ_ENGINE_SMALL_MAX = 0x40,   /* ZMQ_MAXMSGSIZE 100 */
    FUZZ_ENGINE_ROUTING_ID = 0x80,  /* ZMQ_ROUTING_ID "fuzz-id" */
    /* byte 2 */
    FUZZ_ENGINE_SENDS = 0x01,         /* the session has 3 parts to send */
    FUZZ_ENGINE_HEARTBEAT = 0x02,     /* ZMQ_HEARTBEAT_IVL 1 ms, TTL 200 */
    FUZZ_ENGINE_HANDSHAKE_IVL = 0x04, /* ZMQ_HANDSHAKE_IVL 1 ms */
    FUZZ_ENGINE_SENDS_LATER = 0x08,   /* one more part after each turn,
                                         with mz_engine_resume_output */
    FUZZ_ENGINE_RESUME_INSIDE = 0x10  /* a refused part is resumed from
                                         inside the engine's next flush */
};

struct fuzz_engine_zap {
    int status; /* 200..500, or 0: malformed, -1: handler gone */
    const uint8_t *user_id;
    size_t user_id_size;
    const uint8_t *metadata;
    size_t metadata_size;
};

struct fuzz_engine {
    struct mz_options options; /* the engine's: targets may add to them */
    int peer_type;             /* a socket type that may talk to ours */
    bool peer_3_0;
    uint8_t flags;
    uint8_t flags2;
    struct fuzz_engine_zap zap;
    /* The preludes, each its own turn. */
    uint8_t prelude[2048];
    size_t prelude_ends[4];
    size_t prelude_count;
    /* Optional: sees each part the session takes, before it is closed. */
    void (*on_part)(void *arg, const struct mz_msg *part);
    void *arg;
    /* How the run ended, for the target to judge. */
    bool handshake_done;
    enum mz_engine_error end;
};

/* Reads the setup from the front of in and prepares options. */
void fuzz_engine_setup(struct fuzz_engine *run, struct fuzz_input *in);

/* Adds a turn the peer sends before the input's. */
void fuzz_engine_prelude(struct fuzz_engine *run, const void *bytes,
                         size_t size);
/* Adds a greeting prelude: the peer's 3.1 greeting (3.0 with
 * FUZZ_ENGINE_PEER_3_0) announcing mechanism with its as-server bit. */
void fuzz_engine_greeting(struct fuzz_engine *run, const char *mechanism,
                          bool as_server);
/* Adds a prelude frame (flags: 1 MORE, 4 COMMAND). */
void fuzz_engine_frame(struct fuzz_engine *run, uint8_t flags,
                       const void *body, size_t size);
/* Adds the NULL READY a peer of run->peer_type sends. */
void fuzz_engine_null_ready(struct fuzz_engine *run);

/* Runs the engine: the preludes, then each chunk of what is left of in as
 * one turn, then the end of the stream. Frees everything run holds. */
void fuzz_engine_run(struct fuzz_engine *run, struct fuzz_input *in);

#endif
