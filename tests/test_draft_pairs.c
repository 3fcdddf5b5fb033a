/*
 * modzmq's thread-safe socket types against libzmq 4.3.5 with the draft
 * API (the Node.js peers of tests/draft_peer.h): every pair the peer
 * offers, modzmq on either side of it and either side binding, over tcp
 * and ipc, and udp for RADIO/DISH and DGRAM.
 *
 * Each case follows the peer-to-peer case of the same pair in
 * tests/test_draft_interop.c, with one of the two peers replaced by a
 * modzmq socket. PEER and CHANNEL, which the package lacks, are held
 * against hand-written ZMTP peers in tests/test_peer_channel.c.
 *
 * udp multicast between modzmq and libzmq (a modzmq DISH with the peer's
 * RADIO, a modzmq RADIO with the peer's DISH, and two DGRAMs, on
 * udp://lo;239.1.2.x) runs in a child in a network namespace of its own,
 * never on the host's interfaces; the peer runs in it too. A SERVER's
 * send to a routing id no peer has gives EHOSTUNREACH in libzmq and in
 * modzmq alike.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>

#include "draft_peer.h"
#include "testutil.h"

#define PROBES 100
#define SEQUENCE 200

/* Where a case runs: the transport, and which side binds. */
struct placement {
    const char *transport; /* "tcp", "ipc" or "udp" */
    bool modzmq_binds;
};

/* What the binding side binds: a wildcard port for tcp, a name of this
 * process for ipc, a port free a moment ago for udp (which takes no
 * wildcard port). */
static void bind_address(const struct placement *where, char *address, size_t size)
{
    static int serial;
    if (strcmp(where->transport, "tcp") == 0)
        snprintf(address, size, "tcp://127.0.0.1:*");
    else if (strcmp(where->transport, "ipc") == 0)
        snprintf(address, size, "ipc:///tmp/modzmq-pairs-%d-%d", (int) getpid(),
                 ++serial);
    else
        snprintf(address, size, "udp://127.0.0.1:%d", test_free_udp_port());
}

/* Binds one side and connects the other; false if either fails. */
static bool join_sides(void *ours, struct draft_peer *theirs,
                       const struct placement *where)
{
    char address[256], endpoint[256];
    bind_address(where, address, sizeof address);
    if (where->modzmq_binds) {
        size_t size = sizeof endpoint;
        if (zmq_bind(ours, address) != 0 ||
            zmq_getsockopt(ours, ZMQ_LAST_ENDPOINT, endpoint, &size) != 0)
            return false;
        /* udp's last endpoint is the address as bound */
        if (strcmp(where->transport, "udp") == 0)
            snprintf(endpoint, sizeof endpoint, "%s", address);
        return draft_peer_is(draft_peer_ask(theirs, "connect %s", endpoint),
                             "ok");
    }
    const char *answer = draft_peer_ask(theirs, "bind %s", address);
    if (!draft_peer_starts(answer, "ok "))
        return false;
    snprintf(endpoint, sizeof endpoint, "%s",
             strcmp(where->transport, "udp") == 0 ? address : answer + 3);
    return zmq_connect(ours, endpoint) == 0;
}

/* One message with a routing id (SERVER) or a group (RADIO) set. */
static bool send_with(void *socket, const char *text, uint32_t routing_id,
                      const char *group)
{
    zmq_msg_t msg;
    size_t size = strlen(text);
    if (zmq_msg_init_size(&msg, size) != 0)
        return false;
    memcpy(zmq_msg_data(&msg), text, size);
    if ((routing_id != 0 && zmq_msg_set_routing_id(&msg, routing_id) != 0) ||
        (group != NULL && zmq_msg_set_group(&msg, group) != 0) ||
        zmq_msg_send(&msg, socket, 0) != (int) size) {
        zmq_msg_close(&msg);
        return false;
    }
    return true;
}

/* One message within timeout_ms into text, with its routing id and group
 * when the caller asks. */
static bool recv_with(void *socket, char *text, size_t size, int timeout_ms,
                      uint32_t *routing_id, char *group, size_t group_size)
{
    if (!test_set_int(socket, ZMQ_RCVTIMEO, timeout_ms))
        return false;
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    int got = zmq_msg_recv(&msg, socket, 0);
    if (got < 0 || (size_t) got >= size) {
        zmq_msg_close(&msg);
        return false;
    }
    memcpy(text, zmq_msg_data(&msg), (size_t) got);
    text[got] = '\0';
    if (routing_id != NULL)
        *routing_id = zmq_msg_routing_id(&msg);
    if (group != NULL)
        snprintf(group, group_size, "%s", zmq_msg_group(&msg));
    zmq_msg_close(&msg);
    return true;
}

/* ---- CLIENT and SERVER ------------------------------------------------ */

/* modzmq's SERVER and the peer's CLIENT: a request, its reply to the
 * routing id it came with, then SEQUENCE messages each way in order. */
