/*
 * Fair queueing: receive whole messages from the ready pipes in turn, so
 * that one busy peer cannot starve the others.
 */
#include <errno.h>

#include "routing.h"

void mz_fq_init(struct mz_fair_queue *fq, unsigned slot)
{
    mz_pipe_set_init(&fq->pipes, slot);
    fq->current = 0;
    fq->more = false;
    fq->last_in = NULL;
}

void mz_fq_fini(struct mz_fair_queue *fq)
{
    mz_pipe_set_fini(&fq->pipes);
}

bool mz_fq_attach(struct mz_fair_queue *fq, struct mz_pipe_end *end)
{
    return mz_pipe_set_add(&fq->pipes, end, true);
}

void mz_fq_detach(struct mz_fair_queue *fq, struct mz_pipe_end *end)
{
    if (fq->last_in == end) {
        /* A multipart message from it can never be finished. */
        fq->last_in = NULL;
        fq->more = false;
    }
    mz_pipe_set_remove(&fq->pipes, end);
    if (fq->current >= fq->pipes.active)
        fq->current = 0;
}

void mz_fq_activated(struct mz_fair_queue *fq, struct mz_pipe_end *end)
{
    mz_pipe_set_activate(&fq->pipes, end);
}

static void fq_deactivate_current(struct mz_fair_queue *fq)
{
    mz_pipe_set_deactivate(&fq->pipes, fq->pipes.items[fq->current]);
    if (fq->current >= fq->pipes.active)
        fq->current = 0;
}

int mz_fq_recv(struct mz_fair_queue *fq, struct mz_msg *m,
               struct mz_pipe_end **from)
{
    if (fq->more && fq->last_in != NULL) {
        /* The rest of a multipart message is already in the pipe. */
        struct mz_pipe_end *end = fq->last_in;
        if (mz_pipe_read(end, m)) {
            fq->more = mz_msg_has_more(m);
            if (from != NULL)
                *from = end;
            if (!fq->more && fq->pipes.active > 0)
                fq->current = (fq->current + 1) % fq->pipes.active;
            return 0;
        }
        fq->more = false;
    }
    while (fq->pipes.active > 0) {
        struct mz_pipe_end *end = fq->pipes.items[fq->current];
        if (mz_pipe_read(end, m)) {
            fq->more = mz_msg_has_more(m);
            fq->last_in = end;
            if (from != NULL)
                *from = end;
            if (!fq->more)
                fq->current = (fq->current + 1) % fq->pipes.active;
            return 0;
        }
        fq_deactivate_current(fq);
    }
    errno = EAGAIN;
    return -1;
}

bool mz_fq_has_in(struct mz_fair_queue *fq)
{
    if (fq->more)
        return true;
    while (fq->pipes.active > 0) {
        if (mz_pipe_check_read(fq->pipes.items[fq->current]))
            return true;
        fq_deactivate_current(fq);
    }
    return false;
}
