/*
 * The test program again, in another process: for peers that a test kills
 * with SIGKILL, restarts, or that need file descriptors of their own.
 *
 * test_child_start runs /proc/self/exe with "--child" and the given
 * arguments (fork, then exec at once: a forked copy of a process with a
 * live context is not safe to go on running); the program's main hands
 * such a run to its child modes. The child's stdout comes back through a
 * pipe, one report line at a time. Every wait is bounded.
 */
#ifndef TEST_CHILD_H
#define TEST_CHILD_H

#include <stdbool.h>
#include <sys/types.h>

struct test_child;

/* args: the child mode and its arguments, NULL-terminated. NULL on
 * failure (with a message on stderr). */
struct test_child *test_child_start(const char *const args[]);
pid_t test_child_pid(const struct test_child *child);
/* The next line the child printed, valid until the next call; NULL after
 * timeout_ms or at end of file. */
const char *test_child_line(struct test_child *child, int timeout_ms);
/* Waits at most timeout_ms for the child to exit, then kills it; returns
 * its exit status, 128 + the signal that ended it, or -1 when it had to be
 * killed. Frees child. */
int test_child_wait(struct test_child *child, int timeout_ms);
/* SIGKILL, reap, free. */
void test_child_kill(struct test_child *child);

/* In a child: "--child" is argv[1]; true when this run is one. */
bool test_is_child(int argc, char **argv);

#endif
