/*
 * Pipes between a socket and one peer; see pipe.h for the protocol.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailbox.h"
#include "pipe.h"
#include "wakeup.h"

static void out_of_memory(void)
{
    fputs("modzmq: out of memory in a pipe\n", stderr);
    abort();
}

struct mz_pipe *mz_pipe_new(uint64_t hwm0, uint64_t hwm1, bool conflate)
{
    /* The queues keep their writer and reader fields on separate cache
     * lines, which only holds if the pipe itself is line-aligned (its size
     * is a multiple of its alignment, as aligned_alloc wants). */
    struct mz_pipe *pipe =
        aligned_alloc(_Alignof(struct mz_pipe), sizeof(struct mz_pipe));
    if (pipe == NULL)
        goto fail;
    memset(pipe, 0, sizeof *pipe);
    if (mz_queue_init(&pipe->queue[0]) < 0)
        goto fail_pipe;
    if (mz_queue_init(&pipe->queue[1]) < 0)
        goto fail_queue;
    pthread_mutex_init(&pipe->lock, NULL);
    atomic_init(&pipe->refs, 2);
    pipe->conflate = conflate;
    pipe->linger = MZ_PIPE_LINGER_UNSET;
    for (int s = 0; s < 2; s++) {
        atomic_init(&pipe->msgs_read[s], 0);
        atomic_init(&pipe->writer_waiting[s], false);
        struct mz_pipe_end *end = &pipe->end[s];
        end->pipe = pipe;
        end->side = (unsigned char) s;
        /* A conflating pipe carries no routing ids (no routing socket
         * conflates), so both ends start identified. */
        end->identified = conflate;
        atomic_init(&end->peer_sndhwm, -1);
        atomic_init(&end->peer_rcvhwm, -1);
        mz_msg_init(&pipe->slot[s]);
    }
    atomic_init(&pipe->hwm[0], hwm0);
    atomic_init(&pipe->hwm[1], hwm1);
    return pipe;

fail_queue:
    mz_queue_fini(&pipe->queue[0]);
fail_pipe:
    free(pipe);
fail:
    errno = ENOMEM;
    return NULL;
}

void mz_pipe_ref(struct mz_pipe *pipe)
{
    atomic_fetch_add_explicit(&pipe->refs, 1, memory_order_relaxed);
}

void mz_pipe_unref(struct mz_pipe *pipe)
{
    if (atomic_fetch_sub_explicit(&pipe->refs, 1, memory_order_acq_rel) != 1)
        return;
    mz_queue_fini(&pipe->queue[0]);
    mz_queue_fini(&pipe->queue[1]);
    for (int s = 0; s < 2; s++) {
        mz_msg_close(&pipe->slot[s]);
        free(pipe->end[s].endpoint);
    }
    free(pipe->farewell.data);
    pthread_mutex_destroy(&pipe->lock);
    free(pipe);
}

void mz_pipe_set_owner(struct mz_pipe_end *end,
                       const struct mz_pipe_owner_ops *ops, void *owner)
{
    pthread_mutex_lock(&end->pipe->lock);
    end->owner_ops = ops;
    end->owner = owner;
    pthread_mutex_unlock(&end->pipe->lock);
}

bool mz_pipe_set_farewell(struct mz_pipe *pipe, const struct mz_blob *message)
{
    uint8_t *copy = NULL;
    if (message->size > 0) {
        copy = malloc(message->size);
        if (copy == NULL)
            return false;
        memcpy(copy, message->data, message->size);
    }
    pthread_mutex_lock(&pipe->lock);
    free(pipe->farewell.data);
    pipe->farewell.data = copy;
    pipe->farewell.size = message->size;
    pthread_mutex_unlock(&pipe->lock);
    return true;
}

/* The connecting end of an inproc pipe says the bound socket's
 * ZMQ_DISCONNECT_MSG as it leaves (libzmq 4.3.5). */
