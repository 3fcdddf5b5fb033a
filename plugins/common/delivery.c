/*
 * Whole messages to the socket, and losses told (see delivery.h).
 */
#include "delivery.h"

#include <errno.h>
#include <stdio.h>

bool delivery_push(const struct modzmq_core_services *services,
                   modzmq_link *link, struct assembly *a,
                   struct delivery_counts *counts, uint64_t *lost)
{
    struct assembled_message *m;
    while ((m = assembly_peek(a)) != NULL) {
        const uint8_t *part = m->bytes;
        for (size_t i = 0; i < m->part_count; i++) {
            unsigned flags = i + 1 < m->part_count ? MODZMQ_MSG_MORE : 0;
            if (services->link_push(link, part, m->part_sizes[i], flags) <
                0) {
                /* Only a message's first part meets a full pipe. */
                if (errno == EAGAIN && i == 0)
                    return false;
                (*lost)++;
                break;
            }
            part += m->part_sizes[i];
        }
        counts->messages++;
        counts->bytes += m->size;
        assembly_pop(a);
    }
    return true;
}

bool delivery_push_one(const struct modzmq_core_services *services,
                       modzmq_link *link, const uint8_t *body, size_t size,
                       struct delivery_counts *counts, uint64_t *lost)
{
    if (services->link_push(link, body, size, 0) < 0) {
        if (errno == EAGAIN)
            return false;
        (*lost)++;
    }
    counts->messages++;
    counts->bytes += size;
    return true;
}

void delivery_report_loss(const struct modzmq_core_services *services,
                          modzmq_core *core, modzmq_socket *socket,
                          const char *name,
                          const struct delivery_counts *counts,
                          uint64_t lost)
{
    char line[160];
    snprintf(line, sizeof line,
             "data lost beyond repair: the sender's stream resumes at its "
             "next message (%llu lost so far)",
             (unsigned long long) lost);
    services->log(core, MODZMQ_LOG_INFO, line);
    if (!services->event_wanted(socket, MODZMQ_EVENT_PEER_COUNTERS))
        return;
    struct modzmq_event event = {
        .size = sizeof event,
        .id = MODZMQ_EVENT_PEER_COUNTERS,
        .socket = socket,
        .value_count = 5,
        .values = { counts->messages, counts->bytes, 0, 0, lost },
        .local_endpoint = "",
        .remote_endpoint = name,
    };
    services->publish(&event);
}
