/* CUnit tests for the reactor and I/O threads (core/reactor.c,
 * core/iothread.c) over real pipes, socketpairs and eventfds: fd callbacks
 * and interest changes, removing handles from callbacks, timer order and
 * cancellation, tasks posted from several threads, work put off to the end
 * of a pass, stopping from another thread, and starting and stopping I/O
 * threads.
 *
 * Most tests run the reactor on the test thread itself, so callbacks may use
 * CU_ASSERT; each such run is bounded by a watchdog timer that stops the
 * reactor after a few seconds. Other threads never call CUnit: they record
 * what they saw and the test thread checks it. Timing is only checked as
 * "not before the delay". */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pthread_getname_np */
#endif

#include "clock.h"
#include "iothread.h"
#include "reactor.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { WATCHDOG_MS = 5000 };

static void sleep_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000,
                           .tv_nsec = (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* Stops the reactor when the test did not finish in time. */
struct watchdog {
    struct mz_reactor *reactor;
    bool fired;
};

static void watchdog_fire(void *arg)
{
    struct watchdog *w = arg;
    w->fired = true;
    mz_reactor_stop(w->reactor);
}

/* Runs r on this thread until something stops it, or the watchdog does.
 * Returns true if the test stopped it in time. */
static bool run_bounded(struct mz_reactor *r)
{
    struct watchdog w = { r, false };
    uint64_t id = mz_reactor_add_timer(r, WATCHDOG_MS, watchdog_fire, &w);
    CU_ASSERT_FATAL(id != 0);
    mz_reactor_run(r);
    mz_reactor_cancel_timer(r, id);
    return !w.fired;
}

static void stop_task(void *arg)
{
    mz_reactor_stop(arg);
}

static void ignore_ready(void *arg, uint32_t events)
{
    (void) arg;
    (void) events;
}

static void count_task(void *arg)
{
    ++*(int *) arg;
}

static void write_byte(int fd)
{
    char c = 'x';
    CU_ASSERT_EQUAL(write(fd, &c, 1), 1);
}

/* ---- fds ---- */

/* One end of a socketpair: first writable (only MZ_REACTOR_WRITABLE
 * wanted), then, after switching interest to readable, readable
 * (MZ_REACTOR_READABLE only). */
struct ping {
    struct mz_reactor *reactor;
    struct mz_reactor_fd *handle;
    int fd, peer;
    int writable_calls, readable_calls;
};

static void ping_ready(void *arg, uint32_t events)
{
    struct ping *p = arg;
    if (p->readable_calls == 0 && p->writable_calls == 0) {
        CU_ASSERT_EQUAL(events, MZ_REACTOR_WRITABLE);
        p->writable_calls++;
        mz_reactor_want(p->handle, true, false);
        write_byte(p->peer);
        return;
    }
    CU_ASSERT_EQUAL(events, MZ_REACTOR_READABLE);
    p->readable_calls++;
    char c;
    CU_ASSERT_EQUAL(read(p->fd, &c, 1), 1);
    mz_reactor_remove_fd(p->handle);
    mz_reactor_stop(p->reactor);
}

static void test_readable_writable(void)
{
    int sv[2];
    CU_ASSERT_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    struct mz_reactor *r = mz_reactor_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct ping p = { .reactor = r, .fd = sv[0], .peer = sv[1] };
    p.handle = mz_reactor_add_fd(r, sv[0], ping_ready, &p);
    CU_ASSERT_PTR_NOT_NULL_FATAL(p.handle);
    mz_reactor_want(p.handle, false, true);
    CU_ASSERT(run_bounded(r));
    CU_ASSERT_EQUAL(p.writable_calls, 1);
    CU_ASSERT_EQUAL(p.readable_calls, 1);
    mz_reactor_free(r);
    close(sv[0]);
    close(sv[1]);
}

/* A readable pipe that nobody wants to read yet: a timer checks that the
 * callback stayed silent, then turns reading on. */
struct late_reader {
    struct mz_reactor *reactor;
    struct mz_reactor_fd *handle;
    int fd;
    int calls;
    bool enabled;
};

static void late_reader_ready(void *arg, uint32_t events)
{
    struct late_reader *l = arg;
    CU_ASSERT(l->enabled);
    CU_ASSERT_EQUAL(events, MZ_REACTOR_READABLE);
    l->calls++;
    char c;
    CU_ASSERT_EQUAL(read(l->fd, &c, 1), 1);
    mz_reactor_remove_fd(l->handle);
    mz_reactor_stop(l->reactor);
}

static void late_reader_enable(void *arg)
{
    struct late_reader *l = arg;
    CU_ASSERT_EQUAL(l->calls, 0);
    l->enabled = true;
    mz_reactor_want(l->handle, true, false);
}

static void test_want_changes_interest(void)
{
    int fds[2];
    CU_ASSERT_FATAL(pipe(fds) == 0);
    write_byte(fds[1]);
    struct mz_reactor *r = mz_reactor_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct late_reader l = { .reactor = r, .fd = fds[0] };
    l.handle = mz_reactor_add_fd(r, fds[0], late_reader_ready, &l);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l.handle);
    /* Asking for readable and then for nothing again leaves no interest. */
    mz_reactor_want(l.handle, true, false);
    mz_reactor_want(l.handle, false, false);
    CU_ASSERT(mz_reactor_add_timer(r, 30, late_reader_enable, &l) != 0);
    CU_ASSERT(run_bounded(r));
    CU_ASSERT_EQUAL(l.calls, 1);
    mz_reactor_free(r);
    close(fds[0]);
    close(fds[1]);
}

