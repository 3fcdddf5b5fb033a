/*
 * A compressed prefix tree (radix tree) over byte strings: the shape shared
 * by the subscription stores of the publish-subscribe sockets (trie.h for
 * SUB/XSUB, mtrie.h for PUB/XPUB).
 *
 * Every edge carries a label of one or more bytes; the children of a node
 * start with distinct bytes and are kept sorted by that byte. A node stands
 * for the prefix spelled by the labels from the root to it; the root is the
 * empty prefix. A node is "in use" when its owner stores a value for that
 * prefix (a count, a set of pipes). The tree stays compressed: apart from
 * the root, a node that is not in use always has at least two children.
 *
 * Matching a message walks its bytes from the root, one edge at a time
 * (mz_prefix_node_next). Each step costs about the same: narrow nodes scan
 * a few sorted bytes, wide ones look the byte up in a table. So the cost
 * depends on the length of the message and on how many branching points
 * lie on its path, never on how many prefixes the tree holds.
 *
 * Owners embed struct mz_prefix_node as the first member of their own node
 * type and tell the tree its size; every node is allocated zeroed at that
 * size. Running out of memory aborts, as elsewhere in the core.
 */
#ifndef MZ_PREFIX_TREE_H
#define MZ_PREFIX_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct mz_prefix_node {
    unsigned char *label; /* the bytes from the parent; NULL at the root */
    size_t label_size;
    struct mz_prefix_node **children; /* sorted by their first label byte */
    unsigned char *child_bytes; /* child_bytes[i] == children[i]->label[0] */
    uint16_t *child_positions;  /* wide nodes only: 1 + the position of
                                           the child starting with each byte,
                                           0 for none; NULL otherwise */
    unsigned child_count;
    unsigned child_capacity;
    bool in_use; /* set and cleared by the owner */
};

struct mz_prefix_tree {
    struct mz_prefix_node *root;
    size_t node_size; /* bytes of the owner's node type */
};

/* Creates the tree with its root; node_size >= sizeof(struct mz_prefix_node). */
void mz_prefix_tree_init(struct mz_prefix_tree *tree, size_t node_size);
/* Frees every node, calling release (if not NULL) on each first. */
void mz_prefix_tree_fini(struct mz_prefix_tree *tree,
                         void (*release)(struct mz_prefix_node *node));

/* The node of exactly this prefix, created (not in use) if missing. */
struct mz_prefix_node *mz_prefix_tree_insert(struct mz_prefix_tree *tree,
                                             const unsigned char *prefix,
                                             size_t size);
/* The node of exactly this prefix, or NULL. */
struct mz_prefix_node *mz_prefix_tree_find(const struct mz_prefix_tree *tree,
                                           const unsigned char *prefix,
                                           size_t size);
/* Restores compression after the owner cleared in_use on the node of this
 * prefix: removes it, or merges it into its only child, and merges its
 * parent if that is left with one child and no value. */
void mz_prefix_tree_prune(struct mz_prefix_tree *tree,
                          const unsigned char *prefix, size_t size);

/* Calls visit on every node in use, in lexicographic order of the
 * prefixes (a prefix before its extensions), with the full prefix. visit
 * may clear in_use; such nodes are pruned on the way. */
void mz_prefix_tree_visit(struct mz_prefix_tree *tree,
                          void (*visit)(struct mz_prefix_node *node,
                                        const unsigned char *prefix,
                                        size_t size, void *arg),
                          void *arg);

/* Nodes with more children than this keep child_positions. */
enum { MZ_PREFIX_NODE_NARROW = 8 };

/* Position of the child whose label starts with byte, or child_count when
 * there is none: a short scan of the sorted bytes for narrow nodes, a
 * table lookup for wide ones. */
static inline unsigned
mz_prefix_node_child_index(const struct mz_prefix_node *node,
                           unsigned char byte)
{
    unsigned count = node->child_count;
    if (node->child_positions != NULL) {
        unsigned position = node->child_positions[byte];
        return position > 0 ? position - 1 : count;
    }
    const unsigned char *bytes = node->child_bytes;
    for (unsigned i = 0; i < count; i++)
        if (bytes[i] >= byte)
            return bytes[i] == byte ? i : count;
    return count;
}

/* One step of a walk along data: the child of node whose whole label
 * follows data[*offset], advancing *offset past it; NULL when the walk
 * ends here. */
static inline struct mz_prefix_node *
mz_prefix_node_next(const struct mz_prefix_node *node,
                    const unsigned char *data, size_t size, size_t *offset)
{
    size_t at = *offset;
    if (at >= size)
        return NULL;
    unsigned index = mz_prefix_node_child_index(node, data[at]);
    if (index == node->child_count)
        return NULL;
    struct mz_prefix_node *child = node->children[index];
    size_t length = child->label_size;
    if (length > size - at)
        return NULL;
    /* The first byte matched already. */
    if (length > 1 && memcmp(child->label + 1, data + at + 1, length - 1) != 0)
        return NULL;
    *offset = at + length;
    return child;
}

#endif
