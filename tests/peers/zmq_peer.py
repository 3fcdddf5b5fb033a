#!/usr/bin/python3
"""A libzmq peer for modzmq's interoperability tests, driven line by line.

It runs on the system's libzmq through pyzmq, never on modzmq: it refuses to
start unless /proc/self/maps shows the system libzmq.so.5, and the tests
start it with LD_LIBRARY_PATH cleared. Each command is one line on stdin;
each answer one line on stdout:

  socket TYPE                -> ok           (TYPE: PAIR, PUB, ROUTER, ...)
  set NAME VALUE             -> ok           (int option, bytes as hex:...,
                                              or text as str:...)
  bind ENDPOINT              -> ok ENDPOINT  (the real one, after wildcards)
  connect ENDPOINT           -> ok
  send PART PART ...         -> ok           (each PART hex, '-' for empty)
  recv                       -> msg PART PART ...  or  timeout
  recvsums                   -> sums SIZE:SUM ...  (SUM: byte sum mod 2^32)
  sendpattern SIZE ...       -> ok  (parts whose byte i is (i * 7) mod 256)
  meta NAME                  -> meta VALUE   (of the last part received) or none
  monitor                    -> ok  (records the socket's events from now on)
  events MS                  -> events ID:VALUE ...  (those recorded, waiting
                                at most MS ms for a handshake's outcome)
  drain MS                   -> events ID:VALUE ...  (all recorded within MS ms,
                                at most 64)
  event                      -> event ID VALUE  (the next handshake event:
                                HANDSHAKE_*), or timeout
  keypair                    -> keys PUBLIC SECRET  (zmq_curve_keypair, Z85)
  auth plain USER PASSWORD   -> ok  (a ZAP handler in this process: pyzmq's
                                     ThreadAuthenticator, PLAIN, that one user)
  zap STATUS                 -> ok  (a ZAP handler in this process that
                                     answers STATUS to every request)
  zap close                  -> ok  (a ZAP handler that reads one request
                                     and closes its socket, not replying)
  quit                       -> bye
Errors answer "error <text>". Receiving waits at most RCVTIMEO (5 s).
"""
import os
import sys
import threading
import time

import zmq
from zmq.utils.monitor import recv_monitor_message

# The events that end a handshake, one way or the other.
HANDSHAKE_OUTCOMES = (
    zmq.EVENT_HANDSHAKE_SUCCEEDED,
    zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL,
    zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL,
    zmq.EVENT_HANDSHAKE_FAILED_AUTH,
)


def wait_events(monitor, milliseconds):
    """The events recorded so far, waiting for a handshake outcome."""
    events = []
    deadline = time.monotonic() + milliseconds / 1000.0
    while True:
        left = int((deadline - time.monotonic()) * 1000)
        if left <= 0 or not monitor.poll(left):
            return events
        event = recv_monitor_message(monitor)
        events.append("%d:%d" % (event["event"], event["value"]))
        if event["event"] in HANDSHAKE_OUTCOMES:
            return events
import zmq.auth.thread


def drain_events(monitor, milliseconds):
    """Every event recorded within the time given (at most 64)."""
    events = []
    deadline = time.monotonic() + milliseconds / 1000.0
    while len(events) < 64:
        left = int((deadline - time.monotonic()) * 1000)
        if left <= 0 or not monitor.poll(left):
            break
        event = recv_monitor_message(monitor)
        events.append("%d:%d" % (event["event"], event["value"]))
    return events


class FixedZapHandler(threading.Thread):
    """A ZAP handler (RFC 27) answering one status code to every request,
    for the refusals ThreadAuthenticator cannot give (300, 500); or, for
    status "close", closing its socket after the first request, silent."""

    def __init__(self, context, status):
        super().__init__(daemon=True)
        self.status = status
        self.stopping = threading.Event()
        self.socket = context.socket(zmq.REP)
        self.socket.setsockopt(zmq.LINGER, 0)
        self.socket.setsockopt(zmq.RCVTIMEO, 50)
        self.socket.bind("inproc://zeromq.zap.01")

    def run(self):
        while not self.stopping.is_set():
            try:
                request = self.socket.recv_multipart()
            except zmq.Again:
                continue
            if self.status == b"close":
                break
            user = b"admin" if self.status == b"200" else b""
            self.socket.send_multipart(
                [b"1.0", request[1], self.status, b"", user, b""])
        self.socket.close()

    def stop(self):
        self.stopping.set()
        self.join()


def system_libzmq_mapped():
    with open("/proc/self/maps") as maps:
        paths = [line.split()[-1] for line in maps if "libzmq.so" in line]
    return paths and all(path.startswith("/usr/lib/") for path in paths), paths


