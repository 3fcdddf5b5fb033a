/*
 * CUnit tests of the udp transport plugin (plugins/udp). The socket types
 * that use udp (RADIO, DISH, DGRAM) are not in the core yet, so the suite
 * loads the built module as the core's loader would and plays the core's
 * part itself: a poll loop standing in for a reactor (watches, tasks),
 * and links that record what the plugin pushes and lend it the parts a
 * test queues. It checks address parsing and its errors, the datagram
 * codec, unicast RADIO to DISH over 127.0.0.1 and ::1 with groups,
 * malformed and oversized datagrams dropped and counted (the plugin's
 * debug log lines carry the count), DGRAM's address frames both ways,
 * unbinding, and multicast inside a network namespace the test makes for
 * itself (never on the host's interfaces).
 */
#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API
#endif
#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include <modzmq/engine_transport.h>
#include <modzmq/observer.h>

#include "udp_address.h"
#include "udp_datagram.h"

#include "testutil.h"

enum {
    WAIT_MS = 3000,
    MAX_WATCHES = 16,
    MAX_TASKS = 16,
    MAX_PARTS = 32,
    PART_MAX = 10000,
};

static const struct modzmq_engine_transport_ops *ops;

/* ---- the fake socket's options ---- */

static int option_type = ZMQ_DISH;
static int option_ipv6;

static int socket_option(modzmq_socket *socket, int option, void *value,
                         size_t *size)
{
    (void) socket;
    int v;
    switch (option) {
    case ZMQ_TYPE:
        v = option_type;
        break;
    case ZMQ_IPV6:
        v = option_ipv6;
        break;
    case ZMQ_SNDBUF:
    case ZMQ_RCVBUF:
        v = -1;
        break;
    case ZMQ_MULTICAST_HOPS:
    case ZMQ_MULTICAST_LOOP:
        v = 1;
        break;
    default:
        errno = EINVAL;
        return -1;
    }
    if (*size < sizeof v)
        return errno = EINVAL, -1;
    memcpy(value, &v, sizeof v);
    *size = sizeof v;
    return 0;
}

/* The plugin's drop lines: how many, and the last. */
static int drop_lines;
static char last_line[200];

static void log_line(modzmq_core *core, enum modzmq_log_level level,
                     const char *message)
{
    (void) core;
    if (level == MODZMQ_LOG_DEBUG && strstr(message, "dropped") != NULL) {
        drop_lines++;
        snprintf(last_line, sizeof last_line, "%s", message);
    }
}

static int events_listening, events_closed;

static void publish(const struct modzmq_event *event)
{
    if (event->id == ZMQ_EVENT_LISTENING)
        events_listening++;
    if (event->id == ZMQ_EVENT_CLOSED)
        events_closed++;
}

static int event_wanted(modzmq_socket *socket, uint64_t id)
{
    (void) socket;
    (void) id;
    return 1;
}

/* ---- the reactor ---- */

struct modzmq_reactor {
    int unused;
};
static struct modzmq_reactor reactor;

struct modzmq_watch {
    bool used;
    int fd;
    unsigned events;
    modzmq_watch_fn fn;
    void *arg;
};
static struct modzmq_watch watches[MAX_WATCHES];

static struct {
    modzmq_task_fn fn;
    void *arg;
} tasks[MAX_TASKS];
static size_t task_count;

static modzmq_watch *watch_add(modzmq_reactor *r, int fd, modzmq_watch_fn fn,
                               void *arg)
{
    (void) r;
    for (size_t i = 0; i < MAX_WATCHES; i++)
        if (!watches[i].used) {
            watches[i] = (struct modzmq_watch){ true, fd, 0, fn, arg };
            return &watches[i];
        }
    errno = ENOMEM;
    return NULL;
}

static void watch_set(modzmq_watch *w, unsigned events)
{
    w->events = events;
}

static void watch_remove(modzmq_watch *w)
{
    w->used = false;
}

static int task_post(modzmq_reactor *r, modzmq_task_fn fn, void *arg)
{
    (void) r;
    if (task_count == MAX_TASKS)
        return errno = ENOMEM, -1;
    tasks[task_count].fn = fn;
    tasks[task_count++].arg = arg;
    return 0;
}

