/*
 * Endpoint strings of connected fds; see fd_endpoint.h. The core names
 * the two ends of a connection for events without asking the transport,
 * since every stream transport that hands it an fd is a socket of one of
 * the families below.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "fd_endpoint.h"

/* The path of a unix socket address: "@name" for an abstract one. */
static void unix_path(const struct sockaddr_un *sun, socklen_t length,
                      char *out, size_t size)
{
    size_t offset = offsetof(struct sockaddr_un, sun_path);
    size_t path_length = length > offset ? length - offset : 0;
    if (path_length == 0) {
        out[0] = '\0';
        return;
    }
    if (sun->sun_path[0] == '\0') {
        snprintf(out, size, "@%.*s", (int) (path_length - 1),
                 sun->sun_path + 1);
        return;
    }
    snprintf(out, size, "%.*s", (int) strnlen(sun->sun_path, path_length),
             sun->sun_path);
}

char *mz_fd_endpoint(int fd, bool local, const char *uri)
{
    struct sockaddr_storage storage;
    socklen_t length = sizeof storage;
    memset(&storage, 0, sizeof storage);
    int rc = local ? getsockname(fd, (struct sockaddr *) &storage, &length)
                   : getpeername(fd, (struct sockaddr *) &storage, &length);
    const char *sep = uri != NULL ? strstr(uri, "://") : NULL;
    int scheme_length = sep != NULL ? (int) (sep - uri) : 0;
    char address[sizeof(struct sockaddr_un) + 2];
    char text[sizeof address + 80];
    text[0] = '\0';
    if (rc == 0 && storage.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *) &storage;
        inet_ntop(AF_INET, &in->sin_addr, address, sizeof address);
        snprintf(text, sizeof text, "%.*s://%s:%u", scheme_length, uri, address,
                 (unsigned) ntohs(in->sin_port));
    } else if (rc == 0 && storage.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) &storage;
        inet_ntop(AF_INET6, &in6->sin6_addr, address, sizeof address);
        snprintf(text, sizeof text, "%.*s://[%s]:%u", scheme_length, uri,
                 address, (unsigned) ntohs(in6->sin6_port));
    } else if (rc == 0 && storage.ss_family == AF_UNIX) {
        unix_path((const struct sockaddr_un *) &storage, length, address,
                  sizeof address);
        snprintf(text, sizeof text, "%.*s://%s", scheme_length, uri, address);
    }
    return strdup(text);
}
