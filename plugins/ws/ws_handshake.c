/*
 * ws plugin: building and checking the upgrade's request and response
 * (see ws_handshake.h). Header names are case-insensitive and values may
 * be comma lists (RFC 7230), so each check looks for a token, not for the
 * exact spelling any one peer sends.
 */
#include "ws_handshake.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

/* RFC 6455 section 1.3: appended to the key before hashing. */
static const char accept_guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

const char ws_bad_request[] = "HTTP/1.1 400 Bad Request\r\n"
                              "Content-Length: 0\r\n"
                              "Connection: close\r\n\r\n";

static int fail(int error)
{
    errno = error;
    return -1;
}

void ws_subprotocol(const char *mechanism, char out[WS_PROTOCOL_MAX])
{
    snprintf(out, WS_PROTOCOL_MAX, "ZWS2.0/%s", mechanism);
}

int ws_key_new(char key[WS_KEY_SIZE + 1])
{
    guchar nonce[16];
    if (getrandom(nonce, sizeof nonce, 0) != (ssize_t) sizeof nonce)
        return -1;
    gchar *text = g_base64_encode(nonce, sizeof nonce);
    memcpy(key, text, WS_KEY_SIZE);
    key[WS_KEY_SIZE] = '\0';
    g_free(text);
    return 0;
}

void ws_accept_for(const char *key, size_t key_size,
                   char accept[WS_ACCEPT_SIZE + 1])
{
    GChecksum *sha1 = g_checksum_new(G_CHECKSUM_SHA1);
    g_checksum_update(sha1, (const guchar *) key, (gssize) key_size);
    g_checksum_update(sha1, (const guchar *) accept_guid,
                      (gssize) strlen(accept_guid));
    guint8 digest[20];
    gsize digest_size = sizeof digest;
    g_checksum_get_digest(sha1, digest, &digest_size);
    g_checksum_free(sha1);
    gchar *text = g_base64_encode(digest, digest_size);
    memcpy(accept, text, WS_ACCEPT_SIZE);
    accept[WS_ACCEPT_SIZE] = '\0';
    g_free(text);
}

int ws_request_build(char *buffer, size_t size, const char *host,
                     const char *path, const char *key, const char *protocol)
{
    int n = snprintf(buffer, size,
                     "GET %s HTTP/1.1\r\n"
                     "Host: %s\r\n"
                     "Upgrade: websocket\r\n"
                     "Connection: Upgrade\r\n"
                     "Sec-WebSocket-Key: %s\r\n"
                     "Sec-WebSocket-Protocol: %s\r\n"
                     "Sec-WebSocket-Version: 13\r\n\r\n",
                     path, host, key, protocol);
    if (n < 0 || (size_t) n >= size)
        return fail(ENOSPC);
    return n;
}

int ws_response_build(char *buffer, size_t size, const char *key,
                      const char *protocol)
{
    char accept[WS_ACCEPT_SIZE + 1];
    ws_accept_for(key, strlen(key), accept);
    int n = snprintf(buffer, size,
                     "HTTP/1.1 101 Switching Protocols\r\n"
                     "Upgrade: websocket\r\n"
                     "Connection: Upgrade\r\n"
                     "Sec-WebSocket-Accept: %s\r\n"
                     "Sec-WebSocket-Protocol: %s\r\n\r\n",
                     accept, protocol);
    if (n < 0 || (size_t) n >= size)
        return fail(ENOSPC);
    return n;
}

size_t ws_header_end(const char *data, size_t size)
{
    for (size_t i = 3; i < size; i++)
        if (data[i] == '\n' && data[i - 1] == '\r' && data[i - 2] == '\n' &&
            data[i - 3] == '\r')
            return i + 1;
    return 0;
}

/* One header line split into name and value (spaces around the value
 * trimmed). */
struct header_field {
    const char *name;
    size_t name_size;
    const char *value;
    size_t value_size;
};

/* The value of header name in the lines of a header (after its first
 * line), false when it is missing, malformed or repeated. */
