/*
 * What the publish-subscribe socket types share.
 *
 * PUB is XPUB that never hands anything to the application, and SUB is
 * XSUB that filters what it receives and takes its subscriptions as
 * socket options; so pub.c and sub.c are built from the hooks of xpub.c
 * and xsub.c declared here, with the state those hooks work on.
 *
 * Subscriptions travel upstream through the pipes as ordinary messages:
 * a first byte 1 (subscribe) or 0 (unsubscribe) followed by the prefix,
 * the form XSUB users send and XPUB users receive.
 */
#ifndef MZ_PUBSUB_H
#define MZ_PUBSUB_H

#include <stdbool.h>
#include <stddef.h>

#include "msg.h"
#include "mtrie.h"
#include "routing.h"
#include "socket.h"
#include "trie.h"

/* Builds the upstream message for (un)subscribing to prefix. Aborts when
 * out of memory, like the subscription stores. */
void mz_subscription_msg_init(struct mz_msg *m, bool subscribe,
                              const unsigned char *prefix, size_t size);

/* Reads an int flag option into *flag: exactly an int, not negative
 * (-1 EINVAL otherwise, *flag untouched). */
int mz_pubsub_read_flag(const void *value, size_t size, bool *flag);

/* Answers an int read-only option with count: libzmq accepts any buffer of
 * at least an int for these and zeroes the rest. */
int mz_pubsub_get_count(void *value, size_t *size, size_t count);

/* ---- XPUB, and PUB ------------------------------------------------ */

/* Something for the application to receive from XPUB: a subscription
 * notice, or a message an XSUB sent upstream. */
struct mz_xpub_pending {
    struct mz_msg msg;
    struct mz_pipe_end *from; /* the notice's pipe; NULL once it is gone */
    bool is_notice;           /* (un)subscription, not user data */
};

struct mz_xpub_state {
    struct mz_distributor dist;
    struct mz_mtrie subscriptions;   /* what messages are sent to */
    struct mz_mtrie requested;       /* ZMQ_XPUB_MANUAL: what the peers
                                              asked for, to unsubscribe when
                                              they go */
    struct mz_xpub_pending *pending; /* ring buffer */
    unsigned pending_head, pending_count, pending_capacity;
    struct mz_pipe_end *last_pipe; /* ZMQ_XPUB_MANUAL: the pipe whose
                                              notice was received last */
    struct mz_msg welcome;         /* ZMQ_XPUB_WELCOME_MSG, empty = none */
    bool verbose_subscribe;        /* ZMQ_XPUB_VERBOSE(R) */
    bool verbose_unsubscribe;      /* ZMQ_XPUB_VERBOSER */
    bool manual;                   /* ZMQ_XPUB_MANUAL(_LAST_VALUE) */
    bool last_value;               /* ZMQ_XPUB_MANUAL_LAST_VALUE */
    bool lossy;                    /* not ZMQ_XPUB_NODROP */
    bool only_first_subscribe;     /* ZMQ_ONLY_FIRST_SUBSCRIBE */
    bool sending_more;             /* in a multipart message */
    bool receiving_more;           /* reading a multipart message */
    bool parts_may_subscribe;      /* later parts can be notices */
};

void mz_xpub_init(struct mz_socket *s);
void mz_xpub_fini(struct mz_socket *s);
bool mz_xpub_attach(struct mz_socket *s, struct mz_pipe_end *end);
void mz_xpub_detach(struct mz_socket *s, struct mz_pipe_end *end);
void mz_xpub_read_activated(struct mz_socket *s, struct mz_pipe_end *end);
void mz_xpub_write_activated(struct mz_socket *s, struct mz_pipe_end *end);
int mz_xpub_send(struct mz_socket *s, struct mz_msg *m);
bool mz_xpub_can_send(struct mz_socket *s);
int mz_xpub_setopt(struct mz_socket *s, int option, const void *value,
                   size_t size);
int mz_xpub_getopt(struct mz_socket *s, int option, void *value, size_t *size);

/* ---- XSUB, and SUB ------------------------------------------------ */

struct mz_xsub_state {
    struct mz_fair_queue fq;
    struct mz_distributor dist;
    struct mz_trie subscriptions;
    struct mz_msg prefetched; /* first part found by can_recv */
    bool has_prefetched;
    bool filter;               /* SUB: drop what does not match */
    bool verbose_unsubscribe;  /* ZMQ_XSUB_VERBOSE_UNSUBSCRIBE */
    bool only_first_subscribe; /* ZMQ_ONLY_FIRST_SUBSCRIBE */
    bool sending_more;
    bool receiving_more;
    bool parts_may_subscribe; /* later parts can be subscriptions */
};

void mz_xsub_init(struct mz_socket *s);
void mz_xsub_fini(struct mz_socket *s);
bool mz_xsub_attach(struct mz_socket *s, struct mz_pipe_end *end);
void mz_xsub_detach(struct mz_socket *s, struct mz_pipe_end *end);
void mz_xsub_read_activated(struct mz_socket *s, struct mz_pipe_end *end);
void mz_xsub_write_activated(struct mz_socket *s, struct mz_pipe_end *end);
/* Applies a (un)subscription message to the local list and sends it, or
 * any other message, to every publisher. */
int mz_xsub_send(struct mz_socket *s, struct mz_msg *m);
int mz_xsub_recv(struct mz_socket *s, struct mz_msg *m);
bool mz_xsub_can_recv(struct mz_socket *s);
int mz_xsub_getopt(struct mz_socket *s, int option, void *value, size_t *size);

#endif
