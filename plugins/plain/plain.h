/*
 * The PLAIN mechanism (RFC 24), shared between its two roles: the session
 * both roles use, the command helpers, and the core's services.
 */
#ifndef PLAIN_H
#define PLAIN_H

#include <modzmq/mechanism.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a handshake stands, client and server states together. */
enum plain_state {
    /* client */
    PLAIN_SEND_HELLO,
    PLAIN_WAIT_WELCOME,
    PLAIN_SEND_INITIATE,
    PLAIN_WAIT_READY,
    /* server */
    PLAIN_WAIT_HELLO,
    PLAIN_WAIT_ZAP,
    PLAIN_SEND_WELCOME,
    PLAIN_WAIT_INITIATE,
    PLAIN_SEND_READY,
    /* both */
    PLAIN_DONE
};

struct modzmq_mechanism_session {
    modzmq_connection *connection;
    bool as_server;
    enum plain_state state;
};

/* What the core gave init. */
extern const struct modzmq_core_services *plain_services;

/* Whether a command body is the command called name (e.g. "HELLO"); on
 * true, *data and *size are what follows the name. */
bool plain_command_is(const uint8_t *body, size_t body_size, const char *name,
                      const uint8_t **data, size_t *size);

/* Writes a command into command: name, data (data_size bytes), then, when
 * metadata_of is not NULL, that connection's property block. 0 or -1 with
 * errno. */
int plain_command_write(modzmq_msg *command, const char *name,
                        const uint8_t *data, size_t data_size,
                        modzmq_connection *metadata_of);

/* Fails a command: records the protocol error, EPROTO. Returns -1. */
int plain_refuse(modzmq_connection *connection, int protocol_error);

int plain_client_next(struct modzmq_mechanism_session *s, modzmq_msg *command);
int plain_client_process(struct modzmq_mechanism_session *s,
                         modzmq_msg *command);
int plain_server_next(struct modzmq_mechanism_session *s, modzmq_msg *command);
int plain_server_process(struct modzmq_mechanism_session *s,
                         modzmq_msg *command);

#endif
