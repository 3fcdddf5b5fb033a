/*
 * zmq_version and zmq_has. The version is the libzmq API level modzmq
 * implements. zmq_has answers for what this process can really do: a
 * transport capability is there when a plugin serving it is registered or
 * can be loaded (asking loads it), and so is a security mechanism ("curve",
 * "gssapi"); "draft" answers 0, as Debian's libzmq does.
 */
#include <stddef.h>
#include <string.h>

#include "plugin_loader.h"
#include "zmq.h"

/* The transports libzmq names as zmq_has capabilities (tcp is not one). */
static const char *const transport_capabilities[] = {
    "ipc", "pgm", "tipc", "norm", "vmci", "ws", "wss",
};

void zmq_version(int *major, int *minor, int *patch)
{
    if (major != NULL)
        *major = ZMQ_VERSION_MAJOR;
    if (minor != NULL)
        *minor = ZMQ_VERSION_MINOR;
    if (patch != NULL)
        *patch = ZMQ_VERSION_PATCH;
}

int zmq_has(const char *capability)
{
    if (capability == NULL)
        return 0;
    size_t count =
        sizeof transport_capabilities / sizeof transport_capabilities[0];
    for (size_t i = 0; i < count; i++) {
        if (strcmp(capability, transport_capabilities[i]) == 0)
            return mz_plugin_transport_available(capability) ? 1 : 0;
    }
    if (strcmp(capability, "curve") == 0)
        return mz_plugin_mechanism_available("CURVE") ? 1 : 0;
    if (strcmp(capability, "gssapi") == 0)
        return mz_plugin_mechanism_available("GSSAPI") ? 1 : 0;
    return 0;
}
