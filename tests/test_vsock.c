/*
 * Traffic over the vsock and vmci plugins (AF_VSOCK), modzmq to modzmq,
 * always to VMADDR_CID_LOCAL (1) and never another CID, which would be
 * the hypervisor or another machine: a bind on "1:*" and a connect to
 * the port ZMQ_LAST_ENDPOINT reports, a large message, and vmci with its
 * ZMQ_VMCI_* options set. That needs the kernel's loopback transport
 * (vsock_loopback): without it, binding CID 1 fails and the suite exits
 * 77 (automake's SKIP) with the reason on stderr, before any connect;
 * the parsing, options and refusals are tests/test_afsock_addresses',
 * which runs everywhere.
 */
#include "testutil.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/vm_sockets.h>
#include <unistd.h>
#include <zmq.h>

enum { WAIT_MS = 5000, LARGE = 1 << 20 };

static void *ctx;

static void *new_pair(void)
{
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    if (s != NULL)
        test_set_int(s, ZMQ_LINGER, 0);
    return s;
}

/* Binds scheme://1:* and connects a second socket to the real port. */
static bool connected_pair(const char *scheme, void *server, void *client)
{
    char endpoint[64], last[64];
    snprintf(endpoint, sizeof endpoint, "%s://1:*", scheme);
    if (zmq_bind(server, endpoint) != 0)
        return false;
    size_t size = sizeof last;
    CU_ASSERT_EQUAL(zmq_getsockopt(server, ZMQ_LAST_ENDPOINT, last, &size), 0);
    snprintf(endpoint, sizeof endpoint, "%s://1:", scheme);
    unsigned port = 0;
    CU_ASSERT_EQUAL(strncmp(last, endpoint, strlen(endpoint)), 0);
    CU_ASSERT_EQUAL(sscanf(last + strlen(endpoint), "%u", &port), 1);
    CU_ASSERT_NOT_EQUAL(port, VMADDR_PORT_ANY);
    return zmq_connect(client, last) == 0;
}

static void exchange(void *a, void *b)
{
    CU_ASSERT(test_send(a, "over vsock", 0));
    CU_ASSERT(test_recv_is(b, "over vsock", WAIT_MS));
    CU_ASSERT(test_send(b, "and back", 0));
    CU_ASSERT(test_recv_is(a, "and back", WAIT_MS));
}

/* One message of LARGE bytes, byte i being i mod 251. */
static void large_message(void *from, void *to)
{
    char *data = malloc(LARGE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(data);
    for (size_t i = 0; i < LARGE; i++)
        data[i] = (char) (i % 251);
    CU_ASSERT_EQUAL(zmq_send(from, data, LARGE, 0), LARGE);
    test_set_int(to, ZMQ_RCVTIMEO, WAIT_MS);
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    CU_ASSERT_EQUAL(zmq_msg_recv(&msg, to, 0), LARGE);
    CU_ASSERT(zmq_msg_size(&msg) == LARGE &&
              memcmp(zmq_msg_data(&msg), data, LARGE) == 0);
    zmq_msg_close(&msg);
    free(data);
}

static void test_vsock(void)
{
    void *server = new_pair(), *client = new_pair();
    CU_ASSERT_FATAL(connected_pair("vsock", server, client));
    exchange(client, server);
    large_message(client, server);
    test_close(client);
    test_close(server);
}

static void test_vmci_with_options(void)
{
    void *server = new_pair(), *client = new_pair();
    uint64_t size = 128 * 1024, max = 512 * 1024;
    void *both[] = { server, client };
    for (int i = 0; i < 2; i++) {
        CU_ASSERT_EQUAL(zmq_setsockopt(both[i], ZMQ_VMCI_BUFFER_MAX_SIZE, &max,
                                       sizeof max),
                        0);
        CU_ASSERT_EQUAL(zmq_setsockopt(both[i], ZMQ_VMCI_BUFFER_SIZE, &size,
                                       sizeof size),
                        0);
        CU_ASSERT(test_set_int(both[i], ZMQ_VMCI_CONNECT_TIMEOUT, 2000));
    }
    CU_ASSERT_FATAL(connected_pair("vmci", server, client));
    exchange(client, server);
    large_message(server, client);
    test_close(client);
    test_close(server);
}

int main(void)
{
    int probe = socket(AF_VSOCK, SOCK_STREAM, 0);
    if (probe == -1) {
        fprintf(stderr, "test_vsock: skipped: no AF_VSOCK (%s)\n",
                strerror(errno));
        return 77;
    }
    struct sockaddr_vm local = { .svm_family = AF_VSOCK,
                                 .svm_cid = VMADDR_CID_LOCAL,
                                 .svm_port = VMADDR_PORT_ANY };
    if (bind(probe, (struct sockaddr *) &local, sizeof local) != 0) {
        fprintf(stderr, "test_vsock: skipped: no vsock loopback transport "
                        "(bind to VMADDR_CID_LOCAL: %s)\n",
                strerror(errno));
        close(probe);
        return 77;
    }
    close(probe);
    ctx = zmq_ctx_new();
    static const struct test_case tests[] = {
        { "vsock to CID 1", test_vsock },
        { "vmci to CID 1, with its options", test_vmci_with_options },
    };
    int rc = test_run_suite("vsock", tests, sizeof tests / sizeof tests[0]);
    zmq_ctx_term(ctx);
    return rc;
}