static void write_farewell(struct mz_pipe_end *end)
{
    struct mz_pipe *pipe = end->pipe;
    if (!pipe->inproc || end->side != 0)
        return;
    pthread_mutex_lock(&pipe->lock);
    struct mz_blob farewell = pipe->farewell;
    pipe->farewell.data = NULL;
    pipe->farewell.size = 0;
    pthread_mutex_unlock(&pipe->lock);
    if (farewell.size > 0)
        mz_pipe_write_notice(end, farewell.data, farewell.size);
    free(farewell.data);
}

void mz_pipe_set_hwm(struct mz_pipe_end *end, uint64_t outgoing_hwm)
{
    atomic_store_explicit(&end->pipe->hwm[end->side], outgoing_hwm,
                          memory_order_relaxed);
}

void mz_pipe_set_peer_hwms(struct mz_pipe_end *end, int sndhwm, int rcvhwm)
{
    atomic_store_explicit(&end->peer_sndhwm, sndhwm, memory_order_relaxed);
    atomic_store_explicit(&end->peer_rcvhwm, rcvhwm, memory_order_relaxed);
}

uint64_t mz_pipe_limit(int writer_hwm, int reader_hwm)
{
    if (writer_hwm <= 0 || reader_hwm == 0)
        return 0;
    return (uint64_t) writer_hwm + (uint64_t) (reader_hwm > 0 ? reader_hwm : 0);
}

/* Posts a command about this pipe to the owner of target, if it still has
 * one. The command holds a pipe reference until the receiver has run it.
 * The lock keeps the owner from letting go of its end (and going away)
 * while the command is queued; the wake-up is written after the unlock,
 * since the woken thread is often about to take this lock (its reply's
 * flush). That write needs only the eventfd, which stays open until the
 * write has landed (its closer waits, wakeup.h), and so is safe after the
 * owner has let go. */
static void post_to(struct mz_pipe_end *target, enum mz_command_type type)
{
    struct mz_pipe *pipe = target->pipe;
    struct mz_wakeup wake = mz_wakeup_none();
    pthread_mutex_lock(&pipe->lock);
    if (target->owner_ops != NULL) {
        struct mz_command cmd = { .type = type,
                                  .pipe = pipe,
                                  .side = target->side };
        mz_pipe_ref(pipe);
        target->owner_ops->post(target->owner, &cmd, &wake);
    }
    pthread_mutex_unlock(&pipe->lock);
    mz_wakeup_deliver(&wake);
}

/* The reader publishes its progress in batches; a writer blocked on the
 * HWM is woken once a batch has been read. A batch never exceeds the HWM,
 * so a full queue always contains at least one batch boundary. */
static uint64_t read_batch(uint64_t hwm)
{
    if (hwm > 2048)
        return 1024;
    return (hwm + 1) / 2;
}

static void publish_progress(struct mz_pipe_end *end, bool force)
{
    struct mz_pipe *pipe = end->pipe;
    int q = 1 - end->side;
    uint64_t hwm = atomic_load_explicit(&pipe->hwm[q], memory_order_relaxed);
    if (hwm == 0 || end->msgs_read == end->last_published)
        return;
    if (!force && end->msgs_read - end->last_published < read_batch(hwm))
        return;
    end->last_published = end->msgs_read;
    atomic_store_explicit(&pipe->msgs_read[q], end->msgs_read,
                          memory_order_seq_cst);
    if (atomic_load_explicit(&pipe->writer_waiting[q], memory_order_seq_cst) &&
        atomic_exchange_explicit(&pipe->writer_waiting[q], false,
                                 memory_order_seq_cst))
        post_to(mz_pipe_peer(end), MZ_CMD_ACTIVATE_WRITE);
}

void mz_pipe_hwm_changed(struct mz_pipe_end *end)
{
    struct mz_pipe *pipe = end->pipe;
    int q = 1 - end->side;
    end->last_published = end->msgs_read;
    atomic_store_explicit(&pipe->msgs_read[q], end->msgs_read,
                          memory_order_seq_cst);
    if (atomic_exchange_explicit(&pipe->writer_waiting[q], false,
                                 memory_order_seq_cst))
        post_to(mz_pipe_peer(end), MZ_CMD_ACTIVATE_WRITE);
}

