/*
 * ws plugin: TLS for wss:// (see ws_tls.h), on GnuTLS.
 *
 * Why GnuTLS: it is what libzmq's wss uses, so the behaviour and the
 * meaning of the ZMQ_WSS_* options match its (PEM strings, the system's
 * trust store behind ZMQ_WSS_TRUST_SYSTEM, GnuTLS's default priorities
 * and hostname rules); it is in Debian main (libgnutls30); and its
 * credentials API takes PEM from memory, which is exactly what the
 * options hand over. The server asks no certificate of its clients, as
 * libzmq's does not.
 */
#include "ws_tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/gnutls.h>
#include <modzmq/transport.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Non-fatal answers (a warning alert, a renegotiation asked of us) read
 * or handshake again, at most this often per call. */
enum { RETRIES = 8 };

struct ws_tls_credentials {
    atomic_uint references;
    bool server;
    gnutls_certificate_credentials_t certificates;
    void (*log)(const char *line);
};

struct ws_tls {
    struct ws_tls_credentials *credentials;
    gnutls_session_t session;
    bool handshaken;
    unsigned wants; /* while handshaking: what the last step waited for */
    int error;      /* the errno of a fatal failure: GnuTLS is done */
};

static int fail(int error)
{
    errno = error;
    return -1;
}

static gnutls_datum_t datum(const void *data, size_t size)
{
    gnutls_datum_t d = { (unsigned char *) data, (unsigned) size };
    return d;
}

static int load_server(gnutls_certificate_credentials_t certificates,
                       const struct ws_tls_settings *settings)
{
    if (settings->key_size == 0 || settings->cert_size == 0)
        return fail(EINVAL);
    gnutls_datum_t cert = datum(settings->cert_pem, settings->cert_size);
    gnutls_datum_t key = datum(settings->key_pem, settings->key_size);
    if (gnutls_certificate_set_x509_key_mem(certificates, &cert, &key,
                                            GNUTLS_X509_FMT_PEM) < 0)
        return fail(EINVAL);
    return 0;
}

static int load_client(gnutls_certificate_credentials_t certificates,
                       const struct ws_tls_settings *settings)
{
    if (settings->trust_size > 0) {
        gnutls_datum_t trust = datum(settings->trust_pem, settings->trust_size);
        if (gnutls_certificate_set_x509_trust_mem(certificates, &trust,
                                                  GNUTLS_X509_FMT_PEM) <= 0)
            return fail(EINVAL);
    }
    /* A machine without a store trusts nothing more; the handshake then
     * fails as with no trust at all. */
    if (settings->trust_system)
        gnutls_certificate_set_x509_system_trust(certificates);
    return 0;
}

int ws_tls_credentials_new(const struct ws_tls_settings *settings,
                           struct ws_tls_credentials **out)
{
    struct ws_tls_credentials *c = calloc(1, sizeof *c);
    if (c == NULL)
        return -1;
    if (gnutls_certificate_allocate_credentials(&c->certificates) < 0) {
        free(c);
        return fail(ENOMEM);
    }
    int rc = settings->server ? load_server(c->certificates, settings)
                              : load_client(c->certificates, settings);
    if (rc != 0) {
        gnutls_certificate_free_credentials(c->certificates);
        free(c);
        return fail(EINVAL);
    }
    atomic_init(&c->references, 1);
    c->server = settings->server;
    c->log = settings->log;
    *out = c;
    return 0;
}

void ws_tls_credentials_release(struct ws_tls_credentials *c)
{
    if (c == NULL || atomic_fetch_sub(&c->references, 1) != 1)
        return;
    gnutls_certificate_free_credentials(c->certificates);
    free(c);
}

static bool is_ip_literal(const char *host)
{
    unsigned char address[16];
    return inet_pton(AF_INET, host, address) == 1 ||
           inet_pton(AF_INET6, host, address) == 1;
}

int ws_tls_open(struct ws_tls_credentials *credentials, int fd,
                const char *hostname, struct ws_tls **out)
{
    struct ws_tls *t = calloc(1, sizeof *t);
    if (t == NULL)
        return -1;
    /* NO_SIGNAL: a peer gone mid-write is EPIPE, not SIGPIPE. */
    unsigned flags = (credentials->server ? GNUTLS_SERVER : GNUTLS_CLIENT) |
                     GNUTLS_NONBLOCK | GNUTLS_NO_SIGNAL;
    if (gnutls_init(&t->session, flags) < 0) {
        free(t);
        return fail(ENOMEM);
    }
    int rc = gnutls_set_default_priority(t->session);
    if (rc >= 0)
        rc = gnutls_credentials_set(t->session, GNUTLS_CRD_CERTIFICATE,
                                    credentials->certificates);
    /* SNI carries names only (RFC 6066, 3); the check takes either. */
    if (rc >= 0 && !credentials->server && !is_ip_literal(hostname))
        rc = gnutls_server_name_set(t->session, GNUTLS_NAME_DNS, hostname,
                                    strlen(hostname));
    if (rc < 0) {
        gnutls_deinit(t->session);
        free(t);
        return fail(ENOMEM);
    }
    if (!credentials->server)
        gnutls_session_set_verify_cert(t->session, hostname, 0);
    /* ZMQ_HANDSHAKE_IVL bounds the handshake, not GnuTLS. */
    gnutls_handshake_set_timeout(t->session, 0);
    gnutls_transport_set_int(t->session, fd);
    atomic_fetch_add(&credentials->references, 1);
    t->credentials = credentials;
    /* A client speaks first, a server hears its hello. */
    t->wants = credentials->server ? MODZMQ_WANT_READ : MODZMQ_WANT_WRITE;
    *out = t;
    return 0;
}

