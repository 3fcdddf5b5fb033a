/*
 * For tests/check_sdk_stream.sh: drives ZMTP through the byte-stream hook
 * of the xorunix example transport (sdk/examples/example_xor_stream.c),
 * which the script built out of tree against an installed SDK and which
 * libzmq.so.5 loads from MODZMQ_PLUGIN_PATH. ours against ours: no other
 * library speaks xorunix.
 *
 *   - the wire carries the stream's frames, not ZMTP as it is, and the
 *     stream's closing frame ends a connection the core closes;
 *   - NULL, then CURVE: multipart messages both ways, a burst of many
 *     sizes, a part far larger than the stream's frames and its read
 *     buffer, then the same again after the bound peer restarts;
 *   - the stream reported input the fd did not signal (poll's
 *     MODZMQ_STREAM_READABLE) and everything still arrived, so the core
 *     read it without the fd;
 *   - a ZMQ_STREAM socket, whose raw engine reads the bare fd, has its
 *     connections closed at once rather than spoken to unframed.
 *
 * Every wait is bounded (ZMQ_RCVTIMEO, poll timeouts, counted retries).
 * Prints what is wrong and exits 1, or exits 0.
 */
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "modzmq.h"
#include "zmq.h"

enum {
    TIMEOUT_MS = 5000,
    BIG = 300000,
    BURST = 400,
    /* Floods of 1 to FLOOD messages: one of them ends with the sender's
     * stream holding bytes that the full socket did not take (see
     * flood). */
    FLOOD = 16,
    FLOOD_SIZE = 100000,
    KEY = 0xA5
};

static bool failed(const char *what)
{
    fprintf(stderr, "stream hook: %s (errno %d: %s)\n", what, errno,
            zmq_strerror(errno));
    return false;
}

struct keys {
    bool curve;
    char server_public[41], server_secret[41];
    char client_public[41], client_secret[41];
};

static void *make_socket(void *ctx, int type, const struct keys *keys,
                         bool server)
{
    void *s = zmq_socket(ctx, type);
    int timeout = TIMEOUT_MS, linger = 0, ivl = 20, hwm = 4;
    zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(s, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_RECONNECT_IVL, &ivl, sizeof ivl);
    /* A receiving engine soon stops reading while the application does
     * not (see flood). */
    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (keys != NULL && keys->curve) {
        if (server) {
            int as_server = 1;
            zmq_setsockopt(s, ZMQ_CURVE_SERVER, &as_server, sizeof as_server);
            zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, keys->server_secret, 40);
        } else {
            zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, keys->server_public, 40);
            zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, keys->client_public, 40);
            zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, keys->client_secret, 40);
        }
    }
    return s;
}

/* Part i of a test message of size bytes: a pattern the receiver checks. */
static void fill_pattern(uint8_t *bytes, size_t size, unsigned seed)
{
    for (size_t i = 0; i < size; i++)
        bytes[i] = (uint8_t) (seed * 31u + i * 7u + (i >> 8));
}

static bool send_part(void *s, size_t size, unsigned seed, bool more)
{
    uint8_t *bytes = malloc(size > 0 ? size : 1);
    fill_pattern(bytes, size, seed);
    int rc = zmq_send(s, bytes, size, more ? ZMQ_SNDMORE : 0);
    free(bytes);
    return rc == (int) size || failed("zmq_send failed");
}

static bool recv_part(void *s, size_t size, unsigned seed, bool more)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    bool ok = true;
    if (zmq_msg_recv(&msg, s, 0) < 0)
        ok = failed("a part did not arrive");
    else if (zmq_msg_size(&msg) != size)
        ok = failed("a part arrived with the wrong size");
    else if (zmq_msg_more(&msg) != (int) more)
        ok = failed("a part arrived with the wrong MORE flag");
    if (ok) {
        uint8_t *expected = malloc(size > 0 ? size : 1);
        fill_pattern(expected, size, seed);
        if (memcmp(expected, zmq_msg_data(&msg), size) != 0)
            ok = failed("a part arrived with the wrong bytes");
        free(expected);
    }
    zmq_msg_close(&msg);
    return ok;
}

/* A three-part message, the middle one BIG, from one socket to the
 * other. */
static bool multipart(void *from, void *to, unsigned seed)
{
    return send_part(from, 5, seed, true) &&
           send_part(from, BIG, seed + 1, true) &&
           send_part(from, 0, seed + 2, false) &&
           recv_part(to, 5, seed, true) && recv_part(to, BIG, seed + 1, true) &&
           recv_part(to, 0, seed + 2, false);
}

/* Many messages of many sizes, all sent before any is read. */
static bool burst(void *from, void *to)
{
    for (unsigned i = 0; i < BURST; i++)
        if (!send_part(from, (i * 613u) % 9000u, i, false))
            return false;
    for (unsigned i = 0; i < BURST; i++)
        if (!recv_part(to, (i * 613u) % 9000u, i, false))
            return false;
    return true;
}

