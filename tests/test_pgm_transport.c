/*
 * CUnit tests of the pgm and epgm transport plugin (plugins/pgm): the
 * framing codec and the address splitting as they are (compiled in),
 * endpoint errors as libzmq gives them, a missing plugin, then traffic in
 * a network namespace the suite makes for itself (never on the host's
 * interfaces): ours to ours over epgm and pgm, and ours against Debian's
 * libzmq 4.3.4 (a pyzmq peer, tests/peer.c) both ways, with multipart
 * messages, messages spanning many packets and a late subscriber.
 */
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "modzmq.h"
#include "peer.h"
#include "pgm_address.h"
#include "pgm_framing.h"
#include "testutil.h"

enum { BIG = 100000, RATE = 200000 /* kbit/s */ };

/* ---- the codec ---------------------------------------------------- */

/* Encodes parts (sizes[i] octets of pattern, more[i]) into payloads of
 * at most payload_max; returns the payload count, copies in out. */
static size_t encode(size_t payload_max, const size_t *sizes,
                     const bool *more, size_t count,
                     struct pgm_payload **out, size_t out_max)
{
    struct pgm_encoder e;
    pgm_encoder_init(&e, payload_max);
    for (size_t i = 0; i < count; i++) {
        uint8_t *data = malloc(sizes[i] + 1);
        for (size_t k = 0; k < sizes[i]; k++)
            data[k] = (uint8_t) (k * 7 + i);
        CU_ASSERT_EQUAL(pgm_encoder_add(&e, data, sizes[i], more[i]), 0);
        free(data);
    }
    pgm_encoder_flush(&e);
    size_t n = 0;
    const struct pgm_payload *p;
    while ((p = pgm_encoder_peek(&e)) != NULL) {
        if (n < out_max) {
            out[n] = malloc(sizeof *p + p->size);
            memcpy(out[n], p, sizeof *p + p->size);
        }
        n++;
        pgm_encoder_pop(&e);
    }
    pgm_encoder_fini(&e);
    return n;
}

static unsigned offset_of(const struct pgm_payload *p)
{
    return (unsigned) p->bytes[0] << 8 | p->bytes[1];
}

static bool part_is(const struct pgm_message *m, size_t part, size_t size,
                    size_t index)
{
    if (part >= m->part_count || m->part_sizes[part] != size)
        return false;
    const uint8_t *data = pgm_message_part(m, part);
    for (size_t k = 0; k < size; k++)
        if (data[k] != (uint8_t) (k * 7 + index))
            return false;
    return true;
}

static void free_payloads(struct pgm_payload **p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(p[i]);
}

/* Offsets point at the first message that begins, not at a trailing
 * part; the frames are ZMTP 1.0's. */