void mz_pipe_apply_hwms(struct mz_pipe_end *end, int sndhwm, int rcvhwm)
{
    struct mz_pipe *pipe = end->pipe;
    if (pipe->conflate)
        return;
    struct mz_pipe_end *peer = mz_pipe_peer(end);
    int peer_sndhwm =
        atomic_load_explicit(&end->peer_sndhwm, memory_order_relaxed);
    int peer_rcvhwm =
        atomic_load_explicit(&end->peer_rcvhwm, memory_order_relaxed);
    uint64_t out = mz_pipe_limit(sndhwm, peer_rcvhwm);
    uint64_t in = peer_sndhwm < 0 ? mz_pipe_limit(rcvhwm, -1)
                                  : mz_pipe_limit(peer_sndhwm, rcvhwm);
    int q = end->side;
    /* A reader that published nothing under the old limit (none, or a
     * larger batch) would leave the writer counting messages long read. */
    if (atomic_exchange_explicit(&pipe->hwm[q], out, memory_order_relaxed) !=
        out)
        post_to(peer, MZ_CMD_HWM);
    if (atomic_exchange_explicit(&pipe->hwm[1 - q], in, memory_order_relaxed) !=
        in)
        mz_pipe_hwm_changed(end);
}

/* Takes the next raw part from the peer's direction, if any. */
static bool take_part(struct mz_pipe_end *end, struct mz_msg *m)
{
    struct mz_pipe *pipe = end->pipe;
    int q = 1 - end->side;
    if (!pipe->conflate) {
        if (!mz_queue_check_read(&pipe->queue[q]))
            return false;
        mz_queue_read(&pipe->queue[q], m);
        return true;
    }
    bool found = false;
    pthread_mutex_lock(&pipe->lock);
    if (pipe->slot_full[q]) {
        *m = pipe->slot[q];
        mz_msg_init(&pipe->slot[q]);
        pipe->slot_full[q] = false;
        found = true;
    } else if (end->peer_closed) {
        /* A conflating pipe has no room for a delimiter behind the newest
         * message: the peer's PIPE_TERM stands for it. */
        mz_msg_init_delimiter(m);
        found = true;
    } else {
        pipe->slot_reader_asleep[q] = true;
    }
    pthread_mutex_unlock(&pipe->lock);
    return found;
}

/* Handles a part that is not user data: the peer's routing id is stored,
 * the delimiter ends the input. Returns false for user data. */
static bool absorb_control_part(struct mz_pipe_end *end, struct mz_msg *m)
{
    if (m->kind == MZ_MSG_DELIMITER) {
        end->ended = true;
        publish_progress(end, true);
        end->owner_ops->ended(end->owner, end);
        return true;
    }
    if ((m->flags & MZ_MSG_ROUTING_ID) == 0)
        return false;
    /* An id fixed locally (ZMQ_CONNECT_ROUTING_ID) takes precedence. */
    if (!end->identified) {
        size_t size = mz_msg_size(m);
        memcpy(end->peer_routing_id, mz_msg_data(m), size);
        end->peer_routing_id_size = (unsigned char) size;
        end->identified = true;
    }
    mz_msg_close(m);
    return true;
}

/* Reads parts until user data, absorbing control parts on the way. When
 * none comes, *m is left an empty message: an absorbed routing id or
 * delimiter must not leave it closed, since the application still owns it
 * after a failed zmq_msg_recv. */
static bool read_user_part(struct mz_pipe_end *end, struct mz_msg *m)
{
    for (;;) {
        if (end->ended || !take_part(end, m)) {
            mz_msg_init(m);
            publish_progress(end, true);
            return false;
        }
        if (!absorb_control_part(end, m))
            return true;
    }
}

/* Consumes the one routing id or delimiter at the front of the input.
 * Called only when the front is known to be such a part. */
