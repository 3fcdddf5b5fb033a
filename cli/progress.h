/*
 * --progress: how far a long transfer has come, on stderr, at most once
 * a second ("modzmq: 1200 messages, 1.2 MB, 1200 msg/s, 1.2 MB/s"), and
 * the totals at the end.
 */
#ifndef MODZMQ_CLI_PROGRESS_H
#define MODZMQ_CLI_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

struct cli_progress {
    bool enabled;
    unsigned long messages;
    unsigned long long bytes;
    double started; /* seconds, monotonic */
    double said;    /* when the last line was said */
};

void cli_progress_start(struct cli_progress *p, bool enabled);
/* Counts one message of size bytes. */
void cli_progress_count(struct cli_progress *p, size_t size);
/* Says the totals (when enabled). */
void cli_progress_end(struct cli_progress *p);

/* Milliseconds on the monotonic clock, for the tool's own deadlines. */
long cli_now_ms(void);

#endif