/* Hang-up is reported even when neither direction is wanted. */
struct hangup {
    struct mz_reactor *reactor;
    struct mz_reactor_fd *handle;
    uint32_t events;
    int calls;
    int calls_before_interest;
};

static void hangup_ready(void *arg, uint32_t events)
{
    struct hangup *h = arg;
    h->events = events;
    h->calls++;
    mz_reactor_remove_fd(h->handle);
    mz_reactor_stop(h->reactor);
}

/* After some idle iterations with no interest: no call so far; now ask
 * to write (a pipe's read end never is writable). */
static void want_write_later(void *arg)
{
    struct hangup *h = arg;
    h->calls_before_interest = h->calls;
    mz_reactor_want(h->handle, false, true);
}

/* A hang-up comes with any interest, even one that is not reading; a
 * handle that wants nothing hears nothing (level triggering would call it
 * on every wait and spin the thread) until it wants something again. */
static void test_hangup_reported_with_interest(void)
{
    int fds[2];
    CU_ASSERT_FATAL(pipe(fds) == 0);
    write_byte(fds[1]);
    close(fds[1]);
    struct mz_reactor *r = mz_reactor_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct hangup h = { .reactor = r, .calls_before_interest = -1 };
    h.handle = mz_reactor_add_fd(r, fds[0], hangup_ready, &h);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h.handle);
    CU_ASSERT_FATAL(mz_reactor_add_timer(r, 50, want_write_later, &h) != 0);
    CU_ASSERT(run_bounded(r));
    CU_ASSERT_EQUAL(h.calls_before_interest, 0);
    CU_ASSERT_EQUAL(h.calls, 1);
    /* Unread data is there, but MZ_REACTOR_READABLE was not wanted. */
    CU_ASSERT_EQUAL(h.events, MZ_REACTOR_HANGUP);
    mz_reactor_free(r);
    close(fds[0]);
}

/* A handle that removes itself and closes its fd on its first call, while
 * the data stays unread: level triggering would call it again if it were
 * still registered. */
struct self_remover {
    struct mz_reactor_fd *handle;
    int fd;
    int calls;
};

static void self_remover_ready(void *arg, uint32_t events)
{
    (void) events;
    struct self_remover *s = arg;
    s->calls++;
    mz_reactor_remove_fd(s->handle);
    close(s->fd);
}

static void test_remove_inside_callback(void)
{
    int fds[2];
    CU_ASSERT_FATAL(pipe(fds) == 0);
    write_byte(fds[1]);
    struct mz_reactor *r = mz_reactor_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct self_remover s = { .fd = fds[0] };
    s.handle = mz_reactor_add_fd(r, fds[0], self_remover_ready, &s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s.handle);
    mz_reactor_want(s.handle, true, false);
    CU_ASSERT_EQUAL(mz_reactor_load(r), 1);
    CU_ASSERT(mz_reactor_add_timer(r, 50, stop_task, r) != 0);
    CU_ASSERT(run_bounded(r));
    CU_ASSERT_EQUAL(s.calls, 1);
    CU_ASSERT_EQUAL(mz_reactor_load(r), 0);
    mz_reactor_free(r);
    close(fds[1]);
}

