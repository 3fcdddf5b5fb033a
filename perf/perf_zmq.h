/*
 * Helpers shared by the perf tools that use the zmq API: a report of which
 * libzmq shared object this process really mapped (read from
 * /proc/self/maps), so that a benchmark can prove which library it
 * measured; the transport named by an endpoint; binding with the real
 * endpoint read back; the common teardown; dying on a failed call with
 * the library's message; creating a socket of a type the library may lack;
 * and finding the draft API's functions at run time.
 */
#ifndef MODZMQ_PERF_ZMQ_H
#define MODZMQ_PERF_ZMQ_H

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zmq.h"

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

/*
 * Writes into buf the scheme of an endpoint ("tcp" for "tcp://host:port");
 * exits when the endpoint has none.
 */
static inline void perf_transport_of(const char *endpoint, char *buf,
                                     size_t len)
{
    const char *sep = strstr(endpoint, "://");
    if (sep == NULL || sep == endpoint) {
        fprintf(stderr, "bad endpoint '%s' (need transport://address)\n",
                endpoint);
        exit(2);
    }
    snprintf(buf, len, "%.*s", (int) (sep - endpoint), endpoint);
}

/*
 * Binds the socket to endpoint and writes into bound the endpoint it really
 * got (ZMQ_LAST_ENDPOINT), which tells a peer where to connect when the
 * address held a wildcard such as "tcp://127.0.0.1:*".
 */
static inline void perf_bind(void *socket, const char *endpoint, char *bound,
                             size_t len)
{
    char what[512];
    snprintf(what, sizeof what, "zmq_bind(%s)", endpoint);
    if (zmq_bind(socket, endpoint) != 0)
        perf_die(what);
    if (zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, bound, &len) != 0)
        perf_die("zmq_getsockopt(LAST_ENDPOINT)");
}

/*
 * Joins the helper thread, which returns its socket, and only then closes
 * it (closing it early can strand the last messages in some libraries),
 * then closes the main thread's socket and terminates the context.
 */
static inline void perf_finish(pthread_t helper, void *socket, void *ctx)
{
    void *helper_socket = NULL;
    pthread_join(helper, &helper_socket);
    if (zmq_close(helper_socket) != 0)
        perf_die("zmq_close(helper's socket)");
    if (zmq_close(socket) != 0)
        perf_die("zmq_close");
    if (zmq_ctx_term(ctx) != 0)
        perf_die("zmq_ctx_term");
}

/*
 * ZMQ_RATE in kbit/s (the tools' --rate), for a socket of a multicast
 * transport (pgm, epgm, norm), whose default of 100 kbit/s would time the
 * rate limit rather than the library; 0 leaves the library's default.
 */
static inline void perf_set_rate(void *socket, int kbit)
{
    if (kbit > 0 && zmq_setsockopt(socket, ZMQ_RATE, &kbit, sizeof kbit) != 0)
        perf_die("zmq_setsockopt(RATE)");
}

/* What a tool exits with when the library lacks a socket type it needs, so
 * that compare.sh can tell "not offered" from "broken". */
#define PERF_EXIT_UNSUPPORTED 3

/*
 * Creates a socket of the given type. When the library does not offer the
 * type (zmq_socket fails with EINVAL, as a libzmq built without the draft
 * API answers for CLIENT or RADIO), says "no NAME (...)" as the last line
 * on stderr and exits with PERF_EXIT_UNSUPPORTED; other failures exit 1.
 */
static inline void *perf_socket(void *ctx, int type, const char *name)
{
    void *s = zmq_socket(ctx, type);
    if (s != NULL)
        return s;
    if (zmq_errno() == EINVAL) {
        fprintf(stderr, "no %s (zmq_socket: %s)\n", name, zmq_strerror(EINVAL));
        exit(PERF_EXIT_UNSUPPORTED);
    }
    fprintf(stderr, "zmq_socket(%s) failed: %s\n", name,
            zmq_strerror(zmq_errno()));
    exit(1);
}

/*
 * Looks up a function of the draft API (zmq_join, zmq_msg_set_group) in
 * the libzmq this process loaded. The tools call these through dlsym, not
 * directly, so that the same binary still loads on a libzmq that lacks
 * them; exits when the library does not have it.
 */
static inline void *perf_draft_function(const char *name)
{
    void *f = dlsym(RTLD_DEFAULT, name);
    if (f == NULL) {
        fprintf(stderr, "%s not in this libzmq\n", name);
        exit(1);
    }
    return f;
}

#endif