/* Large messages sent while the receiver does not read: the receiving
 * engine stops at its high-water mark and the socket fills. When the
 * sender's engine has handed its last bytes to the stream just as the
 * socket filled, the stream holds frames while the engine has nothing
 * more to write; only a flush of the stream (writev with no buffers,
 * from the core, once the fd is writable again) sends them. Which flood
 * ends so depends on the socket's buffers, so there are floods of every
 * length up to FLOOD. */
static bool flood(void *from, void *to)
{
    for (unsigned n = 1; n <= FLOOD; n++) {
        for (unsigned i = 0; i < n; i++)
            if (!send_part(from, FLOOD_SIZE, i, false))
                return false;
        usleep(50 * 1000);
        for (unsigned i = 0; i < n; i++)
            if (!recv_part(to, FLOOD_SIZE, i, false))
                return false;
    }
    return true;
}

static bool traffic(void *bound, void *connected, unsigned seed)
{
    return multipart(connected, bound, seed) &&
           multipart(bound, connected, seed + 10) && burst(connected, bound) &&
           burst(bound, connected) && flood(connected, bound) &&
           flood(bound, connected);
}

/* After the bound peer restarts on the same name, the connecting one
 * reconnects: it sends until one message gets through (what it sent into
 * the dying connection may be lost), then traffic flows both ways. */
static bool after_restart(void *connected, void *bound)
{
    char buffer[16];
    for (int attempt = 0; attempt < 50; attempt++) {
        if (zmq_send(connected, "probe", 5, 0) != 5)
            return failed("the probe could not be sent");
        zmq_pollitem_t item = { bound, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll(&item, 1, 100) == 1) {
            if (zmq_recv(bound, buffer, sizeof buffer, 0) != 5)
                return failed("the probe arrived damaged");
            /* Later probes may be on their way: drain them. */
            while (zmq_recv(bound, buffer, sizeof buffer, ZMQ_DONTWAIT) == 5)
                ;
            return traffic(bound, connected, 500);
        }
    }
    return failed("no reconnection after the peer restarted");
}

static bool session(void *ctx, const struct keys *keys, const char *endpoint)
{
    void *bound = make_socket(ctx, ZMQ_DEALER, keys, true);
    void *connected = make_socket(ctx, ZMQ_DEALER, keys, false);
    bool ok = false;
    if (zmq_bind(bound, endpoint) != 0)
        failed("zmq_bind failed");
    else if (zmq_connect(connected, endpoint) != 0)
        failed("zmq_connect failed");
    else if (traffic(bound, connected, 1)) {
        zmq_close(bound);
        bound = make_socket(ctx, ZMQ_DEALER, keys, true);
        if (zmq_bind(bound, endpoint) != 0)
            failed("zmq_bind after the restart failed");
        else
            ok = after_restart(connected, bound);
    }
    zmq_close(connected);
    zmq_close(bound);
    return ok;
}

/* A plain unix socket connected to the bound abstract name of endpoint
 * ("xorunix://name"), or -1. */
static int raw_connect(const char *endpoint)
{
    const char *name = endpoint + strlen("xorunix://");
    struct sockaddr_un address = { .sun_family = AF_UNIX };
    size_t length = strlen(name);
    if (length + 1 > sizeof address.sun_path)
        return -1;
    memcpy(address.sun_path + 1, name, length);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    socklen_t size =
        (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + length);
    if (connect(fd, (struct sockaddr *) &address, size) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads what comes on fd until its end: the byte count, or -1 when it
 * does not end within the timeout. */
static ssize_t read_to_end(int fd, uint8_t *buffer, size_t size)
{
    size_t have = 0;
    for (int round = 0; round < 100; round++) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, TIMEOUT_MS) != 1)
            return -1;
        ssize_t n = read(fd, buffer + have, size - have);
        if (n <= 0)
            return n < 0 ? -1 : (ssize_t) have;
        have += (size_t) n;
        if (have == size)
            return -1;
    }
    return -1;
}

/* What the core writes goes through the stream: our greeting comes in a
 * frame with its bytes XORed, and when the socket closes, the stream's
 * closing frame (length 0) is the last thing before the fd's end. */
