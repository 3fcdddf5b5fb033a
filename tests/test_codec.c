/*
 * The traffic hooks of a mechanism (encode, decode in sdk/modzmq/
 * mechanism.h) through the public API, with a toy mechanism registered by
 * the test under the name CURVE (no curve plugin is loaded here): its
 * handshake is one READY each way, and it wraps every frame after the
 * handshake in a MESSAGE command whose body is XORed, the way CURVE boxes
 * frames. Multipart messages, subscriptions and heartbeats must all cross
 * intact, so every path of the engine that writes or reads a frame is
 * seen to go through the hooks.
 */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <modzmq/mechanism.h>

#include "modzmq.h"
#include "testutil.h"
#include "zmq.h"

enum { WAIT_MS = 5000, MASK = 0x5A };

static const struct modzmq_core_services *services;
/* Counted on the I/O threads, read by the tests. */
static atomic_int frames_encoded, frames_decoded;

struct modzmq_mechanism_session {
    modzmq_connection *connection;
    bool ready_sent;
    bool ready_received;
};

static int toy_session_new(modzmq_connection *connection, int as_server,
                           modzmq_mechanism_session **session)
{
    (void) as_server;
    struct modzmq_mechanism_session *s = calloc(1, sizeof *s);
    if (s == NULL)
        return -1;
    s->connection = connection;
    *session = s;
    return 0;
}

static void toy_session_free(modzmq_mechanism_session *s)
{
    free(s);
}

static int toy_next_command(modzmq_mechanism_session *s, modzmq_msg *command)
{
    if (s->ready_sent) {
        errno = EAGAIN;
        return -1;
    }
    size_t size = services->metadata_write(s->connection, NULL, 0);
    if (services->msg_resize(command, 6 + size) < 0)
        return -1;
    uint8_t *p = services->msg_data(command);
    memcpy(p, "\5READY", 6);
    services->metadata_write(s->connection, p + 6, size);
    s->ready_sent = true;
    return 0;
}

static int toy_process_command(modzmq_mechanism_session *s, modzmq_msg *command)
{
    const uint8_t *p = services->msg_data(command);
    size_t size = services->msg_size(command);
    if (s->ready_received || size < 6 || memcmp(p, "\5READY", 6) != 0) {
        services->handshake_error(s->connection,
                                  ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
        errno = EPROTO;
        return -1;
    }
    if (services->metadata_read(s->connection, p + 6, size - 6) < 0)
        return -1;
    s->ready_received = true;
    return 0;
}

static enum modzmq_mechanism_status toy_status(modzmq_mechanism_session *s)
{
    return s->ready_sent && s->ready_received ? MODZMQ_MECHANISM_READY
                                              : MODZMQ_MECHANISM_HANDSHAKING;
}

static void toy_zap_accepted(modzmq_mechanism_session *s)
{
    (void) s;
}

/* "\7MESSAGE", one byte of the part's flags, then its bytes XORed. */
static int toy_encode(modzmq_mechanism_session *s, modzmq_msg *part)
{
    (void) s;
    size_t size = services->msg_size(part);
    uint8_t *copy = malloc(size + 1);
    if (copy == NULL)
        return -1;
    memcpy(copy, services->msg_data(part), size);
    unsigned flags = services->msg_flags(part);
    if (services->msg_resize(part, 9 + size) < 0) {
        free(copy);
        return -1;
    }
    uint8_t *p = services->msg_data(part);
    memcpy(p, "\7MESSAGE", 8);
    p[8] = (uint8_t) flags;
    for (size_t i = 0; i < size; i++)
        p[9 + i] = copy[i] ^ MASK;
    free(copy);
    services->msg_set_flags(part, MODZMQ_MSG_COMMAND);
    frames_encoded++;
    return 0;
}

static int toy_decode(modzmq_mechanism_session *s, modzmq_msg *frame)
{
    size_t size = services->msg_size(frame);
    const uint8_t *p = services->msg_data(frame);
    if (!(services->msg_flags(frame) & MODZMQ_MSG_COMMAND) || size < 9 ||
        memcmp(p, "\7MESSAGE", 8) != 0) {
        services->handshake_error(s->connection,
                                  ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
        errno = EPROTO;
        return -1;
    }
    unsigned flags = p[8];
    uint8_t *copy = malloc(size - 9 + 1);
    if (copy == NULL)
        return -1;
    for (size_t i = 9; i < size; i++)
        copy[i - 9] = p[i] ^ MASK;
    if (services->msg_resize(frame, size - 9) < 0) {
        free(copy);
        return -1;
    }
    memcpy(services->msg_data(frame), copy, size - 9);
    free(copy);
    services->msg_set_flags(frame, flags);
    frames_decoded++;
    return 0;
}

static int toy_init(const struct modzmq_core_services *s, modzmq_core *core)
{
    (void) core;
    services = s;
    return 0;
}

static const struct modzmq_mechanism_ops toy_ops = {
    .size = sizeof(struct modzmq_mechanism_ops),
    .session_new = toy_session_new,
    .session_free = toy_session_free,
    .next_command = toy_next_command,
    .process_command = toy_process_command,
    .status = toy_status,
    .zap_accepted = toy_zap_accepted,
    .encode = toy_encode,
    .decode = toy_decode,
};

static const char *const toy_names[] = { "CURVE", NULL };

static const struct modzmq_plugin toy_plugin = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "toy-codec",
    .kind = MODZMQ_PLUGIN_MECHANISM,
    .serves = toy_names,
    .ops = &toy_ops,
    .init = toy_init,
};

/* ---- the tests ----------------------------------------------------- */

static void *ctx;

static void *toy_socket(int type, bool server)
{
    void *s = zmq_socket(ctx, type);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    test_set_int(s, ZMQ_RCVTIMEO, WAIT_MS);
    test_set_int(s, ZMQ_SNDTIMEO, WAIT_MS);
    test_set_int(s, ZMQ_LINGER, 0);
    /* The toy never looks at keys; the options only pick "CURVE". */
    static const char key[] = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
    int rc = server
                 ? zmq_setsockopt(s, ZMQ_CURVE_SERVER, &(int){ 1 }, sizeof(int))
                 : zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, key, 40);
    CU_ASSERT_FATAL(rc == 0);
    return s;
}

