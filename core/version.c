/*
 * zmq_version and zmq_has. The version is the libzmq API level modzmq
 * implements. zmq_has answers for what this build can really do: transports
 * and security mechanisms come as plugins, and until the plugin loader
 * exists none of them can be loaded, so they all answer 0; so does "draft",
 * because the draft socket types are not implemented.
 */
#include <stddef.h>

#include "zmq.h"

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
    (void) capability;
    return 0;
}
