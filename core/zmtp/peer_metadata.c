/*
 * The property set of one connection. Every message received on the
 * connection holds a reference, so the set lives as long as the last of
 * them; it is immutable once the handshake has finished, so readers on any
 * thread need no lock. A handful of properties is the norm: a flat array
 * searched linearly beats any map here.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "peer_metadata.h"

struct property {
    char *name;       /* NUL-terminated; may hold NULs itself */
    size_t name_size; /* without the terminator */
    char *value;      /* NUL-terminated; may hold NULs itself */
    size_t size;      /* of value, without the terminator */
};

struct mz_peer_metadata {
    atomic_uint refs;
    struct property *items;
    size_t count;
    int fd; /* the connection's, for ZMQ_SRCFD; -1 for none */
};

struct mz_peer_metadata *mz_peer_metadata_new(void)
{
    struct mz_peer_metadata *metadata = calloc(1, sizeof *metadata);
    if (metadata == NULL) {
        errno = ENOMEM;
        return NULL;
    }
    atomic_init(&metadata->refs, 1);
    metadata->fd = -1;
    return metadata;
}

void mz_peer_metadata_set_fd(struct mz_peer_metadata *metadata, int fd)
{
    metadata->fd = fd;
}

int mz_peer_metadata_fd(const struct mz_peer_metadata *metadata)
{
    return metadata->fd;
}

static char *copy_terminated(const void *bytes, size_t size)
{
    char *copy = malloc(size + 1);
    if (copy == NULL)
        return NULL;
    if (size > 0)
        memcpy(copy, bytes, size);
    copy[size] = '\0';
    return copy;
}

int mz_peer_metadata_add(struct mz_peer_metadata *metadata, const char *name,
                         size_t name_size, const void *value, size_t value_size)
{
    struct property *items =
        realloc(metadata->items, (metadata->count + 1) * sizeof *items);
    if (items == NULL) {
        errno = ENOMEM;
        return -1;
    }
    metadata->items = items;
    struct property *p = &items[metadata->count];
    p->name = copy_terminated(name, name_size);
    p->name_size = name_size;
    p->value = copy_terminated(value, value_size);
    p->size = value_size;
    if (p->name == NULL || p->value == NULL) {
        free(p->name);
        free(p->value);
        errno = ENOMEM;
        return -1;
    }
    metadata->count++;
    return 0;
}

size_t mz_peer_metadata_count(const struct mz_peer_metadata *metadata)
{
    return metadata->count;
}

void mz_peer_metadata_promote(struct mz_peer_metadata *metadata, size_t first)
{
    /* Rotate right by one, as many times as there are new properties. */
    for (size_t i = first; i < metadata->count; i++) {
        struct property moved = metadata->items[i];
        memmove(&metadata->items[i - first + 1], &metadata->items[i - first],
                first * sizeof moved);
        metadata->items[i - first] = moved;
    }
}

/* A name from the wire is all its octets: one with a NUL inside is not
 * the name before the NUL (it would pass for Socket-Type or Identity). */
const char *mz_peer_metadata_get(const struct mz_peer_metadata *metadata,
                                 const char *name, size_t *size)
{
    size_t name_size = strlen(name);
    for (size_t i = 0; i < metadata->count; i++) {
        const struct property *p = &metadata->items[i];
        if (p->name_size == name_size &&
            strncasecmp(p->name, name, name_size) == 0) {
            if (size != NULL)
                *size = p->size;
            return p->value;
        }
    }
    return NULL;
}

void mz_peer_metadata_ref(struct mz_peer_metadata *metadata)
{
    atomic_fetch_add_explicit(&metadata->refs, 1, memory_order_relaxed);
}

void mz_peer_metadata_unref(struct mz_peer_metadata *metadata)
{
    if (atomic_fetch_sub_explicit(&metadata->refs, 1, memory_order_acq_rel) !=
        1)
        return;
    for (size_t i = 0; i < metadata->count; i++) {
        free(metadata->items[i].name);
        free(metadata->items[i].value);
    }
    free(metadata->items);
    free(metadata);
}
