/*
 * Test programs that run themselves as a peer process; see child.h.
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

#include "child.h"
#include "testutil.h"

struct test_child {
    pid_t pid;
    int from_child;
    char buffer[4096];
    size_t buffered;
    char line[4096];
};

bool test_is_child(int argc, char **argv)
{
    return argc >= 3 && strcmp(argv[1], "--child") == 0;
}

struct test_child *test_child_start(const char *const args[])
{
    size_t count = 0;
    while (args[count] != NULL)
        count++;
    char **argv = calloc(count + 3, sizeof *argv);
    struct test_child *child = calloc(1, sizeof *child);
    int out[2];
    if (argv == NULL || child == NULL || pipe2(out, O_CLOEXEC) < 0) {
        perror("test child");
        free(argv);
        free(child);
        return NULL;
    }
    argv[0] = "test-child";
    argv[1] = "--child";
    for (size_t i = 0; i < count; i++)
        argv[2 + i] = (char *) args[i];
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        /* Only async-signal-safe calls until exec. */
        dup2(out[1], STDOUT_FILENO);
        execv("/proc/self/exe", argv);
        _exit(127);
    }
    int error = errno;
    close(out[1]);
    free(argv);
    if (pid < 0) {
        fprintf(stderr, "test child: fork: %s\n", strerror(error));
        close(out[0]);
        free(child);
        return NULL;
    }
    child->pid = pid;
    child->from_child = out[0];
    return child;
}

pid_t test_child_pid(const struct test_child *child)
{
    return child->pid;
}

const char *test_child_line(struct test_child *child, int timeout_ms)
{
    long deadline = test_now_ms() + timeout_ms;
    for (;;) {
        char *newline = memchr(child->buffer, '\n', child->buffered);
        if (newline != NULL) {
            size_t length = (size_t) (newline - child->buffer);
            memcpy(child->line, child->buffer, length);
            child->line[length] = '\0';
            child->buffered -= length + 1;
            memmove(child->buffer, newline + 1, child->buffered);
            return child->line;
        }
        long left = deadline - test_now_ms();
        if (left <= 0 || child->buffered == sizeof child->buffer)
            return NULL;
        struct pollfd pfd = { .fd = child->from_child, .events = POLLIN };
        if (poll(&pfd, 1, (int) left) <= 0)
            continue;
        ssize_t got = read(child->from_child, child->buffer + child->buffered,
                           sizeof child->buffer - child->buffered);
        if (got <= 0)
            return NULL;
        child->buffered += (size_t) got;
    }
}

static void child_free(struct test_child *child)
{
    close(child->from_child);
    free(child);
}

int test_child_wait(struct test_child *child, int timeout_ms)
{
    long deadline = test_now_ms() + timeout_ms;
    int status = 0;
    for (;;) {
        pid_t done = waitpid(child->pid, &status, WNOHANG);
        if (done == child->pid)
            break;
        if (test_now_ms() >= deadline) {
            kill(child->pid, SIGKILL);
            waitpid(child->pid, NULL, 0);
            child_free(child);
            return -1;
        }
        usleep(10 * 1000);
    }
    child_free(child);
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

void test_child_kill(struct test_child *child)
{
    kill(child->pid, SIGKILL);
    waitpid(child->pid, NULL, 0);
    child_free(child);
}
