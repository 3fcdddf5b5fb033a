/*
 * Plugin mechanisms, engine side (see mechanism.h). A struct
 * modzmq_connection is all the plugin ever holds of a connection; the
 * services it calls with it are answered from the engine's options copy
 * and peer metadata, or handed to the engine through the host table.
 */
#include <errno.h>
#include <stdlib.h>

#include "mechanism.h"
#include "plugin_loader.h"
#include "zmq.h"
#include "zmtp_properties.h"

struct modzmq_connection {
    const struct modzmq_mechanism_ops *ops;
    modzmq_mechanism_session *session;
    const struct mz_options *options;
    struct mz_peer_metadata *metadata;
    const struct mz_mechanism_host *host;
    void *engine;
};

/* The plugin's view of a core message: the same object. The flags the SDK
 * defines (MORE 1, COMMAND 2) have the core's values. */
static modzmq_msg *as_sdk(struct mz_msg *m)
{
    return (modzmq_msg *) (void *) m;
}

const char *mz_mechanism_name(int mechanism)
{
    switch (mechanism) {
    case ZMQ_PLAIN:
        return "PLAIN";
    case ZMQ_CURVE:
        return "CURVE";
    case ZMQ_GSSAPI:
        return "GSSAPI";
    default:
        return "NULL";
    }
}

int mz_mechanism_find(int mechanism, const struct modzmq_mechanism_ops **ops)
{
    *ops = NULL;
    if (mechanism == ZMQ_NULL)
        return 0;
    *ops = mz_plugin_mechanism(mz_mechanism_name(mechanism));
    return *ops != NULL ? 0 : -1;
}

/* The mechanism whose plugin acts on a security option, or NULL. */
static const char *mechanism_of_option(int option)
{
    switch (option) {
    case ZMQ_PLAIN_SERVER:
    case ZMQ_PLAIN_USERNAME:
    case ZMQ_PLAIN_PASSWORD:
        return "PLAIN";
    case ZMQ_CURVE_SERVER:
    case ZMQ_CURVE_PUBLICKEY:
    case ZMQ_CURVE_SECRETKEY:
    case ZMQ_CURVE_SERVERKEY:
        return "CURVE";
    case ZMQ_GSSAPI_SERVER:
    case ZMQ_GSSAPI_PRINCIPAL:
    case ZMQ_GSSAPI_SERVICE_PRINCIPAL:
    case ZMQ_GSSAPI_PLAINTEXT:
    case ZMQ_GSSAPI_PRINCIPAL_NAMETYPE:
    case ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE:
        return "GSSAPI";
    default:
        return NULL;
    }
}

int mz_mechanism_option_check(int option)
{
    const char *name = mechanism_of_option(option);
    if (name == NULL || mz_plugin_mechanism(name) != NULL)
        return 0;
    errno = EINVAL;
    return -1;
}

mz_mechanism *mz_mechanism_new(const struct modzmq_mechanism_ops *ops,
                               const struct mz_options *options,
                               struct mz_peer_metadata *metadata,
                               const struct mz_mechanism_host *host,
                               void *engine)
{
    mz_mechanism *m = calloc(1, sizeof *m);
    if (m == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    m->ops = ops;
    m->options = options;
    m->metadata = metadata;
    m->host = host;
    m->engine = engine;
    errno = 0;
    if (ops->session_new(m, options->as_server ? 1 : 0, &m->session) < 0 ||
        m->session == NULL) {
        int error = errno != 0 ? errno : EINVAL;
        free(m);
        errno = error;
        return NULL;
    }
    return m;
}

void mz_mechanism_free(mz_mechanism *m)
{
    if (m == NULL)
        return;
    m->ops->session_free(m->session);
    free(m);
}

int mz_mechanism_next_command(mz_mechanism *m, struct mz_msg *command)
{
    command->flags = MZ_MSG_COMMAND;
    return m->ops->next_command(m->session, as_sdk(command));
}

int mz_mechanism_process_command(mz_mechanism *m, struct mz_msg *command)
{
    return m->ops->process_command(m->session, as_sdk(command));
}

bool mz_mechanism_is_ready(mz_mechanism *m)
{
    return m->ops->status(m->session) == MODZMQ_MECHANISM_READY;
}

void mz_mechanism_zap_accepted(mz_mechanism *m)
{
    m->ops->zap_accepted(m->session);
}

bool mz_mechanism_encodes(const mz_mechanism *m)
{
    return m->ops->encode != NULL;
}

bool mz_mechanism_decodes(const mz_mechanism *m)
{
    return m->ops->decode != NULL;
}

int mz_mechanism_encode(mz_mechanism *m, struct mz_msg *part)
{
    return m->ops->encode(m->session, as_sdk(part));
}

int mz_mechanism_decode(mz_mechanism *m, struct mz_msg *frame)
{
    return m->ops->decode(m->session, as_sdk(frame));
}

/* ---- services ------------------------------------------------------- */

int mz_connection_option(modzmq_connection *connection, int option, void *value,
                         size_t *size)
{
    if (connection == NULL || value == NULL || size == NULL) {
        errno = EINVAL;
        return -1;
    }
    return mz_options_get(connection->options, option, value, size);
}

size_t mz_connection_metadata_write(modzmq_connection *connection,
                                    uint8_t *buffer, size_t size)
{
    if (buffer == NULL)
        size = 0;
    return mz_zmtp_properties_write(connection->options, buffer, size);
}

int mz_connection_metadata_read(modzmq_connection *connection,
                                const uint8_t *data, size_t size)
{
    if (data == NULL && size > 0) {
        errno = EINVAL;
        return -1;
    }
    enum mz_properties_result result = mz_zmtp_properties_read(
        data, size, connection->options->socket_type, connection->metadata);
    if (result == MZ_PROPERTIES_OK)
        return 0;
    if (result == MZ_PROPERTIES_NO_MEMORY) {
        errno = ENOMEM;
        return -1;
    }
    /* libzmq reports a bad block and a socket type mismatch alike. */
    connection->host->protocol_error(connection->engine,
                                     ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA);
    errno = EPROTO;
    return -1;
}

int mz_connection_zap_request(modzmq_connection *connection,
                              const char *mechanism,
                              const uint8_t *const *credentials,
                              const size_t *credential_sizes, size_t count)
{
    if (connection == NULL || mechanism == NULL ||
        (count > 0 && (credentials == NULL || credential_sizes == NULL))) {
        errno = EINVAL;
        return -1;
    }
    return connection->host->zap_request(connection->engine, mechanism,
                                         credentials, credential_sizes, count);
}

void mz_connection_handshake_error(modzmq_connection *connection,
                                   int protocol_error)
{
    if (connection != NULL)
        connection->host->protocol_error(connection->engine, protocol_error);
}
