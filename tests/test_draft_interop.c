/*
 * The reference peers of libzmq 4.3.5 with the draft API (tests/draft_peer.h)
 * against which modzmq's thread-safe socket types will be tested, and what
 * modzmq can already do with them.
 *
 * Most cases here run two peers against each other, with no modzmq in
 * either process: they prove that the peers run the bundled libzmq 4.3.5
 * with the draft API and that every draft pair the package offers (CLIENT
 * and SERVER, with and without CURVE; RADIO and DISH over tcp and udp;
 * SCATTER and GATHER; DGRAM) works through the peer script, so that a
 * failure of the tests of modzmq's types against them
 * (tests/test_draft_pairs.c) is modzmq's. The last cases put
 * modzmq's classic sockets against the same libzmq: a DEALER and a ROUTER,
 * both ways, and a SERVER and a CLIENT with the types RFC 41 does not
 * pair them with.
 *
 * A missing Node.js or npm package fails every case, with the reason on
 * stderr: nothing is skipped.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "draft_peer.h"
#include "testutil.h"

#define PROBES 100

/* Binds the peer's socket; the real endpoint into endpoint. */
static bool peer_bind(struct draft_peer *peer, const char *where,
                      char *endpoint, size_t size)
{
    const char *answer = draft_peer_ask(peer, "bind %s", where);
    if (!draft_peer_starts(answer, "ok "))
        return false;
    snprintf(endpoint, size, "%s", answer + 3);
    return true;
}

/* An ipc endpoint unique to this process and use. */
static void ipc_endpoint(char *endpoint, size_t size, const char *use)
{
    snprintf(endpoint, size, "ipc:///tmp/modzmq-draft-%d-%s", (int) getpid(),
             use);
}

