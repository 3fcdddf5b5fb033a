/*
 * The GSSAPI mechanism plugin against a real Kerberos realm (made by
 * tests/gssapi_realm.sh, which tests/test_gssapi.sh runs this suite in).
 *
 * The mechanism's ops are driven directly: a client session and a server
 * session, each over a fake core (gssapi_harness.h), hand each other
 * their commands until both are ready, then protect messages both ways.
 * Real tickets come from the realm's KDC: the client zmqclient, the
 * service zmqtest/localhost, and zmqother/localhost, a service the KDC
 * knows but whose key the server lacks.
 *
 * Without a realm or without the plugin (configure found no krb5-gssapi)
 * the suite is registered inactive, says why, and exits 77 (skipped).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "gssapi_harness.h"
#include "peer.h"
#include "testutil.h"
#include "zmq.h"
#include "zmtp_stream.h"

#define CLIENT_NAME "zmqclient@MODZMQ.TEST"

static const struct modzmq_mechanism_ops *ops;

/* One end of a connection: the fake core's side and the plugin's. */
struct party {
    struct modzmq_connection connection;
    modzmq_mechanism_session *session;
    int as_server;
    int failed_errno; /* errno of the call that failed, 0 if none */
};

/* The commands that crossed, in order, for the checks of the layout. */
struct transcript {
    struct modzmq_msg commands[16];
    int from_client[16];
    size_t count;
};

static void party_init(struct party *party, int as_server)
{
    memset(party, 0, sizeof *party);
    harness_connection_init(&party->connection);
    party->as_server = as_server;
    if (!as_server)
        strcpy(party->connection.service_principal, "zmqtest@localhost");
}

static int party_start(struct party *party)
{
    int rc =
        ops->session_new(&party->connection, party->as_server, &party->session);
    if (rc != 0)
        party->failed_errno = errno;
    return rc;
}

static void party_end(struct party *party)
{
    if (party->session != NULL)
        ops->session_free(party->session);
    party->session = NULL;
}

static void transcript_free(struct transcript *transcript)
{
    for (size_t i = 0; i < transcript->count; i++)
        harness_msg_free(&transcript->commands[i]);
    transcript->count = 0;
}

static void transcript_add(struct transcript *transcript,
                           const struct modzmq_msg *command, int from_client)
{
    if (transcript == NULL ||
        transcript->count ==
            sizeof transcript->commands / sizeof transcript->commands[0])
        return;
    struct modzmq_msg *copy = &transcript->commands[transcript->count];
    memset(copy, 0, sizeof *copy);
    harness_msg_set(copy, command->data, command->size, command->flags);
    transcript->from_client[transcript->count++] = from_client;
}

/* Sends every command from is due, each to the other's process_command.
 * -1 when either call fails (its errno kept in the party). */
