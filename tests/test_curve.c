/*
 * The CURVE mechanism plugin, unit level: the suite loads the built
 * module as the core's loader would, gives it a fake services table
 * (curve_fake_core.h), and drives client and server sessions against
 * each other by moving command bodies between them: the whole handshake,
 * ZAP, MESSAGE traffic both ways, and every kind of bad input, each of
 * which must fail with EPROTO and the protocol error libzmq 4.3 reports.
 * A client written here directly on libsodium ("handmade") checks the
 * wire format independently and sends what a correct plugin never would.
 */
#include <dlfcn.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <modzmq/curve.h>

#include "curve_fake_core.h"
#include "testutil.h"
#include "zmq.h"

static void *module;
static const struct modzmq_plugin *plugin;
static const struct modzmq_mechanism_ops *ops;
static const struct modzmq_curve_keys *keys;

/* The long-term test keys of zmq_curve(7). */
static const char client_public_z85[] =
    "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID";
static const char client_secret_z85[] =
    "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs";
static const char server_public_z85[] =
    "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";
static const char server_secret_z85[] =
    "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6";
static uint8_t client_public[32], client_secret[32];
static uint8_t server_public[32], server_secret[32];

static void hex_key(uint8_t *key, const char *hex)
{
    for (size_t i = 0; i < 32; i++)
        sscanf(hex + 2 * i, "%2hhx", &key[i]);
}

static int load_plugin(void)
{
    module = dlopen(CURVE_MODULE_PATH, RTLD_NOW | RTLD_LOCAL);
    if (module == NULL) {
        fprintf(stderr, "%s\n", dlerror());
        return -1;
    }
    const struct modzmq_plugin *(*entry)(void);
    *(void **) &entry = dlsym(module, "modzmq_curve_LTX_modzmq_plugin_entry");
    if (entry == NULL)
        return -1;
    plugin = entry();
    if (plugin->init(fake_core_services(), NULL) != 0)
        return -1;
    ops = plugin->ops;
    for (const struct modzmq_extension *x = plugin->extensions;
         x != NULL && x->name != NULL; x++) {
        if (strcmp(x->name, MODZMQ_CURVE_KEYS) == 0)
            keys = x->table;
    }
    hex_key(client_public,
            "BB88471D65E2659B30C55A5321CEBB5AAB2B70A398645C26DCA2B2FCB43FC518");
    hex_key(client_secret,
            "7BB864B489AFA3671FBE69101F94B38972F24816DFB01B51656B3FEC8DFD0888");
    hex_key(server_public,
            "54FCBA24E93249969316FB617C872BB0C1D1FF14800427C594CBFACF1BC2D652");
    hex_key(server_secret,
            "8E0BDD697628B91D8F245587EE95C5B04D48963F79259877B49CD9063AEAD3B7");
    return sodium_init() < 0 ? -1 : 0;
}

/* ---- a client and a server session ----------------------------------- */

struct pair {
    struct modzmq_connection client_side, server_side;
    modzmq_mechanism_session *client, *server;
};

/* A DEALER client and a ROUTER server with the test keys. */
static void pair_open(struct pair *p)
{
    fake_connection_init(&p->client_side, "DEALER");
    fake_connection_init(&p->server_side, "ROUTER");
    p->client_side.side = "client";
    p->server_side.side = "server";
    memcpy(p->client_side.public_key, client_public, 32);
    memcpy(p->client_side.secret_key, client_secret, 32);
    memcpy(p->client_side.server_key, server_public, 32);
    memcpy(p->server_side.public_key, server_public, 32);
    memcpy(p->server_side.secret_key, server_secret, 32);
    p->client = p->server = NULL;
}

static void pair_sessions(struct pair *p)
{
    CU_ASSERT_EQUAL_FATAL(ops->session_new(&p->client_side, 0, &p->client), 0);
    CU_ASSERT_EQUAL_FATAL(ops->session_new(&p->server_side, 1, &p->server), 0);
}

static void pair_close(struct pair *p)
{
    ops->session_free(p->client);
    ops->session_free(p->server);
}

/* The next command of from, which must have one. */
static void next(modzmq_mechanism_session *from, struct modzmq_msg *command)
{
    fake_msg_init(command);
    CU_ASSERT_EQUAL_FATAL(ops->next_command(from, command), 0);
}

/* Hands body to session; returns what process_command did and, when it
 * failed, checks EPROTO. */
static int feed(modzmq_mechanism_session *to, const uint8_t *body, size_t size)
{
    struct modzmq_msg command;
    fake_msg_init(&command);
    fake_msg_set(&command, body, size, MODZMQ_MSG_COMMAND);
    errno = 0;
    int rc = ops->process_command(to, &command);
    int error = errno;
    fake_msg_close(&command);
    errno = error;
    return rc;
}

/* Moves every command from one session to the other; false when the
 * receiver refused one. */
static bool pump(modzmq_mechanism_session *from, modzmq_mechanism_session *to)
{
    struct modzmq_msg command;
    for (int i = 0; i < 4; i++) {
        fake_msg_init(&command);
        if (ops->next_command(from, &command) != 0) {
            CU_ASSERT_EQUAL(errno, EAGAIN);
            fake_msg_close(&command);
            return true;
        }
        int rc = ops->process_command(to, &command);
        fake_msg_close(&command);
        if (rc != 0)
            return false;
    }
    CU_FAIL("a session kept sending commands");
    return false;
}

/* Runs the handshake to its end; true when both sides are READY. */
static bool handshake(struct pair *p)
{
    for (int round = 0; round < 4; round++) {
        if (!pump(p->client, p->server) || !pump(p->server, p->client))
            return false;
        if (ops->status(p->client) == MODZMQ_MECHANISM_READY &&
            ops->status(p->server) == MODZMQ_MECHANISM_READY)
            return true;
    }
    return false;
}

/* The four handshake commands, captured one by one. */
struct transcript {
    struct modzmq_msg hello, welcome, initiate, ready;
};

static void transcript_close(struct transcript *t)
{
    fake_msg_close(&t->hello);
    fake_msg_close(&t->welcome);
    fake_msg_close(&t->initiate);
    fake_msg_close(&t->ready);
}

