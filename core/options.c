/*
 * The generic socket-option store (see options.h).
 *
 * One table row per option says where the value lives in struct mz_options,
 * what kind of value it is, which values are accepted and what the default
 * is; one small pair of functions per kind does the size checks, range
 * checks and copying. The few options with rules of their own (the security
 * options that switch the mechanism, routing ids, lists that grow with each
 * call, IPv4-only as the inverse of IPv6) name their own set or get
 * function in their row. Adding an option is adding a row.
 *
 * Sizes follow libzmq: a number is read and written only with exactly its
 * own size; strings come back with their terminating NUL and need a buffer
 * large enough for it; binary values need a buffer at least as large as the
 * value. Every refusal is EINVAL (ENOMEM when a copy cannot be allocated),
 * and a refused call changes nothing.
 */
#ifndef ZMQ_BUILD_DRAFT_API
#define ZMQ_BUILD_DRAFT_API
#endif

#include "options.h"

#include "zmq.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* The table                                                            */
/* ------------------------------------------------------------------ */

enum mz_option_kind {
    MZ_KIND_INT,        /* int; accepted values [min, max] */
    MZ_KIND_BOOL,       /* bool; an int in [min, max] is accepted, non-zero
                          means true; read back as 0 or 1 */
    MZ_KIND_INT64,      /* int64_t; accepted values [min, max] */
    MZ_KIND_UINT64,     /* uint64_t; every value accepted */
    MZ_KIND_STRING,     /* char *, NUL-terminated, at most max bytes long */
    MZ_KIND_BLOB,       /* struct mz_blob, any bytes */
    MZ_KIND_CURVE_KEY,  /* uint8_t[32]; set and read as 32 bytes or Z85 */
    MZ_KIND_ROUTING_ID, /* uint8_t[255] at offset, its size_t at aux_offset */
    MZ_KIND_SPECIAL     /* no field of its own: only its set/get functions */
};

enum mz_option_flag {
    MZ_FLAG_READ_ONLY = 1,  /* zmq_setsockopt refuses it */
    MZ_FLAG_KEEP_EMPTY = 2, /* strings: "" is a value, only NULL unsets */
    MZ_FLAG_NOT_ZERO = 4,   /* numbers: 0 is refused even inside the range */
    MZ_FLAG_WRITE_ONLY = 8, /* zmq_getsockopt refuses it */
    MZ_FLAG_NOT_EMPTY = 16  /* strings: "" is refused, only NULL unsets */
};

struct mz_option_row;

typedef int(mz_option_setter)(struct mz_options *o,
                              const struct mz_option_row *row,
                              const void *value, size_t size);
typedef int(mz_option_getter)(const struct mz_options *o,
                              const struct mz_option_row *row, void *value,
                              size_t *size);

struct mz_option_row {
    int id;
    enum mz_option_kind kind;
    size_t offset;         /* the field in struct mz_options */
    size_t aux_offset;     /* routing ids: the field holding their size */
    int64_t min, max;      /* numbers: accepted range; strings: max = length */
    int64_t initial;       /* numbers: the default */
    unsigned flags;        /* enum mz_option_flag */
    uint32_t socket_types; /* bit (1 << type) per socket type that takes the
                              option; 0 = every type */
    mz_option_setter *set; /* NULL: the kind's setter */
    mz_option_getter *get; /* NULL: the kind's getter (SPECIAL: write-only) */
    /* Called after the kind's setter stored a value, for options that
     * change the security mechanism. */
    void (*after_set)(struct mz_options *o, const struct mz_option_row *row,
                      bool now_set);
};

/* Setters and getters of the special cases, defined further down. */
static mz_option_setter set_ipv4only, set_heartbeat_ttl, set_plain_server,
    set_curve_server, set_gssapi_server, set_tcp_accept_filter,
    set_ipc_filter_uid, set_ipc_filter_gid, set_ipc_filter_pid, set_metadata,
    set_router_notify;
static mz_option_getter get_ipv4only, get_heartbeat_timeout, get_plain_server,
    get_curve_server, get_gssapi_server;
static void after_plain_credential(struct mz_options *o,
                                   const struct mz_option_row *row,
                                   bool now_set);
static void after_curve_key(struct mz_options *o,
                            const struct mz_option_row *row, bool now_set);
static void after_gssapi_principal(struct mz_options *o,
                                   const struct mz_option_row *row,
                                   bool now_set);

#define FIELD(f) offsetof(struct mz_options, f)

/* Row builders, one per kind. */
#define INT_ROW(id, f, lo, hi, dflt)                                           \
    {                                                                          \
        (id), MZ_KIND_INT, FIELD(f), 0, (lo), (hi), (dflt), 0, 0, NULL, NULL,  \
            NULL                                                               \
    }
#define NONZERO_INT_ROW(id, f, lo, hi, dflt)                                   \
    {                                                                          \
        (id), MZ_KIND_INT, FIELD(f), 0, (lo), (hi), (dflt), MZ_FLAG_NOT_ZERO,  \
            0, NULL, NULL, NULL                                                \
    }
#define BOOL_ROW(id, f, lo, hi, dflt)                                          \
    {                                                                          \
        (id), MZ_KIND_BOOL, FIELD(f), 0, (lo), (hi), (dflt), 0, 0, NULL, NULL, \
            NULL                                                               \
    }
#define INT64_ROW(id, f, lo, hi, dflt)                                         \
    {                                                                          \
        (id), MZ_KIND_INT64, FIELD(f), 0, (lo), (hi), (dflt), 0, 0, NULL,      \
            NULL, NULL                                                         \
    }
#define UINT64_ROW(id, f, dflt)                                                \
    {                                                                          \
        (id), MZ_KIND_UINT64, FIELD(f), 0, 0, 0, (dflt), 0, 0, NULL, NULL,     \
            NULL                                                               \
    }
#define STRING_ROW(id, f, maxlen, flags, after)                                \
    {                                                                          \
        (id), MZ_KIND_STRING, FIELD(f), 0, 0, (maxlen), 0, (flags), 0, NULL,   \
            NULL, (after)                                                      \
    }
#define BLOB_ROW(id, f)                                                        \
    {                                                                          \
        (id), MZ_KIND_BLOB, FIELD(f), 0, 0, 0, 0, 0, 0, NULL, NULL, NULL       \
    }
#define KEY_ROW(id, f)                                                         \
    {                                                                          \
        (id), MZ_KIND_CURVE_KEY, FIELD(f), 0, 0, 0, 0, 0, 0, NULL, NULL,       \
            after_curve_key                                                    \
    }
