/*
 * The msg_* services of the fake cores; see fake_msg.h.
 */
#include "fake_msg.h"

#include <errno.h>
#include <stdlib.h>

void *fake_msg_data(modzmq_msg *msg)
{
    return msg->data;
}

size_t fake_msg_size(const modzmq_msg *msg)
{
    return msg->size;
}

int fake_msg_resize(modzmq_msg *msg, size_t size)
{
    uint8_t *data = malloc(size > 0 ? size : 1);
    if (data == NULL) {
        errno = ENOMEM;
        return -1;
    }
    free(msg->data);
    msg->data = data;
    msg->size = size;
    return 0;
}

unsigned fake_msg_flags(const modzmq_msg *msg)
{
    return msg->flags;
}

void fake_msg_set_flags(modzmq_msg *msg, unsigned flags)
{
    msg->flags = flags;
}
