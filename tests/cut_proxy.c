/*
 * The cutting tcp proxy; see cut_proxy.h. One thread polls the listener
 * and every connection pair; each direction holds at most one buffer of
 * unwritten bytes and stops reading while it does, so a slow side slows
 * the other as tcp itself would.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cut_proxy.h"

enum { PAIRS_MAX = 64, BUFFER_SIZE = 64 * 1024 };

/* Bytes read from one side, not yet written to the other. */
struct direction {
    int from, to;
    char buffer[BUFFER_SIZE];
    size_t start, end;
};

struct pair {
    struct direction way[2]; /* client to target, target to client */
    bool used;
};

struct cut_proxy {
    int listener;
    struct sockaddr_in target;
    char endpoint[64];
    struct pair pairs[PAIRS_MAX];
    atomic_long accepted;
    atomic_bool stopping;
    pthread_mutex_t lock;
    pthread_cond_t cut_done;
    int cut_requested; /* under lock */
    int cut_count;
    int wake[2]; /* a pipe: cut and stop requests */
    pthread_t thread;
};

static void set_nonblocking(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Closes with a reset rather than an orderly shutdown. */
static void reset_close(int fd)
{
    struct linger abort_now = { .l_onoff = 1, .l_linger = 0 };
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_now, sizeof abort_now);
    close(fd);
}

static void pair_close(struct pair *pair)
{
    reset_close(pair->way[0].from);
    reset_close(pair->way[0].to);
    pair->used = false;
}

