/*
 * The stats plugin: an observer that keeps the latest counters of every
 * socket of the process and serves them to `modzmq top` on a local
 * endpoint, so that an operator can watch rates, high-water-mark hits
 * and drops of an application loaded with MODZMQ_OBSERVERS=stats, without
 * changing it.
 *
 * A thread of its own asks the core for every socket's counters each
 * interval (the counters_request service, SDK 1.3); each socket answers
 * on its own thread when its application next calls it, with
 * MODZMQ_EVENT_SOCKET_COUNTERS followed by one MODZMQ_EVENT_PEER_COUNTERS
 * per peer, which on_event files under the table's lock. High-water-mark
 * hits are counted from MODZMQ_EVENT_PIPE_HWM_REACHED as they happen. A
 * socket that stops answering (its application no longer calls it, or
 * it closed) is shown as stale, and forgotten after FORGET_INTERVALS.
 *
 * The same thread listens on an AF_UNIX stream socket: MODZMQ_STATS_ENDPOINT
 * (a path, or @name for an abstract one), by default the abstract
 * @modzmq-stats.<pid>. Each connection from the same user (or root) gets
 * the snapshot, in the text form below, and is closed:
 *
 *   modzmq-stats 1 pid=P interval_ms=I time_ms=T sockets=N
 *   socket id=K type=PUB age_ms=A stale=0 msgs_in=.. bytes_in=..
 *          msgs_out=.. bytes_out=.. dropped=.. hwm_hits=.. peers=M
 *          bound=EP,EP connected=-          (one line)
 *   peer socket=K endpoint=EP msgs_in=.. bytes_in=.. msgs_out=..
 *          bytes_out=.. dropped=.. hwm_hits=..       (one line, M of them)
 *   end
 *
 * time_ms is the process's CLOCK_MONOTONIC in milliseconds, age_ms the
 * time since the socket last answered (-1 and type=- if it never did),
 * lists of endpoints are comma separated, "-" when empty.
 *
 * A plugin of its own rather than a part of the monitor plugin: the
 * monitor is loaded by any application that calls zmq_socket_monitor,
 * and must not start a thread and open a listening socket in it; this one
 * only runs where an operator named it.
 */
#define MODZMQ_PLUGIN_MODULE modzmq_stats
#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API /* the draft socket types' names */
#endif
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <modzmq/observer.h>
#include <modzmq/plugin.h>
#include <zmq.h>

enum {
    COUNTERS = 5, /* msgs in, bytes in, msgs out, bytes out, dropped */
    DEFAULT_INTERVAL_MS = 1000,
    STALE_INTERVALS = 3,   /* unanswered this long: stale */
    FORGET_INTERVALS = 30, /* unanswered this long: forgotten */
};

struct peer_stats {
    char *endpoint;
    uint64_t values[COUNTERS];
};

/* High-water-mark hits of one endpoint of a socket, kept across
 * snapshots (its peers come and go). */
struct hwm_hits {
    char *endpoint;
    uint64_t hits;
};

struct socket_stats {
    modzmq_socket *socket;
    unsigned id;
    int type;            /* ZMQ_*, -1 before the first answer */
    int64_t answered_ms; /* -1: never */
    int64_t seen_ms;     /* first seen or last answered */
    uint64_t values[COUNTERS];
    char *bound, *connected;
    struct peer_stats *peers;
    size_t peer_count;
    size_t peers_expected; /* PEER_COUNTERS still to come of this answer */
    struct hwm_hits *hwm;
    size_t hwm_count;
    uint64_t hwm_total;
};

static const struct modzmq_core_services *services;
static modzmq_core *self;

static struct {
    pthread_mutex_t lock;
    struct socket_stats *items;
    size_t count;
    unsigned next_id;
} table = { .lock = PTHREAD_MUTEX_INITIALIZER };

static struct {
    int listen_fd;
    int wake[2]; /* fini writes to stop the thread */
    pthread_t thread;
    bool started;
    long interval_ms;
    char path[sizeof(((struct sockaddr_un *) NULL)->sun_path)];
    bool on_disk; /* a file to unlink at fini */
} server = { .listen_fd = -1, .wake = { -1, -1 } };

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Aborts when memory runs out: a lost answer would be a silent lie. */
static void *grow(void *array, size_t count, size_t size)
{
    void *grown = realloc(array, (count + 1) * size);
    if (grown == NULL) {
        services->log(self, MODZMQ_LOG_ERROR, "out of memory");
        abort();
    }
    return grown;
}

