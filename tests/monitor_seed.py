#!/usr/bin/python3
"""The seeds' monitoring example, replayed through pyzmq, printing what the
monitors saw as normalised lines that can be compared between libzmq and
modzmq (tests/check_monitor_seed.sh runs it on both).

A DEALER client and a DEALER server talk over tcp on loopback; each has a
monitor on every event (ZMQ_EVENT_ALL), read by a PAIR socket. The run is
made twice: with zmq_socket_monitor (version 1 frames) and with
zmq_socket_monitor_versioned (version 2 frames), both called through ctypes
on the libzmq.so.5 that pyzmq loaded. Each event prints its frame sizes,
its name, its values and its endpoints, with what differs from run to run
(file descriptors, ephemeral ports) replaced by a placeholder. The order is
the one libzmq documents: both sockets are closed, then each monitor is read
until MONITOR_STOPPED. Between the two closes the script waits until the
server has seen the client go (DISCONNECTED), so that the sequence does not
depend on thread timing.

The first line names the library in use (from /proc/self/maps); the
comparison ignores it. Exit status 1 on any failure.
"""
import ctypes
import struct
import sys
import time

import zmq

EVENT_NAMES = {
    getattr(zmq, name): name[len("EVENT_"):]
    for name in dir(zmq)
    if name.startswith("EVENT_") and name not in ("EVENT_ALL", "EVENT_ALL_V1", "EVENT_ALL_V2")
}
# Every event of zmq_socket_monitor_versioned (ZMQ_EVENT_ALL_V2 in zmq.h).
EVENT_ALL_V2 = 0xFFFF | 0x10000
FD_EVENTS = {"CONNECTED", "ACCEPTED", "DISCONNECTED", "CLOSED", "LISTENING"}


def libzmq_path():
    with open("/proc/self/maps") as maps:
        for line in maps:
            if "libzmq.so" in line:
                return line.split()[-1]
    return "none"


def load_libzmq():
    lib = ctypes.CDLL(libzmq_path())
    lib.zmq_socket_monitor.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    # Debian's libzmq is built without the draft API, which has it.
    if hasattr(lib, "zmq_socket_monitor_versioned"):
        lib.zmq_socket_monitor_versioned.argtypes = [
            ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint64, ctypes.c_int, ctypes.c_int]
    return lib


class Normaliser:
    """Replaces the server's port and any other port by placeholders."""

    def __init__(self, port):
        self.port = port

    def endpoint(self, text):
        if text == "":
            return "''"
        head, sep, tail = text.rpartition(":")
        if sep and tail.isdigit():
            tail = "PORT" if int(tail) == self.port else "EPHEMERAL"
            return head + ":" + tail
        return text

    def value(self, name, value):
        if name in FD_EVENTS:
            return "FD" if value > 2 else "BADFD(%d)" % value
        return str(value)


def read_v1(mon, norm):
    frames = mon.recv_multipart()
    if len(frames) != 2 or len(frames[0]) != 6:
        return "bad v1 frames %r" % ([len(f) for f in frames],), None
    event, value = struct.unpack("=HI", frames[0])
    name = EVENT_NAMES.get(event, "UNKNOWN(%d)" % event)
    line = "v1 [6,%s] %s value=%s endpoint=%s" % (
        "n", name, norm.value(name, value),
        norm.endpoint(frames[1].decode()))
    return line, name


def read_v2(mon, norm):
    frames = mon.recv_multipart()
    if len(frames) < 4 or len(frames[0]) != 8 or len(frames[1]) != 8:
        return "bad v2 frames %r" % ([len(f) for f in frames],), None
    (event,) = struct.unpack("=Q", frames[0])
    (count,) = struct.unpack("=Q", frames[1])
    if len(frames) != 4 + count or any(len(f) != 8 for f in frames[2:2 + count]):
        return "bad v2 frames %r" % ([len(f) for f in frames],), None
    values = [struct.unpack("=Q", f)[0] for f in frames[2:2 + count]]
    name = EVENT_NAMES.get(event, "UNKNOWN(%d)" % event)
    line = "v2 [8,8,%s,n,n] %s values=%s local=%s remote=%s" % (
        ",".join("8" for _ in values), name,
        ",".join(norm.value(name, v) for v in values),
        norm.endpoint(frames[-2].decode()), norm.endpoint(frames[-1].decode()))
    return line, name


def bounce(client, server):
    client.send_multipart([b"ABC", b"DEF"])
    parts = server.recv_multipart()
    server.send_multipart(parts)
    return client.recv_multipart() == [b"ABC", b"DEF"]


def run(lib, ctx, version, port):
    norm = Normaliser(port)
    client = ctx.socket(zmq.DEALER)
    server = ctx.socket(zmq.DEALER)
    for s in (client, server):
        s.setsockopt(zmq.RCVTIMEO, 5000)
    # Only inproc endpoints may carry events.
    if lib.zmq_socket_monitor(client.underlying, b"tcp://127.0.0.1:9999", 0) != -1:
        print("a tcp monitor endpoint was accepted")
        return False
    print("tcp monitor endpoint: errno %s" % zmq.zmq_errno())
    names = (b"inproc://monitor-client-%d" % version, b"inproc://monitor-server-%d" % version)
    for s, name in zip((client, server), names):
        if version == 1:
            rc = lib.zmq_socket_monitor(s.underlying, name, zmq.EVENT_ALL)
        else:
            rc = lib.zmq_socket_monitor_versioned(s.underlying, name, EVENT_ALL_V2, 2,
                                                  zmq.PAIR)
        if rc != 0:
            print("zmq_socket_monitor v%d failed: errno %d" % (version, zmq.zmq_errno()))
            return False
    client_mon = ctx.socket(zmq.PAIR)
    server_mon = ctx.socket(zmq.PAIR)
    for mon, name in zip((client_mon, server_mon), names):
        mon.setsockopt(zmq.RCVTIMEO, 5000)
        mon.connect(name)
    server.bind("tcp://127.0.0.1:%d" % port)
    client.connect("tcp://127.0.0.1:%d" % port)
    if not bounce(client, server):
        print("bounce failed")
        return False
    read = read_v1 if version == 1 else read_v2
    # The server's events up to the handshake, then the client goes.
    server_lines = []
    client.setsockopt(zmq.LINGER, 0)
    client.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        line, name = read(server_mon, norm)
        server_lines.append(line)
        if name in (None, "DISCONNECTED"):
            break
    server.setsockopt(zmq.LINGER, 0)
    server.close()
    for who, mon, lines in (("client", client_mon, []), ("server", server_mon, server_lines)):
        while not lines or not lines[-1].split()[2] in ("MONITOR_STOPPED",):
            try:
                line, name = read(mon, norm)
            except zmq.Again:
                lines.append("timeout")
                break
            lines.append(line)
            if name is None:
                break
        for line in lines:
            print("%s %s" % (who, line))
    client_mon.close()
    server_mon.close()
    return True


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    print("library %s" % libzmq_path())
    lib = load_libzmq()
    ctx = zmq.Context()
    ok = True
    versions = (1, 2) if hasattr(lib, "zmq_socket_monitor_versioned") else (1,)
    for version in versions:
        ok = run(lib, ctx, version, free_port()) and ok
    ctx.term()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
