/*
 * The CURVE plugin against real libzmq 4.3 on the wire, below the engine:
 * the suite speaks ZMTP itself over a tcp socket on loopback (greeting,
 * then command and message frames) and runs the plugin's sessions with
 * the fake services of curve_fake_core.h, facing a pyzmq peer (peer.h)
 * in either role. Good handshakes and traffic must work both ways, and
 * for each kind of bad input the protocol error libzmq reports in its
 * monitor events must be the one our own session records for the same
 * bytes.
 */
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include <modzmq/curve.h>

#include "curve_fake_core.h"
#include "peer.h"
#include "raw_zmtp.h"
#include "testutil.h"
#include "zmq.h"

static void *module;
static const struct modzmq_mechanism_ops *ops;

/* The server pair of zmq_curve(7) and a client pair made per run. */
static const char server_public_hex[] =
    "54fcba24e93249969316fb617c872bb0c1d1ff14800427c594cbfacf1bc2d652";
static const char server_secret_hex[] =
    "8e0bdd697628b91d8f245587ee95c5b04d48963f79259877b49cd9063aead3b7";
static uint8_t server_public[32], server_secret[32];
static uint8_t client_public[32], client_secret[32];
static char client_public_hex[65], client_secret_hex[65];

enum {
    EVENT_HANDSHAKE_SUCCEEDED = 0x1000,
    EVENT_HANDSHAKE_FAILED_PROTOCOL = 0x2000,
};

static void hex_to(uint8_t *out, const char *hex, size_t size)
{
    for (size_t i = 0; i < size; i++)
        sscanf(hex + 2 * i, "%2hhx", &out[i]);
}

static int setup(void)
{
    module = dlopen(CURVE_MODULE_PATH, RTLD_NOW | RTLD_LOCAL);
    if (module == NULL)
        return -1;
    const struct modzmq_plugin *(*entry)(void);
    *(void **) &entry = dlsym(module, "modzmq_curve_LTX_modzmq_plugin_entry");
    if (entry == NULL || entry()->init(fake_core_services(), NULL) != 0)
        return -1;
    ops = entry()->ops;
    hex_to(server_public, server_public_hex, 32);
    hex_to(server_secret, server_secret_hex, 32);
    const struct modzmq_curve_keys *keys = NULL;
    for (const struct modzmq_extension *x = entry()->extensions;
         x != NULL && x->name != NULL; x++) {
        if (strcmp(x->name, MODZMQ_CURVE_KEYS) == 0)
            keys = x->table;
    }
    if (keys == NULL)
        return -1;
    char z85_public[41], z85_secret[41];
    keys->keypair(z85_public, z85_secret);
    zmq_z85_decode(client_public, z85_public);
    zmq_z85_decode(client_secret, z85_secret);
    test_peer_part(client_public_hex, client_public, 32);
    test_peer_part(client_secret_hex, client_secret, 32);
    return 0;
}

/* ---- frames of modzmq_msg ------------------------------------------- */

/* The frame a modzmq_msg stands for: its flags in ZMTP's bits. */
static bool send_msg(int fd, const struct modzmq_msg *msg)
{
    uint8_t flags = 0;
    if (msg->flags & MODZMQ_MSG_MORE)
        flags |= RAW_FRAME_MORE;
    if (msg->flags & MODZMQ_MSG_COMMAND)
        flags |= RAW_FRAME_COMMAND;
    return raw_send_frame(fd, msg->data, msg->size, flags);
}

/* One frame into msg (flags in MODZMQ_MSG_* terms), its ZMTP flags octet
 * in *wire_flags. */
