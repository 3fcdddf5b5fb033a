/*
 * ipc plugin: turning endpoint addresses into Unix domain socket
 * addresses and back. "/path" or "relative/path" name a filesystem
 * socket, "@name" one in Linux's abstract namespace, and a bind to "*"
 * gets a fresh private directory holding a socket.
 */
#ifndef MODZMQ_IPC_ADDRESS_H
#define MODZMQ_IPC_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

struct ipc_address {
    struct sockaddr_un sun;
    socklen_t length; /* what bind and connect are given */
    bool abstract;
};

/* Fills out from an address (not "*"). EINVAL when it is empty or an
 * abstract "@" with no name, ENAMETOOLONG when it does not fit a socket
 * address (at most 107 bytes, as libzmq on Linux). */
int ipc_address_parse(const char *text, struct ipc_address *out);

/* Creates a private directory under $TMPDIR (or /tmp) and fills out with
 * a socket path inside it; the directory's path goes to directory. */
int ipc_address_wildcard(struct ipc_address *out, char *directory, size_t size);

/* Fills out from what getsockname gave for a socket. */
int ipc_address_from_socket(int fd, struct ipc_address *out);

/* Writes "ipc:///path" or "ipc://@name"; returns its length, or -1 with
 * ENOSPC. */
int ipc_address_format(const struct ipc_address *address, char *buffer,
                       size_t size);

#endif
