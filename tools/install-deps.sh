#!/usr/bin/env bash
# Installs what building and testing modzmq needs on Debian: the autotools,
# the libraries the core links (GLib, libltdl, libsodium), CUnit for the
# tests, and Debian's libzmq (its header is the reference the constants are
# checked against; its library is the baseline of the benchmarks), and MIT
# Kerberos: the GSS-API the GSSAPI plugin links, and the KDC and admin
# tools its tests make a realm with; pytest, pytest-timeout and tornado
# for pyzmq's own test suite (tests/check_pyzmq.sh); and clang with
# libFuzzer (in Debian's compiler runtime package) and llvm-symbolizer for
# tools/fuzz.sh; OpenPGM for the pgm and epgm plugin; NRL NORM for the norm plugin; Node.js with npm,
# to install the npm package zeromq 6 (below); and debhelper, lintian and
# mmdebstrap for the packages and their install test
# (tools/check-packages.sh), and man-db, whose man --warnings checks the
# manual pages; and Chromium, which runs the example web page of the ws
# transport headless (tests/test_ws_browser); GnuTLS for wss://, and
# openssl, which makes the certificates of its suite.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

packages=(
    build-essential autoconf automake libtool pkg-config
    libltdl-dev libglib2.0-dev libsodium-dev libcunit1-dev
    libzmq3-dev python3-zmq
    libkrb5-dev krb5-kdc krb5-admin-server krb5-user
    python3-pytest python3-pytest-timeout python3-tornado
    clang libclang-rt-dev llvm
    iproute2
    debhelper lintian mmdebstrap man-db
    libpgm-dev libnorm-dev
    chromium
    libgnutls28-dev openssl
)
# Debian's Node.js and npm, unless a node and an npm are there already
# (another build of nodejs, such as NodeSource's, brings its own npm and
# conflicts with Debian's).
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    run_as_root=()
    [ "$(id -u)" -eq 0 ] || run_as_root=(sudo)
    "${run_as_root[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${run_as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# The reference peer of the thread-safe socket types
# (tests/peers/zmq_draft_peer.js) runs libzmq 4.3.5 with the draft API,
# which Debian does not build: the npm package zeromq 6 links it
# statically into its prebuilt addon, so it never loads modzmq. It goes
# into tests/peers/node/node_modules (git-ignored) as package-lock.json
# pins it, without running the package's install script (which would
# only check the prebuilt addon, or build one). npm's cache keeps it, for
# the build trees of make distcheck, which install their own copy
# offline: so it is installed at every run, from the cache when the cache
# has it (no download then), which also puts back what the cache lost.
(cd "$root/tests/peers/node" &&
    npm ci --prefer-offline --ignore-scripts --no-audit --no-fund --loglevel=error)