/* One turn of the loop: the tasks posted, then the ready watches. */
static void turn(int timeout_ms)
{
    while (task_count > 0) {
        modzmq_task_fn fn = tasks[0].fn;
        void *arg = tasks[0].arg;
        memmove(tasks, tasks + 1, --task_count * sizeof tasks[0]);
        fn(arg);
    }
    struct pollfd fds[MAX_WATCHES];
    size_t which[MAX_WATCHES];
    nfds_t n = 0;
    for (size_t i = 0; i < MAX_WATCHES; i++)
        if (watches[i].used && watches[i].events != 0) {
            fds[n].fd = watches[i].fd;
            fds[n].events = (short) (((watches[i].events & MODZMQ_WATCH_READ)
                                          ? POLLIN
                                          : 0) |
                                     ((watches[i].events & MODZMQ_WATCH_WRITE)
                                          ? POLLOUT
                                          : 0));
            which[n++] = i;
        }
    if (poll(fds, n, timeout_ms) <= 0)
        return;
    for (nfds_t k = 0; k < n; k++) {
        struct modzmq_watch *w = &watches[which[k]];
        if (fds[k].revents == 0 || !w->used || w->fd != fds[k].fd)
            continue;
        unsigned ev = ((fds[k].revents & POLLIN) ? MODZMQ_WATCH_READ : 0) |
                      ((fds[k].revents & POLLOUT) ? MODZMQ_WATCH_WRITE : 0) |
                      ((fds[k].revents & (POLLERR | POLLHUP))
                           ? MODZMQ_WATCH_ERROR
                           : 0);
        w->fn(w->arg, ev);
    }
}

/* ---- links ---- */

struct part {
    char group[UDP_GROUP_MAX + 1];
    unsigned flags;
    size_t size;
    char data[PART_MAX];
};

struct modzmq_link {
    modzmq_link_state *state;
    bool ready, failed, closed;
    int error;
    /* The socket's outgoing parts, lent in order. */
    struct part *out;
    size_t out_count, out_next;
    /* What the plugin pushed. */
    struct part in[MAX_PARTS];
    size_t in_count;
    bool full; /* push says EAGAIN */
};

struct modzmq_listener {
    struct modzmq_link accepted;
    bool has_link;
};

static modzmq_reactor *link_reactor(modzmq_link *link)
{
    (void) link;
    return &reactor;
}

static modzmq_reactor *listener_reactor(modzmq_listener *listener)
{
    (void) listener;
    return &reactor;
}

static modzmq_link *link_accept(modzmq_listener *listener,
                                modzmq_link_state *state)
{
    listener->has_link = true;
    listener->accepted.state = state;
    return &listener->accepted;
}

static int link_ready(modzmq_link *link)
{
    link->ready = true;
    return 0;
}

static void link_failed(modzmq_link *link, int error)
{
    link->failed = true;
    link->error = error;
}

static int link_pull(modzmq_link *link, struct modzmq_part *part)
{
    if (!link->ready || link->out_next == link->out_count)
        return 0;
    struct part *p = &link->out[link->out_next++];
    part->data = p->data;
    part->size = p->size;
    part->flags = p->flags;
    return 1;
}

static const char *link_part_group(modzmq_link *link)
{
    if (link->out_next == 0)
        return NULL;
    return link->out[link->out_next - 1].group;
}

static int link_push_group(modzmq_link *link, const char *group,
                           size_t group_size, const void *data, size_t size,
                           unsigned flags)
{
    if (!link->ready)
        return errno = ENOTCONN, -1;
    if (group_size > 15)
        return errno = EINVAL, -1; /* as the core's limit */
    if (link->full || link->in_count == MAX_PARTS)
        return errno = EAGAIN, -1;
    struct part *p = &link->in[link->in_count++];
    memcpy(p->group, group, group_size);
    p->group[group_size] = '\0';
    p->flags = flags;
    p->size = size < PART_MAX ? size : PART_MAX;
    memcpy(p->data, data, p->size);
    return 0;
}

static int link_push(modzmq_link *link, const void *data, size_t size,
                     unsigned flags)
{
    return link_push_group(link, "", 0, data, size, flags);
}

static const struct modzmq_core_services services = {
    .size = sizeof(struct modzmq_core_services),
    .socket_option = socket_option,
    .log = log_line,
    .publish = publish,
    .event_wanted = event_wanted,
    .link_reactor = link_reactor,
    .listener_reactor = listener_reactor,
    .watch_add = watch_add,
    .watch_set = watch_set,
    .watch_remove = watch_remove,
    .task_post = task_post,
    .link_accept = link_accept,
    .link_ready = link_ready,
    .link_failed = link_failed,
    .link_pull = link_pull,
    .link_push = link_push,
    .link_part_group = link_part_group,
    .link_push_group = link_push_group,
};

