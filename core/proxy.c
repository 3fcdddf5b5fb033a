/*
 * zmq_proxy, zmq_proxy_steerable and zmq_device, built on the public API.
 *
 * The proxy moves whole messages (every part) between frontend and backend
 * in both directions, and copies each part to the capture socket when there
 * is one. It reads a side only while the other side can take a message, so
 * a destination at its high-water mark holds messages back in the source's
 * queue instead of losing them; while it waits it sleeps in zmq_poll on
 * exactly what would let it make progress. The optional control socket
 * steers it with PAUSE, RESUME, TERMINATE and STATISTICS; every command is
 * also copied to capture. A REP control socket gets a reply to every
 * command (an empty one when there is nothing to report) so that it can
 * take the next.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "zmq.h"

enum { FRONTEND = 0, BACKEND = 1 };

/* What one side received and sent, counting every part. */
struct proxy_stats {
    uint64_t msgs_in, bytes_in, msgs_out, bytes_out;
};

struct proxy {
    void *side[2]; /* frontend, backend */
    void *capture; /* or NULL */
    void *control; /* or NULL */
    bool control_is_rep;
    bool paused;
    struct proxy_stats stats[2];
};

/* ZMQ_EVENTS of a socket; -1 with errno (ETERM, ENOTSOCK). */
static int socket_events(void *socket)
{
    int events;
    size_t size = sizeof events;
    if (zmq_getsockopt(socket, ZMQ_EVENTS, &events, &size) < 0)
        return -1;
    return events;
}

static int socket_type(void *socket)
{
    int type;
    size_t size = sizeof type;
    if (zmq_getsockopt(socket, ZMQ_TYPE, &type, &size) < 0)
        return -1;
    return type;
}

/* zmq_msg_close that keeps errno, for error paths. */
static void close_keeping_errno(zmq_msg_t *msg)
{
    int saved = errno;
    zmq_msg_close(msg);
    errno = saved;
}

/* Sends a copy of part to the capture socket, if there is one. */
static int capture_part(struct proxy *px, zmq_msg_t *part, bool more)
{
    if (px->capture == NULL)
        return 0;
    zmq_msg_t copy;
    zmq_msg_init(&copy);
    if (zmq_msg_copy(&copy, part) < 0 ||
        zmq_msg_send(&copy, px->capture, more ? ZMQ_SNDMORE : 0) < 0) {
        close_keeping_errno(&copy);
        return -1;
    }
    return 0;
}

/* Moves one whole message from side `from` to the other side. Returns 1
 * when a message moved, 0 when none was waiting, -1 with errno. The first
 * part is taken without waiting; the rest of a message always follows it,
 * and sends block, so nothing is dropped at the destination's HWM. */
static int forward(struct proxy *px, int from)
{
    int to = 1 - from;
    zmq_msg_t part;
    zmq_msg_init(&part);
    for (int flags = ZMQ_DONTWAIT;; flags = 0) {
        if (zmq_msg_recv(&part, px->side[from], flags) < 0) {
            if (errno == EAGAIN && flags == ZMQ_DONTWAIT) {
                zmq_msg_close(&part);
                return 0;
            }
            goto fail;
        }
        bool more = zmq_msg_more(&part);
        size_t size = zmq_msg_size(&part);
        px->stats[from].msgs_in++;
        px->stats[from].bytes_in += size;
        if (capture_part(px, &part, more) < 0)
            goto fail;
        if (zmq_msg_send(&part, px->side[to], more ? ZMQ_SNDMORE : 0) < 0)
            goto fail;
        px->stats[to].msgs_out++;
        px->stats[to].bytes_out += size;
        if (!more)
            break;
    }
    zmq_msg_close(&part);
    return 1;
fail:
    close_keeping_errno(&part);
    return -1;
}

/* The reply to STATISTICS: eight uint64 parts, frontend then backend. */
static int send_stats(struct proxy *px)
{
    uint64_t values[8];
    for (int s = 0; s < 2; s++) {
        values[4 * s + 0] = px->stats[s].msgs_in;
        values[4 * s + 1] = px->stats[s].bytes_in;
        values[4 * s + 2] = px->stats[s].msgs_out;
        values[4 * s + 3] = px->stats[s].bytes_out;
    }
    for (int i = 0; i < 8; i++) {
        if (zmq_send(px->control, &values[i], sizeof values[i],
                     i < 7 ? ZMQ_SNDMORE : 0) < 0)
            return -1;
    }
    return 0;
}

static bool command_is(const zmq_msg_t *msg, const char *name)
{
    size_t size = strlen(name);
    return zmq_msg_size(msg) == size &&
           memcmp(zmq_msg_data((zmq_msg_t *) msg), name, size) == 0;
}

enum control_outcome {
    CONTROL_FAILED = -1,
    CONTROL_NONE,
    CONTROL_DONE,
    CONTROL_TERMINATE
};

