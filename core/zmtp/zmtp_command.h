/*
 * ZMTP command frames: a body made of a name (length octet, then 1 to 255
 * letters) and data. The NULL mechanism, heartbeats and subscriptions all
 * build and read commands through these.
 */
#ifndef MZ_ZMTP_COMMAND_H
#define MZ_ZMTP_COMMAND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msg.h"

struct mz_zmtp_command {
    const uint8_t *name;
    size_t name_size;
    const uint8_t *data;
    size_t data_size;
};

/* Splits a command body; false when it has no valid name. The result
 * points into body. */
bool mz_zmtp_command_parse(const uint8_t *body, size_t size,
                           struct mz_zmtp_command *command);

/* Whether the command is called name (exact, as ZMTP names are). */
bool mz_zmtp_command_is(const struct mz_zmtp_command *command,
                        const char *name);

/* Makes *out a command frame body: name followed by data. Returns 0, or
 * -1 with ENOMEM (*out then empty). */
int mz_zmtp_command_build(struct mz_msg *out, const char *name,
                          const void *data, size_t data_size);

#endif
