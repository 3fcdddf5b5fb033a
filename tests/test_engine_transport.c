/*
 * CUnit tests of own-engine transports (sdk/modzmq/engine_transport.h):
 * the reactor services on a core reactor; the loader's checks of the
 * new plugin kind; the example datagram transport (sdk/examples,
 * "unixpacket", AF_UNIX SOCK_SEQPACKET in a temporary directory) carrying
 * PUSH/PULL and PUB/SUB messages over real sockets, with multipart
 * messages, many messages, HWM back-pressure, disconnect, unbind,
 * reconnection, ZMQ_LINGER on close, MAXMSGSIZE and malformed datagrams;
 * the "groupecho" test plugin, which sends message groups both ways
 * through the SDK 1.2 group services; and the "handover" test plugin,
 * whose connections run a preamble of their own and are then given to
 * the core's ZMTP engine.
 */
#include <CUnit/Basic.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "modzmq.h"
#include "plugin_services.h"
#include "reactor.h"
#include "testutil.h"
#include "zmq.h"
#include <modzmq/engine_transport.h>

enum { WAIT_MS = 5000 };

static char test_dir[64];
static void *ctx;

/* "unixpacket://<test_dir>/<name>" */
static const char *packet_uri(const char *name)
{
    static char uri[160];
    snprintf(uri, sizeof uri, "unixpacket://%s/%s", test_dir, name);
    return uri;
}

static void *new_socket(int type)
{
    void *s = zmq_socket(ctx, type);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    test_set_int(s, ZMQ_LINGER, 0);
    return s;
}

/* ---- the reactor services ------------------------------------------ */

struct reactor_check {
    const struct modzmq_core_services *services;
    modzmq_reactor *reactor;
    pthread_t thread;
    int pipe_fds[2];
    modzmq_watch *watch;
    unsigned watch_events;
    bool on_reactor_thread;
    bool timer_fired;
    bool cancelled_fired;
    pthread_mutex_t lock;
    bool done;
};

static void *run_reactor(void *arg)
{
    mz_reactor_run(arg);
    return NULL;
}

static void check_pipe_ready(void *arg, unsigned events)
{
    struct reactor_check *check = arg;
    check->watch_events |= events;
    check->services->watch_remove(check->watch);
    check->watch = NULL;
}

static void check_timer(void *arg)
{
    struct reactor_check *check = arg;
    check->timer_fired = true;
}

static void check_cancelled(void *arg)
{
    struct reactor_check *check = arg;
    check->cancelled_fired = true;
}

/* Fires last: everything else has had its chance. */
static void check_finish(void *arg)
{
    struct reactor_check *check = arg;
    if (check->watch != NULL)
        return (void) check->services->timer_add(check->reactor, 10,
                                                 check_finish, check);
    pthread_mutex_lock(&check->lock);
    check->done = true;
    pthread_mutex_unlock(&check->lock);
}

static void check_setup(void *arg)
{
    struct reactor_check *check = arg;
    const struct modzmq_core_services *s = check->services;
    check->on_reactor_thread = pthread_equal(pthread_self(), check->thread);
    check->watch = s->watch_add(check->reactor, check->pipe_fds[0],
                                check_pipe_ready, check);
    if (check->watch != NULL)
        s->watch_set(check->watch, MODZMQ_WATCH_READ);
    s->timer_add(check->reactor, 5, check_timer, check);
    uint64_t cancelled =
        s->timer_add(check->reactor, 20, check_cancelled, check);
    s->timer_cancel(check->reactor, cancelled);
    s->timer_cancel(check->reactor, cancelled); /* harmless twice */
    s->timer_add(check->reactor, 40, check_finish, check);
}

