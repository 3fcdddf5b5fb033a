/*
 * The handshake events zmq_socket_monitor (v1) gives both ends of a PLAIN,
 * CURVE or NULL-with-ZAP connection over tcp, held against libzmq 4.3.4.
 *
 * Each scenario runs four times: between two libzmq peers (pyzmq
 * processes, see peer.h), ours against ours, our server against a libzmq
 * client, a libzmq server against our client. The table below says what
 * libzmq 4.3.4 publishes (found by running it); the libzmq run checks the
 * table against the real library every time, and the other runs check our
 * ends against it. Each end is a PUSH client and a PULL server, the client
 * retrying every 20 ms if it retries at all, so that a reconnect after a
 * refusal shows as a second ACCEPTED on the server within the window.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "peer.h"
#include "testutil.h"
#include "zap_handler.h"
#include "zmq.h"

enum {
    WINDOW_MS = 700,  /* how long the server's events are collected */
    TRAILER_MS = 150, /* then the client's, which have had the window */
    MAX_EVENTS = 64,
    RECONNECT_IVL_MS = 20,
    ZAP_NONE = 0,
    ZAP_PASSWORDS = 1, /* the handler accepts admin/secret, 400 otherwise */
    ZAP_CLOSES = 2,    /* the handler reads a request and closes, silent */
    SHORT_HANDSHAKE_IVL_MS = 250
};

/* The outcome of a handshake as a monitor reports it: the first
 * HANDSHAKE_* event and its value; event 0 when none came. */
struct outcome {
    int event;
    int value;
};

struct scenario {
    const char *name;
    const char *mechanism; /* NULL, PLAIN or CURVE */
    int zap; /* ZAP_NONE, ZAP_PASSWORDS, ZAP_CLOSES or a fixed status */
    int handshake_ivl; /* the server's ZMQ_HANDSHAKE_IVL, 0 for default */
    bool wrong;            /* wrong password, or wrong server key */
    const char *domain;    /* the server's ZAP_DOMAIN, or NULL */
    /* What libzmq 4.3.4 gives each end, and whether its client retries. */
    struct outcome server, client;
    bool retries;
    /* libzmq's server sometimes keeps the connection after its refusal
     * (see the scenario): its client may then hear nothing, and not retry.
     * Ours always closes. */
    bool libzmq_server_may_hold;
};

/* The events one end's monitor gave within the window. */
struct events {
    int count;
    int ids[MAX_EVENTS];
    int values[MAX_EVENTS];
};

static void *ctx; /* of the run (run_scenario) */
static int monitor_serial;

/* CURVE keys, Z85, made by our zmq_curve_keypair at start. */
static char server_public[41], server_secret[41];
static char client_public[41], client_secret[41];
static char stranger_public[41], stranger_secret[41];

