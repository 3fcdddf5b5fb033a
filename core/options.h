/*
 * The generic socket options: every zmq_setsockopt / zmq_getsockopt option
 * whose meaning does not depend on the socket type, stored as plain fields.
 *
 * Each socket owns one struct mz_options. zmq_setsockopt first offers the
 * option to the socket type's own handler (subscriptions, ROUTER and XPUB
 * flags, ...) and then to mz_options_set; zmq_getsockopt likewise, after the
 * socket has answered the options it computes itself (ZMQ_TYPE, ZMQ_RCVMORE,
 * ZMQ_FD, ZMQ_EVENTS, ZMQ_LAST_ENDPOINT, ZMQ_THREAD_SAFE). Sessions and
 * engines take a deep copy (mz_options_copy) when they are created, so a
 * later zmq_setsockopt only affects later binds and connects.
 *
 * Transports and security mechanisms are plugins; their options are stored
 * and validated here all the same, and the plugin reads them from the copy
 * it is handed. Whether the plugin that acts on an option is installed is
 * the caller's concern, not this store's.
 *
 * Units are those of the API: milliseconds, bytes, messages. Fields never
 * hold anything the application did not set or the defaults of libzmq 4.3.
 */
#ifndef MZ_OPTIONS_H
#define MZ_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum {
    MZ_ROUTING_ID_MAX =
        255,               /* longest ZMQ_ROUTING_ID / ZMQ_CONNECT_ROUTING_ID */
    MZ_CURVE_KEY_SIZE = 32 /* bytes of a binary CURVE key */
};

/* An owned byte string; data is NULL exactly when size is 0. */
struct mz_blob {
    uint8_t *data;
    size_t size;
};

/* An owned list of owned NUL-terminated strings, in the order they were set. */
struct mz_string_list {
    char **items;
    size_t count;
};

/* One ZMQ_METADATA property: name (always starting "X-") and value. */
struct mz_metadata_property {
    char *name;
    char *value;
};

struct mz_metadata_list {
    struct mz_metadata_property *items;
    size_t count;
};

struct mz_options {
    int socket_type; /* ZMQ_PAIR, ZMQ_PUB, ...: fixed at creation */

    /* ---- queues, blocking and message size -------------------------- */
    int sndhwm;         /* ZMQ_SNDHWM, messages, 0 = no limit */
    int rcvhwm;         /* ZMQ_RCVHWM */
    int linger;         /* ZMQ_LINGER, ms, -1 = forever */
    int sndtimeo;       /* ZMQ_SNDTIMEO, ms, -1 = block */
    int rcvtimeo;       /* ZMQ_RCVTIMEO, ms, -1 = block */
    int64_t maxmsgsize; /* ZMQ_MAXMSGSIZE, bytes, -1 = no limit */
    bool conflate;      /* ZMQ_CONFLATE */
    bool immediate;     /* ZMQ_IMMEDIATE */
    int in_batch_size;  /* ZMQ_IN_BATCH_SIZE, messages */
    int out_batch_size; /* ZMQ_OUT_BATCH_SIZE, messages */

    /* ---- connection management -------------------------------------- */
    int reconnect_ivl;     /* ZMQ_RECONNECT_IVL, ms, -1 = never reconnect */
    int reconnect_ivl_max; /* ZMQ_RECONNECT_IVL_MAX, ms, 0 = no backoff */
    int reconnect_stop;    /* ZMQ_RECONNECT_STOP, ZMQ_RECONNECT_STOP_* bits */
    int backlog;           /* ZMQ_BACKLOG, connections */
    int connect_timeout;   /* ZMQ_CONNECT_TIMEOUT, ms, 0 = none */
    int handshake_ivl;     /* ZMQ_HANDSHAKE_IVL, ms, 0 = none */
    int heartbeat_ivl;     /* ZMQ_HEARTBEAT_IVL, ms, 0 = no PINGs */
    int heartbeat_ttl;     /* ZMQ_HEARTBEAT_TTL, ms, always a multiple of
                               100 (the wire carries deciseconds) */
    int heartbeat_timeout; /* ZMQ_HEARTBEAT_TIMEOUT, ms; -1 = not set, use
                               heartbeat_ivl (see mz_options_heartbeat_timeout) */
    uint64_t affinity;     /* ZMQ_AFFINITY, I/O thread bitmap, 0 = any */
    int use_fd;            /* ZMQ_USE_FD, -1 = create the listening fd */

    /* ---- routing ---------------------------------------------------- */
    uint8_t routing_id[MZ_ROUTING_ID_MAX];         /* ZMQ_ROUTING_ID */
    size_t routing_id_size;                        /* 0 = not set */
    uint8_t connect_routing_id[MZ_ROUTING_ID_MAX]; /* ZMQ_CONNECT_ROUTING_ID */
    size_t connect_routing_id_size;                /* 0 = not set */
    bool probe_router;                             /* ZMQ_PROBE_ROUTER */
    bool invert_matching;                          /* ZMQ_INVERT_MATCHING */
    int router_notify;        /* ZMQ_ROUTER_NOTIFY, ZMQ_NOTIFY_* bits */
    bool stream_notify;       /* ZMQ_STREAM_NOTIFY, kept by the STREAM type */
    struct mz_blob hello_msg; /* ZMQ_HELLO_MSG, empty = none */
    struct mz_blob disconnect_msg; /* ZMQ_DISCONNECT_MSG, empty = none */
    struct mz_blob hiccup_msg;     /* ZMQ_HICCUP_MSG, empty = none */

