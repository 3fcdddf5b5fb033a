/*
 * Socket monitoring without the monitor plugin: zmq_socket_monitor fails
 * with ENOTSUP and one line on stderr naming the file looked for, and the
 * socket works as before. The suite points MODZMQ_PLUGIN_PATH at the tcp
 * plugin alone before its first zmq call.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"
#include "zmq.h"

/* stderr goes to a file for the duration of fn; its text into out. */
static void capture_stderr(void (*fn)(void *), void *arg, char *out,
                           size_t size)
{
    char path[] = "/tmp/mz_missing_XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    fflush(stderr);
    int saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    fn(arg);
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    ssize_t n = pread(fd, out, size - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    close(fd);
    unlink(path);
}

struct attempt {
    void *socket;
    int rc, error;
};

static void try_monitor(void *arg)
{
    struct attempt *a = arg;
    a->rc = zmq_socket_monitor(a->socket, "inproc://missing", ZMQ_EVENT_ALL);
    a->error = errno;
}

static void test_missing_plugin(void)
{
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_DEALER);
    void *client = zmq_socket(ctx, ZMQ_DEALER);
    struct attempt a = { .socket = server };
    char said[2048];
    capture_stderr(try_monitor, &a, said, sizeof said);
    CU_ASSERT_EQUAL(a.rc, -1);
    CU_ASSERT_EQUAL(a.error, ENOTSUP);
    CU_ASSERT_PTR_NOT_NULL(strstr(said, "modzmq_monitor"));
    CU_ASSERT_PTR_NOT_NULL(strstr(said, MISSING_PLUGIN_DIR));
    /* Said once. */
    a.socket = client;
    capture_stderr(try_monitor, &a, said, sizeof said);
    CU_ASSERT_EQUAL(a.rc, -1);
    CU_ASSERT_EQUAL(a.error, ENOTSUP);
    CU_ASSERT_STRING_EQUAL(said, "");
    /* Nothing monitors, so no statistics either. */
    CU_ASSERT_EQUAL(zmq_socket_monitor_pipes_stats(server), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);

    /* The sockets work. */
    CU_ASSERT_EQUAL(zmq_bind(server, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    CU_ASSERT_EQUAL(zmq_getsockopt(server, ZMQ_LAST_ENDPOINT, endpoint, &size),
                    0);
    CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
    CU_ASSERT_TRUE(test_send(client, "still", 0));
    CU_ASSERT_TRUE(test_recv_is(server, "still", 3000));
    CU_ASSERT_TRUE(test_send(server, "working", 0));
    CU_ASSERT_TRUE(test_recv_is(client, "working", 3000));
    test_close(client);
    test_close(server);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

int main(void)
{
    /* Only the tcp plugin: no monitor anywhere we look, unless one was
     * installed system-wide. */
    setenv("MODZMQ_PLUGIN_PATH", MISSING_PLUGIN_DIR, 1);
    if (access(MZ_PLUGIN_DIR "/modzmq_monitor.so", F_OK) == 0 ||
        access(MZ_PLUGIN_DIR "/modzmq_monitor.la", F_OK) == 0) {
        printf("a monitor plugin is installed in %s: skipped\n", MZ_PLUGIN_DIR);
        return 77;
    }
    const struct test_case tests[] = {
        { "zmq_socket_monitor without the plugin", test_missing_plugin },
    };
    return test_run_suite("monitor missing", tests,
                          sizeof tests / sizeof tests[0]);
}
