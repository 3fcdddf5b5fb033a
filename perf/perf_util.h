/*
 * Small helpers shared by the perf tools: argument parsing, a monotonic
 * clock that does not depend on the library under test, and a report of
 * which libzmq shared object this process really mapped (read from
 * /proc/self/maps), so that a benchmark can prove which library it measured.
 */
#ifndef MODZMQ_PERF_UTIL_H
#define MODZMQ_PERF_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "zmq.h"

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

/*
 * Writes into buf the path of the first mapping whose file name starts with
 * "libzmq.so", or "unknown" when none is found.
 */
static inline void perf_mapped_libzmq(char *buf, size_t len)
{
    snprintf(buf, len, "unknown");
    FILE *f = fopen("/proc/self/maps", "r");
    if (f == NULL)
        return;
    char line[4096];
    while (fgets(line, sizeof line, f) != NULL) {
        char *path = strchr(line, '/');
        if (path == NULL)
            continue;
        path[strcspn(path, "\n")] = '\0';
        const char *base = strrchr(path, '/') + 1;
        if (strncmp(base, "libzmq.so", 9) == 0) {
            snprintf(buf, len, "%s", path);
            break;
        }
    }
    fclose(f);
}

/* Prints "lib=<path> version=<x.y.z>" (no newline) for the report line. */
static inline void perf_print_lib(void)
{
    char path[1024];
    int major = 0, minor = 0, patch = 0;
    perf_mapped_libzmq(path, sizeof path);
    zmq_version(&major, &minor, &patch);
    printf("lib=%s version=%d.%d.%d", path, major, minor, patch);
}

/* Reports a failed zmq call and exits. */
static inline void perf_die(const char *what)
{
    fprintf(stderr, "%s failed: %s\n", what, zmq_strerror(zmq_errno()));
    exit(1);
}

#endif
