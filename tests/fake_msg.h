/*
 * A message part for the suites that drive a mechanism plugin through a
 * fake core (curve_fake_core, gssapi_harness): the SDK's opaque modzmq_msg
 * made concrete, and the msg_* services over it.
 */
#ifndef FAKE_MSG_H
#define FAKE_MSG_H

#include <stddef.h>
#include <stdint.h>

#include <modzmq/plugin.h>

struct modzmq_msg {
    uint8_t *data;
    size_t size;
    unsigned flags;
};

/* The services table's msg_data, msg_size, msg_resize, msg_flags and
 * msg_set_flags. msg_resize always gives a new block, as the contract
 * allows: a plugin that reads the old body after resizing reads freed
 * memory, which the sanitizers then report. */
void *fake_msg_data(modzmq_msg *msg);
size_t fake_msg_size(const modzmq_msg *msg);
int fake_msg_resize(modzmq_msg *msg, size_t size);
unsigned fake_msg_flags(const modzmq_msg *msg);
void fake_msg_set_flags(modzmq_msg *msg, unsigned flags);

#endif
