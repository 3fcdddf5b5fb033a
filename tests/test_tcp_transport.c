/* CUnit tests of the tcp transport plugin (plugins/tcp), loaded from its
 * built module as the core's loader loads it and driven through its ops
 * with a fake socket whose options each test sets: address parsing and
 * its errors, wildcard and ephemeral binds, EADDRINUSE, connect/accept
 * round trips over 127.0.0.1 and ::1 (skipped without ::1), DNS names,
 * source addresses, the socket options as the fds show them, refused
 * connects, ZMQ_USE_FD, ZMQ_BINDTODEVICE and accept filters. Only
 * loopback addresses are used; the name that must not resolve is looked
 * up in a network namespace of its own, so its query never goes out. */
#include "testutil.h"
#include "transport_harness.h"

#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

static const struct modzmq_transport_ops *ops;

/* The port of a tcp listener, from its formatted name. */
static unsigned port_of(const struct harness_listener *l)
{
    const char *colon = strrchr(l->name, ':');
    return colon != NULL ? (unsigned) atoi(colon + 1) : 0;
}

static bool have_ipv6_loopback(void)
{
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    if (fd == -1)
        return false;
    struct sockaddr_in6 addr = { .sin6_family = AF_INET6,
                                 .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    bool ok = bind(fd, (struct sockaddr *) &addr, sizeof addr) == 0;
    close(fd);
    if (!ok)
        fprintf(stderr, "\n  no ::1 here, IPv6 part skipped\n");
    return ok;
}

static int int_option(int fd, int level, int name)
{
    int value = -12345;
    socklen_t size = sizeof value;
    if (getsockopt(fd, level, name, &value, &size) != 0)
        return -12345;
    return value;
}

static void test_descriptor(void)
{
    const struct modzmq_plugin *plugin = harness_plugin();
    CU_ASSERT_STRING_EQUAL(plugin->name, "tcp");
    CU_ASSERT_EQUAL(plugin->abi_major, MODZMQ_SDK_ABI_MAJOR);
    CU_ASSERT_EQUAL(plugin->kind, MODZMQ_PLUGIN_TRANSPORT);
    CU_ASSERT_STRING_EQUAL(plugin->serves[0], "tcp");
    CU_ASSERT_PTR_NULL(plugin->serves[1]);
    CU_ASSERT_EQUAL(ops->size, sizeof(struct modzmq_transport_ops));
}

/* A connect address that its parse takes (libzmq only glances at it) but
 * that fails each attempt with error, before any name is looked up. */
static bool attempt_fails(const char *address, int error)
{
    modzmq_endpoint *endpoint;
    if (harness_parse(address, MODZMQ_ENDPOINT_CONNECT, &endpoint) != 0)
        return false;
    int fd = -1;
    errno = 0;
    bool failed = ops->connect_start(endpoint, &fd) == -1 && errno == error;
    if (fd >= 0 && !failed)
        close(fd);
    ops->endpoint_free(endpoint);
    return failed;
}

static void test_malformed_addresses(void)
{
    harness_options_reset();
    const char *bad[] = { "",           "127.0.0.1",     "127.0.0.1:",
                          "127.0.0.1:abc", "127.0.0.1:-1", "127.0.0.1 :5555" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        CU_ASSERT(harness_parse_fails(bad[i], MODZMQ_ENDPOINT_BIND, EINVAL));
        CU_ASSERT(harness_parse_fails(bad[i], MODZMQ_ENDPOINT_CONNECT, EINVAL));
    }
    /* Malformed too, but zmq_connect takes them as libzmq 4.3.4 does and
     * each attempt fails. */
    const char *late[] = { ":5555",
                           "127.0.0.1:65536",
                           "127.0.0.1:5555x",
                           "127.0.0.1:99999999999",
                           "[::1:5555",
                           "[]:5555",
                           "127.0.0.1;127.0.0.1:5555",
                           "127.0.0.1:0;" };
    for (size_t i = 0; i < sizeof late / sizeof late[0]; i++) {
        CU_ASSERT(harness_parse_fails(late[i], MODZMQ_ENDPOINT_BIND, EINVAL));
        CU_ASSERT(attempt_fails(late[i], EINVAL));
    }
    /* A connect needs a real host and port. */
    CU_ASSERT(
        harness_parse_fails("127.0.0.1:*", MODZMQ_ENDPOINT_CONNECT, EINVAL));
    CU_ASSERT(harness_parse_fails("*:5555", MODZMQ_ENDPOINT_CONNECT, EINVAL));
    CU_ASSERT(harness_parse_fails(";127.0.0.1:5555", MODZMQ_ENDPOINT_CONNECT,
                                  EINVAL));
    CU_ASSERT(attempt_fails("127.0.0.1:0;*:5555", EINVAL));
    modzmq_endpoint *endpoint;
    CU_ASSERT_EQUAL(ops->endpoint_parse(harness_socket(), "tcp", NULL,
                                        MODZMQ_ENDPOINT_BIND, &endpoint),
                    -1);
}

static void test_unknown_interface(void)
{
    harness_options_reset();
    CU_ASSERT(
        harness_parse_fails("nosuchif0:5555", MODZMQ_ENDPOINT_BIND, ENODEV));
    /* As libzmq, a bind does not look names up in DNS. */
    CU_ASSERT(
        harness_parse_fails("localhost:5555", MODZMQ_ENDPOINT_BIND, ENODEV));
    /* Without ZMQ_IPV6, an IPv6 address is no interface of ours. */
    CU_ASSERT(harness_parse_fails("[::1]:5555", MODZMQ_ENDPOINT_BIND, ENODEV));
    /* A connect's source is looked up at each attempt, never in DNS. */
    CU_ASSERT(attempt_fails("nosuchif0:0;127.0.0.1:5555", ENODEV));
    CU_ASSERT(attempt_fails("localhost:0;127.0.0.1:5555", ENODEV));
    /* An interface name works. */
    struct harness_listener l;
    CU_ASSERT_FATAL(harness_listen("lo:*", &l));
    CU_ASSERT_EQUAL(strncmp(l.name, "tcp://127.0.0.1:", 16), 0);
    harness_unlisten(&l);
}

static void test_ephemeral_port(void)
{
    harness_options_reset();
    const char *forms[] = { "127.0.0.1:*", "127.0.0.1:0" };
    for (size_t i = 0; i < 2; i++) {
        struct harness_listener l;
        CU_ASSERT_FATAL(harness_listen(forms[i], &l));
        struct sockaddr_in addr;
        socklen_t size = sizeof addr;
        CU_ASSERT_EQUAL(getsockname(l.fd, (struct sockaddr *) &addr, &size), 0);
        char expected[64];
        snprintf(expected, sizeof expected, "tcp://127.0.0.1:%u",
                 ntohs(addr.sin_port));
        CU_ASSERT_NOT_EQUAL(port_of(&l), 0);
        CU_ASSERT_STRING_EQUAL(l.name, expected);
        harness_unlisten(&l);
    }
    struct harness_listener any;
    CU_ASSERT_FATAL(harness_listen("*:*", &any));
    CU_ASSERT_EQUAL(strncmp(any.name, "tcp://0.0.0.0:", 14), 0);
    CU_ASSERT_NOT_EQUAL(port_of(&any), 0);
    /* Too small a buffer. */
    char tiny[8];
    errno = 0;
    CU_ASSERT_EQUAL(ops->endpoint_format(any.endpoint, tiny, sizeof tiny), -1);
    CU_ASSERT_EQUAL(errno, ENOSPC);
    harness_unlisten(&any);
}

static void test_address_in_use(void)
{
    harness_options_reset();
    struct harness_listener first;
    CU_ASSERT_FATAL(harness_listen("127.0.0.1:*", &first));
    char address[64];
    snprintf(address, sizeof address, "127.0.0.1:%u", port_of(&first));
    modzmq_endpoint *second;
    CU_ASSERT_FATAL(harness_parse(address, MODZMQ_ENDPOINT_BIND, &second) == 0);
    int fd;
    errno = 0;
    CU_ASSERT_EQUAL(ops->listen(second, &fd), -1);
    CU_ASSERT_EQUAL(errno, EADDRINUSE);
    ops->endpoint_free(second);
    /* A numeric address that is not ours. */
    CU_ASSERT_FATAL(
        harness_parse("192.0.2.77:*", MODZMQ_ENDPOINT_BIND, &second) == 0);
    errno = 0;
    CU_ASSERT_EQUAL(ops->listen(second, &fd), -1);
    CU_ASSERT_EQUAL(errno, EADDRNOTAVAIL);
    ops->endpoint_free(second);
    harness_unlisten(&first);
}

static void test_ipv4_round_trip(void)
{
    harness_options_reset();
    struct harness_listener l;
    CU_ASSERT_FATAL(harness_listen("127.0.0.1:*", &l));
    int fd;
    errno = 0;
    CU_ASSERT_EQUAL(ops->accept(l.endpoint, l.fd, &fd), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    char address[64];
    snprintf(address, sizeof address, "127.0.0.1:%u", port_of(&l));
    struct harness_connection c;
    CU_ASSERT_FATAL(harness_connect_to(address, &l, &c));
    CU_ASSERT(harness_exchange(c.connected, c.accepted));
    char peer[64];
    CU_ASSERT_EQUAL(
        ops->peer_address(l.endpoint, c.accepted, peer, sizeof peer), 9);
    CU_ASSERT_STRING_EQUAL(peer, "127.0.0.1");
    CU_ASSERT(ops->peer_address(c.endpoint, c.connected, peer, sizeof peer) >
              0);
    CU_ASSERT_STRING_EQUAL(peer, "127.0.0.1");
    CU_ASSERT_EQUAL(ops->peer_address(c.endpoint, c.connected, peer, 4), -1);
    /* A connect endpoint prints as it was given. */
    char name[64], expected[80];
    snprintf(expected, sizeof expected, "tcp://%s", address);
    CU_ASSERT(ops->endpoint_format(c.endpoint, name, sizeof name) > 0);
    CU_ASSERT_STRING_EQUAL(name, expected);
    /* Non-blocking, close-on-exec and no Nagle on both ends. */
    int fds[] = { l.fd, c.connected, c.accepted };
    for (size_t i = 0; i < 3; i++) {
        CU_ASSERT(fcntl(fds[i], F_GETFL) & O_NONBLOCK);
        CU_ASSERT(fcntl(fds[i], F_GETFD) & FD_CLOEXEC);
    }
    CU_ASSERT_EQUAL(int_option(c.connected, IPPROTO_TCP, TCP_NODELAY), 1);
    CU_ASSERT_EQUAL(int_option(c.accepted, IPPROTO_TCP, TCP_NODELAY), 1);
    /* A short queue of unsent bytes, when ZMQ_SNDBUF is left alone. */
    CU_ASSERT_EQUAL(int_option(c.connected, IPPROTO_TCP, TCP_NOTSENT_LOWAT),
                    128 * 1024);
    CU_ASSERT_EQUAL(int_option(c.accepted, IPPROTO_TCP, TCP_NOTSENT_LOWAT),
                    128 * 1024);
    CU_ASSERT_EQUAL(int_option(l.fd, SOL_SOCKET, SO_REUSEADDR), 1);
    harness_disconnect(&c);
    harness_unlisten(&l);
}

static void test_ipv6_round_trip(void)
{
    if (!have_ipv6_loopback())
        return;
    harness_options_reset();
    harness_set_int(ZMQ_IPV6, 1);
    harness_set_int(ZMQ_TOS, 0x20);
    struct harness_listener l;
    CU_ASSERT_FATAL(harness_listen("[::1]:*", &l));
    harness_set_int(ZMQ_TOS, 0);
    char expected[64];
    snprintf(expected, sizeof expected, "tcp://[::1]:%u", port_of(&l));
    CU_ASSERT_STRING_EQUAL(l.name, expected);
    char address[64];
    snprintf(address, sizeof address, "[::1]:%u", port_of(&l));
    struct harness_connection c;
    CU_ASSERT_FATAL(harness_connect_to(address, &l, &c));
    CU_ASSERT(harness_exchange(c.connected, c.accepted));
    char peer[64];
    CU_ASSERT_EQUAL(
        ops->peer_address(l.endpoint, c.accepted, peer, sizeof peer), 3);
    CU_ASSERT_STRING_EQUAL(peer, "::1");
    CU_ASSERT_EQUAL(int_option(c.accepted, IPPROTO_IPV6, IPV6_TCLASS), 0x20);
    harness_disconnect(&c);
    /* An IPv6 source address. */
    snprintf(address, sizeof address, "[::1]:0;[::1]:%u", port_of(&l));
    CU_ASSERT_FATAL(harness_connect_to(address, &l, &c));
    CU_ASSERT(harness_exchange(c.connected, c.accepted));
    harness_disconnect(&c);
    harness_unlisten(&l);

    /* "*" with ZMQ_IPV6 is dual-stack: an IPv4 peer gets in. */
    CU_ASSERT_FATAL(harness_listen("*:*", &l));
    CU_ASSERT_EQUAL(strncmp(l.name, "tcp://[::]:", 11), 0);
    harness_set_int(ZMQ_IPV6, 0);
    snprintf(address, sizeof address, "127.0.0.1:%u", port_of(&l));
    CU_ASSERT_FATAL(harness_connect_to(address, &l, &c));
    CU_ASSERT(harness_exchange(c.connected, c.accepted));
    harness_disconnect(&c);
    harness_unlisten(&l);

    /* Without ZMQ_IPV6 a connect does not reach IPv6 addresses. */
    CU_ASSERT_FATAL(
        harness_parse("[::1]:5555", MODZMQ_ENDPOINT_CONNECT, &c.endpoint) == 0);
    int fd;
    CU_ASSERT_EQUAL(ops->connect_start(c.endpoint, &fd), -1);
    ops->endpoint_free(c.endpoint);
}

static void test_localhost(void)
{
    harness_options_reset();
    struct harness_listener l;
    CU_ASSERT_FATAL(harness_listen("127.0.0.1:*", &l));
    char address[64];
    snprintf(address, sizeof address, "localhost:%u", port_of(&l));
    struct harness_connection c;
    CU_ASSERT_FATAL(harness_connect_to(address, &l, &c));
    CU_ASSERT(harness_exchange(c.connected, c.accepted));
    harness_disconnect(&c);
    harness_unlisten(&l);
}

/* In a forked child moved into a network namespace of its own (only a
 * loopback that is down), so that the resolver's query for a name that
 * does not resolve never leaves the machine: the name parses, and each
 * connect attempt fails. The child's exit status is the verdict: 0 for
 * the expected failure, 1 for a connect that started, 2 for a refused
 * parse, 3 when no namespace could be made. */
static void test_unresolvable_name(void)
{
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid != -1);
    if (pid == 0) {
        alarm(20);
        if (unshare(CLONE_NEWNET) == -1)
            _exit(3);
        modzmq_endpoint *endpoint;
        if (harness_parse("no-such-host.invalid:5555", MODZMQ_ENDPOINT_CONNECT,
                          &endpoint) != 0)
            _exit(2);
        int fd;
        int rc = ops->connect_start(endpoint, &fd);
        ops->endpoint_free(endpoint);
        _exit(rc == -1 ? 0 : 1);
    }
    int status;
    CU_ASSERT_FATAL(waitpid(pid, &status, 0) == pid);
    CU_ASSERT_FATAL(WIFEXITED(status));
    if (WEXITSTATUS(status) == 3) {
        fprintf(stderr, "unresolvable name: no network namespace (%s), not run\n",
                "unshare(CLONE_NEWNET) refused");
        return;
    }
    CU_ASSERT_EQUAL(WEXITSTATUS(status), 0);
}

static void test_source_address(void)
{
    harness_options_reset();
    struct harness_listener l;
    CU_ASSERT_FATAL(harness_listen("127.0.0.1:*", &l));
    const char *sources[] = { "127.0.0.2:0", "127.0.0.1:0", "lo:*" };
    const char *expected[] = { "127.0.0.2", "127.0.0.1", "127.0.0.1" };
    for (size_t i = 0; i < 3; i++) {
        char address[80];
        snprintf(address, sizeof address, "%s;127.0.0.1:%u", sources[i],
                 port_of(&l));
        struct harness_connection c;
        CU_ASSERT_FATAL(harness_connect_to(address, &l, &c));
        struct sockaddr_in local;
        socklen_t size = sizeof local;
        CU_ASSERT_EQUAL(
            getsockname(c.connected, (struct sockaddr *) &local, &size), 0);
        char host[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &local.sin_addr, host, sizeof host);
        CU_ASSERT_STRING_EQUAL(host, expected[i]);
        char peer[64];
        CU_ASSERT(ops->peer_address(l.endpoint, c.accepted, peer, sizeof peer) >
                  0);
        CU_ASSERT_STRING_EQUAL(peer, expected[i]);
        CU_ASSERT(harness_exchange(c.connected, c.accepted));
        harness_disconnect(&c);
    }
    harness_unlisten(&l);
}

static void check_tuned(int fd)
{
    CU_ASSERT_EQUAL(int_option(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
    CU_ASSERT_EQUAL(int_option(fd, IPPROTO_TCP, TCP_KEEPCNT), 3);
    CU_ASSERT_EQUAL(int_option(fd, IPPROTO_TCP, TCP_KEEPIDLE), 30);
    CU_ASSERT_EQUAL(int_option(fd, IPPROTO_TCP, TCP_KEEPINTVL), 5);
    CU_ASSERT_EQUAL(int_option(fd, IPPROTO_TCP, TCP_USER_TIMEOUT), 1234);
    CU_ASSERT_EQUAL(int_option(fd, IPPROTO_IP, IP_TOS), 0x20);
    CU_ASSERT_EQUAL(int_option(fd, SOL_SOCKET, SO_BUSY_POLL), 25);
    CU_ASSERT_EQUAL(int_option(fd, SOL_SOCKET, SO_PRIORITY), 5);
    /* Linux reports twice what was asked, for its bookkeeping. */
    CU_ASSERT(int_option(fd, SOL_SOCKET, SO_SNDBUF) >= 65536);
    CU_ASSERT(int_option(fd, SOL_SOCKET, SO_RCVBUF) >= 32768);
    /* With ZMQ_SNDBUF set, the kernel's own unsent-bytes limit stays. */
    CU_ASSERT_NOT_EQUAL(int_option(fd, IPPROTO_TCP, TCP_NOTSENT_LOWAT),
                        128 * 1024);
}

static void test_socket_options(void)
{
    harness_options_reset();
    harness_set_int(ZMQ_TCP_KEEPALIVE, 1);
    harness_set_int(ZMQ_TCP_KEEPALIVE_CNT, 3);
    harness_set_int(ZMQ_TCP_KEEPALIVE_IDLE, 30);
    harness_set_int(ZMQ_TCP_KEEPALIVE_INTVL, 5);
    harness_set_int(ZMQ_TCP_MAXRT, 1234);
    harness_set_int(ZMQ_BUSY_POLL, 25);
    harness_set_int(ZMQ_PRIORITY, 5);
    harness_set_int(ZMQ_TOS, 0x20);
    harness_set_int(ZMQ_SNDBUF, 65536);
    harness_set_int(ZMQ_RCVBUF, 32768);
    struct harness_listener l;
    CU_ASSERT_FATAL(harness_listen("127.0.0.1:*", &l));
    CU_ASSERT_EQUAL(int_option(l.fd, IPPROTO_IP, IP_TOS), 0x20);
    char address[64];
    snprintf(address, sizeof address, "127.0.0.1:%u", port_of(&l));
    struct harness_connection c;
    CU_ASSERT_FATAL(harness_connect_to(address, &l, &c));
    check_tuned(c.connected);
    check_tuned(c.accepted);
    harness_disconnect(&c);
    harness_unlisten(&l);

    /* The defaults leave the OS's own: no keepalive, no user timeout. */
    harness_options_reset();
    CU_ASSERT_FATAL(harness_listen("127.0.0.1:*", &l));
    snprintf(address, sizeof address, "127.0.0.1:%u", port_of(&l));
    CU_ASSERT_FATAL(harness_connect_to(address, &l, &c));
    CU_ASSERT_EQUAL(int_option(c.connected, SOL_SOCKET, SO_KEEPALIVE), 0);
    CU_ASSERT_EQUAL(int_option(c.connected, IPPROTO_TCP, TCP_USER_TIMEOUT), 0);
    CU_ASSERT_EQUAL(int_option(c.accepted, IPPROTO_IP, IP_TOS), 0);
    CU_ASSERT_EQUAL(int_option(c.accepted, SOL_SOCKET, SO_BUSY_POLL), 0);
    CU_ASSERT_EQUAL(int_option(c.accepted, SOL_SOCKET, SO_PRIORITY), 0);
    harness_disconnect(&c);
    harness_unlisten(&l);
}

static void test_connection_refused(void)
{
    harness_options_reset();
    struct harness_listener l;
    CU_ASSERT_FATAL(harness_listen("127.0.0.1:*", &l));
    char address[64];
    snprintf(address, sizeof address, "127.0.0.1:%u", port_of(&l));
    harness_unlisten(&l);
    modzmq_endpoint *endpoint;
    CU_ASSERT_FATAL(
        harness_parse(address, MODZMQ_ENDPOINT_CONNECT, &endpoint) == 0);
    int fd = -1;
    errno = 0;
    CU_ASSERT_EQUAL(harness_connect(ops, endpoint, &fd), -1);
    CU_ASSERT_EQUAL(errno, ECONNREFUSED);
    ops->endpoint_free(endpoint);
}

static void test_use_fd(void)
{
    int own = socket(AF_INET, SOCK_STREAM, 0);
    CU_ASSERT_FATAL(own != -1);
    struct sockaddr_in addr = { .sin_family = AF_INET,
                                .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    CU_ASSERT_FATAL(bind(own, (struct sockaddr *) &addr, sizeof addr) == 0);
    CU_ASSERT_FATAL(listen(own, 8) == 0);
    socklen_t size = sizeof addr;
    CU_ASSERT_FATAL(getsockname(own, (struct sockaddr *) &addr, &size) == 0);

    harness_options_reset();
    harness_set_int(ZMQ_USE_FD, own);
    struct harness_listener l;
    CU_ASSERT_FATAL(harness_listen("127.0.0.1:*", &l));
    CU_ASSERT_EQUAL(l.fd, own);
    CU_ASSERT_EQUAL(port_of(&l), ntohs(addr.sin_port));
    CU_ASSERT(fcntl(l.fd, F_GETFL) & O_NONBLOCK);
    harness_options_reset();
    char address[64];
    snprintf(address, sizeof address, "127.0.0.1:%u", port_of(&l));
    struct harness_connection c;
    CU_ASSERT_FATAL(harness_connect_to(address, &l, &c));
    CU_ASSERT(harness_exchange(c.connected, c.accepted));
    harness_disconnect(&c);
    harness_unlisten(&l);
    /* unlisten closed it. */
    CU_ASSERT_EQUAL(fcntl(own, F_GETFD), -1);
}

static void test_bind_to_device(void)
{
    harness_options_reset();
    harness_set_bytes(ZMQ_BINDTODEVICE, "lo", 3);
    struct harness_listener l;
    if (!harness_listen("127.0.0.1:*", &l)) {
        /* Without CAP_NET_RAW the kernel refuses, and that is reported. */
        CU_ASSERT_EQUAL(errno, EPERM);
        return;
    }
    char device[32] = "";
    socklen_t size = sizeof device;
    CU_ASSERT_EQUAL(
        getsockopt(l.fd, SOL_SOCKET, SO_BINDTODEVICE, device, &size), 0);
    CU_ASSERT_STRING_EQUAL(device, "lo");
    char address[64];
    snprintf(address, sizeof address, "127.0.0.1:%u", port_of(&l));
    struct harness_connection c;
    CU_ASSERT_FATAL(harness_connect_to(address, &l, &c));
    CU_ASSERT(harness_exchange(c.connected, c.accepted));
    harness_disconnect(&c);
    harness_unlisten(&l);

    harness_set_bytes(ZMQ_BINDTODEVICE, "nosuchdev0", 11);
    errno = 0;
    CU_ASSERT_FALSE(harness_listen("127.0.0.1:*", &l));
    CU_ASSERT_EQUAL(errno, ENODEV);
}

static void test_accept_filter(void)
{
    harness_options_reset();
    static const char refusing[] = "127.0.0.2\0::1/128";
    harness_set_bytes(ZMQ_TCP_ACCEPT_FILTER, refusing, sizeof refusing);
    struct harness_listener l;
    CU_ASSERT_FATAL(harness_listen("127.0.0.1:*", &l));
    harness_options_reset();
    char address[64];
    snprintf(address, sizeof address, "127.0.0.1:%u", port_of(&l));
    struct harness_connection c;
    errno = 0;
    CU_ASSERT_FALSE(harness_connect_to(address, &l, &c));
    CU_ASSERT_EQUAL(errno, EACCES);
    harness_disconnect(&c);
    /* The refused connection is gone; the listener carries on. */
    int fd;
    CU_ASSERT_EQUAL(ops->accept(l.endpoint, l.fd, &fd), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    harness_unlisten(&l);

    static const char allowing[] = "10.0.0.0/8\0"
                                   "127.0.0.0/8";
    harness_set_bytes(ZMQ_TCP_ACCEPT_FILTER, allowing, sizeof allowing);
    CU_ASSERT_FATAL(harness_listen("127.0.0.1:*", &l));
    harness_options_reset();
    snprintf(address, sizeof address, "127.0.0.1:%u", port_of(&l));
    CU_ASSERT_FATAL(harness_connect_to(address, &l, &c));
    CU_ASSERT(harness_exchange(c.connected, c.accepted));
    harness_disconnect(&c);
    harness_unlisten(&l);

    /* A mask the core would have refused is refused here too. */
    static const char broken[] = "127.0.0.1/33";
    harness_set_bytes(ZMQ_TCP_ACCEPT_FILTER, broken, sizeof broken);
    CU_ASSERT(harness_parse_fails("127.0.0.1:*", MODZMQ_ENDPOINT_BIND, EINVAL));
    /* A list longer than a first read's buffer is read whole. */
    char many[400];
    size_t used = 0;
    for (int i = 0; i < 30; i++) {
        memcpy(many + used, "10.0.0.0/8", 11);
        used += 11;
    }
    memcpy(many + used, "127.0.0.1", 10);
    used += 10;
    harness_set_bytes(ZMQ_TCP_ACCEPT_FILTER, many, used);
    CU_ASSERT_FATAL(harness_listen("127.0.0.1:*", &l));
    harness_options_reset();
    snprintf(address, sizeof address, "127.0.0.1:%u", port_of(&l));
    CU_ASSERT_FATAL(harness_connect_to(address, &l, &c));
    harness_disconnect(&c);
    harness_unlisten(&l);
}

int main(void)
{
    ops = harness_load(TCP_MODULE_PATH, "modzmq_tcp");
    if (ops == NULL)
        return 1;
    static const struct test_case tests[] = {
        { "descriptor", test_descriptor },
        { "malformed addresses", test_malformed_addresses },
        { "unknown interface", test_unknown_interface },
        { "ephemeral port", test_ephemeral_port },
        { "address in use", test_address_in_use },
        { "IPv4 round trip", test_ipv4_round_trip },
        { "IPv6 round trip", test_ipv6_round_trip },
        { "localhost", test_localhost },
        { "a name that does not resolve (own network namespace)",
          test_unresolvable_name },
        { "source address", test_source_address },
        { "socket options", test_socket_options },
        { "connection refused", test_connection_refused },
        { "ZMQ_USE_FD", test_use_fd },
        { "ZMQ_BINDTODEVICE", test_bind_to_device },
        { "accept filter", test_accept_filter },
    };
    int rc =
        test_run_suite("tcp transport", tests, sizeof tests / sizeof tests[0]);
    harness_unload();
    return rc;
}
