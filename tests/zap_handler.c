/*
 * A ZAP handler for the security suites: a REP socket bound at
 * inproc://zeromq.zap.01 in a context, answered by a thread of the test in
 * one of several manners (accept one password, refuse with a status code,
 * send a malformed reply, close mid-request, hold the reply until told).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>
#include <string.h>

#include "zap_handler.h"
#include "zmq.h"

enum { FRAMES_MAX = 12, FRAME_SIZE = 256, POLL_MS = 50, ROUNDS_MAX = 1200 };

/* One request as received; frames after the 12th are dropped. */
struct request {
    char frames[FRAMES_MAX][FRAME_SIZE];
    size_t sizes[FRAMES_MAX];
    int count;
};

static bool receive_request(void *socket, struct request *r)
{
    r->count = 0;
    int more = 1;
    while (more) {
        char part[FRAME_SIZE];
        int n = zmq_recv(socket, part, sizeof part - 1, 0);
        if (n < 0)
            return false;
        if (n > FRAME_SIZE - 1)
            n = FRAME_SIZE - 1;
        if (r->count < FRAMES_MAX) {
            memcpy(r->frames[r->count], part, (size_t) n);
            r->frames[r->count][n] = '\0';
            r->sizes[r->count] = (size_t) n;
            r->count++;
        }
        size_t size = sizeof more;
        if (zmq_getsockopt(socket, ZMQ_RCVMORE, &more, &size) != 0)
            return false;
    }
    return true;
}

/* Sends parts; the last one ends the message unless more follow. */
static void send_parts(void *socket, const char *const *parts, size_t count,
                       bool more_follow)
{
    for (size_t i = 0; i < count; i++)
        zmq_send(socket, parts[i], strlen(parts[i]),
                 i + 1 < count || more_follow ? ZMQ_SNDMORE : 0);
}

/* "Hello" = "World" as a ZMTP property block. */
static const char metadata_block[] = "\5Hello\0\0\0\5World";

static void reply(struct zap_handler *zap, const struct request *r)
{
    /* Request: version, id, domain, address, identity, mechanism, creds. */
    const char *id = r->count > 1 ? r->frames[1] : "";
    const char *mechanism = r->count > 5 ? r->frames[5] : "";
    const char *username = r->count > 6 ? r->frames[6] : "";
    const char *password = r->count > 7 ? r->frames[7] : "";
    bool good = strcmp(mechanism, "NULL") == 0 ||
                (strcmp(username, zap->username) == 0 &&
                 strcmp(password, zap->password) == 0);
    const char *user = strcmp(mechanism, "NULL") == 0 ? "anonymous" : username;
    switch (zap->mode) {
    case ZAP_CHECK_PASSWORD: {
        const char *parts[] = { "1.0", id, good ? "200" : "400",
                                good ? "OK" : "Bad password", user };
        send_parts(zap->socket, parts, 5, true);
        zmq_send(zap->socket, metadata_block, sizeof metadata_block - 1, 0);
        return;
    }
    case ZAP_STATUS: {
        char code[8];
        snprintf(code, sizeof code, "%d", zap->status);
        const char *parts[] = { "1.0", id, code, "As told", user, "" };
        send_parts(zap->socket, parts, 6, false);
        return;
    }
    case ZAP_BAD_VERSION: {
        const char *parts[] = { "2.0", id, "200", "OK", user, "" };
        send_parts(zap->socket, parts, 6, false);
        return;
    }
    case ZAP_BAD_REQUEST_ID: {
        const char *parts[] = { "1.0", "42", "200", "OK", user, "" };
        send_parts(zap->socket, parts, 6, false);
        return;
    }
    case ZAP_BAD_STATUS: {
        const char *parts[] = { "1.0", id, "201", "OK", user, "" };
        send_parts(zap->socket, parts, 6, false);
        return;
    }
    case ZAP_SHORT_REPLY: {
        const char *parts[] = { "1.0", id, "200" };
        send_parts(zap->socket, parts, 3, false);
        return;
    }
    case ZAP_CLOSE:
    case ZAP_HOLD:
        return;
    }
}

/* Copies frame i of r (or "" when there is none), cut to fit. */
static void keep_frame(char *to, size_t capacity, const struct request *r,
                       int i)
{
    size_t n = i < r->count ? r->sizes[i] : 0;
    if (n > capacity - 1)
        n = capacity - 1;
    if (n > 0)
        memcpy(to, r->frames[i], n);
    to[n] = '\0';
}

