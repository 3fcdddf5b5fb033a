/*
 * Dialers: the connecting half of a zmq_connect endpoint. A connecting
 * session owns one; it reaches the peer through the endpoint's transport
 * (transport.h), hands each connection to the session, and after a failed
 * attempt or a lost connection tries again after ZMQ_RECONNECT_IVL,
 * doubling up to ZMQ_RECONNECT_IVL_MAX, unless ZMQ_RECONNECT_STOP says
 * not to.
 *
 * States and their transitions:
 *
 *   IDLE       --mz_dialer_start-->                      CONNECTING
 *   CONNECTING --the kind reports a connection-->        CONNECTED
 *   CONNECTING --the attempt failed-->                   WAITING | STOPPED
 *   CONNECTED  --mz_dialer_redial (connection ended)-->  WAITING | STOPPED
 *   WAITING    --ZMQ_RECONNECT_IVL elapsed-->            CONNECTING
 *   any        --mz_dialer_stop-->                       STOPPED
 *
 * Entering STOPPED on its own (no more attempts) the dialer tells its
 * session, which ends (mz_session_dialer_stopped). Everything runs on the
 * session's I/O thread.
 */
#ifndef MZ_DIALER_H
#define MZ_DIALER_H

#include <stdbool.h>
#include <stdint.h>

#include "transport.h"

struct mz_dialer;
struct mz_options;
struct mz_reactor;
struct mz_session;

/* A dialer for session, taking endpoint; options are the session's,
 * which outlive it. NULL with errno ENOMEM (endpoint then still the
 * caller's). */
struct mz_dialer *mz_dialer_new(struct mz_session *session,
                                struct mz_reactor *reactor,
                                const struct mz_options *options,
                                const struct mz_net_endpoint *endpoint);
/* Stops (cancelling any attempt or timer), frees the endpoint and the
 * dialer. */
void mz_dialer_free(struct mz_dialer *dialer);

/* The first attempt. */
void mz_dialer_start(struct mz_dialer *dialer);
/* The session is ending: no more attempts, and none under way. */
void mz_dialer_stop(struct mz_dialer *dialer);
/* The connection's handshake succeeded: the back-off starts over. */
void mz_dialer_handshaken(struct mz_dialer *dialer);
/* The session's connection ended; handshaken says whether it had got past
 * its handshake, protocol_failed whether the peer broke the protocol
 * (libzmq does not reconnect then: it would be refused again). */
void mz_dialer_redial(struct mz_dialer *dialer, bool handshaken,
                      bool protocol_failed);

/* ---- for the transport kinds, while an attempt is under way ---- */

struct mz_session *mz_dialer_session(const struct mz_dialer *dialer);
struct mz_reactor *mz_dialer_reactor(const struct mz_dialer *dialer);
const struct mz_options *mz_dialer_options(const struct mz_dialer *dialer);
const struct mz_net_endpoint *
mz_dialer_endpoint(const struct mz_dialer *dialer);
/* An event about the endpoint (ZMQ_EVENT_CONNECT_DELAYED, _CLOSED). */
void mz_dialer_event(struct mz_dialer *dialer, uint64_t id, uint64_t value);
/* The attempt made fd ready for ZMTP: the session runs its engine on it. */
void mz_dialer_connected_fd(struct mz_dialer *dialer, int fd);
/* The attempt made the session's engine itself (a link). */
void mz_dialer_connected(struct mz_dialer *dialer);
/* The attempt failed with error: try again after the interval, unless it
 * is a refusal (ECONNREFUSED) and ZMQ_RECONNECT_STOP_CONN_REFUSED is set. */
void mz_dialer_failed(struct mz_dialer *dialer, int error);
/* The attempt failed: try again after the interval whatever the reason. */
void mz_dialer_retry(struct mz_dialer *dialer);

#endif
