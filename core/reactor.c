/*
 * The reactor behind every I/O thread (see reactor.h for the contract).
 *
 * Three sources of work feed one epoll_wait:
 *   - fds: each handle is the epoll user pointer, so an event leads straight
 *     to its callback with no lookup and no allocation;
 *   - timers: a binary min-heap of slot numbers ordered by deadline, whose
 *     nearest deadline becomes the epoll_wait timeout. Slots are reused, and
 *     a timer id is the slot number plus the slot's generation, which makes
 *     cancellation an O(log n) heap removal and a stale id detectable;
 *   - tasks from other threads: a mutex-protected array plus an eventfd that
 *     is registered in the same epoll set and written when the array stops
 *     being empty. The write is made after the mutex is let go (wakeup.h),
 *     or the woken thread would at once sleep on the mutex; freeing the
 *     reactor waits for every write decided so far to land, so that a
 *     write on its way never meets a closed (or reused) fd.
 * Removed handles are only unlinked during an iteration and freed at its end,
 * because later entries of the same epoll batch may still point to them.
 */
#include "reactor.h"

#include "clock.h"
#include "wakeup.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* How many ready fds one epoll_wait may return. More simply wait for the
 * next iteration, which level triggering makes lossless. */
enum { MZ_REACTOR_BATCH = 256 };

/* Marks a timer slot or heap link as "none". */
enum { MZ_TIMER_NONE = UINT32_MAX };

struct mz_reactor_fd {
    struct mz_reactor *reactor;
    int fd;
    uint32_t wanted; /* subset of EPOLLIN | EPOLLOUT */
    bool in_epoll;   /* out after an error nobody wanted (see dispatch) */
    bool removed;    /* on the retired list, awaiting free */
    mz_reactor_io_fn *fn;
    void *arg;
    struct mz_reactor_fd *prev; /* live list; unused once retired */
    struct mz_reactor_fd *next; /* live list, then retired list */
};

/* One timer, armed or free. While armed, link is its index in the heap;
 * while free, link is the next free slot. */
struct mz_timer_slot {
    uint64_t deadline; /* mz_clock_ms value */
    uint64_t order;    /* breaks deadline ties: order of adding */
    mz_reactor_timer_fn *fn;
    void *arg;
    uint32_t generation; /* bumped on every release, never 0 */
    uint32_t link;
};

struct mz_task {
    mz_reactor_task_fn *fn;
    void *arg;
};

struct mz_task_list {
    struct mz_task *items;
    size_t count;
    size_t capacity;
};

struct mz_reactor {
    int epoll_fd;
    int wake_fd; /* eventfd: tasks posted or stop */
    atomic_bool stopping;
    atomic_uint load; /* registered fds */

    struct mz_reactor_fd *live;    /* registered handles */
    struct mz_reactor_fd *retired; /* removed this iteration */

    struct mz_timer_slot *slots;
    uint32_t *heap;      /* slot numbers; same capacity */
    uint32_t slot_count; /* slots ever used */
    uint32_t slot_capacity;
    uint32_t free_slot; /* head of the free slot chain */
    uint32_t heap_len;
    uint64_t next_order;

    pthread_mutex_t task_lock;
    struct mz_task_list posted;  /* guarded by task_lock */
    uint64_t wakes_raised;       /* wake_fd writes decided; task_lock */
    uint64_t wakes_read;         /* what reads of wake_fd brought back */
    struct mz_task_list running; /* reactor thread only */
    struct mz_reactor_pass_end *pass_end; /* reactor thread only */

    struct epoll_event events[MZ_REACTOR_BATCH];
};

/* An epoll call on fds the reactor itself manages failed, which only a bug
 * can cause; carrying on would lose events silently. */
static void mz_reactor_fail(const char *what)
{
    fprintf(stderr, "modzmq: reactor: %s failed: %s\n", what, strerror(errno));
    abort();
}

