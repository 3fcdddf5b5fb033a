/*
 * The GSSAPI mechanism's command bodies as libzmq 4.3 lays them out (RFC
 * 38 leaves the layout to the implementation, so libzmq's is the wire
 * format peers expect):
 *
 *   INITIATE  "\x08INITIATE", a 4-octet big-endian token length, the
 *             GSS-API context token; sent both ways until the context is
 *             established
 *   READY     "\x05READY" and the metadata properties, as in RFC 23
 *   MESSAGE   "\x07MESSAGE", a 4-octet big-endian length, a gss_wrap
 *             token whose plaintext is one flags octet (1: more, 2:
 *             command) and the part's bytes; carries every frame after
 *             the handshake, and the READY commands, unless PLAINTEXT
 *
 * After the last INITIATE from the server the client sends one empty
 * command (no name at all), which the server waits for before it asks ZAP
 * and sends READY.
 *
 * This file only lays out and checks bytes; the GSS-API calls are in
 * gssapi_security.c. Parsers return 0, or the ZMQ_PROTOCOL_ERROR_* code
 * libzmq reports for the same defect.
 */
#ifndef GSSAPI_WIRE_H
#define GSSAPI_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define GSSAPI_READY_NAME "\x05READY"
#define GSSAPI_READY_NAME_SIZE 6
#define GSSAPI_INITIATE_HEADER_SIZE (9 + 4)
#define GSSAPI_MESSAGE_HEADER_SIZE (8 + 4)

/* The flags octet in front of a wrapped part. */
#define GSSAPI_WRAPPED_MORE 0x01u
#define GSSAPI_WRAPPED_COMMAND 0x02u

/* Writes the INITIATE or MESSAGE header for a token of token_size bytes
 * into out, which holds GSSAPI_*_HEADER_SIZE bytes; the token follows. */
void gssapi_wire_initiate_header(uint8_t *out, size_t token_size);
void gssapi_wire_message_header(uint8_t *out, size_t token_size);

/* Finds the token of an INITIATE body. */
int gssapi_wire_parse_initiate(const uint8_t *body, size_t size,
                               const uint8_t **token, size_t *token_size);

/* Finds the wrap token of a MESSAGE body. */
int gssapi_wire_parse_message(const uint8_t *body, size_t size,
                              const uint8_t **token, size_t *token_size);

/* Finds the metadata of a READY body. */
int gssapi_wire_parse_ready(const uint8_t *body, size_t size,
                            const uint8_t **metadata, size_t *metadata_size);

#endif
