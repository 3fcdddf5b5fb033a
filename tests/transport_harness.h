/*
 * What the transport plugin suites share: loading a built plugin module
 * the way the core's loader does (dlopen, the libtool-prefixed entry
 * symbol, the descriptor checks, init), a stand-in for the core's
 * services whose socket_option answers from a small per-test option
 * table, and bounded waits for connecting, accepting and exchanging bytes
 * over the fds the plugin hands out.
 */
#ifndef TRANSPORT_HARNESS_H
#define TRANSPORT_HARNESS_H

#include <modzmq/transport.h>
#include <stdbool.h>
#include <stddef.h>

enum { HARNESS_WAIT_MS = 5000 };

/* Loads the module at path, whose libtool name is module ("modzmq_tcp"),
 * and initialises it with the test services. NULL (and a message on
 * stderr) when it cannot. */
const struct modzmq_transport_ops *harness_load(const char *path,
                                                const char *module);
/* The loaded descriptor. */
const struct modzmq_plugin *harness_plugin(void);
/* Calls fini and unloads the module. */
void harness_unload(void);

/* The fake zmq socket whose options socket_option reads. Reset gives every
 * option libzmq's default; the setters override one option until the
 * next reset. Strings are set with their NUL, lists as raw bytes. */
modzmq_socket *harness_socket(void);
void harness_options_reset(void);
void harness_set_int(int option, int value);
void harness_set_bytes(int option, const void *value, size_t size);

/* Waits up to HARNESS_WAIT_MS for events (POLLIN, POLLOUT) on fd. */
bool harness_wait(int fd, short events);

/* connect_start, a wait for writability, connect_finish: 0 with *fd, or
 * -1 with errno (the fd, if any, closed). */
int harness_connect(const struct modzmq_transport_ops *ops,
                    modzmq_endpoint *endpoint, int *fd);
/* Waits for a pending connection and accepts it: 0 with *fd or -1. */
int harness_accept(const struct modzmq_transport_ops *ops,
                   modzmq_endpoint *endpoint, int listen_fd, int *fd);

/* Writes a few bytes each way between two connected fds and checks they
 * arrive. */
bool harness_exchange(int a, int b);

/* endpoint_parse of the loaded plugin, for its first scheme, with the fake
 * socket. */
int harness_parse(const char *address, enum modzmq_endpoint_mode mode,
                  modzmq_endpoint **endpoint);
/* True when parsing address fails with errno error (what went otherwise is
 * said on stderr). */
bool harness_parse_fails(const char *address, enum modzmq_endpoint_mode mode,
                         int error);

/* A bound, listening endpoint of the loaded plugin and its formatted
 * name. */
struct harness_listener {
    modzmq_endpoint *endpoint;
    int fd;
    char name[128];
};

/* Parses address for binding, listens and formats the name; false (errno
 * kept) when a step fails. */
bool harness_listen(const char *address, struct harness_listener *l);
/* Unlistens and frees the endpoint; harmless when there is none. */
void harness_unlisten(struct harness_listener *l);

/* A connected pair through the plugin. */
struct harness_connection {
    modzmq_endpoint *endpoint;
    int connected;
    int accepted;
};

/* Connects to address and accepts on l. */
bool harness_connect_to(const char *address, struct harness_listener *l,
                        struct harness_connection *c);
/* Closes both fds and frees the endpoint. */
void harness_disconnect(struct harness_connection *c);

#endif