/* Tasks each list holds from the start: a reactor that never has more
 * than this many tasks waiting never allocates to post one, so the
 * callers that cannot do without their task (post_or_abort) meet memory
 * shortage only in a burst. */
enum { MZ_REACTOR_TASKS_RESERVED = 64 };

static int mz_task_list_reserve(struct mz_task_list *list)
{
    list->items = calloc(MZ_REACTOR_TASKS_RESERVED, sizeof *list->items);
    if (list->items == NULL)
        return -1;
    list->capacity = MZ_REACTOR_TASKS_RESERVED;
    return 0;
}

struct mz_reactor *mz_reactor_new(void)
{
    struct mz_reactor *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    if (mz_task_list_reserve(&r->posted) < 0 ||
        mz_task_list_reserve(&r->running) < 0) {
        errno = ENOMEM;
        goto fail_tasks;
    }
    r->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    if (r->epoll_fd < 0)
        goto fail_tasks;
    r->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (r->wake_fd < 0)
        goto fail_epoll;
    struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
    if (epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, r->wake_fd, &ev) < 0)
        goto fail_wake;
    int rc = pthread_mutex_init(&r->task_lock, NULL);
    if (rc != 0) {
        errno = rc;
        goto fail_wake;
    }
    atomic_init(&r->stopping, false);
    atomic_init(&r->load, 0);
    r->free_slot = MZ_TIMER_NONE;
    return r;

fail_wake:
    close(r->wake_fd);
fail_epoll:
    close(r->epoll_fd);
fail_tasks:
    free(r->posted.items);
    free(r->running.items);
    free(r);
    return NULL;
}

/* Frees a chain of handles linked through next. */
static void mz_reactor_free_chain(struct mz_reactor_fd *h)
{
    while (h != NULL) {
        struct mz_reactor_fd *next = h->next;
        free(h);
        h = next;
    }
}

/* What mz_reactor_free and mz_reactor_abandon both let go of. */
static void release(struct mz_reactor *r)
{
    mz_reactor_free_chain(r->live);
    mz_reactor_free_chain(r->retired);
    free(r->slots);
    free(r->heap);
    free(r->posted.items);
    free(r->running.items);
    pthread_mutex_destroy(&r->task_lock);
    close(r->wake_fd);
    close(r->epoll_fd);
    free(r);
}

/* Every poster whose wake-up is still on its way (decided under the lock,
 * written after) has only that write left to make: once it has landed,
 * nobody touches the reactor any more. */
void mz_reactor_free(struct mz_reactor *r)
{
    if (r == NULL)
        return;
    pthread_mutex_lock(&r->task_lock);
    uint64_t raised = r->wakes_raised;
    pthread_mutex_unlock(&r->task_lock);
    mz_wakeup_await(r->wake_fd, raised, &r->wakes_read);
    release(r);
}

/* No wait here: a write the parent's threads had decided at the fork is
 * theirs to make, in the parent. */
void mz_reactor_abandon(struct mz_reactor *r)
{
    for (struct mz_reactor_fd *h = r->live; h != NULL; h = h->next)
        close(h->fd);
    release(r);
}

/* ---- fds ---- */

