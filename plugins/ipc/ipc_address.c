/*
 * ipc plugin: Unix domain socket addresses (see ipc_address.h). In the
 * abstract namespace the name is the bytes after a leading NUL, so its
 * length, not a terminator, ends it.
 */
#include "ipc_address.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fail(int error)
{
    errno = error;
    return -1;
}

static socklen_t path_offset(void)
{
    return (socklen_t) offsetof(struct sockaddr_un, sun_path);
}

int ipc_address_parse(const char *text, struct ipc_address *out)
{
    memset(out, 0, sizeof *out);
    size_t length = strlen(text);
    /* An abstract address needs a name: "@" alone is EINVAL, as in
     * libzmq. */
    if (length == 0 || strcmp(text, "@") == 0)
        return fail(EINVAL);
    if (length >= sizeof out->sun.sun_path)
        return fail(ENAMETOOLONG);
    out->sun.sun_family = AF_UNIX;
    memcpy(out->sun.sun_path, text, length);
    out->abstract = text[0] == '@';
    if (out->abstract) {
        out->sun.sun_path[0] = '\0';
        out->length = path_offset() + (socklen_t) length;
    } else {
        out->length = path_offset() + (socklen_t) length + 1;
    }
    return 0;
}

int ipc_address_wildcard(struct ipc_address *out, char *directory, size_t size)
{
    const char *base = secure_getenv("TMPDIR");
    if (base == NULL || base[0] == '\0')
        base = "/tmp";
    int written = snprintf(directory, size, "%s/modzmq-XXXXXX", base);
    if (written < 0 || (size_t) written >= size)
        return fail(ENAMETOOLONG);
    if (mkdtemp(directory) == NULL)
        return -1;
    char path[sizeof out->sun.sun_path + 1];
    written = snprintf(path, sizeof path, "%s/socket", directory);
    if (written < 0 || (size_t) written >= sizeof path ||
        ipc_address_parse(path, out) != 0) {
        rmdir(directory);
        directory[0] = '\0';
        return fail(ENAMETOOLONG);
    }
    return 0;
}

int ipc_address_from_socket(int fd, struct ipc_address *out)
{
    memset(out, 0, sizeof *out);
    out->length = sizeof out->sun;
    if (getsockname(fd, (struct sockaddr *) &out->sun, &out->length) != 0)
        return -1;
    if (out->sun.sun_family != AF_UNIX)
        return fail(EINVAL);
    out->abstract = out->length > path_offset() && out->sun.sun_path[0] == 0;
    return 0;
}

int ipc_address_format(const struct ipc_address *address, char *buffer,
                       size_t size)
{
    const char *path = address->sun.sun_path;
    size_t length;
    if (address->abstract) {
        length = address->length - path_offset() - 1;
        path++;
    } else {
        length = strnlen(path, sizeof address->sun.sun_path);
    }
    const size_t prefix = strlen("ipc://") + (address->abstract ? 1 : 0);
    if (prefix + length >= size)
        return fail(ENOSPC);
    memcpy(buffer, address->abstract ? "ipc://@" : "ipc://", prefix);
    memcpy(buffer + prefix, path, length);
    buffer[prefix + length] = '\0';
    return (int) (prefix + length);
}
