/*
 * The udp transport plugin (zmq_udp(7)): RADIO, DISH and DGRAM sockets
 * over UDP unicast and multicast, IPv4 and IPv6, with libzmq 4.3.5's
 * datagram layout (udp_datagram.h), so that libzmq's sockets and ours
 * exchange datagrams.
 *
 * There is no connection and no handshake: every endpoint is one UDP
 * socket and one link, ready as soon as it exists. A connect's link is
 * made by the core; a bind's is accepted by the plugin right after
 * listen (from a task, once the core has finished the bind) and ends with
 * unlisten, since the bound fd is its only peer. What the socket type
 * does with the fd:
 *
 *   RADIO (connect)      sends each message as one datagram to the
 *                        address (a unicast peer or a group), its group
 *                        in front
 *   DISH (bind, connect) receives datagrams on the address (a local
 *                        address, or a group it joins) and hands each to
 *                        the socket as one message with its group; what
 *                        the socket gives the link (joins) is dropped
 *   DGRAM (bind, connect) receives datagrams as two parts, the sender's
 *                        "ip:port" and the body, and sends each two-part
 *                        message's body to the address its first part
 *                        names
 *
 * A datagram that is malformed, longer than libzmq's 8192 octets, or that
 * the socket cannot take (a group over 255 octets, over
 * ZMQ_MAXMSGSIZE), and an outgoing message that does not fit or names no
 * address, is dropped, never fatal: each drop is counted per link and
 * logged at debug level with the count (MODZMQ_LOG=debug shows them). A
 * full pipe stops the reading; the kernel's buffer then drops what
 * follows, as UDP does.
 *
 * Options read at bind or connect: ZMQ_IPV6, ZMQ_SNDBUF, ZMQ_RCVBUF,
 * ZMQ_MULTICAST_HOPS, ZMQ_MULTICAST_LOOP.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API /* RADIO, DISH, DGRAM, ZMQ_MULTICAST_LOOP */
#endif

#define MODZMQ_PLUGIN_MODULE modzmq_udp
#include <errno.h>
#include <modzmq/engine_transport.h>
#include <modzmq/observer.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>

#include "udp_address.h"
#include "udp_datagram.h"
#include "single_link.h"

enum {
    BATCH = 256,         /* datagrams per wake-up, each way */
    ADDRESS_FRAME = 64,  /* longest "ip:port" written */
    NAME_MAX_SIZE = 320, /* longest endpoint name */
};

static const struct modzmq_core_services *services;
static modzmq_core *core;

struct modzmq_endpoint {
    modzmq_socket *socket;
    int type; /* ZMQ_RADIO, ZMQ_DISH or ZMQ_DGRAM */
    bool bind;
    struct udp_address address;
    int sndbuf; /* -1: the kernel's default */
    int rcvbuf;
    int hops;
    int loop;
    /* Bound endpoints: the fd's one link, until unlisten. */
    struct single_bind bound;
    char name[NAME_MAX_SIZE];
};

struct modzmq_link_state {
    struct single_link one; /* its link, and its bind if bound */
    int type;
    int family;
    int fd; /* -1 once stopped */
    modzmq_watch *watch;
    bool receives;
    bool reading;      /* receives, and not paused by a full pipe */
    bool out_pending;  /* out waits for room in the kernel */
    bool in_pending;   /* in waits for room in the pipe */
    bool in_addressed; /* DGRAM: in's address part went already */
    struct udp_sockaddr destination; /* RADIO's, fixed */
    struct udp_sockaddr out_to;
    struct udp_sockaddr in_from;
    size_t out_size;
    size_t in_size;
    uint64_t dropped_in;
    uint64_t dropped_out;
    uint8_t out[UDP_DATAGRAM_MAX];
    uint8_t in[UDP_DATAGRAM_MAX];
};

static int init(const struct modzmq_core_services *given, modzmq_core *handle)
{
    /* The group services are the newest this plugin calls. */
    if (!modzmq_has_service(
            given, offsetof(struct modzmq_core_services, link_push_group))) {
        errno = ENOTSUP;
        return -1;
    }
    services = given;
    core = handle;
    return 0;
}

static void read_option(modzmq_socket *socket, int option, int *value)
{
    int read = 0;
    size_t size = sizeof read;
    if (services->socket_option(socket, option, &read, &size) == 0)
        *value = read;
}

/* ---- endpoints ---------------------------------------------------- */

