/*
 * CURVE end to end through the zmq API: the engine runs the curve
 * plugin on real connections. modzmq to modzmq over tcp and ipc, and
 * modzmq against libzmq 4.3 (a pyzmq peer, peer.h) in both roles, with
 * keys made by our zmq_curve_keypair: messages cross (multipart, empty
 * and large parts, subscriptions), a client with the wrong server key
 * gets nowhere, ZAP sees the client's long-term key and can refuse it,
 * and the key options read and write in both their forms.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "peer.h"
#include "raw_zmtp.h"
#include "testutil.h"
#include "zmq.h"

static void *ctx;

/* A key pair in Z85 (41 octets each, NUL included) and in hex. */
struct keys {
    char public_z85[41], secret_z85[41];
    uint8_t public_key[32], secret_key[32];
    char public_hex[65], secret_hex[65];
};

/* A new pair from zmq_curve_keypair; false when it fails. */
static bool make_keys(struct keys *k)
{
    if (zmq_curve_keypair(k->public_z85, k->secret_z85) != 0 ||
        zmq_z85_decode(k->public_key, k->public_z85) == NULL ||
        zmq_z85_decode(k->secret_key, k->secret_z85) == NULL)
        return false;
    test_peer_part(k->public_hex, k->public_key, 32);
    test_peer_part(k->secret_hex, k->secret_key, 32);
    return true;
}

static struct keys server_keys, client_keys;

static void *our_socket(int type)
{
    void *s = zmq_socket(ctx, type);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    test_set_int(s, ZMQ_RCVTIMEO, 5000);
    test_set_int(s, ZMQ_SNDTIMEO, 5000);
    test_set_int(s, ZMQ_LINGER, 0);
    return s;
}

static void make_server(void *s, const struct keys *server)
{
    CU_ASSERT(test_set_int(s, ZMQ_CURVE_SERVER, 1));
    CU_ASSERT_EQUAL(
        zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, server->secret_z85, 40), 0);
}

/* server_public: the key the client believes the server has. */
static void make_client(void *s, const struct keys *client,
                        const uint8_t *server_public)
{
    CU_ASSERT_EQUAL(zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server_public, 32),
                    0);
    CU_ASSERT_EQUAL(
        zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, client->public_z85, 41), 0);
    CU_ASSERT_EQUAL(
        zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, client->secret_key, 32), 0);
}

static void bound_endpoint(void *s, char *endpoint, size_t size)
{
    CU_ASSERT_EQUAL(zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, endpoint, &size), 0);
}

/* ---- the API around CURVE -------------------------------------------- */

static void test_has_and_keys(void)
{
    CU_ASSERT_EQUAL(zmq_has("curve"), 1);
    char public_z85[41], secret_z85[41], derived[41];
    CU_ASSERT_EQUAL(zmq_curve_keypair(public_z85, secret_z85), 0);
    CU_ASSERT_EQUAL(strlen(public_z85), 40);
    CU_ASSERT_EQUAL(zmq_curve_public(derived, secret_z85), 0);
    CU_ASSERT_STRING_EQUAL(derived, public_z85);
    CU_ASSERT_EQUAL(zmq_curve_public(derived, "not a key"), -1);
    CU_ASSERT_EQUAL(zmq_errno(), EINVAL);
}

/* Keys set as 32 octets read back as Z85 and the other way round. */
static void test_key_options(void)
{
    void *s = our_socket(ZMQ_DEALER);
    CU_ASSERT_EQUAL(
        zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server_keys.public_key, 32), 0);
    char text[41];
    size_t size = sizeof text;
    CU_ASSERT_EQUAL(zmq_getsockopt(s, ZMQ_CURVE_SERVERKEY, text, &size), 0);
    CU_ASSERT_EQUAL(size, 41);
    CU_ASSERT_STRING_EQUAL(text, server_keys.public_z85);
    CU_ASSERT_EQUAL(
        zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, client_keys.public_z85, 40), 0);
    uint8_t binary[32];
    size = sizeof binary;
    CU_ASSERT_EQUAL(zmq_getsockopt(s, ZMQ_CURVE_PUBLICKEY, binary, &size), 0);
    CU_ASSERT(memcmp(binary, client_keys.public_key, 32) == 0);
    CU_ASSERT_EQUAL(test_get_int(s, ZMQ_MECHANISM), ZMQ_CURVE);
    CU_ASSERT_EQUAL(test_get_int(s, ZMQ_CURVE_SERVER), 0);
    /* Neither 32 octets nor Z85. */
    CU_ASSERT_EQUAL(zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, "short", 5), -1);
    CU_ASSERT_EQUAL(zmq_errno(), EINVAL);
    test_close(s);
}

