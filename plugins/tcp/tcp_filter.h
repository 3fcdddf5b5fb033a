/*
 * tcp plugin: ZMQ_TCP_ACCEPT_FILTER, libzmq's deprecated list of address
 * masks ("192.168.1.0/24", "::1") that an incoming connection's source
 * address must match, when the list is not empty.
 */
#ifndef MODZMQ_TCP_FILTER_H
#define MODZMQ_TCP_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

struct tcp_filter;

/* Builds a filter from masks, NUL-terminated strings one after the other
 * (size bytes in all). EINVAL when one is not an address or address/bits;
 * ENOMEM. */
int tcp_filter_new(const char *masks, size_t size, struct tcp_filter **filter);

void tcp_filter_free(struct tcp_filter *filter);

/* True when addr matches one mask (families must be the same, as in
 * libzmq: an IPv4-mapped IPv6 peer does not match an IPv4 mask). */
bool tcp_filter_allows(const struct tcp_filter *filter,
                       const struct sockaddr *addr);

#endif
