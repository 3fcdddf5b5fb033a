/*
 * Helpers shared by every perf tool, with or without zmq: a monotonic clock
 * that does not depend on the library under test, and argument parsing
 * (counts, and "--name VALUE" options before the positional arguments).
 * The zmq-specific helpers are in perf_zmq.h.
 */
#ifndef MODZMQ_PERF_UTIL_H
#define MODZMQ_PERF_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Nanoseconds on the monotonic clock. */
static inline uint64_t perf_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + (uint64_t) ts.tv_nsec;
}

/* perf_now_ns of ms milliseconds from now. */
static inline uint64_t perf_deadline_ns(unsigned ms)
{
    return perf_now_ns() + (uint64_t) ms * 1000000u;
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
 * When argv[1] is the option name (e.g. "--pattern"), removes it and its
 * value from the arguments, keeping argv[0] first, and returns the value;
 * returns NULL, leaving the arguments as they are, when it is not. Exits
 * when the option has no value.
 */
static inline const char *perf_take_option(int *argc, char ***argv,
                                           const char *name)
{
    if (*argc < 2 || strcmp((*argv)[1], name) != 0)
        return NULL;
    if (*argc < 3) {
        fprintf(stderr, "%s needs a value\n", name);
        exit(2);
    }
    const char *value = (*argv)[2];
    (*argv)[2] = (*argv)[0];
    *argc -= 2;
    *argv += 2;
    return value;
}

#endif
