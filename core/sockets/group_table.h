/*
 * Groups of RADIO and DISH (RFC 48): a table from a group (at most
 * MZ_MSG_GROUP_MAX octets, matched exactly) to one pointer of the
 * caller's. Every message a RADIO sends and every one a DISH receives is
 * looked up here, by the length the message already knows and its bytes,
 * so a lookup never scans for a NUL or compares strings of another
 * length.
 */
#ifndef MZ_GROUP_TABLE_H
#define MZ_GROUP_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mz_group_slot;

struct mz_group_table {
    struct mz_group_slot *slots; /* capacity slots, NULL when empty */
    uint32_t capacity;           /* 0 or a power of two */
    uint32_t count;
};

void mz_group_table_init(struct mz_group_table *table);
/* Frees the table's copies of the groups; the values are the caller's. */
void mz_group_table_fini(struct mz_group_table *table);

/* The value stored for group, or NULL when it is not in the table (so a
 * set whose values are all NULL asks mz_group_table_has). */
void *mz_group_table_find(const struct mz_group_table *table,
                          const char *group, size_t size);
bool mz_group_table_has(const struct mz_group_table *table, const char *group,
                        size_t size);
/* Adds group with value: 1 when added, 0 when it was there already (its
 * value unchanged), -1 with ENOMEM. */
int mz_group_table_add(struct mz_group_table *table, const char *group,
                       size_t size, void *value);
/* Removes group: true when it was there, its value in *value if asked. */
bool mz_group_table_remove(struct mz_group_table *table, const char *group,
                           size_t size, void **value);

/* Iterates: start *cursor at 0; each call gives the next group (its NUL-
 * terminated copy) and value and returns true, then false at the end.
 * The table must not change during the walk. */
bool mz_group_table_next(const struct mz_group_table *table, uint32_t *cursor,
                         const char **group, void **value);

#endif
