/*
 * Helpers shared by the CUnit suites; see testutil.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* unshare */
#endif
#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API /* routing ids */
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"
#include "zmq.h"

int test_run_suite(const char *suite_name, const struct test_case *tests,
                   size_t count)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite suite = CU_add_suite(suite_name, NULL, NULL);
    if (suite == NULL) {
        CU_cleanup_registry();
        return 1;
    }
    for (size_t i = 0; i < count; i++) {
        if (CU_add_test(suite, tests[i].name, tests[i].fn) == NULL) {
            CU_cleanup_registry();
            return 1;
        }
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    unsigned ran = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    return failures == 0 && ran == count ? 0 : 1;
}

int64_t test_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool test_send(void *socket, const char *text, int flags)
{
    size_t size = strlen(text);
    return zmq_send(socket, text, size, flags) == (int) size;
}

bool test_set_int(void *socket, int option, int value)
{
    return zmq_setsockopt(socket, option, &value, sizeof value) == 0;
}

int test_get_int(void *socket, int option)
{
    int value = -12345;
    size_t size = sizeof value;
    if (zmq_getsockopt(socket, option, &value, &size) != 0)
        return -12345;
    return value;
}

int test_recv(void *socket, char *buf, size_t size, int timeout_ms)
{
    int saved = test_get_int(socket, ZMQ_RCVTIMEO);
    test_set_int(socket, ZMQ_RCVTIMEO, timeout_ms);
    int rc = zmq_recv(socket, buf, size - 1, 0);
    int error = errno;
    test_set_int(socket, ZMQ_RCVTIMEO, saved);
    if (rc < 0) {
        errno = error;
        return -1;
    }
    buf[(size_t) rc < size - 1 ? (size_t) rc : size - 1] = '\0';
    return rc;
}

bool test_recv_is(void *socket, const char *text, int timeout_ms)
{
    char buf[256];
    int rc = test_recv(socket, buf, sizeof buf, timeout_ms);
    return rc == (int) strlen(text) && strcmp(buf, text) == 0;
}

bool test_recv_nothing(void *socket, int timeout_ms)
{
    char buf[256];
    return test_recv(socket, buf, sizeof buf, timeout_ms) < 0 &&
           errno == EAGAIN;
}

void test_close(void *socket)
{
    test_set_int(socket, ZMQ_LINGER, 0);
    zmq_close(socket);
}

int test_connect_loopback(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = { .sin_family = AF_INET,
                                   .sin_port = htons((uint16_t) port) };
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 &&
        connect(fd, (struct sockaddr *) &address, sizeof address) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int test_free_udp_port(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in address = { .sin_family = AF_INET };
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    int port = -1;
    if (fd >= 0 &&
        bind(fd, (struct sockaddr *) &address, sizeof address) == 0 &&
        getsockname(fd, (struct sockaddr *) &address, &length) == 0)
        port = ntohs(address.sin_port);
    if (fd >= 0)
        close(fd);
    return port;
}

bool test_closed_by_peer(int fd, int timeout_ms)
{
    char buffer[256];
    for (int waited = 0; waited < timeout_ms; waited += 50) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, 50) <= 0)
            continue;
        ssize_t got = read(fd, buffer, sizeof buffer);
        if (got == 0 || (got < 0 && errno == ECONNRESET))
            return true;
        if (got < 0)
            return false;
    }
    return false;
}

bool test_bind_endpoint(void *socket, const char *transport, char *endpoint,
                        size_t size)
{
    if (zmq_bind(socket, transport) != 0)
        return false;
    return zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, endpoint, &size) == 0;
}

int test_recv_routed(void *socket, char *buf, size_t size, uint32_t *id,
                     int timeout_ms)
{
    test_set_int(socket, ZMQ_RCVTIMEO, timeout_ms);
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    int rc = zmq_msg_recv(&msg, socket, 0);
    if (rc >= 0) {
        size_t n = (size_t) rc < size - 1 ? (size_t) rc : size - 1;
        memcpy(buf, zmq_msg_data(&msg), n);
        buf[n] = '\0';
        if (id != NULL)
            *id = zmq_msg_routing_id(&msg);
    }
    zmq_msg_close(&msg);
    return rc;
}

int test_send_routed(void *socket, uint32_t id, const char *text, int flags)
{
    zmq_msg_t msg;
    zmq_msg_init_size(&msg, strlen(text));
    memcpy(zmq_msg_data(&msg), text, strlen(text));
    if (id != 0)
        zmq_msg_set_routing_id(&msg, id);
    int rc = zmq_msg_send(&msg, socket, flags);
    int error = errno;
    if (rc < 0)
        zmq_msg_close(&msg);
    return rc < 0 ? error : 0;
}

/* Brings lo up with multicast in a new namespace (where it starts down). */
static bool loopback_up(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        return false;
    struct ifreq request = { 0 };
    snprintf(request.ifr_name, sizeof request.ifr_name, "lo");
    bool ok = ioctl(fd, SIOCGIFFLAGS, &request) == 0;
    request.ifr_flags |= IFF_UP | IFF_MULTICAST;
    ok = ok && ioctl(fd, SIOCSIFFLAGS, &request) == 0;
    close(fd);
    return ok;
}

enum { NAMESPACE_REFUSED = 120, LOOPBACK_DOWN = 121 };

int test_in_network_namespace(int (*child)(void *arg), void *arg,
                              unsigned timeout_s)
{
    pid_t pid = fork();
    if (pid == -1) {
        perror("test_in_network_namespace: fork");
        return 127;
    }
    if (pid == 0) {
        alarm(timeout_s);
        if (unshare(CLONE_NEWNET) == -1)
            _exit(NAMESPACE_REFUSED);
        if (!loopback_up())
            _exit(LOOPBACK_DOWN);
        _exit(child(arg));
    }
    int status;
    if (waitpid(pid, &status, 0) != pid) {
        perror("test_in_network_namespace: waitpid");
        return 127;
    }
    if (!WIFEXITED(status)) {
        fprintf(stderr, "\n  network namespace child: killed by signal %d\n",
                WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        return 126;
    }
    int code = WEXITSTATUS(status);
    if (code == NAMESPACE_REFUSED) {
        fprintf(stderr, "\n  unshare(CLONE_NEWNET) refused: not run\n");
        return -1;
    }
    if (code == LOOPBACK_DOWN)
        fprintf(stderr, "\n  network namespace: lo would not come up\n");
    else if (code != 0)
        fprintf(stderr, "\n  network namespace child: exit %d\n", code);
    return code;
}

int test_without_plugins(int (*check)(void), char *said, size_t size)
{
    int pipe_fds[2];
    if (pipe(pipe_fds) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(pipe_fds[1], 2);
        close(pipe_fds[0]);
        setenv("MODZMQ_PLUGIN_PATH", "/nonexistent-modzmq-plugins", 1);
        _exit(check());
    }
    close(pipe_fds[1]);
    size_t have = 0;
    ssize_t got;
    while (have < size - 1 &&
           (got = read(pipe_fds[0], said + have, size - 1 - have)) > 0)
        have += (size_t) got;
    said[have] = '\0';
    close(pipe_fds[0]);
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}
