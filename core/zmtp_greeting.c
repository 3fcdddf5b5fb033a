/*
 * Greeting layout (RFC 23/37): 0xFF, 8 bytes of padding, 0x7F, major,
 * minor, 20 bytes of NUL-padded mechanism name, as-server, 31 zero bytes.
 *
 * We always send the whole greeting at once (the RFC's "second case"):
 * ZMTP 3.x peers, libzmq among them, accept it, and refusing 1.0 and 2.0
 * peers spares the downgrade dance.
 */
#include <string.h>

#include "zmtp_greeting.h"

enum {
    SIGNATURE_END = 9, /* index of the 0x7F that closes the signature */
    MAJOR_AT = 10,
    MINOR_AT = 11,
    MECHANISM_AT = 12,
    MECHANISM_SIZE = 20,
    AS_SERVER_AT = 32,
    SUPPORTED_MAJOR = 3,
    OUR_MINOR = 1
};

void mz_zmtp_greeting_build(uint8_t out[MZ_ZMTP_GREETING_SIZE],
                            const char *mechanism, bool as_server)
{
    memset(out, 0, MZ_ZMTP_GREETING_SIZE);
    out[0] = 0xFF;
    out[SIGNATURE_END] = 0x7F;
    out[MAJOR_AT] = SUPPORTED_MAJOR;
    out[MINOR_AT] = OUR_MINOR;
    size_t len = strlen(mechanism);
    memcpy(out + MECHANISM_AT, mechanism,
           len < MECHANISM_SIZE ? len : MECHANISM_SIZE);
    out[AS_SERVER_AT] = as_server ? 1 : 0;
}

enum mz_zmtp_greeting_status
mz_zmtp_greeting_check(const uint8_t *in, size_t size, const char *mechanism,
                       enum mz_zmtp_version *version)
{
    /* A ZMTP 1.0 peer starts with a frame length, not 0xFF. */
    if (size > 0 && in[0] != 0xFF)
        return MZ_GREETING_BAD;
    /* The padding means nothing, but the signature must end in 0x7F
     * (a 1.0 peer's long length would not have its low bit set). */
    if (size > SIGNATURE_END && in[SIGNATURE_END] != 0x7F)
        return MZ_GREETING_BAD;
    /* Majors 1 and 2 are older protocols; higher ones must be accepted and
     * spoken to in our own version. */
    if (size > MAJOR_AT && in[MAJOR_AT] < SUPPORTED_MAJOR)
        return MZ_GREETING_BAD;
    if (size < MZ_ZMTP_GREETING_SIZE)
        return MZ_GREETING_INCOMPLETE;

    uint8_t expected[MECHANISM_SIZE] = { 0 };
    size_t len = strlen(mechanism);
    memcpy(expected, mechanism, len < MECHANISM_SIZE ? len : MECHANISM_SIZE);
    if (memcmp(in + MECHANISM_AT, expected, MECHANISM_SIZE) != 0)
        return MZ_GREETING_WRONG_MECHANISM;

    bool is_3_0 = in[MAJOR_AT] == SUPPORTED_MAJOR && in[MINOR_AT] == 0;
    *version = is_3_0 ? MZ_ZMTP_3_0 : MZ_ZMTP_3_1;
    return MZ_GREETING_DONE;
}
