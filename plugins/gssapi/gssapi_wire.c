/*
 * Laying out and checking the GSSAPI mechanism's command bodies; see
 * gssapi_wire.h for the layouts. The checks run in libzmq's order so that
 * a defect gets the same protocol error code from both.
 */
#include "gssapi_wire.h"

#include <string.h>
#include <zmq.h>

static const char initiate_name[] = "\x08INITIATE";
static const char message_name[] = "\x07MESSAGE";

static void put_length(uint8_t *out, size_t length)
{
    out[0] = (uint8_t) (length >> 24);
    out[1] = (uint8_t) (length >> 16);
    out[2] = (uint8_t) (length >> 8);
    out[3] = (uint8_t) length;
}

static size_t get_length(const uint8_t *in)
{
    return (size_t) in[0] << 24 | (size_t) in[1] << 16 | (size_t) in[2] << 8 |
           in[3];
}

void gssapi_wire_initiate_header(uint8_t *out, size_t token_size)
{
    memcpy(out, initiate_name, 9);
    put_length(out + 9, token_size);
}

void gssapi_wire_message_header(uint8_t *out, size_t token_size)
{
    memcpy(out, message_name, 8);
    put_length(out + 8, token_size);
}

/* A command body holds at least its name's length octet and the name (the
 * check libzmq makes before it looks at the name). */
static int check_command_shape(const uint8_t *body, size_t size)
{
    if (size <= 1 || size <= body[0])
        return ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED;
    return 0;
}

static int check_name(const uint8_t *body, size_t size, const char *name,
                      size_t name_size)
{
    int error = check_command_shape(body, size);
    if (error != 0)
        return error;
    if (size < name_size || memcmp(body, name, name_size) != 0)
        return ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND;
    return 0;
}

/* The common layout of INITIATE and MESSAGE: name, length, token, with
 * the token filling the rest of the body exactly. */
static int parse_sized_token(const uint8_t *body, size_t size, const char *name,
                             size_t name_size, int malformed,
                             const uint8_t **token, size_t *token_size)
{
    int error = check_name(body, size, name, name_size);
    if (error != 0)
        return error;
    if (size - name_size < 4)
        return malformed;
    size_t length = get_length(body + name_size);
    if (length != size - name_size - 4)
        return malformed;
    *token = body + name_size + 4;
    *token_size = length;
    return 0;
}

int gssapi_wire_parse_initiate(const uint8_t *body, size_t size,
                               const uint8_t **token, size_t *token_size)
{
    return parse_sized_token(body, size, initiate_name, 9,
                             ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE,
                             token, token_size);
}

int gssapi_wire_parse_message(const uint8_t *body, size_t size,
                              const uint8_t **token, size_t *token_size)
{
    return parse_sized_token(body, size, message_name, 8,
                             ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE,
                             token, token_size);
}

int gssapi_wire_parse_ready(const uint8_t *body, size_t size,
                            const uint8_t **metadata, size_t *metadata_size)
{
    int error =
        check_name(body, size, GSSAPI_READY_NAME, GSSAPI_READY_NAME_SIZE);
    if (error != 0)
        return error;
    *metadata = body + GSSAPI_READY_NAME_SIZE;
    *metadata_size = size - GSSAPI_READY_NAME_SIZE;
    return 0;
}