/* Several readable pipes reported by one epoll_wait: whichever callback runs
 * first removes every handle and closes every fd, so no other may run. */
enum { PEERS = 4 };

struct peer_group {
    struct mz_reactor *reactor;
    struct mz_reactor_fd *handles[PEERS];
    int read_fds[PEERS];
    int calls;
};

static void peer_ready(void *arg, uint32_t events)
{
    (void) events;
    struct peer_group *g = arg;
    g->calls++;
    for (int i = 0; i < PEERS; i++) {
        mz_reactor_remove_fd(g->handles[i]);
        close(g->read_fds[i]);
    }
    mz_reactor_stop(g->reactor);
}

static void test_remove_other_in_same_batch(void)
{
    struct mz_reactor *r = mz_reactor_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct peer_group g = { .reactor = r };
    int write_fds[PEERS];
    for (int i = 0; i < PEERS; i++) {
        int fds[2];
        CU_ASSERT_FATAL(pipe(fds) == 0);
        g.read_fds[i] = fds[0];
        write_fds[i] = fds[1];
        write_byte(fds[1]);
        g.handles[i] = mz_reactor_add_fd(r, fds[0], peer_ready, &g);
        CU_ASSERT_PTR_NOT_NULL_FATAL(g.handles[i]);
        mz_reactor_want(g.handles[i], true, false);
    }
    CU_ASSERT_EQUAL(mz_reactor_load(r), PEERS);
    CU_ASSERT(run_bounded(r));
    CU_ASSERT_EQUAL(g.calls, 1);
    CU_ASSERT_EQUAL(mz_reactor_load(r), 0);
    mz_reactor_free(r);
    for (int i = 0; i < PEERS; i++)
        close(write_fds[i]);
}

/* Two readable pipes reported by one epoll_wait: whichever callback runs
 * first drops both handles' interest, so the other, though already in the
 * batch, is not called. */
struct quieter {
    struct mz_reactor_fd *handles[2];
    int calls;
};

static void quieter_ready(void *arg, uint32_t events)
{
    (void) events;
    struct quieter *q = arg;
    q->calls++;
    mz_reactor_want(q->handles[0], false, false);
    mz_reactor_want(q->handles[1], false, false);
}

static void test_dropped_interest_in_same_batch(void)
{
    struct mz_reactor *r = mz_reactor_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct quieter q = { .calls = 0 };
    int fds[2][2];
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_FATAL(pipe(fds[i]) == 0);
        write_byte(fds[i][1]);
        q.handles[i] = mz_reactor_add_fd(r, fds[i][0], quieter_ready, &q);
        CU_ASSERT_PTR_NOT_NULL_FATAL(q.handles[i]);
        mz_reactor_want(q.handles[i], true, false);
    }
    CU_ASSERT(mz_reactor_add_timer(r, 30, stop_task, r) != 0);
    CU_ASSERT(run_bounded(r));
    CU_ASSERT_EQUAL(q.calls, 1);
    for (int i = 0; i < 2; i++) {
        mz_reactor_remove_fd(q.handles[i]);
        close(fds[i][0]);
        close(fds[i][1]);
    }
    mz_reactor_free(r);
}

