/*
 * The interoperability peer process; see peer.h.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "peer.h"

struct test_peer {
    pid_t pid;
    int to_peer;   /* the peer's stdin */
    int from_peer; /* the peer's stdout */
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
static const char *read_line(struct test_peer *peer, int timeout_ms)
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
        if (poll(&pfd, 1, (int) left) <= 0)
            continue;
        ssize_t got = read(peer->from_peer, peer->buffer + peer->buffered,
                           sizeof peer->buffer - peer->buffered);
        if (got <= 0)
            return NULL;
        peer->buffered += (size_t) got;
    }
}

static const char *script_path(char *path, size_t size)
{
    const char *srcdir = getenv("srcdir");
    snprintf(path, size, "%s/tests/peers/zmq_peer.py",
             srcdir != NULL ? srcdir : ".");
    return path;
}

struct test_peer *test_peer_start(void)
{
    char script[4096];
    script_path(script, sizeof script);
    int in[2], out[2];
    if (pipe(in) < 0 || pipe(out) < 0)
        return NULL;
    pid_t pid = fork();
    if (pid < 0)
        return NULL;
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[0]);
        close(in[1]);
        close(out[0]);
        close(out[1]);
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
        execve("/usr/bin/python3", argv, envp);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    struct test_peer *peer = calloc(1, sizeof *peer);
    if (peer == NULL)
        abort();
    peer->pid = pid;
    peer->to_peer = in[1];
    peer->from_peer = out[0];
    const char *ready = read_line(peer, 10000);
    if (ready == NULL || strncmp(ready, "ready ", 6) != 0 ||
        strstr(ready, "/usr/lib/") == NULL) {
        fprintf(stderr, "libzmq peer did not start: %s\n",
                ready != NULL ? ready : "(no answer)");
        test_peer_stop(peer);
        return NULL;
    }
    return peer;
}

const char *test_peer_ask(struct test_peer *peer, const char *format, ...)
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
        if (wrote <= 0)
            return NULL;
        done += (int) wrote;
    }
    return read_line(peer, 10000);
}

void test_peer_stop(struct test_peer *peer)
{
    if (peer == NULL)
        return;
    /* Closing its stdin ends the peer's command loop. */
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
