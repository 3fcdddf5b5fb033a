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
#include <poll.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Non-fatal answers (a warning alert, a renegotiation asked of us) read
 * or handshake again, at most this often per call. GnuTLS reads a
 * record's header and its body apart, and writes each record by itself:
 * one read of the fd fills INPUT bytes it takes them from, and its
 * records gather in OUTPUT bytes that go out in one write, a few
 * records' worth each way. */
enum { RETRIES = 8, INPUT = 64 * 1024, OUTPUT = 64 * 1024 };

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
    int fd;
    size_t input_pos, input_end; /* what GnuTLS has not taken of input */
    uint8_t input[INPUT];
    size_t output_pos, output_end; /* what the fd has not taken of output */
    uint8_t output[OUTPUT];
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

/* GnuTLS's pull: from what one large read of the fd brought. */
static ssize_t pull(gnutls_transport_ptr_t context, void *data, size_t size)
{
    struct ws_tls *t = context;
    if (t->input_pos == t->input_end) {
        ssize_t n = read(t->fd, t->input, sizeof t->input);
        if (n <= 0) {
            gnutls_transport_set_errno(t->session, n < 0 ? errno : 0);
            return n;
        }
        t->input_pos = 0;
        t->input_end = (size_t) n;
    }
    size_t n = t->input_end - t->input_pos;
    if (n > size)
        n = size;
    memcpy(data, t->input + t->input_pos, n);
    t->input_pos += n;
    return (ssize_t) n;
}

/* Writes what the fd takes of the records gathered: 0 when none is
 * left, else -1 with errno (EAGAIN while some is). */
static int drain(struct ws_tls *t)
{
    while (t->output_pos < t->output_end) {
        ssize_t n = send(t->fd, t->output + t->output_pos,
                         t->output_end - t->output_pos, MSG_NOSIGNAL);
        if (n < 0)
            return -1;
        t->output_pos += (size_t) n;
    }
    t->output_pos = t->output_end = 0;
    return 0;
}

/* GnuTLS's push: a whole record into the output, after what is there
 * went to the fd if it left no room; EAGAIN when it cannot. */
static ssize_t push(gnutls_transport_ptr_t context, const void *data,
                    size_t size)
{
    struct ws_tls *t = context;
    if (OUTPUT - t->output_end < size) {
        int error = drain(t) == 0 ? 0 : errno;
        memmove(t->output, t->output + t->output_pos,
                t->output_end - t->output_pos);
        t->output_end -= t->output_pos;
        t->output_pos = 0;
        if (OUTPUT - t->output_end < size) {
            /* EMSGSIZE: larger than any record can be. */
            gnutls_transport_set_errno(t->session, error ? error : EMSGSIZE);
            return -1;
        }
    }
    memcpy(t->output + t->output_end, data, size);
    t->output_end += size;
    return (ssize_t) size;
}

/* Asked only with a timeout set, which this session never sets; says
 * so as poll would. */
static int pull_timeout(gnutls_transport_ptr_t context, unsigned ms)
{
    struct ws_tls *t = context;
    if (t->input_pos < t->input_end)
        return 1;
    struct pollfd p = { .fd = t->fd, .events = POLLIN };
    return poll(&p, 1, ms == GNUTLS_INDEFINITE_TIMEOUT ? -1 : (int) ms);
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
    t->fd = fd;
    gnutls_transport_set_ptr(t->session, t);
    gnutls_transport_set_pull_function(t->session, pull);
    gnutls_transport_set_push_function(t->session, push);
    gnutls_transport_set_pull_timeout_function(t->session, pull_timeout);
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

/* Drains what GnuTLS wrote: 0 when all went, or while only EAGAIN
 * stopped it (the rest goes when the fd turns writable); -1 on an error
 * of the fd, which ends the session. */
static int send_output(struct ws_tls *t)
{
    if (drain(t) == 0 || errno == EAGAIN)
        return 0;
    t->error = errno;
    return -1;
}

int ws_tls_handshake(struct ws_tls *t)
{
    if (t->error != 0)
        return fail(t->error);
    for (int i = 0; !t->handshaken && i < RETRIES; i++) {
        int rc = gnutls_handshake(t->session);
        /* Its flight, or the alert of its failure, goes out now. */
        if (send_output(t) != 0)
            return -1;
        if (rc == GNUTLS_E_SUCCESS) {
            t->handshaken = true;
            t->wants = 0;
            return 0;
        }
        if (again(rc)) {
            t->wants = gnutls_record_get_direction(t->session)
                           ? MODZMQ_WANT_WRITE
                           : MODZMQ_WANT_READ;
            if (ws_tls_unsent(t))
                t->wants |= MODZMQ_WANT_WRITE;
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

int ws_tls_flush(struct ws_tls *t)
{
    if (ws_tls_handshake(t) != 0)
        return -1;
    return drain(t);
}

bool ws_tls_unsent(const struct ws_tls *t)
{
    return t->output_pos < t->output_end;
}

ssize_t ws_tls_read(struct ws_tls *t, void *buffer, size_t size)
{
    if (ws_tls_handshake(t) != 0)
        return -1;
    for (int i = 0; i < RETRIES; i++) {
        ssize_t n = gnutls_record_recv(t->session, buffer, size);
        /* A record may have made GnuTLS answer (a key update). */
        if (send_output(t) != 0)
            return -1;
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
    /* Records gather in the output until it is full, then go out
     * together. When the output takes no more, GnuTLS holds the record
     * it made and gives its length at the next call, which the caller
     * makes with the same bytes. */
    size_t taken = 0;
    while (taken < size) {
        ssize_t n = gnutls_record_send(
            t->session, (const uint8_t *) data + taken, size - taken);
        if (n < 0 && again((int) n))
            break;
        if (n < 0)
            return report(t, "record", (int) n);
        taken += (size_t) n;
    }
    if (send_output(t) != 0)
        return -1;
    return taken > 0 ? (ssize_t) taken : fail(EAGAIN);
}

bool ws_tls_pending(const struct ws_tls *t)
{
    return t->handshaken && (gnutls_record_check_pending(t->session) > 0 ||
                             t->input_pos < t->input_end);
}

void ws_tls_close(struct ws_tls *t)
{
    if (t == NULL)
        return;
    if (t->handshaken && t->error == 0) {
        gnutls_bye(t->session, GNUTLS_SHUT_WR);
        drain(t);
    }
    gnutls_deinit(t->session);
    ws_tls_credentials_release(t->credentials);
    free(t);
}
