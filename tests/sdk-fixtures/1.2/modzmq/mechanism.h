/*
 * modzmq plugin SDK: security mechanisms.
 *
 * A mechanism plugin serves one or more ZMTP mechanism names ("PLAIN",
 * "CURVE", "GSSAPI"). The core runs everything around it: the greeting
 * (which carries the mechanism name and the as-server bit the core takes
 * from the socket's options), the framing of commands, the ERROR command,
 * the socket-type check, the peer's metadata, ZAP, events and timeouts. The
 * mechanism only decides which handshake commands to send and what the
 * peer's commands mean, and, if it protects traffic, how each message part
 * is turned into a wire frame and back.
 *
 * Life of one connection:
 *
 *   greetings exchanged      session_new(connection, as_server)
 *   handshake                next_command until it says EAGAIN; each
 *                            command from the peer to process_command, then
 *                            next_command again; status() READY ends it
 *   ZAP (server side)        the mechanism calls services->zap_request; the
 *                            core calls zap_accepted when the handler says
 *                            200 (anything else: the core sends ERROR with
 *                            the status code and drops the connection)
 *   traffic                  encode for each part sent, decode for each
 *                            frame received (both optional)
 *   end                      session_free
 *
 * Every call for one connection runs on the I/O thread that owns it, one at
 * a time. A session may call the core services of plugin.h that take its
 * connection handle only from within those calls.
 *
 * Commands are whole command bodies as RFC 23 lays them out: one octet
 * with the name's length, the name, then the data ("\5HELLO..."). The core
 * frames them (the COMMAND flag, short or long size) and unframes what the
 * peer sends. An ERROR command from the peer never reaches the mechanism:
 * the core reports it (HANDSHAKE_FAILED_AUTH when its reason is a ZAP
 * status code) and ends the connection.
 *
 * Errors: a call that fails returns -1 with errno, and the core drops the
 * connection. Before failing on bad input, the mechanism calls
 * services->handshake_error with the ZMQ_PROTOCOL_ERROR_* code libzmq
 * gives for the same case; that code travels with the
 * ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL event. A failure without a code is
 * reported as ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL.
 */
#ifndef MODZMQ_MECHANISM_H
#define MODZMQ_MECHANISM_H

#include <stddef.h>
#include <stdint.h>

#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The plugin's state for one connection. */
typedef struct modzmq_mechanism_session modzmq_mechanism_session;

enum modzmq_mechanism_status {
    MODZMQ_MECHANISM_HANDSHAKING = 0, /* more commands to come or to send */
    MODZMQ_MECHANISM_READY = 1        /* both sides are done: traffic */
};

struct modzmq_mechanism_ops {
    size_t size; /* sizeof (struct modzmq_mechanism_ops) in the plugin */

    /* A new handshake for one connection whose greetings named this
     * mechanism. as_server is this side's role (the socket's
     * ZMQ_PLAIN_SERVER, ZMQ_CURVE_SERVER or ZMQ_GSSAPI_SERVER); the
     * session reads its credentials and keys with
     * services->connection_option. -1 with errno refuses the connection
     * (EINVAL when a key or credential it needs is missing). */
    int (*session_new)(modzmq_connection *connection, int as_server,
                       modzmq_mechanism_session **session);

    void (*session_free)(modzmq_mechanism_session *session);

    /* Writes the next handshake command into command (size it with
     * services->msg_resize). 0 when one was written; -1 with errno EAGAIN
     * when nothing is due until the peer's next command or the ZAP reply;
     * any other errno fails the handshake. */
    int (*next_command)(modzmq_mechanism_session *session, modzmq_msg *command);

    /* One handshake command from the peer. 0, or -1 with errno EPROTO for
     * a command that is malformed, unexpected or fails to authenticate
     * (after services->handshake_error), or another errno. */
    int (*process_command)(modzmq_mechanism_session *session,
                           modzmq_msg *command);

    /* READY once this side has sent and received everything the
     * handshake needs, and the ZAP handler (if any) has accepted. */
    enum modzmq_mechanism_status (*status)(modzmq_mechanism_session *session);

    /* The ZAP handler accepted the peer (status 200), or there is no
     * handler and none is required. Called at most once, and only after
     * the session called services->zap_request and it returned 0. The
     * core calls next_command after it. */
    void (*zap_accepted)(modzmq_mechanism_session *session);

    /* Optional (NULL: parts travel as they are). After the handshake,
     * turns one outgoing message part into the frame that goes on the
     * wire, in place: the part's data and flags (MODZMQ_MSG_MORE,
     * MODZMQ_MSG_COMMAND) are replaced by the frame's. */
    int (*encode)(modzmq_mechanism_session *session, modzmq_msg *part);

    /* Optional (NULL: frames are parts). The reverse of encode for every
     * frame received after the handshake, commands included; an error
     * with EPROTO (after services->handshake_error with
     * ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC, say) drops the connection.
     * A frame that decodes to a command the core handles (PING, PONG,
     * SUBSCRIBE, CANCEL) gets MODZMQ_MSG_COMMAND. */
    int (*decode)(modzmq_mechanism_session *session, modzmq_msg *frame);

    /* Reserved: in ABI 1.1 these were CURVE's key functions, which
     * belong to CURVE alone and are now its "curve-keys" extension
     * (curve.h). A plugin built for 1.2 leaves them NULL and the core
     * never reads them; for a plugin built for 1.1 the core still takes
     * zmq_curve_keypair and zmq_curve_public from them (in that order,
     * with the signatures of struct modzmq_curve_keys), so such a plugin
     * keeps working unchanged. */
    void (*reserved_1_1[2])(void);
};

#ifdef __cplusplus
}
#endif

#endif
