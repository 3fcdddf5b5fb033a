/*
 * ZAP requests over a pipe to the bound handler (see zap.h). The request
 * is written the way a REQ socket would: an empty delimiter, then the
 * frames of RFC 27, so that the usual REP handler answers it and a ROUTER
 * handler sees the same envelope.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "inproc.h"
#include "pipe.h"
#include "session.h"
#include "zap.h"
#include "zmq.h"

static const char zap_endpoint[] = "zeromq.zap.01";
static const char zap_version[] = "1.0";
static const char request_id[] = "1";

enum { REPLY_PARTS = 7 }; /* delimiter, version, id, code, text, user, data */

struct mz_zap {
    struct mz_ctx *ctx;
    struct mz_pipe_end *end; /* the session's end, NULL once released */
    struct mz_msg parts[REPLY_PARTS];
    size_t part_count; /* parts of the reply read so far */
    bool oversized;    /* the reply had more parts than that */
};

/* Writes one frame; the pipe has no high-water mark, so it always fits. */
static int write_frame(struct mz_pipe_end *end, const void *data, size_t size,
                       bool more)
{
    struct mz_msg m;
    if (mz_msg_init_buffer(&m, data, size) < 0)
        return -1;
    mz_msg_set_more(&m, more);
    if (!mz_pipe_write(end, &m)) {
        mz_msg_close(&m);
        errno = EPIPE;
        return -1;
    }
    return 0;
}

static int write_string(struct mz_pipe_end *end, const char *text, bool more)
{
    return write_frame(end, text, text != NULL ? strlen(text) : 0, more);
}

static int write_request(struct mz_pipe_end *end,
                         const struct mz_zap_request *r)
{
    if (mz_pipe_send_routing_id(end, NULL, 0) < 0 ||
        write_frame(end, NULL, 0, true) < 0 ||
        write_string(end, zap_version, true) < 0 ||
        write_string(end, request_id, true) < 0 ||
        write_string(end, r->domain, true) < 0 ||
        write_string(end, r->address, true) < 0 ||
        write_frame(end, r->identity, r->identity_size, true) < 0 ||
        write_string(end, r->mechanism, r->credential_count > 0) < 0)
        return -1;
    for (size_t i = 0; i < r->credential_count; i++) {
        if (write_frame(end, r->credentials[i], r->credential_sizes[i],
                        i + 1 < r->credential_count) < 0)
            return -1;
    }
    return 0;
}

/* A handler that closes on a request it has not answered has died, not
 * stopped: until another binds, the context's connections that need ZAP
 * are held unanswered rather than let in as if none had ever been bound
 * (which libzmq does, so that a crashed handler opens the door). The
 * context keeps the mark; a new bind of the ZAP endpoint clears it. */
void mz_zap_note_bind(struct mz_ctx *ctx, const char *name)
{
    if (strcmp(name, zap_endpoint) == 0)
        mz_ctx_set_zap_handler_died(ctx, false);
}

