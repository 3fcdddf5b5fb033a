/*
 * PLAIN, server side (RFC 24): reads HELLO, asks ZAP about the username
 * and password (a ZAP handler is required), sends WELCOME once accepted, reads INITIATE with the
 * client's metadata and answers READY with ours. A refusal (the ERROR
 * command) is the core's business.
 */
#include "plain.h"

#include <errno.h>

#include "zmq.h"

/* HELLO's data: username and password, each a length octet then bytes,
 * and nothing after them. */
static int process_hello(struct modzmq_mechanism_session *s,
                         const uint8_t *data, size_t size)
{
    if (size < 1 || data[0] > size - 1)
        goto malformed;
    size_t username_size = data[0];
    const uint8_t *username = data + 1;
    size_t rest = size - 1 - username_size;
    const uint8_t *p = username + username_size;
    if (rest < 1 || p[0] != rest - 1)
        goto malformed;
    size_t password_size = p[0];
    const uint8_t *password = p + 1;

    const uint8_t *credentials[2] = { username, password };
    size_t sizes[2] = { username_size, password_size };
    int rc = plain_services->zap_request(s->connection, "PLAIN", credentials,
                                         sizes, 2);
    if (rc < 0)
        return -1;
    if (rc == 1) {
        /* No handler: libzmq 4.3 lets nobody in over PLAIN then, whatever
         * ZAP_ENFORCE_DOMAIN says (credentials nobody checks are no
         * security), and reports EFAULT. */
        errno = EFAULT;
        return -1;
    }
    s->state = PLAIN_WAIT_ZAP;
    return 0;

malformed:
    return plain_refuse(s->connection,
                        ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
}

int plain_server_process(struct modzmq_mechanism_session *s,
                         modzmq_msg *command)
{
    const uint8_t *body = plain_services->msg_data(command);
    size_t size = plain_services->msg_size(command);
    const uint8_t *data;
    size_t data_size;
    if (s->state == PLAIN_WAIT_HELLO &&
        plain_command_is(body, size, "HELLO", &data, &data_size))
        return process_hello(s, data, data_size);
    if (s->state == PLAIN_WAIT_INITIATE &&
        plain_command_is(body, size, "INITIATE", &data, &data_size)) {
        /* The core records a bad block itself. */
        if (plain_services->metadata_read(s->connection, data, data_size) < 0)
            return -1;
        s->state = PLAIN_SEND_READY;
        return 0;
    }
    return plain_refuse(s->connection,
                        ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
}

int plain_server_next(struct modzmq_mechanism_session *s, modzmq_msg *command)
{
    switch (s->state) {
    case PLAIN_SEND_WELCOME:
        if (plain_command_write(command, "WELCOME", NULL, 0, NULL) < 0)
            return -1;
        s->state = PLAIN_WAIT_INITIATE;
        return 0;
    case PLAIN_SEND_READY:
        if (plain_command_write(command, "READY", NULL, 0, s->connection) < 0)
            return -1;
        s->state = PLAIN_DONE;
        return 0;
    default:
        errno = EAGAIN;
        return -1;
    }
}
