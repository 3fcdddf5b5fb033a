/*
 * The NULL mechanism's commands: READY carries a property block (see
 * zmtp_properties.h), ERROR a short reason.
 */
#include <string.h>

#include "null_mechanism.h"
#include "zmtp_properties.h"

int mz_null_ready_build(const struct mz_options *options, struct mz_msg *out)
{
    static const char ready[] = "\5READY";
    size_t size = mz_zmtp_properties_write(options, NULL, 0);
    if (mz_msg_init_size(out, sizeof ready - 1 + size) < 0)
        return -1;
    uint8_t *p = mz_msg_data(out);
    memcpy(p, ready, sizeof ready - 1);
    mz_zmtp_properties_write(options, p + sizeof ready - 1, size);
    return 0;
}

int mz_null_error_build(const char *reason, struct mz_msg *out)
{
    uint8_t data[256];
    size_t len = strlen(reason);
    if (len > 255)
        len = 255;
    data[0] = (uint8_t) len;
    memcpy(data + 1, reason, len);
    return mz_zmtp_command_build(out, "ERROR", data, len + 1);
}

enum mz_null_result mz_null_parse(const struct mz_zmtp_command *command,
                                  int our_socket_type,
                                  struct mz_peer_metadata *metadata)
{
    if (!mz_zmtp_command_is(command, "READY"))
        return MZ_NULL_MALFORMED;
    switch (mz_zmtp_properties_read(command->data, command->data_size,
                                    our_socket_type, metadata)) {
    case MZ_PROPERTIES_OK:
        return MZ_NULL_READY;
    case MZ_PROPERTIES_INCOMPATIBLE:
        return MZ_NULL_INCOMPATIBLE;
    case MZ_PROPERTIES_NO_MEMORY:
        return MZ_NULL_NO_MEMORY;
    case MZ_PROPERTIES_MALFORMED:
        break;
    }
    return MZ_NULL_MALFORMED;
}
