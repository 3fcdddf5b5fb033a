/*
 * The pgm and epgm transport plugin (zmq_pgm(7)): PUB and XPUB send,
 * SUB and XSUB receive, over OpenPGM, PGM on raw IP (pgm, which needs
 * CAP_NET_RAW) or PGM in UDP (epgm), with libzmq's stream layout
 * (pgm_framing.h), so that libzmq's sockets and ours exchange messages.
 *
 * There is no connection: every endpoint is one PGM socket and one link,
 * ready as soon as the socket is joined to its group. zmq_connect and
 * zmq_bind do the same (libzmq takes a bind for a connect); a bind's link
 * is accepted right after listen and ends with unlisten, as udp's does.
 *
 *   PUB, XPUB (send)   the link tells the socket it subscribes to
 *                      everything (a PGM receiver sends no
 *                      subscriptions), then every message goes into the
 *                      stream, cut into payloads of PGM's largest
 *                      unfragmented size
 *   SUB, XSUB (recv)   each sender (by its PGM transport session id) has
 *                      a stream of its own, read from its first message
 *                      boundary on; whole messages go to the socket, which
 *                      filters them (SUB), and what the socket sends the
 *                      link (subscriptions) is dropped
 *
 * Data lost beyond PGM's recovery shows as a gap in a sender's TPDU
 * sequence numbers (OpenPGM reports it, PGM_IO_STATUS_RESET, only after
 * it has delivered what follows): the message that sender was in is
 * dropped, its stream waits for its next boundary, and
 * MODZMQ_EVENT_PEER_COUNTERS is published with the count of messages lost
 * so far (a line at info level says so too). A payload that is not
 * libzmq's layout is dropped and counted the same way, never fatal.
 *
 * Options read at connect (or bind): ZMQ_RATE, ZMQ_RECOVERY_IVL,
 * ZMQ_MULTICAST_HOPS, ZMQ_MULTICAST_MAXTPDU, ZMQ_MULTICAST_LOOP,
 * ZMQ_SNDBUF, ZMQ_RCVBUF, ZMQ_MAXMSGSIZE.
 *
 * Unfinished, for the SDK to offer: an XPUB application receives the one
 * subscription to everything the link makes for its PGM peers (libzmq
 * subscribes such a pipe silently); and what PGM's rate limit still holds
 * when the socket's linger ends is not sent.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API /* ZMQ_MULTICAST_LOOP */
#endif

#define MODZMQ_PLUGIN_MODULE modzmq_pgm
#include <errno.h>
#include <limits.h>
#include <modzmq/engine_transport.h>
#include <modzmq/observer.h>
#include <pgm/pgm.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/time.h>
#include <zmq.h>

#include "pgm_address.h"
#include "delivery.h"
#include "pgm_framing.h"
#include "single_link.h"

enum {
    MSGV_COUNT = 32,     /* APDUs per pgm_recvmsgv */
    BATCH = 256,         /* receive calls per wake-up */
    /* Payloads sent per wake-up: a longer burst fills the socket buffer
     * of a receiver on the same I/O thread (the default 208 KiB holds
     * about 90 of 1500 bytes) before it reads, and every payload lost
     * there waits out PGM's NAK intervals; 256 lost messages for good
     * at 1 KiB over loopback. */
    SEND_BATCH = 16,
    WATCH_MAX = 4,
    STREAM_MAX = 64,     /* senders one receiver keeps a stream for */
    NAME_MAX_SIZE = 320, /* longest endpoint name */
};

static const struct modzmq_core_services *services;
static modzmq_core *core;

struct modzmq_endpoint {
    modzmq_socket *socket;
    bool sends; /* PUB, XPUB */
    bool udp;   /* epgm */
    struct pgm_address address;
    struct pgm_addrinfo_t *resolved;
    int rate;         /* kbit/s */
    int recovery_ivl; /* ms */
    int hops;
    int maxtpdu;
    int loop;
    int sndbuf; /* -1: the kernel's default */
    int rcvbuf;
    int64_t maxmsgsize;
    struct single_bind bind; /* its one link, until unlisten */
    char name[NAME_MAX_SIZE];
};