static void test_peer_is_bundled_draft_libzmq(void)
{
    struct draft_peer *peer = draft_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    /* "ready 4.3.5 ipc,tipc,curve,draft /.../addon.node" */
    char version[32], capabilities[256], addon[4096];
    CU_ASSERT_EQUAL_FATAL(sscanf(draft_peer_ready(peer), "ready %31s %255s %4095s",
                                 version, capabilities, addon), 3);
    CU_ASSERT_STRING_EQUAL(version, "4.3.5");
    char listed[260];
    snprintf(listed, sizeof listed, ",%s,", capabilities);
    CU_ASSERT_PTR_NOT_NULL(strstr(listed, ",draft,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(listed, ",curve,"));
    CU_ASSERT_PTR_NOT_NULL(strstr(addon, "/node_modules/zeromq/"));
    /* Seen from here too: the addon is mapped into the peer, and no
     * shared libzmq (ours or Debian's). */
    char maps_path[64], line[8192];
    snprintf(maps_path, sizeof maps_path, "/proc/%d/maps",
             (int) draft_peer_pid(peer));
    FILE *maps = fopen(maps_path, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(maps);
    bool addon_mapped = false, shared_libzmq = false;
    while (fgets(line, sizeof line, maps) != NULL) {
        if (strstr(line, addon) != NULL)
            addon_mapped = true;
        if (strstr(line, "libzmq.so") != NULL)
            shared_libzmq = true;
    }
    fclose(maps);
    CU_ASSERT(addon_mapped);
    CU_ASSERT(!shared_libzmq);
    draft_peer_stop(peer);
}

/* A SERVER peer bound at where and a CLIENT peer connected to it: a
 * request answered to its routing id, then 200 messages in order. */
static void client_server_between_peers(const char *where)
{
    struct draft_peer *server = draft_peer_with("SERVER");
    struct draft_peer *client = draft_peer_with("CLIENT");
    CU_ASSERT_PTR_NOT_NULL_FATAL(server);
    CU_ASSERT_PTR_NOT_NULL_FATAL(client);
    char endpoint[256];
    CU_ASSERT_FATAL(peer_bind(server, where, endpoint, sizeof endpoint));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(client, "connect %s", endpoint), "ok"));
    char hello[16];
    test_peer_part(hello, "hello", 5);
    CU_ASSERT(draft_peer_is(draft_peer_ask(client, "send %s", hello), "ok"));
    unsigned routing_id = 0;
    const char *request = draft_peer_ask(server, "recv");
    CU_ASSERT(request != NULL &&
              sscanf(request, "msg 68656c6c6f id %u", &routing_id) == 1);
    CU_ASSERT_NOT_EQUAL(routing_id, 0);
    CU_ASSERT(draft_peer_is(
        draft_peer_ask(server, "sendto %u 776f726c64", routing_id), "ok"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(client, "recv"), "msg 776f726c64"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(client, "sendseq 200"), "sent 200"));
    char expected[64];
    snprintf(expected, sizeof expected, "seq 200 1 %u=200", routing_id);
    CU_ASSERT(draft_peer_is(draft_peer_ask(server, "recvseq 200"), expected));
    CU_ASSERT(draft_peer_is(
        draft_peer_ask(server, "sendseq 200 id %u", routing_id), "sent 200"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(client, "recvseq 200"),
                            "seq 200 1 -=200"));
    draft_peer_stop(client);
    draft_peer_stop(server);
}

static void test_client_server_tcp(void)
{
    client_server_between_peers("tcp://127.0.0.1:*");
}

static void test_client_server_ipc(void)
{
    char endpoint[128];
    ipc_endpoint(endpoint, sizeof endpoint, "server");
    client_server_between_peers(endpoint);
}

/* Two CLIENTs, one SERVER: each reply reaches the client whose routing
 * id it names, and only that one. */
static void test_server_routes_by_id(void)
{
    struct draft_peer *server = draft_peer_with("SERVER");
    struct draft_peer *clients[2] = { draft_peer_with("CLIENT"),
                                      draft_peer_with("CLIENT") };
    CU_ASSERT_PTR_NOT_NULL_FATAL(server);
    CU_ASSERT_PTR_NOT_NULL_FATAL(clients[0]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(clients[1]);
    char endpoint[256];
    CU_ASSERT_FATAL(peer_bind(server, "tcp://127.0.0.1:*", endpoint, sizeof endpoint));
    unsigned ids[2] = { 0, 0 };
    for (int i = 0; i < 2; i++) {
        CU_ASSERT(draft_peer_is(
            draft_peer_ask(clients[i], "connect %s", endpoint), "ok"));
        CU_ASSERT(
            draft_peer_is(draft_peer_ask(clients[i], "send 0%d", i), "ok"));
        char format[32];
        snprintf(format, sizeof format, "msg 0%d id %%u", i);
        const char *request = draft_peer_ask(server, "recv");
        CU_ASSERT(request != NULL && sscanf(request, format, &ids[i]) == 1);
    }
    CU_ASSERT_NOT_EQUAL(ids[0], ids[1]);
    /* Replies in the other order than the requests came. */
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(server, "sendto %u b1", ids[1]), "ok"));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(server, "sendto %u b0", ids[0]), "ok"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(clients[0], "recv"), "msg b0"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(clients[1], "recv"), "msg b1"));
    CU_ASSERT(draft_peer_is(
        draft_peer_ask(clients[0], "set receiveTimeout 200"), "ok"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(clients[0], "recv"), "timeout"));
    draft_peer_stop(clients[1]);
    draft_peer_stop(clients[0]);
    draft_peer_stop(server);
}

/* A CURVE key pair from libzmq 4.3.5, in Z85: public, then secret. */
static bool keypair(struct draft_peer *peer, char keys[2][41])
{
    const char *answer = draft_peer_ask(peer, "keypair");
    return answer != NULL &&
           sscanf(answer, "keys %40s %40s", keys[0], keys[1]) == 2 &&
           strlen(keys[0]) == 40 && strlen(keys[1]) == 40;
}

/* Sets a peer's CURVE keys: a server's secret key, or a client's pair and
 * the server's public key. */
static bool set_curve(struct draft_peer *peer, const char *server_public,
                      const char *public_key, const char *secret_key)
{
    if (server_public == NULL)
        return draft_peer_is(draft_peer_ask(peer, "set curveServer true"),
                             "ok") &&
               draft_peer_is(draft_peer_ask(peer, "set curveSecretKey str:%s",
                                            secret_key),
                             "ok");
    return draft_peer_is(
               draft_peer_ask(peer, "set curveServerKey str:%s", server_public),
               "ok") &&
           draft_peer_is(
               draft_peer_ask(peer, "set curvePublicKey str:%s", public_key),
               "ok") &&
           draft_peer_is(
               draft_peer_ask(peer, "set curveSecretKey str:%s", secret_key),
               "ok");
}

