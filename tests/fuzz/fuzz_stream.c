/*
 * Fuzz target: the raw path of ZMQ_STREAM (core/raw_engine.c, core/sockets/stream.c
 * and the router's raw mode) through the API: a raw peer (a plain Unix
 * socket, abstract name, no file) and the application exchange bytes as
 * the input says. Every byte the peer writes must reach the application
 * in order, under the connection's routing id, and nothing after the end
 * of the connection; every byte the application sends before either side
 * closes must reach the peer; a routing id that is not the peer's must be
 * refused. Both ways round: the STREAM socket binds and the peer
 * connects, or it connects to the peer's listener with a
 * ZMQ_CONNECT_ROUTING_ID from the input. Each input gets a fresh STREAM
 * socket.
 *
 * Input: a byte of modes (bit 0: the STREAM socket connects, its routing
 * id a chunk; bit 1: ZMQ_STREAM_NOTIFY off), then operations until the
 * input ends, op modulo 6:
 *   0  the peer writes a chunk
 *   1  the application sends a chunk to the peer (an empty one closes)
 *   2  the application sends "x" to the routing id in a chunk
 *   3  the application closes the connection
 *   4  the peer closes
 *   5  both sides take what has arrived
 * and at the end both sides take everything.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "clock.h"
#include "fuzz.h"
#include "zmq.h"

enum { WAIT_MS = 10000, ID_MAX = 256 };

static void *ctx;
static int listener = -1; /* the peer's, for the connecting mode */
static struct sockaddr_un listener_address;
static socklen_t listener_length;
static unsigned runs;

/* An abstract Unix address: '@' in the endpoint, NUL in sun_path. */
static socklen_t abstract_address(struct sockaddr_un *address,
                                  const char *name)
{
    memset(address, 0, sizeof *address);
    address->sun_family = AF_UNIX;
    size_t length = strlen(name);
    memcpy(address->sun_path + 1, name, length);
    return (socklen_t) (offsetof(struct sockaddr_un, sun_path) + 1 + length);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void) argc;
    (void) argv;
    signal(SIGPIPE, SIG_IGN);
    ctx = zmq_ctx_new();
    char name[64];
    snprintf(name, sizeof name, "modzmq-fuzz-stream-peer-%d", (int) getpid());
    listener_length = abstract_address(&listener_address, name);
    listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    fuzz_check(listener >= 0 &&
                   bind(listener, (struct sockaddr *) &listener_address,
                        listener_length) == 0 &&
                   listen(listener, 16) == 0,
               "fuzz_stream: listener");
    return 0;
}

struct run {
    void *s;
    int fd;
    uint8_t id[ID_MAX];
    size_t id_size;
    bool notify;
    bool app_closed;
    bool peer_closed;
    bool ended; /* the application saw the end of the connection */
    uint8_t *from_peer; /* what the peer wrote */
    size_t from_peer_size;
    size_t app_got;
    uint8_t *from_app; /* what the application sent */
    size_t from_app_size;
    size_t peer_got;
};

static bool set_nonblocking(int fd)
{
    int flags = fcntl(fd, F_GETFL);
    return flags != -1 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0;
}

static int remaining(uint64_t deadline)
{
    uint64_t now = mz_clock_ms();
    return now >= deadline ? 0 : (int) (deadline - now);
}

/* One message from the STREAM socket, within wait_ms: its routing id and
 * its data (the second part). False when nothing came. */
static bool app_receive(struct run *r, int wait_ms, uint8_t *id,
                        size_t *id_size, zmq_msg_t *data)
{
    if (!fuzz_zmq_readable(r->s, wait_ms))
        return false;
    int n = zmq_recv(r->s, id, ID_MAX, ZMQ_DONTWAIT);
    fuzz_check(n > 0 && n <= ID_MAX, "a STREAM message without a routing id");
    *id_size = (size_t) n;
    fuzz_check(zmq_msg_recv(data, r->s, ZMQ_DONTWAIT) >= 0 &&
                   !zmq_msg_more(data),
               "a STREAM message that is not [routing id, data]");
    return true;
}

