/*
 * Messages: every zmq_msg_* function, ownership (free functions run once,
 * when the last copy goes), zero-copy sharing of large bodies, and the
 * errors for closed or never-initialised messages.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "testutil.h"
#include "zmq.h"

static int free_calls;
static void *free_hint_seen;

static void count_free(void *data, void *hint)
{
    free_calls++;
    free_hint_seen = hint;
    free(data);
}

static void test_init_empty(void)
{
    zmq_msg_t msg;
    CU_ASSERT_EQUAL(zmq_msg_init(&msg), 0);
    CU_ASSERT_EQUAL(zmq_msg_size(&msg), 0);
    CU_ASSERT_EQUAL(zmq_msg_more(&msg), 0);
    CU_ASSERT_EQUAL(zmq_msg_get(&msg, ZMQ_MORE), 0);
    CU_ASSERT_EQUAL(zmq_msg_get(&msg, ZMQ_SHARED), 0);
    CU_ASSERT_EQUAL(zmq_msg_close(&msg), 0);
}

static void test_init_size(void)
{
    size_t sizes[] = { 0, 1, 32, 33, 1000, 1 << 20 };
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        zmq_msg_t msg;
        CU_ASSERT_EQUAL_FATAL(zmq_msg_init_size(&msg, sizes[i]), 0);
        CU_ASSERT_EQUAL(zmq_msg_size(&msg), sizes[i]);
        CU_ASSERT_PTR_NOT_NULL(zmq_msg_data(&msg));
        memset(zmq_msg_data(&msg), 0x5a, sizes[i]);
        CU_ASSERT_EQUAL(zmq_msg_close(&msg), 0);
    }
}

/* Bodies over 32 bytes come from size classes of four steps per power of
 * two between 512 bytes and 1 MiB (core/buffer_cache.c), the block holding
 * a small header too. Bodies just below, at and above every step are
 * filled whole, twice (the second time from a block the cache kept): a
 * class too small for its sizes would show in the sanitizer build. The
 * bodies are then checked, so that two messages never share a block. */
static void test_init_size_every_class(void)
{
    enum { HOLD = 4 };
    zmq_msg_t held[HOLD];
    for (int i = 0; i < HOLD; i++)
        zmq_msg_init(&held[i]);
    int count = 0;
    bool intact = true;
    for (size_t power = 512; power < ((size_t) 1 << 20); power *= 2) {
        for (size_t step = 1; step <= 4; step++) {
            size_t edge = power + power / 4 * step;
            for (size_t size = edge - 80; size <= edge + 16; size += 16) {
                for (int round = 0; round < 2; round++) {
                    zmq_msg_t *msg = &held[count % HOLD];
                    zmq_msg_close(msg);
                    CU_ASSERT_EQUAL_FATAL(zmq_msg_init_size(msg, size), 0);
                    memset(zmq_msg_data(msg), count & 0xFF, size);
                    count++;
                    for (int i = 0; i < HOLD && i < count; i++) {
                        const unsigned char *p = zmq_msg_data(&held[i]);
                        size_t n = zmq_msg_size(&held[i]);
                        intact = intact && (n == 0 || (p[0] == p[n - 1]));
                    }
                }
            }
        }
    }
    CU_ASSERT_TRUE(intact);
    CU_ASSERT(count > 300);
    for (int i = 0; i < HOLD; i++)
        zmq_msg_close(&held[i]);
}

static void test_init_buffer_copies(void)
{
    char text[] = "copied bytes that outlive the buffer";
    zmq_msg_t msg;
    CU_ASSERT_EQUAL_FATAL(zmq_msg_init_buffer(&msg, text, sizeof text), 0);
    CU_ASSERT_PTR_NOT_EQUAL(zmq_msg_data(&msg), text);
    memset(text, 0, sizeof text);
    CU_ASSERT_STRING_EQUAL(zmq_msg_data(&msg),
                           "copied bytes that outlive the buffer");
    zmq_msg_close(&msg);
}