static void join(void *server, void *client)
{
    CU_ASSERT_FATAL(zmq_bind(server, "tcp://127.0.0.1:*") == 0);
    char endpoint[256];
    size_t size = sizeof endpoint;
    zmq_getsockopt(server, ZMQ_LAST_ENDPOINT, endpoint, &size);
    CU_ASSERT_FATAL(zmq_connect(client, endpoint) == 0);
}

static void test_multipart(void)
{
    void *server = toy_socket(ZMQ_PULL, true);
    void *client = toy_socket(ZMQ_PUSH, false);
    join(server, client);
    CU_ASSERT(test_send(client, "first", ZMQ_SNDMORE));
    CU_ASSERT(test_send(client, "", ZMQ_SNDMORE));
    CU_ASSERT(test_send(client, "last", 0));
    CU_ASSERT(test_recv_is(server, "first", WAIT_MS));
    CU_ASSERT_EQUAL(test_get_int(server, ZMQ_RCVMORE), 1);
    CU_ASSERT(test_recv_is(server, "", WAIT_MS));
    CU_ASSERT_EQUAL(test_get_int(server, ZMQ_RCVMORE), 1);
    CU_ASSERT(test_recv_is(server, "last", WAIT_MS));
    CU_ASSERT_EQUAL(test_get_int(server, ZMQ_RCVMORE), 0);
    /* A large part takes the engine's zero-copy read path. */
    size_t big = 300000;
    char *data = malloc(big);
    for (size_t i = 0; i < big; i++)
        data[i] = (char) (i * 7);
    CU_ASSERT(zmq_send(client, data, big, 0) == (int) big);
    char *got = malloc(big);
    CU_ASSERT(zmq_recv(server, got, big, 0) == (int) big);
    CU_ASSERT(memcmp(got, data, big) == 0);
    free(got);
    free(data);
    zmq_close(client);
    zmq_close(server);
    CU_ASSERT(frames_encoded >= 4 && frames_decoded >= 4);
}

static void test_subscriptions(void)
{
    void *pub = toy_socket(ZMQ_PUB, true);
    void *sub = toy_socket(ZMQ_SUB, false);
    join(pub, sub);
    CU_ASSERT(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "news", 4) == 0);
    /* The subscription crosses as an encoded SUBSCRIBE: retry until the
     * publisher has it (bounded). */
    bool got = false;
    for (int i = 0; i < 50 && !got; i++) {
        CU_ASSERT(test_send(pub, "sports", 0));
        CU_ASSERT(test_send(pub, "news today", 0));
        char buffer[32];
        got = test_recv(sub, buffer, sizeof buffer, 100) == 10 &&
              memcmp(buffer, "news today", 10) == 0;
    }
    CU_ASSERT(got);
    zmq_close(sub);
    zmq_close(pub);
}

/* PINGs and PONGs cross encoded (a PING the peer could not decode would
 * drop the connection): frames are decoded while no message moves. */
static void test_heartbeats(void)
{
    void *server = toy_socket(ZMQ_PULL, true);
    void *client = toy_socket(ZMQ_PUSH, false);
    for (int i = 0; i < 2; i++) {
        void *s = i ? client : server;
        test_set_int(s, ZMQ_HEARTBEAT_IVL, 20);
        test_set_int(s, ZMQ_HEARTBEAT_TIMEOUT, 100);
    }
    join(server, client);
    CU_ASSERT(test_send(client, "before", 0));
    CU_ASSERT(test_recv_is(server, "before", WAIT_MS));
    int decoded = frames_decoded;
    usleep(500 * 1000);
    CU_ASSERT(frames_decoded > decoded); /* heartbeats, decoded */
    CU_ASSERT(test_send(client, "after", 0));
    CU_ASSERT(test_recv_is(server, "after", WAIT_MS));
    zmq_close(client);
    zmq_close(server);
}

/* zmq_has answers from the plugins there are; the key functions need the
 * plugin's optional ops, which the toy lacks. */
static void test_has_and_keys(void)
{
    CU_ASSERT_EQUAL(zmq_has("curve"), 1);
    char public_key[41], secret_key[41];
    errno = 0;
    CU_ASSERT_EQUAL(zmq_curve_keypair(public_key, secret_key), -1);
    CU_ASSERT_EQUAL(errno, ENOTSUP);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_curve_public(public_key, secret_key), -1);
    CU_ASSERT_EQUAL(errno, ENOTSUP);
}

int main(void)
{
    if (modzmq_plugin_register(&toy_plugin) != 0)
        return 1;
    ctx = zmq_ctx_new();
    static const struct test_case tests[] = {
        { "multipart and large parts through encode/decode", test_multipart },
        { "subscriptions through encode/decode", test_subscriptions },
        { "heartbeats through encode/decode", test_heartbeats },
        { "zmq_has and the CURVE key functions", test_has_and_keys },
    };
    int status = test_run_suite("codec", tests, sizeof tests / sizeof tests[0]);
    zmq_ctx_term(ctx);
    return status;
}
