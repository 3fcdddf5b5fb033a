/*
 * zmq_errno and zmq_strerror. The four error numbers ZeroMQ defines itself
 * (above ZMQ_HAUSNUMERO) get their own text, and so does EHOSTUNREACH
 * (ROUTER_MANDATORY), whose wording libzmq fixes as "Host unreachable";
 * every other one is the C library's.
 */
#include <errno.h>
#include <string.h>

#include "zmq.h"

int zmq_errno(void)
{
    return errno;
}

const char *zmq_strerror(int errnum)
{
    switch (errnum) {
    case EFSM:
        return "Operation cannot be accomplished in current state";
    case ENOCOMPATPROTO:
        return "The protocol is not compatible with the socket type";
    case ETERM:
        return "Context was terminated";
    case EMTHREAD:
        return "No thread available";
    case EHOSTUNREACH:
        return "Host unreachable";
    default:
        return strerror(errnum);
    }
}