/* One sender's stream, as a receiver reads it. */
struct sender {
    struct sender *next;
    struct modzmq_link_state *receiver;
    pgm_tsi_t tsi;
    struct pgm_decoder decoder;
};

struct modzmq_link_state {
    struct single_link one; /* its link, and its bind if bound */
    modzmq_reactor *reactor;
    modzmq_socket *socket; /* for the events it publishes */
    bool sends;
    int64_t maxmsgsize;
    pgm_sock_t *sock; /* NULL once stopped */
    modzmq_watch *watches[WATCH_MAX];
    int fds[WATCH_MAX];
    int watch_count;
    int send_fd; /* its watch asks for writing while a send would block */
    uint64_t timer;
    bool paused;     /* the socket's pipe is full */
    bool send_waits; /* PGM's rate limit or a full kernel buffer */
    struct pgm_encoder encoder;
    struct sender *senders;
    size_t sender_count;
    uint64_t dropped_reported; /* the dropped count last published */
    uint64_t dropped_out;
    struct delivery_counts counts; /* given the socket */
    char name[NAME_MAX_SIZE];
    uint8_t *apdu; /* a fragmented APDU put together */
    size_t apdu_capacity;
    struct pgm_msgv_t msgv[MSGV_COUNT];
};

static int init(const struct modzmq_core_services *given, modzmq_core *handle)
{
    if (!modzmq_has_service(
            given, offsetof(struct modzmq_core_services, link_push_group))) {
        errno = ENOTSUP;
        return -1;
    }
    pgm_error_t *error = NULL;
    if (!pgm_init(&error)) {
        if (error != NULL) {
            given->log(handle, MODZMQ_LOG_ERROR, error->message);
            pgm_error_free(error);
        }
        errno = ENOTSUP;
        return -1;
    }
    services = given;
    core = handle;
    return 0;
}

static void read_int(modzmq_socket *socket, int option, int *value)
{
    int read = 0;
    size_t size = sizeof read;
    if (services->socket_option(socket, option, &read, &size) == 0)
        *value = read;
}

static void log_pgm_error(enum modzmq_log_level level, const char *what,
                          pgm_error_t *error)
{
    char line[256];
    snprintf(line, sizeof line, "%s: %s", what,
             error != NULL && error->message != NULL ? error->message : "?");
    services->log(core, level, line);
    if (error != NULL)
        pgm_error_free(error);
}

/* ---- endpoints ---------------------------------------------------- */

static int endpoint_parse(modzmq_socket *socket, const char *scheme,
                          const char *address, enum modzmq_endpoint_mode mode,
                          modzmq_endpoint **endpoint)
{
    (void) mode;
    int type = -1;
    read_int(socket, ZMQ_TYPE, &type);
    /* libzmq's check, before it looks at the address. */
    if (type != ZMQ_PUB && type != ZMQ_XPUB && type != ZMQ_SUB &&
        type != ZMQ_XSUB) {
        errno = ENOCOMPATPROTO;
        return -1;
    }
    struct modzmq_endpoint *e = calloc(1, sizeof *e);
    if (e == NULL)
        return -1;
    if (pgm_address_split(address, &e->address) < 0) {
        free(e);
        errno = EINVAL;
        return -1;
    }
    pgm_address_loopback_name(&e->address);
    pgm_error_t *error = NULL;
    struct pgm_addrinfo_t hints = { .ai_family = AF_INET };
    if (!pgm_getaddrinfo(e->address.network, &hints, &e->resolved, &error)) {
        /* EINVAL alone would not say which part is wrong. */
        log_pgm_error(MODZMQ_LOG_WARNING, address, error);
        free(e);
        errno = EINVAL;
        return -1;
    }
    e->socket = socket;
    e->sends = type == ZMQ_PUB || type == ZMQ_XPUB;
    e->udp = strcmp(scheme, "epgm") == 0;
    e->rate = 100;
    e->recovery_ivl = 10000;
    e->hops = 1;
    e->maxtpdu = 1500;
    e->loop = 1;
    e->sndbuf = -1;
    e->rcvbuf = -1;
    e->maxmsgsize = -1;
    read_int(socket, ZMQ_RATE, &e->rate);
    read_int(socket, ZMQ_RECOVERY_IVL, &e->recovery_ivl);
    read_int(socket, ZMQ_MULTICAST_HOPS, &e->hops);
    read_int(socket, ZMQ_MULTICAST_MAXTPDU, &e->maxtpdu);
    read_int(socket, ZMQ_MULTICAST_LOOP, &e->loop);
    read_int(socket, ZMQ_SNDBUF, &e->sndbuf);
    read_int(socket, ZMQ_RCVBUF, &e->rcvbuf);
    size_t size = sizeof e->maxmsgsize;
    services->socket_option(socket, ZMQ_MAXMSGSIZE, &e->maxmsgsize, &size);
    snprintf(e->name, sizeof e->name, "%s://%s", scheme, address);
    *endpoint = e;
    return 0;
}