static bool wire_is_framed(void *ctx)
{
    void *bound = make_socket(ctx, ZMQ_DEALER, NULL, true);
    char endpoint[256];
    size_t size = sizeof endpoint;
    bool ok = false;
    if (zmq_bind(bound, "xorunix://*") != 0 ||
        zmq_getsockopt(bound, ZMQ_LAST_ENDPOINT, endpoint, &size) != 0) {
        zmq_close(bound);
        return failed("zmq_bind(xorunix://*) failed");
    }
    int fd = raw_connect(endpoint);
    if (fd < 0) {
        zmq_close(bound);
        return failed("no plain connection to the bound name");
    }
    uint8_t first[3];
    struct pollfd p = { .fd = fd, .events = POLLIN };
    size_t have = 0;
    while (have < sizeof first && poll(&p, 1, TIMEOUT_MS) == 1) {
        ssize_t n = read(fd, first + have, sizeof first - have);
        if (n <= 0)
            break;
        have += (size_t) n;
    }
    size_t length = (size_t) first[0] << 8 | first[1];
    if (have < sizeof first)
        failed("no greeting came");
    else if (length == 0 || length > 1024)
        failed("the greeting did not come in a frame");
    else if (first[2] != (0xFF ^ KEY))
        failed("the greeting's first byte was not XORed");
    else {
        zmq_close(bound);
        bound = NULL;
        static uint8_t rest[4096];
        ssize_t n = read_to_end(fd, rest, sizeof rest);
        if (n < 2)
            failed("the connection did not end with the stream's close");
        else if (rest[n - 2] != 0 || rest[n - 1] != 0)
            failed("the last bytes were no closing frame");
        else
            ok = true;
    }
    close(fd);
    if (bound != NULL)
        zmq_close(bound);
    return ok;
}

/* ZMQ_STREAM runs the raw engine, which does not read streams: its
 * connection is closed before a byte goes out. */
static bool raw_socket_refused(void *ctx)
{
    void *stream = make_socket(ctx, ZMQ_STREAM, NULL, true);
    char endpoint[256];
    size_t size = sizeof endpoint;
    bool ok = false;
    if (zmq_bind(stream, "xorunix://*") != 0 ||
        zmq_getsockopt(stream, ZMQ_LAST_ENDPOINT, endpoint, &size) != 0) {
        zmq_close(stream);
        return failed("zmq_bind of a ZMQ_STREAM socket failed");
    }
    int fd = raw_connect(endpoint);
    uint8_t buffer[64];
    if (fd < 0)
        failed("no plain connection to the ZMQ_STREAM socket");
    else if (read_to_end(fd, buffer, sizeof buffer) != 0)
        failed("a ZMQ_STREAM connection over a stream was not closed at once");
    else
        ok = true;
    if (fd >= 0)
        close(fd);
    zmq_close(stream);
    return ok;
}

/* The example's count of MODZMQ_STREAM_READABLE answers, from the module
 * the core loaded (dlopen of a loaded module gives that module). */
static unsigned long readable_reported(void)
{
    struct modzmq_plugin_info list[8];
    size_t count = modzmq_plugins(list, 8);
    for (size_t i = 0; i < count && i < 8; i++) {
        if (strcmp(list[i].name, "xorunix") != 0)
            continue;
        void *module = dlopen(list[i].path, RTLD_NOW | RTLD_NOLOAD);
        if (module == NULL)
            return 0;
        unsigned long (*reported)(void) = (unsigned long (*)(void)) dlsym(
            module, "xorunix_readable_reported");
        unsigned long n = reported != NULL ? reported() : 0;
        dlclose(module);
        return n;
    }
    return 0;
}

int main(void)
{
    if (modzmq_plugin_load("xorunix") != 0)
        return failed("modzmq_plugin_load(\"xorunix\") failed"), 1;
    void *ctx = zmq_ctx_new();
    char endpoint[64];
    int status = 1;
    struct keys keys = { .curve = false };
    snprintf(endpoint, sizeof endpoint, "xorunix://stream-hook-%d",
             (int) getpid());
    if (!wire_is_framed(ctx) || !raw_socket_refused(ctx))
        goto done;
    printf("the wire carries the stream's frames\n");
    if (!session(ctx, &keys, endpoint))
        goto done;
    printf("NULL: traffic both ways, and again after a restart\n");
    if (!zmq_has("curve")) {
        fprintf(stderr, "stream hook: this libzmq has no CURVE\n");
        goto done;
    }
    keys.curve = true;
    if (zmq_curve_keypair(keys.server_public, keys.server_secret) != 0 ||
        zmq_curve_keypair(keys.client_public, keys.client_secret) != 0) {
        failed("zmq_curve_keypair failed");
        goto done;
    }
    if (!session(ctx, &keys, endpoint))
        goto done;
    printf("CURVE: traffic both ways, and again after a restart\n");
    unsigned long reported = readable_reported();
    if (reported == 0) {
        fprintf(stderr, "stream hook: the stream never held input beyond "
                        "the fd\n");
        goto done;
    }
    printf("input beyond the fd: reported %lu times, all of it read\n",
           reported);
    status = 0;
done:
    zmq_ctx_term(ctx);
    return status;
}