static void server_with_peer_client(const struct placement *where)
{
    struct draft_peer *client = draft_peer_with("CLIENT");
    CU_ASSERT_PTR_NOT_NULL_FATAL(client);
    void *ctx = zmq_ctx_new();
    void *server = zmq_socket(ctx, ZMQ_SERVER);
    CU_ASSERT_PTR_NOT_NULL_FATAL(server);
    CU_ASSERT_FATAL(join_sides(server, client, where));
    CU_ASSERT(draft_peer_is(draft_peer_ask(client, "send 68656c6c6f"), "ok"));
    char text[64];
    uint32_t routing_id = 0;
    CU_ASSERT_FATAL(recv_with(server, text, sizeof text, 5000, &routing_id, NULL, 0));
    CU_ASSERT_STRING_EQUAL(text, "hello");
    CU_ASSERT_NOT_EQUAL(routing_id, 0);
    CU_ASSERT(send_with(server, "world", routing_id, NULL));
    CU_ASSERT(draft_peer_is(draft_peer_ask(client, "recv"), "msg 776f726c64"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(client, "sendseq %d", SEQUENCE),
                            "sent 200"));
    for (int i = 0; i < SEQUENCE; i++) {
        char expected[16];
        uint32_t from = 0;
        snprintf(expected, sizeof expected, "%d", i);
        CU_ASSERT_FATAL(recv_with(server, text, sizeof text, 5000, &from, NULL, 0));
        CU_ASSERT_STRING_EQUAL(text, expected);
        CU_ASSERT_EQUAL(from, routing_id);
    }
    for (int i = 0; i < SEQUENCE; i++) {
        char body[16];
        snprintf(body, sizeof body, "%d", i);
        CU_ASSERT_FATAL(send_with(server, body, routing_id, NULL));
    }
    CU_ASSERT(draft_peer_is(draft_peer_ask(client, "recvseq %d", SEQUENCE),
                            "seq 200 1 -=200"));
    test_close(server);
    zmq_ctx_term(ctx);
    draft_peer_stop(client);
}

/* modzmq's CLIENT and the peer's SERVER, which echoes to the routing id. */
static void client_with_peer_server(const struct placement *where)
{
    struct draft_peer *server = draft_peer_with("SERVER");
    CU_ASSERT_PTR_NOT_NULL_FATAL(server);
    void *ctx = zmq_ctx_new();
    void *client = zmq_socket(ctx, ZMQ_CLIENT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(client);
    CU_ASSERT_FATAL(join_sides(client, server, where));
    CU_ASSERT(draft_peer_is(draft_peer_ask(server, "echo %d", SEQUENCE), "ok"));
    for (int i = 0; i < SEQUENCE; i++) {
        char body[16];
        snprintf(body, sizeof body, "%d", i);
        CU_ASSERT_FATAL(send_with(client, body, 0, NULL));
    }
    for (int i = 0; i < SEQUENCE; i++) {
        char expected[16], text[16];
        snprintf(expected, sizeof expected, "%d", i);
        CU_ASSERT_FATAL(recv_with(client, text, sizeof text, 5000, NULL, NULL, 0));
        CU_ASSERT_STRING_EQUAL(text, expected);
    }
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(server, "wait 10000"), "echoed 200"));
    test_close(client);
    zmq_ctx_term(ctx);
    draft_peer_stop(server);
}

/* CURVE with libzmq's keys: modzmq's CLIENT to the peer's SERVER and
 * modzmq's SERVER to the peer's CLIENT, tcp, the server binding. */
static void test_curve_both_ways(void)
{
    char server_public[41], server_secret[41], client_public[41], client_secret[41];
    CU_ASSERT_EQUAL_FATAL(zmq_curve_keypair(server_public, server_secret), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_curve_keypair(client_public, client_secret), 0);
    void *ctx = zmq_ctx_new();

    struct draft_peer *peer_server = draft_peer_with("SERVER");
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer_server);
    CU_ASSERT(draft_peer_is(draft_peer_ask(peer_server, "set curveServer true"),
                            "ok"));
    CU_ASSERT(draft_peer_is(
        draft_peer_ask(peer_server, "set curveSecretKey str:%s", server_secret),
        "ok"));
    const char *bound = draft_peer_ask(peer_server, "bind tcp://127.0.0.1:*");
    CU_ASSERT_FATAL(draft_peer_starts(bound, "ok "));
    char endpoint[256];
    snprintf(endpoint, sizeof endpoint, "%s", bound + 3);
    CU_ASSERT(draft_peer_is(draft_peer_ask(peer_server, "echo 1"), "ok"));
    void *client = zmq_socket(ctx, ZMQ_CLIENT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(client);
    CU_ASSERT_EQUAL(zmq_setsockopt(client, ZMQ_CURVE_SERVERKEY, server_public, 40), 0);
    CU_ASSERT_EQUAL(zmq_setsockopt(client, ZMQ_CURVE_PUBLICKEY, client_public, 40), 0);
    CU_ASSERT_EQUAL(zmq_setsockopt(client, ZMQ_CURVE_SECRETKEY, client_secret, 40), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(client, endpoint), 0);
    CU_ASSERT(send_with(client, "sealed", 0, NULL));
    char text[64];
    CU_ASSERT(recv_with(client, text, sizeof text, 5000, NULL, NULL, 0) &&
              strcmp(text, "sealed") == 0);
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(peer_server, "wait 10000"), "echoed 1"));
    test_close(client);
    draft_peer_stop(peer_server);

    void *server = zmq_socket(ctx, ZMQ_SERVER);
    CU_ASSERT_PTR_NOT_NULL_FATAL(server);
    CU_ASSERT(test_set_int(server, ZMQ_CURVE_SERVER, 1));
    CU_ASSERT_EQUAL(zmq_setsockopt(server, ZMQ_CURVE_SECRETKEY, server_secret, 40), 0);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(server, "tcp://127.0.0.1:*"), 0);
    size_t size = sizeof endpoint;
    CU_ASSERT_EQUAL_FATAL(zmq_getsockopt(server, ZMQ_LAST_ENDPOINT, endpoint, &size), 0);
    struct draft_peer *peer_client = draft_peer_with("CLIENT");
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer_client);
    CU_ASSERT(draft_peer_is(
        draft_peer_ask(peer_client, "set curveServerKey str:%s", server_public),
        "ok"));
    CU_ASSERT(draft_peer_is(
        draft_peer_ask(peer_client, "set curvePublicKey str:%s", client_public),
        "ok"));
    CU_ASSERT(draft_peer_is(
        draft_peer_ask(peer_client, "set curveSecretKey str:%s", client_secret),
        "ok"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(peer_client, "connect %s", endpoint),
                            "ok"));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(peer_client, "send 7365616c6564"), "ok"));
    uint32_t routing_id = 0;
    CU_ASSERT(recv_with(server, text, sizeof text, 5000, &routing_id, NULL, 0) &&
              strcmp(text, "sealed") == 0);
    CU_ASSERT(send_with(server, "open", routing_id, NULL));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(peer_client, "recv"), "msg 6f70656e"));
    test_close(server);
    draft_peer_stop(peer_client);
    zmq_ctx_term(ctx);
}

