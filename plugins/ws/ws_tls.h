/*
 * ws plugin: TLS for wss://, under the WebSocket framing (ws_stream.c
 * reads and writes through it instead of the fd). Credentials belong to
 * an endpoint and are shared, counted, by its connections, which may
 * outlive it; a session is one connection's TLS, non-blocking, its
 * handshake run inside the first reads and writes.
 */
#ifndef MODZMQ_WS_TLS_H
#define MODZMQ_WS_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* What the ZMQ_WSS_* options gave (PEM bytes as the application set
 * them, size 0 when not set). */
struct ws_tls_settings {
    bool server;
    const void *key_pem; /* server: ZMQ_WSS_KEY_PEM */
    size_t key_size;
    const void *cert_pem; /* server: ZMQ_WSS_CERT_PEM, the chain */
    size_t cert_size;
    const void *trust_pem; /* client: ZMQ_WSS_TRUST_PEM */
    size_t trust_size;
    bool trust_system; /* client: ZMQ_WSS_TRUST_SYSTEM */
    /* Why a handshake failed, one line (the plugin's diagnostics). */
    void (*log)(const char *line);
};

struct ws_tls_credentials;
struct ws_tls;

/* Credentials for one endpoint: a server needs a key and its
 * certificate, which must load; a client's trust PEM, when given, must
 * hold certificates. 0, or -1 with errno EINVAL (ENOMEM). */
int ws_tls_credentials_new(const struct ws_tls_settings *settings,
                           struct ws_tls_credentials **out);
void ws_tls_credentials_release(struct ws_tls_credentials *credentials);

/* A session over the connected non-blocking fd. A client checks the
 * peer's chain and that it names hostname. 0, or -1 with errno. */
int ws_tls_open(struct ws_tls_credentials *credentials, int fd,
                const char *hostname, struct ws_tls **out);

/* Plaintext in and out, the handshake first: the count, 0 at the end of
 * the stream (read), or -1 with errno (EAGAIN: not now; EPROTO: the
 * handshake or a record failed; ECONNRESET: the peer went mid-way). */
ssize_t ws_tls_read(struct ws_tls *tls, void *buffer, size_t size);
ssize_t ws_tls_write(struct ws_tls *tls, const void *data, size_t size);

/* Advances the handshake: 0 once it is over, else -1 with errno. */
int ws_tls_handshake(struct ws_tls *tls);

/* Records are written to the fd a few at a time, from a buffer of the
 * session's: ws_tls_flush advances the handshake and sends what is
 * left (0 once nothing is, else -1 with errno, EAGAIN while some is),
 * and ws_tls_unsent says whether anything is. */
int ws_tls_flush(struct ws_tls *tls);
bool ws_tls_unsent(const struct ws_tls *tls);

/* While the handshake runs, what the fd must be ready for
 * (MODZMQ_WANT_READ or MODZMQ_WANT_WRITE); 0 once it is over. */
unsigned ws_tls_handshake_wants(const struct ws_tls *tls);

/* Bytes read from the fd and not handed out yet (plaintext, or records
 * still to decrypt): read gives them without the fd. */
bool ws_tls_pending(const struct ws_tls *tls);

/* Sends a close_notify (and what is unsent) if the fd takes it now, and
 * frees the session. */
void ws_tls_close(struct ws_tls *tls);

#endif
