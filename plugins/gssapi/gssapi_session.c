/*
 * The GSSAPI handshake of one connection, in the order libzmq 4.3 runs
 * it (RFC 38 leaves the details to the implementation):
 *
 *   client                                server
 *   INITIATE (first context token)  ->
 *                                   <-    INITIATE (its reply token)
 *   (more pairs while GSS-API asks for them)
 *   empty command (context done)    ->
 *                                         ZAP request with the client's
 *                                         principal, if a handler is set
 *                                   <-    READY (wrapped unless PLAINTEXT)
 *   READY (wrapped unless PLAINTEXT) ->
 *
 * Kerberos with mutual authentication needs one pair of INITIATEs. Every
 * call returns -1 with errno EPROTO once the handshake has failed.
 */
#include "gssapi_session.h"
#include "gssapi_wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

int gssapi_session_fail(struct modzmq_mechanism_session *session, int code)
{
    if (code != 0)
        gssapi_services->handshake_error(session->connection, code);
    session->step = GSSAPI_STEP_FAILED;
    errno = EPROTO;
    return -1;
}

/* A string option of the connection; empty or unset gives NULL. */
static char *string_option(modzmq_connection *connection, int option)
{
    char value[256];
    size_t size = sizeof value;
    if (gssapi_services->connection_option(connection, option, value, &size) !=
            0 ||
        size <= 1)
        return NULL;
    value[sizeof value - 1] = '\0';
    return strdup(value);
}

static int int_option(modzmq_connection *connection, int option)
{
    int value = 0;
    size_t size = sizeof value;
    if (gssapi_services->connection_option(connection, option, &value, &size) !=
        0)
        return 0;
    return value;
}

static int session_new(modzmq_connection *connection, int as_server,
                       modzmq_mechanism_session **out)
{
    /* A client must know whom it talks to. */
    char *service = NULL;
    if (!as_server) {
        service = string_option(connection, ZMQ_GSSAPI_SERVICE_PRINCIPAL);
        if (service == NULL) {
            errno = EINVAL;
            return -1;
        }
    }
    struct modzmq_mechanism_session *session = calloc(1, sizeof *session);
    char *principal = string_option(connection, ZMQ_GSSAPI_PRINCIPAL);
    if (session == NULL) {
        free(service);
        free(principal);
        errno = ENOMEM;
        return -1;
    }
    session->connection = connection;
    session->as_server = as_server != 0;
    session->encrypt = int_option(connection, ZMQ_GSSAPI_PLAINTEXT) == 0;
    gssapi_context_init(&session->context, !as_server, session->encrypt);
    /* Credentials are acquired now: a failure then fails the first step
     * of the handshake, with the reason logged, as a peer sees it. */
    enum gssapi_result prepared = gssapi_context_prepare(
        &session->context, principal,
        int_option(connection, ZMQ_GSSAPI_PRINCIPAL_NAMETYPE), service,
        int_option(connection, ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE));
    session->step = prepared != GSSAPI_OK ? GSSAPI_STEP_FAILED
                    : as_server           ? GSSAPI_STEP_AWAIT_TOKEN
                                          : GSSAPI_STEP_START;
    free(service);
    free(principal);
    *out = session;
    return 0;
}

static void session_free(modzmq_mechanism_session *session)
{
    if (session == NULL)
        return;
    gssapi_context_clear(&session->context);
    free(session->scratch);
    free(session);
}

/* One step of the context with the peer's token (NULL: the client's
 * first); a failure with the peer's token is a cryptographic protocol
 * error, one of our own has no protocol code. */
