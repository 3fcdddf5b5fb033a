/*
 * modzmq plugin SDK: what every plugin exports and what the core gives it.
 *
 * A plugin is a shared module (built with libtool -module) that modzmq's
 * core loads with libltdl the first time a socket needs it: a transport on
 * the first zmq_bind or zmq_connect of one of its schemes, or on a zmq_has
 * query. The module exports one function,
 *
 *     const struct modzmq_plugin *modzmq_plugin_entry(void);
 *
 * returning a descriptor that lives as long as the module. The core checks
 * the descriptor before it uses anything else:
 *
 *   - abi_major must equal the core's MODZMQ_SDK_ABI_MAJOR; abi_minor may be
 *     lower than the core's (the core knows the layout of every table of
 *     every older release) but not higher;
 *   - the plugin's kind must exist in the release it was built for (a
 *     mechanism, an observer or an own-engine transport needs 1.1);
 *   - the ops table's first member is its own size, as the plugin was
 *     compiled; a table smaller than the oldest released layout of that
 *     kind is refused. Tables only grow by appending members: the core
 *     reads only what fits in the size the plugin reported (copying a
 *     smaller table into one of its own layout) and takes the members the
 *     plugin's release lacked as unset, as optional members are.
 *
 * A refused plugin is reported on stderr with the reason, and the core
 * carries on without it.
 *
 * Plugins never see the core's structures: sockets and the core are opaque
 * handles, and everything a plugin may ask of the core goes through the
 * services table handed to its init function. Nothing here is thread-safe
 * unless it says so; each ops member says which thread calls it.
 *
 * A plugin that is linked statically into an application (libtool
 * -dlpreopen) must give its entry point libtool's module prefix, which
 * MODZMQ_PLUGIN_ENTRY does when MODZMQ_PLUGIN_MODULE names the module:
 *
 *     #define MODZMQ_PLUGIN_MODULE modzmq_tcp
 *     #include <modzmq/plugin.h>
 *     MODZMQ_PLUGIN_ENTRY { return &descriptor; }
 */
#ifndef MODZMQ_PLUGIN_H
#define MODZMQ_PLUGIN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A plugin built against a different major cannot be loaded. */
#define MODZMQ_SDK_ABI_MAJOR 1
/* Grows when a table gains members at its end. 1.0: stream transports.
 * 1.1: mechanisms, observers, own-engine transports and the services they
 * use. 1.2: a stream transport's connect_handshake, the descriptor's
 * extensions (CURVE's key functions left the mechanism table for one),
 * the message-group services of links. 1.3: the counters_request
 * service. */
#define MODZMQ_SDK_ABI_MINOR 3

enum modzmq_plugin_kind {
    MODZMQ_PLUGIN_TRANSPORT = 1, /* ops: struct modzmq_transport_ops */
    MODZMQ_PLUGIN_MECHANISM = 2, /* ops: struct modzmq_mechanism_ops */
    MODZMQ_PLUGIN_OBSERVER = 3,  /* ops: struct modzmq_observer_ops */
    /* Since ABI 1.1. ops: struct modzmq_engine_transport_ops */
    MODZMQ_PLUGIN_ENGINE_TRANSPORT = 4
};

/* Opaque handles. */
typedef struct modzmq_core modzmq_core;     /* the loading core */
typedef struct modzmq_socket modzmq_socket; /* one zmq socket */
/* One connection's security handshake, as the core runs it (mechanism.h). */
typedef struct modzmq_connection modzmq_connection;
/* A message part or a command, owned by the core; a plugin reads and
 * rewrites it through the msg_* services. */
typedef struct modzmq_msg modzmq_msg;

/* One I/O thread's event loop, where a plugin watches fds and runs
 * timers and tasks (see the reactor services below). */
typedef struct modzmq_reactor modzmq_reactor;
/* One fd watched on a reactor. */
typedef struct modzmq_watch modzmq_watch;
/* The core's side of one peer of an own-engine transport, and the bound
 * endpoint that accepts them (engine_transport.h). */
typedef struct modzmq_link modzmq_link;
typedef struct modzmq_listener modzmq_listener;
/* The plugin's own state for one link, defined by the plugin. */
typedef struct modzmq_link_state modzmq_link_state;
struct modzmq_part;

/* What a watched fd is ready for, and what a watch asks for. ERROR (an
 * error or a hang-up) is never asked for: it comes with READ or WRITE. A
 * watch that asks for nothing is not called, not even for an error; the
 * error is reported as soon as it asks for READ or WRITE again. */