    /* ---- network (TCP, IPC and friends) ----------------------------- */
    bool ipv6;               /* ZMQ_IPV6 (ZMQ_IPV4ONLY is its negation) */
    int sndbuf;              /* ZMQ_SNDBUF, bytes, -1 = OS default */
    int rcvbuf;              /* ZMQ_RCVBUF, bytes, -1 = OS default */
    int tos;                 /* ZMQ_TOS, IP type-of-service byte */
    int priority;            /* ZMQ_PRIORITY, SO_PRIORITY */
    char *bindtodevice;      /* ZMQ_BINDTODEVICE, NULL = not set */
    int tcp_keepalive;       /* ZMQ_TCP_KEEPALIVE, -1 = OS default, 0, 1 */
    int tcp_keepalive_cnt;   /* ZMQ_TCP_KEEPALIVE_CNT, -1 = OS default */
    int tcp_keepalive_idle;  /* ZMQ_TCP_KEEPALIVE_IDLE, s, -1 = OS default */
    int tcp_keepalive_intvl; /* ZMQ_TCP_KEEPALIVE_INTVL, s, -1 = OS default */
    int tcp_maxrt;           /* ZMQ_TCP_MAXRT, ms, 0 = OS default */
    bool loopback_fastpath;  /* ZMQ_LOOPBACK_FASTPATH */
    int busy_poll;           /* ZMQ_BUSY_POLL, SO_BUSY_POLL us when > 0 */
    struct mz_string_list tcp_accept_filters; /* ZMQ_TCP_ACCEPT_FILTER, each
                               "address" or "address/prefix", numeric */
    uid_t *ipc_filter_uids;                   /* ZMQ_IPC_FILTER_UID */
    size_t ipc_filter_uid_count;
    gid_t *ipc_filter_gids; /* ZMQ_IPC_FILTER_GID */
    size_t ipc_filter_gid_count;
    pid_t *ipc_filter_pids; /* ZMQ_IPC_FILTER_PID */
    size_t ipc_filter_pid_count;
    char *socks_proxy;    /* ZMQ_SOCKS_PROXY, NULL = no proxy */
    char *socks_username; /* ZMQ_SOCKS_USERNAME, NULL = no authentication */
    char *socks_password; /* ZMQ_SOCKS_PASSWORD, NULL = empty */

    /* ---- multicast (PGM, UDP) --------------------------------------- */
    int rate;              /* ZMQ_RATE, kbit/s */
    int recovery_ivl;      /* ZMQ_RECOVERY_IVL, ms */
    int multicast_hops;    /* ZMQ_MULTICAST_HOPS */
    int multicast_maxtpdu; /* ZMQ_MULTICAST_MAXTPDU, bytes */
    bool multicast_loop;   /* ZMQ_MULTICAST_LOOP */

    /* ---- NORM (the norm plugin applies them to its sessions) -------- */
    int norm_mode;           /* ZMQ_NORM_MODE: ZMQ_NORM_FIXED .. _CCE_ECNONLY */
    bool norm_unicast_nack;  /* ZMQ_NORM_UNICAST_NACK */
    int norm_buffer_size;    /* ZMQ_NORM_BUFFER_SIZE, kilobytes */
    int norm_segment_size;   /* ZMQ_NORM_SEGMENT_SIZE, bytes */
    int norm_block_size;     /* ZMQ_NORM_BLOCK_SIZE, segments */
    int norm_num_parity;     /* ZMQ_NORM_NUM_PARITY */
    int norm_num_autoparity; /* ZMQ_NORM_NUM_AUTOPARITY */
    bool norm_push;          /* ZMQ_NORM_PUSH */

    /* ---- VMCI (the vmci plugin sets them on its AF_VSOCK fds) ------- */
    /* ZMQ_VMCI_BUFFER_SIZE, _MIN_SIZE, _MAX_SIZE in bytes, 0 for the
     * kernel's; ZMQ_VMCI_CONNECT_TIMEOUT in ms, below 1 for the kernel's */
    uint64_t vmci_buffer_size;
    uint64_t vmci_buffer_min_size;
    uint64_t vmci_buffer_max_size;
    int vmci_connect_timeout;

