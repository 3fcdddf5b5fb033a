/* CUnit tests for zmq_timers_*: handle and id errors (EFAULT, EINVAL), ids,
 * zmq_timers_timeout values, the order in which zmq_timers_execute runs due
 * timers, and handlers that add, cancel or reschedule timers while
 * zmq_timers_execute runs. Waits use real sleeps inside loops bounded both
 * in iterations and in time, and timing bounds are generous so that a slow
 * or loaded machine cannot make a test fail. */
#include "testutil.h"
#include "zmq.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <stdint.h>
#include <time.h>

static void sleep_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000,
                           .tv_nsec = (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* Records the ids of the timers that ran, in order. */
typedef struct {
    int ids[64];
    int count;
} run_log_t;

static void log_handler(int timer_id, void *arg)
{
    run_log_t *log = arg;
    if (log->count < 64)
        log->ids[log->count] = timer_id;
    log->count++;
}

static void flag_handler(int timer_id, void *arg)
{
    (void) timer_id;
    *(int *) arg = 1;
}

/* Calls zmq_timers_execute, sleeping for zmq_timers_timeout in between,
 * until *done is non-zero; gives up after 200 rounds or 5 seconds. Returns
 * whether *done was reached. */
static int run_until(void *timers, const int *done)
{
    long deadline = test_now_ms() + 5000;
    for (int round = 0; round < 200 && test_now_ms() < deadline; round++) {
        CU_ASSERT_EQUAL(zmq_timers_execute(timers), 0);
        if (*done)
            return 1;
        long wait = zmq_timers_timeout(timers);
        sleep_ms(wait < 0 || wait > 100 ? 100 : wait);
    }
    return *done;
}

static void test_new_destroy(void)
{
    void *timers = zmq_timers_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(timers);
    CU_ASSERT_EQUAL(zmq_timers_destroy(&timers), 0);
    CU_ASSERT_PTR_NULL(timers);

    /* The pointer is now NULL, so a second destroy is refused. */
    errno = 0;
    CU_ASSERT_EQUAL(zmq_timers_destroy(&timers), -1);
    CU_ASSERT_EQUAL(errno, EFAULT);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_timers_destroy(NULL), -1);
    CU_ASSERT_EQUAL(errno, EFAULT);

    /* Destroying with timers still registered releases them. */
    timers = zmq_timers_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(timers);
    int flag = 0;
    for (int i = 0; i < 20; i++)
        CU_ASSERT(zmq_timers_add(timers, (size_t) i * 10, flag_handler, &flag) >
                  0);
    CU_ASSERT_EQUAL(zmq_timers_destroy(&timers), 0);
    CU_ASSERT_EQUAL(flag, 0);
}

/* Every entry point refuses NULL, and a pointer to something that is not a
 * timers object, with EFAULT. */
static void test_bad_handle(void)
{
    uint64_t not_timers[8] = { 0 };
    void *handles[2] = { NULL, not_timers };
    int flag = 0;
    for (int i = 0; i < 2; i++) {
        void *bad = handles[i];
        errno = 0;
        CU_ASSERT_EQUAL(zmq_timers_add(bad, 10, flag_handler, &flag), -1);
        CU_ASSERT_EQUAL(errno, EFAULT);
        errno = 0;
        CU_ASSERT_EQUAL(zmq_timers_cancel(bad, 1), -1);
        CU_ASSERT_EQUAL(errno, EFAULT);
        errno = 0;
        CU_ASSERT_EQUAL(zmq_timers_set_interval(bad, 1, 10), -1);
        CU_ASSERT_EQUAL(errno, EFAULT);
        errno = 0;
        CU_ASSERT_EQUAL(zmq_timers_reset(bad, 1), -1);
        CU_ASSERT_EQUAL(errno, EFAULT);
        errno = 0;
        CU_ASSERT_EQUAL(zmq_timers_timeout(bad), -1);
        CU_ASSERT_EQUAL(errno, EFAULT);
        errno = 0;
        CU_ASSERT_EQUAL(zmq_timers_execute(bad), -1);
        CU_ASSERT_EQUAL(errno, EFAULT);
    }
    void *bad = not_timers;
    errno = 0;
    CU_ASSERT_EQUAL(zmq_timers_destroy(&bad), -1);
    CU_ASSERT_EQUAL(errno, EFAULT);
    CU_ASSERT_PTR_EQUAL(bad, not_timers);
}