/* Runs the handshake step by step, keeping each command. */
static void handshake_recorded(struct pair *p, struct transcript *t)
{
    next(p->client, &t->hello);
    CU_ASSERT_EQUAL_FATAL(feed(p->server, t->hello.data, t->hello.size), 0);
    next(p->server, &t->welcome);
    CU_ASSERT_EQUAL_FATAL(feed(p->client, t->welcome.data, t->welcome.size), 0);
    next(p->client, &t->initiate);
    CU_ASSERT_EQUAL_FATAL(feed(p->server, t->initiate.data, t->initiate.size),
                          0);
    next(p->server, &t->ready);
    CU_ASSERT_EQUAL_FATAL(feed(p->client, t->ready.data, t->ready.size), 0);
}

/* ---- MESSAGE helpers ---------------------------------------------------- */

/* Encodes one part through from's session into frame. */
static void encode(modzmq_mechanism_session *from, struct modzmq_msg *frame,
                   const void *data, size_t size, unsigned flags)
{
    fake_msg_init(frame);
    fake_msg_set(frame, data, size, flags);
    CU_ASSERT_EQUAL_FATAL(ops->encode(from, frame), 0);
}

/* Decodes a copy of frame through to; returns the result, the part in
 * part when it worked. */
static int decode(modzmq_mechanism_session *to, const struct modzmq_msg *frame,
                  struct modzmq_msg *part)
{
    fake_msg_init(part);
    fake_msg_set(part, frame->data, frame->size, frame->flags);
    errno = 0;
    return ops->decode(to, part);
}

static uint64_t frame_nonce(const struct modzmq_msg *frame)
{
    uint64_t value = 0;
    for (int i = 8; i < 16; i++)
        value = value << 8 | frame->data[i];
    return value;
}

/* ---- the handshake ----------------------------------------------------- */

static void test_descriptor(void)
{
    CU_ASSERT_EQUAL(plugin->abi_major, MODZMQ_SDK_ABI_MAJOR);
    CU_ASSERT_EQUAL(plugin->kind, MODZMQ_PLUGIN_MECHANISM);
    CU_ASSERT_STRING_EQUAL(plugin->name, "curve");
    CU_ASSERT_STRING_EQUAL(plugin->serves[0], "CURVE");
    CU_ASSERT_PTR_NULL(plugin->serves[1]);
    CU_ASSERT_EQUAL(ops->size, sizeof(struct modzmq_mechanism_ops));
    CU_ASSERT_PTR_NOT_NULL(ops->encode);
    CU_ASSERT_PTR_NOT_NULL(ops->decode);
    CU_ASSERT_PTR_NOT_NULL_FATAL(keys);
    CU_ASSERT_EQUAL(keys->size, sizeof(struct modzmq_curve_keys));
    CU_ASSERT_PTR_NOT_NULL(keys->keypair);
    CU_ASSERT_PTR_NOT_NULL(keys->public_key);
}

/* HELLO, WELCOME, INITIATE, READY with the sizes RFC 26 gives; metadata
 * both ways; ZAP asked about the client's long-term key. */