/* What the application has, within wait_ms. */
static void app_take(struct run *r, int wait_ms)
{
    uint8_t id[ID_MAX];
    size_t id_size;
    zmq_msg_t data;
    zmq_msg_init(&data);
    while (app_receive(r, wait_ms, id, &id_size, &data)) {
        /* Without STREAM_NOTIFY the first data tells the id. */
        if (r->id_size == 0) {
            memcpy(r->id, id, id_size);
            r->id_size = id_size;
        }
        fuzz_check(id_size == r->id_size && memcmp(id, r->id, id_size) == 0,
                   "data under another routing id");
        fuzz_check(!r->ended, "data after the end of the connection");
        size_t size = zmq_msg_size(&data);
        if (size == 0) {
            r->ended = true;
        } else if (!r->app_closed) {
            fuzz_check(r->app_got + size <= r->from_peer_size &&
                           memcmp(zmq_msg_data(&data),
                                  r->from_peer + r->app_got, size) == 0,
                       "the application got bytes the peer did not write");
            r->app_got += size;
        }
        wait_ms = 0;
    }
    zmq_msg_close(&data);
}

/* What the peer has, within wait_ms. */
static void peer_take(struct run *r, int wait_ms)
{
    uint8_t buffer[4096];
    while (r->fd >= 0 && fuzz_fd_readable(r->fd, wait_ms)) {
        ssize_t n = read(r->fd, buffer, sizeof buffer);
        if (n <= 0)
            return;
        fuzz_check(r->app_closed ||
                       (r->peer_got + (size_t) n <= r->from_app_size &&
                        memcmp(buffer, r->from_app + r->peer_got,
                               (size_t) n) == 0),
                   "the peer got bytes the application did not send");
        r->peer_got += (size_t) n;
        wait_ms = 0;
    }
}

static void peer_write(struct run *r, const uint8_t *data, size_t size)
{
    if (r->fd < 0)
        return;
    size_t written = 0;
    uint64_t deadline = mz_clock_ms() + WAIT_MS;
    while (written < size && remaining(deadline) > 0) {
        ssize_t n = write(r->fd, data + written, size - written);
        if (n > 0) {
            written += (size_t) n;
            continue;
        }
        if (n < 0 && errno != EAGAIN)
            break; /* the application closed */
        /* Full: let the application read, then go on. */
        app_take(r, 10);
    }
    if (!r->app_closed) {
        memcpy(r->from_peer + r->from_peer_size, data, written);
        r->from_peer_size += written;
    }
}

static bool app_send(struct run *r, const uint8_t *id, size_t id_size,
                     const void *data, size_t size)
{
    return zmq_send(r->s, id, id_size, ZMQ_SNDMORE) == (int) id_size &&
           zmq_send(r->s, data, size, 0) == (int) size;
}

static void app_close(struct run *r)
{
    if (!r->app_closed && !r->ended)
        app_send(r, r->id, r->id_size, "", 0);
    r->app_closed = true;
}

static void app_write(struct run *r, const uint8_t *data, size_t size)
{
    if (size == 0) {
        app_close(r);
        return;
    }
    bool sent = app_send(r, r->id, r->id_size, data, size);
    if (sent && !r->peer_closed && !r->app_closed) {
        memcpy(r->from_app + r->from_app_size, data, size);
        r->from_app_size += size;
    }
}

static void app_write_to(struct run *r, const uint8_t *id, size_t id_size)
{
    bool ours = id_size == r->id_size && memcmp(id, r->id, id_size) == 0;
    if (ours) {
        app_write(r, (const uint8_t *) "x", 1);
        return;
    }
    errno = 0;
    fuzz_check(zmq_send(r->s, id, id_size, ZMQ_SNDMORE) == -1 &&
                   errno == EHOSTUNREACH,
               "a STREAM socket took a routing id it does not know");
}

/* The connection, either way round; false when it could not be made
 * (a routing id the socket refused). */
