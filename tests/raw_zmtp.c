/*
 * ZMTP by hand over loopback tcp; see raw_zmtp.h.
 */
#include "raw_zmtp.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil.h"

static int tcp_socket(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

int raw_connect(const char *endpoint)
{
    const char *colon = strrchr(endpoint, ':');
    if (colon == NULL)
        return -1;
    struct sockaddr_in address = { .sin_family = AF_INET };
    address.sin_port = htons((uint16_t) atoi(colon + 1));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = tcp_socket();
    if (connect(fd, (struct sockaddr *) &address, sizeof address) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int raw_listen(char *endpoint, size_t size)
{
    struct sockaddr_in address = { .sin_family = AF_INET };
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = tcp_socket();
    socklen_t length = sizeof address;
    if (bind(fd, (struct sockaddr *) &address, sizeof address) != 0 ||
        listen(fd, 4) != 0 ||
        getsockname(fd, (struct sockaddr *) &address, &length) != 0) {
        close(fd);
        return -1;
    }
    snprintf(endpoint, size, "tcp://127.0.0.1:%d", ntohs(address.sin_port));
    return fd;
}

int raw_accept(int listener)
{
    struct pollfd pfd = { .fd = listener, .events = POLLIN };
    if (poll(&pfd, 1, RAW_WAIT_MS) <= 0)
        return -1;
    return accept(listener, NULL, NULL);
}

bool raw_read(int fd, uint8_t *out, size_t size)
{
    long deadline = test_now_ms() + RAW_WAIT_MS;
    for (size_t done = 0; done < size;) {
        long left = deadline - test_now_ms();
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (left <= 0 || poll(&pfd, 1, (int) left) <= 0)
            return false;
        ssize_t got = read(fd, out + done, size - done);
        if (got <= 0)
            return false;
        done += (size_t) got;
    }
    return true;
}

bool raw_write(int fd, const uint8_t *data, size_t size)
{
    for (size_t done = 0; done < size;) {
        ssize_t wrote = write(fd, data + done, size - done);
        if (wrote <= 0)
            return false;
        done += (size_t) wrote;
    }
    return true;
}

bool raw_closed_by_peer(int fd)
{
    long deadline = test_now_ms() + RAW_WAIT_MS;
    uint8_t sink[4096];
    for (;;) {
        long left = deadline - test_now_ms();
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (left <= 0 || poll(&pfd, 1, (int) left) <= 0)
            return false;
        ssize_t got = read(fd, sink, sizeof sink);
        if (got <= 0)
            return true;
    }
}

bool raw_greet(int fd, const char *mechanism, bool as_server)
{
    uint8_t greeting[64] = { 0xff, 0, 0, 0, 0, 0, 0, 0, 1, 0x7f, 3, 1 };
    size_t name_size = strlen(mechanism);
    memcpy(greeting + 12, mechanism, name_size < 20 ? name_size : 20);
    greeting[32] = as_server ? 1 : 0;
    uint8_t theirs[64];
    return raw_write(fd, greeting, sizeof greeting) &&
           raw_read(fd, theirs, sizeof theirs) && theirs[0] == 0xff &&
           theirs[10] == 3 && memcmp(theirs + 12, greeting + 12, 20) == 0;
}

bool raw_send_frame(int fd, const uint8_t *data, size_t size, uint8_t flags)
{
    uint8_t header[9];
    size_t header_size = 2;
    header[0] = flags;
    if (size > 255) {
        header[0] |= RAW_FRAME_LONG;
        for (int i = 0; i < 8; i++)
            header[1 + i] = (uint8_t) ((uint64_t) size >> (56 - 8 * i));
        header_size = 9;
    } else {
        header[1] = (uint8_t) size;
    }
    return raw_write(fd, header, header_size) && raw_write(fd, data, size);
}