static void test_add_fd_errors_and_load(void)
{
    struct mz_reactor *r = mz_reactor_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    int efd = eventfd(0, EFD_CLOEXEC);
    CU_ASSERT_FATAL(efd >= 0);
    struct mz_reactor_fd *h = mz_reactor_add_fd(r, efd, ignore_ready, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    errno = 0;
    CU_ASSERT_PTR_NULL(mz_reactor_add_fd(r, efd, ignore_ready, NULL));
    CU_ASSERT_EQUAL(errno, EEXIST);
    errno = 0;
    CU_ASSERT_PTR_NULL(mz_reactor_add_fd(r, -1, ignore_ready, NULL));
    CU_ASSERT_EQUAL(errno, EBADF);
    CU_ASSERT_EQUAL(mz_reactor_load(r), 1);
    mz_reactor_remove_fd(h);
    CU_ASSERT_EQUAL(mz_reactor_load(r), 0);
    /* A handle still registered at free is freed with the reactor. */
    CU_ASSERT_PTR_NOT_NULL(mz_reactor_add_fd(r, efd, ignore_ready, NULL));
    CU_ASSERT_EQUAL(mz_reactor_load(r), 1);
    mz_reactor_free(r);
    close(efd);
}

/* ---- timers ---- */

enum { TIMERS = 200, DELAY_STEPS = 8, DELAY_STEP_MS = 10 };

struct timer_log {
    struct mz_reactor *reactor;
    int fired[TIMERS]; /* how often each timer ran */
    int order[TIMERS]; /* timer numbers in firing order */
    int count;
    int expected; /* stop once this many have fired */
};

struct timer_probe {
    struct timer_log *log;
    int number;
    uint64_t delay_ms;
    /* The clock just before and just after the timer was added: its
     * deadline lies within delay_ms of that window. */
    uint64_t added_from_ms, added_to_ms;
};

static void probe_fire(void *arg)
{
    struct timer_probe *p = arg;
    struct timer_log *log = p->log;
    CU_ASSERT(mz_clock_ms() >= p->added_from_ms + p->delay_ms);
    log->fired[p->number]++;
    if (log->count < TIMERS)
        log->order[log->count] = p->number;
    log->count++;
    if (log->count == log->expected)
        mz_reactor_stop(log->reactor);
}

/* Many timers with delays in 10 ms steps, every third cancelled: the rest
 * fire once each, never early, in deadline order, and in adding order
 * within one delay. Deadlines count from when each timer was added, and a
 * slow machine (a sanitizer build under load) may take longer than a step
 * to add them all, so the order is checked against each timer's window. */
static void test_timers_order_and_cancel(void)
{
    struct mz_reactor *r = mz_reactor_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    static struct timer_log log;
    static struct timer_probe probes[TIMERS];
    uint64_t ids[TIMERS];
    memset(&log, 0, sizeof log);
    log.reactor = r;
    uint32_t seed = 12345;
    for (int i = 0; i < TIMERS; i++) {
        seed = seed * 1103515245u + 12345u;
        probes[i] = (struct timer_probe){
            .log = &log,
            .number = i,
            .delay_ms = (uint64_t) (seed >> 16) % DELAY_STEPS * DELAY_STEP_MS,
        };
        probes[i].added_from_ms = mz_clock_ms();
        ids[i] =
            mz_reactor_add_timer(r, probes[i].delay_ms, probe_fire, &probes[i]);
        probes[i].added_to_ms = mz_clock_ms();
        CU_ASSERT_FATAL(ids[i] != 0);
        for (int j = 0; j < i; j++)
            CU_ASSERT(ids[j] != ids[i]);
    }
    for (int i = 0; i < TIMERS; i += 3)
        mz_reactor_cancel_timer(r, ids[i]);
    log.expected = TIMERS - (TIMERS + 2) / 3;
    CU_ASSERT(run_bounded(r));
    CU_ASSERT_EQUAL_FATAL(log.count, log.expected);
    for (int i = 0; i < TIMERS; i++)
        CU_ASSERT_EQUAL(log.fired[i], i % 3 == 0 ? 0 : 1);
    for (int k = 1; k < log.count; k++) {
        const struct timer_probe *a = &probes[log.order[k - 1]];
        const struct timer_probe *b = &probes[log.order[k]];
        /* a fired first: its deadline cannot have been later than b's. */
        CU_ASSERT(a->added_from_ms + a->delay_ms <=
                  b->added_to_ms + b->delay_ms);
        if (a->delay_ms == b->delay_ms)
            CU_ASSERT(a->number < b->number);
    }
    mz_reactor_free(r);
}

/* Ids stay valid to cancel after firing, even once the timer's storage has
 * been reused by a newer timer, which must still fire. */
struct stale_cancel {
    struct mz_reactor *reactor;
    uint64_t first_id;
    uint64_t second_id;
    int first_calls, second_calls;
};

static void stale_second_fire(void *arg)
{
    struct stale_cancel *s = arg;
    s->second_calls++;
    mz_reactor_cancel_timer(s->reactor, s->second_id);
    mz_reactor_stop(s->reactor);
}

static void stale_first_fire(void *arg)
{
    struct stale_cancel *s = arg;
    s->first_calls++;
    mz_reactor_cancel_timer(s->reactor, s->first_id);
    s->second_id = mz_reactor_add_timer(s->reactor, 10, stale_second_fire, s);
    CU_ASSERT(s->second_id != 0);
    CU_ASSERT(s->second_id != s->first_id);
    mz_reactor_cancel_timer(s->reactor, s->first_id);
    mz_reactor_cancel_timer(s->reactor, 0);
    mz_reactor_cancel_timer(s->reactor, UINT64_MAX);
}

static void test_cancel_after_fire(void)
{
    struct mz_reactor *r = mz_reactor_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct stale_cancel s = { .reactor = r };
    s.first_id = mz_reactor_add_timer(r, 0, stale_first_fire, &s);
    CU_ASSERT_FATAL(s.first_id != 0);
    CU_ASSERT(run_bounded(r));
    CU_ASSERT_EQUAL(s.first_calls, 1);
    CU_ASSERT_EQUAL(s.second_calls, 1);
    mz_reactor_cancel_timer(r, s.first_id);
    mz_reactor_cancel_timer(r, s.second_id);
    mz_reactor_free(r);
}

/* A timer that re-arms itself with no delay must not starve fds: timers
 * added by callbacks wait for the next iteration. Its first round makes a
 * pipe readable, which the reactor must report long before round 100. */
struct rearm {
    struct mz_reactor *reactor;
    struct mz_reactor_fd *handle;
    int write_fd;
    int rounds;
    int fd_calls;
    int fd_calls_at_end;
};

static void rearm_fire(void *arg)
{
    struct rearm *x = arg;
    if (++x->rounds == 1)
        write_byte(x->write_fd);
    if (x->rounds == 100) {
        x->fd_calls_at_end = x->fd_calls;
        mz_reactor_stop(x->reactor);
        return;
    }
    CU_ASSERT(mz_reactor_add_timer(x->reactor, 0, rearm_fire, x) != 0);
}

static void rearm_fd_ready(void *arg, uint32_t events)
{
    (void) events;
    struct rearm *x = arg;
    x->fd_calls++;
    mz_reactor_remove_fd(x->handle);
}

static void test_zero_delay_rearm_does_not_starve(void)
{
    int fds[2];
    CU_ASSERT_FATAL(pipe(fds) == 0);
    struct mz_reactor *r = mz_reactor_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct rearm x = { .reactor = r, .write_fd = fds[1] };
    CU_ASSERT(mz_reactor_add_timer(r, 0, rearm_fire, &x) != 0);
    x.handle = mz_reactor_add_fd(r, fds[0], rearm_fd_ready, &x);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x.handle);
    mz_reactor_want(x.handle, true, false);
    CU_ASSERT(run_bounded(r));
    CU_ASSERT_EQUAL(x.rounds, 100);
    CU_ASSERT_EQUAL(x.fd_calls_at_end, 1);
    mz_reactor_free(r);
    close(fds[0]);
    close(fds[1]);
}