def parse_part(text):
    return b"" if text == "-" else bytes.fromhex(text)


def show_part(data):
    return data.hex() if data else "-"


def keep_answers_apart():
    """Answers go on a copy of stdout; fd 1 itself goes to stderr, so that
    what libzmq's libraries print there (OpenPGM's warnings on pgm and
    epgm endpoints) never reads as an answer."""
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = answers


def main():
    keep_answers_apart()
    ok, paths = system_libzmq_mapped()
    if not ok:
        print("error not the system libzmq: %s" % paths, flush=True)
        return 1
    print("ready %s %s" % (zmq.zmq_version(), paths[0]), flush=True)
    context = zmq.Context()
    sock = None
    monitor = None
    last = None
    authenticator = None
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        command, args = words[0], words[1:]
        try:
            if command == "socket":
                sock = context.socket(getattr(zmq, args[0]))
                sock.setsockopt(zmq.LINGER, 1000)
                sock.setsockopt(zmq.RCVTIMEO, 5000)
                sock.setsockopt(zmq.SNDTIMEO, 5000)
                answer = "ok"
            elif command == "set":
                option = getattr(zmq, args[0])
                value = args[1]
                if value.startswith("hex:"):
                    sock.setsockopt(option, bytes.fromhex(value[4:]))
                elif value.startswith("str:"):
                    sock.setsockopt(option, value[4:].encode())
                else:
                    sock.setsockopt(option, int(value))
                answer = "ok"
            elif command == "bind":
                sock.bind(args[0])
                answer = "ok " + sock.getsockopt_string(zmq.LAST_ENDPOINT)
            elif command == "connect":
                sock.connect(args[0])
                answer = "ok"
            elif command == "send":
                sock.send_multipart([parse_part(a) for a in args])
                answer = "ok"
            elif command == "recv":
                try:
                    frames = sock.recv_multipart(copy=False)
                except zmq.Again:
                    answer = "timeout"
                else:
                    last = frames[-1]
                    answer = "msg " + " ".join(show_part(f.bytes) for f in frames)
            elif command == "recvsums":
                try:
                    frames = sock.recv_multipart()
                except zmq.Again:
                    answer = "timeout"
                else:
                    answer = "sums " + " ".join(
                        "%d:%d" % (len(f), sum(f) & 0xFFFFFFFF) for f in frames)
            elif command == "sendpattern":
                pattern = bytes((i * 7) & 0xFF for i in range(256))
                parts = []
                for size in (int(a) for a in args):
                    parts.append((pattern * (size // 256 + 1))[:size])
                sock.send_multipart(parts)
                answer = "ok"
            elif command == "meta":
                try:
                    answer = "meta " + last.get(args[0])
                except (zmq.ZMQError, AttributeError, TypeError):
                    answer = "none"
            elif command == "monitor":
                monitor = sock.get_monitor_socket()
                monitor.setsockopt(zmq.LINGER, 0)
                monitor.setsockopt(zmq.RCVTIMEO, 5000)
                answer = "ok"
            elif command == "events":
                answer = " ".join(["events"] + wait_events(monitor, int(args[0])))
            elif command == "drain":
                answer = " ".join(["events"] + drain_events(monitor, int(args[0])))
            elif command == "event":
                answer = "timeout"
                try:
                    while True:
                        event = recv_monitor_message(monitor)
                        if event["event"] in HANDSHAKE_OUTCOMES:
                            answer = "event %d %d" % (event["event"],
                                                      event["value"])
                            break
                except zmq.Again:
                    pass
            elif command == "keypair":
                public, secret = zmq.curve_keypair()
                answer = "keys %s %s" % (public.decode(), secret.decode())
            elif command == "auth" and args[0] == "plain":
                if authenticator is None:
                    authenticator = zmq.auth.thread.ThreadAuthenticator(context)
                    authenticator.start()
                authenticator.configure_plain(domain="*",
                                              passwords={args[1]: args[2]})
                answer = "ok"
            elif command == "zap":
                if authenticator is None:
                    authenticator = FixedZapHandler(context, args[0].encode())
                    authenticator.start()
                answer = "ok"
            elif command == "quit":
                print("bye", flush=True)
                break
            else:
                answer = "error unknown command " + command
        except Exception as error:  # every failure is reported, not fatal
            answer = "error %s" % error
        print(answer, flush=True)
    if monitor is not None:
        sock.disable_monitor()
        monitor.close()
    if sock is not None:
        sock.close(linger=0)
    if authenticator is not None:
        authenticator.stop()
    context.term()
    return 0


if __name__ == "__main__":
    sys.exit(main())