#define MODZMQ_WATCH_READ 1u
#define MODZMQ_WATCH_WRITE 2u
#define MODZMQ_WATCH_ERROR 4u

typedef void (*modzmq_watch_fn)(void *arg, unsigned events);
typedef void (*modzmq_task_fn)(void *arg);

/* Defined in observer.h. */
struct modzmq_event;
typedef struct modzmq_subscription modzmq_subscription;
typedef void (*modzmq_event_fn)(void *arg, const struct modzmq_event *event);

/* The flags of a modzmq_msg. */
#define MODZMQ_MSG_MORE 1u    /* more parts of the message follow */
#define MODZMQ_MSG_COMMAND 2u /* a ZMTP command, not a message part */

enum modzmq_log_level {
    MODZMQ_LOG_ERROR = 0,
    MODZMQ_LOG_WARNING = 1,
    MODZMQ_LOG_INFO = 2,
    MODZMQ_LOG_DEBUG = 3
};

/* What the core offers a plugin. Handed to init; valid as long as the
 * process runs (after fini too).
 *
 * One table for every kind of plugin: the kinds share much of it (a
 * transport publishes events and logs as an observer does, an own-engine
 * transport hands fds to ZMTP), and a plugin built for 1.0 or 1.1 was
 * compiled against this one layout, so a table per kind would be a second
 * layout to keep beside it forever. A plugin asks whether the core has
 * the newest service it calls with modzmq_has_service (below), once, in
 * its init; each release's members come together, so the newest one
 * answers for the others of its release. */
struct modzmq_core_services {
    size_t size; /* sizeof (struct modzmq_core_services) in the core */

    /* Reads one of a socket's options, exactly as zmq_getsockopt would
     * (same option numbers, same sizes). 0, or -1 with errno. Any thread
     * that is running a call of this plugin for that socket.
     *
     * It also reads the list options that zmq_getsockopt refuses (they
     * are write-only in libzmq) so that transports can apply them:
     * ZMQ_TCP_ACCEPT_FILTER gives every filter as a NUL-terminated string,
     * one after the other; ZMQ_IPC_FILTER_UID, _GID and _PID give an
     * array of uid_t, gid_t or pid_t. An empty list gives *size 0. When
     * *size is too small: -1 with EINVAL and *size set to the size
     * needed. ZMQ_BUSY_POLL, write-only too, reads as an int (cores
     * before it answer EINVAL). So do the write-only ZMQ_WSS_* options
     * (cores before wss answer EINVAL): the three PEMs as the bytes the
     * application gave (when *size is too small: -1 with EINVAL and *size
     * set to their length), ZMQ_WSS_HOSTNAME as a string, and
     * ZMQ_WSS_TRUST_SYSTEM as an int. */
    int (*socket_option)(modzmq_socket *socket, int option, void *value,
                         size_t *size);

    /* Writes one line to the core's diagnostics (stderr), prefixed with
     * the plugin's name, when level is at or above the one the
     * MODZMQ_LOG environment variable names (error, warning, info or
     * debug; warning when unset). Thread-safe. */
    void (*log)(modzmq_core *core, enum modzmq_log_level level,
                const char *message);

    /* ---- since ABI 1.1: events (observer.h) -------------------------- */

    /* Publishes event (its size, id, socket, values and endpoints set) to
     * the subscribers of event->socket and of all sockets. Any thread;
     * the core copies nothing it does not need, and the event's strings
     * need only last for the call. A transport publishes the events that
     * only it can see (ZMQ_EVENT_ACCEPT_FAILED for a refused peer). */
    void (*publish)(const struct modzmq_event *event);

    /* Whether anyone subscribes to event id on socket, for publishers
     * that would otherwise build an event for nothing: a lookup under a
     * short lock, safe while another thread closes the socket (then 0). */
    int (*event_wanted)(modzmq_socket *socket, uint64_t id);

    /* Calls fn(arg, event) for every event of socket (NULL: of every
     * socket) whose id is in mask, until unsubscribe. NULL with errno.
     * Thread-safe; a subscription made on an I/O thread's callback sees
     * events from the next one on. */
    modzmq_subscription *(*subscribe)(modzmq_core *core, modzmq_socket *socket,
                                      uint64_t mask, modzmq_event_fn fn,
                                      void *arg);

    /* Ends a subscription; when it returns, fn is running nowhere and will
     * not be called again. Must not be called from fn itself. */
    void (*unsubscribe)(modzmq_subscription *subscription);

    /* ---- since ABI 1.1: message parts and commands -------------------- */

