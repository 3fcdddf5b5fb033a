/*
 * The tool's ZAP handler for --plain-server (see zap.h).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "options.h"
#include "report.h"
#include "zap.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
/* version, request id, domain, address, identity, mechanism, user,
 * password */
#define PLAIN_REQUEST_PARTS 8

struct cli_zap {
    void *socket;
    const char *user;
    const char *password;
    atomic_bool stopping;
    pthread_t thread;
};

/* Reads one request's parts into parts (at most max); the count. */
static int read_request(void *socket, zmq_msg_t *parts, int max)
{
    int count = 0;
    for (;;) {
        zmq_msg_t part;
        zmq_msg_init(&part);
        if (zmq_msg_recv(&part, socket, 0) < 0) {
            zmq_msg_close(&part);
            break;
        }
        bool more = zmq_msg_more(&part);
        if (count < max)
            parts[count++] = part;
        else
            zmq_msg_close(&part);
        if (!more)
            break;
    }
    return count;
}

static bool part_is(zmq_msg_t *part, const char *text)
{
    return zmq_msg_size(part) == strlen(text) &&
           memcmp(zmq_msg_data(part), text, strlen(text)) == 0;
}

static void send_text(void *socket, const void *data, size_t size, int flags)
{
    zmq_send(socket, data, size, flags);
}

static void *serve(void *arg)
{
    struct cli_zap *zap = arg;
    while (!atomic_load(&zap->stopping)) {
        zmq_msg_t parts[PLAIN_REQUEST_PARTS];
        int count = read_request(zap->socket, parts, PLAIN_REQUEST_PARTS);
        if (count == 0)
            continue; /* the receive timeout: look at stopping again */
        bool accepted = count == PLAIN_REQUEST_PARTS &&
                        part_is(&parts[5], "PLAIN") &&
                        part_is(&parts[6], zap->user) &&
                        part_is(&parts[7], zap->password);
        const char *status = accepted ? "200" : "400";
        send_text(zap->socket, "1.0", 3, ZMQ_SNDMORE);
        if (count >= 2)
            send_text(zap->socket, zmq_msg_data(&parts[1]),
                      zmq_msg_size(&parts[1]), ZMQ_SNDMORE);
        else
            send_text(zap->socket, "", 0, ZMQ_SNDMORE);
        send_text(zap->socket, status, 3, ZMQ_SNDMORE);
        send_text(zap->socket, accepted ? "OK" : "refused", accepted ? 2 : 7,
                  ZMQ_SNDMORE);
        send_text(zap->socket, accepted ? zap->user : "",
                  accepted ? strlen(zap->user) : 0, ZMQ_SNDMORE);
        send_text(zap->socket, "", 0, 0);
        for (int i = 0; i < count; i++)
            zmq_msg_close(&parts[i]);
    }
    return NULL;
}

struct cli_zap *cli_zap_start(void *context, const char *user,
                              const char *password)
{
    struct cli_zap *zap = calloc(1, sizeof *zap);
    if (zap == NULL)
        abort();
    zap->user = user;
    zap->password = password;
    zap->socket = zmq_socket(context, ZMQ_REP);
    int timeout = 100, linger = 0;
    if (zap->socket == NULL ||
        zmq_setsockopt(zap->socket, ZMQ_RCVTIMEO, &timeout, sizeof timeout) ||
        zmq_setsockopt(zap->socket, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_bind(zap->socket, ZAP_ENDPOINT) != 0) {
        cli_fail_zmq("ZAP handler");
        if (zap->socket != NULL)
            zmq_close(zap->socket);
        free(zap);
        return NULL;
    }
    if (pthread_create(&zap->thread, NULL, serve, zap) != 0) {
        cli_fail(CLI_EXIT_RUNTIME, "ZAP handler: no thread");
        zmq_close(zap->socket);
        free(zap);
        return NULL;
    }
    return zap;
}

void cli_zap_stop(struct cli_zap *zap)
{
    atomic_store(&zap->stopping, true);
    pthread_join(zap->thread, NULL);
    zmq_close(zap->socket);
    free(zap);
}
