#!/usr/bin/env bash
# Installs what building and testing modzmq needs on Debian: the autotools,
# the libraries the core links (GLib, libltdl, libsodium), CUnit for the
# tests, and Debian's libzmq (its header is the reference the constants are
# checked against; its library is the baseline of the benchmarks), and MIT
# Kerberos: the GSS-API the GSSAPI plugin links, and the KDC and admin
# tools its tests make a realm with; pytest, pytest-timeout and tornado
# for pyzmq's own test suite (tests/check_pyzmq.sh); and clang with
# libFuzzer (in Debian's compiler runtime package) and llvm-symbolizer for
# tools/fuzz.sh.
set -euo pipefail

packages=(
    build-essential autoconf automake libtool pkg-config
    libltdl-dev libglib2.0-dev libsodium-dev libcunit1-dev
    libzmq3-dev python3-zmq
    libkrb5-dev krb5-kdc krb5-admin-server krb5-user
    python3-pytest python3-pytest-timeout python3-tornado
    clang libclang-rt-dev llvm
)

missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
        || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

run_as_root=()
[ "$(id -u)" -eq 0 ] || run_as_root=(sudo)
"${run_as_root[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${run_as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