#define ROUTING_ID_ROW(id, f, types)                                           \
    {                                                                          \
        (id), MZ_KIND_ROUTING_ID, FIELD(f), FIELD(f##_size), 0, 0, 0, 0,       \
            (types), NULL, NULL, NULL                                          \
    }
#define SPECIAL_ROW(id, setter, getter)                                        \
    {                                                                          \
        (id), MZ_KIND_SPECIAL, 0, 0, 0, 0, 0, 0, 0, (setter), (getter), NULL   \
    }

/* Longest strings accepted: 255 where the wire or the SOCKS protocol
 * carries a one-byte length; an interface name must fit IFNAMSIZ (16) with
 * its NUL; a TCP accept filter is shorter than 255. */
#define MZ_SHORT_STRING 255
#define MZ_NO_LIMIT INT64_MAX
#define MZ_DEVICE_NAME_MAX 15

/* Socket types that take an option libzmq restricts to them. */
#define MZ_TYPE_BIT(type) (UINT32_C(1) << (type))
#define MZ_ALL_TYPES 0
#define MZ_PROBE_ROUTER_TYPES                                                  \
    (MZ_TYPE_BIT(ZMQ_REQ) | MZ_TYPE_BIT(ZMQ_REP) | MZ_TYPE_BIT(ZMQ_DEALER) |   \
     MZ_TYPE_BIT(ZMQ_ROUTER))
#define MZ_CONNECT_ROUTING_ID_TYPES                                            \
    (MZ_TYPE_BIT(ZMQ_REP) | MZ_TYPE_BIT(ZMQ_ROUTER) |                          \
     MZ_TYPE_BIT(ZMQ_STREAM) | MZ_TYPE_BIT(ZMQ_PEER))
/* The peer messages, as zmq_setsockopt(3) lists their socket types: the
 * types that greet each new peer, those told of an accepted peer's
 * departure, and those told their connection was interrupted. libzmq
 * 4.3.5 stores them for every type but acts only for these; elsewhere
 * they are refused rather than kept for nothing. */
#define MZ_HELLO_MSG_TYPES                                                     \
    (MZ_TYPE_BIT(ZMQ_ROUTER) | MZ_TYPE_BIT(ZMQ_DEALER) |                       \
     MZ_TYPE_BIT(ZMQ_CLIENT) | MZ_TYPE_BIT(ZMQ_SERVER) |                       \
     MZ_TYPE_BIT(ZMQ_PEER))
#define MZ_DISCONNECT_MSG_TYPES                                                \
    (MZ_TYPE_BIT(ZMQ_ROUTER) | MZ_TYPE_BIT(ZMQ_SERVER) | MZ_TYPE_BIT(ZMQ_PEER))
#define MZ_HICCUP_MSG_TYPES                                                    \
    (MZ_TYPE_BIT(ZMQ_DEALER) | MZ_TYPE_BIT(ZMQ_CLIENT) | MZ_TYPE_BIT(ZMQ_PEER))

/* ZMQ_HEARTBEAT_TTL travels in deciseconds in a 16-bit field. */
#define MZ_HEARTBEAT_TTL_MAX 6553599

#define MZ_RECONNECT_STOP_ALL                                                  \
    (ZMQ_RECONNECT_STOP_CONN_REFUSED | ZMQ_RECONNECT_STOP_HANDSHAKE_FAILED |   \
     ZMQ_RECONNECT_STOP_AFTER_DISCONNECT)

static const struct mz_option_row mz_option_table[] = {
    /* queues, blocking and message size */
    INT_ROW(ZMQ_SNDHWM, sndhwm, 0, INT_MAX, 1000),
    INT_ROW(ZMQ_RCVHWM, rcvhwm, 0, INT_MAX, 1000),
    INT_ROW(ZMQ_LINGER, linger, -1, INT_MAX, -1),
    INT_ROW(ZMQ_SNDTIMEO, sndtimeo, -1, INT_MAX, -1),
    INT_ROW(ZMQ_RCVTIMEO, rcvtimeo, -1, INT_MAX, -1),
    INT64_ROW(ZMQ_MAXMSGSIZE, maxmsgsize, -1, INT64_MAX, -1),
    BOOL_ROW(ZMQ_CONFLATE, conflate, 0, 1, 0),
    BOOL_ROW(ZMQ_IMMEDIATE, immediate, 0, 1, 0),
    INT_ROW(ZMQ_IN_BATCH_SIZE, in_batch_size, 1, INT_MAX, 8192),
    INT_ROW(ZMQ_OUT_BATCH_SIZE, out_batch_size, 1, INT_MAX, 8192),

    /* connection management */
    INT_ROW(ZMQ_RECONNECT_IVL, reconnect_ivl, -1, INT_MAX, 100),
    INT_ROW(ZMQ_RECONNECT_IVL_MAX, reconnect_ivl_max, 0, INT_MAX, 0),
    INT_ROW(ZMQ_RECONNECT_STOP, reconnect_stop, 0, MZ_RECONNECT_STOP_ALL, 0),
    INT_ROW(ZMQ_BACKLOG, backlog, 0, INT_MAX, 100),
    INT_ROW(ZMQ_CONNECT_TIMEOUT, connect_timeout, 0, INT_MAX, 0),
    INT_ROW(ZMQ_HANDSHAKE_IVL, handshake_ivl, 0, INT_MAX, 30000),
    INT_ROW(ZMQ_HEARTBEAT_IVL, heartbeat_ivl, 0, INT_MAX, 0),
    { ZMQ_HEARTBEAT_TTL, MZ_KIND_INT, FIELD(heartbeat_ttl), 0, 0,
      MZ_HEARTBEAT_TTL_MAX, 0, 0, 0, set_heartbeat_ttl, NULL, NULL },
    { ZMQ_HEARTBEAT_TIMEOUT, MZ_KIND_INT, FIELD(heartbeat_timeout), 0, 0,
      INT_MAX, -1, 0, 0, NULL, get_heartbeat_timeout, NULL },
    UINT64_ROW(ZMQ_AFFINITY, affinity, 0),
    INT_ROW(ZMQ_USE_FD, use_fd, -1, INT_MAX, -1),

    /* routing */
    ROUTING_ID_ROW(ZMQ_ROUTING_ID, routing_id, MZ_ALL_TYPES),
    ROUTING_ID_ROW(ZMQ_CONNECT_ROUTING_ID, connect_routing_id,
                   MZ_CONNECT_ROUTING_ID_TYPES),
    { ZMQ_PROBE_ROUTER, MZ_KIND_BOOL, FIELD(probe_router), 0, 0, INT_MAX, 0,
      MZ_FLAG_WRITE_ONLY, MZ_PROBE_ROUTER_TYPES, NULL, NULL, NULL },
    BOOL_ROW(ZMQ_INVERT_MATCHING, invert_matching, INT_MIN, INT_MAX, 0),
    /* Set on a ROUTER only, read on any type (0 elsewhere), as in libzmq. */
    { ZMQ_ROUTER_NOTIFY, MZ_KIND_INT, FIELD(router_notify), 0, 0,
      ZMQ_NOTIFY_CONNECT | ZMQ_NOTIFY_DISCONNECT, 0, 0, 0, set_router_notify,
      NULL, NULL },
    /* Write-only, as in libzmq. */
    { ZMQ_HELLO_MSG, MZ_KIND_BLOB, FIELD(hello_msg), 0, 0, 0, 0,
      MZ_FLAG_WRITE_ONLY, MZ_HELLO_MSG_TYPES, NULL, NULL, NULL },
    { ZMQ_DISCONNECT_MSG, MZ_KIND_BLOB, FIELD(disconnect_msg), 0, 0, 0, 0,
      MZ_FLAG_WRITE_ONLY, MZ_DISCONNECT_MSG_TYPES, NULL, NULL, NULL },
    { ZMQ_HICCUP_MSG, MZ_KIND_BLOB, FIELD(hiccup_msg), 0, 0, 0, 0,
      MZ_FLAG_WRITE_ONLY, MZ_HICCUP_MSG_TYPES, NULL, NULL, NULL },

    /* network */
    BOOL_ROW(ZMQ_IPV6, ipv6, 0, 1, 0),
    SPECIAL_ROW(ZMQ_IPV4ONLY, set_ipv4only, get_ipv4only),
    INT_ROW(ZMQ_SNDBUF, sndbuf, -1, INT_MAX, -1),
    INT_ROW(ZMQ_RCVBUF, rcvbuf, -1, INT_MAX, -1),
    INT_ROW(ZMQ_TOS, tos, 0, INT_MAX, 0),
    INT_ROW(ZMQ_PRIORITY, priority, 0, INT_MAX, 0),
    STRING_ROW(ZMQ_BINDTODEVICE, bindtodevice, MZ_DEVICE_NAME_MAX, 0, NULL),
    INT_ROW(ZMQ_TCP_KEEPALIVE, tcp_keepalive, -1, 1, -1),
    /* -1 (leave the OS default) or a positive count */
    NONZERO_INT_ROW(ZMQ_TCP_KEEPALIVE_CNT, tcp_keepalive_cnt, -1, INT_MAX, -1),
    NONZERO_INT_ROW(ZMQ_TCP_KEEPALIVE_IDLE, tcp_keepalive_idle, -1, INT_MAX,
                    -1),
    NONZERO_INT_ROW(ZMQ_TCP_KEEPALIVE_INTVL, tcp_keepalive_intvl, -1, INT_MAX,
                    -1),
    INT_ROW(ZMQ_TCP_MAXRT, tcp_maxrt, 0, INT_MAX, 0),
    BOOL_ROW(ZMQ_LOOPBACK_FASTPATH, loopback_fastpath, INT_MIN, INT_MAX, 0),
    /* SO_BUSY_POLL's microseconds when positive; write-only as in libzmq. */
    { ZMQ_BUSY_POLL, MZ_KIND_INT, FIELD(busy_poll), 0, INT_MIN, INT_MAX, 0,
      MZ_FLAG_WRITE_ONLY, 0, NULL, NULL, NULL },
    SPECIAL_ROW(ZMQ_TCP_ACCEPT_FILTER, set_tcp_accept_filter, NULL),
    SPECIAL_ROW(ZMQ_IPC_FILTER_UID, set_ipc_filter_uid, NULL),
    SPECIAL_ROW(ZMQ_IPC_FILTER_GID, set_ipc_filter_gid, NULL),
    SPECIAL_ROW(ZMQ_IPC_FILTER_PID, set_ipc_filter_pid, NULL),
    STRING_ROW(ZMQ_SOCKS_PROXY, socks_proxy, MZ_NO_LIMIT, MZ_FLAG_NOT_EMPTY,
               NULL),
    STRING_ROW(ZMQ_SOCKS_USERNAME, socks_username, MZ_SHORT_STRING, 0, NULL),
    STRING_ROW(ZMQ_SOCKS_PASSWORD, socks_password, MZ_SHORT_STRING, 0, NULL),

    /* multicast */
    INT_ROW(ZMQ_RATE, rate, 1, INT_MAX, 100),
    INT_ROW(ZMQ_RECOVERY_IVL, recovery_ivl, 0, INT_MAX, 10000),
    INT_ROW(ZMQ_MULTICAST_HOPS, multicast_hops, 1, INT_MAX, 1),
    INT_ROW(ZMQ_MULTICAST_MAXTPDU, multicast_maxtpdu, 1, INT_MAX, 1500),
    BOOL_ROW(ZMQ_MULTICAST_LOOP, multicast_loop, INT_MIN, INT_MAX, 1),

    /* VMCI, for the vmci plugin. As in libzmq, 0 (and a timeout below 1)
     * leaves the kernel's value, which is what the pages' defaults
     * describe. */
    UINT64_ROW(ZMQ_VMCI_BUFFER_SIZE, vmci_buffer_size, 0),
    UINT64_ROW(ZMQ_VMCI_BUFFER_MIN_SIZE, vmci_buffer_min_size, 0),
    UINT64_ROW(ZMQ_VMCI_BUFFER_MAX_SIZE, vmci_buffer_max_size, 0),
    INT_ROW(ZMQ_VMCI_CONNECT_TIMEOUT, vmci_connect_timeout, INT_MIN, INT_MAX,
            -1),

    /* NORM, for the norm plugin, with the ranges and defaults of
     * zmq_setsockopt(3), where they are draft. The socket refuses them
     * when no plugin serves norm, as libzmq built without norm does
     * (mz_transport_option_check). */
    INT_ROW(ZMQ_NORM_MODE, norm_mode, ZMQ_NORM_FIXED, ZMQ_NORM_CCE_ECNONLY,
            ZMQ_NORM_CC),
    BOOL_ROW(ZMQ_NORM_UNICAST_NACK, norm_unicast_nack, 0, 1, 0),
    INT_ROW(ZMQ_NORM_BUFFER_SIZE, norm_buffer_size, 1, INT_MAX / 1024, 2048),
    INT_ROW(ZMQ_NORM_SEGMENT_SIZE, norm_segment_size, 1, 65535, 1400),
    INT_ROW(ZMQ_NORM_BLOCK_SIZE, norm_block_size, 1, 255, 16),
    INT_ROW(ZMQ_NORM_NUM_PARITY, norm_num_parity, 1, 254, 4),
    INT_ROW(ZMQ_NORM_NUM_AUTOPARITY, norm_num_autoparity, 0, 254, 0),
    BOOL_ROW(ZMQ_NORM_PUSH, norm_push, 0, 1, 0),

    /* security */
    { ZMQ_MECHANISM, MZ_KIND_INT, FIELD(mechanism), 0, 0, 0, ZMQ_NULL,
      MZ_FLAG_READ_ONLY, 0, NULL, NULL, NULL },
    STRING_ROW(ZMQ_ZAP_DOMAIN, zap_domain, MZ_SHORT_STRING, 0, NULL),
    BOOL_ROW(ZMQ_ZAP_ENFORCE_DOMAIN, zap_enforce_domain, INT_MIN, INT_MAX, 0),
    SPECIAL_ROW(ZMQ_PLAIN_SERVER, set_plain_server, get_plain_server),
    STRING_ROW(ZMQ_PLAIN_USERNAME, plain_username, MZ_SHORT_STRING,
               MZ_FLAG_KEEP_EMPTY, after_plain_credential),
    STRING_ROW(ZMQ_PLAIN_PASSWORD, plain_password, MZ_SHORT_STRING,
               MZ_FLAG_KEEP_EMPTY, after_plain_credential),
    SPECIAL_ROW(ZMQ_CURVE_SERVER, set_curve_server, get_curve_server),
    KEY_ROW(ZMQ_CURVE_PUBLICKEY, curve_public_key),
    KEY_ROW(ZMQ_CURVE_SECRETKEY, curve_secret_key),
    KEY_ROW(ZMQ_CURVE_SERVERKEY, curve_server_key),
    SPECIAL_ROW(ZMQ_GSSAPI_SERVER, set_gssapi_server, get_gssapi_server),
    STRING_ROW(ZMQ_GSSAPI_PRINCIPAL, gssapi_principal, MZ_SHORT_STRING, 0,
               after_gssapi_principal),
    STRING_ROW(ZMQ_GSSAPI_SERVICE_PRINCIPAL, gssapi_service_principal,
               MZ_SHORT_STRING, 0, after_gssapi_principal),
    INT_ROW(ZMQ_GSSAPI_PRINCIPAL_NAMETYPE, gssapi_principal_nametype,
            ZMQ_GSSAPI_NT_HOSTBASED, ZMQ_GSSAPI_NT_KRB5_PRINCIPAL,
            ZMQ_GSSAPI_NT_HOSTBASED),
    INT_ROW(ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE,
            gssapi_service_principal_nametype, ZMQ_GSSAPI_NT_HOSTBASED,
            ZMQ_GSSAPI_NT_KRB5_PRINCIPAL, ZMQ_GSSAPI_NT_HOSTBASED),
    BOOL_ROW(ZMQ_GSSAPI_PLAINTEXT, gssapi_plaintext, 0, 1, 0),
    SPECIAL_ROW(ZMQ_METADATA, set_metadata, NULL),

    /* wss, for the ws plugin. libzmq 4.3 takes them only with the draft
     * API, keeps the bytes as given and answers no zmq_getsockopt for
     * them; ZMQ_WSS_TRUST_SYSTEM takes 0 or 1 alone. */
    { ZMQ_WSS_KEY_PEM, MZ_KIND_BLOB, FIELD(wss_key_pem), 0, 0, 0, 0,
      MZ_FLAG_WRITE_ONLY, 0, NULL, NULL, NULL },
    { ZMQ_WSS_CERT_PEM, MZ_KIND_BLOB, FIELD(wss_cert_pem), 0, 0, 0, 0,
      MZ_FLAG_WRITE_ONLY, 0, NULL, NULL, NULL },
    { ZMQ_WSS_TRUST_PEM, MZ_KIND_BLOB, FIELD(wss_trust_pem), 0, 0, 0, 0,
      MZ_FLAG_WRITE_ONLY, 0, NULL, NULL, NULL },
    STRING_ROW(ZMQ_WSS_HOSTNAME, wss_hostname, MZ_SHORT_STRING,
               MZ_FLAG_WRITE_ONLY, NULL),
    { ZMQ_WSS_TRUST_SYSTEM, MZ_KIND_BOOL, FIELD(wss_trust_system), 0, 0, 1, 0,
      MZ_FLAG_WRITE_ONLY, 0, NULL, NULL, NULL },
};

#define MZ_OPTION_COUNT (sizeof mz_option_table / sizeof mz_option_table[0])

static const struct mz_option_row *find_row(int option)
{
    for (size_t i = 0; i < MZ_OPTION_COUNT; i++)
        if (mz_option_table[i].id == option)
            return &mz_option_table[i];
    return NULL;
}

/* The row of option when a socket of socket_type takes it, else NULL. */
static const struct mz_option_row *find_row_for(int option, int socket_type)
{
    const struct mz_option_row *row = find_row(option);
    if (row == NULL || row->socket_types == 0)
        return row;
    if (socket_type < 0 || socket_type > 31 ||
        !(row->socket_types & MZ_TYPE_BIT(socket_type)))
        return NULL;
    return row;
}

/* Typed views of a row's field. */
#define AT(o, off, type) ((type *) ((char *) (o) + (off)))
#define AT_CONST(o, off, type) ((const type *) ((const char *) (o) + (off)))

static int invalid(void)
{
    errno = EINVAL;
    return -1;
}

static int out_of_memory(void)
{
    errno = ENOMEM;
    return -1;
}

/* ------------------------------------------------------------------ */
/* Reading the caller's value                                          */
/* ------------------------------------------------------------------ */

static int read_int(const void *value, size_t size, int *out)
{
    if (value == NULL || size != sizeof(int))
        return invalid();
    memcpy(out, value, sizeof(int));
    return 0;
}

/* An int option value within [row->min, row->max]. */
static int read_int_in_range(const struct mz_option_row *row, const void *value,
                             size_t size, int *out)
{
    if (read_int(value, size, out) != 0)
        return -1;
    if (*out < row->min || *out > row->max)
        return invalid();
    return 0;
}

/* A C string handed over as bytes: NULL means "unset" (*text = NULL). The
 * bytes may end in one NUL, which is not part of the text, and must not
 * hold another one. Returns the text length in *length. */
static int read_text(const void *value, size_t size, const char **text,
                     size_t *length)
{
    if (value == NULL) {
        if (size != 0)
            return invalid();
        *text = NULL;
        *length = 0;
        return 0;
    }
    const char *bytes = value;
    if (size > 0 && bytes[size - 1] == '\0')
        size--;
    if (memchr(bytes, '\0', size) != NULL)
        return invalid();
    *text = bytes;
    *length = size;
    return 0;
}

static char *copy_text(const char *text, size_t length)
{
    char *copy = malloc(length + 1);
    if (copy != NULL) {
        memcpy(copy, text, length);
        copy[length] = '\0';
    }
    return copy;
}

/* ------------------------------------------------------------------ */
/* Writing into the caller's buffer                                    */
/* ------------------------------------------------------------------ */

static int give_exact(void *value, size_t *size, const void *data,
                      size_t length)
{
    if (value == NULL || size == NULL || *size != length)
        return invalid();
    memcpy(value, data, length);
    return 0;
}

static int give_int(void *value, size_t *size, int number)
{
    return give_exact(value, size, &number, sizeof number);
}

/* Binary data into a buffer at least as large; *size becomes its length. */
static int give_bytes(void *value, size_t *size, const void *data,
                      size_t length)
{
    if (size == NULL || (value == NULL && *size != 0) || *size < length)
        return invalid();
    if (length > 0)
        memcpy(value, data, length);
    *size = length;
    return 0;
}

/* A string with its NUL; *size becomes strlen + 1. */
static int give_text(void *value, size_t *size, const char *text)
{
    if (text == NULL)
        text = "";
    size_t length = strlen(text) + 1;
    if (value == NULL || size == NULL || *size < length)
        return invalid();
    memcpy(value, text, length);
    *size = length;
    return 0;
}

/* ------------------------------------------------------------------ */
/* One setter and one getter per kind                                  */
/* ------------------------------------------------------------------ */

static int set_kind_int(struct mz_options *o, const struct mz_option_row *row,
                        const void *value, size_t size)
{
    int number;
    if (read_int_in_range(row, value, size, &number) != 0)
        return -1;
    if (number == 0 && (row->flags & MZ_FLAG_NOT_ZERO))
        return invalid();
    *AT(o, row->offset, int) = number;
    return 0;
}

static int get_kind_int(const struct mz_options *o,
                        const struct mz_option_row *row, void *value,
                        size_t *size)
{
    return give_int(value, size, *AT_CONST(o, row->offset, int));
}

static int set_kind_bool(struct mz_options *o, const struct mz_option_row *row,
                         const void *value, size_t size)
{
    int number;
    if (read_int_in_range(row, value, size, &number) != 0)
        return -1;
    *AT(o, row->offset, bool) = number != 0;
    return 0;
}

static int get_kind_bool(const struct mz_options *o,
                         const struct mz_option_row *row, void *value,
                         size_t *size)
{
    return give_int(value, size, *AT_CONST(o, row->offset, bool) ? 1 : 0);
}

static int set_kind_int64(struct mz_options *o, const struct mz_option_row *row,
                          const void *value, size_t size)
{
    int64_t number;
    if (value == NULL || size != sizeof number)
        return invalid();
    memcpy(&number, value, sizeof number);
    if (number < row->min || number > row->max)
        return invalid();
    *AT(o, row->offset, int64_t) = number;
    return 0;
}

static int get_kind_int64(const struct mz_options *o,
                          const struct mz_option_row *row, void *value,
                          size_t *size)
{
    return give_exact(value, size, AT_CONST(o, row->offset, int64_t),
                      sizeof(int64_t));
}

static int set_kind_uint64(struct mz_options *o,
                           const struct mz_option_row *row, const void *value,
                           size_t size)
{
    if (value == NULL || size != sizeof(uint64_t))
        return invalid();
    memcpy(AT(o, row->offset, uint64_t), value, sizeof(uint64_t));
    return 0;
}

static int get_kind_uint64(const struct mz_options *o,
                           const struct mz_option_row *row, void *value,
                           size_t *size)
{
    return give_exact(value, size, AT_CONST(o, row->offset, uint64_t),
                      sizeof(uint64_t));
}

/* NULL (size 0) unsets the string. An empty string also unsets it unless
 * the row keeps empty strings as values (PLAIN credentials, where an empty
 * password is a password) or refuses them (a SOCKS proxy's address). */
static int set_kind_string(struct mz_options *o,
                           const struct mz_option_row *row, const void *value,
                           size_t size)
{
    const char *text;
    size_t length;
    if (read_text(value, size, &text, &length) != 0)
        return -1;
    if ((uint64_t) length > (uint64_t) row->max)
        return invalid();
    if (text != NULL && length == 0 && (row->flags & MZ_FLAG_NOT_EMPTY))
        return invalid();
    char *copy = NULL;
    if (text != NULL && (length > 0 || (row->flags & MZ_FLAG_KEEP_EMPTY))) {
        copy = copy_text(text, length);
        if (copy == NULL)
            return out_of_memory();
    }
    char **field = AT(o, row->offset, char *);
    free(*field);
    *field = copy;
    return 0;
}

static int get_kind_string(const struct mz_options *o,
                           const struct mz_option_row *row, void *value,
                           size_t *size)
{
    return give_text(value, size, *AT_CONST(o, row->offset, char *));
}

/* Any bytes; size 0 (with or without a pointer) empties the blob. */
static int set_kind_blob(struct mz_options *o, const struct mz_option_row *row,
                         const void *value, size_t size)
{
    if (value == NULL && size != 0)
        return invalid();
    uint8_t *copy = NULL;
    if (size > 0) {
        copy = malloc(size);
        if (copy == NULL)
            return out_of_memory();
        memcpy(copy, value, size);
    }
    struct mz_blob *blob = AT(o, row->offset, struct mz_blob);
    free(blob->data);
    blob->data = copy;
    blob->size = size;
    return 0;
}

static int get_kind_blob(const struct mz_options *o,
                         const struct mz_option_row *row, void *value,
                         size_t *size)
{
    const struct mz_blob *blob = AT_CONST(o, row->offset, struct mz_blob);
    return give_bytes(value, size, blob->data, blob->size);
}

/* 32 binary bytes, or 40 Z85 characters optionally followed by their NUL
 * (41 bytes). */
static int set_kind_curve_key(struct mz_options *o,
                              const struct mz_option_row *row,
                              const void *value, size_t size)
{
    uint8_t key[MZ_CURVE_KEY_SIZE];
    if (value == NULL)
        return invalid();
    if (size == MZ_CURVE_KEY_SIZE) {
        memcpy(key, value, MZ_CURVE_KEY_SIZE);
    } else if (size == 40 || size == 41) {
        const char *chars = value;
        char text[41];
        if (size == 41 && chars[40] != '\0')
            return invalid();
        if (memchr(chars, '\0', 40) != NULL)
            return invalid();
        memcpy(text, chars, 40);
        text[40] = '\0';
        if (zmq_z85_decode(key, text) == NULL)
            return invalid();
    } else {
        return invalid();
    }
    memcpy(AT(o, row->offset, uint8_t), key, MZ_CURVE_KEY_SIZE);
    return 0;
}

/* A 32-byte buffer receives the key, a 41-byte one its Z85 text. */
static int get_kind_curve_key(const struct mz_options *o,
                              const struct mz_option_row *row, void *value,
                              size_t *size)
{
    const uint8_t *key = AT_CONST(o, row->offset, uint8_t);
    if (value == NULL || size == NULL)
        return invalid();
    if (*size == MZ_CURVE_KEY_SIZE) {
        memcpy(value, key, MZ_CURVE_KEY_SIZE);
        return 0;
    }
    if (*size == 41) {
        if (zmq_z85_encode(value, key, MZ_CURVE_KEY_SIZE) == NULL)
            return invalid();
        return 0;
    }
    return invalid();
}

/* 1 to 255 bytes. The manual reserves ids starting with a zero byte for
 * those a ROUTER makes up, yet libzmq 4.3 accepts them, and so do we. */
static int set_kind_routing_id(struct mz_options *o,
                               const struct mz_option_row *row,
                               const void *value, size_t size)
{
    if (value == NULL || size == 0 || size > MZ_ROUTING_ID_MAX)
        return invalid();
    memcpy(AT(o, row->offset, uint8_t), value, size);
    *AT(o, row->aux_offset, size_t) = size;
    return 0;
}

static int get_kind_routing_id(const struct mz_options *o,
                               const struct mz_option_row *row, void *value,
                               size_t *size)
{
    return give_bytes(value, size, AT_CONST(o, row->offset, uint8_t),
                      *AT_CONST(o, row->aux_offset, size_t));
}

static mz_option_setter *const mz_kind_setters[] = {
    [MZ_KIND_INT] = set_kind_int,
    [MZ_KIND_BOOL] = set_kind_bool,
    [MZ_KIND_INT64] = set_kind_int64,
    [MZ_KIND_UINT64] = set_kind_uint64,
    [MZ_KIND_STRING] = set_kind_string,
    [MZ_KIND_BLOB] = set_kind_blob,
    [MZ_KIND_CURVE_KEY] = set_kind_curve_key,
    [MZ_KIND_ROUTING_ID] = set_kind_routing_id,
    [MZ_KIND_SPECIAL] = NULL,
};

static mz_option_getter *const mz_kind_getters[] = {
    [MZ_KIND_INT] = get_kind_int,
    [MZ_KIND_BOOL] = get_kind_bool,
    [MZ_KIND_INT64] = get_kind_int64,
    [MZ_KIND_UINT64] = get_kind_uint64,
    [MZ_KIND_STRING] = get_kind_string,
    [MZ_KIND_BLOB] = get_kind_blob,
    [MZ_KIND_CURVE_KEY] = get_kind_curve_key,
    [MZ_KIND_ROUTING_ID] = get_kind_routing_id,
    [MZ_KIND_SPECIAL] = NULL,
};

/* ------------------------------------------------------------------ */
/* Special cases                                                       */
/* ------------------------------------------------------------------ */

/* ZMQ_ROUTER_NOTIFY is the ROUTER's to set; other types read it as 0. */
static int set_router_notify(struct mz_options *o,
                             const struct mz_option_row *row, const void *value,
                             size_t size)
{
    if (o->socket_type != ZMQ_ROUTER)
        return invalid();
    return set_kind_int(o, row, value, size);
}

/* ZMQ_IPV4ONLY is the negation of ZMQ_IPV6; both accept only 0 and 1. */
static int set_ipv4only(struct mz_options *o, const struct mz_option_row *row,
                        const void *value, size_t size)
{
    (void) row;
    int number;
    if (read_int(value, size, &number) != 0)
        return -1;
    if (number != 0 && number != 1)
        return invalid();
    o->ipv6 = number == 0;
    return 0;
}

static int get_ipv4only(const struct mz_options *o,
                        const struct mz_option_row *row, void *value,
                        size_t *size)
{
    (void) row;
    return give_int(value, size, o->ipv6 ? 0 : 1);
}

/* Stored rounded down to whole deciseconds, which is what the PING
 * command can carry; reading returns the rounded value. */
static int set_heartbeat_ttl(struct mz_options *o,
                             const struct mz_option_row *row, const void *value,
                             size_t size)
{
    int number;
    if (read_int_in_range(row, value, size, &number) != 0)
        return -1;
    o->heartbeat_ttl = number / 100 * 100;
    return 0;
}

/* Unset, the timeout is the heartbeat interval (0 when that is 0 too). */
static int get_heartbeat_timeout(const struct mz_options *o,
                                 const struct mz_option_row *row, void *value,
                                 size_t *size)
{
    (void) row;
    return give_int(value, size, mz_options_heartbeat_timeout(o));
}

/* --- security mechanism ---
 * The mechanism is not set directly; it follows the last security option
 * set, as in libzmq:
 *   PLAIN_SERVER 1          -> PLAIN server    PLAIN_SERVER 0 -> NULL
 *   PLAIN_USERNAME/PASSWORD -> PLAIN client    (NULL value    -> NULL)
 *   CURVE_SERVER 1          -> CURVE server    CURVE_SERVER 0 -> NULL
 *   CURVE_PUBLICKEY/SECRETKEY -> CURVE, role unchanged
 *   CURVE_SERVERKEY         -> CURVE client
 *   GSSAPI_SERVER 0 or 1    -> GSSAPI, client or server
 *   GSSAPI_PRINCIPAL        -> GSSAPI, role unchanged
 *   GSSAPI_SERVICE_PRINCIPAL -> GSSAPI client
 * A "server" option reads back 1 only while its mechanism is in force. */

static void use_mechanism(struct mz_options *o, int mechanism, bool server)
{
    o->mechanism = mechanism;
    o->as_server = server;
}

static int set_role_strict(struct mz_options *o, const void *value, size_t size,
                           int mechanism)
{
    int number;
    if (read_int(value, size, &number) != 0)
        return -1;
    if (number != 0 && number != 1)
        return invalid();
    if (number == 1)
        use_mechanism(o, mechanism, true);
    else
        use_mechanism(o, ZMQ_NULL, false);
    return 0;
}

static int set_plain_server(struct mz_options *o,
                            const struct mz_option_row *row, const void *value,
                            size_t size)
{
    (void) row;
    return set_role_strict(o, value, size, ZMQ_PLAIN);
}

static int set_curve_server(struct mz_options *o,
                            const struct mz_option_row *row, const void *value,
                            size_t size)
{
    (void) row;
    return set_role_strict(o, value, size, ZMQ_CURVE);
}

static int set_gssapi_server(struct mz_options *o,
                             const struct mz_option_row *row, const void *value,
                             size_t size)
{
    (void) row;
    int number;
    if (read_int(value, size, &number) != 0)
        return -1;
    if (number != 0 && number != 1)
        return invalid();
    use_mechanism(o, ZMQ_GSSAPI, number == 1);
    return 0;
}

static int give_role(const struct mz_options *o, void *value, size_t *size,
                     int mechanism)
{
    return give_int(value, size,
                    o->as_server && o->mechanism == mechanism ? 1 : 0);
}

static int get_plain_server(const struct mz_options *o,
                            const struct mz_option_row *row, void *value,
                            size_t *size)
{
    (void) row;
    return give_role(o, value, size, ZMQ_PLAIN);
}

static int get_curve_server(const struct mz_options *o,
                            const struct mz_option_row *row, void *value,
                            size_t *size)
{
    (void) row;
    return give_role(o, value, size, ZMQ_CURVE);
}

static int get_gssapi_server(const struct mz_options *o,
                             const struct mz_option_row *row, void *value,
                             size_t *size)
{
    (void) row;
    return give_role(o, value, size, ZMQ_GSSAPI);
}

static void after_plain_credential(struct mz_options *o,
                                   const struct mz_option_row *row,
                                   bool now_set)
{
    (void) row;
    if (now_set)
        use_mechanism(o, ZMQ_PLAIN, false);
    else
        use_mechanism(o, ZMQ_NULL, false);
}

static void after_curve_key(struct mz_options *o,
                            const struct mz_option_row *row, bool now_set)
{
    (void) now_set;
    if (row->id == ZMQ_CURVE_SERVERKEY)
        use_mechanism(o, ZMQ_CURVE, false);
    else
        use_mechanism(o, ZMQ_CURVE, o->as_server);
}

static void after_gssapi_principal(struct mz_options *o,
                                   const struct mz_option_row *row,
                                   bool now_set)
{
    if (!now_set)
        return;
    if (row->id == ZMQ_GSSAPI_SERVICE_PRINCIPAL)
        use_mechanism(o, ZMQ_GSSAPI, false);
    else
        use_mechanism(o, ZMQ_GSSAPI, o->as_server);
}

/* --- lists that grow by one entry per call; NULL with size 0 clears --- */

/* Whether text is a numeric IPv4 or IPv6 address, optionally followed by
 * "/prefix" with a prefix no longer than the address. */
static bool is_address_mask(const char *text)
{
    char address[INET6_ADDRSTRLEN];
    const char *slash = strchr(text, '/');
    size_t address_length = slash ? (size_t) (slash - text) : strlen(text);
    if (address_length == 0 || address_length >= sizeof address)
        return false;
    memcpy(address, text, address_length);
    address[address_length] = '\0';

    unsigned char binary[sizeof(struct in6_addr)];
    int max_prefix;
    if (inet_pton(AF_INET, address, binary) == 1)
        max_prefix = 32;
    else if (inet_pton(AF_INET6, address, binary) == 1)
        max_prefix = 128;
    else
        return false;

    if (slash == NULL)
        return true;
    const char *digits = slash + 1;
    size_t count = strlen(digits);
    if (count == 0 || count > 3)
        return false;
    int prefix = 0;
    for (size_t i = 0; i < count; i++) {
        if (digits[i] < '0' || digits[i] > '9')
            return false;
        prefix = prefix * 10 + (digits[i] - '0');
    }
    return prefix <= max_prefix;
}

static void free_string_list(struct mz_string_list *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

static int set_tcp_accept_filter(struct mz_options *o,
                                 const struct mz_option_row *row,
                                 const void *value, size_t size)
{
    (void) row;
    const char *text;
    size_t length;
    if (read_text(value, size, &text, &length) != 0)
        return -1;
    if (text == NULL) {
        free_string_list(&o->tcp_accept_filters);
        return 0;
    }
    if (length == 0 || length >= MZ_SHORT_STRING)
        return invalid();
    char *filter = copy_text(text, length);
    if (filter == NULL)
        return out_of_memory();
    if (!is_address_mask(filter)) {
        free(filter);
        return invalid();
    }
    struct mz_string_list *list = &o->tcp_accept_filters;
    char **items = realloc(list->items, (list->count + 1) * sizeof *items);
    if (items == NULL) {
        free(filter);
        return out_of_memory();
    }
    items[list->count] = filter;
    list->items = items;
    list->count++;
    return 0;
}

/* Appends one id of element_size bytes to *array / *count; NULL with size
 * 0 empties the list. */
static int append_id(void **array, size_t *count, size_t element_size,
                     const void *value, size_t size)
{
    if (value == NULL && size == 0) {
        free(*array);
        *array = NULL;
        *count = 0;
        return 0;
    }
    if (value == NULL || size != element_size)
        return invalid();
    char *grown = realloc(*array, (*count + 1) * element_size);
    if (grown == NULL)
        return out_of_memory();
    memcpy(grown + *count * element_size, value, element_size);
    *array = grown;
    (*count)++;
    return 0;
}

static int set_ipc_filter_uid(struct mz_options *o,
                              const struct mz_option_row *row,
                              const void *value, size_t size)
{
    (void) row;
    void *array = o->ipc_filter_uids;
    int rc =
        append_id(&array, &o->ipc_filter_uid_count, sizeof(uid_t), value, size);
    o->ipc_filter_uids = array;
    return rc;
}

static int set_ipc_filter_gid(struct mz_options *o,
                              const struct mz_option_row *row,
                              const void *value, size_t size)
{
    (void) row;
    void *array = o->ipc_filter_gids;
    int rc =
        append_id(&array, &o->ipc_filter_gid_count, sizeof(gid_t), value, size);
    o->ipc_filter_gids = array;
    return rc;
}

static int set_ipc_filter_pid(struct mz_options *o,
                              const struct mz_option_row *row,
                              const void *value, size_t size)
{
    (void) row;
    void *array = o->ipc_filter_pids;
    int rc =
        append_id(&array, &o->ipc_filter_pid_count, sizeof(pid_t), value, size);
    o->ipc_filter_pids = array;
    return rc;
}

static void free_metadata(struct mz_metadata_list *list)
{
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].name);
        free(list->items[i].value);
    }
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

