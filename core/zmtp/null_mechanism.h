/*
 * The NULL security mechanism (RFC 37): each side sends one READY command
 * carrying its metadata and reads the other's; or an ERROR command ends the
 * handshake. No authentication, no per-message work.
 */
#ifndef MZ_NULL_MECHANISM_H
#define MZ_NULL_MECHANISM_H

#include "msg.h"
#include "options.h"
#include "zmtp_command.h"

struct mz_peer_metadata;

/* The outcome of reading the peer's handshake command. */
enum mz_null_result {
    MZ_NULL_READY,        /* metadata filled in, socket types compatible */
    MZ_NULL_MALFORMED,    /* not READY, or a broken property list */
    MZ_NULL_INCOMPATIBLE, /* the peer's Socket-Type may not talk to ours */
    MZ_NULL_NO_MEMORY
};

/* Builds our READY command body in *out: Socket-Type, Identity for the
 * socket types that announce one (REQ, DEALER, ROUTER, as libzmq does),
 * then the ZMQ_METADATA properties. Returns 0, or -1 with ENOMEM. */
int mz_null_ready_build(const struct mz_options *options, struct mz_msg *out);

/* Builds an ERROR command body with a reason of at most 255 bytes. */
int mz_null_error_build(const char *reason, struct mz_msg *out);

/* Reads the peer's handshake command (the engine handles ERROR itself),
 * adding each READY property to metadata (which the caller owns). */
enum mz_null_result mz_null_parse(const struct mz_zmtp_command *command,
                                  int our_socket_type,
                                  struct mz_peer_metadata *metadata);

#endif
