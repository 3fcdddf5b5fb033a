#!/bin/sh
# Builds the SDK's byte-stream example (sdk/examples/example_xor_stream.c,
# scheme xorunix) as a third party would, from the SDK installed (make
# install DESTDIR) into a scratch directory and found with pkg-config
# alone, then runs tests/stream_hook_checker, which carries ZMTP through
# the stream with NULL and with CURVE (the curve plugin as built in this
# tree).
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
cp "$srcdir/sdk/examples/example_xor_stream.c" "$srcdir/sdk/examples/Makefile" \
    "$scratch/example/"
PKG_CONFIG_LIBDIR=$(dirname "$pc")
PKG_CONFIG_PATH=
PKG_CONFIG_SYSROOT_DIR=$stage
export PKG_CONFIG_LIBDIR PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -s \
    -C "$scratch/example" CFLAGS="-O2 -Werror" modzmq_xorunix.so
[ -f "$scratch/example/modzmq_xorunix.so" ] || { echo "example not built"; exit 1; }

MODZMQ_PLUGIN_PATH=$scratch/example:$top_builddir/plugins/curve/.libs \
    "$top_builddir/tests/stream_hook_checker"
