/*
 * PLAIN, client side (RFC 24): HELLO with the username and password,
 * WELCOME back, INITIATE with our metadata, READY with the server's.
 */
#include "plain.h"

#include <errno.h>
#include <string.h>

#include "zmq.h"

/* Reads a credential option into buffer (at most 255 bytes, as the option
 * store allows); its length, or -1 with errno. */
static int read_credential(modzmq_connection *connection, int option,
                           char *buffer, size_t capacity)
{
    size_t size = capacity;
    if (plain_services->connection_option(connection, option, buffer, &size) <
        0)
        return -1;
    /* Strings read back with their NUL. */
    size_t length = strnlen(buffer, size);
    return length > 255 ? -1 : (int) length;
}

static int write_hello(struct modzmq_mechanism_session *s, modzmq_msg *command)
{
    char username[256], password[256];
    int username_size = read_credential(s->connection, ZMQ_PLAIN_USERNAME,
                                        username, sizeof username);
    int password_size = read_credential(s->connection, ZMQ_PLAIN_PASSWORD,
                                        password, sizeof password);
    if (username_size < 0 || password_size < 0)
        return -1;
    uint8_t data[2 + 255 + 255];
    size_t n = 0;
    data[n++] = (uint8_t) username_size;
    memcpy(data + n, username, (size_t) username_size);
    n += (size_t) username_size;
    data[n++] = (uint8_t) password_size;
    memcpy(data + n, password, (size_t) password_size);
    n += (size_t) password_size;
    return plain_command_write(command, "HELLO", data, n, NULL);
}

int plain_client_next(struct modzmq_mechanism_session *s, modzmq_msg *command)
{
    switch (s->state) {
    case PLAIN_SEND_HELLO:
        if (write_hello(s, command) < 0)
            return -1;
        s->state = PLAIN_WAIT_WELCOME;
        return 0;
    case PLAIN_SEND_INITIATE:
        if (plain_command_write(command, "INITIATE", NULL, 0, s->connection) <
            0)
            return -1;
        s->state = PLAIN_WAIT_READY;
        return 0;
    default:
        errno = EAGAIN;
        return -1;
    }
}

int plain_client_process(struct modzmq_mechanism_session *s,
                         modzmq_msg *command)
{
    const uint8_t *body = plain_services->msg_data(command);
    size_t size = plain_services->msg_size(command);
    const uint8_t *data;
    size_t data_size;
    if (s->state == PLAIN_WAIT_WELCOME &&
        plain_command_is(body, size, "WELCOME", &data, &data_size)) {
        if (data_size != 0)
            return plain_refuse(
                s->connection,
                ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_WELCOME);
        s->state = PLAIN_SEND_INITIATE;
        return 0;
    }
    if (s->state == PLAIN_WAIT_READY &&
        plain_command_is(body, size, "READY", &data, &data_size)) {
        /* The core records a bad block itself. */
        if (plain_services->metadata_read(s->connection, data, data_size) < 0)
            return -1;
        s->state = PLAIN_DONE;
        return 0;
    }
    return plain_refuse(s->connection,
                        ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
}