/* ---- modzmq to modzmq -------------------------------------------------- */

static void round_trips(void *client, void *server)
{
    CU_ASSERT(test_send(client, "request", ZMQ_SNDMORE));
    CU_ASSERT(test_send(client, "", ZMQ_SNDMORE));
    CU_ASSERT(test_send(client, "tail", 0));
    char id[256];
    int id_size = test_recv(server, id, sizeof id, 5000);
    CU_ASSERT(id_size > 0);
    CU_ASSERT(test_recv_is(server, "request", 5000));
    CU_ASSERT(test_recv_is(server, "", 5000));
    zmq_msg_t last;
    zmq_msg_init(&last);
    CU_ASSERT_EQUAL(zmq_msg_recv(&last, server, 0), 4);
    const char *type = zmq_msg_gets(&last, "Socket-Type");
    CU_ASSERT(type != NULL && strcmp(type, "DEALER") == 0);
    zmq_msg_close(&last);
    if (id_size <= 0)
        return;

    size_t big = 300000;
    char *body = malloc(big);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    for (size_t i = 0; i < big; i++)
        body[i] = (char) (i * 13);
    CU_ASSERT_EQUAL(zmq_send(server, id, (size_t) id_size, ZMQ_SNDMORE),
                    id_size);
    CU_ASSERT_EQUAL(zmq_send(server, body, big, 0), (int) big);
    char *got = malloc(big + 1);
    CU_ASSERT_EQUAL(zmq_recv(client, got, big + 1, 0), (int) big);
    CU_ASSERT(memcmp(got, body, big) == 0);
    free(got);
    free(body);
}

static void ours_to_ours(const char *bind_endpoint)
{
    void *server = our_socket(ZMQ_ROUTER);
    void *client = our_socket(ZMQ_DEALER);
    make_server(server, &server_keys);
    make_client(client, &client_keys, server_keys.public_key);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(server, bind_endpoint), 0);
    char endpoint[256];
    bound_endpoint(server, endpoint, sizeof endpoint);
    CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
    round_trips(client, server);
    test_close(client);
    test_close(server);
}

static void test_ours_tcp(void)
{
    ours_to_ours("tcp://127.0.0.1:*");
}

static void test_ours_ipc(void)
{
    char dir[] = "/tmp/modzmq-curve-XXXXXX", endpoint[128];
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    snprintf(endpoint, sizeof endpoint, "ipc://%s/s", dir);
    ours_to_ours(endpoint);
    char path[128];
    snprintf(path, sizeof path, "%s/s", dir);
    unlink(path);
    rmdir(dir);
}

/* A client that has the wrong server key never gets a message through,
 * while a right one beside it does. */
