/*
 * The network path end to end on modzmq alone: sockets joined over the tcp
 * and ipc plugins, sessions, the ZMTP engine, reconnection, unbind and
 * disconnect. Every classic socket type pair runs over both transports.
 * (Talking to real libzmq is test_interop's job.)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "testutil.h"
#include "zmq.h"

static void *ctx;

static const char *const wildcard[] = { "tcp://127.0.0.1:*", "ipc://*" };
enum { TRANSPORTS = 2 };

static void *new_socket(int type)
{
    void *s = zmq_socket(ctx, type);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    test_set_int(s, ZMQ_RCVTIMEO, 5000);
    test_set_int(s, ZMQ_SNDTIMEO, 5000);
    test_set_int(s, ZMQ_LINGER, 0);
    return s;
}

/* Binds server on transport t and connects client to the real endpoint. */
static bool join(void *server, void *client, int t)
{
    if (zmq_bind(server, wildcard[t]) != 0) {
        fprintf(stderr, "\n  bind %s: %s\n", wildcard[t], zmq_strerror(errno));
        CU_FAIL("bind");
        return false;
    }
    char endpoint[256];
    size_t size = sizeof endpoint;
    CU_ASSERT_EQUAL(zmq_getsockopt(server, ZMQ_LAST_ENDPOINT, endpoint, &size),
                    0);
    CU_ASSERT_NOT_EQUAL(strchr(endpoint, '*'), endpoint + 6); /* real one */
    if (zmq_connect(client, endpoint) != 0) {
        CU_FAIL("connect");
        return false;
    }
    return true;
}

static void test_push_pull(void)
{
    for (int t = 0; t < TRANSPORTS; t++) {
        void *pull = new_socket(ZMQ_PULL);
        void *push = new_socket(ZMQ_PUSH);
        if (join(pull, push, t)) {
            CU_ASSERT_TRUE(test_send(push, "one", ZMQ_SNDMORE));
            CU_ASSERT_TRUE(test_send(push, "", ZMQ_SNDMORE));
            CU_ASSERT_TRUE(test_send(push, "two", 0));
            CU_ASSERT_TRUE(test_recv_is(pull, "one", 5000));
            CU_ASSERT_EQUAL(test_get_int(pull, ZMQ_RCVMORE), 1);
            CU_ASSERT_TRUE(test_recv_is(pull, "", 5000));
            CU_ASSERT_TRUE(test_recv_is(pull, "two", 5000));
            CU_ASSERT_EQUAL(test_get_int(pull, ZMQ_RCVMORE), 0);
        }
        zmq_close(push);
        zmq_close(pull);
    }
}

/* Byte j of message i in test_held_messages_stay_intact. */
static unsigned char pattern_byte(int i, size_t j)
{
    return (unsigned char) (i * 31 + j * 7);
}

static bool has_pattern(zmq_msg_t *m, int i, size_t size)
{
    const unsigned char *p = zmq_msg_data(m);
    if (zmq_msg_size(m) != size)
        return false;
    for (size_t j = 0; j < size; j++)
        if (p[j] != pattern_byte(i, j))
            return false;
    return true;
}

/* Small bodies that arrive together share the engine's receive buffer.
 * Messages the application keeps open (or copies, or writes into) must
 * keep their bytes while later reads bring more. */
static void test_held_messages_stay_intact(void)
{
    enum { BATCHES = 40, BATCH = 500, COUNT = BATCHES * BATCH, EVERY = 10 };
    static const size_t sizes[] = { 33, 1,    64,   34,   100, 255,
                                    32, 1000, 1500, 4000, 256 };
    const size_t size_count = sizeof sizes / sizeof sizes[0];
    zmq_msg_t *kept = calloc(COUNT / EVERY, sizeof *kept);
    zmq_msg_t *copies = calloc(COUNT / EVERY, sizeof *copies);
    CU_ASSERT_PTR_NOT_NULL_FATAL(kept);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copies);
    unsigned char body[4000];
    for (int t = 0; t < TRANSPORTS; t++) {
        void *pull = new_socket(ZMQ_PULL);
        void *push = new_socket(ZMQ_PUSH);
        int kept_count = 0, copy_count = 0, received = 0;
        bool intact = true;
        if (join(pull, push, t)) {
            for (int batch = 0; batch < BATCHES && intact; batch++) {
                for (int i = batch * BATCH; i < (batch + 1) * BATCH; i++) {
                    size_t size = sizes[i % size_count];
                    for (size_t j = 0; j < size; j++)
                        body[j] = pattern_byte(i, j);
                    if (zmq_send(push, body, size, 0) != (int) size)
                        intact = false;
                }
                for (int i = batch * BATCH; i < (batch + 1) * BATCH && intact;
                     i++) {
                    zmq_msg_t m;
                    zmq_msg_init(&m);
                    size_t size = sizes[i % size_count];
                    if (zmq_msg_recv(&m, pull, 0) != (int) size ||
                        !has_pattern(&m, i, size)) {
                        intact = false;
                        zmq_msg_close(&m);
                        break;
                    }
                    received++;
                    switch (i % EVERY) {
                    case 0: /* kept open until the end */
                        zmq_msg_init(&kept[kept_count]);
                        zmq_msg_move(&kept[kept_count++], &m);
                        break;
                    case 1: /* the application writes into its message */
                        memset(zmq_msg_data(&m), 0xEE, size);
                        break;
                    case 2: /* a copy outlives the original */
                        zmq_msg_init(&copies[copy_count]);
                        zmq_msg_copy(&copies[copy_count++], &m);
                        break;
                    }
                    zmq_msg_close(&m);
                }
            }
        }
        CU_ASSERT_EQUAL(received, COUNT);
        CU_ASSERT_TRUE(intact);
        int kept_intact = 0, copies_intact = 0;
        for (int k = 0; k < kept_count; k++) {
            int i = k * EVERY;
            kept_intact += has_pattern(&kept[k], i, sizes[i % size_count]);
            zmq_msg_close(&kept[k]);
        }
        for (int k = 0; k < copy_count; k++) {
            int i = k * EVERY + 2;
            copies_intact += has_pattern(&copies[k], i, sizes[i % size_count]);
            zmq_msg_close(&copies[k]);
        }
        CU_ASSERT_EQUAL(kept_count, COUNT / EVERY);
        CU_ASSERT_EQUAL(kept_intact, kept_count);
        CU_ASSERT_EQUAL(copy_count, COUNT / EVERY);
        CU_ASSERT_EQUAL(copies_intact, copy_count);
        zmq_close(push);
        zmq_close(pull);
    }
    free(kept);
    free(copies);
}

static void test_req_rep(void)
{
    for (int t = 0; t < TRANSPORTS; t++) {
        void *rep = new_socket(ZMQ_REP);
        void *req = new_socket(ZMQ_REQ);
        if (join(rep, req, t)) {
            for (int i = 0; i < 5; i++) {
                CU_ASSERT_TRUE(test_send(req, "ask", 0));
                CU_ASSERT_TRUE(test_recv_is(rep, "ask", 5000));
                CU_ASSERT_TRUE(test_send(rep, "answer", 0));
                CU_ASSERT_TRUE(test_recv_is(req, "answer", 5000));
            }
        }
        zmq_close(req);
        zmq_close(rep);
    }
}

