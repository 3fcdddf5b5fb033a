#!/bin/sh
# Replays the corpora of the GSSAPI fuzz targets (tests/fuzz/fuzz_gssapi_*)
# inside a throwaway Kerberos realm (tests/gssapi_realm.sh), as make check
# runs them from the build directory. Skipped (77) without the KDC tools.
build=$(pwd)
# Sanitizer builds: a leak inside MIT Kerberos is not ours to report.
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=${srcdir:-.}/tests/gssapi_lsan.supp"
export LSAN_OPTIONS
exec "${srcdir:-.}/tests/gssapi_realm.sh" sh -c '
    if [ -z "${MODZMQ_TEST_REALM:-}" ]; then
        echo "no Kerberos realm (${MODZMQ_TEST_REALM_MISSING:-}): skipped"
        exit 77
    fi
    "$1/tests/fuzz/fuzz_gssapi_server" && "$1/tests/fuzz/fuzz_gssapi_client"
' replay_gssapi "$build"
