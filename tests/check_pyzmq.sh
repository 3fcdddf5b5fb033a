#!/bin/sh
# pyzmq's own test suite (Debian's python3-zmq ships it as zmq/tests), run
# file by file on the system libzmq (LD_LIBRARY_PATH cleared) and on this
# build's libzmq.so.5, with every plugin of the build tree on the plugin
# path: each test that passes on libzmq must pass on modzmq
# (tests/pyzmq_suite.py compares them and prints the counts).
set -eu
top_builddir=${top_builddir:-.}
srcdir=${srcdir:-.}
python=/usr/bin/python3
[ -x "$python" ] || { echo "no $python: skipped"; exit 77; }
"$python" -c 'import zmq.tests' 2>/dev/null || { echo "no pyzmq tests: skipped"; exit 77; }
"$python" -c 'import pytest, pytest_timeout' 2>/dev/null ||
    { echo "no pytest or pytest-timeout: skipped"; exit 77; }

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
libs=$(cd "$top_builddir/.libs" && pwd)
plugins=
for dir in "$top_builddir"/plugins/*/.libs; do
    plugins=$plugins${plugins:+:}$(cd "$dir" && pwd)
done
# A sanitizer build's library needs its runtimes loaded first.
preload=$(ldd "$libs/libzmq.so.5" | awk '/lib(asan|ubsan|tsan)\.so/ { print $3 }' |
    tr '\n' ' ')

MODZMQ_ENV_LD_LIBRARY_PATH=$libs MODZMQ_ENV_PLUGIN_PATH=$plugins \
    MODZMQ_ENV_LD_PRELOAD=$preload \
    "$python" "$srcdir/tests/pyzmq_suite.py" "$scratch" "$libs"