/* CURVE between peers: the right server key gets through, a wrong one
 * fails the handshake and delivers nothing. */
static void test_client_server_curve(void)
{
    struct draft_peer *server = draft_peer_with("SERVER");
    struct draft_peer *client = draft_peer_with("CLIENT");
    struct draft_peer *stranger = draft_peer_with("CLIENT");
    CU_ASSERT_PTR_NOT_NULL_FATAL(server);
    CU_ASSERT_PTR_NOT_NULL_FATAL(client);
    CU_ASSERT_PTR_NOT_NULL_FATAL(stranger);
    char server_keys[2][41], client_keys[2][41], other_keys[2][41];
    CU_ASSERT_FATAL(keypair(server, server_keys));
    CU_ASSERT_FATAL(keypair(client, client_keys));
    CU_ASSERT_FATAL(keypair(stranger, other_keys));
    CU_ASSERT_FATAL(set_curve(server, NULL, server_keys[0], server_keys[1]));
    CU_ASSERT_FATAL(set_curve(client, server_keys[0], client_keys[0], client_keys[1]));
    /* The stranger takes its own public key for the server's. */
    CU_ASSERT_FATAL(set_curve(stranger, other_keys[0], client_keys[0], client_keys[1]));
    CU_ASSERT(draft_peer_is(draft_peer_ask(server, "get securityMechanism"),
                            "value curve"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(server, "monitor"), "ok"));
    char endpoint[256];
    CU_ASSERT_FATAL(peer_bind(server, "tcp://127.0.0.1:*", endpoint, sizeof endpoint));

    CU_ASSERT(
        draft_peer_is(draft_peer_ask(client, "connect %s", endpoint), "ok"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(server, "event 10000"),
                            "event handshake"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(client, "send 5ec0e7"), "ok"));
    unsigned routing_id = 0;
    const char *request = draft_peer_ask(server, "recv");
    CU_ASSERT(request != NULL && sscanf(request, "msg 5ec0e7 id %u", &routing_id) == 1);
    CU_ASSERT(draft_peer_is(draft_peer_ask(server, "sendto %u 0c", routing_id),
                            "ok"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(client, "recv"), "msg 0c"));

    CU_ASSERT(
        draft_peer_is(draft_peer_ask(stranger, "connect %s", endpoint), "ok"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(stranger, "send 0bad"), "ok"));
    CU_ASSERT(draft_peer_starts(draft_peer_ask(server, "event 10000"),
                                "event handshake:error:"));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(server, "set receiveTimeout 300"), "ok"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(server, "recv"), "timeout"));
    draft_peer_stop(stranger);
    draft_peer_stop(client);
    draft_peer_stop(server);
}

/* The RADIO sends probes to group until one reaches the DISH (a join
 * travels to a tcp RADIO on its own time), then drains the DISH. */
static bool dish_hears(struct draft_peer *radio, struct draft_peer *dish,
                       const char *group)
{
    char expected[64];
    snprintf(expected, sizeof expected, "msg 9e group %s", group);
    bool heard = false;
    for (int i = 0; i < PROBES && !heard; i++) {
        if (!draft_peer_is(draft_peer_ask(radio, "sendgroup %s 9e", group),
                           "ok"))
            return false;
        heard = draft_peer_is(draft_peer_ask(dish, "recv"), expected);
    }
    while (heard && draft_peer_is(draft_peer_ask(dish, "recv"), expected))
        continue;
    return heard;
}

/* The DISH's next answer to "recv" that is not a late probe (one may come
 * after dish_hears stopped draining, on a loaded machine): at most 50
 * probes are skipped. */
static const char *recv_past_probes(struct draft_peer *dish)
{
    const char *answer = draft_peer_ask(dish, "recv");
    for (int i = 0; i < 50 && answer != NULL &&
                    strncmp(answer, "msg 9e ", strlen("msg 9e ")) == 0;
         i++)
        answer = draft_peer_ask(dish, "recv");
    return answer;
}