static void test_reactor_services(void)
{
    struct reactor_check check = { .services = mz_plugin_services() };
    const struct modzmq_core_services *s = check.services;
    CU_ASSERT_FATAL(s->size >=
                    offsetof(struct modzmq_core_services, link_zmtp) +
                        sizeof s->link_zmtp);
    /* Bad arguments are refused, never followed. */
    errno = 0;
    CU_ASSERT_PTR_NULL(s->watch_add(NULL, 0, check_pipe_ready, NULL));
    CU_ASSERT_EQUAL(errno, EINVAL);
    errno = 0;
    CU_ASSERT_EQUAL(s->timer_add(NULL, 1, check_timer, NULL), 0);
    CU_ASSERT_EQUAL(errno, EINVAL);
    errno = 0;
    CU_ASSERT_EQUAL(s->task_post(NULL, check_timer, NULL), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);

    struct mz_reactor *reactor = mz_reactor_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(reactor);
    check.reactor = (modzmq_reactor *) reactor;
    CU_ASSERT_EQUAL_FATAL(pipe(check.pipe_fds), 0);
    pthread_mutex_init(&check.lock, NULL);
    CU_ASSERT_EQUAL_FATAL(
        pthread_create(&check.thread, NULL, run_reactor, reactor), 0);
    CU_ASSERT_EQUAL(s->task_post(check.reactor, check_setup, &check), 0);
    CU_ASSERT_EQUAL(write(check.pipe_fds[1], "x", 1), 1);
    bool done = false;
    for (int i = 0; i < WAIT_MS / 10 && !done; i++) {
        usleep(10 * 1000);
        pthread_mutex_lock(&check.lock);
        done = check.done;
        pthread_mutex_unlock(&check.lock);
    }
    mz_reactor_stop(reactor);
    pthread_join(check.thread, NULL);
    CU_ASSERT(done);
    CU_ASSERT(check.on_reactor_thread);
    CU_ASSERT(check.watch_events & MODZMQ_WATCH_READ);
    CU_ASSERT(check.timer_fired);
    CU_ASSERT_FALSE(check.cancelled_fired);
    mz_reactor_free(reactor);
    pthread_mutex_destroy(&check.lock);
    close(check.pipe_fds[0]);
    close(check.pipe_fds[1]);
}

/* ---- the loader ------------------------------------------------------ */

/* stderr, redirected to a temporary file while a call runs. */
struct capture {
    int saved_fd;
    FILE *file;
    char text[4096];
};

static void capture_begin(struct capture *c)
{
    fflush(stderr);
    c->file = tmpfile();
    CU_ASSERT_PTR_NOT_NULL_FATAL(c->file);
    c->saved_fd = dup(STDERR_FILENO);
    CU_ASSERT_FATAL(c->saved_fd >= 0);
    CU_ASSERT_FATAL(dup2(fileno(c->file), STDERR_FILENO) >= 0);
}

static const char *capture_end(struct capture *c)
{
    fflush(stderr);
    dup2(c->saved_fd, STDERR_FILENO);
    close(c->saved_fd);
    rewind(c->file);
    size_t length = fread(c->text, 1, sizeof c->text - 1, c->file);
    c->text[length] = '\0';
    fclose(c->file);
    return c->text;
}

static int parse_nothing(modzmq_socket *socket, const char *scheme,
                         const char *address, enum modzmq_endpoint_mode mode,
                         modzmq_endpoint **endpoint)
{
    (void) socket;
    (void) scheme;
    (void) address;
    (void) mode;
    (void) endpoint;
    errno = EINVAL;
    return -1;
}

static const char *const short_schemes[] = { "shortengine", NULL };

/* Registers an own-engine descriptor whose ops are ops (size first);
 * expects a refusal whose diagnostic says because. */
static void expect_refused(const void *ops, const char *because)
{
    struct modzmq_plugin plugin = {
        .abi_major = MODZMQ_SDK_ABI_MAJOR,
        .abi_minor = MODZMQ_SDK_ABI_MINOR,
        .name = "shortengine",
        .kind = MODZMQ_PLUGIN_ENGINE_TRANSPORT,
        .serves = short_schemes,
        .ops = ops,
    };
    struct capture c;
    capture_begin(&c);
    errno = 0;
    int rc = modzmq_plugin_register(&plugin);
    int error = errno;
    const char *said = capture_end(&c);
    CU_ASSERT_EQUAL(rc, -1);
    CU_ASSERT_EQUAL(error, EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(said, "refused"));
    CU_ASSERT_PTR_NOT_NULL(strstr(said, because));
}

static void test_loader_checks(void)
{
    /* An ops table from an SDK that had only the first two members. */
    struct {
        size_t size;
        void *parse;
    } too_small = { sizeof too_small, NULL };
    expect_refused(&too_small, "own-engine transport ops table is");
    /* Full size, but an op the core calls is missing. */
    struct modzmq_engine_transport_ops missing = {
        .size = sizeof missing,
        .endpoint_parse = parse_nothing,
    };
    expect_refused(&missing, "op endpoint_free is NULL");
    void *pull = new_socket(ZMQ_PULL);
    struct capture c;
    capture_begin(&c);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_bind(pull, "shortengine://x"), -1);
    CU_ASSERT_EQUAL(errno, EPROTONOSUPPORT);
    capture_end(&c);
    test_close(pull);

    /* The example loads from the suite's plugin directory, as kind 4. */
    CU_ASSERT_EQUAL_FATAL(modzmq_plugin_load("unixpacket"), 0);
    struct modzmq_plugin_info list[16];
    size_t count = modzmq_plugins(list, 16);
    bool listed = false;
    for (size_t i = 0; i < count && i < 16; i++)
        if (strcmp(list[i].name, "unixpacket") == 0)
            listed = list[i].kind == MODZMQ_PLUGIN_ENGINE_TRANSPORT;
    CU_ASSERT(listed);
}