/* "X-name:value": the name starts with "X-" and is at most 255 bytes, the
 * value is not empty and may itself contain colons. As in libzmq, a name
 * already present keeps its first value. NULL with size 0 removes every
 * property. */
static int set_metadata(struct mz_options *o, const struct mz_option_row *row,
                        const void *value, size_t size)
{
    (void) row;
    const char *text;
    size_t length;
    if (read_text(value, size, &text, &length) != 0)
        return -1;
    if (text == NULL) {
        free_metadata(&o->metadata);
        return 0;
    }
    const char *colon = memchr(text, ':', length);
    if (colon == NULL)
        return invalid();
    size_t name_length = (size_t) (colon - text);
    size_t value_length = length - name_length - 1;
    if (name_length < 2 || name_length > MZ_SHORT_STRING || value_length == 0)
        return invalid();
    if (text[0] != 'X' || text[1] != '-')
        return invalid();

    struct mz_metadata_list *list = &o->metadata;
    for (size_t i = 0; i < list->count; i++)
        if (strlen(list->items[i].name) == name_length &&
            memcmp(list->items[i].name, text, name_length) == 0)
            return 0;

    char *name = copy_text(text, name_length);
    char *data = copy_text(colon + 1, value_length);
    struct mz_metadata_property *items =
        name && data ? realloc(list->items, (list->count + 1) * sizeof *items)
                     : NULL;
    if (items == NULL) {
        free(name);
        free(data);
        return out_of_memory();
    }
    items[list->count].name = name;
    items[list->count].value = data;
    list->items = items;
    list->count++;
    return 0;
}

