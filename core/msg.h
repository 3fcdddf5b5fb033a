/*
 * Messages as the core sees them.
 *
 * A zmq_msg_t is 64 opaque bytes owned by the application; inside the core it
 * is a struct mz_msg. Short bodies live inline so that small messages never
 * allocate; longer bodies live in a reference-counted content block so that
 * copies and fan-out share one buffer. A message is moved between the
 * application, pipes and engines by copying these 64 bytes: nothing in it may
 * point into itself.
 */
#ifndef MZ_MSG_H
#define MZ_MSG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zmq.h"

struct mz_peer_metadata;

/* Largest body kept inside the message itself; longest group
 * (ZMQ_GROUP_MAX_LENGTH), and the longest one kept inside the message:
 * a longer one lives in a reference-counted block (struct mz_msg_group). */
enum {
    MZ_MSG_INLINE_MAX = 32,
    MZ_MSG_GROUP_MAX = 255,
    MZ_MSG_GROUP_INLINE_MAX = 15
};

/* What the body is. Zero is deliberately not a valid kind, so that a
 * zeroed or closed zmq_msg_t is recognised and refused with EFAULT. */
enum mz_msg_kind {
    MZ_MSG_CLOSED = 0,
    MZ_MSG_INLINE = 0x51, /* body in u.bytes */
    MZ_MSG_SHARED_BODY,   /* body in a reference-counted content block */
    MZ_MSG_CONSTANT,      /* body owned by the application, never freed */
    MZ_MSG_DELIMITER      /* end-of-pipe marker, never seen by users */
};

enum mz_msg_flag {
    MZ_MSG_MORE = 1,    /* another part of the same message follows */
    MZ_MSG_COMMAND = 2, /* a ZMTP command, not user data */
    MZ_MSG_ROUTING_ID =
        4,            /* carries the writer's routing id (first in a pipe) */
    MZ_MSG_COPIED = 8 /* the body has been shared with another message */
};

/* A reference-counted body. When free_fn is NULL the bytes follow this
 * header in the same allocation; otherwise they belong to the application
 * and free_fn(data, hint) releases them. */
struct mz_msg_content {
    atomic_uint refs;
    zmq_free_fn *free_fn; /* NULL: the body follows, from mz_buffer_alloc */
    void *hint;
    size_t block_size; /* with no free_fn: the size asked of the cache */
};

/* A group longer than MZ_MSG_GROUP_INLINE_MAX, shared by the copies of a
 * message as its body is; the text is NUL-terminated. */
struct mz_msg_group {
    atomic_uint refs;
    char text[];
};

struct mz_msg {
    union {
        unsigned char bytes[MZ_MSG_INLINE_MAX];
        struct {
            unsigned char *data;
            size_t size;
            struct mz_msg_content *content; /* NULL for MZ_MSG_CONSTANT */
        } ext;
    } u;
    struct mz_peer_metadata *metadata; /* the connection's properties (a
                                          counted reference), NULL if none */
    uint32_t routing_id; /* SERVER/CLIENT style routing id, 0 if none */
    uint8_t kind;
    uint8_t flags;
    uint8_t inline_size;
    uint8_t group_size; /* over MZ_MSG_GROUP_INLINE_MAX: in group.shared */
    union {
        char text[MZ_MSG_GROUP_INLINE_MAX + 1];
        struct mz_msg_group *shared;
    } group;
};

_Static_assert(sizeof(struct mz_msg) == sizeof(zmq_msg_t),
               "struct mz_msg must fill zmq_msg_t exactly");

static inline struct mz_msg *mz_msg_of(zmq_msg_t *m)
{
    return (struct mz_msg *) (void *) m;
}

static inline const struct mz_msg *mz_msg_of_const(const zmq_msg_t *m)
{
    return (const struct mz_msg *) (const void *) m;
}

static inline bool mz_msg_is_valid(const struct mz_msg *m)
{
    return m != NULL && m->kind >= MZ_MSG_INLINE && m->kind <= MZ_MSG_DELIMITER;
}

static inline void *mz_msg_data(struct mz_msg *m)
{
    return m->kind == MZ_MSG_INLINE ? (void *) m->u.bytes
                                    : (void *) m->u.ext.data;
}

static inline size_t mz_msg_size(const struct mz_msg *m)
{
    if (m->kind == MZ_MSG_INLINE)
        return m->inline_size;
    if (m->kind == MZ_MSG_DELIMITER)
        return 0;
    return m->u.ext.size;
}

static inline bool mz_msg_has_more(const struct mz_msg *m)
{
    return (m->flags & MZ_MSG_MORE) != 0;
}

static inline void mz_msg_set_more(struct mz_msg *m, bool more)
{
    if (more)
        m->flags |= MZ_MSG_MORE;
    else
        m->flags &= (uint8_t) ~MZ_MSG_MORE;
}

/* Every constructor leaves a valid message or, on failure, returns -1 with
 * errno set and leaves the message empty but valid (so close is safe). */
void mz_msg_init(struct mz_msg *m);
int mz_msg_init_size(struct mz_msg *m, size_t size);
int mz_msg_init_buffer(struct mz_msg *m, const void *buf, size_t size);
int mz_msg_init_data(struct mz_msg *m, void *data, size_t size,
                     zmq_free_fn *free_fn, void *hint);
void mz_msg_init_delimiter(struct mz_msg *m);
/* A message whose body is the size bytes at data, inside content's block,
 * taking over one reference the caller already counted in content->refs
 * (a slice of a receive buffer: recv_buffer.h). */
void mz_msg_init_slice(struct mz_msg *m, struct mz_msg_content *content,
                       void *data, size_t size);
void mz_msg_close(struct mz_msg *m);
/* dst is closed first; src becomes an empty message. */
void mz_msg_move(struct mz_msg *dst, struct mz_msg *src);
/* dst is closed first; large bodies are shared, not copied. */
void mz_msg_copy(struct mz_msg *dst, const struct mz_msg *src);
/* Extra references for fan-out: the body is shared by n more messages. */
void mz_msg_add_refs(struct mz_msg *m, unsigned n);
bool mz_msg_is_shared(const struct mz_msg *m);
/* Sets the group, a C string of at most MZ_MSG_GROUP_MAX octets (-1
 * EINVAL if longer, ENOMEM if a long one finds no memory); the _n form
 * takes size octets that must hold no NUL (-1 EINVAL otherwise). */
int mz_msg_set_group(struct mz_msg *m, const char *group);
int mz_msg_set_group_n(struct mz_msg *m, const char *group, size_t size);

/* The group, "" when none. */
static inline const char *mz_msg_group(const struct mz_msg *m)
{
    return m->group_size > MZ_MSG_GROUP_INLINE_MAX ? m->group.shared->text
                                                   : m->group.text;
}

static inline size_t mz_msg_group_size(const struct mz_msg *m)
{
    return m->group_size;
}
/* Attaches the properties of the connection m arrived on: m takes its own
 * reference and drops the one it held. Close drops it, copy and add_refs
 * take more, move moves it. */
void mz_msg_set_metadata(struct mz_msg *m, struct mz_peer_metadata *metadata);

static inline struct mz_peer_metadata *mz_msg_metadata(const struct mz_msg *m)
{
    return m->metadata;
}

#endif