/* A DISH bound at where, a RADIO connected to it: only the groups joined
 * arrive, exactly matched, and a group left stops arriving. */
static void radio_dish_between_peers(const char *where, const char *connect)
{
    struct draft_peer *dish = draft_peer_with("DISH");
    struct draft_peer *radio = draft_peer_with("RADIO");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dish);
    CU_ASSERT_PTR_NOT_NULL_FATAL(radio);
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(dish, "set receiveTimeout 100"), "ok"));
    char endpoint[256];
    CU_ASSERT_FATAL(peer_bind(dish, where, endpoint, sizeof endpoint));
    CU_ASSERT(draft_peer_is(draft_peer_ask(dish, "join weather"), "ok"));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(radio, "connect %s",
                                     connect != NULL ? connect : endpoint),
                      "ok"));
    CU_ASSERT_FATAL(dish_hears(radio, dish, "weather"));
    /* Neither another group nor a prefix of the one joined. */
    CU_ASSERT(draft_peer_is(draft_peer_ask(radio, "sendgroup news 01"), "ok"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(radio, "sendgroup weath 02"), "ok"));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(radio, "sendgroup weather 03"), "ok"));
    CU_ASSERT(draft_peer_is(recv_past_probes(dish), "msg 03 group weather"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(dish, "recv"), "timeout"));

    CU_ASSERT(draft_peer_is(draft_peer_ask(dish, "leave weather"), "ok"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(dish, "join news"), "ok"));
    CU_ASSERT_FATAL(dish_hears(radio, dish, "news"));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(radio, "sendgroup weather 04"), "ok"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(radio, "sendseq 50 group news"),
                            "sent 50"));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(dish, "set receiveTimeout 2000"), "ok"));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(dish, "recvseq 50"), "seq 50 1 news=50"));
    draft_peer_stop(radio);
    draft_peer_stop(dish);
}

static void test_radio_dish_tcp(void)
{
    radio_dish_between_peers("tcp://127.0.0.1:*", NULL);
}

static void test_radio_dish_udp(void)
{
    int port = test_free_udp_port();
    CU_ASSERT_FATAL(port > 0);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "udp://127.0.0.1:%d", port);
    radio_dish_between_peers(endpoint, endpoint);
}

static void test_scatter_gather_tcp(void)
{
    struct draft_peer *gather = draft_peer_with("GATHER");
    struct draft_peer *scatter = draft_peer_with("SCATTER");
    CU_ASSERT_PTR_NOT_NULL_FATAL(gather);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scatter);
    char endpoint[256];
    CU_ASSERT_FATAL(peer_bind(gather, "tcp://127.0.0.1:*", endpoint, sizeof endpoint));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(scatter, "connect %s", endpoint), "ok"));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(scatter, "sendseq 300"), "sent 300"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(gather, "recvseq 300"),
                            "seq 300 1 -=300"));
    draft_peer_stop(scatter);
    draft_peer_stop(gather);
}

/* Two DGRAM peers on udp: a datagram names its destination in its first
 * part, and the receiver learns the sender's address, to answer it. A
 * udp bind takes effect on libzmq's I/O thread after zmq_bind returns,
 * so probes go first until one comes back. */