static void test_add_null_handler(void)
{
    void *timers = zmq_timers_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(timers);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_timers_add(timers, 10, NULL, NULL), -1);
    CU_ASSERT_EQUAL(errno, EFAULT);
    CU_ASSERT_EQUAL(zmq_timers_timeout(timers), -1);
    CU_ASSERT_EQUAL(zmq_timers_destroy(&timers), 0);
}

static void test_ids(void)
{
    void *timers = zmq_timers_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(timers);
    int flag = 0;
    int ids[50];
    for (int i = 0; i < 50; i++) {
        ids[i] = zmq_timers_add(timers, 1000, flag_handler, &flag);
        CU_ASSERT(ids[i] > 0);
        for (int j = 0; j < i; j++)
            CU_ASSERT_NOT_EQUAL(ids[i], ids[j]);
    }
    CU_ASSERT_EQUAL(zmq_timers_destroy(&timers), 0);
}

/* Unknown ids, and ids of cancelled timers, are refused with EINVAL. */
static void test_unknown_id(void)
{
    void *timers = zmq_timers_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(timers);
    const int unknown[] = { 0, -1, 1, 12345 };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        errno = 0;
        CU_ASSERT_EQUAL(zmq_timers_cancel(timers, unknown[i]), -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
        errno = 0;
        CU_ASSERT_EQUAL(zmq_timers_set_interval(timers, unknown[i], 5), -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
        errno = 0;
        CU_ASSERT_EQUAL(zmq_timers_reset(timers, unknown[i]), -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
    }
    int flag = 0;
    int id = zmq_timers_add(timers, 1000, flag_handler, &flag);
    CU_ASSERT_FATAL(id > 0);
    CU_ASSERT_EQUAL(zmq_timers_cancel(timers, id), 0);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_timers_cancel(timers, id), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_timers_set_interval(timers, id, 5), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_timers_reset(timers, id), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(zmq_timers_destroy(&timers), 0);
}

static void test_timeout_values(void)
{
    void *timers = zmq_timers_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(timers);
    CU_ASSERT_EQUAL(zmq_timers_timeout(timers), -1);

    int flag = 0;
    int slow = zmq_timers_add(timers, 10000, flag_handler, &flag);
    CU_ASSERT_FATAL(slow > 0);
    long timeout = zmq_timers_timeout(timers);
    CU_ASSERT(timeout > 5000 && timeout <= 10000);

    /* The earliest timer decides. */
    int fast = zmq_timers_add(timers, 2000, flag_handler, &flag);
    CU_ASSERT_FATAL(fast > 0);
    timeout = zmq_timers_timeout(timers);
    CU_ASSERT(timeout > 1000 && timeout <= 2000);

    /* A zero interval timer is due at once. */
    int now = zmq_timers_add(timers, 0, flag_handler, &flag);
    CU_ASSERT_FATAL(now > 0);
    CU_ASSERT_EQUAL(zmq_timers_timeout(timers), 0);

    CU_ASSERT_EQUAL(zmq_timers_cancel(timers, now), 0);
    timeout = zmq_timers_timeout(timers);
    CU_ASSERT(timeout > 1000 && timeout <= 2000);
    CU_ASSERT_EQUAL(zmq_timers_cancel(timers, fast), 0);
    timeout = zmq_timers_timeout(timers);
    CU_ASSERT(timeout > 5000 && timeout <= 10000);
    CU_ASSERT_EQUAL(zmq_timers_cancel(timers, slow), 0);
    CU_ASSERT_EQUAL(zmq_timers_timeout(timers), -1);
    CU_ASSERT_EQUAL(flag, 0);
    CU_ASSERT_EQUAL(zmq_timers_destroy(&timers), 0);
}

/* The manual's example: a 100 ms timer does not run early, and runs once
 * the timeout has passed. */
static void test_manual_example(void)
{
    void *timers = zmq_timers_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(timers);
    int invoked = 0;
    long start = test_now_ms();
    int id = zmq_timers_add(timers, 100, flag_handler, &invoked);
    CU_ASSERT_FATAL(id > 0);
    CU_ASSERT_EQUAL(zmq_timers_execute(timers), 0);
    /* Not invoked yet, unless this thread was descheduled for 100 ms. */
    CU_ASSERT(invoked == 0 || test_now_ms() - start >= 100);
    CU_ASSERT(run_until(timers, &invoked));
    CU_ASSERT(test_now_ms() - start >= 100);
    CU_ASSERT_EQUAL(zmq_timers_destroy(&timers), 0);
}

/* A timer repeats at its interval until cancelled. */
static void test_repeats(void)
{
    void *timers = zmq_timers_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(timers);
    run_log_t log = { .count = 0 };
    int id = zmq_timers_add(timers, 5, log_handler, &log);
    CU_ASSERT_FATAL(id > 0);
    long deadline = test_now_ms() + 5000;
    for (int round = 0;
         round < 500 && log.count < 3 && test_now_ms() < deadline; round++) {
        CU_ASSERT_EQUAL(zmq_timers_execute(timers), 0);
        long wait = zmq_timers_timeout(timers);
        CU_ASSERT(wait >= 0 && wait <= 5);
        sleep_ms(wait);
    }
    CU_ASSERT_EQUAL(log.count, 3);
    CU_ASSERT(log.ids[0] == id && log.ids[1] == id && log.ids[2] == id);
    CU_ASSERT_EQUAL(zmq_timers_cancel(timers, id), 0);
    sleep_ms(10);
    CU_ASSERT_EQUAL(zmq_timers_execute(timers), 0);
    CU_ASSERT_EQUAL(log.count, 3);
    CU_ASSERT_EQUAL(zmq_timers_destroy(&timers), 0);
}

/* Due timers run earliest first; timers due at the same moment run in the
 * order they were added. (The first part needs the three adds to happen
 * within 100 ms of each other.) */
static void test_execute_order(void)
{
    void *timers = zmq_timers_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(timers);
    run_log_t log = { .count = 0 };
    int late = zmq_timers_add(timers, 250, log_handler, &log);
    int early = zmq_timers_add(timers, 50, log_handler, &log);
    int middle = zmq_timers_add(timers, 150, log_handler, &log);
    int never = zmq_timers_add(timers, 100000, log_handler, &log);
    CU_ASSERT_FATAL(late > 0 && early > 0 && middle > 0 && never > 0);
    sleep_ms(300);
    CU_ASSERT_EQUAL(zmq_timers_execute(timers), 0);
    CU_ASSERT_EQUAL_FATAL(log.count, 3);
    CU_ASSERT_EQUAL(log.ids[0], early);
    CU_ASSERT_EQUAL(log.ids[1], middle);
    CU_ASSERT_EQUAL(log.ids[2], late);
    CU_ASSERT_EQUAL(zmq_timers_destroy(&timers), 0);

    timers = zmq_timers_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(timers);
    log.count = 0;
    int ids[10];
    for (int i = 0; i < 10; i++)
        ids[i] = zmq_timers_add(timers, 0, log_handler, &log);
    CU_ASSERT_EQUAL(zmq_timers_execute(timers), 0);
    CU_ASSERT_EQUAL_FATAL(log.count, 10);
    for (int i = 0; i < 10; i++)
        CU_ASSERT_EQUAL(log.ids[i], ids[i]);
    CU_ASSERT_EQUAL(zmq_timers_destroy(&timers), 0);
}

/* A zero interval timer runs once per zmq_timers_execute call, not in an
 * endless loop. */
static void test_zero_interval_once_per_execute(void)
{
    void *timers = zmq_timers_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(timers);
    run_log_t log = { .count = 0 };
    CU_ASSERT_FATAL(zmq_timers_add(timers, 0, log_handler, &log) > 0);
    for (int i = 1; i <= 5; i++) {
        CU_ASSERT_EQUAL(zmq_timers_execute(timers), 0);
        CU_ASSERT_EQUAL(log.count, i);
    }
    CU_ASSERT_EQUAL(zmq_timers_destroy(&timers), 0);
}

/* State for handlers that act on other timers. */
typedef struct {
    void *timers;
    int target; /* id to cancel, or the id added by the handler */
    int rc;     /* result of the handler's own call */
    int err;
    run_log_t log;
} hook_t;

static void cancel_other_handler(int timer_id, void *arg)
{
    hook_t *hook = arg;
    log_handler(timer_id, &hook->log);
    hook->rc = zmq_timers_cancel(hook->timers, hook->target);
}

static void cancel_self_handler(int timer_id, void *arg)
{
    hook_t *hook = arg;
    log_handler(timer_id, &hook->log);
    hook->rc = zmq_timers_cancel(hook->timers, timer_id);
}

static void add_timer_handler(int timer_id, void *arg)
{
    hook_t *hook = arg;
    log_handler(timer_id, &hook->log);
    if (hook->target == 0)
        hook->target = zmq_timers_add(hook->timers, 0, log_handler, &hook->log);
}

/* A timer that is due but cancelled by an earlier handler in the same
 * zmq_timers_execute call does not run, and its id is gone. */
static void test_handler_cancels_other(void)
{
    hook_t hook = { .timers = zmq_timers_new(), .rc = -2 };
    CU_ASSERT_PTR_NOT_NULL_FATAL(hook.timers);
    int first = zmq_timers_add(hook.timers, 0, cancel_other_handler, &hook);
    int victim = zmq_timers_add(hook.timers, 0, log_handler, &hook.log);
    int bystander = zmq_timers_add(hook.timers, 0, log_handler, &hook.log);
    CU_ASSERT_FATAL(first > 0 && victim > 0 && bystander > 0);
    hook.target = victim;
    CU_ASSERT_EQUAL(zmq_timers_execute(hook.timers), 0);
    CU_ASSERT_EQUAL(hook.rc, 0);
    CU_ASSERT_EQUAL_FATAL(hook.log.count, 2);
    CU_ASSERT_EQUAL(hook.log.ids[0], first);
    CU_ASSERT_EQUAL(hook.log.ids[1], bystander);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_timers_cancel(hook.timers, victim), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);

    /* On the next round the first handler's cancel finds nothing. */
    CU_ASSERT_EQUAL(zmq_timers_execute(hook.timers), 0);
    CU_ASSERT_EQUAL(hook.rc, -1);
    CU_ASSERT_EQUAL(hook.log.count, 4);
    CU_ASSERT_EQUAL(zmq_timers_destroy(&hook.timers), 0);
}

static void test_handler_cancels_self(void)
{
    hook_t hook = { .timers = zmq_timers_new(), .rc = -2 };
    CU_ASSERT_PTR_NOT_NULL_FATAL(hook.timers);
    int id = zmq_timers_add(hook.timers, 0, cancel_self_handler, &hook);
    CU_ASSERT_FATAL(id > 0);
    CU_ASSERT_EQUAL(zmq_timers_execute(hook.timers), 0);
    CU_ASSERT_EQUAL(hook.rc, 0);
    CU_ASSERT_EQUAL(hook.log.count, 1);
    CU_ASSERT_EQUAL(zmq_timers_timeout(hook.timers), -1);
    CU_ASSERT_EQUAL(zmq_timers_execute(hook.timers), 0);
    CU_ASSERT_EQUAL(hook.log.count, 1);
    CU_ASSERT_EQUAL(zmq_timers_destroy(&hook.timers), 0);
}

/* A timer added by a handler waits for the next zmq_timers_execute call,
 * even when it is due at once. */
static void test_handler_adds_timer(void)
{
    hook_t hook = { .timers = zmq_timers_new() };
    CU_ASSERT_PTR_NOT_NULL_FATAL(hook.timers);
    int adder = zmq_timers_add(hook.timers, 100000, add_timer_handler, &hook);
    CU_ASSERT_FATAL(adder > 0);
    CU_ASSERT_EQUAL(zmq_timers_set_interval(hook.timers, adder, 0), 0);
    CU_ASSERT_EQUAL(zmq_timers_execute(hook.timers), 0);
    CU_ASSERT(hook.target > 0 && hook.target != adder);
    CU_ASSERT_EQUAL_FATAL(hook.log.count, 1);
    CU_ASSERT_EQUAL(zmq_timers_timeout(hook.timers), 0);
    CU_ASSERT_EQUAL(zmq_timers_execute(hook.timers), 0);
    CU_ASSERT_EQUAL_FATAL(hook.log.count, 3);
    CU_ASSERT_EQUAL(hook.log.ids[1], adder);
    CU_ASSERT_EQUAL(hook.log.ids[2], hook.target);
    CU_ASSERT_EQUAL(zmq_timers_destroy(&hook.timers), 0);
}

/* set_interval makes the timer due interval ms from now, and becomes its
 * interval for later runs. */
static void test_set_interval(void)
{
    void *timers = zmq_timers_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(timers);
    run_log_t log = { .count = 0 };
    int id = zmq_timers_add(timers, 100000, log_handler, &log);
    CU_ASSERT_FATAL(id > 0);
    CU_ASSERT(zmq_timers_timeout(timers) > 50000);

    CU_ASSERT_EQUAL(zmq_timers_set_interval(timers, id, 0), 0);
    CU_ASSERT_EQUAL(zmq_timers_timeout(timers), 0);
    CU_ASSERT_EQUAL(zmq_timers_execute(timers), 0);
    CU_ASSERT_EQUAL(log.count, 1);
    CU_ASSERT_EQUAL(zmq_timers_timeout(timers), 0);

    CU_ASSERT_EQUAL(zmq_timers_set_interval(timers, id, 30000), 0);
    long timeout = zmq_timers_timeout(timers);
    CU_ASSERT(timeout > 15000 && timeout <= 30000);
    CU_ASSERT_EQUAL(zmq_timers_execute(timers), 0);
    CU_ASSERT_EQUAL(log.count, 1);

    /* Shortening an interval can make a timer the earliest again. */
    int other = zmq_timers_add(timers, 20000, log_handler, &log);
    CU_ASSERT_FATAL(other > 0);
    CU_ASSERT_EQUAL(zmq_timers_set_interval(timers, id, 10), 0);
    timeout = zmq_timers_timeout(timers);
    CU_ASSERT(timeout >= 0 && timeout <= 10);
    CU_ASSERT_EQUAL(zmq_timers_destroy(&timers), 0);
}

/* reset starts the interval again from now. A timer 200 ms into a 10 s
 * interval has at most 9.8 s left; after reset it has nearly 10 s again. */
static void test_reset(void)
{
    void *timers = zmq_timers_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(timers);
    int flag = 0;
    int id = zmq_timers_add(timers, 10000, flag_handler, &flag);
    CU_ASSERT_FATAL(id > 0);
    sleep_ms(200);
    long before = zmq_timers_timeout(timers);
    CU_ASSERT(before >= 0 && before <= 9800);
    CU_ASSERT_EQUAL(zmq_timers_reset(timers, id), 0);
    long after = zmq_timers_timeout(timers);
    CU_ASSERT(after > before && after <= 10000);

    CU_ASSERT_EQUAL(zmq_timers_cancel(timers, id), 0);

    /* A timer that is overdue and then reset is no longer due (unless this
     * thread stalls for the whole 300 ms interval). */
    id = zmq_timers_add(timers, 300, flag_handler, &flag);
    CU_ASSERT_FATAL(id > 0);
    sleep_ms(350);
    CU_ASSERT_EQUAL(zmq_timers_timeout(timers), 0);
    CU_ASSERT_EQUAL(zmq_timers_reset(timers, id), 0);
    CU_ASSERT(zmq_timers_timeout(timers) > 0);
    CU_ASSERT_EQUAL(zmq_timers_execute(timers), 0);
    CU_ASSERT_EQUAL(flag, 0);
    CU_ASSERT_EQUAL(zmq_timers_destroy(&timers), 0);
}

/* Many timers with scattered intervals, some cancelled: the cancelled ones
 * never run and the others all run, earliest due first. */
static void test_many_timers(void)
{
    void *timers = zmq_timers_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(timers);
    run_log_t log = { .count = 0 };
    int ids[40];
    for (int i = 0; i < 40; i++) {
        ids[i] = zmq_timers_add(timers, (size_t) ((i * 7) % 40) * 1000 + 100000,
                                log_handler, &log);
        CU_ASSERT_FATAL(ids[i] > 0);
    }
    for (int i = 0; i < 40; i += 2)
        CU_ASSERT_EQUAL(zmq_timers_cancel(timers, ids[i]), 0);
    /* Make the survivors due now, in reverse order of their position, so
     * that they must run in that order. */
    for (int i = 39; i >= 1; i -= 2)
        CU_ASSERT_EQUAL(zmq_timers_set_interval(timers, ids[i], 0), 0);
    CU_ASSERT_EQUAL(zmq_timers_execute(timers), 0);
    CU_ASSERT_EQUAL_FATAL(log.count, 20);
    for (int k = 0; k < 20; k++)
        CU_ASSERT_EQUAL(log.ids[k], ids[39 - 2 * k]);
    CU_ASSERT_EQUAL(zmq_timers_destroy(&timers), 0);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "new and destroy", test_new_destroy },
        { "invalid handles give EFAULT", test_bad_handle },
        { "add without handler gives EFAULT", test_add_null_handler },
        { "ids are positive and distinct", test_ids },
        { "unknown or cancelled ids give EINVAL", test_unknown_id },
        { "timeout values", test_timeout_values },
        { "manual example", test_manual_example },
        { "a timer repeats until cancelled", test_repeats },
        { "execute order", test_execute_order },
        { "zero interval runs once per execute",
          test_zero_interval_once_per_execute },
        { "handler cancels another due timer", test_handler_cancels_other },
        { "handler cancels its own timer", test_handler_cancels_self },
        { "handler adds a timer", test_handler_adds_timer },
        { "set_interval", test_set_interval },
        { "reset", test_reset },
        { "many timers", test_many_timers },
    };
    return test_run_suite("timers", tests, sizeof tests / sizeof tests[0]);
}