static const struct scenario scenarios[] = {
    {
        .name = "PLAIN accepted",
        .mechanism = "PLAIN",
        .zap = ZAP_PASSWORDS,
        .server = { ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0 },
        .client = { ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0 },
    },
    {
        .name = "PLAIN wrong password, ZAP 400",
        .mechanism = "PLAIN",
        .zap = ZAP_PASSWORDS,
        .wrong = true,
        .server = { ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400 },
        .client = { ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400 },
    },
    /* A temporary failure: the server sends no ERROR and closes, so the
     * client sees the connection closed (EPIPE) and retries. libzmq 4.3.4's
     * PLAIN and CURVE servers mean to (its source says so) but often keep
     * the connection open until the handshake times out, the client hearing
     * nothing: when they close depends on timing (seen both ways, idle and
     * under load). Ours closes at once, as libzmq's NULL server does. */
    {
        .name = "PLAIN ZAP 300",
        .mechanism = "PLAIN",
        .zap = 300,
        .server = { ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 300 },
        .client = { ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, EPIPE },
        .retries = true,
        .libzmq_server_may_hold = true,
    },
    {
        .name = "PLAIN ZAP 500",
        .mechanism = "PLAIN",
        .zap = 500,
        .server = { ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 500 },
        .client = { ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 500 },
    },
    /* No handler: the server drops the connection (EFAULT), the client
     * sees it closed (EPIPE), takes it for a network failure and retries.
     * Now and then libzmq 4.3.4's server publishes the EFAULT but keeps the
     * connection open (the failure seems to be taken for EAGAIN), so the
     * client hears nothing; ours always closes. */
    {
        .name = "PLAIN without a ZAP handler",
        .mechanism = "PLAIN",
        .zap = ZAP_NONE,
        .server = { ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, EFAULT },
        .client = { ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, EPIPE },
        .retries = true,
        .libzmq_server_may_hold = true,
    },
    {
        .name = "CURVE accepted",
        .mechanism = "CURVE",
        .zap = ZAP_NONE,
        .server = { ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0 },
        .client = { ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0 },
    },
    /* The server cannot open the HELLO box and drops the connection
     * without an ERROR; the client sees it closed and retries. */
    {
        .name = "CURVE wrong server key",
        .mechanism = "CURVE",
        .zap = ZAP_NONE,
        .wrong = true,
        .server = { ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                    ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC },
        .client = { ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, EPIPE },
        .retries = true,
    },
    {
        .name = "CURVE client key refused, ZAP 400",
        .mechanism = "CURVE",
        .zap = 400,
        .server = { ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400 },
        .client = { ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400 },
    },
    /* As for PLAIN. */
    {
        .name = "CURVE ZAP 300",
        .mechanism = "CURVE",
        .zap = 300,
        .server = { ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 300 },
        .client = { ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, EPIPE },
        .retries = true,
        .libzmq_server_may_hold = true,
    },
    {
        .name = "NULL with a ZAP domain, ZAP 400",
        .mechanism = "NULL",
        .zap = 400,
        .domain = "secevents",
        .server = { ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400 },
        .client = { ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 400 },
    },
    /* As for PLAIN: no ERROR, closed, the client retries; libzmq's NULL
     * server may hold the connection too. */
    {
        .name = "NULL with a ZAP domain, ZAP 300",
        .mechanism = "NULL",
        .zap = 300,
        .domain = "secevents",
        .server = { ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, 300 },
        .client = { ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, EPIPE },
        .retries = true,
        .libzmq_server_may_hold = true,
    },
    /* A handler that reads the request and closes without a reply: the
     * connection is held, unanswered, until the handshake times out
     * (30 s by default), so nothing happens within the window; nobody is
     * let in. */
    {
        .name = "NULL, the ZAP handler closes without replying",
        .mechanism = "NULL",
        .zap = ZAP_CLOSES,
        .domain = "secevents",
    },
    {
        .name = "PLAIN, the ZAP handler closes without replying",
        .mechanism = "PLAIN",
        .zap = ZAP_CLOSES,
    },
    {
        .name = "CURVE, the ZAP handler closes without replying",
        .mechanism = "CURVE",
        .zap = ZAP_CLOSES,
    },
    /* The same with a short ZMQ_HANDSHAKE_IVL: the timeout fails the
     * handshake (EAGAIN, libzmq's errno of a timeout), the client sees the
     * connection closed and retries. The retry finds no handler bound:
     * NULL and CURVE then let it in, PLAIN refuses it (EFAULT); only the
     * first outcome is compared. */
    {
        .name = "NULL, the ZAP handler closed, handshake timeout",
        .mechanism = "NULL",
        .zap = ZAP_CLOSES,
        .handshake_ivl = SHORT_HANDSHAKE_IVL_MS,
        .domain = "secevents",
        .server = { ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, EAGAIN },
        .client = { ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, EPIPE },
        .retries = true,
    },
    {
        .name = "PLAIN, the ZAP handler closed, handshake timeout",
        .mechanism = "PLAIN",
        .zap = ZAP_CLOSES,
        .handshake_ivl = SHORT_HANDSHAKE_IVL_MS,
        .server = { ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, EAGAIN },
        .client = { ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, EPIPE },
        .retries = true,
    },
    {
        .name = "CURVE, the ZAP handler closed, handshake timeout",
        .mechanism = "CURVE",
        .zap = ZAP_CLOSES,
        .handshake_ivl = SHORT_HANDSHAKE_IVL_MS,
        .server = { ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, EAGAIN },
        .client = { ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, EPIPE },
        .retries = true,
    },
    /* A domain without a handler lets NULL in (unless enforced). */
    {
        .name = "NULL with a ZAP domain, no handler",
        .mechanism = "NULL",
        .zap = ZAP_NONE,
        .domain = "secevents",
        .server = { ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0 },
        .client = { ZMQ_EVENT_HANDSHAKE_SUCCEEDED, 0 },
    },
};

