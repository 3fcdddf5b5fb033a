/*
 * pgm plugin: libzmq's layout of a message stream over PGM (zmq_pgm(7)),
 * so that libzmq's pgm and epgm sockets and ours read each other.
 *
 * The datagram payloads one sender sends form one byte stream of ZMTP 1.0
 * frames (a length octet, or 0xFF and a 64-bit length, counting the flags
 * octet and the body; the flags octet, 0x01 when more parts follow; the
 * body). Every payload starts with a 16-bit offset, in network order, to
 * the first octet of the first message (not part) that begins in it, or
 * 0xFFFF when none does: a receiver that joins late, or that lost data
 * beyond recovery, skips to that offset and so starts at a message
 * boundary.
 *
 * The encoder cuts the stream into payloads of at most a given size and
 * queues them; the decoder keeps one sender's stream and hands out whole
 * messages only, so that a stream cut short never gives the socket half
 * a message. Pure code on buffers, no PGM in it, so that the suite and a
 * fuzz target drive it as it is.
 */
#ifndef MODZMQ_PGM_FRAMING_H
#define MODZMQ_PGM_FRAMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "assembly.h"

enum {
    PGM_OFFSET_SIZE = 2,
    PGM_NO_OFFSET = 0xFFFF,
    PGM_PAYLOAD_MIN = 16, /* the smallest payload the encoder makes */
};

/* One payload ready to go, in the encoder's queue. */
struct pgm_payload {
    struct pgm_payload *next;
    size_t size;
    uint8_t bytes[];
};

struct pgm_encoder {
    size_t payload_max; /* offset included */
    struct pgm_payload *head, *tail; /* complete payloads, oldest first */
    size_t queued;
    struct pgm_payload *open; /* the payload being filled, or NULL */
    bool in_message;          /* the last part added had more after it */
};

/* payload_max: the largest payload PGM sends unfragmented (at least
 * PGM_PAYLOAD_MIN). */
void pgm_encoder_init(struct pgm_encoder *e, size_t payload_max);
void pgm_encoder_fini(struct pgm_encoder *e);
/* Appends one part (more: parts of its message follow). 0, or -1 with
 * ENOMEM (nothing of the part is then queued... except what was). */
int pgm_encoder_add(struct pgm_encoder *e, const void *data, size_t size,
                    bool more);
/* Queues the payload being filled, if it holds anything. */
void pgm_encoder_flush(struct pgm_encoder *e);
/* The oldest complete payload, or NULL; pop frees it. */
const struct pgm_payload *pgm_encoder_peek(const struct pgm_encoder *e);
void pgm_encoder_pop(struct pgm_encoder *e);

/* Why a payload, or the stream, was not taken. */
enum pgm_decode_status {
    PGM_DECODE_OK = 0,
    PGM_DECODE_WAITING,   /* no message begins in it yet: skipped */
    PGM_DECODE_SHORT,     /* not even the offset */
    PGM_DECODE_BAD_OFFSET,/* the offset points past the payload */
    PGM_DECODE_BAD_FRAME, /* a frame of length 0 */
    PGM_DECODE_TOO_LARGE, /* a part over the message size limit */
    PGM_DECODE_NO_MEMORY,
};

struct pgm_decoder {
    bool joined; /* at a message boundary once, and in step since */
    bool has_sequence;
    uint32_t next_sequence; /* the TPDU expected next */
    enum { FRAME_LENGTH, FRAME_LONG_LENGTH, FRAME_FLAGS, FRAME_BODY } state;
    uint8_t length_bytes[8];
    size_t length_have;
    uint64_t body_left;
    bool part_more;
    int64_t part_max; /* -1: no limit (ZMQ_MAXMSGSIZE) */
    struct assembly messages; /* the one being read, and whole ones */
    uint64_t dropped; /* payloads and messages lost to errors and resets */
    /* Where whole messages go as they are read (see
     * pgm_decoder_set_sink); NULL: all wait in messages. */
    bool (*take)(void *arg, const uint8_t *body, size_t size);
    void (*flush)(void *arg);
    void *sink_arg;
};

void pgm_decoder_init(struct pgm_decoder *d, int64_t part_max);
void pgm_decoder_fini(struct pgm_decoder *d);
/* A message of one part that lies whole in one payload is offered to
 * take(arg, body, size) as it is read, not copied: at a payload of
 * hundreds of small messages, assembling each cost more than all else
 * the receiver does. Messages queued before it (assembled: cut across
 * payloads, of several parts, or refused) go first: flush(arg) offers
 * them to the socket, and while any is left the message is queued too.
 * take returns false when the socket cannot have it now; it is then
 * assembled and queued. */
void pgm_decoder_set_sink(struct pgm_decoder *d,
                          bool (*take)(void *arg, const uint8_t *body,
                                       size_t size),
                          void (*flush)(void *arg), void *arg);
/* Takes one payload. Whole messages go to the ready list (or the sink). On an error the
 * message being read is dropped and the stream waits for the next
 * payload with an offset (counted in dropped). */
enum pgm_decode_status pgm_decoder_feed(struct pgm_decoder *d,
                                        const uint8_t *payload, size_t size);
/* Data was lost beyond recovery: drops the message being read and waits
 * for the next boundary. A loss while in step loses at least one message
 * (the one being read, or the next): counted in dropped. */
void pgm_decoder_reset(struct pgm_decoder *d);
/* The payload fed next spans the TPDUs of sequence numbers first to last
 * (more than one when PGM fragmented it). A gap since the last payload is
 * data lost beyond recovery, and resets the decoder: OpenPGM delivers
 * what follows a loss before it reports the loss (PGM_IO_STATUS_RESET),
 * so the sequence numbers are where the stream breaks. */
void pgm_decoder_sequence(struct pgm_decoder *d, uint32_t first,
                          uint32_t last);
/* The oldest whole message, or NULL; pop frees it. */
struct assembled_message *pgm_decoder_peek(const struct pgm_decoder *d);
void pgm_decoder_pop(struct pgm_decoder *d);

const char *pgm_decode_status_name(enum pgm_decode_status status);

#endif