static void test_dgram_udp(void)
{
    struct draft_peer *one = draft_peer_with("DGRAM");
    struct draft_peer *two = draft_peer_with("DGRAM");
    CU_ASSERT_PTR_NOT_NULL_FATAL(one);
    CU_ASSERT_PTR_NOT_NULL_FATAL(two);
    int ports[2] = { test_free_udp_port(), test_free_udp_port() };
    CU_ASSERT_FATAL(ports[0] > 0 && ports[1] > 0 && ports[0] != ports[1]);
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "udp://127.0.0.1:%d", ports[0]);
    CU_ASSERT(
        draft_peer_starts(draft_peer_ask(one, "bind %s", endpoint), "ok"));
    snprintf(endpoint, sizeof endpoint, "udp://127.0.0.1:%d", ports[1]);
    CU_ASSERT(
        draft_peer_starts(draft_peer_ask(two, "bind %s", endpoint), "ok"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(two, "echo 1000"), "ok"));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(one, "set receiveTimeout 100"), "ok"));

    char address[32], address_part[80], expected[128];
    snprintf(address, sizeof address, "127.0.0.1:%d", ports[1]);
    test_peer_part(address_part, address, strlen(address));
    /* The echo comes back from two's address, which libzmq writes with
     * its terminating NUL. */
    snprintf(expected, sizeof expected, "msg %s00 6461746167", address_part);
    bool echoed = false;
    for (int i = 0; i < PROBES && !echoed; i++) {
        CU_ASSERT_FATAL(draft_peer_is(
            draft_peer_ask(one, "send %s 6461746167", address_part), "ok"));
        echoed = draft_peer_is(draft_peer_ask(one, "recv"), expected);
    }
    CU_ASSERT_FATAL(echoed);
    while (draft_peer_is(draft_peer_ask(one, "recv"), expected))
        continue;
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(one, "set receiveTimeout 5000"), "ok"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(one, "sendseq 19 addr %s", address),
                            "sent 19"));
    snprintf(expected, sizeof expected, "seq 19 1 %s=19", address);
    CU_ASSERT(draft_peer_is(draft_peer_ask(one, "recvseq 19"), expected));
    draft_peer_stop(two);
    draft_peer_stop(one);
}

/* modzmq's DEALER with libzmq 4.3.5's ROUTER, the peer binding: the
 * routing id the ROUTER sees is the DEALER's ZMQ_ROUTING_ID. */
static void test_modzmq_dealer_peer_router(void)
{
    struct draft_peer *router = draft_peer_with("ROUTER");
    CU_ASSERT_PTR_NOT_NULL_FATAL(router);
    char endpoint[256];
    CU_ASSERT_FATAL(peer_bind(router, "tcp://127.0.0.1:*", endpoint, sizeof endpoint));
    void *ctx = zmq_ctx_new();
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dealer);
    CU_ASSERT_EQUAL(zmq_setsockopt(dealer, ZMQ_ROUTING_ID, "mz", 2), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(dealer, endpoint), 0);
    CU_ASSERT(test_send(dealer, "ping", 0));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(router, "recv"), "msg 6d7a 70696e67"));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(router, "send 6d7a 706f6e67"), "ok"));
    CU_ASSERT(test_recv_is(dealer, "pong", 5000));
    test_close(dealer);
    zmq_ctx_term(ctx);
    draft_peer_stop(router);
}

/* A modzmq ROUTER bound on tcp, and the peer connected to it after a
 * command of its own (setup), each step asserted. */
static void *router_for(void *ctx, struct draft_peer *peer, const char *setup)
{
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    CU_ASSERT_PTR_NOT_NULL_FATAL(router);
    char endpoint[256];
    CU_ASSERT_FATAL(test_bind_endpoint(router, "tcp://127.0.0.1:*", endpoint,
                                       sizeof endpoint));
    CU_ASSERT(draft_peer_is(draft_peer_ask(peer, "%s", setup), "ok"));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(peer, "connect %s", endpoint), "ok"));
    return router;
}

/* libzmq 4.3.5's DEALER with modzmq's ROUTER, modzmq binding. */
static void test_peer_dealer_modzmq_router(void)
{
    struct draft_peer *dealer = draft_peer_with("DEALER");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dealer);
    void *ctx = zmq_ctx_new();
    void *router = router_for(ctx, dealer, "set routingId str:lz");
    CU_ASSERT(draft_peer_is(draft_peer_ask(dealer, "send 70696e67"), "ok"));
    char id[8], body[8];
    CU_ASSERT(test_recv(router, id, sizeof id, 5000) == 2 && strcmp(id, "lz") == 0);
    CU_ASSERT(test_recv(router, body, sizeof body, 5000) == 4 && strcmp(body, "ping") == 0);
    CU_ASSERT(test_send(router, "lz", ZMQ_SNDMORE));
    CU_ASSERT(test_send(router, "pong", 0));
    CU_ASSERT(draft_peer_is(draft_peer_ask(dealer, "recv"), "msg 706f6e67"));
    test_close(router);
    zmq_ctx_term(ctx);
    draft_peer_stop(dealer);
}

