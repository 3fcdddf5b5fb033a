/*
 * The example web page (examples/ws/index.html with zws.js, plain
 * JavaScript over ZWS 2.0) in a real browser, headless Chromium, against
 * modzmq's ws transport: its SUB subscribes to "news" on our PUB, its
 * DEALER talks to our ROUTER, answers a ping and forwards what the SUB
 * gets. What the browser does comes back to this process only through
 * those sockets, so every step it reports is a message that crossed
 * WebSocket both ways.
 *
 * Chromium runs in a process group of its own with a scratch profile and
 * is killed at the end of the case; every wait is bounded. Without a
 * chromium on PATH the case fails, saying what to install.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"
#include "zmq.h"

enum { PAGE_TIMEOUT_S = 40 };

/* The browser binary on PATH, or NULL. */
static const char *find_chromium(char *path, size_t size)
{
    const char *names[] = { "chromium", "chromium-browser" };
    const char *search = getenv("PATH");
    if (search == NULL)
        return NULL;
    for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
        const char *dir = search;
        while (*dir != '\0') {
            size_t length = strcspn(dir, ":");
            snprintf(path, size, "%.*s/%s", (int) length, dir, names[n]);
            if (access(path, X_OK) == 0)
                return path;
            dir += length;
            if (*dir == ':')
                dir++;
        }
    }
    return NULL;
}

/* Starts the browser on url in a process group of its own, its output
 * in log_path; its pid, or -1. */
static pid_t start_browser(const char *chromium, const char *profile,
                           const char *url, const char *log_path)
{
    char profile_flag[PATH_MAX + 32];
    snprintf(profile_flag, sizeof profile_flag, "--user-data-dir=%s", profile);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    setpgid(0, 0);
    int log = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (log >= 0) {
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
        close(log);
    }
    /* --no-sandbox: the suite may run as root, where Chromium's sandbox
     * refuses to start. */
    execl(chromium, chromium, "--headless=new", "--no-sandbox",
          "--disable-gpu", "--no-first-run", "--disable-extensions",
          "--enable-logging=stderr", profile_flag, url, (char *) NULL);
    _exit(127);
}

static void stop_browser(pid_t pid)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

/* The page's console lines from the browser's log, for a failure. */
static void print_console(const char *log_path)
{
    FILE *log = fopen(log_path, "r");
    if (log == NULL)
        return;
    char line[1024];
    fprintf(stderr, "browser console:\n");
    while (fgets(line, sizeof line, log) != NULL) {
        if (strstr(line, "CONSOLE") != NULL)
            fprintf(stderr, "  %s", line);
    }
    fclose(log);
}

static void remove_tree(const char *dir)
{
    char command[PATH_MAX + 16];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    if (system(command) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* The page: hello, then pong 7 for our ping 7, then the news the SUB got;
 * never the weather, to which it did not subscribe. */
static void test_page_over_ws(void)
{
    char chromium_path[PATH_MAX];
    const char *chromium = find_chromium(chromium_path, sizeof chromium_path);
    if (chromium == NULL) {
        CU_FAIL_FATAL("no chromium on PATH (Debian: chromium; "
                      "tools/install-deps.sh installs it)");
        return;
    }
    const char *srcdir = getenv("srcdir");
    char page_path[PATH_MAX + 32], page[PATH_MAX];
    snprintf(page_path, sizeof page_path, "%s/examples/ws/index.html",
             srcdir != NULL ? srcdir : ".");
    CU_ASSERT_FATAL(realpath(page_path, page) != NULL);

    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_PUB);
    void *router = zmq_socket(ctx, ZMQ_ROUTER);
    char pub_endpoint[256], router_endpoint[256];
    CU_ASSERT_FATAL(test_bind_endpoint(pub, "ws://127.0.0.1:*/news",
                                       pub_endpoint, sizeof pub_endpoint));
    CU_ASSERT_FATAL(test_bind_endpoint(router, "ws://127.0.0.1:*/",
                                       router_endpoint,
                                       sizeof router_endpoint));

    char scratch[] = "/tmp/modzmq-browser.XXXXXX";
    CU_ASSERT_FATAL(mkdtemp(scratch) != NULL);
    char profile[sizeof scratch + 16], log_path[sizeof scratch + 16];
    snprintf(profile, sizeof profile, "%s/profile", scratch);
    snprintf(log_path, sizeof log_path, "%s/browser.log", scratch);
    char url[PATH_MAX + 600];
    snprintf(url, sizeof url, "file://%s?sub=%s&dealer=%s", page,
             pub_endpoint, router_endpoint);
    pid_t browser = start_browser(chromium, profile, url, log_path);
    CU_ASSERT_FATAL(browser > 0);

    bool hello = false, pong = false, news = false, weather = false;
    int64_t deadline = test_now_ms() + PAGE_TIMEOUT_S * 1000;
    while (test_now_ms() < deadline && !(hello && pong && news)) {
        /* Published every round: the SUB joins whenever the browser is
         * ready, and PUB drops what nobody has subscribed to yet. */
        test_send(pub, "news", ZMQ_SNDMORE);
        test_send(pub, "item 1", 0);
        test_send(pub, "weather", ZMQ_SNDMORE);
        test_send(pub, "rain", 0);
        char id[256], text[256];
        int id_size = test_recv(router, id, sizeof id, 200);
        if (id_size < 0)
            continue;
        CU_ASSERT_FATAL(test_get_int(router, ZMQ_RCVMORE) == 1);
        int size = test_recv(router, text, sizeof text, 1000);
        CU_ASSERT_FATAL(size >= 0);
        if (strcmp(text, "hello") == 0) {
            hello = true;
            CU_ASSERT(zmq_send(router, id, (size_t) id_size, ZMQ_SNDMORE) ==
                      id_size);
            CU_ASSERT(test_send(router, "ping 7", 0));
        } else if (strcmp(text, "pong 7") == 0) {
            pong = true;
        } else if (strcmp(text, "sub: news|item 1") == 0) {
            news = true;
        } else if (strncmp(text, "sub: weather", 12) == 0) {
            weather = true;
        } else {
            fprintf(stderr, "unexpected from the page: %s\n", text);
            CU_FAIL("the page sent something unexpected");
        }
    }
    stop_browser(browser);
    if (!(hello && pong && news))
        print_console(log_path);
    printf("\n  page over ws: hello %s, pong %s, news %s, weather %s\n",
           hello ? "yes" : "NO", pong ? "yes" : "NO", news ? "yes" : "NO",
           weather ? "YES (wrong)" : "no");
    CU_ASSERT(hello);
    CU_ASSERT(pong);
    CU_ASSERT(news);
    CU_ASSERT(!weather);
    remove_tree(scratch);
    test_close(pub);
    test_close(router);
    zmq_ctx_term(ctx);
}

int main(void)
{
    static const struct test_case tests[] = {
        { "the example page over ws in headless Chromium", test_page_over_ws },
    };
    return test_run_suite("ws_browser", tests, sizeof tests / sizeof tests[0]);
}
