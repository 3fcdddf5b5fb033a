/*
 * The context: options, the sockets it owns, the inproc endpoint registry,
 * the I/O threads, and termination.
 *
 * struct mz_ctx is private to ctx.c: the rest of the core registers its
 * sockets, reaches the inproc registry and asks for I/O threads through
 * the functions below. One mutex guards the context's tables. It is never
 * held while a socket blocks, and no per-message path takes it.
 */
#ifndef MZ_CTX_H
#define MZ_CTX_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

struct mz_ctx;
struct mz_inproc_registry;
struct mz_socket;

struct mz_ctx *mz_ctx_new(void);
bool mz_ctx_is_live(const struct mz_ctx *ctx);
/* True in a child forked after the context was made. Its I/O threads run
 * only in the parent, and the child shares the parent's fds (connections,
 * eventfds, epoll sets), so the child only lets go of what it inherited:
 * zmq_close and zmq_ctx_term there touch nothing of the parent's and
 * never wait for an I/O thread, as libzmq notices a changed pid and does
 * the same. A new bind or connect there fails with EMTHREAD. Locks that
 * a thread of the parent may have held at the fork are not taken there,
 * and the context's own is made anew on the first call: what the child
 * inherited is for the thread that forked to let go of. */
bool mz_ctx_inherited(struct mz_ctx *ctx);
/* Stops every socket (blocking calls return ETERM). */
int mz_ctx_shutdown(struct mz_ctx *ctx);
/* Shutdown, wait for every socket to close, free. */
int mz_ctx_term(struct mz_ctx *ctx);
int mz_ctx_set(struct mz_ctx *ctx, int option, int value);
int mz_ctx_get(struct mz_ctx *ctx, int option);
int mz_ctx_set_ext(struct mz_ctx *ctx, int option, const void *value,
                   size_t size);
int mz_ctx_get_ext(struct mz_ctx *ctx, int option, void *value, size_t *size);

/* What a new socket inherits from its context. */
struct mz_ctx_socket_defaults {
    bool blocky; /* ZMQ_BLOCKY: false makes the socket's ZMQ_LINGER 0 */
    bool ipv6;   /* ZMQ_IPV6 */
};
/* Makes a socket of size bytes in *s (zeroed, or a reused shell that its
 * last close left zeroed), under the context's lock. 0, or -1 with errno,
 * which leaves the memory a shell again. */
typedef int mz_ctx_socket_init_fn(struct mz_socket *s, struct mz_ctx *ctx,
                                  const struct mz_ctx_socket_defaults *defaults,
                                  const void *arg);
/* zmq_socket: refuses with ETERM once the context terminates and with
 * EMFILE at ZMQ_MAX_SOCKETS, starts the I/O threads with the first socket
 * (as libzmq does, so that the thread options set before it apply), then
 * takes a shell or allocates size bytes, runs init on them and counts the
 * socket live. NULL with errno on failure. */
struct mz_socket *mz_ctx_register_socket(struct mz_ctx *ctx, size_t size,
                                         mz_ctx_socket_init_fn *init,
                                         const void *arg);
/* zmq_close begins: s is no longer live (shutdown posts it no STOP), but
 * zmq_ctx_term waits until mz_ctx_unregister_socket. */
void mz_ctx_socket_closing(struct mz_ctx *ctx, struct mz_socket *s);
/* zmq_close ends: s is freed but for its memory, kept as a shell (a stale
 * handle gets ENOTSOCK; a new socket may reuse it), and zmq_ctx_term may
 * go on once the last socket is closed. */
void mz_ctx_unregister_socket(struct mz_ctx *ctx, struct mz_socket *s);
/* The context's inproc endpoints (inproc.c). */
struct mz_inproc_registry *mz_ctx_inproc(struct mz_ctx *ctx);
/* ZAP (zap.c): whether the context's handler closed on a request it had
 * not answered, and so died rather than stopped. Any thread. */
void mz_ctx_set_zap_handler_died(struct mz_ctx *ctx, bool died);
bool mz_ctx_zap_handler_died(struct mz_ctx *ctx);

/* Asks every socket of every context of this process to publish its
 * counters (mz_socket_request_counters). Any thread. */
void mz_ctx_request_counters(void);

struct mz_reactor;
/* The reactor of the least busy I/O thread among those a socket's
 * ZMQ_AFFINITY allows (bit i: thread i; 0: any), for a new listener or
 * session; NULL with EMTHREAD when there is none (ZMQ_IO_THREADS 0, or
 * only bits beyond the threads), as in libzmq. */
struct mz_reactor *mz_ctx_choose_reactor(struct mz_ctx *ctx, uint64_t affinity);
/* A listener or session starts or finishes: zmq_ctx_term waits for the
 * last one to finish (linger) before it stops the I/O threads. Any thread. */
void mz_ctx_network_object_added(struct mz_ctx *ctx);
void mz_ctx_network_object_removed(struct mz_ctx *ctx);

#endif
