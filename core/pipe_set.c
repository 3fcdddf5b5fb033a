/*
 * Pipe sets: a swap-to-partition array. See pipe_set.h.
 */
#include <errno.h>
#include <stdlib.h>

#include "pipe_set.h"

static const unsigned NOT_IN_SET = ~0u;

void mz_pipe_set_init(struct mz_pipe_set *set, unsigned slot)
{
    set->items = NULL;
    set->count = set->active = set->capacity = 0;
    set->slot = slot;
}

void mz_pipe_set_fini(struct mz_pipe_set *set)
{
    free(set->items);
    set->items = NULL;
    set->count = set->active = set->capacity = 0;
}

static void place(struct mz_pipe_set *set, unsigned index,
                  struct mz_pipe_end *end)
{
    set->items[index] = end;
    end->set_position[set->slot] = index;
}

static void swap(struct mz_pipe_set *set, unsigned a, unsigned b)
{
    if (a == b)
        return;
    struct mz_pipe_end *ea = set->items[a];
    struct mz_pipe_end *eb = set->items[b];
    place(set, a, eb);
    place(set, b, ea);
}

bool mz_pipe_set_add(struct mz_pipe_set *set, struct mz_pipe_end *end,
                     bool active)
{
    if (set->count == set->capacity) {
        unsigned capacity = set->capacity ? set->capacity * 2 : 8;
        struct mz_pipe_end **items =
            realloc(set->items, capacity * sizeof *items);
        if (items == NULL) {
            errno = ENOMEM;
            return false;
        }
        set->items = items;
        set->capacity = capacity;
    }
    place(set, set->count++, end);
    if (active) {
        swap(set, set->active, set->count - 1);
        set->active++;
    }
    return true;
}

bool mz_pipe_set_contains(const struct mz_pipe_set *set,
                          const struct mz_pipe_end *end)
{
    unsigned index = end->set_position[set->slot];
    return index < set->count && set->items[index] == end;
}

bool mz_pipe_set_is_active(const struct mz_pipe_set *set,
                           const struct mz_pipe_end *end)
{
    return mz_pipe_set_contains(set, end) &&
           end->set_position[set->slot] < set->active;
}

void mz_pipe_set_activate(struct mz_pipe_set *set, struct mz_pipe_end *end)
{
    if (!mz_pipe_set_contains(set, end))
        return;
    unsigned index = end->set_position[set->slot];
    if (index < set->active)
        return;
    swap(set, index, set->active);
    set->active++;
}

void mz_pipe_set_deactivate(struct mz_pipe_set *set, struct mz_pipe_end *end)
{
    if (!mz_pipe_set_contains(set, end))
        return;
    unsigned index = end->set_position[set->slot];
    if (index >= set->active)
        return;
    set->active--;
    swap(set, index, set->active);
}

void mz_pipe_set_remove(struct mz_pipe_set *set, struct mz_pipe_end *end)
{
    if (!mz_pipe_set_contains(set, end))
        return;
    mz_pipe_set_deactivate(set, end);
    unsigned index = end->set_position[set->slot];
    swap(set, index, set->count - 1);
    set->count--;
    end->set_position[set->slot] = NOT_IN_SET;
}