struct mz_zap *mz_zap_request(struct mz_ctx *ctx, struct mz_session *session,
                              const struct mz_zap_request *request)
{
    struct mz_zap *zap = calloc(1, sizeof *zap);
    if (zap == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    zap->ctx = ctx;
    for (size_t i = 0; i < REPLY_PARTS; i++)
        mz_msg_init(&zap->parts[i]);
    struct mz_pipe *pipe = mz_pipe_new(0, 0, false);
    if (pipe == NULL) {
        free(zap);
        return NULL;
    }
    zap->end = &pipe->end[0];
    mz_session_own_pipe(session, zap->end);
    zap->end->attached = true;
    /* The request waits in the pipe until the handler reads it. Our end
     * looks for the reply once before the handler can see the pipe, so
     * that it is asleep: the flush of the reply then wakes the session
     * through its mailbox. */
    if (write_request(zap->end, request) < 0)
        goto fail;
    mz_pipe_flush(zap->end);
    mz_pipe_check_read(zap->end);
    if (mz_inproc_offer(ctx, zap_endpoint, pipe) < 0) {
        if (errno == ECONNREFUSED && mz_ctx_zap_handler_died(ctx))
            errno = EPIPE;
        goto fail;
    }
    return zap;

fail:;
    int error = errno;
    /* Nobody holds the far end: drop both references. */
    mz_pipe_release(zap->end);
    mz_pipe_unref(pipe);
    free(zap);
    errno = error;
    return NULL;
}

bool mz_zap_owns(const struct mz_zap *zap, const struct mz_pipe_end *end)
{
    return zap->end != NULL && zap->end == end;
}

/* The status codes RFC 27 defines: 200, 300, 400, 500. */
static int status_code_of(const struct mz_msg *m)
{
    const char *code = mz_msg_data((struct mz_msg *) m);
    if (mz_msg_size(m) != 3 || code[0] < '2' || code[0] > '5' ||
        code[1] != '0' || code[2] != '0')
        return 0;
    return (code[0] - '0') * 100;
}

static bool part_is(const struct mz_msg *m, const char *text)
{
    size_t size = strlen(text);
    return mz_msg_size(m) == size &&
           memcmp(mz_msg_data((struct mz_msg *) m), text, size) == 0;
}

/* Judges a complete reply, as libzmq does and in its order. */
static void judge_reply(struct mz_zap *zap, struct mz_zap_reply *reply)
{
    struct mz_msg *parts = zap->parts;
    if (zap->oversized || zap->part_count != REPLY_PARTS)
        reply->protocol_error = ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY;
    else if (mz_msg_size(&parts[0]) != 0)
        reply->protocol_error = ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED;
    else if (!part_is(&parts[1], zap_version))
        reply->protocol_error = ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION;
    else if (!part_is(&parts[2], request_id))
        reply->protocol_error = ZMQ_PROTOCOL_ERROR_ZAP_BAD_REQUEST_ID;
    else if ((reply->status_code = status_code_of(&parts[3])) == 0)
        reply->protocol_error = ZMQ_PROTOCOL_ERROR_ZAP_INVALID_STATUS_CODE;
    if (reply->protocol_error != 0)
        return;
    reply->user_id = mz_msg_data(&parts[5]);
    reply->user_id_size = mz_msg_size(&parts[5]);
    reply->metadata = mz_msg_data(&parts[6]);
    reply->metadata_size = mz_msg_size(&parts[6]);
}

bool mz_zap_receive(struct mz_zap *zap, bool peer_closed,
                    struct mz_zap_reply *reply)
{
    memset(reply, 0, sizeof *reply);
    if (zap->end == NULL)
        return false;
    if (peer_closed)
        zap->end->peer_closed = true;
    for (;;) {
        struct mz_msg part;
        mz_msg_init(&part);
        if (!mz_pipe_read(zap->end, &part)) {
            /* The handler's delimiter ends the pipe: it went away without
             * replying (a half-written reply is rolled back). */
            if (!zap->end->ended)
                return false;
            mz_ctx_set_zap_handler_died(zap->ctx, true);
            reply->handler_gone = true;
            return true;
        }
        bool more = mz_msg_has_more(&part);
        if (zap->part_count < REPLY_PARTS)
            mz_msg_move(&zap->parts[zap->part_count++], &part);
        else
            zap->oversized = true;
        mz_msg_close(&part);
        if (!more) {
            judge_reply(zap, reply);
            return true;
        }
    }
}

void mz_zap_free(struct mz_zap *zap)
{
    if (zap == NULL)
        return;
    if (zap->end != NULL) {
        if (zap->end->ended)
            mz_pipe_release(zap->end);
        else
            mz_pipe_terminate(zap->end);
    }
    for (size_t i = 0; i < REPLY_PARTS; i++)
        mz_msg_close(&zap->parts[i]);
    free(zap);
}