static void endpoint_free(modzmq_endpoint *e)
{
    if (e->resolved != NULL)
        pgm_freeaddrinfo(e->resolved);
    free(e);
}

static int endpoint_format(modzmq_endpoint *e, char *buffer, size_t size)
{
    size_t length = strlen(e->name);
    if (length >= size) {
        errno = ENOSPC;
        return -1;
    }
    memcpy(buffer, e->name, length + 1);
    return (int) length;
}

/* ---- the PGM socket ------------------------------------------------ */

static bool set_int(pgm_sock_t *sock, int level, int name, int value)
{
    return pgm_setsockopt(sock, level, name, &value, sizeof value);
}

static int clamp_seconds(int ms)
{
    return ms < 1000 ? 1 : ms / 1000;
}

/* Options that must be set before pgm_bind3. */
static bool set_up(pgm_sock_t *sock, const modzmq_endpoint *e)
{
    /* kbit/s to bytes/s, in 64 bits: ZMQ_RATE may be up to INT_MAX. */
    int64_t rate = e->rate > 0 ? (int64_t) e->rate * 1000 / 8 : 12500;
    int bytes_per_second = rate > INT_MAX ? INT_MAX : (int) rate;
    int seconds = clamp_seconds(e->recovery_ivl);
    if (e->udp &&
        (!set_int(sock, IPPROTO_PGM, PGM_UDP_ENCAP_UCAST_PORT,
                  e->address.port) ||
         !set_int(sock, IPPROTO_PGM, PGM_UDP_ENCAP_MCAST_PORT,
                  e->address.port)))
        return false;
    if (!set_int(sock, IPPROTO_PGM, PGM_MTU, e->maxtpdu) ||
        !set_int(sock, IPPROTO_PGM, PGM_NOBLOCK, 1))
        return false;
    if ((e->sndbuf >= 0 &&
         !set_int(sock, SOL_SOCKET, SO_SNDBUF, e->sndbuf)) ||
        (e->rcvbuf >= 0 && !set_int(sock, SOL_SOCKET, SO_RCVBUF, e->rcvbuf)))
        return false;
    if (e->sends) {
        /* Source path messages: every 30 s when idle, and a burst that
         * thins out after data so that late receivers learn of us. */
        static const int heartbeat_us[] = { 100000,  100000,  100000,
                                            1000000, 2500000, 5000000,
                                            10000000, 20000000, 30000000 };
        return set_int(sock, IPPROTO_PGM, PGM_SEND_ONLY, 1) &&
               set_int(sock, IPPROTO_PGM, PGM_TXW_MAX_RTE, bytes_per_second) &&
               set_int(sock, IPPROTO_PGM, PGM_TXW_SECS, seconds) &&
               set_int(sock, IPPROTO_PGM, PGM_AMBIENT_SPM, 30000000) &&
               pgm_setsockopt(sock, IPPROTO_PGM, PGM_HEARTBEAT_SPM,
                              heartbeat_us, sizeof heartbeat_us);
    }
    return set_int(sock, IPPROTO_PGM, PGM_RECV_ONLY, 1) &&
           set_int(sock, IPPROTO_PGM, PGM_PASSIVE, 0) &&
           set_int(sock, IPPROTO_PGM, PGM_RXW_MAX_RTE, bytes_per_second) &&
           set_int(sock, IPPROTO_PGM, PGM_RXW_SECS, seconds) &&
           set_int(sock, IPPROTO_PGM, PGM_PEER_EXPIRY, 300000000) &&
           set_int(sock, IPPROTO_PGM, PGM_SPMR_EXPIRY, 250000) &&
           set_int(sock, IPPROTO_PGM, PGM_NAK_BO_IVL, 50000) &&
           set_int(sock, IPPROTO_PGM, PGM_NAK_RPT_IVL, 200000) &&
           set_int(sock, IPPROTO_PGM, PGM_NAK_RDATA_IVL, 200000) &&
           set_int(sock, IPPROTO_PGM, PGM_NAK_DATA_RETRIES, 50) &&
           set_int(sock, IPPROTO_PGM, PGM_NAK_NCF_RETRIES, 50);
}

