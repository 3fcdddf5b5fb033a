/*
 * package_probe: what tools/check-packages.sh asks of an installed modzmq,
 * built inside the fresh Debian root against the -dev package alone.
 *
 *   package_probe ENDPOINT     a PAIR round trip over ENDPOINT (bound, then
 *                              connected with the bound port): exit 0
 *   package_probe -r ENDPOINT  expects zmq_bind to refuse ENDPOINT with
 *                              EPROTONOSUPPORT: exit 0 when it does
 *
 * Exit 1 with a line on stderr for anything else. Every wait is bounded
 * (ZMQ_RCVTIMEO and ZMQ_SNDTIMEO of 5 s).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <zmq.h>

static int fail(const char *what)
{
    fprintf(stderr, "package_probe: %s: %s\n", what, zmq_strerror(zmq_errno()));
    return 1;
}

static int expect_refused(void *ctx, const char *endpoint)
{
    void *s = zmq_socket(ctx, ZMQ_PAIR);
    if (s == NULL)
        return fail("zmq_socket");
    int rc = zmq_bind(s, endpoint);
    int err = zmq_errno();
    zmq_close(s);
    if (rc == 0) {
        fprintf(stderr, "package_probe: %s was bound, not refused\n", endpoint);
        return 1;
    }
    if (err != EPROTONOSUPPORT) {
        fprintf(stderr, "package_probe: %s refused with %s, not EPROTONOSUPPORT\n",
                endpoint, zmq_strerror(err));
        return 1;
    }
    return 0;
}

static int round_trip(void *ctx, const char *endpoint)
{
    int timeout = 5000, linger = 0;
    void *server = zmq_socket(ctx, ZMQ_PAIR);
    void *client = zmq_socket(ctx, ZMQ_PAIR);
    if (server == NULL || client == NULL)
        return fail("zmq_socket");
    zmq_setsockopt(server, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(client, ZMQ_SNDTIMEO, &timeout, sizeof timeout);
    zmq_setsockopt(server, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(client, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(server, endpoint) < 0)
        return fail("zmq_bind");
    char bound[256];
    size_t size = sizeof bound;
    if (zmq_getsockopt(server, ZMQ_LAST_ENDPOINT, bound, &size) < 0)
        return fail("ZMQ_LAST_ENDPOINT");
    if (zmq_connect(client, bound) < 0)
        return fail("zmq_connect");
    if (zmq_send(client, "probe", 5, 0) != 5)
        return fail("zmq_send");
    char reply[16];
    int n = zmq_recv(server, reply, sizeof reply, 0);
    if (n < 0)
        return fail("zmq_recv");
    if (n != 5 || memcmp(reply, "probe", 5) != 0) {
        fprintf(stderr, "package_probe: received %d wrong bytes\n", n);
        return 1;
    }
    zmq_close(client);
    zmq_close(server);
    return 0;
}

int main(int argc, char **argv)
{
    int refuse = argc == 3 && strcmp(argv[1], "-r") == 0;
    if (argc != 2 && !refuse) {
        fprintf(stderr, "usage: package_probe [-r] ENDPOINT\n");
        return 2;
    }
    void *ctx = zmq_ctx_new();
    if (ctx == NULL)
        return fail("zmq_ctx_new");
    int rc = refuse ? expect_refused(ctx, argv[2]) : round_trip(ctx, argv[1]);
    zmq_ctx_term(ctx);
    return rc;
}
