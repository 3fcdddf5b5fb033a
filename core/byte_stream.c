/*
 * Byte streams (see byte_stream.h): the bare fd, or a plugin's stream
 * through its ops.
 */
#include <errno.h>
#include <stddef.h>
#include <unistd.h>

#include "byte_stream.h"

struct mz_byte_stream mz_byte_stream_of_fd(int fd)
{
    struct mz_byte_stream s = { .fd = fd, .ops = NULL, .stream = NULL };
    return s;
}

/* Whether a table reports member end (offsetof + sizeof) in its size. */
static bool table_has(size_t size, size_t end)
{
    return size >= end;
}

bool mz_byte_stream_wraps(const struct modzmq_transport_ops *transport)
{
    return transport != NULL &&
           table_has(transport->size,
                     offsetof(struct modzmq_transport_ops, stream_open) +
                         sizeof transport->stream_open) &&
           transport->stream_open != NULL;
}

int mz_byte_stream_open(struct mz_byte_stream *s,
                        const struct modzmq_transport_ops *transport,
                        modzmq_endpoint *endpoint, int fd)
{
    *s = mz_byte_stream_of_fd(fd);
    if (!mz_byte_stream_wraps(transport))
        return 0;
    const struct modzmq_stream_ops *ops = NULL;
    modzmq_stream *stream = NULL;
    if (transport->stream_open(endpoint, fd, &ops, &stream) < 0)
        return -1;
    /* read, writev and close are what every stream must have; a table
     * too small to hold close cannot be asked to close either. */
    bool whole =
        ops != NULL &&
        table_has(ops->size, offsetof(struct modzmq_stream_ops, close) +
                                 sizeof ops->close);
    if (!whole || ops->read == NULL || ops->writev == NULL ||
        ops->close == NULL) {
        if (whole && ops->close != NULL)
            ops->close(stream);
        errno = EPROTO;
        return -1;
    }
    s->ops = ops;
    s->stream = stream;
    return 0;
}

ssize_t mz_byte_stream_read(struct mz_byte_stream *s, void *buffer, size_t size)
{
    if (s->ops == NULL)
        return read(s->fd, buffer, size);
    return s->ops->read(s->stream, buffer, size);
}

/* A plugin's read has one buffer: fill the first, then whatever the
 * stream still gives into the next ones, stopping at the first that it
 * does not fill. */
static ssize_t plugin_readv(struct mz_byte_stream *s, const struct iovec *iov,
                            int count)
{
    size_t total = 0;
    for (int i = 0; i < count; i++) {
        ssize_t n = s->ops->read(s->stream, iov[i].iov_base, iov[i].iov_len);
        if (n <= 0)
            return total > 0 ? (ssize_t) total : n;
        total += (size_t) n;
        if ((size_t) n < iov[i].iov_len)
            break;
    }
    return (ssize_t) total;
}

ssize_t mz_byte_stream_readv(struct mz_byte_stream *s, const struct iovec *iov,
                             int count)
{
    if (s->ops == NULL)
        return readv(s->fd, iov, count);
    return plugin_readv(s, iov, count);
}

ssize_t mz_byte_stream_writev(struct mz_byte_stream *s, const struct iovec *iov,
                              int count)
{
    if (s->ops == NULL)
        return writev(s->fd, iov, count);
    ssize_t n = s->ops->writev(s->stream, iov, count);
    /* Taking nothing of something is "not now", whatever the plugin
     * says: the encoder would otherwise offer the same bytes for ever. */
    if (n == 0 && count > 0) {
        errno = EAGAIN;
        return -1;
    }
    return n;
}

void mz_byte_stream_interest(struct mz_byte_stream *s, bool want_read,
                             bool want_write, bool *read_fd, bool *write_fd,
                             bool *readable_now)
{
    *read_fd = want_read;
    *write_fd = want_write;
    *readable_now = false;
    /* open checked that the table reaches close, which follows poll. */
    const struct modzmq_stream_ops *ops = s->ops;
    if (ops == NULL || ops->poll == NULL)
        return;
    unsigned wants = (want_read ? MODZMQ_WANT_READ : 0u) |
                     (want_write ? MODZMQ_WANT_WRITE : 0u);
    unsigned needs = ops->poll(s->stream, wants);
    *read_fd = (needs & MODZMQ_WANT_READ) != 0;
    *write_fd = (needs & MODZMQ_WANT_WRITE) != 0;
    *readable_now = (needs & MODZMQ_STREAM_READABLE) != 0;
}

void mz_byte_stream_close(struct mz_byte_stream *s)
{
    if (s->ops != NULL)
        s->ops->close(s->stream);
    s->ops = NULL;
    s->stream = NULL;
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}