/* The endpoint's PGM socket, bound, joined and connected (PGM's word for
 * ready). NULL with errno. */
static pgm_sock_t *open_socket(const modzmq_endpoint *e)
{
    const struct pgm_addrinfo_t *res = e->resolved;
    pgm_sock_t *sock = NULL;
    pgm_error_t *error = NULL;
    /* pgm_getaddrinfo leaves ai_family unset: the group says it. */
    sa_family_t family = res->ai_recv_addrs[0].gsr_group.ss_family;
    if (!pgm_socket(&sock, family, SOCK_SEQPACKET,
                    e->udp ? IPPROTO_UDP : IPPROTO_PGM, &error)) {
        log_pgm_error(MODZMQ_LOG_WARNING, e->name, error);
        errno = e->udp ? EINVAL : EPERM;
        return NULL;
    }
    struct pgm_sockaddr_t address = { .sa_port = e->address.port };
    uint8_t gsi[8];
    if (getrandom(gsi, sizeof gsi, 0) != (ssize_t) sizeof gsi ||
        !pgm_gsi_create_from_data(&address.sa_addr.gsi, gsi, sizeof gsi)) {
        pgm_close(sock, false);
        errno = EIO;
        return NULL;
    }
    struct pgm_interface_req_t iface = {
        .ir_interface = res->ai_recv_addrs[0].gsr_interface,
    };
    bool ok = set_up(sock, e) &&
              pgm_bind3(sock, &address, sizeof address, &iface, sizeof iface,
                        &iface, sizeof iface, &error);
    for (uint32_t i = 0; ok && i < res->ai_recv_addrs_len; i++)
        ok = pgm_setsockopt(sock, IPPROTO_PGM, PGM_JOIN_GROUP,
                            &res->ai_recv_addrs[i], sizeof(struct group_req));
    ok = ok &&
         pgm_setsockopt(sock, IPPROTO_PGM, PGM_SEND_GROUP,
                        &res->ai_send_addrs[0], sizeof(struct group_req)) &&
         set_int(sock, IPPROTO_PGM, PGM_MULTICAST_LOOP, e->loop != 0) &&
         set_int(sock, IPPROTO_PGM, PGM_MULTICAST_HOPS, e->hops) &&
         pgm_connect(sock, &error);
    if (!ok) {
        log_pgm_error(MODZMQ_LOG_WARNING, e->name, error);
        pgm_close(sock, false);
        errno = EINVAL;
        return NULL;
    }
    return sock;
}

/* ---- one link ------------------------------------------------------ */