static void accept_one(struct cut_proxy *proxy)
{
    int client = accept(proxy->listener, NULL, NULL);
    if (client < 0)
        return;
    int target = socket(AF_INET, SOCK_STREAM, 0);
    if (target < 0 || connect(target, (struct sockaddr *) &proxy->target,
                              sizeof proxy->target) != 0) {
        reset_close(client);
        if (target >= 0)
            close(target);
        return;
    }
    for (int i = 0; i < PAIRS_MAX; i++) {
        struct pair *pair = &proxy->pairs[i];
        if (pair->used)
            continue;
        int one = 1;
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(target, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        set_nonblocking(client);
        set_nonblocking(target);
        pair->way[0] = (struct direction){ .from = client, .to = target };
        pair->way[1] = (struct direction){ .from = target, .to = client };
        pair->used = true;
        atomic_fetch_add(&proxy->accepted, 1);
        return;
    }
    reset_close(client);
    reset_close(target);
}

/* Moves what it can one way; false when either side is done. */
static bool forward(struct direction *way, short from_events, short to_events)
{
    if (way->start < way->end && (to_events & (POLLOUT | POLLERR | POLLHUP))) {
        ssize_t wrote = send(way->to, way->buffer + way->start,
                             way->end - way->start, MSG_NOSIGNAL);
        if (wrote < 0 && errno != EAGAIN)
            return false;
        if (wrote > 0)
            way->start += (size_t) wrote;
        if (way->start == way->end)
            way->start = way->end = 0;
    }
    if (way->end == 0 && (from_events & (POLLIN | POLLERR | POLLHUP))) {
        ssize_t got = recv(way->from, way->buffer, sizeof way->buffer, 0);
        if (got == 0 || (got < 0 && errno != EAGAIN))
            return false;
        if (got > 0)
            way->end = (size_t) got;
    }
    return true;
}

static void run_cut(struct cut_proxy *proxy)
{
    pthread_mutex_lock(&proxy->lock);
    if (proxy->cut_requested) {
        int count = 0;
        for (int i = 0; i < PAIRS_MAX; i++) {
            if (proxy->pairs[i].used) {
                pair_close(&proxy->pairs[i]);
                count++;
            }
        }
        proxy->cut_requested = 0;
        proxy->cut_count = count;
        pthread_cond_broadcast(&proxy->cut_done);
    }
    pthread_mutex_unlock(&proxy->lock);
}

static void *proxy_run(void *arg)
{
    struct cut_proxy *proxy = arg;
    struct pollfd fds[2 + 2 * PAIRS_MAX];
    int owner[2 + 2 * PAIRS_MAX];
    while (!atomic_load(&proxy->stopping)) {
        int n = 0;
        fds[n++] = (struct pollfd){ .fd = proxy->wake[0], .events = POLLIN };
        fds[n++] = (struct pollfd){ .fd = proxy->listener, .events = POLLIN };
        for (int i = 0; i < PAIRS_MAX; i++) {
            struct pair *pair = &proxy->pairs[i];
            if (!pair->used)
                continue;
            for (int w = 0; w < 2; w++) {
                /* fd of side w: reads for way[w], writes for way[1 - w]. */
                short events = 0;
                if (pair->way[w].end == 0)
                    events |= POLLIN;
                if (pair->way[1 - w].start < pair->way[1 - w].end)
                    events |= POLLOUT;
                owner[n] = i;
                fds[n++] = (struct pollfd){ .fd = pair->way[w].from,
                                            .events = events };
            }
        }
        if (poll(fds, (nfds_t) n, 100) < 0 && errno != EINTR)
            break;
        if (fds[0].revents & POLLIN) {
            char drain[64];
            ssize_t rc = read(proxy->wake[0], drain, sizeof drain);
            (void) rc;
            run_cut(proxy);
            continue;
        }
        if (fds[1].revents & POLLIN)
            accept_one(proxy);
        for (int k = 2; k < n; k += 2) {
            struct pair *pair = &proxy->pairs[owner[k]];
            if (!pair->used)
                continue;
            short client = fds[k].revents, target = fds[k + 1].revents;
            if (!forward(&pair->way[0], client, target) ||
                !forward(&pair->way[1], target, client))
                pair_close(pair);
        }
    }
    for (int i = 0; i < PAIRS_MAX; i++)
        if (proxy->pairs[i].used)
            pair_close(&proxy->pairs[i]);
    return NULL;
}

struct cut_proxy *cut_proxy_start(const char *target)
{
    const char *colon = strrchr(target, ':');
    struct cut_proxy *proxy = calloc(1, sizeof *proxy);
    if (colon == NULL || proxy == NULL) {
        free(proxy);
        return NULL;
    }
    proxy->target.sin_family = AF_INET;
    proxy->target.sin_port = htons((uint16_t) atoi(colon + 1));
    proxy->target.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct sockaddr_in address = { .sin_family = AF_INET };
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    proxy->listener = socket(AF_INET, SOCK_STREAM, 0);
    if (proxy->listener < 0 || pipe(proxy->wake) != 0 ||
        bind(proxy->listener, (struct sockaddr *) &address, sizeof address) ||
        listen(proxy->listener, 16) != 0 ||
        getsockname(proxy->listener, (struct sockaddr *) &address, &length)) {
        close(proxy->listener);
        free(proxy);
        return NULL;
    }
    snprintf(proxy->endpoint, sizeof proxy->endpoint, "tcp://127.0.0.1:%d",
             ntohs(address.sin_port));
    pthread_mutex_init(&proxy->lock, NULL);
    pthread_cond_init(&proxy->cut_done, NULL);
    pthread_create(&proxy->thread, NULL, proxy_run, proxy);
    return proxy;
}

const char *cut_proxy_endpoint(const struct cut_proxy *proxy)
{
    return proxy->endpoint;
}

long cut_proxy_accepted(const struct cut_proxy *proxy)
{
    return atomic_load(&proxy->accepted);
}

int cut_proxy_cut(struct cut_proxy *proxy)
{
    pthread_mutex_lock(&proxy->lock);
    proxy->cut_requested = 1;
    ssize_t rc = write(proxy->wake[1], "c", 1);
    (void) rc;
    while (proxy->cut_requested)
        pthread_cond_wait(&proxy->cut_done, &proxy->lock);
    int count = proxy->cut_count;
    pthread_mutex_unlock(&proxy->lock);
    return count;
}

void cut_proxy_stop(struct cut_proxy *proxy)
{
    atomic_store(&proxy->stopping, true);
    ssize_t rc = write(proxy->wake[1], "s", 1);
    (void) rc;
    pthread_join(proxy->thread, NULL);
    close(proxy->listener);
    close(proxy->wake[0]);
    close(proxy->wake[1]);
    pthread_cond_destroy(&proxy->cut_done);
    pthread_mutex_destroy(&proxy->lock);
    free(proxy);
}
