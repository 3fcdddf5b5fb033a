/*
 * One connection's GSSAPI handshake and, after it, the state that
 * protects its traffic. Shared by the handshake (gssapi_session.c) and
 * the per-message wrapping (gssapi_protect.c).
 */
#ifndef GSSAPI_SESSION_H
#define GSSAPI_SESSION_H

#include "gssapi_context.h"
#include "gssapi_plugin.h"

/* Where the handshake stands, named for what this side waits to do. */
enum gssapi_step {
    GSSAPI_STEP_START,         /* client: nothing sent yet */
    GSSAPI_STEP_SEND_TOKEN,    /* a context token (or the empty confirm) */
    GSSAPI_STEP_AWAIT_TOKEN,   /* the peer's INITIATE */
    GSSAPI_STEP_AWAIT_CONFIRM, /* server: the client's empty command */
    GSSAPI_STEP_AWAIT_ZAP,     /* server: the ZAP handler's verdict */
    GSSAPI_STEP_SEND_READY,
    GSSAPI_STEP_AWAIT_READY,
    GSSAPI_STEP_DONE,
    GSSAPI_STEP_FAILED
};

struct modzmq_mechanism_session {
    modzmq_connection *connection;
    bool as_server;
    bool encrypt; /* not ZMQ_GSSAPI_PLAINTEXT */
    enum gssapi_step step;
    struct gssapi_context context;
    /* A flags octet and a part, put together before gss_wrap. */
    uint8_t *scratch;
    size_t scratch_size;
};

/* Fails the session with a protocol error: records code (0: none) and
 * returns -1 with errno EPROTO. */
int gssapi_session_fail(struct modzmq_mechanism_session *session, int code);

/* The session's scratch buffer with room for size bytes, or NULL
 * (ENOMEM); gssapi_protect_wrap gives it back if it grew large. */
uint8_t *gssapi_protect_scratch(struct modzmq_mechanism_session *session,
                                size_t size);

/* Wraps plain (a flags octet and a part, usually in the scratch buffer,
 * which may be given back after) into a MESSAGE body written to msg. 0,
 * or -1 with errno. */
int gssapi_protect_wrap(struct modzmq_mechanism_session *session,
                        const uint8_t *plain, size_t size, modzmq_msg *msg);

/* Unwraps a MESSAGE body from the peer into *plain (a flags octet and
 * the part; release it with gssapi_context_release). 0, or -1 with EPROTO
 * after recording the protocol error. */
int gssapi_protect_unwrap(struct modzmq_mechanism_session *session,
                          const uint8_t *body, size_t size,
                          gss_buffer_desc *plain);

/* The encode and decode ops (gssapi_protect.c). */
int gssapi_protect_encode(struct modzmq_mechanism_session *session,
                          modzmq_msg *part);
int gssapi_protect_decode(struct modzmq_mechanism_session *session,
                          modzmq_msg *frame);

#endif
