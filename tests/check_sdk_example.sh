#!/bin/sh
# Builds the SDK's example transports (sdk/examples: the unixstream
# stream transport and the unixpacket own-engine one) as a third party
# would: the SDK headers and modzmq-sdk.pc installed (make install
# DESTDIR) into a scratch directory, the example copied out of the tree
# and built with its own Makefile, which finds the SDK with pkg-config
# alone. Then the checker, linked with the built libzmq.so.5, loads it
# through MODZMQ_PLUGIN_PATH.
#
set -eu
top_builddir=${top_builddir:-.}
srcdir=${srcdir:-.}
command -v pkg-config >/dev/null || { echo "no pkg-config: skipped"; exit 77; }
command -v "${MAKE:-make}" >/dev/null || { echo "no make: skipped"; exit 77; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
stage=$scratch/stage

# A make of its own: not the jobserver of the make running the tests.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -s -C "$top_builddir" \
    DESTDIR="$stage" install-includeHEADERS install-modzmqsdkHEADERS \
    install-pkgconfigDATA
pc=$(find "$stage" -name modzmq-sdk.pc)
[ -n "$pc" ] || { echo "make install put no modzmq-sdk.pc under $stage"; exit 1; }

mkdir "$scratch/example"
cp "$srcdir/sdk/examples/example_transport.c" \
    "$srcdir/sdk/examples/example_xor_stream.c" \
    "$srcdir/sdk/examples/example_datagram.c" \
    "$srcdir/sdk/examples/example_observer.c" "$srcdir/sdk/examples/Makefile" \
    "$scratch/example/"
PKG_CONFIG_LIBDIR=$(dirname "$pc")
PKG_CONFIG_PATH=
PKG_CONFIG_SYSROOT_DIR=$stage
export PKG_CONFIG_LIBDIR PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
echo "SDK found by pkg-config: $(pkg-config --cflags modzmq-sdk)"
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -s \
    -C "$scratch/example" CFLAGS="-O2 -Werror"
for plugin in modzmq_unixstream.so modzmq_unixpacket.so; do
    [ -f "$scratch/example/$plugin" ] || { echo "$plugin not built"; exit 1; }
done

MODZMQ_PLUGIN_PATH=$scratch/example SDK_EXAMPLE_DIR=$scratch \
    "$top_builddir/tests/sdk_example_checker"