/* Runs the loop until link has count parts in, or WAIT_MS. */
static bool wait_parts(modzmq_link *link, size_t count)
{
    for (int i = 0; i < WAIT_MS / 10 && link->in_count < count; i++)
        turn(10);
    return link->in_count >= count;
}

/* Runs the loop for ms (for what must not arrive). */
static void run_for(int ms)
{
    for (int i = 0; i < ms / 10; i++)
        turn(10);
}

/* ---- endpoints through the ops ---- */

static int parse(const char *address, enum modzmq_endpoint_mode mode,
                 modzmq_endpoint **endpoint)
{
    return ops->endpoint_parse((modzmq_socket *) &reactor, "udp", address,
                               mode, endpoint);
}

static bool parse_fails(int type, const char *address,
                        enum modzmq_endpoint_mode mode, int error)
{
    option_type = type;
    modzmq_endpoint *endpoint;
    errno = 0;
    if (parse(address, mode, &endpoint) == 0) {
        fprintf(stderr, "\n  %s parsed\n", address);
        ops->endpoint_free(endpoint);
        return false;
    }
    if (errno != error)
        fprintf(stderr, "\n  %s: errno %d, not %d\n", address, errno, error);
    return errno == error;
}

/* A bound endpoint with its accepted link. */
struct bound {
    modzmq_endpoint *endpoint;
    struct modzmq_listener listener;
    char name[128];
    unsigned port;
};

static bool bind_udp(int type, const char *address, struct bound *b)
{
    memset(b, 0, sizeof *b);
    option_type = type;
    if (parse(address, MODZMQ_ENDPOINT_BIND, &b->endpoint) != 0)
        return false;
    if (ops->listen(b->endpoint, &b->listener) != 0) {
        ops->endpoint_free(b->endpoint);
        return false;
    }
    turn(0); /* the accept task */
    if (ops->endpoint_format(b->endpoint, b->name, sizeof b->name) < 0)
        return false;
    const char *colon = strrchr(b->name, ':');
    b->port = colon != NULL ? (unsigned) atoi(colon + 1) : 0;
    return b->listener.has_link && b->listener.accepted.ready;
}

static void unbind_udp(struct bound *b)
{
    ops->unlisten(b->endpoint);
    if (b->listener.has_link)
        ops->link_close(b->listener.accepted.state);
    ops->endpoint_free(b->endpoint);
}

/* A connected endpoint and its link. */
struct connected {
    modzmq_endpoint *endpoint;
    struct modzmq_link link;
};

static bool connect_udp(int type, const char *address, struct connected *c,
                        struct part *out, size_t out_count)
{
    memset(c, 0, sizeof *c);
    option_type = type;
    c->link.out = out;
    c->link.out_count = out_count;
    if (parse(address, MODZMQ_ENDPOINT_CONNECT, &c->endpoint) != 0)
        return false;
    if (ops->connect(c->endpoint, &c->link, &c->link.state) != 0) {
        ops->endpoint_free(c->endpoint);
        return false;
    }
    return c->link.ready;
}

static void disconnect_udp(struct connected *c)
{
    ops->link_close(c->link.state);
    ops->endpoint_free(c->endpoint);
}

static void set_part(struct part *p, const char *group, const char *data,
                     unsigned flags)
{
    snprintf(p->group, sizeof p->group, "%s", group);
    p->size = strlen(data);
    memcpy(p->data, data, p->size);
    p->flags = flags;
}

static bool have_ipv6_loopback(void)
{
    int fd = socket(AF_INET6, SOCK_DGRAM, 0);
    if (fd == -1)
        return false;
    struct sockaddr_in6 addr = { .sin6_family = AF_INET6,
                                 .sin6_addr = IN6ADDR_LOOPBACK_INIT };
    bool ok = bind(fd, (struct sockaddr *) &addr, sizeof addr) == 0;
    close(fd);
    if (!ok)
        fprintf(stderr, "\n  no ::1 here, IPv6 part skipped\n");
    return ok;
}

/* Sends size raw bytes to port on host (a libzmq RADIO's datagram, or a
 * broken one). */
static bool send_raw(int family, const char *host, unsigned port,
                     const void *data, size_t size)
{
    int fd = socket(family, SOCK_DGRAM, 0);
    if (fd < 0)
        return false;
    struct sockaddr_storage to = { 0 };
    socklen_t length;
    if (family == AF_INET) {
        struct sockaddr_in *in = (struct sockaddr_in *) &to;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t) port);
        inet_pton(AF_INET, host, &in->sin_addr);
        length = sizeof *in;
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) &to;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t) port);
        inet_pton(AF_INET6, host, &in6->sin6_addr);
        length = sizeof *in6;
    }
    bool ok = sendto(fd, data, size, 0, (struct sockaddr *) &to, length) ==
              (ssize_t) size;
    close(fd);
    return ok;
}

