/*
 * CUnit tests of the norm transport plugin (plugins/norm): the framing
 * and the address parsing as they are (compiled in), endpoint and option
 * errors as libzmq gives them, a missing plugin, then traffic in a
 * network namespace the suite makes for itself (never on the host's
 * interfaces): ours to ours, and ours against Debian's libzmq 4.3.4 (a
 * pyzmq peer, tests/peer.c) both ways, with multipart messages, messages
 * spanning many NORM segments and a late subscriber; and the NORM
 * options seen acting on the datagrams NORM sends.
 */
#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API /* ZMQ_NORM_* */
#endif

#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>

#include "norm_address.h"
#include "norm_framing.h"
#include "multicast_traffic.h"
#include "testutil.h"

/* ---- the framing ---------------------------------------------------- */

/* Header octets as libzmq 4.3.4's norm engine writes them (seen on the
 * wire from a pyzmq PUB): sync, flags, one or eight octets of size. */
static void test_frame_header(void)
{
    uint8_t h[NORM_HEADER_MAX];
    CU_ASSERT_EQUAL(norm_frame_header(h, 1, true, true), 3);
    CU_ASSERT(memcmp(h, "\x00\x01\x01", 3) == 0);
    CU_ASSERT_EQUAL(norm_frame_header(h, 0, false, false), 3);
    CU_ASSERT(memcmp(h, "\xff\x00\x00", 3) == 0);
    CU_ASSERT_EQUAL(norm_frame_header(h, 255, false, true), 3);
    CU_ASSERT(memcmp(h, "\xff\x01\xff", 3) == 0);
    CU_ASSERT_EQUAL(norm_frame_header(h, 300, true, false), 10);
    CU_ASSERT(memcmp(h, "\x00\x02\x00\x00\x00\x00\x00\x00\x01\x2c", 10) == 0);
}

/* Appends one part's framing and body (octets k * 7 + seed) to out. */
static size_t frame(uint8_t *out, size_t size, bool first, bool more,
                    unsigned seed)
{
    size_t n = norm_frame_header(out, size, first, more);
    for (size_t k = 0; k < size; k++)
        out[n + k] = (uint8_t) (k * 7 + seed);
    return n + size;
}

static bool part_is(const struct assembled_message *m, size_t part,
                    size_t size, unsigned seed)
{
    if (m == NULL || part >= m->part_count || m->part_sizes[part] != size)
        return false;
    const uint8_t *data = assembled_part(m, part);
    for (size_t k = 0; k < size; k++)
        if (data[k] != (uint8_t) (k * 7 + seed))
            return false;
    return true;
}

/* Joins at a first part, reads fed in pieces of every size. */
static void test_decode_pieces(void)
{
    static uint8_t stream[3 * 20 + 3 * 2000];
    size_t n = 0;
    n += frame(stream + n, 1, true, true, 1);
    n += frame(stream + n, 2000, false, true, 2);
    n += frame(stream + n, 0, false, false, 3);
    n += frame(stream + n, 5, true, false, 4);
    for (size_t piece = 1; piece < 40; piece += 7) {
        struct norm_decoder d;
        norm_decoder_init(&d, -1);
        norm_decoder_sync(&d, stream[0]);
        CU_ASSERT(d.joined);
        for (size_t at = 1; at < n; at += piece) {
            size_t k = n - at < piece ? n - at : piece;
            CU_ASSERT_EQUAL(norm_decoder_feed(&d, stream + at, k),
                            NORM_DECODE_OK);
        }
        struct assembled_message *m = norm_decoder_peek(&d);
        CU_ASSERT_FATAL(m != NULL);
        CU_ASSERT_EQUAL(m->part_count, 3);
        CU_ASSERT(part_is(m, 0, 1, 1));
        CU_ASSERT(part_is(m, 1, 2000, 2));
        CU_ASSERT(part_is(m, 2, 0, 3));
        norm_decoder_pop(&d);
        CU_ASSERT(part_is(norm_decoder_peek(&d), 0, 5, 4));
        norm_decoder_pop(&d);
        CU_ASSERT_PTR_NULL(norm_decoder_peek(&d));
        CU_ASSERT_EQUAL(d.dropped, 0);
        norm_decoder_fini(&d);
    }
}

