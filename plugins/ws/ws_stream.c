/*
 * ws plugin: the ZWS 2.0 byte stream (see ws_stream.h).
 *
 * Input: the fd is read in large chunks; the HTTP upgrade is checked
 * there, then RFC 6455 frames are parsed, unmasked (from a client) and a
 * message is gathered, continuation frames included, behind 8 bytes kept
 * free so that the ZMTP frame header the engine reads can be written just
 * in front of its body: one copy. Control frames are answered at once
 * (pong for ping, close for close). Output: the engine's bytes are parsed
 * as ZMTP frames; each header becomes a WebSocket header and ZWS flag
 * byte, each body is copied behind it (masked, when we are the client),
 * into a buffer the fd drains. For wss the same bytes go through TLS
 * (ws_tls.h) instead of the fd, in both directions.
 */
#include "ws_stream.h"
#include "ws_handshake.h"

#include <errno.h>
#include <modzmq/transport.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>

enum {
    INPUT_MAX = 64 * 1024,
    OUTPUT_MAX = 256 * 1024,
    CONTROL_ROOM = 256, /* output kept free for a pong or a close */
    WS_HEADER_MAX_SIZE = 14,
    ZMTP_HEADER_MAX = 9,
    GREETING_SIZE = 64,
    CONTROL_PAYLOAD_MAX = 125,
    MESSAGE_KEEP = 256 * 1024, /* a larger gathering buffer is let go */
    /* ZMTP PING: size, "PING", a 2-byte TTL, a context of up to 16 */
    PING_NAME_SIZE = 5,
    PING_MAX = PING_NAME_SIZE + 2 + 16,
    /* A READY with Socket-Type and an Identity of up to 255 octets. */
    READY_FRAME_MAX = ZMTP_HEADER_MAX + 6 + 1 + 11 + 4 + 6 + 1 + 8 + 4 + 255,
    /* ZMTP flags */
    ZMTP_MORE = 1,
    ZMTP_LONG = 2,
    ZMTP_COMMAND = 4,
    /* ZWS flags */
    ZWS_LAST = 0,
    ZWS_MORE = 1,
    ZWS_COMMAND = 2,
    /* RFC 6455 opcodes */
    OP_CONTINUATION = 0,
    OP_TEXT = 1,
    OP_BINARY = 2,
    OP_CLOSE = 8,
    OP_PING = 9,
    OP_PONG = 10,
    /* close status codes */
    CLOSE_NORMAL = 1000,
    CLOSE_PROTOCOL = 1002,
    CLOSE_TOO_BIG = 1009
};

enum phase { UPGRADING, OPEN };

struct modzmq_stream {
    int fd;
    struct ws_tls *tls; /* wss: bytes go through it; NULL for ws */
    bool client;
    enum phase phase;
    char protocol[WS_PROTOCOL_MAX];
    char key[WS_KEY_SIZE + 1]; /* client: the key our GET sent */
    char *path;
    uint64_t message_limit; /* payload bytes of one message at most */
    uint64_t rng;           /* masking keys */

    /* input from the fd */
    uint8_t input[INPUT_MAX];
    size_t input_pos;
    size_t input_end;
    bool input_stalled; /* what is buffered is not a whole header */
    int read_error;   /* found after a read had bytes to give: the next one's */
    bool input_ended; /* the fd's end came */
    bool peer_closed; /* its close frame came */

    /* the frame being parsed */
    bool in_frame;
    uint8_t opcode;
    bool fin;
    uint8_t mask[4];
    bool masked;
    uint64_t payload_left;
    uint64_t payload_done;

    /* the message being gathered: 8 bytes free, then its payload */
    bool in_message;
    uint8_t *message;
    size_t message_capacity;
    size_t message_size;
    uint8_t control[CONTROL_PAYLOAD_MAX];
    size_t control_size;

    /* ZMTP bytes for the engine's read: the greeting, then a frame */
    uint8_t greeting[GREETING_SIZE];
    const uint8_t *pending;
    size_t pending_size;

    /* output to the fd */
    uint8_t *output;
    size_t output_pos;
    size_t output_end;
    bool close_sent;
    int close_code;

