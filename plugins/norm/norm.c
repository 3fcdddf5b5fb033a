/*
 * The norm transport plugin: PUB and XPUB send, SUB and XSUB receive,
 * over NRL's NORM library (reliable multicast, or unicast, on UDP), with
 * libzmq's stream layout (norm_framing.h), so that libzmq's norm sockets
 * and ours exchange messages.
 *
 * There is no connection: every endpoint is one NORM instance and session
 * and one link, ready at once. zmq_connect and zmq_bind do the same
 * (libzmq takes a bind for a connect); a bind's link is accepted right
 * after listen and ends with unlisten, as pgm's does.
 *
 *   PUB, XPUB (send)   a NORM sender with one stream: the link tells the
 *                      socket it subscribes to everything (a NORM
 *                      receiver sends no subscriptions), then every part
 *                      goes into the stream, each ended with a NORM
 *                      end-of-message mark; the stream is flushed when
 *                      the socket has nothing more to send
 *   SUB, XSUB (recv)   a NORM receiver: each sender's stream is read from
 *                      its first message boundary on; whole messages go
 *                      to the socket, which filters them (SUB), and what
 *                      the socket sends the link (subscriptions) is
 *                      dropped
 *
 * NORM runs its protocol in a thread of its own and tells of what happens
 * through events, readable on one descriptor per instance, which the
 * link's reactor watches. Data lost beyond NORM's repair drops the
 * message that sender was in, its stream waits for the next boundary, and
 * MODZMQ_EVENT_PEER_COUNTERS is published with the count of messages
 * lost so far.
 *
 * Options read at connect (or bind), as zmq_setsockopt(3) describes them
 * (draft options there; libzmq 4.3.4 has none, and uses the defaults of
 * read_settings with TTL 255): ZMQ_NORM_MODE (fixed rate at ZMQ_RATE, or
 * one of NORM's congestion controls), ZMQ_NORM_UNICAST_NACK,
 * ZMQ_NORM_BUFFER_SIZE (the sender's, receiver's and stream's buffers),
 * ZMQ_NORM_SEGMENT_SIZE, ZMQ_NORM_BLOCK_SIZE, ZMQ_NORM_NUM_PARITY,
 * ZMQ_NORM_NUM_AUTOPARITY, ZMQ_NORM_PUSH; and ZMQ_MULTICAST_HOPS (the
 * TTL), ZMQ_MULTICAST_LOOP, ZMQ_SNDBUF and ZMQ_RCVBUF (the UDP sockets'
 * buffers), ZMQ_MAXMSGSIZE. A unicast session address always has
 * unicast NACKs, as in libzmq. Unicast needs sender and receiver on two
 * hosts (or addresses): NORM binds both to the session's port, and
 * reuses it for multicast only.
 *
 * Unfinished, as for pgm: an XPUB application receives the one
 * subscription to everything the link makes for its NORM peers (libzmq
 * subscribes such a pipe silently); and what NORM still holds to send
 * when the socket's linger ends is not sent. As in libzmq, no NORM
 * acknowledgement paces the sender: a receiver further behind than the
 * sender's buffer (ZMQ_NORM_BUFFER_SIZE) loses data, reported as above.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API /* ZMQ_MULTICAST_LOOP, ZMQ_NORM_* */
#endif

#define MODZMQ_PLUGIN_MODULE modzmq_norm
#include <errno.h>
#include <modzmq/engine_transport.h>
#include <modzmq/observer.h>
#include <net/if.h>
#include <netdb.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "delivery.h"
#include "norm_address.h"
#include "norm_c.h"
#include "norm_framing.h"
#include "single_link.h"

enum {
    EVENT_BATCH = 256,   /* NORM events taken per wake-up */
    TX_RETRY_MS = 100,   /* a full stream is tried again at least this often */
    READ_SIZE = 65536,   /* octets read from a stream at a time */
    NAME_MAX_SIZE = 320, /* longest endpoint name */
};

static const struct modzmq_core_services *services;
static modzmq_core *core;

/* The NORM settings of an endpoint, from the socket's options. */
struct norm_settings {
    int mode;
    int unicast_nack;
    int buffer_kb;
    int segment_size;
    int block_size;
    int parity;
    int autoparity;
    int push;
    int rate; /* kbit/s */
    int hops;
    int loop;
    int sndbuf; /* -1: the kernel's default */
    int rcvbuf;
};

