/*
 * The ZMTP greeting: building ours and checking the peer's as its bytes
 * trickle in, so that garbage is refused at the first wrong byte instead
 * of after 64.
 *
 * Ours goes out in two steps, as RFC 23 ("Detecting ZMTP 2.0 Peers")
 * describes: the signature and major version first (11 bytes); once the
 * peer's first 11 bytes are in, either the rest of the 3.x greeting or, to
 * a ZMTP 2.0 peer, the 2.0 socket type and identity. ZMTP 1.0 peers, whose
 * first bytes are an identity frame instead of a signature, are refused.
 */
#ifndef MZ_ZMTP_GREETING_H
#define MZ_ZMTP_GREETING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    MZ_ZMTP_GREETING_SIZE = 64,
    MZ_ZMTP_GREETING_PARTIAL = 11, /* signature and major version */
    /* A 2.0 greeting: the signature, the revision, the socket type and an
     * identity frame of at most 255 bytes. */
    MZ_ZMTP_V2_GREETING_MAX = MZ_ZMTP_GREETING_PARTIAL + 3 + 255
};

/* The protocol revision both sides speak after the greeting. */
enum mz_zmtp_version {
    MZ_ZMTP_2_0, /* RFC 15: no handshake, no commands */
    MZ_ZMTP_3_0, /* RFC 23: subscriptions are messages, no PING */
    MZ_ZMTP_3_1  /* RFC 37: SUBSCRIBE/CANCEL and PING/PONG commands */
};

enum mz_zmtp_greeting_status {
    MZ_GREETING_INCOMPLETE,     /* fine so far, more bytes needed */
    MZ_GREETING_DONE,           /* complete and acceptable */
    MZ_GREETING_BAD,            /* not a ZMTP 2.0 or 3.x greeting */
    MZ_GREETING_WRONG_MECHANISM /* another security mechanism */
};

/* Writes our whole 3.1 greeting announcing mechanism, e.g. "NULL"; the
 * engine sends its first MZ_ZMTP_GREETING_PARTIAL bytes, then the rest. */
void mz_zmtp_greeting_build(uint8_t out[MZ_ZMTP_GREETING_SIZE],
                            const char *mechanism, bool as_server);

/* What follows our partial greeting for a ZMTP 2.0 peer: the socket type
 * and the identity frame (identity_size <= 255). Returns the byte count
 * written to out, which has room for MZ_ZMTP_V2_GREETING_MAX bytes. */
size_t mz_zmtp_v2_greeting_build(uint8_t *out, int socket_type,
                                 const uint8_t *identity, size_t identity_size);

/* How many bytes of the peer's greeting to collect, given the first size
 * bytes: 11 until the version is known, then 64 for 3.x or the length of
 * the 2.0 greeting (as far as it is known yet). */
size_t mz_zmtp_greeting_expected(const uint8_t *in, size_t size);

/* Judges the first size bytes received (size <= the expected count)
 * against the mechanism we announced. Once size reaches 11 and the status
 * is INCOMPLETE or DONE, *version says which protocol the peer speaks. */
enum mz_zmtp_greeting_status
mz_zmtp_greeting_check(const uint8_t *in, size_t size, const char *mechanism,
                       enum mz_zmtp_version *version);

/* A complete 2.0 greeting's socket type byte and identity frame body. */
struct mz_zmtp_v2_peer {
    int socket_type;
    const uint8_t *identity;
    size_t identity_size;
};
void mz_zmtp_v2_greeting_parse(const uint8_t *in, struct mz_zmtp_v2_peer *out);

#endif