/* ---- the tests ---- */

static void test_descriptor(void)
{
    CU_ASSERT_PTR_NOT_NULL_FATAL(ops);
    CU_ASSERT_EQUAL(ops->size, sizeof(struct modzmq_engine_transport_ops));
}

static void test_address_errors(void)
{
    enum modzmq_endpoint_mode B = MODZMQ_ENDPOINT_BIND;
    enum modzmq_endpoint_mode C = MODZMQ_ENDPOINT_CONNECT;
    option_ipv6 = 0;
    /* Socket types that may not use udp, or not this way. */
    CU_ASSERT(parse_fails(ZMQ_PUB, "127.0.0.1:5555", C, ENOCOMPATPROTO));
    CU_ASSERT(parse_fails(ZMQ_PAIR, "*:5555", B, ENOCOMPATPROTO));
    CU_ASSERT(parse_fails(ZMQ_RADIO, "*:5555", B, ENOCOMPATPROTO));
    /* Addresses that are none. */
    CU_ASSERT(parse_fails(ZMQ_DISH, "127.0.0.1", B, EINVAL));
    CU_ASSERT(parse_fails(ZMQ_DISH, ":5555", B, EINVAL));
    CU_ASSERT(parse_fails(ZMQ_DISH, "127.0.0.1:70000", B, EINVAL));
    CU_ASSERT(parse_fails(ZMQ_DISH, "127.0.0.1:55x", B, EINVAL));
    CU_ASSERT(parse_fails(ZMQ_RADIO, "127.0.0.1:0", C, EINVAL));
    CU_ASSERT(parse_fails(ZMQ_RADIO, "*:5555", C, EINVAL));
    CU_ASSERT(parse_fails(ZMQ_RADIO, "[::1]:5555", C, EINVAL)); /* no IPV6 */
    CU_ASSERT(parse_fails(ZMQ_DISH, "no-such-iface0:5555", B, ENODEV));
    CU_ASSERT(parse_fails(ZMQ_DISH, "no-such-iface0;239.0.0.1:5555", B,
                          ENODEV));
    CU_ASSERT(parse_fails(ZMQ_RADIO, ";239.0.0.1:5555", C, EINVAL));

    /* What the forms mean. */
    struct udp_address a;
    CU_ASSERT_EQUAL(udp_address_parse("*:5555", true, false, &a), 0);
    CU_ASSERT_EQUAL(a.family, AF_INET);
    CU_ASSERT_FALSE(a.multicast);
    CU_ASSERT_EQUAL(udp_address_parse("*:5555", true, true, &a), 0);
    CU_ASSERT_EQUAL(a.family, AF_INET6);
    CU_ASSERT_EQUAL(udp_address_parse("239.0.0.1:5555", true, false, &a), 0);
    CU_ASSERT(a.multicast);
    CU_ASSERT_EQUAL(a.iface_index, 0);
    CU_ASSERT_EQUAL(udp_address_parse("lo;239.0.0.1:5555", false, false, &a),
                    0);
    CU_ASSERT(a.multicast);
    CU_ASSERT_EQUAL(a.iface_index, if_nametoindex("lo"));
    CU_ASSERT_EQUAL(udp_address_parse("127.0.0.1;239.0.0.1:5555", true, false,
                                      &a),
                    0);
    CU_ASSERT_EQUAL(a.iface_index, if_nametoindex("lo"));
    CU_ASSERT_EQUAL(udp_address_parse("[ff02::1]:5555", true, true, &a), 0);
    CU_ASSERT(a.multicast);
    CU_ASSERT_EQUAL(a.family, AF_INET6);
    CU_ASSERT_EQUAL(udp_address_parse("localhost:5555", false, false, &a), 0);
    CU_ASSERT_EQUAL(a.family, AF_INET);
    CU_ASSERT_EQUAL(udp_address_parse("lo:5555", true, false, &a), 0);
    char text[64];
    CU_ASSERT(udp_address_format((struct sockaddr *) &a.target.storage, text,
                                 sizeof text) > 0);
    CU_ASSERT_STRING_EQUAL(text, "127.0.0.1:5555");
}

