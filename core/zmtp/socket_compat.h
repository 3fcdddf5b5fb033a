/*
 * Socket types on the wire: the names ZMTP's Socket-Type property carries,
 * and which pairs of types may talk to each other (ZMTP 3.1, RFC 37).
 */
#ifndef MZ_SOCKET_COMPAT_H
#define MZ_SOCKET_COMPAT_H

#include <stdbool.h>
#include <stddef.h>

/* The Socket-Type name of a ZMQ_* socket type, or NULL for a type that has
 * no ZMTP name (STREAM, DGRAM, or an unknown number). */
const char *mz_socket_type_name(int type);

/* The ZMQ_* type named by the size bytes at name (exact, case-sensitive as
 * libzmq compares them), or -1. */
int mz_socket_type_from_name(const char *name, size_t size);

/* Whether a socket of type ours may talk to a peer of type theirs. */
bool mz_socket_types_compatible(int ours, int theirs);

#endif
