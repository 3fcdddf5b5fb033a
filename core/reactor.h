/*
 * The reactor: the event loop that every I/O thread runs.
 *
 * One thread calls mz_reactor_run and from then on owns the reactor: it
 * watches file descriptors with epoll (level-triggered), fires one-shot
 * timers, and runs tasks that other threads post to it. Sessions, engines,
 * listeners and plugins do all their network work from these callbacks, so
 * none of that state needs a lock.
 *
 * Threading contract:
 *   - mz_reactor_post, mz_reactor_stop and mz_reactor_load may be called
 *     from any thread.
 *   - Everything else (add_fd, want, remove_fd, add_timer, cancel_timer,
 *     the pass-end calls) is
 *     for the reactor's own thread only: from fd, timer or task callbacks,
 *     or before run() starts / after it returns on the thread that owns the
 *     reactor. To act on a reactor from elsewhere, post a task.
 */
#ifndef MZ_REACTOR_H
#define MZ_REACTOR_H

#include <stdbool.h>
#include <stdint.h>

struct mz_reactor;
struct mz_reactor_fd;
struct mz_wakeup;

/* What a watched fd is ready for: the reactor's own flags, so that its
 * callers know nothing of epoll. */
enum mz_reactor_readiness {
    MZ_REACTOR_READABLE = 1u << 0,
    MZ_REACTOR_WRITABLE = 1u << 1,
    MZ_REACTOR_ERROR = 1u << 2,  /* an error is pending on the fd */
    MZ_REACTOR_HANGUP = 1u << 3, /* the peer hung up */
};

/* Called when a watched fd is ready. events holds MZ_REACTOR_READABLE and
 * MZ_REACTOR_WRITABLE only as far as they are currently wanted, plus
 * MZ_REACTOR_ERROR and MZ_REACTOR_HANGUP, which come with any interest. A
 * handle that wants nothing is not called, not even for an error or a
 * hang-up: those are reported once it wants something again (so a failed
 * fd whose owner is not reading costs nothing meanwhile). */
typedef void mz_reactor_io_fn(void *arg, uint32_t events);
typedef void mz_reactor_timer_fn(void *arg);
typedef void mz_reactor_task_fn(void *arg);

/* Creates a reactor with no fds, timers or tasks. NULL with errno set on
 * failure. */
struct mz_reactor *mz_reactor_new(void);

/* Destroys a reactor that is not running. Handles still registered are
 * freed (their fds are neither closed nor called); tasks still queued are
 * dropped without running. A post still making its wake-up write (posts
 * write after letting the task lock go) is waited for: the caller need
 * only make sure that no post starts from now on. */
void mz_reactor_free(struct mz_reactor *r);

/* mz_reactor_free in a forked child, where no thread runs the reactor
 * and its epoll set is the parent's as much as the child's: closes the
 * child's copy of every fd it watches (the parent's stay open and
 * watched), then frees it as mz_reactor_free does, without an epoll_ctl.
 * What the handles' owners hold besides their fd is theirs. */
void mz_reactor_abandon(struct mz_reactor *r);

/* Starts watching fd, initially for nothing (call mz_reactor_want). fn (arg, events) runs on readiness.
 * Returns the handle, or NULL with errno set (EBADF, EPERM for a regular
 * file, EEXIST if fd is already registered, ENOMEM). */
struct mz_reactor_fd *mz_reactor_add_fd(struct mz_reactor *r, int fd,
                                        mz_reactor_io_fn *fn, void *arg);

/* Sets what the handle's callback wants to hear about. Cheap when nothing
 * changes, so callers need not track the current interest themselves. */
void mz_reactor_want(struct mz_reactor_fd *h, bool readable, bool writable);

/* Stops watching and frees the handle (the fd stays open; close it after
 * this call, never before). From this call on the handle's callback never
 * runs again, even for events already collected in the current iteration,
 * so this may be called from any callback, including the handle's own. */
void mz_reactor_remove_fd(struct mz_reactor_fd *h);

/* Arms a one-shot timer: fn (arg) runs once, no earlier than delay_ms from
 * now. Timers due together fire in deadline order, ties in the order they
 * were added. Returns a nonzero id for mz_reactor_cancel_timer, or 0 with
 * errno ENOMEM. */
uint64_t mz_reactor_add_timer(struct mz_reactor *r, uint64_t delay_ms,
                              mz_reactor_timer_fn *fn, void *arg);

/* Disarms a timer so that it never fires. Harmless for 0, for an id that
 * already fired or was already cancelled. */
void mz_reactor_cancel_timer(struct mz_reactor *r, uint64_t id);

/* Thread-safe: queues fn (arg) to run on the reactor thread and wakes it.
 * Tasks run in the order they were posted. Returns 0, or -1 with errno
 * ENOMEM. */
int mz_reactor_post(struct mz_reactor *r, mz_reactor_task_fn *fn, void *arg);
/* mz_reactor_post for a task the caller cannot go on without (a session
 * or listener would otherwise be stranded): aborts with a diagnostic
 * naming what when memory runs out. */
void mz_reactor_post_or_abort(struct mz_reactor *r, mz_reactor_task_fn *fn,
                              void *arg, const char *what);

/* mz_reactor_post_or_abort for a caller that holds a lock of its own
 * (a pipe's, see pipe.c's post_to): the eventfd write that wakes the
 * reactor is left in *wake, for mz_wakeup_deliver once that lock is let
 * go, so that the woken thread does not sleep on it. */
void mz_reactor_post_deferred(struct mz_reactor *r, mz_reactor_task_fn *fn,
                              void *arg, const char *what,
                              struct mz_wakeup *wake);

/* Runs fn (arg) on the reactor's thread and waits until it has run, for
 * work whose outcome the caller needs now (a bind's listen). Never from
 * the reactor's own thread; aborts like mz_reactor_post_or_abort. */
void mz_reactor_call(struct mz_reactor *r, mz_reactor_task_fn *fn, void *arg,
                     const char *what);

/* Work put off to the end of the loop's current pass, after the fd
 * events, tasks and timers it dispatched: for what many callbacks of one
 * pass would each do and once is enough (a pipe's reader woken once for
 * everything a transport read in that pass, not once a message). The
 * node is the caller's and stays valid while it is queued; its fields
 * are the reactor's but for fn and arg, which the caller sets. */
struct mz_reactor_pass_end {
    mz_reactor_task_fn *fn;
    void *arg;
    struct mz_reactor_pass_end *next; /* the reactor's */
    bool queued;                      /* the reactor's */
};

/* Queues node to run at the end of this pass (or of the next, outside
 * run). Harmless for a node already queued: it runs once. */
void mz_reactor_at_pass_end(struct mz_reactor *r,
                            struct mz_reactor_pass_end *node);

/* Takes node off the queue without running it; harmless when it is not
 * queued. For an owner that goes away, or does the work itself, first. */
void mz_reactor_pass_end_cancel(struct mz_reactor *r,
                                struct mz_reactor_pass_end *node);

/* Runs the loop on the calling thread until mz_reactor_stop. */
void mz_reactor_run(struct mz_reactor *r);

/* Thread-safe: makes run() return once the current iteration finishes, or at
 * once if it has not started yet. Stopping is final for this reactor. */
void mz_reactor_stop(struct mz_reactor *r);

/* Thread-safe: how many fds are registered, to pick the least busy I/O
 * thread. */
unsigned mz_reactor_load(const struct mz_reactor *r);

#endif
