"""A real libzmq 4.3 peer for tests/test_engine.c.

Binds one pyzmq socket on tcp://127.0.0.1:*, prints the port, runs the
scripted exchange of the mode given as the first argument and exits 0 when
everything it saw was right (1 otherwise, with the reason on stderr).
Every receive is bounded by a timeout.
"""
import sys

import zmq

LIBZMQ = "/usr/lib/x86_64-linux-gnu/libzmq.so.5"
BIG = 1024 * 1024


def expect(condition, what):
    if not condition:
        sys.stderr.write("zmtp_peer: %s\n" % what)
        sys.exit(1)


def check_real_libzmq():
    with open("/proc/self/maps") as maps:
        expect(LIBZMQ in maps.read(), "the system libzmq is not mapped")


def big_body():
    return bytes(i % 251 for i in range(BIG))


def run_router(sock):
    frames = sock.recv_multipart(copy=False)
    expect(len(frames) == 3, "router: 3 frames expected, got %d" % len(frames))
    expect(frames[0].bytes == b"engine-id", "router: routing id %r" % frames[0].bytes)
    expect(frames[1].bytes == b"hello", "router: first part")
    expect(frames[2].bytes == b"world", "router: second part")
    expect(frames[1].get("Socket-Type") == "DEALER", "router: Socket-Type")
    expect(frames[1].get("X-Color") == "red", "router: X-Color")
    big = sock.recv_multipart()
    expect(big[1] == big_body(), "router: 1 MB body")
    sock.send_multipart([b"engine-id", b"reply", big_body()])


def run_pull(sock):
    for i in range(1000):
        msg = sock.recv()
        expect(msg == b"msg-%d" % i, "pull: message %d is %r" % (i, msg))
    parts = sock.recv_multipart()
    expect(parts == [b"a", b"", b"c"], "pull: multipart %r" % parts)
    expect(sock.recv() == big_body(), "pull: 1 MB body")


def run_xpub(sock):
    expect(sock.recv() == b"\x01topic", "xpub: subscription")
    sock.send(b"other")
    sock.send_multipart([b"topic-data", b"tail"])
    expect(sock.recv() == b"\x00topic", "xpub: cancel")


def run_sub(sock):
    sock.setsockopt(zmq.SUBSCRIBE, b"news")
    parts = sock.recv_multipart(copy=False)
    expect([p.bytes for p in parts] == [b"news flash"], "sub: message")
    expect(parts[0].get("Socket-Type") == "XPUB", "sub: Socket-Type")
    sock.setsockopt(zmq.UNSUBSCRIBE, b"news")


def run_heartbeat(sock):
    # Let heartbeats run for a while: with a 100 ms timeout on both sides,
    # a missing PONG either way would end the connection long before.
    poller = zmq.Poller()
    poller.register(sock, zmq.POLLIN)
    expect(not poller.poll(600), "heartbeat: unexpected message")
    sock.send(b"still here")
    expect(sock.recv() == b"so am I", "heartbeat: reply")


MODES = {
    "router": (zmq.ROUTER, run_router),
    "pull": (zmq.PULL, run_pull),
    "xpub": (zmq.XPUB, run_xpub),
    "sub": (zmq.SUB, run_sub),
    "heartbeat": (zmq.PAIR, run_heartbeat),
}


def main():
    check_real_libzmq()
    kind, run = MODES[sys.argv[1]]
    ctx = zmq.Context()
    sock = ctx.socket(kind)
    sock.setsockopt(zmq.RCVTIMEO, 10000)
    sock.setsockopt(zmq.SNDTIMEO, 10000)
    sock.setsockopt(zmq.LINGER, 10000)
    if sys.argv[1] == "heartbeat":
        sock.setsockopt(zmq.HEARTBEAT_IVL, 20)
        sock.setsockopt(zmq.HEARTBEAT_TIMEOUT, 100)
        sock.setsockopt(zmq.HEARTBEAT_TTL, 200)
    port = sock.bind_to_random_port("tcp://127.0.0.1")
    print(port, flush=True)
    try:
        run(sock)
    except zmq.Again:
        expect(False, "%s: timed out" % sys.argv[1])
    sock.close()
    ctx.term()
    sys.exit(0)


main()