    void *(*msg_data)(modzmq_msg *msg);
    size_t (*msg_size)(const modzmq_msg *msg);
    /* Gives msg a body of size bytes (contents undefined; what was there
     * is released). 0, or -1 with ENOMEM. */
    int (*msg_resize)(modzmq_msg *msg, size_t size);
    unsigned (*msg_flags)(const modzmq_msg *msg); /* MODZMQ_MSG_* */
    void (*msg_set_flags)(modzmq_msg *msg, unsigned flags);

    /* ---- since ABI 1.1: what mechanisms ask of the core --------------- */

    /* Reads one option of the connection's socket as zmq_getsockopt would,
     * from the copy the connection took when it was made (options set
     * later do not apply to it, and the application's thread may be
     * changing the socket's own meanwhile). 0 or -1 with errno. */
    int (*connection_option)(modzmq_connection *connection, int option,
                             void *value, size_t *size);

    /* Writes this side's metadata, the properties every READY, INITIATE
     * or equivalent carries (Socket-Type, Identity where the socket type
     * sends one, ZMQ_METADATA user properties), in RFC 23's property
     * layout, to buffer. Returns the length, which may exceed size (then
     * nothing is written: call again with a buffer that large). */
    size_t (*metadata_write)(modzmq_connection *connection, uint8_t *buffer,
                             size_t size);

    /* Reads the peer's metadata from a property block it sent, keeps its
     * properties for zmq_msg_gets and checks that its Socket-Type may talk
     * to ours. 0, or -1 with errno EPROTO after recording the protocol
     * error (the caller just fails). */
    int (*metadata_read)(modzmq_connection *connection, const uint8_t *data,
                         size_t size);

    /* Asks the ZAP handler (RFC 27) about the peer. mechanism is the name
     * ("PLAIN"), credentials the frames that follow it in the request
     * (PLAIN: username, password; CURVE: the client's long-term public
     * key; GSSAPI: the principal). The core adds the version, request id,
     * domain, address and identity frames, and applies ZAP_DOMAIN and
     * ZAP_ENFORCE_DOMAIN. Returns 1 when the peer is accepted without a
     * request (no handler and none required: carry on at once), 0 when
     * the request is on its way (wait for zap_accepted), -1 with errno
     * when it cannot be made and the connection must fail (ECONNREFUSED
     * when a handler is required and there is none). */
    int (*zap_request)(modzmq_connection *connection, const char *mechanism,
                       const uint8_t *const *credentials,
                       const size_t *credential_sizes, size_t count);

    /* Records why a handshake is failing: one ZMQ_PROTOCOL_ERROR_* code,
     * published with ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL when the
     * mechanism's call then returns -1. */
    void (*handshake_error)(modzmq_connection *connection, int protocol_error);

    /* ---- since ABI 1.1: reactors -------------------------------------- */

    /* The I/O thread of a link, or of a bound own-engine endpoint. It
     * lives at least as long as the link or the listener. (Only
     * own-engine transports hold such handles so far; the services below
     * take any reactor handle a later version hands out.) */
    modzmq_reactor *(*link_reactor)(modzmq_link *link);
    modzmq_reactor *(*listener_reactor)(modzmq_listener *listener);

    /* Watches fd (non-blocking, open until watch_remove) on the reactor's
     * thread: fn(arg, events) runs there while it is ready for what the
     * watch asks (level-triggered). It asks for nothing until watch_set.
     * NULL with errno. Reactor thread only, as are watch_set,
     * watch_remove, timer_add and timer_cancel. */
    modzmq_watch *(*watch_add)(modzmq_reactor *reactor, int fd,
                               modzmq_watch_fn fn, void *arg);
    /* What the watch asks for: MODZMQ_WATCH_READ and/or _WRITE, or 0. */
    void (*watch_set)(modzmq_watch *watch, unsigned events);
    /* Stops and frees the watch; fn is not called again, even for events
     * already collected. The fd stays open. */
    void (*watch_remove)(modzmq_watch *watch);

    /* A one-shot timer: fn(arg) runs once on the reactor's thread, no
     * earlier than delay_ms from now. Returns its nonzero id, or 0 with
     * errno ENOMEM. */
    uint64_t (*timer_add)(modzmq_reactor *reactor, uint64_t delay_ms,
                          modzmq_task_fn fn, void *arg);
    /* Disarms a timer (harmless for 0 or one that already fired). */
    void (*timer_cancel)(modzmq_reactor *reactor, uint64_t timer);

    /* Any thread: runs fn(arg) on the reactor's thread, in the order
     * posted. 0, or -1 with errno ENOMEM. */
    int (*task_post)(modzmq_reactor *reactor, modzmq_task_fn fn, void *arg);