static char *copy(const char *text)
{
    char *copied = strdup(text);
    if (copied == NULL) {
        services->log(self, MODZMQ_LOG_ERROR, "out of memory");
        abort();
    }
    return copied;
}

static void clear_peers(struct socket_stats *s)
{
    for (size_t i = 0; i < s->peer_count; i++)
        free(s->peers[i].endpoint);
    s->peer_count = 0;
}

static void socket_stats_free(struct socket_stats *s)
{
    clear_peers(s);
    free(s->peers);
    for (size_t i = 0; i < s->hwm_count; i++)
        free(s->hwm[i].endpoint);
    free(s->hwm);
    free(s->bound);
    free(s->connected);
}

/* The entry of socket, made if new. Table lock held. */
static struct socket_stats *find_socket(modzmq_socket *socket)
{
    for (size_t i = 0; i < table.count; i++) {
        if (table.items[i].socket == socket)
            return &table.items[i];
    }
    table.items = grow(table.items, table.count, sizeof *table.items);
    struct socket_stats *s = &table.items[table.count++];
    *s = (struct socket_stats){ .socket = socket,
                                .id = ++table.next_id,
                                .type = -1,
                                .answered_ms = -1,
                                .seen_ms = now_ms() };
    return s;
}

static void count_hwm_hit(struct socket_stats *s, const char *endpoint)
{
    s->hwm_total++;
    for (size_t i = 0; i < s->hwm_count; i++) {
        if (strcmp(s->hwm[i].endpoint, endpoint) == 0) {
            s->hwm[i].hits++;
            return;
        }
    }
    s->hwm = grow(s->hwm, s->hwm_count, sizeof *s->hwm);
    s->hwm[s->hwm_count++] =
        (struct hwm_hits){ .endpoint = copy(endpoint), .hits = 1 };
}

static uint64_t hwm_hits_of(const struct socket_stats *s, const char *endpoint)
{
    for (size_t i = 0; i < s->hwm_count; i++) {
        if (strcmp(s->hwm[i].endpoint, endpoint) == 0)
            return s->hwm[i].hits;
    }
    return 0;
}

/* A socket's answer begins: its sums, type, endpoints, and how many peers
 * follow. */
static void socket_answered(struct socket_stats *s,
                            const struct modzmq_event *event)
{
    if (event->value_count < COUNTERS + 2)
        return;
    memcpy(s->values, event->values, sizeof s->values);
    s->type = (int) event->values[COUNTERS];
    s->peers_expected = (size_t) event->values[COUNTERS + 1];
    clear_peers(s);
    free(s->bound);
    free(s->connected);
    s->bound = copy(event->local_endpoint);
    s->connected = copy(event->remote_endpoint);
    s->answered_ms = s->seen_ms = now_ms();
}

/* One peer of the answer in progress. Counters of a peer that left, or
 * that the application asked for itself, come outside an answer: its
 * sums already hold them. */
static void peer_answered(struct socket_stats *s,
                          const struct modzmq_event *event)
{
    if (s->peers_expected == 0 || event->value_count < COUNTERS)
        return;
    s->peers_expected--;
    s->peers = grow(s->peers, s->peer_count, sizeof *s->peers);
    struct peer_stats *p = &s->peers[s->peer_count++];
    p->endpoint = copy(event->remote_endpoint);
    memcpy(p->values, event->values, sizeof p->values);
}

/* Whether a space separated list holds endpoint. */
static bool list_has(const char *list, const char *endpoint)
{
    size_t length = strlen(endpoint);
    for (const char *at = list; at != NULL && *at != '\0';) {
        size_t size = strcspn(at, " ");
        if (size == length && strncmp(at, endpoint, length) == 0)
            return true;
        at += size;
        at += strspn(at, " ");
    }
    return false;
}

/* Appends endpoint to a space separated list that lacks it. */
static void list_add(char **list, const char *endpoint)
{
    if (endpoint[0] == '\0' || list_has(*list, endpoint))
        return;
    size_t had = *list != NULL ? strlen(*list) : 0;
    char *grown = grow(*list, had + strlen(endpoint) + 1, 1);
    if (had > 0)
        grown[had++] = ' ';
    strcpy(grown + had, endpoint);
    *list = grown;
}

/* A bind or connect, as it happens: the socket's next answer lists it
 * too, but one that never answers again (or never did) is still shown
 * with what it is bound and connected to. */