/* Takes one command from the control socket, if one is waiting, and runs
 * it. A multipart message or an unknown word is no command and is ignored
 * (a REP socket still answers, to stay usable). */
static enum control_outcome run_control(struct proxy *px)
{
    zmq_msg_t command, part;
    zmq_msg_init(&command);
    zmq_msg_init(&part);
    if (zmq_msg_recv(&command, px->control, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&command);
        zmq_msg_close(&part);
        return errno == EAGAIN ? CONTROL_NONE : CONTROL_FAILED;
    }
    bool more = zmq_msg_more(&command);
    bool single = !more;
    if (capture_part(px, &command, more) < 0)
        goto fail;
    while (more) {
        if (zmq_msg_recv(&part, px->control, 0) < 0)
            goto fail;
        more = zmq_msg_more(&part);
        if (capture_part(px, &part, more) < 0)
            goto fail;
    }
    zmq_msg_close(&part);

    enum control_outcome outcome = CONTROL_DONE;
    bool statistics = false;
    if (single && command_is(&command, "PAUSE"))
        px->paused = true;
    else if (single && command_is(&command, "RESUME"))
        px->paused = false;
    else if (single && command_is(&command, "TERMINATE"))
        outcome = CONTROL_TERMINATE;
    else if (single && command_is(&command, "STATISTICS"))
        statistics = true;
    zmq_msg_close(&command);

    int rc = 0;
    if (statistics)
        rc = send_stats(px);
    else if (px->control_is_rep)
        rc = zmq_send(px->control, "", 0, 0);
    return rc < 0 ? CONTROL_FAILED : outcome;
fail:
    close_keeping_errno(&command);
    close_keeping_errno(&part);
    return CONTROL_FAILED;
}

/* One round of forwarding in both directions. For each direction that
 * cannot move a message now, adds to want[] the event that would let it:
 * input on its source, or room on its destination. A single-socket device
 * (frontend and backend the same socket, e.g. a REP that echoes) has one
 * direction, and its socket may only be able to send once it has
 * received, as a REP is: it forwards whenever there is input, as libzmq's
 * does. Returns how many messages moved, or -1. */
static int forward_round(struct proxy *px, short want[2])
{
    bool single = px->side[FRONTEND] == px->side[BACKEND];
    int sides = single ? 1 : 2;
    int events[2];
    for (int s = 0; s < sides; s++) {
        events[s] = socket_events(px->side[s]);
        if (events[s] < 0)
            return -1;
    }
    int moved = 0;
    for (int from = 0; from < sides; from++) {
        int to = 1 - from;
        if (!(events[from] & ZMQ_POLLIN)) {
            want[from] |= ZMQ_POLLIN;
        } else if (!single && !(events[to] & ZMQ_POLLOUT)) {
            want[to] |= ZMQ_POLLOUT;
        } else {
            int rc = forward(px, from);
            if (rc < 0)
                return -1;
            if (rc == 0)
                want[from] |= ZMQ_POLLIN;
            moved += rc;
        }
    }
    return moved;
}

/* The proxy loop; returns 0 on TERMINATE, otherwise -1 with errno. */
static int proxy_run(struct proxy *px)
{
    for (;;) {
        if (px->control != NULL) {
            enum control_outcome outcome = run_control(px);
            if (outcome == CONTROL_FAILED)
                return -1;
            if (outcome == CONTROL_TERMINATE)
                return 0;
            if (outcome == CONTROL_DONE)
                continue;
        }
        short want[2] = { 0, 0 };
        if (!px->paused) {
            int moved = forward_round(px, want);
            if (moved < 0)
                return -1;
            if (moved > 0)
                continue;
        }
        zmq_pollitem_t items[3];
        int n = 0;
        for (int s = 0; s < 2; s++)
            if (want[s] != 0)
                items[n++] = (zmq_pollitem_t){ .socket = px->side[s],
                                               .events = want[s] };
        if (px->control != NULL)
            items[n++] =
                (zmq_pollitem_t){ .socket = px->control, .events = ZMQ_POLLIN };
        if (zmq_poll(items, n, -1) < 0)
            return -1;
    }
}

int zmq_proxy_steerable(void *frontend, void *backend, void *capture,
                        void *control)
{
    if (frontend == NULL || backend == NULL) {
        errno = EFAULT;
        return -1;
    }
    struct proxy px = {
        .side = { frontend, backend },
        .capture = capture,
        .control = control,
    };
    if (capture != NULL && socket_type(capture) < 0)
        return -1;
    if (control != NULL) {
        int type = socket_type(control);
        if (type < 0)
            return -1;
        px.control_is_rep = type == ZMQ_REP;
    }
    return proxy_run(&px);
}

int zmq_proxy(void *frontend, void *backend, void *capture)
{
    return zmq_proxy_steerable(frontend, backend, capture, NULL);
}

/* The device type predates zmq_proxy and no longer changes anything. */
int zmq_device(int type, void *frontend, void *backend)
{
    (void) type;
    return zmq_proxy(frontend, backend, NULL);
}
