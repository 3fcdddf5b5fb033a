/*
 * ZMTP property blocks (RFC 23 "Command Metadata"): the metadata every
 * mechanism's READY, INITIATE or equivalent carries, and the metadata
 * frame of a ZAP reply. Each property is a name (length octet, 1 to 255
 * bytes) and a value (4-byte big-endian length, then the bytes).
 */
#ifndef MZ_ZMTP_PROPERTIES_H
#define MZ_ZMTP_PROPERTIES_H

#include <stddef.h>
#include <stdint.h>

#include "options.h"

struct mz_peer_metadata;

enum mz_properties_result {
    MZ_PROPERTIES_OK,
    MZ_PROPERTIES_MALFORMED,    /* a broken block */
    MZ_PROPERTIES_INCOMPATIBLE, /* the peer's Socket-Type may not talk to
                                   ours */
    MZ_PROPERTIES_NO_MEMORY
};

/* Writes this side's properties to buffer: Socket-Type, Identity for the
 * socket types that announce one (REQ, DEALER, ROUTER, as libzmq does),
 * then the ZMQ_METADATA properties. Returns the block's length; when that
 * exceeds size nothing is written. */
size_t mz_zmtp_properties_write(const struct mz_options *options,
                                uint8_t *buffer, size_t size);

/* Adds every property of a block to metadata (which the caller owns).
 * With our_socket_type >= 0 a Socket-Type property must name a type that
 * may talk to it; ZAP metadata is read with -1. An Identity over 255
 * octets breaks RFC 23's grammar: the block is malformed. */
enum mz_properties_result
mz_zmtp_properties_read(const uint8_t *data, size_t size, int our_socket_type,
                        struct mz_peer_metadata *metadata);

#endif