    /* ---- since ABI 1.1: links of own-engine transports ---------------- */

    /* A new peer of a bound endpoint (listener's thread): starts a link
     * whose ops get state. NULL with errno ECONNABORTED when the endpoint
     * is being unbound, ENOMEM: the plugin then drops the peer. */
    modzmq_link *(*link_accept)(modzmq_listener *listener,
                                modzmq_link_state *state);

    /* The peer is there: messages may flow (pull what is queued now). 0,
     * or -1 with errno ECONNABORTED when the socket will not take the
     * peer; the link then ends (link_close follows). */
    int (*link_ready)(modzmq_link *link);

    /* The peer is gone or misbehaved (error: ECONNRESET, ETIMEDOUT,
     * EPROTO, ...). No link service works afterwards; link_close
     * follows. */
    void (*link_failed)(modzmq_link *link, int error);

    /* Lends the socket's next outgoing part in *part, valid until the
     * next link_pull or link_close: 1. 0 when none is queued (link_output
     * follows when one is) or the link is not ready. A message's parts
     * are queued together, so after a part with MODZMQ_MSG_MORE the next
     * is always there. Calling it again also tells the core that the part
     * lent before is dealt with (sent or dropped): once a pull finds
     * nothing, a closing socket's linger ends. */
    int (*link_pull)(modzmq_link *link, struct modzmq_part *part);

    /* Gives the socket one received part (copied; flags MODZMQ_MSG_MORE
     * when more of its message follow). 0, or -1 with errno: EAGAIN when
     * the socket's pipe is full (nothing taken: offer the same part again
     * after link_input; only a message's first part can meet a full
     * pipe), EMSGSIZE over ZMQ_MAXMSGSIZE, ENOTCONN before link_ready,
     * ENOMEM. A message becomes readable once its last part is in and the
     * callback that pushed it has returned to the I/O thread's loop: the
     * core wakes the socket's reader once for all the messages pushed in one
     * pass of that loop (all the datagrams one watch callback read), and
     * at once when the link fails or hands over to ZMTP. */
    int (*link_push)(modzmq_link *link, const void *data, size_t size,
                     unsigned flags);

    /* Gives fd, a connected non-blocking stream socket, to the core's ZMTP
     * engine for this link's peer, with the peer's address for the
     * "Peer-Address" property (NULL: none). The fd is the core's from now
     * on, even on failure; the link ends (link_close follows) and ZMTP
     * takes its place, so when that connection drops a connecting socket
     * calls connect again. 0, or -1 with errno. */
    int (*link_zmtp)(modzmq_link *link, int fd, const char *peer_address);
    /* ---- since ABI 1.1: what observers ask of the core ---------------- */

    /* The zmq context (the void * of zmq_ctx_new) the socket belongs to,
     * for an observer that makes sockets of its own beside it, as the
     * monitor's inproc PAIR must be. NULL with ENOTSOCK for a closed
     * socket. The application's thread, inside a call of the plugin. */
    void *(*socket_context)(modzmq_socket *socket);

    /* ---- since ABI 1.2: message groups of own-engine links ------------ */

    /* The group of the part the last link_pull lent (RADIO's messages
     * carry one, zmq_msg_set_group): NUL-terminated, "" when the part has
     * none, valid as long as the part is. NULL when no part is lent. The
     * link's I/O thread, as the other link services. */
    const char *(*link_part_group)(modzmq_link *link);

    /* link_push for a part that carries a group (group_size bytes, no
     * NUL among them), which the socket's reader gets from zmq_msg_group
     * (a DISH filters on it). -1 with EINVAL when the group is longer
     * than ZMQ_GROUP_MAX_LENGTH (255 octets) or holds a NUL, ENOMEM when
     * memory ran out (the part is not taken: the plugin drops it);
     * otherwise as link_push.
     *
     * A link carries no JOIN or LEAVE from its peer, so a RADIO gives a
     * link every message whatever its group, and a DISH keeps only the
     * groups it joined of what a link pushes: the transport needs no
     * group membership of its own (libzmq's udp pipes work the same). */
    int (*link_push_group)(modzmq_link *link, const char *group,
                           size_t group_size, const void *data, size_t size,
                           unsigned flags);

    /* ---- since ABI 1.3: what observers ask of the core ---------------- */

    /* Asks every open socket of every context of the process to publish
     * its counters (MODZMQ_EVENT_SOCKET_COUNTERS, then its peers'
     * MODZMQ_EVENT_PEER_COUNTERS, observer.h). Each socket answers on its
     * own thread the next time its application calls it (a send, a
     * receive, zmq_poll or ZMQ_EVENTS): one that is never called never
     * answers, and its counters are never read from another thread,
     * which would race with the socket's own counting. Only one request
     * waits per socket: asking again before it answered adds nothing.
     * Any thread; 0 (nothing can fail). */
    int (*counters_request)(modzmq_core *core);
};

