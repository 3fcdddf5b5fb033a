#!/usr/bin/env node
/*
 * A libzmq 4.3.5 peer with the draft API, for modzmq's interoperability
 * tests of the thread-safe socket types, driven line by line (like
 * zmq_peer.py, which runs Debian's libzmq without the draft API).
 *
 * libzmq comes from the npm package zeromq 6 (tests/peers/node), whose
 * addon links libzmq 4.3.5 statically: the peer loads it by its full path
 * from the node_modules directory named in MODZMQ_DRAFT_PEER_MODULES (so
 * no other copy Node.js would find first), and refuses to start if any
 * libzmq.so is mapped into it, or if the addon it loaded is not that
 * package's. One socket per peer
 * process. Each command is one line on stdin, each answer one line on
 * stdout:
 *
 *   socket TYPE               -> ok  (SERVER, CLIENT, RADIO, DISH, SCATTER,
 *                                     GATHER, DGRAM; DEALER, ROUTER, PAIR,
 *                                     PUSH, PULL, PUB, SUB, REQ, REP)
 *   set NAME VALUE            -> ok  (NAME as zeromq.js spells it: linger,
 *                                     curveServer, curveSecretKey, ...;
 *                                     VALUE true, false, an integer,
 *                                     str:TEXT or hex:BYTES)
 *   get NAME                  -> value TEXT
 *   bind ENDPOINT             -> ok ENDPOINT  (the real one, after wildcards)
 *   connect ENDPOINT          -> ok
 *   disconnect ENDPOINT       -> ok
 *   join GROUP ...            -> ok  (DISH)
 *   leave GROUP ...           -> ok  (DISH)
 *   send PART ...             -> ok  (each PART hex, '-' for empty; DGRAM:
 *                                     the address part, then the body)
 *   sendto ID PART            -> ok  (SERVER: to routing id ID)
 *                                or error CODE  (libzmq's errno name, such
 *                                as EHOSTUNREACH for an id no peer has)
 *   sendgroup GROUP PART      -> ok  (RADIO)
 *   recv                      -> msg PART ... [id ID | group GROUP]
 *                                or timeout
 *   sendseq N [id ID | group GROUP | addr HOST:PORT]
 *                             -> sent N  (bodies "0" to "N-1" in ASCII)
 *   recvseq N                 -> seq COUNT ORDERED SOURCE=COUNT ...
 *                                (receives until N arrived or a receive
 *                                times out; SOURCE is the routing id, the
 *                                group or the DGRAM address, '-' for the
 *                                other types; ORDERED is 1 when each
 *                                source's bodies were 0, 1, 2, ... in turn)
 *   echo N                    -> ok  (in the background: receives up to N
 *                                     messages, each sent back to where it
 *                                     came from, until a receive times out)
 *   wait MS                   -> echoed COUNT  (when the echo has ended)
 *                                or timeout
 *   keypair                   -> keys PUBLIC SECRET  (Z85)
 *   monitor                   -> ok  (records the socket's events from now)
 *   event MS                  -> event TYPE  (the next handshake outcome:
 *                                handshake, handshake:error:auth, ...)
 *                                or timeout
 *   until TYPE MS             -> events TYPE ...  (the events recorded
 *                                up to the first of TYPE: connect, accept,
 *                                disconnect, ...) or timeout TYPE ...
 *   quit                      -> bye  (so does the end of stdin, silently;
 *                                what is not sent yet is dropped)
 * Errors answer "error <text>". Receiving and sending wait at most the
 * socket's timeouts, 5 s unless set.
 */
"use strict";

const fs = require("fs");
const path = require("path");
const readline = require("readline");

/* The libraries and the addon mapped into this process. */
function mappedFiles() {
    const files = new Set();
    for (const line of fs.readFileSync("/proc/self/maps", "utf8").split("\n")) {
        const fields = line.trim().split(/\s+/);
        if (fields.length >= 6 && fields[5].startsWith("/"))
            files.add(fields[5]);
    }
    return [...files];
}

/* Why this process does not run the bundled libzmq, or null if it does. */
function notBundled(zmq, packageDir) {
    const files = mappedFiles();
    const shared = files.filter((f) => /libzmq\.so/.test(path.basename(f)));
    if (shared.length > 0)
        return "a shared libzmq is mapped: " + shared.join(",");
    const addons = files.filter((f) => f.endsWith(".node"));
    if (addons.length !== 1 || !addons[0].startsWith(packageDir + path.sep))
        return "the addon is not the package's: " + addons.join(",");
    if (zmq.version !== "4.3.5")
        return "libzmq " + zmq.version + ", not 4.3.5";
    if (!zmq.capability.draft)
        return "libzmq built without the draft API";
    return null;
}

function parsePart(text) {
    if (text === "-")
        return Buffer.alloc(0);
    if (!/^([0-9a-fA-F]{2})+$/.test(text))
        throw new Error("bad part " + text);
    return Buffer.from(text, "hex");
}

function showPart(data) {
    return data.length > 0 ? Buffer.from(data).toString("hex") : "-";
}