static void test_dealer_router(void)
{
    for (int t = 0; t < TRANSPORTS; t++) {
        void *router = new_socket(ZMQ_ROUTER);
        void *dealer = new_socket(ZMQ_DEALER);
        CU_ASSERT_EQUAL(zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "D1", 2), 0);
        if (join(router, dealer, t)) {
            CU_ASSERT_TRUE(test_send(dealer, "hello", 0));
            CU_ASSERT_TRUE(test_recv_is(router, "D1", 5000));
            CU_ASSERT_TRUE(test_recv_is(router, "hello", 5000));
            CU_ASSERT_TRUE(test_send(router, "D1", ZMQ_SNDMORE));
            CU_ASSERT_TRUE(test_send(router, "back", 0));
            CU_ASSERT_TRUE(test_recv_is(dealer, "back", 5000));
        }
        zmq_close(dealer);
        zmq_close(router);
    }
}

static void test_pub_sub(void)
{
    for (int t = 0; t < TRANSPORTS; t++) {
        void *pub = new_socket(ZMQ_PUB);
        void *sub = new_socket(ZMQ_SUB);
        CU_ASSERT_EQUAL(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "A", 1), 0);
        test_set_int(sub, ZMQ_RCVTIMEO, 100);
        bool seen = false;
        if (join(pub, sub, t)) {
            for (int i = 0; i < 50 && !seen; i++) {
                CU_ASSERT_TRUE(test_send(pub, "B-skip", 0));
                CU_ASSERT_TRUE(test_send(pub, "A-news", 0));
                char buffer[32];
                seen = test_recv(sub, buffer, sizeof buffer, 100) >= 0;
                if (seen)
                    CU_ASSERT_STRING_EQUAL(buffer, "A-news");
            }
        }
        CU_ASSERT_TRUE(seen);
        zmq_close(sub);
        zmq_close(pub);
    }
}

static void test_xpub_xsub(void)
{
    for (int t = 0; t < TRANSPORTS; t++) {
        void *xpub = new_socket(ZMQ_XPUB);
        void *xsub = new_socket(ZMQ_XSUB);
        if (join(xpub, xsub, t)) {
            CU_ASSERT_EQUAL(zmq_send(xsub, "\001topic", 6, 0), 6);
            CU_ASSERT_TRUE(test_recv_is(xpub, "\001topic", 5000));
            CU_ASSERT_TRUE(test_send(xpub, "topic-1", 0));
            CU_ASSERT_TRUE(test_recv_is(xsub, "topic-1", 5000));
        }
        zmq_close(xsub);
        zmq_close(xpub);
    }
}

static void test_pair(void)
{
    for (int t = 0; t < TRANSPORTS; t++) {
        void *a = new_socket(ZMQ_PAIR);
        void *b = new_socket(ZMQ_PAIR);
        if (join(a, b, t)) {
            CU_ASSERT_TRUE(test_send(b, "ping", 0));
            CU_ASSERT_TRUE(test_recv_is(a, "ping", 5000));
            CU_ASSERT_TRUE(test_send(a, "pong", 0));
            CU_ASSERT_TRUE(test_recv_is(b, "pong", 5000));
        }
        zmq_close(b);
        zmq_close(a);
    }
}

/* Messages queue on a connecting socket before anything listens, and
 * reach the peer that binds later (the reconnect loop finds it). */
static void test_connect_before_bind(void)
{
    void *probe = new_socket(ZMQ_PULL);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(probe, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    zmq_getsockopt(probe, ZMQ_LAST_ENDPOINT, endpoint, &size);
    zmq_close(probe); /* a port that was free a moment ago */

    void *push = new_socket(ZMQ_PUSH);
    test_set_int(push, ZMQ_RECONNECT_IVL, 20);
    CU_ASSERT_EQUAL(zmq_connect(push, endpoint), 0);
    CU_ASSERT_TRUE(test_send(push, "early", 0));
    void *pull = new_socket(ZMQ_PULL);
    CU_ASSERT_EQUAL(zmq_bind(pull, endpoint), 0);
    CU_ASSERT_TRUE(test_recv_is(pull, "early", 5000));
    zmq_close(push);
    zmq_close(pull);
}

/* After the binding socket goes away and comes back on the same endpoint,
 * the connecting socket reconnects by itself. */
static void test_reconnect(void)
{
    void *pull = new_socket(ZMQ_PULL);
    void *push = new_socket(ZMQ_PUSH);
    test_set_int(push, ZMQ_RECONNECT_IVL, 20);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(pull, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, endpoint, &size);
    CU_ASSERT_EQUAL(zmq_connect(push, endpoint), 0);
    CU_ASSERT_TRUE(test_send(push, "before", 0));
    CU_ASSERT_TRUE(test_recv_is(pull, "before", 5000));
    zmq_close(pull);

    pull = new_socket(ZMQ_PULL);
    CU_ASSERT_EQUAL(zmq_bind(pull, endpoint), 0);
    /* Sent into the old connection until the push notices it is gone. */
    bool seen = false;
    test_set_int(pull, ZMQ_RCVTIMEO, 100);
    for (int i = 0; i < 50 && !seen; i++) {
        CU_ASSERT_TRUE(test_send(push, "after", 0));
        char buffer[16];
        seen = test_recv(pull, buffer, sizeof buffer, 100) >= 0;
    }
    CU_ASSERT_TRUE(seen);
    zmq_close(push);
    zmq_close(pull);
}

/* zmq_unbind stops listening (a new connect gets nowhere) and
 * zmq_disconnect drops the connection; unknown endpoints give ENOENT. */
static void test_unbind_disconnect(void)
{
    void *pull = new_socket(ZMQ_PULL);
    void *push = new_socket(ZMQ_PUSH);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(pull, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, endpoint, &size);
    CU_ASSERT_EQUAL(zmq_connect(push, endpoint), 0);
    CU_ASSERT_TRUE(test_send(push, "x", 0));
    CU_ASSERT_TRUE(test_recv_is(pull, "x", 5000));

    CU_ASSERT_EQUAL(zmq_disconnect(push, endpoint), 0);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_disconnect(push, endpoint), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    CU_ASSERT_EQUAL(zmq_unbind(pull, endpoint), 0);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_unbind(pull, endpoint), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);

    /* Nobody listens now: a fresh PUSH's message stays queued. */
    void *late = new_socket(ZMQ_PUSH);
    CU_ASSERT_EQUAL(zmq_connect(late, endpoint), 0);
    CU_ASSERT_TRUE(test_send(late, "lost", 0));
    CU_ASSERT_TRUE(test_recv_nothing(pull, 200));
    zmq_close(late);
    zmq_close(push);
    zmq_close(pull);
}

/* zmq_unbind also ends the connections accepted through that endpoint,
 * as libzmq does, after sending what was queued for them (ZMQ_LINGER);
 * connections of the socket's other endpoints carry on. */