/* ---- the datagram example ------------------------------------------- */

static void test_bad_addresses(void)
{
    void *push = new_socket(ZMQ_PUSH);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_connect(push, "unixpacket://"), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    char uri[300] = "unixpacket:///";
    memset(uri + strlen(uri), 'a', 200);
    uri[sizeof uri - 1] = '\0';
    errno = 0;
    CU_ASSERT_EQUAL(zmq_connect(push, uri), -1);
    CU_ASSERT_EQUAL(errno, ENAMETOOLONG);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_bind(push, packet_uri("missing/dir")), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    test_close(push);
}

static void test_multipart(void)
{
    void *pull = new_socket(ZMQ_PULL);
    void *push = new_socket(ZMQ_PUSH);
    const char *uri = packet_uri("multipart");
    CU_ASSERT_EQUAL_FATAL(zmq_bind(pull, uri), 0);
    char last[160];
    size_t size = sizeof last;
    CU_ASSERT_EQUAL(zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, last, &size), 0);
    CU_ASSERT_STRING_EQUAL(last, uri);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(push, uri), 0);
    CU_ASSERT(test_send(push, "first", ZMQ_SNDMORE));
    CU_ASSERT(zmq_send(push, "", 0, ZMQ_SNDMORE) == 0);
    CU_ASSERT(test_send(push, "third", 0));
    CU_ASSERT(test_send(push, "single", 0));
    CU_ASSERT(test_recv_is(pull, "first", WAIT_MS));
    CU_ASSERT_EQUAL(test_get_int(pull, ZMQ_RCVMORE), 1);
    CU_ASSERT(test_recv_is(pull, "", WAIT_MS));
    CU_ASSERT_EQUAL(test_get_int(pull, ZMQ_RCVMORE), 1);
    CU_ASSERT(test_recv_is(pull, "third", WAIT_MS));
    CU_ASSERT_EQUAL(test_get_int(pull, ZMQ_RCVMORE), 0);
    CU_ASSERT(test_recv_is(pull, "single", WAIT_MS));
    /* A large part: one datagram still. */
    size_t big = 64 * 1024;
    char *data = malloc(big);
    char *back = malloc(big);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    CU_ASSERT_PTR_NOT_NULL_FATAL(back);
    for (size_t i = 0; i < big; i++)
        data[i] = (char) (i * 7);
    CU_ASSERT_EQUAL(zmq_send(push, data, big, 0), (int) big);
    test_set_int(pull, ZMQ_RCVTIMEO, WAIT_MS);
    CU_ASSERT_EQUAL(zmq_recv(pull, back, big, 0), (int) big);
    CU_ASSERT_EQUAL(memcmp(data, back, big), 0);
    free(data);
    free(back);
    test_close(push);
    test_close(pull);
}

/* Both ways over one connection: the bind side pushes too. */
static void test_pair_both_ways(void)
{
    void *a = new_socket(ZMQ_PAIR);
    void *b = new_socket(ZMQ_PAIR);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(a, packet_uri("pair")), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(b, packet_uri("pair")), 0);
    CU_ASSERT(test_send(b, "to a", 0));
    CU_ASSERT(test_recv_is(a, "to a", WAIT_MS));
    CU_ASSERT(test_send(a, "to b", 0));
    CU_ASSERT(test_recv_is(b, "to b", WAIT_MS));
    test_close(a);
    test_close(b);
}

/* With two I/O threads the bound side and the connecting side run on
 * different reactors; messages still flow both ways. */
static void test_two_io_threads(void)
{
    void *own = zmq_ctx_new();
    CU_ASSERT_EQUAL_FATAL(zmq_ctx_set(own, ZMQ_IO_THREADS, 2), 0);
    void *sockets[6];
    for (int i = 0; i < 6; i++) {
        sockets[i] = zmq_socket(own, i < 3 ? ZMQ_DEALER : ZMQ_ROUTER);
        CU_ASSERT_PTR_NOT_NULL_FATAL(sockets[i]);
        test_set_int(sockets[i], ZMQ_LINGER, 0);
    }
    char name[32];
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof name, "threads-%d", i);
        CU_ASSERT_EQUAL_FATAL(zmq_bind(sockets[3 + i], packet_uri(name)), 0);
        CU_ASSERT_EQUAL_FATAL(zmq_connect(sockets[i], packet_uri(name)), 0);
    }
    for (int i = 0; i < 3; i++) {
        CU_ASSERT(test_send(sockets[i], "request", 0));
        char id[64];
        test_set_int(sockets[3 + i], ZMQ_RCVTIMEO, WAIT_MS);
        int id_size = zmq_recv(sockets[3 + i], id, sizeof id, 0);
        CU_ASSERT_FATAL(id_size > 0);
        CU_ASSERT(test_recv_is(sockets[3 + i], "request", WAIT_MS));
        CU_ASSERT_EQUAL(
            zmq_send(sockets[3 + i], id, (size_t) id_size, ZMQ_SNDMORE),
            id_size);
        CU_ASSERT(test_send(sockets[3 + i], "reply", 0));
        CU_ASSERT(test_recv_is(sockets[i], "reply", WAIT_MS));
    }
    for (int i = 0; i < 6; i++)
        zmq_close(sockets[i]);
    zmq_ctx_term(own);
}