/* ---- options, the same for both libraries ------------------------------ */

struct option {
    const char *name; /* as pyzmq spells it */
    int id;
    const char *text; /* a string option, or NULL for number */
    int number;
};

/* The options of a scenario's server or client; their count. */
static int options_of(const struct scenario *sc, bool server,
                      struct option *out)
{
    int n = 0;
    bool plain = strcmp(sc->mechanism, "PLAIN") == 0;
    bool curve = strcmp(sc->mechanism, "CURVE") == 0;
    if (server) {
        if (plain)
            out[n++] =
                (struct option){ "PLAIN_SERVER", ZMQ_PLAIN_SERVER, NULL, 1 };
        if (curve) {
            out[n++] =
                (struct option){ "CURVE_SERVER", ZMQ_CURVE_SERVER, NULL, 1 };
            out[n++] = (struct option){ "CURVE_SECRETKEY", ZMQ_CURVE_SECRETKEY,
                                        server_secret, 0 };
        }
        if (sc->domain != NULL)
            out[n++] =
                (struct option){ "ZAP_DOMAIN", ZMQ_ZAP_DOMAIN, sc->domain, 0 };
        if (sc->handshake_ivl != 0)
            out[n++] = (struct option){ "HANDSHAKE_IVL", ZMQ_HANDSHAKE_IVL,
                                        NULL, sc->handshake_ivl };
        return n;
    }
    out[n++] = (struct option){ "RECONNECT_IVL", ZMQ_RECONNECT_IVL, NULL,
                                RECONNECT_IVL_MS };
    if (plain) {
        out[n++] =
            (struct option){ "PLAIN_USERNAME", ZMQ_PLAIN_USERNAME, "admin", 0 };
        out[n++] = (struct option){ "PLAIN_PASSWORD", ZMQ_PLAIN_PASSWORD,
                                    sc->wrong ? "guess" : "secret", 0 };
    }
    if (curve) {
        out[n++] =
            (struct option){ "CURVE_SERVERKEY", ZMQ_CURVE_SERVERKEY,
                             sc->wrong ? stranger_public : server_public, 0 };
        out[n++] = (struct option){ "CURVE_PUBLICKEY", ZMQ_CURVE_PUBLICKEY,
                                    client_public, 0 };
        out[n++] = (struct option){ "CURVE_SECRETKEY", ZMQ_CURVE_SECRETKEY,
                                    client_secret, 0 };
    }
    return n;
}

/* ---- one end: ours, or a libzmq peer ----------------------------------- */

struct end {
    bool ours;
    void *socket, *reader; /* ours: the socket and its monitor's reader */
    struct zap_handler zap;
    bool zap_running;
    struct test_peer *peer; /* libzmq */
};

static bool peer_ok(struct end *e, const char *command)
{
    const char *answer = test_peer_ask(e->peer, "%s", command);
    bool ok = answer != NULL && strncmp(answer, "ok", 2) == 0;
    if (!ok)
        fprintf(stderr, "\n  peer: '%s' -> '%s'\n", command,
                answer ? answer : "(nothing)");
    return ok;
}

/* A socket of type with the scenario's options, ZAP handler (servers)
 * and a monitor for every event; false (with the end cleaned up by
 * end_close) when the peer cannot do it. */