static void test_unbind_ends_accepted(void)
{
    for (int t = 0; t < TRANSPORTS; t++) {
        void *push = new_socket(ZMQ_PUSH);
        void *pull = new_socket(ZMQ_PULL);
        void *other = new_socket(ZMQ_PULL);
        test_set_int(push, ZMQ_LINGER, 5000);
        /* The client would reconnect to nothing: keep it quiet. */
        test_set_int(pull, ZMQ_RECONNECT_IVL, 60000);
        CU_ASSERT_TRUE_FATAL(join(push, pull, t));
        char endpoint[256];
        size_t size = sizeof endpoint;
        zmq_getsockopt(push, ZMQ_LAST_ENDPOINT, endpoint, &size);
        CU_ASSERT_TRUE(test_send(push, "first", 0));
        CU_ASSERT_TRUE(test_recv_is(pull, "first", 5000));

        CU_ASSERT_TRUE(test_send(push, "queued", 0));
        CU_ASSERT_EQUAL(zmq_unbind(push, endpoint), 0);
        CU_ASSERT_TRUE(test_recv_is(pull, "queued", 5000));
        /* No peer is left to take a message. */
        errno = 0;
        CU_ASSERT_EQUAL(zmq_send(push, "none", 4, ZMQ_DONTWAIT), -1);
        CU_ASSERT_EQUAL(errno, EAGAIN);

        /* A second endpoint of the same socket is not touched. */
        CU_ASSERT_TRUE_FATAL(join(push, other, t));
        CU_ASSERT_TRUE(test_send(push, "again", 0));
        CU_ASSERT_TRUE(test_recv_is(other, "again", 5000));
        zmq_close(other);
        zmq_close(pull);
        zmq_close(push);
    }
}

struct term_job {
    void *ctx;
    pthread_mutex_t lock;
    pthread_cond_t done_signal;
    bool done;
};

static void *term_in_thread(void *arg)
{
    struct term_job *job = arg;
    zmq_ctx_term(job->ctx);
    pthread_mutex_lock(&job->lock);
    job->done = true;
    pthread_cond_signal(&job->done_signal);
    pthread_mutex_unlock(&job->lock);
    return NULL;
}

/* ZMQ_LINGER applies as it is at zmq_close, as in libzmq, not as it was at
 * zmq_connect: a message queued for a peer that never comes, the default
 * linger (-1) at connect, 0 set just before close, and zmq_ctx_term returns
 * at once instead of waiting forever. The wait is bounded: a hang fails. */
static void test_linger_read_at_close(void)
{
    void *own = zmq_ctx_new();
    /* A port nobody listens on: one a listener had, then gave back. */
    void *listener = zmq_socket(own, ZMQ_PULL);
    CU_ASSERT_EQUAL(zmq_bind(listener, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    zmq_getsockopt(listener, ZMQ_LAST_ENDPOINT, endpoint, &size);
    CU_ASSERT_EQUAL(zmq_close(listener), 0);
    void *push = zmq_socket(own, ZMQ_PUSH);
    CU_ASSERT_EQUAL(zmq_connect(push, endpoint), 0);
    CU_ASSERT_TRUE(test_send(push, "never delivered", 0));
    CU_ASSERT_TRUE(test_set_int(push, ZMQ_LINGER, 0));
    CU_ASSERT_EQUAL(zmq_close(push), 0);

    struct term_job job = { .ctx = own };
    pthread_mutex_init(&job.lock, NULL);
    pthread_cond_init(&job.done_signal, NULL);
    pthread_t thread;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&thread, NULL, term_in_thread, &job),
                          0);
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 5;
    pthread_mutex_lock(&job.lock);
    while (!job.done &&
           pthread_cond_timedwait(&job.done_signal, &job.lock, &deadline) == 0)
        ;
    bool done = job.done;
    pthread_mutex_unlock(&job.lock);
    CU_ASSERT_TRUE(done);
    if (done) {
        pthread_join(thread, NULL);
        pthread_cond_destroy(&job.done_signal);
        pthread_mutex_destroy(&job.lock);
    } else {
        /* The context is stuck for good; leave the thread to the exit. */
        pthread_detach(thread);
    }
}

static void test_bad_endpoints(void)
{
    void *s = new_socket(ZMQ_PAIR);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_bind(s, "nosuchscheme://x"), -1);
    CU_ASSERT_EQUAL(errno, EPROTONOSUPPORT);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_connect(s, "tcp://127.0.0.1"), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_bind(s, "tcp://127.0.0.1:99999"), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    /* An abstract ipc address needs a name, as in libzmq. */
    errno = 0;
    CU_ASSERT_EQUAL(zmq_bind(s, "ipc://@"), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_connect(s, "ipc://@"), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);

    void *other = new_socket(ZMQ_PAIR);
    CU_ASSERT_EQUAL(zmq_bind(s, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, endpoint, &size);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_bind(other, endpoint), -1);
    CU_ASSERT_EQUAL(errno, EADDRINUSE);
    zmq_close(other);
    zmq_close(s);
}

/* A plain TCP client of a STREAM socket, as a browser is of the HTTP
 * server in the seeds: the socket hears of the connection (empty part),
 * gets the request bytes, answers and closes the connection with an empty
 * part; the client reads the answer and then end of file. */
static void test_stream_http(void)
{
    void *stream = new_socket(ZMQ_STREAM);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(stream, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    zmq_getsockopt(stream, ZMQ_LAST_ENDPOINT, endpoint, &size);
    int port = atoi(strrchr(endpoint, ':') + 1);
    int client = test_connect_loopback(port);
    CU_ASSERT_FATAL(client >= 0);

    unsigned char id[256];
    int id_size = zmq_recv(stream, id, sizeof id, 0);
    CU_ASSERT(id_size > 0);
    CU_ASSERT_TRUE(test_recv_is(stream, "", 5000)); /* connected */

    const char request[] = "GET / HTTP/1.0\r\n\r\n";
    CU_ASSERT_EQUAL(write(client, request, strlen(request)),
                    (ssize_t) strlen(request));
    unsigned char from[256];
    CU_ASSERT_EQUAL(zmq_recv(stream, from, sizeof from, 0), id_size);
    CU_ASSERT_EQUAL(memcmp(from, id, (size_t) id_size), 0);
    CU_ASSERT_TRUE(test_recv_is(stream, request, 5000));

    const char reply[] = "HTTP/1.0 200 OK\r\n\r\nHello, World!";
    CU_ASSERT_EQUAL(zmq_send(stream, id, (size_t) id_size, ZMQ_SNDMORE),
                    id_size);
    CU_ASSERT_EQUAL(zmq_send(stream, reply, strlen(reply), 0),
                    (int) strlen(reply));
    CU_ASSERT_EQUAL(zmq_send(stream, id, (size_t) id_size, ZMQ_SNDMORE),
                    id_size);
    CU_ASSERT_EQUAL(zmq_send(stream, "", 0, 0), 0); /* close it */

    char answer[256];
    size_t got = 0;
    for (int i = 0; i < 100 && got < sizeof answer - 1; i++) {
        struct pollfd pfd = { .fd = client, .events = POLLIN };
        if (poll(&pfd, 1, 5000) <= 0)
            break;
        ssize_t n = read(client, answer + got, sizeof answer - 1 - got);
        if (n <= 0)
            break; /* end of file: the server closed */
        got += (size_t) n;
    }
    answer[got] = '\0';
    CU_ASSERT_STRING_EQUAL(answer, reply);
    close(client);

    /* An unknown peer is refused. */
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(stream, "nobody", 6, ZMQ_SNDMORE), -1);
    CU_ASSERT_EQUAL(errno, EHOSTUNREACH);
    zmq_close(stream);
}

