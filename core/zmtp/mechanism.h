/*
 * A plugin security mechanism (PLAIN, CURVE, GSSAPI) as the engine runs
 * it: one mechanism session per connection, driven through the ops of
 * sdk/modzmq/mechanism.h, and the connection handle the plugin passes back
 * to the core services (connection_option, metadata_write, metadata_read,
 * zap_request, handshake_error). NULL is not a plugin: the engine speaks
 * it itself.
 *
 * The engine stays the only owner of the connection's state; the services
 * reach it through the small host table below.
 */
#ifndef MZ_MECHANISM_H
#define MZ_MECHANISM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <modzmq/mechanism.h>

#include "msg.h"
#include "options.h"

struct mz_peer_metadata;

/* What the engine does for the services of its mechanism. */
struct mz_mechanism_host {
    /* Records a ZMQ_PROTOCOL_ERROR_* code as the reason of the failure
     * the mechanism is about to report. */
    void (*protocol_error)(void *engine, int code);
    /* Starts a ZAP request; returns as zap_request in plugin.h does. */
    int (*zap_request)(void *engine, const char *mechanism,
                       const uint8_t *const *credentials,
                       const size_t *credential_sizes, size_t count);
};

/* One connection's mechanism: modzmq_connection to the plugin. */
typedef struct modzmq_connection mz_mechanism;

/* The name a greeting carries for options->mechanism: "NULL", "PLAIN",
 * "CURVE" or "GSSAPI". */
const char *mz_mechanism_name(int mechanism);

/* The plugin serving mechanism (options->mechanism), loaded on first use,
 * for whoever starts an engine (mz_engine_new): 0 with *ops, NULL for
 * ZMQ_NULL (the engine speaks it itself), or -1 with errno EINVAL when no
 * plugin can be loaded, after the loader's one line naming the file it
 * looked for. */
int mz_mechanism_find(int mechanism, const struct modzmq_mechanism_ops **ops);

/* A security option may be set only when its mechanism's plugin can be
 * loaded, as libzmq built without a mechanism refuses its options: 0, or
 * -1 with EINVAL after the loader's one line naming the file it looked
 * for. Options of no mechanism pass. */
int mz_mechanism_option_check(int option);

/* Starts a session of the plugin's mechanism for a connection whose
 * greetings agreed on it. options and metadata (the peer's properties
 * being gathered) belong to the engine and outlive the mechanism. NULL
 * with errno when the plugin refuses (or on ENOMEM). */
mz_mechanism *mz_mechanism_new(const struct modzmq_mechanism_ops *ops,
                               const struct mz_options *options,
                               struct mz_peer_metadata *metadata,
                               const struct mz_mechanism_host *host,
                               void *engine);
void mz_mechanism_free(mz_mechanism *m);

/* The next handshake command body into *command (empty beforehand): 0, or
 * -1 with errno (EAGAIN: nothing due now). */
int mz_mechanism_next_command(mz_mechanism *m, struct mz_msg *command);
/* A handshake command from the peer (not ERROR): 0 or -1 with errno. */
int mz_mechanism_process_command(mz_mechanism *m, struct mz_msg *command);
bool mz_mechanism_is_ready(mz_mechanism *m);
/* The ZAP handler said 200 (or there is none and none is required). */
void mz_mechanism_zap_accepted(mz_mechanism *m);

/* Whether traffic goes through encode / decode (after the handshake). */
bool mz_mechanism_encodes(const mz_mechanism *m);
bool mz_mechanism_decodes(const mz_mechanism *m);
/* One outgoing part to its wire frame, one wire frame to its part, in
 * place (flags included). 0 or -1 with errno. */
int mz_mechanism_encode(mz_mechanism *m, struct mz_msg *part);
int mz_mechanism_decode(mz_mechanism *m, struct mz_msg *frame);

/* ---- the core services that take a connection (plugin.h) ---------- */

int mz_connection_option(modzmq_connection *connection, int option, void *value,
                         size_t *size);
size_t mz_connection_metadata_write(modzmq_connection *connection,
                                    uint8_t *buffer, size_t size);
int mz_connection_metadata_read(modzmq_connection *connection,
                                const uint8_t *data, size_t size);
int mz_connection_zap_request(modzmq_connection *connection,
                              const char *mechanism,
                              const uint8_t *const *credentials,
                              const size_t *credential_sizes, size_t count);
void mz_connection_handshake_error(modzmq_connection *connection,
                                   int protocol_error);

#endif