static void test_ours_wrong_server_key(void)
{
    void *server = our_socket(ZMQ_ROUTER);
    void *wrong = our_socket(ZMQ_DEALER);
    void *right = our_socket(ZMQ_DEALER);
    make_server(server, &server_keys);
    make_client(wrong, &client_keys, client_keys.public_key);
    make_client(right, &client_keys, server_keys.public_key);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(server, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    bound_endpoint(server, endpoint, sizeof endpoint);
    CU_ASSERT_EQUAL(zmq_connect(wrong, endpoint), 0);
    test_set_int(wrong, ZMQ_SNDTIMEO, 0);
    /* The message waits for a peer that never completes a handshake. */
    zmq_send(wrong, "intruder", 8, ZMQ_DONTWAIT);
    CU_ASSERT_EQUAL(zmq_connect(right, endpoint), 0);
    CU_ASSERT(test_send(right, "friend", 0));
    char id[256], body[64];
    CU_ASSERT(test_recv(server, id, sizeof id, 5000) > 0);
    CU_ASSERT_EQUAL(test_recv(server, body, sizeof body, 5000), 6);
    CU_ASSERT(memcmp(body, "friend", 6) == 0);
    CU_ASSERT(test_recv_nothing(server, 300));
    test_close(wrong);
    test_close(right);
    test_close(server);
}

/* ---- hostile peers -------------------------------------------------------- */

/* What a hostile client sends after its greeting: one frame that
 * starts with head and is filled up to size with a pattern. */
struct hostile {
    const char *what;
    const char *head;
    size_t head_size;
    size_t size;
    uint8_t flags;
};

/* Each hostile client is dropped by our CURVE server, and a good client
 * is served after them all. */
static void test_hostile_clients(void)
{
    static const struct hostile cases[] = {
        { "HELLO with a forged box", "\5HELLO\1\0", 8, 200, RAW_FRAME_COMMAND },
        { "HELLO cut short", "\5HELLO\1\0", 8, 120, RAW_FRAME_COMMAND },
        { "HELLO too long", "\5HELLO\1\0", 8, 300, RAW_FRAME_COMMAND },
        { "HELLO of 64 KB", "\5HELLO\1\0", 8, 65536, RAW_FRAME_COMMAND },
        { "a name longer than the command", "\77HELLO", 6, 6,
          RAW_FRAME_COMMAND },
        { "INITIATE first", "\10INITIATE", 9, 260, RAW_FRAME_COMMAND },
        { "a message part in the handshake", "data", 4, 4, 0 },
    };
    void *server = our_socket(ZMQ_ROUTER);
    make_server(server, &server_keys);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(server, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    bound_endpoint(server, endpoint, sizeof endpoint);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct hostile *h = &cases[i];
        uint8_t *body = malloc(h->size);
        CU_ASSERT_PTR_NOT_NULL_FATAL(body);
        memcpy(body, h->head, h->head_size);
        for (size_t j = h->head_size; j < h->size; j++)
            body[j] = (uint8_t) (j * 29 + i);
        int fd = raw_connect(endpoint);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT(raw_greet(fd, "CURVE", false));
        CU_ASSERT(raw_send_frame(fd, body, h->size, h->flags));
        bool dropped = raw_closed_by_peer(fd);
        if (!dropped)
            fprintf(stderr, "not dropped: %s\n", h->what);
        CU_ASSERT(dropped);
        close(fd);
        free(body);
    }
    void *client = our_socket(ZMQ_DEALER);
    make_client(client, &client_keys, server_keys.public_key);
    CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
    CU_ASSERT(test_send(client, "still here", 0));
    char id[256];
    CU_ASSERT(test_recv(server, id, sizeof id, 5000) > 0);
    CU_ASSERT(test_recv_is(server, "still here", 5000));
    test_close(client);
    test_close(server);
}

/* Our CURVE client drops a server whose WELCOME is forged. */
static void test_hostile_server(void)
{
    char endpoint[64];
    int listener = raw_listen(endpoint, sizeof endpoint);
    CU_ASSERT_FATAL(listener >= 0);
    void *client = our_socket(ZMQ_DEALER);
    make_client(client, &client_keys, server_keys.public_key);
    CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
    int fd = raw_accept(listener);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT(raw_greet(fd, "CURVE", true));
    uint8_t hello[2 + 200];
    CU_ASSERT(raw_read(fd, hello, sizeof hello));
    CU_ASSERT(memcmp(hello, "\4\310\5HELLO", 8) == 0);
    uint8_t welcome[168] = "\7WELCOME";
    for (size_t i = 8; i < sizeof welcome; i++)
        welcome[i] = (uint8_t) (i * 13);
    CU_ASSERT(raw_send_frame(fd, welcome, sizeof welcome, RAW_FRAME_COMMAND));
    CU_ASSERT(raw_closed_by_peer(fd));
    close(fd);
    close(listener);
    test_close(client);
}

/* ---- ZAP ------------------------------------------------------------------ */

/* A ZAP handler that accepts only the key it is given, and remembers the
 * mechanism of the last request. It runs until stop is set (at most
 * 10 s), polling so that it never blocks in a receive; the test closes
 * its socket after joining it. */
struct zap_handler {
    void *socket;
    uint8_t allowed[32];
    char mechanism[16];
    atomic_int requests;
    atomic_bool stop;
};

/* One request (7 frames) answered: 200 with User-Id "friend" for the
 * allowed key, 400 for any other. */
static void zap_answer(struct zap_handler *h)
{
    zmq_msg_t parts[7];
    int count = 0;
    bool more = true;
    while (more && count < 7) {
        zmq_msg_init(&parts[count]);
        if (zmq_msg_recv(&parts[count], h->socket, 0) < 0) {
            zmq_msg_close(&parts[count]);
            break;
        }
        more = zmq_msg_more(&parts[count]);
        count++;
    }
    if (count == 7 && !more) {
        atomic_fetch_add(&h->requests, 1);
        snprintf(h->mechanism, sizeof h->mechanism, "%.*s",
                 (int) zmq_msg_size(&parts[5]),
                 (const char *) zmq_msg_data(&parts[5]));
        bool ok = zmq_msg_size(&parts[6]) == 32 &&
                  memcmp(zmq_msg_data(&parts[6]), h->allowed, 32) == 0;
        zmq_send(h->socket, "1.0", 3, ZMQ_SNDMORE);
        zmq_send(h->socket, zmq_msg_data(&parts[1]), zmq_msg_size(&parts[1]),
                 ZMQ_SNDMORE);
        zmq_send(h->socket, ok ? "200" : "400", 3, ZMQ_SNDMORE);
        zmq_send(h->socket, ok ? "OK" : "No", 2, ZMQ_SNDMORE);
        zmq_send(h->socket, ok ? "friend" : "", ok ? 6 : 0, ZMQ_SNDMORE);
        zmq_send(h->socket, "", 0, 0);
    }
    for (int i = 0; i < count; i++)
        zmq_msg_close(&parts[i]);
}

static void *zap_thread(void *arg)
{
    struct zap_handler *h = arg;
    for (int i = 0; i < 100 && !atomic_load(&h->stop); i++) {
        zmq_pollitem_t item = { h->socket, 0, ZMQ_POLLIN, 0 };
        if (zmq_poll(&item, 1, 100) == 1)
            zap_answer(h);
    }
    return NULL;
}

static void test_zap(void)
{
    struct zap_handler h;
    memset(&h, 0, sizeof h);
    atomic_init(&h.requests, 0);
    atomic_init(&h.stop, false);
    h.socket = zmq_socket(ctx, ZMQ_REP);
    test_set_int(h.socket, ZMQ_LINGER, 0);
    test_set_int(h.socket, ZMQ_RCVTIMEO, 3000);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(h.socket, "inproc://zeromq.zap.01"), 0);
    memcpy(h.allowed, client_keys.public_key, 32);
    pthread_t thread;
    CU_ASSERT_EQUAL_FATAL(pthread_create(&thread, NULL, zap_thread, &h), 0);

    void *server = our_socket(ZMQ_ROUTER);
    make_server(server, &server_keys);
    CU_ASSERT_EQUAL(zmq_bind(server, "tcp://127.0.0.1:*"), 0);
    char endpoint[256];
    bound_endpoint(server, endpoint, sizeof endpoint);

    struct keys stranger;
    CU_ASSERT_FATAL(make_keys(&stranger));
    void *refused = our_socket(ZMQ_DEALER);
    make_client(refused, &stranger, server_keys.public_key);
    CU_ASSERT_EQUAL(zmq_connect(refused, endpoint), 0);
    zmq_send(refused, "stranger", 8, ZMQ_DONTWAIT);

    void *accepted = our_socket(ZMQ_DEALER);
    make_client(accepted, &client_keys, server_keys.public_key);
    CU_ASSERT_EQUAL(zmq_connect(accepted, endpoint), 0);
    CU_ASSERT(test_send(accepted, "member", 0));
    char id[256];
    CU_ASSERT(test_recv(server, id, sizeof id, 5000) > 0);
    zmq_msg_t body;
    zmq_msg_init(&body);
    CU_ASSERT_EQUAL(zmq_msg_recv(&body, server, 0), 6);
    CU_ASSERT(memcmp(zmq_msg_data(&body), "member", 6) == 0);
    const char *user = zmq_msg_gets(&body, "User-Id");
    CU_ASSERT(user != NULL && strcmp(user, "friend") == 0);
    zmq_msg_close(&body);
    CU_ASSERT(test_recv_nothing(server, 300));
    /* The stranger's request races the member's: wait for it, at most
     * 3 s. */
    for (int i = 0; i < 150 && atomic_load(&h.requests) < 2; i++)
        usleep(20 * 1000);
    CU_ASSERT(atomic_load(&h.requests) >= 2);

    test_close(refused);
    test_close(accepted);
    test_close(server);
    atomic_store(&h.stop, true);
    pthread_join(thread, NULL);
    CU_ASSERT_STRING_EQUAL(h.mechanism, "CURVE");
    test_close(h.socket);
}

