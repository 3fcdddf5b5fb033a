/*
 * curve plugin: the server's half of the handshake (RFC 26). It opens
 * HELLO, answers WELCOME with a cookie, opens INITIATE and its vouch,
 * asks ZAP about the client's long-term key, and sends READY.
 *
 * Between WELCOME and INITIATE the server remembers only the client's
 * transient key and the cookie key: its own transient secret s' travels
 * to the client inside the cookie and comes back with INITIATE. As in
 * libzmq, each WELCOME seals its cookie with a fresh random key, which
 * the session forgets as soon as INITIATE has used it; the handshake
 * timeout of the core bounds how long a cookie can be kept.
 *
 * Rejections carry the protocol error libzmq 4.3 reports for the same
 * input.
 */
#include "curve_session.h"

#include <zmq.h>

#include <errno.h>
#include <string.h>

enum {
    HELLO_SIZE = 200,
    HELLO_KEY_AT = 80,
    HELLO_NONCE_AT = 112,
    HELLO_BOX_AT = 120,
    HELLO_SIGNATURE_SIZE = 64,
    WELCOME_SIZE = 168,
    WELCOME_NONCE_AT = 8,
    WELCOME_BOX_AT = 24,
    WELCOME_PLAIN_SIZE = CURVE_KEY_SIZE + CURVE_COOKIE_SIZE,
    COOKIE_PLAIN_SIZE = 2 * CURVE_KEY_SIZE, /* C', s' */
    INITIATE_COOKIE_AT = 9,
    INITIATE_NONCE_AT = 105,
    INITIATE_BOX_AT = 113,
    VOUCH_AT = CURVE_KEY_SIZE, /* in the INITIATE plain text */
    VOUCH_PLAIN_SIZE = 2 * CURVE_KEY_SIZE,
    VOUCH_SIZE = CURVE_LONG_NONCE_SIZE + VOUCH_PLAIN_SIZE + crypto_box_MACBYTES,
    METADATA_AT = VOUCH_AT + VOUCH_SIZE,
    INITIATE_MIN_SIZE = INITIATE_BOX_AT + crypto_box_MACBYTES + METADATA_AT,
    READY_NONCE_AT = 6,
    READY_BOX_AT = 14,
};

/* HELLO = name, version 1.0, 72 zeros, C', short nonce,
 * Box [64 zeros](C'->S). */
