/*
 * Messages put together part by part for the own-engine multicast
 * plugins (see assembly.h).
 */
#include "assembly.h"

#include <stdlib.h>
#include <string.h>

/* A spare message keeps buffers of at most this many octets. */
enum { SPARE_BYTES_MAX = 64 * 1024 };

static void message_free(struct assembled_message *m)
{
    if (m == NULL)
        return;
    free(m->part_sizes);
    free(m->bytes);
    free(m);
}

int assembly_part_begin(struct assembly *a)
{
    struct assembled_message *m = a->building;
    if (m == NULL && a->spares != NULL) {
        m = a->spares;
        a->spares = m->next;
        a->spare_count--;
        m->next = NULL;
        a->building = m;
    } else if (m == NULL) {
        m = calloc(1, sizeof *m);
        if (m == NULL)
            return -1;
        a->building = m;
    }
    if (m->part_count == m->part_capacity) {
        size_t capacity = m->part_capacity ? m->part_capacity * 2 : 4;
        size_t *sizes = realloc(m->part_sizes, capacity * sizeof *sizes);
        if (sizes == NULL)
            return -1;
        m->part_sizes = sizes;
        m->part_capacity = capacity;
    }
    m->part_sizes[m->part_count++] = 0;
    return 0;
}

int assembly_part_append(struct assembly *a, const uint8_t *data, size_t n)
{
    struct assembled_message *m = a->building;
    if (m->size + n > m->capacity) {
        size_t capacity = m->capacity ? m->capacity * 2 : 256;
        if (capacity < m->size + n)
            capacity = m->size + n;
        uint8_t *bytes = realloc(m->bytes, capacity);
        if (bytes == NULL)
            return -1;
        m->bytes = bytes;
        m->capacity = capacity;
    }
    memcpy(m->bytes + m->size, data, n);
    m->size += n;
    m->part_sizes[m->part_count - 1] += n;
    return 0;
}

void assembly_part_end(struct assembly *a, bool more)
{
    if (more)
        return;
    struct assembled_message *m = a->building;
    a->building = NULL;
    m->next = NULL;
    if (a->ready_tail != NULL)
        a->ready_tail->next = m;
    else
        a->ready = m;
    a->ready_tail = m;
}

/* A message done with is kept, buffers and all, for the next one, up to
 * ASSEMBLY_SPARES of them and buffers of SPARE_BYTES_MAX. */
static void keep_or_free(struct assembly *a, struct assembled_message *m)
{
    if (a->spare_count == ASSEMBLY_SPARES || m->capacity > SPARE_BYTES_MAX) {
        message_free(m);
        return;
    }
    m->part_count = 0;
    m->size = 0;
    m->next = a->spares;
    a->spares = m;
    a->spare_count++;
}

bool assembly_discard(struct assembly *a)
{
    struct assembled_message *m = a->building;
    if (m == NULL)
        return false;
    a->building = NULL;
    keep_or_free(a, m);
    return true;
}

bool assembly_reading(const struct assembly *a)
{
    return a->building != NULL;
}

struct assembled_message *assembly_peek(const struct assembly *a)
{
    return a->ready;
}

void assembly_pop(struct assembly *a)
{
    struct assembled_message *m = a->ready;
    if (m == NULL)
        return;
    a->ready = m->next;
    if (a->ready == NULL)
        a->ready_tail = NULL;
    keep_or_free(a, m);
}

void assembly_fini(struct assembly *a)
{
    while (a->ready != NULL)
        assembly_pop(a);
    assembly_discard(a);
    while (a->spares != NULL) {
        struct assembled_message *m = a->spares;
        a->spares = m->next;
        message_free(m);
    }
    a->spare_count = 0;
}

const uint8_t *assembled_part(const struct assembled_message *m, size_t i)
{
    size_t at = 0;
    for (size_t k = 0; k < i; k++)
        at += m->part_sizes[k];
    return m->bytes + at;
}
