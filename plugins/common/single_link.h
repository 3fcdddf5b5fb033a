/*
 * For own-engine transports whose every endpoint is one link, ready at
 * once, with no peer to accept (pgm, norm): the plumbing of connect,
 * bind and unbind that their plugins would otherwise each write again.
 * Compiled into each plugin that uses it.
 *
 * A connect's link starts at once on the link's reactor. A bind's link
 * is made by the core's link_accept once the bind has finished (a task
 * posted to the listener's reactor) and ends with unlisten; a bind
 * unlistened before that task ran frees its state there.
 *
 * The plugin keeps a struct single_link in its link state (its link is
 * single_link.link) and a struct single_bind in its endpoint, and says
 * how its state starts, stops and is freed.
 */
#ifndef MODZMQ_SINGLE_LINK_H
#define MODZMQ_SINGLE_LINK_H

#include <modzmq/engine_transport.h>
#include <stdbool.h>

struct single_bind;

struct single_link_ops {
    /* Starts the link's I/O on reactor (link_ready and after): 0, or -1
     * with errno. */
    int (*start)(modzmq_link_state *state, modzmq_reactor *reactor);
    /* Ends all I/O; may be called again after. */
    void (*stop)(modzmq_link_state *state);
    void (*free)(modzmq_link_state *state);
};

/* In the plugin's link state. */
struct single_link {
    const struct modzmq_core_services *services;
    const struct single_link_ops *ops;
    modzmq_link_state *state; /* the state this is in */
    modzmq_link *link;        /* NULL until a bound one is accepted */
    struct single_bind *bind; /* a bind's, until unlisten */
    modzmq_listener *listener;
};

/* In the plugin's endpoint: its bound link, until unlisten. */
struct single_bind {
    struct single_link *bound;
};

void single_link_init(struct single_link *l,
                      const struct modzmq_core_services *services,
                      const struct single_link_ops *ops,
                      modzmq_link_state *state);

/* ops.connect: starts l on link. On failure the state is stopped and
 * freed: -1 with errno. */
int single_link_connect(struct single_link *l, modzmq_link *link);

/* ops.listen: l becomes b's bound link, accepted once the bind is done.
 * On failure the state is stopped and freed: -1 with errno. */
int single_link_listen(struct single_link *l, struct single_bind *b,
                       modzmq_listener *listener);

/* ops.unlisten: stops b's bound link and fails it (ECONNABORTED), which
 * ends it. False when there was none. */
bool single_link_unlisten(struct single_bind *b);

/* ops.link_close: stops and frees the state. */
void single_link_close(struct single_link *l);

#endif
