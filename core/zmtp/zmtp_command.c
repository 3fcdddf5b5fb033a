/*
 * Command bodies: name-size octet, name, data (RFC 37 "command-body").
 */
#include <string.h>

#include "zmtp_command.h"

bool mz_zmtp_command_parse(const uint8_t *body, size_t size,
                           struct mz_zmtp_command *command)
{
    if (size < 1 || body[0] == 0 || (size_t) body[0] + 1 > size)
        return false;
    command->name = body + 1;
    command->name_size = body[0];
    command->data = body + 1 + body[0];
    command->data_size = size - 1 - body[0];
    return true;
}

bool mz_zmtp_command_is(const struct mz_zmtp_command *command, const char *name)
{
    size_t len = strlen(name);
    return command->name_size == len && memcmp(command->name, name, len) == 0;
}

int mz_zmtp_command_build(struct mz_msg *out, const char *name,
                          const void *data, size_t data_size)
{
    size_t name_size = strlen(name);
    if (mz_msg_init_size(out, 1 + name_size + data_size) < 0)
        return -1;
    uint8_t *p = mz_msg_data(out);
    p[0] = (uint8_t) name_size;
    memcpy(p + 1, name, name_size);
    if (data_size > 0)
        memcpy(p + 1 + name_size, data, data_size);
    return 0;
}
