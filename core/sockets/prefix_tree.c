/*
 * The compressed prefix tree behind the subscription stores; see
 * prefix_tree.h. Walks are iterative, so a deep tree (prefixes "a", "aa",
 * "aaa", ...) never exhausts the stack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prefix_tree.h"

static void out_of_memory(void)
{
    fputs("modzmq: out of memory storing a subscription\n", stderr);
    abort();
}

static void *checked_realloc(void *block, size_t size)
{
    void *grown = realloc(block, size);
    if (grown == NULL)
        out_of_memory();
    return grown;
}

static struct mz_prefix_node *node_new(const struct mz_prefix_tree *tree,
                                       const unsigned char *label, size_t size)
{
    struct mz_prefix_node *node = calloc(1, tree->node_size);
    if (node == NULL)
        out_of_memory();
    if (size > 0) {
        node->label = checked_realloc(NULL, size);
        memcpy(node->label, label, size);
        node->label_size = size;
    }
    return node;
}

static void node_free(struct mz_prefix_node *node)
{
    free(node->label);
    free(node->children);
    free(node->child_bytes);
    free(node->child_positions);
    free(node);
}

/* Rebuilds (or drops) a node's byte-to-position table after its children
 * changed: kept only while the node is wide. */
static void update_positions(struct mz_prefix_node *node)
{
    if (node->child_count <= MZ_PREFIX_NODE_NARROW) {
        free(node->child_positions);
        node->child_positions = NULL;
        return;
    }
    if (node->child_positions == NULL) {
        node->child_positions = calloc(256, sizeof *node->child_positions);
        if (node->child_positions == NULL)
            out_of_memory();
    } else {
        memset(node->child_positions, 0, 256 * sizeof *node->child_positions);
    }
    for (unsigned i = 0; i < node->child_count; i++)
        node->child_positions[node->child_bytes[i]] = (uint16_t) (i + 1);
}

/* Adds child to parent, keeping the children sorted by first byte. */
static void add_child(struct mz_prefix_node *parent,
                      struct mz_prefix_node *child)
{
    if (parent->child_count == parent->child_capacity) {
        unsigned capacity =
            parent->child_capacity ? parent->child_capacity * 2 : 2;
        if (capacity > 256)
            capacity = 256;
        parent->children = checked_realloc(parent->children,
                                           capacity * sizeof *parent->children);
        parent->child_bytes = checked_realloc(parent->child_bytes, capacity);
        parent->child_capacity = capacity;
    }
    unsigned char byte = child->label[0];
    unsigned at = parent->child_count;
    while (at > 0 && parent->child_bytes[at - 1] > byte)
        at--;
    unsigned after = parent->child_count - at;
    memmove(&parent->children[at + 1], &parent->children[at],
            after * sizeof *parent->children);
    memmove(&parent->child_bytes[at + 1], &parent->child_bytes[at], after);
    parent->children[at] = child;
    parent->child_bytes[at] = byte;
    parent->child_count++;
    update_positions(parent);
}

static void remove_child_at(struct mz_prefix_node *parent, unsigned index)
{
    unsigned after = parent->child_count - index - 1;
    memmove(&parent->children[index], &parent->children[index + 1],
            after * sizeof *parent->children);
    memmove(&parent->child_bytes[index], &parent->child_bytes[index + 1],
            after);
    parent->child_count--;
    update_positions(parent);
}

/* Replaces node (parent's child number index), which is not in use and has
 * exactly one child, by that child with the two labels joined. */
static void merge_into_child(struct mz_prefix_node *parent, unsigned index,
                             struct mz_prefix_node *node)
{
    struct mz_prefix_node *child = node->children[0];
    size_t joined = node->label_size + child->label_size;
    child->label = checked_realloc(child->label, joined);
    memmove(child->label + node->label_size, child->label, child->label_size);
    memcpy(child->label, node->label, node->label_size);
    child->label_size = joined;
    parent->children[index] = child; /* same first byte as node */
    node_free(node);
}

void mz_prefix_tree_init(struct mz_prefix_tree *tree, size_t node_size)
{
    tree->node_size = node_size;
    tree->root = node_new(tree, NULL, 0);
}

void mz_prefix_tree_fini(struct mz_prefix_tree *tree,
                         void (*release)(struct mz_prefix_node *node))
{
    struct mz_prefix_node **stack = NULL;
    size_t depth = 0, capacity = 0;
    struct mz_prefix_node *node = tree->root;
    for (;;) {
        for (unsigned i = 0; i < node->child_count; i++) {
            if (depth == capacity) {
                capacity = capacity ? capacity * 2 : 64;
                stack = checked_realloc(stack, capacity * sizeof *stack);
            }
            stack[depth++] = node->children[i];
        }
        if (release != NULL)
            release(node);
        node_free(node);
        if (depth == 0)
            break;
        node = stack[--depth];
    }
    free(stack);
    tree->root = NULL;
}