static void test_offsets(void)
{
    /* Message 1: one part of 5; message 2: parts of 20 and 3. */
    size_t sizes[] = { 5, 20, 3 };
    bool more[] = { false, true, false };
    struct pgm_payload *p[8];
    size_t n = encode(16, sizes, more, 3, p, 8);
    CU_ASSERT_EQUAL_FATAL(n, 3);
    /* 2 + [06 00 5 octets] + [15 01 7 of 20] */
    CU_ASSERT_EQUAL(offset_of(p[0]), 0);
    CU_ASSERT_EQUAL(p[0]->bytes[2], 6);
    CU_ASSERT_EQUAL(p[0]->bytes[3], 0);
    CU_ASSERT_EQUAL(p[0]->bytes[9], 21);
    CU_ASSERT_EQUAL(p[0]->bytes[10], 1);
    CU_ASSERT_EQUAL(p[0]->size, 16);
    /* The rest of part 1 and part 2 of message 2: no message begins. */
    CU_ASSERT_EQUAL(offset_of(p[1]), 0xFFFF);
    CU_ASSERT_EQUAL(offset_of(p[2]), 0xFFFF);
    free_payloads(p, n);

    /* A message beginning after a trailing part: offset past that part. */
    size_t sizes2[] = { 20, 2, 1 };
    bool more2[] = { true, false, false };
    n = encode(16, sizes2, more2, 3, p, 8);
    CU_ASSERT_EQUAL_FATAL(n, 3);
    CU_ASSERT_EQUAL(offset_of(p[0]), 0);
    /* p[1]: the last 8 octets of part 1, [03 00 2 octets] (message 1's
     * last part), then message 2 at 8 + 4, its last octet in p[2]. */
    CU_ASSERT_EQUAL(offset_of(p[1]), 12);
    CU_ASSERT_EQUAL(p[1]->bytes[2 + 12], 2);
    CU_ASSERT_EQUAL(offset_of(p[2]), 0xFFFF);

    struct pgm_decoder d;
    pgm_decoder_init(&d, -1);
    for (size_t i = 0; i < n; i++)
        CU_ASSERT_EQUAL(pgm_decoder_feed(&d, p[i]->bytes, p[i]->size),
                        PGM_DECODE_OK);
    struct pgm_message *m = pgm_decoder_peek(&d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->part_count, 2);
    CU_ASSERT(part_is(m, 0, 20, 0));
    CU_ASSERT(part_is(m, 1, 2, 1));
    pgm_decoder_pop(&d);
    m = pgm_decoder_peek(&d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT(part_is(m, 0, 1, 2));
    pgm_decoder_pop(&d);
    CU_ASSERT_PTR_NULL(pgm_decoder_peek(&d));
    CU_ASSERT_EQUAL(d.dropped, 0);
    pgm_decoder_fini(&d);
    free_payloads(p, n);
}

/* A message of many payloads (a 64-bit length), then a late joiner that
 * starts in its middle: it skips to the next message. */
static void test_spanning_and_late_join(void)
{
    size_t sizes[] = { 50000, 300, 10 };
    bool more[] = { false, false, false };
    static struct pgm_payload *p[1200];
    size_t n = encode(1400, sizes, more, 3, p, 1200);
    CU_ASSERT_FATAL(n > 35 && n < 1200);
    CU_ASSERT_EQUAL(p[0]->bytes[2], 0xFF); /* the long length form */
    size_t with_offset = 0;
    for (size_t i = 0; i < n; i++)
        with_offset += offset_of(p[i]) != 0xFFFF;
    CU_ASSERT_EQUAL(with_offset, 2); /* the first, and where 2 and 3 begin */

    struct pgm_decoder whole, late;
    pgm_decoder_init(&whole, -1);
    pgm_decoder_init(&late, -1);
    for (size_t i = 0; i < n; i++) {
        pgm_decoder_feed(&whole, p[i]->bytes, p[i]->size);
        if (i >= 5)
            pgm_decoder_feed(&late, p[i]->bytes, p[i]->size);
    }
    struct pgm_message *m = pgm_decoder_peek(&whole);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT(part_is(m, 0, 50000, 0));
    m = pgm_decoder_peek(&late);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT(part_is(m, 0, 300, 1));
    pgm_decoder_pop(&late);
    CU_ASSERT(part_is(pgm_decoder_peek(&late), 0, 10, 2));
    pgm_decoder_pop(&late);
    CU_ASSERT_PTR_NULL(pgm_decoder_peek(&late));
    CU_ASSERT_EQUAL(late.dropped, 0);
    pgm_decoder_fini(&whole);
    pgm_decoder_fini(&late);
    free_payloads(p, n);
}

/* A gap in the TPDU sequence numbers mid-message drops that message and
 * resumes at the next boundary: the bytes either side of the gap are
 * never joined into one message. Consecutive numbers, across the 32-bit
 * wrap too, are no gap. */
static void test_sequence_gap(void)
{
    size_t sizes[] = { 3000, 3000, 3000 };
    bool more[] = { false, false, false };
    struct pgm_payload *p[16];
    size_t n = encode(1400, sizes, more, 3, p, 16);
    CU_ASSERT_FATAL(n >= 7 && n < 16);
    struct pgm_decoder d;
    pgm_decoder_init(&d, -1);
    uint32_t sequence = UINT32_MAX - 1; /* wraps after the first two */
    for (size_t i = 0; i < n; i++, sequence++) {
        if (i == 3)
            continue; /* lost: inside message 2 */
        pgm_decoder_sequence(&d, sequence, sequence);
        pgm_decoder_feed(&d, p[i]->bytes, p[i]->size);
    }
    struct pgm_message *m = pgm_decoder_peek(&d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT(part_is(m, 0, 3000, 0));
    pgm_decoder_pop(&d);
    m = pgm_decoder_peek(&d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT(part_is(m, 0, 3000, 2));
    pgm_decoder_pop(&d);
    CU_ASSERT_PTR_NULL(pgm_decoder_peek(&d));
    CU_ASSERT_EQUAL(d.dropped, 1);
    /* A jump while in step is a loss even at a message boundary (the
     * next message began in what is missing); a payload of several TPDUs
     * is followed by the one after its last. */
    pgm_decoder_sequence(&d, 10, 12);
    CU_ASSERT_EQUAL(d.dropped, 2);
    CU_ASSERT_FALSE(d.joined);
    pgm_decoder_sequence(&d, 13, 13);
    CU_ASSERT_EQUAL(d.dropped, 2);
    pgm_decoder_fini(&d);
    free_payloads(p, n);
}

/* Truncated, lying and garbage payloads are dropped and counted; the
 * stream resumes at the next boundary; nothing crashes. */
static void test_bad_payloads(void)
{
    struct pgm_decoder d;
    pgm_decoder_init(&d, 1000);
    const uint8_t one[] = { 0 };
    CU_ASSERT_EQUAL(pgm_decoder_feed(&d, one, 1), PGM_DECODE_SHORT);
    const uint8_t past[] = { 0, 9, 2, 0, 'x' };
    CU_ASSERT_EQUAL(pgm_decoder_feed(&d, past, sizeof past),
                    PGM_DECODE_BAD_OFFSET);
    const uint8_t zero[] = { 0, 0, 0, 0 };
    CU_ASSERT_EQUAL(pgm_decoder_feed(&d, zero, sizeof zero),
                    PGM_DECODE_BAD_FRAME);
    /* A part over the limit (ZMQ_MAXMSGSIZE). */
    const uint8_t huge[] = { 0, 0, 0xFF, 0, 0, 0, 0, 0, 1, 0, 0, 0 };
    CU_ASSERT_EQUAL(pgm_decoder_feed(&d, huge, sizeof huge),
                    PGM_DECODE_TOO_LARGE);
    CU_ASSERT_EQUAL(d.dropped, 4);
    /* Not joined now: a payload without a boundary is skipped. */
    const uint8_t middle[] = { 0xFF, 0xFF, 'a', 'b' };
    CU_ASSERT_EQUAL(pgm_decoder_feed(&d, middle, sizeof middle),
                    PGM_DECODE_WAITING);
    const uint8_t good[] = { 0, 1, 'z', 3, 0, 'o', 'k' };
    CU_ASSERT_EQUAL(pgm_decoder_feed(&d, good, sizeof good), PGM_DECODE_OK);
    struct pgm_message *m = pgm_decoder_peek(&d);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m);
    CU_ASSERT_EQUAL(m->size, 2);
    CU_ASSERT(memcmp(m->bytes, "ok", 2) == 0);
    pgm_decoder_pop(&d);
    /* A reset mid-message drops it and waits for a boundary. */
    const uint8_t start[] = { 0, 0, 0x10, 0, 'p' };
    CU_ASSERT_EQUAL(pgm_decoder_feed(&d, start, sizeof start), PGM_DECODE_OK);
    pgm_decoder_reset(&d);
    CU_ASSERT_EQUAL(d.dropped, 5);
    CU_ASSERT_EQUAL(pgm_decoder_feed(&d, middle, sizeof middle),
                    PGM_DECODE_WAITING);
    /* Garbage, bounded: 20000 random payloads. */
    srand(14);
    uint8_t junk[64];
    for (int i = 0; i < 20000; i++) {
        size_t size = (size_t) (rand() % (int) sizeof junk);
        for (size_t k = 0; k < size; k++)
            junk[k] = (uint8_t) rand();
        if (i % 3 == 0 && size >= 2)
            junk[0] = junk[1] = 0; /* a boundary at once */
        pgm_decoder_feed(&d, junk, size);
        while (pgm_decoder_peek(&d) != NULL)
            pgm_decoder_pop(&d);
    }
    CU_ASSERT(d.dropped > 5);
    pgm_decoder_fini(&d);
}

static void test_address_split(void)
{
    struct pgm_address a;
    CU_ASSERT_EQUAL(pgm_address_split("eth0;239.192.1.1:5555", &a), 0);
    CU_ASSERT_STRING_EQUAL(a.network, "eth0;239.192.1.1");
    CU_ASSERT_EQUAL(a.port, 5555);
    CU_ASSERT_EQUAL(pgm_address_split("239.192.1.1:1", &a), 0);
    CU_ASSERT_STRING_EQUAL(a.network, "239.192.1.1");
    /* A loopback interface by name becomes its address, which OpenPGM
     * takes (by name it skips loopback devices); others stay. */
    CU_ASSERT_EQUAL(pgm_address_split("lo;239.192.1.1:5555", &a), 0);
    CU_ASSERT_EQUAL(pgm_address_loopback_name(&a), 1);
    CU_ASSERT_STRING_EQUAL(a.network, "127.0.0.1;239.192.1.1");
    CU_ASSERT_EQUAL(pgm_address_loopback_name(&a), 0);
    CU_ASSERT_STRING_EQUAL(a.network, "127.0.0.1;239.192.1.1");
    CU_ASSERT_EQUAL(pgm_address_split("nosuch0;239.192.1.1:5555", &a), 0);
    CU_ASSERT_EQUAL(pgm_address_loopback_name(&a), 0);
    CU_ASSERT_EQUAL(pgm_address_split("239.192.1.1:5555", &a), 0);
    CU_ASSERT_EQUAL(pgm_address_loopback_name(&a), 0);
    const char *bad[] = { "127.0.0.1;239.192.1.1", "127.0.0.1;239.192.1.1:",
                          "127.0.0.1;239.192.1.1:0", "127.0.0.1;239.192.1.1:65536",
                          "127.0.0.1;239.192.1.1:55x", ":5555", "" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        errno = 0;
        CU_ASSERT_EQUAL(pgm_address_split(bad[i], &a), -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
    }
}

/* ---- through the core ---------------------------------------------- */

/* Runs first, in a child, before this process has looked any plugin
 * up: with the plugin not in the path, both schemes are unsupported and
 * the diagnostic names the file looked for. */
static void test_missing_plugin(void)
{
    int pipe_fds[2];
    CU_ASSERT_EQUAL_FATAL(pipe(pipe_fds), 0);
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        dup2(pipe_fds[1], 2);
        close(pipe_fds[0]);
        setenv("MODZMQ_PLUGIN_PATH", "/nonexistent-modzmq-plugins", 1);
        void *ctx = zmq_ctx_new();
        void *pub = zmq_socket(ctx, ZMQ_PUB);
        int code = 0;
        if (zmq_connect(pub, "epgm://127.0.0.1;239.192.1.1:5555") != -1 ||
            errno != EPROTONOSUPPORT)
            code = 1;
        else if (zmq_connect(pub, "pgm://127.0.0.1;239.192.1.1:5555") != -1 ||
                 errno != EPROTONOSUPPORT)
            code = 2;
        else if (zmq_has("pgm"))
            code = 3;
        zmq_close(pub);
        zmq_ctx_term(ctx);
        _exit(code);
    }
    close(pipe_fds[1]);
    char said[4096];
    size_t have = 0;
    ssize_t got;
    while (have < sizeof said - 1 &&
           (got = read(pipe_fds[0], said + have, sizeof said - 1 - have)) > 0)
        have += (size_t) got;
    said[have] = '\0';
    close(pipe_fds[0]);
    int status;
    CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(said, "/nonexistent-modzmq-plugins/modzmq_epgm"));
    CU_ASSERT_PTR_NOT_NULL(strstr(said, "transport \"epgm\" unavailable"));
    CU_ASSERT_PTR_NOT_NULL(strstr(said, "transport \"pgm\" unavailable"));
}

static void test_endpoint_errors(void)
{
    void *ctx = zmq_ctx_new();
    CU_ASSERT_EQUAL(zmq_has("pgm"), 1);
    /* libzmq 4.3.4 names pgm a capability, not epgm. */
    CU_ASSERT_EQUAL(zmq_has("epgm"), 0);
    /* libzmq refuses the other types with ENOCOMPATPROTO. */
    const int others[] = { ZMQ_PUSH, ZMQ_PULL, ZMQ_PAIR, ZMQ_DEALER,
                           ZMQ_ROUTER, ZMQ_REQ, ZMQ_REP };
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        void *s = zmq_socket(ctx, others[i]);
        errno = 0;
        CU_ASSERT_EQUAL(zmq_connect(s, "epgm://127.0.0.1;239.192.1.1:5555"), -1);
        CU_ASSERT_EQUAL(errno, ENOCOMPATPROTO);
        test_close(s);
    }
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    const char *bad[] = { "epgm://127.0.0.1;239.192.1.1", "epgm://127.0.0.1;239.192.1.1:0",
                          "epgm://nosuch0;239.192.1.1:5555",
                          "pgm://127.0.0.1;239.192.1.1:99999", "epgm://" };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        errno = 0;
        CU_ASSERT_EQUAL(zmq_connect(pub, bad[i]), -1);
        CU_ASSERT_EQUAL(errno, EINVAL);
    }
    test_close(pub);
    CU_ASSERT_EQUAL(zmq_ctx_term(ctx), 0);
}

