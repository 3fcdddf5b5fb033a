/*
 * Links: the engine of a session whose transport brings its own
 * (sdk/modzmq/engine_transport.h). To the session a link is one more
 * engine, beside ZMTP and raw: it is resumed when the pipe has parts or
 * room and destroyed when the connection ends. To the plugin it is the
 * modzmq_link handle whose services (link_ready, link_pull, link_push,
 * link_failed, link_zmtp) feed the session's engine sink, as the ZMTP
 * engine's decoder and encoder do.
 *
 * Everything runs on the session's I/O thread. The link service
 * link_accept is transport_link.c's.
 */
#ifndef MZ_PLUGIN_LINK_H
#define MZ_PLUGIN_LINK_H

#include <modzmq/engine_transport.h>

#include "session.h"

struct mz_link;

/* Connect: a new link for session (on its reactor, with its options and
 * engine sink), then the plugin's connect. NULL with errno when the plugin
 * knew at once that it failed. */
struct mz_link *mz_link_connect(const struct modzmq_engine_transport_ops *ops,
                                modzmq_endpoint *endpoint,
                                struct mz_session *session);

/* Applies what the plugin asked for from inside its connect (a failure,
 * a hand-over to ZMTP), once the session has made the link its engine. */
void mz_link_connected(struct mz_link *link);

/* Accept: a link for a peer the plugin found, whose state it already has.
 * NULL with errno ENOMEM. */
struct mz_link *mz_link_accepted(const struct modzmq_engine_transport_ops *ops,
                                 modzmq_link_state *state,
                                 struct mz_session *session);

/* How the session drives a link: resumed when the pipe has room or parts
 * again, destroyed (the plugin's link_close, then free; never from inside
 * a service call of the plugin) when the session is done with it. */
extern const struct mz_engine_face mz_link_face;

/* The link services of struct modzmq_core_services. */
modzmq_reactor *mz_link_reactor(modzmq_link *link);
modzmq_reactor *mz_link_listener_reactor(modzmq_listener *listener);
modzmq_link *mz_link_accept(modzmq_listener *listener,
                            modzmq_link_state *state);
int mz_link_ready(modzmq_link *link);
void mz_link_failed(modzmq_link *link, int error);
int mz_link_pull(modzmq_link *link, struct modzmq_part *part);
int mz_link_push(modzmq_link *link, const void *data, size_t size,
                 unsigned flags);
int mz_link_zmtp(modzmq_link *link, int fd, const char *peer_address);
const char *mz_link_part_group(modzmq_link *link);
int mz_link_push_group(modzmq_link *link, const char *group,
                       size_t group_size, const void *data, size_t size,
                       unsigned flags);

#endif