static struct modzmq_link_state *state_new(const modzmq_endpoint *e)
{
    struct modzmq_link_state *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->sends = e->sends;
    c->socket = e->socket;
    memcpy(c->name, e->name, sizeof c->name);
    c->maxmsgsize = e->maxmsgsize;
    c->send_fd = -1;
    c->sock = open_socket(e);
    if (c->sock == NULL) {
        int error = errno;
        free(c);
        errno = error;
        return NULL;
    }
    /* The largest payload PGM sends in one packet. */
    int msss = 0;
    socklen_t length = sizeof msss;
    if (!pgm_getsockopt(c->sock, IPPROTO_PGM, PGM_MSSS, &msss, &length))
        msss = 0;
    pgm_encoder_init(&c->encoder, (size_t) msss);
    return c;
}

static void state_free(struct modzmq_link_state *c)
{
    while (c->senders != NULL) {
        struct sender *s = c->senders;
        c->senders = s->next;
        pgm_decoder_fini(&s->decoder);
        free(s);
    }
    pgm_encoder_fini(&c->encoder);
    free(c->apdu);
    free(c);
}

/* Stops all I/O: watches, timer and the PGM socket go. */
static void state_stop(struct modzmq_link_state *c)
{
    for (int i = 0; i < c->watch_count; i++)
        services->watch_remove(c->watches[i]);
    c->watch_count = 0;
    if (c->timer != 0)
        services->timer_cancel(c->reactor, c->timer);
    c->timer = 0;
    if (c->sock != NULL)
        pgm_close(c->sock, c->sends);
    c->sock = NULL;
}

static void state_watch(struct modzmq_link_state *c)
{
    for (int i = 0; i < c->watch_count; i++) {
        unsigned events = c->paused ? 0 : MODZMQ_WATCH_READ;
        if (c->fds[i] == c->send_fd && c->send_waits)
            events |= MODZMQ_WATCH_WRITE;
        services->watch_set(c->watches[i], events);
    }
}

static void on_timer(void *arg);

/* Wakes the link when PGM's timer (PGM_TIME_REMAIN) or rate limit
 * (PGM_RATE_REMAIN) says. */
static void arm_timer(struct modzmq_link_state *c, int which)
{
    struct timeval tv = { 0, 0 };
    socklen_t length = sizeof tv;
    if (!pgm_getsockopt(c->sock, IPPROTO_PGM, which, &tv, &length))
        tv.tv_usec = 1000;
    /* Rounded up: a timer of 0 ms for 400 us left would spin. */
    uint64_t ms =
        (uint64_t) tv.tv_sec * 1000 + ((uint64_t) tv.tv_usec + 999) / 1000;
    if (c->timer != 0)
        services->timer_cancel(c->reactor, c->timer);
    c->timer = services->timer_add(c->reactor, ms, on_timer, c);
}

static uint64_t dropped_in(const struct modzmq_link_state *c)
{
    uint64_t dropped = 0;
    for (const struct sender *s = c->senders; s != NULL; s = s->next)
        dropped += s->decoder.dropped;
    return dropped;
}

/* Tells of the messages lost when their count has grown. */
static void report_losses(struct modzmq_link_state *c)
{
    uint64_t dropped = dropped_in(c);
    if (dropped == c->dropped_reported)
        return;
    c->dropped_reported = dropped;
    delivery_report_loss(services, core, c->socket, c->name, &c->counts,
                         dropped);
}

/* A whole message straight from a payload to the socket, and the
 * messages queued before one (pgm_decoder_set_sink). */
static bool take_message(void *arg, const uint8_t *body, size_t size)
{
    struct sender *s = arg;
    struct modzmq_link_state *c = s->receiver;
    return delivery_push_one(services, c->one.link, body, size, &c->counts,
                             &s->decoder.dropped);
}

static void flush_messages(void *arg)
{
    struct sender *s = arg;
    struct modzmq_link_state *c = s->receiver;
    delivery_push(services, c->one.link, &s->decoder.messages, &c->counts,
                  &s->decoder.dropped);
}

