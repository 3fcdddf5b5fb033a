/*
 * curve plugin: the state of one connection's CurveZMQ session (RFC 26
 * carried by ZMTP as RFC 25), shared by the client handshake, the server
 * handshake and the MESSAGE traffic that follows them.
 */
#ifndef CURVE_SESSION_H
#define CURVE_SESSION_H

#include <modzmq/mechanism.h>

#include <sodium.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    CURVE_KEY_SIZE = 32,
    CURVE_LONG_NONCE_SIZE = 16,  /* random, behind an 8-octet prefix */
    CURVE_SHORT_NONCE_SIZE = 8,  /* a counter, behind a 16-octet prefix */
    CURVE_COOKIE_SIZE = 96,      /* long nonce, then Box [C' + s'] */
    CURVE_MESSAGE_HEADER = 16,   /* "\7MESSAGE", then the short nonce */
    CURVE_MESSAGE_MIN_SIZE = 33, /* header, MAC, flags octet */
};

/* Where the handshake stands. A client walks the first four, a server
 * the next five; both end CONNECTED, or FAILED after bad input. */
enum curve_state {
    CURVE_CLIENT_SEND_HELLO,
    CURVE_CLIENT_EXPECT_WELCOME,
    CURVE_CLIENT_SEND_INITIATE,
    CURVE_CLIENT_EXPECT_READY,
    CURVE_SERVER_EXPECT_HELLO,
    CURVE_SERVER_SEND_WELCOME,
    CURVE_SERVER_EXPECT_INITIATE,
    CURVE_SERVER_EXPECT_ZAP,
    CURVE_SERVER_SEND_READY,
    CURVE_CONNECTED,
    CURVE_FAILED
};

struct modzmq_mechanism_session {
    modzmq_connection *connection;
    bool as_server;
    enum curve_state state;

    /* Long-term keys from the socket's options: client C, c and S;
     * server s (its public key S is derived from s when needed). */
    uint8_t public_key[CURVE_KEY_SIZE];
    uint8_t secret_key[CURVE_KEY_SIZE];
    uint8_t server_key[CURVE_KEY_SIZE];

    /* This side's transient pair (client C' and c'; a server keeps
     * neither: s' travels in the cookie), and the peer's transient
     * public key (client S', server C'). */
    uint8_t transient_public[CURVE_KEY_SIZE];
    uint8_t transient_secret[CURVE_KEY_SIZE];
    uint8_t peer_transient[CURVE_KEY_SIZE];

    /* Server between HELLO and INITIATE: the key its cookie is sealed
     * with. Client between WELCOME and INITIATE: the cookie itself. */
    uint8_t cookie_key[crypto_secretbox_KEYBYTES];
    uint8_t cookie[CURVE_COOKIE_SIZE];

    /* The shared key of the pair in use: (S, c') or (C', s) during
     * HELLO and WELCOME, then (S', c') or (C', s') from INITIATE on. */
    uint8_t precomputed[crypto_box_BEFORENMBYTES];

    /* The Salsa20 keys of MESSAGE boxes each way: HSalsa20 of the
     * transient shared key and the direction's fixed 16-octet nonce
     * prefix, made once when traffic starts (curve_traffic.c). */
    uint8_t send_key[crypto_stream_salsa20_KEYBYTES];
    uint8_t receive_key[crypto_stream_salsa20_KEYBYTES];

    /* Short nonces: the next one this side sends, and the last one the
     * peer sent (each must be higher than the one before). */
    uint64_t send_nonce;
    uint64_t peer_nonce;
    const char *send_prefix;    /* "CurveZMQMESSAGEC" or "...S" */
    const char *receive_prefix; /* the other one */

    /* Plain text of the message being encoded or decoded; grows to the
     * largest message seen and lasts as long as the session, so that
     * traffic allocates nothing per message. */
    uint8_t *scratch;
    size_t scratch_size;
};

/* The session ops of the mechanism table (curve.c). */
int curve_session_new(modzmq_connection *connection, int as_server,
                      modzmq_mechanism_session **session);
void curve_session_free(modzmq_mechanism_session *session);
int curve_session_next(modzmq_mechanism_session *session, modzmq_msg *command);
int curve_session_process(modzmq_mechanism_session *session,
                          modzmq_msg *command);
enum modzmq_mechanism_status
curve_session_status(modzmq_mechanism_session *session);
void curve_session_zap_accepted(modzmq_mechanism_session *session);

/* The core's services, from init (curve.c). */
extern const struct modzmq_core_services *curve_services;

/* Records the ZMQ_PROTOCOL_ERROR_* code, marks the session failed and
 * returns -1 with EPROTO: how every rejection of bad input ends. */
int curve_reject(modzmq_mechanism_session *session, int protocol_error);

/* Whether a command body is at least size octets and named name (a
 * length-prefixed name such as "\5HELLO"). */
bool curve_command_is(const uint8_t *body, size_t size, const char *name);

/* The 24-octet nonce: an 8- or 16-octet prefix, then the rest. */
void curve_nonce(uint8_t *nonce, const char *prefix, const uint8_t *rest);
/* The 24-octet nonce: a 16-octet prefix, then counter in network order. */
void curve_short_nonce(uint8_t *nonce, const char *prefix, uint64_t counter);

void curve_put_uint64(uint8_t *out, uint64_t value);
uint64_t curve_get_uint64(const uint8_t *in);

/* Makes the scratch buffer hold at least size octets. 0 or -1 ENOMEM. */
int curve_scratch_reserve(modzmq_mechanism_session *session, size_t size);

/* The handshake of each role (curve_client.c, curve_server.c). */
int curve_client_next(modzmq_mechanism_session *session, modzmq_msg *command);
int curve_client_process(modzmq_mechanism_session *session, const uint8_t *body,
                         size_t size);
int curve_server_next(modzmq_mechanism_session *session, modzmq_msg *command);
int curve_server_process(modzmq_mechanism_session *session, const uint8_t *body,
                         size_t size);

/* MESSAGE traffic after the handshake (curve_traffic.c): start makes
 * the per-direction keys once the transient shared key is final. */
void curve_traffic_start(modzmq_mechanism_session *session);
int curve_encode(modzmq_mechanism_session *session, modzmq_msg *part);
int curve_decode(modzmq_mechanism_session *session, modzmq_msg *frame);

#endif
