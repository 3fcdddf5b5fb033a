/*
 * The Socket-Type names and the compatibility table of RFC 37. The table
 * is written per socket type as the RFC lists it, so that it can be checked
 * against the RFC line by line.
 */
#include <string.h>

#include "socket_compat.h"
#include "zmq.h"

/* Indexed by ZMQ_* socket type; NULL where the type never speaks ZMTP.
 * DGRAM greets as libzmq's does over tcp and ipc, and is compatible with
 * no type, so that no handshake with it completes. */
static const char *const type_names[] = {
    [ZMQ_PAIR] = "PAIR",     [ZMQ_PUB] = "PUB",       [ZMQ_SUB] = "SUB",
    [ZMQ_REQ] = "REQ",       [ZMQ_REP] = "REP",       [ZMQ_DEALER] = "DEALER",
    [ZMQ_ROUTER] = "ROUTER", [ZMQ_PULL] = "PULL",     [ZMQ_PUSH] = "PUSH",
    [ZMQ_XPUB] = "XPUB",     [ZMQ_XSUB] = "XSUB",     [ZMQ_STREAM] = NULL,
    [ZMQ_SERVER] = "SERVER", [ZMQ_CLIENT] = "CLIENT", [ZMQ_RADIO] = "RADIO",
    [ZMQ_DISH] = "DISH",     [ZMQ_GATHER] = "GATHER", [ZMQ_SCATTER] = "SCATTER",
    [ZMQ_DGRAM] = "DGRAM",   [ZMQ_PEER] = "PEER",     [ZMQ_CHANNEL] = "CHANNEL",
};

enum { TYPE_COUNT = sizeof type_names / sizeof type_names[0] };

const char *mz_socket_type_name(int type)
{
    if (type < 0 || type >= TYPE_COUNT)
        return NULL;
    return type_names[type];
}

int mz_socket_type_from_name(const char *name, size_t size)
{
    for (int type = 0; type < TYPE_COUNT; type++) {
        const char *known = type_names[type];
        if (known != NULL && strlen(known) == size &&
            memcmp(known, name, size) == 0)
            return type;
    }
    return -1;
}

bool mz_socket_types_compatible(int ours, int theirs)
{
    switch (ours) {
    case ZMQ_REQ:
        return theirs == ZMQ_REP || theirs == ZMQ_ROUTER;
    case ZMQ_REP:
        return theirs == ZMQ_REQ || theirs == ZMQ_DEALER;
    case ZMQ_DEALER:
        return theirs == ZMQ_REP || theirs == ZMQ_DEALER ||
               theirs == ZMQ_ROUTER;
    case ZMQ_ROUTER:
        return theirs == ZMQ_REQ || theirs == ZMQ_DEALER ||
               theirs == ZMQ_ROUTER;
    case ZMQ_PUB:
    case ZMQ_XPUB:
        return theirs == ZMQ_SUB || theirs == ZMQ_XSUB;
    case ZMQ_SUB:
    case ZMQ_XSUB:
        return theirs == ZMQ_PUB || theirs == ZMQ_XPUB;
    case ZMQ_PUSH:
        return theirs == ZMQ_PULL;
    case ZMQ_PULL:
        return theirs == ZMQ_PUSH;
    case ZMQ_PAIR:
        return theirs == ZMQ_PAIR;
    case ZMQ_CLIENT:
        return theirs == ZMQ_SERVER;
    case ZMQ_SERVER:
        return theirs == ZMQ_CLIENT;
    case ZMQ_RADIO:
        return theirs == ZMQ_DISH;
    case ZMQ_DISH:
        return theirs == ZMQ_RADIO;
    case ZMQ_SCATTER:
        return theirs == ZMQ_GATHER;
    case ZMQ_GATHER:
        return theirs == ZMQ_SCATTER;
    case ZMQ_PEER:
        return theirs == ZMQ_PEER;
    case ZMQ_CHANNEL:
        return theirs == ZMQ_CHANNEL;
    default:
        return false;
    }
}