struct modzmq_endpoint {
    modzmq_socket *socket;
    bool sends; /* PUB, XPUB */
    struct norm_address address;
    struct norm_settings settings;
    int64_t maxmsgsize;
    struct single_bind bind; /* its one link, until unlisten */
    char name[NAME_MAX_SIZE];
};

/* One sender's stream, as a receiver reads it. */
struct stream_in {
    struct stream_in *next;
    NormObjectHandle object;
    struct norm_decoder decoder;
};

struct modzmq_link_state {
    struct single_link one; /* its link, and its bind if bound */
    modzmq_reactor *reactor;
    modzmq_socket *socket; /* for the events it publishes */
    bool sends;
    int64_t maxmsgsize;
    NormInstanceHandle instance; /* NORM_INSTANCE_INVALID once stopped */
    NormSessionHandle session;
    NormObjectHandle tx_stream;
    modzmq_watch *watch;
    /* sending */
    bool tx_ready; /* NORM's stream takes more */
    /* NormStreamGetVacancy said there was room and the write took
     * nothing: EMPTY is not acted on until a write takes something. */
    bool tx_vacancy_wrong;
    uint64_t tx_retry; /* the retry timer while the stream is full, or 0 */
    uint64_t tx_bytes; /* everything the stream ever took */
    bool part_open;    /* part is lent by link_pull and not all written */
    struct modzmq_part part;
    uint8_t header[NORM_HEADER_MAX];
    size_t header_size, header_written, body_written;
    bool next_first; /* the next part begins a message */
    bool unflushed;  /* written since the last flush */
    /* receiving */
    bool paused; /* the socket's pipe is full */
    struct stream_in *streams;
    struct delivery_counts counts; /* given the socket */
    char name[NAME_MAX_SIZE];
    uint8_t buffer[READ_SIZE];
};

