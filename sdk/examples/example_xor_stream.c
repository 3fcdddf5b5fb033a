/*
 * An example modzmq transport that wraps its connections in a byte stream
 * (modzmq/stream.h), built outside modzmq's source tree with nothing but
 * the installed SDK:
 *
 *     cc -std=gnu11 -fPIC -shared -fvisibility=hidden \
 *        $(pkg-config --cflags modzmq-sdk) \
 *        -o modzmq_xorunix.so example_xor_stream.c
 *
 * Scheme "xorunix" connects Linux abstract-namespace stream sockets, as
 * the unixstream example does ("xorunix://name" is "\0name"; binding "*"
 * lets the kernel pick a name), but ZMTP does not travel on them as it
 * is: the stream cuts it into frames, a two-byte big-endian length and
 * that many bytes XORed with 0xA5, and a frame of length 0 says the
 * sender is closing. It is a toy, no protection at all; it has the shape
 * of a TLS or WebSocket stream, which is what it is there to show:
 *
 *   - it reads the fd in large chunks and hands out at most one frame's
 *     bytes per read, so it often holds input that the fd will never
 *     signal again: poll says MODZMQ_STREAM_READABLE;
 *   - writev takes bytes into frames of its own and holds what the fd
 *     did not take: poll asks for the fd to be writable, and the core
 *     calls writev with no buffers to flush it;
 *   - close writes the closing frame, once, if the fd takes it.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* accept4 */
#endif

#include <errno.h>
#include <modzmq/stream.h>
#include <modzmq/transport.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define SCHEME "xorunix"

enum {
    KEY = 0xA5,
    HEADER = 2,
    FRAME_MAX = 1024,       /* bytes in one frame */
    INPUT_MAX = 64 * 1024,  /* what one read of the fd takes at most */
    OUTPUT_MAX = 64 * 1024, /* frames held until the fd takes them */
    BACKLOG = 100
};

struct modzmq_endpoint {
    bool wildcard;
    struct sockaddr_un address; /* sun_path[0] is 0, the name follows */
    socklen_t address_length;
};

struct modzmq_stream {
    int fd;
    uint8_t input[INPUT_MAX]; /* frames as they came from the fd */
    size_t input_pos;
    size_t input_end;
    size_t frame_left; /* bytes of the current frame not yet handed out */
    bool ended;        /* the fd's end came */
    bool closed;       /* the peer's closing frame came */
    uint8_t output[OUTPUT_MAX]; /* frames the fd has not taken yet */
    size_t output_pos;
    size_t output_end;
};

/* How often poll said the stream had input beyond the fd: the test reads
 * it (with dlsym) to know that the case was met. Not something a real
 * transport exports. */
static unsigned long readable_reported;

__attribute__((visibility("default"))) unsigned long
xorunix_readable_reported(void);
__attribute__((visibility("default"))) unsigned long
xorunix_readable_reported(void)
{
    return __atomic_load_n(&readable_reported, __ATOMIC_RELAXED);
}

/* ---- the stream ----------------------------------------------------- */

static size_t input_buffered(const struct modzmq_stream *s)
{
    return s->input_end - s->input_pos;
}

/* Whether read can make progress without the fd: the bytes of a frame,
 * the next frame's length, or the end. */
static bool input_ready(const struct modzmq_stream *s)
{
    if (s->ended || s->closed)
        return true;
    if (s->frame_left > 0)
        return input_buffered(s) > 0;
    return input_buffered(s) >= HEADER;
}

/* One read of the fd into the space after what is buffered. 1 when bytes
 * came, 0 at the fd's end, -1 with errno. */
static int fill(struct modzmq_stream *s)
{
    if (s->input_pos > 0) {
        memmove(s->input, s->input + s->input_pos, input_buffered(s));
        s->input_end -= s->input_pos;
        s->input_pos = 0;
    }
    ssize_t n = read(s->fd, s->input + s->input_end, INPUT_MAX - s->input_end);
    if (n < 0)
        return -1;
    if (n == 0) {
        s->ended = true;
        return 0;
    }
    s->input_end += (size_t) n;
    return 1;
}

