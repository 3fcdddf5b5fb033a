/*
 * Message bodies: inline, reference-counted, or constant. See msg.h for the
 * layout. The public zmq_msg_* functions in api.c validate their arguments
 * and call these.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buffer_cache.h"
#include "msg.h"
#include "peer_metadata.h"

static void msg_clear(struct mz_msg *m, uint8_t kind)
{
    memset(m, 0, sizeof *m);
    m->kind = kind;
}

void mz_msg_init(struct mz_msg *m)
{
    msg_clear(m, MZ_MSG_INLINE);
}

void mz_msg_init_delimiter(struct mz_msg *m)
{
    msg_clear(m, MZ_MSG_DELIMITER);
}

int mz_msg_init_size(struct mz_msg *m, size_t size)
{
    if (size <= MZ_MSG_INLINE_MAX) {
        msg_clear(m, MZ_MSG_INLINE);
        m->inline_size = (uint8_t) size;
        return 0;
    }
    mz_msg_init(m);
    if (size > SIZE_MAX - sizeof(struct mz_msg_content)) {
        errno = ENOMEM;
        return -1;
    }
    size_t block_size = sizeof(struct mz_msg_content) + size;
    struct mz_msg_content *content = mz_buffer_alloc(block_size);
    if (content == NULL) {
        errno = ENOMEM;
        return -1;
    }
    atomic_init(&content->refs, 1);
    content->free_fn = NULL;
    content->hint = NULL;
    content->block_size = block_size;
    m->kind = MZ_MSG_SHARED_BODY;
    m->u.ext.content = content;
    m->u.ext.data = (unsigned char *) (content + 1);
    m->u.ext.size = size;
    return 0;
}

int mz_msg_init_buffer(struct mz_msg *m, const void *buf, size_t size)
{
    if (mz_msg_init_size(m, size) < 0)
        return -1;
    if (size > 0)
        memcpy(mz_msg_data(m), buf, size);
    return 0;
}

int mz_msg_init_data(struct mz_msg *m, void *data, size_t size,
                     zmq_free_fn *free_fn, void *hint)
{
    mz_msg_init(m);
    if (free_fn == NULL) {
        /* The application keeps ownership: nothing to release later. */
        m->kind = MZ_MSG_CONSTANT;
        m->u.ext.data = data;
        m->u.ext.size = size;
        m->u.ext.content = NULL;
        return 0;
    }
    struct mz_msg_content *content = malloc(sizeof *content);
    if (content == NULL) {
        errno = ENOMEM;
        return -1;
    }
    atomic_init(&content->refs, 1);
    content->free_fn = free_fn;
    content->hint = hint;
    m->kind = MZ_MSG_SHARED_BODY;
    m->u.ext.content = content;
    m->u.ext.data = data;
    m->u.ext.size = size;
    return 0;
}

void mz_msg_init_slice(struct mz_msg *m, struct mz_msg_content *content,
                       void *data, size_t size)
{
    msg_clear(m, MZ_MSG_SHARED_BODY);
    m->u.ext.content = content;
    m->u.ext.data = data;
    m->u.ext.size = size;
}

static void content_release(struct mz_msg_content *content, void *data,
                            unsigned count)
{
    if (atomic_fetch_sub_explicit(&content->refs, count,
                                  memory_order_acq_rel) != count)
        return;
    if (content->free_fn != NULL) {
        content->free_fn(data, content->hint);
        free(content);
    } else {
        mz_buffer_free(content, content->block_size);
    }
}

static bool group_is_shared(const struct mz_msg *m)
{
    return m->group_size > MZ_MSG_GROUP_INLINE_MAX;
}

static void group_add_refs(struct mz_msg *m, unsigned n)
{
    if (group_is_shared(m))
        atomic_fetch_add_explicit(&m->group.shared->refs, n,
                                  memory_order_relaxed);
}

/* Drops the message's hold on a long group and leaves it with none, so
 * that a second close frees nothing. The text is left as it is: an init
 * clears it, and group_store writes it. */
