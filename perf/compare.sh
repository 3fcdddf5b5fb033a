#!/usr/bin/env bash
# compare.sh: modzmq against the system libzmq, side by side, in one run.
#
# Runs the same perf binaries (perf/.libs/inproc_thr and inproc_lat, built
# by `make` against our zmq.h) once with LD_LIBRARY_PATH pointing at the
# build tree's .libs (modzmq) and once with LD_LIBRARY_PATH cleared (the
# system libzmq.so.5), alternating A B A B ... for every size, and prints
# the median of each side. Every run reports the libzmq file it really
# mapped (from /proc/self/maps); the script refuses a run whose library is
# not the expected one. Builds nothing: run `make` first.
#
# Usage: perf/compare.sh [--quick] [--reps N] [--sizes "1 64 ..."]
#                        [--taskset CPUS] [--log FILE]
#   --quick      3 repetitions and a fifth of the message counts
#   --reps N     repetitions per side (default 7)
#   --sizes L    message sizes in bytes (default "1 64 1024 8192 65536")
#   --taskset C  run every measurement under `taskset -c C` (e.g. 0 for a
#                single CPU, where wake-up costs dominate)
#   --log FILE   keep every raw result line there (default: a temp file)
# Ratios are arranged so that > 1.00 always means modzmq is better:
# throughput modzmq/libzmq, latency libzmq/modzmq. The "spread" columns give
# (max - min) / median of each side's repetitions, to judge the noise.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
build_libs="$top/.libs"

reps=7
scale=1
sizes="1 64 1024 8192 65536"
cpus=""
log=""
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) reps=3; scale=5 ;;
    --reps) reps=${2:?--reps needs a number}; shift ;;
    --sizes) sizes=${2:?--sizes needs a list}; shift ;;
    --taskset) cpus=${2:?--taskset needs a CPU list}; shift ;;
    --log) log=${2:?--log needs a file}; shift ;;
    -h|--help) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
case "$reps" in ''|*[!0-9]*|0) echo "compare.sh: bad --reps" >&2; exit 2 ;; esac

die() { echo "compare.sh: $*" >&2; exit 1; }

# The real binaries, not libtool's wrapper scripts (a wrapper would set its
# own LD_LIBRARY_PATH and always load the build tree's library).
find_tool() {
    local name=$1 candidate
    for candidate in "$here/.libs/$name" "$here/$name"; do
        if [ -x "$candidate" ] &&
            [ "$(od -An -tx1 -N4 "$candidate" | tr -d ' \n')" = 7f454c46 ]; then
            echo "$candidate"
            return
        fi
    done
    die "no built $name binary under $here (run make first)"
}
thr_bin=$(find_tool inproc_thr)
lat_bin=$(find_tool inproc_lat)
[ -e "$build_libs/libzmq.so.5" ] || die "$build_libs/libzmq.so.5 missing (run make first)"

launcher=()
if [ -n "$cpus" ]; then
    command -v taskset >/dev/null || die "taskset not found"
    launcher=(taskset -c "$cpus")
fi

if [ -z "$log" ]; then
    log=$(mktemp /tmp/modzmq-compare.XXXXXX)
fi
: >"$log"

# Messages per run, chosen so that one run lasts a few tenths of a second on
# a small machine; the latency runs are round trips.
thr_count() {
    local n
    case "$1" in
    1|64) n=3000000 ;;
    1024) n=1000000 ;;
    8192) n=200000 ;;
    *) n=100000 ;;
    esac
    echo $((n / scale))
}
lat_count() { echo $((5000 / scale)); }