static int init(const struct modzmq_core_services *given, modzmq_core *handle)
{
    if (!modzmq_has_service(
            given, offsetof(struct modzmq_core_services, link_push_group))) {
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

/* ---- endpoints ---------------------------------------------------- */

/* The socket's options, over NORM's defaults (those of libzmq). */
static void read_settings(modzmq_socket *socket, struct norm_settings *s)
{
    *s = (struct norm_settings){
        .mode = ZMQ_NORM_CC,
        .buffer_kb = 2048,
        .segment_size = 1400,
        .block_size = 16,
        .parity = 4,
        .rate = 100,
        .hops = 1,
        .loop = 1,
        .sndbuf = -1,
        .rcvbuf = -1,
    };
    read_int(socket, ZMQ_NORM_MODE, &s->mode);
    read_int(socket, ZMQ_NORM_UNICAST_NACK, &s->unicast_nack);
    read_int(socket, ZMQ_NORM_BUFFER_SIZE, &s->buffer_kb);
    read_int(socket, ZMQ_NORM_SEGMENT_SIZE, &s->segment_size);
    read_int(socket, ZMQ_NORM_BLOCK_SIZE, &s->block_size);
    read_int(socket, ZMQ_NORM_NUM_PARITY, &s->parity);
    read_int(socket, ZMQ_NORM_NUM_AUTOPARITY, &s->autoparity);
    read_int(socket, ZMQ_NORM_PUSH, &s->push);
    read_int(socket, ZMQ_RATE, &s->rate);
    read_int(socket, ZMQ_MULTICAST_HOPS, &s->hops);
    read_int(socket, ZMQ_MULTICAST_LOOP, &s->loop);
    read_int(socket, ZMQ_SNDBUF, &s->sndbuf);
    read_int(socket, ZMQ_RCVBUF, &s->rcvbuf);
}

/* Whether host names an address NORM can make a session with. */
static bool host_resolves(const char *host)
{
    struct addrinfo hints = { .ai_socktype = SOCK_DGRAM };
    struct addrinfo *found = NULL;
    if (getaddrinfo(host, NULL, &hints, &found) != 0)
        return false;
    freeaddrinfo(found);
    return true;
}

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
    /* libzmq checks no more than the port's colon here and fails later,
     * out of the application's sight; this refuses at once what NORM
     * could not open. */
    if (norm_address_parse(address, &e->address) < 0 ||
        (e->address.iface[0] != '\0' &&
         if_nametoindex(e->address.iface) == 0) ||
        !host_resolves(e->address.host)) {
        free(e);
        errno = EINVAL;
        return -1;
    }
    e->socket = socket;
    e->sends = type == ZMQ_PUB || type == ZMQ_XPUB;
    read_settings(socket, &e->settings);
    /* A NORM coding block holds at most 255 segments, data and parity:
     * refused here, where the application sees it, rather than by
     * NormStartSender on the I/O thread. */
    if (e->settings.block_size + e->settings.parity > 255) {
        free(e);
        errno = EINVAL;
        return -1;
    }
    e->maxmsgsize = -1;
    size_t size = sizeof e->maxmsgsize;
    services->socket_option(socket, ZMQ_MAXMSGSIZE, &e->maxmsgsize, &size);
    snprintf(e->name, sizeof e->name, "%s://%s", scheme, address);
    *endpoint = e;
    return 0;
}

static void endpoint_free(modzmq_endpoint *e)
{
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

/* ---- the NORM session ---------------------------------------------- */

/* ZMQ_NORM_MODE: fixed rate or one of NORM's congestion controls. */
static void set_mode(NormSessionHandle session, const struct norm_settings *s)
{
    switch (s->mode) {
    case ZMQ_NORM_FIXED:
        NormSetCongestionControl(session, false, false);
        NormSetTxRate(session, (double) s->rate * 1000.0);
        break;
    case ZMQ_NORM_CCL:
        NormSetEcnSupport(session, false, false, true);
        break;
    case ZMQ_NORM_CCE:
        NormSetEcnSupport(session, true, false, false);
        break;
    case ZMQ_NORM_CCE_ECNONLY:
        NormSetEcnSupport(session, true, true, false);
        break;
    default: /* ZMQ_NORM_CC */
        NormSetCongestionControl(session, true, true);
        break;
    }
}

/* The session's settings that come before its sender or receiver starts. */
static void set_up(NormSessionHandle session, const modzmq_endpoint *e)
{
    const struct norm_settings *s = &e->settings;
    if (NormIsUnicastAddress(e->address.host)) {
        NormSetDefaultUnicastNack(session, true);
    } else {
        NormSetDefaultUnicastNack(session, s->unicast_nack != 0);
        NormSetTTL(session, (unsigned char) (s->hops > 255 ? 255 : s->hops));
        NormSetRxPortReuse(session, true, NULL, NULL, 0);
        NormSetLoopback(session, s->loop != 0);
        if (e->address.iface[0] != '\0')
            NormSetMulticastInterface(session, e->address.iface);
    }
    if (s->sndbuf > 0)
        NormSetTxSocketBuffer(session, (unsigned) s->sndbuf);
    if (s->rcvbuf > 0)
        NormSetRxSocketBuffer(session, (unsigned) s->rcvbuf);
}

/* Starts the link's NORM sender and its stream, or its receiver. False
 * when NORM refuses (a bad combination of sizes, no socket). */
static bool start_norm(struct modzmq_link_state *c, const modzmq_endpoint *e)
{
    const struct norm_settings *s = &e->settings;
    uint32_t buffer = (uint32_t) s->buffer_kb * 1024u;
    if (!c->sends) {
        /* Everything the sender still has of the stream, from its first
         * message boundary (libzmq's choice too). */
        NormSetDefaultSyncPolicy(c->session, NORM_SYNC_STREAM);
        return NormStartReceiver(c->session, buffer);
    }
    if (!NormStartSender(c->session, NormGetRandomSessionId(), buffer,
                         (UINT16) s->segment_size, (UINT16) s->block_size,
                         (UINT16) s->parity, 0))
        return false;
    /* After the start: set before it, congestion control probed once a
     * second and its rate hardly rose for 5 s (1-byte round trips of
     * 30 ms), where libzmq's, set after, ramps within 2.5 s. */
    set_mode(c->session, s);
    if (s->autoparity > 0)
        NormSetAutoParity(c->session, (unsigned char) (s->autoparity < s->parity
                                                           ? s->autoparity
                                                           : s->parity));
    c->tx_stream = NormStreamOpen(c->session, buffer, NULL, 0);
    if (c->tx_stream == NORM_OBJECT_INVALID)
        return false;
    if (s->push)
        NormStreamSetPushEnable(c->tx_stream, true);
    c->tx_ready = true;
    return true;
}

/* The link's NORM instance and session, started. -1 with errno. */
static int open_norm(struct modzmq_link_state *c, const modzmq_endpoint *e)
{
    c->instance = NormCreateInstance(false);
    if (c->instance == NORM_INSTANCE_INVALID) {
        errno = ENOMEM;
        return -1;
    }
    c->session = NormCreateSession(
        c->instance, e->address.host, e->address.port,
        e->address.has_node_id ? e->address.node_id : NORM_NODE_ANY);
    if (c->session != NORM_SESSION_INVALID) {
        set_up(c->session, e);
        if (start_norm(c, e))
            return 0;
    }
    char line[NAME_MAX_SIZE + 64];
    snprintf(line, sizeof line, "%s: NORM refused the session", e->name);
    services->log(core, MODZMQ_LOG_WARNING, line);
    NormDestroyInstance(c->instance); /* its session with it */
    c->instance = NORM_INSTANCE_INVALID;
    errno = EINVAL;
    return -1;
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
    c->next_first = true;
    c->tx_stream = NORM_OBJECT_INVALID;
    if (open_norm(c, e) < 0) {
        int error = errno;
        free(c);
        errno = error;
        return NULL;
    }
    return c;
}

static void stream_free(struct stream_in *s)
{
    NormObjectSetUserData(s->object, NULL);
    norm_decoder_fini(&s->decoder);
    free(s);
}

static void state_free(struct modzmq_link_state *c)
{
    while (c->streams != NULL) {
        struct stream_in *s = c->streams;
        c->streams = s->next;
        norm_decoder_fini(&s->decoder);
        free(s);
    }
    free(c);
}

/* Stops all I/O: the watch and the NORM instance go. */
static void state_stop(struct modzmq_link_state *c)
{
    if (c->watch != NULL)
        services->watch_remove(c->watch);
    c->watch = NULL;
    if (c->tx_retry != 0)
        services->timer_cancel(c->reactor, c->tx_retry);
    c->tx_retry = 0;
    if (c->instance == NORM_INSTANCE_INVALID)
        return;
    if (c->sends)
        NormStopSender(c->session);
    else
        NormStopReceiver(c->session);
    NormDestroySession(c->session);
    NormStopInstance(c->instance);
    NormDestroyInstance(c->instance);
    c->instance = NORM_INSTANCE_INVALID;
}

/* The state of the NORM stream object, made on its first event. */
static struct stream_in *stream_of(struct modzmq_link_state *c,
                                   NormObjectHandle object)
{
    struct stream_in *s = (struct stream_in *) NormObjectGetUserData(object);
    if (s != NULL)
        return s;
    s = calloc(1, sizeof *s);
    if (s == NULL)
        return NULL;
    s->object = object;
    norm_decoder_init(&s->decoder, c->maxmsgsize);
    s->next = c->streams;
    c->streams = s;
    NormObjectSetUserData(object, s);
    return s;
}

static void stream_remove(struct modzmq_link_state *c, struct stream_in *gone)
{
    for (struct stream_in **at = &c->streams; *at != NULL; at = &(*at)->next) {
        if (*at == gone) {
            *at = gone->next;
            stream_free(gone);
            return;
        }
    }
}

/* NORM lost data of this stream for good. */
static void stream_broken(struct modzmq_link_state *c, struct stream_in *s)
{
    norm_decoder_reset(&s->decoder);
    uint64_t lost = 0;
    for (const struct stream_in *t = c->streams; t != NULL; t = t->next)
        lost += t->decoder.dropped;
    delivery_report_loss(services, core, c->socket, c->name, &c->counts, lost);
}

/* Reads what the stream has until it has no more or the socket's pipe is
 * full; each time the decoder is out of step, from the next NORM message
 * start. */
static void stream_read(struct modzmq_link_state *c, struct stream_in *s)
{
    while (!c->paused && c->instance != NORM_INSTANCE_INVALID) {
        if (!delivery_push(services, c->one.link, &s->decoder.messages,
                           &c->counts, &s->decoder.dropped)) {
            c->paused = true;
            return;
        }
        if (!s->decoder.joined) {
            if (!NormStreamSeekMsgStart(s->object))
                return;
            char octet;
            unsigned one = 1;
            if (!NormStreamRead(s->object, &octet, &one)) {
                stream_broken(c, s);
                continue;
            }
            if (one == 0)
                return;
            norm_decoder_sync(&s->decoder, (uint8_t) octet);
            continue;
        }
        unsigned size = sizeof c->buffer;
        if (!NormStreamRead(s->object, (char *) c->buffer, &size)) {
            stream_broken(c, s);
            continue;
        }
        if (size == 0)
            return;
        enum norm_decode_status status =
            norm_decoder_feed(&s->decoder, c->buffer, size);
        if (status != NORM_DECODE_OK) {
            char line[128];
            snprintf(line, sizeof line, "stream out of step: %s",
                     norm_decode_status_name(status));
            services->log(core, MODZMQ_LOG_DEBUG, line);
        }
    }
}

/* Drops what a SUB or XSUB sends its link (its subscriptions). */
static void drop_output(struct modzmq_link_state *c)
{
    struct modzmq_part part;
    for (int i = 0; i < EVENT_BATCH * 16; i++)
        if (services->link_pull(c->one.link, &part) != 1)
            return;
}

static void tx_retry_fire(void *arg);

/* The stream is full. NORM posts VACANCY or EMPTY when it has room again,
 * but not always: a hold that ends while its oldest block awaits repair
 * posts nothing. So a timer tries again too. */
static void arm_tx_retry(struct modzmq_link_state *c)
{
    if (c->tx_retry == 0)
        c->tx_retry =
            services->timer_add(c->reactor, TX_RETRY_MS, tx_retry_fire, c);
}

/* Writes what is left of data to the stream; false when NORM's stream
 * buffer is full (take_event or the retry timer resumes). */
static bool write_rest(struct modzmq_link_state *c, const void *data,
                       size_t size, size_t *written)
{
    while (*written < size) {
        size_t left = size - *written;
        unsigned chunk =
            left > UINT32_MAX / 2 ? UINT32_MAX / 2 : (unsigned) left;
        unsigned n = NormStreamWrite(c->tx_stream,
                                     (const char *) data + *written, chunk);
        *written += n;
        c->tx_bytes += n;
        if (n < chunk)
            return false;
    }
    return true;
}

/* Writes the socket's parts into the stream until NORM's buffer is full
 * or the socket has none left; takes the next part only once the one
 * before is written, so that the socket's pipe, not the plugin, holds
 * what waits. */
static void state_send(struct modzmq_link_state *c)
{
    if (!c->sends) {
        drop_output(c);
        return;
    }
    while (c->tx_ready && c->instance != NORM_INSTANCE_INVALID) {
        if (!c->part_open) {
            if (services->link_pull(c->one.link, &c->part) != 1) {
                if (c->unflushed)
                    NormStreamFlush(c->tx_stream, false, NORM_FLUSH_ACTIVE);
                c->unflushed = false;
                return;
            }
            c->part_open = true;
            c->header_size =
                norm_frame_header(c->header, c->part.size, c->next_first,
                                  (c->part.flags & MODZMQ_MSG_MORE) != 0);
            c->header_written = c->body_written = 0;
        }
        if (!write_rest(c, c->header, c->header_size, &c->header_written) ||
            !write_rest(c, c->part.data, c->part.size, &c->body_written)) {
            c->tx_ready = false;
            c->unflushed = true;
            arm_tx_retry(c);
            return;
        }
        /* Each part is a NORM message, so that a late receiver finds
         * where parts begin. */
        NormStreamMarkEom(c->tx_stream);
        c->unflushed = true;
        c->next_first = (c->part.flags & MODZMQ_MSG_MORE) == 0;
        c->part_open = false;
    }
}

/* The sender is gone for a while: its streams' state goes with NORM's. */
static void sender_inactive(struct modzmq_link_state *c, NormNodeHandle node)
{
    struct stream_in **at = &c->streams;
    while (*at != NULL) {
        struct stream_in *s = *at;
        if (NormObjectGetSender(s->object) == node) {
            *at = s->next;
            stream_free(s);
        } else {
            at = &s->next;
        }
    }
    NormNodeDelete(node);
}

/* Writes again after the stream was full. True when the stream took
 * something. */
static bool tx_resume(struct modzmq_link_state *c)
{
    uint64_t before = c->tx_bytes;
    c->tx_ready = true;
    state_send(c);
    if (c->tx_bytes == before)
        return false;
    c->tx_vacancy_wrong = false;
    return true;
}

static void tx_retry_fire(void *arg)
{
    struct modzmq_link_state *c = arg;
    c->tx_retry = 0;
    if (c->instance != NORM_INSTANCE_INVALID && !c->tx_ready)
        (void) tx_resume(c);
}

static void take_event(struct modzmq_link_state *c, const NormEvent *event)
{
    switch (event->type) {
    case NORM_TX_QUEUE_VACANCY:
        if (c->sends && !c->tx_ready)
            (void) tx_resume(c);
        break;
    case NORM_TX_QUEUE_EMPTY:
        /* All that was written has gone out, but NORM's flow control may
         * still hold the stream's buffer (each block for a while after it
         * was written), and a write that fails posts this event again at
         * once: writing on each one spun at 11,000 writes/s through a
         * whole hold, which lasts up to 2 s. So a write here only when
         * NORM says there is room (asking writes nothing and wakes
         * nothing), and not again after such a write took nothing; else
         * VACANCY, EMPTY again when the hold ends, or the retry timer. */
        if (c->sends && !c->tx_ready && !c->tx_vacancy_wrong &&
            NormStreamGetVacancy(c->tx_stream, 1) > 0)
            c->tx_vacancy_wrong = !tx_resume(c);
        break;
    case NORM_RX_OBJECT_NEW:
    case NORM_RX_OBJECT_UPDATED:
        if (!c->sends &&
            NormObjectGetType(event->object) == NORM_OBJECT_STREAM) {
            struct stream_in *s = stream_of(c, event->object);
            if (s != NULL)
                stream_read(c, s);
        }
        break;
    case NORM_RX_OBJECT_COMPLETED:
    case NORM_RX_OBJECT_ABORTED: {
        struct stream_in *s =
            (struct stream_in *) NormObjectGetUserData(event->object);
        if (s != NULL) {
            stream_read(c, s);
            stream_remove(c, s);
        }
        break;
    }
    case NORM_REMOTE_SENDER_INACTIVE:
        if (!c->sends)
            sender_inactive(c, event->sender);
        break;
    default:
        break;
    }
}

static void link_io(void *arg, unsigned events)
{
    (void) events;
    struct modzmq_link_state *c = arg;
    for (int i = 0; i < EVENT_BATCH && c->instance != NORM_INSTANCE_INVALID;
         i++) {
        NormEvent event;
        if (!NormGetNextEvent(c->instance, &event, false))
            return;
        take_event(c, &event);
    }
}

/* The link exists: watch NORM's descriptor, say the peer is there, and
 * for a sender subscribe the link to everything. -1 with errno when it
 * cannot start. */
static int state_start(struct modzmq_link_state *c, modzmq_reactor *reactor)
{
    c->reactor = reactor;
    c->watch = services->watch_add(reactor, NormGetDescriptor(c->instance),
                                   link_io, c);
    if (c->watch == NULL)
        return -1;
    services->watch_set(c->watch, MODZMQ_WATCH_READ);
    if (services->link_ready(c->one.link) < 0) {
        state_stop(c);
        return 0; /* link_close follows */
    }
    if (c->sends) {
        /* No subscription comes from a NORM receiver: take everything. */
        static const uint8_t everything = 1;
        services->link_push(c->one.link, &everything, 1, 0);
    }
    state_send(c);
    return 0;
}

static void link_output(modzmq_link_state *c)
{
    if (c->instance != NORM_INSTANCE_INVALID)
        state_send(c);
}

static void link_input(modzmq_link_state *c)
{
    if (c->instance == NORM_INSTANCE_INVALID || !c->paused)
        return;
    c->paused = false;
    for (struct stream_in *s = c->streams; s != NULL && !c->paused; s = s->next)
        stream_read(c, s);
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
        modzmq_publish_bound(services, e->socket, ZMQ_EVENT_CLOSED, 0, e->name);
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

static const char *const schemes[] = { "norm", NULL };

static const struct modzmq_plugin descriptor = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "norm",
    .kind = MODZMQ_PLUGIN_ENGINE_TRANSPORT,
    .serves = schemes,
    .ops = &ops,
    .init = init,
};

MODZMQ_PLUGIN_ENTRY
{
    return &descriptor;
}
