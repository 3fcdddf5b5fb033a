/*
 * tcp plugin: a SOCKS5 client (see tcp_socks.h). The messages, as RFC
 * 1928 and 1929 give them:
 *
 *   greeting   05 01 METHOD           (00 no authentication, or 02
 *                                      username/password when a username
 *                                      is set: the one method we offer)
 *   choice     05 METHOD              (FF: none acceptable)
 *   auth       01 ULEN USER PLEN PASS
 *   status     01 STATUS              (00: accepted)
 *   request    05 01 00 ATYP ADDR PORT (CONNECT; ATYP 01 IPv4, 04 IPv6,
 *                                      03 a name with its length first)
 *   reply      05 REP 00 ATYP ADDR PORT (REP 00: connected)
 *
 * A numeric host travels as an address, any other as a name the proxy
 * resolves, which is what libzmq sends.
 */
#include "tcp_socks.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

enum {
    SOCKS_VERSION = 5,
    AUTH_VERSION = 1,
    METHOD_NONE = 0,
    METHOD_PASSWORD = 2,
    METHOD_REFUSED = 0xff,
    COMMAND_CONNECT = 1,
    ADDRESS_IPV4 = 1,
    ADDRESS_NAME = 3,
    ADDRESS_IPV6 = 4,
    REPLY_HEAD = 5 /* VER REP RSV ATYP and the address's first byte */
};

static int fail(int error)
{
    errno = error;
    return -1;
}

static bool wants_password(const struct tcp_socks *socks)
{
    return socks->username != NULL && socks->username[0] != '\0';
}

/* The next step sends size bytes of buffer, or reads size bytes into
 * it, as state says. */
static void next_step(struct tcp_socks *socks, enum tcp_socks_state state,
                      size_t size)
{
    socks->state = state;
    socks->size = size;
    socks->done = 0;
}

static void build_greeting(struct tcp_socks *socks)
{
    socks->buffer[0] = SOCKS_VERSION;
    socks->buffer[1] = 1;
    socks->buffer[2] = wants_password(socks) ? METHOD_PASSWORD : METHOD_NONE;
    next_step(socks, TCP_SOCKS_SEND_GREETING, 3);
}

static void build_auth(struct tcp_socks *socks)
{
    const char *password = socks->password != NULL ? socks->password : "";
    size_t user_length = strlen(socks->username);
    size_t password_length = strlen(password);
    uint8_t *at = socks->buffer;
    *at++ = AUTH_VERSION;
    *at++ = (uint8_t) user_length;
    memcpy(at, socks->username, user_length);
    at += user_length;
    *at++ = (uint8_t) password_length;
    memcpy(at, password, password_length);
    at += password_length;
    next_step(socks, TCP_SOCKS_SEND_AUTH, (size_t) (at - socks->buffer));
}

static void build_request(struct tcp_socks *socks)
{
    uint8_t *at = socks->buffer;
    *at++ = SOCKS_VERSION;
    *at++ = COMMAND_CONNECT;
    *at++ = 0;
    struct in_addr v4;
    struct in6_addr v6;
    if (inet_pton(AF_INET, socks->host, &v4) == 1) {
        *at++ = ADDRESS_IPV4;
        memcpy(at, &v4, sizeof v4);
        at += sizeof v4;
    } else if (inet_pton(AF_INET6, socks->host, &v6) == 1) {
        *at++ = ADDRESS_IPV6;
        memcpy(at, &v6, sizeof v6);
        at += sizeof v6;
    } else {
        size_t length = strlen(socks->host);
        *at++ = ADDRESS_NAME;
        *at++ = (uint8_t) length;
        memcpy(at, socks->host, length);
        at += length;
    }
    *at++ = (uint8_t) (socks->port >> 8);
    *at++ = (uint8_t) socks->port;
    next_step(socks, TCP_SOCKS_SEND_REQUEST, (size_t) (at - socks->buffer));
}

int tcp_socks_start(struct tcp_socks *socks, const char *username,
                    const char *password, const char *host, uint16_t port)
{
    /* The one-byte lengths of RFC 1928 and 1929; the socket options
     * already keep credentials within 255. */
    if (strlen(host) > 255 || (username != NULL && strlen(username) > 255) ||
        (password != NULL && strlen(password) > 255))
        return fail(EINVAL);
    memset(socks, 0, sizeof *socks);
    socks->username = username;
    socks->password = password;
    socks->host = host;
    socks->port = port;
    build_greeting(socks);
    return 0;
}