static bool recv_frame(int fd, struct modzmq_msg *msg, uint8_t *wire_flags)
{
    uint8_t header[9];
    if (!raw_read(fd, header, 2))
        return false;
    uint64_t size = header[1];
    if (header[0] & RAW_FRAME_LONG) {
        if (!raw_read(fd, header + 2, 7))
            return false;
        size = 0;
        for (int i = 1; i < 9; i++)
            size = size << 8 | header[i];
        if (size > (1u << 26))
            return false;
    }
    uint8_t *body = malloc(size > 0 ? size : 1);
    bool ok = body != NULL && raw_read(fd, body, size);
    if (ok)
        fake_msg_set(
            msg, body, size,
            (header[0] & RAW_FRAME_MORE ? MODZMQ_MSG_MORE : 0) |
                (header[0] & RAW_FRAME_COMMAND ? MODZMQ_MSG_COMMAND : 0));
    free(body);
    *wire_flags = header[0];
    return ok;
}

/* ---- the libzmq peer ---------------------------------------------------- */

static bool ask_ok(struct test_peer *peer, const char *command)
{
    const char *answer = test_peer_ask(peer, "%s", command);
    CU_ASSERT_PTR_NOT_NULL(answer);
    if (answer == NULL || strncmp(answer, "ok", 2) != 0) {
        fprintf(stderr, "peer: %s -> %s\n", command,
                answer != NULL ? answer : "(nothing)");
        return false;
    }
    return true;
}

/* A libzmq DEALER with CURVE in the given role and our test keys, its
 * events recorded. */
static struct test_peer *curve_peer(bool as_server)
{
    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL(peer);
    if (peer == NULL)
        return NULL;
    char command[256];
    bool ok = ask_ok(peer, "socket DEALER");
    if (as_server) {
        ok = ok && ask_ok(peer, "set CURVE_SERVER 1");
        snprintf(command, sizeof command, "set CURVE_SECRETKEY hex:%s",
                 server_secret_hex);
        ok = ok && ask_ok(peer, command);
    } else {
        snprintf(command, sizeof command, "set CURVE_SERVERKEY hex:%s",
                 server_public_hex);
        ok = ok && ask_ok(peer, command);
        snprintf(command, sizeof command, "set CURVE_PUBLICKEY hex:%s",
                 client_public_hex);
        ok = ok && ask_ok(peer, command);
        snprintf(command, sizeof command, "set CURVE_SECRETKEY hex:%s",
                 client_secret_hex);
        ok = ok && ask_ok(peer, command);
    }
    ok = ok && ask_ok(peer, "monitor");
    if (!ok) {
        test_peer_stop(peer);
        return NULL;
    }
    return peer;
}

/* How the peer's last handshake ended: the protocol error it reported,
 * 0 for success, -1 for anything else. */
static int peer_outcome(struct test_peer *peer)
{
    const char *answer = test_peer_ask(peer, "events %d", RAW_WAIT_MS);
    if (answer == NULL || strncmp(answer, "events", 6) != 0)
        return -1;
    const char *at = answer + 6;
    unsigned event;
    unsigned long value;
    int consumed;
    while (sscanf(at, " %u:%lu%n", &event, &value, &consumed) == 2) {
        at += consumed;
        if (event == EVENT_HANDSHAKE_SUCCEEDED)
            return 0;
        if (event == EVENT_HANDSHAKE_FAILED_PROTOCOL)
            return (int) value;
    }
    fprintf(stderr, "peer events: %s\n", answer);
    return -1;
}

/* ---- sessions over the wire --------------------------------------------- */

/* Changes the step-th command a session sends (0 for the first). */
typedef void (*mutate_fn)(int step, struct modzmq_msg *command);

/* The fake connection of our side, with the test keys. */
static void our_side(struct modzmq_connection *side, bool as_server)
{
    fake_connection_init(side, "DEALER");
    if (as_server) {
        memcpy(side->public_key, server_public, 32);
        memcpy(side->secret_key, server_secret, 32);
    } else {
        memcpy(side->public_key, client_public, 32);
        memcpy(side->secret_key, client_secret, 32);
        memcpy(side->server_key, server_public, 32);
    }
}

/* Runs session's handshake over fd: sends what it has (through mutate),
 * then processes one command from the peer, until READY. 0 when READY,
 * -1 when the peer closed, sent ERROR, or the session refused. */
