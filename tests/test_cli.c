/*
 * The modzmq command-line tool (cli/), run as a subprocess against
 * libzmq 4.3.4 peers in another process (tests/peer.c) over tcp on
 * 127.0.0.1, the tool binding and the peer binding: every output format
 * byte for byte, both ways round and for a REQ's replies, multipart, PUB/SUB, REQ, CURVE with keys from
 * `modzmq keygen`, PLAIN, the monitor's JSON and its version 2 events
 * (PIPES_STATS) in both forms, the plugin list, `modzmq
 * top` on an application of this program's own (a child) that loaded the
 * stats observer, and the exit codes of usage errors and timeouts. Every wait on the tool is
 * bounded; a tool that outlives its bound is killed and the test fails.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zmq.h>

#include "child.h"
#include "peer.h"
#include "testutil.h"

#define TOOL_TIMEOUT_MS 15000

/* The tool running, its stdout and stderr read into buffers. */
struct tool {
    pid_t pid;
    int out, err;
    char stdout_text[1 << 16];
    size_t stdout_size;
    char stderr_text[1 << 14];
    size_t stderr_size;
};

/* Starts the tool with args (NULL-terminated, after "modzmq"), input on
 * its stdin (then closed; small enough for a pipe's buffer). */
static struct tool *tool_start(const char *const *args, const char *input)
{
    const char *argv[64] = { MODZMQ_TOOL };
    size_t argc = 1;
    while (args[argc - 1] != NULL && argc < 63) {
        argv[argc] = args[argc - 1];
        argc++;
    }
    argv[argc] = NULL;
    int in[2], out[2], err[2];
    if (pipe(in) < 0 || pipe(out) < 0 || pipe(err) < 0)
        return NULL;
    pid_t pid = fork();
    if (pid < 0)
        return NULL;
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(err[1], 2);
        for (int fd = 3; fd < 64; fd++)
            close(fd);
        execv(MODZMQ_TOOL, (char *const *) argv);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    close(err[1]);
    if (input != NULL && write(in[1], input, strlen(input)) < 0)
        perror("write");
    close(in[1]);
    struct tool *tool = calloc(1, sizeof *tool);
    if (tool == NULL)
        abort();
    tool->pid = pid;
    tool->out = out[0];
    tool->err = err[0];
    return tool;
}

/* Reads what the tool wrote, for at most ms; false at the end of both. */
static bool tool_pump(struct tool *t, int ms)
{
    struct pollfd fds[] = { { .fd = t->out, .events = POLLIN },
                            { .fd = t->err, .events = POLLIN } };
    if (t->out < 0 && t->err < 0)
        return false;
    if (poll(fds, 2, ms) <= 0)
        return true;
    int *fd[] = { &t->out, &t->err };
    char *buffer[] = { t->stdout_text, t->stderr_text };
    size_t *size[] = { &t->stdout_size, &t->stderr_size };
    size_t capacity[] = { sizeof t->stdout_text, sizeof t->stderr_text };
    for (int i = 0; i < 2; i++) {
        if (*fd[i] < 0 || !(fds[i].revents & (POLLIN | POLLHUP)))
            continue;
        ssize_t got = read(*fd[i], buffer[i] + *size[i],
                           capacity[i] - 1 - *size[i]);
        if (got <= 0) {
            close(*fd[i]);
            *fd[i] = -1;
        } else {
            *size[i] += (size_t) got;
            buffer[i][*size[i]] = '\0';
        }
    }
    return true;
}

/* Waits for text in the tool's stdout (or stderr) and returns where it
 * starts, or NULL after ms. */
static const char *tool_wait_for(struct tool *t, bool on_stderr,
                                 const char *text, int ms)
{
    long deadline = test_now_ms() + ms;
    for (;;) {
        const char *found = strstr(on_stderr ? t->stderr_text : t->stdout_text,
                                   text);
        if (found != NULL)
            return found;
        if (test_now_ms() >= deadline || !tool_pump(t, 50))
            return NULL;
    }
}

/* The endpoint the tool said with -v: "modzmq: bound ENDPOINT". */
static bool tool_bound(struct tool *t, char *endpoint, size_t size)
{
    long deadline = test_now_ms() + 10000;
    const char *line = tool_wait_for(t, true, "modzmq: bound ", 10000);
    /* The whole line: it may come in two reads. */
    while (line != NULL && strchr(line, '\n') == NULL &&
           test_now_ms() < deadline && tool_pump(t, 50))
        ;
    if (line == NULL || strchr(line, '\n') == NULL)
        return false;
    line += strlen("modzmq: bound ");
    size_t length = strcspn(line, "\n");
    if (length >= size)
        return false;
    memcpy(endpoint, line, length);
    endpoint[length] = '\0';
    return true;
}

/* The tool's exit code, its output all read; -1 when it had to be
 * killed after ms. The tool is freed, its output kept in *t's copy. */