static void test_address_frames(void)
{
    struct udp_sockaddr s;
    char text[64];
    CU_ASSERT_EQUAL(udp_address_frame_parse("127.0.0.1:99", 12, AF_INET, &s),
                    0);
    udp_address_format((struct sockaddr *) &s.storage, text, sizeof text);
    CU_ASSERT_STRING_EQUAL(text, "127.0.0.1:99");
    /* An IPv4 frame on an IPv6 socket goes as a mapped address. */
    CU_ASSERT_EQUAL(udp_address_frame_parse("127.0.0.1:99", 12, AF_INET6, &s),
                    0);
    CU_ASSERT_EQUAL(s.storage.ss_family, AF_INET6);
    udp_address_format((struct sockaddr *) &s.storage, text, sizeof text);
    CU_ASSERT_STRING_EQUAL(text, "127.0.0.1:99");
    CU_ASSERT_EQUAL(udp_address_frame_parse("[::1]:7", 7, AF_INET6, &s), 0);
    udp_address_format((struct sockaddr *) &s.storage, text, sizeof text);
    CU_ASSERT_STRING_EQUAL(text, "[::1]:7");
    const char *bad[] = { "", "127.0.0.1", "127.0.0.1:0", "host:5",
                          "[::1]:7", "1.2.3.4:x", "1.2.3.4:99999" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        CU_ASSERT_EQUAL(
            udp_address_frame_parse(bad[i], strlen(bad[i]), AF_INET, &s), -1);
    CU_ASSERT_EQUAL(udp_address_frame_parse("1.2.3.4:5\0", 10, AF_INET, &s),
                    -1);
}

static void test_codec(void)
{
    uint8_t buffer[UDP_DATAGRAM_MAX + 10];
    struct udp_datagram d;
    size_t n = udp_datagram_encode(buffer, sizeof buffer, "tv", 2, "hello", 5);
    CU_ASSERT_EQUAL(n, 8);
    CU_ASSERT_EQUAL(memcmp(buffer, "\x02tvhello", 8), 0);
    CU_ASSERT_EQUAL(udp_datagram_decode(buffer, n, &d), UDP_DATAGRAM_OK);
    CU_ASSERT_EQUAL(d.group_size, 2);
    CU_ASSERT_EQUAL(memcmp(d.group, "tv", 2), 0);
    CU_ASSERT_EQUAL(d.body_size, 5);
    CU_ASSERT_EQUAL(memcmp(d.body, "hello", 5), 0);
    /* No group, no body. */
    CU_ASSERT_EQUAL(udp_datagram_encode(buffer, sizeof buffer, "", 0, "", 0),
                    1);
    CU_ASSERT_EQUAL(udp_datagram_decode(buffer, 1, &d), UDP_DATAGRAM_OK);
    CU_ASSERT_EQUAL(d.group_size + d.body_size, 0);
    /* The longest group RFC 48 allows, and one more. */
    char group[UDP_GROUP_MAX + 1];
    memset(group, 'g', sizeof group);
    CU_ASSERT_EQUAL(udp_datagram_encode(buffer, sizeof buffer, group, 255, "",
                                        0),
                    256);
    CU_ASSERT_EQUAL(udp_datagram_decode(buffer, 256, &d), UDP_DATAGRAM_OK);
    CU_ASSERT_EQUAL(udp_datagram_encode(buffer, sizeof buffer, group, 256, "",
                                        0),
                    0);
    /* Exactly the largest datagram, and one octet more. */
    static uint8_t body[UDP_DATAGRAM_MAX];
    CU_ASSERT_EQUAL(udp_datagram_encode(buffer, sizeof buffer, "g", 1, body,
                                        UDP_DATAGRAM_MAX - 2),
                    UDP_DATAGRAM_MAX);
    CU_ASSERT_EQUAL(udp_datagram_encode(buffer, sizeof buffer, "g", 1, body,
                                        UDP_DATAGRAM_MAX - 1),
                    0);
    CU_ASSERT_EQUAL(udp_datagram_decode(buffer, UDP_DATAGRAM_MAX + 1, &d),
                    UDP_DATAGRAM_OVERSIZED);
    /* Malformed. */
    CU_ASSERT_EQUAL(udp_datagram_decode(buffer, 0, &d), UDP_DATAGRAM_EMPTY);
    CU_ASSERT_EQUAL(udp_datagram_decode((const uint8_t *) "\x05" "ab", 3, &d),
                    UDP_DATAGRAM_SHORT);
    CU_ASSERT_EQUAL(udp_datagram_decode((const uint8_t *) "\x02" "a\0b", 4, &d),
                    UDP_DATAGRAM_BAD_GROUP);
}

/* RADIO connected to a DISH bound on host: groups arrive, malformed and
 * oversized datagrams are dropped and counted, good ones after them
 * still arrive. */
static void radio_to_dish(int family, const char *host, const char *bind_at)
{
    struct bound dish;
    CU_ASSERT_FATAL(bind_udp(ZMQ_DISH, bind_at, &dish));
    CU_ASSERT(dish.port != 0);
    char address[96];
    snprintf(address, sizeof address,
             family == AF_INET ? "%s:%u" : "[%s]:%u", host, dish.port);
    static struct part out[3];
    set_part(&out[0], "weather", "sunny", 0);
    set_part(&out[1], "", "no group", 0);
    set_part(&out[2], "news", "extra", 0);
    struct connected radio;
    CU_ASSERT_FATAL(connect_udp(ZMQ_RADIO, address, &radio, out, 3));
    modzmq_link *in = &dish.listener.accepted;
    CU_ASSERT_FATAL(wait_parts(in, 3));
    CU_ASSERT_STRING_EQUAL(in->in[0].group, "weather");
    CU_ASSERT_EQUAL(in->in[0].size, 5);
    CU_ASSERT_EQUAL(memcmp(in->in[0].data, "sunny", 5), 0);
    CU_ASSERT_EQUAL(in->in[0].flags, 0);
    CU_ASSERT_STRING_EQUAL(in->in[1].group, "");
    CU_ASSERT_STRING_EQUAL(in->in[2].group, "news");

    /* What a libzmq RADIO sends, then broken and oversized datagrams. */
    int drops = drop_lines;
    CU_ASSERT(send_raw(family, host, dish.port, "\x03" "abcbody", 8));
    CU_ASSERT_FATAL(wait_parts(in, 4));
    CU_ASSERT_STRING_EQUAL(in->in[3].group, "abc");
    CU_ASSERT_EQUAL(in->in[3].size, 4);
    CU_ASSERT(send_raw(family, host, dish.port, "", 0));
    CU_ASSERT(send_raw(family, host, dish.port, "\x09" "ab", 3));
    CU_ASSERT(send_raw(family, host, dish.port, "\x02" "a\0x", 4));
    static uint8_t big[UDP_DATAGRAM_MAX + 1];
    CU_ASSERT(send_raw(family, host, dish.port, big, sizeof big));
    /* A group longer than the core holds. */
    uint8_t longer[40] = { 20 };
    memset(longer + 1, 'x', 39);
    CU_ASSERT(send_raw(family, host, dish.port, longer, sizeof longer));
    CU_ASSERT(send_raw(family, host, dish.port, "\x01" "zlast", 6));
    CU_ASSERT_FATAL(wait_parts(in, 5));
    CU_ASSERT_STRING_EQUAL(in->in[4].group, "z");
    CU_ASSERT_EQUAL(in->in_count, 5);
    CU_ASSERT_EQUAL(drop_lines - drops, 5);
    CU_ASSERT_PTR_NOT_NULL(strstr(last_line, "received"));
    CU_ASSERT_FALSE(in->failed);

    /* Oversized and multipart messages the RADIO cannot send. */
    static struct part more[3];
    set_part(&more[0], "g", "first", MODZMQ_MSG_MORE);
    set_part(&more[1], "g", "second", 0);
    more[2].size = UDP_DATAGRAM_MAX;
    snprintf(more[2].group, sizeof more[2].group, "g");
    drops = drop_lines;
    radio.link.out = more;
    radio.link.out_count = 3;
    radio.link.out_next = 0;
    ops->link_output(radio.link.state);
    CU_ASSERT_EQUAL(drop_lines - drops, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(last_line, "outgoing"));
    run_for(100);
    CU_ASSERT_EQUAL(in->in_count, 5);

    disconnect_udp(&radio);
    int closed = events_closed;
    unbind_udp(&dish);
    CU_ASSERT_EQUAL(events_closed, closed + 1);
    CU_ASSERT(dish.listener.accepted.failed);
}

static void test_unicast_ipv4(void)
{
    option_ipv6 = 0;
    int listening = events_listening;
    radio_to_dish(AF_INET, "127.0.0.1", "127.0.0.1:*");
    CU_ASSERT_EQUAL(events_listening, listening + 1);
}

static void test_unicast_ipv6(void)
{
    if (!have_ipv6_loopback())
        return;
    option_ipv6 = 1;
    radio_to_dish(AF_INET6, "::1", "[::1]:0");
    /* "*" with ZMQ_IPV6 takes IPv4 datagrams too. */
    radio_to_dish(AF_INET, "127.0.0.1", "*:0");
    option_ipv6 = 0;
}

/* A full pipe: the datagram waits, and arrives after link_input. */
static void test_back_pressure(void)
{
    option_ipv6 = 0;
    struct bound dish;
    CU_ASSERT_FATAL(bind_udp(ZMQ_DISH, "127.0.0.1:0", &dish));
    modzmq_link *in = &dish.listener.accepted;
    in->full = true;
    CU_ASSERT(send_raw(AF_INET, "127.0.0.1", dish.port, "\x01gone", 5));
    run_for(100);
    CU_ASSERT_EQUAL(in->in_count, 0);
    in->full = false;
    ops->link_input(in->state);
    CU_ASSERT_FATAL(wait_parts(in, 1));
    CU_ASSERT_STRING_EQUAL(in->in[0].group, "g");
    CU_ASSERT_EQUAL(memcmp(in->in[0].data, "one", 3), 0);
    unbind_udp(&dish);
}

/* DGRAM: two bound sockets; each message is the peer's "ip:port", then
 * the body. */
static void test_dgram(void)
{
    option_ipv6 = 0;
    struct bound a, b;
    CU_ASSERT_FATAL(bind_udp(ZMQ_DGRAM, "127.0.0.1:*", &a));
    CU_ASSERT_FATAL(bind_udp(ZMQ_DGRAM, "127.0.0.1:*", &b));
    char to_b[32], from_a[32];
    snprintf(to_b, sizeof to_b, "127.0.0.1:%u", b.port);
    snprintf(from_a, sizeof from_a, "127.0.0.1:%u", a.port);
    static struct part out[6];
    set_part(&out[0], "", to_b, MODZMQ_MSG_MORE);
    set_part(&out[1], "", "ping", 0);
    set_part(&out[2], "", "no-address", 0); /* dropped: one part */
    set_part(&out[3], "", "nowhere:1", MODZMQ_MSG_MORE);
    set_part(&out[4], "", "lost", 0); /* dropped: no ip:port */
    set_part(&out[5], "", to_b, MODZMQ_MSG_MORE);
    modzmq_link *la = &a.listener.accepted;
    la->out = out;
    la->out_count = 5;
    int drops = drop_lines;
    ops->link_output(la->state);
    CU_ASSERT_EQUAL(drop_lines - drops, 2);
    modzmq_link *lb = &b.listener.accepted;
    CU_ASSERT_FATAL(wait_parts(lb, 2));
    CU_ASSERT_EQUAL(lb->in[0].flags, MODZMQ_MSG_MORE);
    CU_ASSERT_EQUAL(lb->in[0].size, strlen(from_a));
    CU_ASSERT_EQUAL(memcmp(lb->in[0].data, from_a, strlen(from_a)), 0);
    CU_ASSERT_EQUAL(lb->in[1].flags, 0);
    CU_ASSERT_EQUAL(memcmp(lb->in[1].data, "ping", 4), 0);
    run_for(50);
    CU_ASSERT_EQUAL(lb->in_count, 2);
    unbind_udp(&a);
    unbind_udp(&b);
}

/* Whether iface has an IPv6 address yet (/proc/net/if_inet6 lists it). */
static bool has_inet6(const char *iface)
{
    FILE *table = fopen("/proc/net/if_inet6", "r");
    char line[256];
    bool found = false;
    while (!found && table != NULL && fgets(line, sizeof line, table)) {
        char *name = strrchr(line, ' ');
        found = name != NULL && strncmp(name + 1, iface, strlen(iface)) == 0 &&
                name[1 + strlen(iface)] == '\n';
    }
    if (table != NULL)
        fclose(table);
    return found;
}

/* IPv6 multicast does not loop back on lo: a veth pair, mz0 and mz1,
 * in this (new) namespace, without duplicate address detection so that
 * mz0's link-local address (the source of what is sent) is usable as
 * soon as it exists. The kernel gives it once the pair's carrier is up,
 * a moment after `ip link set up` returns: waited for, at most 2 s.
 * Made with iproute2's ip; false when it cannot be (ip missing). */
static bool veth_up(void)
{
    FILE *dad = fopen("/proc/sys/net/ipv6/conf/default/accept_dad", "w");
    if (dad == NULL)
        return false;
    fputs("0\n", dad);
    fclose(dad);
    if (system("ip link add mz0 type veth peer name mz1 2>/dev/null && "
               "ip link set mz1 up && ip link set mz0 up") != 0)
        return false;
    for (int i = 0; i < 200 && !has_inet6("mz0"); i++)
        usleep(10 * 1000);
    return has_inet6("mz0");
}

/* In the child: RADIO to a group, two DISHes bound to it on lo. */
static int multicast_child(const char *iface, const char *group_address)
{
    struct bound d1, d2;
    char at[80];
    snprintf(at, sizeof at, "%s;%s:5555", iface, group_address);
    if (!bind_udp(ZMQ_DISH, at, &d1) || !bind_udp(ZMQ_DISH, at, &d2))
        return 10;
    static struct part out[2];
    set_part(&out[0], "m", "to everyone", 0);
    set_part(&out[1], "m", "again", 0);
    struct connected radio;
    if (!connect_udp(ZMQ_RADIO, at, &radio, out, 2))
        return 11;
    if (!wait_parts(&d1.listener.accepted, 2) ||
        !wait_parts(&d2.listener.accepted, 2))
        return 12;
    if (strcmp(d1.listener.accepted.in[0].group, "m") != 0 ||
        memcmp(d2.listener.accepted.in[1].data, "again", 5) != 0)
        return 13;
    disconnect_udp(&radio);
    unbind_udp(&d1);
    unbind_udp(&d2);
    return 0;
}

struct multicast_case {
    const char *iface, *group_address;
    int ipv6;
};

enum { NO_VETH = 5 };

static int multicast_case_child(void *arg)
{
    const struct multicast_case *c = arg;
    if (c->ipv6 && !veth_up())
        return NO_VETH;
    option_ipv6 = c->ipv6;
    return multicast_child(c->iface, c->group_address);
}

static void multicast_in_namespace(const char *iface,
                                   const char *group_address, int ipv6)
{
    struct multicast_case c = { iface, group_address, ipv6 };
    int rc = test_in_network_namespace(multicast_case_child, &c, 20);
    if (rc == -1)
        return;
    /* iproute2 is among tools/install-deps.sh's packages: without it
     * the case fails, saying so. */
    if (rc == NO_VETH)
        fprintf(stderr, "\n  multicast: no veth pair (iproute2's ip)\n");
    CU_ASSERT_EQUAL(rc, 0);
}

static void test_multicast_ipv4(void)
{
    multicast_in_namespace("lo", "239.1.2.3", 0);
}

static void test_multicast_ipv6(void)
{
    multicast_in_namespace("mz0", "[ff02::1:3]", 1);
}

/* ---- loading ---- */

static void *module;

static int suite_init(void)
{
    module = dlopen(UDP_MODULE_PATH, RTLD_NOW | RTLD_LOCAL);
    if (module == NULL) {
        fprintf(stderr, "%s\n", dlerror());
        return -1;
    }
    const struct modzmq_plugin *(*entry)(void);
    *(void **) &entry = dlsym(module, "modzmq_udp_LTX_modzmq_plugin_entry");
    if (entry == NULL)
        return -1;
    const struct modzmq_plugin *plugin = entry();
    if (plugin->kind != MODZMQ_PLUGIN_ENGINE_TRANSPORT ||
        strcmp(plugin->name, "udp") != 0 ||
        strcmp(plugin->serves[0], "udp") != 0 ||
        plugin->init(&services, (modzmq_core *) &reactor) != 0)
        return -1;
    ops = plugin->ops;
    return 0;
}

static int suite_clean(void)
{
    if (module != NULL)
        dlclose(module);
    return 0;
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite suite =
        CU_add_suite("udp transport", suite_init, suite_clean);
    CU_add_test(suite, "descriptor", test_descriptor);
    CU_add_test(suite, "address errors and forms", test_address_errors);
    CU_add_test(suite, "DGRAM address frames", test_address_frames);
    CU_add_test(suite, "datagram codec", test_codec);
    CU_add_test(suite, "RADIO to DISH over 127.0.0.1", test_unicast_ipv4);
    CU_add_test(suite, "RADIO to DISH over ::1", test_unicast_ipv6);
    CU_add_test(suite, "a full pipe holds the datagram", test_back_pressure);
    CU_add_test(suite, "DGRAM both ways", test_dgram);
    CU_add_test(suite, "multicast IPv4 in a namespace", test_multicast_ipv4);
    CU_add_test(suite, "multicast IPv6 in a namespace", test_multicast_ipv6);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() +
                      CU_get_number_of_suites_failed();
    CU_cleanup_registry();
    return failed == 0 ? 0 : 1;
}