static int run_handshake(int fd, modzmq_mechanism_session *session,
                         mutate_fn mutate)
{
    int step = 0;
    for (int round = 0; round < 6; round++) {
        struct modzmq_msg command;
        fake_msg_init(&command);
        while (ops->next_command(session, &command) == 0) {
            if (mutate != NULL)
                mutate(step, &command);
            step++;
            if (!send_msg(fd, &command)) {
                fake_msg_close(&command);
                return -1;
            }
        }
        if (ops->status(session) == MODZMQ_MECHANISM_READY) {
            fake_msg_close(&command);
            return 0;
        }
        uint8_t wire_flags;
        bool got = recv_frame(fd, &command, &wire_flags);
        int rc = -1;
        if (got && (wire_flags & RAW_FRAME_COMMAND) &&
            !(command.size >= 6 && memcmp(command.data, "\5ERROR", 6) == 0))
            rc = ops->process_command(session, &command);
        fake_msg_close(&command);
        if (rc != 0)
            return -1;
    }
    return -1;
}

/* The same exchange between two of our sessions, mutate applied to the
 * commands of the side named by mutate_server; returns the protocol
 * error the other side recorded (0 when the handshake worked). */
static int our_outcome(bool mutate_server, mutate_fn mutate)
{
    struct modzmq_connection client_side, server_side;
    our_side(&client_side, false);
    our_side(&server_side, true);
    modzmq_mechanism_session *client, *server;
    CU_ASSERT_EQUAL_FATAL(ops->session_new(&client_side, 0, &client), 0);
    CU_ASSERT_EQUAL_FATAL(ops->session_new(&server_side, 1, &server), 0);
    int steps[2] = { 0, 0 };
    bool failed = false;
    for (int round = 0; round < 6 && !failed; round++) {
        for (int turn = 0; turn < 2 && !failed; turn++) {
            modzmq_mechanism_session *from = turn == 0 ? client : server;
            modzmq_mechanism_session *to = turn == 0 ? server : client;
            struct modzmq_msg command;
            fake_msg_init(&command);
            while (!failed && ops->next_command(from, &command) == 0) {
                if (mutate != NULL && mutate_server == (turn == 1))
                    mutate(steps[turn], &command);
                steps[turn]++;
                failed = ops->process_command(to, &command) != 0;
            }
            fake_msg_close(&command);
        }
    }
    int code =
        mutate_server ? client_side.protocol_error : server_side.protocol_error;
    ops->session_free(client);
    ops->session_free(server);
    return code;
}

/* A connection of ours in the given role facing a libzmq peer in the
 * other, greeted and ready for the handshake. */
struct link {
    struct test_peer *peer;
    int fd;
    struct modzmq_connection side;
    modzmq_mechanism_session *session;
};

static bool link_open(struct link *l, bool we_serve)
{
    memset(l, 0, sizeof *l);
    l->fd = -1;
    l->peer = curve_peer(!we_serve);
    if (l->peer == NULL)
        return false;
    if (we_serve) {
        char endpoint[64], command[96];
        int listener = raw_listen(endpoint, sizeof endpoint);
        snprintf(command, sizeof command, "connect %s", endpoint);
        if (listener >= 0 && ask_ok(l->peer, command))
            l->fd = raw_accept(listener);
        close(listener);
    } else {
        const char *answer = test_peer_ask(l->peer, "bind tcp://127.0.0.1:*");
        if (answer != NULL && strncmp(answer, "ok ", 3) == 0)
            l->fd = raw_connect(answer + 3);
    }
    our_side(&l->side, we_serve);
    bool ok = l->fd >= 0 && raw_greet(l->fd, "CURVE", we_serve) &&
              ops->session_new(&l->side, we_serve, &l->session) == 0;
    CU_ASSERT(ok);
    return ok;
}