/* ---- traffic in a namespace ----------------------------------------- */

static bool route_multicast(void)
{
    return system("ip route add 224.0.0.0/4 dev lo 2>/dev/null") == 0;
}

static void *pgm_socket_at(void *context, int type, const char *endpoint)
{
    void *s = zmq_socket(context, type);
    test_set_int(s, ZMQ_RATE, RATE);
    test_set_int(s, ZMQ_LINGER, 2000);
    test_set_int(s, ZMQ_RCVTIMEO, 100);
    if (type == ZMQ_SUB)
        zmq_setsockopt(s, ZMQ_SUBSCRIBE, "", 0);
    if (zmq_connect(s, endpoint) != 0) {
        fprintf(stderr, "\n  connect %s: %s\n", endpoint, zmq_strerror(errno));
        zmq_close(s);
        return NULL;
    }
    return s;
}

static void fill_pattern(uint8_t *data, size_t size, unsigned seed)
{
    for (size_t k = 0; k < size; k++)
        data[k] = (uint8_t) (k * 7 + seed);
}

static bool is_pattern(const uint8_t *data, size_t size, unsigned seed)
{
    for (size_t k = 0; k < size; k++)
        if (data[k] != (uint8_t) (k * 7 + seed))
            return false;
    return true;
}

/* Sends "ping" until sub hears one (PGM's receiver must hear the sender
 * before data reaches it), at most 10 s; then drains the pings. */