/* ------------------------------------------------------------------ */
/* Public entry points                                                 */
/* ------------------------------------------------------------------ */

void mz_options_init(struct mz_options *o, int socket_type)
{
    memset(o, 0, sizeof *o);
    o->socket_type = socket_type;
    o->stream_notify = true;
    for (size_t i = 0; i < MZ_OPTION_COUNT; i++) {
        const struct mz_option_row *row = &mz_option_table[i];
        switch (row->kind) {
        case MZ_KIND_INT:
            *AT(o, row->offset, int) = (int) row->initial;
            break;
        case MZ_KIND_BOOL:
            *AT(o, row->offset, bool) = row->initial != 0;
            break;
        case MZ_KIND_INT64:
            *AT(o, row->offset, int64_t) = row->initial;
            break;
        case MZ_KIND_UINT64:
            *AT(o, row->offset, uint64_t) = (uint64_t) row->initial;
            break;
        default:
            break; /* strings, blobs, keys, ids start empty (zeroed) */
        }
    }
    /* Subscribers do not wait on close for unsent subscriptions. */
    if (socket_type == ZMQ_SUB || socket_type == ZMQ_XSUB
#ifdef ZMQ_DISH
        || socket_type == ZMQ_DISH
#endif
    )
        o->linger = 0;
}

