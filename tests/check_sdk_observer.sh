#!/bin/sh
# Builds the SDK's example observer (sdk/examples/example_observer.c) as a
# third party would, from the SDK installed (make install DESTDIR) into a
# scratch directory and found with pkg-config alone, then runs
# tests/observer_checker with MODZMQ_OBSERVERS=eventlog and
# MODZMQ_EVENT_LOG set: every line the observer wrote must be JSON, and
# the client's and the server's events must be there.
set -eu
top_builddir=${top_builddir:-.}
srcdir=${srcdir:-.}
command -v pkg-config >/dev/null || { echo "no pkg-config: skipped"; exit 77; }
command -v "${MAKE:-make}" >/dev/null || { echo "no make: skipped"; exit 77; }
[ -x /usr/bin/python3 ] || { echo "no python3 to read JSON: skipped"; exit 77; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
stage=$scratch/stage

env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -s -C "$top_builddir" \
    DESTDIR="$stage" install-includeHEADERS install-modzmqsdkHEADERS \
    install-pkgconfigDATA
pc=$(find "$stage" -name modzmq-sdk.pc)
[ -n "$pc" ] || { echo "make install put no modzmq-sdk.pc under $stage"; exit 1; }

mkdir "$scratch/example"
cp "$srcdir/sdk/examples/example_observer.c" "$srcdir/sdk/examples/Makefile" \
    "$scratch/example/"
PKG_CONFIG_LIBDIR=$(dirname "$pc")
PKG_CONFIG_PATH=
PKG_CONFIG_SYSROOT_DIR=$stage
export PKG_CONFIG_LIBDIR PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -s \
    -C "$scratch/example" CFLAGS="-O2 -Werror" modzmq_eventlog.so
[ -f "$scratch/example/modzmq_eventlog.so" ] || { echo "example not built"; exit 1; }

log=$scratch/events.jsonl
MODZMQ_PLUGIN_PATH=$scratch/example:${MODZMQ_PLUGIN_PATH:-} \
MODZMQ_OBSERVERS=eventlog MODZMQ_EVENT_LOG=$log \
    "$top_builddir/tests/observer_checker"
/usr/bin/python3 - "$log" <<'PY'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1])]
names = [e["event"] for e in events]
print("%d events: %s" % (len(events), " ".join(names)))
for needed in ("LISTENING", "ACCEPTED", "CONNECTED", "HANDSHAKE_SUCCEEDED", "CLOSED"):
    if needed not in names:
        sys.exit("no %s event in the log" % needed)
if names.count("HANDSHAKE_SUCCEEDED") != 2:
    sys.exit("expected a handshake on each side")
listening = next(e for e in events if e["event"] == "LISTENING")
if not listening["local"].startswith("tcp://127.0.0.1:") or listening["values"][0] <= 2:
    sys.exit("LISTENING without its endpoint or fd: %r" % listening)
PY
