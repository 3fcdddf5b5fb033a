/*
 * ws plugin: the HTTP/1.1 upgrade of RFC 6455 section 4 as ZWS 2.0
 * (RFC 45) uses it: the client's GET with Sec-WebSocket-Key and the
 * subprotocols it offers, the server's 101 with Sec-WebSocket-Accept and
 * the one subprotocol it picked. Text in, text out: no I/O here.
 */
#ifndef MODZMQ_WS_HANDSHAKE_H
#define MODZMQ_WS_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>

enum {
    WS_KEY_SIZE = 24,     /* base64 of 16 random bytes */
    WS_ACCEPT_SIZE = 28,  /* base64 of a SHA-1 */
    WS_HEADER_MAX = 8192, /* the most an upgrade's header may take */
    WS_PROTOCOL_MAX = 32  /* "ZWS2.0/" and a mechanism name */
};

/* "ZWS2.0/" followed by the mechanism's name ("NULL", "PLAIN", ...). */
void ws_subprotocol(const char *mechanism, char out[WS_PROTOCOL_MAX]);

/* A fresh Sec-WebSocket-Key, NUL-terminated. 0, or -1 with errno. */
int ws_key_new(char key[WS_KEY_SIZE + 1]);

/* The Sec-WebSocket-Accept that answers key, NUL-terminated. */
void ws_accept_for(const char *key, size_t key_size,
                   char accept[WS_ACCEPT_SIZE + 1]);

/* The client's request; returns its length, or -1 (ENOSPC) when it does
 * not fit in size. host is what the Host header carries ("host:port"). */
int ws_request_build(char *buffer, size_t size, const char *host,
                     const char *path, const char *key, const char *protocol);

/* Checks a client's request, size bytes ending with its empty line:
 * GET of path, HTTP/1.1, a Host, Upgrade websocket, Connection upgrade,
 * version 13, a well-formed key, and protocol among the subprotocols
 * offered. 0 with the key copied out, or -1 with errno EPROTO. */
int ws_request_check(const char *request, size_t size, const char *path,
                     const char *protocol, char key[WS_KEY_SIZE + 1]);

/* The server's 101 for key with protocol; its length or -1 (ENOSPC). */
int ws_response_build(char *buffer, size_t size, const char *key,
                      const char *protocol);

/* The 400 a refused request gets. */
extern const char ws_bad_request[];

/* Checks the server's answer to our request sent with key: 101, Upgrade
 * websocket, Connection upgrade, the right accept and our protocol. 0, or
 * -1 with errno EPROTO. */
int ws_response_check(const char *response, size_t size, const char *key,
                      const char *protocol);

/* Where the header of an upgrade ends in data (the byte after its empty
 * line), or 0 when it has not ended within size bytes. */
size_t ws_header_end(const char *data, size_t size);

#endif