void mz_options_fini(struct mz_options *o)
{
    for (size_t i = 0; i < MZ_OPTION_COUNT; i++) {
        const struct mz_option_row *row = &mz_option_table[i];
        if (row->kind == MZ_KIND_STRING) {
            char **field = AT(o, row->offset, char *);
            free(*field);
            *field = NULL;
        } else if (row->kind == MZ_KIND_BLOB) {
            struct mz_blob *blob = AT(o, row->offset, struct mz_blob);
            free(blob->data);
            blob->data = NULL;
            blob->size = 0;
        }
    }
    free_string_list(&o->tcp_accept_filters);
    free(o->ipc_filter_uids);
    o->ipc_filter_uids = NULL;
    o->ipc_filter_uid_count = 0;
    free(o->ipc_filter_gids);
    o->ipc_filter_gids = NULL;
    o->ipc_filter_gid_count = 0;
    free(o->ipc_filter_pids);
    o->ipc_filter_pids = NULL;
    o->ipc_filter_pid_count = 0;
    free_metadata(&o->metadata);
}

static void *copy_memory(const void *data, size_t size)
{
    if (data == NULL || size == 0)
        return NULL;
    void *copy = malloc(size);
    if (copy != NULL)
        memcpy(copy, data, size);
    return copy;
}

