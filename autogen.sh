#!/bin/sh
# Regenerates the autotools build (configure, Makefile.in, libtool glue)
# from configure.ac and Makefile.am. Run once after a fresh clone.
set -e
cd "$(dirname "$0")"
mkdir -p config m4
autoreconf --install --force --warnings=all
