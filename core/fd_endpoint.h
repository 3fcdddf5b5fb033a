/*
 * Endpoint strings of a connected fd, for the local and remote endpoints
 * events carry ("tcp://127.0.0.1:41234", "ipc:///tmp/x"), written the
 * way zmq_getsockopt(ZMQ_LAST_ENDPOINT) writes them.
 */
#ifndef MZ_FD_ENDPOINT_H
#define MZ_FD_ENDPOINT_H

#include <stdbool.h>
#include <stddef.h>

/* The address of fd's own end (local) or of its peer, with the scheme of
 * uri ("tcp" from "tcp://..."). Returns a string to free(), "" when the
 * address family is not one of inet, inet6 or unix or the call fails;
 * NULL only when out of memory. */
char *mz_fd_endpoint(int fd, bool local, const char *uri);

#endif