/* Copies what src owns into dst, whose pointers were cleared. Returns false
 * when an allocation failed (dst then owns what was copied so far). */
static bool copy_owned(struct mz_options *dst, const struct mz_options *src)
{
    for (size_t i = 0; i < MZ_OPTION_COUNT; i++) {
        const struct mz_option_row *row = &mz_option_table[i];
        if (row->kind == MZ_KIND_STRING) {
            const char *text = *AT_CONST(src, row->offset, char *);
            if (text != NULL) {
                char *copy = copy_text(text, strlen(text));
                if (copy == NULL)
                    return false;
                *AT(dst, row->offset, char *) = copy;
            }
        } else if (row->kind == MZ_KIND_BLOB) {
            const struct mz_blob *from =
                AT_CONST(src, row->offset, struct mz_blob);
            struct mz_blob *to = AT(dst, row->offset, struct mz_blob);
            if (from->size > 0) {
                to->data = copy_memory(from->data, from->size);
                if (to->data == NULL)
                    return false;
                to->size = from->size;
            }
        }
    }

    const struct mz_string_list *filters = &src->tcp_accept_filters;
    if (filters->count > 0) {
        dst->tcp_accept_filters.items = calloc(filters->count, sizeof(char *));
        if (dst->tcp_accept_filters.items == NULL)
            return false;
        for (size_t i = 0; i < filters->count; i++) {
            char *copy =
                copy_text(filters->items[i], strlen(filters->items[i]));
            if (copy == NULL)
                return false;
            dst->tcp_accept_filters.items[i] = copy;
            dst->tcp_accept_filters.count = i + 1;
        }
    }

    if (src->ipc_filter_uid_count > 0) {
        dst->ipc_filter_uids = copy_memory(
            src->ipc_filter_uids, src->ipc_filter_uid_count * sizeof(uid_t));
        if (dst->ipc_filter_uids == NULL)
            return false;
        dst->ipc_filter_uid_count = src->ipc_filter_uid_count;
    }
    if (src->ipc_filter_gid_count > 0) {
        dst->ipc_filter_gids = copy_memory(
            src->ipc_filter_gids, src->ipc_filter_gid_count * sizeof(gid_t));
        if (dst->ipc_filter_gids == NULL)
            return false;
        dst->ipc_filter_gid_count = src->ipc_filter_gid_count;
    }
    if (src->ipc_filter_pid_count > 0) {
        dst->ipc_filter_pids = copy_memory(
            src->ipc_filter_pids, src->ipc_filter_pid_count * sizeof(pid_t));
        if (dst->ipc_filter_pids == NULL)
            return false;
        dst->ipc_filter_pid_count = src->ipc_filter_pid_count;
    }

    const struct mz_metadata_list *metadata = &src->metadata;
    if (metadata->count > 0) {
        dst->metadata.items =
            calloc(metadata->count, sizeof(struct mz_metadata_property));
        if (dst->metadata.items == NULL)
            return false;
        for (size_t i = 0; i < metadata->count; i++) {
            const struct mz_metadata_property *from = &metadata->items[i];
            struct mz_metadata_property *to = &dst->metadata.items[i];
            dst->metadata.count = i + 1;
            to->name = copy_text(from->name, strlen(from->name));
            to->value = copy_text(from->value, strlen(from->value));
            if (to->name == NULL || to->value == NULL)
                return false;
        }
    }
    return true;
}