/* The abstract Unix socket address of name (no '@'): a NUL, then the
 * name; its length goes with it. */
static socklen_t abstract_address(struct sockaddr_un *address,
                                  const char *name)
{
    memset(address, 0, sizeof *address);
    address->sun_family = AF_UNIX;
    size_t length = strlen(name);
    memcpy(address->sun_path + 1, name, length);
    return (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + length);
}

/* A raw connection to the abstract Unix socket name. */
static int raw_connect_abstract(const char *name)
{
    struct sockaddr_un address;
    socklen_t size = abstract_address(&address, name);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *) &address, size) != 0) {
        close(fd);
        fd = -1;
    }
    return fd;
}

/* A raw peer that writes its last bytes and closes while the STREAM
 * socket still has output for it (more than the socket buffers take):
 * the bytes arrive, then the end of the connection. The raw engine used to
 * write first when the fd was readable and writable at once, fail on the
 * closed peer, and drop the bytes and the end, or the end alone when the
 * bytes had been read just before (a finding of tests/fuzz/fuzz_stream).
 * Which of the two happens is the I/O thread's timing: five rounds. */
static void test_stream_peer_closes_with_output_pending(void)
{
    void *stream = new_socket(ZMQ_STREAM);
    char name[64], endpoint[80];
    snprintf(name, sizeof name, "modzmq-test-stream-%d", (int) getpid());
    snprintf(endpoint, sizeof endpoint, "ipc://@%s", name);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(stream, endpoint), 0);
    enum { ROUNDS = 5, BIG = 1 << 20 };
    char *big = calloc(1, BIG); /* more than the peer's buffers take */
    CU_ASSERT_FATAL(big != NULL);
    for (int round = 0; round < ROUNDS; round++) {
        int peer = raw_connect_abstract(name);
        CU_ASSERT_FATAL(peer >= 0);
        unsigned char id[256];
        int id_size = zmq_recv(stream, id, sizeof id, 0);
        CU_ASSERT_FATAL(id_size > 0);
        CU_ASSERT_TRUE(test_recv_is(stream, "", 5000)); /* connected */

        CU_ASSERT_EQUAL(zmq_send(stream, id, (size_t) id_size, ZMQ_SNDMORE),
                        id_size);
        CU_ASSERT_EQUAL(zmq_send(stream, big, BIG, 0), BIG);
        struct pollfd pfd = { .fd = peer, .events = POLLIN };
        CU_ASSERT_EQUAL(poll(&pfd, 1, 5000), 1); /* the engine is writing */

        CU_ASSERT_EQUAL(write(peer, "last words", 10), 10);
        close(peer);
        unsigned char from[256];
        CU_ASSERT_EQUAL(zmq_recv(stream, from, sizeof from, 0), id_size);
        CU_ASSERT_TRUE(test_recv_is(stream, "last words", 5000));
        CU_ASSERT_EQUAL(zmq_recv(stream, from, sizeof from, 0), id_size);
        CU_ASSERT_TRUE(test_recv_is(stream, "", 5000)); /* the end */
    }
    free(big);
    zmq_close(stream);
}

/* A raw TCP connection to the port of socket's last tcp endpoint. */
static int raw_connect_to(void *socket)
{
    char endpoint[256];
    size_t size = sizeof endpoint;
    zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, endpoint, &size);
    return test_connect_loopback(atoi(strrchr(endpoint, ':') + 1));
}

static bool read_all(int fd, void *buf, size_t size)
{
    size_t got = 0;
    for (int i = 0; i < 100 && got < size; i++) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, 5000) <= 0)
            return false;
        ssize_t n = read(fd, (char *) buf + got, size - got);
        if (n <= 0)
            return false;
        got += (size_t) n;
    }
    return got == size;
}

/* Whether fd is the bound end of a connection to endpoint: the local
 * address the kernel gives for it is the endpoint's. */
static bool fd_serves(int fd, const char *endpoint)
{
    struct sockaddr_storage local;
    socklen_t size = sizeof local;
    if (fd < 0 || getsockname(fd, (struct sockaddr *) &local, &size) != 0)
        return false;
    if (strncmp(endpoint, "tcp://", 6) == 0) {
        const struct sockaddr_in *in = (const struct sockaddr_in *) &local;
        return local.ss_family == AF_INET &&
               ntohs(in->sin_port) == atoi(strrchr(endpoint, ':') + 1);
    }
    const struct sockaddr_un *un = (const struct sockaddr_un *) &local;
    return local.ss_family == AF_UNIX &&
           strcmp(un->sun_path, endpoint + strlen("ipc://")) == 0;
}

/* zmq_msg_get(ZMQ_SRCFD) (deprecated, still in libzmq 4.3) gives the fd
 * a message came in on: every part, the routing id a ROUTER adds too, as
 * in libzmq 4.3.4. A message from inproc or made here has none: -1 with
 * EINVAL, as there. */
static void test_srcfd(void)
{
    for (int t = 0; t < TRANSPORTS; t++) {
        void *router = new_socket(ZMQ_ROUTER);
        void *dealer = new_socket(ZMQ_DEALER);
        if (join(router, dealer, t)) {
            char endpoint[256];
            size_t size = sizeof endpoint;
            zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, endpoint, &size);
            CU_ASSERT(test_send(dealer, "a", ZMQ_SNDMORE));
            CU_ASSERT(test_send(dealer, "b", 0));
            for (int part = 0; part < 3; part++) {
                zmq_msg_t msg;
                zmq_msg_init(&msg);
                CU_ASSERT(zmq_msg_recv(&msg, router, 0) >= 0);
                int fd = zmq_msg_get(&msg, ZMQ_SRCFD);
                CU_ASSERT(fd_serves(fd, endpoint));
                if (!fd_serves(fd, endpoint))
                    fprintf(stderr, "\n  %s part %d: SRCFD %d\n", endpoint,
                            part, fd);
                zmq_msg_close(&msg);
            }
        }
        zmq_close(dealer);
        zmq_close(router);
    }

    void *pull = new_socket(ZMQ_PULL);
    void *push = new_socket(ZMQ_PUSH);
    CU_ASSERT_EQUAL(zmq_bind(pull, "inproc://srcfd"), 0);
    CU_ASSERT_EQUAL(zmq_connect(push, "inproc://srcfd"), 0);
    CU_ASSERT(test_send(push, "c", 0));
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    CU_ASSERT(zmq_msg_recv(&msg, pull, 0) == 1);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_msg_get(&msg, ZMQ_SRCFD), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    zmq_msg_close(&msg);
    zmq_msg_init_size(&msg, 3);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_msg_get(&msg, ZMQ_SRCFD), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    zmq_msg_close(&msg);
    zmq_close(push);
    zmq_close(pull);
}

