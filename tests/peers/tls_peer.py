#!/usr/bin/env python3
"""A standard TLS peer for tests/test_wss_transport.c: Python's ssl module
(OpenSSL), in a process of its own, driven one line at a time on stdin,
one answer line per command on stdout. It never loads zmq.

  verify PORT CAFILE HOSTNAME
      connects to 127.0.0.1:PORT as a TLS client that trusts CAFILE only
      and checks HOSTNAME, then sends a ZWS 2.0 upgrade for /wss;
      "ok STATUS-LINE" or "refused REASON".
  serve CERTFILE KEYFILE
      listens on 127.0.0.1 as a TLS server with that certificate; each
      connection's outcome is kept: "failed" when the client gave up the
      handshake, else "upgrade REQUEST-LINE" (the first line it sent;
      the connection then stays open, unanswered, until the client goes).
      Answers "port N".
  outcomes
      the outcomes so far, "outcomes A;B;..." ("outcomes" when none).
  clear
      forgets them; "clear".
  garbage PORT
      completes a TLS handshake with 127.0.0.1:PORT (no verification),
      then writes an application-data record whose bytes are noise on
      the raw socket; "closed" when the server hangs up within 5 s, else
      "open".
"""
import os
import socket
import ssl
import sys
import threading

outcomes = []
lock = threading.Lock()


def first_line(tls):
    data = b""
    while b"\r\n" not in data:
        chunk = tls.recv(4096)
        if not chunk:
            break
        data += chunk
    return data.split(b"\r\n")[0].decode()


def verify(port, cafile, hostname):
    context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH,
                                         cafile=cafile)
    try:
        with socket.create_connection(("127.0.0.1", int(port)), 5) as raw:
            with context.wrap_socket(raw, server_hostname=hostname) as tls:
                tls.sendall(b"GET /wss HTTP/1.1\r\nHost: " +
                            hostname.encode() + b"\r\n"
                            b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                            b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                            b"Sec-WebSocket-Protocol: ZWS2.0/NULL\r\n"
                            b"Sec-WebSocket-Version: 13\r\n\r\n")
                return "ok " + first_line(tls)
    except ssl.SSLError as error:
        return "refused " + (error.reason or str(error))
    except OSError as error:
        return "refused " + str(error)


def serve_one(context, conn):
    conn.settimeout(5)
    upgraded = False
    try:
        with context.wrap_socket(conn, server_side=True) as tls:
            record("upgrade " + first_line(tls))
            upgraded = True
            # Held open, unanswered, until the client goes (or 5 s).
            while tls.recv(4096):
                pass
    except (ssl.SSLError, OSError):
        if not upgraded:
            record("failed")


def record(outcome):
    with lock:
        outcomes.append(outcome)


def serve(certfile, keyfile):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certfile, keyfile)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)

    def accept_loop():
        while True:
            conn, _ = listener.accept()
            threading.Thread(target=serve_one, args=(context, conn),
                             daemon=True).start()

    threading.Thread(target=accept_loop, daemon=True).start()
    return "port %d" % listener.getsockname()[1]


def garbage(port):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    raw = socket.create_connection(("127.0.0.1", int(port)), 5)
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing)
    try:
        for _ in range(50):
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                raw.sendall(outgoing.read())
                data = raw.recv(65536)
                if not data:
                    return "closed before the handshake ended"
                incoming.write(data)
        raw.sendall(outgoing.read())
        raw.sendall(b"\x17\x03\x03\x00\x40" + os.urandom(64))
        raw.settimeout(5)
        while True:
            if not raw.recv(65536):
                return "closed"
    except ConnectionResetError:
        return "closed"
    except socket.timeout:
        return "open"
    finally:
        raw.close()


def main():
    print("ready tls peer", ssl.OPENSSL_VERSION, flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        command, args = words[0], words[1:]
        if command == "verify":
            answer = verify(*args)
        elif command == "serve":
            answer = serve(*args)
        elif command == "outcomes":
            with lock:
                answer = " ".join(["outcomes"] + [";".join(outcomes)])
        elif command == "clear":
            with lock:
                outcomes.clear()
            answer = "clear"
        elif command == "garbage":
            answer = garbage(*args)
        else:
            answer = "unknown " + command
        print(answer.strip(), flush=True)


main()