int mz_options_copy(struct mz_options *dst, const struct mz_options *src)
{
    memcpy(dst, src, sizeof *dst);
    /* Forget src's pointers before copying what they point to. */
    for (size_t i = 0; i < MZ_OPTION_COUNT; i++) {
        const struct mz_option_row *row = &mz_option_table[i];
        if (row->kind == MZ_KIND_STRING) {
            *AT(dst, row->offset, char *) = NULL;
        } else if (row->kind == MZ_KIND_BLOB) {
            struct mz_blob *blob = AT(dst, row->offset, struct mz_blob);
            blob->data = NULL;
            blob->size = 0;
        }
    }
    dst->tcp_accept_filters.items = NULL;
    dst->tcp_accept_filters.count = 0;
    dst->ipc_filter_uids = NULL;
    dst->ipc_filter_uid_count = 0;
    dst->ipc_filter_gids = NULL;
    dst->ipc_filter_gid_count = 0;
    dst->ipc_filter_pids = NULL;
    dst->ipc_filter_pid_count = 0;
    dst->metadata.items = NULL;
    dst->metadata.count = 0;

    if (!copy_owned(dst, src)) {
        mz_options_fini(dst);
        return out_of_memory();
    }
    return 0;
}

int mz_options_set(struct mz_options *o, int option, const void *value,
                   size_t size)
{
    const struct mz_option_row *row = find_row_for(option, o->socket_type);
    if (row == NULL || (row->flags & MZ_FLAG_READ_ONLY))
        return invalid();
    mz_option_setter *set = row->set ? row->set : mz_kind_setters[row->kind];
    if (set == NULL)
        return invalid();
    if (set(o, row, value, size) != 0)
        return -1;
    if (row->after_set != NULL) {
        bool now_set = true;
        if (row->kind == MZ_KIND_STRING)
            now_set = *AT(o, row->offset, char *) != NULL;
        row->after_set(o, row, now_set);
    }
    return 0;
}