# run_one SIDE TOOL ARGS...: runs the tool on one library, checks which
# library it mapped, prints the result line.
run_one() {
    local side=$1 bin=$2 out lib real
    shift 2
    if [ "$side" = modzmq ]; then
        out=$(env LD_LIBRARY_PATH="$build_libs" timeout 300 "${launcher[@]}" "$bin" "$@") ||
            die "$(basename "$bin") $* failed on modzmq"
    else
        out=$(env -u LD_LIBRARY_PATH timeout 300 "${launcher[@]}" "$bin" "$@") ||
            die "$(basename "$bin") $* failed on the system libzmq"
    fi
    lib=$(sed -n 's/.* lib=\([^ ]*\) .*/\1/p' <<<"$out")
    if [ -z "$lib" ] || [ ! -e "$lib" ]; then
        die "cannot tell which library ran: $out"
    fi
    real=$(readlink -f "$lib")
    case "$side:$real" in
    modzmq:"$(readlink -f "$build_libs")"/*) ;;
    system:/usr/lib/*|system:/lib/*) ;;
    *) die "$side run loaded $real, not the expected library" ;;
    esac
    echo "side=$side $out" >>"$log"
    echo "$out"
}

field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$2"; }

median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# (max - min) / median in percent: how far apart the repetitions were.
spread() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
        END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
              printf "%.0f%%", (m > 0) ? 100 * (v[NR] - v[1]) / m : 0 }'
}

# ---- which library does each side load? ---------------------------------
mz_check=$(run_one modzmq "$thr_bin" 64 1000)
sys_check=$(run_one system "$thr_bin" 64 1000)
echo "modzmq: $(field lib "$mz_check") (zmq_version $(field version "$mz_check"))"
echo "libzmq: $(field lib "$sys_check") (zmq_version $(field version "$sys_check"))"
[ "$(field lib "$mz_check")" != "$(field lib "$sys_check")" ] ||
    die "both sides loaded the same library"

# REQ/REP when both libraries have it, PAIR otherwise (same on both sides).
pattern=pair
if env LD_LIBRARY_PATH="$build_libs" "$lat_bin" 1 10 reqrep >/dev/null 2>&1 &&
    env -u LD_LIBRARY_PATH "$lat_bin" 1 10 reqrep >/dev/null 2>&1; then
    pattern=reqrep
fi

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "machine: $(nproc) CPUs, load average $(load) at start"
echo "binaries: $thr_bin $lat_bin"
echo "repetitions: $reps per side, interleaved; medians shown${cpus:+; taskset -c $cpus}"
echo "raw results: $log"
echo

# ---- throughput ------------------------------------------------------------
printf 'inproc throughput, PUSH->PULL (messages/s; ratio = modzmq/libzmq)\n'
printf '%8s %12s %12s %7s %10s %10s %9s %9s\n' size modzmq libzmq ratio \
    'mz Mbit/s' 'lz Mbit/s' 'mz spread' 'lz spread'
for size in $sizes; do
    count=$(thr_count "$size")
    mz=() lz=()
    for ((r = 0; r < reps; r++)); do
        mz+=("$(field msgs_per_sec "$(run_one modzmq "$thr_bin" "$size" "$count")")")
        lz+=("$(field msgs_per_sec "$(run_one system "$thr_bin" "$size" "$count")")")
    done
    m=$(median "${mz[@]}")
    l=$(median "${lz[@]}")
    awk -v s="$size" -v m="$m" -v l="$l" -v ms="$(spread "${mz[@]}")" \
        -v ls="$(spread "${lz[@]}")" 'BEGIN {
        printf "%8d %12.0f %12.0f %7.2f %10.0f %10.0f %9s %9s\n",
               s, m, l, m / l, m * s * 8 / 1e6, l * s * 8 / 1e6, ms, ls }'
done
echo

# ---- latency ---------------------------------------------------------------
printf 'inproc latency, %s round trips (one-way us; ratio = libzmq/modzmq)\n' "$pattern"
printf '%8s %12s %12s %7s %9s %9s\n' size modzmq libzmq ratio 'mz spread' 'lz spread'
for size in $sizes; do
    count=$(lat_count)
    mz=() lz=()
    for ((r = 0; r < reps; r++)); do
        mz+=("$(field latency_us "$(run_one modzmq "$lat_bin" "$size" "$count" "$pattern")")")
        lz+=("$(field latency_us "$(run_one system "$lat_bin" "$size" "$count" "$pattern")")")
    done
    m=$(median "${mz[@]}")
    l=$(median "${lz[@]}")
    awk -v s="$size" -v m="$m" -v l="$l" -v ms="$(spread "${mz[@]}")" \
        -v ls="$(spread "${lz[@]}")" 'BEGIN {
        printf "%8d %12.2f %12.2f %7.2f %9s %9s\n", s, m, l, l / m, ms, ls }'
done
echo
echo "load average $(load) at the end (other work on the machine skews both sides)"