/* ---- tasks and threads ---- */

enum { POSTERS = 4, POSTS_EACH = 2000 };

struct post_record {
    struct post_test *test;
    int poster;
    int seq;
};

struct post_test {
    struct mz_reactor *reactor;
    struct post_record records[POSTERS][POSTS_EACH];
    int ran[POSTERS][POSTS_EACH];
    int next_seq[POSTERS];
    int out_of_order;
    int total;
    atomic_int post_failures;
};

struct poster_arg {
    struct post_test *test;
    int poster;
};

static void posted_task(void *arg)
{
    struct post_record *rec = arg;
    struct post_test *t = rec->test;
    if (rec->seq != t->next_seq[rec->poster])
        t->out_of_order++;
    t->next_seq[rec->poster] = rec->seq + 1;
    t->ran[rec->poster][rec->seq]++;
    if (++t->total == POSTERS * POSTS_EACH)
        mz_reactor_stop(t->reactor);
}

static void *poster_main(void *arg)
{
    struct poster_arg *a = arg;
    for (int i = 0; i < POSTS_EACH; i++) {
        struct post_record *rec = &a->test->records[a->poster][i];
        if (mz_reactor_post(a->test->reactor, posted_task, rec) != 0)
            atomic_fetch_add(&a->test->post_failures, 1);
        if (i % 256 == 0)
            sched_yield();
    }
    return NULL;
}

