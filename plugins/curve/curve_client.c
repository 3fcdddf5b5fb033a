/*
 * curve plugin: the client's half of the handshake (RFC 26). It sends
 * HELLO, opens the server's WELCOME, sends INITIATE with its vouch and
 * metadata, and opens READY. Rejections carry the protocol error libzmq
 * 4.3 reports for the same input.
 */
#include "curve_session.h"

#include <zmq.h>

#include <errno.h>
#include <string.h>

enum {
    HELLO_SIZE = 200,
    HELLO_KEY_AT = 80, /* after name, version and 72 octets of padding */
    HELLO_NONCE_AT = 112,
    HELLO_BOX_AT = 120,
    HELLO_SIGNATURE_SIZE = 64, /* zeros, boxed */
    WELCOME_SIZE = 168,
    WELCOME_NONCE_AT = 8,
    WELCOME_BOX_AT = 24,
    WELCOME_PLAIN_SIZE = CURVE_KEY_SIZE + CURVE_COOKIE_SIZE,
    INITIATE_COOKIE_AT = 9,
    INITIATE_NONCE_AT = 105,
    INITIATE_BOX_AT = 113,
    VOUCH_PLAIN_SIZE = 2 * CURVE_KEY_SIZE, /* C', S */
    VOUCH_SIZE = CURVE_LONG_NONCE_SIZE + VOUCH_PLAIN_SIZE + crypto_box_MACBYTES,
    READY_NONCE_AT = 6,
    READY_BOX_AT = 14,
    READY_MIN_SIZE = READY_BOX_AT + crypto_box_MACBYTES,
};

static int send_hello(modzmq_mechanism_session *session, modzmq_msg *command)
{
    if (curve_services->msg_resize(command, HELLO_SIZE) != 0)
        return -1;
    uint8_t *out = curve_services->msg_data(command);
    memset(out, 0, HELLO_SIZE);
    memcpy(out, "\5HELLO\1\0", 8);
    memcpy(out + HELLO_KEY_AT, session->transient_public, CURVE_KEY_SIZE);
    uint64_t counter = session->send_nonce++;
    curve_put_uint64(out + HELLO_NONCE_AT, counter);
    uint8_t nonce[crypto_box_NONCEBYTES];
    curve_short_nonce(nonce, "CurveZMQHELLO---", counter);
    /* Box [64 zeros](C'->S), with the (S, c') key made at session_new. */
    static const uint8_t signature[HELLO_SIGNATURE_SIZE];
    crypto_box_easy_afternm(out + HELLO_BOX_AT, signature, sizeof signature,
                            nonce, session->precomputed);
    session->state = CURVE_CLIENT_EXPECT_WELCOME;
    return 0;
}

/* WELCOME = name, long nonce, Box [S' + cookie](S->C'). A WELCOME of any
 * other size is reported as a box that does not open, as libzmq does. */