/* ---- against libzmq ------------------------------------------------------ */

static bool peer_ok(struct test_peer *peer, const char *format, const char *a)
{
    char command[512];
    snprintf(command, sizeof command, format, a);
    const char *answer = test_peer_ask(peer, "%s", command);
    bool ok = answer != NULL && strncmp(answer, "ok", 2) == 0;
    if (!ok)
        fprintf(stderr, "peer: %s -> %s\n", command, answer ? answer : "-");
    CU_ASSERT(ok);
    return ok;
}

/* A libzmq socket of type_name: a CURVE server with server_keys, or a
 * client of server_public with client_keys. */
static struct test_peer *curve_peer(const char *type_name, bool as_server,
                                    const char *server_public_hex)
{
    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL(peer);
    if (peer == NULL)
        return NULL;
    bool ok = peer_ok(peer, "socket %s", type_name);
    if (as_server) {
        ok =
            ok && peer_ok(peer, "set CURVE_SERVER %s", "1") &&
            peer_ok(peer, "set CURVE_SECRETKEY hex:%s", server_keys.secret_hex);
    } else {
        ok =
            ok &&
            peer_ok(peer, "set CURVE_SERVERKEY hex:%s", server_public_hex) &&
            peer_ok(peer, "set CURVE_PUBLICKEY hex:%s",
                    client_keys.public_hex) &&
            peer_ok(peer, "set CURVE_SECRETKEY hex:%s", client_keys.secret_hex);
    }
    if (!ok) {
        test_peer_stop(peer);
        return NULL;
    }
    return peer;
}