static bool connect_run(struct run *r, struct fuzz_input *in, bool connects)
{
    int zero = 0;
    r->s = zmq_socket(ctx, ZMQ_STREAM);
    zmq_setsockopt(r->s, ZMQ_LINGER, &zero, sizeof zero);
    int notify = r->notify ? 1 : 0;
    zmq_setsockopt(r->s, ZMQ_STREAM_NOTIFY, &notify, sizeof notify);
    char endpoint[128];
    if (connects) {
        size_t size;
        const uint8_t *id = fuzz_chunk(in, &size);
        bool chosen =
            zmq_setsockopt(r->s, ZMQ_CONNECT_ROUTING_ID, id, size) == 0;
        int never = -1;
        zmq_setsockopt(r->s, ZMQ_RECONNECT_IVL, &never, sizeof never);
        snprintf(endpoint, sizeof endpoint, "ipc://@%s",
                 listener_address.sun_path + 1);
        if (zmq_connect(r->s, endpoint) != 0)
            return false;
        fuzz_check(fuzz_fd_readable(listener, WAIT_MS),
                   "the STREAM socket never connected");
        do
            r->fd = accept(listener, NULL, NULL);
        while (r->fd < 0 && errno == EINTR);
        fuzz_check(r->fd >= 0, "fuzz_stream: accept");
        if (chosen) {
            memcpy(r->id, id, size);
            r->id_size = size;
        }
    } else {
        snprintf(endpoint, sizeof endpoint, "ipc://@modzmq-fuzz-stream-%d-%u",
                 (int) getpid(), runs);
        fuzz_check(zmq_bind(r->s, endpoint) == 0, "fuzz_stream: bind");
        struct sockaddr_un address;
        socklen_t length = abstract_address(&address, endpoint + 7);
        r->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int rc;
        do
            rc = connect(r->fd, (struct sockaddr *) &address, length);
        while (rc < 0 && errno == EINTR);
        fuzz_check(r->fd >= 0 && (rc == 0 || errno == EISCONN),
                   "fuzz_stream: connect");
    }
    fuzz_check(set_nonblocking(r->fd), "fuzz_stream: fcntl");
    if (!r->notify)
        return true;
    /* The connection's notification: an empty part under its id. */
    uint8_t id[ID_MAX];
    size_t id_size;
    zmq_msg_t data;
    zmq_msg_init(&data);
    fuzz_check(app_receive(r, WAIT_MS, id, &id_size, &data) &&
                   zmq_msg_size(&data) == 0,
               "no notification of the new connection");
    zmq_msg_close(&data);
    fuzz_check(r->id_size == 0 ||
                   (id_size == r->id_size && memcmp(id, r->id, id_size) == 0),
               "the connection's id is not ZMQ_CONNECT_ROUTING_ID");
    memcpy(r->id, id, id_size);
    r->id_size = id_size;
    return true;
}

/* Both sides take everything still on its way; what was sent while both
 * were open must all have arrived. */
static void settle(struct run *r)
{
    uint64_t deadline = mz_clock_ms() + WAIT_MS;
    while (remaining(deadline) > 0) {
        bool app_done = r->app_closed || r->app_got == r->from_peer_size;
        bool peer_done = r->app_closed || r->peer_closed ||
                         r->peer_got == r->from_app_size;
        if (app_done && peer_done)
            return;
        app_take(r, app_done ? 0 : 10);
        peer_take(r, peer_done ? 0 : 10);
    }
    fuzz_check(r->app_closed || r->app_got == r->from_peer_size,
               "bytes the peer wrote never reached the application");
    fuzz_check(r->app_closed || r->peer_closed ||
                   r->peer_got == r->from_app_size,
               "bytes the application sent never reached the peer");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in;
    fuzz_input_init(&in, data, size);
    uint8_t modes = fuzz_byte(&in);
    struct run r = { .fd = -1, .notify = (modes & 2) == 0 };
    r.from_peer = malloc(size + 1);
    r.from_app = malloc(size + 1);
    fuzz_check(r.from_peer != NULL && r.from_app != NULL, "memory");
    runs++;
    if (connect_run(&r, &in, (modes & 1) != 0)) {
        while (!fuzz_input_done(&in)) {
            uint8_t op = fuzz_byte(&in);
            size_t n;
            const uint8_t *chunk;
            switch (op % 6) {
            case 0:
                chunk = fuzz_chunk(&in, &n);
                peer_write(&r, chunk, n);
                break;
            case 1:
                chunk = fuzz_chunk(&in, &n);
                if (r.id_size > 0)
                    app_write(&r, chunk, n);
                break;
            case 2:
                chunk = fuzz_chunk(&in, &n);
                if (r.id_size > 0)
                    app_write_to(&r, chunk, n);
                break;
            case 3:
                if (r.id_size > 0)
                    app_close(&r);
                break;
            case 4:
                if (r.fd >= 0)
                    close(r.fd);
                r.fd = -1;
                r.peer_closed = true;
                break;
            default:
                app_take(&r, 0);
                peer_take(&r, 0);
                break;
            }
        }
        settle(&r);
        fuzz_trace("stream: peer wrote %zu, application got %zu; "
                   "application sent %zu, peer got %zu; %s%s%s",
                   r.from_peer_size, r.app_got, r.from_app_size, r.peer_got,
                   r.app_closed ? "application closed " : "",
                   r.peer_closed ? "peer closed " : "",
                   r.ended ? "ended" : "");
    }
    if (r.fd >= 0)
        close(r.fd);
    zmq_close(r.s);
    free(r.from_peer);
    free(r.from_app);
    return 0;
}
