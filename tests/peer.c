/*
 * The interoperability peer process; see peer.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "peer.h"
#include "testutil.h"

#define PYTHON_PEER_MS 10000

struct test_peer {
    pid_t pid;
    int to_peer;   /* the peer's stdin */
    int from_peer; /* the peer's stdout */
    int answer_ms;
    bool has_ready;
    char ready[4096];
    char buffer[1 << 16];
    size_t buffered;
    char line[1 << 16];
};

/* One line from the peer into peer->line, waiting at most timeout_ms. */
static const char *read_line(struct test_peer *peer, int timeout_ms)
{
    long deadline = test_now_ms() + timeout_ms;
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
        long left = deadline - test_now_ms();
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

struct test_peer *test_peer_spawn(const char *path, char *const argv[],
                                  char *const envp[], int ready_ms,
                                  int answer_ms)
{
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
        /* Only dup2 and execve after fork: everything else is made
         * before it. */
        dup2(in[0], 0);
        dup2(out[1], 1);
        execve(path, argv, envp);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    if (pid < 0) {
        close(in[1]);
        close(out[0]);
        return NULL;
    }
    struct test_peer *peer = calloc(1, sizeof *peer);
    if (peer == NULL)
        abort();
    peer->pid = pid;
    peer->to_peer = in[1];
    peer->from_peer = out[0];
    peer->answer_ms = answer_ms;
    const char *ready = read_line(peer, ready_ms);
    if (ready != NULL) {
        snprintf(peer->ready, sizeof peer->ready, "%s", ready);
        peer->has_ready = true;
    }
    return peer;
}

const char *test_peer_ready(const struct test_peer *peer)
{
    return peer->has_ready ? peer->ready : NULL;
}

pid_t test_peer_pid(const struct test_peer *peer)
{
    return peer->pid;
}

struct test_peer *test_peer_start(void)
{
    char script[4096];
    const char *srcdir = getenv("srcdir");
    snprintf(script, sizeof script, "%s/tests/peers/zmq_peer.py",
             srcdir != NULL ? srcdir : ".");
    /* A clean environment: above all, no LD_LIBRARY_PATH. Kerberos'
     * variables pass, so that a GSSAPI peer finds the test realm. */
    char *const argv[] = { "python3", script, NULL };
    char *envp[16] = { "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8" };
    size_t count = 2;
    for (char **variable = environ;
         *variable != NULL && count < sizeof envp / sizeof envp[0] - 1;
         variable++) {
        if (strncmp(*variable, "KRB5", 4) == 0)
            envp[count++] = *variable;
    }
    envp[count] = NULL;
    struct test_peer *peer = test_peer_spawn("/usr/bin/python3", argv, envp,
                                             PYTHON_PEER_MS, PYTHON_PEER_MS);
    if (peer == NULL)
        return NULL;
    const char *ready = test_peer_ready(peer);
    if (ready == NULL || strncmp(ready, "ready ", 6) != 0 ||
        strstr(ready, "/usr/lib/") == NULL) {
        fprintf(stderr, "libzmq peer did not start: %s\n",
                ready != NULL ? ready : "(no answer)");
        test_peer_stop(peer);
        return NULL;
    }
    return peer;
}

const char *test_peer_askv(struct test_peer *peer, const char *format,
                           va_list args)
{
    char command[1 << 16];
    int length = vsnprintf(command, sizeof command - 1, format, args);
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
    return read_line(peer, peer->answer_ms);
}

const char *test_peer_ask(struct test_peer *peer, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    const char *answer = test_peer_askv(peer, format, args);
    va_end(args);
    return answer;
}

void test_peer_stop(struct test_peer *peer)
{
    if (peer == NULL)
        return;
    /* The end of its stdin ends the peer's command loop. */
    close(peer->to_peer);
    for (int i = 0; i < 50; i++) {
        if (waitpid(peer->pid, NULL, WNOHANG) == peer->pid)
            goto reaped;
        usleep(100 * 1000);
    }
    kill(peer->pid, SIGKILL);
    waitpid(peer->pid, NULL, 0);
reaped:
    close(peer->from_peer);
    free(peer);
}

void test_peer_part(char *text, const void *data, size_t size)
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
