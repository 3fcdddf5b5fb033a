/*
 * Contexts: options and their limits, the deprecated entry points, the I/O
 * thread pool, and termination as libzmq does it: shutdown and term make
 * calls blocked in other threads return ETERM, term waits for every socket
 * to be closed, and a stopped context refuses new sockets; a forked child
 * lets go of what it inherited without touching the parent's.
 */
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "zmq.h"

static void test_defaults(void)
{
    void *ctx = zmq_ctx_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_IO_THREADS), 1);
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_MAX_SOCKETS), 1023);
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_SOCKET_LIMIT), 65535);
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_IPV6), 0);
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_BLOCKY), 1);
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_MAX_MSGSZ), 2147483647);
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_MSG_T_SIZE), (int) sizeof(zmq_msg_t));
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_ZERO_COPY_RECV), 1);
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_THREAD_SCHED_POLICY), -1);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_set_and_get(void)
{
    void *ctx = zmq_ctx_new();
    CU_ASSERT_EQUAL(zmq_ctx_set(ctx, ZMQ_IO_THREADS, 2), 0);
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_IO_THREADS), 2);
    CU_ASSERT_EQUAL(zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 256), 0);
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_MAX_SOCKETS), 256);
    CU_ASSERT_EQUAL(zmq_ctx_set(ctx, ZMQ_IPV6, 1), 0);
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_IPV6), 1);
    CU_ASSERT_EQUAL(zmq_ctx_set(ctx, ZMQ_MAX_MSGSZ, 4096), 0);
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_MAX_MSGSZ), 4096);
    CU_ASSERT_EQUAL(zmq_ctx_set(ctx, ZMQ_ZERO_COPY_RECV, 0), 0);
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_ZERO_COPY_RECV), 0);
    CU_ASSERT_EQUAL(zmq_ctx_set(ctx, ZMQ_THREAD_AFFINITY_CPU_ADD, 0), 0);
    CU_ASSERT_EQUAL(zmq_ctx_set(ctx, ZMQ_THREAD_AFFINITY_CPU_REMOVE, 0), 0);
    CU_ASSERT_EQUAL(zmq_ctx_set(ctx, ZMQ_THREAD_NAME_PREFIX, 42), 0);

    const char prefix[] = "app";
    CU_ASSERT_EQUAL(
        zmq_ctx_set_ext(ctx, ZMQ_THREAD_NAME_PREFIX, prefix, strlen(prefix)),
        0);
    char read_back[16];
    size_t size = sizeof read_back;
    CU_ASSERT_EQUAL(
        zmq_ctx_get_ext(ctx, ZMQ_THREAD_NAME_PREFIX, read_back, &size), 0);
    CU_ASSERT_STRING_EQUAL(read_back, "app");
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_bad_options(void)
{
    void *ctx = zmq_ctx_new();
    int bad[][2] = {
        { ZMQ_IO_THREADS, -1 },
        { ZMQ_MAX_SOCKETS, 0 },
        { ZMQ_MAX_SOCKETS, 70000 },
        { ZMQ_MAX_MSGSZ, -5 },
        { ZMQ_THREAD_AFFINITY_CPU_ADD, -1 },
        { 9999, 1 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        CU_ASSERT_EQUAL(zmq_ctx_set(ctx, bad[i][0], bad[i][1]), -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
    }
    errno = 0;
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, 9999), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* The values libzmq refuses with EINVAL: no negative number for the
 * switches, the scheduling policy and priority (their -1 default means
 * "leave alone" and cannot be set), removing a CPU that was never added. */
static void test_out_of_range_values(void)
{
    void *ctx = zmq_ctx_new();
    int bad[][2] = {
        { ZMQ_THREAD_SCHED_POLICY, -1 },
        { ZMQ_THREAD_SCHED_POLICY, -2 },
        { ZMQ_THREAD_PRIORITY, -1 },
        { ZMQ_IPV6, -1 },
        { ZMQ_BLOCKY, -1 },
        { ZMQ_ZERO_COPY_RECV, -1 },
        { ZMQ_THREAD_AFFINITY_CPU_REMOVE, 1 },
        { ZMQ_THREAD_AFFINITY_CPU_REMOVE, -1 },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        CU_ASSERT_EQUAL(zmq_ctx_set(ctx, bad[i][0], bad[i][1]), -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
    }
    /* Nothing refused was stored. */
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_THREAD_SCHED_POLICY), -1);
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_IPV6), 0);
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_BLOCKY), 1);
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_ZERO_COPY_RECV), 1);
    /* A CPU that was added can be removed, once. */
    CU_ASSERT_EQUAL(zmq_ctx_set(ctx, ZMQ_THREAD_AFFINITY_CPU_ADD, 1), 0);
    CU_ASSERT_EQUAL(zmq_ctx_set(ctx, ZMQ_THREAD_AFFINITY_CPU_REMOVE, 1), 0);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_ctx_set(ctx, ZMQ_THREAD_AFFINITY_CPU_REMOVE, 1), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(zmq_ctx_set(ctx, ZMQ_THREAD_SCHED_POLICY, 0), 0);
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_THREAD_SCHED_POLICY), 0);
    CU_ASSERT_EQUAL(zmq_ctx_set(ctx, ZMQ_THREAD_PRIORITY, 0), 0);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_bad_context_handles(void)
{
    int not_a_context = 7;
    errno = 0;
    CU_ASSERT_EQUAL(zmq_ctx_term(NULL), -1);
    CU_ASSERT_EQUAL(errno, EFAULT);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_ctx_set(&not_a_context, ZMQ_IO_THREADS, 1), -1);
    CU_ASSERT_EQUAL(errno, EFAULT);
    errno = 0;
    CU_ASSERT_PTR_NULL(zmq_socket(NULL, ZMQ_PAIR));
    CU_ASSERT_EQUAL(errno, EFAULT);
    void *ctx = zmq_ctx_new();
    errno = 0;
    CU_ASSERT_PTR_NULL(zmq_socket(ctx, 12345));
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* A handle of a terminated context is answered with EFAULT, as libzmq
 * answers it (pyzmq's shadow contexts rely on it), and is never read as
 * freed memory (the sanitizer build checks that). */
static void test_terminated_context_handle(void)
{
    void *ctx = zmq_ctx_new();
    CU_ASSERT_EQUAL_FATAL(zmq_ctx_term(ctx), 0);
    errno = 0;
    CU_ASSERT_PTR_NULL(zmq_socket(ctx, ZMQ_PAIR));
    CU_ASSERT_EQUAL(errno, EFAULT);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_IO_THREADS), -1);
    CU_ASSERT_EQUAL(errno, EFAULT);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), -1);
    CU_ASSERT_EQUAL(errno, EFAULT);
    /* New contexts may take its place, and work. */
    void *again = zmq_ctx_new();
    void *s = zmq_socket(again, ZMQ_PAIR);
    CU_ASSERT_PTR_NOT_NULL(s);
    zmq_close(s);
    CU_ASSERT_EQUAL(zmq_ctx_term(again), 0);
}