int mz_options_get(const struct mz_options *o, int option, void *value,
                   size_t *size)
{
    const struct mz_option_row *row = find_row_for(option, o->socket_type);
    if (row == NULL || size == NULL || (row->flags & MZ_FLAG_WRITE_ONLY))
        return invalid();
    mz_option_getter *get = row->get ? row->get : mz_kind_getters[row->kind];
    if (get == NULL)
        return invalid(); /* write-only: the lists */
    return get(o, row, value, size);
}

int mz_options_get_write_only(const struct mz_options *o, int option,
                              void *value, size_t *size)
{
    const struct mz_option_row *row = find_row_for(option, o->socket_type);
    if (row == NULL || size == NULL)
        return invalid();
    mz_option_getter *get = row->get ? row->get : mz_kind_getters[row->kind];
    if (get == NULL)
        return invalid();
    if (row->kind == MZ_KIND_BLOB) {
        size_t length = AT_CONST(o, row->offset, struct mz_blob)->size;
        if (*size < length) {
            *size = length;
            return invalid();
        }
    }
    return get(o, row, value, size);
}

bool mz_options_is_generic(int option)
{
    const struct mz_option_row *row = find_row(option);
    return row != NULL && !(row->flags & MZ_FLAG_READ_ONLY);
}

int mz_options_heartbeat_timeout(const struct mz_options *o)
{
    return o->heartbeat_timeout >= 0 ? o->heartbeat_timeout : o->heartbeat_ivl;
}

/* Copies size bytes of list into value when *capacity allows; in every case
 * *capacity becomes size. */
static int give_list(void *value, size_t *capacity, const void *list,
                     size_t size)
{
    size_t room = *capacity;
    *capacity = size;
    if (size > room || (size > 0 && value == NULL))
        return invalid();
    if (size > 0)
        memcpy(value, list, size);
    return 0;
}

int mz_options_get_filter_list(const struct mz_options *o, int option,
                               void *value, size_t *size)
{
    if (size == NULL)
        return invalid();
    switch (option) {
    case ZMQ_TCP_ACCEPT_FILTER: {
        size_t needed = 0;
        for (size_t i = 0; i < o->tcp_accept_filters.count; i++)
            needed += strlen(o->tcp_accept_filters.items[i]) + 1;
        size_t room = *size;
        *size = needed;
        if (needed > room || (needed > 0 && value == NULL))
            return invalid();
        char *at = value;
        for (size_t i = 0; i < o->tcp_accept_filters.count; i++) {
            size_t length = strlen(o->tcp_accept_filters.items[i]) + 1;
            memcpy(at, o->tcp_accept_filters.items[i], length);
            at += length;
        }
        return 0;
    }
    case ZMQ_IPC_FILTER_UID:
        return give_list(value, size, o->ipc_filter_uids,
                         o->ipc_filter_uid_count * sizeof(uid_t));
    case ZMQ_IPC_FILTER_GID:
        return give_list(value, size, o->ipc_filter_gids,
                         o->ipc_filter_gid_count * sizeof(gid_t));
    case ZMQ_IPC_FILTER_PID:
        return give_list(value, size, o->ipc_filter_pids,
                         o->ipc_filter_pid_count * sizeof(pid_t));
    default:
        return invalid();
    }
}
