#!/usr/bin/env bash
# Set-up, build, and every test suite (make check).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install-deps.sh
tools/build.sh
make -j"$(nproc)" --no-print-directory check || { cat test-suite.log; exit 1; }
