/*
 * The zmq_* entry points for contexts, sockets and messages: argument
 * checks, errno values as libzmq gives them, and dispatch to the core.
 * Nothing here blocks or routes; see socket.c and ctx.c for that.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/uio.h>

#include "ctx.h"
#include "msg.h"
#include "peer_metadata.h"
#include "plugin_loader.h"
#include "socket.h"

static struct mz_ctx *ctx_of(void *context)
{
    struct mz_ctx *ctx = context;
    if (!mz_ctx_is_live(ctx)) {
        errno = EFAULT;
        return NULL;
    }
    return ctx;
}

static struct mz_socket *socket_of(void *socket)
{
    struct mz_socket *s = socket;
    if (!mz_socket_is_live(s)) {
        errno = ENOTSOCK;
        return NULL;
    }
    return s;
}

static struct mz_msg *msg_of(zmq_msg_t *msg)
{
    struct mz_msg *m = mz_msg_of(msg);
    if (!mz_msg_is_valid(m) || m->kind == MZ_MSG_DELIMITER) {
        errno = EFAULT;
        return NULL;
    }
    return m;
}

/* ---- Contexts ---------------------------------------------------------- */

void *zmq_ctx_new(void)
{
    mz_plugin_load_observers();
    return mz_ctx_new();
}

int zmq_ctx_term(void *context)
{
    struct mz_ctx *ctx = ctx_of(context);
    return ctx ? mz_ctx_term(ctx) : -1;
}

int zmq_ctx_shutdown(void *context)
{
    struct mz_ctx *ctx = ctx_of(context);
    return ctx ? mz_ctx_shutdown(ctx) : -1;
}

int zmq_ctx_set(void *context, int option, int value)
{
    struct mz_ctx *ctx = ctx_of(context);
    return ctx ? mz_ctx_set(ctx, option, value) : -1;
}

int zmq_ctx_get(void *context, int option)
{
    struct mz_ctx *ctx = ctx_of(context);
    return ctx ? mz_ctx_get(ctx, option) : -1;
}

int zmq_ctx_set_ext(void *context, int option, const void *value, size_t size)
{
    struct mz_ctx *ctx = ctx_of(context);
    return ctx ? mz_ctx_set_ext(ctx, option, value, size) : -1;
}

int zmq_ctx_get_ext(void *context, int option, void *value, size_t *size)
{
    struct mz_ctx *ctx = ctx_of(context);
    return ctx ? mz_ctx_get_ext(ctx, option, value, size) : -1;
}

void *zmq_init(int io_threads)
{
    if (io_threads < 0) {
        errno = EINVAL;
        return NULL;
    }
    struct mz_ctx *ctx = mz_ctx_new();
    if (ctx != NULL)
        mz_ctx_set(ctx, ZMQ_IO_THREADS, io_threads);
    return ctx;
}

int zmq_term(void *context)
{
    return zmq_ctx_term(context);
}

int zmq_ctx_destroy(void *context)
{
    return zmq_ctx_term(context);
}

/* ---- Sockets ----------------------------------------------------------- */

void *zmq_socket(void *context, int type)
{
    struct mz_ctx *ctx = ctx_of(context);
    return ctx ? mz_socket_new(ctx, type) : NULL;
}

int zmq_close(void *socket)
{
    struct mz_socket *s = mz_socket_call_begin(socket);
    if (s == NULL)
        return -1;
    /* Close leaves a thread-safe socket itself (socket.h). */
    mz_socket_close(s);
    return 0;
}

int zmq_setsockopt(void *socket, int option, const void *value, size_t size)
{
    struct mz_socket *s = mz_socket_call_begin(socket);
    return s ? mz_socket_call_end(s, mz_socket_setopt(s, option, value, size)) : -1;
}

int zmq_getsockopt(void *socket, int option, void *value, size_t *size)
{
    struct mz_socket *s = socket_of(socket);
    if (s == NULL)
        return -1;
    if (value == NULL || size == NULL) {
        errno = EFAULT;
        return -1;
    }
    s = mz_socket_call_begin(socket);
    return s ? mz_socket_call_end(s, mz_socket_getopt(s, option, value, size)) : -1;
}

