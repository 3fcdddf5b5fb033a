#!/usr/bin/env bash
# Builds the fuzz targets of tests/fuzz with clang, libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer, and runs each for a
# bounded time. Exits non-zero when any target finds a crash, a leak, a
# timeout or a broken invariant (the input is kept in build-fuzz/artifacts/).
#
#   tools/fuzz.sh [-t SECONDS] [--merge] [--build-only] [TARGET...]
#
#   -t SECONDS    run time of each target (default 30; FUZZ_SECONDS too)
#   --merge       afterwards, add the inputs that found new coverage to
#                 the committed corpus (tests/fuzz/corpus/<target>/),
#                 minimised by libFuzzer's -merge; without it the committed
#                 corpus is only read
#   --build-only  build, run nothing
#   TARGET        fuzz_decoder, fuzz_greeting, ... (default: every
#                 tests/fuzz/fuzz_*.c)
#
# Everything goes to build-fuzz/ (FUZZ_BUILD_DIR), which git ignores: the
# build, the corpus each run grows (build-fuzz/corpus/<target>/), the
# findings (build-fuzz/artifacts/) and one log per target (build-fuzz/logs/).
# The last lines printed are a table of executions, executions per second
# and coverage (libFuzzer's cov: and ft:) per target.
#
# An in-tree configured source directory cannot also be configured out of
# tree, so the build works on a copy of the git working tree (tracked and
# untracked files, ignored ones left out) in build-fuzz/src, refreshed each
# run with timestamps kept, so that make rebuilds only what changed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
seconds=${FUZZ_SECONDS:-30}
merge=no
build_only=no
targets=()
while [ $# -gt 0 ]; do
    case $1 in
    -t) seconds=$2; shift 2 ;;
    --merge) merge=yes; shift ;;
    --build-only) build_only=yes; shift ;;
    -h | --help) sed -n '2,27p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
    esac
done
if [ ${#targets[@]} -eq 0 ]; then
    for source in "$root"/tests/fuzz/fuzz_*.c; do
        targets+=("$(basename "$source" .c)")
    done
fi
jobs=$(nproc)

"$root/tools/install-deps.sh"
for tool in clang git; do
    command -v "$tool" >/dev/null || {
        echo "fuzz.sh: $tool not found (tools/install-deps.sh installs it)" >&2
        exit 1
    }
done

# ---- the source copy and its configuration ---------------------------
src=$build/src
mkdir -p "$src" "$build/corpus" "$build/artifacts" "$build/logs"
(cd "$root" && git ls-files -z --cached --others --exclude-standard) |
    (cd "$root" && tar --null -T - -cf -) | tar -C "$src" -xf -

flags="-O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link -DMODZMQ_LIBFUZZER"
stamp=$build/configured-with
if [ ! -f "$src/Makefile" ] || [ ! -f "$stamp" ] ||
    [ "$(cat "$stamp")" != "$flags" ] || [ "$src/configure.ac" -nt "$src/Makefile" ] ||
    [ "$src/Makefile.am" -nt "$src/Makefile" ]; then
    echo "== configuring the fuzz build in $src"
    (cd "$src" && ./autogen.sh >/dev/null &&
        ./configure --quiet CC=clang CFLAGS="$flags" --enable-sanitizers)
    echo "$flags" >"$stamp"
fi

echo "== building ${targets[*]}"
plugins=(plugins/tcp/modzmq_tcp.la plugins/ipc/modzmq_ipc.la
    plugins/plain/modzmq_plain.la plugins/curve/modzmq_curve.la)
# configure leaves the GSSAPI plugin out without MIT Kerberos.
grep -q '^S\["HAVE_GSSAPI_TRUE"\]=""$' "$src/config.status" &&
    plugins+=(plugins/gssapi/modzmq_gssapi.la)
programs=()
for t in "${targets[@]}"; do
    [ -f "$root/tests/fuzz/$t.c" ] || { echo "fuzz.sh: no target $t" >&2; exit 2; }
    programs+=("tests/fuzz/$t")
done
make -C "$src" -j"$jobs" --no-print-directory FUZZER_LINK=-fsanitize=fuzzer \
    "${plugins[@]}" "${programs[@]}"
[ "$build_only" = yes ] && exit 0

# ---- the runs ---------------------------------------------------------
plugin_path=$src/plugins/tcp/.libs:$src/plugins/ipc/.libs:$src/plugins/plain/.libs:$src/plugins/curve/.libs:$src/plugins/gssapi/.libs
export MODZMQ_PLUGIN_PATH=$plugin_path
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
realm_lsan="suppressions=$root/tests/gssapi_lsan.supp"
# Runs target t with the arguments after it; the GSSAPI ones inside a
# throwaway Kerberos realm, where leaks inside MIT Kerberos are not ours
# and a replay cache only slows them down.
run_target() {
    local t=$1
    shift
    case $t in
    fuzz_gssapi_*)
        LSAN_OPTIONS=$realm_lsan KRB5RCACHETYPE=none \
            "$root/tests/gssapi_realm.sh" "$src/tests/fuzz/$t" "$@"
        ;;
    *)
        "$src/tests/fuzz/$t" "$@"
        ;;
    esac
}

failed=()
report=()
for t in "${targets[@]}"; do
    corpus=$build/corpus/$t
    mkdir -p "$corpus"
    log=$build/logs/$t.log
    # A unit that takes 25 s is a hang: longer than any bounded wait of a
    # target (10 s), so that the target's own diagnosis comes first.
    echo "== $t: ${seconds}s"
    status=0
    run_target "$t" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" \
        "$corpus" "$root/tests/fuzz/corpus/$t" >"$log" 2>&1 || status=$?
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(echo "$done_line" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$done_line" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    result=ok
    if [ $status -ne 0 ]; then
        result="FAILED (exit $status, see $log)"
        failed+=("$t")
        grep -E 'ERROR|fuzz finding|SUMMARY|Test unit written' "$log" | head -5 >&2 || true
    elif [ "$merge" = yes ]; then
        run_target "$t" -merge=1 "$root/tests/fuzz/corpus/$t" "$corpus" \
            >>"$log" 2>&1 || true
    fi
    report+=("$(printf '%-22s %12s %8s %7s %7s  %s' "$t" "${execs:-?}" "${rate:-?}" \
        "${cov:-?}" "${ft:-?}" "$result")")
done

echo "== results (${seconds}s per target)"
printf '%-22s %12s %8s %7s %7s  %s\n' target executions exec/s cov ft result
printf '%s\n' "${report[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "fuzz.sh: findings in ${failed[*]}" >&2
    exit 1
fi
