/*
 * CUnit tests of the tipc, vsock and vmci plugins that need no traffic,
 * so that they run on every kernel: their address parsers and endpoint
 * strings (the plugins' files compiled in, as tests/test_udp_transport
 * does for udp), the ZMQ_VMCI_* options (stored by the core, set by the
 * vmci plugin on its fds, read back from a listening AF_VSOCK fd), and
 * what zmq_bind and zmq_connect answer through the API: EINVAL for a
 * malformed address, the kernel's errno at once when it lacks the family
 * or the CID. No case connects anywhere: a vsock connect is only ever
 * made to VMADDR_CID_LOCAL, by tests/test_vsock, when a loopback
 * transport exists.
 */
#include "testutil.h"
#include "transport_harness.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <zmq.h>

#include "tipc_address.h"
#include "vmci_options.h"
#include "vsock_address.h"

/* ---- tipc addresses ---------------------------------------------------- */

static void test_tipc_forms(void)
{
    struct tipc_address a;
    CU_ASSERT_EQUAL_FATAL(tipc_address_parse("{5555,0,100}", &a), 0);
    CU_ASSERT_EQUAL(a.sa.family, AF_TIPC);
    CU_ASSERT_EQUAL(a.sa.addrtype, TIPC_ADDR_NAMESEQ);
    CU_ASSERT_EQUAL(a.sa.scope, TIPC_ZONE_SCOPE);
    CU_ASSERT_EQUAL(a.sa.addr.nameseq.type, 5555);
    CU_ASSERT_EQUAL(a.sa.addr.nameseq.lower, 0);
    CU_ASSERT_EQUAL(a.sa.addr.nameseq.upper, 100);
    CU_ASSERT_FALSE(a.random);

    /* A service address: libzmq's default domain is zone 1. */
    CU_ASSERT_EQUAL_FATAL(tipc_address_parse("{5555,50}", &a), 0);
    CU_ASSERT_EQUAL(a.sa.addrtype, TIPC_ADDR_NAME);
    CU_ASSERT_EQUAL(a.sa.addr.name.name.type, 5555);
    CU_ASSERT_EQUAL(a.sa.addr.name.name.instance, 50);
    CU_ASSERT_EQUAL(a.sa.addr.name.domain, 1u << 24);
    CU_ASSERT_EQUAL_FATAL(tipc_address_parse("{5555,50}@0.0.0", &a), 0);
    CU_ASSERT_EQUAL(a.sa.addr.name.domain, 0);
    CU_ASSERT_EQUAL_FATAL(tipc_address_parse("{5555,50}@1.2.3", &a), 0);
    CU_ASSERT_EQUAL(a.sa.addr.name.domain, (1u << 24) | (2u << 12) | 3u);

    CU_ASSERT_EQUAL_FATAL(tipc_address_parse("<1.2.3:4>", &a), 0);
    CU_ASSERT_EQUAL(a.sa.addrtype, TIPC_ADDR_ID);
    CU_ASSERT_EQUAL(a.sa.addr.id.node, (1u << 24) | (2u << 12) | 3u);
    CU_ASSERT_EQUAL(a.sa.addr.id.ref, 4);
    CU_ASSERT_FALSE(a.random);
    CU_ASSERT_EQUAL_FATAL(tipc_address_parse("<*>", &a), 0);
    CU_ASSERT_TRUE(a.random);
    CU_ASSERT_EQUAL(a.sa.addrtype, TIPC_ADDR_ID);

    /* What libzmq 4.3.4 also takes: spaces before numbers, the lowest
     * user type in a range, a domain after any form. */
    CU_ASSERT_EQUAL(tipc_address_parse("{5555, 0, 100}", &a), 0);
    CU_ASSERT_EQUAL(tipc_address_parse("{ 5555,1}", &a), 0);
    CU_ASSERT_EQUAL(tipc_address_parse("{64,0,0}", &a), 0);
    CU_ASSERT_EQUAL(tipc_address_parse("{65,1}", &a), 0);
    CU_ASSERT_EQUAL(tipc_address_parse("{5555,1,2}@1.1.1", &a), 0);
    CU_ASSERT_EQUAL(tipc_address_parse("<1.2.3:4>@0.0.0", &a), 0);
    CU_ASSERT_EQUAL(tipc_address_parse("{4294967295,0,4294967295}", &a), 0);
}

