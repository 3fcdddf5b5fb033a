/*
 * norm plugin: libzmq's layout of a message stream in a NORM stream
 * object, so that libzmq's norm sockets and ours read each other.
 *
 * Every message part is one NORM stream message (it ends with an
 * end-of-message mark, so that a receiver can seek to its start): a sync
 * octet, 0x00 for the first part of a message and 0xFF for the others;
 * then the part as a ZMTP 2.0 frame: a flags octet (0x01 more parts
 * follow, 0x02 long size), the size in one octet, or in eight in network
 * order when it is over 255, and the body. A receiver that joins late, or
 * that lost data, seeks stream messages until one starts with 0x00, and
 * so starts at a message boundary.
 *
 * The decoder keeps one sender's stream and hands out whole messages
 * only, so that a stream cut short never gives the socket half a
 * message. Pure code on buffers, no NORM in it, so that the suite drives
 * it as it is.
 */
#ifndef MODZMQ_NORM_FRAMING_H
#define MODZMQ_NORM_FRAMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assembly.h"

enum {
    NORM_SYNC_FIRST = 0x00, /* the sync octet of a message's first part */
    NORM_SYNC_LATER = 0xFF, /* ... of its other parts */
    NORM_FLAG_MORE = 0x01,
    NORM_FLAG_LONG = 0x02,
    NORM_HEADER_MAX = 10, /* sync, flags, eight octets of size */
};

/* Writes the sync octet and frame header of a part of size octets into
 * out; first: the part begins its message; more: parts follow. Returns
 * the header's length. */
size_t norm_frame_header(uint8_t out[NORM_HEADER_MAX], uint64_t size,
                         bool first, bool more);

/* Why bytes were not taken. */
enum norm_decode_status {
    NORM_DECODE_OK = 0,
    NORM_DECODE_BAD_SYNC,   /* a sync octet that is neither, or out of turn */
    NORM_DECODE_BAD_FLAGS,  /* flags other than MORE and LONG */
    NORM_DECODE_TOO_LARGE,  /* a part over the message size limit */
    NORM_DECODE_NO_MEMORY,
};

struct norm_decoder {
    bool joined; /* at a message boundary once, and in step since */
    enum { AT_SYNC, AT_FLAGS, AT_SIZE, AT_BODY } state;
    uint8_t size_bytes[8];
    size_t size_need, size_have;
    uint64_t body_left;
    bool part_more; /* the part being read has more after it */
    bool in_message; /* the last whole part had more after it */
    int64_t part_max; /* -1: no limit (ZMQ_MAXMSGSIZE) */
    struct assembly messages; /* the one being read, and whole ones */
    uint64_t dropped; /* messages lost to errors and resets */
};

void norm_decoder_init(struct norm_decoder *d, int64_t part_max);
void norm_decoder_fini(struct norm_decoder *d);
/* Until joined: the first octet of a NORM stream message; joins the
 * stream when it is NORM_SYNC_FIRST (the octet is then taken). */
void norm_decoder_sync(struct norm_decoder *d, uint8_t first_octet);
/* Takes size octets of the stream, once joined. Whole messages go to the
 * ready list. On an error the message being read is dropped (counted) and
 * the decoder is no longer joined: the caller seeks the next stream
 * message and calls norm_decoder_sync. The rest of bytes is ignored. */
enum norm_decode_status norm_decoder_feed(struct norm_decoder *d,
                                          const uint8_t *bytes, size_t size);
/* Data was lost: drops the message being read, waits for a boundary. */
void norm_decoder_reset(struct norm_decoder *d);
/* The oldest whole message, or NULL; pop frees it. */
struct assembled_message *norm_decoder_peek(const struct norm_decoder *d);
void norm_decoder_pop(struct norm_decoder *d);

const char *norm_decode_status_name(enum norm_decode_status status);

#endif
