/*
 * vsock plugin: "CID:PORT" addresses of AF_VSOCK sockets, as the vsock
 * and vmci transports of libzmq write them, parsed into a sockaddr_vm and
 * written back. Shared with the vmci plugin, which compiles this file
 * into its own module (on Linux, VMCI sockets are AF_VSOCK).
 */
#ifndef MODZMQ_VSOCK_ADDRESS_H
#define MODZMQ_VSOCK_ADDRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <linux/vm_sockets.h>

/* What follows "vsock://" or "vmci://": CID ":" PORT, split at the last
 * colon. The CID is a number, "@" for this machine's own CID (asked of
 * /dev/vsock; ENODEV when it cannot say), or, to bind, "*" or "-1" for
 * any; the port a number or, to bind, "*" or "-1" for one the kernel
 * picks. 0, or -1 with errno (EINVAL for anything malformed, and for a
 * wildcard in a connect address). */
int vsock_address_parse(const char *text, bool bind, struct sockaddr_vm *out);

/* Writes "scheme://CID:PORT", a wildcard CID or port as "*". Returns the
 * length, or -1 with errno ENOSPC when size is too small. */
int vsock_address_format(const char *scheme, const struct sockaddr_vm *sa,
                         char *buffer, size_t size);

#endif