/* Our socket and the peer's, joined over tcp: the peer binds when it is
 * the server. */
static bool join(void *ours, struct test_peer *peer, bool peer_serves)
{
    if (peer_serves) {
        const char *answer = test_peer_ask(peer, "bind tcp://127.0.0.1:*");
        if (answer == NULL || strncmp(answer, "ok ", 3) != 0) {
            CU_FAIL("peer bind failed");
            return false;
        }
        CU_ASSERT_EQUAL(zmq_connect(ours, answer + 3), 0);
        return true;
    }
    if (zmq_bind(ours, "tcp://127.0.0.1:*") != 0) {
        CU_FAIL("bind failed");
        return false;
    }
    char endpoint[256];
    bound_endpoint(ours, endpoint, sizeof endpoint);
    return peer_ok(peer, "connect %s", endpoint);
}

/* DEALER to DEALER with libzmq: multipart and a 1 MB part both ways. */
static void with_libzmq(bool we_serve)
{
    struct test_peer *peer =
        curve_peer("DEALER", !we_serve, server_keys.public_hex);
    if (peer == NULL)
        return;
    void *ours = our_socket(ZMQ_DEALER);
    if (we_serve)
        make_server(ours, &server_keys);
    else
        make_client(ours, &client_keys, server_keys.public_key);
    if (join(ours, peer, !we_serve)) {
        CU_ASSERT(test_send(ours, "ab", ZMQ_SNDMORE));
        CU_ASSERT(test_send(ours, "", ZMQ_SNDMORE));
        CU_ASSERT(test_send(ours, "c", 0));
        const char *answer = test_peer_ask(peer, "recv");
        CU_ASSERT(answer != NULL && strcmp(answer, "msg 6162 - 63") == 0);
        answer = test_peer_ask(peer, "meta Socket-Type");
        CU_ASSERT(answer != NULL && strcmp(answer, "meta DEALER") == 0);

        CU_ASSERT(peer_ok(peer, "sendpattern %s", "3 1048576"));
        char head[8];
        CU_ASSERT_EQUAL(zmq_recv(ours, head, sizeof head, 0), 3);
        CU_ASSERT(memcmp(head, "\0\7\16", 3) == 0);
        size_t big = 1 << 20;
        char *body = malloc(big + 1);
        CU_ASSERT_EQUAL(zmq_recv(ours, body, big + 1, 0), (int) big);
        bool pattern = true;
        for (size_t i = 0; i < big; i++)
            pattern = pattern && (uint8_t) body[i] == (uint8_t) (i * 7);
        CU_ASSERT(pattern);
        free(body);

        CU_ASSERT(test_send(ours, "back", 0));
        answer = test_peer_ask(peer, "recv");
        CU_ASSERT(answer != NULL && strcmp(answer, "msg 6261636b") == 0);
    }
    test_close(ours);
    test_peer_stop(peer);
}

static void test_libzmq_client(void)
{
    with_libzmq(true);
}

static void test_libzmq_server(void)
{
    with_libzmq(false);
}

/* Subscriptions travel as commands inside MESSAGE boxes: our SUB gets
 * only its topic from a libzmq PUB, and a libzmq SUB only its topic
 * from ours. */