/* The stream of the sender tsi, made on its first payload. */
static struct sender *sender_of(struct modzmq_link_state *c,
                                const pgm_tsi_t *tsi, bool make)
{
    struct sender **at = &c->senders;
    for (; *at != NULL; at = &(*at)->next)
        if (pgm_tsi_equal(&(*at)->tsi, tsi))
            return *at;
    if (!make)
        return NULL;
    if (c->sender_count == STREAM_MAX) {
        /* The oldest goes; its messages already read go with it. */
        struct sender *oldest = c->senders;
        c->senders = oldest->next;
        pgm_decoder_fini(&oldest->decoder);
        free(oldest);
        c->sender_count--;
        at = &c->senders;
        while (*at != NULL)
            at = &(*at)->next;
    }
    struct sender *s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->receiver = c;
    s->tsi = *tsi;
    pgm_decoder_init(&s->decoder, c->maxmsgsize);
    pgm_decoder_set_sink(&s->decoder, take_message, flush_messages, s);
    *at = s;
    c->sender_count++;
    return s;
}

/* Feeds one APDU (its skbs put together) to its sender's stream. */
static void take_apdu(struct modzmq_link_state *c, const struct pgm_msgv_t *m)
{
    if (m->msgv_len == 0)
        return;
    const struct pgm_sk_buff_t *first = m->msgv_skb[0];
    const uint8_t *payload = first->data;
    size_t size = first->len;
    if (m->msgv_len > 1) {
        size = 0;
        for (uint32_t i = 0; i < m->msgv_len; i++)
            size += m->msgv_skb[i]->len;
        if (size > c->apdu_capacity) {
            uint8_t *apdu = realloc(c->apdu, size);
            if (apdu == NULL)
                return;
            c->apdu = apdu;
            c->apdu_capacity = size;
        }
        size_t at = 0;
        for (uint32_t i = 0; i < m->msgv_len; i++) {
            memcpy(c->apdu + at, m->msgv_skb[i]->data, m->msgv_skb[i]->len);
            at += m->msgv_skb[i]->len;
        }
        payload = c->apdu;
    }
    struct sender *s = sender_of(c, &first->tsi, true);
    if (s == NULL)
        return;
    pgm_decoder_sequence(&s->decoder, first->sequence,
                         m->msgv_skb[m->msgv_len - 1]->sequence);
    enum pgm_decode_status status =
        pgm_decoder_feed(&s->decoder, payload, size);
    if (status != PGM_DECODE_OK && status != PGM_DECODE_WAITING) {
        char line[128];
        snprintf(line, sizeof line, "payload dropped: %s (%llu dropped in)",
                 pgm_decode_status_name(status),
                 (unsigned long long) dropped_in(c));
        services->log(core, MODZMQ_LOG_DEBUG, line);
    }
}

/* Gives the socket the whole messages read. False when its pipe is full
 * (the message stays, link_input offers it again). */
static bool deliver(struct modzmq_link_state *c)
{
    for (struct sender *s = c->senders; s != NULL; s = s->next)
        if (!delivery_push(services, c->one.link, &s->decoder.messages,
                           &c->counts, &s->decoder.dropped))
            return false;
    return true;
}

/* Reads what PGM has: data for a receiver, NAKs and the like for a
 * sender (OpenPGM does its protocol work inside pgm_recvmsgv). */
