/*
 * Helpers shared by the perf tools that use the zmq API: a report of which
 * libzmq shared object this process really mapped (read from
 * /proc/self/maps), so that a benchmark can prove which library it
 * measured; the transport named by an endpoint; binding with the real
 * endpoint read back; the common teardown; and dying on a failed call with
 * the library's message.
 */
#ifndef MODZMQ_PERF_ZMQ_H
#define MODZMQ_PERF_ZMQ_H

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

#endif
