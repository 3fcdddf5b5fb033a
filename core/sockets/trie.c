/*
 * Counted prefix subscriptions (see trie.h): each prefix tree node carries
 * the number of times its prefix was subscribed.
 */
#include <stdint.h>

#include "trie.h"

struct trie_node {
    struct mz_prefix_node base; /* first: the tree hands out base pointers */
    uint64_t subscriptions;     /* in_use exactly when non-zero */
};

static struct trie_node *trie_node_of(struct mz_prefix_node *node)
{
    return (struct trie_node *) node;
}

void mz_trie_init(struct mz_trie *trie)
{
    mz_prefix_tree_init(&trie->tree, sizeof(struct trie_node));
    trie->prefix_count = 0;
}

void mz_trie_fini(struct mz_trie *trie)
{
    mz_prefix_tree_fini(&trie->tree, NULL);
    trie->prefix_count = 0;
}

bool mz_trie_add(struct mz_trie *trie, const unsigned char *prefix, size_t size)
{
    struct trie_node *node =
        trie_node_of(mz_prefix_tree_insert(&trie->tree, prefix, size));
    if (node->subscriptions++ > 0)
        return false;
    node->base.in_use = true;
    trie->prefix_count++;
    return true;
}

bool mz_trie_rm(struct mz_trie *trie, const unsigned char *prefix, size_t size)
{
    struct mz_prefix_node *found =
        mz_prefix_tree_find(&trie->tree, prefix, size);
    if (found == NULL || !found->in_use)
        return false;
    struct trie_node *node = trie_node_of(found);
    if (--node->subscriptions > 0)
        return false;
    node->base.in_use = false;
    trie->prefix_count--;
    mz_prefix_tree_prune(&trie->tree, prefix, size);
    return true;
}

bool mz_trie_check(const struct mz_trie *trie, const unsigned char *data,
                   size_t size)
{
    const struct mz_prefix_node *node = trie->tree.root;
    size_t offset = 0;
    do {
        if (node->in_use)
            return true;
        node = mz_prefix_node_next(node, data, size, &offset);
    } while (node != NULL);
    return false;
}

/* Adapts the caller's per-prefix function to the tree's visitor. */
struct apply_call {
    void (*fn)(const unsigned char *prefix, size_t size, void *arg);
    void *arg;
};

static void apply_to_node(struct mz_prefix_node *node,
                          const unsigned char *prefix, size_t size, void *arg)
{
    (void) node;
    const struct apply_call *call = arg;
    call->fn(prefix, size, call->arg);
}

void mz_trie_apply(struct mz_trie *trie,
                   void (*fn)(const unsigned char *prefix, size_t size,
                              void *arg),
                   void *arg)
{
    struct apply_call call = { .fn = fn, .arg = arg };
    mz_prefix_tree_visit(&trie->tree, apply_to_node, &call);
}