function parseValue(text) {
    if (text === "true" || text === "false")
        return text === "true";
    if (/^-?[0-9]+$/.test(text))
        return Number(text);
    if (text.startsWith("str:"))
        return text.slice(4);
    if (text.startsWith("hex:"))
        return Buffer.from(text.slice(4), "hex");
    throw new Error("bad value " + text);
}

function isTimeout(error) {
    return error && error.code === "EAGAIN";
}

/* A received message as [parts, source]: the source is the routing id of
 * a SERVER's peer, a DISH's group or a DGRAM's address (whose frame
 * libzmq ends with a NUL, kept here so that an echo sends it back as it
 * came), else null. */
function splitReceived(kind, received) {
    switch (kind) {
    case "SERVER":
        return [[received[0]], String(received[1].routingId)];
    case "DISH":
        return [[received[0]], Buffer.from(received[1].group).toString()];
    case "DGRAM":
        return [[received[1]], Buffer.from(received[0]).toString()];
    default:
        return [received, null];
    }
}

/* Sends one body to a source as the socket type addresses it. */
function sendTo(kind, sock, body, how, where) {
    if (how === "id")
        return sock.send(body, { routingId: Number(where) });
    if (how === "group")
        return sock.send(body, { group: where });
    if (how === "addr")
        return sock.send([where, body]);
    if (how !== undefined)
        throw new Error("bad target " + how);
    if (kind === "SERVER" || kind === "RADIO" || kind === "DGRAM")
        throw new Error(kind + " needs a target");
    return sock.send(body);
}

class Peer {
    constructor(zmq, draft) {
        this.types = {
            SERVER: draft.Server, CLIENT: draft.Client, RADIO: draft.Radio,
            DISH: draft.Dish, SCATTER: draft.Scatter, GATHER: draft.Gather,
            DGRAM: draft.Datagram, DEALER: zmq.Dealer, ROUTER: zmq.Router,
            PAIR: zmq.Pair, PUSH: zmq.Push, PULL: zmq.Pull,
            PUB: zmq.Publisher, SUB: zmq.Subscriber, REQ: zmq.Request,
            REP: zmq.Reply,
        };
        this.zmq = zmq;
        this.sock = null;
        this.kind = null;
        this.echo = null;
        this.events = [];
        this.eventWaiter = null;
    }

    async receive() {
        return splitReceived(this.kind, await this.sock.receive());
    }

    /* The background half of "echo": each message back to its source. */
    async echoLoop(limit) {
        let count = 0;
        try {
            while (count < limit) {
                const received = await this.sock.receive();
                const [parts, source] = splitReceived(this.kind, received);
                if (this.kind === "SERVER")
                    await this.sock.send(parts[0], { routingId: Number(source) });
                else if (this.kind === "DGRAM")
                    await this.sock.send([source, parts[0]]);
                else
                    await this.sock.send(parts);
                count++;
            }
        } catch (error) {
            if (!isTimeout(error) && !this.sock.closed)
                process.stderr.write("echo: " + error + "\n");
        }
        return count;
    }

    /* The background half of "monitor": every event, kept in order. */
    async watch(observer) {
        try {
            for (;;) {
                const event = await observer.receive();
                this.events.push(event.type);
                if (this.eventWaiter)
                    this.eventWaiter();
            }
        } catch (error) {
            /* the observer ends with the socket */
        }
    }

    /* How many events were recorded up to the first that matches,
     * waiting at most the time given for it; 0 if none came. */
    async nextEvent(matches, milliseconds) {
        const deadline = Date.now() + milliseconds;
        for (;;) {
            const index = this.events.findIndex(matches);
            if (index >= 0)
                return index + 1;
            const left = deadline - Date.now();
            if (left <= 0)
                return 0;
            await new Promise((resolve) => {
                const timer = setTimeout(resolve, left);
                this.eventWaiter = () => { clearTimeout(timer); resolve(); };
            });
            this.eventWaiter = null;
        }
    }

    async recvseq(limit) {
        const counts = new Map();
        let total = 0;
        let ordered = 1;
        try {
            while (total < limit) {
                const [parts, source] = await this.receive();
                const key = source === null ? "-" : source.replace(/\0+$/, "");
                const seen = counts.get(key) || 0;
                if (parts.length !== 1 || Buffer.from(parts[0]).toString() !== String(seen))
                    ordered = 0;
                counts.set(key, seen + 1);
                total++;
            }
        } catch (error) {
            if (!isTimeout(error))
                throw error;
        }
        const sources = [...counts].map(([key, n]) => key + "=" + n);
        return ["seq", total, ordered, ...sources].join(" ");
    }