static void test_init_data_frees_once(void)
{
    free_calls = 0;
    int hint;
    char *data = strdup("owned by the message from now on");
    zmq_msg_t msg, copy;
    CU_ASSERT_EQUAL_FATAL(
        zmq_msg_init_data(&msg, data, strlen(data) + 1, count_free, &hint), 0);
    CU_ASSERT_PTR_EQUAL(zmq_msg_data(&msg), data);
    zmq_msg_init(&copy);
    CU_ASSERT_EQUAL(zmq_msg_copy(&copy, &msg), 0);
    CU_ASSERT_PTR_EQUAL(zmq_msg_data(&copy), data);
    zmq_msg_close(&msg);
    CU_ASSERT_EQUAL(free_calls, 0);
    zmq_msg_close(&copy);
    CU_ASSERT_EQUAL(free_calls, 1);
    CU_ASSERT_PTR_EQUAL(free_hint_seen, &hint);
}

static void test_init_data_without_free_is_constant(void)
{
    static const char text[] = "constant";
    zmq_msg_t msg;
    CU_ASSERT_EQUAL_FATAL(
        zmq_msg_init_data(&msg, (void *) text, sizeof text, NULL, NULL), 0);
    CU_ASSERT_PTR_EQUAL(zmq_msg_data(&msg), text);
    CU_ASSERT_EQUAL(zmq_msg_size(&msg), sizeof text);
    zmq_msg_close(&msg);
}

static void test_copy_shares_large_and_copies_small(void)
{
    zmq_msg_t big, big_copy, small, small_copy;
    zmq_msg_init_size(&big, 4096);
    memset(zmq_msg_data(&big), 'b', 4096);
    zmq_msg_init(&big_copy);
    CU_ASSERT_EQUAL(zmq_msg_copy(&big_copy, &big), 0);
    CU_ASSERT_PTR_EQUAL(zmq_msg_data(&big_copy), zmq_msg_data(&big));
    CU_ASSERT_EQUAL(zmq_msg_get(&big, ZMQ_SHARED), 1);
    CU_ASSERT_EQUAL(zmq_msg_get(&big_copy, ZMQ_SHARED), 1);
    zmq_msg_close(&big);
    /* The copy still owns the body. */
    CU_ASSERT_EQUAL(((char *) zmq_msg_data(&big_copy))[4095], 'b');
    zmq_msg_close(&big_copy);

    zmq_msg_init_buffer(&small, "tiny", 4);
    zmq_msg_init(&small_copy);
    CU_ASSERT_EQUAL(zmq_msg_copy(&small_copy, &small), 0);
    CU_ASSERT_EQUAL(zmq_msg_size(&small_copy), 4);
    CU_ASSERT_EQUAL(memcmp(zmq_msg_data(&small_copy), "tiny", 4), 0);
    zmq_msg_close(&small);
    zmq_msg_close(&small_copy);
}

static void test_move(void)
{
    zmq_msg_t src, dst;
    zmq_msg_init_buffer(&src, "payload", 7);
    zmq_msg_init_buffer(&dst, "old contents are released", 25);
    CU_ASSERT_EQUAL(zmq_msg_move(&dst, &src), 0);
    CU_ASSERT_EQUAL(zmq_msg_size(&dst), 7);
    CU_ASSERT_EQUAL(memcmp(zmq_msg_data(&dst), "payload", 7), 0);
    CU_ASSERT_EQUAL(zmq_msg_size(&src), 0);
    CU_ASSERT_EQUAL(zmq_msg_close(&src), 0);
    CU_ASSERT_EQUAL(zmq_msg_close(&dst), 0);
}

static void test_closed_and_garbage_messages(void)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    zmq_msg_close(&msg);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_msg_close(&msg), -1);
    CU_ASSERT_EQUAL(errno, EFAULT);

    zmq_msg_t zeroed;
    memset(&zeroed, 0, sizeof zeroed);
    zmq_msg_t ok;
    zmq_msg_init(&ok);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_msg_copy(&ok, &zeroed), -1);
    CU_ASSERT_EQUAL(errno, EFAULT);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_msg_move(&zeroed, &ok), -1);
    CU_ASSERT_EQUAL(errno, EFAULT);
    zmq_msg_close(&ok);
}