static int step_context(struct modzmq_mechanism_session *session,
                        const uint8_t *token, size_t size)
{
    enum gssapi_result result =
        gssapi_context_step(&session->context, token, size);
    if (result == GSSAPI_PEER_FAILURE)
        return gssapi_session_fail(session,
                                   ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    if (result != GSSAPI_OK)
        return gssapi_session_fail(session, 0);
    session->step = GSSAPI_STEP_SEND_TOKEN;
    return 0;
}

/* The token the last step produced, as an INITIATE; when the step had
 * nothing to say (the client's context is done), an empty command. */
static int send_token(struct modzmq_mechanism_session *session,
                      modzmq_msg *command)
{
    const struct modzmq_core_services *core = gssapi_services;
    gss_buffer_desc *token = &session->context.out;
    if (token->length == 0 && !session->context.established)
        return gssapi_session_fail(session, 0);
    size_t size =
        token->length > 0 ? GSSAPI_INITIATE_HEADER_SIZE + token->length : 0;
    if (core->msg_resize(command, size) != 0)
        return -1;
    if (size > 0) {
        uint8_t *out = core->msg_data(command);
        gssapi_wire_initiate_header(out, token->length);
        memcpy(out + GSSAPI_INITIATE_HEADER_SIZE, token->value, token->length);
    }
    gssapi_context_sent(&session->context);
    if (!session->context.established)
        session->step = GSSAPI_STEP_AWAIT_TOKEN;
    else if (session->as_server)
        session->step = GSSAPI_STEP_AWAIT_CONFIRM;
    else
        session->step = GSSAPI_STEP_AWAIT_READY;
    return 0;
}

/* READY with this side's metadata, wrapped unless PLAINTEXT. */
static int send_ready(struct modzmq_mechanism_session *session,
                      modzmq_msg *command)
{
    const struct modzmq_core_services *core = gssapi_services;
    size_t metadata_size = core->metadata_write(session->connection, NULL, 0);
    size_t size = GSSAPI_READY_NAME_SIZE + metadata_size;
    int rc;
    if (session->encrypt) {
        /* The flags octet stays 0, as libzmq wraps its READY. */
        uint8_t *plain = gssapi_protect_scratch(session, 1 + size);
        if (plain == NULL)
            return -1;
        plain[0] = 0;
        memcpy(plain + 1, GSSAPI_READY_NAME, GSSAPI_READY_NAME_SIZE);
        core->metadata_write(session->connection,
                             plain + 1 + GSSAPI_READY_NAME_SIZE, metadata_size);
        rc = gssapi_protect_wrap(session, plain, 1 + size, command);
    } else {
        rc = core->msg_resize(command, size);
        if (rc == 0) {
            uint8_t *body = core->msg_data(command);
            memcpy(body, GSSAPI_READY_NAME, GSSAPI_READY_NAME_SIZE);
            core->metadata_write(session->connection,
                                 body + GSSAPI_READY_NAME_SIZE, metadata_size);
        }
    }
    if (rc != 0)
        return rc;
    session->step =
        session->as_server ? GSSAPI_STEP_AWAIT_READY : GSSAPI_STEP_DONE;
    return 0;
}

static int next_command(modzmq_mechanism_session *session, modzmq_msg *command)
{
    switch (session->step) {
    case GSSAPI_STEP_START:
        if (step_context(session, NULL, 0) != 0)
            return -1;
        return send_token(session, command);
    case GSSAPI_STEP_SEND_TOKEN:
        return send_token(session, command);
    case GSSAPI_STEP_SEND_READY:
        return send_ready(session, command);
    case GSSAPI_STEP_FAILED:
        errno = EPROTO;
        return -1;
    default:
        errno = EAGAIN;
        return -1;
    }
}

static int receive_token(struct modzmq_mechanism_session *session,
                         const uint8_t *body, size_t size)
{
    const uint8_t *token;
    size_t token_size;
    int code = gssapi_wire_parse_initiate(body, size, &token, &token_size);
    if (code != 0)
        return gssapi_session_fail(session, code);
    return step_context(session, token, token_size);
}

/* The client's context is done: the server asks ZAP about its principal
 * (the core answers at once when there is no handler). */
static int ask_zap(struct modzmq_mechanism_session *session)
{
    char *principal = gssapi_context_peer_name(&session->context);
    if (principal == NULL)
        return gssapi_session_fail(session, 0);
    const uint8_t *credential = (const uint8_t *) principal;
    size_t credential_size = strlen(principal);
    int rc = gssapi_services->zap_request(session->connection, "GSSAPI",
                                          &credential, &credential_size, 1);
    free(principal);
    if (rc < 0) {
        session->step = GSSAPI_STEP_FAILED;
        return -1;
    }
    session->step = rc == 1 ? GSSAPI_STEP_SEND_READY : GSSAPI_STEP_AWAIT_ZAP;
    return 0;
}

static int receive_ready(struct modzmq_mechanism_session *session,
                         const uint8_t *body, size_t size)
{
    gss_buffer_desc plain = GSS_C_EMPTY_BUFFER;
    if (session->encrypt) {
        if (gssapi_protect_unwrap(session, body, size, &plain) != 0)
            return -1;
        /* Past the flags octet, which libzmq leaves 0 and ignores. */
        body = (const uint8_t *) plain.value + 1;
        size = plain.length - 1;
    }
    const uint8_t *metadata;
    size_t metadata_size;
    int code = gssapi_wire_parse_ready(body, size, &metadata, &metadata_size);
    int rc;
    if (code != 0)
        rc = gssapi_session_fail(session, code);
    else if (gssapi_services->metadata_read(session->connection, metadata,
                                            metadata_size) != 0)
        rc = gssapi_session_fail(session, 0);
    else
        rc = 0;
    gssapi_context_release(&plain);
    if (rc == 0)
        session->step =
            session->as_server ? GSSAPI_STEP_DONE : GSSAPI_STEP_SEND_READY;
    return rc;
}

static int process_command(modzmq_mechanism_session *session,
                           modzmq_msg *command)
{
    const uint8_t *body = gssapi_services->msg_data(command);
    size_t size = gssapi_services->msg_size(command);
    switch (session->step) {
    case GSSAPI_STEP_AWAIT_TOKEN:
        return receive_token(session, body, size);
    case GSSAPI_STEP_AWAIT_CONFIRM:
        /* libzmq's client sends an empty command here and libzmq's server
         * looks no further: neither do we. */
        return ask_zap(session);
    case GSSAPI_STEP_AWAIT_READY:
        return receive_ready(session, body, size);
    case GSSAPI_STEP_FAILED:
        errno = EPROTO;
        return -1;
    default:
        return gssapi_session_fail(session,
                                   ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    }
}

static enum modzmq_mechanism_status status(modzmq_mechanism_session *session)
{
    return session->step == GSSAPI_STEP_DONE ? MODZMQ_MECHANISM_READY
                                             : MODZMQ_MECHANISM_HANDSHAKING;
}

static void zap_accepted(modzmq_mechanism_session *session)
{
    if (session->step == GSSAPI_STEP_AWAIT_ZAP)
        session->step = GSSAPI_STEP_SEND_READY;
}

const struct modzmq_mechanism_ops gssapi_mechanism_ops = {
    .size = sizeof(struct modzmq_mechanism_ops),
    .session_new = session_new,
    .session_free = session_free,
    .next_command = next_command,
    .process_command = process_command,
    .status = status,
    .zap_accepted = zap_accepted,
    .encode = gssapi_protect_encode,
    .decode = gssapi_protect_decode,
};
