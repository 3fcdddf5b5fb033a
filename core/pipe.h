/*
 * Pipes: the bidirectional channel between a socket and one peer.
 *
 * A pipe is two lock-free queues (one each way) and two ends. Each end is
 * owned by one socket and used only from that socket's thread; the two
 * sockets may live in different threads. The only cross-thread traffic is
 * the queues themselves, the read counters used for the high-water mark,
 * and commands posted to the peer's mailbox on state changes:
 *
 *   - a flush into a queue whose reader is asleep posts ACTIVATE_READ;
 *   - a reader that frees room for a writer blocked on the HWM posts
 *     ACTIVATE_WRITE;
 *   - closing an end writes a delimiter after the last message and posts
 *     PIPE_TERM; the peer stops writing, reads what is left, and releases
 *     its end when it reaches the delimiter.
 *
 * The first message each end writes carries its owner's routing id; reads
 * consume it into the end so that socket types never see it.
 *
 * The pipe is freed when both ends are released. A per-pipe mutex guards
 * only the owners, so that an owner that has let go of its end can no
 * longer be sent commands. The pipe knows an owner only through its
 * struct mz_pipe_owner_ops, set by whoever attaches the end: a socket
 * (mz_socket_own_pipe) or a session in an I/O thread (mz_session_own_pipe).
 */
#ifndef MZ_PIPE_H
#define MZ_PIPE_H

#include <pthread.h>
#include <stdatomic.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "options.h"
#include "queue.h"

struct mz_command;
struct mz_event_source;
struct mz_pipe_end;
struct mz_wakeup;

/* What the pipe asks of the owner of one of its ends. */
struct mz_pipe_owner_ops {
    /* Any thread, with the pipe's lock held: a command about the pipe
     * (ACTIVATE_READ, ACTIVATE_WRITE, HWM, PIPE_TERM) for the owner's
     * mailbox. The eventfd write that wakes the owner, if one is needed,
     * goes into *wake: the pipe makes it after letting its lock go
     * (wakeup.h), which the woken thread would otherwise want at once.
     * Whoever closes that eventfd waits for such writes first. */
    void (*post)(void *owner, const struct mz_command *cmd,
                 struct mz_wakeup *wake);
    /* Owner thread: end read its peer's delimiter (its input ended). */
    void (*ended)(void *owner, struct mz_pipe_end *end);
    /* Owner thread: where end's high-water mark events go
     * (pipe_events.c), and the endpoint they name. */
    struct mz_event_source *(*events)(void *owner);
    const char *(*endpoint)(void *owner, const struct mz_pipe_end *end);
    /* A socket's own end writes outbound (towards the peer); a session's
     * end writes inbound, what came from the network. */
    bool outbound;
};

/* Slots 0-2 are for the socket type's sets, slot 3 for the socket's own
 * list of every attached pipe. */
enum { MZ_PIPE_SET_SLOTS = 4, MZ_SOCKET_PIPE_SLOT = 3 };

struct mz_pipe_end {
    struct mz_pipe *pipe;
    /* The owner and what the pipe asks of it, or NULL for none; changed
     * only under pipe->lock. */
    const struct mz_pipe_owner_ops *owner_ops;
    void *owner;
    unsigned char side; /* this end writes queue[side] */

    /* Owner-thread state. */
    bool attached;         /* known to the owner's socket type */
    bool peer_closed;      /* PIPE_TERM received: no more writing */
    bool ended;            /* delimiter read: no more reading */
    bool identified;       /* peer routing id consumed */
    bool writing_more;     /* a multipart message is half written */
    bool reading_more;     /* a multipart message is half read */
    bool muted;            /* writing stopped at the HWM (events) */
    uint64_t msgs_read;    /* complete messages read */
    uint64_t msgs_written; /* complete messages written */
    uint64_t bytes_read;   /* counters (modzmq_socket_counters) */
    uint64_t bytes_written;
    uint64_t msgs_dropped;   /* lost at the HWM of a fan-out */
    uint64_t peer_read_seen; /* last value of the peer's read counter */
    uint64_t last_published; /* last msgs_read published to the writer */

