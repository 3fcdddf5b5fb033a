/*
 * The Node.js peer running libzmq 4.3.5 with the draft API; see
 * draft_peer.h.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "draft_peer.h"

#define NODE "/usr/bin/node"
#define PACKAGE_DIR "tests/peers/node/node_modules"
#define READY_MS 30000
#define ANSWER_MS 30000

struct draft_peer {
    struct test_peer *process;
};

/* The package directory, made absolute (the peer compares the addon it
 * mapped with it): the build tree's, else the source tree's. */
static bool find_package(char *path)
{
    char candidate[PATH_MAX];
    const char *srcdir = getenv("srcdir");
    const char *roots[] = { ".", srcdir };
    for (size_t i = 0; i < sizeof roots / sizeof roots[0]; i++) {
        if (roots[i] == NULL)
            continue;
        snprintf(candidate, sizeof candidate, "%s/%s/zeromq/package.json",
                 roots[i], PACKAGE_DIR);
        if (access(candidate, R_OK) != 0)
            continue;
        snprintf(candidate, sizeof candidate, "%s/%s", roots[i], PACKAGE_DIR);
        return realpath(candidate, path) != NULL;
    }
    return false;
}

struct draft_peer *draft_peer_start(void)
{
    if (access(NODE, X_OK) != 0) {
        fprintf(stderr, "draft peer: no %s (tools/install-deps.sh installs "
                        "Node.js)\n", NODE);
        return NULL;
    }
    char package[PATH_MAX];
    if (!find_package(package)) {
        fprintf(stderr, "draft peer: the npm package zeromq is not in %s "
                        "(tools/install-deps.sh installs it, make check "
                        "copies it into a build tree)\n", PACKAGE_DIR);
        return NULL;
    }
    char script[PATH_MAX];
    const char *srcdir = getenv("srcdir");
    snprintf(script, sizeof script, "%s/tests/peers/zmq_draft_peer.js",
             srcdir != NULL ? srcdir : ".");
    char modules[PATH_MAX + 32];
    snprintf(modules, sizeof modules, "MODZMQ_DRAFT_PEER_MODULES=%s", package);
    char *const argv[] = { "node", "--no-warnings", script, NULL };
    char *const envp[] = { "PATH=/usr/bin:/bin", "LC_ALL=C.UTF-8", modules,
                           NULL };
    struct test_peer *process =
        test_peer_spawn(NODE, argv, envp, READY_MS, ANSWER_MS);
    if (process == NULL)
        return NULL;
    const char *ready = test_peer_ready(process);
    if (ready == NULL || strncmp(ready, "ready 4.3.5 ", 12) != 0 ||
        strstr(ready, "draft") == NULL) {
        fprintf(stderr, "draft peer did not start: %s\n",
                ready != NULL ? ready : "(no answer)");
        test_peer_stop(process);
        return NULL;
    }
    struct draft_peer *peer = calloc(1, sizeof *peer);
    if (peer == NULL)
        abort();
    peer->process = process;
    return peer;
}

const char *draft_peer_ready(const struct draft_peer *peer)
{
    return test_peer_ready(peer->process);
}

const char *draft_peer_ask(struct draft_peer *peer, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    const char *answer = test_peer_askv(peer->process, format, args);
    va_end(args);
    return answer;
}

pid_t draft_peer_pid(const struct draft_peer *peer)
{
    return test_peer_pid(peer->process);
}

void draft_peer_stop(struct draft_peer *peer)
{
    if (peer == NULL)
        return;
    test_peer_stop(peer->process);
    free(peer);
}

struct draft_peer *draft_peer_with(const char *type)
{
    struct draft_peer *peer = draft_peer_start();
    if (peer != NULL &&
        !draft_peer_is(draft_peer_ask(peer, "socket %s", type), "ok")) {
        draft_peer_stop(peer);
        return NULL;
    }
    return peer;
}

bool draft_peer_is(const char *answer, const char *expected)
{
    return answer != NULL && strcmp(answer, expected) == 0;
}

bool draft_peer_starts(const char *answer, const char *prefix)
{
    return answer != NULL && strncmp(answer, prefix, strlen(prefix)) == 0;
}
