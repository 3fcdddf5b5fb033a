/*
 * A stand-in for the core's side of a mechanism plugin, for the CURVE
 * unit suite: message parts over a small struct, one connection with its
 * keys and metadata, and a ZAP handler and error recorder the tests can
 * steer and inspect. No sockets: the suite moves commands between two
 * sessions by hand.
 */
#ifndef CURVE_FAKE_CORE_H
#define CURVE_FAKE_CORE_H

#include <modzmq/mechanism.h>

#include "fake_msg.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct modzmq_connection {
    /* What connection_option gives for the CURVE key options. */
    uint8_t public_key[32];
    uint8_t secret_key[32];
    uint8_t server_key[32];
    /* This side's metadata: Socket-Type, and X-Side when set. */
    const char *socket_type;
    const char *side;
    /* When set, metadata_write gives this block as it is (for bad
     * metadata) instead of the properties above. */
    const uint8_t *raw_metadata;
    size_t raw_metadata_size;

    /* What zap_request answers (1, 0, or -1 with zap_errno). */
    int zap_answer;
    int zap_errno;
    int zap_calls;
    char zap_mechanism[16];
    uint8_t zap_key[32];
    size_t zap_key_size;

    /* What metadata_read saw: the peer's Socket-Type and X-Side. */
    int metadata_reads;
    char peer_socket_type[32];
    char peer_side[32];

    /* The last ZMQ_PROTOCOL_ERROR_* handshake_error recorded, 0 none. */
    int protocol_error;
};

/* The services table, valid for the whole process. */
const struct modzmq_core_services *fake_core_services(void);

/* A connection with the given socket type, accepting ZAP at once. */
void fake_connection_init(struct modzmq_connection *connection,
                          const char *socket_type);

void fake_msg_init(struct modzmq_msg *msg);
/* Gives msg a copy of size bytes of data, with flags. */
void fake_msg_set(struct modzmq_msg *msg, const void *data, size_t size,
                  unsigned flags);
void fake_msg_close(struct modzmq_msg *msg);

#endif