    async run(command, args) {
        const sock = this.sock;
        if (command !== "socket" && command !== "keypair" && sock === null)
            throw new Error("no socket");
        switch (command) {
        case "socket": {
            const Type = this.types[args[0]];
            if (sock !== null || Type === undefined)
                throw new Error("cannot make socket " + args[0]);
            this.sock = new Type({ linger: 1000 });
            this.kind = args[0];
            /* RADIO has no receive timeout, DISH no send timeout. */
            for (const timeout of ["receiveTimeout", "sendTimeout"]) {
                if (timeout in this.sock)
                    this.sock[timeout] = 5000;
            }
            return "ok";
        }
        case "set":
            if (!(args[0] in sock))
                throw new Error("no option " + args[0]);
            sock[args[0]] = parseValue(args[1]);
            return "ok";
        case "get":
            if (!(args[0] in sock))
                throw new Error("no option " + args[0]);
            return "value " + String(sock[args[0]]);
        case "bind":
            await sock.bind(args[0]);
            return "ok " + sock.lastEndpoint;
        case "connect":
            sock.connect(args[0]);
            return "ok";
        case "disconnect":
            sock.disconnect(args[0]);
            return "ok";
        case "join":
            sock.join(...args);
            return "ok";
        case "leave":
            sock.leave(...args);
            return "ok";
        case "send":
            await sock.send(args.map(parsePart));
            return "ok";
        case "sendto":
            try {
                await sock.send(parsePart(args[1]), { routingId: Number(args[0]) });
            } catch (error) {
                if (error.code === undefined)
                    throw error;
                return "error " + error.code;
            }
            return "ok";
        case "sendgroup":
            await sock.send(parsePart(args[1]), { group: args[0] });
            return "ok";
        case "recv":
            try {
                const [parts, source] = await this.receive();
                const shown = ["msg", ...parts.map(showPart)];
                if (this.kind === "SERVER")
                    shown.push("id", source);
                else if (this.kind === "DISH")
                    shown.push("group", source);
                else if (this.kind === "DGRAM")
                    shown.splice(1, 0, showPart(Buffer.from(source)));
                return shown.join(" ");
            } catch (error) {
                if (isTimeout(error))
                    return "timeout";
                throw error;
            }
        case "sendseq": {
            const count = Number(args[0]);
            for (let i = 0; i < count; i++)
                await sendTo(this.kind, sock, Buffer.from(String(i)), args[1], args[2]);
            return "sent " + count;
        }
        case "recvseq":
            return this.recvseq(Number(args[0]));
        case "echo":
            if (this.echo !== null)
                throw new Error("an echo is running");
            this.echo = this.echoLoop(Number(args[0]));
            return "ok";
        case "wait": {
            if (this.echo === null)
                throw new Error("no echo");
            let timer;
            const timeout = new Promise((resolve) => {
                timer = setTimeout(() => resolve(null), Number(args[0]));
            });
            const count = await Promise.race([this.echo, timeout]);
            clearTimeout(timer);
            if (count === null)
                return "timeout";
            this.echo = null;
            return "echoed " + count;
        }
        case "keypair": {
            const keys = this.zmq.curveKeyPair();
            return "keys " + keys.publicKey + " " + keys.secretKey;
        }
        case "monitor":
            this.watch(sock.events);
            return "ok";
        case "event": {
            const found = await this.nextEvent((t) => t.startsWith("handshake"),
                                               Number(args[0]));
            if (!found)
                return "timeout";
            return "event " + this.events.splice(0, found).pop();
        }
        case "until": {
            const found = await this.nextEvent((t) => t === args[0], Number(args[1]));
            if (found)
                return ["events", ...this.events.splice(0, found)].join(" ");
            return ["timeout", ...this.events.splice(0, 64)].join(" ");
        }
        default:
            throw new Error("unknown command " + command);
        }
    }
}

async function main() {
    const modules = process.env.MODZMQ_DRAFT_PEER_MODULES;
    if (!modules || !path.isAbsolute(modules)) {
        console.log("error MODZMQ_DRAFT_PEER_MODULES names no node_modules");
        return 1;
    }
    let zmq, draft, packageDir;
    try {
        packageDir = fs.realpathSync(modules);
        zmq = require(path.join(packageDir, "zeromq"));
        process.removeAllListeners("warning"); /* draft's "experimental" */
        draft = require(path.join(packageDir, "zeromq", "draft"));
    } catch (error) {
        console.log("error zeromq not loaded: " + String(error).split("\n")[0]);
        return 1;
    }
    const why = notBundled(zmq, packageDir);
    if (why !== null) {
        console.log("error " + why);
        return 1;
    }
    const capabilities = Object.keys(zmq.capability).filter((c) => zmq.capability[c]);
    const addon = mappedFiles().find((f) => f.endsWith(".node"));
    console.log("ready " + zmq.version + " " + capabilities.join(",") + " " + addon);

    const peer = new Peer(zmq, draft);
    const lines = readline.createInterface({ input: process.stdin, terminal: false });
    for await (const line of lines) {
        const words = line.trim().split(/\s+/).filter((w) => w.length > 0);
        if (words.length === 0)
            continue;
        if (words[0] === "quit") {
            console.log("bye");
            break;
        }
        let answer;
        try {
            answer = await peer.run(words[0], words.slice(1));
        } catch (error) {
            answer = "error " + String(error.message || error).replace(/\n/g, " ");
        }
        console.log(answer);
    }
    if (peer.sock !== null)
        peer.sock.linger = 0;
    return 0;
}

main().then((code) => process.exit(code));