/* ---- RADIO and DISH ----------------------------------------------------- */

/* modzmq's DISH and the peer's RADIO: probes until the join is heard,
 * then exact matching and a leave. */
static void dish_with_peer_radio(const struct placement *where)
{
    struct draft_peer *radio = draft_peer_with("RADIO");
    CU_ASSERT_PTR_NOT_NULL_FATAL(radio);
    void *ctx = zmq_ctx_new();
    void *dish = zmq_socket(ctx, ZMQ_DISH);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dish);
    CU_ASSERT_EQUAL(zmq_join(dish, "weather"), 0);
    CU_ASSERT_FATAL(join_sides(dish, radio, where));
    char text[64], group[32];
    bool heard = false;
    for (int i = 0; i < PROBES && !heard; i++) {
        CU_ASSERT_FATAL(
            draft_peer_is(draft_peer_ask(radio, "sendgroup weather 9e"), "ok"));
        heard = recv_with(dish, text, sizeof text, 100, NULL, group, sizeof group);
    }
    CU_ASSERT_FATAL(heard);
    while (recv_with(dish, text, sizeof text, 100, NULL, group, sizeof group))
        continue;
    CU_ASSERT(draft_peer_is(draft_peer_ask(radio, "sendgroup weath 01"), "ok"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(radio, "sendgroup news 02"), "ok"));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(radio, "sendgroup weather 03"), "ok"));
    CU_ASSERT(recv_with(dish, text, sizeof text, 5000, NULL, group, sizeof group));
    CU_ASSERT_STRING_EQUAL(text, "\x03");
    CU_ASSERT_STRING_EQUAL(group, "weather");
    CU_ASSERT(test_recv_nothing(dish, 200));
    CU_ASSERT_EQUAL(zmq_leave(dish, "weather"), 0);
    CU_ASSERT_EQUAL(zmq_join(dish, "news"), 0);
    heard = false;
    for (int i = 0; i < PROBES && !heard; i++) {
        CU_ASSERT_FATAL(
            draft_peer_is(draft_peer_ask(radio, "sendgroup news 9e"), "ok"));
        heard = recv_with(dish, text, sizeof text, 100, NULL, group, sizeof group);
    }
    CU_ASSERT_FATAL(heard);
    while (recv_with(dish, text, sizeof text, 100, NULL, group, sizeof group))
        continue;
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(radio, "sendgroup weather 04"), "ok"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(radio, "sendgroup news 05"), "ok"));
    CU_ASSERT(recv_with(dish, text, sizeof text, 5000, NULL, group, sizeof group));
    CU_ASSERT_STRING_EQUAL(text, "\x05");
    CU_ASSERT_STRING_EQUAL(group, "news");
    test_close(dish);
    zmq_ctx_term(ctx);
    draft_peer_stop(radio);
}

