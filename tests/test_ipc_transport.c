/* CUnit tests of the ipc transport plugin (plugins/ipc), loaded from its
 * built module as the core's loader loads it and driven through its ops
 * with a fake socket whose options each test sets: filesystem and
 * abstract round trips, the wildcard's private directory, removal of the
 * socket file on unlisten, stale and live socket files, path length
 * limits, connect errors, ZMQ_USE_FD, and the uid, gid and pid filters.
 * Every file lives in a temporary directory the suite creates and
 * removes. */
#include "testutil.h"
#include "transport_harness.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <zmq.h>

static const struct modzmq_transport_ops *ops;
static char test_dir[64];

/* A path inside the suite's directory. */
static const char *in_dir(const char *name)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", test_dir, name);
    return path;
}

static bool exists(const char *path)
{
    struct stat status;
    return lstat(path, &status) == 0;
}

/* Binds a plain Unix socket at path; listening or not. Returns the fd. */
static int raw_socket_at(const char *path, bool listening)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    size_t length = strlen(path);
    if (length >= sizeof addr.sun_path)
        return -1;
    memcpy(addr.sun_path, path, length + 1);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd == -1 || bind(fd, (struct sockaddr *) &addr, sizeof addr) != 0 ||
        (listening && listen(fd, 4) != 0)) {
        if (fd != -1)
            close(fd);
        return -1;
    }
    return fd;
}

static void test_descriptor(void)
{
    const struct modzmq_plugin *plugin = harness_plugin();
    CU_ASSERT_STRING_EQUAL(plugin->name, "ipc");
    CU_ASSERT_EQUAL(plugin->kind, MODZMQ_PLUGIN_TRANSPORT);
    CU_ASSERT_STRING_EQUAL(plugin->serves[0], "ipc");
    CU_ASSERT_PTR_NULL(plugin->serves[1]);
}

static void test_bad_addresses(void)
{
    harness_options_reset();
    CU_ASSERT(harness_parse_fails("", MODZMQ_ENDPOINT_BIND, EINVAL));
    CU_ASSERT(harness_parse_fails("", MODZMQ_ENDPOINT_CONNECT, EINVAL));
    /* "@" alone: an abstract address without a name. */
    CU_ASSERT(harness_parse_fails("@", MODZMQ_ENDPOINT_BIND, EINVAL));
    CU_ASSERT(harness_parse_fails("@", MODZMQ_ENDPOINT_CONNECT, EINVAL));
    /* 107 bytes fit a Linux socket address, 108 do not. */
    char path[200];
    memset(path, 'a', sizeof path);
    path[0] = '/';
    path[108] = '\0';
    CU_ASSERT(harness_parse_fails(path, MODZMQ_ENDPOINT_BIND, ENAMETOOLONG));
    CU_ASSERT(harness_parse_fails(path, MODZMQ_ENDPOINT_CONNECT, ENAMETOOLONG));
    path[0] = '@';
    CU_ASSERT(harness_parse_fails(path, MODZMQ_ENDPOINT_BIND, ENAMETOOLONG));
    path[107] = '\0';
    modzmq_endpoint *endpoint;
    CU_ASSERT_EQUAL_FATAL(
        harness_parse(path, MODZMQ_ENDPOINT_CONNECT, &endpoint), 0);
    ops->endpoint_free(endpoint);
    /* A directory that does not exist. */
    struct harness_listener l;
    errno = 0;
    CU_ASSERT_FALSE(harness_listen(in_dir("missing/socket"), &l));
    CU_ASSERT_EQUAL(errno, ENOENT);
}

