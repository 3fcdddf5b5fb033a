/*
 * Fuzz target: the ws plugin's byte stream (plugins/ws/ws_stream.c), the
 * code that reads what a WebSocket peer sends after the upgrade: frame
 * headers and lengths, masking, fragments and continuations, control
 * frames (ping, pong, close) between them, oversized messages. The
 * stream runs as it does in the plugin, over one end of a socketpair; the
 * target plays the peer on the other end: it completes the upgrade
 * properly (so that the input reaches the frame parser), writes the
 * input's frames, closes its side, and reads the stream dry.
 *
 * Input: a flags byte (bit 0: the stream is the client, else the server;
 * bit 1: a ZMQ_MAXMSGSIZE, the 16 bits that follow; bit 2: a server
 * offers the bare "ZWS2.0" of web browsers), a byte choosing the socket
 * type (PUB, SUB, DEALER, ROUTER, PAIR, PUSH, PULL, REQ, REP), a byte
 * choosing the size of each read (1 to 256 octets, 0 for 4096), then the
 * peer's bytes. What the stream hands the engine must be a ZMTP 3.0
 * greeting and then well-formed ZMTP frames, none over ZMQ_MAXMSGSIZE.
 */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>

#include "fuzz.h"
#include "ws_handshake.h"
#include "ws_stream.h"

enum {
    GREETING_SIZE = 64,
    ZMTP_MORE = 1,
    ZMTP_LONG = 2,
    ZMTP_COMMAND = 4,
};

static const int types[] = { ZMQ_PUB,    ZMQ_SUB,  ZMQ_DEALER,
                             ZMQ_ROUTER, ZMQ_PAIR, ZMQ_PUSH,
                             ZMQ_PULL,   ZMQ_REQ,  ZMQ_REP };

/* Checks the engine's view: a greeting, then ZMTP frames, one octet at a
 * time, so that reads of any size are checked alike. */
struct zmtp_check {
    size_t seen; /* octets of the greeting seen */
    uint8_t flags;
    uint8_t header[9];
    size_t header_have, header_need;
    uint64_t body_left;
    int64_t maxmsgsize;
};

static void check_octet(struct zmtp_check *z, uint8_t b)
{
    if (z->seen < GREETING_SIZE) {
        size_t at = z->seen++;
        fuzz_check((at != 0 || b == 0xFF) && (at != 9 || b == 0x7F) &&
                       (at != 10 || b == 3),
                   "not a ZMTP 3.0 greeting");
        return;
    }
    if (z->body_left > 0) {
        z->body_left--;
        return;
    }
    if (z->header_have == 0) {
        fuzz_check((b & ~(ZMTP_MORE | ZMTP_LONG | ZMTP_COMMAND)) == 0,
                   "ZMTP flags with reserved bits");
        fuzz_check(!((b & ZMTP_COMMAND) && (b & ZMTP_MORE)),
                   "a command with more");
        z->flags = b;
        z->header_need = (b & ZMTP_LONG) ? 9 : 2;
    }
    z->header[z->header_have++] = b;
    if (z->header_have < z->header_need)
        return;
    uint64_t size = 0;
    for (size_t i = 1; i < z->header_need; i++)
        size = size << 8 | z->header[i];
    fuzz_check(!(z->flags & ZMTP_LONG) || size > 255,
               "a long ZMTP frame that fits a short one");
    fuzz_check((z->flags & ZMTP_COMMAND) || z->maxmsgsize < 0 ||
                   size <= (uint64_t) z->maxmsgsize,
               "a frame over ZMQ_MAXMSGSIZE handed to the engine");
    z->body_left = size;
    z->header_have = 0;
}

/* Writes all of data to fd (a socketpair's, with room for a fuzz input). */
static void write_all(int fd, const void *data, size_t size)
{
    const uint8_t *p = data;
    while (size > 0) {
        ssize_t n = write(fd, p, size);
        fuzz_check(n > 0, "the socketpair took no more");
        p += n;
        size -= (size_t) n;
    }
}

/* The client stream's GET, answered with a proper 101. */
static void answer_request(int peer, const char *protocol)
{
    char request[WS_HEADER_MAX];
    size_t have = 0, end = 0;
    while (end == 0 && have < sizeof request) {
        ssize_t n = read(peer, request + have, sizeof request - have);
        fuzz_check(n > 0, "no request from the client stream");
        have += (size_t) n;
        end = ws_header_end(request, have);
    }
    const char *key = strstr(request, "Sec-WebSocket-Key: ");
    fuzz_check(key != NULL, "a request without its key");
    key += strlen("Sec-WebSocket-Key: ");
    char key_copy[WS_KEY_SIZE + 1];
    memcpy(key_copy, key, WS_KEY_SIZE);
    key_copy[WS_KEY_SIZE] = '\0';
    char response[512];
    int n = ws_response_build(response, sizeof response, key_copy, protocol);
    fuzz_check(n > 0, "no response built");
    write_all(peer, response, (size_t) n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in;
    fuzz_input_init(&in, data, size);
    uint8_t flags = fuzz_byte(&in);
    int type = types[fuzz_byte(&in) % (sizeof types / sizeof *types)];
    size_t read_size = fuzz_byte(&in);
    read_size = read_size == 0 ? 4096 : read_size;
    int64_t maxmsgsize = (flags & 2) ? fuzz_u16(&in) : -1;
    bool client = flags & 1, bare = !client && (flags & 4);
    size_t rest_size;
    const uint8_t *rest = fuzz_rest(&in, &rest_size);

    int fds[2];
    fuzz_check(socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0, "socketpair");
    int buffer = 1 << 20;
    setsockopt(fds[0], SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
    setsockopt(fds[1], SOL_SOCKET, SO_SNDBUF, &buffer, sizeof buffer);
    struct ws_stream_config config = {
        .client = client,
        .mechanism = "NULL",
        .host = "fuzz:1",
        .path = "/",
        .maxmsgsize = maxmsgsize,
        .socket_type = type,
    };
    const struct modzmq_stream_ops *ops;
    modzmq_stream *stream;
    fuzz_check(ws_stream_open(fds[0], &config, &ops, &stream) == 0,
               "ws_stream_open");
    char protocol[WS_PROTOCOL_MAX];
    ws_subprotocol("NULL", protocol);
    if (client) {
        ops->writev(stream, NULL, 0); /* the GET goes out */
        answer_request(fds[1], protocol);
    } else {
        char request[WS_HEADER_MAX];
        int n = ws_request_build(
            request, sizeof request, "fuzz:1", "/",
            "dGhlIHNhbXBsZSBub25jZQ==", bare ? "ZWS2.0" : protocol);
        fuzz_check(n > 0, "no request built");
        write_all(fds[1], request, (size_t) n);
    }
    write_all(fds[1], rest, rest_size);
    shutdown(fds[1], SHUT_WR);

    struct zmtp_check z = { .maxmsgsize = maxmsgsize };
    uint8_t out[4096];
    /* Bounded: every read takes at least one octet of input or ends. */
    for (size_t reads = 0; reads < 2 * (rest_size + 1) + 16384; reads++) {
        ssize_t n = ops->read(stream, out, read_size);
        if (n <= 0)
            break;
        for (ssize_t i = 0; i < n; i++)
            check_octet(&z, out[i]);
    }
    ops->close(stream);
    close(fds[0]);
    close(fds[1]);
    return 0;
}
