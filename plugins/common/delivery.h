/*
 * For the own-engine multicast plugins (pgm, norm): a receiver hands the
 * socket the whole messages its decoders put together, and tells of
 * data lost beyond the protocol's repair, in the same way whatever the
 * protocol. Compiled into each plugin that uses it.
 */
#ifndef MODZMQ_DELIVERY_H
#define MODZMQ_DELIVERY_H

#include <modzmq/engine_transport.h>
#include <modzmq/observer.h>
#include <stdbool.h>
#include <stdint.h>

#include "assembly.h"

/* What one link has given its socket. */
struct delivery_counts {
    uint64_t messages;
    uint64_t bytes;
};

/* Gives link the whole messages of a, oldest first. False when the
 * socket's pipe is full: that message stays, to be offered again after
 * link_input. A message the socket refuses otherwise (over
 * ZMQ_MAXMSGSIZE, no memory) is lost and counted in *lost. */
bool delivery_push(const struct modzmq_core_services *services,
                   modzmq_link *link, struct assembly *a,
                   struct delivery_counts *counts, uint64_t *lost);

/* Gives link one whole single-part message straight from a decoder's
 * input, without assembling it. False when the socket's pipe is full
 * (the caller assembles it instead); true when it was taken, or refused
 * otherwise and counted in *lost. */
bool delivery_push_one(const struct modzmq_core_services *services,
                       modzmq_link *link, const uint8_t *body, size_t size,
                       struct delivery_counts *counts, uint64_t *lost);

/* Data was lost beyond repair, lost messages so far: says so at info
 * level and publishes MODZMQ_EVENT_PEER_COUNTERS (messages in, bytes in,
 * 0, 0, lost) for the link named name of socket. */
void delivery_report_loss(const struct modzmq_core_services *services,
                          modzmq_core *core, modzmq_socket *socket,
                          const char *name,
                          const struct delivery_counts *counts,
                          uint64_t lost);

#endif
