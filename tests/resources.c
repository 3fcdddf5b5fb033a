/*
 * Process resources for the stress and fault suites; see resources.h.
 */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "resources.h"

long test_raise_fd_limit(long wanted)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return -1;
    if (limit.rlim_cur != RLIM_INFINITY && (rlim_t) wanted > limit.rlim_cur) {
        rlim_t soft = (rlim_t) wanted;
        if (limit.rlim_max != RLIM_INFINITY && soft > limit.rlim_max)
            soft = limit.rlim_max;
        limit.rlim_cur = soft;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0)
            return -1;
    }
    return limit.rlim_cur == RLIM_INFINITY ? wanted : (long) limit.rlim_cur;
}

int test_set_fd_limit(long soft)
{
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return -1;
    limit.rlim_cur = (rlim_t) soft;
    return setrlimit(RLIMIT_NOFILE, &limit);
}

int test_open_fds(void)
{
    DIR *dir = opendir("/proc/self/fd");
    if (dir == NULL)
        return -1;
    int count = 0;
    while (readdir(dir) != NULL)
        count++;
    closedir(dir);
    /* ".", ".." and the directory's own descriptor. */
    return count - 3;
}

long test_rss_kb(void)
{
    FILE *status = fopen("/proc/self/status", "r");
    if (status == NULL)
        return -1;
    char line[256];
    long kb = -1;
    while (fgets(line, sizeof line, status) != NULL)
        if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
            break;
    fclose(status);
    return kb;
}

long test_cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void test_report(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    printf("\n    ");
    vprintf(format, args);
    va_end(args);
    fflush(stdout);
}