static void test_properties(void)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_msg_get(&msg, 12345), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_msg_set(&msg, ZMQ_MORE, 1), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    errno = 0;
    CU_ASSERT_PTR_NULL(zmq_msg_gets(&msg, "Socket-Type"));
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_EQUAL(zmq_msg_get(&msg, ZMQ_SRCFD), -1);

    CU_ASSERT_EQUAL(zmq_msg_routing_id(&msg), 0);
    CU_ASSERT_EQUAL(zmq_msg_set_routing_id(&msg, 42), 0);
    CU_ASSERT_EQUAL(zmq_msg_routing_id(&msg), 42);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_msg_set_routing_id(&msg, 0), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);

    CU_ASSERT_STRING_EQUAL(zmq_msg_group(&msg), "");
    CU_ASSERT_EQUAL(zmq_msg_set_group(&msg, "weather"), 0);
    CU_ASSERT_STRING_EQUAL(zmq_msg_group(&msg), "weather");
    /* ZMQ_GROUP_MAX_LENGTH (255) octets are a group, 256 are not. */
    char group[ZMQ_GROUP_MAX_LENGTH + 2];
    memset(group, 'g', sizeof group - 1);
    group[sizeof group - 1] = '\0';
    errno = 0;
    CU_ASSERT_EQUAL(zmq_msg_set_group(&msg, group), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_STRING_EQUAL(zmq_msg_group(&msg), "weather");
    group[ZMQ_GROUP_MAX_LENGTH] = '\0';
    CU_ASSERT_EQUAL(zmq_msg_set_group(&msg, group), 0);
    CU_ASSERT_STRING_EQUAL(zmq_msg_group(&msg), group);
    zmq_msg_close(&msg);
}

/* A group over the 15 octets kept inline lives out of line, shared by
 * copies: each copy reads it after the others are closed or replaced,
 * and a move carries it. (Leaks show under the sanitizer CI build.) */
static void test_long_groups(void)
{
    char group[ZMQ_GROUP_MAX_LENGTH + 1];
    for (size_t i = 0; i < ZMQ_GROUP_MAX_LENGTH; i++)
        group[i] = (char) ('a' + i % 26);
    group[ZMQ_GROUP_MAX_LENGTH] = '\0';
    zmq_msg_t a, b, c, d;
    CU_ASSERT_EQUAL_FATAL(zmq_msg_init_size(&a, 100), 0);
    CU_ASSERT_EQUAL(zmq_msg_set_group(&a, group), 0);
    CU_ASSERT_EQUAL(zmq_msg_set_group(&a, group + 200), 0);
    CU_ASSERT_STRING_EQUAL(zmq_msg_group(&a), group + 200);
    CU_ASSERT_EQUAL(zmq_msg_set_group(&a, group), 0);
    zmq_msg_init(&b);
    zmq_msg_init(&c);
    zmq_msg_init(&d);
    CU_ASSERT_EQUAL(zmq_msg_copy(&b, &a), 0);
    CU_ASSERT_EQUAL(zmq_msg_copy(&c, &a), 0);
    CU_ASSERT_EQUAL(zmq_msg_move(&d, &c), 0);
    CU_ASSERT_STRING_EQUAL(zmq_msg_group(&c), "");
    zmq_msg_close(&a);
    CU_ASSERT_STRING_EQUAL(zmq_msg_group(&b), group);
    /* Replacing b's group leaves d's, which it shared, alone. */
    CU_ASSERT_EQUAL(zmq_msg_set_group(&b, "short"), 0);
    CU_ASSERT_STRING_EQUAL(zmq_msg_group(&b), "short");
    CU_ASSERT_STRING_EQUAL(zmq_msg_group(&d), group);
    CU_ASSERT_EQUAL(strlen(zmq_msg_group(&d)), ZMQ_GROUP_MAX_LENGTH);
    zmq_msg_close(&b);
    zmq_msg_close(&c);
    zmq_msg_close(&d);

    /* Copied onto a message that holds a long group of its own. */
    zmq_msg_init(&a);
    zmq_msg_init(&b);
    CU_ASSERT_EQUAL(zmq_msg_set_group(&a, group), 0);
    CU_ASSERT_EQUAL(zmq_msg_set_group(&b, group + 100), 0);
    CU_ASSERT_EQUAL(zmq_msg_copy(&b, &a), 0);
    zmq_msg_close(&a);
    CU_ASSERT_STRING_EQUAL(zmq_msg_group(&b), group);
    zmq_msg_close(&b);
}

