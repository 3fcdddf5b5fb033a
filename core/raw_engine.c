/*
 * The raw engine: plain bytes over a connected fd, for ZMQ_STREAM.
 *
 * No greeting, no framing: every read becomes one message for the socket
 * and every message from the socket is written as it is. With
 * ZMQ_STREAM_NOTIFY (the default) the socket hears of the connection and of
 * its end through an empty message, as in libzmq. It serves the same
 * session sink as the ZMTP engine.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "peer_metadata.h"
#include "raw_engine.h"
#include "reactor.h"

enum { RAW_READ_SIZE = 65536 };

struct mz_raw_engine {
    struct mz_reactor *reactor;
    int fd;
    struct mz_reactor_fd *handle;
    const struct mz_engine_sink *sink;
    void *session;
    bool notify;
    struct mz_peer_metadata *metadata; /* Peer-Address and the fd */

    struct mz_msg held_in; /* a part the pipe had no room for */
    bool has_held_in;
    bool input_stopped;

    struct mz_msg out; /* the part being written */
    size_t out_offset;
    bool has_out;
    bool output_idle; /* pull said nothing is ready */
    bool failed;

    unsigned char buffer[RAW_READ_SIZE]; /* one read() */
};

static void update_interest(struct mz_raw_engine *engine)
{
    mz_reactor_want(engine->handle, !engine->input_stopped,
                    engine->has_out || !engine->output_idle);
}

/* The connection is over, however it ended: with ZMQ_STREAM_NOTIFY the
 * socket hears of it through an empty part, as in libzmq, then the
 * session. */
static void fail(struct mz_raw_engine *engine, enum mz_engine_error reason)
{
    if (engine->failed)
        return;
    engine->failed = true;
    mz_reactor_want(engine->handle, false, false);
    if (engine->notify) {
        struct mz_msg empty;
        mz_msg_init(&empty);
        mz_msg_set_metadata(&empty, engine->metadata);
        if (engine->sink->push(engine->session, &empty))
            engine->sink->flush(engine->session);
        else
            mz_msg_close(&empty);
    }
    engine->sink->error(engine->session, reason);
}

/* Hands *m to the session or keeps it for mz_raw_engine_resume_input. */
static bool deliver(struct mz_raw_engine *engine, struct mz_msg *m)
{
    mz_msg_set_metadata(m, engine->metadata);
    if (engine->sink->push(engine->session, m))
        return true;
    engine->held_in = *m;
    mz_msg_init(m);
    engine->has_held_in = true;
    engine->input_stopped = true;
    return false;
}

static void read_input(struct mz_raw_engine *engine)
{
    if (engine->has_held_in) {
        engine->has_held_in = false;
        if (!deliver(engine, &engine->held_in))
            return;
        engine->sink->flush(engine->session);
    }
    /* A bounded number of reads per wake-up keeps the thread fair. */
    for (int i = 0; i < 16 && !engine->input_stopped; i++) {
        ssize_t got = read(engine->fd, engine->buffer, sizeof engine->buffer);
        if (got <= 0) {
            if (got < 0 && (errno == EAGAIN || errno == EINTR))
                break;
            fail(engine, MZ_ENGINE_CONNECTION_CLOSED);
            return;
        }
        struct mz_msg part;
        if (mz_msg_init_buffer(&part, engine->buffer, (size_t) got) < 0) {
            fail(engine, MZ_ENGINE_CONNECTION_CLOSED);
            return;
        }
        if (!deliver(engine, &part))
            break;
    }
    engine->sink->flush(engine->session);
}