/* A STREAM socket that connects names the connection with
 * ZMQ_CONNECT_ROUTING_ID, as libzmq's does: the notification, the data
 * and the replies all go by that id (it was stored and ignored; a finding
 * of tests/fuzz/fuzz_stream). */
static void test_stream_connect_routing_id(void)
{
    char name[64], endpoint[80];
    snprintf(name, sizeof name, "modzmq-test-stream-peer-%d", (int) getpid());
    snprintf(endpoint, sizeof endpoint, "ipc://@%s", name);
    struct sockaddr_un address;
    socklen_t size = abstract_address(&address, name);
    int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    CU_ASSERT_FATAL(listener >= 0 &&
                    bind(listener, (struct sockaddr *) &address, size) == 0 &&
                    listen(listener, 4) == 0);

    void *stream = new_socket(ZMQ_STREAM);
    CU_ASSERT_EQUAL(zmq_setsockopt(stream, ZMQ_CONNECT_ROUTING_ID, "web-1", 5),
                    0);
    CU_ASSERT_EQUAL(zmq_connect(stream, endpoint), 0);
    struct pollfd pfd = { .fd = listener, .events = POLLIN };
    CU_ASSERT_EQUAL_FATAL(poll(&pfd, 1, 5000), 1);
    int peer = accept(listener, NULL, NULL);
    CU_ASSERT_FATAL(peer >= 0);

    CU_ASSERT_TRUE(test_recv_is(stream, "web-1", 5000));
    CU_ASSERT_TRUE(test_recv_is(stream, "", 5000)); /* connected */
    CU_ASSERT_EQUAL(write(peer, "ping", 4), 4);
    CU_ASSERT_TRUE(test_recv_is(stream, "web-1", 5000));
    CU_ASSERT_TRUE(test_recv_is(stream, "ping", 5000));
    CU_ASSERT_TRUE(test_send(stream, "web-1", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(stream, "pong", 0));
    char reply[4];
    CU_ASSERT_TRUE(read_all(peer, reply, sizeof reply));
    CU_ASSERT_EQUAL(memcmp(reply, "pong", 4), 0);
    close(peer);
    close(listener);
    zmq_close(stream);
}

/* ZMTP 2.0 peers, written by hand from RFC 23's "Backwards
 * Interoperability" (no 2.0 library is at hand): a 2.0 DEALER's identity
 * is its routing id at a ROUTER, and a 2.0 peer, which has no security
 * handshake, is refused by a PLAIN server and by a ZAP domain. */
static void test_zmtp_2_0_peer(void)
{
    void *router = new_socket(ZMQ_ROUTER);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(router, "tcp://127.0.0.1:*"), 0);
    int fd = raw_connect_to(router);
    CU_ASSERT_FATAL(fd >= 0);
    const unsigned char hello[] = { 0xFF, 0, 0,          0, 0, 0,   0,   0,  1,
                                    0x7F, 1, ZMQ_DEALER, 0, 3, 'o', 'l', 'd' };
    CU_ASSERT_EQUAL(write(fd, hello, sizeof hello), (ssize_t) sizeof hello);
    unsigned char ours[14];
    CU_ASSERT_TRUE(read_all(fd, ours, sizeof ours));
    CU_ASSERT(ours[0] == 0xFF && ours[10] == 3 && ours[11] == ZMQ_ROUTER &&
              ours[12] == 0 && ours[13] == 0);
    CU_ASSERT_EQUAL(write(fd, "\0\5hello", 7), 7);
    CU_ASSERT_TRUE(test_recv_is(router, "old", 5000));
    CU_ASSERT_TRUE(test_recv_is(router, "hello", 5000));
    CU_ASSERT_TRUE(test_send(router, "old", ZMQ_SNDMORE));
    CU_ASSERT_TRUE(test_send(router, "back", 0));
    unsigned char frame[6];
    CU_ASSERT_TRUE(read_all(fd, frame, sizeof frame));
    CU_ASSERT_EQUAL(memcmp(frame, "\0\4back", 6), 0);
    close(fd);
    zmq_close(router);

    void *server = new_socket(ZMQ_PULL);
    CU_ASSERT_TRUE(test_set_int(server, ZMQ_PLAIN_SERVER, 1));
    CU_ASSERT_EQUAL_FATAL(zmq_bind(server, "tcp://127.0.0.1:*"), 0);
    fd = raw_connect_to(server);
    CU_ASSERT_FATAL(fd >= 0);
    const unsigned char push_hello[] = { 0xFF, 0, 0,    0, 0,        0, 0,
                                         0,    1, 0x7F, 1, ZMQ_PUSH, 0, 0 };
    CU_ASSERT_EQUAL(write(fd, push_hello, sizeof push_hello),
                    (ssize_t) sizeof push_hello);
    CU_ASSERT_TRUE(test_closed_by_peer(fd, 5000));
    close(fd);
    zmq_close(server);

    /* NULL with a ZAP domain: a 2.0 peer would bypass the handler
     * (CVE-2014-9721), so it is refused too. */
    server = new_socket(ZMQ_PULL);
    CU_ASSERT_EQUAL(zmq_setsockopt(server, ZMQ_ZAP_DOMAIN, "global", 6), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(server, "tcp://127.0.0.1:*"), 0);
    fd = raw_connect_to(server);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, push_hello, sizeof push_hello),
                    (ssize_t) sizeof push_hello);
    CU_ASSERT_TRUE(test_closed_by_peer(fd, 5000));
    close(fd);
    zmq_close(server);
}

/* ZMQ_TCP_ACCEPT_FILTER and ZMQ_IPC_FILTER_UID reach the transports: a
 * connection from outside the filter never delivers, one from inside
 * does. */
static void test_accept_filters(void)
{
    const struct {
        const char *endpoint;
        int option;
        const void *refusing;
        const void *accepting;
        size_t size;
    } cases[] = {
        { "tcp://127.0.0.1:*", ZMQ_TCP_ACCEPT_FILTER, "10.9.8.7", "127.0.0.1",
          0 },
        { "ipc://*", ZMQ_IPC_FILTER_UID, NULL, NULL, sizeof(uid_t) },
    };
    uid_t me = getuid(), other = getuid() + 12345;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        for (int accept = 0; accept < 2; accept++) {
            void *pull = new_socket(ZMQ_PULL);
            void *push = new_socket(ZMQ_PUSH);
            const void *filter =
                accept ? cases[c].accepting : cases[c].refusing;
            size_t size = cases[c].size;
            if (cases[c].option == ZMQ_IPC_FILTER_UID)
                filter = accept ? (const void *) &me : (const void *) &other;
            else
                size = strlen(filter);
            CU_ASSERT_EQUAL(zmq_setsockopt(pull, cases[c].option, filter, size),
                            0);
            CU_ASSERT_EQUAL(zmq_bind(pull, cases[c].endpoint), 0);
            char endpoint[256];
            size_t length = sizeof endpoint;
            zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, endpoint, &length);
            CU_ASSERT_EQUAL(zmq_connect(push, endpoint), 0);
            test_set_int(push, ZMQ_SNDTIMEO, 0);
            zmq_send(push, "knock", 5, 0); /* queued on the connect side */
            if (accept) {
                CU_ASSERT_TRUE(test_recv_is(pull, "knock", 5000));
            } else {
                CU_ASSERT_TRUE(test_recv_nothing(pull, 300));
            }
            zmq_close(push);
            zmq_close(pull);
        }
    }
}