    unsigned char peer_routing_id[MZ_ROUTING_ID_MAX];
    unsigned char peer_routing_id_size;
    /* An inproc pipe's limits are sums of its two sockets' high-water
     * marks: the peer socket's ZMQ_SNDHWM and ZMQ_RCVHWM when the pipe
     * was made, or -1 (a network pipe, limited by one socket's alone).
     * Atomic: a bind may set the connector's while it runs. */
    atomic_int peer_sndhwm, peer_rcvhwm;
    char *endpoint; /* the endpoint this pipe came through, or NULL */

    /* Positions in the mz_pipe_set containers holding this end. */
    unsigned set_position[MZ_PIPE_SET_SLOTS];
    void *type_data; /* per-pipe bookkeeping of the socket type */
    /* The peer's transport carries no joins (transport.h: a link, udp):
     * a RADIO sends it every group. Set before the socket sees the end. */
    bool all_groups;
    unsigned long long dist_mark; /* distributor epoch that matched it */
};

/* pipe->linger before any socket ended its side. */
enum { MZ_PIPE_LINGER_UNSET = INT_MIN };

struct mz_pipe {
    pthread_mutex_t lock;
    atomic_uint refs;
    bool conflate; /* keep only the newest message */
    /* The listener whose accepted peer this pipe serves (mz_listener_id),
     * 0 for any other pipe: zmq_unbind ends these. Set before the socket
     * sees the pipe, then read-only. */
    uint64_t origin;
    /* ZMQ_LINGER of the socket when it ended its side of a pipe to a
     * session (else MZ_PIPE_LINGER_UNSET): written before its PIPE_TERM is
     * posted, read by the session when that command arrives. */
    int linger;
    /* Both ends are sockets (inproc), which write their own ZMQ_HELLO_MSG;
     * a network session writes it for each connection instead. Set before
     * the socket sees the pipe, then read-only. */
    bool inproc;
    /* Inproc: the bound socket's ZMQ_DISCONNECT_MSG, which end[0] (the
     * connecting socket) writes when it ends its side. Under lock, since a
     * bind may set it while the connecting socket runs; owned. */
    struct mz_blob farewell;
    struct mz_queue queue[2];      /* queue[s] is written by end[s] */
    _Atomic uint64_t msgs_read[2]; /* complete messages read from queue[s] */
    atomic_bool writer_waiting[2]; /* end[s] is blocked on the HWM */
    _Atomic uint64_t hwm[2];       /* limit for queue[s], 0 for none */
    /* Conflating pipes keep one slot per direction under the lock. */
    struct mz_msg slot[2];
    bool slot_full[2];
    bool slot_reader_asleep[2];
    struct mz_pipe_end end[2];
};

/* Creates a pipe whose ends belong to nobody yet (mz_pipe_set_owner).
 * hwm0 limits queue[0] (end[0] to end[1]), hwm1 queue[1]. NULL+ENOMEM. */
struct mz_pipe *mz_pipe_new(uint64_t hwm0, uint64_t hwm1, bool conflate);
/* Gives end to owner, which ops describe (NULL, NULL: to nobody). */
void mz_pipe_set_owner(struct mz_pipe_end *end,
                       const struct mz_pipe_owner_ops *ops, void *owner);
void mz_pipe_set_hwm(struct mz_pipe_end *end, uint64_t outgoing_hwm);
/* Records the peer socket's high-water marks (inproc; see peer_sndhwm). */
void mz_pipe_set_peer_hwms(struct mz_pipe_end *end, int sndhwm, int rcvhwm);
/* The limit of a queue whose writer's socket has writer_hwm and whose
 * reader's has reader_hwm (-1: none, a network pipe): 0 means none. */
uint64_t mz_pipe_limit(int writer_hwm, int reader_hwm);
/* The owner's ZMQ_SNDHWM or ZMQ_RCVHWM changed: both limits of the live
 * pipe follow, as in libzmq, and each reader republishes what it has read
 * so that no writer waits on stale counts (the peer's through an MZ_CMD_HWM
 * that calls mz_pipe_hwm_changed). */