static void test_post_from_threads(void)
{
    static struct post_test t;
    memset(&t, 0, sizeof t);
    atomic_init(&t.post_failures, 0);
    t.reactor = mz_reactor_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(t.reactor);
    for (int p = 0; p < POSTERS; p++)
        for (int i = 0; i < POSTS_EACH; i++)
            t.records[p][i] = (struct post_record){ &t, p, i };
    pthread_t threads[POSTERS];
    struct poster_arg args[POSTERS];
    for (int p = 0; p < POSTERS; p++) {
        args[p] = (struct poster_arg){ &t, p };
        CU_ASSERT_FATAL(
            pthread_create(&threads[p], NULL, poster_main, &args[p]) == 0);
    }
    bool in_time = run_bounded(t.reactor);
    for (int p = 0; p < POSTERS; p++)
        pthread_join(threads[p], NULL);
    CU_ASSERT(in_time);
    CU_ASSERT_EQUAL(atomic_load(&t.post_failures), 0);
    CU_ASSERT_EQUAL(t.total, POSTERS * POSTS_EACH);
    CU_ASSERT_EQUAL(t.out_of_order, 0);
    int wrong_counts = 0;
    for (int p = 0; p < POSTERS; p++)
        for (int i = 0; i < POSTS_EACH; i++)
            wrong_counts += t.ran[p][i] != 1;
    CU_ASSERT_EQUAL(wrong_counts, 0);
    mz_reactor_free(t.reactor);
}

/* Tasks posted by a task run too, after it. */
struct chain {
    struct mz_reactor *reactor;
    int steps;
};

static void chain_step(void *arg)
{
    struct chain *c = arg;
    if (++c->steps == 10) {
        mz_reactor_stop(c->reactor);
        return;
    }
    CU_ASSERT_EQUAL(mz_reactor_post(c->reactor, chain_step, c), 0);
}

static void test_post_from_task(void)
{
    struct mz_reactor *r = mz_reactor_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    struct chain c = { r, 0 };
    CU_ASSERT_EQUAL(mz_reactor_post(r, chain_step, &c), 0);
    CU_ASSERT(run_bounded(r));
    CU_ASSERT_EQUAL(c.steps, 10);
    mz_reactor_free(r);
}

/* ---- the end of a pass ---- */

/* Two fds ready in one batch; each callback puts the same work off to the
 * pass's end, and a second piece that the last callback cancels. The work
 * queues a third piece from its own run, which stops the loop. */
struct pass_probe;

struct pass_probe_fd {
    struct pass_probe *probe;
    struct mz_reactor_fd *handle;
    int pair[2];
};

struct pass_probe {
    struct mz_reactor *reactor;
    struct pass_probe_fd fds[2];
    int fd_calls;
    int fd_calls_seen_by_work; /* when the work ran */
    int work_runs, cancelled_runs, follow_up_runs;
    struct mz_reactor_pass_end work, cancelled, follow_up;
};

static void pass_probe_ready(void *arg, uint32_t events)
{
    struct pass_probe_fd *fd = arg;
    struct pass_probe *p = fd->probe;
    CU_ASSERT_EQUAL(events, MZ_REACTOR_READABLE);
    char c;
    CU_ASSERT_EQUAL(read(fd->pair[0], &c, 1), 1);
    mz_reactor_remove_fd(fd->handle);
    p->fd_calls++;
    mz_reactor_at_pass_end(p->reactor, &p->work);
    mz_reactor_at_pass_end(p->reactor, &p->cancelled);
    if (p->fd_calls == 2)
        mz_reactor_pass_end_cancel(p->reactor, &p->cancelled);
}

static void pass_probe_work(void *arg)
{
    struct pass_probe *p = arg;
    p->work_runs++;
    p->fd_calls_seen_by_work = p->fd_calls;
    CU_ASSERT_FALSE(p->work.queued);
    mz_reactor_at_pass_end(p->reactor, &p->follow_up);
}

static void pass_probe_cancelled(void *arg)
{
    ((struct pass_probe *) arg)->cancelled_runs++;
}