/* Runs zmq_ctx_term on a thread; true if it returned within 5 s. */
static void *term_context(void *arg)
{
    zmq_ctx_term(arg);
    return NULL;
}

static bool term_within_5s(void *context)
{
    pthread_t thread;
    if (pthread_create(&thread, NULL, term_context, context) != 0)
        return false;
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 5;
    if (pthread_timedjoin_np(thread, NULL, &deadline) == 0)
        return true;
    pthread_detach(thread); /* leaked on purpose: the test has failed */
    return false;
}

/* ZMQ_LINGER on network connections: a message queued for a peer that is
 * not there yet still goes out after zmq_close, once the peer binds within
 * the linger period; a 10 MB message handed to the engine just before
 * zmq_close arrives whole; with linger 0 the context ends at once. */
static void test_linger(void)
{
    void *probe = new_socket(ZMQ_PULL);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(probe, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    zmq_getsockopt(probe, ZMQ_LAST_ENDPOINT, endpoint, &size);
    zmq_close(probe);

    void *own = zmq_ctx_new();
    void *push = zmq_socket(own, ZMQ_PUSH);
    test_set_int(push, ZMQ_LINGER, 5000);
    test_set_int(push, ZMQ_RECONNECT_IVL, 20);
    CU_ASSERT_EQUAL(zmq_connect(push, endpoint), 0);
    CU_ASSERT_TRUE(test_send(push, "late", 0));
    CU_ASSERT_EQUAL(zmq_close(push), 0);
    void *pull = new_socket(ZMQ_PULL);
    CU_ASSERT_EQUAL(zmq_bind(pull, endpoint), 0);
    CU_ASSERT_TRUE(test_recv_is(pull, "late", 5000));
    CU_ASSERT_TRUE(term_within_5s(own));

    const size_t large = 10 * 1000 * 1000;
    own = zmq_ctx_new();
    push = zmq_socket(own, ZMQ_PUSH);
    test_set_int(push, ZMQ_LINGER, 5000);
    CU_ASSERT_EQUAL(zmq_connect(push, endpoint), 0);
    zmq_msg_t msg;
    CU_ASSERT_EQUAL(zmq_msg_init_size(&msg, large), 0);
    memset(zmq_msg_data(&msg), 'z', large);
    CU_ASSERT_EQUAL(zmq_msg_send(&msg, push, 0), (int) large);
    CU_ASSERT_EQUAL(zmq_close(push), 0);
    CU_ASSERT_TRUE(term_within_5s(own));
    zmq_msg_init(&msg);
    CU_ASSERT_EQUAL(zmq_msg_recv(&msg, pull, 0), (int) large);
    zmq_msg_close(&msg);
    zmq_close(pull);

    own = zmq_ctx_new();
    push = zmq_socket(own, ZMQ_PUSH);
    test_set_int(push, ZMQ_LINGER, 0);
    CU_ASSERT_EQUAL(zmq_connect(push, endpoint), 0); /* nobody there */
    CU_ASSERT_TRUE(test_send(push, "dropped", 0));
    CU_ASSERT_EQUAL(zmq_close(push), 0);
    CU_ASSERT_TRUE(term_within_5s(own));
}

/* An endpoint on 127.0.0.1 where nothing listens (a port just freed). */
static void dead_endpoint(char *endpoint, size_t size)
{
    void *probe = new_socket(ZMQ_PULL);
    CU_ASSERT_EQUAL(zmq_bind(probe, "tcp://127.0.0.1:*"), 0);
    zmq_getsockopt(probe, ZMQ_LAST_ENDPOINT, endpoint, &size);
    zmq_close(probe);
}

/* ZMQ_IMMEDIATE: no pipe before the handshake, so nothing queues for a
 * peer that is not there, and round-robin skips it. */
static void test_immediate(void)
{
    char dead[256], live[256];
    dead_endpoint(dead, sizeof dead);
    void *pull = new_socket(ZMQ_PULL);
    CU_ASSERT_EQUAL(zmq_bind(pull, "tcp://127.0.0.1:*"), 0);
    size_t size = sizeof live;
    zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, live, &size);

    void *push = new_socket(ZMQ_PUSH);
    test_set_int(push, ZMQ_IMMEDIATE, 1);
    CU_ASSERT_EQUAL(zmq_connect(push, dead), 0);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(push, "x", 1, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);

    CU_ASSERT_EQUAL(zmq_connect(push, live), 0);
    for (int i = 0; i < 10; i++)
        CU_ASSERT_TRUE(test_send(push, "to-the-live-one", 0));
    for (int i = 0; i < 10; i++)
        CU_ASSERT_TRUE(test_recv_is(pull, "to-the-live-one", 5000));
    zmq_close(push);
    zmq_close(pull);
}

/* ZMQ_RECONNECT_STOP_CONN_REFUSED: a refused connect ends the attempts,
 * so a peer that binds later is never reached; by default it would be. */