static void learn_endpoint(struct socket_stats *s,
                           const struct modzmq_event *event)
{
    if (event->id == ZMQ_EVENT_LISTENING)
        list_add(&s->bound, event->local_endpoint);
    else if (event->id == ZMQ_EVENT_CONNECT_DELAYED)
        list_add(&s->connected, event->remote_endpoint);
}

/* The socket's thread (answers), or any thread (HWM hits). */
static void on_event(void *arg, const struct modzmq_event *event)
{
    (void) arg;
    pthread_mutex_lock(&table.lock);
    struct socket_stats *s = find_socket(event->socket);
    switch (event->id) {
    case MODZMQ_EVENT_SOCKET_COUNTERS:
        socket_answered(s, event);
        break;
    case MODZMQ_EVENT_PEER_COUNTERS:
        peer_answered(s, event);
        break;
    case MODZMQ_EVENT_PIPE_HWM_REACHED:
        count_hwm_hit(s, event->remote_endpoint);
        break;
    default: /* a bind or connect: the socket is known from now on */
        learn_endpoint(s, event);
        break;
    }
    pthread_mutex_unlock(&table.lock);
}

/* Drops the sockets that stopped answering long ago. Table lock held. */
static void forget_silent(int64_t now)
{
    size_t kept = 0;
    for (size_t i = 0; i < table.count; i++) {
        if (now - table.items[i].seen_ms >
            (int64_t) FORGET_INTERVALS * server.interval_ms) {
            socket_stats_free(&table.items[i]);
            continue;
        }
        table.items[kept++] = table.items[i];
    }
    table.count = kept;
}

static const struct {
    int type;
    const char *name;
} type_names[] = {
    { ZMQ_PAIR, "PAIR" },       { ZMQ_PUB, "PUB" },
    { ZMQ_SUB, "SUB" },         { ZMQ_REQ, "REQ" },
    { ZMQ_REP, "REP" },         { ZMQ_DEALER, "DEALER" },
    { ZMQ_ROUTER, "ROUTER" },   { ZMQ_PULL, "PULL" },
    { ZMQ_PUSH, "PUSH" },       { ZMQ_XPUB, "XPUB" },
    { ZMQ_XSUB, "XSUB" },       { ZMQ_STREAM, "STREAM" },
    { ZMQ_SERVER, "SERVER" },   { ZMQ_CLIENT, "CLIENT" },
    { ZMQ_RADIO, "RADIO" },     { ZMQ_DISH, "DISH" },
    { ZMQ_GATHER, "GATHER" },   { ZMQ_SCATTER, "SCATTER" },
    { ZMQ_DGRAM, "DGRAM" },     { ZMQ_PEER, "PEER" },
    { ZMQ_CHANNEL, "CHANNEL" },
};

static const char *type_name(int type)
{
    for (size_t i = 0; i < sizeof type_names / sizeof type_names[0]; i++) {
        if (type_names[i].type == type)
            return type_names[i].name;
    }
    return "-";
}

/* A space separated list of endpoints as a field: commas, "-" if empty. */
static void write_list(FILE *out, const char *list)
{
    if (list == NULL || list[0] == '\0') {
        fputc('-', out);
        return;
    }
    for (const char *c = list; *c != '\0'; c++)
        fputc(*c == ' ' ? ',' : *c, out);
}

static void write_values(FILE *out, const uint64_t values[COUNTERS])
{
    fprintf(out,
            " msgs_in=%" PRIu64 " bytes_in=%" PRIu64 " msgs_out=%" PRIu64
            " bytes_out=%" PRIu64 " dropped=%" PRIu64,
            values[0], values[1], values[2], values[3], values[4]);
}

static void write_socket(FILE *out, const struct socket_stats *s, int64_t now)
{
    int64_t age = s->answered_ms < 0 ? -1 : now - s->answered_ms;
    bool stale =
        age < 0 || age > (int64_t) STALE_INTERVALS * server.interval_ms;
    fprintf(out, "socket id=%u type=%s age_ms=%" PRId64 " stale=%d", s->id,
            type_name(s->type), age, stale ? 1 : 0);
    write_values(out, s->values);
    fprintf(out, " hwm_hits=%" PRIu64 " peers=%zu bound=", s->hwm_total,
            s->peer_count);
    write_list(out, s->bound);
    fputs(" connected=", out);
    write_list(out, s->connected);
    fputc('\n', out);
    for (size_t i = 0; i < s->peer_count; i++) {
        const struct peer_stats *p = &s->peers[i];
        fprintf(out, "peer socket=%u endpoint=", s->id);
        write_list(out, p->endpoint);
        write_values(out, p->values);
        fprintf(out, " hwm_hits=%" PRIu64 "\n", hwm_hits_of(s, p->endpoint));
    }
}