/* modzmq's RADIO and the peer's DISH. */
static void radio_with_peer_dish(const struct placement *where)
{
    struct draft_peer *dish = draft_peer_with("DISH");
    CU_ASSERT_PTR_NOT_NULL_FATAL(dish);
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(dish, "set receiveTimeout 100"), "ok"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(dish, "join weather"), "ok"));
    void *ctx = zmq_ctx_new();
    void *radio = zmq_socket(ctx, ZMQ_RADIO);
    CU_ASSERT_PTR_NOT_NULL_FATAL(radio);
    CU_ASSERT_FATAL(join_sides(radio, dish, where));
    bool heard = false;
    for (int i = 0; i < PROBES && !heard; i++) {
        CU_ASSERT_FATAL(send_with(radio, "probe", 0, "weather"));
        heard = draft_peer_is(draft_peer_ask(dish, "recv"),
                              "msg 70726f6265 group weather");
    }
    CU_ASSERT_FATAL(heard);
    while (draft_peer_is(draft_peer_ask(dish, "recv"),
                         "msg 70726f6265 group weather"))
        continue;
    CU_ASSERT(send_with(radio, "x", 0, "weath"));
    CU_ASSERT(send_with(radio, "y", 0, "news"));
    CU_ASSERT(send_with(radio, "z", 0, "weather"));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(dish, "recv"), "msg 7a group weather"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(dish, "recv"), "timeout"));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(dish, "set receiveTimeout 5000"), "ok"));
    for (int i = 0; i < SEQUENCE; i++) {
        char body[16];
        snprintf(body, sizeof body, "%d", i);
        CU_ASSERT_FATAL(send_with(radio, body, 0, "weather"));
    }
    CU_ASSERT(draft_peer_is(draft_peer_ask(dish, "recvseq %d", SEQUENCE),
                            "seq 200 1 weather=200"));
    test_close(radio);
    zmq_ctx_term(ctx);
    draft_peer_stop(dish);
}

/* ---- SCATTER and GATHER ------------------------------------------------- */

static void scatter_with_peer_gather(const struct placement *where)
{
    struct draft_peer *gather = draft_peer_with("GATHER");
    CU_ASSERT_PTR_NOT_NULL_FATAL(gather);
    void *ctx = zmq_ctx_new();
    void *scatter = zmq_socket(ctx, ZMQ_SCATTER);
    CU_ASSERT_PTR_NOT_NULL_FATAL(scatter);
    CU_ASSERT_FATAL(join_sides(scatter, gather, where));
    for (int i = 0; i < SEQUENCE; i++) {
        char body[16];
        snprintf(body, sizeof body, "%d", i);
        CU_ASSERT_FATAL(send_with(scatter, body, 0, NULL));
    }
    CU_ASSERT(draft_peer_is(draft_peer_ask(gather, "recvseq %d", SEQUENCE),
                            "seq 200 1 -=200"));
    test_close(scatter);
    zmq_ctx_term(ctx);
    draft_peer_stop(gather);
}

static void gather_with_peer_scatter(const struct placement *where)
{
    struct draft_peer *scatter = draft_peer_with("SCATTER");
    CU_ASSERT_PTR_NOT_NULL_FATAL(scatter);
    void *ctx = zmq_ctx_new();
    void *gather = zmq_socket(ctx, ZMQ_GATHER);
    CU_ASSERT_PTR_NOT_NULL_FATAL(gather);
    CU_ASSERT_FATAL(join_sides(gather, scatter, where));
    CU_ASSERT(draft_peer_is(draft_peer_ask(scatter, "sendseq %d", SEQUENCE),
                            "sent 200"));
    for (int i = 0; i < SEQUENCE; i++) {
        char expected[16], text[16];
        snprintf(expected, sizeof expected, "%d", i);
        CU_ASSERT_FATAL(recv_with(gather, text, sizeof text, 5000, NULL, NULL, 0));
        CU_ASSERT_STRING_EQUAL(text, expected);
    }
    test_close(gather);
    zmq_ctx_term(ctx);
    draft_peer_stop(scatter);
}

/* ---- DGRAM -------------------------------------------------------------- */

/* modzmq's DGRAM and the peer's, both bound on udp: datagrams to the
 * peer's address, echoed back from it (libzmq writes the address part
 * with a terminating NUL; modzmq's is compared up to it). Probes first:
 * a udp bind takes effect after zmq_bind returns. */
static void test_dgram_with_peer(void)
{
    struct draft_peer *peer = draft_peer_with("DGRAM");
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    int ports[2] = { test_free_udp_port(), test_free_udp_port() };
    CU_ASSERT_FATAL(ports[0] > 0 && ports[1] > 0 && ports[0] != ports[1]);
    char endpoint[64], address[32];
    snprintf(endpoint, sizeof endpoint, "udp://127.0.0.1:%d", ports[1]);
    CU_ASSERT_FATAL(
        draft_peer_starts(draft_peer_ask(peer, "bind %s", endpoint), "ok"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(peer, "echo 1000"), "ok"));
    void *ctx = zmq_ctx_new();
    void *dgram = zmq_socket(ctx, ZMQ_DGRAM);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dgram);
    snprintf(endpoint, sizeof endpoint, "udp://127.0.0.1:%d", ports[0]);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(dgram, endpoint), 0);
    snprintf(address, sizeof address, "127.0.0.1:%d", ports[1]);
    char from[64], body[64];
    bool echoed = false;
    for (int i = 0; i < PROBES && !echoed; i++) {
        CU_ASSERT_FATAL(test_send(dgram, address, ZMQ_SNDMORE));
        CU_ASSERT_FATAL(test_send(dgram, "probe", 0));
        echoed = test_recv(dgram, from, sizeof from, 100) >= 0;
        if (echoed) {
            CU_ASSERT_STRING_EQUAL(from, address);
            CU_ASSERT(test_recv(dgram, body, sizeof body, 5000) == 5 &&
                      strcmp(body, "probe") == 0);
        }
    }
    CU_ASSERT_FATAL(echoed);
    while (test_recv(dgram, from, sizeof from, 100) >= 0)
        CU_ASSERT(test_recv(dgram, body, sizeof body, 5000) >= 0);
    for (int i = 0; i < 19; i++) {
        char expected[16];
        snprintf(expected, sizeof expected, "%d", i);
        CU_ASSERT_FATAL(test_send(dgram, address, ZMQ_SNDMORE));
        CU_ASSERT_FATAL(test_send(dgram, expected, 0));
        CU_ASSERT(test_recv(dgram, from, sizeof from, 5000) >= 0 &&
                  strcmp(from, address) == 0);
        CU_ASSERT(test_recv(dgram, body, sizeof body, 5000) >= 0 &&
                  strcmp(body, expected) == 0);
    }
    test_close(dgram);
    zmq_ctx_term(ctx);
    draft_peer_stop(peer);
}

