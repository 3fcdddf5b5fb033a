/*
 * Fuzz target: ZAP replies (core/zmtp/zap.c, RFC 27) through the API: a real
 * client connects over ipc (an abstract name, no file) to a NULL server
 * with a ZAP domain, a PLAIN server or a CURVE server; the server's
 * request reaches this target's handler (a ROUTER bound at
 * inproc://zeromq.zap.01), which answers with whatever frames the input
 * holds. The server's handshake event must say what RFC 27 says of the
 * reply: success exactly for seven frames with an empty delimiter,
 * version 1.0, the request's id, status 200 and a metadata frame that is
 * a valid property block; then the client's message must arrive with the
 * reply's User-Id.
 *
 * Input: a byte choosing the server (modulo 3: NULL, PLAIN, CURVE), then
 * the reply's frames, each a chunk (at most 16; none gives one empty
 * frame). The plain and curve plugins must be on MODZMQ_PLUGIN_PATH. The
 * handshake events come from the core's event bus directly (the monitor
 * plugin links the shared library, which a target linked with the core
 * itself cannot share).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "event_bus.h"
#include "fuzz.h"
#include "peer_metadata.h"
#include "zmq.h"
#include "zmtp_properties.h"

enum { WAIT_MS = 10000, FRAMES_MAX = 16, SERVERS = 3 };

/* Handshake events of one server, from the I/O thread that publishes
 * them. */
struct server {
    void *socket;
    char endpoint[64];
    modzmq_subscription *subscription;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    unsigned events[8]; /* ids not taken yet, oldest first */
    size_t event_count;
};

static void *ctx;
static void *handler;
static struct server servers[SERVERS];
static const uint8_t server_secret[32] = "modzmq fuzz: the server's key..";
static const uint8_t client_secret[32] = "modzmq fuzz: the client's key..";
static char server_public[41], client_public[41], client_secret_text[41];

static void set_int(void *s, int option, int value)
{
    zmq_setsockopt(s, option, &value, sizeof value);
}

static void on_event(void *arg, const struct modzmq_event *event)
{
    struct server *server = arg;
    pthread_mutex_lock(&server->lock);
    size_t room = sizeof server->events / sizeof server->events[0];
    if (server->event_count < room)
        server->events[server->event_count++] = (unsigned) event->id;
    pthread_cond_broadcast(&server->changed);
    pthread_mutex_unlock(&server->lock);
}

static bool make_server(int index)
{
    struct server *server = &servers[index];
    pthread_mutex_init(&server->lock, NULL);
    pthread_cond_init(&server->changed, NULL);
    server->socket = zmq_socket(ctx, ZMQ_PULL);
    set_int(server->socket, ZMQ_LINGER, 0);
    if (index == 0)
        zmq_setsockopt(server->socket, ZMQ_ZAP_DOMAIN, "fuzz", 4);
    else if (index == 1)
        set_int(server->socket, ZMQ_PLAIN_SERVER, 1);
    else if (zmq_setsockopt(server->socket, ZMQ_CURVE_SECRETKEY,
                            server_secret, 32) != 0)
        return false;
    else
        set_int(server->socket, ZMQ_CURVE_SERVER, 1);
    snprintf(server->endpoint, sizeof server->endpoint,
             "ipc://@modzmq-fuzz-zap-%d-%d", (int) getpid(), index);
    uint64_t events = ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
                      ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                      ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                      ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
    server->subscription = mz_event_subscribe(
        NULL, (modzmq_socket *) server->socket, events, on_event, server);
    return server->subscription != NULL &&
           zmq_bind(server->socket, server->endpoint) == 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void) argc;
    (void) argv;
    ctx = zmq_ctx_new();
    handler = zmq_socket(ctx, ZMQ_ROUTER);
    set_int(handler, ZMQ_LINGER, 0);
    bool ok = zmq_bind(handler, "inproc://zeromq.zap.01") == 0;
    char server_secret_text[41];
    ok = ok && zmq_z85_encode(server_secret_text, server_secret, 32) &&
         zmq_z85_encode(client_secret_text, client_secret, 32) &&
         zmq_curve_public(server_public, server_secret_text) == 0 &&
         zmq_curve_public(client_public, client_secret_text) == 0;
    for (int i = 0; i < SERVERS && ok; i++)
        ok = make_server(i);
    fuzz_check(ok, "fuzz_zap: no servers (are the plain and curve plugins "
                   "on MODZMQ_PLUGIN_PATH?)");
    return 0;
}

static bool readable(void *s)
{
    return fuzz_zmq_readable(s, WAIT_MS);
}

static void *client_for(int index)
{
    void *client = zmq_socket(ctx, ZMQ_PUSH);
    set_int(client, ZMQ_LINGER, 0);
    /* One connection, one request: a refused client must not come back
     * with another that the next input would read. */
    set_int(client, ZMQ_RECONNECT_IVL, -1);
    if (index == 1) {
        zmq_setsockopt(client, ZMQ_PLAIN_USERNAME, "admin", 5);
        zmq_setsockopt(client, ZMQ_PLAIN_PASSWORD, "secret", 6);
    } else if (index == 2) {
        zmq_setsockopt(client, ZMQ_CURVE_SERVERKEY, server_public, 40);
        zmq_setsockopt(client, ZMQ_CURVE_PUBLICKEY, client_public, 40);
        zmq_setsockopt(client, ZMQ_CURVE_SECRETKEY, client_secret_text, 40);
    }
    return client;
}