static bool until_heard(void *pub, void *sub)
{
    char buf[16];
    for (int i = 0; i < 100; i++) {
        zmq_send(pub, "ping", 4, 0);
        if (zmq_recv(sub, buf, sizeof buf, 0) == 4) {
            zmq_send(pub, "last", 4, 0);
            for (int k = 0; k < 100; k++)
                if (zmq_recv(sub, buf, sizeof buf, 0) == 4 &&
                    memcmp(buf, "last", 4) == 0)
                    return true;
            return false;
        }
    }
    return false;
}

/* A three-part message, one of BIG octets, and a SUB that filters. */
static int ours_to_ours_child(void *arg)
{
    const char *endpoint = arg;
    if (!route_multicast())
        return 20;
    void *context = zmq_ctx_new();
    void *sub = pgm_socket_at(context, ZMQ_SUB, endpoint);
    void *pub = pgm_socket_at(context, ZMQ_PUB, endpoint);
    if (sub == NULL || pub == NULL)
        return 21;
    if (!until_heard(pub, sub))
        return 22;
    zmq_send(pub, "a", 1, ZMQ_SNDMORE);
    zmq_send(pub, "bb", 2, ZMQ_SNDMORE);
    zmq_send(pub, "", 0, 0);
    static uint8_t big[BIG], in[BIG + 1];
    fill_pattern(big, BIG, 3);
    zmq_send(pub, big, BIG, 0);
    test_set_int(sub, ZMQ_RCVTIMEO, 10000);
    int more = 0;
    size_t size = sizeof more;
    if (zmq_recv(sub, in, sizeof in, 0) != 1 || in[0] != 'a')
        return 23;
    zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &size);
    if (!more || zmq_recv(sub, in, sizeof in, 0) != 2 ||
        zmq_recv(sub, in, sizeof in, 0) != 0)
        return 24;
    if (zmq_recv(sub, in, sizeof in, 0) != BIG || !is_pattern(in, BIG, 3))
        return 25;
    /* SUB filters: only what starts with "B" now. */
    zmq_setsockopt(sub, ZMQ_UNSUBSCRIBE, "", 0);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "B", 1);
    zmq_send(pub, "Anot", 4, 0);
    zmq_send(pub, "Byes", 4, 0);
    if (zmq_recv(sub, in, sizeof in, 0) != 4 || memcmp(in, "Byes", 4) != 0)
        return 26;
    zmq_close(pub);
    zmq_close(sub);
    zmq_ctx_term(context);
    return 0;
}