void mz_pipe_apply_hwms(struct mz_pipe_end *end, int sndhwm, int rcvhwm);
/* This end's reader side publishes what it has read and wakes a waiting
 * writer: the limit of its input changed. */
void mz_pipe_hwm_changed(struct mz_pipe_end *end);
/* Sets pipe->farewell to a copy of message (inproc pipes); false when
 * memory ran out (the pipe then has none). */
bool mz_pipe_set_farewell(struct mz_pipe *pipe, const struct mz_blob *message);
void mz_pipe_ref(struct mz_pipe *pipe);
void mz_pipe_unref(struct mz_pipe *pipe);

static inline struct mz_pipe_end *mz_pipe_peer(struct mz_pipe_end *end)
{
    return &end->pipe->end[1 - end->side];
}

/* Writes this end's routing id as its first message; -1 with EINVAL when
 * it is longer than MZ_ROUTING_ID_MAX, the field the other end keeps it in. */
int mz_pipe_send_routing_id(struct mz_pipe_end *end, const void *id,
                            size_t size);
/* Names end's peer with ZMQ_CONNECT_ROUTING_ID when options has one, and
 * clears it there (it applies to one connect): the id the peer sends, if
 * any, is then ignored, and a ROUTER or STREAM can route to the pipe at
 * once. */
void mz_pipe_take_connect_routing_id(struct mz_pipe_end *end,
                                     struct mz_options *options);
/* Consumes the peer's routing id if it has arrived. */
bool mz_pipe_identify(struct mz_pipe_end *end);

/* True if a message part can be read now; false puts the reader to sleep
 * (an ACTIVATE_READ follows new data). */
bool mz_pipe_check_read(struct mz_pipe_end *end);
/* Reads one part into *m (closed or empty beforehand). False when nothing
 * is available. */
bool mz_pipe_read(struct mz_pipe_end *end, struct mz_msg *m);
/* True if a new message may be started (HWM not reached, peer open). */
bool mz_pipe_check_write(struct mz_pipe_end *end);
/* Writes one part, taking *m. Parts after the first always fit. False
 * (and *m untouched) if the message cannot start now. */
bool mz_pipe_write(struct mz_pipe_end *end, struct mz_msg *m);
/* Writes a one-part message of size bytes that the core itself says to
 * the owner's peer (ZMQ_DISCONNECT_MSG, ZMQ_HICCUP_MSG): past the
 * high-water mark, as libzmq writes these, after dropping a half-written
 * message. Not flushed. False when the peer is gone or memory ran out. */
bool mz_pipe_write_notice(struct mz_pipe_end *end, const void *data,
                          size_t size);
/* The same for a message the caller made (a DISH's JOIN or LEAVE, which
 * must not be lost at the mark): takes *m on success, leaves it the
 * caller's on failure. */
bool mz_pipe_write_past_hwm(struct mz_pipe_end *end, struct mz_msg *m);
/* Makes written messages visible to the reader, waking it if asleep. */
void mz_pipe_flush(struct mz_pipe_end *end);
/* Events of the owner's socket (pipe_events.c): this end, as a writer,
 * reached its high-water mark (reached) or has room again (a writer that
 * was muted got ACTIVATE_WRITE). Owner thread. */
void mz_pipe_hwm_reached(struct mz_pipe_end *end);
void mz_pipe_hwm_cleared(struct mz_pipe_end *end);
/* Drops a half-written multipart message. */
void mz_pipe_rollback(struct mz_pipe_end *end);
/* Closes this end: rollback, end[0] writes the pipe's farewell if it has
 * one, delimiter, PIPE_TERM to the peer, then the owner lets go of it. */
void mz_pipe_terminate(struct mz_pipe_end *end);
/* The owner lets go of an end whose input has ended (after the peer's
 * delimiter). */
void mz_pipe_release(struct mz_pipe_end *end);
/* mz_pipe_release in a forked child (see mz_ctx_inherited), where a
 * thread of the parent may have held the pipe's lock at the fork and only
 * the thread that forked runs: without the lock. */
void mz_pipe_release_inherited(struct mz_pipe_end *end);

#endif