static void pass_probe_follow_up(void *arg)
{
    struct pass_probe *p = arg;
    p->follow_up_runs++;
    mz_reactor_stop(p->reactor);
}

static void test_pass_end_runs_once_after_callbacks(void)
{
    struct pass_probe p = { .reactor = mz_reactor_new() };
    CU_ASSERT_PTR_NOT_NULL_FATAL(p.reactor);
    p.work = (struct mz_reactor_pass_end){ .fn = pass_probe_work, .arg = &p };
    p.cancelled =
        (struct mz_reactor_pass_end){ .fn = pass_probe_cancelled, .arg = &p };
    p.follow_up =
        (struct mz_reactor_pass_end){ .fn = pass_probe_follow_up, .arg = &p };
    for (int i = 0; i < 2; i++) {
        struct pass_probe_fd *fd = &p.fds[i];
        fd->probe = &p;
        CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, fd->pair), 0);
        fd->handle =
            mz_reactor_add_fd(p.reactor, fd->pair[0], pass_probe_ready, fd);
        CU_ASSERT_PTR_NOT_NULL_FATAL(fd->handle);
        mz_reactor_want(fd->handle, true, false);
        /* Both readable before the loop waits: one batch. */
        write_byte(fd->pair[1]);
    }
    CU_ASSERT(run_bounded(p.reactor));
    CU_ASSERT_EQUAL(p.fd_calls, 2);
    CU_ASSERT_EQUAL(p.work_runs, 1);
    CU_ASSERT_EQUAL(p.fd_calls_seen_by_work, 2);
    CU_ASSERT_EQUAL(p.cancelled_runs, 0);
    CU_ASSERT_EQUAL(p.follow_up_runs, 1);
    CU_ASSERT_FALSE(p.cancelled.queued);
    /* Cancelling what is not queued is harmless. */
    mz_reactor_pass_end_cancel(p.reactor, &p.cancelled);
    for (int i = 0; i < 2; i++) {
        close(p.fds[i].pair[0]);
        close(p.fds[i].pair[1]);
    }
    mz_reactor_free(p.reactor);
}

static void *stopper_main(void *arg)
{
    sleep_ms(20);
    mz_reactor_stop(arg);
    return NULL;
}

/* The loop sleeps with no timer but the watchdog; another thread stops it.
 * Stopping before run() makes run() return at once; queued tasks are then
 * dropped by free. */
static void test_stop_from_other_thread(void)
{
    struct mz_reactor *r = mz_reactor_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    pthread_t stopper;
    CU_ASSERT_FATAL(pthread_create(&stopper, NULL, stopper_main, r) == 0);
    CU_ASSERT(run_bounded(r));
    pthread_join(stopper, NULL);
    mz_reactor_free(r);

    r = mz_reactor_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    int never = 0;
    CU_ASSERT_EQUAL(mz_reactor_post(r, count_task, &never), 0);
    mz_reactor_stop(r);
    mz_reactor_run(r);
    mz_reactor_free(r);
    CU_ASSERT_EQUAL(never, 0);
}

/* What a task on an I/O thread saw, handed back through a semaphore. */
struct thread_probe {
    sem_t done;
    struct mz_reactor *reactor;
    pthread_t thread;
    char name[16];
    int efd;
    struct mz_reactor_fd *handle;
};

static void probe_thread_task(void *arg)
{
    struct thread_probe *p = arg;
    p->thread = pthread_self();
    if (pthread_getname_np(p->thread, p->name, sizeof p->name) != 0)
        p->name[0] = '\0';
    sem_post(&p->done);
}

static void probe_add_fd_task(void *arg)
{
    struct thread_probe *p = arg;
    p->handle = mz_reactor_add_fd(p->reactor, p->efd, ignore_ready, p);
    sem_post(&p->done);
}

static void probe_remove_fd_task(void *arg)
{
    struct thread_probe *p = arg;
    mz_reactor_remove_fd(p->handle);
    sem_post(&p->done);
}

static bool wait_done(sem_t *done)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += WATCHDOG_MS / 1000;
    int rc;
    while ((rc = sem_timedwait(done, &deadline)) == -1 && errno == EINTR)
        ;
    return rc == 0;
}