static void test_libzmq_pubsub(void)
{
    for (int way = 0; way < 2; way++) {
        bool we_publish = way == 0;
        /* The publisher is the CURVE server and binds. */
        struct test_peer *peer =
            we_publish ? curve_peer("SUB", false, server_keys.public_hex)
                       : curve_peer("PUB", true, NULL);
        if (peer == NULL)
            return;
        void *ours = our_socket(we_publish ? ZMQ_PUB : ZMQ_SUB);
        if (we_publish) {
            make_server(ours, &server_keys);
            CU_ASSERT(peer_ok(peer, "set SUBSCRIBE hex:%s", "6b6579"));
        } else {
            make_client(ours, &client_keys, server_keys.public_key);
            CU_ASSERT_EQUAL(zmq_setsockopt(ours, ZMQ_SUBSCRIBE, "key", 3), 0);
        }
        if (join(ours, peer, !we_publish)) {
            const char *answer = NULL;
            bool delivered = false;
            /* Publications sent before the subscription arrives are
             * dropped: publish again, at most 50 times. */
            for (int i = 0; i < 50 && !delivered; i++) {
                if (we_publish) {
                    test_send(ours, "other", 0);
                    test_send(ours, "key-1", 0);
                    answer = test_peer_ask(peer, "recv");
                    delivered =
                        answer != NULL && strncmp(answer, "msg", 3) == 0;
                } else {
                    peer_ok(peer, "send %s", "6f74686572");
                    peer_ok(peer, "send %s", "6b65792d31");
                    delivered = test_recv_is(ours, "key-1", 100);
                }
            }
            CU_ASSERT(delivered);
            if (we_publish)
                CU_ASSERT(answer != NULL &&
                          strcmp(answer, "msg 6b65792d31") == 0);
        }
        test_close(ours);
        test_peer_stop(peer);
    }
}

/* A libzmq client with the wrong server key gets nothing through to us,
 * and neither do we with the wrong key to a libzmq server. */
static void test_libzmq_wrong_server_key(void)
{
    struct test_peer *peer =
        curve_peer("DEALER", false, client_keys.public_hex);
    if (peer != NULL) {
        void *ours = our_socket(ZMQ_DEALER);
        make_server(ours, &server_keys);
        if (join(ours, peer, false)) {
            CU_ASSERT(peer_ok(peer, "send %s", "6869"));
            CU_ASSERT(test_recv_nothing(ours, 500));
        }
        test_close(ours);
        test_peer_stop(peer);
    }

    peer = curve_peer("DEALER", true, NULL);
    if (peer != NULL) {
        void *ours = our_socket(ZMQ_DEALER);
        make_client(ours, &client_keys, client_keys.public_key);
        if (join(ours, peer, true)) {
            test_set_int(ours, ZMQ_SNDTIMEO, 0);
            zmq_send(ours, "hi", 2, ZMQ_DONTWAIT);
            const char *answer = test_peer_ask(peer, "set RCVTIMEO %s", "500");
            CU_ASSERT(answer != NULL && strcmp(answer, "ok") == 0);
            answer = test_peer_ask(peer, "recv");
            CU_ASSERT(answer != NULL && strcmp(answer, "timeout") == 0);
        }
        test_close(ours);
        test_peer_stop(peer);
    }
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    ctx = zmq_ctx_new();
    if (ctx == NULL || zmq_has("curve") != 1 || !make_keys(&server_keys) ||
        !make_keys(&client_keys)) {
        fprintf(stderr, "the curve plugin cannot be loaded\n");
        return 1;
    }
    static const struct test_case cases[] = {
        { "zmq_has and key functions", test_has_and_keys },
        { "key options both forms", test_key_options },
        { "modzmq to modzmq over tcp", test_ours_tcp },
        { "modzmq to modzmq over ipc", test_ours_ipc },
        { "wrong server key", test_ours_wrong_server_key },
        { "hostile clients dropped", test_hostile_clients },
        { "hostile server dropped", test_hostile_server },
        { "ZAP sees the client key", test_zap },
        { "libzmq client, our server", test_libzmq_client },
        { "our client, libzmq server", test_libzmq_server },
        { "PUB/SUB with libzmq", test_libzmq_pubsub },
        { "wrong server key with libzmq", test_libzmq_wrong_server_key },
    };
    int status =
        test_run_suite("curve sockets", cases, sizeof cases / sizeof cases[0]);
    zmq_ctx_term(ctx);
    return status;
}