/* The socket types that may use udp, and how: libzmq binds only DISH and
 * DGRAM, and connects RADIO, DISH and DGRAM. */
static bool type_allowed(int type, bool bind)
{
    if (type == ZMQ_DISH || type == ZMQ_DGRAM)
        return true;
    return type == ZMQ_RADIO && !bind;
}

static int endpoint_parse(modzmq_socket *socket, const char *scheme,
                          const char *address, enum modzmq_endpoint_mode mode,
                          modzmq_endpoint **endpoint)
{
    (void) scheme;
    bool bind = mode == MODZMQ_ENDPOINT_BIND;
    int type = -1;
    int ipv6 = 0;
    read_option(socket, ZMQ_TYPE, &type);
    read_option(socket, ZMQ_IPV6, &ipv6);
    if (!type_allowed(type, bind)) {
        errno = ENOCOMPATPROTO;
        return -1;
    }
    struct modzmq_endpoint *e = calloc(1, sizeof *e);
    if (e == NULL)
        return -1;
    if (udp_address_parse(address, bind, ipv6 != 0, &e->address) < 0) {
        int error = errno;
        free(e);
        errno = error;
        return -1;
    }
    e->socket = socket;
    e->type = type;
    e->bind = bind;
    e->sndbuf = -1;
    e->rcvbuf = -1;
    e->hops = 1;
    e->loop = 1;
    read_option(socket, ZMQ_SNDBUF, &e->sndbuf);
    read_option(socket, ZMQ_RCVBUF, &e->rcvbuf);
    read_option(socket, ZMQ_MULTICAST_HOPS, &e->hops);
    read_option(socket, ZMQ_MULTICAST_LOOP, &e->loop);
    *endpoint = e;
    return 0;
}

static void endpoint_free(modzmq_endpoint *endpoint)
{
    free(endpoint);
}

/* A bound endpoint's link state, until unlisten; else NULL. */
static const struct modzmq_link_state *bound_state(const modzmq_endpoint *e)
{
    return e->bound.bound != NULL ? e->bound.bound->state : NULL;
}

/* "udp://" and the address the fd is bound to (a bind's ephemeral port
 * filled in) or the connect's destination. */
static int endpoint_format(modzmq_endpoint *e, char *buffer, size_t size)
{
    struct udp_sockaddr shown = e->address.target;
    const struct modzmq_link_state *bound = bound_state(e);
    if (bound != NULL && bound->fd >= 0) {
        struct udp_sockaddr local = { .length = sizeof local.storage };
        if (getsockname(bound->fd, (struct sockaddr *) &local.storage,
                        &local.length) == 0) {
            /* A group keeps its address; the port is the bound one. */
            if (shown.storage.ss_family == AF_INET)
                ((struct sockaddr_in *) &shown.storage)->sin_port =
                    ((struct sockaddr_in *) &local.storage)->sin_port;
            else
                ((struct sockaddr_in6 *) &shown.storage)->sin6_port =
                    ((struct sockaddr_in6 *) &local.storage)->sin6_port;
        }
    }
    char address[ADDRESS_FRAME];
    if (udp_address_format((const struct sockaddr *) &shown.storage, address,
                           sizeof address) < 0)
        return -1;
    int length = snprintf(buffer, size, "udp://%s", address);
    if (length < 0 || (size_t) length >= size) {
        errno = ENOSPC;
        return -1;
    }
    return length;
}

/* ---- the UDP socket ------------------------------------------------ */

static int fail_closing(int fd)
{
    int error = errno;
    close(fd);
    errno = error;
    return -1;
}

static int set_int(int fd, int level, int name, int value)
{
    return setsockopt(fd, level, name, &value, sizeof value);
}

/* Joins the endpoint's group on its interface. */
static int join_group(int fd, const modzmq_endpoint *e)
{
    const struct udp_address *a = &e->address;
    if (a->family == AF_INET) {
        struct ip_mreqn request = {
            .imr_multiaddr =
                ((const struct sockaddr_in *) &a->target.storage)->sin_addr,
            .imr_ifindex = (int) a->iface_index,
        };
        if (a->source.length > 0)
            request.imr_address =
                ((const struct sockaddr_in *) &a->source.storage)->sin_addr;
        return setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &request,
                          sizeof request);
    }
    struct ipv6_mreq request = {
        .ipv6mr_multiaddr =
            ((const struct sockaddr_in6 *) &a->target.storage)->sin6_addr,
        .ipv6mr_interface = a->iface_index,
    };
    return setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &request,
                      sizeof request);
}

