/*
 * Progress and rates on stderr (see progress.h).
 */
#include <time.h>

#include "progress.h"
#include "report.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

long cli_now_ms(void)
{
    return (long) (now_s() * 1000.0);
}

static void say(const struct cli_progress *p, const char *when, double now)
{
    double elapsed = now - p->started;
    if (elapsed <= 0)
        elapsed = 1e-9;
    cli_note("%s%lu messages, %.3f MB in %.1f s, %.0f msg/s, %.3f MB/s", when,
             p->messages, (double) p->bytes / 1e6, elapsed,
             (double) p->messages / elapsed, (double) p->bytes / 1e6 / elapsed);
}

void cli_progress_start(struct cli_progress *p, bool enabled)
{
    *p = (struct cli_progress) { .enabled = enabled };
    p->started = p->said = now_s();
}

void cli_progress_count(struct cli_progress *p, size_t size)
{
    p->messages++;
    p->bytes += size;
    if (!p->enabled)
        return;
    double now = now_s();
    if (now - p->said >= 1.0) {
        p->said = now;
        say(p, "", now);
    }
}

void cli_progress_end(struct cli_progress *p)
{
    if (p->enabled)
        say(p, "total: ", now_s());
}
