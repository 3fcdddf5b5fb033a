/*
 * A mechanism plugin written against the frozen SDK 1.1 headers, as a
 * plugin author did before 1.2: it serves "CURVE" with a handshake of one
 * READY each way (metadata only, no cryptography: it stands in for a real
 * CURVE only so that the suite can select it with the CURVE options), and
 * fills the table's curve_keypair and curve_public, which 1.2 reserves.
 * Today's core must still run its handshake, carry traffic through it and
 * take zmq_curve_keypair and zmq_curve_public from those slots.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <modzmq/mechanism.h>
#include <zmq.h>

/* The client pair of zmq_curve(7): the keys these slots always give. */
static const char fixed_public[] = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
static const char fixed_secret[] = "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";

static const struct modzmq_core_services *services;

struct modzmq_mechanism_session {
    modzmq_connection *connection;
    bool sent;
    bool received;
};

static int session_new(modzmq_connection *connection, int as_server,
                       modzmq_mechanism_session **session)
{
    (void) as_server;
    modzmq_mechanism_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return -1;
    s->connection = connection;
    *session = s;
    return 0;
}

static void session_free(modzmq_mechanism_session *session)
{
    free(session);
}

static const char ready[] = "\5READY";

static int next_command(modzmq_mechanism_session *s, modzmq_msg *command)
{
    if (s->sent) {
        errno = EAGAIN;
        return -1;
    }
    size_t head = sizeof ready - 1;
    size_t metadata = services->metadata_write(s->connection, NULL, 0);
    if (services->msg_resize(command, head + metadata) < 0)
        return -1;
    uint8_t *body = services->msg_data(command);
    memcpy(body, ready, head);
    services->metadata_write(s->connection, body + head, metadata);
    services->msg_set_flags(command, MODZMQ_MSG_COMMAND);
    s->sent = true;
    return 0;
}

static int process_command(modzmq_mechanism_session *s, modzmq_msg *command)
{
    size_t head = sizeof ready - 1;
    const uint8_t *body = services->msg_data(command);
    size_t size = services->msg_size(command);
    if (s->received || size < head || memcmp(body, ready, head) != 0) {
        services->handshake_error(s->connection,
                                  ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
        errno = EPROTO;
        return -1;
    }
    if (services->metadata_read(s->connection, body + head, size - head) < 0)
        return -1;
    s->received = true;
    return 0;
}

static enum modzmq_mechanism_status status(modzmq_mechanism_session *s)
{
    return s->sent && s->received ? MODZMQ_MECHANISM_READY
                                  : MODZMQ_MECHANISM_HANDSHAKING;
}

static void zap_accepted(modzmq_mechanism_session *session)
{
    (void) session;
}

static int keypair(char *z85_public_key, char *z85_secret_key)
{
    memcpy(z85_public_key, fixed_public, sizeof fixed_public);
    memcpy(z85_secret_key, fixed_secret, sizeof fixed_secret);
    return 0;
}

static int public_of(char *z85_public_key, const char *z85_secret_key)
{
    if (strcmp(z85_secret_key, fixed_secret) != 0) {
        errno = EINVAL;
        return -1;
    }
    memcpy(z85_public_key, fixed_public, sizeof fixed_public);
    return 0;
}

static const struct modzmq_mechanism_ops ops = {
    .size = sizeof(struct modzmq_mechanism_ops),
    .session_new = session_new,
    .session_free = session_free,
    .next_command = next_command,
    .process_command = process_command,
    .status = status,
    .zap_accepted = zap_accepted,
    .curve_keypair = keypair,
    .curve_public = public_of,
};

/* 1.1's way of asking for services: the size check by hand. */
static int init(const struct modzmq_core_services *given, modzmq_core *core)
{
    (void) core;
    if (given->size < offsetof(struct modzmq_core_services, handshake_error) +
                          sizeof given->handshake_error) {
        errno = ENOTSUP;
        return -1;
    }
    services = given;
    return 0;
}

static const char *const names[] = { "CURVE", NULL };

static const struct modzmq_plugin descriptor = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "fakecurve11",
    .kind = MODZMQ_PLUGIN_MECHANISM,
    .serves = names,
    .ops = &ops,
    .init = init,
};

MODZMQ_PLUGIN_ENTRY
{
    return &descriptor;
}