static int check_endpoint(const char *endpoint)
{
    if (endpoint == NULL) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

/* bind, connect, unbind, disconnect: the socket entered, the endpoint
 * checked. */
static int endpoint_call(void *socket, const char *endpoint,
                         int (*call)(struct mz_socket *, const char *))
{
    struct mz_socket *s = socket_of(socket);
    if (s == NULL || check_endpoint(endpoint) < 0)
        return -1;
    s = mz_socket_call_begin(socket);
    return s ? mz_socket_call_end(s, call(s, endpoint)) : -1;
}

int zmq_bind(void *socket, const char *endpoint)
{
    return endpoint_call(socket, endpoint, mz_socket_bind);
}

int zmq_connect(void *socket, const char *endpoint)
{
    return endpoint_call(socket, endpoint, mz_socket_connect);
}

/* zmq_join, zmq_leave: DISH's (ENOTSUP on any other type), a group of
 * at most ZMQ_GROUP_MAX_LENGTH octets (EINVAL). */
static int group_call(void *socket, const char *group,
                      int (*call)(struct mz_socket *, const char *))
{
    struct mz_socket *s = socket_of(socket);
    if (s == NULL)
        return -1;
    if (group == NULL) {
        errno = EINVAL;
        return -1;
    }
    s = mz_socket_call_begin(socket);
    return s ? mz_socket_call_end(s, call(s, group)) : -1;
}

int zmq_join(void *socket, const char *group)
{
    return group_call(socket, group, mz_socket_join_group);
}

int zmq_leave(void *socket, const char *group)
{
    return group_call(socket, group, mz_socket_leave_group);
}

/* PEER only (ENOTSUP on other types, as libzmq 4.3.5): the new peer's
 * routing id, or 0 with errno. */
uint32_t zmq_connect_peer(void *socket, const char *endpoint)
{
    struct mz_socket *s = socket_of(socket);
    if (s == NULL)
        return 0;
    if (mz_socket_zmq_type(s) != ZMQ_PEER) {
        errno = ENOTSUP;
        return 0;
    }
    if (check_endpoint(endpoint) < 0)
        return 0;
    s = mz_socket_call_begin(socket);
    if (s == NULL)
        return 0;
    uint32_t id = mz_peer_connect(s, endpoint);
    mz_socket_call_end(s, 0);
    return id;
}

/* SERVER and PEER (ENOTSUP on other types). */
int zmq_disconnect_peer(void *socket, uint32_t routing_id)
{
    struct mz_socket *s = mz_socket_call_begin(socket);
    return s ? mz_socket_call_end(s, mz_socket_disconnect_peer(s, routing_id))
             : -1;
}

int zmq_unbind(void *socket, const char *endpoint)
{
    return endpoint_call(socket, endpoint, mz_socket_unbind);
}

int zmq_disconnect(void *socket, const char *endpoint)
{
    return endpoint_call(socket, endpoint, mz_socket_disconnect);
}

/* Byte counts are returned as int, clipped like libzmq. */
static int clip_size(size_t size)
{
    return size > INT_MAX ? INT_MAX : (int) size;
}

static int msg_send(struct mz_socket *s, zmq_msg_t *msg, int flags)
{
    struct mz_msg *m = msg_of(msg);
    if (m == NULL)
        return -1;
    size_t size = mz_msg_size(m);
    if (mz_socket_send(s, m, flags) < 0)
        return -1;
    return clip_size(size);
}

int zmq_msg_send(zmq_msg_t *msg, void *socket, int flags)
{
    struct mz_socket *s = mz_socket_call_begin(socket);
    return s ? mz_socket_call_end(s, msg_send(s, msg, flags)) : -1;
}

static int msg_recv(struct mz_socket *s, zmq_msg_t *msg, int flags)
{
    struct mz_msg *m = msg_of(msg);
    if (m == NULL)
        return -1;
    /* The socket writes a fresh message over it. */
    mz_msg_close(m);
    mz_msg_init(m);
    if (mz_socket_recv(s, m, flags) < 0)
        return -1;
    return clip_size(mz_msg_size(m));
}

int zmq_msg_recv(zmq_msg_t *msg, void *socket, int flags)
{
    struct mz_socket *s = mz_socket_call_begin(socket);
    return s ? mz_socket_call_end(s, msg_recv(s, msg, flags)) : -1;
}

int zmq_sendmsg(void *socket, zmq_msg_t *msg, int flags)
{
    return zmq_msg_send(msg, socket, flags);
}

int zmq_recvmsg(void *socket, zmq_msg_t *msg, int flags)
{
    return zmq_msg_recv(msg, socket, flags);
}

static int send_built(struct mz_socket *s, struct mz_msg *m, size_t size,
                      int flags)
{
    if (mz_socket_send(s, m, flags) < 0) {
        int saved = errno;
        mz_msg_close(m);
        errno = saved;
        return -1;
    }
    return clip_size(size);
}

/* zmq_send and zmq_send_const, once the socket is entered. */
static int send_buffer(struct mz_socket *s, const void *buf, size_t len,
                       int flags, bool constant)
{
    if (buf == NULL && len > 0) {
        errno = EFAULT;
        return -1;
    }
    struct mz_msg m;
    if (constant)
        mz_msg_init_data(&m, (void *) buf, len, NULL, NULL);
    else if (mz_msg_init_buffer(&m, buf, len) < 0)
        return -1;
    return send_built(s, &m, len, flags);
}

int zmq_send(void *socket, const void *buf, size_t len, int flags)
{
    struct mz_socket *s = mz_socket_call_begin(socket);
    return s ? mz_socket_call_end(s, send_buffer(s, buf, len, flags, false)) : -1;
}

int zmq_send_const(void *socket, const void *buf, size_t len, int flags)
{
    struct mz_socket *s = mz_socket_call_begin(socket);
    return s ? mz_socket_call_end(s, send_buffer(s, buf, len, flags, true)) : -1;
}

static int recv_buffer(struct mz_socket *s, void *buf, size_t len, int flags)
{
    if (buf == NULL && len > 0) {
        errno = EFAULT;
        return -1;
    }
    struct mz_msg m;
    mz_msg_init(&m);
    if (mz_socket_recv(s, &m, flags) < 0)
        return -1;
    size_t size = mz_msg_size(&m);
    size_t copied = size < len ? size : len;
    if (copied > 0)
        memcpy(buf, mz_msg_data(&m), copied);
    mz_msg_close(&m);
    return clip_size(size);
}

int zmq_recv(void *socket, void *buf, size_t len, int flags)
{
    struct mz_socket *s = mz_socket_call_begin(socket);
    return s ? mz_socket_call_end(s, recv_buffer(s, buf, len, flags)) : -1;
}

static int send_iov(struct mz_socket *s, struct iovec *iov, size_t count,
                    int flags)
{
    if (iov == NULL || count == 0) {
        errno = EINVAL;
        return -1;
    }
    int rc = 0;
    for (size_t i = 0; i < count; i++) {
        struct mz_msg m;
        if (mz_msg_init_buffer(&m, iov[i].iov_base, iov[i].iov_len) < 0)
            return -1;
        int part_flags = i + 1 == count ? flags & ~ZMQ_SNDMORE : flags;
        rc = send_built(s, &m, iov[i].iov_len, part_flags);
        if (rc < 0)
            return -1;
    }
    return rc;
}

int zmq_sendiov(void *socket, struct iovec *iov, size_t count, int flags)
{
    struct mz_socket *s = mz_socket_call_begin(socket);
    return s ? mz_socket_call_end(s, send_iov(s, iov, count, flags)) : -1;
}

/* Receives up to *count parts into buffers allocated with malloc (the
 * caller frees them); *count becomes the number received. */
static int recv_iov(struct mz_socket *s, struct iovec *iov, size_t *count,
                    int flags)
{
    if (iov == NULL || count == NULL || *count == 0) {
        errno = EINVAL;
        return -1;
    }
    size_t capacity = *count;
    bool more = true;
    *count = 0;
    for (size_t i = 0; more && i < capacity; i++) {
        struct mz_msg m;
        mz_msg_init(&m);
        if (mz_socket_recv(s, &m, flags) < 0)
            return -1;
        size_t size = mz_msg_size(&m);
        iov[i].iov_base = malloc(size > 0 ? size : 1);
        if (iov[i].iov_base == NULL) {
            mz_msg_close(&m);
            errno = ENOMEM;
            return -1;
        }
        memcpy(iov[i].iov_base, mz_msg_data(&m), size);
        iov[i].iov_len = size;
        more = mz_msg_has_more(&m);
        mz_msg_close(&m);
        (*count)++;
    }
    return (int) *count;
}

int zmq_recviov(void *socket, struct iovec *iov, size_t *count, int flags)
{
    struct mz_socket *s = mz_socket_call_begin(socket);
    return s ? mz_socket_call_end(s, recv_iov(s, iov, count, flags)) : -1;
}

/* ---- Messages ---------------------------------------------------------- */

int zmq_msg_init(zmq_msg_t *msg)
{
    mz_msg_init(mz_msg_of(msg));
    return 0;
}

int zmq_msg_init_size(zmq_msg_t *msg, size_t size)
{
    return mz_msg_init_size(mz_msg_of(msg), size);
}

int zmq_msg_init_buffer(zmq_msg_t *msg, const void *buf, size_t size)
{
    if (buf == NULL && size > 0) {
        errno = EFAULT;
        return -1;
    }
    return mz_msg_init_buffer(mz_msg_of(msg), buf, size);
}

int zmq_msg_init_data(zmq_msg_t *msg, void *data, size_t size, zmq_free_fn *ffn,
                      void *hint)
{
    if (data == NULL && size > 0) {
        errno = EFAULT;
        return -1;
    }
    return mz_msg_init_data(mz_msg_of(msg), data, size, ffn, hint);
}

int zmq_msg_close(zmq_msg_t *msg)
{
    struct mz_msg *m = msg_of(msg);
    if (m == NULL)
        return -1;
    mz_msg_close(m);
    return 0;
}

int zmq_msg_move(zmq_msg_t *dest, zmq_msg_t *src)
{
    struct mz_msg *d = msg_of(dest);
    struct mz_msg *m = msg_of(src);
    if (d == NULL || m == NULL)
        return -1;
    mz_msg_move(d, m);
    return 0;
}

int zmq_msg_copy(zmq_msg_t *dest, zmq_msg_t *src)
{
    struct mz_msg *d = msg_of(dest);
    struct mz_msg *m = msg_of(src);
    if (d == NULL || m == NULL)
        return -1;
    mz_msg_copy(d, m);
    return 0;
}

void *zmq_msg_data(zmq_msg_t *msg)
{
    struct mz_msg *m = msg_of(msg);
    return m ? mz_msg_data(m) : NULL;
}

size_t zmq_msg_size(const zmq_msg_t *msg)
{
    const struct mz_msg *m = mz_msg_of_const(msg);
    return mz_msg_is_valid(m) ? mz_msg_size(m) : 0;
}

int zmq_msg_more(const zmq_msg_t *msg)
{
    const struct mz_msg *m = mz_msg_of_const(msg);
    return mz_msg_is_valid(m) && mz_msg_has_more(m) ? 1 : 0;
}

int zmq_msg_get(const zmq_msg_t *msg, int property)
{
    const struct mz_msg *m = mz_msg_of_const(msg);
    if (!mz_msg_is_valid(m)) {
        errno = EFAULT;
        return -1;
    }
    switch (property) {
    case ZMQ_MORE:
        return mz_msg_has_more(m) ? 1 : 0;
    case ZMQ_SRCFD: {
        /* The fd of the connection the message came in on; none for a
         * message made here or carried by inproc (EINVAL, as libzmq). */
        const struct mz_peer_metadata *metadata = mz_msg_metadata(m);
        int fd = metadata != NULL ? mz_peer_metadata_fd(metadata) : -1;
        if (fd < 0)
            errno = EINVAL;
        return fd;
    }
    case ZMQ_SHARED:
        return mz_msg_is_shared(m) ? 1 : 0;
    default:
        errno = EINVAL;
        return -1;
    }
}

int zmq_msg_set(zmq_msg_t *msg, int property, int value)
{
    (void) msg;
    (void) property;
    (void) value;
    /* libzmq 4.3 has no settable message property. */
    errno = EINVAL;
    return -1;
}

const char *zmq_msg_gets(const zmq_msg_t *msg, const char *property)
{
    const struct mz_msg *m = mz_msg_of_const(msg);
    if (!mz_msg_is_valid(m) || property == NULL) {
        errno = EINVAL;
        return NULL;
    }
    /* Properties describe the connection a message came in on; inproc
     * messages have none. */
    const struct mz_peer_metadata *metadata = mz_msg_metadata(m);
    const char *value = NULL;
    if (metadata != NULL) {
        value = mz_peer_metadata_get(metadata, property, NULL);
        /* The wire calls it Identity; the API's name is Routing-Id, and
         * libzmq answers either. */
        if (value == NULL && strcasecmp(property, "Routing-Id") == 0)
            value = mz_peer_metadata_get(metadata, "Identity", NULL);
    }
    if (value == NULL)
        errno = EINVAL;
    return value;
}

int zmq_msg_set_routing_id(zmq_msg_t *msg, uint32_t routing_id)
{
    struct mz_msg *m = msg_of(msg);
    if (m == NULL)
        return -1;
    if (routing_id == 0) {
        errno = EINVAL;
        return -1;
    }
    m->routing_id = routing_id;
    return 0;
}

uint32_t zmq_msg_routing_id(zmq_msg_t *msg)
{
    struct mz_msg *m = msg_of(msg);
    return m ? m->routing_id : 0;
}

int zmq_msg_set_group(zmq_msg_t *msg, const char *group)
{
    struct mz_msg *m = msg_of(msg);
    if (m == NULL)
        return -1;
    if (group == NULL) {
        errno = EINVAL;
        return -1;
    }
    return mz_msg_set_group(m, group);
}

const char *zmq_msg_group(zmq_msg_t *msg)
{
    struct mz_msg *m = msg_of(msg);
    return m ? mz_msg_group(m) : NULL;
}
