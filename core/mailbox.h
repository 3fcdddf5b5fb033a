/*
 * A socket's (or a session's) command mailbox.
 *
 * Other threads never touch a socket's state directly: they post commands
 * (a peer's pipe became readable or writable, a pipe was attached or
 * terminated, the context is terminating) and the socket's own thread runs
 * them the next time it enters the library. The eventfd is the socket's
 * ZMQ_FD: it is readable while commands are waiting, or after the owner
 * signalled itself (see mz_mailbox_signal), until the owner next runs its
 * commands, which gives the edge-triggered behaviour libzmq documents.
 * Posting is a mutex and at most one eventfd write, made after the mutex
 * is let go: the write wakes the owner, who wants the mutex at once, and
 * would otherwise sleep on it until the write returned. Checking for
 * commands is one atomic load.
 *
 * A network session's mailbox has no eventfd (mz_mailbox_init_quiet): its
 * owner is woken through its I/O thread's task queue instead, so that a
 * connection costs one descriptor, not two.
 */
#ifndef MZ_MAILBOX_H
#define MZ_MAILBOX_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mz_pipe;
struct mz_wakeup;

enum mz_command_type {
    MZ_CMD_ACTIVATE_READ,  /* the peer flushed messages into an asleep pipe */
    MZ_CMD_ACTIVATE_WRITE, /* the peer read enough to get under the HWM */
    MZ_CMD_PIPE_TERM,      /* the peer closed its end */
    MZ_CMD_ATTACH,         /* a new pipe end for this socket (inproc connect) */
    MZ_CMD_HWM,            /* the peer changed the pipe's high-water marks */
    MZ_CMD_STOP,           /* the context is terminating: ETERM from now on */
    MZ_CMD_PUBLISH_COUNTERS /* an observer asks for the counters (no pipe) */
};

struct mz_command {
    enum mz_command_type type;
    struct mz_pipe *pipe; /* holds a reference while queued; NULL for STOP
                           * and PUBLISH_COUNTERS */
    int side;             /* which end of the pipe belongs to the receiver */
};

struct mz_mailbox {
    pthread_mutex_t lock;
    struct mz_command *ring;
    size_t head, count, capacity;
    int fd;              /* eventfd, readable while commands wait; or -1 */
    atomic_bool pending; /* fast check without the lock */
    /* Eventfd writes decided (under the lock) and read back by the owner:
     * they differ while a poster's write is on its way, when the owner
     * must not take the mailbox for empty. */
    _Atomic uint64_t raised, consumed;
};

int mz_mailbox_init(struct mz_mailbox *mb);
/* A mailbox without an eventfd, whose owner mz_mailbox_post's result says
 * when to wake. Both: 0, or -1 with errno (ENOMEM; EMFILE and the like
 * for the eventfd). */
int mz_mailbox_init_quiet(struct mz_mailbox *mb);
/* The caller must have drained the mailbox (see mz_mailbox_take), and no
 * post may start any more. A post still making its eventfd write is
 * waited for (wakeup.h). */
void mz_mailbox_fini(struct mz_mailbox *mb);
/* Thread-safe. Aborts on out-of-memory, which only more than 16 waiting
 * commands can meet: a lost command would hang a peer.
 * True when the mailbox was empty: its owner must be woken (done here
 * through the eventfd, if there is one). */
bool mz_mailbox_post(struct mz_mailbox *mb, const struct mz_command *cmd);
/* mz_mailbox_post for a caller that holds a lock of its own (a pipe's):
 * the eventfd write is left in *wake, for mz_wakeup_deliver once that
 * lock is let go, so that the woken owner does not sleep on it. */
bool mz_mailbox_post_deferred(struct mz_mailbox *mb,
                              const struct mz_command *cmd,
                              struct mz_wakeup *wake);
/* Makes the eventfd readable without a command, until the next
 * mz_mailbox_take: the edge libzmq's ZMQ_FD gives after a socket's own
 * network bind, connect, unbind or disconnect (libzmq's socket gets a
 * command about its listener or session there), so that an event loop
 * that watches the fd looks at ZMQ_EVENTS. Thread-safe; for mailboxes with
 * an eventfd. */
void mz_mailbox_signal(struct mz_mailbox *mb);
/* Owner thread: takes the oldest command; false when empty, in which case
 * the eventfd is reset. */
bool mz_mailbox_take(struct mz_mailbox *mb, struct mz_command *cmd);
/* mz_mailbox_take in a forked child, where the eventfd is the parent's
 * too and a thread of the parent may have held the lock at the fork:
 * takes the oldest command without either. Only the thread that forked
 * runs there. */
bool mz_mailbox_take_inherited(struct mz_mailbox *mb, struct mz_command *cmd);
/* In a forked child, before mz_mailbox_fini: an eventfd write a thread of
 * the parent had decided at the fork is made there, if at all, so fini
 * must not wait for it. */
void mz_mailbox_forget_writes(struct mz_mailbox *mb);
static inline bool mz_mailbox_has_pending(struct mz_mailbox *mb)
{
    return atomic_load_explicit(&mb->pending, memory_order_acquire);
}
/* Owner thread: waits up to timeout_ms (-1 forever) for a command.
 * Returns 1 if one may be waiting, 0 when the time ran out, -1 with errno
 * (EINTR: a signal came first). */
int mz_mailbox_wait(struct mz_mailbox *mb, int timeout_ms);

#endif
