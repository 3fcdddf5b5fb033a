/*
 * Blocking ZMTP 3.0 greeting and framing for the mechanism tests; see
 * zmtp_stream.h. Frames are laid out as RFC 23 says: a flags octet (1
 * more, 2 long, 4 command), then the size in one octet or eight.
 */
#include "zmtp_stream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int zmtp_stream_connect(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in address = { .sin_family = AF_INET,
                                   .sin_port = htons((uint16_t) port),
                                   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    if (connect(fd, (struct sockaddr *) &address, sizeof address) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int zmtp_stream_listen(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in address = { .sin_family = AF_INET,
                                   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t size = sizeof address;
    if (bind(fd, (struct sockaddr *) &address, sizeof address) != 0 ||
        listen(fd, 4) != 0 ||
        getsockname(fd, (struct sockaddr *) &address, &size) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(address.sin_port);
    return fd;
}

static int wait_readable(int fd, int timeout_ms)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    int rc = poll(&pfd, 1, timeout_ms);
    if (rc <= 0) {
        errno = rc == 0 ? ETIMEDOUT : errno;
        return -1;
    }
    return 0;
}

int zmtp_stream_accept(int listener, int timeout_ms)
{
    if (wait_readable(listener, timeout_ms) != 0)
        return -1;
    return accept4(listener, NULL, NULL, SOCK_CLOEXEC);
}

static int write_all(int fd, const void *data, size_t size)
{
    const uint8_t *bytes = data;
    while (size > 0) {
        ssize_t wrote = send(fd, bytes, size, MSG_NOSIGNAL);
        if (wrote <= 0)
            return -1;
        bytes += wrote;
        size -= (size_t) wrote;
    }
    return 0;
}

/* Reads exactly size bytes, each wait at most timeout_ms. */
static int read_all(int fd, void *data, size_t size, int timeout_ms)
{
    uint8_t *bytes = data;
    while (size > 0) {
        if (wait_readable(fd, timeout_ms) != 0)
            return -1;
        ssize_t got = recv(fd, bytes, size, 0);
        if (got == 0)
            errno = ECONNRESET;
        if (got <= 0)
            return -1;
        bytes += got;
        size -= (size_t) got;
    }
    return 0;
}

int zmtp_stream_greet(int fd, const char *mechanism, int as_server,
                      char *peer_mechanism)
{
    uint8_t greeting[64] = { 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 0 };
    memcpy(greeting + 12, mechanism, strnlen(mechanism, 20));
    greeting[32] = as_server ? 1 : 0;
    uint8_t peer[64];
    if (write_all(fd, greeting, sizeof greeting) != 0 ||
        read_all(fd, peer, sizeof peer, 5000) != 0)
        return -1;
    if (peer[0] != 0xff || peer[9] != 0x7f || peer[10] < 3)
        return -1;
    memcpy(peer_mechanism, peer + 12, 20);
    peer_mechanism[20] = '\0';
    return 0;
}

int zmtp_stream_send(int fd, const struct modzmq_msg *frame)
{
    uint8_t header[9];
    size_t header_size;
    header[0] = (uint8_t) ((frame->flags & MODZMQ_MSG_MORE ? 1 : 0) |
                           (frame->flags & MODZMQ_MSG_COMMAND ? 4 : 0));
    if (frame->size > 255) {
        header[0] |= 2;
        for (int i = 0; i < 8; i++)
            header[1 + i] = (uint8_t) ((uint64_t) frame->size >> (56 - 8 * i));
        header_size = 9;
    } else {
        header[1] = (uint8_t) frame->size;
        header_size = 2;
    }
    if (write_all(fd, header, header_size) != 0)
        return -1;
    return frame->size > 0 ? write_all(fd, frame->data, frame->size) : 0;
}

int zmtp_stream_recv(int fd, struct modzmq_msg *frame, int timeout_ms)
{
    uint8_t header[9];
    if (read_all(fd, header, 2, timeout_ms) != 0)
        return -1;
    uint64_t size = header[1];
    if (header[0] & 2) {
        if (read_all(fd, header + 2, 7, timeout_ms) != 0)
            return -1;
        size = 0;
        for (int i = 1; i < 9; i++)
            size = size << 8 | header[i];
        if (size > 64 * 1024 * 1024) {
            errno = EMSGSIZE;
            return -1;
        }
    }
    uint8_t *data = malloc(size > 0 ? (size_t) size : 1);
    if (data == NULL || read_all(fd, data, (size_t) size, timeout_ms) != 0) {
        free(data);
        return -1;
    }
    harness_msg_free(frame);
    frame->data = data;
    frame->size = (size_t) size;
    frame->flags = (header[0] & 1 ? MODZMQ_MSG_MORE : 0) |
                   (header[0] & 4 ? MODZMQ_MSG_COMMAND : 0);
    return 0;
}