static void *handler_main(void *arg)
{
    struct zap_handler *zap = arg;
    for (int round = 0; round < ROUNDS_MAX && !atomic_load(&zap->stop);
         round++) {
        zmq_pollitem_t item = { zap->socket, 0, ZMQ_POLLIN, 0 };
        int n = zmq_poll(&item, 1, POLL_MS);
        if (n < 0)
            break;
        if (n == 0)
            continue;
        struct request r;
        if (!receive_request(zap->socket, &r))
            break;
        pthread_mutex_lock(&zap->lock);
        zap->requests++;
        keep_frame(zap->mechanism, sizeof zap->mechanism, &r, 5);
        keep_frame(zap->domain, sizeof zap->domain, &r, 2);
        keep_frame(zap->address, sizeof zap->address, &r, 3);
        keep_frame(zap->identity, sizeof zap->identity, &r, 4);
        keep_frame(zap->username_seen, sizeof zap->username_seen, &r, 6);
        zap->frames = r.count;
        pthread_cond_broadcast(&zap->changed);
        pthread_mutex_unlock(&zap->lock);
        if (zap->mode == ZAP_CLOSE)
            break;
        if (zap->mode == ZAP_HOLD) {
            /* Reply 200 only when the test says so. */
            pthread_mutex_lock(&zap->lock);
            while (!zap->release && !atomic_load(&zap->stop))
                pthread_cond_wait(&zap->changed, &zap->lock);
            pthread_mutex_unlock(&zap->lock);
            const char *parts[] = { "1.0",  r.count > 1 ? r.frames[1] : "",
                                    "200",  "OK",
                                    "late", "" };
            send_parts(zap->socket, parts, 6, false);
            continue;
        }
        reply(zap, &r);
    }
    zmq_close(zap->socket);
    zap->socket = NULL;
    return NULL;
}

bool zap_handler_start(struct zap_handler *zap, void *ctx, enum zap_mode mode)
{
    memset(zap, 0, sizeof *zap);
    zap->mode = mode;
    zap->status = 200;
    snprintf(zap->username, sizeof zap->username, "admin");
    snprintf(zap->password, sizeof zap->password, "secret");
    pthread_mutex_init(&zap->lock, NULL);
    pthread_cond_init(&zap->changed, NULL);
    zap->socket = zmq_socket(ctx, ZMQ_REP);
    if (zap->socket == NULL)
        return false;
    int linger = 0;
    zmq_setsockopt(zap->socket, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(zap->socket, "inproc://zeromq.zap.01") != 0) {
        zmq_close(zap->socket);
        return false;
    }
    /* The socket moves to the handler thread; thread creation is the
     * memory barrier zmq asks for. */
    return pthread_create(&zap->thread, NULL, handler_main, zap) == 0;
}

int zap_handler_requests(struct zap_handler *zap)
{
    pthread_mutex_lock(&zap->lock);
    int n = zap->requests;
    pthread_mutex_unlock(&zap->lock);
    return n;
}

bool zap_handler_wait_request(struct zap_handler *zap, int timeout_ms)
{
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += timeout_ms / 1000;
    deadline.tv_nsec += (long) (timeout_ms % 1000) * 1000000L;
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&zap->lock);
    int rc = 0;
    while (zap->requests == 0 && rc == 0)
        rc = pthread_cond_timedwait(&zap->changed, &zap->lock, &deadline);
    bool asked = zap->requests > 0;
    pthread_mutex_unlock(&zap->lock);
    return asked;
}

void zap_handler_release(struct zap_handler *zap)
{
    pthread_mutex_lock(&zap->lock);
    zap->release = true;
    pthread_cond_broadcast(&zap->changed);
    pthread_mutex_unlock(&zap->lock);
}

void zap_handler_stop(struct zap_handler *zap)
{
    pthread_mutex_lock(&zap->lock);
    atomic_store(&zap->stop, true);
    pthread_cond_broadcast(&zap->changed);
    pthread_mutex_unlock(&zap->lock);
    pthread_join(zap->thread, NULL);
    pthread_cond_destroy(&zap->changed);
    pthread_mutex_destroy(&zap->lock);
}
