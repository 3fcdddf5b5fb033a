/*
 * modzmq plugin SDK: byte streams (since ABI 1.2).
 *
 * A stream transport whose wire is not the bare fd (TLS, WebSocket
 * framing, any encoding of its own) wraps each connected fd in a stream
 * (transport.h's stream_open) and the core's ZMTP engine then reads and
 * writes through the stream instead of the fd. The engine stays the same:
 * greetings, mechanisms (CURVE too), heartbeats and everything else run
 * over what the stream's read gives and its writev takes.
 *
 * The stream is non-blocking, like the fd under it, and the core drives
 * it from the fd's readiness on the connection's I/O thread (the core
 * never calls two ops of one stream at once):
 *
 *   - read and writev return -1 with errno EAGAIN when they cannot go on
 *     now; poll then says what the fd must become ready for. That need not
 *     be the same direction: a TLS read may wait for the fd to be
 *     writable, a write may wait for a record to arrive.
 *   - On any readiness of the fd the core calls read (if it takes input
 *     at that moment) and writev (with what it has to send, or with no
 *     buffers at all when the stream asked for the fd to be writable and
 *     the core has nothing: a flush of what the stream owes on its own,
 *     a pong, the rest of a record).
 *   - A stream may hold plaintext that read returns although the fd will
 *     not signal anything (the rest of a decoded record): poll says so
 *     with MODZMQ_STREAM_READABLE, and the core reads again without
 *     waiting for the fd.
 *   - A protocol of the stream's own before ZMTP (a TLS handshake, a
 *     WebSocket upgrade) runs inside read and writev: they return EAGAIN
 *     until it is over (writev may also accept bytes early and hold
 *     them). ZMQ_HANDSHAKE_IVL bounds it with the ZMTP handshake.
 *
 * The core keeps the fd: it stops watching it, calls close, and then
 * closes the fd itself.
 */
#ifndef MODZMQ_STREAM_H
#define MODZMQ_STREAM_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One connection's stream state, defined by the plugin. */
typedef struct modzmq_stream modzmq_stream;

/* What poll returns besides MODZMQ_WANT_READ and MODZMQ_WANT_WRITE
 * (transport.h): read would give bytes now, whatever the fd says. */
enum { MODZMQ_STREAM_READABLE = 4 };

struct modzmq_stream_ops {
    size_t size; /* sizeof (struct modzmq_stream_ops) in the plugin */

    /* Up to size bytes of the stream's plaintext into buffer: the count,
     * 0 at the end of the stream (the peer closed it, cleanly or not),
     * or -1 with errno (EAGAIN: nothing now; anything else ends the
     * connection, and the core reports that errno). */
    ssize_t (*read)(modzmq_stream *stream, void *buffer, size_t size);

    /* Takes bytes from count buffers, in order: how many it took (all,
     * or the first ones of them: the core offers the rest again later),
     * or -1 with errno (EAGAIN: none now). Bytes it took are its to
     * deliver. count 0 asks the stream to send what it holds of its own;
     * it returns 0 or -1 (EAGAIN while some is left). */
    ssize_t (*writev)(modzmq_stream *stream, const struct iovec *iov,
                      int count);

    /* Optional (NULL: the fd ready the way the core wants is what the
     * stream needs). wants says what the core would do next:
     * MODZMQ_WANT_READ when it takes input, MODZMQ_WANT_WRITE when it has
     * bytes to write. Returns what the fd must be ready for
     * (MODZMQ_WANT_READ, MODZMQ_WANT_WRITE, both or neither), plus
     * MODZMQ_STREAM_READABLE when read has bytes now. Also ask for
     * MODZMQ_WANT_WRITE when the stream holds bytes of its own to send:
     * the core then calls writev with count 0 as the fd becomes
     * writable. Called often: keep it cheap and free of I/O. */
    unsigned (*poll)(modzmq_stream *stream, unsigned wants);

    /* The connection ends (the peer's hang-up, a failure, zmq_close
     * after linger): frees the stream. It may try to write a closing
     * frame on the fd, which is still open and non-blocking: once, as
     * the fd takes it, never waiting. The core closes the fd after. */
    void (*close)(modzmq_stream *stream);
};

#ifdef __cplusplus
}
#endif

#endif
