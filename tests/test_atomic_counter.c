/* CUnit tests for zmq_atomic_counter_*: the manual's example sequence, the
 * return values of inc and dec at the edges (wrap-around, going below zero),
 * destroy, and consistency under concurrent use from several threads. */
#include "testutil.h"
#include "zmq.h"

#include <CUnit/Basic.h>
#include <limits.h>
#include <pthread.h>

enum { THREADS = 8, ROUNDS = 20000 };

/* The example every atomic counter manual page shows. */
static void test_manual_example(void)
{
    void *counter = zmq_atomic_counter_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(counter);
    CU_ASSERT_EQUAL(zmq_atomic_counter_value(counter), 0);
    CU_ASSERT_EQUAL(zmq_atomic_counter_inc(counter), 0);
    CU_ASSERT_EQUAL(zmq_atomic_counter_inc(counter), 1);
    CU_ASSERT_EQUAL(zmq_atomic_counter_inc(counter), 2);
    CU_ASSERT_EQUAL(zmq_atomic_counter_value(counter), 3);
    CU_ASSERT_EQUAL(zmq_atomic_counter_dec(counter), 1);
    CU_ASSERT_EQUAL(zmq_atomic_counter_dec(counter), 1);
    CU_ASSERT_EQUAL(zmq_atomic_counter_dec(counter), 0);
    zmq_atomic_counter_set(counter, 2);
    CU_ASSERT_EQUAL(zmq_atomic_counter_dec(counter), 1);
    CU_ASSERT_EQUAL(zmq_atomic_counter_dec(counter), 0);
    zmq_atomic_counter_destroy(&counter);
    CU_ASSERT_PTR_NULL(counter);
}

static void test_set_and_value(void)
{
    void *counter = zmq_atomic_counter_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(counter);
    const int values[] = { 0, 1, -1, 12345, INT_MAX, INT_MIN };
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        zmq_atomic_counter_set(counter, values[i]);
        CU_ASSERT_EQUAL(zmq_atomic_counter_value(counter), values[i]);
    }
    zmq_atomic_counter_destroy(&counter);
}

/* dec reports 0 only when the counter lands exactly on zero. Like libzmq,
 * decrementing a zero counter gives 1 and the value -1. The counter wraps
 * around at the 32-bit limits instead of failing. */
static void test_edges(void)
{
    void *counter = zmq_atomic_counter_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(counter);
    CU_ASSERT_EQUAL(zmq_atomic_counter_dec(counter), 1);
    CU_ASSERT_EQUAL(zmq_atomic_counter_value(counter), -1);
    CU_ASSERT_EQUAL(zmq_atomic_counter_inc(counter), -1);
    CU_ASSERT_EQUAL(zmq_atomic_counter_value(counter), 0);

    zmq_atomic_counter_set(counter, INT_MAX);
    CU_ASSERT_EQUAL(zmq_atomic_counter_inc(counter), INT_MAX);
    CU_ASSERT_EQUAL(zmq_atomic_counter_value(counter), INT_MIN);
    CU_ASSERT_EQUAL(zmq_atomic_counter_dec(counter), 1);
    CU_ASSERT_EQUAL(zmq_atomic_counter_value(counter), INT_MAX);
    zmq_atomic_counter_destroy(&counter);
}

static void test_destroy(void)
{
    void *counter = zmq_atomic_counter_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(counter);
    zmq_atomic_counter_destroy(&counter);
    CU_ASSERT_PTR_NULL(counter);
    /* Destroying an already cleared handle, or none, does nothing. */
    zmq_atomic_counter_destroy(&counter);
    zmq_atomic_counter_destroy(NULL);

    /* Independent counters do not share state. */
    void *a = zmq_atomic_counter_new();
    void *b = zmq_atomic_counter_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    zmq_atomic_counter_set(a, 7);
    CU_ASSERT_EQUAL(zmq_atomic_counter_inc(b), 0);
    CU_ASSERT_EQUAL(zmq_atomic_counter_value(a), 7);
    CU_ASSERT_EQUAL(zmq_atomic_counter_value(b), 1);
    zmq_atomic_counter_destroy(&a);
    zmq_atomic_counter_destroy(&b);
}

typedef struct {
    void *counter;
    int zero_results;   /* how many of this thread's decs returned 0 */
    int bad_old_values; /* incs that returned an impossible old value */
} worker_t;

static void *inc_worker(void *arg)
{
    worker_t *worker = arg;
    for (int i = 0; i < ROUNDS; i++) {
        int old = zmq_atomic_counter_inc(worker->counter);
        if (old < 0 || old >= THREADS * ROUNDS)
            worker->bad_old_values++;
    }
    return NULL;
}

static void *dec_worker(void *arg)
{
    worker_t *worker = arg;
    for (int i = 0; i < ROUNDS; i++)
        if (zmq_atomic_counter_dec(worker->counter) == 0)
            worker->zero_results++;
    return NULL;
}

/* Runs fn in THREADS threads over one counter and joins them. */
static void run_workers(void *(*fn)(void *), worker_t *workers)
{
    pthread_t threads[THREADS];
    int started = 0;
    for (int i = 0; i < THREADS; i++)
        if (pthread_create(&threads[i], NULL, fn, &workers[i]) == 0)
            started++;
        else
            break;
    CU_ASSERT_EQUAL(started, THREADS);
    for (int i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
}

/* THREADS threads increment concurrently: no increment is lost. They then
 * decrement concurrently back to zero: exactly one dec, the last, reports
 * that the counter reached zero, as reference counting relies on. */
static void test_threads(void)
{
    void *counter = zmq_atomic_counter_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(counter);
    worker_t workers[THREADS];
    for (int i = 0; i < THREADS; i++)
        workers[i] = (worker_t){ .counter = counter };

    run_workers(inc_worker, workers);
    CU_ASSERT_EQUAL(zmq_atomic_counter_value(counter), THREADS * ROUNDS);
    for (int i = 0; i < THREADS; i++)
        CU_ASSERT_EQUAL(workers[i].bad_old_values, 0);

    run_workers(dec_worker, workers);
    CU_ASSERT_EQUAL(zmq_atomic_counter_value(counter), 0);
    int zeros = 0;
    for (int i = 0; i < THREADS; i++)
        zeros += workers[i].zero_results;
    CU_ASSERT_EQUAL(zeros, 1);
    zmq_atomic_counter_destroy(&counter);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "manual example", test_manual_example },
        { "set and value", test_set_and_value },
        { "below zero and wrap-around", test_edges },
        { "destroy", test_destroy },
        { "concurrent inc and dec", test_threads },
    };
    return test_run_suite("atomic_counter", tests, sizeof tests / sizeof tests[0]);
}
