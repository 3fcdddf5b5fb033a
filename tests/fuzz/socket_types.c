/*
 * The socket types the fuzz targets pick from an input byte, and a peer
 * type each may talk to (RFC 37's table, and the draft types' RFCs 41,
 * 48, 49, 51, 52), so that a target reaches past
 * the compatibility check when the input wants it to.
 */
#include "fuzz.h"
#include "zmq.h"

static const int zmtp_types[] = { ZMQ_PAIR, ZMQ_PUB,    ZMQ_SUB,    ZMQ_REQ,
                                  ZMQ_REP,  ZMQ_DEALER, ZMQ_ROUTER, ZMQ_PULL,
                                  ZMQ_PUSH, ZMQ_XPUB,   ZMQ_XSUB,   ZMQ_RADIO,
                                  ZMQ_DISH, ZMQ_CLIENT, ZMQ_SERVER, ZMQ_SCATTER,
                                  ZMQ_GATHER, ZMQ_PEER, ZMQ_CHANNEL };

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
    case ZMQ_CLIENT:
        return ZMQ_SERVER;
    case ZMQ_SERVER:
        return ZMQ_CLIENT;
    case ZMQ_SCATTER:
        return ZMQ_GATHER;
    case ZMQ_GATHER:
        return ZMQ_SCATTER;
    case ZMQ_PEER:
        return ZMQ_PEER;
    case ZMQ_CHANNEL:
        return ZMQ_CHANNEL;
    default:
        return ZMQ_PAIR;
    }
}