struct mz_reactor_fd *mz_reactor_add_fd(struct mz_reactor *r, int fd,
                                        mz_reactor_io_fn *fn, void *arg)
{
    struct mz_reactor_fd *h = calloc(1, sizeof *h);
    if (h == NULL)
        return NULL;
    h->reactor = r;
    h->fd = fd;
    h->fn = fn;
    h->arg = arg;
    h->in_epoll = true;
    struct epoll_event ev = { .events = 0, .data.ptr = h };
    if (epoll_ctl(r->epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        int saved = errno;
        free(h);
        errno = saved;
        return NULL;
    }
    h->next = r->live;
    if (r->live != NULL)
        r->live->prev = h;
    r->live = h;
    atomic_fetch_add_explicit(&r->load, 1, memory_order_relaxed);
    return h;
}

void mz_reactor_want(struct mz_reactor_fd *h, bool readable, bool writable)
{
    uint32_t wanted = (readable ? EPOLLIN : 0) | (writable ? EPOLLOUT : 0);
    if (wanted == h->wanted)
        return;
    h->wanted = wanted;
    if (!h->in_epoll) {
        /* Back in: a pending error is reported at once, with interest. */
        struct epoll_event ev = { .events = wanted, .data.ptr = h };
        if (epoll_ctl(h->reactor->epoll_fd, EPOLL_CTL_ADD, h->fd, &ev) < 0)
            mz_reactor_fail("epoll_ctl (add back)");
        h->in_epoll = true;
        return;
    }
    struct epoll_event ev = { .events = wanted, .data.ptr = h };
    if (epoll_ctl(h->reactor->epoll_fd, EPOLL_CTL_MOD, h->fd, &ev) < 0)
        mz_reactor_fail("epoll_ctl (modify)");
}

/* epoll reports errors and hang-ups whatever a registration asks for, and
 * level-triggered it reports them on every wait: an fd that wants nothing
 * and has failed would keep the thread spinning. Such an fd leaves the
 * epoll set until its owner wants something again. */
static void leave_epoll(struct mz_reactor_fd *h)
{
    if (epoll_ctl(h->reactor->epoll_fd, EPOLL_CTL_DEL, h->fd, NULL) < 0)
        mz_reactor_fail("epoll_ctl (delete)");
    h->in_epoll = false;
}

void mz_reactor_remove_fd(struct mz_reactor_fd *h)
{
    struct mz_reactor *r = h->reactor;
    if (h->in_epoll)
        leave_epoll(h);
    if (h->prev != NULL)
        h->prev->next = h->next;
    else
        r->live = h->next;
    if (h->next != NULL)
        h->next->prev = h->prev;
    h->removed = true;
    h->prev = NULL;
    h->next = r->retired;
    r->retired = h;
    atomic_fetch_sub_explicit(&r->load, 1, memory_order_relaxed);
}

/* ---- timers ---- */

/* True if slot a must fire before slot b. */
static bool mz_timer_before(const struct mz_reactor *r, uint32_t a, uint32_t b)
{
    const struct mz_timer_slot *x = &r->slots[a], *y = &r->slots[b];
    if (x->deadline != y->deadline)
        return x->deadline < y->deadline;
    return x->order < y->order;
}

static void mz_heap_place(struct mz_reactor *r, uint32_t pos, uint32_t slot)
{
    r->heap[pos] = slot;
    r->slots[slot].link = pos;
}

static void mz_heap_sift_up(struct mz_reactor *r, uint32_t pos)
{
    uint32_t slot = r->heap[pos];
    while (pos > 0) {
        uint32_t parent = (pos - 1) / 2;
        if (!mz_timer_before(r, slot, r->heap[parent]))
            break;
        mz_heap_place(r, pos, r->heap[parent]);
        pos = parent;
    }
    mz_heap_place(r, pos, slot);
}

static void mz_heap_sift_down(struct mz_reactor *r, uint32_t pos)
{
    uint32_t slot = r->heap[pos];
    for (;;) {
        uint32_t child = 2 * pos + 1;
        if (child >= r->heap_len)
            break;
        if (child + 1 < r->heap_len &&
            mz_timer_before(r, r->heap[child + 1], r->heap[child]))
            child++;
        if (!mz_timer_before(r, r->heap[child], slot))
            break;
        mz_heap_place(r, pos, r->heap[child]);
        pos = child;
    }
    mz_heap_place(r, pos, slot);
}

/* Takes the timer at heap position pos out of the heap and returns its slot
 * to the free chain; the generation bump invalidates its id. */
static void mz_timer_release(struct mz_reactor *r, uint32_t pos)
{
    uint32_t slot = r->heap[pos];
    r->heap_len--;
    if (pos < r->heap_len) {
        mz_heap_place(r, pos, r->heap[r->heap_len]);
        if (pos > 0 && mz_timer_before(r, r->heap[pos], r->heap[(pos - 1) / 2]))
            mz_heap_sift_up(r, pos);
        else
            mz_heap_sift_down(r, pos);
    }
    struct mz_timer_slot *s = &r->slots[slot];
    s->generation++;
    if (s->generation == 0)
        s->generation = 1;
    s->link = r->free_slot;
    r->free_slot = slot;
}

/* Makes room for one more slot (and heap entry). 0, or -1 with ENOMEM. */
static int mz_timer_grow(struct mz_reactor *r)
{
    if (r->slot_capacity >= MZ_TIMER_NONE / 2) {
        errno = ENOMEM;
        return -1;
    }
    uint32_t capacity = r->slot_capacity ? 2 * r->slot_capacity : 16;
    struct mz_timer_slot *slots = realloc(r->slots, capacity * sizeof *slots);
    if (slots == NULL)
        return -1;
    r->slots = slots;
    uint32_t *heap = realloc(r->heap, capacity * sizeof *heap);
    if (heap == NULL)
        return -1;
    r->heap = heap;
    r->slot_capacity = capacity;
    return 0;
}

uint64_t mz_reactor_add_timer(struct mz_reactor *r, uint64_t delay_ms,
                              mz_reactor_timer_fn *fn, void *arg)
{
    uint32_t slot = r->free_slot;
    if (slot != MZ_TIMER_NONE) {
        r->free_slot = r->slots[slot].link;
    } else {
        if (r->slot_count == r->slot_capacity && mz_timer_grow(r) < 0)
            return 0;
        slot = r->slot_count++;
        r->slots[slot].generation = 1;
    }
    struct mz_timer_slot *s = &r->slots[slot];
    uint64_t now = mz_clock_ms();
    s->deadline = delay_ms > UINT64_MAX - now ? UINT64_MAX : now + delay_ms;
    s->order = r->next_order++;
    s->fn = fn;
    s->arg = arg;
    r->heap[r->heap_len] = slot;
    r->heap_len++;
    mz_heap_sift_up(r, r->heap_len - 1);
    return (uint64_t) s->generation << 32 | slot;
}

void mz_reactor_cancel_timer(struct mz_reactor *r, uint64_t id)
{
    uint32_t slot = (uint32_t) id;
    uint32_t generation = (uint32_t) (id >> 32);
    /* A released slot carries a generation no id has been given yet, so a
     * fired or cancelled id never matches. */
    if (slot >= r->slot_count || r->slots[slot].generation != generation)
        return;
    mz_timer_release(r, r->slots[slot].link);
}

/* Milliseconds epoll_wait may sleep before the nearest timer is due; -1 when
 * no timer is armed. */
static int mz_timer_timeout(const struct mz_reactor *r)
{
    if (r->heap_len == 0)
        return -1;
    uint64_t deadline = r->slots[r->heap[0]].deadline;
    uint64_t now = mz_clock_ms();
    if (deadline <= now)
        return 0;
    return deadline - now > INT_MAX ? INT_MAX : (int) (deadline - now);
}

/* Fires every timer due now. Timers that callbacks add meanwhile wait for
 * the next iteration, even with a zero delay, so that a timer re-arming
 * itself cannot keep the loop from fds and tasks. */
static void mz_timer_fire_due(struct mz_reactor *r)
{
    uint64_t now = mz_clock_ms();
    uint64_t added_before = r->next_order;
    while (r->heap_len > 0) {
        struct mz_timer_slot *s = &r->slots[r->heap[0]];
        if (s->deadline > now || s->order >= added_before)
            break;
        mz_reactor_timer_fn *fn = s->fn;
        void *arg = s->arg;
        mz_timer_release(r, 0);
        fn(arg);
    }
}

/* ---- tasks ---- */

/* Decides a write of the wake eventfd, for the caller to make once it has
 * let task_lock go; the caller holds it. */
static void raise_wake(struct mz_reactor *r, struct mz_wakeup *wake)
{
    r->wakes_raised++;
    wake->fd = r->wake_fd;
}

/* Queues the task; the wake-up it needs, if any, is left in *wake. */
static int post_task(struct mz_reactor *r, mz_reactor_task_fn *fn, void *arg,
                     struct mz_wakeup *wake)
{
    pthread_mutex_lock(&r->task_lock);
    struct mz_task_list *list = &r->posted;
    if (list->count == list->capacity) {
        size_t capacity = list->capacity ? 2 * list->capacity : 16;
        struct mz_task *items = realloc(list->items, capacity * sizeof *items);
        if (items == NULL) {
            pthread_mutex_unlock(&r->task_lock);
            errno = ENOMEM;
            return -1;
        }
        list->items = items;
        list->capacity = capacity;
    }
    list->items[list->count++] = (struct mz_task){ fn, arg };
    /* Only the first task after a drain needs to wake the loop. The write
     * comes after the unlock; mz_reactor_free waits for it to land. */
    if (list->count == 1)
        raise_wake(r, wake);
    pthread_mutex_unlock(&r->task_lock);
    return 0;
}

int mz_reactor_post(struct mz_reactor *r, mz_reactor_task_fn *fn, void *arg)
{
    struct mz_wakeup wake = mz_wakeup_none();
    int rc = post_task(r, fn, arg, &wake);
    mz_wakeup_deliver(&wake);
    return rc;
}

static void out_of_memory(const char *what)
{
    fprintf(stderr, "modzmq: out of memory %s\n", what);
    abort();
}

void mz_reactor_post_or_abort(struct mz_reactor *r, mz_reactor_task_fn *fn,
                              void *arg, const char *what)
{
    if (mz_reactor_post(r, fn, arg) < 0)
        out_of_memory(what);
}

void mz_reactor_post_deferred(struct mz_reactor *r, mz_reactor_task_fn *fn,
                              void *arg, const char *what,
                              struct mz_wakeup *wake)
{
    if (post_task(r, fn, arg, wake) < 0)
        out_of_memory(what);
}

/* mz_reactor_call's task and what its caller waits on. */
struct mz_reactor_call {
    mz_reactor_task_fn *fn;
    void *arg;
    pthread_mutex_t lock;
    pthread_cond_t done_signal;
    bool done;
};

static void mz_reactor_call_task(void *arg)
{
    struct mz_reactor_call *call = arg;
    call->fn(call->arg);
    pthread_mutex_lock(&call->lock);
    call->done = true;
    pthread_cond_signal(&call->done_signal);
    pthread_mutex_unlock(&call->lock);
}

void mz_reactor_call(struct mz_reactor *r, mz_reactor_task_fn *fn, void *arg,
                     const char *what)
{
    struct mz_reactor_call call = { .fn = fn, .arg = arg };
    pthread_mutex_init(&call.lock, NULL);
    pthread_cond_init(&call.done_signal, NULL);
    mz_reactor_post_or_abort(r, mz_reactor_call_task, &call, what);
    pthread_mutex_lock(&call.lock);
    while (!call.done)
        pthread_cond_wait(&call.done_signal, &call.lock);
    pthread_mutex_unlock(&call.lock);
    pthread_cond_destroy(&call.done_signal);
    pthread_mutex_destroy(&call.lock);
}

/* Runs the tasks posted so far. The eventfd is reset before the list is
 * taken, so a task posted after the swap writes it again and is picked up by
 * the next iteration. */
static void mz_reactor_run_tasks(struct mz_reactor *r)
{
    uint64_t count;
    /* EAGAIN: already reset, nothing to do. */
    if (read(r->wake_fd, &count, sizeof count) == sizeof count)
        r->wakes_read += count;

    /* The two lists trade places: posters go on filling the spare one while
     * the taken one runs without the lock. */
    struct mz_task_list taken;
    pthread_mutex_lock(&r->task_lock);
    taken = r->posted;
    r->posted = r->running;
    pthread_mutex_unlock(&r->task_lock);
    r->running = (struct mz_task_list){ NULL, 0, 0 };

    for (size_t i = 0; i < taken.count; i++)
        taken.items[i].fn(taken.items[i].arg);
    taken.count = 0;
    r->running = taken;
}

/* ---- the end of a pass ---- */

void mz_reactor_at_pass_end(struct mz_reactor *r,
                            struct mz_reactor_pass_end *node)
{
    if (node->queued)
        return;
    node->queued = true;
    node->next = r->pass_end;
    r->pass_end = node;
}

void mz_reactor_pass_end_cancel(struct mz_reactor *r,
                                struct mz_reactor_pass_end *node)
{
    if (!node->queued)
        return;
    struct mz_reactor_pass_end **at = &r->pass_end;
    while (*at != node)
        at = &(*at)->next;
    *at = node->next;
    node->queued = false;
}

/* Runs what this pass put off. A node may queue again from its own fn,
 * or queue others: those run too, before the loop waits again. */
static void mz_reactor_run_pass_end(struct mz_reactor *r)
{
    while (r->pass_end != NULL) {
        struct mz_reactor_pass_end *node = r->pass_end;
        r->pass_end = node->next;
        node->queued = false;
        node->fn(node->arg);
    }
}

/* ---- loop ---- */

/* The callers' flags (reactor.h) for a set of epoll events. */
static uint32_t readiness_of(uint32_t epoll_events)
{
    return ((epoll_events & EPOLLIN) ? MZ_REACTOR_READABLE : 0) |
           ((epoll_events & EPOLLOUT) ? MZ_REACTOR_WRITABLE : 0) |
           ((epoll_events & EPOLLERR) ? MZ_REACTOR_ERROR : 0) |
           ((epoll_events & EPOLLHUP) ? MZ_REACTOR_HANGUP : 0);
}

/* One pass: wait, dispatch fd events, run tasks, fire due timers, run
 * what they put off to the pass's end, then free the handles removed
 * along the way. */
static void mz_reactor_iterate(struct mz_reactor *r)
{
    int n = epoll_wait(r->epoll_fd, r->events, MZ_REACTOR_BATCH,
                       mz_timer_timeout(r));
    if (n < 0) {
        if (errno != EINTR)
            mz_reactor_fail("epoll_wait");
        n = 0;
    }
    bool woken = false;
    for (int i = 0; i < n; i++) {
        struct mz_reactor_fd *h = r->events[i].data.ptr;
        if (h == NULL) {
            woken = true;
            continue;
        }
        if (h->removed)
            continue;
        if (h->wanted == 0) {
            if (h->in_epoll)
                leave_epoll(h);
            continue;
        }
        /* Interest may have been dropped by an earlier callback of this
         * batch; report only what is still wanted. */
        uint32_t events =
            r->events[i].events & (h->wanted | EPOLLERR | EPOLLHUP);
        if (events != 0)
            h->fn(h->arg, readiness_of(events));
    }
    if (woken)
        mz_reactor_run_tasks(r);
    mz_timer_fire_due(r);
    mz_reactor_run_pass_end(r);
    mz_reactor_free_chain(r->retired);
    r->retired = NULL;
}

void mz_reactor_run(struct mz_reactor *r)
{
    while (!atomic_load_explicit(&r->stopping, memory_order_acquire))
        mz_reactor_iterate(r);
}

void mz_reactor_stop(struct mz_reactor *r)
{
    atomic_store_explicit(&r->stopping, true, memory_order_release);
    struct mz_wakeup wake = mz_wakeup_none();
    pthread_mutex_lock(&r->task_lock);
    raise_wake(r, &wake);
    pthread_mutex_unlock(&r->task_lock);
    mz_wakeup_deliver(&wake);
}

unsigned mz_reactor_load(const struct mz_reactor *r)
{
    return atomic_load_explicit(&r->load, memory_order_relaxed);
}