static bool end_open(struct end *e, const struct scenario *sc, bool server)
{
    struct option options[8];
    int count = options_of(sc, server, options);
    char command[256];
    if (e->ours) {
        e->socket = zmq_socket(ctx, server ? ZMQ_PULL : ZMQ_PUSH);
        CU_ASSERT_PTR_NOT_NULL_FATAL(e->socket);
        test_set_int(e->socket, ZMQ_LINGER, 0);
        for (int i = 0; i < count; i++) {
            const struct option *o = &options[i];
            int rc = o->text ? zmq_setsockopt(e->socket, o->id, o->text,
                                              strlen(o->text))
                             : zmq_setsockopt(e->socket, o->id, &o->number,
                                              sizeof o->number);
            CU_ASSERT_EQUAL(rc, 0);
        }
        if (server && sc->zap != ZAP_NONE) {
            enum zap_mode mode = sc->zap == ZAP_PASSWORDS ? ZAP_CHECK_PASSWORD
                                 : sc->zap == ZAP_CLOSES  ? ZAP_CLOSE
                                                          : ZAP_STATUS;
            CU_ASSERT_FATAL(zap_handler_start(&e->zap, ctx, mode));
            e->zap.status = sc->zap;
            e->zap_running = true;
        }
        snprintf(command, sizeof command, "inproc://secevents-%d",
                 monitor_serial++);
        CU_ASSERT_EQUAL_FATAL(
            zmq_socket_monitor(e->socket, command, ZMQ_EVENT_ALL), 0);
        e->reader = zmq_socket(ctx, ZMQ_PAIR);
        CU_ASSERT_EQUAL_FATAL(zmq_connect(e->reader, command), 0);
        return true;
    }
    e->peer = test_peer_start();
    if (e->peer == NULL)
        return false;
    snprintf(command, sizeof command, "socket %s", server ? "PULL" : "PUSH");
    if (!peer_ok(e, command))
        return false;
    for (int i = 0; i < count; i++) {
        const struct option *o = &options[i];
        if (o->text) {
            char hex[2 * 64 + 2];
            test_peer_part(hex, o->text, strlen(o->text));
            snprintf(command, sizeof command, "set %s hex:%s", o->name, hex);
        } else {
            snprintf(command, sizeof command, "set %s %d", o->name, o->number);
        }
        if (!peer_ok(e, command))
            return false;
    }
    if (server && sc->zap == ZAP_PASSWORDS &&
        !peer_ok(e, "auth plain admin secret"))
        return false;
    if (server && sc->zap == ZAP_CLOSES && !peer_ok(e, "zap close"))
        return false;
    if (server && sc->zap > ZAP_CLOSES) {
        snprintf(command, sizeof command, "zap %d", sc->zap);
        if (!peer_ok(e, command))
            return false;
    }
    return peer_ok(e, "monitor");
}

/* Binds on a free loopback port; writes the endpoint. */
static bool end_bind(struct end *e, char *endpoint, size_t size)
{
    if (e->ours) {
        CU_ASSERT_EQUAL_FATAL(zmq_bind(e->socket, "tcp://127.0.0.1:*"), 0);
        return zmq_getsockopt(e->socket, ZMQ_LAST_ENDPOINT, endpoint, &size) ==
               0;
    }
    const char *answer = test_peer_ask(e->peer, "bind tcp://127.0.0.1:*");
    if (answer == NULL || strncmp(answer, "ok ", 3) != 0)
        return false;
    snprintf(endpoint, size, "%s", answer + 3);
    return true;
}

static bool end_connect(struct end *e, const char *endpoint)
{
    if (e->ours)
        return zmq_connect(e->socket, endpoint) == 0;
    char command[300];
    snprintf(command, sizeof command, "connect %s", endpoint);
    return peer_ok(e, command);
}

/* One v1 event (a 6-byte id/value part, then the endpoint) from our
 * reader within timeout_ms. */
static bool read_v1(void *reader, int timeout_ms, int *id, int *value)
{
    uint8_t head[6];
    char endpoint[256];
    test_set_int(reader, ZMQ_RCVTIMEO, timeout_ms);
    if (zmq_recv(reader, head, sizeof head, 0) != 6 ||
        test_get_int(reader, ZMQ_RCVMORE) != 1 ||
        zmq_recv(reader, endpoint, sizeof endpoint, 0) < 0)
        return false;
    uint16_t id16;
    uint32_t value32;
    memcpy(&id16, head, 2);
    memcpy(&value32, head + 2, 4);
    *id = id16;
    *value = (int) value32;
    return true;
}