/* Whether the core that handed services to init has the service whose
 * member begins at offset, offsetof(struct modzmq_core_services, member):
 *
 *     if (!modzmq_has_service(services,
 *             offsetof(struct modzmq_core_services, link_zmtp)))
 *         return errno = ENOTSUP, -1;
 *
 * True when the core's table reaches past that member and the member is
 * set. Every service is a function pointer, so the offset says it all. */
static inline int
modzmq_has_service(const struct modzmq_core_services *services, size_t offset)
{
    void (*service)(void);
    if (services == NULL || services->size < offset + sizeof service)
        return 0;
    memcpy(&service, (const char *) services + offset, sizeof service);
    return service != NULL;
}

/* A table a plugin offers beside its kind's ops, for what only some
 * plugins of a kind have (CURVE's key functions, curve.h). Its first
 * member is its size, as in every ops table. */
struct modzmq_extension {
    const char *name;  /* MODZMQ_CURVE_KEYS ("curve-keys") */
    const void *table; /* the table that name stands for */
};

struct modzmq_plugin {
    uint32_t abi_major; /* MODZMQ_SDK_ABI_MAJOR at build time */
    uint32_t abi_minor; /* MODZMQ_SDK_ABI_MINOR at build time */
    const char *name;   /* "tcp": for diagnostics and modzmq_plugins() */
    enum modzmq_plugin_kind kind;
    /* NULL-terminated: the URL schemes a transport serves ("tcp"), the
     * mechanism names a mechanism serves ("CURVE"). */
    const char *const *serves;
    /* The kind's ops table; its first member is a size_t holding the
     * table's size. */
    const void *ops;
    /* Optional: called once after the checks, before any ops. Nonzero
     * refuses the load (set errno). core identifies this plugin in calls
     * back to the services. The registry is not locked meanwhile: init
     * may call zmq_has and modzmq_plugin_load (its own schemes are not
     * there yet on its thread; other threads wait for it). */
    int (*init)(const struct modzmq_core_services *services, modzmq_core *core);
    /* Optional: called once when the library is unloaded: when the
     * process exits through exit() or a return from main (a forked child
     * that does so too), or when the application dlcloses libzmq. Every
     * plugin's fini runs then, newest first, before any module is
     * unmapped (the core never unmaps one). The core calls no op of the
     * plugin afterwards, except from a context the application never
     * terminated: its I/O threads run until the process ends, so a fini
     * must leave what those may still use (its ops' shared state) usable.
     * Not called when the process ends otherwise (_exit, a signal), nor
     * when another thread is inside the registry at that moment. */
    void (*fini)(void);

    /* ---- since ABI 1.2 (the core reads no further in an older one) --- */

    /* Optional: NULL, or the tables this plugin offers beyond its ops,
     * ended by an entry whose name is NULL. */
    const struct modzmq_extension *extensions;
};

#define MODZMQ_PLUGIN_ENTRY_SYMBOL "modzmq_plugin_entry"

/* The entry point stays visible even when the plugin builds with
 * -fvisibility=hidden. */
#define MODZMQ_PLUGIN_EXPORT __attribute__((visibility("default")))

#ifdef MODZMQ_PLUGIN_MODULE
#define MODZMQ_PLUGIN_PASTE2(module, symbol) module##_LTX_##symbol
#define MODZMQ_PLUGIN_PASTE(module, symbol) MODZMQ_PLUGIN_PASTE2(module, symbol)
#define MODZMQ_PLUGIN_ENTRY_NAME                                               \
    MODZMQ_PLUGIN_PASTE(MODZMQ_PLUGIN_MODULE, modzmq_plugin_entry)
#else
#define MODZMQ_PLUGIN_ENTRY_NAME modzmq_plugin_entry
#endif

/* A prototype, then the head of the definition: builds warning about
 * functions without a prototype stay quiet. */
#define MODZMQ_PLUGIN_ENTRY                                                    \
    MODZMQ_PLUGIN_EXPORT const struct modzmq_plugin *MODZMQ_PLUGIN_ENTRY_NAME( \
        void);                                                                 \
    MODZMQ_PLUGIN_EXPORT const struct modzmq_plugin *MODZMQ_PLUGIN_ENTRY_NAME( \
        void)

#ifdef __cplusplus
}
#endif

#endif
