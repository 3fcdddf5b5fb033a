/*
 * Monitor events of the tool's socket (see monitor.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <modzmq.h>
#include <zmq.h>

#include "endpoints.h"
#include "monitor.h"
#include "progress.h"
#include "report.h"

#define MONITOR_ENDPOINT "inproc://modzmq-cli-monitor"

static const struct {
    uint64_t id;
    const char *name;
} event_names[] = {
    { ZMQ_EVENT_CONNECTED, "CONNECTED" },
    { ZMQ_EVENT_CONNECT_DELAYED, "CONNECT_DELAYED" },
    { ZMQ_EVENT_CONNECT_RETRIED, "CONNECT_RETRIED" },
    { ZMQ_EVENT_LISTENING, "LISTENING" },
    { ZMQ_EVENT_BIND_FAILED, "BIND_FAILED" },
    { ZMQ_EVENT_ACCEPTED, "ACCEPTED" },
    { ZMQ_EVENT_ACCEPT_FAILED, "ACCEPT_FAILED" },
    { ZMQ_EVENT_CLOSED, "CLOSED" },
    { ZMQ_EVENT_CLOSE_FAILED, "CLOSE_FAILED" },
    { ZMQ_EVENT_DISCONNECTED, "DISCONNECTED" },
    { ZMQ_EVENT_MONITOR_STOPPED, "MONITOR_STOPPED" },
    { ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL, "HANDSHAKE_FAILED_NO_DETAIL" },
    { ZMQ_EVENT_HANDSHAKE_SUCCEEDED, "HANDSHAKE_SUCCEEDED" },
    { ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL, "HANDSHAKE_FAILED_PROTOCOL" },
    { ZMQ_EVENT_HANDSHAKE_FAILED_AUTH, "HANDSHAKE_FAILED_AUTH" },
    { ZMQ_EVENT_PIPES_STATS, "PIPES_STATS" },
    { MODZMQ_EVENT_PIPE_HWM_REACHED, "PIPE_HWM_REACHED" },
    { MODZMQ_EVENT_PIPE_HWM_CLEARED, "PIPE_HWM_CLEARED" },
    { MODZMQ_EVENT_PEER_COUNTERS, "PEER_COUNTERS" },
};

/* Version 2's events: libzmq 4.3.5's (v1's and PIPES_STATS) and the
 * ones modzmq adds. */
static const uint64_t events_v2 =
    ZMQ_EVENT_ALL_V2 | MODZMQ_EVENT_PIPE_HWM_REACHED |
    MODZMQ_EVENT_PIPE_HWM_CLEARED | MODZMQ_EVENT_PEER_COUNTERS;

static const char *event_name(uint64_t id)
{
    for (size_t i = 0; i < sizeof event_names / sizeof event_names[0]; i++) {
        if (event_names[i].id == id)
            return event_names[i].name;
    }
    return "UNKNOWN";
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int cli_monitor_start(void *context, void *socket, bool v2, void **reader_out)
{
    int rc = v2 ? zmq_socket_monitor_versioned(socket, MONITOR_ENDPOINT,
                                               events_v2, 2, ZMQ_PAIR)
                : zmq_socket_monitor(socket, MONITOR_ENDPOINT, ZMQ_EVENT_ALL);
    if (rc != 0)
        return cli_fail_zmq("monitor");
    void *reader = zmq_socket(context, ZMQ_PAIR);
    if (reader == NULL || zmq_connect(reader, MONITOR_ENDPOINT) != 0) {
        int code = cli_fail_zmq("monitor reader");
        if (reader != NULL)
            zmq_close(reader);
        return code;
    }
    *reader_out = reader;
    return CLI_EXIT_OK;
}

/* An endpoint as a JSON string's body (endpoints are ASCII; anything
 * else is escaped as \u00XX). */
static void write_json_text(FILE *out, const char *text, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        unsigned char c = (unsigned char) text[i];
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20 || c >= 0x7f)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
}

/* Reads one frame of exactly size bytes into value; false if it is not
 * one, or no frame follows. */
static bool read_u64(void *reader, uint64_t *value)
{
    zmq_msg_t frame;
    zmq_msg_init(&frame);
    bool ok =
        zmq_msg_recv(&frame, reader, ZMQ_DONTWAIT) == 8 && zmq_msg_more(&frame);
    if (ok)
        memcpy(value, zmq_msg_data(&frame), 8);
    zmq_msg_close(&frame);
    return ok;
}

static void write_endpoint_text(FILE *out, zmq_msg_t *endpoint)
{
    if (zmq_msg_size(endpoint) == 0)
        fputc('-', out);
    else
        fwrite(zmq_msg_data(endpoint), 1, zmq_msg_size(endpoint), out);
}

static void write_endpoint_json(FILE *out, const char *key, zmq_msg_t *endpoint)
{
    fprintf(out, ",\"%s\":\"", key);
    write_json_text(out, zmq_msg_data(endpoint), zmq_msg_size(endpoint));
    fputc('"', out);
}

/* A version 2 event: its id, values, local and remote endpoint frames,
 * as "EVENT V1,V2 LOCAL REMOTE" ("-" for no value or no endpoint) or
 * {"event":..,"id":..,"values":[..],"local":"..","remote":".."}. */
