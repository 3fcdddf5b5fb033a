/*
 * Fan-out: one message to every chosen pipe. The body is shared between the
 * copies by reference count; a pipe at its high-water mark loses the
 * message (PUB semantics) and is skipped until it drains. Every message a
 * pipe loses counts in its msgs_dropped: the one it could not take, and
 * each one it matched while set aside.
 */
#include <stdio.h>
#include <stdlib.h>

#include "routing.h"

void mz_dist_init(struct mz_distributor *dist, unsigned slot)
{
    mz_pipe_set_init(&dist->pipes, slot);
    dist->matching = NULL;
    dist->matching_count = dist->matching_capacity = 0;
    dist->epoch = 1;
    dist->more = false;
}

void mz_dist_fini(struct mz_distributor *dist)
{
    mz_pipe_set_fini(&dist->pipes);
    free(dist->matching);
}

bool mz_dist_attach(struct mz_distributor *dist, struct mz_pipe_end *end)
{
    /* A pipe joining in the middle of a message waits for the next one:
     * it is simply not among this message's receivers. */
    return mz_pipe_set_add(&dist->pipes, end, true);
}

static void unmatch_one(struct mz_distributor *dist, struct mz_pipe_end *end)
{
    for (unsigned i = 0; i < dist->matching_count; i++) {
        if (dist->matching[i] == end) {
            dist->matching[i] = dist->matching[--dist->matching_count];
            return;
        }
    }
}

void mz_dist_detach(struct mz_distributor *dist, struct mz_pipe_end *end)
{
    if (end->dist_mark == dist->epoch)
        unmatch_one(dist, end);
    end->dist_mark = 0;
    mz_pipe_set_remove(&dist->pipes, end);
}

void mz_dist_activated(struct mz_distributor *dist, struct mz_pipe_end *end)
{
    mz_pipe_set_activate(&dist->pipes, end);
}

void mz_dist_unmatch(struct mz_distributor *dist)
{
    dist->matching_count = 0;
    dist->epoch++;
}

/* A pipe set aside at its HWM is marked too, though it gets nothing: the
 * message's send counts it as a drop (count_set_aside). */
void mz_dist_match(struct mz_distributor *dist, struct mz_pipe_end *end)
{
    if (end->dist_mark == dist->epoch)
        return;
    if (!mz_pipe_set_is_active(&dist->pipes, end)) {
        end->dist_mark = dist->epoch;
        return;
    }
    if (dist->matching_count == dist->matching_capacity) {
        unsigned capacity =
            dist->matching_capacity ? dist->matching_capacity * 2 : 8;
        struct mz_pipe_end **matching =
            realloc(dist->matching, capacity * sizeof *matching);
        if (matching == NULL) {
            fputs("modzmq: out of memory matching subscribers\n", stderr);
            abort();
        }
        dist->matching = matching;
        dist->matching_capacity = capacity;
    }
    end->dist_mark = dist->epoch;
    dist->matching[dist->matching_count++] = end;
}

void mz_dist_match_all(struct mz_distributor *dist)
{
    mz_dist_unmatch(dist);
    for (unsigned i = 0; i < dist->pipes.active; i++)
        mz_dist_match(dist, dist->pipes.items[i]);
}

void mz_dist_reverse_match(struct mz_distributor *dist)
{
    /* Pipes chosen so far still carry the old epoch as their mark; the
     * ones set aside are reversed too, for the drop count. */
    unsigned long long chosen = dist->epoch;
    mz_dist_unmatch(dist);
    for (unsigned i = 0; i < dist->pipes.count; i++) {
        struct mz_pipe_end *end = dist->pipes.items[i];
        if (end->dist_mark != chosen)
            mz_dist_match(dist, end);
    }
}

bool mz_dist_matching_can_write(struct mz_distributor *dist)
{
    for (unsigned i = 0; i < dist->matching_count; i++)
        if (!mz_pipe_check_write(dist->matching[i]))
            return false;
    return true;
}

/* At a message's first part: the pipes set aside that it matched lose it. */
static void count_set_aside(struct mz_distributor *dist)
{
    for (unsigned i = dist->pipes.active; i < dist->pipes.count; i++) {
        struct mz_pipe_end *end = dist->pipes.items[i];
        if (end->dist_mark == dist->epoch)
            end->msgs_dropped++;
    }
}

void mz_dist_send(struct mz_distributor *dist, struct mz_msg *m)
{
    bool more = mz_msg_has_more(m);
    if (!dist->more)
        count_set_aside(dist);
    unsigned receivers = dist->matching_count;
    if (receivers == 0) {
        mz_msg_close(m);
        mz_msg_init(m);
        dist->more = more;
        return;
    }
    /* Each receiver gets a bitwise copy owning one reference. */
    mz_msg_add_refs(m, receivers - 1);
    unsigned i = 0;
    while (i < dist->matching_count) {
        struct mz_pipe_end *end = dist->matching[i];
        struct mz_msg copy = *m;
        if (mz_pipe_write(end, &copy)) {
            if (!more)
                mz_pipe_flush(end);
            i++;
            continue;
        }
        /* At its HWM (or closing): this pipe loses the message. */
        if (!end->writing_more)
            end->msgs_dropped++;
        mz_msg_close(&copy);
        mz_pipe_rollback(end);
        mz_pipe_set_deactivate(&dist->pipes, end);
        end->dist_mark = 0;
        dist->matching[i] = dist->matching[--dist->matching_count];
    }
    mz_msg_init(m);
    dist->more = more;
    if (!more)
        mz_dist_unmatch(dist);
}
