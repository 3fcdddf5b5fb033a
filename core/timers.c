/* Application timers (zmq_timers_*): repeating callbacks that the caller runs
 * from its own loop with zmq_timers_execute, typically sleeping or polling
 * for zmq_timers_timeout milliseconds in between.
 *
 * Timers sit in a binary min-heap ordered by due time, so the next expiry is
 * found in O(1) and add, cancel and rescheduling cost O(log n); a GLib hash
 * table maps timer ids to timers. Timers that fall due at the same
 * millisecond run in the order they were scheduled, which a per-schedule
 * sequence number guarantees. A cancelled timer is removed at once, so it can
 * never run afterwards, even when cancelled by another timer's handler in
 * the middle of zmq_timers_execute. Not thread-safe, as documented. */
#include "zmq.h"

#include "clock.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>

#include <glib.h>

typedef struct mz_timer {
    int id;
    size_t interval;   /* milliseconds */
    uint64_t due;      /* mz_clock_ms time of the next run */
    uint64_t seq;      /* order of scheduling, breaks ties in due */
    size_t heap_index; /* position in mz_timers_t.heap */
    zmq_timer_fn *handler;
    void *arg;
} mz_timer_t;

typedef struct mz_timers {
    uint32_t tag; /* mz_timers_tag while the object is alive */
    mz_timer_t **heap;
    size_t count;
    size_t capacity;
    GHashTable *by_id; /* int id -> mz_timer_t *, owns the timers */
    int last_id;
    uint64_t next_seq;
} mz_timers_t;

/* Marks live timer objects so that a NULL or foreign handle is reported as
 * EFAULT instead of being used. */
static const uint32_t mz_timers_tag = 0x7a6d7469;

/* The timers object behind a handle, or NULL with errno EFAULT. */
static mz_timers_t *mz_timers_check(void *timers_)
{
    mz_timers_t *timers = timers_;
    if (!timers || timers->tag != mz_timers_tag) {
        errno = EFAULT;
        return NULL;
    }
    return timers;
}

/* The live timer with this id, or NULL with errno EINVAL. */
static mz_timer_t *mz_timers_find(mz_timers_t *timers, int timer_id)
{
    mz_timer_t *timer =
        g_hash_table_lookup(timers->by_id, GINT_TO_POINTER(timer_id));
    if (!timer)
        errno = EINVAL;
    return timer;
}

static int mz_timer_before(const mz_timer_t *a, const mz_timer_t *b)
{
    return a->due < b->due || (a->due == b->due && a->seq < b->seq);
}

static void mz_heap_place(mz_timers_t *timers, mz_timer_t *timer, size_t i)
{
    timers->heap[i] = timer;
    timer->heap_index = i;
}

/* Moves the timer at position i towards the root until its parent is not
 * later than it. */
static void mz_heap_sift_up(mz_timers_t *timers, size_t i)
{
    mz_timer_t *timer = timers->heap[i];
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!mz_timer_before(timer, timers->heap[parent]))
            break;
        mz_heap_place(timers, timers->heap[parent], i);
        i = parent;
    }
    mz_heap_place(timers, timer, i);
}

/* Moves the timer at position i towards the leaves until neither child is
 * earlier than it. */
static void mz_heap_sift_down(mz_timers_t *timers, size_t i)
{
    mz_timer_t *timer = timers->heap[i];
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= timers->count)
            break;
        if (child + 1 < timers->count &&
            mz_timer_before(timers->heap[child + 1], timers->heap[child]))
            child++;
        if (!mz_timer_before(timers->heap[child], timer))
            break;
        mz_heap_place(timers, timers->heap[child], i);
        i = child;
    }
    mz_heap_place(timers, timer, i);
}

/* Restores heap order around position i after the timer there changed. */
static void mz_heap_fix(mz_timers_t *timers, size_t i)
{
    if (i > 0 && mz_timer_before(timers->heap[i], timers->heap[(i - 1) / 2]))
        mz_heap_sift_up(timers, i);
    else
        mz_heap_sift_down(timers, i);
}

static void mz_heap_remove(mz_timers_t *timers, mz_timer_t *timer)
{
    size_t i = timer->heap_index;
    timers->count--;
    if (i == timers->count)
        return;
    mz_heap_place(timers, timers->heap[timers->count], i);
    mz_heap_fix(timers, i);
}

/* Gives the timer its next due time, interval milliseconds after now (held
 * at the maximum instead of wrapping for huge intervals), and a new sequence
 * number. The caller then restores heap order. */
static void mz_timer_schedule(mz_timers_t *timers, mz_timer_t *timer,
                              uint64_t now)
{
    uint64_t interval = timer->interval;
    timer->due = interval > UINT64_MAX - now ? UINT64_MAX : now + interval;
    timer->seq = timers->next_seq++;
}

/* The next free positive id. Ids count up and wrap to 1 after INT_MAX,
 * skipping any still in use, so an id is never shared by two live timers. */