/* Says why a handshake or record failed, once, and what it becomes:
 * every later call fails the same way without going back to GnuTLS. */
static int report(struct ws_tls *t, const char *what, int rc)
{
    char line[512];
    if (rc == GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR) {
        gnutls_datum_t status = { NULL, 0 };
        unsigned bits = gnutls_session_get_verify_cert_status(t->session);
        if (gnutls_certificate_verification_status_print(bits, GNUTLS_CRT_X509,
                                                         &status, 0) == 0) {
            snprintf(line, sizeof line, "wss %s: %s", what,
                     (const char *) status.data);
            gnutls_free(status.data);
        } else {
            snprintf(line, sizeof line, "wss %s: %s", what,
                     gnutls_strerror(rc));
        }
    } else {
        snprintf(line, sizeof line, "wss %s: %s", what, gnutls_strerror(rc));
    }
    size_t length = strlen(line);
    while (length > 0 && line[length - 1] == ' ')
        line[--length] = '\0';
    if (t->credentials->log != NULL)
        t->credentials->log(line);
    if (rc == GNUTLS_E_PULL_ERROR || rc == GNUTLS_E_PREMATURE_TERMINATION)
        t->error = ECONNRESET;
    else if (rc == GNUTLS_E_PUSH_ERROR)
        t->error = EPIPE;
    else
        t->error = EPROTO;
    return fail(t->error);
}

static bool again(int rc)
{
    return rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED;
}

int ws_tls_handshake(struct ws_tls *t)
{
    if (t->error != 0)
        return fail(t->error);
    for (int i = 0; !t->handshaken && i < RETRIES; i++) {
        int rc = gnutls_handshake(t->session);
        if (rc == GNUTLS_E_SUCCESS) {
            t->handshaken = true;
            t->wants = 0;
            return 0;
        }
        if (again(rc)) {
            t->wants = gnutls_record_get_direction(t->session)
                           ? MODZMQ_WANT_WRITE
                           : MODZMQ_WANT_READ;
            return fail(EAGAIN);
        }
        if (gnutls_error_is_fatal(rc))
            return report(t, "handshake", rc);
    }
    return t->handshaken ? 0 : fail(EAGAIN);
}

unsigned ws_tls_handshake_wants(const struct ws_tls *t)
{
    return t->handshaken || t->error != 0 ? 0 : t->wants;
}

ssize_t ws_tls_read(struct ws_tls *t, void *buffer, size_t size)
{
    if (ws_tls_handshake(t) != 0)
        return -1;
    for (int i = 0; i < RETRIES; i++) {
        ssize_t n = gnutls_record_recv(t->session, buffer, size);
        if (n >= 0)
            return n;
        if (again((int) n))
            return fail(EAGAIN);
        /* The peer's TCP end without a close_notify ends the stream as
         * a bare fd's would: the framing above says if it was cut short. */
        if (n == GNUTLS_E_PREMATURE_TERMINATION)
            return 0;
        if (gnutls_error_is_fatal((int) n))
            return report(t, "record", (int) n);
    }
    return fail(EAGAIN);
}

ssize_t ws_tls_write(struct ws_tls *t, const void *data, size_t size)
{
    if (ws_tls_handshake(t) != 0)
        return -1;
    /* After EAGAIN GnuTLS holds the record it made and sends it first,
     * answering its length: the caller offers the same bytes again. */
    ssize_t n = gnutls_record_send(t->session, data, size);
    if (n >= 0)
        return n;
    if (again((int) n))
        return fail(EAGAIN);
    return report(t, "record", (int) n);
}

bool ws_tls_pending(const struct ws_tls *t)
{
    return t->handshaken && gnutls_record_check_pending(t->session) > 0;
}

void ws_tls_close(struct ws_tls *t)
{
    if (t == NULL)
        return;
    if (t->handshaken && t->error == 0)
        gnutls_bye(t->session, GNUTLS_SHUT_WR);
    gnutls_deinit(t->session);
    ws_tls_credentials_release(t->credentials);
    free(t);
}