static void state_receive(struct modzmq_link_state *c)
{
    for (int i = 0; i < BATCH && c->sock != NULL && !c->paused; i++) {
        size_t bytes = 0;
        pgm_error_t *error = NULL;
        int status = pgm_recvmsgv(c->sock, c->msgv, MSGV_COUNT, MSG_ERRQUEUE,
                                  &bytes, &error);
        switch (status) {
        case PGM_IO_STATUS_NORMAL: {
            for (size_t k = 0; k < MSGV_COUNT && bytes > 0; k++) {
                size_t apdu = 0;
                for (uint32_t j = 0; j < c->msgv[k].msgv_len; j++)
                    apdu += c->msgv[k].msgv_skb[j]->len;
                if (!c->sends)
                    take_apdu(c, &c->msgv[k]);
                bytes -= apdu < bytes ? apdu : bytes;
            }
            if (!c->sends && !deliver(c)) {
                c->paused = true;
                state_watch(c);
            }
            report_losses(c);
            continue;
        }
        case PGM_IO_STATUS_RESET:
            /* The gap it reports shows in the sequence numbers of what
             * comes after it (pgm_decoder_sequence), or came already. */
            if (c->msgv[0].msgv_skb[0] != NULL)
                pgm_free_skb(c->msgv[0].msgv_skb[0]);
            continue;
        case PGM_IO_STATUS_TIMER_PENDING:
            arm_timer(c, PGM_TIME_REMAIN);
            return;
        case PGM_IO_STATUS_RATE_LIMITED:
            arm_timer(c, PGM_RATE_REMAIN);
            return;
        case PGM_IO_STATUS_WOULD_BLOCK:
            return;
        default:
            if (error != NULL)
                log_pgm_error(MODZMQ_LOG_DEBUG, "receiving", error);
            return;
        }
    }
}

/* Drops what a SUB or XSUB sends its link (its subscriptions). */
static void drop_output(struct modzmq_link_state *c)
{
    struct modzmq_part part;
    for (int i = 0; i < BATCH * 16; i++)
        if (services->link_pull(c->one.link, &part) != 1)
            return;
}

/* Sends payloads until PGM holds back, nothing is left or a batch is
 * done; takes the socket's next parts only once all before are sent, so
 * that the socket's pipe, not the plugin, holds what waits. */
static void state_send(struct modzmq_link_state *c)
{
    if (!c->sends) {
        drop_output(c);
        return;
    }
    c->send_waits = false;
    for (int sent = 0; c->sock != NULL; sent++) {
        const struct pgm_payload *p = pgm_encoder_peek(&c->encoder);
        if (p == NULL) {
            struct modzmq_part part;
            if (services->link_pull(c->one.link, &part) != 1) {
                pgm_encoder_flush(&c->encoder);
                if (pgm_encoder_peek(&c->encoder) == NULL)
                    break;
                continue;
            }
            if (pgm_encoder_add(&c->encoder, part.data, part.size,
                                (part.flags & MODZMQ_MSG_MORE) != 0) < 0)
                c->dropped_out++;
            continue;
        }
        if (sent >= SEND_BATCH) {
            c->send_waits = true; /* writable at once: called again */
            break;
        }
        size_t written = 0;
        int status = pgm_send(c->sock, p->bytes, p->size, &written);
        if (status == PGM_IO_STATUS_NORMAL) {
            pgm_encoder_pop(&c->encoder);
            continue;
        }
        if (status == PGM_IO_STATUS_RATE_LIMITED) {
            arm_timer(c, PGM_RATE_REMAIN);
            break;
        }
        if (status == PGM_IO_STATUS_WOULD_BLOCK) {
            c->send_waits = true;
            break;
        }
        c->dropped_out++;
        pgm_encoder_pop(&c->encoder);
    }
    state_watch(c);
}

static void link_io(void *arg, unsigned events)
{
    struct modzmq_link_state *c = arg;
    if (events & (MODZMQ_WATCH_READ | MODZMQ_WATCH_ERROR))
        state_receive(c);
    if (c->sock != NULL && (events & MODZMQ_WATCH_WRITE))
        state_send(c);
}

static void on_timer(void *arg)
{
    struct modzmq_link_state *c = arg;
    c->timer = 0;
    state_receive(c);
    if (c->sock != NULL && c->sends)
        state_send(c);
}