static bool find_field(const char *header, size_t size, const char *name,
                       struct header_field *out)
{
    bool found = false;
    const char *line = memchr(header, '\n', size);
    const char *end = header + size;
    while (line != NULL && ++line < end) {
        const char *line_end = memchr(line, '\n', (size_t) (end - line));
        if (line_end == NULL || line_end == line || line_end[-1] != '\r')
            return false;
        const char *colon = memchr(line, ':', (size_t) (line_end - line));
        size_t name_size = colon != NULL ? (size_t) (colon - line) : 0;
        if (colon != NULL && name_size == strlen(name) &&
            strncasecmp(line, name, name_size) == 0) {
            if (found)
                return false;
            const char *value = colon + 1;
            const char *value_end = line_end - 1;
            while (value < value_end && (*value == ' ' || *value == '\t'))
                value++;
            while (value_end > value &&
                   (value_end[-1] == ' ' || value_end[-1] == '\t'))
                value_end--;
            *out = (struct header_field){ line, name_size, value,
                                          (size_t) (value_end - value) };
            found = true;
        }
        line = line_end;
    }
    return found;
}

/* Whether the comma list of field holds token (case-insensitively when
 * fold). */
static bool has_token(const struct header_field *field, const char *token,
                      bool fold)
{
    size_t token_size = strlen(token);
    const char *p = field->value;
    const char *end = field->value + field->value_size;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t) (end - p));
        const char *item_end = comma != NULL ? comma : end;
        while (p < item_end && (*p == ' ' || *p == '\t'))
            p++;
        const char *last = item_end;
        while (last > p && (last[-1] == ' ' || last[-1] == '\t'))
            last--;
        size_t item_size = (size_t) (last - p);
        if (item_size == token_size &&
            (fold ? strncasecmp(p, token, token_size) == 0
                  : memcmp(p, token, token_size) == 0))
            return true;
        p = item_end + 1;
    }
    return false;
}

static bool field_has(const char *header, size_t size, const char *name,
                      const char *token, bool fold)
{
    struct header_field field;
    return find_field(header, size, name, &field) &&
           has_token(&field, token, fold);
}

/* The lines both sides' headers must have. */
static bool upgrade_fields(const char *header, size_t size)
{
    return field_has(header, size, "Upgrade", "websocket", true) &&
           field_has(header, size, "Connection", "Upgrade", true);
}

int ws_request_check(const char *request, size_t size, const char *path,
                     const char *protocol, char key[WS_KEY_SIZE + 1])
{
    size_t path_size = strlen(path);
    const char *line_end = memchr(request, '\r', size);
    if (line_end == NULL || size < 4 || memcmp(request, "GET ", 4) != 0)
        return fail(EPROTO);
    const char *target = request + 4;
    size_t line_rest = (size_t) (line_end - target);
    static const char version[] = " HTTP/1.1";
    if (line_rest != path_size + strlen(version) ||
        memcmp(target, path, path_size) != 0 ||
        memcmp(target + path_size, version, strlen(version)) != 0)
        return fail(EPROTO);
    struct header_field host, field;
    if (!find_field(request, size, "Host", &host) || host.value_size == 0 ||
        !upgrade_fields(request, size) ||
        !field_has(request, size, "Sec-WebSocket-Version", "13", false) ||
        !field_has(request, size, "Sec-WebSocket-Protocol", protocol, false) ||
        !find_field(request, size, "Sec-WebSocket-Key", &field) ||
        field.value_size != WS_KEY_SIZE)
        return fail(EPROTO);
    /* 16 bytes in base64: 22 characters of the alphabet and "==". */
    for (size_t i = 0; i < WS_KEY_SIZE - 2; i++) {
        char c = field.value[i];
        if (!g_ascii_isalnum(c) && c != '+' && c != '/')
            return fail(EPROTO);
    }
    if (field.value[22] != '=' || field.value[23] != '=')
        return fail(EPROTO);
    memcpy(key, field.value, WS_KEY_SIZE);
    key[WS_KEY_SIZE] = '\0';
    return 0;
}

int ws_response_check(const char *response, size_t size, const char *key,
                      const char *protocol)
{
    static const char status[] = "HTTP/1.1 101";
    size_t status_size = strlen(status);
    if (size <= status_size || memcmp(response, status, status_size) != 0 ||
        (response[status_size] != ' ' && response[status_size] != '\r'))
        return fail(EPROTO);
    char accept[WS_ACCEPT_SIZE + 1];
    ws_accept_for(key, strlen(key), accept);
    struct header_field field;
    if (!upgrade_fields(response, size) ||
        !find_field(response, size, "Sec-WebSocket-Accept", &field) ||
        field.value_size != WS_ACCEPT_SIZE ||
        memcmp(field.value, accept, WS_ACCEPT_SIZE) != 0 ||
        !find_field(response, size, "Sec-WebSocket-Protocol", &field) ||
        field.value_size != strlen(protocol) ||
        memcmp(field.value, protocol, field.value_size) != 0)
        return fail(EPROTO);
    return 0;
}