static void test_deprecated_entry_points(void)
{
    errno = 0;
    CU_ASSERT_PTR_NULL(zmq_init(-1));
    CU_ASSERT_EQUAL(errno, EINVAL);
    void *ctx = zmq_init(0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_IO_THREADS), 0);
    /* With no I/O thread, inproc still works. */
    void *a = zmq_socket(ctx, ZMQ_PAIR), *b = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_EQUAL(zmq_bind(a, "inproc://no-io-threads"), 0);
    CU_ASSERT_EQUAL(zmq_connect(b, "inproc://no-io-threads"), 0);
    CU_ASSERT_TRUE(test_send(a, "works", 0));
    CU_ASSERT_TRUE(test_recv_is(b, "works", 2000));
    zmq_close(a);
    zmq_close(b);
    CU_ASSERT_EQUAL(zmq_term(ctx), 0);
    ctx = zmq_init(1);
    CU_ASSERT_EQUAL(zmq_ctx_destroy(ctx), 0);
}

static void test_max_sockets(void)
{
    void *ctx = zmq_ctx_new();
    CU_ASSERT_EQUAL(zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, 3), 0);
    void *s[3];
    for (int i = 0; i < 3; i++) {
        s[i] = zmq_socket(ctx, ZMQ_PAIR);
        CU_ASSERT_PTR_NOT_NULL(s[i]);
    }
    errno = 0;
    CU_ASSERT_PTR_NULL(zmq_socket(ctx, ZMQ_PAIR));
    CU_ASSERT_EQUAL(errno, EMFILE);
    zmq_close(s[0]);
    s[0] = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_PTR_NOT_NULL(s[0]);
    for (int i = 0; i < 3; i++)
        zmq_close(s[i]);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Counts this process's threads whose name contains text. */
