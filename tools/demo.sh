#!/usr/bin/env bash
# Set-up, build, and a demonstration: the classic messaging patterns over
# inproc, run on modzmq's own libzmq.so.5.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh
make --no-print-directory examples/inproc_patterns
./examples/inproc_patterns