/* A late joiner: a later part's sync octet does not join; the next
 * first part does. */
static void test_late_join(void)
{
    struct norm_decoder d;
    norm_decoder_init(&d, -1);
    norm_decoder_sync(&d, NORM_SYNC_LATER);
    CU_ASSERT_FALSE(d.joined);
    uint8_t stream[64];
    size_t n = frame(stream, 4, true, false, 9);
    norm_decoder_sync(&d, stream[0]);
    CU_ASSERT(d.joined);
    CU_ASSERT_EQUAL(norm_decoder_feed(&d, stream + 1, n - 1), NORM_DECODE_OK);
    CU_ASSERT(part_is(norm_decoder_peek(&d), 0, 4, 9));
    norm_decoder_fini(&d);
}

/* Out-of-step, lying and garbage input is dropped and counted; the
 * decoder waits for the next boundary; nothing crashes. */
static void test_bad_input(void)
{
    struct norm_decoder d;
    norm_decoder_init(&d, 1000);
    uint8_t stream[64];
    /* A first part with more, then another "first" part. */
    size_t n = frame(stream, 3, true, true, 0);
    n += frame(stream + n, 3, true, false, 0);
    norm_decoder_sync(&d, stream[0]);
    CU_ASSERT_EQUAL(norm_decoder_feed(&d, stream + 1, n - 1),
                    NORM_DECODE_BAD_SYNC);
    CU_ASSERT_FALSE(d.joined);
    CU_ASSERT_EQUAL(d.dropped, 1);
    CU_ASSERT_PTR_NULL(norm_decoder_peek(&d));
    /* Unknown flags. */
    norm_decoder_sync(&d, NORM_SYNC_FIRST);
    const uint8_t flags[] = { 0x04, 1, 'x' };
    CU_ASSERT_EQUAL(norm_decoder_feed(&d, flags, sizeof flags),
                    NORM_DECODE_BAD_FLAGS);
    /* A part over ZMQ_MAXMSGSIZE (1000). */
    norm_decoder_sync(&d, NORM_SYNC_FIRST);
    const uint8_t huge[] = { 0x02, 0, 0, 0, 0, 0, 0, 0x10, 0 };
    CU_ASSERT_EQUAL(norm_decoder_feed(&d, huge, sizeof huge),
                    NORM_DECODE_TOO_LARGE);
    /* Lost data mid-message. */
    norm_decoder_sync(&d, NORM_SYNC_FIRST);
    const uint8_t start[] = { 0x01, 1, 'p' };
    CU_ASSERT_EQUAL(norm_decoder_feed(&d, start, sizeof start),
                    NORM_DECODE_OK);
    norm_decoder_reset(&d);
    CU_ASSERT_FALSE(d.joined);
    CU_ASSERT_EQUAL(d.dropped, 4);
    /* Garbage, bounded: 20000 random pieces, joining now and then. */
    srand(14);
    uint8_t junk[64];
    for (int i = 0; i < 20000; i++) {
        size_t size = (size_t) (rand() % (int) sizeof junk);
        for (size_t k = 0; k < size; k++)
            junk[k] = (uint8_t) rand();
        if (!d.joined && i % 3 == 0)
            norm_decoder_sync(&d, NORM_SYNC_FIRST);
        norm_decoder_feed(&d, junk, size);
        while (norm_decoder_peek(&d) != NULL)
            norm_decoder_pop(&d);
    }
    CU_ASSERT(d.dropped > 4);
    /* And it reads good input again. */
    norm_decoder_reset(&d);
    n = frame(stream, 2, true, false, 5);
    norm_decoder_sync(&d, stream[0]);
    CU_ASSERT_EQUAL(norm_decoder_feed(&d, stream + 1, n - 1), NORM_DECODE_OK);
    CU_ASSERT(part_is(norm_decoder_peek(&d), 0, 2, 5));
    norm_decoder_fini(&d);
}