/* Sends probes on pub until sub gets one of topic, then drains sub. */
static bool subscribed(void *pub, void *sub, const char *topic)
{
    char probe[64], buf[64];
    snprintf(probe, sizeof probe, "%s:probe", topic);
    bool got = false;
    for (int i = 0; i < 200 && !got; i++) {
        test_send(pub, probe, 0);
        got = test_recv(sub, buf, sizeof buf, 20) > 0;
    }
    while (test_recv(sub, buf, sizeof buf, 100) > 0)
        ;
    return got;
}

static void test_pub_sub(void)
{
    void *pub = new_socket(ZMQ_PUB);
    void *sub_a = new_socket(ZMQ_SUB);
    void *sub_b = new_socket(ZMQ_SUB);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(pub, packet_uri("pubsub")), 0);
    CU_ASSERT_EQUAL(zmq_setsockopt(sub_a, ZMQ_SUBSCRIBE, "A", 1), 0);
    CU_ASSERT_EQUAL(zmq_setsockopt(sub_b, ZMQ_SUBSCRIBE, "B", 1), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(sub_a, packet_uri("pubsub")), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(sub_b, packet_uri("pubsub")), 0);
    CU_ASSERT_FATAL(subscribed(pub, sub_a, "A"));
    CU_ASSERT_FATAL(subscribed(pub, sub_b, "B"));
    const char *sent[] = { "A:1", "B:1", "C:1", "A:2", "AB:1" };
    for (size_t i = 0; i < 5; i++)
        CU_ASSERT(test_send(pub, sent[i], 0));
    CU_ASSERT(test_recv_is(sub_a, "A:1", WAIT_MS));
    CU_ASSERT(test_recv_is(sub_a, "A:2", WAIT_MS));
    CU_ASSERT(test_recv_is(sub_a, "AB:1", WAIT_MS));
    CU_ASSERT(test_recv_is(sub_b, "B:1", WAIT_MS));
    CU_ASSERT(test_recv_nothing(sub_a, 100));
    CU_ASSERT(test_recv_nothing(sub_b, 100));
    /* An unsubscription travels too: B hears nothing more. */
    CU_ASSERT_EQUAL(zmq_setsockopt(sub_b, ZMQ_UNSUBSCRIBE, "B", 1), 0);
    CU_ASSERT_EQUAL(zmq_setsockopt(sub_b, ZMQ_SUBSCRIBE, "C", 1), 0);
    CU_ASSERT_FATAL(subscribed(pub, sub_b, "C"));
    CU_ASSERT(test_send(pub, "B:2", 0));
    CU_ASSERT(test_send(pub, "C:2", 0));
    CU_ASSERT(test_recv_is(sub_b, "C:2", WAIT_MS));
    CU_ASSERT(test_recv_nothing(sub_b, 100));
    test_close(sub_a);
    test_close(sub_b);
    test_close(pub);
}

static void test_many_messages(void)
{
    enum { COUNT = 50000 };
    void *pull = new_socket(ZMQ_PULL);
    void *push = new_socket(ZMQ_PUSH);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(pull, packet_uri("many")), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(push, packet_uri("many")), 0);
    test_set_int(push, ZMQ_SNDTIMEO, WAIT_MS);
    test_set_int(pull, ZMQ_RCVTIMEO, WAIT_MS);
    int sent = 0, received = 0;
    bool in_order = true, failed = false;
    /* In batches well under the HWMs, so that the test never blocks. */
    while (received < COUNT && !failed) {
        for (int i = 0; i < 100 && sent < COUNT && !failed; i++, sent++)
            failed = zmq_send(push, &sent, sizeof sent, 0) != sizeof sent;
        for (int value; received < sent && !failed; received++) {
            failed = zmq_recv(pull, &value, sizeof value, 0) != sizeof value;
            in_order = in_order && value == received;
        }
    }
    CU_ASSERT_EQUAL(received, COUNT);
    CU_ASSERT(in_order);
    test_close(push);
    test_close(pull);
}