/* ---- groups of 255 octets, both ways --------------------------------- */

/* ZMQ_GROUP_MAX_LENGTH octets, libzmq's limit: a modzmq DISH joins one
 * and hears a libzmq RADIO's message in it, and a libzmq DISH joins one
 * and hears a modzmq RADIO's. Over tcp, modzmq binding. */
static void test_longest_group(void)
{
    char longest[ZMQ_GROUP_MAX_LENGTH + 1];
    for (int i = 0; i < ZMQ_GROUP_MAX_LENGTH; i++)
        longest[i] = (char) ('a' + i % 26);
    longest[ZMQ_GROUP_MAX_LENGTH] = '\0';
    const struct placement where = { "tcp", true };
    void *ctx = zmq_ctx_new();
    char text[64], group[ZMQ_GROUP_MAX_LENGTH + 1], expected[400];

    struct draft_peer *radio = draft_peer_with("RADIO");
    CU_ASSERT_PTR_NOT_NULL_FATAL(radio);
    void *dish = zmq_socket(ctx, ZMQ_DISH);
    CU_ASSERT_EQUAL(zmq_join(dish, longest), 0);
    CU_ASSERT_FATAL(join_sides(dish, radio, &where));
    bool heard = false;
    for (int i = 0; i < PROBES && !heard; i++) {
        CU_ASSERT_FATAL(draft_peer_is(
            draft_peer_ask(radio, "sendgroup %s 6c", longest), "ok"));
        heard = recv_with(dish, text, sizeof text, 100, NULL, group, sizeof group);
    }
    CU_ASSERT(heard);
    CU_ASSERT_STRING_EQUAL(text, "l");
    CU_ASSERT_STRING_EQUAL(group, longest);
    test_close(dish);
    draft_peer_stop(radio);

    struct draft_peer *peer_dish = draft_peer_with("DISH");
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer_dish);
    CU_ASSERT(draft_peer_is(draft_peer_ask(peer_dish, "set receiveTimeout 100"),
                            "ok"));
    CU_ASSERT(
        draft_peer_is(draft_peer_ask(peer_dish, "join %s", longest), "ok"));
    void *our_radio = zmq_socket(ctx, ZMQ_RADIO);
    CU_ASSERT_FATAL(join_sides(our_radio, peer_dish, &where));
    snprintf(expected, sizeof expected, "msg 6c group %s", longest);
    heard = false;
    for (int i = 0; i < PROBES && !heard; i++) {
        CU_ASSERT_FATAL(send_with(our_radio, "l", 0, longest));
        heard = draft_peer_is(draft_peer_ask(peer_dish, "recv"), expected);
    }
    CU_ASSERT(heard);
    test_close(our_radio);
    zmq_ctx_term(ctx);
    draft_peer_stop(peer_dish);
}

/* ---- a routing id no peer has ---------------------------------------- */

/* Another routing id than this one, never 0. */
static uint32_t other_routing_id(uint32_t routing_id)
{
    return routing_id == UINT32_MAX ? 1 : routing_id + 1;
}

/* libzmq's SERVER (with a modzmq CLIENT) and modzmq's SERVER (with a
 * libzmq CLIENT) each send to the one routing id they have, which
 * arrives, and to another, which gives EHOSTUNREACH in both. */
