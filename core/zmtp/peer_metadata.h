/*
 * Peer metadata: the properties of one connection, shared (reference
 * counted) by every message received on it, for zmq_msg_gets. Names are
 * matched without regard to case, as ZMTP says. Messages, sessions and the
 * API read a set and count references to it; only the engine and its
 * mechanism build one. The header depends on nothing else in the core, so
 * that msg.c, low in the layers, can include it.
 */
#ifndef MZ_PEER_METADATA_H
#define MZ_PEER_METADATA_H

#include <stddef.h>

struct mz_peer_metadata;

/* The value of a property, or NULL. */
const char *mz_peer_metadata_get(const struct mz_peer_metadata *metadata,
                                 const char *name, size_t *size);
/* The fd of the connection (ZMQ_SRCFD), or -1. */
int mz_peer_metadata_fd(const struct mz_peer_metadata *metadata);
void mz_peer_metadata_ref(struct mz_peer_metadata *metadata);
void mz_peer_metadata_unref(struct mz_peer_metadata *metadata);

/* An empty set holding one reference, or NULL with errno ENOMEM. */
struct mz_peer_metadata *mz_peer_metadata_new(void);

/* Adds a property (value copied and NUL-terminated, so that zmq_msg_gets
 * can return it as a string). A set must not be changed once shared.
 * Returns 0, or -1 with ENOMEM. */
int mz_peer_metadata_add(struct mz_peer_metadata *metadata, const char *name,
                         size_t name_size, const void *value,
                         size_t value_size);

/* Records the connection's fd, which zmq_msg_get(ZMQ_SRCFD) gives for
 * every message holding the set: kept here, once per connection, it costs
 * the receive path nothing. */
void mz_peer_metadata_set_fd(struct mz_peer_metadata *metadata, int fd);

/* How many properties the set holds. */
size_t mz_peer_metadata_count(const struct mz_peer_metadata *metadata);

/* Moves the properties from index first on ahead of all the others, so
 * that their names win over the same names added before (lookups take
 * the first match): what the ZAP handler says beats what the peer says. */
void mz_peer_metadata_promote(struct mz_peer_metadata *metadata, size_t first);

#endif
