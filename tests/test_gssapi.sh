#!/bin/sh
# Runs the GSSAPI suite (tests/test_gssapi) inside a throwaway Kerberos
# realm (tests/gssapi_realm.sh), with this build's GSSAPI plugin on the
# plugin path. make check runs it from the build directory.
build=$(pwd)
MODZMQ_PLUGIN_PATH=${MODZMQ_PLUGIN_PATH:+$MODZMQ_PLUGIN_PATH:}$build/plugins/gssapi/.libs
export MODZMQ_PLUGIN_PATH
exec "${srcdir:-.}/tests/gssapi_realm.sh" "$build/tests/test_gssapi" "$@"