static int tool_finish(struct tool *t, int ms)
{
    long deadline = test_now_ms() + ms;
    int status = 0;
    pid_t done = 0;
    while ((done = waitpid(t->pid, &status, WNOHANG)) == 0 &&
           test_now_ms() < deadline)
        tool_pump(t, 20);
    if (done != t->pid) {
        kill(t->pid, SIGKILL);
        waitpid(t->pid, &status, 0);
        fprintf(stderr, "the tool was killed after %d ms\n", ms);
    }
    while (tool_pump(t, 100))
        ;
    if (t->stderr_size > 0)
        fprintf(stderr, "tool's stderr: %s", t->stderr_text);
    if (done != t->pid || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

/* Runs the tool to its end and returns its exit code (output in *t). */
static int tool_run(struct tool *t, const char *const *args, const char *input)
{
    struct tool *started = tool_start(args, input);
    if (started == NULL)
        return -1;
    int code = tool_finish(started, TOOL_TIMEOUT_MS);
    *t = *started;
    free(started);
    return code;
}

static bool answer_is(struct test_peer *peer, const char *expected,
                      const char *format, const char *argument)
{
    const char *answer = test_peer_ask(peer, format, argument);
    if (answer == NULL || strcmp(answer, expected) != 0) {
        fprintf(stderr, "peer: '%s' answered '%s', not '%s'\n", format,
                answer != NULL ? answer : "(nothing)", expected);
        return false;
    }
    return true;
}

static bool starts_with(const char *text, const char *prefix)
{
    return strncmp(text, prefix, strlen(prefix)) == 0;
}

/* Starts the tool with args (which bind and say so with -v), then has
 * the peer make a socket of type and connect to what the tool bound
 * (into endpoint). NULL when the tool did not start. */
static struct tool *tool_start_with_peer(const char *const *args,
                                         struct test_peer *peer,
                                         const char *type, char *endpoint,
                                         size_t size)
{
    struct tool *t = tool_start(args, NULL);
    if (t == NULL)
        return NULL;
    CU_ASSERT_TRUE(tool_bound(t, endpoint, size));
    CU_ASSERT_TRUE(answer_is(peer, "ok", "socket %s", type));
    CU_ASSERT_TRUE(answer_is(peer, "ok", "connect %s", endpoint));
    return t;
}

/* The peer binds a socket of type; its endpoint into endpoint. */
static bool peer_bind(struct test_peer *peer, const char *type,
                      char *endpoint, size_t size)
{
    if (!answer_is(peer, "ok", "socket %s", type))
        return false;
    const char *answer = test_peer_ask(peer, "bind tcp://127.0.0.1:*");
    if (answer == NULL || strncmp(answer, "ok ", 3) != 0)
        return false;
    snprintf(endpoint, size, "%s", answer + 3);
    return true;
}

/* ---- output formats: the tool binding, connecting, sending --------- */

/* Two messages from a PUSH peer: "hello", then three parts
 * a"b, the empty part and \001\n. */
static const char *const format_names[] = { "raw", "line", "quoted", "hex",
                                            "msg" };
static const char *const format_outputs[] = {
    "helloa\"b\001\n",
    "hello\na\"b\001\n\n",
    "\"hello\"\n\"a\\\"b\" \"\" \"\\001\\n\"\n",
    "68656c6c6f\n612262 - 010a\n",
    "message 1: 1 part\n  [1] 5 \"hello\"\n"
    "message 2: 3 parts\n  [1] 3 \"a\\\"b\"\n  [2] 0 \"\"\n"
    "  [3] 2 \"\\001\\n\"\n",
};

/* Who binds, and which way the two messages go: to the tool's PULL,
 * bound or connecting, or as the replies to the tool's REQ. */
enum format_case { TOOL_BINDS, PEER_BINDS, PEER_REPLIES };

/* The two messages in each format: the tool's output byte for byte. */
static void run_format_case(enum format_case which)
{
    static const char *const messages[] = { "68656c6c6f", "612262 - 010a" };
    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    for (size_t i = 0; i < sizeof format_names / sizeof format_names[0]; i++) {
        char endpoint[256] = "tcp://127.0.0.1:*";
        if (which != TOOL_BINDS)
            CU_ASSERT_TRUE_FATAL(peer_bind(peer,
                                           which == PEER_BINDS ? "PUSH" : "REP",
                                           endpoint, sizeof endpoint));
        const char *args[] = { which == PEER_REPLIES ? "send" : "recv",
                               "-t",
                               which == PEER_REPLIES ? "req" : "pull",
                               which == TOOL_BINDS ? "-b" : "-c",
                               endpoint,
                               "-n",
                               "2",
                               "--format",
                               format_names[i],
                               "-w",
                               "10000",
                               "-v",
                               "-d",
                               "ping",
                               NULL };
        /* -d for the REQ's requests only. */
        if (which != PEER_REPLIES)
            args[12] = NULL;
        struct tool *t = which == TOOL_BINDS
                             ? tool_start_with_peer(args, peer, "PUSH",
                                                    endpoint, sizeof endpoint)
                             : tool_start(args, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        for (int m = 0; m < 2; m++) {
            if (which == PEER_REPLIES)
                CU_ASSERT_TRUE(answer_is(peer, "msg 70696e67", "recv", NULL));
            CU_ASSERT_TRUE(answer_is(peer, "ok", "send %s", messages[m]));
        }
        CU_ASSERT_EQUAL(tool_finish(t, TOOL_TIMEOUT_MS), 0);
        CU_ASSERT_EQUAL(t->stdout_size, strlen(format_outputs[i]));
        CU_ASSERT_EQUAL(memcmp(t->stdout_text, format_outputs[i],
                               strlen(format_outputs[i])), 0);
        if (strcmp(t->stdout_text, format_outputs[i]) != 0)
            fprintf(stderr, "format %s gave '%s'\n", format_names[i],
                    t->stdout_text);
        free(t);
    }
    test_peer_stop(peer);
}

static void test_formats_tool_binds(void)
{
    run_format_case(TOOL_BINDS);
}

/* The peer's send waits for the tool to connect. */
static void test_formats_tool_connects(void)
{
    run_format_case(PEER_BINDS);
}

/* The other direction: the tool's REQ asks a pyzmq REP, which answers
 * with the two messages. */
static void test_formats_of_replies(void)
{
    run_format_case(PEER_REPLIES);
}

/* The tool binding and sending, a pyzmq PULL connecting: its PUSH
 * waits for the peer, then both messages arrive whole. */
static void test_send_tool_binds(void)
{
    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    const char *args[] = {
        "send",   "-t",    "push",  "-b", "tcp://127.0.0.1:*",
        "-v",     "-d",    "hello", "-d", "a",
        "--more", "-d",    "",      "-n", "2",
        "-w",     "10000", NULL
    };
    char endpoint[256];
    struct tool *t =
        tool_start_with_peer(args, peer, "PULL", endpoint, sizeof endpoint);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_TRUE(answer_is(peer, "msg 68656c6c6f", "recv", NULL));
    CU_ASSERT_TRUE(answer_is(peer, "msg 61 -", "recv", NULL));
    CU_ASSERT_EQUAL(tool_finish(t, TOOL_TIMEOUT_MS), 0);
    free(t);
    test_peer_stop(peer);
}

/* ---- sending, the peer binding ------------------------------------- */

static void test_send_to_bound_peer(void)
{
    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    char endpoint[256];
    CU_ASSERT_TRUE_FATAL(peer_bind(peer, "PULL", endpoint, sizeof endpoint));
    struct tool t;
    /* -d x --more -d y: one message of two parts; -n 3 cycles. */
    const char *args[] = { "send", "-t", "push", "-c", endpoint, "-d", "x",
                           "--more", "-d", "y", "-d", "z", "-n", "3",
                           "-i", "10", "-w", "10000", NULL };
    CU_ASSERT_EQUAL(tool_run(&t, args, NULL), 0);
    CU_ASSERT_TRUE(answer_is(peer, "msg 78 79", "recv", NULL));
    CU_ASSERT_TRUE(answer_is(peer, "msg 7a", "recv", NULL));
    CU_ASSERT_TRUE(answer_is(peer, "msg 78 79", "recv", NULL));
    /* Standard input, a message a line; then the whole of it. */
    const char *lines[] = { "send", "-t", "push", "-c", endpoint, "-w",
                            "10000", NULL };
    CU_ASSERT_EQUAL(tool_run(&t, lines, "one\ntwo\n"), 0);
    CU_ASSERT_TRUE(answer_is(peer, "msg 6f6e65", "recv", NULL));
    CU_ASSERT_TRUE(answer_is(peer, "msg 74776f", "recv", NULL));
    const char *whole[] = { "send", "-t", "push", "-c", endpoint, "--whole",
                            "-w", "10000", NULL };
    CU_ASSERT_EQUAL(tool_run(&t, whole, "a\nb\n"), 0);
    CU_ASSERT_TRUE(answer_is(peer, "msg 610a620a", "recv", NULL));
    /* A file, one message. */
    char path[] = "/tmp/mz_cli_file_XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_EQUAL(write(fd, "file\001data", 9), 9);
    close(fd);
    const char *file[] = { "send", "-t", "push", "-c", endpoint, "-f", path,
                           "-w", "10000", "--progress", NULL };
    CU_ASSERT_EQUAL(tool_run(&t, file, NULL), 0);
    CU_ASSERT_TRUE(answer_is(peer, "msg 66696c650164617461", "recv", NULL));
    CU_ASSERT_PTR_NOT_NULL(strstr(t.stderr_text, "modzmq: total: 1 messages"));
    unlink(path);
    test_peer_stop(peer);
}

/* REQ sends, then prints the reply; the peer is a bound REP. */
static void test_req_prints_reply(void)
{
    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    char endpoint[256];
    CU_ASSERT_TRUE_FATAL(peer_bind(peer, "REP", endpoint, sizeof endpoint));
    const char *args[] = { "send", "-t", "req", "-c", endpoint, "-d", "ping",
                           "--format", "quoted", "-w", "10000", NULL };
    struct tool *t = tool_start(args, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_TRUE(answer_is(peer, "msg 70696e67", "recv", NULL));
    CU_ASSERT_TRUE(answer_is(peer, "ok", "send %s", "706f6e67"));
    CU_ASSERT_EQUAL(tool_finish(t, TOOL_TIMEOUT_MS), 0);
    CU_ASSERT_STRING_EQUAL(t->stdout_text, "\"pong\"\n");
    free(t);
    test_peer_stop(peer);
}

/* SUB with --subscribe takes only its topic, from a bound PUB peer that
 * publishes until the tool has one (the subscription takes a moment). */
static void test_subscribe(void)
{
    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    char endpoint[256];
    CU_ASSERT_TRUE_FATAL(peer_bind(peer, "PUB", endpoint, sizeof endpoint));
    const char *args[] = { "recv", "-t", "sub", "-c", endpoint, "--subscribe",
                           "hit", "-n", "2", "-w", "10000", NULL };
    struct tool *t = tool_start(args, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    for (int i = 0; i < 100 && strstr(t->stdout_text, "hit\nhit\n") == NULL;
         i++) {
        test_peer_ask(peer, "send %s", "6d697373"); /* miss */
        test_peer_ask(peer, "send %s", "686974");   /* hit */
        tool_pump(t, 50);
    }
    CU_ASSERT_EQUAL(tool_finish(t, TOOL_TIMEOUT_MS), 0);
    CU_ASSERT_STRING_EQUAL(t->stdout_text, "hit\nhit\n");
    free(t);
    test_peer_stop(peer);
}

/* ---- security ------------------------------------------------------ */

static bool read_file(const char *path, char *text, size_t size)
{
    FILE *file = fopen(path, "r");
    if (file == NULL)
        return false;
    size_t got = fread(text, 1, size - 1, file);
    text[got] = '\0';
    fclose(file);
    return true;
}

/* The value of a "name = value" line of a key file. */
static bool key_of(const char *text, const char *name, char *key)
{
    const char *line = strstr(text, name);
    if (line == NULL || sscanf(line + strlen(name), " = %40s", key) != 1)
        return false;
    return strlen(key) == 40;
}

/* keygen's files, their modes, its refusal to overwrite; then the tool
 * as a CURVE server with that key, a pyzmq CURVE client sending to it,
 * and the tool as a CURVE client of a pyzmq server. */
static void test_curve_with_keygen(void)
{
    char dir[] = "/tmp/mz_cli_keys_XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char base[128], pub[160], key[160];
    snprintf(base, sizeof base, "%s/server", dir);
    snprintf(pub, sizeof pub, "%s.pub", base);
    snprintf(key, sizeof key, "%s.key", base);
    struct tool t;
    const char *keygen[] = { "keygen", "-o", base, NULL };
    CU_ASSERT_EQUAL(tool_run(&t, keygen, NULL), 0);
    struct stat st;
    CU_ASSERT_EQUAL(stat(key, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    CU_ASSERT_EQUAL(stat(pub, &st), 0);
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0644);
    char text[512], public_key[41] = "", secret_key[41] = "";
    CU_ASSERT_TRUE(read_file(key, text, sizeof text));
    CU_ASSERT_TRUE(key_of(text, "public-key", public_key));
    CU_ASSERT_TRUE(key_of(text, "secret-key", secret_key));
    CU_ASSERT_EQUAL(tool_run(&t, keygen, NULL), 1);
    CU_ASSERT_EQUAL(strncmp(t.stderr_text, "modzmq: ", 8), 0);

    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    const char *server[] = { "recv", "-t", "pull", "-b", "tcp://127.0.0.1:*",
                             "-v", "--curve-server", "--curve-key", key,
                             "-n", "1", "-w", "10000", NULL };
    struct tool *s = tool_start(server, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    char endpoint[256];
    CU_ASSERT_TRUE(tool_bound(s, endpoint, sizeof endpoint));
    CU_ASSERT_TRUE(answer_is(peer, "ok", "socket %s", "PUSH"));
    const char *keys = test_peer_ask(peer, "keypair");
    char client_public[41], client_secret[41];
    CU_ASSERT_FATAL(keys != NULL &&
                    sscanf(keys, "keys %40s %40s", client_public,
                           client_secret) == 2);
    CU_ASSERT_TRUE(answer_is(peer, "ok", "set CURVE_SERVERKEY str:%s",
                             public_key));
    CU_ASSERT_TRUE(answer_is(peer, "ok", "set CURVE_PUBLICKEY str:%s",
                             client_public));
    CU_ASSERT_TRUE(answer_is(peer, "ok", "set CURVE_SECRETKEY str:%s",
                             client_secret));
    CU_ASSERT_TRUE(answer_is(peer, "ok", "connect %s", endpoint));
    CU_ASSERT_TRUE(answer_is(peer, "ok", "send %s", "736563726574"));
    CU_ASSERT_EQUAL(tool_finish(s, TOOL_TIMEOUT_MS), 0);
    CU_ASSERT_STRING_EQUAL(s->stdout_text, "secret\n");
    free(s);

    /* The pyzmq server's key as a .pub file in the tool's format. */
    CU_ASSERT_TRUE(answer_is(peer, "ok", "socket %s", "PULL"));
    CU_ASSERT_TRUE(answer_is(peer, "ok", "set CURVE_SERVER %s", "1"));
    CU_ASSERT_TRUE(answer_is(peer, "ok", "set CURVE_SECRETKEY str:%s",
                             client_secret));
    const char *bound = test_peer_ask(peer, "bind tcp://127.0.0.1:*");
    CU_ASSERT_FATAL(bound != NULL && strncmp(bound, "ok ", 3) == 0);
    snprintf(endpoint, sizeof endpoint, "%s", bound + 3);
    char peer_pub[160];
    snprintf(peer_pub, sizeof peer_pub, "%s/peer.pub", dir);
    FILE *file = fopen(peer_pub, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(file);
    fprintf(file, "# the peer\npublic-key = %s\n", client_public);
    fclose(file);
    const char *client[] = { "send", "-t", "push", "-c", endpoint,
                             "--curve-server-key", peer_pub, "-d", "hi",
                             "-w", "10000", NULL };
    CU_ASSERT_EQUAL(tool_run(&t, client, NULL), 0);
    CU_ASSERT_TRUE(answer_is(peer, "msg 6869", "recv", NULL));
    test_peer_stop(peer);
    unlink(peer_pub);
    unlink(pub);
    unlink(key);
    rmdir(dir);
}

/* A PLAIN client with the password a pyzmq authenticator knows. */
/* A PLAIN account file (--plain-file) in a new file of mode 0600; its
 * path into path (at least 64 bytes). */
static bool plain_file_make(char *path, const char *user, const char *password)
{
    snprintf(path, 64, "/tmp/modzmq-cli-plain.XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return false;
    FILE *file = fdopen(fd, "w");
    if (file == NULL) {
        close(fd);
        return false;
    }
    fprintf(file, "# the tool's account\nuser = %s\npassword = %s  \n", user,
            password);
    return fclose(file) == 0;
}

/* The tool as a PLAIN client of a pyzmq server: the account given on the
 * command line, then from a file. */
static void test_plain_client(void)
{
    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    CU_ASSERT_TRUE(answer_is(peer, "ok", "auth plain admin %s", "secret"));
    CU_ASSERT_TRUE(answer_is(peer, "ok", "socket %s", "PULL"));
    CU_ASSERT_TRUE(answer_is(peer, "ok", "set PLAIN_SERVER %s", "1"));
    const char *bound = test_peer_ask(peer, "bind tcp://127.0.0.1:*");
    CU_ASSERT_FATAL(bound != NULL && strncmp(bound, "ok ", 3) == 0);
    char endpoint[256];
    snprintf(endpoint, sizeof endpoint, "%s", bound + 3);
    char path[64];
    CU_ASSERT_TRUE_FATAL(plain_file_make(path, "admin", "secret"));
    struct tool t;
    const char *args[] = { "send", "-t", "push", "-c", endpoint,
                           "--plain-user", "admin", "--plain-password",
                           "secret", "-d", "plain", "-w", "10000", NULL };
    CU_ASSERT_EQUAL(tool_run(&t, args, NULL), 0);
    CU_ASSERT_TRUE(answer_is(peer, "msg 706c61696e", "recv", NULL));
    const char *from_file[] = { "send",   "-t",           "push",  "-c",
                                endpoint, "--plain-file", path,    "-d",
                                "file",   "-w",           "10000", NULL };
    CU_ASSERT_EQUAL(tool_run(&t, from_file, NULL), 0);
    CU_ASSERT_TRUE(answer_is(peer, "msg 66696c65", "recv", NULL));
    CU_ASSERT_EQUAL(t.stderr_size, 0);
    unlink(path);
    test_peer_stop(peer);
}

/* The tool as a PLAIN server (its own ZAP handler) of pyzmq clients, the
 * account from the command line, then from a file: a wrong password is
 * refused, the right one gets in. */
static void test_plain_server(void)
{
    char path[64];
    CU_ASSERT_TRUE_FATAL(plain_file_make(path, "u", "p"));
    for (int from_file = 0; from_file < 2; from_file++) {
        const char *args[] = { "recv",
                               "-t",
                               "pull",
                               "-b",
                               "tcp://127.0.0.1:*",
                               "-v",
                               "--plain-server",
                               "--monitor",
                               "-n",
                               "1",
                               "-w",
                               "10000",
                               "--plain-user",
                               "u",
                               "--plain-password",
                               "p",
                               NULL };
        if (from_file) {
            args[12] = "--plain-file";
            args[13] = path;
            args[14] = NULL;
        }
        struct tool *t = tool_start(args, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        char endpoint[256];
        CU_ASSERT_TRUE(tool_bound(t, endpoint, sizeof endpoint));
        struct test_peer *peer = test_peer_start();
        CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
        /* The wrong password first: its handshake fails on the tool. */
        CU_ASSERT_TRUE(answer_is(peer, "ok", "socket %s", "PUSH"));
        CU_ASSERT_TRUE(answer_is(peer, "ok", "set PLAIN_USERNAME str:%s", "u"));
        CU_ASSERT_TRUE(answer_is(peer, "ok", "set PLAIN_PASSWORD str:%s", "x"));
        CU_ASSERT_TRUE(answer_is(peer, "ok", "connect %s", endpoint));
        CU_ASSERT_PTR_NOT_NULL(
            tool_wait_for(t, true, "HANDSHAKE_FAILED_AUTH 400 ", 10000));
        CU_ASSERT_TRUE(answer_is(peer, "ok", "socket %s", "PUSH"));
        CU_ASSERT_TRUE(answer_is(peer, "ok", "set PLAIN_USERNAME str:%s", "u"));
        CU_ASSERT_TRUE(answer_is(peer, "ok", "set PLAIN_PASSWORD str:%s", "p"));
        CU_ASSERT_TRUE(answer_is(peer, "ok", "connect %s", endpoint));
        CU_ASSERT_TRUE(answer_is(peer, "ok", "send %s", "706c61696e"));
        CU_ASSERT_EQUAL(tool_finish(t, TOOL_TIMEOUT_MS), 0);
        CU_ASSERT_STRING_EQUAL(t->stdout_text, "plain\n");
        free(t);
        test_peer_stop(peer);
    }
    /* A file others may read is said, and still used; one without a
     * password line is refused; so is mixing it with --plain-user. */
    chmod(path, 0644);
    struct tool t;
    const char *readable[] = {
        "send",         "-t", "push", "-c", "tcp://127.0.0.1:1",
        "--plain-file", path, "-d",   "x",  "-w",
        "100",          NULL
    };
    tool_run(&t, readable, NULL);
    CU_ASSERT_PTR_NOT_NULL(strstr(t.stderr_text, "is readable by others"));
    FILE *file = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(file);
    fputs("user = u\n", file);
    fclose(file);
    CU_ASSERT_EQUAL(tool_run(&t, readable, NULL), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(t.stderr_text, ": no password line"));
    const char *mixed[] = {
        "send",         "-t", "push",         "-c", "tcp://127.0.0.1:1",
        "--plain-file", path, "--plain-user", "u",  NULL
    };
    CU_ASSERT_EQUAL(tool_run(&t, mixed, NULL), 2);
    unlink(path);
}

/* ---- monitor, plugins, exit codes ---------------------------------- */

/* monitor --json: LISTENING, then a pyzmq peer connecting gives
 * ACCEPTED and HANDSHAKE_SUCCEEDED, one JSON object a line. */
static void test_monitor_json(void)
{
    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    const char *args[] = {
        "monitor", "-t",     "pull", "-b", "tcp://127.0.0.1:*",
        "-v",      "--json", "-n",   "3",  "-w",
        "10000",   NULL
    };
    char endpoint[256];
    struct tool *t =
        tool_start_with_peer(args, peer, "PUSH", endpoint, sizeof endpoint);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_EQUAL(tool_finish(t, TOOL_TIMEOUT_MS), 0);
    char expected[1024];
    snprintf(expected, sizeof expected,
             "{\"event\":\"LISTENING\",\"id\":8,\"value\":");
    CU_ASSERT_EQUAL(strncmp(t->stdout_text, expected, strlen(expected)), 0);
    const char *names[] = { "LISTENING\",\"id\":8,", "ACCEPTED\",\"id\":32,",
                            "HANDSHAKE_SUCCEEDED\",\"id\":4096,\"value\":0," };
    const char *line = t->stdout_text;
    for (int i = 0; i < 3; i++) {
        char tail[300];
        snprintf(tail, sizeof tail, "\"endpoint\":\"%s\"}\n", endpoint);
        const char *end = strchr(line, '\n');
        CU_ASSERT_FATAL(end != NULL);
        CU_ASSERT_EQUAL(strncmp(line, "{\"event\":\"", 10), 0);
        CU_ASSERT_EQUAL(strncmp(line + 10, names[i], strlen(names[i])), 0);
        CU_ASSERT_EQUAL(strncmp(end + 1 - strlen(tail), tail, strlen(tail)),
                        0);
        line = end + 1;
    }
    CU_ASSERT_EQUAL(*line, '\0');
    free(t);
    test_peer_stop(peer);
}

/* Version 2: every value and both endpoints, and PIPES_STATS asked for
 * every -i ms, in both forms, a pyzmq PUSH sending to the tool's PULL
 * (which never reads: the three messages stay queued inbound). */
static void test_monitor_v2(void)
{
    struct test_peer *peer = test_peer_start();
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    for (int json = 0; json < 2; json++) {
        const char *args[] = { "monitor",
                               "-t",
                               "pull",
                               "-b",
                               "tcp://127.0.0.1:*",
                               "-v",
                               "--v2",
                               "-i",
                               "400",
                               "-n",
                               "6",
                               "-w",
                               "10000",
                               json ? "--json" : NULL,
                               NULL };
        char endpoint[256];
        struct tool *t =
            tool_start_with_peer(args, peer, "PUSH", endpoint, sizeof endpoint);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        for (int i = 0; i < 3; i++)
            CU_ASSERT_TRUE(answer_is(peer, "ok", "send %s", "6869"));
        CU_ASSERT_EQUAL(tool_finish(t, TOOL_TIMEOUT_MS), 0);
        /* LISTENING, ACCEPTED, HANDSHAKE_SUCCEEDED, then PIPES_STATS. */
        char expected[3][512];
        if (json) {
            snprintf(expected[0], 512,
                     "{\"event\":\"LISTENING\",\"id\":8,"
                     "\"values\":[");
            snprintf(expected[1], 512, "],\"local\":\"%s\",\"remote\":\"",
                     endpoint);
            snprintf(expected[2], 512,
                     "{\"event\":\"PIPES_STATS\",\"id\":"
                     "65536,\"values\":[");
        } else {
            snprintf(expected[0], 512, "LISTENING ");
            snprintf(expected[1], 512, " %s ", endpoint);
            snprintf(expected[2], 512, "PIPES_STATS ");
        }
        const char *names[] = { "LISTENING", "ACCEPTED",
                                "HANDSHAKE_SUCCEEDED" };
        const char *line = t->stdout_text;
        for (int i = 0; i < 3; i++) {
            const char *end = strchr(line, '\n');
            CU_ASSERT_FATAL(end != NULL);
            CU_ASSERT_PTR_NOT_NULL(strstr(line, names[i]));
            /* Each names the bound endpoint as its local one. */
            const char *local = strstr(line, expected[1]);
            CU_ASSERT(local != NULL && local < end);
            line = end + 1;
        }
        CU_ASSERT(starts_with(t->stdout_text, expected[0]));
        /* The last PIPES_STATS: nothing outbound, the three inbound (in
         * parts, as far as the socket's end can tell: at least three, as
         * the monitor suite has it), and the peer's address. */
        const char *last = NULL;
        for (const char *at = line; (at = strstr(at, expected[2])) != NULL;
             at++)
            last = at;
        CU_ASSERT_PTR_NOT_NULL_FATAL(last);
        unsigned long long outbound = 1, inbound = 0;
        CU_ASSERT_EQUAL(sscanf(last + strlen(expected[2]), "%llu,%llu",
                               &outbound, &inbound),
                        2);
        CU_ASSERT_EQUAL(outbound, 0);
        CU_ASSERT(inbound >= 3);
        const char *remote =
            json ? "\"local\":\"\",\"remote\":\"tcp://127.0.0.1:"
                 : " - tcp://127.0.0.1:";
        CU_ASSERT_PTR_NOT_NULL(strstr(last, remote));
        free(t);
    }
    test_peer_stop(peer);
}

static void test_plugins_listed(void)
{
    struct tool t;
    const char *args[] = { "plugins", NULL };
    CU_ASSERT_EQUAL(tool_run(&t, args, NULL), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(t.stdout_text, "modzmq_tcp"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t.stdout_text, " loaded   transport "));
    CU_ASSERT_PTR_NOT_NULL(strstr(t.stdout_text, " loaded   mechanism "));
}

/* A refused plugin is listed with the core's reason. */
static void test_plugins_refused(void)
{
    const char *path = getenv("MODZMQ_PLUGIN_PATH");
    char *saved = strdup(path != NULL ? path : "");
    char *with_bad = malloc(strlen(saved) + sizeof TEST_PLUGIN_DIR + 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(saved);
    CU_ASSERT_PTR_NOT_NULL_FATAL(with_bad);
    sprintf(with_bad, "%s:%s", TEST_PLUGIN_DIR, saved);
    setenv("MODZMQ_PLUGIN_PATH", with_bad, 1);
    struct tool t;
    const char *args[] = { "plugins", NULL };
    CU_ASSERT_EQUAL(tool_run(&t, args, NULL), 0);
    setenv("MODZMQ_PLUGIN_PATH", saved, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(t.stdout_text,
                                  "modzmq_badabi      refused  built for SDK "
                                  "ABI 2.0, this core has "));
    CU_ASSERT_PTR_NOT_NULL(strstr(t.stdout_text,
                                  "modzmq_noentry     refused  it has no "
                                  "modzmq_plugin_entry symbol\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t.stdout_text, "modzmq_tcp         loaded"));
    free(saved);
    free(with_bad);
}

/* RADIO --group to DISH --join, tool to tool (libzmq 4.3.4 has no draft
 * types), the receiver's --monitor events on its stderr. */
static void test_radio_dish_monitored(void)
{
    const char *dish[] = { "recv", "-t", "dish", "--join", "weather", "-b",
                           "tcp://127.0.0.1:*", "-v", "--monitor", "-n", "1",
                           "-w", "10000", NULL };
    struct tool *d = tool_start(dish, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(d);
    char endpoint[256];
    CU_ASSERT_TRUE_FATAL(tool_bound(d, endpoint, sizeof endpoint));
    /* RADIO drops until the DISH has joined: it sends every 20 ms. */
    const char *radio[] = { "send", "-t", "radio", "--group", "weather",
                            "-c", endpoint, "-d", "sunny", "-n", "100", "-i",
                            "20", "-w", "5000", NULL };
    struct tool *r = tool_start(radio, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r);
    CU_ASSERT_EQUAL(tool_finish(d, TOOL_TIMEOUT_MS), 0);
    CU_ASSERT_EQUAL(tool_finish(r, TOOL_TIMEOUT_MS), 0);
    CU_ASSERT_STRING_EQUAL(d->stdout_text, "sunny\n");
    char expected[512];
    snprintf(expected, sizeof expected, "\nHANDSHAKE_SUCCEEDED 0 %s\n",
             endpoint);
    CU_ASSERT_PTR_NOT_NULL(strstr(d->stderr_text, "\nLISTENING "));
    CU_ASSERT_PTR_NOT_NULL(strstr(d->stderr_text, "\nACCEPTED "));
    CU_ASSERT_PTR_NOT_NULL(strstr(d->stderr_text, expected));
    free(d);
    free(r);
}

static void test_usage_errors(void)
{
    static const char *const cases[][8] = {
        { NULL },
        { "frobnicate", NULL },
        { "send", "-t", "bogus", "-c", "tcp://127.0.0.1:1", NULL },
        { "send", "-c", "tcp://127.0.0.1:1", NULL },
        { "recv", "-t", "pull", NULL },
        { "recv", "-t", "pull", "-b", "tcp://127.0.0.1:*", "-n", "x", NULL },
        { "recv", "-t", "pull", "-b", "tcp://127.0.0.1:*", "--format", "y",
          NULL },
        { "send", "-t", "push", "-c", "tcp://127.0.0.1:1", "--nope", NULL },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct tool t;
        CU_ASSERT_EQUAL(tool_run(&t, cases[i], NULL), 2);
        CU_ASSERT_EQUAL(strncmp(t.stderr_text, "modzmq: ", 8), 0);
        CU_ASSERT_EQUAL(strchr(t.stderr_text, '\n') - t.stderr_text + 1,
                        (long) t.stderr_size);
    }
}

/* --help documents the exit codes and the key file format. */
static void test_help(void)
{
    struct tool t;
    const char *args[] = { "--help", NULL };
    CU_ASSERT_EQUAL(tool_run(&t, args, NULL), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(t.stdout_text,
                                  "exit codes: 0 done; 1 a runtime or network "
                                  "error; 2 a usage error;\n3 a timeout"));
    CU_ASSERT_PTR_NOT_NULL(strstr(t.stdout_text, "secret-key lines, mode 0600"));
    CU_ASSERT_EQUAL(t.stderr_size, 0);
}

static void test_receive_timeout(void)
{
    struct tool t;
    const char *args[] = { "recv", "-t", "pull", "-b", "tcp://127.0.0.1:*",
                           "-w", "300", NULL };
    long started = test_now_ms();
    CU_ASSERT_EQUAL(tool_run(&t, args, NULL), 3);
    CU_ASSERT(test_now_ms() - started >= 300);
    CU_ASSERT_STRING_EQUAL(t.stderr_text,
                           "modzmq: 0 messages received in 300 ms\n");
    CU_ASSERT_EQUAL(t.stdout_size, 0);
}

/* ---- top: the counters of a running application ------------------ */

enum { TOP_MESSAGES = 100, TOP_SIZE = 10, TOP_PUBLISHED = 100, TOP_HWM = 5 };

static bool app_ok(int rc, const char *what)
{
    if (rc < 0)
        printf("failed %s: %s\n", what, zmq_strerror(errno));
    return rc >= 0;
}

/* The application top watches (a child of this program, loaded with
 * MODZMQ_OBSERVERS=stats): TOP_MESSAGES messages of TOP_SIZE bytes from
 * a PUSH to a PULL over tcp, all received; TOP_PUBLISHED from a PUB to a
 * SUB over inproc with high-water marks of TOP_HWM that the SUB never
 * reads, so the PUB meets its HWM and drops; and a PAIR bound on tcp that
 * is never called again. Then it says "ready" and polls the four others
 * (so they answer the observer) until killed. */
static int child_stats_app(void)
{
    void *ctx = zmq_ctx_new();
    void *push = zmq_socket(ctx, ZMQ_PUSH), *pull = zmq_socket(ctx, ZMQ_PULL);
    void *pub = zmq_socket(ctx, ZMQ_PUB), *sub = zmq_socket(ctx, ZMQ_SUB);
    void *pair = zmq_socket(ctx, ZMQ_PAIR);
    char endpoint[256];
    size_t size = sizeof endpoint;
    int hwm = TOP_HWM;
    if (!app_ok(zmq_bind(push, "tcp://127.0.0.1:*"), "bind") ||
        !app_ok(zmq_getsockopt(push, ZMQ_LAST_ENDPOINT, endpoint, &size),
                "endpoint") ||
        !app_ok(zmq_connect(pull, endpoint), "connect") ||
        !app_ok(zmq_setsockopt(pub, ZMQ_SNDHWM, &hwm, sizeof hwm), "hwm") ||
        !app_ok(zmq_setsockopt(sub, ZMQ_RCVHWM, &hwm, sizeof hwm), "hwm") ||
        !app_ok(zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0), "subscribe") ||
        !app_ok(zmq_bind(pub, "inproc://top-pub"), "bind pub") ||
        !app_ok(zmq_connect(sub, "inproc://top-pub"), "connect sub") ||
        !app_ok(zmq_bind(pair, "tcp://127.0.0.1:*"), "bind pair"))
        return 1;
    char body[TOP_SIZE];
    memset(body, 'x', sizeof body);
    for (int i = 0; i < TOP_MESSAGES; i++) {
        if (!app_ok(zmq_send(push, body, sizeof body, 0), "send") ||
            !app_ok(zmq_recv(pull, endpoint, sizeof endpoint, 0), "recv"))
            return 1;
    }
    for (int i = 0; i < TOP_PUBLISHED; i++) {
        if (!app_ok(zmq_send(pub, "abc", 3, ZMQ_DONTWAIT), "publish"))
            return 1;
    }
    printf("ready\n");
    fflush(stdout);
    zmq_pollitem_t items[] = { { push, 0, ZMQ_POLLIN, 0 },
                               { pull, 0, ZMQ_POLLIN, 0 },
                               { pub, 0, ZMQ_POLLIN, 0 },
                               { sub, 0, ZMQ_POLLOUT, 0 } };
    for (;;)
        zmq_poll(items, 4, 20);
}

/* One row of `top --once`, socket or peer. */
struct top_line {
    char type[16];
    unsigned long long in, out, bytes_in, bytes_out, dropped, hwm;
    char age[16];
    char endpoints[256];
};

/* The rows of top's table (after its two header lines). */
static size_t top_lines(const char *text, struct top_line *lines, size_t max)
{
    size_t count = 0;
    const char *line = strchr(text, '\n');
    line = line != NULL ? strchr(line + 1, '\n') : NULL;
    while (line != NULL && line[1] != '\0' && count < max) {
        line++;
        char id[16], in_rate[16], out_rate[16];
        struct top_line *l = &lines[count];
        const char *row = line;
        /* A peer's row has no id. */
        if (strncmp(row + strspn(row, " "), "peer ", 5) == 0)
            snprintf(id, sizeof id, "-");
        else if (sscanf(row, "%15s", id) != 1)
            break;
        else
            row = strstr(row, id) + strlen(id);
        l->endpoints[0] = '\0';
        if (sscanf(row,
                   "%15s %llu %15s %llu %15s %llu %llu %llu %llu %15s "
                   "%255[^\n]",
                   l->type, &l->in, in_rate, &l->out, out_rate, &l->bytes_in,
                   &l->bytes_out, &l->dropped, &l->hwm, l->age,
                   l->endpoints) < 10)
            break;
        count++;
        line = strchr(line, '\n');
    }
    return count;
}

static const struct top_line *top_find(const struct top_line *lines,
                                       size_t count, const char *type)
{
    for (size_t i = 0; i < count; i++) {
        if (strcmp(lines[i].type, type) == 0)
            return &lines[i];
    }
    return NULL;
}

/* The line after row, its first peer's, or NULL when row is the last. */
static const struct top_line *top_after(const struct top_line *lines,
                                        size_t count,
                                        const struct top_line *row)
{
    size_t next = (size_t) (row - lines) + 1;
    return next < count ? &lines[next] : NULL;
}

/* A socket that stopped answering, or never did. */
static bool silent(const struct top_line *row)
{
    return strcmp(row->age, "never") == 0 || strcmp(row->age, "stale") == 0;
}

/* Runs top with args (--once) until the PUSH and PUB rows show every message
 * (each socket answers when the application next polls it) and the PAIR,
 * which is never called, is silent (it may have answered once, before its
 * bind, and needs three intervals to go stale), at most 10 s; the rows
 * into lines. */
static size_t top_settled(const char *const *args, struct top_line *lines,
                          size_t max, struct tool *t)
{
    long deadline = test_now_ms() + 10000;
    size_t count = 0;
    do {
        if (tool_run(t, args, NULL) != 0)
            return 0;
        count = top_lines(t->stdout_text, lines, max);
        const struct top_line *push = top_find(lines, count, "PUSH");
        const struct top_line *pub = top_find(lines, count, "PUB");
        const struct top_line *pair = top_find(lines, count, "PAIR");
        if (pair == NULL)
            pair = top_find(lines, count, "-");
        if (push != NULL && push->out == TOP_MESSAGES && pub != NULL &&
            pub->dropped > 0 && pair != NULL && silent(pair))
            return count;
        usleep(100 * 1000);
    } while (test_now_ms() < deadline);
    fprintf(stderr, "top never showed every message:\n%s", t->stdout_text);
    return count;
}

static void test_top_counters(void)
{
    setenv("MODZMQ_OBSERVERS", "stats", 1);
    setenv("MODZMQ_STATS_INTERVAL", "100", 1);
    const char *const args[] = { "stats-app", NULL };
    struct test_child *app = test_child_start(args);
    unsetenv("MODZMQ_OBSERVERS");
    unsetenv("MODZMQ_STATS_INTERVAL");
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    const char *line = test_child_line(app, 10000);
    CU_ASSERT_PTR_NOT_NULL(line);
    CU_ASSERT(line != NULL && strcmp(line, "ready") == 0);
    struct top_line lines[16];
    struct tool t;
    char pid_text[32];
    snprintf(pid_text, sizeof pid_text, "%ld", (long) test_child_pid(app));
    const char *once[] = { "top", pid_text, "--once", NULL };
    size_t count = top_settled(once, lines, 16, &t);
    const struct top_line *push = top_find(lines, count, "PUSH");
    const struct top_line *pull = top_find(lines, count, "PULL");
    const struct top_line *pub = top_find(lines, count, "PUB");
    const struct top_line *sub = top_find(lines, count, "SUB");
    const struct top_line *pair = top_find(lines, count, "PAIR");
    CU_ASSERT_PTR_NOT_NULL_FATAL(push);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pull);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pub);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sub);
    /* Exact counts of what went over tcp, both ends. */
    CU_ASSERT_EQUAL(push->out, TOP_MESSAGES);
    CU_ASSERT_EQUAL(push->bytes_out, TOP_MESSAGES * TOP_SIZE);
    CU_ASSERT_EQUAL(push->in, 0);
    CU_ASSERT_EQUAL(push->dropped, 0);
    CU_ASSERT_EQUAL(pull->in, TOP_MESSAGES);
    CU_ASSERT_EQUAL(pull->bytes_in, TOP_MESSAGES * TOP_SIZE);
    CU_ASSERT_EQUAL(pull->out, 0);
    CU_ASSERT(starts_with(push->endpoints, "bind:tcp://127.0.0.1:"));
    CU_ASSERT(starts_with(pull->endpoints, "connect:tcp://127.0.0.1:"));
    /* Each one's peer, right after it, with the same counts: the PUSH's
     * named by the address it came from, the PULL's by the endpoint. */
    const struct top_line *peer = top_after(lines, count, push);
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    CU_ASSERT_STRING_EQUAL(peer->type, "peer");
    CU_ASSERT_EQUAL(peer->out, TOP_MESSAGES);
    CU_ASSERT_EQUAL(peer->bytes_out, TOP_MESSAGES * TOP_SIZE);
    CU_ASSERT(starts_with(peer->endpoints, "tcp://127.0.0.1:"));
    peer = top_after(lines, count, pull);
    CU_ASSERT_PTR_NOT_NULL_FATAL(peer);
    CU_ASSERT_STRING_EQUAL(peer->type, "peer");
    CU_ASSERT_EQUAL(peer->in, TOP_MESSAGES);
    CU_ASSERT_STRING_EQUAL(peer->endpoints, push->endpoints + strlen("bind:"));
    /* The PUB filled the inproc pipe, which holds both HWMs, met the HWM
     * and dropped. (The core counts the message that found the pipe full;
     * the later ones skip the pipe it then set aside.) */
    CU_ASSERT_EQUAL(pub->out, 2 * TOP_HWM);
    CU_ASSERT_EQUAL(pub->bytes_out, 2 * TOP_HWM * 3);
    CU_ASSERT(pub->dropped >= 1);
    CU_ASSERT_EQUAL(pub->hwm, 1);
    const struct top_line *pub_peer = top_after(lines, count, pub);
    CU_ASSERT_PTR_NOT_NULL_FATAL(pub_peer);
    CU_ASSERT_EQUAL(pub_peer->hwm, 1);
    /* The SUB never receives: it took at most the message ZMQ_EVENTS
     * looks ahead at. */
    CU_ASSERT(sub->in <= 1);
    CU_ASSERT_EQUAL(sub->bytes_in, sub->in * 3);
    /* The PAIR is never called: it never answered (its type unknown), or
     * answered once, around its bind, and went stale; either way it is
     * shown with the endpoint it bound. */
    if (pair == NULL)
        pair = top_find(lines, count, "-");
    CU_ASSERT_PTR_NOT_NULL_FATAL(pair);
    CU_ASSERT(silent(pair));
    CU_ASSERT(starts_with(pair->endpoints, "bind:tcp://127.0.0.1:"));

    /* Live: two tables, the second with rates (0 by now). */
    const char *live[] = { "top", pid_text, "-n", "2", "-i", "200", NULL };
    CU_ASSERT_EQUAL(tool_run(&t, live, NULL), 0);
    const char *second = strstr(t.stdout_text, "\n\nmodzmq top: pid ");
    CU_ASSERT_PTR_NOT_NULL(second);
    count = second != NULL ? top_lines(second + 2, lines, 16) : 0;
    push = top_find(lines, count, "PUSH");
    CU_ASSERT(push != NULL && push->out == TOP_MESSAGES);
    CU_ASSERT(strstr(second != NULL ? second : "", "\n   ") != NULL);
    test_child_kill(app);
}

/* MODZMQ_STATS_ENDPOINT naming a path: a socket file only its user may
 * use, which top --endpoint reads. */
static void test_top_endpoint_file(void)
{
    char dir[] = "/tmp/modzmq-cli-stats.XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/stats", dir);
    setenv("MODZMQ_OBSERVERS", "stats", 1);
    setenv("MODZMQ_STATS_ENDPOINT", path, 1);
    setenv("MODZMQ_STATS_INTERVAL", "100", 1);
    const char *const args[] = { "stats-app", NULL };
    struct test_child *app = test_child_start(args);
    unsetenv("MODZMQ_OBSERVERS");
    unsetenv("MODZMQ_STATS_ENDPOINT");
    unsetenv("MODZMQ_STATS_INTERVAL");
    CU_ASSERT_PTR_NOT_NULL_FATAL(app);
    const char *line = test_child_line(app, 10000);
    CU_ASSERT(line != NULL && strcmp(line, "ready") == 0);
    struct stat st;
    CU_ASSERT_EQUAL(stat(path, &st), 0);
    CU_ASSERT(S_ISSOCK(st.st_mode));
    CU_ASSERT_EQUAL(st.st_mode & 0777, 0600);
    struct tool t;
    const char *top[] = { "top", "--endpoint", path, "--once", NULL };
    struct top_line lines[16];
    size_t count = top_settled(top, lines, 16, &t);
    const struct top_line *push = top_find(lines, count, "PUSH");
    CU_ASSERT(push != NULL && push->out == TOP_MESSAGES);
    test_child_kill(app);
    unlink(path);
    rmdir(dir);
}

/* Usage errors of top's options and --v2, and a runtime error. */
static void test_top_errors(void)
{
    struct tool t;
    const char *no_target[] = { "top", "--once", NULL };
    CU_ASSERT_EQUAL(tool_run(&t, no_target, NULL), 2);
    const char *both[] = { "top", "1", "--endpoint", "@x", NULL };
    CU_ASSERT_EQUAL(tool_run(&t, both, NULL), 2);
    const char *once_elsewhere[] = {
        "recv", "-t", "pull", "-c", "tcp://127.0.0.1:1", "--once", NULL
    };
    CU_ASSERT_EQUAL(tool_run(&t, once_elsewhere, NULL), 2);
    const char *v2_elsewhere[] = {
        "recv", "-t", "pull", "-c", "tcp://127.0.0.1:1", "--v2", NULL
    };
    CU_ASSERT_EQUAL(tool_run(&t, v2_elsewhere, NULL), 2);
    /* Nobody serves there: a runtime error that says what to check. */
    const char *nobody[] = { "top", "--endpoint", "@modzmq-test-nobody",
                             "--once", NULL };
    CU_ASSERT_EQUAL(tool_run(&t, nobody, NULL), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(t.stderr_text, "MODZMQ_OBSERVERS=stats"));
}

int main(int argc, char **argv)
{
    if (test_is_child(argc, argv))
        return strcmp(argv[2], "stats-app") == 0 ? child_stats_app() : 99;
    signal(SIGPIPE, SIG_IGN);
    static const struct test_case tests[] = {
        { "output formats, the tool binding", test_formats_tool_binds },
        { "output formats, the peer binding", test_formats_tool_connects },
        { "output formats of REQ's replies", test_formats_of_replies },
        { "send, the tool binding", test_send_tool_binds },
        { "send to a bound peer: -d, --more, stdin, file",
          test_send_to_bound_peer },
        { "REQ prints the reply", test_req_prints_reply },
        { "SUB --subscribe", test_subscribe },
        { "CURVE with keygen's keys, both ways", test_curve_with_keygen },
        { "PLAIN client", test_plain_client },
        { "PLAIN server", test_plain_server },
        { "monitor --json", test_monitor_json },
        { "monitor --v2, PIPES_STATS, text and JSON", test_monitor_v2 },
        { "plugins", test_plugins_listed },
        { "plugins: refused, and why", test_plugins_refused },
        { "RADIO to DISH, recv --monitor", test_radio_dish_monitored },
        { "usage errors exit 2", test_usage_errors },
        { "--help", test_help },
        { "receive timeout exits 3", test_receive_timeout },
        { "top: an application's counters, exact", test_top_counters },
        { "top --endpoint: a socket file", test_top_endpoint_file },
        { "top: usage and runtime errors", test_top_errors },
    };
    return test_run_suite("cli", tests, sizeof tests / sizeof tests[0]);
}
