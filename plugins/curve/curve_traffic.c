/*
 * curve plugin: MESSAGE commands, the traffic after the handshake. Each
 * message part (and each ZMTP command the core sends, such as PING or
 * SUBSCRIBE) becomes one frame "\7MESSAGE", short nonce, Box [flags +
 * data]; the flags octet inside the box carries MORE (bit 0) and COMMAND
 * (bit 1), and the frame itself goes out as a plain final data frame, as
 * libzmq 4.3 sends it.
 */
#include "curve_session.h"

#include <zmq.h>

#include <errno.h>
#include <string.h>

enum {
    MESSAGE_NONCE_AT = 8,
    PART_FLAGS = MODZMQ_MSG_MORE | MODZMQ_MSG_COMMAND,
};

int curve_encode(modzmq_mechanism_session *session, modzmq_msg *part)
{
    size_t size = curve_services->msg_size(part);
    size_t plain_size = 1 + size;
    /* The part's body is released when it is resized, so its plain text
     * waits in the scratch buffer. */
    if (curve_scratch_reserve(session, plain_size) != 0)
        return -1;
    session->scratch[0] =
        (uint8_t) (curve_services->msg_flags(part) & PART_FLAGS);
    if (size > 0)
        memcpy(session->scratch + 1, curve_services->msg_data(part), size);
    if (curve_services->msg_resize(
            part, CURVE_MESSAGE_HEADER + crypto_box_MACBYTES + plain_size) != 0)
        return -1;
    uint8_t *out = curve_services->msg_data(part);
    memcpy(out, "\7MESSAGE", 8);
    uint64_t counter = session->send_nonce++;
    curve_put_uint64(out + MESSAGE_NONCE_AT, counter);
    uint8_t nonce[crypto_box_NONCEBYTES];
    curve_short_nonce(nonce, session->send_prefix, counter);
    crypto_box_easy_afternm(out + CURVE_MESSAGE_HEADER, session->scratch,
                            plain_size, nonce, session->precomputed);
    curve_services->msg_set_flags(part, 0);
    return 0;
}

int curve_decode(modzmq_mechanism_session *session, modzmq_msg *frame)
{
    const uint8_t *in = curve_services->msg_data(frame);
    size_t size = curve_services->msg_size(frame);
    if (!curve_command_is(in, size, "\7MESSAGE"))
        return curve_reject(session,
                            ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    if (size < CURVE_MESSAGE_MIN_SIZE)
        return curve_reject(session,
                            ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE);
    uint64_t counter = curve_get_uint64(in + MESSAGE_NONCE_AT);
    if (counter <= session->peer_nonce)
        return curve_reject(session, ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE);
    size_t box_size = size - CURVE_MESSAGE_HEADER;
    size_t plain_size = box_size - crypto_box_MACBYTES;
    if (curve_scratch_reserve(session, plain_size) != 0)
        return -1;
    uint8_t nonce[crypto_box_NONCEBYTES];
    curve_short_nonce(nonce, session->receive_prefix, counter);
    if (crypto_box_open_easy_afternm(session->scratch,
                                     in + CURVE_MESSAGE_HEADER, box_size, nonce,
                                     session->precomputed) != 0)
        return curve_reject(session, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    session->peer_nonce = counter;
    unsigned flags = session->scratch[0] & PART_FLAGS;
    if (curve_services->msg_resize(frame, plain_size - 1) != 0)
        return -1;
    if (plain_size > 1)
        memcpy(curve_services->msg_data(frame), session->scratch + 1,
               plain_size - 1);
    curve_services->msg_set_flags(frame, flags);
    return 0;
}
