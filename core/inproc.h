/*
 * The inproc transport: sockets of one context joined by a pipe, without
 * an I/O thread or any copying. It lives in the core; every other transport
 * is a plugin.
 */
#ifndef MZ_INPROC_H
#define MZ_INPROC_H

#include <stdbool.h>

struct mz_ctx;
struct mz_inproc_registry;
struct mz_pipe;
struct mz_socket;

int mz_inproc_bind(struct mz_socket *s, const char *name);
int mz_inproc_connect(struct mz_socket *s, const char *name, const char *uri);
/* Hands end[1] of pipe (end[0] owned by an I/O thread's session) to the
 * socket bound at name, as a connect would: the ZAP request's way to its
 * handler. -1 with ECONNREFUSED when nothing is bound there. */
/* A connect to name that no bind has taken yet, withdrawn (disconnect):
 * pipe is no longer offered to a later bind, which would otherwise attach
 * an end whose peer is gone (and, for the socket that connected, a pipe to
 * itself). False when the pipe was not waiting there. */
bool mz_inproc_withdraw(struct mz_ctx *ctx, const char *name,
                        struct mz_pipe *pipe);
int mz_inproc_offer(struct mz_ctx *ctx, const char *name, struct mz_pipe *pipe);
/* 0 if s had bound name, -1 ENOENT otherwise. */
int mz_inproc_unbind(struct mz_socket *s, const char *name);
/* Forgets every name s bound (socket closing). */
void mz_inproc_unbind_all(struct mz_socket *s);
/* Releases connects still waiting for a bind (context terminating). */
void mz_inproc_release_pending(struct mz_ctx *ctx);
/* A context's registry of bound names and connects waiting for a bind:
 * made with the context, freed at its term. */
struct mz_inproc_registry *mz_inproc_registry_new(void);
void mz_inproc_registry_free(struct mz_inproc_registry *registry);
/* In a forked child (mz_ctx_inherited), where a thread of the parent may
 * have held the registry's lock at the fork: makes the lock anew. */
void mz_inproc_registry_inherited(struct mz_inproc_registry *registry);

#endif
