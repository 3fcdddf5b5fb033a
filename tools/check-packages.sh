#!/usr/bin/env bash
# check-packages.sh: builds modzmq's Debian packages from the committed
# tree (git archive HEAD: uncommitted changes are not in them), checks them
# with lintian, and installs them with apt into a fresh minimal Debian root
# made here with mmdebstrap, as a new user would. In that root:
#   1. the core alone (with the -dev package, to build the probe): inproc
#      works, and tcp:// is refused with EPROTONOSUPPORT and a diagnostic
#      that names the plugin's file;
#   2. with modzmq-tcp installed, tcp works; removed, it is refused again;
#   3. Debian's python3-zmq installs on the core (Debian's libzmq5 stays
#      out) and, with only the tcp plugin, runs a round trip on modzmq;
#      Debian's libczmq-dev installs with libmodzmq-dev standing in for
#      libzmq3-dev, and a czmq program built against it runs round trips
#      over inproc and tcp on libmodzmq5's library;
#   4. the tool's package: modzmq receives from pyzmq and sends to it over
#      tcp;
#   5. an example plugin of the SDK package, built with nothing but the SDK
#      and -dev packages, loads and carries a round trip.
# Needs root (mmdebstrap's root mode, chroot), debhelper, lintian,
# mmdebstrap and a reachable Debian mirror (the one apt uses here). The
# root is this machine's Debian release. About three minutes.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/modzmq-packages.XXXXXX)
trap 'rm -rf "$work"' EXIT

version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
# shellcheck disable=SC1091
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
src=$work/modzmq-$version
mkdir "$src"
git -C "$top" archive HEAD | tar -x -C "$src"

echo "== dpkg-buildpackage"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
    tail -n 60 "$work/build.log"
    echo "check-packages: the package build failed"
    exit 1
fi

echo "== lintian (warnings fail, overrides say why)"
lintian --fail-on error,warning "$work/modzmq_${version}_"*.changes

mkdir "$work/debs"
for deb in "$work"/*.deb; do
    case $deb in *-dbgsym_*) ;; *) cp "$deb" "$work/debs/" ;; esac
done
cp "$top/tools/package_probe.c" "$work/debs/"
cat >"$work/debs/inside.sh" <<'INSIDE'
# Runs in the fresh root, as root, from /tmp/debs.
set -eu
cd /tmp/debs
export DEBIAN_FRONTEND=noninteractive
apt_install() { apt-get install -y -q --no-install-recommends "$@" >/tmp/apt.log 2>&1 || { cat /tmp/apt.log; exit 1; }; }
fail() { echo "check-packages: $*"; exit 1; }
refused() {
    /tmp/probe -r 'tcp://127.0.0.1:*' 2>/tmp/refusal || { cat /tmp/refusal; fail "tcp was not refused"; }
    grep -q 'modzmq_tcp' /tmp/refusal || { cat /tmp/refusal; fail "the refusal does not name modzmq_tcp"; }
}

echo "-- the core alone"
apt_install ./libmodzmq5_*.deb ./libmodzmq-dev_*.deb
plugins=$(ls /usr/lib/*/modzmq 2>/dev/null || true)
[ -z "$plugins" ] || fail "plugins installed with the core alone: $plugins"
# shellcheck disable=SC2046
gcc -Wall -Wextra -Werror -o /tmp/probe package_probe.c $(pkg-config --cflags --libs libzmq)
/tmp/probe inproc://probe || fail "inproc round trip"
refused
echo "   inproc works; tcp refused: $(grep -m1 modzmq_tcp /tmp/refusal)"

echo "-- modzmq-tcp installed, then removed"
apt_install ./modzmq-tcp_*.deb
/tmp/probe 'tcp://127.0.0.1:*' || fail "tcp round trip with modzmq-tcp"
apt-get remove -y -q modzmq-tcp >/tmp/apt.log 2>&1 || { cat /tmp/apt.log; exit 1; }
refused
echo "   tcp works with the package and is refused without it"

echo "-- Debian's python3-zmq on the core and the tcp plugin"
apt_install ./modzmq-tcp_*.deb
apt_install python3-zmq
if dpkg-query -W -f='${Status}' libzmq5 2>/dev/null | grep -q 'install ok installed'; then
    fail "python3-zmq pulled in Debian's libzmq5"
fi
python3 - <<'PY'
import subprocess, sys
import zmq
maps = open("/proc/self/maps").read().splitlines()
paths = sorted({line.split()[-1] for line in maps if "libzmq.so" in line})
owners = {p: subprocess.run(["dpkg", "-S", p], capture_output=True, text=True).stdout.split(":")[0] for p in paths}
if not paths or any(owner != "libmodzmq5" for owner in owners.values()):
    sys.exit(f"pyzmq maps {owners}, not libmodzmq5's library")
ctx = zmq.Context()
server, client = ctx.socket(zmq.PAIR), ctx.socket(zmq.PAIR)
for s in (server, client):
    s.linger = 0
    s.rcvtimeo = s.sndtimeo = 5000
server.bind("tcp://127.0.0.1:*")
client.connect(server.last_endpoint.decode())
client.send(b"pyzmq on modzmq")
assert server.recv() == b"pyzmq on modzmq"
ctx.destroy()
print("   pyzmq", zmq.pyzmq_version(), "runs on", paths[0], "(libmodzmq5)")
PY