static void test_unknown_routing_id(void)
{
    void *ctx = zmq_ctx_new();
    char text[64], theirs[64], ours[64], endpoint[256];

    struct draft_peer *peer_server = draft_peer_with("SERVER");
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer_server);
    const char *bound = draft_peer_ask(peer_server, "bind tcp://127.0.0.1:*");
    CU_ASSERT_FATAL(draft_peer_starts(bound, "ok "));
    snprintf(endpoint, sizeof endpoint, "%s", bound + 3);
    void *client = zmq_socket(ctx, ZMQ_CLIENT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(client);
    CU_ASSERT_EQUAL_FATAL(zmq_connect(client, endpoint), 0);
    CU_ASSERT_FATAL(send_with(client, "hi", 0, NULL));
    unsigned known = 0;
    const char *answer = draft_peer_ask(peer_server, "recv");
    CU_ASSERT_FATAL(answer != NULL && sscanf(answer, "msg 6869 id %u", &known) == 1);
    answer = draft_peer_ask(peer_server, "sendto %u 6e6f",
                            (unsigned) other_routing_id(known));
    snprintf(theirs, sizeof theirs, "%s", answer != NULL ? answer : "(no answer)");
    CU_ASSERT(draft_peer_is(
        draft_peer_ask(peer_server, "sendto %u 6f6b", known), "ok"));
    CU_ASSERT(recv_with(client, text, sizeof text, 5000, NULL, NULL, 0) &&
              strcmp(text, "ok") == 0);
    CU_ASSERT(test_recv_nothing(client, 200));
    test_close(client);
    draft_peer_stop(peer_server);

    void *server = zmq_socket(ctx, ZMQ_SERVER);
    CU_ASSERT_PTR_NOT_NULL_FATAL(server);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(server, "tcp://127.0.0.1:*"), 0);
    size_t size = sizeof endpoint;
    CU_ASSERT_EQUAL_FATAL(zmq_getsockopt(server, ZMQ_LAST_ENDPOINT, endpoint, &size), 0);
    struct draft_peer *peer_client = draft_peer_with("CLIENT");
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer_client);
    CU_ASSERT(draft_peer_is(
        draft_peer_ask(peer_client, "set receiveTimeout 200"), "ok"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(peer_client, "connect %s", endpoint),
                            "ok"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(peer_client, "send 6869"), "ok"));
    uint32_t routing_id = 0;
    CU_ASSERT_FATAL(recv_with(server, text, sizeof text, 5000, &routing_id, NULL, 0));
    if (send_with(server, "no", other_routing_id(routing_id), NULL))
        snprintf(ours, sizeof ours, "ok");
    else
        snprintf(ours, sizeof ours, "error %s",
                 errno == EHOSTUNREACH ? "EHOSTUNREACH" : strerror(errno));
    CU_ASSERT(send_with(server, "ok", routing_id, NULL));
    CU_ASSERT(draft_peer_is(draft_peer_ask(peer_client, "recv"), "msg 6f6b"));
    CU_ASSERT(draft_peer_is(draft_peer_ask(peer_client, "recv"), "timeout"));
    test_close(server);
    draft_peer_stop(peer_client);
    zmq_ctx_term(ctx);

    CU_ASSERT_STRING_EQUAL(theirs, "error EHOSTUNREACH");
    CU_ASSERT_STRING_EQUAL(ours, theirs);
}

/* ---- udp multicast, in a network namespace of the test's own --------- */

/* In the child, which has no CUnit to report to: modzmq's DISH bound to
 * a group on lo, the peer's RADIO connected to it; probes until one is
 * heard, then only the group joined arrives. 0, or the step that
 * failed. */
static int multicast_dish_with_peer_radio(void)
{
    const char *address = "udp://lo;239.1.2.5:5561";
    struct draft_peer *radio = draft_peer_with("RADIO");
    if (radio == NULL)
        return 10;
    void *ctx = zmq_ctx_new();
    void *dish = zmq_socket(ctx, ZMQ_DISH);
    int rc = 0;
    char text[64], group[32];
    if (dish == NULL || zmq_join(dish, "weather") != 0 || zmq_bind(dish, address) != 0)
        rc = 11;
    else if (!draft_peer_is(draft_peer_ask(radio, "connect %s", address), "ok"))
        rc = 12;
    bool heard = false;
    for (int i = 0; rc == 0 && i < PROBES && !heard; i++) {
        if (!draft_peer_is(draft_peer_ask(radio, "sendgroup weather 9e"), "ok"))
            rc = 13;
        heard = recv_with(dish, text, sizeof text, 100, NULL, group, sizeof group);
    }
    if (rc == 0 && !heard)
        rc = 14;
    for (int i = 0; rc == 0 && i < PROBES &&
                    recv_with(dish, text, sizeof text, 100, NULL, group, sizeof group);
         i++)
        continue;
    if (rc == 0 &&
        (!draft_peer_is(draft_peer_ask(radio, "sendgroup news 02"), "ok") ||
         !draft_peer_is(draft_peer_ask(radio, "sendgroup weather 03"), "ok")))
        rc = 15;
    if (rc == 0 && !(recv_with(dish, text, sizeof text, 5000, NULL, group, sizeof group) &&
                     strcmp(text, "\x03") == 0 && strcmp(group, "weather") == 0))
        rc = 16;
    if (rc == 0 && !test_recv_nothing(dish, 200))
        rc = 17;
    if (dish != NULL)
        zmq_close(dish);
    zmq_ctx_term(ctx);
    draft_peer_stop(radio);
    return rc;
}

/* In the child: modzmq's RADIO connected to a group on lo that the
 * peer's DISH bound and joined. 0, or the step that failed. */