/* A burst as fast as the publisher sends, its subscriber on the same I/O
 * thread: every message arrives, in order (a publisher that sent long
 * bursts overflowed the subscriber's socket buffer, and the stream then
 * stalled in repairs). */
static int burst_child(void *arg)
{
    const char *endpoint = arg;
    if (!route_multicast())
        return 70;
    enum { COUNT = 20000, SIZE = 1024 };
    void *context = zmq_ctx_new();
    void *sub = pgm_socket_at(context, ZMQ_SUB, endpoint);
    void *pub = pgm_socket_at(context, ZMQ_PUB, endpoint);
    if (sub == NULL || pub == NULL)
        return 71;
    test_set_int(pub, ZMQ_SNDHWM, 0);
    test_set_int(sub, ZMQ_RCVHWM, 0);
    if (!until_heard(pub, sub))
        return 72;
    static uint8_t out[SIZE], in[SIZE + 1];
    for (unsigned i = 0; i < COUNT; i++) {
        fill_pattern(out, SIZE, i);
        if (zmq_send(pub, out, SIZE, 0) != SIZE)
            return 73;
    }
    test_set_int(sub, ZMQ_RCVTIMEO, 5000);
    for (unsigned i = 0; i < COUNT; i++) {
        int n = zmq_recv(sub, in, sizeof in, 0);
        if (n != SIZE || !is_pattern(in, SIZE, i)) {
            fprintf(stderr, "\n  message %u of %d: %d octets\n", i, COUNT, n);
            return 74;
        }
    }
    zmq_close(pub);
    zmq_close(sub);
    zmq_ctx_term(context);
    return 0;
}

/* ---- data lost beyond recovery ---------------------------------------- */

/* The namespace's loopback drops every packet while a pfifo of limit 0
 * is its queue: real loss on the wire (this kernel has no sch_netem, and
 * no tc actions to drop at random). */
static bool blackout(bool on)
{
    return system(on ? "tc qdisc add dev lo root pfifo limit 0"
                     : "tc qdisc del dev lo root") == 0;
}

enum { LOSS_RATE = 1000 /* kbit/s */, LOSS_SIZE = 2000, FILLERS = 60 };

/* Message i of the loss test: its index, then the pattern of i. */
static void loss_message(uint8_t *m, unsigned i)
{
    fill_pattern(m, LOSS_SIZE, i);
    memcpy(m, &i, sizeof i);
}

/* The index of a whole message of the loss test, or -1. */
static int loss_index(const uint8_t *m, int size)
{
    unsigned i;
    if (size != LOSS_SIZE)
        return -1;
    memcpy(&i, m, sizeof i);
    uint8_t expected[LOSS_SIZE];
    loss_message(expected, i);
    return memcmp(m, expected, LOSS_SIZE) == 0 ? (int) i : -1;
}

/* Waits until pub's link has taken count messages from its pipe, at most
 * 20 s: then all but the last are in PGM's hands. */
static bool taken(void *pub, uint64_t count)
{
    for (int i = 0; i < 2000; i++) {
        struct modzmq_counters c;
        if (modzmq_socket_counters(pub, &c, 0) != 0)
            return false;
        if (c.msgs_out >= count)
            return true;
        usleep(10000);
    }
    return false;
}

/* The dropped count of the next MODZMQ_EVENT_PEER_COUNTERS on mon (a
 * version 2 monitor), or -1 when none comes in 5 s. */
static int64_t loss_event(void *mon)
{
    test_set_int(mon, ZMQ_RCVTIMEO, 5000);
    zmq_msg_t part;
    zmq_msg_init(&part);
    int64_t dropped = -1;
    uint64_t id = 0, values[8];
    size_t n = 0;
    for (int i = 0; zmq_msg_recv(&part, mon, 0) >= 0; i++) {
        if (zmq_msg_size(&part) == 8 && i == 0)
            memcpy(&id, zmq_msg_data(&part), 8);
        else if (zmq_msg_size(&part) == 8 && i >= 2 && n < 8)
            memcpy(&values[n++], zmq_msg_data(&part), 8);
        if (zmq_msg_more(&part))
            continue;
        if (id == MODZMQ_EVENT_PEER_COUNTERS && n == 5) {
            dropped = (int64_t) values[4];
            break;
        }
        i = -1;
        n = 0;
    }
    zmq_msg_close(&part);
    return dropped;
}

/* Message 0 arrives; then, the wire down, message 1 and FILLERS more go
 * out, about 120 packets, more than the sender's window of a one-second
 * ZMQ_RECOVERY_IVL at LOSS_RATE holds (about 83 of 1500 octets), so that
 * the first of them can no longer be repaired. With the wire up again, a
 * message every 50 ms: the subscriber must give only whole messages, in
 * order, never message 1, resume with later ones, and the bus must carry
 * MODZMQ_EVENT_PEER_COUNTERS with the loss counted. The publisher has a
 * context (an I/O thread) of its own, as a remote one would. */
