/*
 * The byte-stream transports' shared system calls (see stream_fd.h).
 */
#include "stream_fd.h"

#include <modzmq/observer.h>
#include <zmq.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int stream_fd_open(int family)
{
    return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

int stream_fd_adopt(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    if (flags == -1 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1 ||
        fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
        return -1;
    return 0;
}

int stream_fd_listen(int fd, const void *address, socklen_t length, int backlog)
{
    if (address != NULL && bind(fd, address, length) != 0)
        return -1;
    return listen(fd, backlog);
}

/* EINTR too: the connect goes on in the kernel, and the fd becomes
 * writable once it is done, as after EINPROGRESS. */
int stream_fd_connect(int fd, const void *address, socklen_t length)
{
    if (connect(fd, address, length) != 0 && errno != EINPROGRESS &&
        errno != EINTR)
        return -1;
    return 0;
}

int stream_fd_accept_from(int listen_fd, struct sockaddr_storage *peer)
{
    socklen_t length = sizeof *peer;
    return accept4(listen_fd, (struct sockaddr *) peer,
                   peer != NULL ? &length : NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int stream_fd_discard(int fd)
{
    int error = errno;
    close(fd);
    errno = error;
    return -1;
}

void stream_fd_unlisten(const struct modzmq_core_services *services,
                        modzmq_socket *socket, int listen_fd,
                        const char *endpoint)
{
    if (close(listen_fd) < 0)
        modzmq_publish_bound(services, socket, ZMQ_EVENT_CLOSE_FAILED,
                             (uint64_t) errno, endpoint);
}

int stream_fd_accept(modzmq_endpoint *endpoint, int listen_fd, int *fd)
{
    (void) endpoint;
    int conn = stream_fd_accept_from(listen_fd, NULL);
    if (conn == -1)
        return -1;
    *fd = conn;
    return 0;
}

int stream_fd_connect_finish(modzmq_endpoint *endpoint, int fd)
{
    (void) endpoint;
    int error = 0;
    socklen_t length = sizeof error;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0)
        return -1;
    if (error != 0) {
        errno = error;
        return -1;
    }
    return 0;
}
