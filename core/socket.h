/*
 * The socket: what every socket type shares.
 *
 * A socket holds its options, endpoints and pipes, runs the commands other
 * threads post to its mailbox, blocks with timeouts, and delegates routing
 * to its type (one file per type, behind struct mz_socket_type). Socket
 * types never block and never touch the mailbox: they answer "done",
 * "EAGAIN" or an error, and the socket decides whether to wait.
 *
 * struct mz_socket itself is private to socket.c and the two files that
 * count and monitor its pipes (socket_internal.h); types, transports,
 * sessions and listeners use the functions below.
 */
#ifndef MZ_SOCKET_H
#define MZ_SOCKET_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mailbox.h"
#include "msg.h"
#include "options.h"
#include "pipe.h"
#include "pipe_set.h"

struct mz_ctx;
struct mz_event_source;
struct mz_listener;
struct mz_session;
struct mz_socket;

/* Returned by a type's setopt/getopt for options it does not own. */
enum { MZ_OPTION_NOT_MINE = 1 };

struct mz_socket_type {
    int type;          /* ZMQ_PAIR, ZMQ_PUB, ... */
    const char *name;  /* ZMTP Socket-Type property */
    bool thread_safe;  /* CLIENT, SERVER, ...: see mz_socket_enter */
    size_t state_size; /* bytes of type state, zeroed at creation */
    /* Optional hooks are NULL when a type has nothing to do. */
    void (*init)(struct mz_socket *s); /* optional */
    void (*fini)(struct mz_socket *s); /* optional */
    /* A new pipe; the type may refuse it (PAIR takes one) by returning
     * false, and the socket then terminates it. A type that fails to take
     * it for want of memory returns false with errno ENOMEM, having undone
     * what it did. */
    bool (*attach)(struct mz_socket *s, struct mz_pipe_end *end);
    /* The pipe is going away; forget it. */
    void (*detach)(struct mz_socket *s, struct mz_pipe_end *end);
    /* A pipe that had run dry (or full) can be read (written) again. */
    void (*read_activated)(struct mz_socket *s,
                           struct mz_pipe_end *end); /* optional */
    void (*write_activated)(struct mz_socket *s,
                            struct mz_pipe_end *end); /* optional */
    /* 0 when taken (m becomes empty), -1 with errno (EAGAIN: would block). */
    int (*send)(struct mz_socket *s, struct mz_msg *m);
    int (*recv)(struct mz_socket *s, struct mz_msg *m);
    bool (*can_send)(struct mz_socket *s);
    bool (*can_recv)(struct mz_socket *s);
    /* Optional: 0, -1 with errno, or MZ_OPTION_NOT_MINE. */
    int (*setopt)(struct mz_socket *s, int option, const void *value,
                  size_t size);
    int (*getopt)(struct mz_socket *s, int option, void *value, size_t *size);
    /* Optional (DISH): zmq_join and zmq_leave, 0 or -1 with errno; a type
     * without them answers ENOTSUP. */
    int (*join)(struct mz_socket *s, const char *group);
    int (*leave)(struct mz_socket *s, const char *group);
    /* Optional (SERVER, PEER): zmq_disconnect_peer, 0 or -1 with errno
     * (EHOSTUNREACH: no peer has the id); a type without it answers
     * ENOTSUP. */
    int (*disconnect_peer)(struct mz_socket *s, uint32_t routing_id);
};

const struct mz_socket_type *mz_socket_type_find(int type);

struct mz_socket *mz_socket_new(struct mz_ctx *ctx, int type);
/* Closes the socket: pipes terminated (their messages stay readable by the
 * peers), endpoints released. Frees everything but the shell. A
 * thread-safe socket's caller has entered it (mz_socket_enter): close
 * waits for the other threads inside to leave, and leaves itself. */
void mz_socket_close(struct mz_socket *s);
bool mz_socket_is_live(const struct mz_socket *s);

int mz_socket_send(struct mz_socket *s, struct mz_msg *m, int flags);
int mz_socket_recv(struct mz_socket *s, struct mz_msg *m, int flags);
int mz_socket_bind(struct mz_socket *s, const char *uri);
int mz_socket_connect(struct mz_socket *s, const char *uri);
int mz_socket_unbind(struct mz_socket *s, const char *uri);
int mz_socket_disconnect(struct mz_socket *s, const char *uri);
int mz_socket_setopt(struct mz_socket *s, int option, const void *value,
                     size_t size);
/* zmq_join, zmq_leave: the type's, after pending commands have run. */
int mz_socket_join_group(struct mz_socket *s, const char *group);
int mz_socket_leave_group(struct mz_socket *s, const char *group);
/* zmq_disconnect_peer: the type's, after pending commands have run. */
int mz_socket_disconnect_peer(struct mz_socket *s, uint32_t routing_id);
int mz_socket_getopt(struct mz_socket *s, int option, void *value,
                     size_t *size);
/* ZMQ_EVENTS after running pending commands; -1 ETERM. */
int mz_socket_events(struct mz_socket *s);
int mz_socket_fd(const struct mz_socket *s);

/* Runs the commands waiting in the mailbox; -1 ETERM once stopped. */
int mz_socket_process_commands(struct mz_socket *s);

/* Thread-safe: queue a command for the socket's thread. */
void mz_socket_post(struct mz_socket *s, const struct mz_command *cmd);
/* Makes s the owner of end (pipe.h): its commands go to the socket's
 * mailbox, the end of its input to the socket, and its high-water mark
 * events to the socket's. */
