/*
 * curve plugin: MESSAGE commands, the traffic after the handshake. Each
 * message part (and each ZMTP command the core sends, such as PING or
 * SUBSCRIBE) becomes one frame "\7MESSAGE", short nonce, Box [flags +
 * data]; the flags octet inside the box carries MORE (bit 0) and COMMAND
 * (bit 1), and the frame itself goes out as a plain final data frame, as
 * libzmq 4.3 sends it.
 *
 * The boxes are crypto_box's XSalsa20-Poly1305 under the transient
 * shared key. Of the 24-octet nonce, the first 16 octets are the same
 * for every message one way ("CurveZMQMESSAGEC" or "...S"), so the
 * HSalsa20 step that XSalsa20 takes on them is done once per direction
 * (curve_traffic_start) and each message runs only Salsa20 on its short
 * nonce and Poly1305: the same bytes as crypto_box_easy_afternm, without
 * repeating the key derivation per message.
 */
#include "curve_session.h"

#include <zmq.h>

#include <errno.h>
#include <string.h>

enum {
    MESSAGE_NONCE_AT = 8,
    PART_FLAGS = MODZMQ_MSG_MORE | MODZMQ_MSG_COMMAND,
    /* Salsa20's first block: the Poly1305 key, then the keystream for
     * the first 32 octets of the text. */
    FIRST_BLOCK = 64,
    POLY_KEY = crypto_onetimeauth_poly1305_KEYBYTES,
};

void curve_traffic_start(modzmq_mechanism_session *session)
{
    crypto_core_hsalsa20(session->send_key,
                         (const uint8_t *) session->send_prefix,
                         session->precomputed, NULL);
    crypto_core_hsalsa20(session->receive_key,
                         (const uint8_t *) session->receive_prefix,
                         session->precomputed, NULL);
}

/* text XOR the keystream from octet 32 of block 0 on, into out. */
static void stream_xor(uint8_t *out, const uint8_t *text, size_t size,
                       const uint8_t *first_block, const uint8_t *nonce,
                       const uint8_t *key)
{
    size_t head = size < FIRST_BLOCK - POLY_KEY ? size : FIRST_BLOCK - POLY_KEY;
    for (size_t i = 0; i < head; i++)
        out[i] = text[i] ^ first_block[POLY_KEY + i];
    if (size > head)
        crypto_stream_salsa20_xor_ic(out + head, text + head, size - head,
                                     nonce, 1, key);
}

/* Box [plain] into out: the 16-octet MAC, then the cipher text. */
static void seal(uint8_t *out, const uint8_t *plain, size_t size,
                 const uint8_t *nonce, const uint8_t *key)
{
    uint8_t first_block[FIRST_BLOCK];
    crypto_stream_salsa20(first_block, sizeof first_block, nonce, key);
    stream_xor(out + crypto_box_MACBYTES, plain, size, first_block, nonce, key);
    crypto_onetimeauth_poly1305(out, out + crypto_box_MACBYTES, size,
                                first_block);
    sodium_memzero(first_block, sizeof first_block);
}

/* Opens a box of box_size octets (MAC included) into plain; -1 when the
 * MAC does not match, and then plain is untouched. */
static int open_box(uint8_t *plain, const uint8_t *box, size_t box_size,
                    const uint8_t *nonce, const uint8_t *key)
{
    uint8_t first_block[FIRST_BLOCK];
    crypto_stream_salsa20(first_block, sizeof first_block, nonce, key);
    size_t size = box_size - crypto_box_MACBYTES;
    int rc = crypto_onetimeauth_poly1305_verify(box, box + crypto_box_MACBYTES,
                                                size, first_block);
    if (rc == 0)
        stream_xor(plain, box + crypto_box_MACBYTES, size, first_block, nonce,
                   key);
    sodium_memzero(first_block, sizeof first_block);
    return rc;
}

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
    curve_put_uint64(out + MESSAGE_NONCE_AT, session->send_nonce++);
    seal(out + CURVE_MESSAGE_HEADER, session->scratch, plain_size,
         out + MESSAGE_NONCE_AT, session->send_key);
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
    if (open_box(session->scratch, in + CURVE_MESSAGE_HEADER, box_size,
                 in + MESSAGE_NONCE_AT, session->receive_key) != 0)
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