static int loss_child(void *arg)
{
    const char *endpoint = arg;
    if (!route_multicast())
        return 80;
    void *context = zmq_ctx_new();
    void *pub_context = zmq_ctx_new();
    void *sub = zmq_socket(context, ZMQ_SUB);
    void *pub = zmq_socket(pub_context, ZMQ_PUB);
    void *sockets[] = { sub, pub };
    for (int i = 0; i < 2; i++) {
        test_set_int(sockets[i], ZMQ_RATE, LOSS_RATE);
        test_set_int(sockets[i], ZMQ_RECOVERY_IVL, 1000);
        test_set_int(sockets[i], ZMQ_LINGER, 0);
    }
    test_set_int(pub, ZMQ_SNDHWM, 0);
    test_set_int(sub, ZMQ_RCVHWM, 0);
    test_set_int(sub, ZMQ_RCVTIMEO, 100);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    if (zmq_socket_monitor_versioned(sub, "inproc://pgm-loss",
                                     MODZMQ_EVENT_PEER_COUNTERS, 2,
                                     ZMQ_PAIR) != 0)
        return 81;
    void *mon = zmq_socket(context, ZMQ_PAIR);
    if (zmq_connect(mon, "inproc://pgm-loss") != 0 ||
        zmq_connect(sub, endpoint) != 0 || zmq_connect(pub, endpoint) != 0)
        return 82;
    if (!until_heard(pub, sub))
        return 83;
    static uint8_t m[LOSS_SIZE], in[LOSS_SIZE + 1];
    struct modzmq_counters before;
    modzmq_socket_counters(pub, &before, 0);
    loss_message(m, 0);
    zmq_send(pub, m, LOSS_SIZE, 0);
    test_set_int(sub, ZMQ_RCVTIMEO, 5000);
    if (loss_index(in, zmq_recv(sub, in, sizeof in, 0)) != 0)
        return 84;
    if (!blackout(true))
        return 85;
    for (unsigned i = 1; i <= 1 + FILLERS; i++) {
        loss_message(m, i);
        zmq_send(pub, m, LOSS_SIZE, 0);
    }
    bool sent = taken(pub, before.msgs_out + 2 + FILLERS);
    usleep(200000); /* the last message's payloads */
    if (!blackout(false) || !sent)
        return 86;
    /* Later messages, until the subscriber has one of them, at most 45 s:
     * OpenPGM gives the lost data up only after its NAK retries (50 of
     * 200 ms each way, libzmq's settings), 5 to 30 s here. */
    test_set_int(sub, ZMQ_RCVTIMEO, 50);
    int last = 0;
    unsigned next = 2 + FILLERS;
    for (int round = 0; round < 900 && last < 2 + FILLERS; round++) {
        loss_message(m, next);
        zmq_send(pub, m, LOSS_SIZE, 0);
        next++;
        int n;
        while ((n = zmq_recv(sub, in, sizeof in, 0)) >= 0) {
            int i = loss_index(in, n);
            if (i <= last || i == 1) {
                fprintf(stderr, "\n  got %d (%d octets) after %d\n", i, n,
                        last);
                return 87;
            }
            last = i;
        }
    }
    if (last < 2 + FILLERS) {
        fprintf(stderr, "\n  the last whole message: %d of %u\n", last, next);
        return 88;
    }
    int64_t dropped = loss_event(mon);
    if (dropped < 1) {
        fprintf(stderr, "\n  loss event: dropped %lld\n", (long long) dropped);
        return 89;
    }
    zmq_close(mon);
    zmq_close(pub);
    zmq_close(sub);
    zmq_ctx_term(pub_context);
    zmq_ctx_term(context);
    return 0;
}

/* XPUB bound (libzmq takes a bind for a connect), XSUB connected: XSUB
 * delivers everything, with no subscription sent. */
static int xpub_xsub_child(void *arg)
{
    const char *endpoint = arg;
    if (!route_multicast())
        return 60;
    void *context = zmq_ctx_new();
    void *xpub = zmq_socket(context, ZMQ_XPUB);
    test_set_int(xpub, ZMQ_RATE, RATE);
    test_set_int(xpub, ZMQ_LINGER, 0);
    if (zmq_bind(xpub, endpoint) != 0)
        return 61;
    char last[128];
    size_t size = sizeof last;
    if (zmq_getsockopt(xpub, ZMQ_LAST_ENDPOINT, last, &size) != 0 ||
        strcmp(last, endpoint) != 0)
        return 62;
    void *xsub = zmq_socket(context, ZMQ_XSUB);
    test_set_int(xsub, ZMQ_RATE, RATE);
    test_set_int(xsub, ZMQ_RCVTIMEO, 100);
    test_set_int(xsub, ZMQ_LINGER, 0);
    if (zmq_connect(xsub, endpoint) != 0)
        return 63;
    if (!until_heard(xpub, xsub))
        return 64;
    zmq_send(xpub, "k", 1, ZMQ_SNDMORE);
    zmq_send(xpub, "v", 1, 0);
    char in[8];
    test_set_int(xsub, ZMQ_RCVTIMEO, 5000);
    if (zmq_recv(xsub, in, sizeof in, 0) != 1 || in[0] != 'k' ||
        zmq_recv(xsub, in, sizeof in, 0) != 1 || in[0] != 'v')
        return 65;
    if (zmq_unbind(xpub, endpoint) != 0)
        return 66;
    zmq_close(xsub);
    zmq_close(xpub);
    zmq_ctx_term(context);
    return 0;
}

