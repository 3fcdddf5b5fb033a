/*
 * Bounded waits for the targets that run the library's threads (fuzz.h):
 * an EINTR is not the end of the wait, since libFuzzer's timeout alarm
 * interrupts one every second.
 */
#include <errno.h>
#include <poll.h>

#include "clock.h"
#include "fuzz.h"
#include "zmq.h"

static int left(uint64_t deadline)
{
    uint64_t now = mz_clock_ms();
    return now >= deadline ? 0 : (int) (deadline - now);
}

bool fuzz_zmq_readable(void *socket, int timeout_ms)
{
    uint64_t deadline = mz_clock_ms() + (uint64_t) timeout_ms;
    for (;;) {
        zmq_pollitem_t item = { .socket = socket, .events = ZMQ_POLLIN };
        int rc = zmq_poll(&item, 1, left(deadline));
        if (rc >= 0)
            return rc == 1;
        if (errno != EINTR || left(deadline) == 0)
            return false;
    }
}

bool fuzz_fd_readable(int fd, int timeout_ms)
{
    uint64_t deadline = mz_clock_ms() + (uint64_t) timeout_ms;
    for (;;) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        int rc = poll(&p, 1, left(deadline));
        if (rc >= 0)
            return rc == 1;
        if (errno != EINTR || left(deadline) == 0)
            return false;
    }
}
