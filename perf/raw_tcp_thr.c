/*
 * raw_tcp_thr: the physical ceiling for the tcp throughput rows, measured
 * with plain sockets over the loopback interface and no zmq at all.
 *
 * The main thread listens on 127.0.0.1 at a port the kernel picks; a second
 * thread connects and sends COUNT records of SIZE bytes, as a sensible
 * stream implementation would: records are laid out back to back in one
 * batch buffer of at least 64 KB (once, before the clock matters), and each
 * write() hands the kernel a whole batch, finishing partial writes. The
 * main thread reads 256 KB at a time until every byte has arrived. There is
 * no framing and no per-record work on either side, so no messaging library
 * over the same loopback can beat this figure.
 *
 * As in thr, the clock (CLOCK_MONOTONIC) starts when the first read returns
 * and stops when the last byte has arrived; the bytes of that first read are
 * left out of the rate, which is given in SIZE-byte records per second.
 *
 * Usage: raw_tcp_thr [SIZE [COUNT]]        (defaults 64 and 1000000)
 * Output, one line, in the format of the zmq tools:
 *   tool=raw_tcp_thr lib=none version=none transport=tcp endpoint=E
 *   pattern=stream size=S count=N elapsed_s=T msgs_per_sec=R mbit_per_sec=M
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "perf_util.h"

enum { MIN_WRITE_BYTES = 64 * 1024, READ_BYTES = 256 * 1024 };

struct writer_args {
    struct sockaddr_in address; /* where the main thread listens */
    size_t size;
    unsigned long count;
};

/* Reports a failed system call with errno's message and exits. */
static void die_errno(const char *what)
{
    fprintf(stderr, "%s failed: %s\n", what, strerror(errno));
    exit(1);
}

/* Writes all len bytes of buf, however many write() calls that takes. */
static void write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            die_errno("write");
        }
        buf += n;
        len -= (size_t) n;
    }
}

static void *writer(void *arg)
{
    const struct writer_args *a = arg;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        die_errno("socket(writer)");
    if (connect(fd, (const struct sockaddr *) &a->address, sizeof a->address) !=
        0)
        die_errno("connect");

    /* As many whole records as make at least MIN_WRITE_BYTES. */
    unsigned long per_batch = (MIN_WRITE_BYTES + a->size - 1) / a->size;
    char *batch = malloc(per_batch * a->size);
    if (batch == NULL) {
        fputs("out of memory\n", stderr);
        exit(1);
    }
    memset(batch, 'r', per_batch * a->size);

    for (unsigned long left = a->count; left > 0;) {
        unsigned long records = left < per_batch ? left : per_batch;
        write_all(fd, batch, records * a->size);
        left -= records;
    }
    free(batch);
    close(fd);
    return NULL;
}

/* A listening socket on 127.0.0.1 at a port the kernel chooses; the
 * address it got is written into address. */
static int listen_loopback(struct sockaddr_in *address)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        die_errno("socket(listener)");
    memset(address, 0, sizeof *address);
    address->sin_family = AF_INET;
    address->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address->sin_port = 0;
    socklen_t len = sizeof *address;
    if (bind(fd, (struct sockaddr *) address, sizeof *address) != 0)
        die_errno("bind");
    if (listen(fd, 1) != 0)
        die_errno("listen");
    if (getsockname(fd, (struct sockaddr *) address, &len) != 0)
        die_errno("getsockname");
    return fd;
}

int main(int argc, char **argv)
{
    if (argc > 3) {
        fprintf(stderr, "usage: %s [SIZE [COUNT]]\n", argv[0]);
        return 2;
    }
    size_t size = argc > 1 ? perf_parse_count("size", argv[1], 1) : 64;
    unsigned long count =
        argc > 2 ? perf_parse_count("count", argv[2], 2) : 1000000;

    struct writer_args args = { .size = size, .count = count };
    int listener = listen_loopback(&args.address);
    pthread_t thread;
    if (pthread_create(&thread, NULL, writer, &args) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    int fd = accept(listener, NULL, NULL);
    if (fd < 0)
        die_errno("accept");
    close(listener);

    char *buf = malloc(READ_BYTES);
    if (buf == NULL) {
        fputs("out of memory\n", stderr);
        return 1;
    }
    unsigned long long total = (unsigned long long) count * size;
    unsigned long long received = 0, first_read = 0;
    uint64_t start = 0;
    while (received < total) {
        ssize_t n = read(fd, buf, READ_BYTES);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            die_errno("read");
        if (n == 0) {
            fprintf(stderr, "connection closed after %llu of %llu bytes\n",
                    received, total);
            return 1;
        }
        if (received == 0) {
            start = perf_now_ns();
            first_read = (unsigned long long) n;
        }
        received += (unsigned long long) n;
    }
    uint64_t stop = perf_now_ns();
    free(buf);
    close(fd);
    pthread_join(thread, NULL);
    if (first_read == total) {
        fputs("everything came in one read: raise COUNT to time it\n", stderr);
        return 2;
    }

    double elapsed = (double) (stop - start) / 1e9;
    if (elapsed <= 0)
        elapsed = 1e-9;
    double timed_bytes = (double) (total - first_read);
    double rate = timed_bytes / (double) size / elapsed;
    double mbit = timed_bytes * 8.0 / elapsed / 1e6;

    printf("tool=raw_tcp_thr lib=none version=none transport=tcp"
           " endpoint=tcp://127.0.0.1:%u pattern=stream size=%zu count=%lu"
           " elapsed_s=%.6f msgs_per_sec=%.0f mbit_per_sec=%.3f\n",
           (unsigned) ntohs(args.address.sin_port), size, count, elapsed, rate,
           mbit);
    return 0;
}
