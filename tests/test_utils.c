/* CUnit tests for the small utilities: the monotonic clock helpers,
 * zmq_stopwatch_*, zmq_sleep, zmq_threadstart/zmq_threadclose, and the
 * core's thread helpers (signal mask, name, scheduling and affinity).
 * Timing checks only use generous bounds. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pthread_getname_np, pthread_getaffinity_np */
#endif

#include "zmq.h"

#include "clock.h"
#include "thread.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

static void sleep_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000,
                           .tv_nsec = (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* Both clocks never go backwards and agree with each other. */
static void test_clock(void)
{
    uint64_t last_us = mz_clock_us();
    uint64_t last_ms = mz_clock_ms();
    for (int i = 0; i < 10000; i++) {
        uint64_t us = mz_clock_us();
        uint64_t ms = mz_clock_ms();
        CU_ASSERT(us >= last_us);
        CU_ASSERT(ms >= last_ms);
        last_us = us;
        last_ms = ms;
    }
    uint64_t us = mz_clock_us();
    uint64_t ms = mz_clock_ms();
    CU_ASSERT(ms >= us / 1000 && ms - us / 1000 < 1000);

    uint64_t before = mz_clock_us();
    sleep_ms(20);
    uint64_t elapsed = mz_clock_us() - before;
    CU_ASSERT(elapsed >= 20000 && elapsed < 10000000);
}

static void test_stopwatch(void)
{
    void *watch = zmq_stopwatch_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(watch);
    sleep_ms(20);
    unsigned long first = zmq_stopwatch_intermediate(watch);
    CU_ASSERT(first >= 20000 && first < 10000000);
    sleep_ms(5);
    unsigned long second = zmq_stopwatch_intermediate(watch);
    CU_ASSERT(second >= first + 5000);
    unsigned long total = zmq_stopwatch_stop(watch);
    CU_ASSERT(total >= second && total < 10000000);
}

static void test_sleep(void)
{
    void *watch = zmq_stopwatch_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(watch);
    zmq_sleep(0);
    zmq_sleep(-1);
    CU_ASSERT(zmq_stopwatch_intermediate(watch) < 500000);
    unsigned long before = zmq_stopwatch_intermediate(watch);
    zmq_sleep(1);
    unsigned long slept = zmq_stopwatch_stop(watch) - before;
    CU_ASSERT(slept >= 1000000 && slept < 10000000);
}

/* What a zmq_threadstart thread observed about itself. */
typedef struct {
    atomic_int ran;
    void *arg_seen;
    int sigint_blocked;
    int sigsegv_blocked;
    char name[16];
} probe_t;

static void probe_thread(void *arg)
{
    probe_t *probe = arg;
    sigset_t mask;
    pthread_sigmask(SIG_SETMASK, NULL, &mask);
    probe->sigint_blocked = sigismember(&mask, SIGINT);
    probe->sigsegv_blocked = sigismember(&mask, SIGSEGV);
    pthread_getname_np(pthread_self(), probe->name, sizeof probe->name);
    probe->arg_seen = arg;
    atomic_fetch_add(&probe->ran, 1);
}

/* zmq_threadstart runs the function once with its argument, and
 * zmq_threadclose returns only after the function has returned. */
static void test_threadstart(void)
{
    probe_t probes[4];
    void *threads[4];
    for (int i = 0; i < 4; i++) {
        memset(&probes[i], 0, sizeof probes[i]);
        atomic_init(&probes[i].ran, 0);
        threads[i] = zmq_threadstart(probe_thread, &probes[i]);
        CU_ASSERT_PTR_NOT_NULL(threads[i]);
    }
    for (int i = 0; i < 4; i++) {
        if (threads[i])
            zmq_threadclose(threads[i]);
        CU_ASSERT_EQUAL(atomic_load(&probes[i].ran), 1);
        CU_ASSERT_PTR_EQUAL(probes[i].arg_seen, &probes[i]);
    }
}

/* The thread runs with asynchronous signals blocked but faults unblocked,
 * carries the name "ZMQapp", and the starting thread's own mask is left as
 * it was. */
static void test_thread_signals_and_name(void)
{
    sigset_t before, after;
    pthread_sigmask(SIG_SETMASK, NULL, &before);
    probe_t probe;
    memset(&probe, 0, sizeof probe);
    atomic_init(&probe.ran, 0);
    void *thread = zmq_threadstart(probe_thread, &probe);
    CU_ASSERT_PTR_NOT_NULL_FATAL(thread);
    zmq_threadclose(thread);
    pthread_sigmask(SIG_SETMASK, NULL, &after);
    CU_ASSERT_EQUAL(probe.sigint_blocked, 1);
    CU_ASSERT_EQUAL(probe.sigsegv_blocked, 0);
    CU_ASSERT_STRING_EQUAL(probe.name, "ZMQapp");
    CU_ASSERT_EQUAL(sigismember(&after, SIGINT), sigismember(&before, SIGINT));
    CU_ASSERT_EQUAL(sigismember(&after, SIGTERM),
                    sigismember(&before, SIGTERM));
}

static void *name_thread(void *arg)
{
    char *name = arg;
    pthread_getname_np(pthread_self(), name, 16);
    return NULL;
}

/* Long names are cut to what Linux keeps instead of being refused. */
static void test_thread_create_long_name(void)
{
    char name[16] = "";
    pthread_t thread;
    CU_ASSERT_EQUAL_FATAL(
        mz_thread_create(&thread, name_thread, name, "ZMQbg/IO/0123456789"), 0);
    pthread_join(thread, NULL);
    CU_ASSERT_STRING_EQUAL(name, "ZMQbg/IO/012345");
}

static void test_thread_set_sched(void)
{
    pthread_t self = pthread_self();
    CU_ASSERT_EQUAL(mz_thread_set_sched(self, -1, -1, NULL, 0), 0);
    CU_ASSERT_EQUAL(mz_thread_set_sched(self, SCHED_OTHER, 0, NULL, 0), 0);

    /* Pin to one CPU this thread may already use, then restore. */
    cpu_set_t original;
    CU_ASSERT_EQUAL_FATAL(
        pthread_getaffinity_np(self, sizeof original, &original), 0);
    int cpu = -1;
    for (int i = 0; i < CPU_SETSIZE && cpu < 0; i++)
        if (CPU_ISSET(i, &original))
            cpu = i;
    CU_ASSERT_FATAL(cpu >= 0);
    CU_ASSERT_EQUAL(mz_thread_set_sched(self, -1, -1, &cpu, 1), 0);
    cpu_set_t pinned;
    CU_ASSERT_EQUAL(pthread_getaffinity_np(self, sizeof pinned, &pinned), 0);
    CU_ASSERT_EQUAL(CPU_COUNT(&pinned), 1);
    CU_ASSERT(CPU_ISSET(cpu, &pinned));
    CU_ASSERT_EQUAL(pthread_setaffinity_np(self, sizeof original, &original),
                    0);

    const int bad_cpus[] = { -1, CPU_SETSIZE };
    for (size_t i = 0; i < 2; i++) {
        errno = 0;
        CU_ASSERT_EQUAL(mz_thread_set_sched(self, -1, -1, &bad_cpus[i], 1), -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
    }
    errno = 0;
    CU_ASSERT_EQUAL(mz_thread_set_sched(self, 12345, -1, NULL, 0), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
}

int main(void)
{
    static const struct {
        const char *name;
        CU_TestFunc fn;
    } tests[] = {
        { "monotonic clock", test_clock },
        { "stopwatch", test_stopwatch },
        { "zmq_sleep", test_sleep },
        { "threadstart runs the function with its argument", test_threadstart },
        { "threads block signals and are named", test_thread_signals_and_name },
        { "long thread names are cut", test_thread_create_long_name },
        { "scheduling and affinity", test_thread_set_sched },
    };
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite suite = CU_add_suite("utils", NULL, NULL);
    if (!suite) {
        CU_cleanup_registry();
        return 1;
    }
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        if (!CU_add_test(suite, tests[i].name, tests[i].fn)) {
            CU_cleanup_registry();
            return 1;
        }
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned int failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures > 0;
}
