/*
 * A fake core for driving a mechanism plugin's ops directly, without
 * sockets: it loads the module as the core's loader would and hands it a
 * services table whose messages are plain buffers and whose connections
 * are structs the test fills in (the options) and reads back (metadata
 * read, ZAP requests, protocol errors recorded). A test then plays both
 * ends of a handshake against each other.
 */
#ifndef GSSAPI_HARNESS_H
#define GSSAPI_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <modzmq/mechanism.h>

#include "fake_msg.h"

/* The SDK leaves modzmq_connection opaque; here it is the test's own
 * (modzmq_msg is fake_msg.h's). */
struct modzmq_connection {
    /* The options connection_option serves ("" is unset). */
    char principal[256];
    char service_principal[256];
    int principal_nametype;
    int service_principal_nametype;
    int plaintext;
    const char *socket_type; /* sent as Socket-Type by metadata_write */
    /* What ZAP answers: 1 accepted at once, 0 later, -1 refused. */
    int zap_answer;
    /* What the mechanism did. */
    int protocol_error; /* the last handshake_error, 0 if none */
    int zap_requests;
    char zap_mechanism[32];
    char zap_credential[256];
    int metadata_reads;
    char peer_socket_type[32]; /* from the peer's Socket-Type */
};

/* A connection with defaults: no options, DEALER, ZAP accepting. */
void harness_connection_init(struct modzmq_connection *connection);

/* Loads the module at path (module: its libtool name, for the entry
 * symbol) and runs its init with the fake services. NULL with a reason
 * on stderr. */
const struct modzmq_plugin *harness_load_mechanism(const char *path,
                                                   const char *module);
void harness_unload_mechanism(void);
const struct modzmq_core_services *harness_services(void);

void harness_msg_set(struct modzmq_msg *msg, const void *data, size_t size,
                     unsigned flags);
void harness_msg_free(struct modzmq_msg *msg);

/* The last line the plugin logged ("" if none); harness_log_clear
 * forgets it. */
const char *harness_last_log(void);
void harness_log_clear(void);

#endif