static ssize_t stream_read(modzmq_stream *s, void *buffer, size_t size)
{
    for (;;) {
        if (s->closed)
            return 0;
        while (!input_ready(s)) {
            if (fill(s) < 0)
                return -1;
        }
        if (s->frame_left > 0 && input_buffered(s) > 0)
            break;
        if (s->frame_left == 0 && input_buffered(s) >= HEADER) {
            const uint8_t *header = s->input + s->input_pos;
            s->frame_left = (size_t) header[0] << 8 | header[1];
            s->input_pos += HEADER;
            if (s->frame_left == 0)
                s->closed = true; /* the peer's closing frame */
            else if (s->frame_left > FRAME_MAX) {
                errno = EPROTO;
                return -1;
            }
            continue;
        }
        /* The fd ended: cleanly between frames, or cutting one short. */
        if (s->frame_left > 0 || input_buffered(s) > 0) {
            errno = ECONNRESET;
            return -1;
        }
        return 0;
    }
    size_t n = size < s->frame_left ? size : s->frame_left;
    if (n > input_buffered(s))
        n = input_buffered(s);
    uint8_t *to = buffer;
    const uint8_t *from = s->input + s->input_pos;
    for (size_t i = 0; i < n; i++)
        to[i] = from[i] ^ KEY;
    s->input_pos += n;
    s->frame_left -= n;
    return (ssize_t) n;
}

/* Writes what the fd takes of the frames held. 0 when none is left, -1
 * with errno (EAGAIN while some is). */
static int flush(struct modzmq_stream *s)
{
    while (s->output_pos < s->output_end) {
        /* send, not write: a peer gone is EPIPE, never SIGPIPE. */
        ssize_t n = send(s->fd, s->output + s->output_pos,
                         s->output_end - s->output_pos, MSG_NOSIGNAL);
        if (n < 0)
            return -1;
        s->output_pos += (size_t) n;
    }
    s->output_pos = s->output_end = 0;
    return 0;
}

/* Frames as many of the bytes as fit behind what is held. */
static size_t frame_bytes(struct modzmq_stream *s, const struct iovec *iov,
                          int count)
{
    size_t taken = 0;
    for (int i = 0; i < count; i++) {
        const uint8_t *from = iov[i].iov_base;
        size_t left = iov[i].iov_len;
        while (left > 0 && OUTPUT_MAX - s->output_end > HEADER) {
            size_t n = OUTPUT_MAX - s->output_end - HEADER;
            if (n > FRAME_MAX)
                n = FRAME_MAX;
            if (n > left)
                n = left;
            uint8_t *to = s->output + s->output_end;
            to[0] = (uint8_t) (n >> 8);
            to[1] = (uint8_t) n;
            for (size_t j = 0; j < n; j++)
                to[HEADER + j] = from[j] ^ KEY;
            s->output_end += HEADER + n;
            from += n;
            left -= n;
            taken += n;
        }
        if (left > 0)
            break;
    }
    return taken;
}

static ssize_t stream_writev(modzmq_stream *s, const struct iovec *iov,
                             int count)
{
    if (flush(s) < 0 && errno != EAGAIN)
        return -1;
    if (count == 0)
        return s->output_pos < s->output_end ? (errno = EAGAIN, -1) : 0;
    size_t taken = frame_bytes(s, iov, count);
    if (taken == 0) {
        errno = EAGAIN;
        return -1;
    }
    /* What the fd does not take now stays held: poll asks for it. */
    if (flush(s) < 0 && errno != EAGAIN)
        return -1;
    return (ssize_t) taken;
}

static unsigned stream_poll(modzmq_stream *s, unsigned wants)
{
    unsigned needs = 0;
    if (wants & MODZMQ_WANT_READ) {
        if (input_ready(s)) {
            needs |= MODZMQ_STREAM_READABLE;
            __atomic_add_fetch(&readable_reported, 1, __ATOMIC_RELAXED);
        } else {
            needs |= MODZMQ_WANT_READ;
        }
    }
    if ((wants & MODZMQ_WANT_WRITE) || s->output_pos < s->output_end)
        needs |= MODZMQ_WANT_WRITE;
    return needs;
}

/* The closing frame goes out behind what is held, if the fd takes it
 * now; the core closes the fd. */
static void stream_close(modzmq_stream *s)
{
    static const uint8_t closing[HEADER] = { 0, 0 };
    if (OUTPUT_MAX - s->output_end >= HEADER) {
        memcpy(s->output + s->output_end, closing, HEADER);
        s->output_end += HEADER;
    }
    flush(s);
    free(s);
}

static const struct modzmq_stream_ops stream_ops = {
    .size = sizeof(struct modzmq_stream_ops),
    .read = stream_read,
    .writev = stream_writev,
    .poll = stream_poll,
    .close = stream_close,
};

static int stream_open(modzmq_endpoint *e, int fd,
                       const struct modzmq_stream_ops **ops,
                       modzmq_stream **stream)
{
    (void) e;
    struct modzmq_stream *s = calloc(1, sizeof *s);
    if (s == NULL)
        return -1;
    s->fd = fd;
    *ops = &stream_ops;
    *stream = s;
    return 0;
}