static int multicast_radio_with_peer_dish(void)
{
    const char *address = "udp://lo;239.1.2.6:5562";
    struct draft_peer *dish = draft_peer_with("DISH");
    if (dish == NULL)
        return 20;
    if (!draft_peer_is(draft_peer_ask(dish, "set receiveTimeout 100"), "ok") ||
        !draft_peer_is(draft_peer_ask(dish, "join weather"), "ok") ||
        !draft_peer_starts(draft_peer_ask(dish, "bind %s", address), "ok")) {
        draft_peer_stop(dish);
        return 21;
    }
    void *ctx = zmq_ctx_new();
    void *radio = zmq_socket(ctx, ZMQ_RADIO);
    int rc = 0;
    if (radio == NULL || zmq_connect(radio, address) != 0)
        rc = 22;
    bool heard = false;
    for (int i = 0; rc == 0 && i < PROBES && !heard; i++) {
        if (!send_with(radio, "probe", 0, "weather"))
            rc = 23;
        heard = draft_peer_is(draft_peer_ask(dish, "recv"),
                              "msg 70726f6265 group weather");
    }
    if (rc == 0 && !heard)
        rc = 24;
    for (int i = 0; rc == 0 && i < PROBES &&
                    draft_peer_is(draft_peer_ask(dish, "recv"),
                                  "msg 70726f6265 group weather");
         i++)
        continue;
    if (rc == 0 && (!send_with(radio, "y", 0, "news") || !send_with(radio, "z", 0, "weather")))
        rc = 25;
    if (rc == 0 &&
        !draft_peer_is(draft_peer_ask(dish, "recv"), "msg 7a group weather"))
        rc = 26;
    if (rc == 0 && !draft_peer_is(draft_peer_ask(dish, "recv"), "timeout"))
        rc = 27;
    if (radio != NULL)
        zmq_close(radio);
    zmq_ctx_term(ctx);
    draft_peer_stop(dish);
    return rc;
}

/* A route for multicast (224.0.0.0/4) through lo in this (new)
 * namespace: libzmq's DGRAM, unlike its RADIO, sets no multicast
 * interface, so its datagrams to a group go where the routes say. */
static bool multicast_route_on_loopback(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0)
        return false;
    struct rtentry route = { 0 };
    struct sockaddr_in *destination = (struct sockaddr_in *) &route.rt_dst;
    struct sockaddr_in *mask = (struct sockaddr_in *) &route.rt_genmask;
    destination->sin_family = AF_INET;
    destination->sin_addr.s_addr = htonl(0xe0000000);
    mask->sin_family = AF_INET;
    mask->sin_addr.s_addr = htonl(0xf0000000);
    route.rt_flags = RTF_UP;
    char device[] = "lo";
    route.rt_dev = device;
    bool ok = ioctl(fd, SIOCADDRT, &route) == 0;
    close(fd);
    return ok;
}

/* In the child: modzmq's DGRAM and the peer's both bound to one group
 * and port on lo; each one's datagram to the group reaches the other
 * (each hears its own too, which multicast loops back: those are
 * skipped). 0, or the step that failed. */
static int multicast_dgram_with_peer(void)
{
    const char *address = "udp://lo;239.1.2.7:5563";
    const char *group = "239.1.2.7:5563";
    if (!multicast_route_on_loopback())
        return 38;
    struct draft_peer *peer = draft_peer_with("DGRAM");
    if (peer == NULL)
        return 30;
    if (!draft_peer_is(draft_peer_ask(peer, "set receiveTimeout 100"), "ok") ||
        !draft_peer_starts(draft_peer_ask(peer, "bind %s", address), "ok")) {
        draft_peer_stop(peer);
        return 31;
    }
    const char *source = "127.0.0.1:5563"; /* ours, as the peer sees it */
    char group_part[2 * 32 + 2], probe_from[2 * 32 + 16];
    test_peer_part(group_part, group, strlen(group));
    snprintf(probe_from, sizeof probe_from, "msg ");
    test_peer_part(probe_from + 4, source, strlen(source));
    void *ctx = zmq_ctx_new();
    void *dgram = zmq_socket(ctx, ZMQ_DGRAM);
    int rc = 0;
    if (dgram == NULL || zmq_bind(dgram, address) != 0)
        rc = 32;
    /* ours to the group, heard by the peer */
    bool heard = false;
    for (int i = 0; rc == 0 && i < PROBES && !heard; i++) {
        if (!test_send(dgram, group, ZMQ_SNDMORE) || !test_send(dgram, "probe", 0))
            rc = 33;
        const char *answer = draft_peer_ask(peer, "recv");
        heard = draft_peer_starts(answer, probe_from) &&
                strstr(answer, " 70726f6265") != NULL;
    }
    if (rc == 0 && !heard)
        rc = 34;
    /* the peer's to the group, heard by ours among its own probes */
    heard = false;
    char from[64], body[64];
    for (int i = 0; rc == 0 && i < PROBES && !heard; i++) {
        if (!draft_peer_is(draft_peer_ask(peer, "send %s 6261636b", group_part),
                           "ok"))
            rc = 35;
        while (rc == 0 && !heard && test_recv(dgram, from, sizeof from, 100) >= 0) {
            if (test_recv(dgram, body, sizeof body, 5000) < 0)
                rc = 36;
            else
                heard = strcmp(body, "back") == 0;
        }
    }
    /* Only the port is the peer's own: its socket names no multicast
     * interface, and the kernel gives a datagram routed to the group
     * through lo the source 0.0.0.0 (lo's 127.0.0.1 is of host scope). */
    const char *port = strrchr(from, ':');
    if (rc == 0 && heard && (port == NULL || strcmp(port, ":5563") != 0))
        rc = 39;
    if (rc == 0 && !heard)
        rc = 37;
    if (dgram != NULL)
        zmq_close(dgram);
    zmq_ctx_term(ctx);
    draft_peer_stop(peer);
    return rc;
}