static bool print_v2(void *reader, FILE *out, bool json)
{
    uint64_t id, count, values[16];
    if (!read_u64(reader, &id) || !read_u64(reader, &count) || count > 16)
        return false;
    for (uint64_t i = 0; i < count; i++) {
        if (!read_u64(reader, &values[i]))
            return false;
    }
    zmq_msg_t local, remote;
    zmq_msg_init(&local);
    zmq_msg_init(&remote);
    bool ok = zmq_msg_recv(&local, reader, ZMQ_DONTWAIT) >= 0 &&
              zmq_msg_more(&local) &&
              zmq_msg_recv(&remote, reader, ZMQ_DONTWAIT) >= 0;
    if (ok && json) {
        fprintf(out, "{\"event\":\"%s\",\"id\":%" PRIu64 ",\"values\":[",
                event_name(id), id);
        for (uint64_t i = 0; i < count; i++)
            fprintf(out, "%s%" PRIu64, i > 0 ? "," : "", values[i]);
        fputc(']', out);
        write_endpoint_json(out, "local", &local);
        write_endpoint_json(out, "remote", &remote);
        fputs("}\n", out);
    } else if (ok) {
        fprintf(out, "%s ", event_name(id));
        for (uint64_t i = 0; i < count; i++)
            fprintf(out, "%s%" PRIu64, i > 0 ? "," : "", values[i]);
        fputs(count == 0 ? "- " : " ", out);
        write_endpoint_text(out, &local);
        fputc(' ', out);
        write_endpoint_text(out, &remote);
        fputc('\n', out);
    }
    fflush(out);
    zmq_msg_close(&local);
    zmq_msg_close(&remote);
    return ok;
}

bool cli_monitor_print(void *reader, FILE *out, bool json, bool v2)
{
    if (v2)
        return print_v2(reader, out, json);
    zmq_msg_t head, address;
    zmq_msg_init(&head);
    zmq_msg_init(&address);
    bool ok = zmq_msg_recv(&head, reader, ZMQ_DONTWAIT) == 6 &&
              zmq_msg_more(&head) &&
              zmq_msg_recv(&address, reader, ZMQ_DONTWAIT) >= 0;
    if (ok) {
        const uint8_t *bytes = zmq_msg_data(&head);
        uint16_t id;
        uint32_t value;
        memcpy(&id, bytes, 2);
        memcpy(&value, bytes + 2, 4);
        const char *endpoint = zmq_msg_data(&address);
        size_t size = zmq_msg_size(&address);
        if (json) {
            fprintf(out,
                    "{\"event\":\"%s\",\"id\":%u,\"value\":%u,\"endpoint\":\"",
                    event_name(id), (unsigned) id, value);
            write_json_text(out, endpoint, size);
            fputs("\"}\n", out);
        } else {
            fprintf(out, "%s %u %.*s\n", event_name(id), value, (int) size,
                    endpoint);
        }
        fflush(out);
    }
    zmq_msg_close(&head);
    zmq_msg_close(&address);
    return ok;
}

int cli_monitor_command(void *context, const struct cli_options *o)
{
    void *socket, *reader = NULL;
    int code = cli_socket_open(context, o, &socket);
    if (code != CLI_EXIT_OK)
        return code;
    code = cli_monitor_start(context, socket, o->v2, &reader);
    if (code == CLI_EXIT_OK)
        code = cli_socket_attach(socket, o);
    long printed = 0;
    long long deadline = o->timeout_ms >= 0 ? now_ms() + o->timeout_ms : -1;
    long long next_stats = now_ms();
    while (code == CLI_EXIT_OK && (o->count < 0 || printed < o->count)) {
        /* --v2 -i MS: PIPES_STATS of every peer every MS (EAGAIN while
         * there is none). */
        bool stats = o->v2 && o->interval_ms > 0;
        if (stats && now_ms() >= next_stats) {
            zmq_socket_monitor_pipes_stats(socket);
            next_stats = now_ms() + o->interval_ms;
        }
        long long wait = deadline < 0 ? -1 : deadline - now_ms();
        if (stats && (wait < 0 || wait > next_stats - now_ms()))
            wait = next_stats - now_ms();
        zmq_pollitem_t item = { .socket = reader, .events = ZMQ_POLLIN };
        int ready = zmq_poll(&item, 1, wait < 0 ? -1 : (long) wait);
        if (ready < 0 && errno != EINTR)
            code = cli_fail_zmq("poll");
        else if (ready == 0 && deadline >= 0 && now_ms() >= deadline)
            break;
        else if (ready > 0 &&
                 cli_monitor_print(reader, stdout, o->json, o->v2)) {
            printed++;
            /* -w bounds the wait for each event. */
            if (o->timeout_ms >= 0)
                deadline = now_ms() + o->timeout_ms;
        }
    }
    /* -w ended it before -n events came: a timeout. */
    if (code == CLI_EXIT_OK && o->count >= 0 && printed < o->count)
        code = cli_fail(CLI_EXIT_TIMEOUT, "%ld of %ld events in %ld ms",
                        printed, o->count, o->timeout_ms);
    if (reader != NULL) {
        zmq_socket_monitor(socket, NULL, 0);
        zmq_close(reader);
    }
    zmq_close(socket);
    return code;
}
