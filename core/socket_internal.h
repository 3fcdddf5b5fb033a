/*
 * The socket's own state, private to the files that make up the socket:
 * socket.c, and its counters (socket_counters.c) and monitoring
 * (socket_monitor.c), which walk its pipes and keep its event marks.
 * Everything else reaches a socket through the functions of socket.h, as
 * nng keeps its socket internals to the few files that need them.
 */
#ifndef MZ_SOCKET_INTERNAL_H
#define MZ_SOCKET_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "futex_lock.h"
#include "mailbox.h"
#include "options.h"
#include "pipe_set.h"
#include "socket.h"

/* An endpoint the socket bound or connected, for unbind/disconnect and
 * ZMQ_LAST_ENDPOINT. Inproc connects remember their pipe. */
struct mz_endpoint {
    char *uri;
    bool bound;
    struct mz_pipe_end *pipe;     /* connects: the pipe to the peer */
    struct mz_listener *listener; /* network binds */
    struct mz_session *session;   /* network connects */
};

/* What a thread-safe socket (CLIENT, SERVER) adds, kept by
 * socket_guard.c. Any number of threads may call into such a socket: each
 * call holds lock for its length, except while it waits, and blocked
 * callers wait on wake, which every command posted to the socket
 * broadcasts (wake_seq counts them, so that a post between a look and the
 * wait is not slept through). Posters take wake_lock only, never lock, so
 * an I/O thread or an inproc peer posting never waits for a call. The
 * pollers watching the socket give it an eventfd each (signalers), which
 * every post writes. The guard lives at the end of the socket, outside
 * what close wipes, so that a thread that found the socket live before
 * close took the lock still finds a lock, and closing set, after it. */
struct mz_socket_guard {
    struct mz_futex_lock lock;
    atomic_uintptr_t holder; /* the thread holding lock, 0 when free */
    unsigned depth;          /* its calls in one another (the holder's) */
    unsigned callers; /* threads inside a call, waiting ones included */
    bool closing;

    pthread_mutex_t wake_lock;
    pthread_cond_t wake;
    atomic_uint_least64_t wake_seq;
    int *signalers;
    unsigned signaler_count, signaler_capacity;
};

struct mz_socket {
    /* First, for socket.h's inline mz_socket_state and
     * mz_socket_thread_safe (checked below). */
    void *state;
    bool thread_safe;
    _Atomic uint32_t tag;
    struct mz_ctx *ctx;
    const struct mz_socket_type *type;
    struct mz_options options;
    struct mz_mailbox mailbox;

    struct mz_pipe_set pipes;   /* every attached end */
    struct mz_pipe_end **ended; /* ends whose input ended, to release */
    unsigned ended_count, ended_capacity;

    struct mz_endpoint *endpoints;
    unsigned endpoint_count, endpoint_capacity;
    char *last_endpoint;

    bool stopped; /* the context is terminating */
    bool rcvmore;

    /* Where its events go (event_bus.h), and whether an observer
     * monitors it (zmq_socket_monitor), to be stopped at close. */
    struct mz_event_source *events;
    bool monitored;

    /* The counters of pipes since detached (modzmq_socket_counters adds
     * those of the pipes still attached): messages and bytes in, out,
     * messages dropped. */
    uint64_t gone_counters[5];

    /* Last: close wipes everything from ctx up to here. */
    struct mz_socket_guard guard;
};

_Static_assert(offsetof(struct mz_socket, state) == 0,
               "mz_socket_state reads the socket's first member");
_Static_assert(offsetof(struct mz_socket, thread_safe) ==
                   offsetof(struct mz_socket_head, thread_safe),
               "mz_socket_thread_safe reads the socket's second member");

/* socket_guard.c, for socket.c: sets up a new thread-safe socket's guard
 * (nothing in it can fail on Linux but for a bad attribute). */
void mz_socket_guard_init(struct mz_socket *s);
/* The number of posts so far: read it before looking at the socket's
 * state, and hand it to mz_socket_guard_wait. */
uint64_t mz_socket_guard_seq(struct mz_socket *s);
/* Called with the lock held: releases it, sleeps until a post after seq
 * or timeout_ms (-1 forever) passed, and takes it again. 0, or -1 ENOTSOCK
 * when the socket began closing meanwhile. */
int mz_socket_guard_wait(struct mz_socket *s, uint64_t seq, int timeout_ms);
/* After a post to the socket's mailbox: wakes the waiters and pollers. */
void mz_socket_guard_notify(struct mz_socket *s);
/* zmq_close, with the lock held: refuses new callers, wakes the waiting
 * ones and waits until they have left. */
void mz_socket_guard_close(struct mz_socket *s);
/* The end of close: forgets the pollers' eventfds. */
void mz_socket_guard_fini(struct mz_socket *s);

#endif