static int threads_named(const char *text)
{
    int found = 0;
    DIR *dir = opendir("/proc/self/task");
    if (dir == NULL)
        return -1;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL) {
        if (entry->d_name[0] == '.')
            continue;
        char path[300], name[64] = "";
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", entry->d_name);
        FILE *file = fopen(path, "r");
        if (file == NULL)
            continue;
        if (fgets(name, sizeof name, file) != NULL &&
            strstr(name, text) != NULL)
            found++;
        fclose(file);
    }
    closedir(dir);
    return found;
}

/* The pool starts with the first socket, sized by ZMQ_IO_THREADS, and
 * stops at term. */
static void test_io_threads_start_and_stop(void)
{
    int before = threads_named("ZMQbg/IO");
    void *ctx = zmq_ctx_new();
    zmq_ctx_set(ctx, ZMQ_IO_THREADS, 3);
    CU_ASSERT_EQUAL(threads_named("ZMQbg/IO"), before);
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_EQUAL(threads_named("ZMQbg/IO"), before + 3);
    zmq_close(s);
    zmq_ctx_term(ctx);
    CU_ASSERT_EQUAL(threads_named("ZMQbg/IO"), before);
}

/* zmq_ctx_get (ZMQ_THREAD_NAME_PREFIX) gives the number that was set, 0
 * before any, as libzmq 4.3.4 does; the I/O threads carry it. */
