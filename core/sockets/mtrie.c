/*
 * Prefix to pipe-set subscriptions (see mtrie.h): each prefix tree node
 * carries an unordered array of the pipe ends subscribed to its prefix.
 * Sets are searched linearly; they change only when subscriptions do.
 */
#include <stdio.h>
#include <stdlib.h>

#include "mtrie.h"

struct mtrie_node {
    struct mz_prefix_node base; /* first: the tree hands out base pointers */
    struct mz_pipe_end **pipes; /* in_use exactly when pipe_count > 0 */
    unsigned pipe_count;
    unsigned pipe_capacity;
};

static struct mtrie_node *mtrie_node_of(struct mz_prefix_node *node)
{
    return (struct mtrie_node *) node;
}

static void release_pipes(struct mz_prefix_node *node)
{
    free(mtrie_node_of(node)->pipes);
}

void mz_mtrie_init(struct mz_mtrie *mtrie)
{
    mz_prefix_tree_init(&mtrie->tree, sizeof(struct mtrie_node));
    mtrie->prefix_count = 0;
}

void mz_mtrie_fini(struct mz_mtrie *mtrie)
{
    mz_prefix_tree_fini(&mtrie->tree, release_pipes);
    mtrie->prefix_count = 0;
}

/* Position of end in the node's set, or -1. */
static long pipe_position(const struct mtrie_node *node,
                          const struct mz_pipe_end *end)
{
    for (unsigned i = 0; i < node->pipe_count; i++)
        if (node->pipes[i] == end)
            return (long) i;
    return -1;
}

/* Takes the pipe at position out of the node's set; true when the set
 * became empty. The node is then no longer in use and owns nothing the
 * tree does not know of, so that pruning may free it. */
static bool remove_pipe_at(struct mz_mtrie *mtrie, struct mtrie_node *node,
                           unsigned position)
{
    node->pipes[position] = node->pipes[--node->pipe_count];
    if (node->pipe_count > 0)
        return false;
    free(node->pipes);
    node->pipes = NULL;
    node->pipe_capacity = 0;
    node->base.in_use = false;
    mtrie->prefix_count--;
    return true;
}

bool mz_mtrie_add(struct mz_mtrie *mtrie, const unsigned char *prefix,
                  size_t size, struct mz_pipe_end *end)
{
    struct mtrie_node *node =
        mtrie_node_of(mz_prefix_tree_insert(&mtrie->tree, prefix, size));
    if (pipe_position(node, end) >= 0)
        return false;
    if (node->pipe_count == node->pipe_capacity) {
        unsigned capacity = node->pipe_capacity ? node->pipe_capacity * 2 : 2;
        struct mz_pipe_end **pipes =
            realloc(node->pipes, capacity * sizeof *pipes);
        if (pipes == NULL) {
            fputs("modzmq: out of memory storing a subscription\n", stderr);
            abort();
        }
        node->pipes = pipes;
        node->pipe_capacity = capacity;
    }
    node->pipes[node->pipe_count++] = end;
    if (node->pipe_count > 1)
        return false;
    node->base.in_use = true;
    mtrie->prefix_count++;
    return true;
}

enum mz_mtrie_removal mz_mtrie_rm(struct mz_mtrie *mtrie,
                                  const unsigned char *prefix, size_t size,
                                  struct mz_pipe_end *end)
{
    struct mz_prefix_node *found =
        mz_prefix_tree_find(&mtrie->tree, prefix, size);
    if (found == NULL)
        return MZ_MTRIE_NOT_FOUND;
    struct mtrie_node *node = mtrie_node_of(found);
    long position = pipe_position(node, end);
    if (position < 0)
        return MZ_MTRIE_NOT_FOUND;
    if (!remove_pipe_at(mtrie, node, (unsigned) position))
        return MZ_MTRIE_OTHERS_REMAIN;
    mz_prefix_tree_prune(&mtrie->tree, prefix, size);
    return MZ_MTRIE_LAST_REMOVED;
}

/* The state of one mz_mtrie_rm_pipe walk. */
struct pipe_removal {
    struct mz_mtrie *mtrie;
    struct mz_pipe_end *end;
    void (*removed)(const unsigned char *prefix, size_t size, bool was_last,
                    void *arg);
    void *arg;
};

static void remove_pipe_from_node(struct mz_prefix_node *base,
                                  const unsigned char *prefix, size_t size,
                                  void *arg)
{
    struct pipe_removal *removal = arg;
    struct mtrie_node *node = mtrie_node_of(base);
    long position = pipe_position(node, removal->end);
    if (position < 0)
        return;
    bool was_last = remove_pipe_at(removal->mtrie, node, (unsigned) position);
    if (removal->removed != NULL)
        removal->removed(prefix, size, was_last, removal->arg);
}

void mz_mtrie_rm_pipe(struct mz_mtrie *mtrie, struct mz_pipe_end *end,
                      void (*removed)(const unsigned char *prefix, size_t size,
                                      bool was_last, void *arg),
                      void *arg)
{
    struct pipe_removal removal = {
        .mtrie = mtrie, .end = end, .removed = removed, .arg = arg
    };
    mz_prefix_tree_visit(&mtrie->tree, remove_pipe_from_node, &removal);
}

void mz_mtrie_match(const struct mz_mtrie *mtrie, const unsigned char *data,
                    size_t size, void (*fn)(struct mz_pipe_end *end, void *arg),
                    void *arg)
{
    struct mz_prefix_node *base = mtrie->tree.root;
    size_t offset = 0;
    do {
        if (base->in_use) {
            const struct mtrie_node *node = mtrie_node_of(base);
            for (unsigned i = 0; i < node->pipe_count; i++)
                fn(node->pipes[i], arg);
        }
        base = mz_prefix_node_next(base, data, size, &offset);
    } while (base != NULL);
}
