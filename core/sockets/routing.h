/*
 * The three routing strategies the socket types are built from:
 *
 *   fair queue   - receive from the ready pipes in turn, one whole message
 *                  from each (PULL, SUB, DEALER, ROUTER, REP, ...);
 *   load balance - send each whole message to the next ready pipe
 *                  (PUSH, DEALER, REQ);
 *   distribute   - send one message to every pipe of a chosen subset
 *                  (PUB, XPUB, RADIO-style fan-out).
 *
 * All three keep whole multipart messages together and never look inside
 * them.
 */
#ifndef MZ_ROUTING_H
#define MZ_ROUTING_H

#include <stdbool.h>

#include "msg.h"
#include "pipe_set.h"

struct mz_fair_queue {
    struct mz_pipe_set pipes;
    unsigned current;
    bool more;                   /* in the middle of a multipart message */
    struct mz_pipe_end *last_in; /* pipe of the last part returned */
};

void mz_fq_init(struct mz_fair_queue *fq, unsigned slot);
void mz_fq_fini(struct mz_fair_queue *fq);
/* The attach calls: false (ENOMEM) when the pipe could not be taken. */
bool mz_fq_attach(struct mz_fair_queue *fq, struct mz_pipe_end *end);
void mz_fq_detach(struct mz_fair_queue *fq, struct mz_pipe_end *end);
void mz_fq_activated(struct mz_fair_queue *fq, struct mz_pipe_end *end);
/* 0 and the part in *m (from *from, if not NULL), or -1 EAGAIN. */
int mz_fq_recv(struct mz_fair_queue *fq, struct mz_msg *m,
               struct mz_pipe_end **from);
bool mz_fq_has_in(struct mz_fair_queue *fq);

struct mz_load_balancer {
    struct mz_pipe_set pipes;
    unsigned current;
    struct mz_pipe_end *in_progress; /* receiving a multipart message */
    bool dropping;                   /* discarding the rest of a broken one */
};

void mz_lb_init(struct mz_load_balancer *lb, unsigned slot);
void mz_lb_fini(struct mz_load_balancer *lb);
bool mz_lb_attach(struct mz_load_balancer *lb, struct mz_pipe_end *end);
void mz_lb_detach(struct mz_load_balancer *lb, struct mz_pipe_end *end);
void mz_lb_activated(struct mz_load_balancer *lb, struct mz_pipe_end *end);
/* 0 when the part was taken (*m becomes empty; *to says where, may be
 * NULL when it was dropped), -1 EAGAIN when no pipe can take a new message. */
int mz_lb_send(struct mz_load_balancer *lb, struct mz_msg *m,
               struct mz_pipe_end **to);
bool mz_lb_has_out(struct mz_load_balancer *lb);

struct mz_distributor {
    struct mz_pipe_set pipes;      /* active = writable */
    struct mz_pipe_end **matching; /* receivers of the current message */
    unsigned matching_count, matching_capacity;
    unsigned long long epoch; /* de-duplicates matches per message */
    bool more;
};

void mz_dist_init(struct mz_distributor *dist, unsigned slot);
void mz_dist_fini(struct mz_distributor *dist);
bool mz_dist_attach(struct mz_distributor *dist, struct mz_pipe_end *end);
void mz_dist_detach(struct mz_distributor *dist, struct mz_pipe_end *end);
void mz_dist_activated(struct mz_distributor *dist, struct mz_pipe_end *end);
/* Choosing receivers, before the first part of a message. */
void mz_dist_unmatch(struct mz_distributor *dist);
void mz_dist_match(struct mz_distributor *dist, struct mz_pipe_end *end);
void mz_dist_match_all(struct mz_distributor *dist);
/* Swaps the choice: the active pipes not matched become the receivers,
 * and the matched ones are left out (ZMQ_INVERT_MATCHING). */
void mz_dist_reverse_match(struct mz_distributor *dist);
/* Sends one part to every matched receiver; always takes *m. */
void mz_dist_send(struct mz_distributor *dist, struct mz_msg *m);
/* True when every matched receiver can take a new message. */
bool mz_dist_matching_can_write(struct mz_distributor *dist);
static inline bool mz_dist_in_message(const struct mz_distributor *dist)
{
    return dist->more;
}

#endif