/* The proxy's answer to a CONNECT that failed, as an errno. */
static int reply_error(uint8_t code)
{
    switch (code) {
    case 2:
        return EACCES; /* not allowed by the proxy's rules */
    case 3:
        return ENETUNREACH;
    case 4:
        return EHOSTUNREACH;
    case 5:
        return ECONNREFUSED;
    case 6:
        return ETIMEDOUT; /* TTL expired */
    case 7:               /* command not supported */
    case 8:               /* address type not supported */
        return EPROTO;
    default:
        return ECONNABORTED; /* 1: general failure, or unassigned */
    }
}

/* A whole reply has arrived: check it and move on. 1 when done, 0 to go
 * on, -1 on failure. */
static int take_reply(struct tcp_socks *socks)
{
    const uint8_t *r = socks->buffer;
    switch (socks->state) {
    case TCP_SOCKS_READ_CHOICE:
        if (r[0] != SOCKS_VERSION)
            return fail(EPROTO);
        if (r[1] == METHOD_REFUSED)
            return fail(EACCES);
        if (r[1] != (wants_password(socks) ? METHOD_PASSWORD : METHOD_NONE))
            return fail(EPROTO); /* a method we did not offer */
        if (r[1] == METHOD_PASSWORD)
            build_auth(socks);
        else
            build_request(socks);
        return 0;
    case TCP_SOCKS_READ_AUTH:
        if (r[0] != AUTH_VERSION)
            return fail(EPROTO);
        if (r[1] != 0)
            return fail(EACCES);
        build_request(socks);
        return 0;
    case TCP_SOCKS_READ_REPLY_HEAD:
        if (r[0] != SOCKS_VERSION || r[2] != 0)
            return fail(EPROTO);
        if (r[1] != 0)
            return fail(reply_error(r[1]));
        /* The rest of the bound address and the port. */
        switch (r[3]) {
        case ADDRESS_IPV4:
            next_step(socks, TCP_SOCKS_READ_REPLY_REST, 4 - 1 + 2);
            return 0;
        case ADDRESS_IPV6:
            next_step(socks, TCP_SOCKS_READ_REPLY_REST, 16 - 1 + 2);
            return 0;
        case ADDRESS_NAME:
            next_step(socks, TCP_SOCKS_READ_REPLY_REST, (size_t) r[4] + 2);
            return 0;
        default:
            return fail(EPROTO);
        }
    case TCP_SOCKS_READ_REPLY_REST:
        socks->state = TCP_SOCKS_DONE;
        return 1;
    default:
        return fail(EINVAL);
    }
}

/* A message has gone out: what comes back next. */
static void sent(struct tcp_socks *socks)
{
    switch (socks->state) {
    case TCP_SOCKS_SEND_GREETING:
        next_step(socks, TCP_SOCKS_READ_CHOICE, 2);
        break;
    case TCP_SOCKS_SEND_AUTH:
        next_step(socks, TCP_SOCKS_READ_AUTH, 2);
        break;
    default:
        next_step(socks, TCP_SOCKS_READ_REPLY_HEAD, REPLY_HEAD);
        break;
    }
}

static bool is_sending(enum tcp_socks_state state)
{
    return state == TCP_SOCKS_SEND_GREETING || state == TCP_SOCKS_SEND_AUTH ||
           state == TCP_SOCKS_SEND_REQUEST;
}

int tcp_socks_step(struct tcp_socks *socks, int fd, unsigned *wants)
{
    /* Bounded: each pass moves at least one byte or returns. */
    for (;;) {
        if (socks->state == TCP_SOCKS_DONE)
            return 1;
        size_t left = socks->size - socks->done;
        ssize_t n;
        if (is_sending(socks->state))
            n = send(fd, socks->buffer + socks->done, left, MSG_NOSIGNAL);
        else
            n = recv(fd, socks->buffer + socks->done, left, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                *wants = is_sending(socks->state) ? TCP_SOCKS_WANT_WRITE
                                                  : TCP_SOCKS_WANT_READ;
                return 0;
            }
            return -1;
        }
        if (n == 0)
            return fail(ECONNRESET); /* the proxy hung up */
        socks->done += (size_t) n;
        if (socks->done < socks->size)
            continue;
        if (is_sending(socks->state)) {
            sent(socks);
            continue;
        }
        int rc = take_reply(socks);
        if (rc != 0)
            return rc;
    }
}
