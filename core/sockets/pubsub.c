/*
 * Helpers shared by the publish-subscribe socket types; see pubsub.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pubsub.h"

void mz_subscription_msg_init(struct mz_msg *m, bool subscribe,
                              const unsigned char *prefix, size_t size)
{
    if (mz_msg_init_size(m, size + 1) < 0) {
        fputs("modzmq: out of memory building a subscription\n", stderr);
        abort();
    }
    unsigned char *data = mz_msg_data(m);
    data[0] = subscribe ? 1 : 0;
    if (size > 0)
        memcpy(data + 1, prefix, size);
}

int mz_pubsub_read_flag(const void *value, size_t size, bool *flag)
{
    int number;
    if (size != sizeof number) {
        errno = EINVAL;
        return -1;
    }
    memcpy(&number, value, sizeof number);
    if (number < 0) {
        errno = EINVAL;
        return -1;
    }
    *flag = number != 0;
    return 0;
}

int mz_pubsub_get_count(void *value, size_t *size, size_t count)
{
    if (*size < sizeof(int)) {
        errno = EINVAL;
        return -1;
    }
    int number = count > (size_t) INT_MAX ? INT_MAX : (int) count;
    memset(value, 0, *size);
    memcpy(value, &number, sizeof number);
    *size = sizeof number;
    return 0;
}