/* Whether a peer's answer to "until disconnect" tells a connection
 * refused: the event named, then the disconnect, no handshake between. */
static bool refused(const char *answer, const char *made)
{
    if (!draft_peer_starts(answer, "events "))
        return false;
    char copy[4096], *state = NULL;
    snprintf(copy, sizeof copy, "%s", answer + 7);
    bool connected = false;
    for (char *event = strtok_r(copy, " ", &state); event != NULL;
         event = strtok_r(NULL, " ", &state)) {
        if (strcmp(event, made) == 0)
            connected = true;
        else if (strcmp(event, "handshake") == 0)
            return false;
    }
    return connected;
}

/* RFC 41 pairs SERVER with CLIENT alone: libzmq 4.3.5's SERVER and
 * modzmq's DEALER end their connection in the handshake (libzmq reports
 * no handshake failure for it, only the disconnect), and the DEALER's
 * message never arrives. */
static void test_peer_server_with_modzmq_dealer(void)
{
    struct draft_peer *server = draft_peer_with("SERVER");
    CU_ASSERT_PTR_NOT_NULL_FATAL(server);
    CU_ASSERT(draft_peer_is(draft_peer_ask(server, "monitor"), "ok"));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(server, "set receiveTimeout 300"), "ok"));
    char endpoint[256];
    CU_ASSERT_FATAL(peer_bind(server, "tcp://127.0.0.1:*", endpoint, sizeof endpoint));
    void *ctx = zmq_ctx_new();
    void *dealer = zmq_socket(ctx, ZMQ_DEALER);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dealer);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(dealer, endpoint), 0);
    CU_ASSERT(test_send(dealer, "ping", ZMQ_DONTWAIT));
    CU_ASSERT(refused(draft_peer_ask(server, "until disconnect 10000"), "accept"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(server, "recv"), "timeout"));
    test_close(dealer);
    zmq_ctx_term(ctx);
    draft_peer_stop(server);
}

/* The other way round: libzmq 4.3.5's CLIENT and modzmq's ROUTER do not
 * connect either. (Either side may be the one that refuses; libzmq's
 * CLIENT then ends the session and drops its pipe, so a message sent
 * would race with the refusal and none is.) */
static void test_peer_client_with_modzmq_router(void)
{
    struct draft_peer *client = draft_peer_with("CLIENT");
    CU_ASSERT_PTR_NOT_NULL_FATAL(client);
    void *ctx = zmq_ctx_new();
    void *router = router_for(ctx, client, "monitor");
    CU_ASSERT(refused(draft_peer_ask(client, "until disconnect 10000"), "connect"));
    test_close(router);
    zmq_ctx_term(ctx);
    draft_peer_stop(client);
}

/* The same pairs with modzmq's draft types on one side are in
 * tests/test_draft_pairs.c. */

int main(void)
{
    static const struct test_case tests[] = {
        { "the peer runs the bundled libzmq 4.3.5 with the draft API",
          test_peer_is_bundled_draft_libzmq },
        { "CLIENT and SERVER peers over tcp", test_client_server_tcp },
        { "CLIENT and SERVER peers over ipc", test_client_server_ipc },
        { "a SERVER peer routes replies by routing id", test_server_routes_by_id },
        { "CLIENT and SERVER peers with CURVE", test_client_server_curve },
        { "RADIO and DISH peers over tcp", test_radio_dish_tcp },
        { "RADIO and DISH peers over udp", test_radio_dish_udp },
        { "SCATTER and GATHER peers over tcp", test_scatter_gather_tcp },
        { "DGRAM peers over udp", test_dgram_udp },
        { "modzmq DEALER, libzmq 4.3.5 ROUTER", test_modzmq_dealer_peer_router },
        { "libzmq 4.3.5 DEALER, modzmq ROUTER", test_peer_dealer_modzmq_router },
        { "libzmq 4.3.5 SERVER and a modzmq DEALER do not connect",
          test_peer_server_with_modzmq_dealer },
        { "libzmq 4.3.5 CLIENT and a modzmq ROUTER do not connect",
          test_peer_client_with_modzmq_router },
    };
    return test_run_suite("draft_interop", tests, sizeof tests / sizeof tests[0]);
}