static void test_thread_name_prefix(void)
{
    void *ctx = zmq_ctx_new();
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_THREAD_NAME_PREFIX), 0);
    CU_ASSERT_EQUAL(zmq_ctx_set(ctx, ZMQ_THREAD_NAME_PREFIX, 917), 0);
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_THREAD_NAME_PREFIX), 917);
    CU_ASSERT_EQUAL(zmq_ctx_set(ctx, ZMQ_THREAD_NAME_PREFIX, -4), 0);
    CU_ASSERT_EQUAL(zmq_ctx_get(ctx, ZMQ_THREAD_NAME_PREFIX), -4);
    CU_ASSERT_EQUAL(zmq_ctx_set(ctx, ZMQ_THREAD_NAME_PREFIX, 917), 0);
    int before = threads_named("917/ZMQbg/IO");
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_EQUAL(threads_named("917/ZMQbg/IO"), before + 1);
    zmq_close(s);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static void test_blocky_and_ipv6_reach_new_sockets(void)
{
    void *ctx = zmq_ctx_new();
    void *before = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_EQUAL(test_get_int(before, ZMQ_LINGER), -1);
    CU_ASSERT_EQUAL(test_get_int(before, ZMQ_IPV6), 0);
    zmq_ctx_set(ctx, ZMQ_BLOCKY, 0);
    zmq_ctx_set(ctx, ZMQ_IPV6, 1);
    void *after = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_EQUAL(test_get_int(after, ZMQ_LINGER), 0);
    CU_ASSERT_EQUAL(test_get_int(after, ZMQ_IPV6), 1);
    CU_ASSERT_EQUAL(test_get_int(before, ZMQ_LINGER), -1);
    zmq_close(before);
    zmq_close(after);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

struct blocked_call {
    void *socket;
    bool sending;
    int rc;
    int error;
};

static void *block_in_call(void *arg)
{
    struct blocked_call *call = arg;
    char buf[16];
    if (call->sending) {
        /* Fill the pipe until the send blocks. */
        int sent = 0;
        do {
            call->rc = zmq_send(call->socket, "x", 1, 0);
        } while (call->rc == 1 && ++sent < 100000);
    } else {
        call->rc = zmq_recv(call->socket, buf, sizeof buf, 0);
    }
    call->error = errno;
    zmq_close(call->socket);
    return NULL;
}

/* zmq_ctx_term wakes a thread blocked in recv or send with ETERM and
 * returns once that thread has closed its socket. */
static void check_term_unblocks(bool sending)
{
    void *ctx = zmq_ctx_new();
    void *peer = zmq_socket(ctx, ZMQ_PAIR);
    struct blocked_call call = { .socket = zmq_socket(ctx, ZMQ_PAIR),
                                 .sending = sending };
    CU_ASSERT_EQUAL(zmq_bind(peer, "inproc://term"), 0);
    CU_ASSERT_EQUAL(zmq_connect(call.socket, "inproc://term"), 0);
    test_set_int(call.socket, ZMQ_SNDHWM, 10);
    test_set_int(peer, ZMQ_RCVHWM, 10);
    pthread_t thread;
    pthread_create(&thread, NULL, block_in_call, &call);
    usleep(100 * 1000); /* let it block; correctness does not depend on it */
    zmq_close(peer);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
    pthread_join(thread, NULL);
    CU_ASSERT_EQUAL(call.rc, -1);
    CU_ASSERT_EQUAL(call.error, ETERM);
}

static void test_term_unblocks_recv(void)
{
    check_term_unblocks(false);
}

static void test_term_unblocks_send(void)
{
    check_term_unblocks(true);
}

static void test_shutdown(void)
{
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_EQUAL(zmq_ctx_shutdown(ctx), 0);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(s, "x", 1, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, ETERM);
    char buf[4];
    errno = 0;
    CU_ASSERT_EQUAL(zmq_recv(s, buf, sizeof buf, 0), -1);
    CU_ASSERT_EQUAL(errno, ETERM);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_bind(s, "inproc://after-shutdown"), -1);
    CU_ASSERT_EQUAL(errno, ETERM);
    errno = 0;
    CU_ASSERT_PTR_NULL(zmq_socket(ctx, ZMQ_PAIR));
    CU_ASSERT_EQUAL(errno, ETERM);
    CU_ASSERT_EQUAL(zmq_close(s), 0);
    CU_ASSERT_EQUAL(zmq_ctx_shutdown(ctx), 0);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

struct delayed_close {
    void *socket;
    int delay_ms;
};

static void *close_later(void *arg)
{
    struct delayed_close *dc = arg;
    usleep((useconds_t) dc->delay_ms * 1000);
    zmq_close(dc->socket);
    return NULL;
}

/* term does not return while a socket is still open. */
static void test_term_waits_for_close(void)
{
    void *ctx = zmq_ctx_new();
    struct delayed_close dc = { .socket = zmq_socket(ctx, ZMQ_PAIR),
                                .delay_ms = 200 };
    pthread_t thread;
    pthread_create(&thread, NULL, close_later, &dc);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
    /* Reaching here means the socket was closed: the thread is done with it. */
    pthread_join(thread, NULL);
}

/* Messages sent on inproc before a socket closes remain readable. */
static void test_messages_survive_sender_close(void)
{
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH), *pull = zmq_socket(ctx, ZMQ_PULL);
    zmq_bind(pull, "inproc://survive");
    zmq_connect(push, "inproc://survive");
    for (int i = 0; i < 10; i++)
        CU_ASSERT_TRUE(test_send(push, "kept", 0));
    zmq_close(push);
    for (int i = 0; i < 10; i++)
        CU_ASSERT_TRUE(test_recv_is(pull, "kept", 2000));
    CU_ASSERT_TRUE(test_recv_nothing(pull, 50));
    zmq_close(pull);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* Waits up to timeout_ms for the child to exit; kills it if it has not. */
static bool child_exited(pid_t pid, int timeout_ms, int *status)
{
    for (int waited = 0; waited < timeout_ms; waited += 10) {
        if (waitpid(pid, status, WNOHANG) == pid)
            return true;
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, status, 0);
    return false;
}

/* What the child of test_fork_child_lets_go does with what it inherited:
 * a bind or connect over tcp there is EMTHREAD (the I/O threads run in
 * the parent only), and closing the sockets and terminating the context
 * succeed at once. Returns its exit status: a bit per failed step. */
static int child_lets_go(void *ctx, void *server, void *client)
{
    int failed = 0;
    void *extra = zmq_socket(ctx, ZMQ_PAIR);
    if (extra == NULL)
        failed |= 1;
    errno = 0;
    if (extra != NULL && (zmq_bind(extra, "tcp://127.0.0.1:*") != -1 ||
                          errno != EMTHREAD))
        failed |= 2;
    errno = 0;
    if (extra != NULL && (zmq_connect(extra, "tcp://127.0.0.1:9") != -1 ||
                          errno != EMTHREAD))
        failed |= 4;
    if (zmq_close(client) != 0 || zmq_close(server) != 0)
        failed |= 8;
    /* extra is still open: term lets go of it too. */
    if (zmq_ctx_term(ctx) != 0)
        failed |= 16;
    return failed;
}

/* A forked child closes the sockets and terminates the context it
 * inherited without waiting for I/O threads that do not exist there and
 * without touching the parent's connections, as libzmq lets it: the
 * parent's tcp pair keeps working both ways once the child is gone. */
static void test_fork_child_lets_go(void)
{
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_PAIR);
    void *client = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(server, "tcp://127.0.0.1:*"), 0);
    char endpoint[64];
    size_t size = sizeof endpoint;
    zmq_getsockopt(server, ZMQ_LAST_ENDPOINT, endpoint, &size);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(client, endpoint), 0);
    CU_ASSERT_TRUE(test_send(client, "before", 0));
    CU_ASSERT_TRUE(test_recv_is(server, "before", 5000));
    CU_ASSERT_TRUE(test_send(server, "before, back", 0));
    CU_ASSERT_TRUE(test_recv_is(client, "before, back", 5000));

    fflush(NULL);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0)
        _exit(child_lets_go(ctx, server, client));
    int status = 0;
    CU_ASSERT_TRUE(child_exited(pid, 10000, &status));
    CU_ASSERT_TRUE(WIFEXITED(status));
    CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);

    CU_ASSERT_TRUE(test_send(client, "after", 0));
    CU_ASSERT_TRUE(test_recv_is(server, "after", 5000));
    CU_ASSERT_TRUE(test_send(server, "after, back", 0));
    CU_ASSERT_TRUE(test_recv_is(client, "after, back", 5000));
    test_close(client);
    test_close(server);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "defaults", test_defaults },
        { "set and get", test_set_and_get },
        { "bad options give EINVAL", test_bad_options },
        { "out-of-range values give EINVAL", test_out_of_range_values },
        { "ZMQ_THREAD_NAME_PREFIX", test_thread_name_prefix },
        { "bad handles give EFAULT", test_bad_context_handles },
        { "a terminated context's handle gives EFAULT",
          test_terminated_context_handle },
        { "zmq_init, zmq_term, zmq_ctx_destroy", test_deprecated_entry_points },
        { "ZMQ_MAX_SOCKETS gives EMFILE", test_max_sockets },
        { "I/O threads start with the first socket",
          test_io_threads_start_and_stop },
        { "BLOCKY and IPV6 reach new sockets",
          test_blocky_and_ipv6_reach_new_sockets },
        { "term unblocks recv with ETERM", test_term_unblocks_recv },
        { "term unblocks send with ETERM", test_term_unblocks_send },
        { "shutdown", test_shutdown },
        { "term waits for sockets to close", test_term_waits_for_close },
        { "messages survive the sender's close",
          test_messages_survive_sender_close },
        { "a forked child lets go of what it inherited",
          test_fork_child_lets_go },
    };
    return test_run_suite("ctx", tests, sizeof tests / sizeof tests[0]);
}