echo "-- Debian's libczmq4, built against libmodzmq-dev as libzmq3-dev"
apt_install libczmq-dev
for real in libzmq5 libzmq3-dev; do
    if dpkg-query -W -f='${Status}' "$real" 2>/dev/null | grep -q 'install ok installed'; then
        fail "libczmq-dev pulled in Debian's $real"
    fi
done
cat >/tmp/czmq_probe.c <<'CZMQ'
#include <czmq.h>
#include <stdio.h>
#include <string.h>

/* A PAIR round trip through czmq over endpoint; prints the libzmq mapped. */
static int round_trip(const char *bind, const char *connect)
{
    zsock_t *server = zsock_new_pair(bind);
    zsock_t *client = zsock_new_pair(connect);
    if (server == NULL || client == NULL)
        return 1;
    zsock_set_rcvtimeo(server, 5000);
    zstr_send(client, "czmq on modzmq");
    char *text = zstr_recv(server);
    int failed = text == NULL || strcmp(text, "czmq on modzmq") != 0;
    zstr_free(&text);
    zsock_destroy(&client);
    zsock_destroy(&server);
    return failed;
}

int main(void)
{
    if (round_trip("@inproc://czmq", ">inproc://czmq") ||
        round_trip("@tcp://127.0.0.1:5593", ">tcp://127.0.0.1:5593"))
        return 1;
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    while (maps != NULL && fgets(line, sizeof line, maps) != NULL) {
        char *path = strchr(line, '/');
        if (path != NULL && strstr(path, "libzmq.so") != NULL) {
            fputs(path, stdout);
            break;
        }
    }
    return 0;
}
CZMQ
# shellcheck disable=SC2046
gcc -Wall -Wextra -Werror -o /tmp/czmq_probe /tmp/czmq_probe.c $(pkg-config --cflags --libs libczmq) ||
    fail "a czmq program does not build against libmodzmq-dev"
czmq_lib=$(/tmp/czmq_probe) || fail "czmq round trips over inproc and tcp"
[ "$(dpkg -S "$czmq_lib" | cut -d: -f1)" = libmodzmq5 ] ||
    fail "czmq maps $czmq_lib, not libmodzmq5's library"
echo "   czmq $(dpkg-query -W -f='${Version}' libczmq4) runs on $czmq_lib (libmodzmq5), inproc and tcp"

echo "-- modzmq-tools: the tool against pyzmq, both ways"
apt_install ./modzmq-tools_*.deb
modzmq plugins | grep -q 'tcp' || fail "modzmq plugins does not list tcp"
# The side that sends binds: a PUSH holds its message until the PULL has
# connected, whichever of the two starts first.
python3 -c '
import zmq
s = zmq.Context().socket(zmq.PUSH); s.linger = 10000; s.sndtimeo = 10000
s.bind("tcp://127.0.0.1:5591"); s.send(b"from pyzmq")' &
py=$!
modzmq recv -t pull -c tcp://127.0.0.1:5591 -n 1 -w 10000 >/tmp/tool.out || fail "modzmq recv failed"
wait "$py" || fail "the pyzmq sender failed"
[ "$(cat /tmp/tool.out)" = "from pyzmq" ] || fail "modzmq recv printed $(cat /tmp/tool.out)"
python3 -c '
import zmq, sys
s = zmq.Context().socket(zmq.PULL); s.rcvtimeo = 10000; s.bind("tcp://127.0.0.1:5592")
sys.stdout.write(s.recv().decode())' >/tmp/py.out &
py=$!
modzmq send -t push -c tcp://127.0.0.1:5592 -d "from modzmq" -w 10000 || fail "modzmq send failed"
wait "$py" || fail "the pyzmq receiver failed"
[ "$(cat /tmp/py.out)" = "from modzmq" ] || fail "pyzmq received $(cat /tmp/py.out)"
man -l /usr/share/man/man1/modzmq.1 >/dev/null 2>&1 || [ ! -x /usr/bin/man ] || fail "modzmq(1) does not render"
echo "   the installed tool received from pyzmq and sent to it"

echo "-- an example plugin built against the SDK package alone"
apt_install ./modzmq-sdk_*.deb make
cp -r /usr/share/doc/modzmq-sdk/examples /tmp/examples
make -s -C /tmp/examples modzmq_unixstream.so >/tmp/make.log 2>&1 || { cat /tmp/make.log; fail "the example plugin does not build"; }
cp /tmp/examples/modzmq_unixstream.so "$(pkg-config --variable=plugindir modzmq-sdk)/"
/tmp/probe unixstream://package-check || fail "round trip over the example plugin"
echo "   modzmq_unixstream.so, built from the SDK package, carries a round trip"
echo "-- all checks passed"
INSIDE

echo "== a fresh $suite root (mmdebstrap), then the checks inside it"
mmdebstrap --quiet --variant=apt --include=gcc,libc6-dev,pkg-config,python3 \
    --customize-hook="copy-in $work/debs /tmp" \
    --customize-hook='chroot "$1" sh /tmp/debs/inside.sh' \
    "$suite" "$work/root"
echo "check-packages: passed"
