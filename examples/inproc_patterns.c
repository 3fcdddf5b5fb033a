/*
 * A tour of the classic ZeroMQ patterns over inproc, run on whatever
 * libzmq.so.5 the loader finds (modzmq's, when built here): a PAIR
 * conversation, a PUSH/PULL pipeline with three workers, REQ/REP
 * request-reply, and PUB/SUB with a topic filter. Exits non-zero if any
 * step does not behave as the pattern promises.
 */
#include <stdio.h>
#include <string.h>
#include <zmq.h>

static int failures;

static void expect(int ok, const char *what)
{
    printf("  %-58s %s\n", what, ok ? "ok" : "FAILED");
    if (!ok)
        failures++;
}

static int send_text(void *socket, const char *text, int flags)
{
    return zmq_send(socket, text, strlen(text), flags) == (int) strlen(text);
}

/* Receives one part as a string; empty string on failure. */
static const char *recv_text(void *socket)
{
    static char buf[256];
    int rc = zmq_recv(socket, buf, sizeof buf - 1, 0);
    buf[rc < 0 ? 0 : (rc < (int) sizeof buf - 1 ? rc : (int) sizeof buf - 1)] =
        '\0';
    return buf;
}

static void pair_conversation(void *ctx)
{
    puts("PAIR: two threads' worth of conversation on one pipe");
    void *left = zmq_socket(ctx, ZMQ_PAIR), *right = zmq_socket(ctx, ZMQ_PAIR);
    zmq_bind(left, "inproc://pair");
    zmq_connect(right, "inproc://pair");
    send_text(left, "ping", 0);
    expect(strcmp(recv_text(right), "ping") == 0, "right hears ping");
    send_text(right, "pong", 0);
    expect(strcmp(recv_text(left), "pong") == 0, "left hears pong");
    zmq_close(left);
    zmq_close(right);
}

static void pipeline(void *ctx)
{
    puts("PUSH/PULL: a ventilator spreads 9 tasks over 3 workers");
    void *ventilator = zmq_socket(ctx, ZMQ_PUSH);
    void *workers[3];
    zmq_bind(ventilator, "inproc://tasks");
    for (int i = 0; i < 3; i++) {
        workers[i] = zmq_socket(ctx, ZMQ_PULL);
        zmq_connect(workers[i], "inproc://tasks");
    }
    for (int task = 0; task < 9; task++) {
        char text[16];
        snprintf(text, sizeof text, "task %d", task);
        send_text(ventilator, text, 0);
    }
    for (int i = 0; i < 3; i++) {
        int received = 0;
        char buf[16];
        while (zmq_recv(workers[i], buf, sizeof buf, ZMQ_DONTWAIT) > 0)
            received++;
        char what[64];
        snprintf(what, sizeof what, "worker %d got its fair share (%d of 9)", i,
                 received);
        expect(received == 3, what);
        zmq_close(workers[i]);
    }
    zmq_close(ventilator);
}

static void request_reply(void *ctx)
{
    puts("REQ/REP: a client asks, a server answers, in lock step");
    void *server = zmq_socket(ctx, ZMQ_REP), *client = zmq_socket(ctx, ZMQ_REQ);
    zmq_bind(server, "inproc://service");
    zmq_connect(client, "inproc://service");
    for (int i = 1; i <= 3; i++) {
        char question[32], answer[32];
        snprintf(question, sizeof question, "what is %d squared?", i);
        send_text(client, question, 0);
        expect(strcmp(recv_text(server), question) == 0, question);
        snprintf(answer, sizeof answer, "%d", i * i);
        send_text(server, answer, 0);
        expect(strcmp(recv_text(client), answer) == 0,
               "the answer comes back to the asker");
    }
    expect(send_text(server, "unasked", 0) == 0 && zmq_errno() == EFSM,
           "a REP cannot speak out of turn (EFSM)");
    zmq_close(server);
    zmq_close(client);
}

static void publish_subscribe(void *ctx)
{
    puts("PUB/SUB: a subscriber sees only the topics it asked for");
    void *publisher = zmq_socket(ctx, ZMQ_PUB),
         *subscriber = zmq_socket(ctx, ZMQ_SUB);
    zmq_bind(publisher, "inproc://news");
    zmq_connect(subscriber, "inproc://news");
    zmq_setsockopt(subscriber, ZMQ_SUBSCRIBE, "weather.", 8);
    /* The subscription travels to the publisher through the pipe: a
     * receive with a short timeout lets it arrive before publishing. */
    int timeout = 100;
    zmq_setsockopt(subscriber, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    char scratch[8];
    zmq_recv(subscriber, scratch, sizeof scratch, ZMQ_DONTWAIT);
    send_text(publisher, "sports.football 2-1", 0);
    send_text(publisher, "weather.paris sunny", 0);
    send_text(publisher, "weather.oslo snow", 0);
    expect(strcmp(recv_text(subscriber), "weather.paris sunny") == 0,
           "first weather report");
    expect(strcmp(recv_text(subscriber), "weather.oslo snow") == 0,
           "second weather report");
    expect(zmq_recv(subscriber, scratch, sizeof scratch, 0) == -1 &&
               zmq_errno() == EAGAIN,
           "no sports news");
    zmq_close(publisher);
    zmq_close(subscriber);
}

int main(void)
{
    int major, minor, patch;
    zmq_version(&major, &minor, &patch);
    printf("ZeroMQ API %d.%d.%d\n", major, minor, patch);
    void *ctx = zmq_ctx_new();
    pair_conversation(ctx);
    pipeline(ctx);
    request_reply(ctx);
    publish_subscribe(ctx);
    zmq_ctx_term(ctx);
    printf("%s\n",
           failures == 0 ? "all patterns behaved" : "SOME PATTERNS FAILED");
    return failures == 0 ? 0 : 1;
}