static int add_watch(struct modzmq_link_state *c, int option)
{
    int fd = -1;
    socklen_t length = sizeof fd;
    if (!pgm_getsockopt(c->sock, IPPROTO_PGM, option, &fd, &length) || fd < 0)
        return 0; /* this socket has none of that kind */
    for (int i = 0; i < c->watch_count; i++)
        if (c->fds[i] == fd)
            return 0;
    modzmq_watch *watch = services->watch_add(c->reactor, fd, link_io, c);
    if (watch == NULL)
        return -1;
    c->watches[c->watch_count] = watch;
    c->fds[c->watch_count++] = fd;
    if (option == PGM_SEND_SOCK)
        c->send_fd = fd;
    return 0;
}

/* The link exists: watch PGM's fds, say the peer is there, and for a
 * sender subscribe the link to everything. -1 with errno when it cannot
 * start. */
static int state_start(struct modzmq_link_state *c, modzmq_reactor *reactor)
{
    c->reactor = reactor;
    if (add_watch(c, PGM_RECV_SOCK) < 0 || add_watch(c, PGM_PENDING_SOCK) < 0 ||
        (c->sends && (add_watch(c, PGM_REPAIR_SOCK) < 0 ||
                      add_watch(c, PGM_SEND_SOCK) < 0))) {
        int error = errno;
        for (int i = 0; i < c->watch_count; i++)
            services->watch_remove(c->watches[i]);
        c->watch_count = 0;
        errno = error;
        return -1;
    }
    state_watch(c);
    if (services->link_ready(c->one.link) < 0) {
        state_stop(c);
        return 0; /* link_close follows */
    }
    if (c->sends) {
        /* No subscription comes from a PGM receiver: take everything. */
        static const uint8_t everything = 1;
        services->link_push(c->one.link, &everything, 1, 0);
    }
    state_send(c);
    state_receive(c);
    return 0;
}

static void link_output(modzmq_link_state *c)
{
    if (c->sock != NULL && !c->send_waits)
        state_send(c);
}

static void link_input(modzmq_link_state *c)
{
    if (c->sock == NULL || !c->paused || !deliver(c))
        return;
    c->paused = false;
    state_watch(c);
    state_receive(c);
}

static void link_close(modzmq_link_state *c)
{
    single_link_close(&c->one);
}

/* ---- connecting and binding --------------------------------------- */

static const struct single_link_ops single_ops = {
    .start = state_start,
    .stop = state_stop,
    .free = state_free,
};

static int connect_link(modzmq_endpoint *e, modzmq_link *link,
                        modzmq_link_state **state)
{
    struct modzmq_link_state *c = state_new(e);
    if (c == NULL)
        return -1;
    single_link_init(&c->one, services, &single_ops, c);
    *state = c;
    return single_link_connect(&c->one, link);
}

static int listen_on(modzmq_endpoint *e, modzmq_listener *listener)
{
    struct modzmq_link_state *c = state_new(e);
    if (c == NULL)
        return -1;
    single_link_init(&c->one, services, &single_ops, c);
    if (single_link_listen(&c->one, &e->bind, listener) < 0)
        return -1;
    modzmq_publish_bound(services, e->socket, ZMQ_EVENT_LISTENING, 0, e->name);
    return 0;
}

static void unlisten(modzmq_endpoint *e)
{
    if (single_link_unlisten(&e->bind))
        modzmq_publish_bound(services, e->socket, ZMQ_EVENT_CLOSED, 0,
                             e->name);
}

static const struct modzmq_engine_transport_ops ops = {
    .size = sizeof(struct modzmq_engine_transport_ops),
    .endpoint_parse = endpoint_parse,
    .endpoint_free = endpoint_free,
    .endpoint_format = endpoint_format,
    .listen = listen_on,
    .unlisten = unlisten,
    .connect = connect_link,
    .link_output = link_output,
    .link_input = link_input,
    .link_close = link_close,
};

static const char *const schemes[] = { "pgm", "epgm", NULL };

static const struct modzmq_plugin descriptor = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "pgm",
    .kind = MODZMQ_PLUGIN_ENGINE_TRANSPORT,
    .serves = schemes,
    .ops = &ops,
    .init = init,
};

MODZMQ_PLUGIN_ENTRY
{
    return &descriptor;
}