/* Every event the end's monitor gives within ms (at most MAX_EVENTS). */
static void end_events(struct end *e, int ms, struct events *out)
{
    memset(out, 0, sizeof *out);
    if (e->ours) {
        void *watch = zmq_stopwatch_start();
        while (out->count < MAX_EVENTS) {
            int left = ms - (int) (zmq_stopwatch_intermediate(watch) / 1000);
            if (left <= 0 || !read_v1(e->reader, left, &out->ids[out->count],
                                      &out->values[out->count]))
                break;
            out->count++;
        }
        zmq_stopwatch_stop(watch);
        return;
    }
    const char *answer = test_peer_ask(e->peer, "drain %d", ms);
    if (answer == NULL || strncmp(answer, "events", 6) != 0) {
        CU_FAIL("the peer did not give its events");
        return;
    }
    const char *p = answer + 6;
    int used = 0;
    while (out->count < MAX_EVENTS &&
           sscanf(p, " %d:%d%n", &out->ids[out->count],
                  &out->values[out->count], &used) == 2) {
        out->count++;
        p += used;
    }
}

static void end_close(struct end *e)
{
    if (e->ours) {
        if (e->socket)
            test_close(e->socket);
        if (e->reader)
            test_close(e->reader);
        if (e->zap_running)
            zap_handler_stop(&e->zap);
    } else if (e->peer) {
        test_peer_stop(e->peer);
    }
}

/* ---- a scenario's run and what it shows --------------------------------- */

static bool is_handshake_outcome(int id)
{
    return id == ZMQ_EVENT_HANDSHAKE_SUCCEEDED ||
           id == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL ||
           id == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ||
           id == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
}

static struct outcome first_outcome(const struct events *ev)
{
    for (int i = 0; i < ev->count; i++)
        if (is_handshake_outcome(ev->ids[i]))
            return (struct outcome){ ev->ids[i], ev->values[i] };
    return (struct outcome){ 0, 0 };
}

static int count_of(const struct events *ev, int id)
{
    int n = 0;
    for (int i = 0; i < ev->count; i++)
        n += ev->ids[i] == id;
    return n;
}

struct run {
    bool done; /* false when a libzmq peer was not available */
    struct outcome server, client;
    bool retried; /* a second ACCEPTED on the server */
};

static void show(const char *who, const struct events *ev)
{
    fprintf(stderr, "\n    %s:", who);
    for (int i = 0; i < ev->count && i < 12; i++)
        fprintf(stderr, " %d:%d", ev->ids[i], ev->values[i]);
}

static struct run run_scenario(const struct scenario *sc, bool our_server,
                               bool our_client)
{
    struct run result = { 0 };
    struct end server = { .ours = our_server }, client = { .ours = our_client };
    char endpoint[256];
    /* A context per run, as each libzmq end is a process per run: what a
     * ZAP handler left behind in one scenario never reaches the next. */
    ctx = zmq_ctx_new();
    CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
    if (end_open(&server, sc, true) && end_open(&client, sc, false) &&
        end_bind(&server, endpoint, sizeof endpoint) &&
        end_connect(&client, endpoint)) {
        struct events server_events, client_events;
        end_events(&server, WINDOW_MS, &server_events);
        end_events(&client, TRAILER_MS, &client_events);
        result.done = true;
        result.server = first_outcome(&server_events);
        result.client = first_outcome(&client_events);
        result.retried = count_of(&server_events, ZMQ_EVENT_ACCEPTED) > 1;
        if (getenv("SECEVENTS_VERBOSE")) {
            fprintf(stderr, "\n  %s (%s server, %s client)", sc->name,
                    our_server ? "our" : "libzmq",
                    our_client ? "our" : "libzmq");
            show("server", &server_events);
            show("client", &client_events);
        }
    }
    end_close(&client);
    end_close(&server);
    zmq_ctx_term(ctx);
    return result;
}

/* A peer that hung up is EPIPE, or ECONNRESET when it still had our bytes
 * unread as it closed (the kernel then resets the connection): which one
 * depends on timing, in either library, so they count as one outcome. */
static int hang_up_errno(int value)
{
    return value == ECONNRESET ? EPIPE : value;
}

static bool same(struct outcome a, struct outcome b)
{
    if (a.event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL &&
        b.event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL)
        return hang_up_errno(a.value) == hang_up_errno(b.value);
    return a.event == b.event && a.value == b.value;
}

/* A run against a libzmq server that held the connection, where it may. */
static bool held(const struct scenario *sc, const struct run *r)
{
    return sc->libzmq_server_may_hold && r->client.event == 0 && !r->retried;
}