static int mz_timers_next_id(mz_timers_t *timers)
{
    do
        timers->last_id = timers->last_id == INT_MAX ? 1 : timers->last_id + 1;
    while (
        g_hash_table_contains(timers->by_id, GINT_TO_POINTER(timers->last_id)));
    return timers->last_id;
}

void *zmq_timers_new(void)
{
    mz_timers_t *timers = calloc(1, sizeof *timers);
    if (!timers) {
        errno = ENOMEM;
        return NULL;
    }
    timers->by_id =
        g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, free);
    timers->tag = mz_timers_tag;
    return timers;
}

int zmq_timers_destroy(void **timers_p_)
{
    if (!timers_p_) {
        errno = EFAULT;
        return -1;
    }
    mz_timers_t *timers = mz_timers_check(*timers_p_);
    if (!timers)
        return -1;
    timers->tag = 0;
    g_hash_table_destroy(timers->by_id);
    free(timers->heap);
    free(timers);
    *timers_p_ = NULL;
    return 0;
}

int zmq_timers_add(void *timers_, size_t interval_, zmq_timer_fn handler_,
                   void *arg_)
{
    mz_timers_t *timers = mz_timers_check(timers_);
    if (!timers)
        return -1;
    if (!handler_) {
        errno = EFAULT;
        return -1;
    }
    if (timers->count == timers->capacity) {
        size_t capacity = timers->capacity ? 2 * timers->capacity : 8;
        mz_timer_t **heap = realloc(timers->heap, capacity * sizeof *heap);
        if (!heap) {
            errno = ENOMEM;
            return -1;
        }
        timers->heap = heap;
        timers->capacity = capacity;
    }
    mz_timer_t *timer = malloc(sizeof *timer);
    if (!timer) {
        errno = ENOMEM;
        return -1;
    }
    timer->id = mz_timers_next_id(timers);
    timer->interval = interval_;
    timer->handler = handler_;
    timer->arg = arg_;
    mz_timer_schedule(timers, timer, mz_clock_ms());
    g_hash_table_insert(timers->by_id, GINT_TO_POINTER(timer->id), timer);
    mz_heap_place(timers, timer, timers->count++);
    mz_heap_sift_up(timers, timer->heap_index);
    return timer->id;
}

int zmq_timers_cancel(void *timers_, int timer_id_)
{
    mz_timers_t *timers = mz_timers_check(timers_);
    if (!timers)
        return -1;
    mz_timer_t *timer = mz_timers_find(timers, timer_id_);
    if (!timer)
        return -1;
    mz_heap_remove(timers, timer);
    g_hash_table_remove(timers->by_id, GINT_TO_POINTER(timer_id_));
    return 0;
}

int zmq_timers_set_interval(void *timers_, int timer_id_, size_t interval_)
{
    mz_timers_t *timers = mz_timers_check(timers_);
    if (!timers)
        return -1;
    mz_timer_t *timer = mz_timers_find(timers, timer_id_);
    if (!timer)
        return -1;
    timer->interval = interval_;
    mz_timer_schedule(timers, timer, mz_clock_ms());
    mz_heap_fix(timers, timer->heap_index);
    return 0;
}

int zmq_timers_reset(void *timers_, int timer_id_)
{
    mz_timers_t *timers = mz_timers_check(timers_);
    if (!timers)
        return -1;
    mz_timer_t *timer = mz_timers_find(timers, timer_id_);
    if (!timer)
        return -1;
    mz_timer_schedule(timers, timer, mz_clock_ms());
    mz_heap_fix(timers, timer->heap_index);
    return 0;
}

/* Milliseconds until the earliest timer is due: 0 when one is overdue, -1
 * when there are no timers. */
long zmq_timers_timeout(void *timers_)
{
    mz_timers_t *timers = mz_timers_check(timers_);
    if (!timers)
        return -1;
    if (timers->count == 0)
        return -1;
    uint64_t due = timers->heap[0]->due;
    uint64_t now = mz_clock_ms();
    if (due <= now)
        return 0;
    return due - now > (uint64_t) LONG_MAX ? LONG_MAX : (long) (due - now);
}

/* Runs every timer due at the time of the call, earliest first, and gives
 * each its next due time (that time plus its interval) before calling its
 * handler. Handlers may add, cancel, reset or re-interval any timer: a
 * cancelled one is gone from the heap and cannot run, and anything scheduled
 * during this call carries a sequence number at or past `first_new`, so it
 * waits for a later call; that also stops zero-interval timers from running
 * forever here. */
int zmq_timers_execute(void *timers_)
{
    mz_timers_t *timers = mz_timers_check(timers_);
    if (!timers)
        return -1;
    uint64_t now = mz_clock_ms();
    uint64_t first_new = timers->next_seq;
    while (timers->count > 0) {
        mz_timer_t *timer = timers->heap[0];
        if (timer->due > now || timer->seq >= first_new)
            break;
        mz_timer_schedule(timers, timer, now);
        mz_heap_sift_down(timers, 0);
        timer->handler(timer->id, timer->arg);
    }
    return 0;
}