static void test_hwm_back_pressure(void)
{
    enum { HWM = 10, LIMIT = 1000000 };
    void *pull = new_socket(ZMQ_PULL);
    void *push = new_socket(ZMQ_PUSH);
    test_set_int(pull, ZMQ_RCVHWM, HWM);
    test_set_int(push, ZMQ_SNDHWM, HWM);
    test_set_int(pull, ZMQ_RCVBUF, 4096);
    test_set_int(push, ZMQ_SNDBUF, 4096);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(pull, packet_uri("hwm")), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(push, packet_uri("hwm")), 0);
    /* Connected once a message gets through. */
    CU_ASSERT(test_send(push, "hello", 0));
    CU_ASSERT(test_recv_is(pull, "hello", WAIT_MS));
    /* Nobody reads: sending stops with EAGAIN after what the two pipes
     * and the kernel's buffers hold. Retried for a while, since the I/O
     * threads keep moving messages meanwhile. */
    int sent = 0, idle = 0;
    while (sent < LIMIT && idle < 50) {
        if (zmq_send(push, &sent, sizeof sent, ZMQ_DONTWAIT) == sizeof sent) {
            sent++;
            idle = 0;
        } else {
            CU_ASSERT_EQUAL_FATAL(errno, EAGAIN);
            idle++;
            usleep(2000);
        }
    }
    CU_ASSERT(sent < LIMIT);
    CU_ASSERT(sent >= HWM);
    /* Everything sent arrives, in order, once the reader reads. */
    test_set_int(pull, ZMQ_RCVTIMEO, WAIT_MS);
    int received = 0;
    for (int value; received < sent; received++)
        if (zmq_recv(pull, &value, sizeof value, 0) != sizeof value ||
            value != received)
            break;
    CU_ASSERT_EQUAL(received, sent);
    CU_ASSERT(test_send(push, "after", 0));
    CU_ASSERT(test_recv_is(pull, "after", WAIT_MS));
    test_close(push);
    test_close(pull);
}

static void test_disconnect(void)
{
    void *pull = new_socket(ZMQ_PULL);
    void *push = new_socket(ZMQ_PUSH);
    const char *uri = packet_uri("disconnect");
    CU_ASSERT_EQUAL_FATAL(zmq_bind(pull, uri), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(push, uri), 0);
    CU_ASSERT(test_send(push, "one", 0));
    CU_ASSERT(test_recv_is(pull, "one", WAIT_MS));
    CU_ASSERT_EQUAL(zmq_disconnect(push, uri), 0);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_disconnect(push, uri), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    /* No peer left to push to. */
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(push, "x", 1, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    CU_ASSERT_EQUAL(zmq_connect(push, uri), 0);
    CU_ASSERT(test_send(push, "two", 0));
    CU_ASSERT(test_recv_is(pull, "two", WAIT_MS));
    test_close(push);
    test_close(pull);
}

static bool path_exists(const char *path)
{
    struct stat status;
    return lstat(path, &status) == 0;
}

static void test_unbind_and_reconnect(void)
{
    const char *uri = packet_uri("unbind");
    char path[160];
    snprintf(path, sizeof path, "%s/unbind", test_dir);
    void *pull = new_socket(ZMQ_PULL);
    void *push = new_socket(ZMQ_PUSH);
    test_set_int(push, ZMQ_RECONNECT_IVL, 20);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(pull, uri), 0);
    CU_ASSERT(path_exists(path));
    CU_ASSERT_EQUAL_FATAL(zmq_connect(push, uri), 0);
    CU_ASSERT(test_send(push, "before", 0));
    CU_ASSERT(test_recv_is(pull, "before", WAIT_MS));
    CU_ASSERT_EQUAL(zmq_unbind(pull, uri), 0);
    CU_ASSERT_FALSE(path_exists(path));
    errno = 0;
    CU_ASSERT_EQUAL(zmq_unbind(pull, uri), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    /* The peer restarts at the same path: the core reconnects the link. */
    test_close(pull);
    pull = new_socket(ZMQ_PULL);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(pull, uri), 0);
    bool got = false;
    for (int i = 0; i < 200 && !got; i++) {
        zmq_send(push, "again", 5, ZMQ_DONTWAIT);
        got = test_recv_is(pull, "again", 20);
    }
    CU_ASSERT(got);
    test_close(push);
    test_close(pull);
}

/* Messages queued before any peer exists go out after zmq_close, within
 * ZMQ_LINGER, once the peer binds. */
