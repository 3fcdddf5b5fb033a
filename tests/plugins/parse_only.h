/*
 * What the loader's test plugins share: a transport that only parses
 * addresses. Enough for the loader suite to see that a plugin's ops are
 * reached and that the services work, without any real I/O.
 */
#ifndef TEST_PARSE_ONLY_H
#define TEST_PARSE_ONLY_H

#include <modzmq/transport.h>

/* Hidden, so that a copy linked into a program and one in a module stay
 * apart. */
#define PARSE_ONLY_HIDDEN __attribute__((visibility("hidden")))

/* Accepts the address "ok" (anything else: EINVAL) and formats it as
 * "<scheme>://ok/<socket type>", the type read through the services
 * (-1 without a socket). Binding and connecting fail with EOPNOTSUPP. */
extern PARSE_ONLY_HIDDEN const struct modzmq_transport_ops parse_only_ops;

/* The plugin's init: keeps the services and says "ready" through log. */
PARSE_ONLY_HIDDEN int
parse_only_init(const struct modzmq_core_services *services, modzmq_core *core);

#endif
