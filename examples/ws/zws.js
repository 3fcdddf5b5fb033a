// zws.js: a ZeroMQ socket for web pages, over ZWS 2.0 (RFC 45: ZeroMQ
// over WebSocket), in plain JavaScript with nothing but the browser's
// WebSocket. It offers the subprotocol "ZWS2.0", no mechanism: a browser
// refuses "ZWS2.0/NULL", since a subprotocol must be an HTTP token and "/"
// may not appear in one (RFC 6455, section 4.1). As in ZMTP 2.0, each
// side's first message is then its routing id. The socket types a page
// needs: SUB (subscribe, receive), DEALER (send, receive), and PUB, PUSH
// or PULL in the same way. No security: use wss:// across networks.
//
// Each ZeroMQ frame is one binary WebSocket message whose first octet is
// a flag: 0x00 the last frame of a message, 0x01 a frame with more to
// come, 0x02 a command (PING is answered with PONG; ERROR closes).
//
//   const sub = new ZwsSocket("ws://127.0.0.1:5556/news", "SUB");
//   sub.subscribe("weather");
//   sub.onmessage = (frames) => console.log(ZwsSocket.text(frames[0]));
//
//   const dealer = new ZwsSocket("ws://127.0.0.1:5557/", "DEALER");
//   dealer.send(["hello"]);
"use strict";

const FLAG_LAST = 0x00;
const FLAG_MORE = 0x01;
const FLAG_COMMAND = 0x02;

class ZwsSocket {
  // url: ws:// or wss://; type: "SUB", "DEALER", "PUB", "PUSH", "PULL".
  constructor(url, type) {
    this.type = type;
    this.ready = false;
    this.pending = [];       // messages sent before the handshake ended
    this.subscriptions = []; // SUB: topics, sent again after a reconnect
    this.partial = [];       // frames of a message still arriving
    this.onmessage = null;   // (frames: Uint8Array[]) => void
    this.onready = null;     // () => void, once the handshake is over
    this.onclose = null;     // (reason: string) => void
    this.ws = new WebSocket(url, ["ZWS2.0"]);
    this.ws.binaryType = "arraybuffer";
    this.ws.onopen = () => this.opened();
    this.ws.onmessage = (event) => this.received(new Uint8Array(event.data));
    this.ws.onclose = (event) => {
      this.ready = false;
      if (this.onclose) this.onclose(event.reason || "closed (" + event.code + ")");
    };
  }

  // Bytes of a string, UTF-8.
  static bytes(value) {
    if (value instanceof Uint8Array) return value;
    return new TextEncoder().encode(String(value));
  }

  // A frame's bytes as a string, UTF-8.
  static text(frame) {
    return new TextDecoder().decode(frame);
  }

  // Sends a message: an array of frames (strings or Uint8Arrays).
  send(frames) {
    const parts = frames.map(ZwsSocket.bytes);
    if (!this.ready) {
      this.pending.push(parts);
      return;
    }
    parts.forEach((part, i) =>
      this.sendFrame(i + 1 < parts.length ? FLAG_MORE : FLAG_LAST, part));
  }

  // SUB: receive the messages whose first frame starts with topic.
  subscribe(topic) {
    const body = ZwsSocket.bytes(topic);
    this.subscriptions.push(body);
    if (this.ready) this.sendSubscription(1, body);
  }

  close() {
    this.ws.close(1000, "done");
  }

  // ---- the protocol ------------------------------------------------------

  sendFrame(flag, body) {
    const frame = new Uint8Array(body.length + 1);
    frame[0] = flag;
    frame.set(body, 1);
    this.ws.send(frame);
  }

  // ZWS sends subscriptions as messages, as ZMTP 3.0 does: 1 subscribes,
  // 0 cancels, then the topic.
  sendSubscription(subscribe, topic) {
    const body = new Uint8Array(topic.length + 1);
    body[0] = subscribe;
    body.set(topic, 1);
    this.sendFrame(FLAG_LAST, body);
  }

  // A command: the name's length, the name, then its data.
  command(name, data) {
    const nameBytes = ZwsSocket.bytes(name);
    const body = new Uint8Array(1 + nameBytes.length + data.length);
    body[0] = nameBytes.length;
    body.set(nameBytes, 1);
    body.set(data, 1 + nameBytes.length);
    this.sendFrame(FLAG_COMMAND, body);
  }

  // Our routing id (empty) goes first, and the peer's is awaited.
  opened() {
    if (this.ws.protocol !== "ZWS2.0") {
      this.ws.close(1002, "the server chose no ZWS 2.0 protocol");
      return;
    }
    this.sendFrame(FLAG_LAST, new Uint8Array(0));
    this.awaitingIdentity = true;
  }

  handshakeDone() {
    this.ready = true;
    if (this.type === "SUB")
      this.subscriptions.forEach((topic) => this.sendSubscription(1, topic));
    const pending = this.pending;
    this.pending = [];
    pending.forEach((parts) => this.send(parts));
    if (this.onready) this.onready();
  }

  received(frame) {
    if (frame.length === 0) {
      this.ws.close(1002, "empty ZWS frame");
      return;
    }
    const flag = frame[0];
    const body = frame.subarray(1);
    if (flag === FLAG_COMMAND) {
      this.receivedCommand(body);
      return;
    }
    if (flag !== FLAG_LAST && flag !== FLAG_MORE) {
      this.ws.close(1002, "bad ZWS flag " + flag);
      return;
    }
    if (this.awaitingIdentity) {
      // The peer's routing id; a page has no use for it.
      if (flag === FLAG_LAST) {
        this.awaitingIdentity = false;
        this.handshakeDone();
      }
      return;
    }
    if (!this.ready) {
      this.ws.close(1002, "a message before the handshake");
      return;
    }
    this.partial.push(body.slice());
    if (flag === FLAG_LAST) {
      const frames = this.partial;
      this.partial = [];
      if (this.onmessage) this.onmessage(frames);
    }
  }

  receivedCommand(body) {
    const nameLength = body[0];
    const name = ZwsSocket.text(body.subarray(1, 1 + nameLength));
    const data = body.subarray(1 + nameLength);
    if (name === "PING") {
      // PING: a TTL (2 octets), then a context that PONG gives back.
      this.command("PONG", data.subarray(2));
    } else if (name === "ERROR") {
      this.ws.close(1000, "ERROR from the peer");
    }
  }
}

if (typeof module !== "undefined") module.exports = { ZwsSocket };