static void skip_control_part(struct mz_pipe_end *end)
{
    struct mz_msg part;
    mz_msg_init(&part);
    if (take_part(end, &part) && !absorb_control_part(end, &part)) {
        /* Unreachable by the callers' contract. */
        mz_msg_close(&part);
    }
}

bool mz_pipe_read(struct mz_pipe_end *end, struct mz_msg *m)
{
    if (!read_user_part(end, m))
        return false;
    end->bytes_read += mz_msg_size(m);
    end->reading_more = mz_msg_has_more(m);
    if (!end->reading_more) {
        end->msgs_read++;
        publish_progress(end, false);
        /* Once the peer has closed, notice its delimiter right after its
         * last message, so the pipe is released (and a PAIR can take a
         * new peer) without waiting for another read. */
        if (end->peer_closed)
            mz_pipe_check_read(end);
    }
    return true;
}

bool mz_pipe_check_read(struct mz_pipe_end *end)
{
    struct mz_pipe *pipe = end->pipe;
    int q = 1 - end->side;
    if (end->ended)
        return false;
    if (pipe->conflate) {
        pthread_mutex_lock(&pipe->lock);
        bool full = pipe->slot_full[q];
        if (!full)
            pipe->slot_reader_asleep[q] = true;
        pthread_mutex_unlock(&pipe->lock);
        if (!full && end->peer_closed)
            skip_control_part(end);
        return full;
    }
    /* Look past a leading routing id or delimiter so that "readable" means
     * user data is there. */
    for (;;) {
        if (!mz_queue_check_read(&pipe->queue[q]))
            return false;
        const struct mz_msg *front = mz_queue_front(&pipe->queue[q]);
        if (front->kind != MZ_MSG_DELIMITER &&
            (front->flags & MZ_MSG_ROUTING_ID) == 0)
            return true;
        skip_control_part(end);
        if (end->ended)
            return false;
    }
}

bool mz_pipe_identify(struct mz_pipe_end *end)
{
    if (!end->identified)
        mz_pipe_check_read(end);
    return end->identified;
}

bool mz_pipe_check_write(struct mz_pipe_end *end)
{
    struct mz_pipe *pipe = end->pipe;
    int q = end->side;
    if (end->peer_closed || end->ended)
        return false;
    if (end->writing_more || pipe->conflate)
        return true;
    uint64_t hwm = atomic_load_explicit(&pipe->hwm[q], memory_order_relaxed);
    if (hwm == 0 || end->msgs_written - end->peer_read_seen < hwm)
        return true;
    end->peer_read_seen =
        atomic_load_explicit(&pipe->msgs_read[q], memory_order_acquire);
    if (end->msgs_written - end->peer_read_seen < hwm)
        return true;
    /* Full. Say we wait, then look once more in case the reader published
     * just before seeing the flag (it would then not wake us). */
    atomic_store_explicit(&pipe->writer_waiting[q], true, memory_order_seq_cst);
    end->peer_read_seen =
        atomic_load_explicit(&pipe->msgs_read[q], memory_order_seq_cst);
    if (end->msgs_written - end->peer_read_seen < hwm) {
        atomic_store_explicit(&pipe->writer_waiting[q], false,
                              memory_order_relaxed);
        return true;
    }
    if (!end->muted)
        mz_pipe_hwm_reached(end);
    return false;
}

static void write_conflated(struct mz_pipe_end *end, struct mz_msg *m)
{
    struct mz_pipe *pipe = end->pipe;
    int q = end->side;
    bool wake;
    pthread_mutex_lock(&pipe->lock);
    mz_msg_close(&pipe->slot[q]);
    pipe->slot[q] = *m;
    pipe->slot_full[q] = true;
    wake = pipe->slot_reader_asleep[q];
    pipe->slot_reader_asleep[q] = false;
    pthread_mutex_unlock(&pipe->lock);
    mz_msg_init(m);
    if (wake)
        post_to(mz_pipe_peer(end), MZ_CMD_ACTIVATE_READ);
}