/* A connected PAIR over inproc, for the tests that move messages. */
struct pair {
    void *ctx, *a, *b;
};

static void pair_open(struct pair *p)
{
    p->ctx = zmq_ctx_new();
    p->a = zmq_socket(p->ctx, ZMQ_PAIR);
    p->b = zmq_socket(p->ctx, ZMQ_PAIR);
    CU_ASSERT_EQUAL(zmq_bind(p->a, "inproc://msg"), 0);
    CU_ASSERT_EQUAL(zmq_connect(p->b, "inproc://msg"), 0);
}

static void pair_close(struct pair *p)
{
    test_close(p->a);
    test_close(p->b);
    CU_ASSERT_EQUAL(zmq_ctx_term(p->ctx), 0);
}

static void test_send_recv_msg(void)
{
    struct pair p;
    pair_open(&p);
    zmq_msg_t out, in;
    zmq_msg_init_buffer(&out, "first", 5);
    CU_ASSERT_EQUAL(zmq_msg_send(&out, p.a, ZMQ_SNDMORE), 5);
    CU_ASSERT_EQUAL(zmq_msg_size(&out), 0); /* emptied by a successful send */
    zmq_msg_init_buffer(&out, "second", 6);
    CU_ASSERT_EQUAL(zmq_sendmsg(p.a, &out, 0), 6);
    zmq_msg_close(&out);

    zmq_msg_init(&in);
    CU_ASSERT_EQUAL(zmq_msg_recv(&in, p.b, 0), 5);
    CU_ASSERT_EQUAL(zmq_msg_more(&in), 1);
    CU_ASSERT_EQUAL(zmq_msg_get(&in, ZMQ_MORE), 1);
    CU_ASSERT_EQUAL(test_get_int(p.b, ZMQ_RCVMORE), 1);
    CU_ASSERT_EQUAL(zmq_recvmsg(p.b, &in, 0), 6);
    CU_ASSERT_EQUAL(memcmp(zmq_msg_data(&in), "second", 6), 0);
    CU_ASSERT_EQUAL(zmq_msg_more(&in), 0);
    CU_ASSERT_EQUAL(test_get_int(p.b, ZMQ_RCVMORE), 0);
    zmq_msg_close(&in);
    pair_close(&p);
}

/* Large bodies and constant buffers cross inproc without being copied. */
static void test_zero_copy_over_inproc(void)
{
    struct pair p;
    pair_open(&p);
    zmq_msg_t out, in;
    size_t size = 10 * 1024 * 1024;
    zmq_msg_init_size(&out, size);
    void *body = zmq_msg_data(&out);
    memset(body, 7, size);
    CU_ASSERT_EQUAL(zmq_msg_send(&out, p.a, 0), (int) size);
    zmq_msg_init(&in);
    CU_ASSERT_EQUAL(zmq_msg_recv(&in, p.b, 0), (int) size);
    CU_ASSERT_PTR_EQUAL(zmq_msg_data(&in), body);
    zmq_msg_close(&in);

    static const char constant[] = "a constant buffer";
    CU_ASSERT_EQUAL(zmq_send_const(p.a, constant, sizeof constant, 0),
                    (int) sizeof constant);
    zmq_msg_init(&in);
    CU_ASSERT_EQUAL(zmq_msg_recv(&in, p.b, 0), (int) sizeof constant);
    CU_ASSERT_PTR_EQUAL(zmq_msg_data(&in), constant);
    zmq_msg_close(&in);
    pair_close(&p);
}