    /* the engine's bytes: its greeting to skip, then ZMTP frames */
    size_t greeting_skip;
    uint8_t zmtp_header[ZMTP_HEADER_MAX];
    size_t zmtp_header_have;
    bool in_body;
    uint64_t body_left;
    uint8_t out_mask[4];
    uint64_t out_mask_pos;
    /* A command small enough to be a PING is held whole before it goes
     * out: a PING becomes a WebSocket ping, as libzmq sends heartbeats
     * over ws (it answers no ZMTP PING there), and the pong that comes
     * back is handed to the engine as a ZMTP PONG. */
    bool collecting;
    uint8_t command[PING_MAX];
    size_t command_have;
    size_t command_size;
    uint8_t pong_frame[2 + PING_NAME_SIZE + 16];
    /* Bare "ZWS2.0" (ws_stream.h): the peer's first message becomes a
     * READY (ready_frame), the engine's READY (skip_left bytes of it) an
     * empty routing id. */
    bool bare;
    int socket_type;
    bool peer_identified;
    bool ready_replaced;
    uint64_t skip_left;
    uint8_t ready_frame[READY_FRAME_MAX];
    /* A control frame due while a data frame is half in the output waits
     * for its end (frames are never interleaved, only messages' fragments
     * could be): the latest one, as RFC 6455 5.5.3 allows for pongs. */
    bool deferred;
    uint8_t deferred_opcode;
    uint8_t deferred_payload[CONTROL_PAYLOAD_MAX];
    size_t deferred_size;
};

static int fail(int error)
{
    errno = error;
    return -1;
}

/* xorshift64*: masking keys need not be secret from the peer, only not
 * guessable by a script that chooses the payload (RFC 6455 10.3); the
 * seed comes from getrandom. */
static uint32_t next_mask(struct modzmq_stream *s)
{
    s->rng ^= s->rng >> 12;
    s->rng ^= s->rng << 25;
    s->rng ^= s->rng >> 27;
    return (uint32_t) ((s->rng * 2685821657736338717ULL) >> 32);
}

/* Copies n bytes from from to to, XORed with the 4-byte mask starting at
 * its byte phase (RFC 6455 5.3), 8 bytes at a time: one byte at a time
 * was a twentieth of a ws client's time with small messages. to and from
 * may be the same, not otherwise overlap. */
static void mask_copy(uint8_t *to, const uint8_t *from, size_t n,
                      const uint8_t mask[4], size_t phase)
{
    uint8_t rotated[8];
    for (int i = 0; i < 8; i++)
        rotated[i] = mask[(phase + (size_t) i) & 3];
    uint64_t word_mask;
    memcpy(&word_mask, rotated, 8);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t word;
        memcpy(&word, from + i, 8);
        word ^= word_mask;
        memcpy(to + i, &word, 8);
    }
    for (; i < n; i++)
        to[i] = from[i] ^ rotated[i & 7];
}

/* ---- output ---------------------------------------------------------- */

static size_t output_held(const struct modzmq_stream *s)
{
    return s->output_end - s->output_pos;
}

/* Sends what the fd (or TLS over it) takes. 0 when nothing is left, -1
 * with errno (EAGAIN while something is, or while TLS's handshake runs,
 * which this drives when the fd turns writable, or while TLS holds
 * records of its own the fd has not taken). */
static int flush(struct modzmq_stream *s)
{
    if (s->tls != NULL && ws_tls_flush(s->tls) != 0)
        return -1;
    while (s->output_pos < s->output_end) {
        ssize_t n = s->tls != NULL
                        ? ws_tls_write(s->tls, s->output + s->output_pos,
                                       output_held(s))
                        : send(s->fd, s->output + s->output_pos, output_held(s),
                               MSG_NOSIGNAL);
        if (n < 0)
            return -1;
        s->output_pos += (size_t) n;
    }
    s->output_pos = s->output_end = 0;
    return 0;
}

static void compact_output(struct modzmq_stream *s)
{
    if (s->output_pos == 0)
        return;
    memmove(s->output, s->output + s->output_pos, output_held(s));
    s->output_end -= s->output_pos;
    s->output_pos = 0;
}

static void queue_bytes(struct modzmq_stream *s, const void *data, size_t size)
{
    compact_output(s);
    if (OUTPUT_MAX - s->output_end < size)
        return; /* only control frames land here, and room is kept */
    memcpy(s->output + s->output_end, data, size);
    s->output_end += size;
}

/* A WebSocket header for a payload of size bytes, masked when we are the
 * client (the key goes into s->out_mask). Returns its length. */
