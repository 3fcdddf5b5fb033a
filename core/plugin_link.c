/*
 * Links between a session and an own-engine transport; see plugin_link.h.
 *
 * A link lends the plugin one outgoing part at a time (the one it pulled
 * last stays here until the next pull) and copies what the plugin pushes
 * into new parts. The pipe is flushed at the end of the I/O thread's
 * pass, once for all the messages pushed in it, so that a transport that
 * reads a batch of datagrams wakes the socket's reader once, not once a
 * message; a link that fails, is handed to ZMTP or ends flushes first.
 *
 * While the plugin's connect is running the session may not change
 * engines under it, so a link_failed or link_zmtp made from inside
 * connect is held and applied once connect has returned.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "listener.h"
#include "msg.h"
#include "plugin_link.h"
#include "plugin_reactor.h"
#include "reactor.h"
#include "session.h"

struct mz_link {
    struct mz_reactor *reactor;
    const struct modzmq_engine_transport_ops *ops;
    modzmq_link_state *state;
    bool has_state; /* the plugin is owed link_close */
    const struct mz_engine_sink *sink;
    struct mz_session *session;
    int64_t maxmsgsize;
    struct mz_msg lent;               /* the part the last link_pull lent */
    struct mz_reactor_pass_end flush; /* queued while pushes are unflushed */

    bool ready; /* link_ready succeeded */
    bool gone;  /* failed or handed to ZMTP: the services refuse */

    /* Inside the plugin's connect: what it asked for, applied after. */
    bool connecting;
    int pending_error;  /* link_failed's error, 0 for none */
    int pending_fd;     /* link_zmtp's fd, -1 for none */
    char *pending_peer; /* and its peer address */
};

static struct mz_link *from_handle(modzmq_link *handle)
{
    return (struct mz_link *) handle;
}

static modzmq_link *to_handle(struct mz_link *link)
{
    return (modzmq_link *) link;
}

/* The end of the pass in which the plugin pushed whole messages. */
static void flush_pushed(void *arg)
{
    struct mz_link *link = arg;
    link->sink->flush(link->session);
}

