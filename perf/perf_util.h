/*
 * Helpers shared by every perf tool, with or without zmq: a monotonic clock
 * that does not depend on the library under test, and argument parsing.
 * The zmq-specific helpers are in perf_zmq.h.
 */
#ifndef MODZMQ_PERF_UTIL_H
#define MODZMQ_PERF_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Nanoseconds on the monotonic clock. */
static inline uint64_t perf_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* Parses a positive decimal count; exits with a message when it is not. */
static inline unsigned long perf_parse_count(const char *what, const char *text,
                                             unsigned long min)
{
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || text[0] == '-' ||
        v < min) {
        fprintf(stderr, "bad %s '%s' (need an integer >= %lu)\n", what, text,
                min);
        exit(2);
    }
    return v;
}

#endif
