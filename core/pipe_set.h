/*
 * An ordered set of pipe ends with an "active" prefix, the building block of
 * the routing strategies: fair queueing (recv), load balancing (send) and
 * fan-out. Ends [0, active) are ready; the rest wait for an activation
 * command. Every operation is O(1): each end remembers its position in up to
 * MZ_PIPE_SET_SLOTS sets, one slot per set a socket type uses.
 */
#ifndef MZ_PIPE_SET_H
#define MZ_PIPE_SET_H

#include <stdbool.h>

#include "pipe.h"

struct mz_pipe_set {
    struct mz_pipe_end **items;
    unsigned count;
    unsigned active;
    unsigned capacity;
    unsigned slot; /* which set_position entry of an end is ours */
};

void mz_pipe_set_init(struct mz_pipe_set *set, unsigned slot);
void mz_pipe_set_fini(struct mz_pipe_set *set);
/* Adds end as active (true) or inactive; false (errno ENOMEM) when the set
 * cannot grow. */
bool mz_pipe_set_add(struct mz_pipe_set *set, struct mz_pipe_end *end,
                     bool active);
void mz_pipe_set_remove(struct mz_pipe_set *set, struct mz_pipe_end *end);
void mz_pipe_set_activate(struct mz_pipe_set *set, struct mz_pipe_end *end);
void mz_pipe_set_deactivate(struct mz_pipe_set *set, struct mz_pipe_end *end);
bool mz_pipe_set_contains(const struct mz_pipe_set *set,
                          const struct mz_pipe_end *end);
bool mz_pipe_set_is_active(const struct mz_pipe_set *set,
                           const struct mz_pipe_end *end);

#endif
