/*
 * A connection's byte stream, as the ZMTP engine reads and writes it: the
 * connected fd itself, or a transport plugin's stream over that fd (TLS,
 * WebSocket framing; sdk/modzmq/stream.h).
 *
 * The fd is the default implementation, so plain tcp and ipc pay one
 * predictable branch per call and no indirect call. A plugin's stream
 * also has readiness of its own: it may want the fd the other way round
 * (a read waiting for the fd to be writable), or hold bytes that read
 * returns while the fd signals nothing; mz_byte_stream_interest says
 * which.
 */
#ifndef MZ_BYTE_STREAM_H
#define MZ_BYTE_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <modzmq/transport.h>

struct mz_byte_stream {
    int fd;
    const struct modzmq_stream_ops *ops; /* NULL: the fd itself */
    modzmq_stream *stream;
};

/* The fd as its own stream. */
struct mz_byte_stream mz_byte_stream_of_fd(int fd);

/* Whether the transport wraps its connections in streams (stream_open,
 * ABI 1.2: a table of 1.1 ends before it). */
bool mz_byte_stream_wraps(const struct modzmq_transport_ops *transport);

/* The transport's stream over fd when it wraps its connections
 * (stream_open), else the fd itself. -1 with errno when the transport
 * refused; the fd is left open for the caller to close. */
int mz_byte_stream_open(struct mz_byte_stream *s,
                        const struct modzmq_transport_ops *transport,
                        modzmq_endpoint *endpoint, int fd);

/* Whether the stream is a plugin's rather than the bare fd. */
static inline bool mz_byte_stream_is_plugin(const struct mz_byte_stream *s)
{
    return s->ops != NULL;
}

/* read(2) and readv(2) semantics: bytes, 0 at the end, -1 with errno
 * (EAGAIN when nothing now). */
ssize_t mz_byte_stream_read(struct mz_byte_stream *s, void *buffer,
                            size_t size);
ssize_t mz_byte_stream_readv(struct mz_byte_stream *s, const struct iovec *iov,
                             int count);
/* writev(2) semantics; count 0 flushes what a plugin stream holds of its
 * own (0, or -1 with EAGAIN while some is left). */
ssize_t mz_byte_stream_writev(struct mz_byte_stream *s, const struct iovec *iov,
                              int count);

/* What the fd must be ready for (*read_fd, *write_fd) so that the caller
 * can read (if want_read) and write (if want_write); *readable_now when
 * a read would give bytes without waiting for the fd. The fd's answer is
 * the wants themselves. */
void mz_byte_stream_interest(struct mz_byte_stream *s, bool want_read,
                             bool want_write, bool *read_fd, bool *write_fd,
                             bool *readable_now);

/* Ends the stream (a plugin's may write a closing frame) and closes the
 * fd. */
void mz_byte_stream_close(struct mz_byte_stream *s);

#endif