/* The child of one multicast case (testutil.h's network namespace). */
struct multicast_case {
    int (*run)(void);
};

static int run_case(void *arg)
{
    const struct multicast_case *c = arg;
    return c->run();
}

/* Runs one multicast case in a child in a network namespace of its own,
 * with lo up. Every case before has terminated its context, so this
 * process has no other thread at the fork (ThreadSanitizer refuses
 * threads started after a multi-threaded fork, and dies saying so;
 * its own background thread does not count); after a failed case
 * one may be left, so then this one is not run. The child's alarm
 * bounds the wait; the peer, whose stdin ends with the child, follows
 * it. */
static void in_namespace(int (*run)(void))
{
    if (CU_get_number_of_failures() > 0) {
        fprintf(stderr, "\n  multicast: not run after a failure\n");
        CU_FAIL("not run after an earlier failure");
        return;
    }
    struct multicast_case c = { run };
    int rc = test_in_network_namespace(run_case, &c, 90);
    if (rc != -1)
        CU_ASSERT_EQUAL(rc, 0);
}

static void test_multicast_dish(void)
{
    in_namespace(multicast_dish_with_peer_radio);
}

static void test_multicast_radio(void)
{
    in_namespace(multicast_radio_with_peer_dish);
}

static void test_multicast_dgram(void)
{
    in_namespace(multicast_dgram_with_peer);
}

/* ---- the matrix ----------------------------------------------------------- */

/* One case of a pair: the half run by modzmq, and where. (udp takes a
 * DISH that binds and a RADIO that connects.) */
struct pair_case {
    const char *name;
    void (*run)(const struct placement *where);
    struct placement where;
};

#define BOTH_ROLES(label, function, transport)                                  \
    { label ", " transport ", modzmq binds", function, { transport, true } },   \
    { label ", " transport ", the peer binds", function, { transport, false } }

static const struct pair_case pair_cases[] = {
    BOTH_ROLES("modzmq SERVER, peer CLIENT", server_with_peer_client, "tcp"),
    BOTH_ROLES("modzmq SERVER, peer CLIENT", server_with_peer_client, "ipc"),
    BOTH_ROLES("modzmq CLIENT, peer SERVER", client_with_peer_server, "tcp"),
    BOTH_ROLES("modzmq CLIENT, peer SERVER", client_with_peer_server, "ipc"),
    BOTH_ROLES("modzmq DISH, peer RADIO", dish_with_peer_radio, "tcp"),
    BOTH_ROLES("modzmq DISH, peer RADIO", dish_with_peer_radio, "ipc"),
    { "modzmq DISH, peer RADIO, udp, modzmq binds", dish_with_peer_radio,
      { "udp", true } },
    BOTH_ROLES("modzmq RADIO, peer DISH", radio_with_peer_dish, "tcp"),
    BOTH_ROLES("modzmq RADIO, peer DISH", radio_with_peer_dish, "ipc"),
    { "modzmq RADIO, peer DISH, udp, the peer binds", radio_with_peer_dish,
      { "udp", false } },
    BOTH_ROLES("modzmq SCATTER, peer GATHER", scatter_with_peer_gather, "tcp"),
    BOTH_ROLES("modzmq SCATTER, peer GATHER", scatter_with_peer_gather, "ipc"),
    BOTH_ROLES("modzmq GATHER, peer SCATTER", gather_with_peer_scatter, "tcp"),
    BOTH_ROLES("modzmq GATHER, peer SCATTER", gather_with_peer_scatter, "ipc"),
};
#define PAIR_CASES (sizeof pair_cases / sizeof pair_cases[0])

/* CUnit runs the registered cases in order: each call runs the next. */
static size_t next_pair_case;

static void test_next_pair_case(void)
{
    CU_ASSERT_FATAL(next_pair_case < PAIR_CASES);
    const struct pair_case *c = &pair_cases[next_pair_case++];
    c->run(&c->where);
}

int main(void)
{
    static struct test_case tests[PAIR_CASES + 7];
    for (size_t i = 0; i < PAIR_CASES; i++)
        tests[i] = (struct test_case){ pair_cases[i].name, test_next_pair_case };
    tests[PAIR_CASES] =
        (struct test_case){ "CURVE, modzmq CLIENT and SERVER", test_curve_both_ways };
    tests[PAIR_CASES + 1] = (struct test_case){ "DGRAM, udp", test_dgram_with_peer };
    tests[PAIR_CASES + 2] =
        (struct test_case){ "RADIO/DISH, a group of 255 octets", test_longest_group };
    tests[PAIR_CASES + 3] =
        (struct test_case){ "SERVER, a routing id no peer has", test_unknown_routing_id };
    tests[PAIR_CASES + 4] = (struct test_case){
        "modzmq DISH, peer RADIO, udp multicast in a namespace", test_multicast_dish
    };
    tests[PAIR_CASES + 5] = (struct test_case){
        "modzmq RADIO, peer DISH, udp multicast in a namespace", test_multicast_radio
    };
    tests[PAIR_CASES + 6] = (struct test_case){
        "DGRAM, udp multicast in a namespace", test_multicast_dgram
    };
    return test_run_suite("draft_pairs", tests, PAIR_CASES + 7);
}
