/*
 * ZAP (RFC 27), the core's side: one authentication request from a
 * connection's handshake to the handler an application binds at
 * inproc://zeromq.zap.01 in the socket's context, and its reply.
 *
 * The request leaves from an I/O thread, where no application socket
 * lives, so it travels like an inproc connect made by the connection's
 * session: a pipe whose one end the session owns and whose other end is
 * handed to the bound handler socket. The handler's reply flushes into the
 * pipe, which posts to the session's mailbox; the session then calls
 * mz_zap_receive. Either side may close mid-request: the session frees its
 * request (its end is terminated, and the handler sees the pipe end), or
 * the handler goes (the session reads the end of the pipe and reports it).
 */
#ifndef MZ_ZAP_H
#define MZ_ZAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mz_ctx;
struct mz_pipe_end;
struct mz_session;
struct mz_zap;

/* What the handler is asked; the core adds the version and request id. */
struct mz_zap_request {
    const char *domain;      /* ZMQ_ZAP_DOMAIN, NULL for "" */
    const char *address;     /* the peer's address, NULL for "" */
    const uint8_t *identity; /* this socket's routing id */
    size_t identity_size;
    const char *mechanism; /* "NULL", "PLAIN", "CURVE", "GSSAPI" */
    const uint8_t *const *credentials;
    const size_t *credential_sizes;
    size_t credential_count;
};

/* How a request ended. Pointers stay valid until mz_zap_free. */
struct mz_zap_reply {
    /* The handler closed before replying: no other field is set. */
    bool handler_gone;
    /* 0, or the ZMQ_PROTOCOL_ERROR_ZAP_* of a malformed reply. */
    int protocol_error;
    int status_code; /* 200, 300, 400 or 500 */
    const uint8_t *user_id;
    size_t user_id_size;
    const uint8_t *metadata; /* a property block (zmtp_properties.h) */
    size_t metadata_size;
};

/* Sends request to the handler bound in ctx, for session (which routes
 * the commands of the returned request's pipe to mz_zap_receive). NULL
 * with errno ECONNREFUSED when no handler is bound, EPIPE when none is
 * because the last one died (left a request unanswered), ENOMEM. */
struct mz_zap *mz_zap_request(struct mz_ctx *ctx, struct mz_session *session,
                              const struct mz_zap_request *request);

/* Notes a successful inproc bind of name in ctx: a handler bound at the
 * ZAP endpoint makes up for one that died. */
void mz_zap_note_bind(struct mz_ctx *ctx, const char *name);

/* Whether end is the session's end of this request's pipe. */
bool mz_zap_owns(const struct mz_zap *zap, const struct mz_pipe_end *end);

/* Reads what the handler sent; peer_closed: its end is terminated (the
 * pipe's PIPE_TERM). True when the request is over and *reply says how;
 * false while the reply is still to come. */
bool mz_zap_receive(struct mz_zap *zap, bool peer_closed,
                    struct mz_zap_reply *reply);

/* Ends the request, replied or not, and frees it. */
void mz_zap_free(struct mz_zap *zap);

#endif
