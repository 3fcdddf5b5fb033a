/*
 * Prefix subscriptions of many peers: the subscription list of PUB and
 * XPUB, mapping each subscribed prefix to the set of pipe ends whose peers
 * asked for it. A peer subscribing twice to one prefix is in its set once
 * (its own SUB counts duplicates). Matching a message walks its bytes down
 * the compressed prefix tree and reports the pipes of every prefix on the
 * way, so it does not grow with the number of prefixes.
 */
#ifndef MZ_MTRIE_H
#define MZ_MTRIE_H

#include <stdbool.h>
#include <stddef.h>

#include "prefix_tree.h"

struct mz_pipe_end;

/* What mz_mtrie_rm did. */
enum mz_mtrie_removal {
    MZ_MTRIE_NOT_FOUND,    /* the pipe was not subscribed to the prefix */
    MZ_MTRIE_LAST_REMOVED, /* removed; nobody is subscribed any more */
    MZ_MTRIE_OTHERS_REMAIN /* removed; other pipes are still subscribed */
};

struct mz_mtrie {
    struct mz_prefix_tree tree;
    size_t prefix_count; /* distinct prefixes with at least one pipe */
};

void mz_mtrie_init(struct mz_mtrie *mtrie);
void mz_mtrie_fini(struct mz_mtrie *mtrie);
/* Subscribes end to prefix; true when nobody was subscribed to it before. */
bool mz_mtrie_add(struct mz_mtrie *mtrie, const unsigned char *prefix,
                  size_t size, struct mz_pipe_end *end);
enum mz_mtrie_removal mz_mtrie_rm(struct mz_mtrie *mtrie,
                                  const unsigned char *prefix, size_t size,
                                  struct mz_pipe_end *end);
/* Unsubscribes end from everything, in lexicographic order of the
 * prefixes, telling removed (if not NULL) each prefix it held and whether
 * it was the last pipe subscribed to it. */
void mz_mtrie_rm_pipe(struct mz_mtrie *mtrie, struct mz_pipe_end *end,
                      void (*removed)(const unsigned char *prefix, size_t size,
                                      bool was_last, void *arg),
                      void *arg);
/* Calls fn for every pipe subscribed to a prefix of data (a pipe holding
 * several such prefixes is reported once per prefix). */
void mz_mtrie_match(const struct mz_mtrie *mtrie, const unsigned char *data,
                    size_t size, void (*fn)(struct mz_pipe_end *end, void *arg),
                    void *arg);

#endif