/* Asserts one end's outcome, saying which when it differs. */
static void expect(const struct scenario *sc, const char *run, const char *end,
                   struct outcome got, struct outcome want)
{
    CU_ASSERT(same(got, want));
    if (!same(got, want))
        fprintf(stderr, "\n  %s, %s, %s: event %d value %d, libzmq gives %d %d",
                sc->name, run, end, got.event, got.value, want.event,
                want.value);
}

/* libzmq 4.3.4's PLAIN client expects the ERROR its server sends, whose
 * name a C hex escape mangles (see core/zmtp/engine.c), and takes the RFC's
 * ERROR from our server for an unexpected command. */
static struct outcome libzmq_client_reading_ours(const struct scenario *sc)
{
    if (strcmp(sc->mechanism, "PLAIN") == 0 &&
        sc->client.event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
        return (struct outcome){ ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL,
                                 ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND };
    return sc->client;
}

static void check_scenario(const struct scenario *sc)
{
    /* libzmq against itself: the table is what the library does. */
    struct run theirs = run_scenario(sc, false, false);
    CU_ASSERT(theirs.done);
    if (theirs.done) {
        expect(sc, "libzmq pair", "server", theirs.server, sc->server);
        if (!held(sc, &theirs)) {
            expect(sc, "libzmq pair", "client", theirs.client, sc->client);
            /* Whether libzmq's own client retries changes with the load on
             * the machine (it depends on whether it read the ERROR before
             * the close); the table holds what it does on a quiet one, and
             * our ends are held to that below. */
            if (theirs.retried != sc->retries)
                fprintf(stderr, "\n  %s: libzmq's pair %s this time", sc->name,
                        theirs.retried ? "retried" : "did not retry");
        }
    }

    struct run ours = run_scenario(sc, true, true);
    CU_ASSERT(ours.done);
    expect(sc, "ours", "server", ours.server, sc->server);
    expect(sc, "ours", "client", ours.client, sc->client);
    CU_ASSERT_EQUAL(ours.retried, sc->retries);

    struct run our_server = run_scenario(sc, true, false);
    CU_ASSERT(our_server.done);
    if (our_server.done) {
        expect(sc, "our server", "server", our_server.server, sc->server);
        expect(sc, "our server", "libzmq client", our_server.client,
               libzmq_client_reading_ours(sc));
        /* The retry is libzmq's client's to decide, as loaded as in the
         * libzmq pair above; what our server sent shows in the client's
         * outcome, and our client's retries are held to the table. */
        if (our_server.retried != sc->retries)
            fprintf(stderr, "\n  %s: libzmq's client %s this time", sc->name,
                    our_server.retried ? "retried" : "did not retry");
    }

    struct run our_client = run_scenario(sc, false, true);
    CU_ASSERT(our_client.done);
    if (our_client.done) {
        expect(sc, "our client", "libzmq server", our_client.server,
               sc->server);
        if (!held(sc, &our_client)) {
            expect(sc, "our client", "client", our_client.client, sc->client);
            CU_ASSERT_EQUAL(our_client.retried, sc->retries);
        }
    }
}

enum { SCENARIO_COUNT = sizeof scenarios / sizeof scenarios[0] };

/* One test per scenario, registered in the table's order, which is the
 * order CUnit runs them in. */
static int next_scenario;

static void test_next_scenario(void)
{
    CU_ASSERT_FATAL(next_scenario < SCENARIO_COUNT);
    check_scenario(&scenarios[next_scenario++]);
}

int main(void)
{
    if (zmq_curve_keypair(server_public, server_secret) != 0 ||
        zmq_curve_keypair(client_public, client_secret) != 0 ||
        zmq_curve_keypair(stranger_public, stranger_secret) != 0) {
        fprintf(stderr, "zmq_curve_keypair failed: is the curve plugin "
                        "on MODZMQ_PLUGIN_PATH?\n");
        return 1;
    }
    struct test_case tests[SCENARIO_COUNT];
    for (int i = 0; i < SCENARIO_COUNT; i++)
        tests[i] = (struct test_case){ scenarios[i].name, test_next_scenario };
    return test_run_suite("security events", tests, SCENARIO_COUNT);
}