static void test_handshake(void)
{
    struct pair p;
    pair_open(&p);
    pair_sessions(&p);
    struct modzmq_msg none;
    fake_msg_init(&none);
    CU_ASSERT_EQUAL(ops->next_command(p.server, &none), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    fake_msg_close(&none);

    struct transcript t;
    handshake_recorded(&p, &t);
    CU_ASSERT_EQUAL(t.hello.size, 200);
    CU_ASSERT(memcmp(t.hello.data, "\5HELLO\1\0", 8) == 0);
    CU_ASSERT_EQUAL(t.welcome.size, 168);
    CU_ASSERT(memcmp(t.welcome.data, "\7WELCOME", 8) == 0);
    CU_ASSERT(memcmp(t.initiate.data, "\10INITIATE", 9) == 0);
    CU_ASSERT(t.initiate.size >= 257);
    CU_ASSERT(memcmp(t.ready.data, "\5READY", 6) == 0);
    CU_ASSERT(t.ready.size >= 30);

    CU_ASSERT_EQUAL(ops->status(p.client), MODZMQ_MECHANISM_READY);
    CU_ASSERT_EQUAL(ops->status(p.server), MODZMQ_MECHANISM_READY);
    CU_ASSERT_STRING_EQUAL(p.server_side.peer_socket_type, "DEALER");
    CU_ASSERT_STRING_EQUAL(p.server_side.peer_side, "client");
    CU_ASSERT_STRING_EQUAL(p.client_side.peer_socket_type, "ROUTER");
    CU_ASSERT_STRING_EQUAL(p.client_side.peer_side, "server");
    CU_ASSERT_EQUAL(p.server_side.zap_calls, 1);
    CU_ASSERT_EQUAL(p.client_side.zap_calls, 0);
    CU_ASSERT_STRING_EQUAL(p.server_side.zap_mechanism, "CURVE");
    CU_ASSERT_EQUAL(p.server_side.zap_key_size, 32);
    CU_ASSERT(memcmp(p.server_side.zap_key, client_public, 32) == 0);
    CU_ASSERT_EQUAL(p.client_side.protocol_error, 0);
    CU_ASSERT_EQUAL(p.server_side.protocol_error, 0);
    /* Nothing more to send once READY. */
    fake_msg_init(&none);
    CU_ASSERT_EQUAL(ops->next_command(p.client, &none), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    CU_ASSERT_EQUAL(ops->next_command(p.server, &none), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    fake_msg_close(&none);
    transcript_close(&t);
    pair_close(&p);
}

/* Two handshakes with the same keys share nothing on the wire: new
 * transient keys, nonces and cookies each time. */
static void test_handshakes_differ(void)
{
    struct pair a, b;
    struct transcript ta, tb;
    pair_open(&a);
    pair_sessions(&a);
    handshake_recorded(&a, &ta);
    pair_open(&b);
    pair_sessions(&b);
    handshake_recorded(&b, &tb);
    CU_ASSERT(memcmp(ta.hello.data + 80, tb.hello.data + 80, 32) != 0);
    CU_ASSERT(memcmp(ta.welcome.data + 8, tb.welcome.data + 8, 160) != 0);
    CU_ASSERT(memcmp(ta.initiate.data + 9, tb.initiate.data + 9, 96) != 0);
    transcript_close(&ta);
    transcript_close(&tb);
    pair_close(&a);
    pair_close(&b);
}

/* A ZAP request on its way: the server waits until zap_accepted. */
static void test_zap_pending(void)
{
    struct pair p;
    pair_open(&p);
    p.server_side.zap_answer = 0;
    pair_sessions(&p);
    CU_ASSERT_FALSE(handshake(&p));
    CU_ASSERT_EQUAL(p.server_side.zap_calls, 1);
    CU_ASSERT_EQUAL(ops->status(p.server), MODZMQ_MECHANISM_HANDSHAKING);
    struct modzmq_msg none;
    fake_msg_init(&none);
    CU_ASSERT_EQUAL(ops->next_command(p.server, &none), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    fake_msg_close(&none);
    ops->zap_accepted(p.server);
    CU_ASSERT_TRUE(pump(p.server, p.client));
    CU_ASSERT_EQUAL(ops->status(p.client), MODZMQ_MECHANISM_READY);
    CU_ASSERT_EQUAL(ops->status(p.server), MODZMQ_MECHANISM_READY);
    pair_close(&p);
}

/* No ZAP handler where one is required: the core's errno comes back. */
static void test_zap_refused(void)
{
    struct pair p;
    pair_open(&p);
    p.server_side.zap_answer = -1;
    p.server_side.zap_errno = ECONNREFUSED;
    pair_sessions(&p);
    struct transcript t;
    memset(&t, 0, sizeof t);
    next(p.client, &t.hello);
    CU_ASSERT_EQUAL(feed(p.server, t.hello.data, t.hello.size), 0);
    next(p.server, &t.welcome);
    CU_ASSERT_EQUAL(feed(p.client, t.welcome.data, t.welcome.size), 0);
    next(p.client, &t.initiate);
    CU_ASSERT_EQUAL(feed(p.server, t.initiate.data, t.initiate.size), -1);
    CU_ASSERT_EQUAL(errno, ECONNREFUSED);
    CU_ASSERT_EQUAL(p.server_side.protocol_error, 0);
    CU_ASSERT_EQUAL(ops->status(p.server), MODZMQ_MECHANISM_HANDSHAKING);
    transcript_close(&t);
    pair_close(&p);
}

/* A client must know a usable server key: all zeros (never set) is
 * refused when the session is made. */
static void test_missing_server_key(void)
{
    struct pair p;
    pair_open(&p);
    memset(p.client_side.server_key, 0, 32);
    modzmq_mechanism_session *session = NULL;
    CU_ASSERT_EQUAL(ops->session_new(&p.client_side, 0, &session), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    CU_ASSERT_PTR_NULL(session);
}

/* ---- traffic ------------------------------------------------------------ */

/* Parts cross both ways with their MORE and COMMAND flags inside the
 * box; the frames are plain "\7MESSAGE" data frames 33 octets larger. */
static void test_messages(void)
{
    struct pair p;
    pair_open(&p);
    pair_sessions(&p);
    CU_ASSERT_FATAL(handshake(&p));
    static const struct {
        const char *data;
        unsigned flags;
    } parts[] = {
        { "first", MODZMQ_MSG_MORE },
        { "", MODZMQ_MSG_MORE },
        { "last", 0 },
        { "\4PING\0\144\0", MODZMQ_MSG_COMMAND },
    };
    for (int way = 0; way < 2; way++) {
        modzmq_mechanism_session *from = way == 0 ? p.client : p.server;
        modzmq_mechanism_session *to = way == 0 ? p.server : p.client;
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            size_t size = i == 3 ? 9 : strlen(parts[i].data);
            struct modzmq_msg frame, part;
            encode(from, &frame, parts[i].data, size, parts[i].flags);
            CU_ASSERT_EQUAL(frame.size, 33 + size);
            CU_ASSERT(memcmp(frame.data, "\7MESSAGE", 8) == 0);
            CU_ASSERT_EQUAL(frame.flags, 0);
            CU_ASSERT_EQUAL(decode(to, &frame, &part), 0);
            CU_ASSERT_EQUAL(part.size, size);
            CU_ASSERT(size == 0 || memcmp(part.data, parts[i].data, size) == 0);
            CU_ASSERT_EQUAL(part.flags, parts[i].flags);
            fake_msg_close(&frame);
            fake_msg_close(&part);
        }
    }
    /* A 1 MB part, both ways. */
    size_t big = 1 << 20;
    uint8_t *body = malloc(big);
    CU_ASSERT_PTR_NOT_NULL_FATAL(body);
    for (size_t i = 0; i < big; i++)
        body[i] = (uint8_t) (i * 7);
    for (int way = 0; way < 2; way++) {
        struct modzmq_msg frame, part;
        encode(way == 0 ? p.client : p.server, &frame, body, big, 0);
        CU_ASSERT_EQUAL(decode(way == 0 ? p.server : p.client, &frame, &part),
                        0);
        CU_ASSERT_EQUAL(part.size, big);
        CU_ASSERT(part.size == big && memcmp(part.data, body, big) == 0);
        fake_msg_close(&frame);
        fake_msg_close(&part);
    }
    free(body);
    pair_close(&p);
}

/* Every command and message a side sends has a higher short nonce than
 * the one before, from HELLO on; equal parts never give equal frames. */
static void test_nonces_increase(void)
{
    struct pair p;
    pair_open(&p);
    pair_sessions(&p);
    struct transcript t;
    handshake_recorded(&p, &t);
    uint64_t hello = 0, initiate = 0, ready = 0;
    for (int i = 112; i < 120; i++)
        hello = hello << 8 | t.hello.data[i];
    for (int i = 105; i < 113; i++)
        initiate = initiate << 8 | t.initiate.data[i];
    for (int i = 6; i < 14; i++)
        ready = ready << 8 | t.ready.data[i];
    CU_ASSERT(hello < initiate);
    uint64_t last_client = initiate, last_server = ready;
    struct modzmq_msg previous;
    fake_msg_init(&previous);
    for (int i = 0; i < 20; i++) {
        struct modzmq_msg frame;
        bool from_client = i % 3 != 0;
        encode(from_client ? p.client : p.server, &frame, "same", 4, 0);
        uint64_t nonce = frame_nonce(&frame);
        uint64_t *last = from_client ? &last_client : &last_server;
        CU_ASSERT(nonce > *last);
        *last = nonce;
        CU_ASSERT(previous.size != frame.size ||
                  memcmp(previous.data + 16, frame.data + 16, 21) != 0);
        fake_msg_close(&previous);
        previous = frame;
    }
    fake_msg_close(&previous);
    transcript_close(&t);
    pair_close(&p);
}

/* ---- a client made here on libsodium ------------------------------------ */

struct handmade {
    uint8_t transient_public[32], transient_secret[32];
    uint8_t server_transient[32];
    uint8_t cookie[96];
    uint8_t shared[crypto_box_BEFORENMBYTES]; /* (S', c') */
};

static void put_nonce(uint8_t *nonce, const char *prefix, uint64_t counter)
{
    memcpy(nonce, prefix, 16);
    for (int i = 0; i < 8; i++)
        nonce[16 + i] = (uint8_t) (counter >> (56 - 8 * i));
}

static void handmade_hello(struct handmade *h, uint8_t *hello, uint64_t counter)
{
    crypto_box_keypair(h->transient_public, h->transient_secret);
    memset(hello, 0, 200);
    memcpy(hello, "\5HELLO\1\0", 8);
    memcpy(hello + 80, h->transient_public, 32);
    uint8_t nonce[24];
    put_nonce(nonce, "CurveZMQHELLO---", counter);
    memcpy(hello + 112, nonce + 16, 8);
    uint8_t zeros[64] = { 0 };
    CU_ASSERT_EQUAL(crypto_box_easy(hello + 120, zeros, 64, nonce,
                                    server_public, h->transient_secret),
                    0);
}

static bool handmade_welcome(struct handmade *h, const struct modzmq_msg *w)
{
    if (w->size != 168)
        return false;
    uint8_t nonce[24], plain[128];
    memcpy(nonce, "WELCOME-", 8);
    memcpy(nonce + 8, w->data + 8, 16);
    if (crypto_box_open_easy(plain, w->data + 24, 144, nonce, server_public,
                             h->transient_secret) != 0)
        return false;
    memcpy(h->server_transient, plain, 32);
    memcpy(h->cookie, plain + 32, 96);
    return crypto_box_beforenm(h->shared, h->server_transient,
                               h->transient_secret) == 0;
}

/* An INITIATE whose vouch holds vouch_transient and vouch_server, with
 * the "Socket-Type" DEALER metadata; returns its size. */
static size_t handmade_initiate(struct handmade *h, uint8_t *out,
                                uint64_t counter,
                                const uint8_t *vouch_transient,
                                const uint8_t *vouch_server)
{
    static const uint8_t metadata[] = "\13Socket-Type\0\0\0\6DEALER";
    size_t metadata_size = sizeof metadata - 1;
    uint8_t plain[32 + 96 + sizeof metadata];
    memcpy(plain, client_public, 32);
    randombytes_buf(plain + 32, 16);
    uint8_t vouch_nonce[24], vouch_plain[64];
    memcpy(vouch_nonce, "VOUCH---", 8);
    memcpy(vouch_nonce + 8, plain + 32, 16);
    memcpy(vouch_plain, vouch_transient, 32);
    memcpy(vouch_plain + 32, vouch_server, 32);
    CU_ASSERT_EQUAL(crypto_box_easy(plain + 48, vouch_plain, 64, vouch_nonce,
                                    h->server_transient, client_secret),
                    0);
    memcpy(plain + 128, metadata, metadata_size);
    memcpy(out, "\10INITIATE", 9);
    memcpy(out + 9, h->cookie, 96);
    uint8_t nonce[24];
    put_nonce(nonce, "CurveZMQINITIATE", counter);
    memcpy(out + 105, nonce + 16, 8);
    crypto_box_easy_afternm(out + 113, plain, 128 + metadata_size, nonce,
                            h->shared);
    return 113 + 16 + 128 + metadata_size;
}

/* Our server against the handmade client: handshake, then a MESSAGE each
 * way sealed and opened with RFC 26's nonce prefixes by the test. */
static void test_handmade_client(void)
{
    struct pair p;
    pair_open(&p);
    CU_ASSERT_EQUAL_FATAL(ops->session_new(&p.server_side, 1, &p.server), 0);
    struct handmade h;
    uint8_t hello[200], initiate[512];
    handmade_hello(&h, hello, 1);
    CU_ASSERT_EQUAL_FATAL(feed(p.server, hello, sizeof hello), 0);
    struct modzmq_msg welcome, ready;
    next(p.server, &welcome);
    CU_ASSERT_FATAL(handmade_welcome(&h, &welcome));
    size_t size =
        handmade_initiate(&h, initiate, 2, h.transient_public, server_public);
    CU_ASSERT_EQUAL_FATAL(feed(p.server, initiate, size), 0);
    CU_ASSERT_STRING_EQUAL(p.server_side.peer_socket_type, "DEALER");
    next(p.server, &ready);
    CU_ASSERT_EQUAL(ops->status(p.server), MODZMQ_MECHANISM_READY);
    uint8_t nonce[24], plain[64];
    memcpy(nonce, "CurveZMQREADY---", 16);
    memcpy(nonce + 16, ready.data + 6, 8);
    CU_ASSERT_EQUAL(crypto_box_open_easy_afternm(plain, ready.data + 14,
                                                 ready.size - 14, nonce,
                                                 h.shared),
                    0);

    /* Server to client: flags octet, then the data. */
    struct modzmq_msg frame, part;
    encode(p.server, &frame, "abc", 3, MODZMQ_MSG_MORE);
    memcpy(nonce, "CurveZMQMESSAGES", 16);
    memcpy(nonce + 16, frame.data + 8, 8);
    CU_ASSERT_EQUAL(frame.size, 36);
    CU_ASSERT_EQUAL(crypto_box_open_easy_afternm(plain, frame.data + 16, 20,
                                                 nonce, h.shared),
                    0);
    CU_ASSERT(memcmp(plain, "\1abc", 4) == 0);
    fake_msg_close(&frame);

    /* Every size around Salsa20's block edges, both ways, opened and
     * sealed by libsodium's crypto_box on the test's side. */
    static const size_t sizes[] = { 0, 30, 31, 32, 33, 62, 63, 64, 65, 200 };
    uint8_t text[256], sealed[16 + 16 + 256], opened[256];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (uint8_t) (i * 31 + 7);
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        size_t n = sizes[k];
        encode(p.server, &frame, text, n, 0);
        CU_ASSERT_EQUAL(frame.size, 33 + n);
        memcpy(nonce + 16, frame.data + 8, 8);
        CU_ASSERT_EQUAL(crypto_box_open_easy_afternm(opened, frame.data + 16,
                                                     frame.size - 16, nonce,
                                                     h.shared),
                        0);
        CU_ASSERT_EQUAL(opened[0], 0);
        CU_ASSERT(n == 0 || memcmp(opened + 1, text, n) == 0);
        fake_msg_close(&frame);

        uint8_t plain_in[257];
        plain_in[0] = 1;
        memcpy(plain_in + 1, text, n);
        uint8_t client_nonce[24];
        put_nonce(client_nonce, "CurveZMQMESSAGEC", 10 + k);
        memcpy(sealed, "\7MESSAGE", 8);
        memcpy(sealed + 8, client_nonce + 16, 8);
        crypto_box_easy_afternm(sealed + 16, plain_in, n + 1, client_nonce,
                                h.shared);
        fake_msg_init(&frame);
        fake_msg_set(&frame, sealed, 33 + n, 0);
        CU_ASSERT_EQUAL(decode(p.server, &frame, &part), 0);
        CU_ASSERT_EQUAL(part.size, n);
        CU_ASSERT(n == 0 || memcmp(part.data, text, n) == 0);
        CU_ASSERT_EQUAL(part.flags, MODZMQ_MSG_MORE);
        fake_msg_close(&frame);
        fake_msg_close(&part);
    }

    /* Client to server, a nonce above those just used. */
    uint8_t message[16 + 16 + 4];
    memcpy(message, "\7MESSAGE", 8);
    put_nonce(nonce, "CurveZMQMESSAGEC", 100);
    memcpy(message + 8, nonce + 16, 8);
    crypto_box_easy_afternm(message + 16, (const uint8_t *) "\2xyz", 4, nonce,
                            h.shared);
    fake_msg_init(&frame);
    fake_msg_set(&frame, message, sizeof message, 0);
    CU_ASSERT_EQUAL(decode(p.server, &frame, &part), 0);
    CU_ASSERT_EQUAL(part.size, 3);
    CU_ASSERT(memcmp(part.data, "xyz", 3) == 0);
    CU_ASSERT_EQUAL(part.flags, MODZMQ_MSG_COMMAND);
    fake_msg_close(&frame);
    fake_msg_close(&part);
    fake_msg_close(&welcome);
    fake_msg_close(&ready);
    pair_close(&p);
}

/* ---- bad input: HELLO -------------------------------------------------- */

/* The server's answer to one HELLO body: -1, EPROTO and code expected. */
static void expect_server_rejects(const uint8_t *body, size_t size, int code)
{
    struct pair p;
    pair_open(&p);
    pair_sessions(&p);
    CU_ASSERT_EQUAL(feed(p.server, body, size), -1);
    CU_ASSERT_EQUAL(errno, EPROTO);
    CU_ASSERT_EQUAL(p.server_side.protocol_error, code);
    pair_close(&p);
}

static void test_bad_hello(void)
{
    struct pair p;
    pair_open(&p);
    pair_sessions(&p);
    struct modzmq_msg hello;
    next(p.client, &hello);
    uint8_t body[256];
    memcpy(body, hello.data, 200);
    memset(body + 200, 0, sizeof body - 200);
    fake_msg_close(&hello);
    pair_close(&p);

    /* Truncated and oversized. */
    expect_server_rejects(body, 199,
                          ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
    expect_server_rejects(body, 201,
                          ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
    expect_server_rejects(body, 6,
                          ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
    /* Shorter than its own name, or no name at all. */
    expect_server_rejects(
        body, 4, ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED);
    expect_server_rejects(
        body, 1, ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED);
    /* Another version. */
    body[6] = 2;
    expect_server_rejects(body, 200,
                          ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
    body[6] = 1;
    /* A box that does not open: any octet of it changed, or C' changed. */
    body[150] ^= 1;
    expect_server_rejects(body, 200, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    body[150] ^= 1;
    body[90] ^= 1;
    expect_server_rejects(body, 200, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    body[90] ^= 1;
    body[115] ^= 1; /* the nonce */
    expect_server_rejects(body, 200, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    body[115] ^= 1;
    /* Another command first. */
    memcpy(body, "\5READY", 6);
    expect_server_rejects(body, 200,
                          ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
}

/* A client that has the wrong server key: its HELLO does not open. */
static void test_wrong_server_key(void)
{
    struct pair p;
    pair_open(&p);
    p.client_side.server_key[0] ^= 1;
    pair_sessions(&p);
    CU_ASSERT_FALSE(handshake(&p));
    CU_ASSERT_EQUAL(errno, EPROTO);
    CU_ASSERT_EQUAL(p.server_side.protocol_error,
                    ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    CU_ASSERT_EQUAL(ops->status(p.server), MODZMQ_MECHANISM_HANDSHAKING);
    CU_ASSERT_EQUAL(p.server_side.zap_calls, 0);
    pair_close(&p);
}

/* ---- bad input: WELCOME ------------------------------------------------- */

/* The client's answer to a WELCOME-time command. */
static void expect_client_rejects_welcome(const uint8_t *body, size_t size,
                                          int code)
{
    struct pair p;
    pair_open(&p);
    pair_sessions(&p);
    struct modzmq_msg hello;
    next(p.client, &hello);
    fake_msg_close(&hello);
    CU_ASSERT_EQUAL(feed(p.client, body, size), -1);
    CU_ASSERT_EQUAL(errno, EPROTO);
    CU_ASSERT_EQUAL(p.client_side.protocol_error, code);
    pair_close(&p);
}

static void test_bad_welcome(void)
{
    struct pair p;
    pair_open(&p);
    pair_sessions(&p);
    struct transcript t;
    handshake_recorded(&p, &t);
    pair_close(&p);
    uint8_t body[200];
    memcpy(body, t.welcome.data, 168);
    memset(body + 168, 0, sizeof body - 168);
    /* A WELCOME meant for another client (the transcript's C'). */
    expect_client_rejects_welcome(body, 168,
                                  ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    /* Of the wrong size, truncated to its name, or too long. */
    expect_client_rejects_welcome(body, 167,
                                  ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    expect_client_rejects_welcome(body, 169,
                                  ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    expect_client_rejects_welcome(body, 8,
                                  ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    expect_client_rejects_welcome(body, 5,
                                  ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    /* Another command instead (READY: there is no key to open it yet,
     * which libzmq reports as cryptographic). */
    expect_client_rejects_welcome(t.ready.data, t.ready.size,
                                  ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    expect_client_rejects_welcome(t.hello.data, t.hello.size,
                                  ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);

    /* The right WELCOME with one octet changed. */
    pair_open(&p);
    pair_sessions(&p);
    struct modzmq_msg hello, welcome;
    next(p.client, &hello);
    CU_ASSERT_EQUAL(feed(p.server, hello.data, hello.size), 0);
    next(p.server, &welcome);
    welcome.data[100] ^= 0x20;
    CU_ASSERT_EQUAL(feed(p.client, welcome.data, welcome.size), -1);
    CU_ASSERT_EQUAL(errno, EPROTO);
    CU_ASSERT_EQUAL(p.client_side.protocol_error,
                    ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    fake_msg_close(&hello);
    fake_msg_close(&welcome);
    transcript_close(&t);
    pair_close(&p);
}

/* ---- bad input: INITIATE (cookie, vouch, box, nonce) -------------------- */

/* A server that has sent WELCOME to the handmade client h. */
static void server_welcomed(struct pair *p, struct handmade *h)
{
    pair_open(p);
    CU_ASSERT_EQUAL_FATAL(ops->session_new(&p->server_side, 1, &p->server), 0);
    uint8_t hello[200];
    handmade_hello(h, hello, 1);
    CU_ASSERT_EQUAL_FATAL(feed(p->server, hello, sizeof hello), 0);
    struct modzmq_msg welcome;
    next(p->server, &welcome);
    CU_ASSERT_FATAL(handmade_welcome(h, &welcome));
    fake_msg_close(&welcome);
}

static void expect_initiate_rejected(struct pair *p, const uint8_t *body,
                                     size_t size, int code)
{
    CU_ASSERT_EQUAL(feed(p->server, body, size), -1);
    CU_ASSERT_EQUAL(errno, EPROTO);
    CU_ASSERT_EQUAL(p->server_side.protocol_error, code);
    CU_ASSERT_EQUAL(p->server_side.zap_calls, 0);
    CU_ASSERT_EQUAL(p->server_side.metadata_reads, 0);
    pair_close(p);
}

static void test_bad_cookie(void)
{
    struct pair p;
    struct handmade h;
    uint8_t initiate[512];
    size_t size;
    /* Any octet of the cookie (its nonce, its box) changed. */
    for (size_t at = 9; at < 105; at += 47) {
        server_welcomed(&p, &h);
        size = handmade_initiate(&h, initiate, 2, h.transient_public,
                                 server_public);
        initiate[at] ^= 4;
        expect_initiate_rejected(&p, initiate, size,
                                 ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    }
    /* Another session's cookie: its key is not this session's. */
    struct pair other;
    struct handmade h2;
    server_welcomed(&other, &h2);
    server_welcomed(&p, &h);
    memcpy(h.cookie, h2.cookie, 96);
    size =
        handmade_initiate(&h, initiate, 2, h.transient_public, server_public);
    expect_initiate_rejected(&p, initiate, size,
                             ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    pair_close(&other);
}

static void test_bad_vouch(void)
{
    struct pair p;
    struct handmade h;
    uint8_t initiate[512];
    size_t size;
    /* The vouch names another C' or another server. */
    uint8_t other[32];
    randombytes_buf(other, sizeof other);
    server_welcomed(&p, &h);
    size = handmade_initiate(&h, initiate, 2, other, server_public);
    expect_initiate_rejected(&p, initiate, size,
                             ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE);
    server_welcomed(&p, &h);
    size = handmade_initiate(&h, initiate, 2, h.transient_public, other);
    expect_initiate_rejected(&p, initiate, size,
                             ZMQ_PROTOCOL_ERROR_ZMTP_KEY_EXCHANGE);

    /* A client whose public key is not its secret key's: the vouch,
     * boxed with the secret key, does not open with the public one. */
    pair_open(&p);
    p.client_side.public_key[5] ^= 1;
    pair_sessions(&p);
    CU_ASSERT_FALSE(handshake(&p));
    CU_ASSERT_EQUAL(errno, EPROTO);
    CU_ASSERT_EQUAL(p.server_side.protocol_error,
                    ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    CU_ASSERT_EQUAL(p.server_side.zap_calls, 0);
    pair_close(&p);
}

static void test_bad_initiate(void)
{
    struct pair p;
    struct handmade h;
    uint8_t initiate[512];
    size_t size;
    /* Truncated below the 257 octets of an INITIATE without metadata. */
    server_welcomed(&p, &h);
    size =
        handmade_initiate(&h, initiate, 2, h.transient_public, server_public);
    expect_initiate_rejected(
        &p, initiate, 256, ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE);
    /* Its box changed, or cut short by one octet. */
    server_welcomed(&p, &h);
    size =
        handmade_initiate(&h, initiate, 2, h.transient_public, server_public);
    initiate[size - 1] ^= 1;
    expect_initiate_rejected(&p, initiate, size,
                             ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    server_welcomed(&p, &h);
    size =
        handmade_initiate(&h, initiate, 2, h.transient_public, server_public);
    expect_initiate_rejected(&p, initiate, size - 1,
                             ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    /* Its nonce no higher than HELLO's. */
    server_welcomed(&p, &h);
    size =
        handmade_initiate(&h, initiate, 1, h.transient_public, server_public);
    expect_initiate_rejected(&p, initiate, size,
                             ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE);
    /* HELLO again, or a name only. */
    server_welcomed(&p, &h);
    uint8_t hello[200];
    handmade_hello(&h, hello, 3);
    expect_initiate_rejected(&p, hello, sizeof hello,
                             ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    server_welcomed(&p, &h);
    expect_initiate_rejected(
        &p, (const uint8_t *) "\10INIT", 5,
        ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED);
}

/* Metadata the core refuses, in INITIATE or in READY: the session
 * fails with the core's error and asks no ZAP. */
static void test_bad_metadata(void)
{
    static const uint8_t garbage[] = "\0\0\0\0\7";
    struct pair p;
    pair_open(&p);
    p.client_side.raw_metadata = garbage;
    p.client_side.raw_metadata_size = 5;
    pair_sessions(&p);
    CU_ASSERT_FALSE(handshake(&p));
    CU_ASSERT_EQUAL(errno, EPROTO);
    CU_ASSERT_EQUAL(p.server_side.protocol_error,
                    ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA);
    CU_ASSERT_EQUAL(p.server_side.zap_calls, 0);
    pair_close(&p);

    pair_open(&p);
    p.server_side.raw_metadata = garbage;
    p.server_side.raw_metadata_size = 5;
    pair_sessions(&p);
    CU_ASSERT_FALSE(handshake(&p));
    CU_ASSERT_EQUAL(errno, EPROTO);
    CU_ASSERT_EQUAL(p.client_side.protocol_error,
                    ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA);
    CU_ASSERT_EQUAL(ops->status(p.client), MODZMQ_MECHANISM_HANDSHAKING);
    pair_close(&p);
}

/* ---- bad input: READY, and commands out of sequence ---------------------- */

/* A client that has sent INITIATE, and the READY its server made. */
static void client_initiated(struct pair *p, struct modzmq_msg *ready)
{
    pair_open(p);
    pair_sessions(p);
    struct modzmq_msg command;
    next(p->client, &command);
    CU_ASSERT_EQUAL(feed(p->server, command.data, command.size), 0);
    fake_msg_close(&command);
    next(p->server, &command);
    CU_ASSERT_EQUAL(feed(p->client, command.data, command.size), 0);
    fake_msg_close(&command);
    next(p->client, &command);
    CU_ASSERT_EQUAL(feed(p->server, command.data, command.size), 0);
    fake_msg_close(&command);
    next(p->server, ready);
}

static void expect_client_rejects_ready(struct pair *p, const uint8_t *body,
                                        size_t size, int code)
{
    CU_ASSERT_EQUAL(feed(p->client, body, size), -1);
    CU_ASSERT_EQUAL(errno, EPROTO);
    CU_ASSERT_EQUAL(p->client_side.protocol_error, code);
    CU_ASSERT_EQUAL(ops->status(p->client), MODZMQ_MECHANISM_HANDSHAKING);
}

static void test_bad_ready(void)
{
    struct pair p;
    struct modzmq_msg ready;
    /* Truncated below 30 octets. */
    client_initiated(&p, &ready);
    expect_client_rejects_ready(
        &p, ready.data, 29, ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY);
    fake_msg_close(&ready);
    pair_close(&p);
    /* One octet changed. */
    client_initiated(&p, &ready);
    ready.data[ready.size - 3] ^= 1;
    expect_client_rejects_ready(&p, ready.data, ready.size,
                                ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    fake_msg_close(&ready);
    pair_close(&p);
    /* A WELCOME where READY is due. */
    client_initiated(&p, &ready);
    uint8_t welcome[168] = "\7WELCOME";
    expect_client_rejects_ready(&p, welcome, sizeof welcome,
                                ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    fake_msg_close(&ready);
    pair_close(&p);
}

/* A server given a command while it has one to send, or while it waits
 * for ZAP, fails as libzmq does (unspecified). */
static void test_server_out_of_sequence(void)
{
    struct pair p;
    pair_open(&p);
    pair_sessions(&p);
    struct modzmq_msg hello;
    next(p.client, &hello);
    CU_ASSERT_EQUAL(feed(p.server, hello.data, hello.size), 0);
    CU_ASSERT_EQUAL(feed(p.server, hello.data, hello.size), -1);
    CU_ASSERT_EQUAL(errno, EPROTO);
    CU_ASSERT_EQUAL(p.server_side.protocol_error,
                    ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED);
    fake_msg_close(&hello);
    pair_close(&p);

    pair_open(&p);
    p.server_side.zap_answer = 0;
    pair_sessions(&p);
    CU_ASSERT_FALSE(handshake(&p));
    CU_ASSERT_EQUAL(errno, EAGAIN);
    uint8_t message[40] = "\7MESSAGE";
    CU_ASSERT_EQUAL(feed(p.server, message, sizeof message), -1);
    CU_ASSERT_EQUAL(errno, EPROTO);
    CU_ASSERT_EQUAL(p.server_side.protocol_error,
                    ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED);
    pair_close(&p);
}

/* ---- bad input: MESSAGE -------------------------------------------------- */

static void expect_decode_fails(modzmq_mechanism_session *to,
                                struct modzmq_connection *side,
                                const struct modzmq_msg *frame, int code)
{
    struct modzmq_msg part;
    CU_ASSERT_EQUAL(decode(to, frame, &part), -1);
    CU_ASSERT_EQUAL(errno, EPROTO);
    CU_ASSERT_EQUAL(side->protocol_error, code);
    fake_msg_close(&part);
}

/* A frame seen twice, or frames taken out of order, are refused. */
static void test_message_replay(void)
{
    struct pair p;
    pair_open(&p);
    pair_sessions(&p);
    CU_ASSERT_FATAL(handshake(&p));
    struct modzmq_msg first, second, part;
    encode(p.client, &first, "one", 3, 0);
    encode(p.client, &second, "two", 3, 0);
    CU_ASSERT_EQUAL(decode(p.server, &first, &part), 0);
    fake_msg_close(&part);
    expect_decode_fails(p.server, &p.server_side, &first,
                        ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE);
    fake_msg_close(&first);
    fake_msg_close(&second);
    pair_close(&p);

    pair_open(&p);
    pair_sessions(&p);
    CU_ASSERT_FATAL(handshake(&p));
    encode(p.server, &first, "one", 3, 0);
    encode(p.server, &second, "two", 3, 0);
    CU_ASSERT_EQUAL(decode(p.client, &second, &part), 0);
    fake_msg_close(&part);
    expect_decode_fails(p.client, &p.client_side, &first,
                        ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE);
    fake_msg_close(&first);
    fake_msg_close(&second);
    pair_close(&p);
}

static void test_bad_message(void)
{
    struct pair p;
    struct modzmq_msg frame;
    /* One octet of the box changed. */
    pair_open(&p);
    pair_sessions(&p);
    CU_ASSERT_FATAL(handshake(&p));
    encode(p.client, &frame, "payload", 7, 0);
    frame.data[frame.size - 1] ^= 1;
    expect_decode_fails(p.server, &p.server_side, &frame,
                        ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    fake_msg_close(&frame);
    pair_close(&p);
    /* Below 33 octets. */
    pair_open(&p);
    pair_sessions(&p);
    CU_ASSERT_FATAL(handshake(&p));
    encode(p.client, &frame, "", 0, 0);
    frame.size = 32;
    expect_decode_fails(p.server, &p.server_side, &frame,
                        ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE);
    fake_msg_close(&frame);
    pair_close(&p);
    /* Not a MESSAGE: a plain part or command. */
    pair_open(&p);
    pair_sessions(&p);
    CU_ASSERT_FATAL(handshake(&p));
    fake_msg_init(&frame);
    fake_msg_set(&frame, "\4PING\0\1\0", 8, MODZMQ_MSG_COMMAND);
    expect_decode_fails(p.server, &p.server_side, &frame,
                        ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    fake_msg_close(&frame);
    pair_close(&p);
    /* A side's own frame sent back to it: the direction is in the nonce
     * prefix, so it does not open. */
    pair_open(&p);
    pair_sessions(&p);
    CU_ASSERT_FATAL(handshake(&p));
    encode(p.client, &frame, "mirror", 6, 0);
    frame.data[15] += 100; /* above anything the server sent */
    expect_decode_fails(p.client, &p.client_side, &frame,
                        ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    fake_msg_close(&frame);
    pair_close(&p);
}

/* ---- key pairs ---------------------------------------------------------- */

static void test_keypair(void)
{
    char public_key[41], secret_key[41], derived[41];
    memset(public_key, 'x', sizeof public_key);
    CU_ASSERT_EQUAL(keys->keypair(public_key, secret_key), 0);
    CU_ASSERT_EQUAL(strlen(public_key), 40);
    CU_ASSERT_EQUAL(strlen(secret_key), 40);
    CU_ASSERT_EQUAL(keys->public_key(derived, secret_key), 0);
    CU_ASSERT_STRING_EQUAL(derived, public_key);
    char again[41], again_secret[41];
    CU_ASSERT_EQUAL(keys->keypair(again, again_secret), 0);
    CU_ASSERT_STRING_NOT_EQUAL(again, public_key);

    /* The known pairs of zmq_curve(7). */
    CU_ASSERT_EQUAL(keys->public_key(derived, client_secret_z85), 0);
    CU_ASSERT_STRING_EQUAL(derived, client_public_z85);
    CU_ASSERT_EQUAL(keys->public_key(derived, server_secret_z85), 0);
    CU_ASSERT_STRING_EQUAL(derived, server_public_z85);

    /* Not Z85 keys: too short, too long, a foreign character, a chunk
     * above 2^32. */
    CU_ASSERT_EQUAL(keys->public_key(derived, "abc"), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    char text[48];
    snprintf(text, sizeof text, "%sx", client_secret_z85);
    CU_ASSERT_EQUAL(keys->public_key(derived, text), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    snprintf(text, sizeof text, "%s", client_secret_z85);
    text[7] = '~';
    CU_ASSERT_EQUAL(keys->public_key(derived, text), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
    memcpy(text, "#####", 5);
    text[7] = 'a';
    CU_ASSERT_EQUAL(keys->public_key(derived, text), -1);
    CU_ASSERT_EQUAL(errno, EINVAL);
}

int main(void)
{
    if (load_plugin() != 0) {
        fprintf(stderr, "cannot load %s\n", CURVE_MODULE_PATH);
        return 1;
    }
    static const struct test_case cases[] = {
        { "descriptor", test_descriptor },
        { "handshake", test_handshake },
        { "handshakes differ", test_handshakes_differ },
        { "ZAP pending", test_zap_pending },
        { "ZAP refused", test_zap_refused },
        { "missing server key", test_missing_server_key },
        { "messages both ways", test_messages },
        { "nonces increase", test_nonces_increase },
        { "handmade client", test_handmade_client },
        { "bad HELLO", test_bad_hello },
        { "wrong server key", test_wrong_server_key },
        { "bad WELCOME", test_bad_welcome },
        { "bad cookie", test_bad_cookie },
        { "bad vouch", test_bad_vouch },
        { "bad INITIATE", test_bad_initiate },
        { "bad metadata", test_bad_metadata },
        { "bad READY", test_bad_ready },
        { "server out of sequence", test_server_out_of_sequence },
        { "MESSAGE replay", test_message_replay },
        { "bad MESSAGE", test_bad_message },
        { "key pairs", test_keypair },
    };
    int status = test_run_suite("curve", cases, sizeof cases / sizeof cases[0]);
    dlclose(module);
    return status;
}
