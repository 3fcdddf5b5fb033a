/*
 * tcp plugin: the client side of a SOCKS5 proxy (RFC 1928), with the
 * username/password method of RFC 1929, for ZMQ_SOCKS_PROXY. Once the
 * connection to the proxy is up, the client asks the proxy to CONNECT to
 * the endpoint's host and port, and the fd then carries ZMTP as if it
 * had connected there itself.
 *
 * The exchange runs on a non-blocking fd, one step each time the fd is
 * ready in the direction the last step asked for; it reads exactly the
 * bytes of each reply, so that nothing the far peer sends after the
 * proxy's reply is taken from the stream.
 */
#ifndef MODZMQ_TCP_SOCKS_H
#define MODZMQ_TCP_SOCKS_H

#include <stddef.h>
#include <stdint.h>

/* Largest message of either side: a CONNECT with a 255-byte name, or an
 * authentication request with a 255-byte username and password. */
enum { TCP_SOCKS_BUFFER = 3 + 255 + 255 };

enum tcp_socks_state {
    TCP_SOCKS_SEND_GREETING,
    TCP_SOCKS_READ_CHOICE,
    TCP_SOCKS_SEND_AUTH,
    TCP_SOCKS_READ_AUTH,
    TCP_SOCKS_SEND_REQUEST,
    TCP_SOCKS_READ_REPLY_HEAD,
    TCP_SOCKS_READ_REPLY_REST,
    TCP_SOCKS_DONE
};

struct tcp_socks {
    enum tcp_socks_state state;
    const char *username; /* NULL or "": no authentication */
    const char *password; /* NULL: empty */
    const char *host;     /* where the proxy connects to */
    uint16_t port;
    uint8_t buffer[TCP_SOCKS_BUFFER];
    size_t size; /* bytes to send from, or to read into, buffer */
    size_t done; /* of those, sent or read so far */
};

/* What a step waits for. */
enum { TCP_SOCKS_WANT_READ = 1, TCP_SOCKS_WANT_WRITE = 2 };

/* Starts an exchange on a fresh connection to the proxy. The strings
 * must outlive it. EINVAL when the host is longer than 255 bytes. */
int tcp_socks_start(struct tcp_socks *socks, const char *username,
                    const char *password, const char *host, uint16_t port);

/* Runs the exchange as far as fd allows: 1 when the proxy has connected
 * (the fd is the peer's from now on), 0 with *wants set when it must
 * wait, -1 with errno when it failed: ECONNRESET when the proxy hung up,
 * EPROTO for a reply that breaks RFC 1928 or 1929, EACCES when the proxy
 * refused our credentials or offered no method we have, ECONNREFUSED
 * (or the reply's other errors) when it could not connect. */
int tcp_socks_step(struct tcp_socks *socks, int fd, unsigned *wants);

#endif
