#!/bin/sh
# Every function the system's libzmq.so.5 exports must be exported by ours
# too, so that binaries and bindings built against libzmq load and run on
# modzmq. Also lists what we export beyond it (the draft API). Skips (77)
# when Debian's libzmq is not installed.
set -u
ours=${top_builddir:-.}/.libs/libzmq.so.5
theirs=
for candidate in /usr/lib/x86_64-linux-gnu/libzmq.so.5 /usr/lib/libzmq.so.5 /usr/lib64/libzmq.so.5; do
    [ -e "$candidate" ] && theirs=$candidate && break
done
if [ -z "$theirs" ]; then
    echo "no system libzmq.so.5 to compare with: skipped"
    exit 77
fi
if [ ! -e "$ours" ]; then
    echo "built library $ours not found"
    exit 99
fi
exports() {
    nm -D --defined-only "$1" | awk '$2 == "T" { print $3 }' | grep '^zmq_' | sort -u
}
scratch=$(mktemp -d)
exports "$theirs" > "$scratch/theirs"
exports "$ours" > "$scratch/ours"
count=$(wc -l < "$scratch/theirs")
missing=$(comm -23 "$scratch/theirs" "$scratch/ours")
extra=$(comm -13 "$scratch/theirs" "$scratch/ours")
rm -rf "$scratch"
echo "beyond $theirs (draft API):" $extra
if [ -n "$missing" ]; then
    echo "MISSING from $ours:" $missing
    exit 1
fi
unexpected=$(nm -D --defined-only "$ours" | awk '$2 == "T" { print $3 }' | grep -v '^zmq_' | grep -v '^modzmq_' | grep -v '^_' || true)
if [ -n "$unexpected" ]; then
    echo "internal symbols leak from $ours:" $unexpected
    exit 1
fi
echo "all $count functions exported by $theirs are exported"