static int process_hello(modzmq_mechanism_session *session, const uint8_t *body,
                         size_t size)
{
    if (size <= 1 || size <= body[0])
        return curve_reject(
            session, ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED);
    if (!curve_command_is(body, size, "\5HELLO"))
        return curve_reject(session,
                            ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    if (size != HELLO_SIZE || body[6] != 1 || body[7] != 0)
        return curve_reject(session,
                            ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
    memcpy(session->peer_transient, body + HELLO_KEY_AT, CURVE_KEY_SIZE);
    /* The (C', s) key opens HELLO and seals WELCOME. */
    if (crypto_box_beforenm(session->precomputed, session->peer_transient,
                            session->secret_key) != 0)
        return curve_reject(session, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    uint64_t counter = curve_get_uint64(body + HELLO_NONCE_AT);
    uint8_t nonce[crypto_box_NONCEBYTES];
    curve_short_nonce(nonce, "CurveZMQHELLO---", counter);
    uint8_t signature[HELLO_SIGNATURE_SIZE];
    if (crypto_box_open_easy_afternm(signature, body + HELLO_BOX_AT,
                                     HELLO_SIZE - HELLO_BOX_AT, nonce,
                                     session->precomputed) != 0)
        return curve_reject(session, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    session->peer_nonce = counter;
    session->state = CURVE_SERVER_SEND_WELCOME;
    return 0;
}

/* WELCOME = name, long nonce, Box [S' + cookie](S->C'), where cookie =
 * long nonce, Box [C' + s'](K) with a fresh cookie key K. The transient
 * pair is made here and forgotten before returning. */
static int send_welcome(modzmq_mechanism_session *session, modzmq_msg *command)
{
    if (curve_services->msg_resize(command, WELCOME_SIZE) != 0)
        return -1;
    uint8_t *out = curve_services->msg_data(command);
    memcpy(out, "\7WELCOME", 8);
    randombytes_buf(out + WELCOME_NONCE_AT, CURVE_LONG_NONCE_SIZE);

    uint8_t *plain = out + WELCOME_BOX_AT + crypto_box_MACBYTES;
    uint8_t cookie_plain[COOKIE_PLAIN_SIZE];
    memcpy(cookie_plain, session->peer_transient, CURVE_KEY_SIZE);
    crypto_box_keypair(plain, cookie_plain + CURVE_KEY_SIZE);

    uint8_t *cookie = plain + CURVE_KEY_SIZE;
    randombytes_buf(cookie, CURVE_LONG_NONCE_SIZE);
    uint8_t cookie_nonce[crypto_secretbox_NONCEBYTES];
    curve_nonce(cookie_nonce, "COOKIE--", cookie);
    crypto_secretbox_keygen(session->cookie_key);
    crypto_secretbox_easy(cookie + CURVE_LONG_NONCE_SIZE, cookie_plain,
                          sizeof cookie_plain, cookie_nonce,
                          session->cookie_key);
    sodium_memzero(cookie_plain, sizeof cookie_plain);

    uint8_t nonce[crypto_box_NONCEBYTES];
    curve_nonce(nonce, "WELCOME-", out + WELCOME_NONCE_AT);
    crypto_box_easy_afternm(out + WELCOME_BOX_AT, plain, WELCOME_PLAIN_SIZE,
                            nonce, session->precomputed);
    sodium_memzero(session->precomputed, sizeof session->precomputed);
    session->state = CURVE_SERVER_EXPECT_INITIATE;
    return 0;
}

/* Opens the cookie with the key only this session knows, checks it was
 * made for this client's C', and recovers s' into transient_secret. The
 * cookie key is spent either way. */
static int open_cookie(modzmq_mechanism_session *session, const uint8_t *cookie)
{
    uint8_t nonce[crypto_secretbox_NONCEBYTES];
    curve_nonce(nonce, "COOKIE--", cookie);
    uint8_t plain[COOKIE_PLAIN_SIZE];
    int rc = crypto_secretbox_open_easy(
        plain, cookie + CURVE_LONG_NONCE_SIZE,
        CURVE_COOKIE_SIZE - CURVE_LONG_NONCE_SIZE, nonce, session->cookie_key);
    sodium_memzero(session->cookie_key, sizeof session->cookie_key);
    if (rc != 0 ||
        sodium_memcmp(plain, session->peer_transient, CURVE_KEY_SIZE) != 0) {
        sodium_memzero(plain, sizeof plain);
        return -1;
    }
    memcpy(session->transient_secret, plain + CURVE_KEY_SIZE, CURVE_KEY_SIZE);
    sodium_memzero(plain, sizeof plain);
    return 0;
}

/* The vouch proves that the owner of C made C' for this server S. */
static int check_vouch(modzmq_mechanism_session *session,
                       const uint8_t *client_key, const uint8_t *vouch)
{
    uint8_t nonce[crypto_box_NONCEBYTES];
    curve_nonce(nonce, "VOUCH---", vouch);
    uint8_t plain[VOUCH_PLAIN_SIZE];
    if (crypto_box_open_easy(plain, vouch + CURVE_LONG_NONCE_SIZE,
                             VOUCH_SIZE - CURVE_LONG_NONCE_SIZE, nonce,
                             client_key, session->transient_secret) != 0)
        return curve_reject(session, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    uint8_t server_public[CURVE_KEY_SIZE];
    crypto_scalarmult_base(server_public, session->secret_key);
    if (sodium_memcmp(plain, session->peer_transient, CURVE_KEY_SIZE) != 0 ||
        sodium_memcmp(plain + CURVE_KEY_SIZE, server_public, CURVE_KEY_SIZE) !=
            0)
        return curve_reject(session, ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE);
    return 0;
}

/* Hands the client's long-term key to ZAP (RFC 27). */
static int ask_zap(modzmq_mechanism_session *session, const uint8_t *client_key)
{
    const uint8_t *credentials[1] = { client_key };
    const size_t sizes[1] = { CURVE_KEY_SIZE };
    int rc = curve_services->zap_request(session->connection, "CURVE",
                                         credentials, sizes, 1);
    if (rc < 0) {
        session->state = CURVE_FAILED;
        return -1;
    }
    session->state =
        rc == 1 ? CURVE_SERVER_SEND_READY : CURVE_SERVER_EXPECT_ZAP;
    return 0;
}

/* INITIATE = name, cookie, short nonce, Box [C + vouch + metadata]
 * (C'->S'). */
static int process_initiate(modzmq_mechanism_session *session,
                            const uint8_t *body, size_t size)
{
    if (size <= 1 || size <= body[0])
        return curve_reject(
            session, ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED);
    if (!curve_command_is(body, size, "\10INITIATE"))
        return curve_reject(session,
                            ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    if (size < INITIATE_MIN_SIZE)
        return curve_reject(session,
                            ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE);
    if (open_cookie(session, body + INITIATE_COOKIE_AT) != 0)
        return curve_reject(session, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    uint64_t counter = curve_get_uint64(body + INITIATE_NONCE_AT);
    if (counter <= session->peer_nonce)
        return curve_reject(session, ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE);

    /* The (C', s') key opens INITIATE and serves the rest. */
    if (crypto_box_beforenm(session->precomputed, session->peer_transient,
                            session->transient_secret) != 0)
        return curve_reject(session, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    size_t plain_size = size - INITIATE_BOX_AT - crypto_box_MACBYTES;
    if (curve_scratch_reserve(session, plain_size) != 0)
        return -1;
    uint8_t nonce[crypto_box_NONCEBYTES];
    curve_short_nonce(nonce, "CurveZMQINITIATE", counter);
    uint8_t *plain = session->scratch;
    if (crypto_box_open_easy_afternm(plain, body + INITIATE_BOX_AT,
                                     size - INITIATE_BOX_AT, nonce,
                                     session->precomputed) != 0)
        return curve_reject(session, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    session->peer_nonce = counter;

    int rc = check_vouch(session, plain, plain + VOUCH_AT);
    sodium_memzero(session->transient_secret, CURVE_KEY_SIZE);
    if (rc != 0)
        return -1;
    if (curve_services->metadata_read(session->connection, plain + METADATA_AT,
                                      plain_size - METADATA_AT) != 0) {
        session->state = CURVE_FAILED;
        return -1;
    }
    return ask_zap(session, plain);
}

/* READY = name, short nonce, Box [metadata](S'->C'), sealed in place. */
static int send_ready(modzmq_mechanism_session *session, modzmq_msg *command)
{
    size_t metadata_size =
        curve_services->metadata_write(session->connection, NULL, 0);
    size_t size = READY_BOX_AT + crypto_box_MACBYTES + metadata_size;
    if (curve_services->msg_resize(command, size) != 0)
        return -1;
    uint8_t *out = curve_services->msg_data(command);
    memcpy(out, "\5READY", 6);
    uint64_t counter = session->send_nonce++;
    curve_put_uint64(out + READY_NONCE_AT, counter);
    uint8_t *plain = out + READY_BOX_AT + crypto_box_MACBYTES;
    curve_services->metadata_write(session->connection, plain, metadata_size);
    uint8_t nonce[crypto_box_NONCEBYTES];
    curve_short_nonce(nonce, "CurveZMQREADY---", counter);
    crypto_box_easy_afternm(out + READY_BOX_AT, plain, metadata_size, nonce,
                            session->precomputed);
    curve_traffic_start(session);
    session->state = CURVE_CONNECTED;
    return 0;
}

int curve_server_next(modzmq_mechanism_session *session, modzmq_msg *command)
{
    switch (session->state) {
    case CURVE_SERVER_SEND_WELCOME:
        return send_welcome(session, command);
    case CURVE_SERVER_SEND_READY:
        return send_ready(session, command);
    default:
        errno = EAGAIN;
        return -1;
    }
}

int curve_server_process(modzmq_mechanism_session *session, const uint8_t *body,
                         size_t size)
{
    switch (session->state) {
    case CURVE_SERVER_EXPECT_HELLO:
        return process_hello(session, body, size);
    case CURVE_SERVER_EXPECT_INITIATE:
        return process_initiate(session, body, size);
    default:
        /* A command while this side has one to send or waits for ZAP:
         * libzmq reports it unspecified. */
        return curve_reject(session, ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED);
    }
}