    /* ---- security --------------------------------------------------- */
    int mechanism;           /* ZMQ_NULL, ZMQ_PLAIN, ZMQ_CURVE or ZMQ_GSSAPI:
                               derived from the options below (ZMQ_MECHANISM) */
    bool as_server;          /* server role of that mechanism */
    char *zap_domain;        /* ZMQ_ZAP_DOMAIN, NULL = empty */
    bool zap_enforce_domain; /* ZMQ_ZAP_ENFORCE_DOMAIN */
    char *plain_username;    /* ZMQ_PLAIN_USERNAME, NULL = not set */
    char *plain_password;    /* ZMQ_PLAIN_PASSWORD, NULL = not set */
    uint8_t curve_public_key[MZ_CURVE_KEY_SIZE]; /* ZMQ_CURVE_PUBLICKEY */
    uint8_t curve_secret_key[MZ_CURVE_KEY_SIZE]; /* ZMQ_CURVE_SECRETKEY */
    uint8_t curve_server_key[MZ_CURVE_KEY_SIZE]; /* ZMQ_CURVE_SERVERKEY */
    char *gssapi_principal;                      /* ZMQ_GSSAPI_PRINCIPAL */
    char *gssapi_service_principal;        /* ZMQ_GSSAPI_SERVICE_PRINCIPAL */
    int gssapi_principal_nametype;         /* ZMQ_GSSAPI_PRINCIPAL_NAMETYPE */
    int gssapi_service_principal_nametype; /* ..._SERVICE_PRINCIPAL_NAMETYPE */
    bool gssapi_plaintext;                 /* ZMQ_GSSAPI_PLAINTEXT */
    struct mz_metadata_list metadata;      /* ZMQ_METADATA, in the order set */

    /* ---- wss (the ws plugin's TLS; write-only, as in libzmq) --------- */
    struct mz_blob wss_key_pem;   /* ZMQ_WSS_KEY_PEM, the server's key */
    struct mz_blob wss_cert_pem;  /* ZMQ_WSS_CERT_PEM, its chain */
    struct mz_blob wss_trust_pem; /* ZMQ_WSS_TRUST_PEM, a client's CAs */
    char *wss_hostname;           /* ZMQ_WSS_HOSTNAME, NULL = the host of
                                     the endpoint */
    bool wss_trust_system;        /* ZMQ_WSS_TRUST_SYSTEM: the system's CAs */
};

/* Fills o with libzmq's defaults for a socket of socket_type (ZMQ_SUB, XSUB
 * and DISH linger 0, every other type -1). The context's own settings
 * (ZMQ_BLOCKY, ZMQ_IPV6) are applied by the caller afterwards. */
void mz_options_init(struct mz_options *o, int socket_type);

/* Frees every string, blob and list o owns; o may be initialised again. */
void mz_options_fini(struct mz_options *o);

/* Makes dst an independent deep copy of src; dst must not be initialised
 * (or must have been finished). Returns 0, or -1 with ENOMEM leaving dst
 * holding nothing to free. */
int mz_options_copy(struct mz_options *dst, const struct mz_options *src);

/* Sets a generic option. Returns 0 when stored; -1 with EINVAL for a wrong
 * size, an invalid value, a read-only option, an option that is not
 * generic (socket-type options, options the socket answers itself) or one
 * that libzmq restricts to other socket types (ZMQ_PROBE_ROUTER: REQ, REP,
 * DEALER, ROUTER; ZMQ_CONNECT_ROUTING_ID: REP, ROUTER, STREAM, PEER);
 * -1 with ENOMEM when a copy cannot be allocated. A failed call changes
 * nothing. Strings may be passed with or without their terminating NUL;
 * NULL with size 0 unsets a string, blob or list. */
int mz_options_set(struct mz_options *o, int option, const void *value,
                   size_t size);

/* Reads a generic option into value and sets *size to the bytes written.
 * Numbers need *size to be exactly their size; strings are written with
 * their NUL (an unset string reads as ""); binary values need *size at
 * least their length; CURVE keys need 32 (binary) or 41 (Z85 text).
 * Returns -1 with EINVAL for an unknown or write-only option (the filter
 * lists and ZMQ_METADATA) or a buffer size the option does not accept. */
int mz_options_get(const struct mz_options *o, int option, void *value,
                   size_t *size);

/* Reads one of the write-only filter lists for a transport plugin (see
 * socket_option in sdk/modzmq/plugin.h): ZMQ_TCP_ACCEPT_FILTER as the
 * filters one after the other, each with its NUL; ZMQ_IPC_FILTER_UID,
 * _GID and _PID as arrays. *size becomes the bytes needed; -1 EINVAL when
 * that is more than the *size given, or for any other option. */
int mz_options_get_filter_list(const struct mz_options *o, int option,
                               void *value, size_t *size);

/* Reads a write-only option that has a getter of its kind
 * (ZMQ_BUSY_POLL, the peer messages, the ZMQ_WSS_* options) for the core
 * and its plugins, as mz_options_get would read it if zmq_getsockopt
 * allowed; a binary value too large for *size also sets *size to its
 * length, so that a plugin can ask again with room for it (a PEM bundle
 * has no bound). */
int mz_options_get_write_only(const struct mz_options *o, int option,
                              void *value, size_t *size);

/* Whether option is one that mz_options_set handles (writable generic). */
bool mz_options_is_generic(int option);

/* The heartbeat timeout in force: ZMQ_HEARTBEAT_TIMEOUT when set, else
 * ZMQ_HEARTBEAT_IVL. */
int mz_options_heartbeat_timeout(const struct mz_options *o);

#endif
