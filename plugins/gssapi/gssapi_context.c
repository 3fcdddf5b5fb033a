/*
 * The GSS-API calls of the GSSAPI mechanism, restricted to Kerberos 5;
 * see gssapi_context.h.
 */
#include "gssapi_context.h"
#include "gssapi_plugin.h"

#include <gssapi/gssapi_krb5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

/* Mutual authentication makes the server prove itself with a token of
 * its own, the second INITIATE that libzmq peers expect; replay
 * detection refuses a MESSAGE seen before. */
#define REQUESTED_FLAGS (GSS_C_MUTUAL_FLAG | GSS_C_REPLAY_FLAG)

void gssapi_context_init(struct gssapi_context *context, bool initiator,
                         bool confidential)
{
    memset(context, 0, sizeof *context);
    context->initiator = initiator;
    context->confidential = confidential;
    context->id = GSS_C_NO_CONTEXT;
    context->own = GSS_C_NO_CREDENTIAL;
    context->target = GSS_C_NO_NAME;
    context->peer = GSS_C_NO_NAME;
}

void gssapi_context_clear(struct gssapi_context *context)
{
    OM_uint32 minor;
    if (context->id != GSS_C_NO_CONTEXT)
        gss_delete_sec_context(&minor, &context->id, GSS_C_NO_BUFFER);
    if (context->own != GSS_C_NO_CREDENTIAL)
        gss_release_cred(&minor, &context->own);
    if (context->target != GSS_C_NO_NAME)
        gss_release_name(&minor, &context->target);
    if (context->peer != GSS_C_NO_NAME)
        gss_release_name(&minor, &context->peer);
    gssapi_context_release(&context->out);
}

void gssapi_context_release(gss_buffer_desc *buffer)
{
    OM_uint32 minor;
    if (buffer->value != NULL)
        gss_release_buffer(&minor, buffer);
    buffer->value = NULL;
    buffer->length = 0;
}

/* Appends the GSS-API's text for one status code (of type GSS_C_GSS_CODE
 * or GSS_C_MECH_CODE) to line. gss_display_status hands out one message
 * per call; a handful is more than any status has. */
static void append_status(char *line, size_t size, OM_uint32 code, int type)
{
    OM_uint32 more = 0;
    for (int i = 0; i < 8; i++) {
        OM_uint32 minor;
        gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
        OM_uint32 major =
            gss_display_status(&minor, code, type, gss_mech_krb5, &more, &text);
        if (GSS_ERROR(major))
            break;
        size_t used = strlen(line);
        snprintf(line + used, size - used, "%s%.*s", used > 0 ? "; " : "",
                 (int) text.length, (const char *) text.value);
        gssapi_context_release(&text);
        if (more == 0)
            break;
    }
}

/* Logs what failed and why, and returns kind. */
static enum gssapi_result report(enum gssapi_result kind, const char *what,
                                 OM_uint32 major, OM_uint32 minor)
{
    char reason[512] = "";
    append_status(reason, sizeof reason, major, GSS_C_GSS_CODE);
    if (minor != 0)
        append_status(reason, sizeof reason, minor, GSS_C_MECH_CODE);
    gssapi_log(kind == GSSAPI_LOCAL_FAILURE ? MODZMQ_LOG_WARNING
                                            : MODZMQ_LOG_INFO,
               "%s: %s", what, reason);
    return kind;
}

static gss_OID name_type(int nametype)
{
    switch (nametype) {
    case ZMQ_GSSAPI_NT_USER_NAME:
        return GSS_C_NT_USER_NAME;
    case ZMQ_GSSAPI_NT_KRB5_PRINCIPAL:
        return (gss_OID) GSS_KRB5_NT_PRINCIPAL_NAME;
    default:
        return GSS_C_NT_HOSTBASED_SERVICE;
    }
}

static enum gssapi_result import_name(const char *text, int nametype,
                                      gss_name_t *name)
{
    OM_uint32 minor;
    gss_buffer_desc buffer = { strlen(text), (void *) text };
    OM_uint32 major =
        gss_import_name(&minor, &buffer, name_type(nametype), name);
    if (major != GSS_S_COMPLETE) {
        char what[300];
        snprintf(what, sizeof what, "cannot read the name \"%.200s\"", text);
        return report(GSSAPI_LOCAL_FAILURE, what, major, minor);
    }
    return GSSAPI_OK;
}