static void test_close_lingers(void)
{
    const char *uri = packet_uri("linger");
    void *push = new_socket(ZMQ_PUSH);
    test_set_int(push, ZMQ_LINGER, WAIT_MS);
    test_set_int(push, ZMQ_RECONNECT_IVL, 20);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(push, uri), 0);
    char text[16];
    for (int i = 0; i < 10; i++) {
        snprintf(text, sizeof text, "queued %d", i);
        CU_ASSERT(test_send(push, text, ZMQ_DONTWAIT));
    }
    CU_ASSERT_EQUAL(zmq_close(push), 0);
    void *pull = new_socket(ZMQ_PULL);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(pull, uri), 0);
    for (int i = 0; i < 10; i++) {
        snprintf(text, sizeof text, "queued %d", i);
        CU_ASSERT(test_recv_is(pull, text, WAIT_MS));
    }
    test_close(pull);

    /* With ZMQ_LINGER 0 they are dropped, and nothing waits for them
     * (the context's termination at the end of the suite would hang). */
    push = new_socket(ZMQ_PUSH);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(push, packet_uri("nobody")), 0);
    CU_ASSERT(test_send(push, "dropped", ZMQ_DONTWAIT));
    CU_ASSERT_EQUAL(zmq_close(push), 0);
}

static void test_immediate(void)
{
    const char *uri = packet_uri("immediate");
    void *push = new_socket(ZMQ_PUSH);
    test_set_int(push, ZMQ_IMMEDIATE, 1);
    test_set_int(push, ZMQ_RECONNECT_IVL, 20);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(push, uri), 0);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(push, "x", 1, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    void *pull = new_socket(ZMQ_PULL);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(pull, uri), 0);
    test_set_int(push, ZMQ_SNDTIMEO, WAIT_MS);
    CU_ASSERT(test_send(push, "linked", 0));
    CU_ASSERT(test_recv_is(pull, "linked", WAIT_MS));
    test_close(push);
    test_close(pull);
}

/* ZMQ_RECONNECT_STOP_CONN_REFUSED applies to a plugin's connect too: a
 * socket file nobody listens on refuses, the connection is given up with
 * its pipe, and a peer that binds later is never reached. */
static void test_reconnect_stop(void)
{
    struct sockaddr_un address = { .sun_family = AF_UNIX };
    snprintf(address.sun_path, sizeof address.sun_path, "%s/refusing",
             test_dir);
    int stale = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    CU_ASSERT_FATAL(stale >= 0 && bind(stale, (struct sockaddr *) &address,
                                       sizeof address) == 0);
    close(stale); /* the file stays: connects are refused */
    void *push = new_socket(ZMQ_PUSH);
    test_set_int(push, ZMQ_RECONNECT_IVL, 20);
    test_set_int(push, ZMQ_RECONNECT_STOP, ZMQ_RECONNECT_STOP_CONN_REFUSED);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(push, packet_uri("refusing")), 0);
    /* The pipe goes once the refusal is seen: PUSH has no peer left. */
    bool gone = false;
    for (int i = 0; i < 500 && !gone; i++) {
        gone = zmq_send(push, "x", 1, ZMQ_DONTWAIT) == -1 && errno == EAGAIN;
        if (!gone)
            usleep(10 * 1000);
    }
    CU_ASSERT(gone);
    void *pull = new_socket(ZMQ_PULL);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(pull, packet_uri("refusing")), 0);
    usleep(200 * 1000); /* many reconnect intervals, were there any */
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(push, "x", 1, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    CU_ASSERT(test_recv_nothing(pull, 50));
    test_close(push);
    test_close(pull);
}

