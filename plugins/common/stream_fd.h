/*
 * The system calls every byte-stream transport plugin makes the same way
 * (tcp, ipc, tipc, vsock, vmci): fds opened, adopted, connected and
 * accepted as transport.h wants them (non-blocking, close-on-exec), a
 * non-blocking connect finished, a listener closed. Plugins are separate
 * modules that must not depend on each other, so each compiles this file
 * into itself (STREAM_FD_SOURCES, plugins/common/local.mk).
 *
 * Every function that can fail returns -1 with errno, as the ops do.
 */
#ifndef MODZMQ_STREAM_FD_H
#define MODZMQ_STREAM_FD_H

#include <modzmq/transport.h>

#include <sys/socket.h>

/* A new stream socket of family, non-blocking and close-on-exec. */
int stream_fd_open(int family);

/* Makes an fd the application gave (ZMQ_USE_FD) non-blocking and
 * close-on-exec, as the core wants every fd. 0, or -1. */
int stream_fd_adopt(int fd);

/* Binds fd to address (unless address is NULL: the name the kernel gave
 * the socket, as a TIPC port id) and listens with backlog. 0, or -1; fd
 * is left open either way. */
int stream_fd_listen(int fd, const void *address, socklen_t length,
                     int backlog);

/* Starts a non-blocking connect: 0 when it is under way or done (the
 * core waits for the fd to be writable, then connect_finish), -1 when it
 * failed at once; fd is left open either way. */
int stream_fd_connect(int fd, const void *address, socklen_t length);

/* The next connection waiting on listen_fd, non-blocking and
 * close-on-exec, with the peer's address in *peer unless peer is NULL.
 * The fd, or -1. */
int stream_fd_accept_from(int listen_fd, struct sockaddr_storage *peer);

/* Closes an fd that failed on the way, keeping the errno of the failure.
 * Always -1, to return from the op. */
int stream_fd_discard(int fd);

/* The unlisten op's close, with the ZMQ_EVENT_CLOSE_FAILED event should
 * close fail; endpoint is the event's local endpoint. */
void stream_fd_unlisten(const struct modzmq_core_services *services,
                        modzmq_socket *socket, int listen_fd,
                        const char *endpoint);

/* Ops a transport with nothing of its own to do at that step can put in
 * its table as they are. */

/* accept: the next connection, nothing checked or set on it. */
int stream_fd_accept(modzmq_endpoint *endpoint, int listen_fd, int *fd);

/* connect_finish: the outcome of the non-blocking connect (SO_ERROR), 0
 * or -1 with errno the reason (ECONNREFUSED, ETIMEDOUT, ...). */
int stream_fd_connect_finish(modzmq_endpoint *endpoint, int fd);

#endif