static void link_close(struct link *l)
{
    if (l->session != NULL)
        ops->session_free(l->session);
    if (l->fd >= 0)
        close(l->fd);
    test_peer_stop(l->peer);
}

/* ---- good exchanges ------------------------------------------------------ */

/* Sends "a" MORE "b" and checks the peer got both; the peer sends "x"
 * "" "z" and we check each frame: a final data frame on the wire, the
 * MORE flags restored by decode. */
static void exchange_messages(struct link *l)
{
    struct modzmq_msg part;
    fake_msg_init(&part);
    fake_msg_set(&part, "a", 1, MODZMQ_MSG_MORE);
    CU_ASSERT_EQUAL(ops->encode(l->session, &part), 0);
    CU_ASSERT(send_msg(l->fd, &part));
    fake_msg_set(&part, "b", 1, 0);
    CU_ASSERT_EQUAL(ops->encode(l->session, &part), 0);
    CU_ASSERT(send_msg(l->fd, &part));
    const char *answer = test_peer_ask(l->peer, "recv");
    CU_ASSERT(answer != NULL && strcmp(answer, "msg 61 62") == 0);

    CU_ASSERT(ask_ok(l->peer, "send 78 - 7a"));
    static const char *const expect[] = { "x", "", "z" };
    for (int i = 0; i < 3; i++) {
        uint8_t wire_flags = 0xff;
        CU_ASSERT_FATAL(recv_frame(l->fd, &part, &wire_flags));
        CU_ASSERT_EQUAL(wire_flags, 0);
        CU_ASSERT(part.size >= 8 && memcmp(part.data, "\7MESSAGE", 8) == 0);
        CU_ASSERT_EQUAL(ops->decode(l->session, &part), 0);
        CU_ASSERT_EQUAL(part.size, strlen(expect[i]));
        CU_ASSERT(memcmp(part.data, expect[i], part.size) == 0);
        CU_ASSERT_EQUAL(part.flags, i < 2 ? MODZMQ_MSG_MORE : 0);
    }
    fake_msg_close(&part);
}

static void test_our_client(void)
{
    struct link l;
    if (link_open(&l, false)) {
        CU_ASSERT_EQUAL(run_handshake(l.fd, l.session, NULL), 0);
        CU_ASSERT_STRING_EQUAL(l.side.peer_socket_type, "DEALER");
        CU_ASSERT_EQUAL(peer_outcome(l.peer), 0);
        exchange_messages(&l);
    }
    link_close(&l);
}

static void test_our_server(void)
{
    struct link l;
    if (link_open(&l, true)) {
        CU_ASSERT_EQUAL(run_handshake(l.fd, l.session, NULL), 0);
        CU_ASSERT_STRING_EQUAL(l.side.peer_socket_type, "DEALER");
        CU_ASSERT_EQUAL(l.side.zap_calls, 1);
        CU_ASSERT(memcmp(l.side.zap_key, client_public, 32) == 0);
        CU_ASSERT_EQUAL(peer_outcome(l.peer), 0);
        exchange_messages(&l);
    }
    link_close(&l);
}

/* ---- bad input: libzmq's verdict against ours ---------------------------- */

/* Sends our side's commands through mutate to libzmq and compares the
 * protocol error libzmq reports with what our own session records for
 * the same change. we_serve: the mutated commands are the server's. */
static void compare(bool we_serve, mutate_fn mutate, int expected)
{
    struct link l;
    if (link_open(&l, we_serve)) {
        run_handshake(l.fd, l.session, mutate);
        int theirs = peer_outcome(l.peer);
        int ours = our_outcome(we_serve, mutate);
        if (theirs != ours || ours != expected)
            fprintf(stderr, "libzmq reports %#x, we %#x, expected %#x\n",
                    (unsigned) theirs, (unsigned) ours, (unsigned) expected);
        CU_ASSERT_EQUAL(theirs, expected);
        CU_ASSERT_EQUAL(ours, expected);
    }
    link_close(&l);
}