static void test_file_round_trip(void)
{
    harness_options_reset();
    const char *path = in_dir("round-trip");
    struct harness_listener l;
    CU_ASSERT_FATAL(harness_listen(path, &l));
    char expected[160];
    snprintf(expected, sizeof expected, "ipc://%s", path);
    CU_ASSERT_STRING_EQUAL(l.name, expected);
    CU_ASSERT(exists(path));
    int fd;
    errno = 0;
    CU_ASSERT_EQUAL(ops->accept(l.endpoint, l.fd, &fd), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    struct harness_connection c;
    CU_ASSERT_FATAL(harness_connect_to(path, &l, &c));
    CU_ASSERT(harness_exchange(c.connected, c.accepted));
    int fds[] = { l.fd, c.connected, c.accepted };
    for (size_t i = 0; i < 3; i++) {
        CU_ASSERT(fcntl(fds[i], F_GETFL) & O_NONBLOCK);
        CU_ASSERT(fcntl(fds[i], F_GETFD) & FD_CLOEXEC);
    }
    /* No IP address to give. */
    char peer[64];
    CU_ASSERT_EQUAL(
        ops->peer_address(l.endpoint, c.accepted, peer, sizeof peer), -1);
    char name[128];
    CU_ASSERT(ops->endpoint_format(c.endpoint, name, sizeof name) > 0);
    CU_ASSERT_STRING_EQUAL(name, expected);
    char tiny[8];
    errno = 0;
    CU_ASSERT_EQUAL(ops->endpoint_format(l.endpoint, tiny, sizeof tiny), -1);
    CU_ASSERT_EQUAL(errno, ENOSPC);
    harness_disconnect(&c);
    harness_unlisten(&l);
    /* unlisten removed the socket file. */
    CU_ASSERT_FALSE(exists(path));
}

static void test_abstract_round_trip(void)
{
    harness_options_reset();
    char address[64];
    snprintf(address, sizeof address, "@modzmq-test-%ld", (long) getpid());
    struct harness_listener l;
    CU_ASSERT_FATAL(harness_listen(address, &l));
    char expected[80];
    snprintf(expected, sizeof expected, "ipc://%s", address);
    CU_ASSERT_STRING_EQUAL(l.name, expected);
    struct harness_connection c;
    CU_ASSERT_FATAL(harness_connect_to(address, &l, &c));
    CU_ASSERT(harness_exchange(c.connected, c.accepted));
    harness_disconnect(&c);
    /* A live abstract name cannot be bound twice. */
    struct harness_listener second;
    errno = 0;
    CU_ASSERT_FALSE(harness_listen(address, &second));
    CU_ASSERT_EQUAL(errno, EADDRINUSE);
    harness_unlisten(&l);
    /* Once it is gone, the name is free again. */
    CU_ASSERT_FATAL(harness_listen(address, &second));
    harness_unlisten(&second);
}

static void test_wildcard(void)
{
    harness_options_reset();
    /* Keep the wildcard's directory inside the suite's own. */
    CU_ASSERT_EQUAL_FATAL(setenv("TMPDIR", test_dir, 1), 0);
    struct harness_listener l;
    bool listening = harness_listen("*", &l);
    unsetenv("TMPDIR");
    CU_ASSERT_FATAL(listening);
    char prefix[96];
    snprintf(prefix, sizeof prefix, "ipc://%s/modzmq-", test_dir);
    CU_ASSERT_EQUAL(strncmp(l.name, prefix, strlen(prefix)), 0);
    const char *path = l.name + strlen("ipc://");
    struct stat status;
    CU_ASSERT_FATAL(lstat(path, &status) == 0);
    CU_ASSERT(S_ISSOCK(status.st_mode));
    char directory[128];
    snprintf(directory, sizeof directory, "%s", path);
    *strrchr(directory, '/') = '\0';
    CU_ASSERT(stat(directory, &status) == 0 && (status.st_mode & 0777) == 0700);
    struct harness_connection c;
    CU_ASSERT_FATAL(harness_connect_to(path, &l, &c));
    CU_ASSERT(harness_exchange(c.connected, c.accepted));
    harness_disconnect(&c);
    char socket_path[128];
    snprintf(socket_path, sizeof socket_path, "%s", path);
    harness_unlisten(&l);
    CU_ASSERT_FALSE(exists(socket_path));
    CU_ASSERT_FALSE(exists(directory));
    /* A connect to "*" is a relative path, not a wildcard, as in libzmq. */
    modzmq_endpoint *endpoint;
    CU_ASSERT_EQUAL_FATAL(
        harness_parse("*", MODZMQ_ENDPOINT_CONNECT, &endpoint), 0);
    char name[32];
    CU_ASSERT(ops->endpoint_format(endpoint, name, sizeof name) > 0);
    CU_ASSERT_STRING_EQUAL(name, "ipc://*");
    ops->endpoint_free(endpoint);
}

static void test_existing_files(void)
{
    harness_options_reset();
    /* A stale socket file (its owner closed without removing it). */
    const char *path = in_dir("stale");
    int stale = raw_socket_at(path, false);
    CU_ASSERT_FATAL(stale != -1);
    close(stale);
    modzmq_endpoint *endpoint;
    CU_ASSERT_FATAL(harness_parse(path, MODZMQ_ENDPOINT_CONNECT, &endpoint) ==
                    0);
    int fd;
    errno = 0;
    CU_ASSERT_EQUAL(harness_connect(ops, endpoint, &fd), -1);
    CU_ASSERT_EQUAL(errno, ECONNREFUSED);
    struct harness_listener first;
    CU_ASSERT_FATAL(harness_listen(path, &first));

    /* A live one: as libzmq, a new bind takes the path over, and the old
     * listener's unlisten leaves the new file alone. */
    struct harness_listener second;
    CU_ASSERT_FATAL(harness_listen(path, &second));
    struct harness_connection c;
    CU_ASSERT_FATAL(harness_connect_to(path, &second, &c));
    CU_ASSERT(harness_exchange(c.connected, c.accepted));
    harness_disconnect(&c);
    harness_unlisten(&first);
    CU_ASSERT(exists(path));
    CU_ASSERT_EQUAL(harness_connect(ops, endpoint, &fd), 0);
    close(fd);
    harness_unlisten(&second);
    CU_ASSERT_FALSE(exists(path));
    /* Nothing there at all. */
    errno = 0;
    CU_ASSERT_EQUAL(harness_connect(ops, endpoint, &fd), -1);
    CU_ASSERT_EQUAL(errno, ENOENT);
    ops->endpoint_free(endpoint);

    /* A file that is not a socket is never removed. */
    const char *plain = in_dir("plain-file");
    int file = open(plain, O_CREAT | O_WRONLY, 0600);
    CU_ASSERT_FATAL(file != -1);
    close(file);
    errno = 0;
    CU_ASSERT_FALSE(harness_listen(plain, &first));
    CU_ASSERT_EQUAL(errno, EADDRINUSE);
    CU_ASSERT(exists(plain));
    unlink(plain);
}

static void test_use_fd(void)
{
    const char *path = in_dir("own-listener");
    int own = raw_socket_at(path, true);
    CU_ASSERT_FATAL(own != -1);
    harness_options_reset();
    harness_set_int(ZMQ_USE_FD, own);
    struct harness_listener l;
    CU_ASSERT_FATAL(harness_listen(path, &l));
    harness_options_reset();
    CU_ASSERT_EQUAL(l.fd, own);
    char expected[160];
    snprintf(expected, sizeof expected, "ipc://%s", path);
    CU_ASSERT_STRING_EQUAL(l.name, expected);
    CU_ASSERT(fcntl(l.fd, F_GETFL) & O_NONBLOCK);
    struct harness_connection c;
    CU_ASSERT_FATAL(harness_connect_to(path, &l, &c));
    CU_ASSERT(harness_exchange(c.connected, c.accepted));
    harness_disconnect(&c);
    harness_unlisten(&l);
    /* The application made the file; it stays. */
    CU_ASSERT(exists(path));
    unlink(path);
}

/* Listens with one filter list set, then connects once: whether the
 * connection was accepted (false also when accept failed otherwise). */
static bool filter_accepts(int option, const void *ids, size_t size)
{
    harness_options_reset();
    harness_set_bytes(option, ids, size);
    struct harness_listener l;
    bool listening = harness_listen(in_dir("filtered"), &l);
    harness_options_reset();
    CU_ASSERT_FATAL(listening);
    struct harness_connection c;
    errno = 0;
    bool accepted = harness_connect_to(in_dir("filtered"), &l, &c);
    if (!accepted)
        CU_ASSERT_EQUAL(errno, EACCES);
    harness_disconnect(&c);
    harness_unlisten(&l);
    return accepted;
}

static void test_filters(void)
{
    uid_t uids[] = { getuid() + 12345, getuid() };
    CU_ASSERT(filter_accepts(ZMQ_IPC_FILTER_UID, uids, sizeof uids));
    CU_ASSERT_FALSE(filter_accepts(ZMQ_IPC_FILTER_UID, uids, sizeof uids[0]));
    pid_t pids[] = { getpid() };
    CU_ASSERT(filter_accepts(ZMQ_IPC_FILTER_PID, pids, sizeof pids));
    pids[0] = getpid() + 1;
    CU_ASSERT_FALSE(filter_accepts(ZMQ_IPC_FILTER_PID, pids, sizeof pids));
    gid_t gids[] = { getgid() };
    CU_ASSERT(filter_accepts(ZMQ_IPC_FILTER_GID, gids, sizeof gids));
    gids[0] = getgid() + 54321;
    CU_ASSERT_FALSE(filter_accepts(ZMQ_IPC_FILTER_GID, gids, sizeof gids));
    /* Longer than the first read's buffer: read whole. */
    uid_t many[100];
    for (size_t i = 0; i < 100; i++)
        many[i] = getuid() + 1000 + (uid_t) i;
    many[99] = getuid();
    CU_ASSERT(filter_accepts(ZMQ_IPC_FILTER_UID, many, sizeof many));
    /* A malformed list from the core is refused, not misread. */
    harness_options_reset();
    harness_set_bytes(ZMQ_IPC_FILTER_UID, "abc", 3);
    CU_ASSERT(
        harness_parse_fails(in_dir("filtered"), MODZMQ_ENDPOINT_BIND, EINVAL));
    harness_options_reset();
}

int main(void)
{
    snprintf(test_dir, sizeof test_dir, "/tmp/modzmq-ipc-test-XXXXXX");
    if (mkdtemp(test_dir) == NULL)
        return 1;
    ops = harness_load(IPC_MODULE_PATH, "modzmq_ipc");
    int rc = 1;
    if (ops != NULL) {
        static const struct test_case tests[] = {
            { "descriptor", test_descriptor },
            { "bad addresses", test_bad_addresses },
            { "file round trip", test_file_round_trip },
            { "abstract round trip", test_abstract_round_trip },
            { "wildcard", test_wildcard },
            { "existing files", test_existing_files },
            { "ZMQ_USE_FD", test_use_fd },
            { "uid, gid and pid filters", test_filters },
        };
        rc = test_run_suite("ipc transport", tests,
                            sizeof tests / sizeof tests[0]);
    }
    harness_unload();
    if (rmdir(test_dir) != 0) {
        fprintf(stderr, "%s left behind: %s\n", test_dir, strerror(errno));
        rc = 1;
    }
    return rc;
}