/* How datagrams go out to a group: hops, loop and interface. */
static int set_multicast_sending(int fd, const modzmq_endpoint *e)
{
    const struct udp_address *a = &e->address;
    if (a->family == AF_INET) {
        struct ip_mreqn iface = { .imr_ifindex = (int) a->iface_index };
        if (a->source.length > 0)
            iface.imr_address =
                ((const struct sockaddr_in *) &a->source.storage)->sin_addr;
        if (set_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, e->hops) != 0 ||
            set_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP, e->loop != 0) != 0)
            return -1;
        if ((a->iface_index != 0 || a->source.length > 0) &&
            setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &iface, sizeof iface))
            return -1;
        return 0;
    }
    if (set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, e->hops) != 0 ||
        set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, e->loop != 0) != 0)
        return -1;
    if (a->iface_index != 0 &&
        set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, (int) a->iface_index))
        return -1;
    return 0;
}

/* Whether the endpoint's socket takes datagrams in. */
static bool endpoint_receives(const modzmq_endpoint *e)
{
    return e->type == ZMQ_DISH || e->type == ZMQ_DGRAM;
}

/* The endpoint's non-blocking UDP socket, bound, joined and set up for
 * what its socket type does with it. */
static int open_socket(const modzmq_endpoint *e)
{
    const struct udp_address *a = &e->address;
    int fd = socket(a->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    if ((e->sndbuf >= 0 && set_int(fd, SOL_SOCKET, SO_SNDBUF, e->sndbuf)) ||
        (e->rcvbuf >= 0 && set_int(fd, SOL_SOCKET, SO_RCVBUF, e->rcvbuf)))
        return fail_closing(fd);
    bool receives = endpoint_receives(e) && (e->bind || e->type == ZMQ_DISH);
    if (receives) {
        /* Several sockets may listen to one group and port. */
        if (a->multicast && set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) != 0)
            return fail_closing(fd);
        if (bind(fd, (const struct sockaddr *) &a->target.storage,
                 a->target.length) != 0)
            return fail_closing(fd);
        if (a->multicast && join_group(fd, e) != 0)
            return fail_closing(fd);
    } else if (a->source.length > 0 && !a->multicast) {
        /* A unicast connect leaves from IFACE's address. */
        if (bind(fd, (const struct sockaddr *) &a->source.storage,
                 a->source.length) != 0)
            return fail_closing(fd);
    }
    if (a->multicast && set_multicast_sending(fd, e) != 0)
        return fail_closing(fd);
    return fd;
}

/* ---- one link ------------------------------------------------------ */

static void link_io(void *arg, unsigned events);

static struct modzmq_link_state *state_new(modzmq_endpoint *e, int fd)
{
    struct modzmq_link_state *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->type = e->type;
    c->family = e->address.family;
    c->fd = fd;
    c->receives = endpoint_receives(e);
    c->reading = c->receives;
    c->destination = e->address.target;
    return c;
}

/* Stops all I/O: the watch goes, the fd closes. The state stays for
 * link_close. */
