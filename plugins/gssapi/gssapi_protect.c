/*
 * The protection of traffic once the handshake is done: unless
 * ZMQ_GSSAPI_PLAINTEXT, every frame, in either direction, is a MESSAGE
 * whose wrap token holds a flags octet and the part (gssapi_wire.h). The
 * frame itself carries no flags: more and command travel inside the
 * token, as libzmq 4.3 does it.
 */
#include "gssapi_session.h"
#include "gssapi_wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

/* Parts up to this size reuse the session's scratch buffer; a larger one
 * gets a buffer of its own that is given back after it. */
#define SCRATCH_KEPT (64 * 1024)

uint8_t *gssapi_protect_scratch(struct modzmq_mechanism_session *session,
                                size_t size)
{
    if (size <= session->scratch_size)
        return session->scratch;
    uint8_t *bigger = realloc(session->scratch, size);
    if (bigger == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    session->scratch = bigger;
    session->scratch_size = size;
    return bigger;
}

/* Gives back a scratch buffer that grew large for one big part. */
static void trim_scratch(struct modzmq_mechanism_session *session)
{
    if (session->scratch_size <= SCRATCH_KEPT)
        return;
    free(session->scratch);
    session->scratch = NULL;
    session->scratch_size = 0;
}

int gssapi_protect_wrap(struct modzmq_mechanism_session *session,
                        const uint8_t *plain, size_t size, modzmq_msg *msg)
{
    const struct modzmq_core_services *core = gssapi_services;
    gss_buffer_desc token = GSS_C_EMPTY_BUFFER;
    enum gssapi_result result =
        gssapi_context_wrap(&session->context, plain, size, &token);
    trim_scratch(session);
    if (result != GSSAPI_OK) {
        errno = EPROTO;
        return -1;
    }
    /* The token's length travels in four octets. */
    if (token.length > UINT32_MAX) {
        gssapi_context_release(&token);
        errno = EMSGSIZE;
        return -1;
    }
    if (core->msg_resize(msg, GSSAPI_MESSAGE_HEADER_SIZE + token.length) != 0) {
        gssapi_context_release(&token);
        return -1;
    }
    uint8_t *out = core->msg_data(msg);
    gssapi_wire_message_header(out, token.length);
    memcpy(out + GSSAPI_MESSAGE_HEADER_SIZE, token.value, token.length);
    gssapi_context_release(&token);
    return 0;
}

int gssapi_protect_unwrap(struct modzmq_mechanism_session *session,
                          const uint8_t *body, size_t size,
                          gss_buffer_desc *plain)
{
    const uint8_t *token;
    size_t token_size;
    int code = gssapi_wire_parse_message(body, size, &token, &token_size);
    if (code != 0)
        return gssapi_session_fail(session, code);
    if (gssapi_context_unwrap(&session->context, token, token_size, plain) !=
        GSSAPI_OK)
        return gssapi_session_fail(session,
                                   ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    /* Not even the flags octet: nothing a peer of ours would wrap. */
    if (plain->length == 0) {
        gssapi_context_release(plain);
        return gssapi_session_fail(
            session, ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE);
    }
    return 0;
}

int gssapi_protect_encode(struct modzmq_mechanism_session *session,
                          modzmq_msg *part)
{
    if (!session->encrypt)
        return 0;
    const struct modzmq_core_services *core = gssapi_services;
    unsigned msg_flags = core->msg_flags(part);
    unsigned flags = 0;
    if (msg_flags & MODZMQ_MSG_MORE)
        flags |= GSSAPI_WRAPPED_MORE;
    if (msg_flags & MODZMQ_MSG_COMMAND)
        flags |= GSSAPI_WRAPPED_COMMAND;
    /* The flags octet goes in front of the part, in a copy; the message
     * then receives the MESSAGE. */
    size_t size = core->msg_size(part);
    uint8_t *plain = gssapi_protect_scratch(session, size + 1);
    if (plain == NULL)
        return -1;
    plain[0] = (uint8_t) flags;
    if (size > 0)
        memcpy(plain + 1, core->msg_data(part), size);
    if (gssapi_protect_wrap(session, plain, size + 1, part) != 0)
        return -1;
    core->msg_set_flags(part, 0);
    return 0;
}

int gssapi_protect_decode(struct modzmq_mechanism_session *session,
                          modzmq_msg *frame)
{
    if (!session->encrypt)
        return 0;
    const struct modzmq_core_services *core = gssapi_services;
    gss_buffer_desc plain = GSS_C_EMPTY_BUFFER;
    if (gssapi_protect_unwrap(session, core->msg_data(frame),
                              core->msg_size(frame), &plain) != 0)
        return -1;
    const uint8_t *bytes = plain.value;
    unsigned flags = 0;
    if (bytes[0] & GSSAPI_WRAPPED_MORE)
        flags |= MODZMQ_MSG_MORE;
    if (bytes[0] & GSSAPI_WRAPPED_COMMAND)
        flags |= MODZMQ_MSG_COMMAND;
    size_t size = plain.length - 1;
    if (core->msg_resize(frame, size) != 0) {
        gssapi_context_release(&plain);
        return -1;
    }
    if (size > 0)
        memcpy(core->msg_data(frame), bytes + 1, size);
    core->msg_set_flags(frame, flags);
    gssapi_context_release(&plain);
    return 0;
}
