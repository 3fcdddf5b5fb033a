/*
 * Counted prefix subscriptions: the local subscription list of SUB and
 * XSUB. Subscribing to a prefix twice needs two unsubscriptions; a message
 * matches when any subscribed prefix (the empty one included) begins it.
 * Built on the compressed prefix tree, so matching walks the message's
 * bytes and does not grow with the number of subscriptions.
 */
#ifndef MZ_TRIE_H
#define MZ_TRIE_H

#include <stdbool.h>
#include <stddef.h>

#include "prefix_tree.h"

struct mz_trie {
    struct mz_prefix_tree tree;
    size_t prefix_count; /* distinct prefixes subscribed */
};

void mz_trie_init(struct mz_trie *trie);
void mz_trie_fini(struct mz_trie *trie);
/* Counts one more subscription to prefix; true when it is the first. */
bool mz_trie_add(struct mz_trie *trie, const unsigned char *prefix,
                 size_t size);
/* Removes one subscription to prefix; true when that was the last one
 * (false also when prefix was not subscribed). */
bool mz_trie_rm(struct mz_trie *trie, const unsigned char *prefix, size_t size);
/* Whether some subscribed prefix begins data. */
bool mz_trie_check(const struct mz_trie *trie, const unsigned char *data,
                   size_t size);
/* Calls fn once per subscribed prefix, in lexicographic order. */
void mz_trie_apply(struct mz_trie *trie,
                   void (*fn)(const unsigned char *prefix, size_t size,
                              void *arg),
                   void *arg);

#endif
