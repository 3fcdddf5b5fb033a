/*
 * What the stress, fault and delivery suites measure and adjust about
 * their own process (the file descriptor limit, open descriptors,
 * resident memory, CPU time), and how they report it.
 */
#ifndef TEST_RESOURCES_H
#define TEST_RESOURCES_H

/* Raises RLIMIT_NOFILE's soft limit towards wanted, never above the hard
 * limit; returns the soft limit now in force, or -1. */
long test_raise_fd_limit(long wanted);
/* Sets the soft limit (for EMFILE tests); 0 or -1. */
int test_set_fd_limit(long soft);
/* How many descriptors the process has open now. */
int test_open_fds(void);
/* VmRSS from /proc/self/status, in KiB; -1 if unreadable. */
long test_rss_kb(void);
/* CPU time the whole process has used (every thread), in ms. (Elapsed
 * time is testutil.h's test_now_ms.) */
long test_cpu_ms(void);

/* Prints a figure a case measured, on a line of its own under the test's
 * name in CUnit's verbose output. */
void test_report(const char *format, ...) __attribute__((format(printf, 1, 2)));

#endif