/* The snapshot, in memory (the table's lock is not held while a client
 * reads). NULL when memory ran out. */
static char *snapshot(size_t *size)
{
    char *text = NULL;
    FILE *out = open_memstream(&text, size);
    if (out == NULL)
        return NULL;
    pthread_mutex_lock(&table.lock);
    int64_t now = now_ms();
    forget_silent(now);
    fprintf(out,
            "modzmq-stats 1 pid=%ld interval_ms=%ld time_ms=%" PRId64
            " sockets=%zu\n",
            (long) getpid(), server.interval_ms, now, table.count);
    for (size_t i = 0; i < table.count; i++)
        write_socket(out, &table.items[i], now);
    pthread_mutex_unlock(&table.lock);
    fputs("end\n", out);
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* Only the application's own user, or root, reads its counters. */
static bool client_allowed(int fd)
{
    struct ucred cred;
    socklen_t length = sizeof cred;
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) < 0)
        return false;
    return cred.uid == 0 || cred.uid == geteuid();
}

/* Writes the snapshot to a new client, within a second, and closes it. */
static void serve_client(int fd)
{
    size_t size = 0;
    char *text = client_allowed(fd) ? snapshot(&size) : NULL;
    size_t sent = 0;
    int64_t deadline = now_ms() + 1000;
    while (text != NULL && sent < size && now_ms() < deadline) {
        ssize_t n = send(fd, text + sent, size - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += (size_t) n;
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            break;
        struct pollfd p = { .fd = fd, .events = POLLOUT };
        poll(&p, 1, 100);
    }
    free(text);
    close(fd);
}

/* Asks for counters every interval and serves clients in between, until
 * fini writes to the wake pipe. */
static void *serve(void *arg)
{
    (void) arg;
    int64_t next_request = now_ms();
    for (;;) {
        int64_t now = now_ms();
        if (now >= next_request) {
            services->counters_request(self);
            next_request = now + server.interval_ms;
        }
        struct pollfd fds[] = { { .fd = server.listen_fd, .events = POLLIN },
                                { .fd = server.wake[0], .events = POLLIN } };
        int ready = poll(fds, 2, (int) (next_request - now));
        if (ready < 0 && errno != EINTR)
            break;
        if (fds[1].revents != 0)
            break;
        if (fds[0].revents & POLLIN) {
            int fd = accept4(server.listen_fd, NULL, NULL,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd >= 0)
                serve_client(fd);
        }
    }
    return NULL;
}

/* The endpoint MODZMQ_STATS_ENDPOINT names, or @modzmq-stats.<pid>, into
 * address; false when it does not fit. */
static bool endpoint_address(struct sockaddr_un *address, socklen_t *length)
{
    const char *named = getenv("MODZMQ_STATS_ENDPOINT");
    char fallback[64];
    if (named == NULL || named[0] == '\0') {
        snprintf(fallback, sizeof fallback, "@modzmq-stats.%ld",
                 (long) getpid());
        named = fallback;
    }
    size_t size = strlen(named);
    if (size < 2 && named[0] == '@')
        return false;
    if (size >= sizeof address->sun_path)
        return false;
    *address = (struct sockaddr_un){ .sun_family = AF_UNIX };
    memcpy(address->sun_path, named, size);
    server.on_disk = named[0] != '@';
    if (server.on_disk)
        snprintf(server.path, sizeof server.path, "%s", named);
    else
        address->sun_path[0] = '\0';
    *length = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + size +
                           (server.on_disk ? 1 : 0));
    return true;
}

static long interval_from_environment(void)
{
    const char *text = getenv("MODZMQ_STATS_INTERVAL");
    if (text == NULL || text[0] == '\0')
        return DEFAULT_INTERVAL_MS;
    char *end;
    long value = strtol(text, &end, 10);
    if (*end != '\0' || value < 10 || value > 3600000) {
        services->log(self, MODZMQ_LOG_WARNING,
                      "MODZMQ_STATS_INTERVAL is not a number of milliseconds "
                      "from 10 to 3600000: asking every 1000 ms");
        return DEFAULT_INTERVAL_MS;
    }
    return value;
}

/* The listening socket; -1 with errno. A file left by a process that
 * died is replaced; anything else in its place is an error. */