/* A raw SEQPACKET client of a bound path. */
static int raw_client(const char *name)
{
    struct sockaddr_un address = { .sun_family = AF_UNIX };
    snprintf(address.sun_path, sizeof address.sun_path, "%s/%s", test_dir,
             name);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    if (fd >= 0 &&
        connect(fd, (struct sockaddr *) &address, sizeof address) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* True when the peer closes fd within WAIT_MS. */
static bool closed_by_peer(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    if (poll(&p, 1, WAIT_MS) != 1)
        return false;
    char byte;
    return recv(fd, &byte, 1, MSG_DONTWAIT) == 0;
}

static void test_malformed_datagrams(void)
{
    void *pull = new_socket(ZMQ_PULL);
    int64_t max = 100;
    CU_ASSERT_EQUAL(zmq_setsockopt(pull, ZMQ_MAXMSGSIZE, &max, sizeof max), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(pull, packet_uri("malformed")), 0);
    /* Bad version; a size past the end; MORE on the last part; a part
     * over MAXMSGSIZE: each connection is dropped. */
    const unsigned char bad[][12] = {
        { 2, 0, 0, 0, 0, 1, 'x' },
        { 1, 0, 0, 0, 0, 9, 'x' },
        { 1, 1, 0, 0, 0, 1, 'x' },
        { 1, 0, 0, 0, 1, 0, 'x' },
    };
    const size_t bad_size[] = { 7, 7, 7, 7 };
    for (size_t i = 0; i < 4; i++) {
        int fd = raw_client("malformed");
        CU_ASSERT_FATAL(fd >= 0);
        unsigned char datagram[300] = { 0 };
        size_t size = bad_size[i];
        memcpy(datagram, bad[i], size);
        if (i == 3) {
            size = 6 + 256; /* a 256-octet part, MAXMSGSIZE 100 */
            memset(datagram + 6, 'y', 256);
        }
        CU_ASSERT_EQUAL(send(fd, datagram, size, 0), (ssize_t) size);
        CU_ASSERT(closed_by_peer(fd));
        close(fd);
    }
    CU_ASSERT(test_recv_nothing(pull, 50));
    /* A well-formed datagram from a raw client is a message. */
    int fd = raw_client("malformed");
    CU_ASSERT_FATAL(fd >= 0);
    const unsigned char good[] = { 1,   1, 0, 0, 0, 2, 'o',
                                   'k', 0, 0, 0, 0, 1, '!' };
    CU_ASSERT_EQUAL(send(fd, good, sizeof good, 0), (ssize_t) sizeof good);
    CU_ASSERT(test_recv_is(pull, "ok", WAIT_MS));
    CU_ASSERT_EQUAL(test_get_int(pull, ZMQ_RCVMORE), 1);
    CU_ASSERT(test_recv_is(pull, "!", WAIT_MS));
    close(fd);
    test_close(pull);
}

/* ---- the hand-over to ZMTP ------------------------------------------ */

static const char *handover_uri(void)
{
    static char uri[64];
    snprintf(uri, sizeof uri, "handover://modzmq-handover-%ld",
             (long) getpid());
    return uri;
}

/* A raw stream client of the handover listener. */
static int raw_handover_client(void)
{
    struct sockaddr_un address = { .sun_family = AF_UNIX };
    int length = snprintf(address.sun_path + 1, sizeof address.sun_path - 1,
                          "modzmq-handover-%ld", (long) getpid());
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    socklen_t size =
        (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + length);
    if (fd >= 0 && connect(fd, (struct sockaddr *) &address, size) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void test_handover_to_zmtp(void)
{
    void *rep = new_socket(ZMQ_REP);
    void *req = new_socket(ZMQ_REQ);
    test_set_int(rep, ZMQ_HANDSHAKE_IVL, 200);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(rep, handover_uri()), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(req, handover_uri()), 0);
    CU_ASSERT(test_send(req, "ping", 0));
    CU_ASSERT(test_recv_is(rep, "ping", WAIT_MS));
    CU_ASSERT(test_send(rep, "pong", 0));
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    test_set_int(req, ZMQ_RCVTIMEO, WAIT_MS);
    CU_ASSERT_EQUAL(zmq_msg_recv(&msg, req, 0), 4);
    CU_ASSERT_EQUAL(memcmp(zmq_msg_data(&msg), "pong", 4), 0);
    /* ZMTP ran it: the connection carries ZMTP metadata, and the peer
     * address the plugin gave. */
    const char *type = zmq_msg_gets(&msg, "Socket-Type");
    CU_ASSERT(type != NULL && strcmp(type, "REP") == 0);
    const char *peer = zmq_msg_gets(&msg, "Peer-Address");
    CU_ASSERT(peer != NULL && strcmp(peer, "handover-peer") == 0);
    zmq_msg_close(&msg);

    /* A wrong preamble, and none within HANDSHAKE_IVL: dropped. */
    int fd = raw_handover_client();
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, "GARBAGE!", 8), 8);
    CU_ASSERT(closed_by_peer(fd));
    close(fd);
    fd = raw_handover_client();
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT(closed_by_peer(fd));
    close(fd);

    /* The good connection is untouched. */
    CU_ASSERT(test_send(req, "again", 0));
    CU_ASSERT(test_recv_is(rep, "again", WAIT_MS));
    CU_ASSERT(test_send(rep, "done", 0));
    CU_ASSERT(test_recv_is(req, "done", WAIT_MS));

    /* When the ZMTP connection drops, the core makes a new link. */
    test_close(rep);
    rep = new_socket(ZMQ_REP);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(rep, handover_uri()), 0);
    test_set_int(req, ZMQ_REQ_RELAXED, 1);
    bool got = false;
    for (int i = 0; i < 100 && !got; i++) {
        zmq_send(req, "back", 4, ZMQ_DONTWAIT);
        got = test_recv_is(rep, "back", 50);
    }
    CU_ASSERT(got);
    test_close(req);
    test_close(rep);
}

