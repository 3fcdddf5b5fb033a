/*
 * The 64-byte ZMTP 3.x greeting: building ours and checking the peer's as
 * its bytes trickle in, so that garbage is refused at the first wrong byte
 * instead of after 64.
 */
#ifndef MZ_ZMTP_GREETING_H
#define MZ_ZMTP_GREETING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { MZ_ZMTP_GREETING_SIZE = 64 };

/* The protocol revision both sides speak after the greeting. */
enum mz_zmtp_version {
    MZ_ZMTP_3_0 = 0, /* RFC 23: subscriptions are messages, no PING */
    MZ_ZMTP_3_1 = 1  /* RFC 37: SUBSCRIBE/CANCEL and PING/PONG commands */
};

enum mz_zmtp_greeting_status {
    MZ_GREETING_INCOMPLETE,     /* fine so far, more bytes needed */
    MZ_GREETING_DONE,           /* all 64 bytes present and acceptable */
    MZ_GREETING_BAD,            /* not a ZMTP 3.x greeting (incl. 1.0, 2.0) */
    MZ_GREETING_WRONG_MECHANISM /* another security mechanism */
};

/* Writes our greeting (version 3.1) announcing mechanism, e.g. "NULL". */
void mz_zmtp_greeting_build(uint8_t out[MZ_ZMTP_GREETING_SIZE],
                            const char *mechanism, bool as_server);

/* Judges the first size bytes received (size <= 64) against the mechanism
 * we announced. When DONE, *version is the one to speak. */
enum mz_zmtp_greeting_status
mz_zmtp_greeting_check(const uint8_t *in, size_t size, const char *mechanism,
                       enum mz_zmtp_version *version);

#endif
