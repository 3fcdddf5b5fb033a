/*
 * The two owners of a pipe end: a socket and a network session. pipe.c
 * reaches its owners only through struct mz_pipe_owner_ops; this is where
 * a socket and a session become such owners, so that the pipe layer
 * includes neither.
 */
#ifndef MZ_PIPE_OWNER_H
#define MZ_PIPE_OWNER_H

#include <stdbool.h>
#include <stdint.h>

#include "pipe.h"

struct mz_session;
struct mz_socket;

/* Creates a pipe whose end[0] belongs to owner (end[1] to nobody yet).
 * hwm0 limits queue[0] (end[0] to end[1]), hwm1 queue[1]. NULL+ENOMEM. */
struct mz_pipe *mz_pipe_new(struct mz_socket *owner, uint64_t hwm0,
                            uint64_t hwm1, bool conflate);
/* Gives end to a socket (the other side of an inproc connect). */
void mz_pipe_set_socket(struct mz_pipe_end *end, struct mz_socket *owner);
/* Gives end to a network session. */
void mz_pipe_set_session(struct mz_pipe_end *end, struct mz_session *session);

#endif