void mz_socket_own_pipe(struct mz_socket *s, struct mz_pipe_end *end);
/* ZMQ_PROBE_ROUTER: when set, greets a new peer with one empty message so
 * that a ROUTER there learns of it (REQ, DEALER and ROUTER call this as
 * they attach a pipe). */
void mz_socket_send_probe(struct mz_socket *s, struct mz_pipe_end *end);
/* Closes one attached pipe at its type's request (ROUTER handover, raw
 * disconnect): the type's detach hook runs first, as for any pipe. An end
 * whose input has already ended is left to the release that is pending. */
void mz_socket_terminate_pipe(struct mz_socket *s, struct mz_pipe_end *end);
/* Takes a new pipe end into the socket and its type (socket thread):
 * 1 when taken, 0 when the type refused it, -1 (errno ENOMEM) when memory
 * ran out; a pipe not taken is terminated. */
int mz_socket_attach_pipe(struct mz_socket *s, struct mz_pipe_end *end);
/* Records an endpoint; -1 ENOMEM. */
int mz_socket_add_endpoint(struct mz_socket *s, const char *uri, bool bound,
                           struct mz_pipe_end *pipe);
/* A pipe leaves the socket: its counters stay in the socket's, and go
 * out as MODZMQ_EVENT_PEER_COUNTERS if anyone wants them
 * (socket_counters.c). */
void mz_socket_peer_gone(struct mz_socket *s, struct mz_pipe_end *end);
/* Posts s a PUBLISH_COUNTERS command unless one is queued already; the
 * caller holds the context's lock, which keeps s open (any thread). */
void mz_socket_request_counters(struct mz_socket *s);
/* That command's work, on the socket's thread: MODZMQ_EVENT_SOCKET_COUNTERS
 * and one MODZMQ_EVENT_PEER_COUNTERS per attached peer, if anyone wants
 * them (socket_counters.c). */
void mz_socket_publish_counters(struct mz_socket *s);
/* zmq_close: stops the observer that monitors s (socket_monitor.c). */
void mz_socket_monitor_stop(struct mz_socket *s);
/* The type-specific state. Inline, since every send and receive asks for
 * it: a pointer to a struct points to its first member, and the state is
 * the first member of the private struct (socket_internal.h). */
static inline void *mz_socket_state(struct mz_socket *s)
{
    return *(void **) s;
}
/* The two first members of every socket, for the inline accessors. */
struct mz_socket_head {
    void *state;
    bool thread_safe;
};
/* Whether the type is thread-safe (CLIENT, SERVER): the API layer then
 * brackets each call with mz_socket_enter and mz_socket_leave. One load of
 * a field the call reads anyway, so classic sockets pay nothing more. */
static inline bool mz_socket_thread_safe(const struct mz_socket *s)
{
    return ((const struct mz_socket_head *) s)->thread_safe;
}
/* Thread-safe sockets only: takes the socket for one call (-1 ENOTSOCK
 * once it is closing), and lets go of it, keeping errno. */
int mz_socket_enter(struct mz_socket *s);
void mz_socket_leave(struct mz_socket *s);
/* Every call of the API on a socket goes through these two: NULL and
 * ENOTSOCK unless socket is a live socket; a thread-safe one (CLIENT,
 * SERVER, ...) is then held by the caller for the length of the call,
 * and call_end lets it go, returning rc with errno kept. For a classic
 * socket both are one predictable branch on a field the call reads
 * anyway. Inlined: one more call per message costs the classic sockets'
 * throughput a few percent. */
__attribute__((always_inline)) static inline struct mz_socket *
mz_socket_call_begin(void *socket)
{
    struct mz_socket *s = socket;
    if (!mz_socket_is_live(s)) {
        errno = ENOTSOCK;
        return NULL;
    }
    if (mz_socket_thread_safe(s) && mz_socket_enter(s) < 0)
        return NULL;
    return s;
}

static inline int mz_socket_call_end(struct mz_socket *s, int rc)
{
    if (mz_socket_thread_safe(s))
        mz_socket_leave(s);
    return rc;
}
/* ZMQ_EVENTS for zmq_poll and zmq_poller, entering a thread-safe socket
 * for the look; -1 ETERM (or ENOTSOCK: closed meanwhile). */
int mz_socket_poll_events(struct mz_socket *s);
/* Thread-safe sockets: the eventfd of a poller watching s, written at
 * every command posted to s; -1 ENOMEM. Removing one not added does
 * nothing. */
int mz_socket_add_signaler(struct mz_socket *s, int fd);
void mz_socket_remove_signaler(struct mz_socket *s, int fd);
/* The socket's options, for its type, its transports and its sessions
 * (owner thread, or under the handover rules of whoever reads them). */
struct mz_options *mz_socket_options(struct mz_socket *s);
/* The context that made the socket. */
struct mz_ctx *mz_socket_ctx(const struct mz_socket *s);
/* Where its events go (event_bus.h); NULL once it is closing. */
struct mz_event_source *mz_socket_event_source(const struct mz_socket *s);
/* zmq_connect_peer on a PEER socket (sockets/peer.c): connects and
 * returns the new peer's routing id, or 0 with errno (EFAULT with
 * ZMQ_IMMEDIATE set, as libzmq 4.3.5). */
uint32_t mz_peer_connect(struct mz_socket *s, const char *uri);
/* ZMQ_PAIR, ZMQ_PUB, ...: what zmq_socket made. */
int mz_socket_zmq_type(const struct mz_socket *s);

#endif
