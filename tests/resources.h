/*
 * What the stress and fault suites measure and adjust about their own
 * process: the file descriptor limit, open descriptors, resident memory
 * and CPU time.
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
/* CPU time the whole process has used (every thread), in ms. */
long test_cpu_ms(void);
/* CLOCK_MONOTONIC in ms. */
long test_now_ms(void);

#endif