static void write_output(struct mz_raw_engine *engine)
{
    for (int i = 0; i < 64; i++) {
        if (!engine->has_out) {
            mz_msg_init(&engine->out);
            if (!engine->sink->pull(engine->session, &engine->out)) {
                engine->output_idle = true;
                if (engine->sink->drained != NULL)
                    engine->sink->drained(engine->session);
                return;
            }
            engine->has_out = true;
            engine->out_offset = 0;
        }
        size_t size = mz_msg_size(&engine->out);
        const unsigned char *data = mz_msg_data(&engine->out);
        while (engine->out_offset < size) {
            ssize_t wrote = write(engine->fd, data + engine->out_offset,
                                  size - engine->out_offset);
            if (wrote < 0) {
                if (errno == EAGAIN || errno == EINTR)
                    return;
                /* The peer is gone, but what it sent before it went
                 * still counts: read it (and the end of the stream). */
                read_input(engine);
                fail(engine, MZ_ENGINE_CONNECTION_CLOSED);
                return;
            }
            engine->out_offset += (size_t) wrote;
        }
        mz_msg_close(&engine->out);
        engine->has_out = false;
    }
}

/* Input first: a peer that wrote and closed is read to its end before a
 * write to it can fail. */
static void fd_ready(void *arg, uint32_t events)
{
    struct mz_raw_engine *engine = arg;
    if (events & ~(uint32_t) MZ_REACTOR_WRITABLE)
        read_input(engine);
    if (!engine->failed && (events & MZ_REACTOR_WRITABLE))
        write_output(engine);
    if (!engine->failed)
        update_interest(engine);
}

/* The properties every message of the connection carries. */
static struct mz_peer_metadata *raw_metadata(int fd, const char *peer_address)
{
    struct mz_peer_metadata *metadata = mz_peer_metadata_new();
    if (metadata == NULL)
        return NULL;
    mz_peer_metadata_set_fd(metadata, fd);
    if (peer_address != NULL &&
        mz_peer_metadata_add(metadata, "Peer-Address", strlen("Peer-Address"),
                             peer_address, strlen(peer_address)) < 0) {
        mz_peer_metadata_unref(metadata);
        return NULL;
    }
    return metadata;
}

struct mz_raw_engine *mz_raw_engine_new(struct mz_reactor *reactor, int fd,
                                        const struct mz_options *options,
                                        const char *peer_address,
                                        const struct mz_engine_sink *sink,
                                        void *session)
{
    struct mz_raw_engine *engine = calloc(1, sizeof *engine);
    if (engine != NULL)
        engine->metadata = raw_metadata(fd, peer_address);
    if (engine == NULL || engine->metadata == NULL) {
        free(engine);
        close(fd);
        errno = ENOMEM;
        return NULL;
    }
    engine->reactor = reactor;
    engine->fd = fd;
    engine->sink = sink;
    engine->session = session;
    engine->notify = options->stream_notify;
    mz_msg_init(&engine->held_in);
    mz_msg_init(&engine->out);
    engine->handle = mz_reactor_add_fd(reactor, fd, fd_ready, engine);
    if (engine->handle == NULL) {
        int error = errno;
        mz_peer_metadata_unref(engine->metadata);
        close(fd);
        free(engine);
        errno = error;
        return NULL;
    }
    /* No handshake: the connection is ready now. */
    if (!sink->ready(session, NULL)) {
        mz_reactor_remove_fd(engine->handle);
        mz_peer_metadata_unref(engine->metadata);
        close(fd);
        free(engine);
        errno = ECONNABORTED;
        return NULL;
    }
    if (engine->notify) {
        struct mz_msg empty;
        mz_msg_init(&empty);
        if (deliver(engine, &empty))
            sink->flush(session);
    }
    update_interest(engine);
    return engine;
}

void mz_raw_engine_resume_input(struct mz_raw_engine *engine)
{
    if (engine->failed)
        return;
    engine->input_stopped = false;
    read_input(engine);
    if (!engine->failed)
        update_interest(engine);
}

void mz_raw_engine_resume_output(struct mz_raw_engine *engine)
{
    if (engine->failed)
        return;
    engine->output_idle = false;
    write_output(engine);
    if (!engine->failed)
        update_interest(engine);
}

void mz_raw_engine_destroy(struct mz_raw_engine *engine)
{
    mz_reactor_remove_fd(engine->handle);
    close(engine->fd);
    mz_msg_close(&engine->held_in);
    mz_msg_close(&engine->out);
    mz_peer_metadata_unref(engine->metadata);
    free(engine);
}
