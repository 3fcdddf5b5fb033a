/*
 * Monitor events of the tool's socket (see monitor.h).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include <zmq.h>

#include "endpoints.h"
#include "monitor.h"
#include "progress.h"
#include "report.h"

#define MONITOR_ENDPOINT "inproc://modzmq-cli-monitor"

static const struct {
    int id;
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
};

static const char *event_name(int id)
{
    for (size_t i = 0; i < sizeof event_names / sizeof event_names[0]; i++) {
        if (event_names[i].id == id)
            return event_names[i].name;
    }
    return "UNKNOWN";
}

int cli_monitor_start(void *context, void *socket, void **reader_out)
{
    if (zmq_socket_monitor(socket, MONITOR_ENDPOINT, ZMQ_EVENT_ALL) != 0)
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

bool cli_monitor_print(void *reader, FILE *out, bool json)
{
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
            fprintf(out, "{\"event\":\"%s\",\"id\":%u,\"value\":%u,\"endpoint\":\"",
                    event_name(id), id, value);
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
    code = cli_monitor_start(context, socket, &reader);
    if (code == CLI_EXIT_OK)
        code = cli_socket_attach(socket, o);
    long printed = 0;
    while (code == CLI_EXIT_OK && (o->count < 0 || printed < o->count)) {
        zmq_pollitem_t item = { .socket = reader, .events = ZMQ_POLLIN };
        int ready = zmq_poll(&item, 1, o->timeout_ms);
        if (ready < 0 && errno != EINTR)
            code = cli_fail_zmq("poll");
        else if (ready == 0)
            break;
        else if (ready > 0 && cli_monitor_print(reader, stdout, o->json))
            printed++;
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
