/*
 * Sending and receiving messages (see transfer.h).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <zmq.h>

#include "endpoints.h"
#include "input.h"
#include "monitor.h"
#include "output.h"
#include "progress.h"
#include "report.h"
#include "transfer.h"

/* The socket with its monitor (when asked), set up and attached. */
struct session {
    void *socket;
    void *reader; /* monitor events, printed on stderr; or NULL */
    bool v2;      /* the reader's events are version 2's */
};

static int session_open(void *context, const struct cli_options *o,
                        struct session *s)
{
    *s = (struct session) { .v2 = o->v2 };
    int code = cli_socket_open(context, o, &s->socket);
    if (code == CLI_EXIT_OK && o->monitor)
        code = cli_monitor_start(context, s->socket, o->v2, &s->reader);
    if (code == CLI_EXIT_OK)
        code = cli_socket_attach(s->socket, o);
    return code;
}

static void session_close(struct session *s)
{
    if (s->reader != NULL) {
        while (cli_monitor_print(s->reader, stderr, false, s->v2))
            ;
        zmq_socket_monitor(s->socket, NULL, 0);
        zmq_close(s->reader);
    }
    if (s->socket != NULL)
        zmq_close(s->socket);
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* Waits for a message, printing monitor events meanwhile (they go to
 * stderr so that stdout stays the messages). 1 readable, 0 timeout,
 * -1 error. */
static int wait_readable(struct session *s, long timeout_ms)
{
    if (s->reader == NULL)
        return 1; /* zmq_msg_recv waits itself, bounded by RCVTIMEO */
    long deadline = timeout_ms < 0 ? -1 : cli_now_ms() + timeout_ms;
    for (;;) {
        zmq_pollitem_t items[] = {
            { .socket = s->socket, .events = ZMQ_POLLIN },
            { .socket = s->reader, .events = ZMQ_POLLIN },
        };
        long left = deadline < 0 ? -1 : deadline - cli_now_ms();
        if (deadline >= 0 && left < 0)
            left = 0;
        int ready = zmq_poll(items, 2, left);
        if (ready < 0)
            return errno == EINTR ? 0 : -1;
        if (items[1].revents & ZMQ_POLLIN)
            cli_monitor_print(s->reader, stderr, false, s->v2);
        if (items[0].revents & ZMQ_POLLIN)
            return 1;
        if (ready == 0)
            return 0;
    }
}

/* One whole message into *m: 0, or -1 with errno (EAGAIN: timed out). */
static int receive(struct session *s, long timeout_ms, struct cli_message *m)
{
    int waited = wait_readable(s, timeout_ms);
    if (waited <= 0) {
        if (waited == 0)
            errno = EAGAIN;
        return -1;
    }
    zmq_msg_t part;
    zmq_msg_init(&part);
    do {
        if (zmq_msg_recv(&part, s->socket, 0) < 0) {
            int error = errno;
            zmq_msg_close(&part);
            cli_message_clear(m);
            errno = error;
            return -1;
        }
        cli_message_add(m, zmq_msg_data(&part), zmq_msg_size(&part));
    } while (zmq_msg_more(&part));
    zmq_msg_close(&part);
    return 0;
}

static size_t message_size(const struct cli_message *m)
{
    size_t size = 0;
    for (size_t i = 0; i < m->count; i++)
        size += m->parts[i].size;
    return size;
}

/* Sends every part of m; RADIO's parts carry the --group. */
static int transmit(struct session *s, const struct cli_options *o,
                    const struct cli_message *m)
{
    for (size_t i = 0; i < m->count; i++) {
        zmq_msg_t part;
        zmq_msg_init_size(&part, m->parts[i].size);
        memcpy(zmq_msg_data(&part), m->parts[i].data, m->parts[i].size);
        if (o->send_group != NULL &&
            zmq_msg_set_group(&part, o->send_group) != 0) {
            zmq_msg_close(&part);
            return cli_fail_zmq("--group");
        }
        int flags = i + 1 < m->count ? ZMQ_SNDMORE : 0;
        if (zmq_msg_send(&part, s->socket, flags) < 0) {
            zmq_msg_close(&part);
            return cli_fail_zmq("send");
        }
    }
    return CLI_EXIT_OK;
}

/* How many messages the -d arguments make, once through. */
static long datum_messages(const struct cli_options *o)
{
    long messages = 0;
    for (size_t i = 0; i < o->data_count; i++)
        messages += !o->data[i].joined;
    return messages;
}

static int print_received(const struct cli_options *o,
                          const struct cli_message *m, long number)
{
    if (!cli_output_write(stdout, o->format, m, number))
        return cli_fail(CLI_EXIT_RUNTIME, "stdout: %s", strerror(errno));
    return CLI_EXIT_OK;
}

int cli_send_command(void *context, const struct cli_options *o)
{
    struct session s;
    int code = session_open(context, o, &s);
    struct cli_input *input = code == CLI_EXIT_OK ? cli_input_open(o) : NULL;
    if (code == CLI_EXIT_OK && input == NULL)
        code = CLI_EXIT_RUNTIME;
    long limit = o->count >= 0 ? o->count
                 : o->data_count > 0 ? datum_messages(o) : -1;
    struct cli_progress progress;
    cli_progress_start(&progress, o->progress);
    if (code == CLI_EXIT_OK && o->delay_ms > 0)
        sleep_ms(o->delay_ms);
    for (long sent = 0; code == CLI_EXIT_OK && (limit < 0 || sent < limit);
         sent++) {
        struct cli_message m = { 0 };
        int got = cli_input_next(input, &m);
        if (got <= 0) {
            code = got < 0 ? CLI_EXIT_RUNTIME : CLI_EXIT_OK;
            break;
        }
        if (sent > 0 && o->interval_ms > 0)
            sleep_ms(o->interval_ms);
        code = transmit(&s, o, &m);
        if (code == CLI_EXIT_OK)
            cli_progress_count(&progress, message_size(&m));
        cli_message_clear(&m);
        if (code == CLI_EXIT_OK && o->socket_type == ZMQ_REQ) {
            if (receive(&s, o->timeout_ms, &m) != 0)
                code = cli_fail_zmq("reply");
            else
                code = print_received(o, &m, sent + 1);
            cli_message_clear(&m);
        }
    }
    cli_progress_end(&progress);
    if (input != NULL)
        cli_input_close(input);
    session_close(&s);
    return code;
}

/* REP's answer: the next input message when -d or -f gives any, else
 * the request itself. */
static int answer(struct session *s, const struct cli_options *o,
                  struct cli_input *input, const struct cli_message *request)
{
    if (input == NULL)
        return transmit(s, o, request);
    struct cli_message reply = { 0 };
    int got = cli_input_next(input, &reply);
    int code = got < 0 ? CLI_EXIT_RUNTIME
               : got == 0 ? transmit(s, o, request)
                          : transmit(s, o, &reply);
    cli_message_clear(&reply);
    return code;
}

int cli_recv_command(void *context, const struct cli_options *o)
{
    struct session s;
    int code = session_open(context, o, &s);
    struct cli_input *input = NULL;
    if (code == CLI_EXIT_OK && o->socket_type == ZMQ_REP &&
        (o->data_count > 0 || o->file != NULL) &&
        (input = cli_input_open(o)) == NULL)
        code = CLI_EXIT_RUNTIME;
    struct cli_progress progress;
    cli_progress_start(&progress, o->progress);
    long received = 0;
    while (code == CLI_EXIT_OK && (o->count < 0 || received < o->count)) {
        struct cli_message m = { 0 };
        if (receive(&s, o->timeout_ms, &m) != 0) {
            /* -w ends an unbounded receive after a first message; it is
             * a timeout before -n messages, or before any. */
            if (errno == EAGAIN && o->count < 0 && received > 0)
                break;
            if (errno == EAGAIN)
                code = cli_fail(CLI_EXIT_TIMEOUT,
                                "%ld messages received in %ld ms", received,
                                o->timeout_ms);
            else
                code = cli_fail_zmq("recv");
            break;
        }
        received++;
        cli_progress_count(&progress, message_size(&m));
        code = print_received(o, &m, received);
        if (code == CLI_EXIT_OK && o->socket_type == ZMQ_REP)
            code = answer(&s, o, input, &m);
        cli_message_clear(&m);
    }
    cli_progress_end(&progress);
    if (input != NULL)
        cli_input_close(input);
    session_close(&s);
    return code;
}
