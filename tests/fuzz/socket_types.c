/*
 * The socket types the fuzz targets pick from an input byte, and a peer
 * type each may talk to (RFC 37's table), so that a target reaches past
 * the compatibility check when the input wants it to.
 */
#include "fuzz.h"
#include "zmq.h"

static const int zmtp_types[] = { ZMQ_PAIR, ZMQ_PUB,    ZMQ_SUB,    ZMQ_REQ,
                                  ZMQ_REP,  ZMQ_DEALER, ZMQ_ROUTER, ZMQ_PULL,
                                  ZMQ_PUSH, ZMQ_XPUB,   ZMQ_XSUB,   ZMQ_RADIO,
                                  ZMQ_DISH };

int fuzz_socket_type(uint8_t index)
{
    return zmtp_types[index % (sizeof zmtp_types / sizeof zmtp_types[0])];
}

int fuzz_peer_type(int type)
{
    switch (type) {
    case ZMQ_PUB:
    case ZMQ_XPUB:
        return ZMQ_SUB;
    case ZMQ_SUB:
    case ZMQ_XSUB:
        return ZMQ_PUB;
    case ZMQ_REQ:
        return ZMQ_REP;
    case ZMQ_REP:
        return ZMQ_REQ;
    case ZMQ_DEALER:
        return ZMQ_ROUTER;
    case ZMQ_ROUTER:
        return ZMQ_DEALER;
    case ZMQ_PULL:
        return ZMQ_PUSH;
    case ZMQ_PUSH:
        return ZMQ_PULL;
    case ZMQ_RADIO:
        return ZMQ_DISH;
    case ZMQ_DISH:
        return ZMQ_RADIO;
    default:
        return ZMQ_PAIR;
    }
}
