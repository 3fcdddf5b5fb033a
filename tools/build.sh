#!/usr/bin/env bash
# Builds modzmq in place (autogen, configure, make). Extra arguments go to
# configure. Reconfigures only when the build files changed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ Makefile.am -nt Makefile.in ]; then
    ./autogen.sh
fi
if [ ! -f Makefile ] || [ configure -nt Makefile ] || [ $# -gt 0 ]; then
    ./configure --quiet "$@"
fi
make -j"$(nproc)" --no-print-directory