static int process_welcome(modzmq_mechanism_session *session,
                           const uint8_t *body, size_t size)
{
    if (size != WELCOME_SIZE)
        return curve_reject(session, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    uint8_t nonce[crypto_box_NONCEBYTES];
    curve_nonce(nonce, "WELCOME-", body + WELCOME_NONCE_AT);
    uint8_t plain[WELCOME_PLAIN_SIZE];
    if (crypto_box_open_easy_afternm(plain, body + WELCOME_BOX_AT,
                                     WELCOME_SIZE - WELCOME_BOX_AT, nonce,
                                     session->precomputed) != 0)
        return curve_reject(session, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    memcpy(session->peer_transient, plain, CURVE_KEY_SIZE);
    memcpy(session->cookie, plain + CURVE_KEY_SIZE, CURVE_COOKIE_SIZE);
    sodium_memzero(plain, sizeof plain);
    /* From here on every box is between the transient keys. */
    if (crypto_box_beforenm(session->precomputed, session->peer_transient,
                            session->transient_secret) != 0)
        return curve_reject(session, ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE);
    session->state = CURVE_CLIENT_SEND_INITIATE;
    return 0;
}

/* INITIATE = name, cookie, short nonce, Box [C + vouch + metadata]
 * (C'->S'), where vouch = long nonce, Box [C' + S](C->S'). The plain
 * text is laid out where its box goes, and sealed in place. */
static int send_initiate(modzmq_mechanism_session *session, modzmq_msg *command)
{
    size_t metadata_size =
        curve_services->metadata_write(session->connection, NULL, 0);
    size_t plain_size = CURVE_KEY_SIZE + VOUCH_SIZE + metadata_size;
    size_t size = INITIATE_BOX_AT + crypto_box_MACBYTES + plain_size;
    if (curve_services->msg_resize(command, size) != 0)
        return -1;
    uint8_t *out = curve_services->msg_data(command);
    memcpy(out, "\10INITIATE", 9);
    memcpy(out + INITIATE_COOKIE_AT, session->cookie, CURVE_COOKIE_SIZE);
    uint64_t counter = session->send_nonce++;
    curve_put_uint64(out + INITIATE_NONCE_AT, counter);

    uint8_t *plain = out + INITIATE_BOX_AT + crypto_box_MACBYTES;
    memcpy(plain, session->public_key, CURVE_KEY_SIZE);
    uint8_t *vouch = plain + CURVE_KEY_SIZE;
    randombytes_buf(vouch, CURVE_LONG_NONCE_SIZE);
    uint8_t vouch_nonce[crypto_box_NONCEBYTES];
    curve_nonce(vouch_nonce, "VOUCH---", vouch);
    uint8_t vouch_plain[VOUCH_PLAIN_SIZE];
    memcpy(vouch_plain, session->transient_public, CURVE_KEY_SIZE);
    memcpy(vouch_plain + CURVE_KEY_SIZE, session->server_key, CURVE_KEY_SIZE);
    if (crypto_box_easy(vouch + CURVE_LONG_NONCE_SIZE, vouch_plain,
                        sizeof vouch_plain, vouch_nonce,
                        session->peer_transient, session->secret_key) != 0) {
        errno = EINVAL; /* our own secret key is unusable */
        return -1;
    }
    curve_services->metadata_write(session->connection, vouch + VOUCH_SIZE,
                                   metadata_size);

    uint8_t nonce[crypto_box_NONCEBYTES];
    curve_short_nonce(nonce, "CurveZMQINITIATE", counter);
    crypto_box_easy_afternm(out + INITIATE_BOX_AT, plain, plain_size, nonce,
                            session->precomputed);
    sodium_memzero(session->cookie, sizeof session->cookie);
    session->state = CURVE_CLIENT_EXPECT_READY;
    return 0;
}

/* READY = name, short nonce, Box [metadata](S'->C'). Its nonce is the
 * first the server sends; every later one must be higher. */
static int process_ready(modzmq_mechanism_session *session, const uint8_t *body,
                         size_t size)
{
    if (size < READY_MIN_SIZE)
        return curve_reject(session,
                            ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY);
    uint64_t counter = curve_get_uint64(body + READY_NONCE_AT);
    uint8_t nonce[crypto_box_NONCEBYTES];
    curve_short_nonce(nonce, "CurveZMQREADY---", counter);
    size_t plain_size = size - READY_MIN_SIZE;
    if (curve_scratch_reserve(session, plain_size + 1) != 0)
        return -1;
    if (crypto_box_open_easy_afternm(session->scratch, body + READY_BOX_AT,
                                     size - READY_BOX_AT, nonce,
                                     session->precomputed) != 0)
        return curve_reject(session, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    session->peer_nonce = counter;
    if (curve_services->metadata_read(session->connection, session->scratch,
                                      plain_size) != 0) {
        session->state = CURVE_FAILED;
        return -1;
    }
    curve_traffic_start(session);
    session->state = CURVE_CONNECTED;
    return 0;
}

int curve_client_next(modzmq_mechanism_session *session, modzmq_msg *command)
{
    switch (session->state) {
    case CURVE_CLIENT_SEND_HELLO:
        return send_hello(session, command);
    case CURVE_CLIENT_SEND_INITIATE:
        return send_initiate(session, command);
    default:
        errno = EAGAIN;
        return -1;
    }
}

int curve_client_process(modzmq_mechanism_session *session, const uint8_t *body,
                         size_t size)
{
    bool welcome = curve_command_is(body, size, "\7WELCOME");
    bool ready = curve_command_is(body, size, "\5READY");
    if (session->state == CURVE_CLIENT_EXPECT_WELCOME && welcome)
        return process_welcome(session, body, size);
    if (session->state == CURVE_CLIENT_EXPECT_READY && ready)
        return process_ready(session, body, size);
    /* READY before WELCOME: there is no key to open it with yet, and
     * libzmq reports it as a box that does not open. */
    if (session->state == CURVE_CLIENT_EXPECT_WELCOME && ready)
        return curve_reject(session, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    return curve_reject(session, ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
}