/* A subscriber joining while large messages stream: its first message
 * is whole. */
static int late_joiner_child(void *arg)
{
    const char *endpoint = arg;
    if (!route_multicast())
        return 30;
    void *context = zmq_ctx_new();
    void *pub = pgm_socket_at(context, ZMQ_PUB, endpoint);
    void *early = pgm_socket_at(context, ZMQ_SUB, endpoint);
    if (pub == NULL || early == NULL || !until_heard(pub, early))
        return 31;
    static uint8_t big[20000], in[20001];
    void *late = NULL;
    int whole = 0;
    /* One message every 5 ms, for at most 2000 of them (10 s). */
    for (unsigned i = 0; i < 2000 && whole < 3; i++) {
        fill_pattern(big, sizeof big, i);
        big[0] = (uint8_t) i;
        zmq_send(pub, big, sizeof big, 0);
        int got = zmq_recv(early, in, sizeof in, ZMQ_DONTWAIT);
        (void) got;
        if (i == 3)
            late = pgm_socket_at(context, ZMQ_SUB, endpoint);
        if (late == NULL)
            continue;
        usleep(5000);
        int n = zmq_recv(late, in, sizeof in, ZMQ_DONTWAIT);
        if (n < 0)
            continue;
        if (n != (int) sizeof big || !is_pattern(in, (size_t) n, in[0]))
            return 32;
        whole++;
    }
    if (whole < 3)
        return 33;
    zmq_close(late);
    zmq_close(early);
    zmq_close(pub);
    zmq_ctx_term(context);
    return 0;
}

/* Waits for the peer's answer to start with prefix: asks "recv" at most
 * count times. */
static const char *peer_recv_until(struct test_peer *peer, const char *prefix,
                                   int count)
{
    for (int i = 0; i < count; i++) {
        const char *answer = test_peer_ask(peer, "recv");
        if (answer == NULL)
            return NULL;
        if (strncmp(answer, prefix, strlen(prefix)) == 0)
            return answer;
    }
    return NULL;
}

static bool peer_ok(const char *answer)
{
    if (answer != NULL && strncmp(answer, "ok", 2) == 0)
        return true;
    fprintf(stderr, "\n  peer: %s\n", answer != NULL ? answer : "(none)");
    return false;
}

/* Ours PUB to libzmq's SUB. */
static int to_libzmq_child(void *arg)
{
    const char *endpoint = arg;
    if (!route_multicast())
        return 40;
    struct test_peer *peer = test_peer_start();
    if (peer == NULL)
        return 41;
    if (!peer_ok(test_peer_ask(peer, "socket SUB")) ||
        !peer_ok(test_peer_ask(peer, "set SUBSCRIBE hex:")) ||
        !peer_ok(test_peer_ask(peer, "set RATE %d", RATE)) ||
        !peer_ok(test_peer_ask(peer, "set RCVTIMEO 200")) ||
        !peer_ok(test_peer_ask(peer, "connect %s", endpoint)))
        return 42;
    void *context = zmq_ctx_new();
    void *pub = pgm_socket_at(context, ZMQ_PUB, endpoint);
    if (pub == NULL)
        return 43;
    bool heard = false;
    for (int i = 0; i < 50 && !heard; i++) {
        zmq_send(pub, "ping", 4, 0);
        const char *answer = test_peer_ask(peer, "recv");
        heard = answer != NULL && strcmp(answer, "msg 70696e67") == 0;
    }
    if (!heard)
        return 44;
    if (!peer_ok(test_peer_ask(peer, "set RCVTIMEO 10000")))
        return 45;
    zmq_send(pub, "a", 1, ZMQ_SNDMORE);
    zmq_send(pub, "bb", 2, ZMQ_SNDMORE);
    zmq_send(pub, "", 0, 0);
    if (peer_recv_until(peer, "msg 61 6262 -", 60) == NULL)
        return 46;
    /* BIG octets of the peer's pattern, byte i = i * 7 mod 256. */
    static uint8_t big[BIG];
    unsigned long sum = 0;
    for (size_t k = 0; k < BIG; k++) {
        big[k] = (uint8_t) (k * 7);
        sum += big[k];
    }
    zmq_send(pub, "x", 1, ZMQ_SNDMORE);
    zmq_send(pub, big, BIG, 0);
    const char *answer = test_peer_ask(peer, "recvsums");
    char expected[64];
    snprintf(expected, sizeof expected, "sums 1:120 %d:%lu", BIG, sum);
    if (answer == NULL || strcmp(answer, expected) != 0) {
        fprintf(stderr, "\n  peer: %s (wanted %s)\n", answer, expected);
        return 47;
    }
    test_peer_stop(peer);
    zmq_close(pub);
    zmq_ctx_term(context);
    return 0;
}