static void test_iothread(void)
{
    struct mz_iothread *t = mz_iothread_start("ZMQbg/IO/7");
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    static struct thread_probe p;
    memset(&p, 0, sizeof p);
    CU_ASSERT_FATAL(sem_init(&p.done, 0, 0) == 0);
    p.reactor = mz_iothread_reactor(t);
    CU_ASSERT_PTR_NOT_NULL(p.reactor);

    CU_ASSERT_EQUAL(mz_reactor_post(p.reactor, probe_thread_task, &p), 0);
    CU_ASSERT_FATAL(wait_done(&p.done));
    CU_ASSERT(!pthread_equal(p.thread, pthread_self()));
    CU_ASSERT_STRING_EQUAL(p.name, "ZMQbg/IO/7");

    p.efd = eventfd(0, EFD_CLOEXEC);
    CU_ASSERT_FATAL(p.efd >= 0);
    CU_ASSERT_EQUAL(mz_reactor_post(p.reactor, probe_add_fd_task, &p), 0);
    CU_ASSERT_FATAL(wait_done(&p.done));
    CU_ASSERT_PTR_NOT_NULL(p.handle);
    CU_ASSERT_EQUAL(mz_reactor_load(p.reactor), 1);
    CU_ASSERT_EQUAL(mz_reactor_post(p.reactor, probe_remove_fd_task, &p), 0);
    CU_ASSERT_FATAL(wait_done(&p.done));
    CU_ASSERT_EQUAL(mz_reactor_load(p.reactor), 0);
    close(p.efd);

    /* Keeping policy and priority, pinning to a CPU we may run on. */
    CU_ASSERT_EQUAL(mz_iothread_set_sched(t, -1, -1, NULL, 0), 0);
    cpu_set_t allowed;
    CU_ASSERT_FATAL(sched_getaffinity(0, sizeof allowed, &allowed) == 0);
    int cpu = 0;
    while (cpu < CPU_SETSIZE - 1 && !CPU_ISSET(cpu, &allowed))
        cpu++;
    CU_ASSERT_EQUAL(mz_iothread_set_sched(t, -1, -1, &cpu, 1), 0);
    int bad_cpu = -1;
    errno = 0;
    CU_ASSERT_EQUAL(mz_iothread_set_sched(t, -1, -1, &bad_cpu, 1), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);

    mz_iothread_stop(t);
    sem_destroy(&p.done);
}

/* Stopping right after starting, before the loop may have begun. */
static void test_iothread_quick_stop(void)
{
    for (int i = 0; i < 20; i++) {
        struct mz_iothread *t = mz_iothread_start(NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        mz_iothread_stop(t);
    }
}

int main(void)
{
    static const struct {
        const char *name;
        CU_TestFunc fn;
    } tests[] = {
        { "readable and writable callbacks", test_readable_writable },
        { "want() changes interest", test_want_changes_interest },
        { "hang-up reported with interest only",
          test_hangup_reported_with_interest },
        { "remove_fd inside own callback", test_remove_inside_callback },
        { "remove_fd of others in the same batch",
          test_remove_other_in_same_batch },
        { "interest dropped in the same batch",
          test_dropped_interest_in_same_batch },
        { "add_fd errors and load", test_add_fd_errors_and_load },
        { "timers order and cancel", test_timers_order_and_cancel },
        { "cancel after fire", test_cancel_after_fire },
        { "zero-delay re-arm does not starve fds",
          test_zero_delay_rearm_does_not_starve },
        { "post from several threads", test_post_from_threads },
        { "post from a task", test_post_from_task },
        { "pass-end work runs once, after the pass's callbacks",
          test_pass_end_runs_once_after_callbacks },
        { "stop from another thread", test_stop_from_other_thread },
        { "iothread start, tasks, sched, stop", test_iothread },
        { "iothread quick stop", test_iothread_quick_stop },
    };
    if (CU_initialize_registry() != CUE_SUCCESS)
        return CU_get_error();
    CU_pSuite suite = CU_add_suite("reactor", NULL, NULL);
    if (suite == NULL) {
        CU_cleanup_registry();
        return CU_get_error();
    }
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        if (CU_add_test(suite, tests[i].name, tests[i].fn) == NULL) {
            CU_cleanup_registry();
            return CU_get_error();
        }
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures > 0 ? 1 : 0;
}