static void resize_keep(struct modzmq_msg *msg, size_t size)
{
    uint8_t *data = calloc(1, size);
    memcpy(data, msg->data, msg->size < size ? msg->size : size);
    free(msg->data);
    msg->data = data;
    msg->size = size;
}

static void hello_truncated(int step, struct modzmq_msg *command)
{
    if (step == 0)
        resize_keep(command, 199);
}

static void hello_bad_box(int step, struct modzmq_msg *command)
{
    if (step == 0)
        command->data[160] ^= 1;
}

static void hello_bad_version(int step, struct modzmq_msg *command)
{
    if (step == 0)
        command->data[6] = 2;
}

static void hello_name_only(int step, struct modzmq_msg *command)
{
    if (step == 0)
        resize_keep(command, 4);
}

static void initiate_first(int step, struct modzmq_msg *command)
{
    if (step == 0) {
        resize_keep(command, 300);
        memcpy(command->data, "\10INITIATE", 9);
    }
}

static void cookie_changed(int step, struct modzmq_msg *command)
{
    if (step == 1)
        command->data[50] ^= 1;
}

static void initiate_truncated(int step, struct modzmq_msg *command)
{
    if (step == 1)
        resize_keep(command, 256);
}

static void initiate_box_changed(int step, struct modzmq_msg *command)
{
    if (step == 1)
        command->data[command->size - 1] ^= 1;
}

static void welcome_changed(int step, struct modzmq_msg *command)
{
    if (step == 0)
        command->data[100] ^= 1;
}

static void welcome_too_long(int step, struct modzmq_msg *command)
{
    if (step == 0)
        resize_keep(command, 169);
}

static void welcome_as_ready(int step, struct modzmq_msg *command)
{
    if (step == 0) {
        resize_keep(command, 40);
        memcpy(command->data, "\5READY", 6);
    }
}

static void ready_truncated(int step, struct modzmq_msg *command)
{
    if (step == 1)
        resize_keep(command, 29);
}

static void ready_changed(int step, struct modzmq_msg *command)
{
    if (step == 1)
        command->data[command->size - 1] ^= 1;
}