static void test_tipc_malformed(void)
{
    /* Every one refused by libzmq 4.3.4 too, except the last group. */
    static const char *const bad[] = {
        "", "5555", "{5555}", "{5555,100,0}", "{63,0,0}", "{64,1}",
        "{5555,50}@1.2", "{5555,50}@1.2.3x", "<1.2.3>", " {5555,0,0}",
        "{5555,0,0", "<1.2.3:>", "{5555 ,0}",
        /* libzmq takes these by sscanf's leniency; refused here */
        "{5555,0,0}junk", "{-1,0,0}", "{5555,0,0,0}", "{4294967296,0,0}",
        "<256.0.0:1>", "<1.4096.0:1>", "<*>junk", "{5555,50}@1.2.3@1.2.3",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct tipc_address a;
        errno = 0;
        int rc = tipc_address_parse(bad[i], &a);
        if (rc != -1 || errno != EINVAL)
            fprintf(stderr, "\"%s\": rc %d errno %d\n", bad[i], rc, errno);
        CU_ASSERT_EQUAL(rc, -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
    }
}

/* The endpoint strings, as libzmq 4.3.4 writes them (its
 * ZMQ_LAST_ENDPOINT after a connect shows them). A range's and a port
 * id's, which a bind reports, parse again to the same address; a service
 * address is written with its domain as a third number, as libzmq does,
 * which reads back as a range (or not at all). */
static void test_tipc_format(void)
{
    static const struct {
        const char *address, *written;
        bool reparses;
    } cases[] = {
        { "{5555,0,100}", "tipc://{5555, 0, 100}", true },
        { "{5555,50}", "tipc://{5555, 50, 16777216}", false },
        { "{5555,50}@0.0.0", "tipc://{5555, 50, 0}", false },
        { "<1.2.3:4>", "tipc://<1.2.3:4>", true },
        { "<255.4095.4095:4294967295>", "tipc://<255.4095.4095:4294967295>",
          true },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tipc_address a, again;
        char text[96];
        CU_ASSERT_EQUAL_FATAL(tipc_address_parse(cases[i].address, &a), 0);
        int length = tipc_address_format(&a.sa, text, sizeof text);
        CU_ASSERT_EQUAL(length, (int) strlen(cases[i].written));
        CU_ASSERT_STRING_EQUAL(text, cases[i].written);
        if (cases[i].reparses) {
            CU_ASSERT_EQUAL(
                tipc_address_parse(text + strlen("tipc://"), &again), 0);
            CU_ASSERT_EQUAL(memcmp(&again.sa, &a.sa, sizeof a.sa), 0);
        }
        errno = 0;
        CU_ASSERT_EQUAL(tipc_address_format(&a.sa, text, (size_t) length), -1);
        CU_ASSERT_EQUAL(errno, ENOSPC);
    }
}

/* ---- vsock and vmci addresses ----------------------------------------- */

static void test_vsock_forms(void)
{
    struct sockaddr_vm a;
    CU_ASSERT_EQUAL_FATAL(vsock_address_parse("1:5555", false, &a), 0);
    CU_ASSERT_EQUAL(a.svm_family, AF_VSOCK);
    CU_ASSERT_EQUAL(a.svm_cid, VMADDR_CID_LOCAL);
    CU_ASSERT_EQUAL(a.svm_port, 5555);
    CU_ASSERT_EQUAL_FATAL(vsock_address_parse("*:*", true, &a), 0);
    CU_ASSERT_EQUAL(a.svm_cid, VMADDR_CID_ANY);
    CU_ASSERT_EQUAL(a.svm_port, VMADDR_PORT_ANY);
    /* libzmq's other spelling of a wildcard. */
    CU_ASSERT_EQUAL_FATAL(vsock_address_parse("-1:-1", true, &a), 0);
    CU_ASSERT_EQUAL(a.svm_cid, VMADDR_CID_ANY);
    CU_ASSERT_EQUAL(a.svm_port, VMADDR_PORT_ANY);
    CU_ASSERT_EQUAL_FATAL(vsock_address_parse("4294967294:4294967294", false,
                                              &a),
                          0);
    CU_ASSERT_EQUAL(a.svm_cid, 4294967294u);

    /* "@": this machine's CID, or ENODEV when the driver cannot say. */
    errno = 0;
    int rc = vsock_address_parse("@:5555", true, &a);
    CU_ASSERT(rc == 0 || errno == ENODEV);
    if (rc == 0) {
        CU_ASSERT_NOT_EQUAL(a.svm_cid, VMADDR_CID_ANY);
        CU_ASSERT_EQUAL(a.svm_port, 5555);
    }
}

static void test_vsock_malformed(void)
{
    static const struct {
        const char *address;
        bool bind;
    } bad[] = {
        { "", true },        { "1", true },        { ":5555", true },
        { "1:", true },      { "x:5555", true },   { "1:55x", true },
        { "1x:5555", true }, { "4294967296:1", true },
        { "1:4294967296", true }, { "+1:5555", true }, { "1: 5555", true },
        { "[1]:5555", true }, { "1:2:3", true },
        /* wildcards only bind */
        { "*:5555", false }, { "1:*", false }, { "-1:5555", false },
        { "1:-1", false },   { "*:*", false },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct sockaddr_vm a;
        errno = 0;
        int rc = vsock_address_parse(bad[i].address, bad[i].bind, &a);
        if (rc != -1 || errno != EINVAL)
            fprintf(stderr, "\"%s\": rc %d errno %d\n", bad[i].address, rc,
                    errno);
        CU_ASSERT_EQUAL(rc, -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
    }
}

static void test_vsock_format(void)
{
    struct sockaddr_vm a = { .svm_family = AF_VSOCK,
                             .svm_cid = VMADDR_CID_ANY,
                             .svm_port = 41234 };
    char text[64];
    CU_ASSERT_EQUAL(vsock_address_format("vsock", &a, text, sizeof text),
                    (int) strlen("vsock://*:41234"));
    CU_ASSERT_STRING_EQUAL(text, "vsock://*:41234");
    a.svm_cid = 1;
    a.svm_port = VMADDR_PORT_ANY;
    CU_ASSERT(vsock_address_format("vmci", &a, text, sizeof text) > 0);
    CU_ASSERT_STRING_EQUAL(text, "vmci://1:*");
    errno = 0;
    CU_ASSERT_EQUAL(vsock_address_format("vmci", &a, text, 10), -1);
    CU_ASSERT_EQUAL(errno, ENOSPC);
}

/* ---- the VMCI options -------------------------------------------------- */

/* The core stores them (libzmq's defaults: 0 and -1, the kernel's values
 * left alone), with libzmq's sizes. */
static void test_vmci_options_stored(void)
{
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    static const int sizes[] = { ZMQ_VMCI_BUFFER_SIZE,
                                 ZMQ_VMCI_BUFFER_MIN_SIZE,
                                 ZMQ_VMCI_BUFFER_MAX_SIZE };
    for (size_t i = 0; i < 3; i++) {
        uint64_t value = 99;
        size_t size = sizeof value;
        CU_ASSERT_EQUAL(zmq_getsockopt(s, sizes[i], &value, &size), 0);
        CU_ASSERT_EQUAL(value, 0);
        value = 100000 + i;
        CU_ASSERT_EQUAL(zmq_setsockopt(s, sizes[i], &value, sizeof value), 0);
        value = 0;
        CU_ASSERT_EQUAL(zmq_getsockopt(s, sizes[i], &value, &size), 0);
        CU_ASSERT_EQUAL(value, 100000 + i);
        int small = 1;
        errno = 0;
        CU_ASSERT_EQUAL(zmq_setsockopt(s, sizes[i], &small, sizeof small), -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
    }
    CU_ASSERT_EQUAL(test_get_int(s, ZMQ_VMCI_CONNECT_TIMEOUT), -1);
    CU_ASSERT_TRUE(test_set_int(s, ZMQ_VMCI_CONNECT_TIMEOUT, 1500));
    CU_ASSERT_EQUAL(test_get_int(s, ZMQ_VMCI_CONNECT_TIMEOUT), 1500);
    test_close(s);
    zmq_ctx_term(ctx);
}

static void set_vmci_sizes(uint64_t size, uint64_t min, uint64_t max,
                           int timeout)
{
    harness_set_bytes(ZMQ_VMCI_BUFFER_SIZE, &size, sizeof size);
    harness_set_bytes(ZMQ_VMCI_BUFFER_MIN_SIZE, &min, sizeof min);
    harness_set_bytes(ZMQ_VMCI_BUFFER_MAX_SIZE, &max, sizeof max);
    harness_set_int(ZMQ_VMCI_CONNECT_TIMEOUT, timeout);
}

static uint64_t vsock_size(int fd, int name)
{
    unsigned long long value = 0;
    socklen_t length = sizeof value;
    if (getsockopt(fd, AF_VSOCK, name, &value, &length) != 0)
        return 0;
    return value;
}

/* A vmci listener's fd carries the options (its connections take them
 * from it); a vsock listener's does not, the pages giving them to vmci
 * only. Listening on "*:*" needs no transport, only AF_VSOCK. */
static void listen_with_vmci_options(const char *path, const char *module,
                                     bool applied)
{
    const struct modzmq_transport_ops *ops = harness_load(path, module);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
    harness_options_reset();
    set_vmci_sizes(100000, 4096, 200000, 2500);
    struct harness_listener l = { 0 };
    if (!harness_listen("*:*", &l)) {
        CU_ASSERT_EQUAL(errno, EAFNOSUPPORT);
        fprintf(stderr, "%s: no AF_VSOCK here (%s): options not checked\n",
                module, strerror(errno));
        harness_unlisten(&l);
        harness_unload();
        return;
    }
    char prefix[16];
    snprintf(prefix, sizeof prefix, "%s://*:", module + strlen("modzmq_"));
    CU_ASSERT_EQUAL(strncmp(l.name, prefix, strlen(prefix)), 0);
    CU_ASSERT_NOT_EQUAL(strcmp(l.name + strlen(prefix), "*"), 0);
    uint64_t size = vsock_size(l.fd, SO_VM_SOCKETS_BUFFER_SIZE);
    struct timeval timeout = { 0 };
    socklen_t length = sizeof timeout;
    CU_ASSERT_EQUAL(getsockopt(l.fd, AF_VSOCK, SO_VM_SOCKETS_CONNECT_TIMEOUT,
                               &timeout, &length),
                    0);
    if (applied) {
        CU_ASSERT_EQUAL(size, 100000);
        CU_ASSERT_EQUAL(vsock_size(l.fd, SO_VM_SOCKETS_BUFFER_MIN_SIZE), 4096);
        CU_ASSERT_EQUAL(vsock_size(l.fd, SO_VM_SOCKETS_BUFFER_MAX_SIZE),
                        200000);
        CU_ASSERT_EQUAL(timeout.tv_sec, 2);
        CU_ASSERT_EQUAL(timeout.tv_usec, 500000);
    } else {
        CU_ASSERT_NOT_EQUAL(size, 100000);
        CU_ASSERT_FALSE(timeout.tv_sec == 2 && timeout.tv_usec == 500000);
    }
    harness_unlisten(&l);
    harness_options_reset();
    harness_unload();
}

static void test_vmci_options_applied(void)
{
    listen_with_vmci_options(VMCI_MODULE_PATH, "modzmq_vmci", true);
    listen_with_vmci_options(VSOCK_MODULE_PATH, "modzmq_vsock", false);
}

/* The bounds go first, so that a size outside the kernel's old bounds
 * is kept; zeros leave the kernel's values. */
static void test_vmci_options_order(void)
{
    int fd = socket(AF_VSOCK, SOCK_STREAM, 0);
    if (fd == -1) {
        CU_ASSERT_EQUAL(errno, EAFNOSUPPORT);
        fprintf(stderr, "no AF_VSOCK here: option order not checked\n");
        return;
    }
    uint64_t before = vsock_size(fd, SO_VM_SOCKETS_BUFFER_MIN_SIZE);
    struct vmci_options big = { .buffer_size = 4u << 20,
                                .buffer_max_size = 8u << 20 };
    CU_ASSERT_EQUAL(vmci_options_apply(&big, fd), 0);
    CU_ASSERT_EQUAL(vsock_size(fd, SO_VM_SOCKETS_BUFFER_SIZE), 4u << 20);
    CU_ASSERT_EQUAL(vsock_size(fd, SO_VM_SOCKETS_BUFFER_MAX_SIZE), 8u << 20);
    CU_ASSERT_EQUAL(vsock_size(fd, SO_VM_SOCKETS_BUFFER_MIN_SIZE), before);
    struct vmci_options none = { .connect_timeout = -1 };
    CU_ASSERT_EQUAL(vmci_options_apply(&none, fd), 0);
    CU_ASSERT_EQUAL(vsock_size(fd, SO_VM_SOCKETS_BUFFER_SIZE), 4u << 20);
    close(fd);
}

/* ---- through the API --------------------------------------------------- */

static bool fails_with(int rc, int error)
{
    if (rc != -1 || errno != error)
        fprintf(stderr, "rc %d errno %d (%s), wanted %d\n", rc, errno,
                strerror(errno), error);
    return rc == -1 && errno == error;
}

static void test_api_malformed(void)
{
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    static const char *const bind_bad[] = {
        "tipc://{5555}", "tipc://{63,0,0}", "tipc://<1.2.3:4>",
        "tipc://{5555,9,1}", "vsock://1", "vsock://x:1", "vsock://1:",
        "vmci://:1", "vmci://1:y",
    };
    for (size_t i = 0; i < sizeof bind_bad / sizeof bind_bad[0]; i++) {
        errno = 0;
        CU_ASSERT(fails_with(zmq_bind(s, bind_bad[i]), EINVAL));
    }
    static const char *const connect_bad[] = {
        "tipc://<*>", "tipc://{64,1}", "tipc://{5555,1}@1.2",
        "vsock://*:5555", "vsock://1:*", "vmci://*:5555", "vmci://1:1:1",
    };
    for (size_t i = 0; i < sizeof connect_bad / sizeof connect_bad[0]; i++) {
        errno = 0;
        CU_ASSERT(fails_with(zmq_connect(s, connect_bad[i]), EINVAL));
    }
    test_close(s);
    zmq_ctx_term(ctx);
}

static bool kernel_has_tipc(void)
{
    int fd = socket(AF_TIPC, SOCK_STREAM, 0);
    if (fd == -1)
        return false;
    close(fd);
    return true;
}

/* Without TIPC in the kernel, zmq_bind says so at once (EAFNOSUPPORT, as
 * libzmq 4.3.4); each connect attempt fails so too, and is retried. */
static void test_tipc_without_kernel(void)
{
    if (kernel_has_tipc()) {
        fprintf(stderr, "TIPC present: its absence not checked here "
                        "(tests/test_tipc runs its traffic)\n");
        return;
    }
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    errno = 0;
    CU_ASSERT(fails_with(zmq_bind(s, "tipc://{5555,0,100}"), EAFNOSUPPORT));
    errno = 0;
    CU_ASSERT(fails_with(zmq_bind(s, "tipc://<*>"), EAFNOSUPPORT));
    test_close(s);
    zmq_ctx_term(ctx);

    const struct modzmq_transport_ops *ops =
        harness_load(TIPC_MODULE_PATH, "modzmq_tipc");
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
    harness_options_reset();
    modzmq_endpoint *ep = NULL;
    CU_ASSERT_EQUAL_FATAL(
        harness_parse("{5555,50}@0.0.0", MODZMQ_ENDPOINT_CONNECT, &ep), 0);
    char text[96];
    CU_ASSERT(ops->endpoint_format(ep, text, sizeof text) > 0);
    CU_ASSERT_STRING_EQUAL(text, "tipc://{5555, 50, 0}");
    int fd = -1;
    errno = 0;
    CU_ASSERT(fails_with(ops->connect_start(ep, &fd), EAFNOSUPPORT));
    ops->endpoint_free(ep);
    harness_unload();
}

/* Without a vsock transport for a CID, zmq_bind says so at once
 * (EADDRNOTAVAIL); any CID listens on "*", its port read back. */
static void test_vsock_binds(void)
{
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    const char *schemes[] = { "vsock", "vmci" };
    for (size_t i = 0; i < 2; i++) {
        char endpoint[64], last[64];
        snprintf(endpoint, sizeof endpoint, "%s://*:*", schemes[i]);
        if (zmq_bind(s, endpoint) != 0) {
            CU_ASSERT_EQUAL(errno, EAFNOSUPPORT);
            fprintf(stderr, "%s: no AF_VSOCK here\n", schemes[i]);
            continue;
        }
        size_t size = sizeof last;
        CU_ASSERT_EQUAL(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, last, &size), 0);
        snprintf(endpoint, sizeof endpoint, "%s://*:", schemes[i]);
        CU_ASSERT_EQUAL(strncmp(last, endpoint, strlen(endpoint)), 0);
        unsigned port = 0;
        char end = 0;
        CU_ASSERT_EQUAL(sscanf(last + strlen(endpoint), "%u%c", &port, &end),
                        1);
        /* As the pages say: unbind a wildcard by its real endpoint. */
        snprintf(endpoint, sizeof endpoint, "%s://*:*", schemes[i]);
        errno = 0;
        CU_ASSERT(fails_with(zmq_unbind(s, endpoint), ENOENT));
        CU_ASSERT_EQUAL(zmq_unbind(s, last), 0);

        /* A CID without a transport: EADDRNOTAVAIL, unless this machine
         * has a loopback transport. */
        snprintf(endpoint, sizeof endpoint, "%s://1:*", schemes[i]);
        errno = 0;
        int rc = zmq_bind(s, endpoint);
        CU_ASSERT(rc == 0 || errno == EADDRNOTAVAIL);
        if (rc == 0) {
            size = sizeof last;
            CU_ASSERT_EQUAL(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, last, &size),
                            0);
            CU_ASSERT_EQUAL(zmq_unbind(s, last), 0);
        }
    }
    test_close(s);
    zmq_ctx_term(ctx);
}

/* zmq_has: tipc and vmci are libzmq's capabilities; vsock is not one its
 * pages name. */
static void test_has(void)
{
    CU_ASSERT_EQUAL(zmq_has("tipc"), 1);
    CU_ASSERT_EQUAL(zmq_has("vmci"), 1);
    CU_ASSERT_EQUAL(zmq_has("vsock"), 0);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "tipc address forms", test_tipc_forms },
        { "tipc malformed addresses", test_tipc_malformed },
        { "tipc endpoint strings", test_tipc_format },
        { "vsock address forms", test_vsock_forms },
        { "vsock malformed addresses", test_vsock_malformed },
        { "vsock endpoint strings", test_vsock_format },
        { "VMCI options stored", test_vmci_options_stored },
        { "VMCI options on vmci fds only", test_vmci_options_applied },
        { "VMCI option order", test_vmci_options_order },
        { "malformed through the API", test_api_malformed },
        { "tipc without the kernel's", test_tipc_without_kernel },
        { "vsock and vmci binds", test_vsock_binds },
        { "zmq_has", test_has },
    };
    return test_run_suite("afsock addresses", tests,
                          sizeof tests / sizeof tests[0]);
}
