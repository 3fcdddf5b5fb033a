#!/bin/sh
# The seeds' monitoring example (tests/monitor_seed.py: a DEALER client
# and server over tcp, every event watched) run through pyzmq twice: on
# the system libzmq (LD_LIBRARY_PATH cleared) and on this build's
# libzmq.so.5 (LD_LIBRARY_PATH set to .libs). Each run checks
# /proc/self/maps for the library it is meant to run on; the version 1
# events (sequence, values, endpoints, frame sizes) must be the same. The
# run on modzmq also checks the version 2 frames, which Debian's libzmq
# (built without the draft API) cannot give: the same events as version 1.
set -eu
top_builddir=${top_builddir:-.}
srcdir=${srcdir:-.}
python=/usr/bin/python3
[ -x "$python" ] || { echo "no $python: skipped"; exit 77; }
"$python" -c 'import zmq' 2>/dev/null || { echo "no pyzmq: skipped"; exit 77; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
libs=$(cd "$top_builddir/.libs" && pwd)

env -u LD_LIBRARY_PATH -u MODZMQ_OBSERVERS timeout 60 "$python" \
    "$srcdir/tests/monitor_seed.py" >"$scratch/libzmq.txt"
# A sanitizer build's library needs its runtimes loaded first (TSan's
# cannot be dlopened at all: its static TLS is gone by then); Python's own
# allocations are not ours to report.
preload=$(ldd "$libs/libzmq.so.5" | awk '/lib(asan|ubsan|tsan)\.so/ { print $3 }' |
    tr '\n' ' ')
LD_PRELOAD=$preload ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    LD_LIBRARY_PATH=$libs timeout 60 "$python" \
    "$srcdir/tests/monitor_seed.py" >"$scratch/modzmq.txt"

head -n 1 "$scratch/libzmq.txt"
head -n 1 "$scratch/modzmq.txt"
case $(head -n 1 "$scratch/libzmq.txt") in
"library /usr/lib/"*) ;;
*) echo "the baseline did not run on the system libzmq"; exit 1 ;;
esac
case $(head -n 1 "$scratch/modzmq.txt") in
"library $libs/"*) ;;
*) echo "the run on modzmq did not load this build"; exit 1 ;;
esac

# Version 1: line for line the same as libzmq.
sed 1d "$scratch/libzmq.txt" >"$scratch/expected"
sed 1d "$scratch/modzmq.txt" | grep -v ' v2 ' | awk '!(/^tcp monitor/ && seen++)' \
    >"$scratch/got"
if ! diff -u "$scratch/expected" "$scratch/got"; then
    echo "modzmq's version 1 events differ from libzmq's"
    exit 1
fi
grep -q 'MONITOR_STOPPED' "$scratch/got" || { echo "no events compared"; exit 1; }

# Version 2: the same events, in the same order, as version 1.
names() { awk '{ print $1, $4 }'; }
grep ' v1 ' "$scratch/got" | names >"$scratch/v1names"
grep ' v2 ' "$scratch/modzmq.txt" | names >"$scratch/v2names"
if ! diff -u "$scratch/v1names" "$scratch/v2names"; then
    echo "modzmq's version 2 events differ from its version 1 events"
    exit 1
fi
echo "libzmq and modzmq agree: $(wc -l <"$scratch/expected") lines"
