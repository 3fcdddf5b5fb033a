/*
 * Receiving for the socket types that carry single-part messages only
 * (CLIENT, SERVER, and later RADIO, DISH, SCATTER, GATHER, PEER, CHANNEL):
 * a multipart message from a ZMTP peer is dropped whole, as libzmq drops
 * it, and only messages of one part are returned.
 */
#ifndef MZ_SINGLE_PART_H
#define MZ_SINGLE_PART_H

#include "routing.h"

/* 0 and a single-part message in *m (from *from, if not NULL), or -1
 * EAGAIN when none is waiting. Parts of a multipart message are dropped,
 * those still to come included, even across calls. */
int mz_single_part_recv(struct mz_fair_queue *fq, struct mz_msg *m,
                        struct mz_pipe_end **from);

#endif