static void test_reconnect_stop(void)
{
    char endpoint[256];
    dead_endpoint(endpoint, sizeof endpoint);
    void *push = new_socket(ZMQ_PUSH);
    test_set_int(push, ZMQ_RECONNECT_IVL, 20);
    test_set_int(push, ZMQ_RECONNECT_STOP, ZMQ_RECONNECT_STOP_CONN_REFUSED);
    CU_ASSERT_EQUAL(zmq_connect(push, endpoint), 0);
    zmq_sleep(1); /* the refused connect happens meanwhile */
    /* The connection is given up, pipe and all: PUSH has no peer left
     * (with reconnection on, the pipe would wait for the peer). */
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(push, "x", 1, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    void *pull = new_socket(ZMQ_PULL);
    CU_ASSERT_EQUAL(zmq_bind(pull, endpoint), 0);
    zmq_sleep(1); /* time enough for many reconnects, were there any */
    errno = 0;
    CU_ASSERT_EQUAL(zmq_send(push, "x", 1, ZMQ_DONTWAIT), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    zmq_close(push);
    zmq_close(pull);
}

/* zmq_unbind takes the endpoint as the bind resolved it, as libzmq does:
 * "tcp://0.0.0.0:port" after binding to any address and port, never the
 * wildcard form. */
/* The fd of the next event of kind wanted on monitor (whose event value
 * is the fd), or -1 within a bounded number of events and time. */
static int event_fd(void *monitor, uint16_t wanted)
{
    for (int i = 0; i < 16; i++) {
        uint8_t head[6];
        char address[256];
        int size = zmq_recv(monitor, head, sizeof head, 0);
        if (size != (int) sizeof head)
            return -1;
        if (zmq_recv(monitor, address, sizeof address, 0) < 0)
            return -1;
        uint16_t event;
        uint32_t value;
        memcpy(&event, head, sizeof event);
        memcpy(&value, head + 2, sizeof value);
        if (event == wanted)
            return (int) value;
    }
    return -1;
}

static void *watch(void *s, const char *name, int events)
{
    CU_ASSERT_EQUAL_FATAL(zmq_socket_monitor(s, name, events), 0);
    void *monitor = new_socket(ZMQ_PAIR);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(monitor, name), 0);
    return monitor;
}

static int busy_poll_of(int fd)
{
    int value = -1;
    socklen_t size = sizeof value;
    if (fd < 0 || getsockopt(fd, SOL_SOCKET, SO_BUSY_POLL, &value, &size) != 0)
        return -1;
    return value;
}

/* ZMQ_BUSY_POLL reaches the tcp fds of both ends as SO_BUSY_POLL (the fds
 * are those ZMQ_EVENT_ACCEPTED and ZMQ_EVENT_CONNECTED carry), and not
 * setting it leaves the kernel's 0. */
static void test_busy_poll(void)
{
    /* Raising SO_BUSY_POLL needs CAP_NET_ADMIN. */
    if (geteuid() != 0) {
        fputs("\n  not root: ZMQ_BUSY_POLL not checked\n", stderr);
        return;
    }
    const int values[][2] = { { 30, 40 }, { 0, 0 } };
    for (int round = 0; round < 2; round++) {
        void *pull = new_socket(ZMQ_PULL);
        void *push = new_socket(ZMQ_PUSH);
        int busy = values[round][0];
        if (busy > 0)
            CU_ASSERT_TRUE(test_set_int(pull, ZMQ_BUSY_POLL, busy));
        busy = values[round][1];
        if (busy > 0)
            CU_ASSERT_TRUE(test_set_int(push, ZMQ_BUSY_POLL, busy));
        char name[64];
        snprintf(name, sizeof name, "inproc://busy-pull-%d", round);
        void *pull_events = watch(pull, name, ZMQ_EVENT_ACCEPTED);
        snprintf(name, sizeof name, "inproc://busy-push-%d", round);
        void *push_events = watch(push, name, ZMQ_EVENT_CONNECTED);
        if (join(pull, push, 0)) {
            CU_ASSERT_TRUE(test_send(push, "polled", 0));
            CU_ASSERT_TRUE(test_recv_is(pull, "polled", 5000));
            CU_ASSERT_EQUAL(
                busy_poll_of(event_fd(pull_events, ZMQ_EVENT_ACCEPTED)),
                values[round][0]);
            CU_ASSERT_EQUAL(
                busy_poll_of(event_fd(push_events, ZMQ_EVENT_CONNECTED)),
                values[round][1]);
        }
        zmq_socket_monitor(pull, NULL, 0);
        zmq_socket_monitor(push, NULL, 0);
        test_close(pull_events);
        test_close(push_events);
        test_close(push);
        test_close(pull);
    }
}

/* ZMQ_AFFINITY picks the I/O threads a socket's connections may use, as
 * in libzmq: bits beyond the context's threads leave none, and bind and
 * connect fail with EMTHREAD (inproc needs no thread). */
static void test_affinity(void)
{
    void *own = zmq_ctx_new();
    CU_ASSERT_EQUAL(zmq_ctx_set(own, ZMQ_IO_THREADS, 2), 0);
    const uint64_t usable[] = { 0, 1, 2, 3 };
    for (size_t i = 0; i < sizeof usable / sizeof usable[0]; i++) {
        void *pull = zmq_socket(own, ZMQ_PULL);
        void *push = zmq_socket(own, ZMQ_PUSH);
        test_set_int(pull, ZMQ_RCVTIMEO, 5000);
        CU_ASSERT_EQUAL(
            zmq_setsockopt(pull, ZMQ_AFFINITY, &usable[i], sizeof usable[i]),
            0);
        CU_ASSERT_EQUAL(
            zmq_setsockopt(push, ZMQ_AFFINITY, &usable[i], sizeof usable[i]),
            0);
        if (join(pull, push, 0)) {
            CU_ASSERT_TRUE(test_send(push, "thread", 0));
            CU_ASSERT_TRUE(test_recv_is(pull, "thread", 5000));
        }
        test_close(push);
        test_close(pull);
    }
    const uint64_t beyond[] = { 4, UINT64_C(1) << 40 };
    for (size_t i = 0; i < sizeof beyond / sizeof beyond[0]; i++) {
        void *s = zmq_socket(own, ZMQ_PAIR);
        CU_ASSERT_EQUAL(
            zmq_setsockopt(s, ZMQ_AFFINITY, &beyond[i], sizeof beyond[i]), 0);
        errno = 0;
        CU_ASSERT_EQUAL(zmq_bind(s, "tcp://127.0.0.1:*"), -1);
        CU_ASSERT_EQUAL(errno, EMTHREAD);
        errno = 0;
        CU_ASSERT_EQUAL(zmq_connect(s, "tcp://127.0.0.1:5555"), -1);
        CU_ASSERT_EQUAL(errno, EMTHREAD);
        CU_ASSERT_EQUAL(zmq_bind(s, "inproc://affinity"), 0);
        test_close(s);
    }
    CU_ASSERT_EQUAL(zmq_ctx_term(own), 0);
}

static void test_unbind_forms(void)
{
    void *pull = new_socket(ZMQ_PULL);
    CU_ASSERT_EQUAL(zmq_bind(pull, "tcp://*:*"), 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, endpoint, &size);
    CU_ASSERT_EQUAL(strncmp(endpoint, "tcp://0.0.0.0:", 14), 0);
    char wildcard_form[256];
    snprintf(wildcard_form, sizeof wildcard_form, "tcp://*:%s",
             strrchr(endpoint, ':') + 1);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_unbind(pull, wildcard_form), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_unbind(pull, "tcp://*:*"), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    CU_ASSERT_EQUAL(zmq_unbind(pull, endpoint), 0);

    CU_ASSERT_EQUAL(zmq_bind(pull, "ipc://*"), 0);
    size = sizeof endpoint;
    zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, endpoint, &size);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_unbind(pull, "ipc://*"), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    CU_ASSERT_EQUAL(zmq_unbind(pull, endpoint), 0);
    zmq_close(pull);
}

/* zmq_disconnect of a ZMQ_IMMEDIATE connection lingers what is queued,
 * as every other disconnect does: a reader that was not reading gets all
 * of it afterwards. Small kernel buffers keep most of it in the pipe. */
