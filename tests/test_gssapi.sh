#!/bin/sh
# Runs the GSSAPI suite (tests/test_gssapi) inside a throwaway Kerberos
# realm (tests/gssapi_realm.sh). make check runs it from the build
# directory.
build=$(pwd)
# make check's environment already names this build's plugins; by hand,
# the transports and the GSSAPI plugin are all the suite needs.
if [ -z "${MODZMQ_PLUGIN_PATH:-}" ]; then
    MODZMQ_PLUGIN_PATH=$build/plugins/tcp/.libs:$build/plugins/ipc/.libs:$build/plugins/gssapi/.libs
    export MODZMQ_PLUGIN_PATH
fi
# Sanitizer builds: a leak inside MIT Kerberos is not ours to report.
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=${srcdir:-.}/tests/gssapi_lsan.supp"
export LSAN_OPTIONS
exec "${srcdir:-.}/tests/gssapi_realm.sh" "$build/tests/test_gssapi" "$@"