/* libzmq's PUB to ours SUB. */
static int from_libzmq_child(void *arg)
{
    const char *endpoint = arg;
    if (!route_multicast())
        return 50;
    void *context = zmq_ctx_new();
    void *sub = pgm_socket_at(context, ZMQ_SUB, endpoint);
    struct test_peer *peer = test_peer_start();
    if (sub == NULL || peer == NULL)
        return 51;
    if (!peer_ok(test_peer_ask(peer, "socket PUB")) ||
        !peer_ok(test_peer_ask(peer, "set RATE %d", RATE)) ||
        !peer_ok(test_peer_ask(peer, "connect %s", endpoint)))
        return 52;
    char buf[16];
    bool heard = false;
    for (int i = 0; i < 50 && !heard; i++) {
        test_peer_ask(peer, "send 70696e67");
        heard = zmq_recv(sub, buf, sizeof buf, 0) == 4;
    }
    if (!heard)
        return 53;
    test_peer_ask(peer, "send 6c617374");
    for (int i = 0; i < 100; i++)
        if (zmq_recv(sub, buf, sizeof buf, 0) == 4 &&
            memcmp(buf, "last", 4) == 0)
            break;
    test_set_int(sub, ZMQ_RCVTIMEO, 10000);
    if (!peer_ok(test_peer_ask(peer, "send 61 6262 -")))
        return 54;
    static uint8_t in[BIG + 1];
    int more = 0;
    size_t size = sizeof more;
    if (zmq_recv(sub, in, sizeof in, 0) != 1 || in[0] != 'a')
        return 55;
    zmq_getsockopt(sub, ZMQ_RCVMORE, &more, &size);
    if (!more || zmq_recv(sub, in, sizeof in, 0) != 2 ||
        zmq_recv(sub, in, sizeof in, 0) != 0)
        return 56;
    if (!peer_ok(test_peer_ask(peer, "sendpattern 3 %d", BIG)))
        return 57;
    if (zmq_recv(sub, in, sizeof in, 0) != 3 ||
        zmq_recv(sub, in, sizeof in, 0) != BIG || !is_pattern(in, BIG, 0))
        return 58;
    test_peer_stop(peer);
    zmq_close(sub);
    zmq_ctx_term(context);
    return 0;
}

static void in_namespace(int (*child)(void *), const char *endpoint)
{
    int rc = test_in_network_namespace(child, (void *) endpoint, 60);
    if (rc != -1)
        CU_ASSERT_EQUAL(rc, 0);
}

static void test_epgm_ours(void)
{
    in_namespace(ours_to_ours_child, "epgm://127.0.0.1;239.192.1.1:5555");
}

static void test_pgm_ours(void)
{
    in_namespace(ours_to_ours_child, "pgm://127.0.0.1;239.192.1.2:5556");
}

/* The loopback interface by name, as zmq_pgm(7) writes interfaces. */
static void test_epgm_lo_by_name(void)
{
    in_namespace(ours_to_ours_child, "epgm://lo;239.192.1.12:5566");
}

static void test_epgm_burst(void)
{
    in_namespace(burst_child, "epgm://127.0.0.1;239.192.1.9:5563");
}

static void test_epgm_loss(void)
{
    in_namespace(loss_child, "epgm://127.0.0.1;239.192.1.10:5564");
}

static void test_pgm_loss(void)
{
    in_namespace(loss_child, "pgm://127.0.0.1;239.192.1.11:5565");
}

static void test_epgm_xpub_xsub(void)
{
    in_namespace(xpub_xsub_child, "epgm://127.0.0.1;239.192.1.8:5562");
}

static void test_epgm_late_joiner(void)
{
    in_namespace(late_joiner_child, "epgm://127.0.0.1;239.192.1.3:5557");
}

static void test_epgm_to_libzmq(void)
{
    in_namespace(to_libzmq_child, "epgm://127.0.0.1;239.192.1.4:5558");
}

static void test_epgm_from_libzmq(void)
{
    in_namespace(from_libzmq_child, "epgm://127.0.0.1;239.192.1.5:5559");
}

static void test_pgm_to_libzmq(void)
{
    in_namespace(to_libzmq_child, "pgm://127.0.0.1;239.192.1.6:5560");
}

static void test_pgm_from_libzmq(void)
{
    in_namespace(from_libzmq_child, "pgm://127.0.0.1;239.192.1.7:5561");
}

int main(void)
{
    static const struct test_case tests[] = {
        { "a missing plugin", test_missing_plugin },
        { "offsets and frames", test_offsets },
        { "many payloads, a late joiner", test_spanning_and_late_join },
        { "a sequence gap drops that message only", test_sequence_gap },
        { "bad payloads dropped and counted", test_bad_payloads },
        { "address splitting", test_address_split },
        { "endpoint errors as libzmq gives them", test_endpoint_errors },
        { "epgm ours to ours", test_epgm_ours },
        { "pgm ours to ours", test_pgm_ours },
        { "epgm on lo by name", test_epgm_lo_by_name },
        { "epgm late subscriber", test_epgm_late_joiner },
        { "epgm burst, every message in order", test_epgm_burst },
        { "epgm loss beyond recovery: resync and an event", test_epgm_loss },
        { "pgm loss beyond recovery: resync and an event", test_pgm_loss },
        { "epgm XPUB bound, XSUB", test_epgm_xpub_xsub },
        { "epgm to libzmq", test_epgm_to_libzmq },
        { "epgm from libzmq", test_epgm_from_libzmq },
        { "pgm to libzmq", test_pgm_to_libzmq },
        { "pgm from libzmq", test_pgm_from_libzmq },
    };
    /* The first test forks before this process uses any plugin. */
    return test_run_suite("pgm_transport", tests,
                          sizeof tests / sizeof *tests);
}
