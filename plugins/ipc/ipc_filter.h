/*
 * ipc plugin: ZMQ_IPC_FILTER_UID, _GID and _PID. When any of the lists is
 * set, an accepted connection is kept only if the peer's credentials (as
 * the kernel reports them, SO_PEERCRED) match one entry: its user, its
 * process, or a group it belongs to.
 */
#ifndef MODZMQ_IPC_FILTER_H
#define MODZMQ_IPC_FILTER_H

#include "ipc_options.h"

#include <stdbool.h>

/* True when no filter is set and every peer is accepted. */
bool ipc_filter_is_open(const struct ipc_options *options);

/* 0 when the peer of fd passes the filters; -1 with EACCES when it does
 * not, or with the errno of a failed credential lookup. */
int ipc_filter_check(const struct ipc_options *options, int fd);

#endif
