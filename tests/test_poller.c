/*
 * The draft zmq_poller_* API: registration and its errors, waiting on
 * sockets and plain fds, timeouts, wake-ups from other threads, ETERM.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "zmq.h"

static void sleep_ms(int ms)
{
    struct timespec ts = { .tv_sec = ms / 1000,
                           .tv_nsec = (long) (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        continue;
}

/* Checks that call failed with the expected errno. */
static bool fails_with(int rc, int expected)
{
    return rc == -1 && errno == expected;
}

static void test_new_and_destroy(void)
{
    void *poller = zmq_poller_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(poller);
    CU_ASSERT_EQUAL(zmq_poller_size(poller), 0);
    CU_ASSERT_EQUAL(zmq_poller_destroy(&poller), 0);
    CU_ASSERT_PTR_NULL(poller);
    CU_ASSERT_TRUE(fails_with(zmq_poller_destroy(&poller), EFAULT));
    CU_ASSERT_TRUE(fails_with(zmq_poller_destroy(NULL), EFAULT));
    CU_ASSERT_TRUE(fails_with(zmq_poller_size(NULL), EFAULT));

    /* Destroying unregisters everything; the sockets live on. */
    void *ctx = zmq_ctx_new();
    void *socket = zmq_socket(ctx, ZMQ_PAIR);
    poller = zmq_poller_new();
    CU_ASSERT_EQUAL(zmq_poller_add(poller, socket, NULL, ZMQ_POLLIN), 0);
    CU_ASSERT_EQUAL(zmq_poller_add_fd(poller, 0, NULL, ZMQ_POLLIN), 0);
    CU_ASSERT_EQUAL(zmq_poller_destroy(&poller), 0);
    CU_ASSERT_EQUAL(zmq_close(socket), 0);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_socket_registration(void)
{
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_PAIR), *b = zmq_socket(ctx, ZMQ_PAIR);
    void *closed = zmq_socket(ctx, ZMQ_PAIR);
    zmq_close(closed);
    void *poller = zmq_poller_new();

    CU_ASSERT_TRUE(
        fails_with(zmq_poller_add(NULL, a, NULL, ZMQ_POLLIN), EFAULT));
    CU_ASSERT_TRUE(
        fails_with(zmq_poller_add(poller, NULL, NULL, ZMQ_POLLIN), ENOTSOCK));
    CU_ASSERT_TRUE(
        fails_with(zmq_poller_add(poller, closed, NULL, ZMQ_POLLIN), ENOTSOCK));
    CU_ASSERT_TRUE(fails_with(zmq_poller_add(poller, a, NULL, 0x40), EINVAL));
    CU_ASSERT_EQUAL(zmq_poller_add(poller, a, NULL, ZMQ_POLLIN), 0);
    CU_ASSERT_TRUE(
        fails_with(zmq_poller_add(poller, a, NULL, ZMQ_POLLOUT), EINVAL));
    /* No events is a legal registration. */
    CU_ASSERT_EQUAL(zmq_poller_add(poller, b, NULL, 0), 0);
    CU_ASSERT_EQUAL(zmq_poller_size(poller), 2);

    CU_ASSERT_TRUE(fails_with(zmq_poller_modify(NULL, a, ZMQ_POLLOUT), EFAULT));
    CU_ASSERT_TRUE(
        fails_with(zmq_poller_modify(poller, closed, ZMQ_POLLOUT), ENOTSOCK));
    CU_ASSERT_TRUE(fails_with(zmq_poller_modify(poller, a, 0x40), EINVAL));
    CU_ASSERT_EQUAL(zmq_poller_modify(poller, a, ZMQ_POLLIN | ZMQ_POLLOUT), 0);

    CU_ASSERT_TRUE(fails_with(zmq_poller_remove(NULL, a), EFAULT));
    CU_ASSERT_TRUE(fails_with(zmq_poller_remove(poller, closed), ENOTSOCK));
    CU_ASSERT_EQUAL(zmq_poller_remove(poller, a), 0);
    CU_ASSERT_EQUAL(zmq_poller_size(poller), 1);
    CU_ASSERT_TRUE(fails_with(zmq_poller_remove(poller, a), EINVAL));
    CU_ASSERT_TRUE(
        fails_with(zmq_poller_modify(poller, a, ZMQ_POLLIN), EINVAL));
    /* Removed, it can be added again. */
    CU_ASSERT_EQUAL(zmq_poller_add(poller, a, NULL, ZMQ_POLLIN), 0);
    CU_ASSERT_EQUAL(zmq_poller_size(poller), 2);

    CU_ASSERT_EQUAL(zmq_poller_destroy(&poller), 0);
    zmq_close(a);
    zmq_close(b);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_fd_registration(void)
{
    void *poller = zmq_poller_new();
    int efd = eventfd(0, 0);
    CU_ASSERT_TRUE(
        fails_with(zmq_poller_add_fd(NULL, efd, NULL, ZMQ_POLLIN), EFAULT));
    CU_ASSERT_TRUE(
        fails_with(zmq_poller_add_fd(poller, -1, NULL, ZMQ_POLLIN), EBADF));
    CU_ASSERT_TRUE(
        fails_with(zmq_poller_add_fd(poller, efd, NULL, 0x40), EINVAL));
    CU_ASSERT_EQUAL(zmq_poller_add_fd(poller, efd, NULL, ZMQ_POLLIN), 0);
    CU_ASSERT_TRUE(
        fails_with(zmq_poller_add_fd(poller, efd, NULL, ZMQ_POLLIN), EINVAL));
    CU_ASSERT_EQUAL(zmq_poller_size(poller), 1);

    CU_ASSERT_TRUE(fails_with(zmq_poller_modify_fd(NULL, efd, 0), EFAULT));
    CU_ASSERT_TRUE(fails_with(zmq_poller_modify_fd(poller, -1, 0), EBADF));
    CU_ASSERT_TRUE(
        fails_with(zmq_poller_modify_fd(poller, efd + 1, 0), EINVAL));
    CU_ASSERT_TRUE(fails_with(zmq_poller_modify_fd(poller, efd, 0x40), EINVAL));
    CU_ASSERT_EQUAL(zmq_poller_modify_fd(poller, efd, ZMQ_POLLOUT), 0);

    CU_ASSERT_TRUE(fails_with(zmq_poller_remove_fd(NULL, efd), EFAULT));
    CU_ASSERT_TRUE(fails_with(zmq_poller_remove_fd(poller, -1), EBADF));
    CU_ASSERT_TRUE(fails_with(zmq_poller_remove_fd(poller, efd + 1), EINVAL));
    CU_ASSERT_EQUAL(zmq_poller_remove_fd(poller, efd), 0);
    CU_ASSERT_EQUAL(zmq_poller_size(poller), 0);
    CU_ASSERT_TRUE(fails_with(zmq_poller_remove_fd(poller, efd), EINVAL));

    /* Sockets and fds are separate namespaces: an fd number is no socket. */
    void *ctx = zmq_ctx_new();
    void *socket = zmq_socket(ctx, ZMQ_PAIR);
    int socket_fd;
    size_t size = sizeof socket_fd;
    zmq_getsockopt(socket, ZMQ_FD, &socket_fd, &size);
    CU_ASSERT_EQUAL(zmq_poller_add(poller, socket, NULL, ZMQ_POLLIN), 0);
    CU_ASSERT_EQUAL(zmq_poller_add_fd(poller, socket_fd, NULL, ZMQ_POLLIN), 0);
    CU_ASSERT_EQUAL(zmq_poller_remove_fd(poller, socket_fd), 0);
    CU_ASSERT_EQUAL(zmq_poller_remove(poller, socket), 0);
    zmq_close(socket);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);

    CU_ASSERT_EQUAL(zmq_poller_destroy(&poller), 0);
    close(efd);
}

