/*
 * Connect, bind and unbind of one-link own-engine transports (see
 * single_link.h).
 */
#include "single_link.h"

#include <errno.h>

void single_link_init(struct single_link *l,
                      const struct modzmq_core_services *services,
                      const struct single_link_ops *ops,
                      modzmq_link_state *state)
{
    *l = (struct single_link) {
        .services = services, .ops = ops, .state = state
    };
}

static int fail(struct single_link *l)
{
    int error = errno;
    l->ops->stop(l->state);
    l->ops->free(l->state);
    errno = error;
    return -1;
}

int single_link_connect(struct single_link *l, modzmq_link *link)
{
    l->link = link;
    if (l->ops->start(l->state, l->services->link_reactor(link)) < 0)
        return fail(l);
    return 0;
}

/* The bound link, made once the core has finished the bind. */
static void accept_bound(void *arg)
{
    struct single_link *l = arg;
    if (l->bind == NULL) {
        /* Unbound before this ran: unlisten stopped it. */
        l->ops->free(l->state);
        return;
    }
    l->link = l->services->link_accept(l->listener, l->state);
    if (l->link == NULL) {
        l->bind->bound = NULL;
        l->ops->stop(l->state);
        l->ops->free(l->state);
        return;
    }
    /* From here on the core owns the state's life: link_close frees it. */
    if (l->ops->start(l->state,
                      l->services->listener_reactor(l->listener)) < 0) {
        l->ops->stop(l->state);
        l->services->link_failed(l->link, errno);
    }
}

int single_link_listen(struct single_link *l, struct single_bind *b,
                       modzmq_listener *listener)
{
    l->bind = b;
    l->listener = listener;
    b->bound = l;
    if (l->services->task_post(l->services->listener_reactor(listener),
                               accept_bound, l) < 0) {
        b->bound = NULL;
        return fail(l);
    }
    return 0;
}

bool single_link_unlisten(struct single_bind *b)
{
    struct single_link *l = b->bound;
    b->bound = NULL;
    if (l == NULL)
        return false;
    l->ops->stop(l->state);
    l->bind = NULL;
    if (l->link != NULL)
        l->services->link_failed(l->link, ECONNABORTED);
    return true;
}

void single_link_close(struct single_link *l)
{
    l->ops->stop(l->state);
    if (l->bind != NULL && l->bind->bound == l)
        l->bind->bound = NULL;
    l->ops->free(l->state);
}
