/*
 * One release's table sizes (sizes.h), built with -I of that release's
 * frozen headers and -DFIXTURE_SIZES naming the variable to define.
 */
#include <modzmq/transport.h>
#if MODZMQ_SDK_ABI_MINOR >= 1
#include <modzmq/engine_transport.h>
#include <modzmq/mechanism.h>
#include <modzmq/observer.h>
#endif

#include "sizes.h"

const struct fixture_sizes FIXTURE_SIZES = {
    .minor = MODZMQ_SDK_ABI_MINOR,
    .descriptor = sizeof(struct modzmq_plugin),
    .services = sizeof(struct modzmq_core_services),
    .transport = sizeof(struct modzmq_transport_ops),
#if MODZMQ_SDK_ABI_MINOR >= 1
    .mechanism = sizeof(struct modzmq_mechanism_ops),
    .observer = sizeof(struct modzmq_observer_ops),
    .engine_transport = sizeof(struct modzmq_engine_transport_ops),
#endif
};
