/*
 * Dropping multipart messages on receive; see single_part.h.
 */
#include "single_part.h"

int mz_single_part_recv(struct mz_fair_queue *fq, struct mz_msg *m,
                        struct mz_pipe_end **from)
{
    for (;;) {
        /* The fair queue is inside a message when the next part continues
         * one; a pipe gone in the middle of one ends that. */
        bool continuation = fq->more;
        if (mz_fq_recv(fq, m, from) < 0)
            return -1;
        if (!continuation && !mz_msg_has_more(m))
            return 0;
        mz_msg_close(m);
        mz_msg_init(m);
    }
}
