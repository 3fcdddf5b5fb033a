/*
 * Traffic over the tipc plugin (AF_TIPC): modzmq to modzmq over a service
 * range and over the port id a "<*>" bind reports in ZMQ_LAST_ENDPOINT,
 * and against libzmq 4.3.4 (pyzmq, which Debian builds with tipc) in
 * both roles. A kernel without TIPC cannot carry any of it: the suite
 * then exits 77 (automake's SKIP) with the reason on stderr; the parsing,
 * formatting and refusals are tests/test_afsock_addresses', which runs
 * everywhere.
 */
#include "peer.h"
#include "testutil.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/tipc.h>
#include <unistd.h>
#include <zmq.h>

enum { WAIT_MS = 5000 };

/* Service types of this run, apart from other runs'. */
static unsigned service_type(unsigned which)
{
    return 20000u + (unsigned) (getpid() % 10000) * 4u + which;
}

static void *ctx;

static void *new_pair(void)
{
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    if (s != NULL)
        test_set_int(s, ZMQ_LINGER, 0);
    return s;
}

static void last_endpoint(void *s, char *text, size_t size)
{
    text[0] = '\0';
    CU_ASSERT_EQUAL(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, text, &size), 0);
}

static void exchange(void *a, void *b)
{
    CU_ASSERT(test_send(a, "over tipc", 0));
    CU_ASSERT(test_recv_is(b, "over tipc", WAIT_MS));
    CU_ASSERT(test_send(b, "and back", 0));
    CU_ASSERT(test_recv_is(a, "and back", WAIT_MS));
}

/* A service range, reached by a service address in it. */
static void test_service_range(void)
{
    void *server = new_pair(), *client = new_pair();
    unsigned type = service_type(0);
    char endpoint[96], expected[96], last[96];
    snprintf(endpoint, sizeof endpoint, "tipc://{%u,0,10}", type);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(server, endpoint), 0);
    last_endpoint(server, last, sizeof last);
    snprintf(expected, sizeof expected, "tipc://{%u, 0, 10}", type);
    CU_ASSERT_STRING_EQUAL(last, expected);
    snprintf(endpoint, sizeof endpoint, "tipc://{%u,5}@0.0.0", type);
    CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
    exchange(client, server);
    CU_ASSERT_EQUAL(zmq_unbind(server, last), 0);
    test_close(client);
    test_close(server);
}

/* "<*>": the kernel's port id, which ZMQ_LAST_ENDPOINT names. */
static void test_port_id(void)
{
    void *server = new_pair(), *client = new_pair();
    CU_ASSERT_EQUAL_FATAL(zmq_bind(server, "tipc://<*>"), 0);
    char last[96];
    last_endpoint(server, last, sizeof last);
    unsigned z, c, n, ref;
    char end;
    CU_ASSERT_EQUAL(
        sscanf(last, "tipc://<%u.%u.%u:%u%c", &z, &c, &n, &ref, &end), 5);
    CU_ASSERT_EQUAL(end, '>');
    CU_ASSERT_EQUAL(zmq_connect(client, last), 0);
    exchange(client, server);
    test_close(client);
    test_close(server);
}

static bool peer_ok(const char *answer)
{
    return answer != NULL && strncmp(answer, "ok", 2) == 0;
}

/* libzmq 4.3.4 binds a range, modzmq connects; then modzmq binds "<*>"
 * and libzmq connects to its port id. */
static void test_libzmq_peer(void)
{
    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    char hex[64];
    CU_ASSERT(peer_ok(test_peer_ask(peer, "socket PAIR")));
    unsigned type = service_type(1);
    const char *answer = test_peer_ask(peer, "bind tipc://{%u,0,0}", type);
    CU_ASSERT(peer_ok(answer));
    void *ours = new_pair();
    char endpoint[96];
    snprintf(endpoint, sizeof endpoint, "tipc://{%u,0}@0.0.0", type);
    CU_ASSERT_EQUAL(zmq_connect(ours, endpoint), 0);
    CU_ASSERT(test_send(ours, "to libzmq", 0));
    test_peer_part(hex, "to libzmq", 9);
    answer = test_peer_ask(peer, "recv");
    CU_ASSERT_PTR_NOT_NULL(answer);
    if (answer != NULL)
        CU_ASSERT_STRING_EQUAL(answer + strlen("msg "), hex);
    test_peer_part(hex, "from libzmq", 11);
    CU_ASSERT(peer_ok(test_peer_ask(peer, "send %s", hex)));
    CU_ASSERT(test_recv_is(ours, "from libzmq", WAIT_MS));
    test_close(ours);
    test_peer_stop(peer);

    peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    ours = new_pair();
    CU_ASSERT_EQUAL_FATAL(zmq_bind(ours, "tipc://<*>"), 0);
    char last[96];
    last_endpoint(ours, last, sizeof last);
    CU_ASSERT(peer_ok(test_peer_ask(peer, "socket PAIR")));
    CU_ASSERT(peer_ok(test_peer_ask(peer, "connect %s", last)));
    test_peer_part(hex, "hello", 5);
    CU_ASSERT(peer_ok(test_peer_ask(peer, "send %s", hex)));
    CU_ASSERT(test_recv_is(ours, "hello", WAIT_MS));
    test_close(ours);
    test_peer_stop(peer);
}

int main(void)
{
    int probe = socket(AF_TIPC, SOCK_STREAM, 0);
    if (probe == -1) {
        fprintf(stderr, "test_tipc: skipped: this kernel has no TIPC "
                        "(socket(AF_TIPC): %s)\n",
                strerror(errno));
        return 77;
    }
    close(probe);
    ctx = zmq_ctx_new();
    static const struct test_case tests[] = {
        { "service range", test_service_range },
        { "port id after <*>", test_port_id },
        { "libzmq 4.3.4 peer", test_libzmq_peer },
    };
    int rc = test_run_suite("tipc", tests, sizeof tests / sizeof tests[0]);
    zmq_ctx_term(ctx);
    return rc;
}