static void test_poller_fd(void)
{
    zmq_fd_t fd;
    CU_ASSERT_TRUE(fails_with(zmq_poller_fd(NULL, &fd), EFAULT));
    void *poller = zmq_poller_new();
    CU_ASSERT_TRUE(fails_with(zmq_poller_fd(poller, &fd), EINVAL));
    /* Classic sockets are not thread-safe: still no fd. */
    void *ctx = zmq_ctx_new();
    void *socket = zmq_socket(ctx, ZMQ_DEALER);
    zmq_poller_add(poller, socket, NULL, ZMQ_POLLIN);
    CU_ASSERT_TRUE(fails_with(zmq_poller_fd(poller, &fd), EINVAL));
    zmq_poller_destroy(&poller);
    zmq_close(socket);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_wait_arguments(void)
{
    zmq_poller_event_t events[4];
    void *poller = zmq_poller_new();
    CU_ASSERT_TRUE(fails_with(zmq_poller_wait_all(NULL, events, 4, 0), EFAULT));
    CU_ASSERT_TRUE(fails_with(zmq_poller_wait_all(poller, NULL, 4, 0), EFAULT));
    CU_ASSERT_TRUE(
        fails_with(zmq_poller_wait_all(poller, events, -1, 0), EINVAL));
    CU_ASSERT_TRUE(fails_with(zmq_poller_wait(NULL, events, 0), EFAULT));
    CU_ASSERT_TRUE(fails_with(zmq_poller_wait(poller, NULL, 0), EFAULT));

    /* Nothing registered: waiting forever is refused, a timeout expires. */
    CU_ASSERT_TRUE(
        fails_with(zmq_poller_wait_all(poller, events, 4, -1), EFAULT));
    CU_ASSERT_TRUE(
        fails_with(zmq_poller_wait_all(poller, events, 4, 0), EAGAIN));
    int64_t start = test_now_ms();
    CU_ASSERT_TRUE(
        fails_with(zmq_poller_wait_all(poller, events, 4, 30), EAGAIN));
    CU_ASSERT(test_now_ms() - start >= 25);

    /* Registered but every subscription off: the same. */
    void *ctx = zmq_ctx_new();
    void *socket = zmq_socket(ctx, ZMQ_PAIR);
    int efd = eventfd(1, 0);
    zmq_poller_add(poller, socket, NULL, 0);
    zmq_poller_add_fd(poller, efd, NULL, 0);
    CU_ASSERT_TRUE(
        fails_with(zmq_poller_wait_all(poller, events, 4, -1), EFAULT));
    CU_ASSERT_TRUE(
        fails_with(zmq_poller_wait_all(poller, events, 4, 0), EAGAIN));

    /* A failed zmq_poller_wait leaves a cleared event. */
    events[0] = (zmq_poller_event_t){
        .socket = socket, .fd = 3, .user_data = events, .events = ZMQ_POLLIN
    };
    CU_ASSERT_TRUE(fails_with(zmq_poller_wait(poller, &events[0], 0), EAGAIN));
    CU_ASSERT_PTR_NULL(events[0].socket);
    CU_ASSERT_EQUAL(events[0].fd, -1);
    CU_ASSERT_PTR_NULL(events[0].user_data);
    CU_ASSERT_EQUAL(events[0].events, 0);

    zmq_poller_destroy(&poller);
    close(efd);
    zmq_close(socket);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_events_reported(void)
{
    void *ctx = zmq_ctx_new();
    void *a = zmq_socket(ctx, ZMQ_PAIR), *b = zmq_socket(ctx, ZMQ_PAIR);
    zmq_bind(a, "inproc://poller-events");
    zmq_connect(b, "inproc://poller-events");
    int efd = eventfd(0, 0);
    int tag_a, tag_fd;
    void *poller = zmq_poller_new();
    zmq_poller_add(poller, a, &tag_a, ZMQ_POLLIN);
    zmq_poller_add_fd(poller, efd, &tag_fd, ZMQ_POLLIN);
    zmq_poller_event_t events[4];
    CU_ASSERT_TRUE(
        fails_with(zmq_poller_wait_all(poller, events, 4, 0), EAGAIN));
    CU_ASSERT_TRUE(
        fails_with(zmq_poller_wait_all(poller, events, 4, 20), EAGAIN));

    /* A socket event: the socket, no fd, its user data. */
    CU_ASSERT_TRUE(test_send(b, "hello", 0));
    CU_ASSERT_EQUAL(zmq_poller_wait_all(poller, events, 4, 2000), 1);
    CU_ASSERT_PTR_EQUAL(events[0].socket, a);
    CU_ASSERT_EQUAL(events[0].fd, -1);
    CU_ASSERT_PTR_EQUAL(events[0].user_data, &tag_a);
    CU_ASSERT_EQUAL(events[0].events, ZMQ_POLLIN);

    /* Both; zmq_poller_wait returns 0 with one of them. */
    uint64_t one = 1;
    CU_ASSERT_EQUAL(write(efd, &one, sizeof one), (ssize_t) sizeof one);
    CU_ASSERT_EQUAL(zmq_poller_wait_all(poller, events, 4, 2000), 2);
    bool saw_socket = false, saw_fd = false;
    for (int i = 0; i < 2; i++) {
        if (events[i].socket == a)
            saw_socket = events[i].user_data == &tag_a;
        if (events[i].socket == NULL)
            saw_fd = events[i].fd == efd && events[i].user_data == &tag_fd &&
                     events[i].events == ZMQ_POLLIN;
    }
    CU_ASSERT_TRUE(saw_socket);
    CU_ASSERT_TRUE(saw_fd);
    CU_ASSERT_EQUAL(zmq_poller_wait_all(poller, events, 1, 0), 1);
    CU_ASSERT_EQUAL(zmq_poller_wait(poller, &events[0], 0), 0);
    CU_ASSERT_NOT_EQUAL(events[0].events, 0);

    /* Subscribed events only: POLLOUT appears once asked for. */
    CU_ASSERT_EQUAL(zmq_poller_modify(poller, a, ZMQ_POLLIN | ZMQ_POLLOUT), 0);
    CU_ASSERT_EQUAL(zmq_poller_remove_fd(poller, efd), 0);
    CU_ASSERT_EQUAL(zmq_poller_wait_all(poller, events, 4, 0), 1);
    CU_ASSERT_EQUAL(events[0].events, ZMQ_POLLIN | ZMQ_POLLOUT);
    CU_ASSERT_TRUE(test_recv_is(a, "hello", 2000));
    CU_ASSERT_EQUAL(zmq_poller_wait_all(poller, events, 4, 0), 1);
    CU_ASSERT_EQUAL(events[0].events, ZMQ_POLLOUT);
    /* Off, then on again. */
    CU_ASSERT_EQUAL(zmq_poller_modify(poller, a, 0), 0);
    CU_ASSERT_TRUE(
        fails_with(zmq_poller_wait_all(poller, events, 4, 0), EAGAIN));
    CU_ASSERT_EQUAL(zmq_poller_modify(poller, a, ZMQ_POLLOUT), 0);
    CU_ASSERT_EQUAL(zmq_poller_wait_all(poller, events, 4, 0), 1);

    zmq_poller_destroy(&poller);
    close(efd);
    zmq_close(a);
    zmq_close(b);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Plain fds: hang-up and friends show as ZMQ_POLLERR. */
static void test_fd_errors(void)
{
    int fds[2];
    CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
    void *poller = zmq_poller_new();
    zmq_poller_add_fd(poller, fds[0], NULL, ZMQ_POLLIN);
    zmq_poller_event_t event;
    CU_ASSERT_TRUE(fails_with(zmq_poller_wait(poller, &event, 0), EAGAIN));
    close(fds[1]);
    CU_ASSERT_EQUAL(zmq_poller_wait(poller, &event, 0), 0);
    CU_ASSERT_EQUAL(event.fd, fds[0]);
    CU_ASSERT_EQUAL(event.events & ZMQ_POLLERR, ZMQ_POLLERR);
    zmq_poller_destroy(&poller);
    close(fds[0]);
}

/* Many ready items, fewer slots: every slot filled, no more. */
static void test_fewer_slots_than_events(void)
{
    enum { PAIRS = 24 };
    void *ctx = zmq_ctx_new();
    void *bound[PAIRS], *connected[PAIRS];
    void *poller = zmq_poller_new();
    for (int i = 0; i < PAIRS; i++) {
        char endpoint[64];
        snprintf(endpoint, sizeof endpoint, "inproc://poller-many-%d", i);
        bound[i] = zmq_socket(ctx, ZMQ_PAIR);
        connected[i] = zmq_socket(ctx, ZMQ_PAIR);
        zmq_bind(bound[i], endpoint);
        zmq_connect(connected[i], endpoint);
        CU_ASSERT_EQUAL(zmq_poller_add(poller, bound[i], NULL, ZMQ_POLLIN), 0);
    }
    for (int i = 0; i < PAIRS; i++)
        CU_ASSERT_TRUE(test_send(connected[i], "x", 0));
    zmq_poller_event_t events[PAIRS];
    CU_ASSERT_EQUAL(zmq_poller_wait_all(poller, events, 5, 2000), 5);
    CU_ASSERT_EQUAL(zmq_poller_wait_all(poller, events, PAIRS, 2000), PAIRS);
    /* Zero slots can never report anything. */
    CU_ASSERT_TRUE(
        fails_with(zmq_poller_wait_all(poller, events, 0, 0), EAGAIN));
    zmq_poller_destroy(&poller);
    for (int i = 0; i < PAIRS; i++) {
        zmq_close(bound[i]);
        zmq_close(connected[i]);
    }
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

struct delayed_send {
    void *socket;
    int delay_ms;
};

static void *delayed_sender(void *arg)
{
    struct delayed_send *job = arg;
    sleep_ms(job->delay_ms);
    zmq_send(job->socket, "wake", 4, 0);
    return NULL;
}

static void test_woken_by_other_thread(void)
{
    void *ctx = zmq_ctx_new();
    void *pull = zmq_socket(ctx, ZMQ_PULL), *push = zmq_socket(ctx, ZMQ_PUSH);
    zmq_bind(pull, "inproc://poller-wake");
    zmq_connect(push, "inproc://poller-wake");
    void *poller = zmq_poller_new();
    zmq_poller_add(poller, pull, NULL, ZMQ_POLLIN);
    zmq_poller_event_t event;
    for (int round = 0; round < 200; round++) {
        struct delayed_send job = { .socket = push, .delay_ms = round % 3 };
        pthread_t thread;
        pthread_create(&thread, NULL, delayed_sender, &job);
        int rc = zmq_poller_wait(poller, &event, 10000);
        pthread_join(thread, NULL);
        CU_ASSERT_EQUAL(rc, 0);
        if (rc != 0)
            break;
        CU_ASSERT_PTR_EQUAL(event.socket, pull);
        CU_ASSERT_TRUE(test_recv_is(pull, "wake", 2000));
    }
    zmq_poller_destroy(&poller);
    test_close(pull);
    test_close(push);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

struct blocked_wait {
    void *socket;
    int rc, error;
    atomic_bool done;
};

static void *wait_forever(void *arg)
{
    struct blocked_wait *job = arg;
    void *poller = zmq_poller_new();
    zmq_poller_add(poller, job->socket, NULL, ZMQ_POLLIN);
    zmq_poller_event_t event;
    job->rc = zmq_poller_wait(poller, &event, -1);
    job->error = errno;
    zmq_poller_destroy(&poller);
    atomic_store(&job->done, true);
    return NULL;
}

static void test_eterm_while_blocked(void)
{
    void *ctx = zmq_ctx_new();
    void *socket = zmq_socket(ctx, ZMQ_DEALER);
    struct blocked_wait job = { .socket = socket };
    atomic_init(&job.done, false);
    pthread_t thread;
    pthread_create(&thread, NULL, wait_forever, &job);
    sleep_ms(50);
    CU_ASSERT_FALSE(atomic_load(&job.done));
    CU_ASSERT_EQUAL(zmq_ctx_shutdown(ctx), 0);
    bool done = false;
    for (int waited = 0; !done && waited < 10000; waited += 5) {
        sleep_ms(5);
        done = atomic_load(&job.done);
    }
    CU_ASSERT_TRUE_FATAL(done);
    pthread_join(thread, NULL);
    CU_ASSERT_EQUAL(job.rc, -1);
    CU_ASSERT_EQUAL(job.error, ETERM);
    zmq_close(socket);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "new and destroy", test_new_and_destroy },
        { "socket registration", test_socket_registration },
        { "fd registration", test_fd_registration },
        { "zmq_poller_fd", test_poller_fd },
        { "wait arguments", test_wait_arguments },
        { "events reported", test_events_reported },
        { "fd errors", test_fd_errors },
        { "fewer slots than events", test_fewer_slots_than_events },
        { "woken by another thread", test_woken_by_other_thread },
        { "ETERM while blocked", test_eterm_while_blocked },
    };
    return test_run_suite("poller", tests, sizeof tests / sizeof tests[0]);
}
