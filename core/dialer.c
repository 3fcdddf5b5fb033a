/*
 * Dialers; see dialer.h.
 *
 * The dialer holds what connecting needs between attempts (the endpoint,
 * the reconnect timer and the back-off) and leaves an attempt's own work
 * to the endpoint's transport kind, which reports back through the
 * mz_dialer_connected* and mz_dialer_failed/retry calls. Whatever an
 * attempt reports, its kind has already let go of it.
 */
#include <errno.h>
#include <stdlib.h>

#include "dialer.h"
#include "options.h"
#include "reactor.h"
#include "session.h"
#include "zmq.h"

enum dialer_state {
    DIALER_IDLE,       /* made, no attempt yet */
    DIALER_CONNECTING, /* an attempt is under way */
    DIALER_CONNECTED,  /* the session runs the connection */
    DIALER_WAITING,    /* the reconnect timer runs */
    DIALER_STOPPED,    /* no more attempts */
};

struct mz_dialer {
    enum dialer_state state;
    struct mz_session *session;
    struct mz_reactor *reactor;
    const struct mz_options *options;
    struct mz_net_endpoint endpoint; /* owned */
    void *attempt;  /* the kind's attempt while CONNECTING, or NULL */
    uint64_t timer; /* the reconnect timer while WAITING */
    int delay;      /* ms before the next attempt */
};

struct mz_dialer *mz_dialer_new(struct mz_session *session,
                                struct mz_reactor *reactor,
                                const struct mz_options *options,
                                const struct mz_net_endpoint *endpoint)
{
    struct mz_dialer *dialer = calloc(1, sizeof *dialer);
    if (dialer == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    dialer->state = DIALER_IDLE;
    dialer->session = session;
    dialer->reactor = reactor;
    dialer->options = options;
    dialer->endpoint = *endpoint;
    dialer->delay = options->reconnect_ivl;
    return dialer;
}

void mz_dialer_stop(struct mz_dialer *dialer)
{
    if (dialer->state == DIALER_WAITING)
        mz_reactor_cancel_timer(dialer->reactor, dialer->timer);
    if (dialer->state == DIALER_CONNECTING && dialer->attempt != NULL)
        dialer->endpoint.kind->cancel(dialer->attempt);
    dialer->timer = 0;
    dialer->attempt = NULL;
    dialer->state = DIALER_STOPPED;
}

void mz_dialer_free(struct mz_dialer *dialer)
{
    mz_dialer_stop(dialer);
    mz_net_endpoint_free(&dialer->endpoint);
    free(dialer);
}

/* No more attempts, by the dialer's own decision: the session ends. */
static void give_up(struct mz_dialer *dialer)
{
    dialer->state = DIALER_STOPPED;
    mz_session_dialer_stopped(dialer->session);
}

static void attempt(void *arg)
{
    struct mz_dialer *dialer = arg;
    if (dialer->state == DIALER_WAITING)
        dialer->timer = 0;
    else if (dialer->state != DIALER_IDLE)
        return;
    dialer->state = DIALER_CONNECTING;
    dialer->attempt = NULL;
    void *under_way = NULL;
    if (dialer->endpoint.kind->connect(dialer, &under_way) < 0) {
        mz_dialer_failed(dialer, errno);
        return;
    }
    /* A kind that reported from inside connect has nothing under way. */
    if (dialer->state == DIALER_CONNECTING)
        dialer->attempt = under_way;
}

void mz_dialer_start(struct mz_dialer *dialer)
{
    attempt(dialer);
}

void mz_dialer_retry(struct mz_dialer *dialer)
{
    if (dialer->state == DIALER_STOPPED)
        return;
    dialer->attempt = NULL;
    if (dialer->options->reconnect_ivl < 0) {
        /* Never again: the pipe goes, as in libzmq. */
        give_up(dialer);
        return;
    }
    int delay = dialer->delay;
    dialer->state = DIALER_WAITING;
    dialer->timer = mz_reactor_add_timer(dialer->reactor, (uint64_t) delay,
                                         attempt, dialer);
    mz_session_event(dialer->session, ZMQ_EVENT_CONNECT_RETRIED,
                     (uint64_t) delay);
    /* Back-off: double the interval up to ZMQ_RECONNECT_IVL_MAX. */
    int max = dialer->options->reconnect_ivl_max;
    if (max > 0 && delay < max)
        dialer->delay = delay * 2 < max ? delay * 2 : max;
}

void mz_dialer_failed(struct mz_dialer *dialer, int error)
{
    if (dialer->state == DIALER_STOPPED)
        return;
    dialer->attempt = NULL;
    if (error == ECONNREFUSED &&
        (dialer->options->reconnect_stop & ZMQ_RECONNECT_STOP_CONN_REFUSED)) {
        give_up(dialer);
        return;
    }
    mz_dialer_retry(dialer);
}

void mz_dialer_connected(struct mz_dialer *dialer)
{
    dialer->attempt = NULL;
    dialer->state = DIALER_CONNECTED;
}

void mz_dialer_connected_fd(struct mz_dialer *dialer, int fd)
{
    mz_dialer_connected(dialer);
    if (!mz_session_connection(dialer->session, fd))
        mz_dialer_retry(dialer);
}

void mz_dialer_handshaken(struct mz_dialer *dialer)
{
    dialer->delay = dialer->options->reconnect_ivl;
}

void mz_dialer_redial(struct mz_dialer *dialer, bool handshaken,
                      bool protocol_failed)
{
    if (dialer->state == DIALER_STOPPED)
        return;
    int stop = dialer->options->reconnect_stop;
    if (protocol_failed ||
        (!handshaken && (stop & ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED)) ||
        (handshaken && (stop & ZMQ_RECONNECT_STOP_AFTER_DISCONNECT))) {
        give_up(dialer);
        return;
    }
    /* A connecting session tries again, even while lingering. */
    mz_dialer_retry(dialer);
}

struct mz_session *mz_dialer_session(const struct mz_dialer *dialer)
{
    return dialer->session;
}

struct mz_reactor *mz_dialer_reactor(const struct mz_dialer *dialer)
{
    return dialer->reactor;
}

const struct mz_options *mz_dialer_options(const struct mz_dialer *dialer)
{
    return dialer->options;
}

const struct mz_net_endpoint *mz_dialer_endpoint(const struct mz_dialer *dialer)
{
    return &dialer->endpoint;
}

void mz_dialer_event(struct mz_dialer *dialer, uint64_t id, uint64_t value)
{
    mz_session_event(dialer->session, id, value);
}
