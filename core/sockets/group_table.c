/*
 * The group table (group_table.h): open addressing with linear probing
 * in a power-of-two array at most half full, so a lookup of a group that
 * is there, or is not, touches one or two slots; removal shifts the
 * following entries back, so no tombstones pile up as groups are joined
 * and left for ever. Each slot keeps its group's hash and length, and
 * the bytes are compared only when both agree.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "group_table.h"

struct mz_group_slot {
    char *text; /* NUL-terminated copy; NULL: the slot is free */
    void *value;
    uint32_t hash;
    uint32_t size;
};

enum { FIRST_CAPACITY = 8 };

/* FNV-1a: a few instructions per octet, and groups are short. */
static uint32_t group_hash(const char *group, size_t size)
{
    uint32_t hash = 2166136261u;
    for (size_t i = 0; i < size; i++) {
        hash ^= (unsigned char) group[i];
        hash *= 16777619u;
    }
    return hash;
}

void mz_group_table_init(struct mz_group_table *table)
{
    table->slots = NULL;
    table->capacity = 0;
    table->count = 0;
}

void mz_group_table_fini(struct mz_group_table *table)
{
    for (uint32_t i = 0; i < table->capacity; i++)
        free(table->slots[i].text);
    free(table->slots);
    mz_group_table_init(table);
}

/* Whether two groups of size octets are the same: short ones, the usual
 * case, compared in place, as a call to memcmp costs more than they do. */
static inline bool same_group(const char *a, const char *b, size_t size)
{
    if (size > 16)
        return memcmp(a, b, size) == 0;
    for (size_t i = 0; i < size; i++)
        if (a[i] != b[i])
            return false;
    return true;
}

/* The slot holding group, or the free slot where it would go. */
static inline struct mz_group_slot *slot_of(const struct mz_group_table *table,
                                            const char *group, size_t size,
                                            uint32_t hash)
{
    uint32_t mask = table->capacity - 1;
    for (uint32_t i = hash & mask;; i = (i + 1) & mask) {
        struct mz_group_slot *slot = &table->slots[i];
        if (slot->text == NULL ||
            (slot->hash == hash && slot->size == size &&
             same_group(slot->text, group, size)))
            return slot;
    }
}

void *mz_group_table_find(const struct mz_group_table *table,
                          const char *group, size_t size)
{
    if (table->count == 0)
        return NULL;
    const struct mz_group_slot *slot =
        slot_of(table, group, size, group_hash(group, size));
    return slot->text != NULL ? slot->value : NULL;
}

bool mz_group_table_has(const struct mz_group_table *table, const char *group,
                        size_t size)
{
    if (table->count == 0)
        return false;
    return slot_of(table, group, size, group_hash(group, size))->text != NULL;
}

/* Doubles the array (or makes the first one) and places every entry again.
 * -1 with ENOMEM, the table as it was. */
static int grow(struct mz_group_table *table)
{
    uint32_t capacity =
        table->capacity == 0 ? FIRST_CAPACITY : table->capacity * 2;
    struct mz_group_slot *slots = calloc(capacity, sizeof *slots);
    if (slots == NULL) {
        errno = ENOMEM;
        return -1;
    }
    struct mz_group_table bigger = { slots, capacity, table->count };
    for (uint32_t i = 0; i < table->capacity; i++) {
        struct mz_group_slot *old = &table->slots[i];
        if (old->text != NULL)
            *slot_of(&bigger, old->text, old->size, old->hash) = *old;
    }
    free(table->slots);
    *table = bigger;
    return 0;
}

int mz_group_table_add(struct mz_group_table *table, const char *group,
                       size_t size, void *value)
{
    uint32_t hash = group_hash(group, size);
    if (table->count > 0) {
        if (slot_of(table, group, size, hash)->text != NULL)
            return 0;
    }
    if ((table->count + 1) * 2 > table->capacity && grow(table) < 0)
        return -1;
    char *text = malloc(size + 1);
    if (text == NULL) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(text, group, size);
    text[size] = '\0';
    struct mz_group_slot *slot = slot_of(table, group, size, hash);
    slot->text = text;
    slot->value = value;
    slot->hash = hash;
    slot->size = (uint32_t) size;
    table->count++;
    return 1;
}

/* After slot is emptied, moves back each following entry whose probe
 * would otherwise pass the hole, so that every lookup still finds it. */
static void close_hole(struct mz_group_table *table, uint32_t hole)
{
    uint32_t mask = table->capacity - 1;
    for (uint32_t i = (hole + 1) & mask; table->slots[i].text != NULL;
         i = (i + 1) & mask) {
        uint32_t home = table->slots[i].hash & mask;
        /* Distance from home to i, and from home to the hole, around the
         * array: the entry moves when the hole lies on its probe path. */
        if (((i - home) & mask) >= ((i - hole) & mask)) {
            table->slots[hole] = table->slots[i];
            table->slots[i].text = NULL;
            hole = i;
        }
    }
}

bool mz_group_table_remove(struct mz_group_table *table, const char *group,
                           size_t size, void **value)
{
    if (table->count == 0)
        return false;
    struct mz_group_slot *slot =
        slot_of(table, group, size, group_hash(group, size));
    if (slot->text == NULL)
        return false;
    if (value != NULL)
        *value = slot->value;
    free(slot->text);
    slot->text = NULL;
    table->count--;
    close_hole(table, (uint32_t) (slot - table->slots));
    return true;
}

bool mz_group_table_next(const struct mz_group_table *table, uint32_t *cursor,
                         const char **group, void **value)
{
    while (*cursor < table->capacity) {
        const struct mz_group_slot *slot = &table->slots[(*cursor)++];
        if (slot->text != NULL) {
            *group = slot->text;
            if (value != NULL)
                *value = slot->value;
            return true;
        }
    }
    return false;
}
