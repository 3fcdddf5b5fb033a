/*
 * The Node.js peer running libzmq 4.3.5 with the draft API; see
 * draft_peer.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "draft_peer.h"

#define NODE "/usr/bin/node"
#define PACKAGE_DIR "tests/peers/node/node_modules"
#define READY_MS 30000
#define ANSWER_MS 30000

struct draft_peer {
    pid_t pid;
    int to_peer;   /* the peer's stdin */
    int from_peer; /* the peer's stdout */
    char ready[4096];
    char buffer[1 << 16];
    size_t buffered;
    char line[1 << 16];
};

static long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* One line from the peer into peer->line, waiting at most timeout_ms. */
static const char *read_line(struct draft_peer *peer, int timeout_ms)
{
    long deadline = now_ms() + timeout_ms;
    for (;;) {
        char *newline = memchr(peer->buffer, '\n', peer->buffered);
        if (newline != NULL) {
            size_t length = (size_t) (newline - peer->buffer);
            memcpy(peer->line, peer->buffer, length);
            peer->line[length] = '\0';
            peer->buffered -= length + 1;
            memmove(peer->buffer, newline + 1, peer->buffered);
            return peer->line;
        }
        long left = deadline - now_ms();
        if (left <= 0 || peer->buffered == sizeof peer->buffer)
            return NULL;
        struct pollfd pfd = { .fd = peer->from_peer, .events = POLLIN };
        int ready = poll(&pfd, 1, (int) left);
        if (ready < 0 && errno != EINTR)
            return NULL;
        if (ready <= 0)
            continue;
        ssize_t got = read(peer->from_peer, peer->buffer + peer->buffered,
                           sizeof peer->buffer - peer->buffered);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return NULL;
        peer->buffered += (size_t) got;
    }
}

/* The package directory, made absolute (the peer compares the addon it
 * mapped with it): the build tree's, else the source tree's. */
static bool find_package(char *path)
{
    char candidate[PATH_MAX];
    const char *srcdir = getenv("srcdir");
    const char *roots[] = { ".", srcdir };
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        if (roots[i] == NULL)
            continue;
        snprintf(candidate, sizeof candidate, "%s/%s/zeromq/package.json",
                 roots[i], PACKAGE_DIR);
        if (access(candidate, R_OK) != 0)
            continue;
        snprintf(candidate, sizeof candidate, "%s/%s", roots[i], PACKAGE_DIR);
        return realpath(candidate, path) != NULL;
    }
    return false;
}

struct draft_peer *draft_peer_start(void)
{
    if (access(NODE, X_OK) != 0) {
        fprintf(stderr, "draft peer: no %s (tools/install-deps.sh installs "
                        "Node.js)\n", NODE);
        return NULL;
    }
    char package[PATH_MAX];
    if (!find_package(package)) {
        fprintf(stderr, "draft peer: the npm package zeromq is not in %s "
                        "(tools/install-deps.sh installs it, make check "
                        "copies it into a build tree)\n", PACKAGE_DIR);
        return NULL;
    }
    char script[PATH_MAX];
    const char *srcdir = getenv("srcdir");
    snprintf(script, sizeof script, "%s/tests/peers/zmq_draft_peer.js",
             srcdir != NULL ? srcdir : ".");
    char modules[PATH_MAX + 32];
    snprintf(modules, sizeof modules, "MODZMQ_DRAFT_PEER_MODULES=%s", package);
    /* Everything the child needs is made before fork: after it, only
     * dup2 and execve. */
    char *const argv[] = { "node", "--no-warnings", script, NULL };
    char *const envp[] = { "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", modules,
                           NULL };
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) < 0)
        return NULL;
    if (pipe2(out, O_CLOEXEC) < 0) {
        close(in[0]);
        close(in[1]);
        return NULL;
    }
    /* A peer that died must fail a write, not kill the suite. */
    signal(SIGPIPE, SIG_IGN);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        execve(NODE, argv, envp);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    if (pid < 0) {
        close(in[1]);
        close(out[0]);
        return NULL;
    }
    struct draft_peer *peer = calloc(1, sizeof *peer);
    if (peer == NULL)
        abort();
    peer->pid = pid;
    peer->to_peer = in[1];
    peer->from_peer = out[0];
    const char *ready = read_line(peer, READY_MS);
    if (ready == NULL || strncmp(ready, "ready 4.3.5 ", 12) != 0 ||
        strstr(ready, "draft") == NULL) {
        fprintf(stderr, "draft peer did not start: %s\n",
                ready != NULL ? ready : "(no answer)");
        draft_peer_stop(peer);
        return NULL;
    }
    snprintf(peer->ready, sizeof peer->ready, "%s", ready);
    return peer;
}

const char *draft_peer_ready(const struct draft_peer *peer)
{
    return peer->ready;
}

const char *draft_peer_ask(struct draft_peer *peer, const char *format, ...)
{
    char command[1 << 16];
    va_list args;
    va_start(args, format);
    int length = vsnprintf(command, sizeof command - 1, format, args);
    va_end(args);
    if (length < 0 || (size_t) length >= sizeof command - 1)
        return NULL;
    command[length++] = '\n';
    for (int done = 0; done < length;) {
        ssize_t wrote =
            write(peer->to_peer, command + done, (size_t) (length - done));
        if (wrote < 0 && errno == EINTR)
            continue;
        if (wrote <= 0)
            return NULL;
        done += (int) wrote;
    }
    return read_line(peer, ANSWER_MS);
}

pid_t draft_peer_pid(const struct draft_peer *peer)
{
    return peer->pid;
}

/* Waits at most 5 s for the process to exit, then kills it. */
static void reap(pid_t pid)
{
    for (int i = 0; i < 50; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid)
            return;
        usleep(100 * 1000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

void draft_peer_stop(struct draft_peer *peer)
{
    if (peer == NULL)
        return;
    /* The end of its stdin ends the peer's command loop. */
    close(peer->to_peer);
    reap(peer->pid);
    close(peer->from_peer);
    free(peer);
}

void draft_peer_part(char *text, const void *data, size_t size)
{
    static const char digits[] = "0123456789abcdef";
    const unsigned char *bytes = data;
    if (size == 0) {
        strcpy(text, "-");
        return;
    }
    for (size_t i = 0; i < size; i++) {
        text[2 * i] = digits[bytes[i] >> 4];
        text[2 * i + 1] = digits[bytes[i] & 15];
    }
    text[2 * size] = '\0';
}
