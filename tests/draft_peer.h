/*
 * A libzmq 4.3.5 peer with the draft API in another process, for the
 * interoperability tests of the thread-safe socket types.
 *
 * draft_peer_start runs tests/peers/zmq_draft_peer.js with Node.js
 * (/usr/bin/node, from Debian) and the npm package zeromq 6, whose addon
 * links libzmq 4.3.5 statically, so the peer can never load modzmq: its
 * environment is PATH, the locale and MODZMQ_DRAFT_PEER_MODULES (the
 * package's node_modules, which the peer loads zeromq from by full path)
 * alone, no LD_LIBRARY_PATH, and the peer refuses to start if any
 * libzmq.so is mapped into it or its addon is not that package's. The
 * package is looked for in the build tree's tests/peers/node/node_modules,
 * then the source tree's (tools/install-deps.sh installs it there, make
 * check into a build tree of its own). The test drives the peer one
 * command line at a time (the script lists the commands) and reads one
 * answer line per command; every wait is bounded. The process is a
 * test_peer of peer.h, as the libzmq 4.3.4 peer is.
 */
#ifndef DRAFT_PEER_H
#define DRAFT_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "peer.h"

struct draft_peer;

/* NULL, with the reason on stderr, if node or the package is missing or
 * the peer did not report libzmq 4.3.5 with the draft API. */
struct draft_peer *draft_peer_start(void);
/* The peer's "ready" line: "ready VERSION CAPABILITY,... ADDON". */
const char *draft_peer_ready(const struct draft_peer *peer);
/* Sends one command (printf format) and returns its answer line, valid
 * until the next call; NULL after 30 s without an answer, or when the
 * peer has gone. */
const char *draft_peer_ask(struct draft_peer *peer, const char *format, ...)
    __attribute__((format(printf, 2, 3)));
/* The peer's process, whose /proc/PID/maps a test may read. */
pid_t draft_peer_pid(const struct draft_peer *peer);
/* Ends the peer's input, waits at most 5 s for it to exit, then kills it. */
void draft_peer_stop(struct draft_peer *peer);

/* A started peer with one socket of the type given ("socket TYPE"
 * answered "ok"), or NULL. */
struct draft_peer *draft_peer_with(const char *type);

/* Whether an answer (NULL when none came) is expected, or starts with
 * prefix. */
bool draft_peer_is(const char *answer, const char *expected);
bool draft_peer_starts(const char *answer, const char *prefix);

/* The peer's part syntax is test_peer_part's (peer.h). */

#endif
