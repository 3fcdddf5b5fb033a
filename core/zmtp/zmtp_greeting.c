/*
 * Greeting layouts.
 *
 * 3.x (RFC 23/37): 0xFF, 8 bytes of padding, 0x7F, major, minor, 20 bytes
 * of NUL-padded mechanism name, as-server, 31 zero bytes.
 *
 * 2.0 (as RFC 23's "Backwards Interoperability" describes it): the same
 * 10-byte signature, a revision of 1 or 2 where 3.x has its major, one
 * byte of socket type, then the identity as a short final frame (flags 0,
 * size, body).
 */
#include <string.h>

#include "zmq.h"
#include "zmtp_greeting.h"

enum {
    SIGNATURE_END = 9, /* index of the 0x7F that closes the signature */
    MAJOR_AT = 10,
    MINOR_AT = 11,
    MECHANISM_AT = 12,
    MECHANISM_SIZE = 20,
    AS_SERVER_AT = 32,
    SUPPORTED_MAJOR = 3,
    OUR_MINOR = 1,
    V2_TYPE_AT = 11,
    V2_FLAGS_AT = 12,
    V2_SIZE_AT = 13,
    V2_IDENTITY_AT = 14,
    V2_HIGHEST_TYPE = ZMQ_XSUB
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

size_t mz_zmtp_v2_greeting_build(uint8_t *out, int socket_type,
                                 const uint8_t *identity, size_t identity_size)
{
    if (identity_size > 255)
        identity_size = 255;
    out[0] = (uint8_t) socket_type;
    out[1] = 0; /* a final short frame */
    out[2] = (uint8_t) identity_size;
    if (identity_size > 0)
        memcpy(out + 3, identity, identity_size);
    return 3 + identity_size;
}

static bool is_v2(const uint8_t *in, size_t size)
{
    return size > MAJOR_AT && in[MAJOR_AT] < SUPPORTED_MAJOR;
}

size_t mz_zmtp_greeting_expected(const uint8_t *in, size_t size)
{
    if (size < MZ_ZMTP_GREETING_PARTIAL)
        return MZ_ZMTP_GREETING_PARTIAL;
    if (!is_v2(in, size))
        return MZ_ZMTP_GREETING_SIZE;
    if (size <= V2_SIZE_AT)
        return V2_IDENTITY_AT;
    return V2_IDENTITY_AT + in[V2_SIZE_AT];
}

static enum mz_zmtp_greeting_status check_v2(const uint8_t *in, size_t size,
                                             const char *mechanism)
{
    /* A 2.0 peer has no security handshake: it can only meet NULL. */
    if (strcmp(mechanism, "NULL") != 0)
        return MZ_GREETING_WRONG_MECHANISM;
    if (size > V2_TYPE_AT && in[V2_TYPE_AT] > V2_HIGHEST_TYPE)
        return MZ_GREETING_BAD;
    if (size > V2_FLAGS_AT && in[V2_FLAGS_AT] != 0)
        return MZ_GREETING_BAD;
    return size == mz_zmtp_greeting_expected(in, size) ? MZ_GREETING_DONE
                                                       : MZ_GREETING_INCOMPLETE;
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
    /* Revision 0 does not exist; 1 and 2 are ZMTP 2.0; higher majors must
     * be accepted and spoken to in our own version. */
    if (size > MAJOR_AT && in[MAJOR_AT] == 0)
        return MZ_GREETING_BAD;
    if (is_v2(in, size)) {
        *version = MZ_ZMTP_2_0;
        return check_v2(in, size, mechanism);
    }
    if (size > MAJOR_AT)
        *version = MZ_ZMTP_3_1;
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

void mz_zmtp_v2_greeting_parse(const uint8_t *in, struct mz_zmtp_v2_peer *out)
{
    out->socket_type = in[V2_TYPE_AT];
    out->identity_size = in[V2_SIZE_AT];
    out->identity = in + V2_IDENTITY_AT;
}
