/*
 * For the own-engine multicast plugins (pgm, norm): a message put
 * together part by part as a stream decoder reads it, and the queue of
 * whole messages waiting for the socket. A decoder hands the socket whole
 * messages only, so that a stream cut short never gives it half of one.
 * Compiled into each plugin that uses it; pure code, no transport in it.
 */
#ifndef MODZMQ_ASSEMBLY_H
#define MODZMQ_ASSEMBLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One whole message: its parts one after the other in bytes. */
struct assembled_message {
    struct assembled_message *next;
    size_t part_count, part_capacity;
    size_t *part_sizes;
    uint8_t *bytes;
    size_t size, capacity;
};

struct assembly {
    struct assembled_message *building;    /* the message being read */
    struct assembled_message *ready, *ready_tail; /* oldest first */
    /* Popped messages kept, buffers and all, for the next ones: at most
     * ASSEMBLY_SPARES, a list through next. */
    struct assembled_message *spares;
    unsigned spare_count;
};

enum { ASSEMBLY_SPARES = 64 };

/* Starts a part (of size 0) in the message being read. 0, or -1. */
int assembly_part_begin(struct assembly *a);
/* Appends n octets to the current part; the buffer grows with what
 * arrives, never with what a length claims. 0, or -1. */
int assembly_part_append(struct assembly *a, const uint8_t *data, size_t n);
/* The current part is whole; without more, so is its message. */
void assembly_part_end(struct assembly *a, bool more);
/* Drops the message being read; true if there was one. */
bool assembly_discard(struct assembly *a);
/* True while a message is being read (a part of it has begun). */
bool assembly_reading(const struct assembly *a);
/* The oldest whole message, or NULL; pop frees it (or keeps it, buffers
 * and all, for a later message: a burst of small ones then costs no
 * malloc once the first has gone through). */
struct assembled_message *assembly_peek(const struct assembly *a);
void assembly_pop(struct assembly *a);
/* Frees everything. */
void assembly_fini(struct assembly *a);
/* Where part i of m starts. */
const uint8_t *assembled_part(const struct assembled_message *m, size_t i);

#endif
