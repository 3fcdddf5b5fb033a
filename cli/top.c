/*
 * modzmq top (see top.h). Each frame fetches one snapshot from the stats
 * plugin's AF_UNIX endpoint (the text form plugins/stats/stats.c
 * documents), and shows it as a table, with rates from the difference to
 * the frame before: a socket's counters are taken on its own thread when
 * its application calls it, so each rate is over the time between its
 * two answers, not between the two frames.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "top.h"

enum { COUNTERS = 5, DEFAULT_FETCH_TIMEOUT_MS = 2000, SNAPSHOT_MAX = 1 << 24 };

/* What a socket line or a peer line carries. */
struct top_row {
    unsigned socket;  /* the socket's id */
    char *type;       /* sockets: PUB...; "-" before its first answer */
    char *endpoint;   /* peers: the peer; sockets: "bind:... connect:..." */
    long long age_ms; /* sockets: -1 when it never answered */
    bool stale;
    bool peer;
    uint64_t values[COUNTERS]; /* msgs in, bytes in, msgs out, bytes out,
                                * dropped */
    uint64_t hwm_hits;
};

struct top_snapshot {
    long pid;
    long interval_ms;
    long long time_ms;
    struct top_row *rows;
    size_t count;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int signal_number)
{
    (void) signal_number;
    interrupted = 1;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void snapshot_free(struct top_snapshot *s)
{
    for (size_t i = 0; i < s->count; i++) {
        free(s->rows[i].type);
        free(s->rows[i].endpoint);
    }
    free(s->rows);
    *s = (struct top_snapshot){ 0 };
}

/* The AF_UNIX address of "@name" (abstract) or a path. */
static bool address_of(const char *endpoint, struct sockaddr_un *address,
                       socklen_t *length)
{
    size_t size = strlen(endpoint);
    if (size < 2 || size >= sizeof address->sun_path)
        return false;
    *address = (struct sockaddr_un){ .sun_family = AF_UNIX };
    memcpy(address->sun_path, endpoint, size);
    bool abstract = endpoint[0] == '@';
    if (abstract)
        address->sun_path[0] = '\0';
    *length = (socklen_t) (offsetof(struct sockaddr_un, sun_path) + size +
                           (abstract ? 0 : 1));
    return true;
}

/* Reads the whole snapshot text into *text; an exit code. */
static int fetch(const char *endpoint, long timeout_ms, char **text)
{
    struct sockaddr_un address;
    socklen_t length;
    if (!address_of(endpoint, &address, &length))
        return cli_fail(CLI_EXIT_USAGE,
                        "'%s' is not an AF_UNIX endpoint "
                        "(a path, or @name)",
                        endpoint);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return cli_fail(CLI_EXIT_RUNTIME, "socket: %s", strerror(errno));
    if (connect(fd, (struct sockaddr *) &address, length) < 0) {
        int error = errno;
        close(fd);
        return cli_fail(CLI_EXIT_RUNTIME,
                        "no stats endpoint at %s (%s): does the process run "
                        "with MODZMQ_OBSERVERS=stats?",
                        endpoint, strerror(error));
    }
    size_t size = 0, capacity = 4096;
    char *buffer = malloc(capacity);
    if (buffer == NULL) {
        close(fd);
        return cli_fail(CLI_EXIT_RUNTIME, "out of memory");
    }
    long long deadline = now_ms() + timeout_ms;
    int code = CLI_EXIT_OK;
    for (;;) {
        long long left = deadline - now_ms();
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int ready = left > 0 ? poll(&p, 1, (int) left) : 0;
        if (ready < 0 && errno == EINTR && !interrupted)
            continue;
        if (ready < 0) {
            code = CLI_EXIT_RUNTIME; /* interrupted: the caller's to say */
            break;
        }
        if (ready == 0) {
            code = cli_fail(CLI_EXIT_TIMEOUT, "%s sent no snapshot in %ld ms",
                            endpoint, timeout_ms);
            break;
        }
        if (size + 1 == capacity) {
            capacity *= 2;
            char *grown =
                capacity <= SNAPSHOT_MAX ? realloc(buffer, capacity) : NULL;
            if (grown == NULL) {
                code = cli_fail(CLI_EXIT_RUNTIME, "snapshot too large");
                break;
            }
            buffer = grown;
        }
        ssize_t got = read(fd, buffer + size, capacity - 1 - size);
        if (got == 0)
            break;
        if (got < 0 && errno != EINTR) {
            code =
                cli_fail(CLI_EXIT_RUNTIME, "%s: %s", endpoint, strerror(errno));
            break;
        }
        if (got > 0)
            size += (size_t) got;
    }
    close(fd);
    buffer[size] = '\0';
    if (code != CLI_EXIT_OK) {
        free(buffer);
        return code;
    }
    *text = buffer;
    return CLI_EXIT_OK;
}

/* The value of key= in a line of fields, as a new string; NULL if none. */
static char *field(const char *line, const char *key)
{
    size_t key_size = strlen(key);
    for (const char *at = line; *at != '\0';) {
        at += strspn(at, " ");
        size_t size = strcspn(at, " \n");
        if (size > key_size && strncmp(at, key, key_size) == 0 &&
            at[key_size] == '=')
            return strndup(at + key_size + 1, size - key_size - 1);
        at += size;
        if (*at == '\n')
            break;
    }
    return NULL;
}

static bool number_field(const char *line, const char *key, long long *value)
{
    char *text = field(line, key);
    if (text == NULL)
        return false;
    char *end;
    errno = 0;
    *value = strtoll(text, &end, 10);
    bool ok = errno == 0 && end != text && *end == '\0';
    free(text);
    return ok;
}

static bool counter_fields(const char *line, struct top_row *row)
{
    static const char *const keys[COUNTERS] = { "msgs_in", "bytes_in",
                                                "msgs_out", "bytes_out",
                                                "dropped" };
    long long value;
    for (int i = 0; i < COUNTERS; i++) {
        if (!number_field(line, keys[i], &value))
            return false;
        row->values[i] = (uint64_t) value;
    }
    if (!number_field(line, "hwm_hits", &value))
        return false;
    row->hwm_hits = (uint64_t) value;
    return true;
}

/* "bind:EP,EP connect:EP" from a socket line's lists, "-" fields left
 * out; "-" when both are. */
static char *socket_endpoints(const char *line)
{
    char *bound = field(line, "bound");
    char *connected = field(line, "connected");
    bool has_bound = bound != NULL && strcmp(bound, "-") != 0;
    bool has_connected = connected != NULL && strcmp(connected, "-") != 0;
    char *text = NULL;
    if (!has_bound && !has_connected)
        text = strdup("-");
    else if (asprintf(&text, "%s%s%s%s%s", has_bound ? "bind:" : "",
                      has_bound ? bound : "",
                      has_bound && has_connected ? " " : "",
                      has_connected ? "connect:" : "",
                      has_connected ? connected : "") < 0)
        text = NULL;
    free(bound);
    free(connected);
    return text;
}

static bool parse_row(const char *line, struct top_row *row)
{
    long long id, age = -1, stale = 0;
    *row = (struct top_row){ 0 };
    row->peer = strncmp(line, "peer ", 5) == 0;
    if (!number_field(line, row->peer ? "socket" : "id", &id) ||
        !counter_fields(line, row))
        return false;
    row->socket = (unsigned) id;
    if (row->peer) {
        row->endpoint = field(line, "endpoint");
        return row->endpoint != NULL;
    }
    row->type = field(line, "type");
    row->endpoint = socket_endpoints(line);
    if (!number_field(line, "age_ms", &age) ||
        !number_field(line, "stale", &stale) || row->type == NULL ||
        row->endpoint == NULL)
        return false;
    row->age_ms = age;
    row->stale = stale != 0;
    return true;
}

/* The snapshot's text into *s; false when it is not one. */
static bool parse(char *text, struct top_snapshot *s)
{
    *s = (struct top_snapshot){ 0 };
    long long pid, interval, time;
    if (strncmp(text, "modzmq-stats 1 ", 15) != 0 ||
        !number_field(text, "pid", &pid) ||
        !number_field(text, "interval_ms", &interval) ||
        !number_field(text, "time_ms", &time))
        return false;
    s->pid = (long) pid;
    s->interval_ms = (long) interval;
    s->time_ms = time;
    bool ended = false;
    for (char *line = strchr(text, '\n'); line != NULL && !ended;
         line = strchr(line, '\n')) {
        line++;
        if (strncmp(line, "end\n", 4) == 0) {
            ended = true;
            break;
        }
        if (strncmp(line, "socket ", 7) != 0 && strncmp(line, "peer ", 5) != 0)
            continue; /* a record of a later version */
        struct top_row *rows = realloc(s->rows, (s->count + 1) * sizeof *rows);
        if (rows == NULL)
            return false;
        s->rows = rows;
        if (!parse_row(line, &s->rows[s->count]))
            return false;
        s->count++;
    }
    return ended;
}

/* The row of the frame before that matches row, NULL if none. */
static const struct top_row *previous_row(const struct top_snapshot *before,
                                          const struct top_row *row)
{
    for (size_t i = 0; before != NULL && i < before->count; i++) {
        const struct top_row *old = &before->rows[i];
        if (old->socket == row->socket && old->peer == row->peer &&
            (!row->peer || strcmp(old->endpoint, row->endpoint) == 0))
            return old;
    }
    return NULL;
}

/* When the socket of row last answered, on the application's clock. */
static long long answered_at(const struct top_snapshot *s,
                             const struct top_row *row)
{
    for (size_t i = 0; i < s->count; i++) {
        if (!s->rows[i].peer && s->rows[i].socket == row->socket)
            return s->rows[i].age_ms < 0 ? -1 : s->time_ms - s->rows[i].age_ms;
    }
    return -1;
}

/* Messages per second of counter k between two answers, in text: "-"
 * when there is no earlier answer to compare with. */
static void rate(char *text, size_t size, const struct top_snapshot *before,
                 const struct top_snapshot *now, const struct top_row *row,
                 int k)
{
    const struct top_row *old = previous_row(before, row);
    long long then = old != NULL ? answered_at(before, old) : -1;
    long long at = answered_at(now, row);
    if (old == NULL || then < 0 || at < 0 || row->values[k] < old->values[k]) {
        snprintf(text, size, "-");
        return;
    }
    if (at == then) {
        snprintf(text, size, "%s", "0");
        return;
    }
    double per_second = (double) (row->values[k] - old->values[k]) * 1000.0 /
                        (double) (at - then);
    snprintf(text, size, "%.0f", per_second);
}

static void age_text(char *text, size_t size, const struct top_row *row)
{
    if (row->age_ms < 0)
        snprintf(text, size, "never");
    else if (row->stale)
        snprintf(text, size, "stale");
    else if (row->age_ms < 10000)
        snprintf(text, size, "%lldms", row->age_ms);
    else
        snprintf(text, size, "%llds", row->age_ms / 1000);
}

static void render(FILE *out, const struct top_snapshot *before,
                   const struct top_snapshot *now)
{
    size_t sockets = 0;
    for (size_t i = 0; i < now->count; i++)
        sockets += !now->rows[i].peer;
    fprintf(out, "modzmq top: pid %ld, %zu socket%s, counters every %ld ms\n",
            now->pid, sockets, sockets == 1 ? "" : "s", now->interval_ms);
    fprintf(out, "%4s %-7s %10s %8s %10s %8s %12s %12s %8s %6s %7s %s\n", "ID",
            "TYPE", "MSGS_IN", "IN/S", "MSGS_OUT", "OUT/S", "BYTES_IN",
            "BYTES_OUT", "DROPPED", "HWM", "AGE", "ENDPOINTS");
    for (size_t i = 0; i < now->count; i++) {
        const struct top_row *row = &now->rows[i];
        char in_rate[32], out_rate[32], age[32] = "-";
        rate(in_rate, sizeof in_rate, before, now, row, 0);
        rate(out_rate, sizeof out_rate, before, now, row, 2);
        char id[16] = "";
        if (!row->peer) {
            snprintf(id, sizeof id, "%u", row->socket);
            age_text(age, sizeof age, row);
        }
        fprintf(out,
                "%4s %-7s %10" PRIu64 " %8s %10" PRIu64 " %8s %12" PRIu64
                " %12" PRIu64 " %8" PRIu64 " %6" PRIu64 " %7s %s\n",
                id, row->peer ? "peer" : row->type, row->values[0], in_rate,
                row->values[2], out_rate, row->values[1], row->values[3],
                row->values[4], row->hwm_hits, age, row->endpoint);
    }
}

/* One snapshot fetched and parsed; an exit code. */
static int take(const char *endpoint, long timeout_ms, struct top_snapshot *s)
{
    char *text = NULL;
    int code = fetch(endpoint, timeout_ms, &text);
    if (code != CLI_EXIT_OK)
        return code;
    bool parsed = parse(text, s);
    free(text);
    if (!parsed) {
        snapshot_free(s);
        return cli_fail(CLI_EXIT_RUNTIME, "%s sent no modzmq-stats 1 snapshot",
                        endpoint);
    }
    return CLI_EXIT_OK;
}

/* Sleeps ms, or less when a signal came. */
static void pause_ms(long ms)
{
    struct timespec ts = { .tv_sec = ms / 1000,
                           .tv_nsec = (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

int cli_top_command(const struct cli_options *o)
{
    char fallback[64];
    const char *endpoint = o->top_endpoint;
    if (endpoint == NULL) {
        snprintf(fallback, sizeof fallback, "@modzmq-stats.%ld", o->top_pid);
        endpoint = fallback;
    }
    long timeout_ms =
        o->timeout_ms >= 0 ? o->timeout_ms : DEFAULT_FETCH_TIMEOUT_MS;
    long interval_ms = o->interval_ms > 0 ? o->interval_ms : 1000;
    struct sigaction action = { .sa_handler = on_signal };
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    bool clear = !o->top_once && isatty(STDOUT_FILENO);
    struct top_snapshot before = { 0 }, now = { 0 };
    int code = CLI_EXIT_OK;
    for (long frame = 0; !interrupted; frame++) {
        code = take(endpoint, timeout_ms, &now);
        if (code != CLI_EXIT_OK) {
            /* SIGINT or SIGTERM while fetching: the end asked for. */
            if (interrupted)
                code = CLI_EXIT_OK;
            break;
        }
        if (clear)
            fputs("\033[H\033[2J", stdout);
        else if (frame > 0)
            fputc('\n', stdout);
        render(stdout, frame > 0 ? &before : NULL, &now);
        fflush(stdout);
        snapshot_free(&before);
        before = now;
        now = (struct top_snapshot){ 0 };
        if (o->top_once || (o->count >= 0 && frame + 1 >= o->count))
            break;
        pause_ms(interval_ms);
    }
    snapshot_free(&before);
    return code;
}