static void test_address_parse(void)
{
    struct norm_address a;
    CU_ASSERT_EQUAL(norm_address_parse("239.192.1.1:5555", &a), 0);
    CU_ASSERT_FALSE(a.has_node_id);
    CU_ASSERT_STRING_EQUAL(a.iface, "");
    CU_ASSERT_STRING_EQUAL(a.host, "239.192.1.1");
    CU_ASSERT_EQUAL(a.port, 5555);
    CU_ASSERT_EQUAL(norm_address_parse("7,lo;239.192.1.1:1", &a), 0);
    CU_ASSERT(a.has_node_id);
    CU_ASSERT_EQUAL(a.node_id, 7);
    CU_ASSERT_STRING_EQUAL(a.iface, "lo");
    CU_ASSERT_EQUAL(a.port, 1);
    CU_ASSERT_EQUAL(norm_address_parse("eth0;127.0.0.1:65535", &a), 0);
    CU_ASSERT_STRING_EQUAL(a.iface, "eth0");
    const char *bad[] = {
        "239.192.1.1",           "239.192.1.1:",    "239.192.1.1:0",
        "239.192.1.1:65536",     "239.192.1.1:55x", ":5555",
        "",                      "x,239.192.1.1:5", "0,239.192.1.1:5",
        "4294967295,1.2.3.4:5", ";239.192.1.1:5",  "averyveryverylongname;1.2.3.4:5",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        errno = 0;
        CU_ASSERT_EQUAL(norm_address_parse(bad[i], &a), -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
    }
}

/* ---- through the core ---------------------------------------------- */

/* Without the plugin: norm is unsupported and its options refused. */
static int check_missing(void)
{
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    int code = 0;
    int value = ZMQ_NORM_FIXED;
    if (zmq_has("norm"))
        code = 1;
    else if (zmq_setsockopt(pub, ZMQ_NORM_MODE, &value, sizeof value) != -1 ||
             errno != EINVAL)
        code = 2;
    else if (zmq_connect(pub, "norm://239.192.1.1:5555") != -1 ||
             errno != EPROTONOSUPPORT)
        code = 3;
    zmq_close(pub);
    zmq_ctx_term(ctx);
    return code;
}

/* Runs first, before this process has looked any plugin up: the
 * diagnostic names the file looked for. */
static void test_missing_plugin(void)
{
    char said[4096];
    CU_ASSERT_EQUAL(test_without_plugins(check_missing, said, sizeof said), 0);
    CU_ASSERT_PTR_NOT_NULL(
        strstr(said, "/nonexistent-modzmq-plugins/modzmq_norm"));
    CU_ASSERT_PTR_NOT_NULL(strstr(said, "transport \"norm\" unavailable"));
}

static void test_endpoint_errors(void)
{
    void *ctx = zmq_ctx_new();
    CU_ASSERT_EQUAL(zmq_has("norm"), 1);
    static const char *const bad[] = {
        "norm://239.192.1.1",        "norm://239.192.1.1:0",
        "norm://nosuch0;239.192.1.1:5555",
        "norm://239.192.1.1:99999",  "norm://",
        "norm://x,239.192.1.1:5555",
    };
    multicast_check_refusals(ctx, "norm://239.192.1.1:5555", bad,
                             sizeof bad / sizeof *bad);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

static int get_int(void *s, int option)
{
    int value = -12345;
    size_t size = sizeof value;
    if (zmq_getsockopt(s, option, &value, &size) != 0)
        return -12345;
    return value;
}

/* The options' defaults and ranges (zmq_setsockopt(3)); a refused value
 * changes nothing. */
static void test_options(void)
{
    void *ctx = zmq_ctx_new();
    void *s = zmq_socket(ctx, ZMQ_SUB);
    static const struct {
        int option, fallback, good, low, high;
    } rows[] = {
        { ZMQ_NORM_MODE, ZMQ_NORM_CC, ZMQ_NORM_CCE_ECNONLY, -1, 5 },
        { ZMQ_NORM_UNICAST_NACK, 0, 1, -1, 2 },
        { ZMQ_NORM_BUFFER_SIZE, 2048, 64, 0, -5 },
        { ZMQ_NORM_SEGMENT_SIZE, 1400, 500, 0, 65536 },
        { ZMQ_NORM_BLOCK_SIZE, 16, 255, 0, 256 },
        { ZMQ_NORM_NUM_PARITY, 4, 254, 0, 255 },
        { ZMQ_NORM_NUM_AUTOPARITY, 0, 254, -1, 255 },
        { ZMQ_NORM_PUSH, 0, 1, -1, 2 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        CU_ASSERT_EQUAL(get_int(s, rows[i].option), rows[i].fallback);
        CU_ASSERT(test_set_int(s, rows[i].option, rows[i].good));
        CU_ASSERT_EQUAL(get_int(s, rows[i].option), rows[i].good);
        const int wrong[] = { rows[i].low, rows[i].high };
        for (int k = 0; k < 2; k++) {
            errno = 0;
            CU_ASSERT_EQUAL(zmq_setsockopt(s, rows[i].option, &wrong[k],
                                           sizeof wrong[k]),
                            -1);
            CU_ASSERT_EQUAL(errno, EINVAL);
        }
        CU_ASSERT_EQUAL(get_int(s, rows[i].option), rows[i].good);
    }
    test_close(s);
    /* They act: block and parity over 255 segments are refused by NORM
     * when the sender starts. */
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    test_set_int(pub, ZMQ_NORM_BLOCK_SIZE, 200);
    test_set_int(pub, ZMQ_NORM_NUM_PARITY, 100);
    errno = 0;
    CU_ASSERT_EQUAL(zmq_connect(pub, "norm://127.0.0.1:5599"), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    test_close(pub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ---- traffic in a namespace ----------------------------------------- */

/* A UDP socket on the session's group and port beside NORM's (which
 * reuses the port), that sees each datagram's size and TTL. */
static int sniffer_at(const char *group, int port)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on);
    setsockopt(fd, IPPROTO_IP, IP_RECVTTL, &on, sizeof on);
    struct sockaddr_in at = { .sin_family = AF_INET,
                              .sin_port = htons((uint16_t) port) };
    inet_pton(AF_INET, group, &at.sin_addr);
    struct ip_mreq join = { .imr_interface.s_addr = htonl(INADDR_LOOPBACK) };
    inet_pton(AF_INET, group, &join.imr_multiaddr);
    struct timeval tv = { 0, 200000 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (bind(fd, (struct sockaddr *) &at, sizeof at) != 0 ||
        setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &join, sizeof join) !=
            0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One datagram's size, its TTL in *ttl and its NORM message type (the
 * low nibble of its first octet) in *type; -1 when none came. */
static ssize_t sniff(int fd, int *ttl, int *type)
{
    static uint8_t data[70000];
    char control[64];
    struct iovec iov = { data, sizeof data };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = control,
                        .msg_controllen = sizeof control };
    ssize_t n = recvmsg(fd, &m, 0);
    *type = n > 0 ? data[0] & 0x0F : -1;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); n >= 0 && c != NULL;
         c = CMSG_NXTHDR(&m, c))
        if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL)
            memcpy(ttl, CMSG_DATA(c), sizeof *ttl);
    return n;
}

/* ZMQ_NORM_SEGMENT_SIZE bounds the datagrams, ZMQ_MULTICAST_HOPS is
 * their TTL, and ZMQ_NORM_MODE fixed at ZMQ_RATE holds the sender to
 * that rate: 30000 octets at 80 kbit/s take 3 s at least. */
static int options_act_child(void *arg)
{
    (void) arg;
    if (!multicast_route())
        return 70;
    int sniffer = sniffer_at("239.192.1.20", 5580);
    if (sniffer < 0)
        return 71;
    static const struct multicast_case session = {
        .endpoint = "norm://239.192.1.20:5580",
    };
    void *context = zmq_ctx_new();
    void *sub = multicast_socket_at(context, ZMQ_SUB, &session);
    void *pub = zmq_socket(context, ZMQ_PUB);
    test_set_int(pub, ZMQ_NORM_SEGMENT_SIZE, 300);
    test_set_int(pub, ZMQ_MULTICAST_HOPS, 7);
    test_set_int(pub, ZMQ_NORM_MODE, ZMQ_NORM_FIXED);
    test_set_int(pub, ZMQ_RATE, 80);
    test_set_int(pub, ZMQ_LINGER, 0);
    if (sub == NULL || zmq_connect(pub, session.endpoint) != 0)
        return 72;
    if (!multicast_until_heard(pub, sub))
        return 73;
    static uint8_t big[30000], in[30001];
    multicast_fill_pattern(big, sizeof big, 1);
    int64_t start = test_now_ms();
    zmq_send(pub, big, sizeof big, 0);
    test_set_int(sub, ZMQ_RCVTIMEO, 20000);
    if (zmq_recv(sub, in, sizeof in, 0) != (int) sizeof big ||
        !multicast_is_pattern(in, sizeof big, 1))
        return 74;
    double took = (double) (test_now_ms() - start) / 1000;
    if (took < 2.5) {
        fprintf(stderr, "\n  30000 octets at 80 kbit/s in %.2f s\n", took);
        return 75;
    }
    /* What the sniffer saw meanwhile: the sender's packets (NORM_INFO,
     * NORM_DATA, NORM_CMD: types 1 to 3; the receiver's NACKs and ACKs
     * have its own TTL), none larger than the segment and NORM's headers
     * (at most 48 octets), with TTL 7. */
    int seen = 0, largest = 0;
    for (int i = 0; i < 5000; i++) {
        int ttl = -1, type = -1;
        ssize_t n = sniff(sniffer, &ttl, &type);
        if (n < 0)
            break;
        if (type < 1 || type > 3)
            continue;
        if (ttl != 7) {
            fprintf(stderr, "\n  a datagram with TTL %d\n", ttl);
            return 76;
        }
        seen++;
        if (n > largest)
            largest = (int) n;
    }
    if (seen < 100 || largest > 300 + 48 || largest < 300) {
        fprintf(stderr, "\n  %d datagrams, the largest %d\n", seen, largest);
        return 78;
    }
    close(sniffer);
    zmq_close(pub);
    zmq_close(sub);
    zmq_ctx_term(context);
    return 0;
}

/* libzmq 4.3.4's norm sender stalls on a part over 2038 octets (its
 * engine's 2 KiB buffer; libzmq issue 3501): its large message is 40
 * parts of 2000 octets, over 57 NORM segments of 1400. */
static void in_namespace(int (*child)(void *), const char *endpoint)
{
    const struct multicast_case c = {
        .endpoint = endpoint, .peer_parts = 40, .peer_part_size = 2000
    };
    multicast_in_namespace(child, &c);
}

static void test_ours(void)
{
    in_namespace(multicast_ours_to_ours, "norm://239.192.1.11:5571");
}

static void test_xpub_xsub(void)
{
    in_namespace(multicast_xpub_xsub, "norm://lo;239.192.1.12:5573");
}

static void test_late_joiner(void)
{
    in_namespace(multicast_late_joiner, "norm://239.192.1.13:5574");
}

static void test_to_libzmq(void)
{
    in_namespace(multicast_to_libzmq, "norm://239.192.1.14:5575");
}

static void test_from_libzmq(void)
{
    in_namespace(multicast_from_libzmq, "norm://239.192.1.15:5576");
}

static void test_options_act(void)
{
    int rc = test_in_network_namespace(options_act_child, NULL, 60);
    if (rc != -1)
        CU_ASSERT_EQUAL(rc, 0);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "a missing plugin", test_missing_plugin },
        { "frame headers as libzmq's", test_frame_header },
        { "decoding in pieces", test_decode_pieces },
        { "a late joiner starts at a message", test_late_join },
        { "bad input dropped and counted", test_bad_input },
        { "address parsing", test_address_parse },
        { "endpoint errors as libzmq gives them", test_endpoint_errors },
        { "NORM options, defaults and ranges", test_options },
        { "ours to ours, multicast", test_ours },
        { "XPUB bound, XSUB", test_xpub_xsub },
        { "a late subscriber", test_late_joiner },
        { "to libzmq", test_to_libzmq },
        { "from libzmq", test_from_libzmq },
        { "the options act on the wire", test_options_act },
    };
    /* The first test forks before this process uses any plugin. */
    return test_run_suite("norm_transport", tests,
                          sizeof tests / sizeof *tests);
}
