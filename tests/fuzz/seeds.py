#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).

Each seed is a valid exchange, or a well-known bad one, laid out as its
target reads its input (see the comment at the top of each target and of
engine_driver.h and mechanism_driver.h). The files are committed; run this
again after changing an input layout:

    tests/fuzz/seeds.py [CORPUS_DIR]

Seeds are named seed-<what>; other files of a corpus (inputs libFuzzer
found, added with tools/fuzz.sh --merge) are left alone.
"""
import os
import struct
import sys

CORPUS = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "corpus")

TYPES = ["PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL",
         "PUSH", "XPUB", "XSUB", "RADIO", "DISH", "CLIENT", "SERVER",
         "SCATTER", "GATHER", "PEER", "CHANNEL"]
PEER = {"PAIR": "PAIR", "PUB": "SUB", "SUB": "PUB", "REQ": "REP",
        "REP": "REQ", "DEALER": "ROUTER", "ROUTER": "DEALER", "PULL": "PUSH",
        "PUSH": "PULL", "XPUB": "SUB", "XSUB": "PUB", "RADIO": "DISH",
        "DISH": "RADIO", "CLIENT": "SERVER", "SERVER": "CLIENT",
        "SCATTER": "GATHER", "GATHER": "SCATTER", "PEER": "PEER",
        "CHANNEL": "CHANNEL"}
# The thread-safe types that carry messages of one part only.
SINGLE_PART = ["CLIENT", "SERVER", "SCATTER", "GATHER", "PEER", "CHANNEL"]

# engine_driver.h, byte 1 and byte 2 of the setup
ZAP_DOMAIN, ZAP_HANDLER, ZAP_ENFORCE, PEER_3_0 = 0x01, 0x02, 0x04, 0x08
PIPE_FULL, SESSION_NO, SMALL_MAX, ROUTING_ID = 0x10, 0x20, 0x40, 0x80
SENDS, HEARTBEAT, HANDSHAKE_IVL = 0x01, 0x02, 0x04
SENDS_LATER, RESUME_INSIDE = 0x08, 0x10
ZAP_STATUS = {200: 0, 300: 1, 400: 2, 500: 3, "malformed": 4, "gone": 5}


def chunk(data):
    return struct.pack(">H", len(data)) + data


def frame(body, more=False, command=False):
    flags = (1 if more else 0) | (4 if command else 0)
    if len(body) > 255:
        return bytes([flags | 2]) + struct.pack(">Q", len(body)) + body
    return bytes([flags, len(body)]) + body


def command(name, data=b""):
    return frame(bytes([len(name)]) + name + data, command=True)


def properties(pairs):
    out = b""
    for name, value in pairs:
        out += bytes([len(name)]) + name + struct.pack(">I", len(value)) + value
    return out


def greeting(mechanism=b"NULL", as_server=False, major=3, minor=1):
    return (b"\xff" + b"\0" * 8 + b"\x7f" + bytes([major, minor]) +
            mechanism.ljust(20, b"\0") + bytes([1 if as_server else 0]) +
            b"\0" * 31)


def engine_setup(type_name="PAIR", flags=0, flags2=0, zap=None):
    out = bytes([TYPES.index(type_name), flags, flags2])
    if flags & ZAP_HANDLER:
        status, user, metadata = zap
        out += bytes([ZAP_STATUS[status]]) + chunk(user) + chunk(metadata)
    return out


def turns(*parts):
    return b"".join(chunk(p) for p in parts)


def ready_of(type_name, extra=()):
    return command(b"READY", properties([(b"Socket-Type",
                                          PEER[type_name].encode())] +
                                        list(extra)))


SEEDS = {}


def seed(target, name, data):
    SEEDS.setdefault(target, {})["seed-" + name] = data


# ---- fuzz_decoder: limit, modes, read size, stream ----------------------
stream = (frame(b"hello") + frame(b"a", more=True) + frame(b"b") +
          frame(b"x" * 300) + command(b"PING", b"\0\x0a") + frame(b""))
for modes in range(8):
    seed("fuzz_decoder", "modes%d" % modes, bytes([0, modes, 0]) + stream)
seed("fuzz_decoder", "limit", bytes([10, 1, 3]) + stream)
seed("fuzz_decoder", "large", bytes([0, 5, 255]) + frame(b"y" * 5000))

# ---- fuzz_greeting: setup, mechanism (0 NULL, 1 PLAIN client, 2 PLAIN
# server), the peer's bytes from the first ------------------------------
msg = frame(b"hello")
g = greeting()
seed("fuzz_greeting", "null-whole",
     engine_setup() + b"\0" + turns(g + ready_of("PAIR") + msg))
seed("fuzz_greeting", "null-two-steps",
     engine_setup() + b"\0" + turns(g[:11], g[11:], ready_of("PAIR"), msg))
seed("fuzz_greeting", "null-bytewise",
     engine_setup() + b"\0" + turns(*[g[i:i + 1] for i in range(64)]))
seed("fuzz_greeting", "null-3.0",
     engine_setup("SUB", PEER_3_0) + b"\0" +
     turns(greeting(minor=0), ready_of("SUB"), msg))
seed("fuzz_greeting", "major-4",
     engine_setup() + b"\0" + turns(greeting(major=4, minor=0),
                                    ready_of("PAIR")))
v2 = g[:10] + b"\x01" + bytes([5]) + b"\0\x04peer"  # DEALER, identity
seed("fuzz_greeting", "zmtp-2.0",
     engine_setup("ROUTER") + b"\0" + turns(v2[:11], v2[11:], msg))
seed("fuzz_greeting", "zmtp-2.0-pair",
     engine_setup() + b"\0" + turns(g[:10] + b"\x02\x00\x00\x00", msg))
seed("fuzz_greeting", "zmtp-1.0",
     engine_setup() + b"\0" + turns(b"\x05\x00peer" + b"\x06\x00hello"))
seed("fuzz_greeting", "bad-signature",
     engine_setup() + b"\0" + turns(b"\xff" + b"\0" * 8 + b"\x7e" + g[10:]))
seed("fuzz_greeting", "plain-client",
     engine_setup() + b"\1" + turns(greeting(b"PLAIN", True),
                                    command(b"WELCOME")))
seed("fuzz_greeting", "plain-server-v2",
     engine_setup() + b"\2" + turns(v2))
seed("fuzz_greeting", "mechanism-mismatch",
     engine_setup() + b"\0" + turns(greeting(b"CURVE")))

# ---- fuzz_handshake_null: setup, the peer's frames after its greeting --
for t in TYPES:
    seed("fuzz_handshake_null", "ready-" + t.lower(),
         engine_setup(t) + turns(ready_of(t), msg))
seed("fuzz_handshake_null", "ready-identity",
     engine_setup("ROUTER", ROUTING_ID) +
     turns(ready_of("ROUTER", [(b"Identity", b"peer-1"),
                               (b"X-Custom", b"value")]), msg))
seed("fuzz_handshake_null", "zap-200",
     engine_setup("PULL", ZAP_DOMAIN | ZAP_HANDLER,
                  zap=(200, b"user", properties([(b"X-Zap", b"yes")]))) +
     turns(ready_of("PULL"), msg))
seed("fuzz_handshake_null", "zap-400",
     engine_setup("PULL", ZAP_DOMAIN | ZAP_HANDLER, zap=(400, b"", b"")) +
     turns(ready_of("PULL")))
seed("fuzz_handshake_null", "zap-malformed",
     engine_setup("PULL", ZAP_DOMAIN | ZAP_HANDLER,
                  zap=("malformed", b"", b"")) + turns(ready_of("PULL")))
seed("fuzz_handshake_null", "zap-gone",
     engine_setup("PULL", ZAP_DOMAIN | ZAP_HANDLER, zap=("gone", b"", b"")) +
     turns(ready_of("PULL")))
seed("fuzz_handshake_null", "zap-enforced-none",
     engine_setup("PULL", ZAP_DOMAIN | ZAP_ENFORCE) + turns(ready_of("PULL")))
seed("fuzz_handshake_null", "error",
     engine_setup() + turns(command(b"ERROR", b"\x0bsome reason")))
seed("fuzz_handshake_null", "error-zap",
     engine_setup() + turns(command(b"ERROR", b"\x03400")))
seed("fuzz_handshake_null", "incompatible",
     engine_setup("PUSH") + turns(ready_of("PUSH")[:-4] + b"PUSH"))
seed("fuzz_handshake_null", "session-refuses",
     engine_setup("PAIR", SESSION_NO) + turns(ready_of("PAIR")))

# ---- fuzz_traffic: setup, the peer's frames after greeting and READY ---
seed("fuzz_traffic", "messages",
     engine_setup() + turns(msg, frame(b"a", more=True) + frame(b"b"),
                            frame(b"z" * 1000), frame(b"")))
seed("fuzz_traffic", "pipe-full",
     engine_setup("PULL", PIPE_FULL) +
     turns(msg + frame(b"a", more=True) + frame(b"b") + msg))
seed("fuzz_traffic", "pipe-full-resumed-inside",
     engine_setup("PULL", PIPE_FULL, RESUME_INSIDE) +
     turns(msg + frame(b"a", more=True) + frame(b"b"), msg))
seed("fuzz_traffic", "sends-later",
     engine_setup("DEALER", 0, SENDS | SENDS_LATER) +
     turns(msg, msg, command(b"PING", b"\0\0"), msg))
seed("fuzz_traffic", "sub-sends-later",
     engine_setup("XSUB", 0, SENDS_LATER) + turns(msg, msg, msg))
seed("fuzz_traffic", "maxmsgsize",
     engine_setup("PULL", SMALL_MAX) + turns(frame(b"q" * 99),
                                             frame(b"q" * 101)))
seed("fuzz_traffic", "ping",
     engine_setup() + turns(command(b"PING", b"\0\x0acontext"),
                            command(b"PONG", b"context"), msg))
seed("fuzz_traffic", "heartbeat",
     engine_setup("DEALER", 0, HEARTBEAT | SENDS) +
     turns(command(b"PING", b"\0\0"), msg))
for t in ("PUB", "XPUB"):
    seed("fuzz_traffic", "subscribe-" + t.lower(),
         engine_setup(t) + turns(command(b"SUBSCRIBE", b"topic"),
                                 command(b"CANCEL", b"topic"),
                                 frame(b"\1old-style"),
                                 command(b"SUBSCRIBE")))
seed("fuzz_traffic", "join-leave-radio",
     engine_setup("RADIO") + turns(command(b"JOIN", b"weather"),
                                   command(b"LEAVE", b"weather"),
                                   command(b"JOIN"), command(b"JOIN", b"g" * 255),
                                   command(b"JOIN", b"g" * 256)))
seed("fuzz_traffic", "join-nul",
     engine_setup("RADIO") + turns(command(b"JOIN", b"a\0b"), msg))
seed("fuzz_traffic", "join-to-pair",
     engine_setup() + turns(command(b"JOIN", b"x"), msg))
seed("fuzz_traffic", "dish-groups",
     engine_setup("DISH") + turns(frame(b"weather", more=True) + frame(b"9e"),
                                  frame(b"", more=True), frame(b"body"),
                                  frame(b"g" * 255, more=True) + frame(b"x"),
                                  frame(b"no-more")))
seed("fuzz_traffic", "dish-three-frames",
     engine_setup("DISH") + turns(frame(b"g", more=True),
                                  frame(b"a", more=True), frame(b"b")))
# A single-part type's socket returns the one-part messages only: a
# multipart message between two of them is dropped whole.
for t in SINGLE_PART:
    seed("fuzz_traffic", "single-part-" + t.lower(),
         engine_setup(t, 0, SENDS) +
         turns(msg, frame(b"a", more=True) + frame(b"b"), frame(b"after"),
               frame(b"c", more=True), frame(b"d", more=True) + frame(b"e"),
               command(b"JOIN", b"g"), frame(b""), frame(b"z" * 1000)))
seed("fuzz_traffic", "single-part-pipe-full",
     engine_setup("SERVER", PIPE_FULL, RESUME_INSIDE) +
     turns(msg + frame(b"a", more=True) + frame(b"b") + msg))
seed("fuzz_traffic", "single-part-cut",
     engine_setup("GATHER") + turns(msg, frame(b"a", more=True)))
seed("fuzz_traffic", "sub-sends",
     engine_setup("SUB", 0, SENDS) + turns(msg))
seed("fuzz_traffic", "sub-sends-3.0",
     engine_setup("SUB", PEER_3_0, SENDS) + turns(msg))
seed("fuzz_traffic", "error-in-traffic",
     engine_setup() + turns(msg, command(b"ERROR", b"\x03bye")))
seed("fuzz_traffic", "unknown-command",
     engine_setup() + turns(command(b"FUTURE", b"data"), msg))
seed("fuzz_traffic", "long-frame",
     engine_setup("PULL", 0, 0) + turns(frame(b"L" * 3000)[:100],
                                       frame(b"L" * 3000)[100:]))

# ---- fuzz_plain_server / fuzz_plain_client -----------------------------
def hello(user, password):
    return command(b"HELLO", bytes([len(user)]) + user +
                   bytes([len(password)]) + password)


ok = (200, b"admin", b"")
for t in ("PAIR", "DEALER", "PULL"):
    seed("fuzz_plain_server", "accepted-" + t.lower(),
         engine_setup(t, ZAP_HANDLER, zap=ok) +
         turns(hello(b"admin", b"secret"),
               command(b"INITIATE", properties([(b"Socket-Type",
                                                 PEER[t].encode())])),
               msg))
seed("fuzz_plain_server", "zap-metadata",
     engine_setup("PAIR", ZAP_HANDLER,
                  zap=(200, b"admin", properties([(b"X-Role", b"ops")]))) +
     turns(hello(b"admin", b"secret"),
           command(b"INITIATE", properties([(b"Socket-Type", b"PAIR"),
                                            (b"Identity", b"")])), msg))
seed("fuzz_plain_server", "refused",
     engine_setup("PAIR", ZAP_HANDLER, zap=(400, b"", b"")) +
     turns(hello(b"admin", b"wrong")))
seed("fuzz_plain_server", "no-handler",
     engine_setup() + turns(hello(b"admin", b"secret")))
seed("fuzz_plain_server", "empty-credentials",
     engine_setup("PAIR", ZAP_HANDLER, zap=ok) + turns(hello(b"", b"")))
seed("fuzz_plain_server", "initiate-first",
     engine_setup("PAIR", ZAP_HANDLER, zap=ok) +
     turns(command(b"INITIATE", properties([(b"Socket-Type", b"PAIR")]))))
for t in ("PAIR", "REQ", "PUSH"):
    seed("fuzz_plain_client", "accepted-" + t.lower(),
         engine_setup(t) +
         turns(command(b"WELCOME"),
               command(b"READY", properties([(b"Socket-Type",
                                              PEER[t].encode())])),
               msg))
seed("fuzz_plain_client", "error",
     engine_setup() + turns(command(b"ERROR", b"\x03400")))
seed("fuzz_plain_client", "libzmq-error",
     engine_setup() + turns(frame(b"\x5eRROR\x03400", command=True)))
seed("fuzz_plain_client", "welcome-with-data",
     engine_setup() + turns(command(b"WELCOME", b"extra")))
seed("fuzz_plain_client", "ready-first",
     engine_setup() + turns(command(b"READY", properties(
         [(b"Socket-Type", b"PAIR")]))))


# ---- fuzz_curve_* / fuzz_gssapi_*: mechanism_driver.h ------------------
# zap (0 none, 1 accepts, 2 refuses, 3 fails), variant, peer type index,
# chunk X-Fuzz, chunk routing id, then an action per command of the peer
# (0 deliver, 1 replace, 2 alter, 3 cut, 4 extend, 5 drop, 6 twice), then
# parts: flags, chunk body, action.
DELIVER, REPLACE, ALTER, CUT, EXTEND, DROP, TWICE = range(7)


def mechanism_setup(zap=0, variant=0, peer="PAIR", metadata=b"",
                    routing_id=b""):
    return (bytes([zap, variant, TYPES.index(peer)]) + chunk(metadata) +
            chunk(routing_id))


def parts(*items):
    return b"".join(bytes([flags]) + chunk(body) + bytes([DELIVER])
                    for flags, body in items)


honest_parts = parts((0, b"hello"), (1, b"first"), (0, b"second"),
                     (2, b"\x04PING\0\0"), (0, b""), (0, b"w" * 700))
# How many commands of an honest peer reach the side under test: HELLO and
# INITIATE; WELCOME and READY; a context token, the empty confirmation and
# READY; a context token and READY.
COMMANDS = {"fuzz_curve_server": 2, "fuzz_curve_client": 2,
            "fuzz_gssapi_server": 3, "fuzz_gssapi_client": 2}
for target, commands in sorted(COMMANDS.items()):
    honest = bytes([DELIVER] * commands)
    seed(target, "honest", mechanism_setup() + honest + honest_parts)
    seed(target, "honest-zap", mechanism_setup(zap=1) + honest + honest_parts)
    seed(target, "zap-refuses", mechanism_setup(zap=2) + honest)
    seed(target, "metadata",
         mechanism_setup(peer="DEALER", metadata=b"value",
                         routing_id=b"peer-id") + honest + honest_parts)
    for i in range(3):
        before = bytes([DELIVER] * i)
        seed(target, "replace-%d" % i,
             mechanism_setup() + before + bytes([REPLACE]) +
             chunk(b"\x05HELLO" + b"\0" * 194))
        seed(target, "alter-%d" % i,
             mechanism_setup() + before + bytes([ALTER]) +
             chunk(struct.pack(">HB", 0, 1) + struct.pack(">HB", 120, 0x80)))
        seed(target, "cut-%d" % i,
             mechanism_setup() + before + bytes([CUT]) +
             struct.pack(">H", 50))
        seed(target, "extend-%d" % i,
             mechanism_setup() + before + bytes([EXTEND]) + chunk(b"more"))
        seed(target, "drop-%d" % i,
             mechanism_setup() + before + bytes([DROP]))
        seed(target, "twice-%d" % i,
             mechanism_setup() + before + bytes([TWICE]))
    seed(target, "traffic-altered",
         mechanism_setup() + honest + bytes([0]) + chunk(b"hello") +
         bytes([ALTER]) + chunk(struct.pack(">HB", 8, 1)))
    seed(target, "traffic-replayed",
         mechanism_setup() + honest + bytes([0]) + chunk(b"hello") +
         bytes([TWICE]))
for target in ("fuzz_gssapi_server", "fuzz_gssapi_client"):
    seed(target, "plaintext", mechanism_setup(variant=1) +
         bytes([DELIVER] * COMMANDS[target]) + honest_parts)


# ---- fuzz_zap: server (0 NULL, 1 PLAIN, 2 CURVE), then reply frames ----
def reply(status=b"200", user=b"admin", metadata=b"", request_id=b"1",
          version=b"1.0", delimiter=b""):
    return turns(delimiter, version, request_id, status, b"OK", user,
                 metadata)


for server in range(3):
    seed("fuzz_zap", "200-%d" % server, bytes([server]) + reply())
    seed("fuzz_zap", "400-%d" % server, bytes([server]) + reply(b"400"))
seed("fuzz_zap", "300", b"\1" + reply(b"300"))
seed("fuzz_zap", "500", b"\1" + reply(b"500"))
seed("fuzz_zap", "metadata", b"\0" + reply(
    metadata=properties([(b"X-Role", b"ops"), (b"Identity", b"x")])))
seed("fuzz_zap", "bad-metadata", b"\0" + reply(metadata=b"\x05X-Rol"))
seed("fuzz_zap", "bad-version", b"\1" + reply(version=b"2.0"))
seed("fuzz_zap", "bad-request-id", b"\1" + reply(request_id=b"2"))
seed("fuzz_zap", "bad-status", b"\1" + reply(b"201"))
seed("fuzz_zap", "no-delimiter", b"\1" + reply(delimiter=b"x"))
seed("fuzz_zap", "short", b"\1" + turns(b"", b"1.0", b"1", b"200"))
seed("fuzz_zap", "long", b"\2" + reply() + turns(b"extra"))
seed("fuzz_zap", "empty", b"\0")

# ---- fuzz_z85: 0 decode, 1 encode, 2 public key ------------------------
seed("fuzz_z85", "decode", b"\0HelloWorld")
seed("fuzz_z85", "decode-overflow", b"\0%nSc1")
seed("fuzz_z85", "decode-bad", b"\0Hello\x7f")
seed("fuzz_z85", "encode", b"\1\x86\x4f\xd2\x6f\xb5\x59\xf7\x5b")
seed("fuzz_z85", "encode-odd", b"\1abc")
seed("fuzz_z85", "public", b"\2JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6")
seed("fuzz_z85", "public-short", b"\2JTKVSB%%)wK0E")

# ---- fuzz_endpoint: options, transport (0 inproc, 1 tcp, 2 ipc, 3 URI),
# address ------------------------------------------------------------------
for name, data in [
        ("inproc", b"\0\0name"),
        ("tcp-loopback", b"\0\1127.0.0.1:5555"),
        ("tcp-any", b"\0\1*:*"),
        ("tcp-ipv6", b"\1\1[::1]:80"),
        ("tcp-interface", b"\0\1lo:0"),
        ("tcp-source", b"\0\1127.0.0.1:0;127.0.0.1:80"),
        ("tcp-name", b"\0\1localhost:80"),
        ("tcp-bad-port", b"\0\1127.0.0.1:99999"),
        ("tcp-filter", b"\2\1" + chunk(b"127.0.0.1/8") + b"127.0.0.1:*"),
        ("tcp-device", b"\4\1" + chunk(b"lo") + b"127.0.0.1:*"),
        ("ipc-path", b"\0\2/tmp/never-bound"),
        ("ipc-abstract", b"\0\2@name"),
        ("ipc-wildcard", b"\0\2*"),
        ("ipc-long", b"\0\2/" + b"p" * 120),
        ("uri-inproc", b"\0\3inproc://x"),
        ("uri-tcp", b"\0\3tcp://127.0.0.1:1"),
        ("uri-other", b"\0\3udp://127.0.0.1:1"),
        ("uri-bad", b"\0\3://x"),
        ("uri-none", b"\0\3justtext")]:
    seed("fuzz_endpoint", name, data)

# ---- fuzz_sockopt: socket type, then (op, option, value) ---------------
def set_int(option, value):
    return bytes([1, option]) + struct.pack("<i", value)


def set_bytes(option, value):
    return bytes([0, option]) + chunk(value)


def get(option, size):
    return bytes([4, option]) + struct.pack(">H", size)


ZMQ = {"ROUTING_ID": 5, "SUBSCRIBE": 6, "SNDHWM": 23, "LINGER": 17,
       "MAXMSGSIZE": 22, "LAST_ENDPOINT": 32, "PLAIN_SERVER": 44,
       "PLAIN_USERNAME": 45, "CURVE_SERVER": 47, "CURVE_PUBLICKEY": 48,
       "ZAP_DOMAIN": 55, "CONNECT_ROUTING_ID": 61, "HEARTBEAT_TTL": 76,
       "METADATA": 95, "TYPE": 16, "EVENTS": 15, "FD": 14}
for t in range(21):
    seed("fuzz_sockopt", "type-%d" % t,
         bytes([t]) + set_int(ZMQ["SNDHWM"], 5) + get(ZMQ["SNDHWM"], 4) +
         set_bytes(ZMQ["ROUTING_ID"], b"id") + get(ZMQ["ROUTING_ID"], 255) +
         get(ZMQ["TYPE"], 4) + get(ZMQ["EVENTS"], 4))
seed("fuzz_sockopt", "strings",
     b"\0" + set_bytes(ZMQ["ZAP_DOMAIN"], b"domain") +
     get(ZMQ["ZAP_DOMAIN"], 3) + get(ZMQ["ZAP_DOMAIN"], 256) +
     set_bytes(ZMQ["PLAIN_USERNAME"], b"u" * 256) +
     set_bytes(ZMQ["METADATA"], b"X-Name:value") +
     get(ZMQ["LAST_ENDPOINT"], 0))
seed("fuzz_sockopt", "curve",
     b"\0" + set_bytes(ZMQ["CURVE_PUBLICKEY"], b"k" * 32) +
     get(ZMQ["CURVE_PUBLICKEY"], 32) + get(ZMQ["CURVE_PUBLICKEY"], 41) +
     set_int(ZMQ["CURVE_SERVER"], 1) + bytes([3, ZMQ["SUBSCRIBE"], 0, 4]))
seed("fuzz_sockopt", "sub", b"\2" + set_bytes(ZMQ["SUBSCRIBE"], b"topic") +
     bytes([3, ZMQ["SUBSCRIBE"], 0, 0]))
seed("fuzz_sockopt", "int64",
     b"\7" + bytes([2, ZMQ["MAXMSGSIZE"]]) + struct.pack("<q", 1 << 40) +
     get(ZMQ["MAXMSGSIZE"], 8))

# ---- fuzz_stream: modes (1 connects, 2 no notify), then operations -----
PEER_WRITES, APP_SENDS, APP_SENDS_TO, APP_CLOSES, PEER_CLOSES, TAKE = range(6)


def op(code, data=None):
    return bytes([code]) + (chunk(data) if data is not None else b"")


exchange = (op(PEER_WRITES, b"GET / HTTP/1.0\r\n\r\n") + op(TAKE) +
            op(APP_SENDS, b"HTTP/1.0 200 OK\r\n\r\n") +
            op(APP_SENDS_TO, b"nobody") + op(TAKE) +
            op(PEER_WRITES, b"more") + op(TAKE))
seed("fuzz_stream", "bound", b"\0" + exchange)
seed("fuzz_stream", "bound-app-closes", b"\0" + exchange + op(APP_CLOSES))
seed("fuzz_stream", "bound-peer-closes",
     b"\0" + exchange + op(PEER_CLOSES) + op(APP_SENDS, b"late"))
seed("fuzz_stream", "bound-no-notify", b"\2" + exchange)
seed("fuzz_stream", "connects", b"\1" + chunk(b"chosen-id") + exchange)
seed("fuzz_stream", "connects-no-id", b"\1" + chunk(b"") + exchange)
seed("fuzz_stream", "connects-no-notify",
     b"\3" + chunk(b"chosen") + exchange + op(PEER_CLOSES))
seed("fuzz_stream", "big", b"\0" + op(PEER_WRITES, b"b" * 3000) +
     op(APP_SENDS, b"c" * 3000) + op(TAKE))

# ---- fuzz_udp_datagram: 0 decode, 1 IPv4 frame, 2 IPv6 frame, 3 encode --
for name, data in [
        ("radio", b"\0\x07weather" + b"sunny"),
        ("no-group", b"\0\0body"),
        ("empty", b"\0"),
        ("short", b"\0\x09ab"),
        ("nul-group", b"\0\x02a\0b"),
        ("long-group", b"\0\xff" + b"g" * 255 + b"body"),
        ("largest", b"\0\x01g" + b"b" * 8190),
        ("oversized", b"\0\x01g" + b"b" * 8191),
        ("frame-ipv4", b"\1127.0.0.1:5555"),
        ("frame-bad-port", b"\1127.0.0.1:65536"),
        ("frame-name", b"\1localhost:80"),
        ("frame-ipv6", b"\2[::1]:5555"),
        ("frame-mapped", b"\2[::ffff:127.0.0.1]:1"),
        ("frame-ipv4-on-ipv6", b"\2127.0.0.1:9"),
        ("encode", b"\3" + chunk(b"tv") + b"hello"),
        ("encode-long-group", b"\3" + chunk(b"g" * 256) + b"x"),
        ("encode-large", b"\3" + chunk(b"g") + b"b" * 8191)]:
    seed("fuzz_udp_datagram", name, data)


# ---- fuzz_pgm_framing: even decode (limit, payloads), odd round trip ----
def pgm_frame(body, more=False):
    length = len(body) + 1
    head = bytes([length]) if length < 0xFF else b"\xff" + struct.pack(">Q", length)
    return head + (b"\1" if more else b"\0") + body


def pgm_payload(offset, data):
    return struct.pack(">H", offset) + data


def pgm_decode(limit, *payloads):
    """how-byte and chunk per payload: (how, bytes)"""
    return b"\0" + struct.pack(">H", limit) + b"".join(
        bytes([how]) + chunk(p) for how, p in payloads)


def pgm_parts(payload_size, missed, *parts):
    """parts: (more, bytes)"""
    return b"\1" + struct.pack(">H", payload_size) + bytes([missed]) + \
        b"".join(bytes([more]) + chunk(p) for more, p in parts)


two = pgm_frame(b"a", True) + pgm_frame(b"bb")
for name, data in [
        ("decode-one", pgm_decode(0xFFFF, (0, pgm_payload(0, pgm_frame(b"hi"))))),
        ("decode-multipart", pgm_decode(0xFFFF, (0, pgm_payload(0, two)))),
        ("decode-spanning", pgm_decode(0xFFFF,
            (0, pgm_payload(0, pgm_frame(b"x" * 40)[:20])),
            (0, pgm_payload(0xFFFF, pgm_frame(b"x" * 40)[20:])))),
        ("decode-gap", pgm_decode(0xFFFF,
            (0, pgm_payload(0, pgm_frame(b"x" * 40)[:20])),
            (1, pgm_payload(0xFFFF, pgm_frame(b"x" * 40)[20:])),
            (0, pgm_payload(0, pgm_frame(b"after"))))),
        ("decode-reset", pgm_decode(0xFFFF,
            (0, pgm_payload(0, pgm_frame(b"y" * 30)[:10])),
            (2, pgm_payload(3, b"yyy" + pgm_frame(b"next"))))),
        ("decode-long", pgm_decode(0xFFFF, (0, pgm_payload(0, pgm_frame(b"L" * 300))))),
        ("decode-limit", pgm_decode(4, (0, pgm_payload(0, pgm_frame(b"12345"))))),
        ("decode-zero-frame", pgm_decode(0xFFFF, (0, pgm_payload(0, b"\0\0")))),
        ("decode-bad-offset", pgm_decode(0xFFFF, (0, pgm_payload(9, b"\2\0")))),
        ("decode-short", pgm_decode(0xFFFF, (0, b"\0"))),
        ("trip-small", pgm_parts(16, 0, (0, b"hello"), (1, b"a"), (0, b"b"))),
        ("trip-late", pgm_parts(32, 3, (0, b"x" * 100), (0, b"y" * 10),
                                (1, b""), (0, b"z" * 50))),
        ("trip-big", pgm_parts(1400, 1, (0, b"q" * 3000), (0, b"r" * 300)))]:
    seed("fuzz_pgm_framing", name, data)


# ---- fuzz_ws_frames: flags, type, read size, [maxmsgsize], peer bytes ---
def ws_frame(opcode, payload, fin=True, mask=None, length_form=None):
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    bit = 0x80 if mask is not None else 0
    if length_form == 127 or (length_form is None and n > 0xFFFF):
        head += bytes([bit | 127]) + struct.pack(">Q", n)
    elif length_form == 126 or (length_form is None and n > 125):
        head += bytes([bit | 126]) + struct.pack(">H", n)
    else:
        head += bytes([bit | n])
    if mask is not None:
        head += mask
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return head + payload


M = b"\x37\xfa\x21\x3d"
ready = b"\2" + b"\5READY" + b"\x0bSocket-Type" + struct.pack(">I", 3) + b"SUB"
SERVER, CLIENT, LIMIT, BARE = 0, 1, 2, 4
for name, flags, kind, reads, extra, frames in [
        ("server-ready", SERVER, 0, 0, b"", ws_frame(2, ready, mask=M) +
         ws_frame(2, b"\1\1topic", mask=M)),
        ("server-fragments", SERVER, 2, 7, b"",
         ws_frame(2, b"\0frag", fin=False, mask=M) +
         ws_frame(9, b"ping!", mask=M) +
         ws_frame(0, b"ment", mask=M)),
        ("server-unmasked", SERVER, 0, 0, b"", ws_frame(2, b"\0nomask")),
        ("server-text", SERVER, 0, 0, b"", ws_frame(1, b"text", mask=M)),
        ("server-close", SERVER, 0, 0, b"", ws_frame(8, b"\x03\xe8bye", mask=M)),
        ("server-long", SERVER, 3, 1, b"", ws_frame(2, b"\0" + b"L" * 70000, mask=M)),
        ("server-short-form-126", SERVER, 0, 0, b"",
         ws_frame(2, b"\0abc", mask=M, length_form=126)),
        ("server-limit", SERVER | LIMIT, 0, 0, struct.pack(">H", 10),
         ws_frame(2, b"\0" + b"x" * 20, mask=M)),
        ("server-bare", SERVER | BARE, 1, 0, b"",
         ws_frame(2, b"\0", mask=M) + ws_frame(2, b"\0hi", mask=M)),
        ("client-ready", CLIENT, 1, 0, b"", ws_frame(2, ready) +
         ws_frame(2, b"\0data") + ws_frame(10, b"pong")),
        ("client-masked", CLIENT, 1, 0, b"", ws_frame(2, b"\0x", mask=M)),
        ("client-control-fragmented", CLIENT, 1, 0, b"",
         ws_frame(9, b"p", fin=False))]:
    seed("fuzz_ws_frames", name, bytes([flags, kind, reads]) + extra + frames)


# ---- fuzz_threadsafe: the pair, then ops (bit 7: the second socket) ----
(TS_SEND, TS_RECV, TS_JOIN, TS_LEAVE, TS_SET_BYTES, TS_SET_INT, TS_GET,
 TS_BIND, TS_CONNECT, TS_UNBIND, TS_DISCONNECT, TS_CONNECT_PEER,
 TS_DISCONNECT_PEER, TS_MSG_EDGES, TS_SPAWN, TS_WAIT, TS_DRAIN,
 TS_POLL) = range(18)
TS_PAIRS = {"client-server": 0, "radio-dish": 1, "scatter-gather": 2,
            "peer": 3, "channel": 4}
TS_MORE, TS_KNOWN_ID, TS_GROUP, TS_ID = 0x01, 0x02, 0x04, 0x08


def ts(code, side=0):
    return bytes([code | (0x80 if side else 0)])


def ts_send(side, size, flags=0, known=0, rid=0, group=b""):
    out = ts(TS_SEND, side) + bytes([flags]) + struct.pack(">H", size)
    if flags & TS_KNOWN_ID:
        out += bytes([known])
    if flags & TS_ID:
        out += struct.pack(">I", rid)
    if flags & TS_GROUP:
        out += chunk(group)
    return out


def ts_endpoint(code, side, k, name=b""):
    return ts(code, side) + bytes([k]) + (chunk(name) if k >= 4 else b"")


def ts_linked(first_binds=0):
    return (ts_endpoint(TS_BIND, first_binds, 0) +
            ts_endpoint(TS_CONNECT, 1 - first_binds, 0))


def ts_traffic():
    return (ts_send(0, 0) + ts_send(0, 5) + ts_send(0, 40) +
            ts_send(0, 9000) + ts_send(0, 65535) + ts_send(0, 12, TS_MORE) +
            ts(TS_DRAIN, 1) + ts_send(1, 3) + ts_send(1, 100) +
            ts(TS_DRAIN, 0) + ts(TS_RECV, 1))


for name in ["client-server", "scatter-gather", "channel"]:
    for binder in (0, 1):
        seed("fuzz_threadsafe", "%s-%d" % (name, binder),
             bytes([TS_PAIRS[name]]) + ts_linked(binder) + ts_traffic())
seed("fuzz_threadsafe", "client-server-ids",
     b"\0" + ts_send(1, 20) + ts_send(1, 20, TS_ID, rid=0xdeadbeef) +
     ts_linked() + ts_send(0, 30) + ts(TS_DRAIN, 1) +
     ts_send(1, 30, TS_KNOWN_ID) + ts_send(1, 30, TS_ID, rid=0xdeadbeef) +
     ts_send(1, 30, TS_KNOWN_ID | TS_MORE) + ts(TS_DRAIN, 0) +
     ts(TS_DISCONNECT_PEER, 1) + b"\0\0" + ts_send(1, 30, TS_KNOWN_ID) +
     ts(TS_DISCONNECT_PEER, 0) + b"\0\0" + ts(TS_CONNECT_PEER, 0) + b"\0")
seed("fuzz_threadsafe", "radio-dish",
     b"\1" + ts_linked() + ts(TS_JOIN, 1) + chunk(b"weather") +
     ts(TS_JOIN, 1) + chunk(b"weather") + ts(TS_JOIN, 1) + chunk(b"g" * 256) +
     ts(TS_JOIN, 1) + chunk(b"g" * 255) + ts(TS_JOIN, 1) + chunk(b"a\0b") +
     ts(TS_LEAVE, 1) + chunk(b"never") + ts(TS_JOIN, 0) + chunk(b"x") +
     ts(TS_POLL) +
     ts_send(0, 20, TS_GROUP, group=b"weather") +
     ts_send(0, 20, TS_GROUP, group=b"other") +
     ts_send(0, 20, TS_GROUP, group=b"g" * 256) +
     ts_send(0, 20, TS_GROUP, group=b"g" * 255) +
     ts_send(0, 3, TS_GROUP, group=b"a") +
     ts_send(0, 20, TS_GROUP | TS_MORE, group=b"weather") +
     ts_send(1, 20) + ts(TS_DRAIN, 1) + ts(TS_RECV, 0) +
     ts(TS_LEAVE, 1) + chunk(b"weather") +
     ts_send(0, 20, TS_GROUP, group=b"weather") + ts(TS_DRAIN, 1))
seed("fuzz_threadsafe", "dish-binds",
     b"\1" + ts_linked(1) + ts(TS_JOIN, 1) + chunk(b"") +
     ts_send(0, 10) + ts(TS_DRAIN, 1))
seed("fuzz_threadsafe", "peer",
     b"\3" + ts_endpoint(TS_BIND, 1, 0) + ts_endpoint(TS_CONNECT_PEER, 0, 0) +
     ts_send(0, 16, TS_KNOWN_ID) + ts_send(0, 16) + ts(TS_DRAIN, 1) +
     ts_send(1, 16, TS_KNOWN_ID) + ts(TS_DRAIN, 0) +
     ts(TS_DISCONNECT_PEER, 0) + b"\0\0" + ts_send(0, 16, TS_KNOWN_ID) +
     ts_endpoint(TS_CONNECT_PEER, 0, 4, b"elsewhere"))
seed("fuzz_threadsafe", "endpoints",
     b"\0" + ts_endpoint(TS_BIND, 0, 1) + ts_endpoint(TS_BIND, 1, 1) +
     ts_endpoint(TS_BIND, 0, 1) + ts_endpoint(TS_UNBIND, 1, 1) +
     ts_endpoint(TS_CONNECT, 1, 1) + ts_endpoint(TS_DISCONNECT, 1, 2) +
     ts_endpoint(TS_DISCONNECT, 1, 1) + ts_endpoint(TS_UNBIND, 0, 1) +
     ts_endpoint(TS_UNBIND, 0, 1) + ts_endpoint(TS_BIND, 1, 1) +
     ts_endpoint(TS_BIND, 0, 4, b"custom") +
     ts_endpoint(TS_CONNECT, 1, 4, b"custom") +
     ts_endpoint(TS_CONNECT, 1, 4, b"") + ts_send(1, 8) + ts(TS_DRAIN, 0) +
     ts_endpoint(TS_UNBIND, 0, 4, b"custom") +
     ts_endpoint(TS_DISCONNECT, 1, 4, b"custom"))
seed("fuzz_threadsafe", "options",
     b"\0" + ts(TS_GET) + bytes([14]) + struct.pack(">H", 4) +
     ts(TS_GET, 1) + bytes([81]) + struct.pack(">H", 4) +
     ts(TS_GET) + bytes([81]) + struct.pack(">H", 2) +
     ts(TS_SET_INT) + bytes([23]) + struct.pack("<i", 1) +
     ts(TS_SET_INT, 1) + bytes([24]) + struct.pack("<i", 1) +
     ts(TS_SET_BYTES) + bytes([5]) + chunk(b"id") +
     ts(TS_SET_BYTES) + bytes([110]) + chunk(b"hello") +
     ts_linked() + ts_send(0, 10) + ts_send(0, 10) + ts_send(0, 10) +
     ts(TS_DRAIN, 1))
seed("fuzz_threadsafe", "radio-nodrop",
     b"\1" + ts(TS_SET_INT) + bytes([69]) + struct.pack("<i", 1) +
     ts(TS_SET_INT, 1) + bytes([24]) + struct.pack("<i", 1) +
     ts_linked() + ts(TS_JOIN, 1) + chunk(b"") +
     b"".join(ts_send(0, 10) for _ in range(6)) + ts(TS_DRAIN, 1))
seed("fuzz_threadsafe", "msg-edges",
     b"\0" + ts(TS_MSG_EDGES) + b"\0\0\0\0" + chunk(b"g" * 256) +
     ts(TS_MSG_EDGES) + b"\0\0\0\7" + chunk(b"group\0tail") +
     ts(TS_MSG_EDGES) + b"\xff\xff\xff\xff" + chunk(b"g" * 255))
for name, pair in sorted(TS_PAIRS.items()):
    slice_ops = (ts_send(0, 10) + ts_send(0, 4000) + ts(TS_DRAIN, 1) +
                 ts(TS_GET, 1) + bytes([24]) + struct.pack(">H", 4) +
                 ts_send(1, 20, TS_KNOWN_ID) + ts(TS_POLL) +
                 ts(TS_JOIN, 1) + chunk(b"t"))
    seed("fuzz_threadsafe", "threads-" + name,
         bytes([pair]) + ts_linked() + ts(TS_JOIN, 1) + chunk(b"t") +
         ts_send(0, 9) + ts(TS_DRAIN, 1) + ts(TS_SPAWN) + bytes([9]) +
         slice_ops + slice_ops.replace(b"\x82\x00\x01t", b"\x83\x00\x01t") +
         ts(TS_WAIT) + ts(TS_DRAIN, 1) + ts(TS_DRAIN, 0))


def main():
    for target, seeds in sorted(SEEDS.items()):
        directory = os.path.join(CORPUS, target)
        os.makedirs(directory, exist_ok=True)
        for name, data in sorted(seeds.items()):
            with open(os.path.join(directory, name), "wb") as f:
                f.write(data)
    print("wrote %d seeds for %d targets under %s" %
          (sum(len(s) for s in SEEDS.values()), len(SEEDS), CORPUS))


main()