static int open_listener(void)
{
    struct sockaddr_un address;
    socklen_t length;
    if (!endpoint_address(&address, &length)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    struct stat st;
    if (server.on_disk && lstat(server.path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(server.path);
    /* 0600 from the start: nobody else connects in between. */
    mode_t mask = umask(0177);
    int rc = bind(fd, (struct sockaddr *) &address, length);
    umask(mask);
    if (rc < 0 || listen(fd, 8) < 0) {
        int error = errno;
        close(fd);
        errno = error;
        server.on_disk = false;
        return -1;
    }
    return fd;
}

/* The server's thread blocks every signal: they are the application's. */
static int start_thread(void)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&server.thread, NULL, serve, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc != 0) {
        errno = rc;
        return -1;
    }
    server.started = true;
    return 0;
}

static void report_failure(const char *what)
{
    char line[256];
    snprintf(line, sizeof line, "%s: %s", what, strerror(errno));
    services->log(self, MODZMQ_LOG_ERROR, line);
}

/* Whether the operator asked for the server: MODZMQ_OBSERVERS names
 * stats, or MODZMQ_STATS_ENDPOINT is set. The loader also opens every
 * module of its directories when it looks for a name no module is named
 * after (zmq_has("x")), and an application that did not ask must not get
 * a thread and a listening socket from that. */
static bool wanted(void)
{
    const char *endpoint = getenv("MODZMQ_STATS_ENDPOINT");
    if (endpoint != NULL && endpoint[0] != '\0')
        return true;
    const char *list = getenv("MODZMQ_OBSERVERS");
    for (const char *name = list; name != NULL && *name != '\0';) {
        name += strspn(name, " \t,");
        size_t length = strcspn(name, " \t,");
        if (length == strlen("stats") && strncmp(name, "stats", length) == 0)
            return true;
        name += length;
    }
    return false;
}

static void close_server(void)
{
    if (server.listen_fd >= 0)
        close(server.listen_fd);
    server.listen_fd = -1;
    if (server.on_disk)
        unlink(server.path);
    server.on_disk = false;
}

static int stats_init(const struct modzmq_core_services *core_services,
                      modzmq_core *core)
{
    services = core_services;
    self = core;
    if (!modzmq_has_service(core_services, offsetof(struct modzmq_core_services,
                                                    counters_request))) {
        errno = ENOTSUP;
        return -1;
    }
    if (!wanted())
        return 0; /* loaded, idle */
    server.interval_ms = interval_from_environment();
    if (pipe2(server.wake, O_CLOEXEC) < 0) {
        report_failure("pipe");
        return -1;
    }
    server.listen_fd = open_listener();
    if (server.listen_fd < 0) {
        report_failure("MODZMQ_STATS_ENDPOINT");
        return -1;
    }
    uint64_t mask = MODZMQ_EVENT_SOCKET_COUNTERS | MODZMQ_EVENT_PEER_COUNTERS |
                    MODZMQ_EVENT_PIPE_HWM_REACHED | ZMQ_EVENT_LISTENING |
                    ZMQ_EVENT_CONNECT_DELAYED;
    modzmq_subscription *subscription =
        services->subscribe(self, NULL, mask, on_event, NULL);
    if (subscription == NULL || start_thread() < 0) {
        report_failure(subscription == NULL ? "subscribe" : "thread");
        if (subscription != NULL)
            services->unsubscribe(subscription);
        close_server();
        return -1;
    }
    return 0;
}

/* Stops the thread and removes the endpoint. The subscription stays, with
 * the table it fills: an I/O thread of a context never terminated may
 * still publish (plugin.h's fini). */
static void stats_fini(void)
{
    if (server.started) {
        ssize_t n = write(server.wake[1], "x", 1);
        (void) n;
        pthread_join(server.thread, NULL);
        server.started = false;
    }
    close_server();
}

static const struct modzmq_observer_ops stats_ops = {
    .size = sizeof(struct modzmq_observer_ops),
};

static const char *const stats_serves[] = { "stats", NULL };

static const struct modzmq_plugin stats_plugin = {
    .abi_major = MODZMQ_SDK_ABI_MAJOR,
    .abi_minor = MODZMQ_SDK_ABI_MINOR,
    .name = "stats",
    .kind = MODZMQ_PLUGIN_OBSERVER,
    .serves = stats_serves,
    .ops = &stats_ops,
    .init = stats_init,
    .fini = stats_fini,
};

MODZMQ_PLUGIN_ENTRY;

MODZMQ_PLUGIN_ENTRY
{
    return &stats_plugin;
}