/* Reads the request: the handler's routing id for the peer, and the
 * request id (the frame after the delimiter and the version). */
static size_t read_request(uint8_t *id, size_t id_room, uint8_t *request_id,
                           size_t *request_id_size)
{
    fuzz_check(readable(handler), "fuzz_zap: no ZAP request came");
    size_t id_size = 0;
    for (int frame = 0;; frame++) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        fuzz_check(zmq_msg_recv(&m, handler, ZMQ_DONTWAIT) >= 0,
                   "fuzz_zap: request");
        size_t size = zmq_msg_size(&m);
        if (frame == 0 && size <= id_room) {
            memcpy(id, zmq_msg_data(&m), size);
            id_size = size;
        }
        if (frame == 3 && size <= *request_id_size) {
            memcpy(request_id, zmq_msg_data(&m), size);
            *request_id_size = size;
        }
        bool more = zmq_msg_more(&m);
        zmq_msg_close(&m);
        if (!more)
            return id_size;
    }
}

struct reply {
    const uint8_t *frames[FRAMES_MAX];
    size_t sizes[FRAMES_MAX];
    size_t count;
};

static bool frame_is(const struct reply *r, size_t i, const void *text,
                     size_t size)
{
    return r->sizes[i] == size && memcmp(r->frames[i], text, size) == 0;
}

/* What RFC 27 says of the reply: accepted or not. */
static bool accepted(const struct reply *r, const uint8_t *request_id,
                     size_t request_id_size)
{
    if (r->count != 7 || r->sizes[0] != 0 || !frame_is(r, 1, "1.0", 3) ||
        !frame_is(r, 2, request_id, request_id_size) ||
        !frame_is(r, 3, "200", 3))
        return false;
    struct mz_peer_metadata *metadata = mz_peer_metadata_new();
    fuzz_check(metadata != NULL, "memory");
    bool valid = mz_zmtp_properties_read(r->frames[6], r->sizes[6], -1,
                                         metadata) == MZ_PROPERTIES_OK;
    mz_peer_metadata_unref(metadata);
    return valid;
}

/* The server's handshake event for this connection. */
static unsigned handshake_event(struct server *server)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += WAIT_MS / 1000;
    pthread_mutex_lock(&server->lock);
    while (server->event_count == 0 &&
           pthread_cond_timedwait(&server->changed, &server->lock,
                                  &deadline) == 0)
        ;
    unsigned event = 0;
    if (server->event_count > 0) {
        event = server->events[0];
        server->event_count--;
        memmove(server->events, server->events + 1,
                server->event_count * sizeof server->events[0]);
    }
    pthread_mutex_unlock(&server->lock);
    fuzz_check(event != 0, "fuzz_zap: no handshake event");
    return event;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct fuzz_input in;
    fuzz_input_init(&in, data, size);
    int index = fuzz_byte(&in) % SERVERS;
    struct reply reply = { .count = 0 };
    while (!fuzz_input_done(&in) && reply.count < FRAMES_MAX) {
        reply.frames[reply.count] = fuzz_chunk(&in, &reply.sizes[reply.count]);
        reply.count++;
    }
    if (reply.count == 0) {
        reply.frames[0] = (const uint8_t *) "";
        reply.sizes[0] = 0;
        reply.count = 1;
    }

    struct server *server = &servers[index];
    void *client = client_for(index);
    fuzz_check(zmq_connect(client, server->endpoint) == 0 &&
                   zmq_send(client, "hello", 5, ZMQ_DONTWAIT) == 5,
               "fuzz_zap: client");
    uint8_t id[256], request_id[256];
    size_t request_id_size = sizeof request_id;
    size_t id_size =
        read_request(id, sizeof id, request_id, &request_id_size);
    zmq_send(handler, id, id_size, ZMQ_SNDMORE);
    for (size_t i = 0; i < reply.count; i++)
        zmq_send(handler, reply.frames[i], reply.sizes[i],
                 i + 1 < reply.count ? ZMQ_SNDMORE : 0);

    bool expected = accepted(&reply, request_id, request_id_size);
    unsigned event = handshake_event(server);
    fuzz_trace("zap: server %d, %zu frames, %s, event %#x", index, reply.count,
               expected ? "accepted" : "refused", event);
    fuzz_check((event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) == expected,
               expected ? "a valid ZAP 200 reply was refused"
                        : "an invalid or refusing ZAP reply let the peer in");
    if (expected) {
        zmq_msg_t m;
        zmq_msg_init(&m);
        fuzz_check(readable(server->socket) &&
                       zmq_msg_recv(&m, server->socket, ZMQ_DONTWAIT) == 5,
                   "fuzz_zap: the accepted client's message did not come");
        /* zmq_msg_gets gives it as a C string. */
        const char *user = zmq_msg_gets(&m, "User-Id");
        size_t length =
            strnlen((const char *) reply.frames[5], reply.sizes[5]);
        fuzz_check(user != NULL && strlen(user) == length &&
                       memcmp(user, reply.frames[5], length) == 0,
                   "the message does not carry the reply's User-Id");
        zmq_msg_close(&m);
    }
    zmq_close(client);
    return 0;
}
