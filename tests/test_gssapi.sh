#!/bin/sh
# Runs the GSSAPI suite (tests/test_gssapi) inside a throwaway Kerberos
# realm (tests/gssapi_realm.sh), with this build's GSSAPI plugin on the
# plugin path. make check runs it from the build directory.
build=$(pwd)
MODZMQ_PLUGIN_PATH=${MODZMQ_PLUGIN_PATH:+$MODZMQ_PLUGIN_PATH:}$build/plugins/gssapi/.libs
export MODZMQ_PLUGIN_PATH
# Sanitizer builds: a leak inside MIT Kerberos is not ours to report.
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=${srcdir:-.}/tests/gssapi_lsan.supp"
export LSAN_OPTIONS
exec "${srcdir:-.}/tests/gssapi_realm.sh" "$build/tests/test_gssapi" "$@"
