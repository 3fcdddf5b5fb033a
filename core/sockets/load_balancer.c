/*
 * Load balancing: each whole message goes to the next pipe that can take
 * it. A pipe at its high-water mark is skipped until it drains.
 */
#include <errno.h>

#include "routing.h"

void mz_lb_init(struct mz_load_balancer *lb, unsigned slot)
{
    mz_pipe_set_init(&lb->pipes, slot);
    lb->current = 0;
    lb->in_progress = NULL;
    lb->dropping = false;
}

void mz_lb_fini(struct mz_load_balancer *lb)
{
    mz_pipe_set_fini(&lb->pipes);
}

bool mz_lb_attach(struct mz_load_balancer *lb, struct mz_pipe_end *end)
{
    return mz_pipe_set_add(&lb->pipes, end, true);
}

void mz_lb_detach(struct mz_load_balancer *lb, struct mz_pipe_end *end)
{
    if (lb->in_progress == end) {
        /* Its half-sent message cannot be finished: drop the rest. */
        lb->in_progress = NULL;
        lb->dropping = true;
    }
    mz_pipe_set_remove(&lb->pipes, end);
    if (lb->current >= lb->pipes.active)
        lb->current = 0;
}

void mz_lb_activated(struct mz_load_balancer *lb, struct mz_pipe_end *end)
{
    mz_pipe_set_activate(&lb->pipes, end);
}

static void drop_part(struct mz_load_balancer *lb, struct mz_msg *m)
{
    lb->dropping = mz_msg_has_more(m);
    mz_msg_close(m);
    mz_msg_init(m);
}

static void deactivate(struct mz_load_balancer *lb, struct mz_pipe_end *end)
{
    mz_pipe_set_deactivate(&lb->pipes, end);
    if (lb->current >= lb->pipes.active)
        lb->current = 0;
}

int mz_lb_send(struct mz_load_balancer *lb, struct mz_msg *m,
               struct mz_pipe_end **to)
{
    if (to != NULL)
        *to = NULL;
    if (lb->dropping) {
        drop_part(lb, m);
        return 0;
    }
    struct mz_pipe_end *end = lb->in_progress;
    if (end != NULL) {
        /* Later parts always fit; only a closing peer refuses them. */
        if (!mz_pipe_write(end, m)) {
            mz_pipe_rollback(end);
            lb->in_progress = NULL;
            deactivate(lb, end);
            drop_part(lb, m);
            return 0;
        }
    } else {
        for (;;) {
            if (lb->pipes.active == 0) {
                errno = EAGAIN;
                return -1;
            }
            end = lb->pipes.items[lb->current];
            if (mz_pipe_write(end, m))
                break;
            deactivate(lb, end);
        }
    }
    if (to != NULL)
        *to = end;
    if (end->writing_more) {
        lb->in_progress = end;
        return 0;
    }
    lb->in_progress = NULL;
    mz_pipe_flush(end);
    if (mz_pipe_set_is_active(&lb->pipes, end))
        lb->current =
            (end->set_position[lb->pipes.slot] + 1) % lb->pipes.active;
    return 0;
}

bool mz_lb_has_out(struct mz_load_balancer *lb)
{
    if (lb->in_progress != NULL || lb->dropping)
        return true;
    while (lb->pipes.active > 0) {
        struct mz_pipe_end *end = lb->pipes.items[lb->current];
        if (mz_pipe_check_write(end))
            return true;
        deactivate(lb, end);
    }
    return false;
}