enum gssapi_result gssapi_context_prepare(struct gssapi_context *context,
                                          const char *principal, int nametype,
                                          const char *service,
                                          int service_nametype)
{
    gss_name_t own_name = GSS_C_NO_NAME;
    if (principal != NULL &&
        import_name(principal, nametype, &own_name) != GSSAPI_OK)
        return GSSAPI_LOCAL_FAILURE;
    OM_uint32 minor;
    OM_uint32 major =
        gss_acquire_cred(&minor, own_name, GSS_C_INDEFINITE, gss_mech_set_krb5,
                         context->initiator ? GSS_C_INITIATE : GSS_C_ACCEPT,
                         &context->own, NULL, NULL);
    if (own_name != GSS_C_NO_NAME) {
        OM_uint32 ignored;
        gss_release_name(&ignored, &own_name);
    }
    if (major != GSS_S_COMPLETE) {
        char what[300];
        snprintf(what, sizeof what, "no %s credentials for %.200s",
                 context->initiator ? "client" : "service",
                 principal != NULL ? principal : "the default principal");
        return report(GSSAPI_LOCAL_FAILURE, what, major, minor);
    }
    if (context->initiator)
        return import_name(service, service_nametype, &context->target);
    return GSSAPI_OK;
}

/* Whether an established context gives the protection this side needs:
 * an authenticated peer both ways, and encryption unless PLAINTEXT. */
static bool protection_is_enough(const struct gssapi_context *context,
                                 OM_uint32 flags)
{
    if (context->initiator && !(flags & GSS_C_MUTUAL_FLAG))
        return false;
    if (context->confidential &&
        (flags & (GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG)) !=
            (GSS_C_CONF_FLAG | GSS_C_INTEG_FLAG))
        return false;
    return true;
}

enum gssapi_result gssapi_context_step(struct gssapi_context *context,
                                       const uint8_t *token, size_t size)
{
    OM_uint32 major, minor, flags = 0;
    gss_buffer_desc input = { size, (void *) token };
    gssapi_context_release(&context->out);
    if (context->initiator) {
        major = gss_init_sec_context(
            &minor, context->own, &context->id, context->target, gss_mech_krb5,
            REQUESTED_FLAGS, 0, GSS_C_NO_CHANNEL_BINDINGS,
            token != NULL ? &input : GSS_C_NO_BUFFER, NULL, &context->out,
            &flags, NULL);
    } else {
        major =
            gss_accept_sec_context(&minor, &context->id, context->own, &input,
                                   GSS_C_NO_CHANNEL_BINDINGS, &context->peer,
                                   NULL, &context->out, &flags, NULL, NULL);
    }
    if (GSS_ERROR(major)) {
        /* The initiator's first step has nothing from the peer: what
         * fails there (no ticket, a service the KDC does not know) is
         * ours. */
        enum gssapi_result kind = context->initiator && token == NULL
                                      ? GSSAPI_LOCAL_FAILURE
                                      : GSSAPI_PEER_FAILURE;
        return report(kind,
                      context->initiator ? "cannot authenticate to the server"
                                         : "cannot authenticate the client",
                      major, minor);
    }
    if (major == GSS_S_COMPLETE) {
        if (!protection_is_enough(context, flags)) {
            gssapi_log(MODZMQ_LOG_INFO, "the security context lacks %s",
                       context->confidential ? "mutual authentication or "
                                               "confidentiality"
                                             : "mutual authentication");
            return GSSAPI_PEER_FAILURE;
        }
        context->established = true;
    }
    return GSSAPI_OK;
}

void gssapi_context_sent(struct gssapi_context *context)
{
    gssapi_context_release(&context->out);
}

char *gssapi_context_peer_name(struct gssapi_context *context)
{
    OM_uint32 minor;
    gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
    if (context->peer == GSS_C_NO_NAME ||
        gss_display_name(&minor, context->peer, &text, NULL) != GSS_S_COMPLETE)
        return NULL;
    char *name = malloc(text.length + 1);
    if (name != NULL) {
        memcpy(name, text.value, text.length);
        name[text.length] = '\0';
    }
    gssapi_context_release(&text);
    return name;
}

enum gssapi_result gssapi_context_wrap(struct gssapi_context *context,
                                       const void *data, size_t size,
                                       gss_buffer_desc *wrapped)
{
    OM_uint32 minor;
    int encrypted = 0;
    gss_buffer_desc input = { size, (void *) data };
    OM_uint32 major = gss_wrap(&minor, context->id, 1, GSS_C_QOP_DEFAULT,
                               &input, &encrypted, wrapped);
    if (major != GSS_S_COMPLETE || !encrypted) {
        gssapi_context_release(wrapped);
        return report(GSSAPI_LOCAL_FAILURE, "cannot wrap a message", major,
                      minor);
    }
    return GSSAPI_OK;
}

enum gssapi_result gssapi_context_unwrap(struct gssapi_context *context,
                                         const void *token, size_t size,
                                         gss_buffer_desc *plain)
{
    OM_uint32 minor;
    int encrypted = 0;
    gss_buffer_desc input = { size, (void *) token };
    OM_uint32 major =
        gss_unwrap(&minor, context->id, &input, plain, &encrypted, NULL);
    if (major != GSS_S_COMPLETE || !encrypted) {
        gssapi_context_release(plain);
        return report(GSSAPI_PEER_FAILURE, "cannot unwrap a message", major,
                      minor);
    }
    return GSSAPI_OK;
}