static size_t ws_header(struct modzmq_stream *s, uint8_t opcode, uint64_t size,
                        uint8_t *out)
{
    size_t n = 0;
    out[n++] = (uint8_t) (0x80 | opcode);
    uint8_t mask_bit = s->client ? 0x80 : 0;
    if (size < 126) {
        out[n++] = (uint8_t) (mask_bit | size);
    } else if (size <= UINT16_MAX) {
        out[n++] = (uint8_t) (mask_bit | 126);
        out[n++] = (uint8_t) (size >> 8);
        out[n++] = (uint8_t) size;
    } else {
        out[n++] = (uint8_t) (mask_bit | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            out[n++] = (uint8_t) (size >> shift);
    }
    if (s->client) {
        uint32_t key = next_mask(s);
        memcpy(s->out_mask, &key, 4);
        memcpy(out + n, s->out_mask, 4);
        n += 4;
    }
    s->out_mask_pos = 0;
    return n;
}

/* Copies size bytes into the output, masked when we are the client. */
static void put_payload(struct modzmq_stream *s, const uint8_t *from,
                        size_t size)
{
    uint8_t *to = s->output + s->output_end;
    if (s->client) {
        mask_copy(to, from, size, s->out_mask, s->out_mask_pos);
        s->out_mask_pos += size;
    } else {
        memcpy(to, from, size);
    }
    s->output_end += size;
}

static void queue_control(struct modzmq_stream *s, uint8_t opcode,
                          const uint8_t *payload, size_t size)
{
    if (s->in_body) {
        s->deferred = true;
        s->deferred_opcode = opcode;
        memcpy(s->deferred_payload, payload, size);
        s->deferred_size = size;
        return;
    }
    compact_output(s);
    if (OUTPUT_MAX - s->output_end < WS_HEADER_MAX_SIZE + size)
        return;
    s->output_end += ws_header(s, opcode, size, s->output + s->output_end);
    put_payload(s, payload, size);
}

static void queue_close(struct modzmq_stream *s, int code)
{
    if (s->close_sent || s->phase != OPEN)
        return;
    uint8_t payload[2] = { (uint8_t) (code >> 8), (uint8_t) code };
    queue_control(s, OP_CLOSE, payload, sizeof payload);
    s->close_sent = true;
}

/* ---- input ----------------------------------------------------------- */

static size_t input_held(const struct modzmq_stream *s)
{
    return s->input_end - s->input_pos;
}

/* One read of the fd behind what is held: 1 when bytes came, 0 at its
 * end, -1 with errno. */
static int fill(struct modzmq_stream *s)
{
    if (s->input_pos > 0) {
        memmove(s->input, s->input + s->input_pos, input_held(s));
        s->input_end -= s->input_pos;
        s->input_pos = 0;
    }
    if (s->input_end == INPUT_MAX)
        return fail(EPROTO);
    size_t room = INPUT_MAX - s->input_end;
    ssize_t n = s->tls != NULL
                    ? ws_tls_read(s->tls, s->input + s->input_end, room)
                    : read(s->fd, s->input + s->input_end, room);
    if (n < 0)
        return -1;
    s->input_stalled = false;
    if (n == 0) {
        s->input_ended = true;
        return 0;
    }
    s->input_end += (size_t) n;
    return 1;
}

/* The type of peer a socket of type pairs with, for a bare ZWS2.0 peer
 * that says none; NULL for a type that has no ws peer. */
static const char *paired_type(int type)
{
    switch (type) {
    case ZMQ_PAIR:
        return "PAIR";
    case ZMQ_PUB:
    case ZMQ_XPUB:
        return "SUB";
    case ZMQ_SUB:
    case ZMQ_XSUB:
        return "PUB";
    case ZMQ_REQ:
        return "REP";
    case ZMQ_REP:
        return "REQ";
    case ZMQ_DEALER:
    case ZMQ_ROUTER:
        return "DEALER";
    case ZMQ_PULL:
        return "PUSH";
    case ZMQ_PUSH:
        return "PULL";
    default:
        return NULL;
    }
}

/* Appends a ZMTP property (name-size, name, value-size, value). */
static size_t put_property(uint8_t *to, const char *name, const void *value,
                           size_t value_size)
{
    size_t name_size = strlen(name);
    to[0] = (uint8_t) name_size;
    memcpy(to + 1, name, name_size);
    to += 1 + name_size;
    for (int i = 0; i < 4; i++)
        to[i] = (uint8_t) (value_size >> (24 - 8 * i));
    memcpy(to + 4, value, value_size);
    return 1 + name_size + 4 + value_size;
}

/* A bare ZWS2.0 peer's first message, its routing id, as the NULL READY
 * the engine awaits. */
static int identity_as_ready(struct modzmq_stream *s, const uint8_t *id,
                             size_t id_size)
{
    const char *peer = paired_type(s->socket_type);
    if (peer == NULL || id_size > 255)
        return fail(EPROTO);
    uint8_t *body = s->ready_frame + ZMTP_HEADER_MAX;
    size_t size = 0;
    memcpy(body, "\5READY", 6);
    size += 6;
    size += put_property(body + size, "Socket-Type", peer, strlen(peer));
    size += put_property(body + size, "Identity", id, id_size);
    /* Long enough with a long identity to need the 8-octet size. */
    size_t header_size = size > UINT8_MAX ? ZMTP_HEADER_MAX : 2;
    uint8_t *header = body - header_size;
    if (size > UINT8_MAX) {
        header[0] = ZMTP_COMMAND | ZMTP_LONG;
        for (int i = 0; i < 8; i++)
            header[1 + i] = (uint8_t) ((uint64_t) size >> (56 - 8 * i));
    } else {
        header[0] = ZMTP_COMMAND;
        header[1] = (uint8_t) size;
    }
    s->peer_identified = true;
    s->pending = header;
    s->pending_size = header_size + size;
    return 1;
}

/* The ZMTP 3.0 greeting of a peer speaking our mechanism. */
static void present_greeting(struct modzmq_stream *s, const char *mechanism)
{
    memset(s->greeting, 0, sizeof s->greeting);
    s->greeting[0] = 0xFF;
    s->greeting[9] = 0x7F;
    s->greeting[10] = 3;
    s->greeting[11] = 0;
    size_t length = strlen(mechanism);
    memcpy(s->greeting + 12, mechanism, length < 20 ? length : 20);
}

/* The upgrade, on either side: 1 when it made progress, 0 when it needs
 * input, -1 with errno. */
static int upgrade_step(struct modzmq_stream *s)
{
    const char *header = (const char *) s->input + s->input_pos;
    size_t end = ws_header_end(header, input_held(s));
    if (end == 0) {
        if (input_held(s) >= WS_HEADER_MAX) {
            if (!s->client)
                queue_bytes(s, ws_bad_request, strlen(ws_bad_request));
            return fail(EPROTO);
        }
        return 0;
    }
    if (s->client) {
        if (ws_response_check(header, end, s->key, s->protocol) != 0)
            return -1;
    } else {
        char key[WS_KEY_SIZE + 1];
        if (ws_request_check(header, end, s->path, s->protocol, key) != 0) {
            /* A NULL server takes a bare ZWS2.0 too (ws_stream.h). */
            if (strcmp(s->protocol, "ZWS2.0/NULL") != 0 ||
                paired_type(s->socket_type) == NULL ||
                ws_request_check(header, end, s->path, "ZWS2.0", key) != 0) {
                queue_bytes(s, ws_bad_request, strlen(ws_bad_request));
                return -1;
            }
            s->bare = true;
            strcpy(s->protocol, "ZWS2.0");
        }
        char response[512];
        int n = ws_response_build(response, sizeof response, key, s->protocol);
        if (n < 0)
            return -1;
        queue_bytes(s, response, (size_t) n);
    }
    s->input_pos += end;
    s->phase = OPEN;
    s->pending = s->greeting;
    s->pending_size = sizeof s->greeting;
    return 1;
}

/* Room in the gathering buffer for size more payload bytes. */
static int message_reserve(struct modzmq_stream *s, size_t size)
{
    size_t need = ZMTP_HEADER_MAX - 1 + s->message_size + size;
    if (need <= s->message_capacity)
        return 0;
    size_t capacity = s->message_capacity ? s->message_capacity : 4096;
    while (capacity < need)
        capacity *= 2;
    uint8_t *grown = realloc(s->message, capacity);
    if (grown == NULL)
        return -1;
    s->message = grown;
    s->message_capacity = capacity;
    return 0;
}

/* A whole message gathered: its ZMTP frame for the engine. */
static int message_done(struct modzmq_stream *s)
{
    s->in_message = false;
    if (s->message_size == 0)
        return fail(EPROTO);
    uint8_t *flag = s->message + ZMTP_HEADER_MAX - 1;
    if (*flag > ZWS_COMMAND)
        return fail(EPROTO);
    uint64_t body = s->message_size - 1;
    if (s->bare && !s->peer_identified) {
        if (*flag != ZWS_LAST)
            return fail(EPROTO);
        return identity_as_ready(s, flag + 1, (size_t) body);
    }
    uint8_t flags = *flag == ZWS_MORE      ? ZMTP_MORE
                    : *flag == ZWS_COMMAND ? ZMTP_COMMAND
                                           : 0;
    size_t header_size = body > UINT8_MAX ? ZMTP_HEADER_MAX : 2;
    uint8_t *header = s->message + ZMTP_HEADER_MAX - header_size;
    if (body > UINT8_MAX) {
        header[0] = flags | ZMTP_LONG;
        for (int i = 0; i < 8; i++)
            header[1 + i] = (uint8_t) (body >> (56 - 8 * i));
    } else {
        header[0] = flags;
        header[1] = (uint8_t) body;
    }
    s->pending = header;
    s->pending_size = header_size + (size_t) body;
    return 1;
}

static void control_done(struct modzmq_stream *s)
{
    if (s->opcode == OP_PING) {
        queue_control(s, OP_PONG, s->control, s->control_size);
    } else if (s->opcode == OP_PONG) {
        /* Proof of life for the engine's heartbeat: a ZMTP PONG with the
         * context our ping carried (none when it cannot be one). */
        size_t context = s->control_size <= 16 ? s->control_size : 0;
        s->pong_frame[0] = ZMTP_COMMAND;
        s->pong_frame[1] = (uint8_t) (PING_NAME_SIZE + context);
        memcpy(s->pong_frame + 2, "\4PONG", PING_NAME_SIZE);
        memcpy(s->pong_frame + 2 + PING_NAME_SIZE, s->control, context);
        s->pending = s->pong_frame;
        s->pending_size = 2 + PING_NAME_SIZE + context;
    } else if (s->opcode == OP_CLOSE) {
        if (!s->close_sent) {
            /* Echo the peer's status code, as RFC 6455 5.5.1 asks. */
            uint8_t code[2] = { CLOSE_NORMAL >> 8, CLOSE_NORMAL & 0xFF };
            if (s->control_size >= 2)
                memcpy(code, s->control, 2);
            queue_control(s, OP_CLOSE, code, 2);
            s->close_sent = true;
        }
        s->peer_closed = true;
    }
    s->control_size = 0;
}

/* Checks a frame's header and starts it. */
static int frame_begin(struct modzmq_stream *s, uint8_t b0, uint8_t b1,
                       uint64_t length)
{
    s->fin = (b0 & 0x80) != 0;
    s->opcode = b0 & 0x0F;
    s->masked = (b1 & 0x80) != 0;
    /* No extension is negotiated; a client masks, a server never does. */
    if ((b0 & 0x70) != 0 || s->masked == s->client)
        return fail(EPROTO);
    if (s->opcode & 8) {
        if (!s->fin || length > CONTROL_PAYLOAD_MAX ||
            (s->opcode != OP_CLOSE && s->opcode != OP_PING &&
             s->opcode != OP_PONG))
            return fail(EPROTO);
    } else if (s->opcode == OP_BINARY) {
        if (s->in_message)
            return fail(EPROTO);
        s->in_message = true;
        s->message_size = 0;
    } else if (s->opcode != OP_CONTINUATION || !s->in_message) {
        /* ZWS messages are binary; a text frame is not one. */
        return fail(EPROTO);
    }
    if (!(s->opcode & 8) && length > s->message_limit - s->message_size) {
        s->close_code = CLOSE_TOO_BIG;
        return fail(EMSGSIZE);
    }
    s->in_frame = true;
    s->payload_left = length;
    s->payload_done = 0;
    return 0;
}

/* Parses a frame's header from the input: 1 when done, 0 when more bytes
 * are needed, -1 with errno. */
static int frame_header(struct modzmq_stream *s)
{
    const uint8_t *p = s->input + s->input_pos;
    size_t held = input_held(s);
    if (held < 2)
        return 0;
    size_t size_bytes = (p[1] & 0x7F) == 126 ? 2 : (p[1] & 0x7F) == 127 ? 8 : 0;
    size_t need = 2 + size_bytes + ((p[1] & 0x80) ? 4 : 0);
    if (held < need)
        return 0;
    uint64_t length = p[1] & 0x7F;
    if (size_bytes > 0) {
        length = 0;
        for (size_t i = 0; i < size_bytes; i++)
            length = length << 8 | p[2 + i];
        if (length >> 63)
            return fail(EPROTO);
    }
    if (frame_begin(s, p[0], p[1], length) != 0)
        return -1;
    if (s->masked)
        memcpy(s->mask, p + 2 + size_bytes, 4);
    s->input_pos += need;
    return 1;
}

/* Moves payload from the input into the message or control buffer,
 * unmasking. 1 when progress was made, 0 when more input is needed, -1. */
static int frame_payload(struct modzmq_stream *s)
{
    size_t take = input_held(s);
    if (take > s->payload_left)
        take = (size_t) s->payload_left;
    if (take == 0 && s->payload_left > 0)
        return 0;
    uint8_t *to;
    if (s->opcode & 8) {
        to = s->control + s->control_size;
        s->control_size += take;
    } else {
        if (message_reserve(s, take) != 0)
            return -1;
        to = s->message + ZMTP_HEADER_MAX - 1 + s->message_size;
        s->message_size += take;
    }
    const uint8_t *from = s->input + s->input_pos;
    if (s->masked) {
        mask_copy(to, from, take, s->mask, (size_t) s->payload_done);
    } else {
        memcpy(to, from, take);
    }
    s->input_pos += take;
    s->payload_left -= take;
    s->payload_done += take;
    if (s->payload_left > 0)
        return 1;
    s->in_frame = false;
    if (s->opcode & 8) {
        control_done(s);
        return 1;
    }
    return s->fin ? message_done(s) : 1;
}

static int parse_step(struct modzmq_stream *s)
{
    if (s->phase == UPGRADING)
        return upgrade_step(s);
    if (!s->in_frame)
        return frame_header(s);
    return frame_payload(s);
}

static void fail_close_code(struct modzmq_stream *s)
{
    if (s->close_code == CLOSE_NORMAL)
        s->close_code = errno == EMSGSIZE ? CLOSE_TOO_BIG : CLOSE_PROTOCOL;
}

/* The stream failed reading: the peer gets its close code. */
static ssize_t read_failed(struct modzmq_stream *s, int error)
{
    fail_close_code(s);
    flush(s);
    return fail(error);
}

/* As many whole messages as the engine's buffer takes from what is
 * buffered already (one message a call made the engine go back to the
 * reactor every few messages), then one read of the fd when nothing is.
 * An error found after some bytes is the next call's answer. */
static ssize_t stream_read(modzmq_stream *s, void *buffer, size_t size)
{
    uint8_t *out = buffer;
    size_t done = 0;
    if (s->read_error != 0)
        return read_failed(s, s->read_error);
    for (;;) {
        if (s->pending_size > 0) {
            size_t n =
                size - done < s->pending_size ? size - done : s->pending_size;
            memcpy(out + done, s->pending, n);
            done += n;
            s->pending += n;
            s->pending_size -= n;
            if (s->pending_size == 0 && s->message_capacity > MESSAGE_KEEP) {
                free(s->message);
                s->message = NULL;
                s->message_capacity = 0;
            }
            if (done == size)
                return (ssize_t) done;
            continue;
        }
        if (s->peer_closed) {
            if (done > 0)
                return (ssize_t) done;
            flush(s);
            return 0;
        }
        int rc = parse_step(s);
        if (rc < 0) {
            if (done == 0)
                return read_failed(s, errno);
            s->read_error = errno;
            return (ssize_t) done;
        }
        if (rc > 0) {
            if (output_held(s) > 0 && flush(s) < 0 && errno != EAGAIN) {
                if (done == 0)
                    return -1;
                s->read_error = errno;
                return (ssize_t) done;
            }
            continue;
        }
        if (done > 0)
            return (ssize_t) done;
        if (s->input_ended) {
            /* Cut short inside the upgrade, a frame or a message. */
            if (s->phase == UPGRADING || s->in_frame || s->in_message ||
                input_held(s) > 0)
                return fail(ECONNRESET);
            return 0;
        }
        s->input_stalled = true;
        if (fill(s) < 0)
            return -1;
    }
}

/* ---- the engine's bytes ---------------------------------------------- */

static size_t output_room(const struct modzmq_stream *s)
{
    size_t used = s->output_end;
    return used + CONTROL_ROOM >= OUTPUT_MAX ? 0
                                             : OUTPUT_MAX - CONTROL_ROOM - used;
}

/* The ZMTP header is whole: the WebSocket header and flag byte go out. 0,
 * or -1 when the output has no room for them yet. */
static int frame_out(struct modzmq_stream *s)
{
    if (output_room(s) < WS_HEADER_MAX_SIZE + 1 + PING_MAX)
        return -1;
    uint8_t flags = s->zmtp_header[0];
    uint64_t body = 0;
    if (flags & ZMTP_LONG) {
        for (int i = 1; i < 9; i++)
            body = body << 8 | s->zmtp_header[i];
    } else {
        body = s->zmtp_header[1];
    }
    s->zmtp_header_have = 0;
    if (s->bare && !s->ready_replaced) {
        /* The engine's READY: an empty routing id goes instead. */
        if (!(flags & ZMTP_COMMAND))
            return fail(EPROTO);
        s->ready_replaced = true;
        s->skip_left = body;
        uint8_t last = ZWS_LAST;
        s->output_end += ws_header(s, OP_BINARY, 1, s->output + s->output_end);
        put_payload(s, &last, 1);
        return 0;
    }
    if ((flags & ZMTP_COMMAND) && body >= PING_NAME_SIZE && body <= PING_MAX) {
        s->collecting = true;
        s->command_have = 0;
        s->command_size = (size_t) body;
        return 0;
    }
    uint8_t flag = (flags & ZMTP_COMMAND) ? ZWS_COMMAND
                   : (flags & ZMTP_MORE)  ? ZWS_MORE
                                          : ZWS_LAST;
    s->output_end +=
        ws_header(s, OP_BINARY, body + 1, s->output + s->output_end);
    put_payload(s, &flag, 1);
    s->body_left = body;
    s->in_body = body > 0;
    return 0;
}

/* Takes what it can of size engine bytes; returns how many. */
/* A small command is whole: a PING goes out as a WebSocket ping carrying
 * its context, anything else as a ZWS command message. */
static void command_out(struct modzmq_stream *s)
{
    s->collecting = false;
    if (s->command_size >= PING_NAME_SIZE + 2 &&
        memcmp(s->command, "\4PING", PING_NAME_SIZE) == 0) {
        queue_control(s, OP_PING, s->command + PING_NAME_SIZE + 2,
                      s->command_size - PING_NAME_SIZE - 2);
        return;
    }
    uint8_t flag = ZWS_COMMAND;
    s->output_end +=
        ws_header(s, OP_BINARY, s->command_size + 1, s->output + s->output_end);
    put_payload(s, &flag, 1);
    put_payload(s, s->command, s->command_size);
}

static size_t encode(struct modzmq_stream *s, const uint8_t *from, size_t size)
{
    size_t taken = 0;
    while (taken < size) {
        size_t left = size - taken;
        if (s->greeting_skip > 0) {
            size_t n = left < s->greeting_skip ? left : s->greeting_skip;
            s->greeting_skip -= n;
            taken += n;
        } else if (s->skip_left > 0) {
            size_t n = left < s->skip_left ? left : (size_t) s->skip_left;
            s->skip_left -= n;
            taken += n;
        } else if (s->collecting) {
            size_t n = s->command_size - s->command_have;
            if (n > left)
                n = left;
            memcpy(s->command + s->command_have, from + taken, n);
            s->command_have += n;
            taken += n;
            if (s->command_have == s->command_size)
                command_out(s);
        } else if (s->in_body) {
            size_t n = output_room(s);
            if (n == 0)
                break;
            if (n > left)
                n = left;
            if (n > s->body_left)
                n = (size_t) s->body_left;
            put_payload(s, from + taken, n);
            taken += n;
            s->body_left -= n;
            s->in_body = s->body_left > 0;
            if (!s->in_body && s->deferred) {
                s->deferred = false;
                queue_control(s, s->deferred_opcode, s->deferred_payload,
                              s->deferred_size);
            }
        } else {
            size_t need =
                s->zmtp_header_have > 0 && (s->zmtp_header[0] & ZMTP_LONG)
                    ? ZMTP_HEADER_MAX
                    : 2;
            if (s->zmtp_header_have == need) {
                if (frame_out(s) != 0)
                    break;
                continue;
            }
            if (s->zmtp_header_have == 0 &&
                output_room(s) < WS_HEADER_MAX_SIZE + 1 + PING_MAX)
                break;
            s->zmtp_header[s->zmtp_header_have++] = from[taken++];
        }
    }
    /* A header completed by the last byte goes out now if it can. */
    if (!s->in_body && !s->collecting && s->greeting_skip == 0 &&
        s->skip_left == 0 && s->zmtp_header_have >= 2) {
        size_t need = (s->zmtp_header[0] & ZMTP_LONG) ? ZMTP_HEADER_MAX : 2;
        if (s->zmtp_header_have == need)
            frame_out(s);
    }
    return taken;
}

static ssize_t stream_writev(modzmq_stream *s, const struct iovec *iov,
                             int count)
{
    if (flush(s) < 0 && errno != EAGAIN)
        return -1;
    if (count == 0)
        return output_held(s) > 0 || (s->tls != NULL && ws_tls_unsent(s->tls))
                   ? fail(EAGAIN)
                   : 0;
    if (s->close_sent)
        return fail(EPIPE);
    compact_output(s);
    size_t taken = 0;
    for (int i = 0; i < count; i++) {
        size_t n = encode(s, iov[i].iov_base, iov[i].iov_len);
        taken += n;
        if (n < iov[i].iov_len)
            break;
    }
    if (taken == 0)
        return fail(EAGAIN);
    if (flush(s) < 0 && errno != EAGAIN)
        return -1;
    return (ssize_t) taken;
}

static unsigned stream_poll(modzmq_stream *s, unsigned wants)
{
    /* TLS's handshake goes first, whichever way it waits. */
    unsigned handshake = s->tls != NULL ? ws_tls_handshake_wants(s->tls) : 0;
    if (handshake != 0)
        return handshake;
    unsigned needs = 0;
    if (wants & MODZMQ_WANT_READ) {
        if (s->pending_size > 0 || s->peer_closed || s->input_ended ||
            (input_held(s) > 0 && !s->input_stalled) ||
            (s->tls != NULL && ws_tls_pending(s->tls)))
            needs |= MODZMQ_STREAM_READABLE;
        else
            needs |= MODZMQ_WANT_READ;
    }
    if ((wants & MODZMQ_WANT_WRITE) || output_held(s) > 0 ||
        (s->tls != NULL && ws_tls_unsent(s->tls)))
        needs |= MODZMQ_WANT_WRITE;
    return needs;
}

static void stream_close(modzmq_stream *s)
{
    /* Half a data frame out: the close could only corrupt it. */
    if (!s->in_body)
        queue_close(s, s->close_code);
    /* Nothing of ours goes out while TLS's handshake has not ended. */
    if (s->tls == NULL || ws_tls_handshake_wants(s->tls) == 0)
        flush(s);
    ws_tls_close(s->tls);
    free(s->message);
    free(s->output);
    free(s->path);
    free(s);
}

static const struct modzmq_stream_ops ws_stream_ops = {
    .size = sizeof(struct modzmq_stream_ops),
    .read = stream_read,
    .writev = stream_writev,
    .poll = stream_poll,
    .close = stream_close,
};

static void stream_free(struct modzmq_stream *s)
{
    ws_tls_close(s->tls);
    free(s->output);
    free(s->path);
    free(s);
}

int ws_stream_open(int fd, const struct ws_stream_config *config,
                   const struct modzmq_stream_ops **ops, modzmq_stream **stream)
{
    struct modzmq_stream *s = calloc(1, sizeof *s);
    if (s == NULL) {
        ws_tls_close(config->tls);
        return -1;
    }
    s->fd = fd;
    s->tls = config->tls;
    s->client = config->client;
    s->phase = UPGRADING;
    s->close_code = CLOSE_NORMAL;
    s->greeting_skip = GREETING_SIZE;
    s->socket_type = config->socket_type;
    /* The payload is the ZWS flag byte and the body. */
    s->message_limit = config->maxmsgsize >= 0
                           ? (uint64_t) config->maxmsgsize + 1
                           : (uint64_t) SIZE_MAX / 2;
    ws_subprotocol(config->mechanism, s->protocol);
    present_greeting(s, config->mechanism);
    s->output = malloc(OUTPUT_MAX);
    s->path = strdup(config->path);
    if (s->output == NULL || s->path == NULL ||
        getrandom(&s->rng, sizeof s->rng, 0) != (ssize_t) sizeof s->rng) {
        stream_free(s);
        return -1;
    }
    s->rng |= 1;
    if (s->client) {
        char request[WS_HEADER_MAX];
        int n = ws_key_new(s->key);
        if (n == 0)
            n = ws_request_build(request, sizeof request, config->host,
                                 config->path, s->key, s->protocol);
        if (n < 0) {
            int error = errno;
            stream_free(s);
            return fail(error);
        }
        queue_bytes(s, request, (size_t) n);
    }
    *ops = &ws_stream_ops;
    *stream = s;
    return 0;
}
