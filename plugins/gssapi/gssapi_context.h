/*
 * One GSS-API security context over Kerberos 5, from either end: the
 * credentials, the token exchange that establishes the context, the
 * peer's name, and wrapping and unwrapping once it is established. The
 * mechanism's state machine (gssapi_session.c) decides when to call what;
 * this file is the only one that calls the GSS-API.
 *
 * Failures are of two kinds, because they are reported differently:
 * GSSAPI_LOCAL_FAILURE (no credentials, a name that does not parse, a
 * service the KDC does not know) is this side's configuration, and
 * GSSAPI_PEER_FAILURE (a token GSS-API refuses, a context without the
 * protection asked for) is what the peer sent. Both are logged with the
 * GSS-API's own words.
 */
#ifndef GSSAPI_CONTEXT_H
#define GSSAPI_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gssapi/gssapi.h>

enum gssapi_result {
    GSSAPI_OK = 0,
    GSSAPI_LOCAL_FAILURE = 1,
    GSSAPI_PEER_FAILURE = 2
};

struct gssapi_context {
    bool initiator;      /* the client end */
    bool confidential;   /* the traffic will be wrapped: require it */
    gss_ctx_id_t id;     /* GSS_C_NO_CONTEXT until the first step */
    gss_cred_id_t own;   /* this side's credentials, once acquired */
    gss_name_t target;   /* initiator: the service principal */
    gss_name_t peer;     /* acceptor: the client, once established */
    gss_buffer_desc out; /* the token the last step produced, if any */
    bool established;
};

/* An empty context for one end; nothing is acquired yet. */
void gssapi_context_init(struct gssapi_context *context, bool initiator,
                         bool confidential);

/* Releases everything the context holds. */
void gssapi_context_clear(struct gssapi_context *context);

/* Acquires this side's credentials: principal (NULL: the default ones)
 * read as the ZMQ_GSSAPI_NT_* nametype. The initiator also names its
 * target, service read as service_nametype. */
enum gssapi_result gssapi_context_prepare(struct gssapi_context *context,
                                          const char *principal, int nametype,
                                          const char *service,
                                          int service_nametype);

/* One step of the exchange with the peer's last token (none for the
 * initiator's first step). Leaves the token to send in context->out
 * (possibly empty) and sets context->established when done. */
enum gssapi_result gssapi_context_step(struct gssapi_context *context,
                                       const uint8_t *token, size_t size);

/* Releases context->out once it is sent. */
void gssapi_context_sent(struct gssapi_context *context);

/* The acceptor's view of the client, as GSS-API displays it
 * ("zmqclient@REALM"), in a malloc'ed NUL-terminated string. */
char *gssapi_context_peer_name(struct gssapi_context *context);

/* Wraps (encrypts and protects) data into *wrapped, which the caller
 * releases with gssapi_context_release. */
enum gssapi_result gssapi_context_wrap(struct gssapi_context *context,
                                       const void *data, size_t size,
                                       gss_buffer_desc *wrapped);

/* Unwraps a token from the peer into *plain (release it likewise);
 * GSSAPI_PEER_FAILURE for a token that does not verify or was not
 * encrypted. */
enum gssapi_result gssapi_context_unwrap(struct gssapi_context *context,
                                         const void *token, size_t size,
                                         gss_buffer_desc *plain);

void gssapi_context_release(gss_buffer_desc *buffer);

#endif