static void state_stop(struct modzmq_link_state *c)
{
    if (c->watch != NULL)
        services->watch_remove(c->watch);
    c->watch = NULL;
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

static void state_watch(struct modzmq_link_state *c)
{
    if (c->watch != NULL)
        services->watch_set(c->watch,
                            (c->reading ? MODZMQ_WATCH_READ : 0) |
                                (c->out_pending ? MODZMQ_WATCH_WRITE : 0));
}

static void count_drop(struct modzmq_link_state *c, bool incoming,
                       const char *why)
{
    uint64_t count = incoming ? ++c->dropped_in : ++c->dropped_out;
    char line[160];
    snprintf(line, sizeof line, "%s datagram dropped: %s (%llu dropped %s)",
             incoming ? "received" : "outgoing", why,
             (unsigned long long) count, incoming ? "in" : "out");
    services->log(core, MODZMQ_LOG_DEBUG, line);
}

/* Pulls and discards the rest of a message whose part had MORE set. */
static void skip_rest(struct modzmq_link_state *c, struct modzmq_part *part)
{
    while ((part->flags & MODZMQ_MSG_MORE) &&
           services->link_pull(c->one.link, part) == 1)
        ;
}

/* Encodes the socket's next message into c->out: true, or false when
 * none is queued. What cannot be sent is dropped and counted here. */
static bool encode_next(struct modzmq_link_state *c)
{
    struct modzmq_part part;
    for (;;) {
        if (services->link_pull(c->one.link, &part) != 1)
            return false;
        if (c->type == ZMQ_DISH) {
            /* Joins and leaves: a udp DISH has no peer to tell. */
            skip_rest(c, &part);
            continue;
        }
        if (c->type == ZMQ_RADIO) {
            if (part.flags & MODZMQ_MSG_MORE) {
                skip_rest(c, &part);
                count_drop(c, false, "a multipart message");
                continue;
            }
            const char *group = services->link_part_group(c->one.link);
            if (group == NULL)
                group = "";
            c->out_size =
                udp_datagram_encode(c->out, sizeof c->out, group,
                                    strlen(group), part.data, part.size);
            if (c->out_size == 0) {
                count_drop(c, false, "longer than a datagram");
                continue;
            }
            c->out_to = c->destination;
            return true;
        }
        /* DGRAM: the address part, then the body. */
        if (!(part.flags & MODZMQ_MSG_MORE)) {
            count_drop(c, false, "no address part");
            continue;
        }
        int bad = udp_address_frame_parse(part.data, part.size, c->family,
                                          &c->out_to);
        if (services->link_pull(c->one.link, &part) != 1)
            return false;
        if (part.flags & MODZMQ_MSG_MORE) {
            skip_rest(c, &part);
            count_drop(c, false, "more than two parts");
            continue;
        }
        if (bad < 0) {
            count_drop(c, false, "an address part that is no ip:port");
            continue;
        }
        if (part.size > sizeof c->out) {
            count_drop(c, false, "longer than a datagram");
            continue;
        }
        memcpy(c->out, part.data, part.size);
        c->out_size = part.size;
        return true;
    }
}

/* Sends what the socket queued until the kernel's buffer is full, nothing
 * is left, or a batch is done (the write watch then calls again). */
static void state_send(struct modzmq_link_state *c)
{
    for (int sent = 0; c->fd >= 0; sent++) {
        if (!c->out_pending) {
            if (sent == BATCH) {
                services->watch_set(c->watch,
                                    (c->reading ? MODZMQ_WATCH_READ : 0) |
                                        MODZMQ_WATCH_WRITE);
                return;
            }
            if (!encode_next(c))
                break;
            c->out_pending = true;
        }
        if (sendto(c->fd, c->out, c->out_size, 0,
                   (const struct sockaddr *) &c->out_to.storage,
                   c->out_to.length) < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
                break;
            /* No route, a refused port, too large for the path: UDP
             * loses the datagram, the link goes on. */
            count_drop(c, false, strerror(errno));
        }
        c->out_pending = false;
    }
    state_watch(c);
}

/* Gives the socket the datagram in c->in. False when the pipe is full
 * (it stays, and link_input offers it again). */
static bool deliver(struct modzmq_link_state *c)
{
    int rc;
    if (c->type == ZMQ_DISH) {
        struct udp_datagram d;
        enum udp_datagram_status status =
            udp_datagram_decode(c->in, c->in_size, &d);
        if (status != UDP_DATAGRAM_OK) {
            count_drop(c, true, udp_datagram_status_name(status));
            return true;
        }
        rc = services->link_push_group(c->one.link, d.group, d.group_size, d.body,
                                       d.body_size, 0);
    } else {
        if (!c->in_addressed) {
            char address[ADDRESS_FRAME];
            int length = udp_address_format(
                (const struct sockaddr *) &c->in_from.storage, address,
                sizeof address);
            if (length < 0) {
                count_drop(c, true, "a sender address too long");
                return true;
            }
            if (services->link_push(c->one.link, address, (size_t) length,
                                    MODZMQ_MSG_MORE) < 0) {
                if (errno == EAGAIN) {
                    c->in_pending = true;
                    return false;
                }
                count_drop(c, true, strerror(errno));
                return true;
            }
            c->in_addressed = true;
        }
        rc = services->link_push(c->one.link, c->in, c->in_size, 0);
    }
    if (rc < 0 && errno == EAGAIN && c->type == ZMQ_DISH) {
        c->in_pending = true;
        return false;
    }
    if (rc < 0)
        count_drop(c, true,
                   errno == EINVAL ? "a group holding a NUL"
                                   : strerror(errno));
    c->in_pending = false;
    c->in_addressed = false;
    return true;
}

/* Reads datagrams until none is left, the pipe is full or a batch is
 * done (the level-triggered watch calls again). */
static void state_receive(struct modzmq_link_state *c)
{
    for (int i = 0; i < BATCH && c->fd >= 0 && c->reading; i++) {
        c->in_from.length = sizeof c->in_from.storage;
        /* MSG_TRUNC: the datagram's real length, to tell oversized. */
        ssize_t got = recvfrom(c->fd, c->in, sizeof c->in, MSG_TRUNC,
                               (struct sockaddr *) &c->in_from.storage,
                               &c->in_from.length);
        if (got < 0)
            return; /* EAGAIN, or an ICMP error: nothing to take now */
        if ((size_t) got > sizeof c->in) {
            count_drop(c, true,
                       udp_datagram_status_name(UDP_DATAGRAM_OVERSIZED));
            continue;
        }
        c->in_size = (size_t) got;
        if (!deliver(c)) {
            c->reading = false;
            state_watch(c);
            return;
        }
    }
}

static void link_io(void *arg, unsigned events)
{
    struct modzmq_link_state *c = arg;
    if (events & (MODZMQ_WATCH_READ | MODZMQ_WATCH_ERROR))
        state_receive(c);
    if (c->fd >= 0 && (events & MODZMQ_WATCH_WRITE))
        state_send(c);
}

/* The link exists: watch the fd on reactor, say the peer is there, send
 * what is queued. -1 with errno when it cannot start. */
static int state_start(struct modzmq_link_state *c, modzmq_reactor *reactor)
{
    c->watch = services->watch_add(reactor, c->fd, link_io, c);
    if (c->watch == NULL)
        return -1;
    state_watch(c);
    if (services->link_ready(c->one.link) < 0) {
        state_stop(c);
        return 0; /* link_close follows */
    }
    state_send(c);
    return 0;
}

static void link_output(modzmq_link_state *c)
{
    if (!c->out_pending)
        state_send(c);
}

static void link_input(modzmq_link_state *c)
{
    if (c->fd < 0 || !c->in_pending || !deliver(c))
        return;
    c->reading = c->receives;
    state_watch(c);
    state_receive(c);
}

static void link_close(modzmq_link_state *c)
{
    single_link_close(&c->one);
}

/* ---- connecting and binding --------------------------------------- */

static void state_free(modzmq_link_state *c)
{
    free(c);
}

static const struct single_link_ops single_ops = {
    .start = state_start,
    .stop = state_stop,
    .free = state_free,
};

/* The endpoint's state with its fd open, or NULL with errno. */
static struct modzmq_link_state *state_open(modzmq_endpoint *e)
{
    int fd = open_socket(e);
    if (fd < 0)
        return NULL;
    struct modzmq_link_state *c = state_new(e, fd);
    if (c == NULL) {
        fail_closing(fd);
        return NULL;
    }
    single_link_init(&c->one, services, &single_ops, c);
    return c;
}

static int connect_link(modzmq_endpoint *e, modzmq_link *link,
                        modzmq_link_state **state)
{
    struct modzmq_link_state *c = state_open(e);
    if (c == NULL)
        return -1;
    *state = c;
    return single_link_connect(&c->one, link);
}

static int listen_on(modzmq_endpoint *e, modzmq_listener *listener)
{
    struct modzmq_link_state *c = state_open(e);
    if (c == NULL)
        return -1;
    int fd = c->fd;
    if (single_link_listen(&c->one, &e->bound, listener) < 0)
        return -1;
    if (endpoint_format(e, e->name, sizeof e->name) < 0)
        e->name[0] = '\0';
    modzmq_publish_bound(services, e->socket, ZMQ_EVENT_LISTENING,
                         (uint64_t) fd, e->name);
    return 0;
}

/* The bound fd is the link's only peer: unbinding ends the link. */
static void unlisten(modzmq_endpoint *e)
{
    const struct modzmq_link_state *c = bound_state(e);
    uint64_t fd = c != NULL ? (uint64_t) c->fd : 0;
    if (single_link_unlisten(&e->bound))
        modzmq_publish_bound(services, e->socket, ZMQ_EVENT_CLOSED, fd,
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

static const char *const schemes[] = { "udp", NULL };

static const struct modzmq_plugin descriptor = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "udp",
    .kind = MODZMQ_PLUGIN_ENGINE_TRANSPORT,
    .serves = schemes,
    .ops = &ops,
    .init = init,
};

MODZMQ_PLUGIN_ENTRY
{
    return &descriptor;
}
