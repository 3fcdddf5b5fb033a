/*
 * The context: options, the sockets it owns, the inproc endpoint registry,
 * the I/O threads, and termination.
 *
 * One mutex guards the context's tables. It is never held while a socket
 * blocks, and no per-message path takes it.
 */
#ifndef MZ_CTX_H
#define MZ_CTX_H

#include <glib.h>
#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct mz_socket;
struct mz_iothread;

struct mz_ctx {
    uint32_t tag;
    pid_t pid;        /* the process that made it (see mz_ctx_inherited) */
    pid_t adopted_by; /* the forked child that last took it over */
    pthread_mutex_t lock;
    pthread_cond_t all_closed;

    GPtrArray *sockets;  /* live sockets */
    GPtrArray *shells;   /* closed sockets, kept for ENOTSOCK and reuse */
    int closing;         /* sockets inside zmq_close right now */
    int network_objects; /* listeners and sessions still running */
    bool terminating;    /* zmq_ctx_shutdown or zmq_ctx_term began */

    /* Options (zmq_ctx_set). */
    int io_thread_count;
    int max_sockets;
    int ipv6;
    int blocky;
    int max_msgsz;
    int zero_copy_recv;
    int thread_sched_policy;
    int thread_priority;
    int thread_affinity[CPU_SETSIZE]; /* CPUs for the I/O threads */
    size_t thread_affinity_count;     /* 0: leave affinity alone */
    char thread_name_prefix[16];

    struct mz_iothread **iothreads; /* started on first use */
    int iothreads_started;

    GHashTable *inproc_bound; /* name -> struct mz_inproc_binding */
    bool zap_handler_died;    /* left a ZAP request unanswered (zap.c) */
    GHashTable
        *inproc_pending; /* name -> GPtrArray of struct mz_inproc_pending */
};

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

/* Starts the I/O thread pool; called with ctx->lock held when the first
 * socket is created, as libzmq does, so that the thread options set before
 * it apply. -1 with errno on failure. */
int mz_ctx_start_iothreads(struct mz_ctx *ctx);

struct mz_reactor;
/* The reactor of the least busy I/O thread among those a socket's
 * ZMQ_AFFINITY allows (bit i: thread i; 0: any), for a new listener or
 * session; NULL with EMTHREAD when there is none (ZMQ_IO_THREADS 0, or
 * only bits beyond the threads), as in libzmq. */
struct mz_reactor *mz_ctx_choose_reactor(struct mz_ctx *ctx,
                                         uint64_t affinity);
/* A listener or session starts or finishes: zmq_ctx_term waits for the
 * last one to finish (linger) before it stops the I/O threads. Any thread. */
void mz_ctx_network_object_added(struct mz_ctx *ctx);
void mz_ctx_network_object_removed(struct mz_ctx *ctx);

#endif