/* A bind that the plugin's listen refuses reports its errno; so does an
 * unbound handover address on connect (retried, not an error). */
static void test_handover_bind_in_use(void)
{
    void *a = new_socket(ZMQ_PAIR);
    void *b = new_socket(ZMQ_PAIR);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(a, handover_uri()), 0);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_bind(b, handover_uri()), -1);
    CU_ASSERT_EQUAL(errno, EADDRINUSE);
    test_close(a);
    CU_ASSERT_EQUAL(zmq_bind(b, handover_uri()), 0);
    test_close(b);
}

/* Sends body with group (NULL: none) through the groupecho plugin and
 * receives the echo: its body and group. */
static bool group_echo(void *dealer, const char *group, char *body,
                       char *echoed_group)
{
    zmq_msg_t m;
    zmq_msg_init_size(&m, 4);
    memcpy(zmq_msg_data(&m), "body", 4);
    if (group != NULL && zmq_msg_set_group(&m, group) != 0)
        return false;
    if (zmq_msg_send(&m, dealer, 0) != 4)
        return false;
    zmq_msg_init(&m);
    int size = zmq_msg_recv(&m, dealer, 0);
    if (size < 0)
        return false;
    memcpy(body, zmq_msg_data(&m), (size_t) size);
    body[size] = '\0';
    strcpy(echoed_group, zmq_msg_group(&m));
    zmq_msg_close(&m);
    return true;
}

/* The group services (SDK 1.2): the group of a pulled part reaches the
 * plugin, and a pushed part's group reaches the application; a group
 * longer than ZMQ_GROUP_MAX_LENGTH is refused with EINVAL. */
static void test_link_groups(void)
{
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    int timeout = 5000;
    zmq_setsockopt(dealer, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(dealer, "groupecho://x"), 0);
    char body[16], group[ZMQ_GROUP_MAX_LENGTH + 1];
    CU_ASSERT_FATAL(group_echo(dealer, "tv", body, group));
    CU_ASSERT_STRING_EQUAL(body, "body");
    CU_ASSERT_STRING_EQUAL(group, "tv-echo");
    CU_ASSERT_FATAL(group_echo(dealer, NULL, body, group));
    CU_ASSERT_STRING_EQUAL(group, "-echo");
    /* 251 octets and "-echo": 256, one more than a group may hold
     * (ZMQ_GROUP_MAX_LENGTH); 250 and "-echo" fit. */
    char sent[ZMQ_GROUP_MAX_LENGTH];
    memset(sent, 'x', 251);
    sent[251] = '\0';
    CU_ASSERT_FATAL(group_echo(dealer, sent, body, group));
    CU_ASSERT_STRING_EQUAL(body, "EINVAL");
    CU_ASSERT_STRING_EQUAL(group, "");
    sent[250] = '\0';
    CU_ASSERT_FATAL(group_echo(dealer, sent, body, group));
    CU_ASSERT_EQUAL(strlen(group), ZMQ_GROUP_MAX_LENGTH);
    CU_ASSERT_STRING_EQUAL(group + 250, "-echo");
    test_close(dealer);
}

int main(void)
{
    setenv("MODZMQ_PLUGIN_PATH", ENGINE_PLUGIN_DIR, 1);
    snprintf(test_dir, sizeof test_dir, "/tmp/modzmq-engine-XXXXXX");
    if (mkdtemp(test_dir) == NULL)
        return 1;
    ctx = zmq_ctx_new();
    static const struct test_case tests[] = {
        { "reactor services", test_reactor_services },
        { "loader checks the new kind", test_loader_checks },
        { "bad addresses", test_bad_addresses },
        { "multipart messages", test_multipart },
        { "pair both ways", test_pair_both_ways },
        { "two I/O threads, dealer/router", test_two_io_threads },
        { "pub/sub filtering", test_pub_sub },
        { "many messages", test_many_messages },
        { "hwm back-pressure", test_hwm_back_pressure },
        { "disconnect", test_disconnect },
        { "unbind and reconnect", test_unbind_and_reconnect },
        { "close lingers", test_close_lingers },
        { "immediate", test_immediate },
        { "reconnect stop on refusal", test_reconnect_stop },
        { "malformed datagrams", test_malformed_datagrams },
        { "handover to zmtp", test_handover_to_zmtp },
        { "handover bind in use", test_handover_bind_in_use },
        { "message groups through a link", test_link_groups },
    };
    int status =
        test_run_suite("engine transport", tests, sizeof tests / sizeof *tests);
    zmq_ctx_term(ctx);
    char command[128];
    snprintf(command, sizeof command, "rm -rf '%s'", test_dir);
    if (system(command) != 0)
        status = 1;
    return status;
}