static struct mz_link *link_new(const struct modzmq_engine_transport_ops *ops,
                                struct mz_session *session)
{
    const struct mz_options *options = mz_session_options(session);
    struct mz_link *link = calloc(1, sizeof *link);
    if (link == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    link->reactor = mz_session_reactor(session);
    link->ops = ops;
    link->sink = &mz_session_sink;
    link->session = session;
    link->maxmsgsize = options->maxmsgsize;
    link->pending_fd = -1;
    mz_msg_init(&link->lent);
    link->flush.fn = flush_pushed;
    link->flush.arg = link;
    return link;
}

/* Makes what the plugin pushed readable now, if it is not yet. */
static void flush_now(struct mz_link *link)
{
    if (!link->flush.queued)
        return;
    mz_reactor_pass_end_cancel(link->reactor, &link->flush);
    link->sink->flush(link->session);
}

/* Why the session's engine stopped, in the terms it knows. */
static enum mz_engine_error engine_error_of(int error)
{
    switch (error) {
    case ETIMEDOUT:
        return MZ_ENGINE_TIMEOUT;
    case EPROTO:
        return MZ_ENGINE_PROTOCOL;
    case EMSGSIZE:
        return MZ_ENGINE_TOO_LARGE;
    default:
        return MZ_ENGINE_CONNECTION_CLOSED;
    }
}

/* The link is over: the session destroys it from its own task. */
static void fail(struct mz_link *link, int error)
{
    if (link->gone)
        return;
    link->gone = true;
    flush_now(link);
    if (link->connecting) {
        link->pending_error = error != 0 ? error : ECONNRESET;
        return;
    }
    link->sink->error(link->session, engine_error_of(error));
}

static void link_destroy(void *engine);

static void retire(void *arg)
{
    link_destroy(arg);
}

/* Gives fd to the session's ZMTP engine; the link, no longer the
 * session's engine, destroys itself from a task. */
static int hand_over(struct mz_link *link, int fd, const char *peer_address)
{
    flush_now(link);
    if (mz_session_run_zmtp(link->session, fd, peer_address) < 0)
        return -1;
    mz_reactor_post_or_abort(link->reactor, retire, link,
                             "handing a link to ZMTP");
    return 0;
}

struct mz_link *mz_link_connect(const struct modzmq_engine_transport_ops *ops,
                                modzmq_endpoint *endpoint,
                                struct mz_session *session)
{
    struct mz_link *link = link_new(ops, session);
    if (link == NULL)
        return NULL;
    link->connecting = true;
    int rc = ops->connect(endpoint, to_handle(link), &link->state);
    link->connecting = false;
    if (rc < 0) {
        int error = errno;
        flush_now(link);
        if (link->pending_fd >= 0)
            close(link->pending_fd);
        free(link->pending_peer);
        free(link);
        errno = error;
        return NULL;
    }
    link->has_state = true;
    return link;
}

/* What the plugin asked for from inside connect, now that the session
 * has the link as its engine. */
void mz_link_connected(struct mz_link *link)
{
    if (link->pending_fd >= 0) {
        int fd = link->pending_fd;
        link->pending_fd = -1;
        hand_over(link, fd, link->pending_peer);
        free(link->pending_peer);
        link->pending_peer = NULL;
    } else if (link->pending_error != 0) {
        link->sink->error(link->session, engine_error_of(link->pending_error));
    }
}

struct mz_link *mz_link_accepted(const struct modzmq_engine_transport_ops *ops,
                                 modzmq_link_state *state,
                                 struct mz_session *session)
{
    struct mz_link *link = link_new(ops, session);
    if (link == NULL)
        return NULL;
    link->state = state;
    link->has_state = true;
    return link;
}

static void link_resume_input(void *engine)
{
    struct mz_link *link = engine;
    if (!link->gone)
        link->ops->link_input(link->state);
}

static void link_resume_output(void *engine)
{
    struct mz_link *link = engine;
    if (link->ready && !link->gone)
        link->ops->link_output(link->state);
}

static void link_destroy(void *engine)
{
    struct mz_link *link = engine;
    if (link->has_state)
        link->ops->link_close(link->state);
    flush_now(link);
    mz_msg_close(&link->lent);
    if (link->pending_fd >= 0)
        close(link->pending_fd);
    free(link->pending_peer);
    free(link);
}

const struct mz_engine_face mz_link_face = {
    .resume_input = link_resume_input,
    .resume_output = link_resume_output,
    .destroy = link_destroy,
};

/* ---- the services ------------------------------------------------ */

modzmq_reactor *mz_link_reactor(modzmq_link *handle)
{
    return mz_plugin_reactor(from_handle(handle)->reactor);
}

modzmq_reactor *mz_link_listener_reactor(modzmq_listener *listener)
{
    return mz_plugin_reactor(
        mz_listener_reactor((struct mz_listener *) listener));
}

int mz_link_ready(modzmq_link *handle)
{
    struct mz_link *link = from_handle(handle);
    if (link->gone) {
        errno = ECONNABORTED;
        return -1;
    }
    if (link->ready)
        return 0;
    if (!link->sink->ready(link->session, NULL)) {
        fail(link, ECONNABORTED);
        errno = ECONNABORTED;
        return -1;
    }
    link->ready = true;
    return 0;
}

void mz_link_failed(modzmq_link *handle, int error)
{
    fail(from_handle(handle), error);
}

int mz_link_pull(modzmq_link *handle, struct modzmq_part *part)
{
    struct mz_link *link = from_handle(handle);
    mz_msg_close(&link->lent);
    mz_msg_init(&link->lent);
    if (!link->ready || link->gone)
        return 0;
    if (!link->sink->pull(link->session, &link->lent)) {
        /* Everything lent before is dealt with: a lingering session may
         * end now. */
        if (link->sink->drained != NULL)
            link->sink->drained(link->session);
        return 0;
    }
    part->data = mz_msg_data(&link->lent);
    part->size = mz_msg_size(&link->lent);
    part->flags = mz_msg_has_more(&link->lent) ? MODZMQ_MSG_MORE : 0;
    return 1;
}

/* The part the last link_pull lent carries its group in the message. */
const char *mz_link_part_group(modzmq_link *handle)
{
    struct mz_link *link = from_handle(handle);
    if (!link->ready || link->gone)
        return NULL;
    return mz_msg_group(&link->lent);
}

/* Copies a received part, with its group when group is not NULL, into a
 * new message for the session. */
static int push_part(struct mz_link *link, const char *group, size_t group_size,
                     const void *data, size_t size, unsigned flags)
{
    if (!link->ready || link->gone) {
        errno = ENOTCONN;
        return -1;
    }
    if (link->maxmsgsize >= 0 && size > (uint64_t) link->maxmsgsize) {
        errno = EMSGSIZE;
        return -1;
    }
    struct mz_msg m;
    if (mz_msg_init_buffer(&m, data, size) < 0) {
        errno = ENOMEM;
        return -1;
    }
    if (group != NULL && mz_msg_set_group_n(&m, group, group_size) < 0) {
        int error = errno;
        mz_msg_close(&m);
        errno = error;
        return -1;
    }
    bool more = (flags & MODZMQ_MSG_MORE) != 0;
    mz_msg_set_more(&m, more);
    if (!link->sink->push(link->session, &m)) {
        mz_msg_close(&m);
        errno = EAGAIN;
        return -1;
    }
    if (!more)
        mz_reactor_at_pass_end(link->reactor, &link->flush);
    return 0;
}

int mz_link_push(modzmq_link *handle, const void *data, size_t size,
                 unsigned flags)
{
    return push_part(from_handle(handle), NULL, 0, data, size, flags);
}

int mz_link_push_group(modzmq_link *handle, const char *group,
                       size_t group_size, const void *data, size_t size,
                       unsigned flags)
{
    return push_part(from_handle(handle), group != NULL ? group : "",
                     group != NULL ? group_size : 0, data, size, flags);
}

int mz_link_zmtp(modzmq_link *handle, int fd, const char *peer_address)
{
    struct mz_link *link = from_handle(handle);
    if (fd < 0) {
        errno = EBADF;
        return -1;
    }
    if (link->gone) {
        close(fd);
        errno = ECONNABORTED;
        return -1;
    }
    link->gone = true;
    if (link->connecting) {
        link->pending_fd = fd;
        link->pending_peer = peer_address != NULL ? strdup(peer_address) : NULL;
        return 0;
    }
    return hand_over(link, fd, peer_address);
}
