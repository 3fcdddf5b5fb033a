/*
 * curve plugin: the mechanism ops that both roles share. A session reads
 * its keys when it is made, hands each handshake step to the client or
 * server half, and wipes every key when it ends.
 */
#include "curve_session.h"

#include <zmq.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char client_message_prefix[] = "CurveZMQMESSAGEC";
static const char server_message_prefix[] = "CurveZMQMESSAGES";

int curve_reject(modzmq_mechanism_session *session, int protocol_error)
{
    curve_services->handshake_error(session->connection, protocol_error);
    session->state = CURVE_FAILED;
    errno = EPROTO;
    return -1;
}

bool curve_command_is(const uint8_t *body, size_t size, const char *name)
{
    size_t length = strlen(name);
    return size >= length && memcmp(body, name, length) == 0;
}

void curve_put_uint64(uint8_t *out, uint64_t value)
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t) value;
        value >>= 8;
    }
}

uint64_t curve_get_uint64(const uint8_t *in)
{
    uint64_t value = 0;
    for (int i = 0; i < 8; i++)
        value = value << 8 | in[i];
    return value;
}

void curve_nonce(uint8_t *nonce, const char *prefix, const uint8_t *rest)
{
    size_t length = strlen(prefix);
    memcpy(nonce, prefix, length);
    memcpy(nonce + length, rest, crypto_box_NONCEBYTES - length);
}

void curve_short_nonce(uint8_t *nonce, const char *prefix, uint64_t counter)
{
    memcpy(nonce, prefix, 16);
    curve_put_uint64(nonce + 16, counter);
}

int curve_scratch_reserve(modzmq_mechanism_session *session, size_t size)
{
    if (size <= session->scratch_size)
        return 0;
    uint8_t *bigger = realloc(session->scratch, size);
    if (bigger == NULL) {
        errno = ENOMEM;
        return -1;
    }
    session->scratch = bigger;
    session->scratch_size = size;
    return 0;
}

/* One 32-octet key option of the connection's socket. */
static int read_key(modzmq_connection *connection, int option, uint8_t *key)
{
    size_t size = CURVE_KEY_SIZE;
    if (curve_services->connection_option(connection, option, key, &size) != 0)
        return -1;
    if (size != CURVE_KEY_SIZE) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

/* A client needs its own pair and the server's key, and makes its
 * transient pair now. The (S, c') key boxes HELLO and opens WELCOME;
 * libsodium refuses to make it when S is no usable key (all zero, as a
 * server key that was never set reads), and so does the session. */
static int client_init(modzmq_mechanism_session *session)
{
    if (read_key(session->connection, ZMQ_CURVE_PUBLICKEY,
                 session->public_key) != 0 ||
        read_key(session->connection, ZMQ_CURVE_SECRETKEY,
                 session->secret_key) != 0 ||
        read_key(session->connection, ZMQ_CURVE_SERVERKEY,
                 session->server_key) != 0)
        return -1;
    crypto_box_keypair(session->transient_public, session->transient_secret);
    if (crypto_box_beforenm(session->precomputed, session->server_key,
                            session->transient_secret) != 0) {
        errno = EINVAL;
        return -1;
    }
    session->state = CURVE_CLIENT_SEND_HELLO;
    session->send_prefix = client_message_prefix;
    session->receive_prefix = server_message_prefix;
    return 0;
}

static int server_init(modzmq_mechanism_session *session)
{
    if (read_key(session->connection, ZMQ_CURVE_SECRETKEY,
                 session->secret_key) != 0)
        return -1;
    session->state = CURVE_SERVER_EXPECT_HELLO;
    session->send_prefix = server_message_prefix;
    session->receive_prefix = client_message_prefix;
    return 0;
}

void curve_session_free(modzmq_mechanism_session *session)
{
    if (session == NULL)
        return;
    if (session->scratch != NULL) {
        sodium_memzero(session->scratch, session->scratch_size);
        free(session->scratch);
    }
    sodium_memzero(session, sizeof *session);
    free(session);
}

int curve_session_new(modzmq_connection *connection, int as_server,
                      modzmq_mechanism_session **out)
{
    modzmq_mechanism_session *session = calloc(1, sizeof *session);
    if (session == NULL) {
        errno = ENOMEM;
        return -1;
    }
    session->connection = connection;
    session->as_server = as_server != 0;
    /* Short nonces start at 1, as libzmq's do; 0 is "none seen yet". */
    session->send_nonce = 1;
    int rc = as_server ? server_init(session) : client_init(session);
    if (rc != 0) {
        int error = errno;
        curve_session_free(session);
        errno = error;
        return -1;
    }
    *out = session;
    return 0;
}

int curve_session_next(modzmq_mechanism_session *session, modzmq_msg *command)
{
    if (session->as_server)
        return curve_server_next(session, command);
    return curve_client_next(session, command);
}

int curve_session_process(modzmq_mechanism_session *session,
                          modzmq_msg *command)
{
    const uint8_t *body = curve_services->msg_data(command);
    size_t size = curve_services->msg_size(command);
    if (session->as_server)
        return curve_server_process(session, body, size);
    return curve_client_process(session, body, size);
}

enum modzmq_mechanism_status
curve_session_status(modzmq_mechanism_session *session)
{
    return session->state == CURVE_CONNECTED ? MODZMQ_MECHANISM_READY
                                             : MODZMQ_MECHANISM_HANDSHAKING;
}

void curve_session_zap_accepted(modzmq_mechanism_session *session)
{
    if (session->state == CURVE_SERVER_EXPECT_ZAP)
        session->state = CURVE_SERVER_SEND_READY;
}