static void test_immediate_disconnect_lingers(void)
{
    enum { COUNT = 2000, SIZE = 1000 };
    void *pull = new_socket(ZMQ_PULL);
    test_set_int(pull, ZMQ_RCVHWM, 1);
    test_set_int(pull, ZMQ_RCVBUF, 4096);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(pull, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    zmq_getsockopt(pull, ZMQ_LAST_ENDPOINT, endpoint, &size);
    void *push = new_socket(ZMQ_PUSH);
    test_set_int(push, ZMQ_IMMEDIATE, 1);
    test_set_int(push, ZMQ_LINGER, 5000);
    test_set_int(push, ZMQ_SNDHWM, 2 * COUNT);
    test_set_int(push, ZMQ_SNDBUF, 4096);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(push, endpoint), 0);
    CU_ASSERT_TRUE(test_send(push, "connected", 0));
    CU_ASSERT_TRUE(test_recv_is(pull, "connected", 5000));
    char message[SIZE];
    int sent = 0;
    for (; sent < COUNT; sent++) {
        memset(message, 0, sizeof message);
        memcpy(message, &sent, sizeof sent);
        if (zmq_send(push, message, sizeof message, ZMQ_DONTWAIT) != SIZE)
            break;
    }
    CU_ASSERT_EQUAL(sent, COUNT);
    CU_ASSERT_EQUAL(zmq_disconnect(push, endpoint), 0);
    int received = 0;
    for (int value; received < sent; received++) {
        if (zmq_recv(pull, message, sizeof message, 0) != SIZE)
            break;
        memcpy(&value, message, sizeof value);
        if (value != received)
            break;
    }
    CU_ASSERT_EQUAL(received, sent);
    zmq_close(push);
    zmq_close(pull);
}

enum { FD_SCAN = 1024 };

/* Which fds are open now. */
static void open_fds(bool open[FD_SCAN])
{
    for (int fd = 0; fd < FD_SCAN; fd++)
        open[fd] = fcntl(fd, F_GETFD) != -1;
}

/* fds open now that were not in before: a leak (fds others close
 * meanwhile, such as an earlier test's lingering connections, are no
 * concern of this). */
static int new_fds(const bool before[FD_SCAN])
{
    bool now[FD_SCAN];
    open_fds(now);
    int count = 0;
    for (int fd = 0; fd < FD_SCAN; fd++)
        count += now[fd] && !before[fd];
    return count;
}

/* zmq_disconnect while the ZMTP handshake waits for a peer that accepted
 * but says nothing: it returns, the connection closes, and the context
 * ends, with queued messages (ZMQ_LINGER bounds them) or without (nothing
 * to wait for, even with ZMQ_LINGER -1); no fd is left open. */
static void test_disconnect_during_handshake(void)
{
    for (int queued = 0; queued < 2; queued++) {
        bool before[FD_SCAN];
        open_fds(before);
        int listener = socket(AF_INET, SOCK_STREAM, 0);
        struct sockaddr_in address = { .sin_family = AF_INET,
                                       .sin_addr.s_addr =
                                           htonl(INADDR_LOOPBACK) };
        socklen_t length = sizeof address;
        CU_ASSERT_FATAL(listener >= 0);
        CU_ASSERT_FATAL(
            bind(listener, (struct sockaddr *) &address, sizeof address) == 0 &&
            listen(listener, 4) == 0 &&
            getsockname(listener, (struct sockaddr *) &address, &length) == 0);
        char endpoint[64];
        snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d",
                 ntohs(address.sin_port));

        void *own = zmq_ctx_new();
        void *push = zmq_socket(own, ZMQ_PUSH);
        test_set_int(push, ZMQ_LINGER, queued ? 100 : -1);
        CU_ASSERT_EQUAL(zmq_connect(push, endpoint), 0);
        if (queued)
            CU_ASSERT_TRUE(test_send(push, "never", 0));
        struct pollfd p = { .fd = listener, .events = POLLIN };
        CU_ASSERT_FATAL(poll(&p, 1, 5000) == 1);
        int peer = accept(listener, NULL, NULL);
        CU_ASSERT_FATAL(peer >= 0);
        /* The greeting arrives: the handshake is under way. */
        char greeting[64];
        p.fd = peer;
        CU_ASSERT_TRUE(poll(&p, 1, 5000) == 1 &&
                       recv(peer, greeting, sizeof greeting, 0) > 0);

        CU_ASSERT_EQUAL(zmq_disconnect(push, endpoint), 0);
        /* The connection closes (at once, or after ZMQ_LINGER). */
        bool closed = false;
        for (int i = 0; i < 100 && !closed; i++) {
            ssize_t n = 0;
            if (poll(&p, 1, 50) == 1)
                n = recv(peer, greeting, sizeof greeting, 0);
            closed = n == 0 || (n < 0 && errno == ECONNRESET);
        }
        CU_ASSERT_TRUE(closed);
        CU_ASSERT_EQUAL(zmq_close(push), 0);
        CU_ASSERT_TRUE(term_within_5s(own));
        close(peer);
        close(listener);
        CU_ASSERT_EQUAL(new_fds(before), 0);
    }
}

int main(void)
{
    const struct test_case cases[] = {
        { "PUSH/PULL over tcp and ipc", test_push_pull },
        { "held messages stay intact over tcp and ipc",
          test_held_messages_stay_intact },
        { "REQ/REP over tcp and ipc", test_req_rep },
        { "DEALER/ROUTER over tcp and ipc", test_dealer_router },
        { "PUB/SUB over tcp and ipc", test_pub_sub },
        { "XPUB/XSUB over tcp and ipc", test_xpub_xsub },
        { "PAIR over tcp and ipc", test_pair },
        { "connect before bind", test_connect_before_bind },
        { "reconnect", test_reconnect },
        { "unbind and disconnect", test_unbind_disconnect },
        { "unbind ends the connections it accepted",
          test_unbind_ends_accepted },
        { "LINGER is read at close", test_linger_read_at_close },
        { "bad endpoints", test_bad_endpoints },
        { "STREAM serves a plain TCP client", test_stream_http },
        { "STREAM peer closes with output pending",
          test_stream_peer_closes_with_output_pending },
        { "STREAM connects with ZMQ_CONNECT_ROUTING_ID",
          test_stream_connect_routing_id },
        { "ZMTP 2.0 peers", test_zmtp_2_0_peer },
        { "SRCFD is the fd a message came in on", test_srcfd },
        { "accept filters", test_accept_filters },
        { "linger", test_linger },
        { "IMMEDIATE", test_immediate },
        { "RECONNECT_STOP on refusal", test_reconnect_stop },
        { "unbind takes the resolved endpoint", test_unbind_forms },
        { "IMMEDIATE disconnect lingers", test_immediate_disconnect_lingers },
        { "disconnect during a handshake", test_disconnect_during_handshake },
        { "ZMQ_BUSY_POLL on tcp fds", test_busy_poll },
        { "ZMQ_AFFINITY", test_affinity },
    };
    ctx = zmq_ctx_new();
    int status =
        test_run_suite("network", cases, sizeof cases / sizeof cases[0]);
    zmq_ctx_term(ctx);
    return status;
}