static int deliver(struct party *from, struct party *to,
                   struct transcript *transcript)
{
    for (int i = 0; i < 8; i++) {
        struct modzmq_msg command = { 0 };
        if (ops->next_command(from->session, &command) != 0) {
            int error = errno;
            harness_msg_free(&command);
            if (error == EAGAIN)
                return 0;
            from->failed_errno = error;
            return -1;
        }
        command.flags = MODZMQ_MSG_COMMAND; /* as the core frames it */
        transcript_add(transcript, &command, !from->as_server);
        int rc = ops->process_command(to->session, &command);
        if (rc != 0)
            to->failed_errno = errno;
        harness_msg_free(&command);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Runs the handshake to its end: 0 when both are ready, -1 when a call
 * failed or it stalled. At most 10 rounds; Kerberos needs 3. */
static int handshake(struct party *client, struct party *server,
                     struct transcript *transcript)
{
    for (int round = 0; round < 10; round++) {
        if (deliver(client, server, transcript) != 0 ||
            deliver(server, client, transcript) != 0)
            return -1;
        if (ops->status(client->session) == MODZMQ_MECHANISM_READY &&
            ops->status(server->session) == MODZMQ_MECHANISM_READY)
            return 0;
    }
    return -1;
}

/* A client and a server with default options, started and handshaken;
 * false (the test failed) if any of it did not work. */
static bool connect_pair(struct party *client, struct party *server)
{
    CU_ASSERT_EQUAL_FATAL(party_start(client), 0);
    CU_ASSERT_EQUAL_FATAL(party_start(server), 0);
    int rc = handshake(client, server, NULL);
    CU_ASSERT_EQUAL(rc, 0);
    return rc == 0;
}

static bool starts_with(const struct modzmq_msg *msg, const char *prefix,
                        size_t size)
{
    return msg->size >= size && memcmp(msg->data, prefix, size) == 0;
}

/* ---- the module -------------------------------------------------------- */

static void test_descriptor(void)
{
    const struct modzmq_plugin *plugin =
        harness_load_mechanism(GSSAPI_MODULE_PATH, "modzmq_gssapi");
    CU_ASSERT_PTR_NOT_NULL_FATAL(plugin);
    CU_ASSERT_EQUAL(plugin->abi_major, MODZMQ_SDK_ABI_MAJOR);
    CU_ASSERT(plugin->abi_minor >= 1);
    CU_ASSERT_EQUAL(plugin->kind, MODZMQ_PLUGIN_MECHANISM);
    CU_ASSERT_STRING_EQUAL(plugin->name, "gssapi");
    CU_ASSERT_STRING_EQUAL(plugin->serves[0], "GSSAPI");
    CU_ASSERT_PTR_NULL(plugin->serves[1]);
    const struct modzmq_mechanism_ops *table = plugin->ops;
    CU_ASSERT_EQUAL(table->size, sizeof *table);
    CU_ASSERT_PTR_NOT_NULL(table->encode);
    CU_ASSERT_PTR_NOT_NULL(table->decode);
    CU_ASSERT_PTR_NULL(table->reserved_1_1[0]);
    /* A core of ABI 1.0 has no mechanism services: refused. */
    struct modzmq_core_services old = *harness_services();
    old.size = offsetof(struct modzmq_core_services, publish);
    plugin->fini();
    CU_ASSERT_NOT_EQUAL(plugin->init(&old, NULL), 0);
    CU_ASSERT_EQUAL(plugin->init(harness_services(), NULL), 0);
}

/* ---- handshakes that succeed ------------------------------------------- */

static void test_encrypted_handshake(void)
{
    struct party client, server;
    party_init(&client, 0);
    party_init(&server, 1);
    server.connection.socket_type = "ROUTER";
    struct transcript transcript = { .count = 0 };
    CU_ASSERT_EQUAL_FATAL(party_start(&client), 0);
    CU_ASSERT_EQUAL_FATAL(party_start(&server), 0);
    CU_ASSERT_EQUAL(ops->status(client.session), MODZMQ_MECHANISM_HANDSHAKING);
    CU_ASSERT_EQUAL(handshake(&client, &server, &transcript), 0);
    /* INITIATE both ways, the client's empty confirmation, then READY
     * both ways inside MESSAGE: libzmq 4.3's sequence. */
    CU_ASSERT_EQUAL_FATAL(transcript.count, 5);
    CU_ASSERT(transcript.from_client[0] && !transcript.from_client[1] &&
              transcript.from_client[2] && !transcript.from_client[3] &&
              transcript.from_client[4]);
    CU_ASSERT(starts_with(&transcript.commands[0], "\x08INITIATE", 9));
    CU_ASSERT(starts_with(&transcript.commands[1], "\x08INITIATE", 9));
    CU_ASSERT_EQUAL(transcript.commands[2].size, 0);
    CU_ASSERT(starts_with(&transcript.commands[3], "\x07MESSAGE", 8));
    CU_ASSERT(starts_with(&transcript.commands[4], "\x07MESSAGE", 8));
    /* The token length field matches the token. */
    const uint8_t *first = transcript.commands[0].data;
    size_t length = (size_t) first[9] << 24 | (size_t) first[10] << 16 |
                    (size_t) first[11] << 8 | first[12];
    CU_ASSERT_EQUAL(length + 13, transcript.commands[0].size);
    /* The server asked ZAP once, with the client's principal. */
    CU_ASSERT_EQUAL(server.connection.zap_requests, 1);
    CU_ASSERT_STRING_EQUAL(server.connection.zap_mechanism, "GSSAPI");
    CU_ASSERT_STRING_EQUAL(server.connection.zap_credential, CLIENT_NAME);
    CU_ASSERT_EQUAL(client.connection.zap_requests, 0);
    /* Each read the other's metadata. */
    CU_ASSERT_STRING_EQUAL(client.connection.peer_socket_type, "ROUTER");
    CU_ASSERT_STRING_EQUAL(server.connection.peer_socket_type, "DEALER");
    CU_ASSERT_EQUAL(client.connection.protocol_error, 0);
    CU_ASSERT_EQUAL(server.connection.protocol_error, 0);
    /* Nothing more to send. */
    struct modzmq_msg none = { 0 };
    CU_ASSERT_EQUAL(ops->next_command(client.session, &none), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    harness_msg_free(&none);
    transcript_free(&transcript);
    party_end(&client);
    party_end(&server);
}

/* Encodes a part on one side and decodes the frame on the other. */
static void check_round_trip(struct party *from, struct party *to,
                             const uint8_t *data, size_t size, unsigned flags)
{
    struct modzmq_msg msg = { 0 };
    harness_msg_set(&msg, data, size, flags);
    CU_ASSERT_EQUAL_FATAL(ops->encode(from->session, &msg), 0);
    /* On the wire: a flagless MESSAGE that hides the part. */
    CU_ASSERT(starts_with(&msg, "\x07MESSAGE", 8));
    CU_ASSERT_EQUAL(msg.flags, 0);
    CU_ASSERT(size < 16 || memmem(msg.data, msg.size, data, 16) == NULL);
    CU_ASSERT_EQUAL_FATAL(ops->decode(to->session, &msg), 0);
    CU_ASSERT_EQUAL(msg.flags, flags);
    CU_ASSERT_EQUAL(msg.size, size);
    CU_ASSERT(msg.size == size &&
              (size == 0 || memcmp(msg.data, data, size) == 0));
    harness_msg_free(&msg);
}

static void test_encrypted_traffic(void)
{
    struct party client, server;
    party_init(&client, 0);
    party_init(&server, 1);
    if (connect_pair(&client, &server)) {
        size_t big_size = 300 * 1000;
        uint8_t *big = malloc(big_size);
        CU_ASSERT_PTR_NOT_NULL_FATAL(big);
        for (size_t i = 0; i < big_size; i++)
            big[i] = (uint8_t) (i * 7);
        const uint8_t text[] = "the first part, long enough to be looked for";
        check_round_trip(&client, &server, text, sizeof text, MODZMQ_MSG_MORE);
        check_round_trip(&client, &server, NULL, 0, 0);
        check_round_trip(&server, &client, big, big_size, 0);
        check_round_trip(&server, &client, text, 5, MODZMQ_MSG_MORE);
        check_round_trip(&client, &server, (const uint8_t *) "\x04PING\0\0", 7,
                         MODZMQ_MSG_COMMAND);
        check_round_trip(&client, &server, big, big_size, MODZMQ_MSG_MORE);
        free(big);
    }
    party_end(&client);
    party_end(&server);
}

static void test_plaintext(void)
{
    struct party client, server;
    party_init(&client, 0);
    party_init(&server, 1);
    client.connection.plaintext = 1;
    server.connection.plaintext = 1;
    struct transcript transcript = { .count = 0 };
    CU_ASSERT_EQUAL_FATAL(party_start(&client), 0);
    CU_ASSERT_EQUAL_FATAL(party_start(&server), 0);
    CU_ASSERT_EQUAL(handshake(&client, &server, &transcript), 0);
    /* READY goes in the clear, metadata and all. */
    CU_ASSERT_EQUAL_FATAL(transcript.count, 5);
    CU_ASSERT(starts_with(&transcript.commands[3],
                          "\x05READY\x0bSocket-Type\0\0\0\x06"
                          "DEALER",
                          6 + 12 + 4 + 6));
    CU_ASSERT(starts_with(&transcript.commands[4], "\x05READY", 6));
    CU_ASSERT_STRING_EQUAL(server.connection.zap_credential, CLIENT_NAME);
    /* Parts travel as they are. */
    struct modzmq_msg msg = { 0 };
    harness_msg_set(&msg, "plain", 5, MODZMQ_MSG_MORE);
    CU_ASSERT_EQUAL(ops->encode(client.session, &msg), 0);
    CU_ASSERT(msg.size == 5 && memcmp(msg.data, "plain", 5) == 0);
    CU_ASSERT_EQUAL(msg.flags, MODZMQ_MSG_MORE);
    CU_ASSERT_EQUAL(ops->decode(server.session, &msg), 0);
    CU_ASSERT(msg.size == 5 && memcmp(msg.data, "plain", 5) == 0);
    harness_msg_free(&msg);
    transcript_free(&transcript);
    party_end(&client);
    party_end(&server);
}

/* The ZAP handler answers later: READY waits for zap_accepted. */
static void test_zap_answers_later(void)
{
    struct party client, server;
    party_init(&client, 0);
    party_init(&server, 1);
    server.connection.zap_answer = 0;
    CU_ASSERT_EQUAL_FATAL(party_start(&client), 0);
    CU_ASSERT_EQUAL_FATAL(party_start(&server), 0);
    CU_ASSERT_EQUAL(handshake(&client, &server, NULL), -1);
    CU_ASSERT_EQUAL(server.connection.zap_requests, 1);
    CU_ASSERT_EQUAL(client.failed_errno, 0);
    CU_ASSERT_EQUAL(server.failed_errno, 0);
    CU_ASSERT_EQUAL(ops->status(server.session), MODZMQ_MECHANISM_HANDSHAKING);
    struct modzmq_msg none = { 0 };
    CU_ASSERT_EQUAL(ops->next_command(server.session, &none), -1);
    CU_ASSERT_EQUAL(errno, EAGAIN);
    harness_msg_free(&none);
    ops->zap_accepted(server.session);
    CU_ASSERT_EQUAL(handshake(&client, &server, NULL), 0);
    CU_ASSERT_EQUAL(server.connection.zap_requests, 1);
    party_end(&client);
    party_end(&server);
}

/* ZAP cannot be asked (a handler is required and there is none). */
static void test_zap_refused(void)
{
    struct party client, server;
    party_init(&client, 0);
    party_init(&server, 1);
    server.connection.zap_answer = -1;
    CU_ASSERT_EQUAL_FATAL(party_start(&client), 0);
    CU_ASSERT_EQUAL_FATAL(party_start(&server), 0);
    CU_ASSERT_EQUAL(handshake(&client, &server, NULL), -1);
    CU_ASSERT_EQUAL(server.failed_errno, ECONNREFUSED);
    CU_ASSERT_EQUAL(ops->status(server.session), MODZMQ_MECHANISM_HANDSHAKING);
    party_end(&client);
    party_end(&server);
}

/* Every name type, on both ends. */
static void test_name_types(void)
{
    static const struct {
        const char *client_principal;
        int client_type;
        const char *service;
        int service_type;
        const char *server_principal;
        int server_type;
    } cases[] = {
        { "zmqclient", ZMQ_GSSAPI_NT_USER_NAME, "zmqtest@localhost",
          ZMQ_GSSAPI_NT_HOSTBASED, "zmqtest@localhost",
          ZMQ_GSSAPI_NT_HOSTBASED },
        { CLIENT_NAME, ZMQ_GSSAPI_NT_KRB5_PRINCIPAL,
          "zmqtest/localhost@MODZMQ.TEST", ZMQ_GSSAPI_NT_KRB5_PRINCIPAL,
          "zmqtest/localhost@MODZMQ.TEST", ZMQ_GSSAPI_NT_KRB5_PRINCIPAL },
        { "", 0, "zmqtest@localhost", ZMQ_GSSAPI_NT_HOSTBASED, "zmqtest",
          ZMQ_GSSAPI_NT_HOSTBASED },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct party client, server;
        party_init(&client, 0);
        party_init(&server, 1);
        strcpy(client.connection.principal, cases[i].client_principal);
        client.connection.principal_nametype = cases[i].client_type;
        strcpy(client.connection.service_principal, cases[i].service);
        client.connection.service_principal_nametype = cases[i].service_type;
        strcpy(server.connection.principal, cases[i].server_principal);
        server.connection.principal_nametype = cases[i].server_type;
        if (connect_pair(&client, &server)) {
            CU_ASSERT_STRING_EQUAL(server.connection.zap_credential,
                                   CLIENT_NAME);
        } else {
            fprintf(stderr, "name type case %zu failed\n", i);
        }
        party_end(&client);
        party_end(&server);
    }
}

/* ---- handshakes that fail ---------------------------------------------- */

static void test_client_needs_service_principal(void)
{
    struct party client;
    party_init(&client, 0);
    client.connection.service_principal[0] = '\0';
    CU_ASSERT_EQUAL(party_start(&client), -1);
    CU_ASSERT_EQUAL(client.failed_errno, EINVAL);
    CU_ASSERT_PTR_NULL(client.session);
}

/* A failure on the client's own side, before anything is sent: no
 * protocol error (the peer did nothing wrong), the reason logged. */
static void check_client_fails_alone(struct party *client, const char *logged)
{
    harness_log_clear();
    CU_ASSERT_EQUAL_FATAL(party_start(client), 0);
    struct modzmq_msg command = { 0 };
    CU_ASSERT_EQUAL(ops->next_command(client->session, &command), -1);
    CU_ASSERT_EQUAL(errno, EPROTO);
    CU_ASSERT_EQUAL(client->connection.protocol_error, 0);
    CU_ASSERT_EQUAL(ops->status(client->session), MODZMQ_MECHANISM_HANDSHAKING);
    CU_ASSERT_PTR_NOT_NULL(strstr(harness_last_log(), logged));
    /* Failed for good. */
    CU_ASSERT_EQUAL(ops->next_command(client->session, &command), -1);
    CU_ASSERT_EQUAL(errno, EPROTO);
    harness_msg_free(&command);
    party_end(client);
}

static void test_unknown_service(void)
{
    struct party client;
    party_init(&client, 0);
    strcpy(client.connection.service_principal, "nosuch@localhost");
    check_client_fails_alone(&client, "not found in Kerberos database");
}

static void test_client_principal_not_in_keytab(void)
{
    struct party client;
    party_init(&client, 0);
    strcpy(client.connection.principal, "ghost");
    client.connection.principal_nametype = ZMQ_GSSAPI_NT_USER_NAME;
    check_client_fails_alone(&client, "ghost");
}

/* No ticket and no keytab for the client. */
static void test_no_client_credentials(void)
{
    const char *cache = getenv("KRB5CCNAME");
    const char *keytab = getenv("KRB5_CLIENT_KTNAME");
    const char *dir = getenv("MODZMQ_TEST_REALM_DIR");
    char *saved_cache = cache != NULL ? strdup(cache) : NULL;
    char *saved_keytab = keytab != NULL ? strdup(keytab) : NULL;
    char empty_cache[4096], no_keytab[4096];
    snprintf(empty_cache, sizeof empty_cache, "FILE:%s/empty.ccache", dir);
    snprintf(no_keytab, sizeof no_keytab, "FILE:%s/none.keytab", dir);
    setenv("KRB5CCNAME", empty_cache, 1);
    setenv("KRB5_CLIENT_KTNAME", no_keytab, 1);
    struct party client;
    party_init(&client, 0);
    check_client_fails_alone(&client, "no client credentials");
    if (saved_cache != NULL)
        setenv("KRB5CCNAME", saved_cache, 1);
    if (saved_keytab != NULL)
        setenv("KRB5_CLIENT_KTNAME", saved_keytab, 1);
    free(saved_cache);
    free(saved_keytab);
}

/* The client has a ticket for a service whose key the server lacks: the
 * server cannot read it, a cryptographic protocol error. */
static void test_wrong_service(void)
{
    struct party client, server;
    party_init(&client, 0);
    party_init(&server, 1);
    strcpy(client.connection.service_principal, "zmqother@localhost");
    CU_ASSERT_EQUAL_FATAL(party_start(&client), 0);
    CU_ASSERT_EQUAL_FATAL(party_start(&server), 0);
    CU_ASSERT_EQUAL(handshake(&client, &server, NULL), -1);
    CU_ASSERT_EQUAL(client.failed_errno, 0);
    CU_ASSERT_EQUAL(server.failed_errno, EPROTO);
    CU_ASSERT_EQUAL(server.connection.protocol_error,
                    ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    CU_ASSERT_EQUAL(server.connection.zap_requests, 0);
    party_end(&client);
    party_end(&server);
}

/* A server told to be a principal it has no key for fails on the first
 * token, without blaming the client. */
static void test_server_principal_without_key(void)
{
    struct party client, server;
    party_init(&client, 0);
    party_init(&server, 1);
    strcpy(server.connection.principal, "zmqother@localhost");
    CU_ASSERT_EQUAL_FATAL(party_start(&client), 0);
    CU_ASSERT_EQUAL_FATAL(party_start(&server), 0);
    CU_ASSERT_EQUAL(handshake(&client, &server, NULL), -1);
    CU_ASSERT_EQUAL(server.failed_errno, EPROTO);
    CU_ASSERT_EQUAL(server.connection.protocol_error, 0);
    party_end(&client);
    party_end(&server);
}

/* The two ends disagree on PLAINTEXT: the clear READY is not a MESSAGE. */
static void test_plaintext_mismatch(void)
{
    struct party client, server;
    party_init(&client, 0);
    party_init(&server, 1);
    server.connection.plaintext = 1;
    CU_ASSERT_EQUAL_FATAL(party_start(&client), 0);
    CU_ASSERT_EQUAL_FATAL(party_start(&server), 0);
    CU_ASSERT_EQUAL(handshake(&client, &server, NULL), -1);
    CU_ASSERT_EQUAL(client.failed_errno, EPROTO);
    CU_ASSERT_EQUAL(client.connection.protocol_error,
                    ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    party_end(&client);
    party_end(&server);
}

/* Gives a fresh server one command and checks the protocol error. */
static void check_server_refuses(const void *body, size_t size, int code)
{
    struct party server;
    party_init(&server, 1);
    CU_ASSERT_EQUAL_FATAL(party_start(&server), 0);
    struct modzmq_msg command = { 0 };
    harness_msg_set(&command, body, size, MODZMQ_MSG_COMMAND);
    CU_ASSERT_EQUAL(ops->process_command(server.session, &command), -1);
    CU_ASSERT_EQUAL(errno, EPROTO);
    CU_ASSERT_EQUAL(server.connection.protocol_error, code);
    harness_msg_free(&command);
    party_end(&server);
}

static void test_malformed_commands(void)
{
    check_server_refuses("", 0,
                         ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED);
    /* a name longer than the body */
    check_server_refuses("\x09INITIATE", 9,
                         ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_UNSPECIFIED);
    check_server_refuses("\x08INITIATE", 9,
                         ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE);
    check_server_refuses("\x05HELLO\0\0\0\0", 10,
                         ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    check_server_refuses("\x08INITIATE\0\0", 11,
                         ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE);
    check_server_refuses("\x08INITIATE\0\0\0\x09token", 18,
                         ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE);
    check_server_refuses("\x08INITIATE\0\0\0\x03token", 18,
                         ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE);
    check_server_refuses("\x08INITIATE\xff\xff\xff\xff", 13,
                         ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_INITIATE);
    /* Well formed, but not a Kerberos token. */
    check_server_refuses("\x08INITIATE\0\0\0\x05token", 18,
                         ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    check_server_refuses("\x05READY", 6,
                         ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    check_server_refuses("\x05READY\x01x\0\0\0\0", 12,
                         ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
}

/* A client that has sent nothing yet expects nothing either. */
static void test_unexpected_order(void)
{
    struct party client;
    party_init(&client, 0);
    CU_ASSERT_EQUAL_FATAL(party_start(&client), 0);
    struct modzmq_msg command = { 0 };
    harness_msg_set(&command, "\x08INITIATE\0\0\0\0", 13, MODZMQ_MSG_COMMAND);
    CU_ASSERT_EQUAL(ops->process_command(client.session, &command), -1);
    CU_ASSERT_EQUAL(errno, EPROTO);
    CU_ASSERT_EQUAL(client.connection.protocol_error,
                    ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);
    harness_msg_free(&command);
    party_end(&client);
}

/* Bad metadata in the peer's READY fails the handshake. */
static void test_bad_metadata(void)
{
    struct party client, server;
    party_init(&client, 0);
    party_init(&server, 1);
    client.connection.plaintext = 1;
    server.connection.plaintext = 1;
    server.connection.socket_type = ""; /* a property with an empty value */
    CU_ASSERT_EQUAL_FATAL(party_start(&client), 0);
    CU_ASSERT_EQUAL_FATAL(party_start(&server), 0);
    /* Stop before READY, then hand the client a READY whose property
     * claims more bytes than there are. */
    server.connection.zap_answer = 0;
    CU_ASSERT_EQUAL(handshake(&client, &server, NULL), -1);
    struct modzmq_msg command = { 0 };
    harness_msg_set(&command, "\x05READY\x04Name\0\0\0\x09value", 20,
                    MODZMQ_MSG_COMMAND);
    CU_ASSERT_EQUAL(ops->process_command(client.session, &command), -1);
    CU_ASSERT_EQUAL(errno, EPROTO);
    CU_ASSERT_EQUAL(client.connection.protocol_error,
                    ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA);
    harness_msg_free(&command);
    party_end(&client);
    party_end(&server);
}

/* After the handshake: frames that are not a MESSAGE, cut short,
 * tampered with or replayed are refused. */
static void test_bad_frames(void)
{
    struct party client, server;
    party_init(&client, 0);
    party_init(&server, 1);
    if (!connect_pair(&client, &server)) {
        party_end(&client);
        party_end(&server);
        return;
    }
    struct modzmq_msg frame = { 0 };
    harness_msg_set(&frame, "\x05HELLO world", 12, 0);
    CU_ASSERT_EQUAL(ops->decode(server.session, &frame), -1);
    CU_ASSERT_EQUAL(errno, EPROTO);
    CU_ASSERT_EQUAL(server.connection.protocol_error,
                    ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND);

    struct modzmq_msg sent = { 0 };
    harness_msg_set(&sent, "secret", 6, 0);
    CU_ASSERT_EQUAL_FATAL(ops->encode(client.session, &sent), 0);
    /* cut short */
    harness_msg_set(&frame, sent.data, sent.size - 1, 0);
    server.connection.protocol_error = 0;
    CU_ASSERT_EQUAL(ops->decode(server.session, &frame), -1);
    CU_ASSERT_EQUAL(server.connection.protocol_error,
                    ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_MESSAGE);
    /* one bit flipped in the token */
    harness_msg_set(&frame, sent.data, sent.size, 0);
    frame.data[frame.size - 1] ^= 0x01;
    server.connection.protocol_error = 0;
    CU_ASSERT_EQUAL(ops->decode(server.session, &frame), -1);
    CU_ASSERT_EQUAL(server.connection.protocol_error,
                    ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    /* the genuine frame passes once, then is a replay */
    harness_msg_set(&frame, sent.data, sent.size, 0);
    CU_ASSERT_EQUAL(ops->decode(server.session, &frame), 0);
    CU_ASSERT(frame.size == 6 && memcmp(frame.data, "secret", 6) == 0);
    harness_msg_set(&frame, sent.data, sent.size, 0);
    server.connection.protocol_error = 0;
    CU_ASSERT_EQUAL(ops->decode(server.session, &frame), -1);
    CU_ASSERT_EQUAL(server.connection.protocol_error,
                    ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    /* a frame meant for the other direction */
    harness_msg_set(&frame, sent.data, sent.size, 0);
    harness_msg_set(&sent, "other way", 9, 0);
    CU_ASSERT_EQUAL(ops->encode(client.session, &sent), 0);
    client.connection.protocol_error = 0;
    CU_ASSERT_EQUAL(ops->decode(client.session, &sent), -1);
    CU_ASSERT_EQUAL(client.connection.protocol_error,
                    ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC);
    harness_msg_free(&sent);
    harness_msg_free(&frame);
    party_end(&client);
    party_end(&server);
}

/* Random bytes, shaped like our commands or not, are refused with EPROTO
 * and a protocol code, never a crash (the sanitizer build watches the
 * reads): 2000 commands at a fresh server, 2000 frames at an established
 * session. A fixed seed keeps the run repeatable. */
static void test_random_input(void)
{
    static const char *const heads[] = { "\x08INITIATE", "\x07MESSAGE",
                                         "\x05READY", "" };
    uint32_t seed = 2026;
    uint8_t body[600];
    struct party client, server;
    party_init(&client, 0);
    party_init(&server, 1);
    bool established = connect_pair(&client, &server);
    for (int i = 0; i < 4000; i++) {
        seed = seed * 1103515245u + 12345u;
        size_t size = (seed >> 8) % sizeof body;
        for (size_t j = 0; j < size; j++) {
            seed = seed * 1103515245u + 12345u;
            body[j] = (uint8_t) (seed >> 16);
        }
        const char *head = heads[(seed >> 4) % 4];
        size_t head_size = strlen(head);
        if (size >= head_size + 4) {
            memcpy(body, head, head_size);
            /* a length that fits, or not */
            if (seed & 1) {
                size_t rest = size - head_size - 4;
                body[head_size] = body[head_size + 1] = 0;
                body[head_size + 2] = (uint8_t) (rest >> 8);
                body[head_size + 3] = (uint8_t) rest;
            }
        }
        struct modzmq_msg msg = { 0 };
        harness_msg_set(&msg, body, size, MODZMQ_MSG_COMMAND);
        if (i < 2000) {
            struct party fresh;
            party_init(&fresh, 1);
            CU_ASSERT_EQUAL_FATAL(party_start(&fresh), 0);
            int rc = ops->process_command(fresh.session, &msg);
            CU_ASSERT(rc == -1 && errno == EPROTO);
            CU_ASSERT_NOT_EQUAL(fresh.connection.protocol_error, 0);
            party_end(&fresh);
        } else if (established) {
            server.connection.protocol_error = 0;
            int rc = ops->decode(server.session, &msg);
            CU_ASSERT(rc == -1 && errno == EPROTO);
            CU_ASSERT_NOT_EQUAL(server.connection.protocol_error, 0);
        }
        harness_msg_free(&msg);
    }
    party_end(&client);
    party_end(&server);
}

/* Sessions freed at every stage leak nothing (the sanitizer build checks
 * that) and never touch the other end. */
static void test_free_midway(void)
{
    for (int stop = 0; stop < 4; stop++) {
        struct party client, server;
        party_init(&client, 0);
        party_init(&server, 1);
        CU_ASSERT_EQUAL_FATAL(party_start(&client), 0);
        CU_ASSERT_EQUAL_FATAL(party_start(&server), 0);
        for (int round = 0; round < stop; round++) {
            CU_ASSERT_EQUAL(deliver(&client, &server, NULL), 0);
            CU_ASSERT_EQUAL(deliver(&server, &client, NULL), 0);
        }
        party_end(&client);
        party_end(&server);
    }
}

/* ---- the ops against real libzmq 4.3, over a hand-made ZMTP stream ----- */

/* Our side of the handshake over fd: our commands out, the peer's in,
 * until our session is ready. At most 20 steps, each read within 5 s. */
static int handshake_over(int fd, struct party *ours)
{
    struct modzmq_msg command = { 0 };
    int rc = -1;
    for (int i = 0; i < 20; i++) {
        if (ops->status(ours->session) == MODZMQ_MECHANISM_READY) {
            rc = 0;
            break;
        }
        if (ops->next_command(ours->session, &command) == 0) {
            command.flags = MODZMQ_MSG_COMMAND;
            if (zmtp_stream_send(fd, &command) != 0)
                break;
            continue;
        }
        if (errno != EAGAIN) {
            ours->failed_errno = errno;
            break;
        }
        if (zmtp_stream_recv(fd, &command, 5000) != 0)
            break;
        CU_ASSERT_EQUAL(command.flags, MODZMQ_MSG_COMMAND);
        if (ops->process_command(ours->session, &command) != 0) {
            ours->failed_errno = errno;
            break;
        }
    }
    harness_msg_free(&command);
    return rc;
}

/* Sends "hello", "world" as one message, protected by our session. */
static void send_hello_world(int fd, struct party *ours)
{
    static const char *const parts[] = { "hello", "world" };
    for (int i = 0; i < 2; i++) {
        struct modzmq_msg part = { 0 };
        harness_msg_set(&part, parts[i], 5, i == 0 ? MODZMQ_MSG_MORE : 0);
        CU_ASSERT_EQUAL(ops->encode(ours->session, &part), 0);
        CU_ASSERT_EQUAL(zmtp_stream_send(fd, &part), 0);
        harness_msg_free(&part);
    }
}

/* Receives one part through our session and compares it with text. */
static void expect_part(int fd, struct party *ours, const char *text)
{
    struct modzmq_msg frame = { 0 };
    CU_ASSERT_EQUAL_FATAL(zmtp_stream_recv(fd, &frame, 5000), 0);
    CU_ASSERT_EQUAL(ops->decode(ours->session, &frame), 0);
    CU_ASSERT_EQUAL(frame.flags, 0);
    CU_ASSERT(frame.size == strlen(text) &&
              memcmp(frame.data, text, frame.size) == 0);
    harness_msg_free(&frame);
}

static bool peer_says(struct test_peer *peer, const char *expected,
                      const char *format, const char *argument)
{
    const char *answer = test_peer_ask(peer, format, argument);
    bool ok =
        answer != NULL && strncmp(answer, expected, strlen(expected)) == 0;
    if (!ok)
        fprintf(stderr, "peer answered %s\n", answer ? answer : "nothing");
    CU_ASSERT(ok);
    return ok;
}

/* Our client session against a libzmq GSSAPI server. */
static void check_libzmq_server(const char *plaintext)
{
    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    int fd = -1;
    struct party client;
    party_init(&client, 0);
    client.connection.plaintext = plaintext[0] == '1';
    const char *answer;
    if (!peer_says(peer, "ok", "socket %s", "DEALER") ||
        !peer_says(peer, "ok", "set GSSAPI_SERVER %s", "1") ||
        !peer_says(peer, "ok", "set GSSAPI_PLAINTEXT %s", plaintext))
        goto done;
    answer = test_peer_ask(peer, "bind tcp://127.0.0.1:*");
    const char *colon = answer != NULL ? strrchr(answer, ':') : NULL;
    CU_ASSERT_PTR_NOT_NULL(colon);
    if (colon == NULL)
        goto done;
    fd = zmtp_stream_connect(atoi(colon + 1));
    char mechanism[21];
    CU_ASSERT_EQUAL_FATAL(zmtp_stream_greet(fd, "GSSAPI", 0, mechanism), 0);
    CU_ASSERT_STRING_EQUAL(mechanism, "GSSAPI");
    CU_ASSERT_EQUAL_FATAL(party_start(&client), 0);
    CU_ASSERT_EQUAL(handshake_over(fd, &client), 0);
    CU_ASSERT_EQUAL(client.failed_errno, 0);
    CU_ASSERT_STRING_EQUAL(client.connection.peer_socket_type, "DEALER");
    send_hello_world(fd, &client);
    peer_says(peer, "msg 68656c6c6f 776f726c64", "%s", "recv");
    peer_says(peer, "ok", "%s", "send 7265706c79");
    expect_part(fd, &client, "reply");
done:
    if (fd >= 0)
        close(fd);
    party_end(&client);
    test_peer_stop(peer);
}

/* Our server session against a libzmq GSSAPI client. */
static void check_libzmq_client(const char *plaintext)
{
    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    int port = 0, fd = -1;
    int listener = zmtp_stream_listen(&port);
    CU_ASSERT_FATAL(listener >= 0);
    struct party server;
    party_init(&server, 1);
    server.connection.plaintext = plaintext[0] == '1';
    char endpoint[64];
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", port);
    if (!peer_says(peer, "ok", "socket %s", "DEALER") ||
        !peer_says(peer, "ok", "set GSSAPI_SERVICE_PRINCIPAL %s",
                   "str:zmqtest@localhost") ||
        !peer_says(peer, "ok", "set GSSAPI_PLAINTEXT %s", plaintext) ||
        !peer_says(peer, "ok", "connect %s", endpoint))
        goto done;
    fd = zmtp_stream_accept(listener, 5000);
    CU_ASSERT_FATAL(fd >= 0);
    char mechanism[21];
    CU_ASSERT_EQUAL_FATAL(zmtp_stream_greet(fd, "GSSAPI", 1, mechanism), 0);
    CU_ASSERT_STRING_EQUAL(mechanism, "GSSAPI");
    CU_ASSERT_EQUAL_FATAL(party_start(&server), 0);
    CU_ASSERT_EQUAL(handshake_over(fd, &server), 0);
    CU_ASSERT_EQUAL(server.failed_errno, 0);
    CU_ASSERT_EQUAL(server.connection.zap_requests, 1);
    CU_ASSERT_STRING_EQUAL(server.connection.zap_credential, CLIENT_NAME);
    CU_ASSERT_STRING_EQUAL(server.connection.peer_socket_type, "DEALER");
    peer_says(peer, "ok", "%s", "send 7265706c79");
    expect_part(fd, &server, "reply");
    send_hello_world(fd, &server);
    peer_says(peer, "msg 68656c6c6f 776f726c64", "%s", "recv");
done:
    if (fd >= 0)
        close(fd);
    close(listener);
    party_end(&server);
    test_peer_stop(peer);
}

static void test_ops_with_libzmq_server(void)
{
    check_libzmq_server("0");
}

static void test_ops_with_libzmq_server_plaintext(void)
{
    check_libzmq_server("1");
}

static void test_ops_with_libzmq_client(void)
{
    check_libzmq_client("0");
}

static void test_ops_with_libzmq_client_plaintext(void)
{
    check_libzmq_client("1");
}

/* ---- end to end: sockets over tcp, through the core's engine ------------ */

/* A socket of ours with bounded waits, as a GSSAPI server or as a client
 * of zmqtest@localhost. NULL fails the test (the core could not load the
 * plugin, say). */
static void *gss_socket(void *context, int type, bool server, int plaintext)
{
    void *s = zmq_socket(context, type);
    CU_ASSERT_PTR_NOT_NULL(s);
    if (s == NULL)
        return NULL;
    test_set_int(s, ZMQ_RCVTIMEO, 5000);
    test_set_int(s, ZMQ_SNDTIMEO, 5000);
    test_set_int(s, ZMQ_LINGER, 0);
    int rc =
        server ? zmq_setsockopt(s, ZMQ_GSSAPI_SERVER, &(int){ 1 }, sizeof(int))
               : zmq_setsockopt(s, ZMQ_GSSAPI_SERVICE_PRINCIPAL,
                                "zmqtest@localhost", 17);
    CU_ASSERT_EQUAL(rc, 0);
    CU_ASSERT(test_set_int(s, ZMQ_GSSAPI_PLAINTEXT, plaintext));
    CU_ASSERT_EQUAL(test_get_int(s, ZMQ_MECHANISM), ZMQ_GSSAPI);
    return s;
}

/* Binds s on a free loopback port and writes the endpoint. */
static bool bind_any(void *s, char *endpoint, size_t size)
{
    if (zmq_bind(s, "tcp://127.0.0.1:*") != 0) {
        CU_FAIL("bind failed");
        return false;
    }
    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, endpoint, &size);
    return true;
}

/* A multipart message one way, a 1 MB part the other, and the peer's
 * Socket-Type on what arrived. */
static void check_traffic(void *client, void *server)
{
    CU_ASSERT(test_send(client, "hello", ZMQ_SNDMORE));
    CU_ASSERT(test_send(client, "world", 0));
    CU_ASSERT(test_recv_is(server, "hello", 5000));
    CU_ASSERT_EQUAL(test_get_int(server, ZMQ_RCVMORE), 1);
    CU_ASSERT(test_recv_is(server, "world", 5000));
    size_t big_size = 1000 * 1000;
    char *big = malloc(big_size);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    for (size_t i = 0; i < big_size; i++)
        big[i] = (char) (i * 13);
    CU_ASSERT_EQUAL(zmq_send(server, big, big_size, 0), (int) big_size);
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    CU_ASSERT_EQUAL(zmq_msg_recv(&msg, client, 0), (int) big_size);
    CU_ASSERT(zmq_msg_size(&msg) == big_size &&
              memcmp(zmq_msg_data(&msg), big, big_size) == 0);
    const char *type = zmq_msg_gets(&msg, "Socket-Type");
    CU_ASSERT(type != NULL && strcmp(type, "DEALER") == 0);
    zmq_msg_close(&msg);
    free(big);
}

static void check_modzmq_pair(int plaintext)
{
    void *context = zmq_ctx_new();
    void *server = gss_socket(context, ZMQ_DEALER, true, plaintext);
    void *client = gss_socket(context, ZMQ_DEALER, false, plaintext);
    char endpoint[256];
    if (server != NULL && client != NULL &&
        bind_any(server, endpoint, sizeof endpoint)) {
        CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
        check_traffic(client, server);
    }
    if (client != NULL)
        test_close(client);
    if (server != NULL)
        test_close(server);
    zmq_ctx_term(context);
}

/* The same over ipc, the other transport GSSAPI applies to. */
static void test_ipc_encrypted(void)
{
    void *context = zmq_ctx_new();
    void *server = gss_socket(context, ZMQ_DEALER, true, 0);
    void *client = gss_socket(context, ZMQ_DEALER, false, 0);
    char endpoint[4096];
    snprintf(endpoint, sizeof endpoint, "ipc://%s/gssapi.ipc",
             getenv("MODZMQ_TEST_REALM_DIR"));
    if (server != NULL && client != NULL) {
        CU_ASSERT_EQUAL(zmq_bind(server, endpoint), 0);
        CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
        check_traffic(client, server);
    }
    if (client != NULL)
        test_close(client);
    if (server != NULL)
        test_close(server);
    zmq_ctx_term(context);
}

/* A hand-made client whose INITIATE carries no Kerberos token loses its
 * connection; a real client then gets through. */
static void test_tcp_garbage_token(void)
{
    void *context = zmq_ctx_new();
    void *server = gss_socket(context, ZMQ_DEALER, true, 0);
    char endpoint[256];
    if (server != NULL && bind_any(server, endpoint, sizeof endpoint)) {
        int fd = zmtp_stream_connect(atoi(strrchr(endpoint, ':') + 1));
        char mechanism[21];
        CU_ASSERT_EQUAL(zmtp_stream_greet(fd, "GSSAPI", 0, mechanism), 0);
        struct modzmq_msg frame = { 0 };
        harness_msg_set(&frame, "\x08INITIATE\0\0\0\x05token", 18,
                        MODZMQ_MSG_COMMAND);
        CU_ASSERT_EQUAL(zmtp_stream_send(fd, &frame), 0);
        /* The server closes (after an ERROR, if it sends one). */
        int rc = 0;
        for (int i = 0; i < 3 && rc == 0; i++)
            rc = zmtp_stream_recv(fd, &frame, 5000);
        CU_ASSERT_EQUAL(rc, -1);
        CU_ASSERT_EQUAL(errno, ECONNRESET);
        harness_msg_free(&frame);
        close(fd);
        void *client = gss_socket(context, ZMQ_DEALER, false, 0);
        if (client != NULL) {
            CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
            CU_ASSERT(test_send(client, "after", 0));
            CU_ASSERT(test_recv_is(server, "after", 5000));
            test_close(client);
        }
    }
    if (server != NULL)
        test_close(server);
    zmq_ctx_term(context);
}

/* The core finds the plugin, so it has the capability. */
static void test_has_gssapi(void)
{
    CU_ASSERT_EQUAL(zmq_has("gssapi"), 1);
}

static void test_tcp_encrypted(void)
{
    check_modzmq_pair(0);
}

static void test_tcp_plaintext(void)
{
    check_modzmq_pair(1);
}

/* A ZAP handler (RFC 27) on its own thread: it records the mechanism and
 * the first credential of each request and answers 200 with a User-Id
 * when the credential is the expected principal, 400 otherwise. */
struct zap_handler {
    void *socket;
    const char *accepted; /* the one principal let in */
    pthread_t thread;
    atomic_int stop;
    int requests;
    char mechanism[32];
    char credential[256];
};

/* One frame as text (NUL-terminated, cut at size - 1); its length or -1. */
static int recv_frame(void *s, char *text, size_t size)
{
    int rc = zmq_recv(s, text, size - 1, 0);
    if (rc >= 0)
        text[(size_t) rc < size - 1 ? (size_t) rc : size - 1] = '\0';
    return rc;
}

static void *zap_handler_run(void *arg)
{
    struct zap_handler *handler = arg;
    void *s = handler->socket;
    /* Bounded: 20 s of 100 ms waits at most. */
    for (int i = 0; i < 200 && !atomic_load(&handler->stop); i++) {
        /* version, request id, domain, address, identity, mechanism,
         * credentials: the request id goes back as it came */
        char frames[8][256];
        int sizes[8];
        int count = 0;
        if ((sizes[0] = recv_frame(s, frames[0], sizeof frames[0])) < 0)
            continue;
        count = 1;
        while (count < 8 && test_get_int(s, ZMQ_RCVMORE) == 1) {
            sizes[count] = recv_frame(s, frames[count], sizeof frames[0]);
            count++;
        }
        while (test_get_int(s, ZMQ_RCVMORE) == 1)
            recv_frame(s, frames[7], sizeof frames[7]);
        handler->requests++;
        snprintf(handler->mechanism, sizeof handler->mechanism, "%.31s",
                 count > 5 ? frames[5] : "");
        snprintf(handler->credential, sizeof handler->credential, "%s",
                 count > 6 ? frames[6] : "");
        bool ok = strcmp(handler->credential, handler->accepted) == 0;
        int id_size = count > 1 && sizes[1] > 0 ? sizes[1] : 0;
        test_send(s, "1.0", ZMQ_SNDMORE);
        zmq_send(s, frames[1], (size_t) id_size, ZMQ_SNDMORE);
        test_send(s, ok ? "200" : "400", ZMQ_SNDMORE);
        test_send(s, ok ? "OK" : "unknown principal", ZMQ_SNDMORE);
        test_send(s, ok ? "kerberos-user" : "", ZMQ_SNDMORE);
        test_send(s, "", 0);
    }
    zmq_close(s);
    return NULL;
}

/* The handler's socket is bound here, before any connection can ask for
 * it (an inproc connect would not wait for the bind), then handed to the
 * thread, which alone uses it from then on. */
static void zap_handler_start(struct zap_handler *handler, void *context,
                              const char *accepted)
{
    memset(handler, 0, sizeof *handler);
    handler->accepted = accepted;
    handler->socket = zmq_socket(context, ZMQ_REP);
    CU_ASSERT_PTR_NOT_NULL_FATAL(handler->socket);
    test_set_int(handler->socket, ZMQ_LINGER, 0);
    test_set_int(handler->socket, ZMQ_RCVTIMEO, 100);
    CU_ASSERT_EQUAL_FATAL(zmq_bind(handler->socket, "inproc://zeromq.zap.01"),
                          0);
    CU_ASSERT_EQUAL_FATAL(
        pthread_create(&handler->thread, NULL, zap_handler_run, handler), 0);
}

static void zap_handler_stop(struct zap_handler *handler)
{
    atomic_store(&handler->stop, 1);
    pthread_join(handler->thread, NULL);
}

static void test_tcp_zap_accepts(void)
{
    void *context = zmq_ctx_new();
    struct zap_handler handler;
    zap_handler_start(&handler, context, CLIENT_NAME);
    void *server = gss_socket(context, ZMQ_DEALER, true, 0);
    void *client = gss_socket(context, ZMQ_DEALER, false, 0);
    char endpoint[256];
    if (server != NULL && client != NULL &&
        bind_any(server, endpoint, sizeof endpoint)) {
        CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
        CU_ASSERT(test_send(client, "knock", 0));
        zmq_msg_t msg;
        zmq_msg_init(&msg);
        CU_ASSERT_EQUAL(zmq_msg_recv(&msg, server, 0), 5);
        const char *user = zmq_msg_gets(&msg, "User-Id");
        CU_ASSERT(user != NULL && strcmp(user, "kerberos-user") == 0);
        zmq_msg_close(&msg);
    }
    if (client != NULL)
        test_close(client);
    if (server != NULL)
        test_close(server);
    /* What the handler saw, read once its thread has ended. */
    zap_handler_stop(&handler);
    CU_ASSERT_EQUAL(handler.requests, 1);
    CU_ASSERT_STRING_EQUAL(handler.mechanism, "GSSAPI");
    CU_ASSERT_STRING_EQUAL(handler.credential, CLIENT_NAME);
    zmq_ctx_term(context);
}

/* Nothing gets through when ZAP refuses the principal or the client asks
 * for a service the KDC does not know. */
static void check_nothing_arrives(const char *accepted, const char *service)
{
    void *context = zmq_ctx_new();
    struct zap_handler handler;
    zap_handler_start(&handler, context, accepted);
    void *server = gss_socket(context, ZMQ_DEALER, true, 0);
    void *client = gss_socket(context, ZMQ_DEALER, false, 0);
    char endpoint[256];
    if (server != NULL && client != NULL &&
        bind_any(server, endpoint, sizeof endpoint)) {
        zmq_setsockopt(client, ZMQ_GSSAPI_SERVICE_PRINCIPAL, service,
                       strlen(service));
        CU_ASSERT_EQUAL(zmq_connect(client, endpoint), 0);
        test_set_int(client, ZMQ_SNDTIMEO, 0);
        zmq_send(client, "knock", 5, ZMQ_DONTWAIT);
        CU_ASSERT(test_recv_nothing(server, 1000));
    }
    if (client != NULL)
        test_close(client);
    if (server != NULL)
        test_close(server);
    zap_handler_stop(&handler);
    zmq_ctx_term(context);
}

static void test_tcp_zap_refuses(void)
{
    check_nothing_arrives("someone-else@MODZMQ.TEST", "zmqtest@localhost");
}

static void test_tcp_unknown_service(void)
{
    check_nothing_arrives(CLIENT_NAME, "nosuch@localhost");
}

/* Our socket against libzmq 4.3's, each role, with heartbeats running
 * (libzmq wraps its PING and PONG too). */
static void check_libzmq_peer(bool we_serve, int plaintext)
{
    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    void *context = zmq_ctx_new();
    void *ours = gss_socket(context, ZMQ_DEALER, we_serve, plaintext);
    char text[16];
    snprintf(text, sizeof text, "%d", plaintext);
    if (ours == NULL || !peer_says(peer, "ok", "socket %s", "DEALER") ||
        !peer_says(peer, "ok", "set GSSAPI_PLAINTEXT %s", text) ||
        !peer_says(peer, "ok", "set HEARTBEAT_IVL %s", "100"))
        goto done;
    test_set_int(ours, ZMQ_HEARTBEAT_IVL, 100);
    if (we_serve) {
        char endpoint[256];
        if (!peer_says(peer, "ok", "set GSSAPI_SERVICE_PRINCIPAL %s",
                       "str:zmqtest@localhost") ||
            !bind_any(ours, endpoint, sizeof endpoint) ||
            !peer_says(peer, "ok", "connect %s", endpoint))
            goto done;
    } else {
        if (!peer_says(peer, "ok", "set GSSAPI_SERVER %s", "1"))
            goto done;
        const char *answer = test_peer_ask(peer, "bind tcp://127.0.0.1:*");
        CU_ASSERT(answer != NULL && strncmp(answer, "ok ", 3) == 0);
        if (answer == NULL || strncmp(answer, "ok ", 3) != 0)
            goto done;
        CU_ASSERT_EQUAL(zmq_connect(ours, answer + 3), 0);
    }
    CU_ASSERT(test_send(ours, "hello", ZMQ_SNDMORE));
    CU_ASSERT(test_send(ours, "world", 0));
    peer_says(peer, "msg 68656c6c6f 776f726c64", "%s", "recv");
    /* Some heartbeats each way, then traffic still flows. */
    usleep(400 * 1000);
    peer_says(peer, "ok", "%s", "sendpattern 0 70000");
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    CU_ASSERT_EQUAL(zmq_msg_recv(&msg, ours, 0), 0);
    CU_ASSERT(zmq_msg_more(&msg));
    CU_ASSERT_EQUAL(zmq_msg_recv(&msg, ours, 0), 70000);
    bool pattern = zmq_msg_size(&msg) == 70000;
    const unsigned char *bytes = zmq_msg_data(&msg);
    for (size_t i = 0; pattern && i < 70000; i++)
        pattern = bytes[i] == (unsigned char) ((i % 256) * 7);
    CU_ASSERT(pattern);
    zmq_msg_close(&msg);
    CU_ASSERT(test_send(ours, "again", 0));
    peer_says(peer, "msg 616761696e", "%s", "recv");
done:
    if (ours != NULL)
        test_close(ours);
    zmq_ctx_term(context);
    test_peer_stop(peer);
}

static void test_libzmq_server(void)
{
    check_libzmq_peer(false, 0);
}

static void test_libzmq_server_plaintext(void)
{
    check_libzmq_peer(false, 1);
}

static void test_libzmq_client(void)
{
    check_libzmq_peer(true, 0);
}

static void test_libzmq_client_plaintext(void)
{
    check_libzmq_peer(true, 1);
}

/* ---- running ------------------------------------------------------------ */

static const char *why_skipped(void)
{
    static char reason[512];
    const char *missing = getenv("MODZMQ_TEST_REALM_MISSING");
    if (missing != NULL) {
        snprintf(reason, sizeof reason, "no Kerberos realm: %s", missing);
        return reason;
    }
    if (getenv("MODZMQ_TEST_REALM") == NULL)
        return "no Kerberos realm: run through tests/test_gssapi.sh";
    FILE *module = fopen(GSSAPI_MODULE_PATH, "r");
    if (module == NULL)
        return "the GSSAPI plugin is not built (configure found no "
               "krb5-gssapi)";
    fclose(module);
    return NULL;
}

static int suite_init(void)
{
    const struct modzmq_plugin *plugin =
        harness_load_mechanism(GSSAPI_MODULE_PATH, "modzmq_gssapi");
    if (plugin == NULL)
        return 1;
    ops = plugin->ops;
    return 0;
}

static int suite_cleanup(void)
{
    harness_unload_mechanism();
    return 0;
}

int main(void)
{
    static const struct {
        const char *name;
        CU_TestFunc fn;
    } tests[] = {
        { "descriptor and ABI check", test_descriptor },
        { "encrypted handshake: libzmq's command sequence",
          test_encrypted_handshake },
        { "encrypted traffic both ways", test_encrypted_traffic },
        { "PLAINTEXT handshake and traffic", test_plaintext },
        { "ZAP answering later", test_zap_answers_later },
        { "ZAP refused", test_zap_refused },
        { "principal name types", test_name_types },
        { "client without a service principal",
          test_client_needs_service_principal },
        { "service unknown to the KDC", test_unknown_service },
        { "client principal without a key",
          test_client_principal_not_in_keytab },
        { "client without credentials", test_no_client_credentials },
        { "ticket for another service", test_wrong_service },
        { "server principal without a key", test_server_principal_without_key },
        { "PLAINTEXT on one end only", test_plaintext_mismatch },
        { "malformed commands", test_malformed_commands },
        { "commands out of order", test_unexpected_order },
        { "bad metadata in READY", test_bad_metadata },
        { "bad frames after the handshake", test_bad_frames },
        { "random input refused", test_random_input },
        { "sessions freed midway", test_free_midway },
        { "ops as client of a libzmq server", test_ops_with_libzmq_server },
        { "ops as client of a libzmq server, PLAINTEXT",
          test_ops_with_libzmq_server_plaintext },
        { "ops as server of a libzmq client", test_ops_with_libzmq_client },
        { "ops as server of a libzmq client, PLAINTEXT",
          test_ops_with_libzmq_client_plaintext },
        { "zmq_has(\"gssapi\")", test_has_gssapi },
        { "tcp: modzmq to modzmq, encrypted", test_tcp_encrypted },
        { "tcp: modzmq to modzmq, PLAINTEXT", test_tcp_plaintext },
        { "ipc: modzmq to modzmq, encrypted", test_ipc_encrypted },
        { "tcp: a garbage token closes its connection only",
          test_tcp_garbage_token },
        { "tcp: ZAP handler gets the principal", test_tcp_zap_accepts },
        { "tcp: ZAP handler refuses", test_tcp_zap_refuses },
        { "tcp: service unknown to the KDC", test_tcp_unknown_service },
        { "tcp: client of a libzmq server", test_libzmq_server },
        { "tcp: client of a libzmq server, PLAINTEXT",
          test_libzmq_server_plaintext },
        { "tcp: server of a libzmq client", test_libzmq_client },
        { "tcp: server of a libzmq client, PLAINTEXT",
          test_libzmq_client_plaintext },
    };
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite suite = CU_add_suite("gssapi", suite_init, suite_cleanup);
    if (suite == NULL) {
        CU_cleanup_registry();
        return 1;
    }
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        if (CU_add_test(suite, tests[i].name, tests[i].fn) == NULL) {
            CU_cleanup_registry();
            return 1;
        }
    }
    /* A peer that dies must fail a test, not kill this process. */
    signal(SIGPIPE, SIG_IGN);
    const char *skip = why_skipped();
    if (skip != NULL) {
        printf("gssapi suite skipped: %s\n", skip);
        CU_set_suite_active(suite, CU_FALSE);
    }
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    unsigned ran = CU_get_number_of_tests_run();
    CU_cleanup_registry();
    if (skip != NULL)
        return 77;
    return failures == 0 && ran == sizeof tests / sizeof tests[0] ? 0 : 1;
}