bool mz_pipe_write(struct mz_pipe_end *end, struct mz_msg *m)
{
    if (!mz_pipe_check_write(end))
        return false;
    bool more = mz_msg_has_more(m);
    end->bytes_written += mz_msg_size(m);
    if (end->pipe->conflate) {
        write_conflated(end, m);
    } else if (mz_queue_write(&end->pipe->queue[end->side], m, !more) < 0) {
        out_of_memory();
    }
    end->writing_more = more;
    if (!more)
        end->msgs_written++;
    return true;
}

bool mz_pipe_write_past_hwm(struct mz_pipe_end *end, struct mz_msg *m)
{
    if (end->peer_closed || end->ended)
        return false;
    mz_pipe_rollback(end);
    mz_msg_set_more(m, false);
    size_t size = mz_msg_size(m);
    if (end->pipe->conflate) {
        write_conflated(end, m);
    } else if (mz_queue_write(&end->pipe->queue[end->side], m, true) < 0) {
        return false;
    }
    end->bytes_written += size;
    end->msgs_written++;
    return true;
}

bool mz_pipe_write_notice(struct mz_pipe_end *end, const void *data,
                          size_t size)
{
    struct mz_msg m;
    if (end->peer_closed || end->ended ||
        mz_msg_init_buffer(&m, data, size) < 0)
        return false;
    if (mz_pipe_write_past_hwm(end, &m))
        return true;
    mz_msg_close(&m);
    return false;
}

void mz_pipe_flush(struct mz_pipe_end *end)
{
    if (end->pipe->conflate)
        return;
    if (mz_queue_flush(&end->pipe->queue[end->side]))
        post_to(mz_pipe_peer(end), MZ_CMD_ACTIVATE_READ);
}

void mz_pipe_rollback(struct mz_pipe_end *end)
{
    if (!end->pipe->conflate)
        mz_queue_rollback(&end->pipe->queue[end->side]);
    end->writing_more = false;
}

void mz_pipe_take_connect_routing_id(struct mz_pipe_end *end,
                                     struct mz_options *options)
{
    if (options->connect_routing_id_size == 0)
        return;
    memcpy(end->peer_routing_id, options->connect_routing_id,
           options->connect_routing_id_size);
    end->peer_routing_id_size = (unsigned char) options->connect_routing_id_size;
    end->identified = true;
    options->connect_routing_id_size = 0;
}

int mz_pipe_send_routing_id(struct mz_pipe_end *end, const void *id,
                            size_t size)
{
    /* The reading end stores it in a field of this size. */
    if (size > MZ_ROUTING_ID_MAX) {
        errno = EINVAL;
        return -1;
    }
    if (end->pipe->conflate)
        return 0;
    struct mz_msg m;
    if (mz_msg_init_buffer(&m, id, size) < 0)
        return -1;
    m.flags |= MZ_MSG_ROUTING_ID;
    if (mz_queue_write(&end->pipe->queue[end->side], &m, true) < 0) {
        mz_msg_close(&m);
        return -1;
    }
    mz_pipe_flush(end);
    return 0;
}

void mz_pipe_terminate(struct mz_pipe_end *end)
{
    struct mz_pipe *pipe = end->pipe;
    struct mz_msg delimiter;
    mz_msg_init_delimiter(&delimiter);
    mz_pipe_rollback(end);
    write_farewell(end);
    /* A conflating pipe keeps its newest message readable and signals the
     * end through PIPE_TERM alone (see take_part). */
    if (!pipe->conflate) {
        if (mz_queue_write(&pipe->queue[end->side], &delimiter, true) < 0)
            out_of_memory();
        mz_pipe_flush(end);
    }
    post_to(mz_pipe_peer(end), MZ_CMD_PIPE_TERM);
    mz_pipe_release(end);
}

void mz_pipe_release(struct mz_pipe_end *end)
{
    mz_pipe_set_owner(end, NULL, NULL);
    end->attached = false;
    mz_pipe_unref(end->pipe);
}

void mz_pipe_release_inherited(struct mz_pipe_end *end)
{
    end->owner_ops = NULL;
    end->owner = NULL;
    end->attached = false;
    mz_pipe_unref(end->pipe);
}