/* ---- the transport: abstract unix stream sockets -------------------- */

static int endpoint_parse(modzmq_socket *socket, const char *scheme,
                          const char *address, enum modzmq_endpoint_mode mode,
                          modzmq_endpoint **endpoint)
{
    (void) socket;
    (void) scheme;
    size_t length = strlen(address);
    bool wildcard = strcmp(address, "*") == 0;
    if (length == 0 || (wildcard && mode != MODZMQ_ENDPOINT_BIND)) {
        errno = EINVAL;
        return -1;
    }
    struct modzmq_endpoint *e = calloc(1, sizeof *e);
    if (e == NULL)
        return -1;
    if (!wildcard && length > sizeof e->address.sun_path - 1) {
        free(e);
        errno = ENAMETOOLONG;
        return -1;
    }
    e->wildcard = wildcard;
    e->address.sun_family = AF_UNIX;
    if (!wildcard)
        memcpy(e->address.sun_path + 1, address, length);
    e->address_length =
        (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + length);
    *endpoint = e;
    return 0;
}

static void endpoint_free(modzmq_endpoint *endpoint)
{
    free(endpoint);
}

static int fail_closing(int fd)
{
    int error = errno;
    close(fd);
    errno = error;
    return -1;
}

static int open_socket(void)
{
    return socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

static int listen_fd(modzmq_endpoint *e, int *listen_fd)
{
    int fd = open_socket();
    if (fd < 0)
        return -1;
    socklen_t length = e->wildcard ? sizeof(sa_family_t) : e->address_length;
    if (bind(fd, (const struct sockaddr *) &e->address, length) != 0 ||
        listen(fd, BACKLOG) != 0)
        return fail_closing(fd);
    if (e->wildcard) {
        socklen_t bound = sizeof e->address;
        if (getsockname(fd, (struct sockaddr *) &e->address, &bound) != 0)
            return fail_closing(fd);
        e->address_length = bound;
    }
    *listen_fd = fd;
    return 0;
}

static int endpoint_format(modzmq_endpoint *e, char *buffer, size_t size)
{
    size_t name_length =
        e->address_length - offsetof(struct sockaddr_un, sun_path) - 1;
    int length = snprintf(buffer, size, SCHEME "://%.*s", (int) name_length,
                          e->address.sun_path + 1);
    if (length < 0 || (size_t) length >= size) {
        errno = ENOSPC;
        return -1;
    }
    return length;
}

static int accept_fd(modzmq_endpoint *e, int listen_fd, int *fd)
{
    (void) e;
    int accepted = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (accepted < 0)
        return -1;
    *fd = accepted;
    return 0;
}

static void unlisten(modzmq_endpoint *e, int listen_fd)
{
    (void) e;
    close(listen_fd);
}

static int connect_start(modzmq_endpoint *e, int *fd)
{
    int connecting = open_socket();
    if (connecting < 0)
        return -1;
    if (connect(connecting, (const struct sockaddr *) &e->address,
                e->address_length) != 0 &&
        errno != EINPROGRESS)
        return fail_closing(connecting);
    *fd = connecting;
    return 0;
}

static int connect_finish(modzmq_endpoint *e, int fd)
{
    (void) e;
    int error = 0;
    socklen_t size = sizeof error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size) != 0)
        return -1;
    if (error != 0) {
        errno = error;
        return -1;
    }
    return 0;
}

/* A connecting abstract socket has no name to give. */
static int peer_address(modzmq_endpoint *e, int fd, char *buffer, size_t size)
{
    (void) e;
    (void) fd;
    (void) buffer;
    (void) size;
    errno = ENOENT;
    return -1;
}

static const struct modzmq_transport_ops ops = {
    .size = sizeof(struct modzmq_transport_ops),
    .endpoint_parse = endpoint_parse,
    .endpoint_free = endpoint_free,
    .listen = listen_fd,
    .endpoint_format = endpoint_format,
    .accept = accept_fd,
    .unlisten = unlisten,
    .connect_start = connect_start,
    .connect_finish = connect_finish,
    .peer_address = peer_address,
    .stream_open = stream_open,
};

static const char *const schemes[] = { SCHEME, NULL };

static const struct modzmq_plugin descriptor = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = SCHEME,
    .kind = MODZMQ_PLUGIN_TRANSPORT,
    .serves = schemes,
    .ops = &ops,
};

MODZMQ_PLUGIN_ENTRY
{
    return &descriptor;
}
