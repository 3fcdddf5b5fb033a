/*
 * vsock plugin: parsing and writing AF_VSOCK addresses (see
 * vsock_address.h).
 */
#include "vsock_address.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static int fail(int error)
{
    errno = error;
    return -1;
}

/* A whole decimal u32 in text[0..length). */
static bool parse_number(const char *text, size_t length, unsigned *value)
{
    if (length == 0 || length > 10)
        return false;
    uint64_t n = 0;
    for (size_t i = 0; i < length; i++) {
        if (text[i] < '0' || text[i] > '9')
            return false;
        n = n * 10 + (uint64_t) (text[i] - '0');
    }
    if (n > UINT32_MAX)
        return false;
    *value = (unsigned) n;
    return true;
}

static bool is(const char *text, size_t length, const char *word)
{
    return length == strlen(word) && memcmp(text, word, length) == 0;
}

/* This machine's CID, as the vsock driver tells it. */
static int local_cid(unsigned *cid)
{
    int fd = open("/dev/vsock", O_RDONLY | O_CLOEXEC);
    if (fd == -1)
        return fail(ENODEV);
    unsigned value = VMADDR_CID_ANY;
    int rc = ioctl(fd, IOCTL_VM_SOCKETS_GET_LOCAL_CID, &value);
    close(fd);
    if (rc != 0 || value == VMADDR_CID_ANY)
        return fail(ENODEV);
    *cid = value;
    return 0;
}

int vsock_address_parse(const char *text, bool bind, struct sockaddr_vm *out)
{
    if (text == NULL || out == NULL)
        return fail(EINVAL);
    const char *colon = strrchr(text, ':');
    if (colon == NULL)
        return fail(EINVAL);
    size_t cid_length = (size_t) (colon - text);
    const char *port_text = colon + 1;
    size_t port_length = strlen(port_text);
    memset(out, 0, sizeof *out);
    out->svm_family = AF_VSOCK;

    bool cid_any = is(text, cid_length, "*") || is(text, cid_length, "-1");
    if (cid_any)
        out->svm_cid = VMADDR_CID_ANY;
    else if (is(text, cid_length, "@")) {
        if (local_cid(&out->svm_cid) != 0)
            return -1;
    } else if (!parse_number(text, cid_length, &out->svm_cid))
        return fail(EINVAL);

    bool port_any =
        is(port_text, port_length, "*") || is(port_text, port_length, "-1");
    if (port_any)
        out->svm_port = VMADDR_PORT_ANY;
    else if (!parse_number(port_text, port_length, &out->svm_port))
        return fail(EINVAL);

    if (!bind && (out->svm_cid == VMADDR_CID_ANY ||
                  out->svm_port == VMADDR_PORT_ANY))
        return fail(EINVAL);
    return 0;
}

int vsock_address_format(const char *scheme, const struct sockaddr_vm *sa,
                         char *buffer, size_t size)
{
    char cid[16], port[16];
    if (sa->svm_cid == VMADDR_CID_ANY)
        strcpy(cid, "*");
    else
        snprintf(cid, sizeof cid, "%u", sa->svm_cid);
    if (sa->svm_port == VMADDR_PORT_ANY)
        strcpy(port, "*");
    else
        snprintf(port, sizeof port, "%u", sa->svm_port);
    int length = snprintf(buffer, size, "%s://%s:%s", scheme, cid, port);
    if (length < 0 || (size_t) length >= size)
        return fail(ENOSPC);
    return length;
}