struct mz_prefix_node *mz_prefix_tree_insert(struct mz_prefix_tree *tree,
                                             const unsigned char *prefix,
                                             size_t size)
{
    struct mz_prefix_node *node = tree->root;
    size_t offset = 0;
    while (offset < size) {
        const unsigned char *rest = prefix + offset;
        size_t rest_size = size - offset;
        unsigned index = mz_prefix_node_child_index(node, rest[0]);
        if (index == node->child_count) {
            struct mz_prefix_node *leaf = node_new(tree, rest, rest_size);
            add_child(node, leaf);
            return leaf;
        }
        struct mz_prefix_node *child = node->children[index];
        size_t common = 1;
        while (common < child->label_size && common < rest_size &&
               child->label[common] == rest[common])
            common++;
        if (common < child->label_size) {
            /* The prefix leaves the edge half-way: split it there. */
            struct mz_prefix_node *middle =
                node_new(tree, child->label, common);
            child->label_size -= common;
            memmove(child->label, child->label + common, child->label_size);
            node->children[index] = middle;
            add_child(middle, child);
            child = middle;
        }
        offset += common;
        node = child;
    }
    return node;
}

struct mz_prefix_node *mz_prefix_tree_find(const struct mz_prefix_tree *tree,
                                           const unsigned char *prefix,
                                           size_t size)
{
    struct mz_prefix_node *node = tree->root;
    size_t offset = 0;
    while (node != NULL && offset < size)
        node = mz_prefix_node_next(node, prefix, size, &offset);
    return node;
}

void mz_prefix_tree_prune(struct mz_prefix_tree *tree,
                          const unsigned char *prefix, size_t size)
{
    struct mz_prefix_node *grandparent = NULL, *parent = NULL,
                          *node = tree->root;
    size_t offset = 0;
    while (offset < size) {
        grandparent = parent;
        parent = node;
        node = mz_prefix_node_next(node, prefix, size, &offset);
        if (node == NULL)
            return;
    }
    if (parent == NULL || node->in_use || node->child_count >= 2)
        return;
    unsigned index = mz_prefix_node_child_index(parent, node->label[0]);
    if (node->child_count == 1) {
        merge_into_child(parent, index, node);
        return;
    }
    remove_child_at(parent, index);
    node_free(node);
    if (grandparent != NULL && !parent->in_use && parent->child_count == 1)
        merge_into_child(
            grandparent,
            mz_prefix_node_child_index(grandparent, parent->label[0]), parent);
}

/* A node on the path of mz_prefix_tree_visit. */
struct visit_frame {
    struct mz_prefix_node *node;
    unsigned next_child; /* the child to descend into next */
    size_t prefix_size;  /* bytes of the prefix above this node */
};

void mz_prefix_tree_visit(struct mz_prefix_tree *tree,
                          void (*visit)(struct mz_prefix_node *node,
                                        const unsigned char *prefix,
                                        size_t size, void *arg),
                          void *arg)
{
    struct visit_frame *frames = checked_realloc(NULL, 16 * sizeof *frames);
    size_t depth = 1, frame_capacity = 16;
    size_t prefix_size = 0, prefix_capacity = 64;
    unsigned char *prefix = calloc(prefix_capacity, 1);
    if (prefix == NULL)
        out_of_memory();

    frames[0] = (struct visit_frame){ .node = tree->root };
    if (tree->root->in_use)
        visit(tree->root, prefix, 0, arg);
    while (depth > 0) {
        struct visit_frame *frame = &frames[depth - 1];
        struct mz_prefix_node *node = frame->node;
        if (frame->next_child < node->child_count) {
            /* Pre-order: extend the prefix and visit the child. */
            struct mz_prefix_node *child = node->children[frame->next_child++];
            size_t above = prefix_size;
            if (prefix_size + child->label_size > prefix_capacity) {
                prefix_capacity = (prefix_size + child->label_size) * 2;
                prefix = checked_realloc(prefix, prefix_capacity);
            }
            memcpy(prefix + prefix_size, child->label, child->label_size);
            prefix_size += child->label_size;
            if (child->in_use)
                visit(child, prefix, prefix_size, arg);
            if (depth == frame_capacity) {
                frame_capacity *= 2;
                frames =
                    checked_realloc(frames, frame_capacity * sizeof *frames);
            }
            frames[depth++] =
                (struct visit_frame){ .node = child, .prefix_size = above };
            continue;
        }
        /* Post-order: every child is done; prune this node if it lost its
         * reason to exist. */
        prefix_size = frame->prefix_size;
        depth--;
        if (depth == 0 || node->in_use || node->child_count >= 2)
            continue;
        struct visit_frame *up = &frames[depth - 1];
        unsigned index = up->next_child - 1;
        if (node->child_count == 1) {
            merge_into_child(up->node, index, node);
        } else {
            remove_child_at(up->node, index);
            node_free(node);
            up->next_child--;
        }
    }
    free(frames);
    free(prefix);
}