static void test_bad_hello(void)
{
    compare(false, hello_truncated,
            ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
    compare(false, hello_bad_box, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    compare(false, hello_bad_version,
            ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO);
    compare(false, hello_name_only,
            ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED);
    compare(false, initiate_first, ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
}

static void test_bad_initiate(void)
{
    compare(false, cookie_changed, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    compare(false, initiate_truncated,
            ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE);
    compare(false, initiate_box_changed, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
}

static void test_bad_welcome(void)
{
    compare(true, welcome_changed, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    compare(true, welcome_too_long, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    compare(true, welcome_as_ready, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
}

static void test_bad_ready(void)
{
    compare(true, ready_truncated,
            ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_READY);
    compare(true, ready_changed, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
}

/* A vouch made with a secret key that is not the public key's. */
static void test_bad_vouch(void)
{
    struct link l;
    if (link_open(&l, false)) {
        ops->session_free(l.session);
        l.side.public_key[3] ^= 1;
        CU_ASSERT_EQUAL_FATAL(ops->session_new(&l.side, 0, &l.session), 0);
        CU_ASSERT_EQUAL(run_handshake(l.fd, l.session, NULL), -1);
        CU_ASSERT_EQUAL(peer_outcome(l.peer),
                        ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    }
    link_close(&l);
}

/* How a MESSAGE frame is spoiled after a good handshake. */
enum spoil {
    SPOIL_REPLAY,    /* delivered twice */
    SPOIL_BOX,       /* one octet of the box changed */
    SPOIL_TRUNCATE,  /* cut to 32 octets */
    SPOIL_PLAINTEXT, /* a PING command in the clear instead */
};

static void spoil_frame(enum spoil how, struct modzmq_msg *frame)
{
    switch (how) {
    case SPOIL_REPLAY:
        break;
    case SPOIL_BOX:
        frame->data[frame->size - 2] ^= 1;
        break;
    case SPOIL_TRUNCATE:
        frame->size = 32;
        break;
    case SPOIL_PLAINTEXT:
        fake_msg_set(frame, "\4PING\0\0\0", 8, MODZMQ_MSG_COMMAND);
        break;
    }
}

/* The client's MESSAGE "payload", spoiled, to a libzmq server and to our
 * own server session: both verdicts must be expected. */
static void compare_message(enum spoil how, int expected)
{
    struct link l;
    struct modzmq_msg frame;
    if (link_open(&l, false)) {
        CU_ASSERT_EQUAL(run_handshake(l.fd, l.session, NULL), 0);
        CU_ASSERT_EQUAL(peer_outcome(l.peer), 0);
        fake_msg_init(&frame);
        fake_msg_set(&frame, "payload", 7, 0);
        CU_ASSERT_EQUAL(ops->encode(l.session, &frame), 0);
        spoil_frame(how, &frame);
        CU_ASSERT(send_msg(l.fd, &frame));
        if (how == SPOIL_REPLAY) {
            const char *answer = test_peer_ask(l.peer, "recv");
            CU_ASSERT(answer != NULL &&
                      strcmp(answer, "msg 7061796c6f6164") == 0);
            CU_ASSERT(send_msg(l.fd, &frame));
        }
        fake_msg_close(&frame);
        CU_ASSERT_EQUAL(peer_outcome(l.peer), expected);
    }
    link_close(&l);

    struct modzmq_connection client_side, server_side;
    our_side(&client_side, false);
    our_side(&server_side, true);
    modzmq_mechanism_session *client, *server;
    CU_ASSERT_EQUAL_FATAL(ops->session_new(&client_side, 0, &client), 0);
    CU_ASSERT_EQUAL_FATAL(ops->session_new(&server_side, 1, &server), 0);
    fake_msg_init(&frame);
    for (int i = 0; i < 4; i++) {
        CU_ASSERT_EQUAL(ops->next_command(i % 2 ? server : client, &frame), 0);
        CU_ASSERT_EQUAL(ops->process_command(i % 2 ? client : server, &frame),
                        0);
    }
    fake_msg_set(&frame, "payload", 7, 0);
    CU_ASSERT_EQUAL(ops->encode(client, &frame), 0);
    spoil_frame(how, &frame);
    if (how == SPOIL_REPLAY) {
        struct modzmq_msg copy;
        fake_msg_init(&copy);
        fake_msg_set(&copy, frame.data, frame.size, frame.flags);
        CU_ASSERT_EQUAL(ops->decode(server, &copy), 0);
        fake_msg_close(&copy);
    }
    CU_ASSERT_EQUAL(ops->decode(server, &frame), -1);
    CU_ASSERT_EQUAL(errno, EPROTO);
    CU_ASSERT_EQUAL(server_side.protocol_error, expected);
    fake_msg_close(&frame);
    ops->session_free(client);
    ops->session_free(server);
}

static void test_bad_message(void)
{
    compare_message(SPOIL_REPLAY, ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_SEQUENCE);
    compare_message(SPOIL_BOX, ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    compare_message(SPOIL_TRUNCATE,
                    ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE);
    compare_message(SPOIL_PLAINTEXT,
                    ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (setup() != 0) {
        fprintf(stderr, "cannot load %s\n", CURVE_MODULE_PATH);
        return 1;
    }
    static const struct test_case cases[] = {
        { "our client, libzmq server", test_our_client },
        { "libzmq client, our server", test_our_server },
        { "bad HELLO", test_bad_hello },
        { "bad INITIATE", test_bad_initiate },
        { "bad vouch", test_bad_vouch },
        { "bad WELCOME", test_bad_welcome },
        { "bad READY", test_bad_ready },
        { "bad MESSAGE", test_bad_message },
    };
    int status =
        test_run_suite("curve wire", cases, sizeof cases / sizeof cases[0]);
    dlclose(module);
    return status;
}