/* The free function of a sent message runs when the receiver closes it. */
static void test_free_fn_runs_after_receiver_closes(void)
{
    struct pair p;
    pair_open(&p);
    free_calls = 0;
    zmq_msg_t out, in;
    zmq_msg_init_data(&out, strdup("travelling"), 11, count_free, NULL);
    CU_ASSERT_EQUAL(zmq_msg_send(&out, p.a, 0), 11);
    CU_ASSERT_EQUAL(free_calls, 0);
    zmq_msg_init(&in);
    CU_ASSERT_EQUAL(zmq_msg_recv(&in, p.b, 0), 11);
    CU_ASSERT_EQUAL(free_calls, 0);
    zmq_msg_close(&in);
    CU_ASSERT_EQUAL(free_calls, 1);
    pair_close(&p);
}

static void test_recv_truncates(void)
{
    struct pair p;
    pair_open(&p);
    CU_ASSERT_TRUE(test_send(p.a, "0123456789", 0));
    char buf[4];
    CU_ASSERT_EQUAL(zmq_recv(p.b, buf, sizeof buf, 0), 10);
    CU_ASSERT_EQUAL(memcmp(buf, "0123", 4), 0);
    pair_close(&p);
}

static void test_iov(void)
{
    struct pair p;
    pair_open(&p);
    struct iovec out[3] = {
        { .iov_base = "one", .iov_len = 3 },
        { .iov_base = "", .iov_len = 0 },
        { .iov_base = "three", .iov_len = 5 },
    };
    CU_ASSERT_EQUAL(zmq_sendiov(p.a, out, 3, ZMQ_SNDMORE), 5);
    struct iovec in[8];
    size_t count = 8;
    CU_ASSERT_EQUAL(zmq_recviov(p.b, in, &count, 0), 3);
    CU_ASSERT_EQUAL(count, 3);
    CU_ASSERT_EQUAL(in[0].iov_len, 3);
    CU_ASSERT_EQUAL(in[1].iov_len, 0);
    CU_ASSERT_EQUAL(in[2].iov_len, 5);
    CU_ASSERT_EQUAL(memcmp(in[2].iov_base, "three", 5), 0);
    for (size_t i = 0; i < count; i++)
        free(in[i].iov_base);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_sendiov(p.a, NULL, 1, 0), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    count = 0;
    errno = 0;
    CU_ASSERT_EQUAL(zmq_recviov(p.b, in, &count, 0), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    pair_close(&p);
}

static void test_bad_socket_for_messages(void)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_msg_send(&msg, NULL, 0), -1);
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_msg_recv(&msg, NULL, 0), -1);
    CU_ASSERT_EQUAL(errno, ENOTSOCK);
    zmq_msg_close(&msg);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "init gives an empty message", test_init_empty },
        { "init_size small and large", test_init_size },
        { "init_size at every size class of large bodies",
          test_init_size_every_class },
        { "init_buffer copies", test_init_buffer_copies },
        { "init_data frees once, after the last copy",
          test_init_data_frees_once },
        { "init_data without free function is constant",
          test_init_data_without_free_is_constant },
        { "copy shares large bodies, copies small ones",
          test_copy_shares_large_and_copies_small },
        { "move", test_move },
        { "closed and garbage messages give EFAULT",
          test_closed_and_garbage_messages },
        { "properties, routing id, group", test_properties },
        { "long groups are shared by copies", test_long_groups },
        { "msg_send and msg_recv, multipart", test_send_recv_msg },
        { "zero copy over inproc", test_zero_copy_over_inproc },
        { "free function runs after the receiver closes",
          test_free_fn_runs_after_receiver_closes },
        { "recv truncates and returns the full size", test_recv_truncates },
        { "sendiov and recviov", test_iov },
        { "bad socket gives ENOTSOCK", test_bad_socket_for_messages },
    };
    return test_run_suite("msg", tests, sizeof tests / sizeof tests[0]);
}