static void group_release(struct mz_msg *m)
{
    if (group_is_shared(m) &&
        atomic_fetch_sub_explicit(&m->group.shared->refs, 1,
                                  memory_order_acq_rel) == 1)
        free(m->group.shared);
    m->group_size = 0;
}

void mz_msg_close(struct mz_msg *m)
{
    group_release(m);
    if (m->kind == MZ_MSG_SHARED_BODY)
        content_release(m->u.ext.content, m->u.ext.data, 1);
    if (m->metadata != NULL) {
        mz_peer_metadata_unref(m->metadata);
        m->metadata = NULL;
    }
    m->kind = MZ_MSG_CLOSED;
}

void mz_msg_move(struct mz_msg *dst, struct mz_msg *src)
{
    if (dst == src)
        return;
    mz_msg_close(dst);
    memcpy(dst, src, sizeof *dst);
    mz_msg_init(src);
}

void mz_msg_copy(struct mz_msg *dst, const struct mz_msg *src)
{
    if (dst == src)
        return;
    mz_msg_close(dst);
    memcpy(dst, src, sizeof *dst);
    group_add_refs(dst, 1);
    if (src->metadata != NULL)
        mz_peer_metadata_ref(src->metadata);
    if (src->kind == MZ_MSG_SHARED_BODY) {
        atomic_fetch_add_explicit(&src->u.ext.content->refs, 1,
                                  memory_order_relaxed);
        /* Mark both sides: the content is now shared by two messages. */
        ((struct mz_msg *) src)->flags |= MZ_MSG_COPIED;
        dst->flags |= MZ_MSG_COPIED;
    }
}

void mz_msg_add_refs(struct mz_msg *m, unsigned n)
{
    if (n == 0)
        return;
    for (unsigned i = 0; m->metadata != NULL && i < n; i++)
        mz_peer_metadata_ref(m->metadata);
    group_add_refs(m, n);
    if (m->kind != MZ_MSG_SHARED_BODY)
        return;
    atomic_fetch_add_explicit(&m->u.ext.content->refs, n, memory_order_relaxed);
    m->flags |= MZ_MSG_COPIED;
}

bool mz_msg_is_shared(const struct mz_msg *m)
{
    if (m->kind == MZ_MSG_CONSTANT)
        return true;
    return m->kind == MZ_MSG_SHARED_BODY && (m->flags & MZ_MSG_COPIED) != 0;
}

/* Sets a group already known to hold no NUL and to fit. */
static int group_store(struct mz_msg *m, const char *group, size_t size)
{
    struct mz_msg_group *shared = NULL;
    if (size > MZ_MSG_GROUP_INLINE_MAX) {
        shared = malloc(sizeof *shared + size + 1);
        if (shared == NULL) {
            errno = ENOMEM;
            return -1;
        }
        atomic_init(&shared->refs, 1);
        memcpy(shared->text, group, size);
        shared->text[size] = '\0';
    }
    group_release(m);
    if (shared != NULL) {
        m->group.shared = shared;
    } else {
        memcpy(m->group.text, group, size);
        m->group.text[size] = '\0';
    }
    m->group_size = (uint8_t) size;
    return 0;
}

int mz_msg_set_group_n(struct mz_msg *m, const char *group, size_t size)
{
    if (size > MZ_MSG_GROUP_MAX || memchr(group, 0, size) != NULL) {
        errno = EINVAL;
        return -1;
    }
    return group_store(m, group, size);
}

int mz_msg_set_group(struct mz_msg *m, const char *group)
{
    size_t size = strnlen(group, MZ_MSG_GROUP_MAX + 1);
    if (size > MZ_MSG_GROUP_MAX) {
        errno = EINVAL;
        return -1;
    }
    return group_store(m, group, size);
}

void mz_msg_set_metadata(struct mz_msg *m, struct mz_peer_metadata *metadata)
{
    if (metadata != NULL)
        mz_peer_metadata_ref(metadata);
    if (m->metadata != NULL)
        mz_peer_metadata_unref(m->metadata);
    m->metadata = metadata;
}
