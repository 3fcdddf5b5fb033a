#!/usr/bin/env bash
# compare.sh: modzmq against the system libzmq, side by side, in one run.
#
# Runs the same perf binaries (perf/.libs/thr and lat, built by `make`
# against our zmq.h) once with LD_LIBRARY_PATH pointing at the build tree's
# .libs (modzmq) and once with LD_LIBRARY_PATH cleared (the system
# libzmq.so.5), alternating A B A B ... for every transport and size, and
# prints the median of each side. Every run reports the libzmq file it
# really mapped (from /proc/self/maps); the script refuses a run whose
# library is not the expected one. For tcp, perf/raw_tcp_thr (plain sockets,
# no zmq) runs in the same alternation and gives the physical ceiling.
# Builds nothing: run `make` first.
#
# Three kinds of table, per transport: "base" (PUSH->PULL throughput and
# REQ/REP or PAIR latency, modzmq against libzmq); "pairs" (throughput and
# latency of the thread-safe types beside the classic ones: CLIENT->SERVER
# beside DEALER->ROUTER, RADIO->DISH beside PUB->SUB with one topic); and
# "scaling" (N sender threads, 1 to the CPUs there are: each with its own
# DEALER to one ROUTER; sharing ONE DEALER under a mutex, as an application
# shares a classic socket, which libzmq runs too; and sharing ONE CLIENT to
# a SERVER, set against the shared DEALER).
# The thread-safe rows run on libzmq only when it has the draft API (it
# exports zmq_join): Debian's libzmq 4.3.4 has not, and though its
# zmq_socket() makes a CLIENT, that CLIENT aborts in the ZMTP handshake
# (mechanism.cpp) over tcp and ipc. Then the thread-safe rows are set
# against modzmq's OWN classic rows of the same run ("ts/cl", the target
# being >= 0.80), the output says so, and the libzmq column stays for the
# classic rows. A type modzmq does not have yet (RADIO, while it is being
# written) shows as "n/a (modzmq: no RADIO yet)" and the run goes on.
#
# ws (ZWS 2.0 over loopback TCP) runs every table as tcp does. pgm and
# epgm (PGM on raw IP and in UDP, OpenPGM in both libraries) carry PUB and
# SUB only: they run the base table alone, throughput PUB->SUB (PUSH/PULL
# does not run over PGM) and latency as PUB->SUB round trips through two
# groups, one each way. Each of their runs happens in a network namespace
# of its own (`unshare -n`, loopback up with multicast and a 224.0.0.0/4
# route, never the host's interfaces), which needs root (raw pgm needs
# CAP_NET_RAW too), with ZMQ_RATE at 2000000 kbit/s on every socket:
# libzmq 4.3.4 computes rate * 1000 in an int, so that 2.1 Gbit/s is the
# highest rate it can be given, and Mbit/s near it means the rate limit,
# not the library, set the figure. The new transports are opt-in (name
# them in --transports, or "all"): a default run's time and output stay
# what they were. A transport is one word of the transport table below.
# norm (NORM, libzmq's and ours on NRL's library) runs as pgm does; its
# endpoints name no interface, as libzmq's norm takes them. At full speed
# NORM's congestion control drops messages in both libraries, so its
# throughput rows run thr --lossy: the receiver listens for 5 s after the
# first arrival (or until all have come), the figure is delivered
# messages/s (first arrival to last), and a note under the table gives
# each side's median share of the messages sent that arrived in those 5 s,
# with its range over the repetitions. A side that delivers a few thousand
# messages fast and then stalls for the rest of the window has a high
# figure and a low share: libzmq 4.3.4 at 1 KiB, whose sender goes quiet
# after its first 3 MB.
#
# Usage: perf/compare.sh [--quick] [--reps N] [--sizes "1 64 ..."]
#                        [--transports "inproc ipc tcp"] [--curve]
#                        [--tables "base pairs scaling"]
#                        [--taskset CPUS] [--log FILE]
#   --quick         3 repetitions and a fifth of the message counts
#   --reps N        repetitions per side (default 7)
#   --sizes L       message sizes in bytes (default "1 64 1024 8192 65536")
#   --transports L  any of inproc, ipc, tcp, ws, pgm, epgm, norm, or all
#                   of them as "all" (default "inproc ipc tcp")
#   --tables L      any of base, pairs, scaling (default all three)
#   --curve         thr and lat run with CURVE on both sides (inproc, which
#                   has no security mechanism, is left out), and a table of
#                   handshakes per second (perf/handshake, CURVE and NULL)
#                   is added for each network transport
#   --taskset C     run every measurement under `taskset -c C` (e.g. 0 for a
#                   single CPU, where wake-up costs dominate)
#   --log FILE      keep every raw result line there (default: a temp file)
# Both ends of every measurement run in one process, in two threads (one
# per sender and the receiver in the scaling table); tcp uses 127.0.0.1 on
# a port the receiver binds as "*", ipc a fresh temporary directory. Ratios
# are arranged so that > 1.00 always means modzmq (in ts/cl, the
# thread-safe type) is better: throughput modzmq/libzmq, latency
# libzmq/modzmq. The "spread"
# columns give (max - min) / median of each side's repetitions, to judge the
# noise; "% raw" is a side's tcp throughput in bytes over raw TCP's. When a
# side cannot run a transport (or a run fails), its rows say
# "n/a (side: error)" and the table carries on.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)
build_libs="$top/.libs"

# The transports this script knows, one a word: NAME:PLUGIN:KIND, PLUGIN
# the folder under plugins/ that serves it (- for none), KIND one of
#   local      inproc: every table
#   stream     every table, over loopback
#   multicast  the base table only, PUB->SUB, each run in a network
#              namespace of its own (see the header)
transport_table="inproc:-:local ipc:ipc:stream tcp:tcp:stream ws:ws:stream
pgm:pgm:multicast epgm:pgm:multicast norm:norm:multicast"
kind_of() {
    local entry
    for entry in $transport_table; do
        [ "${entry%%:*}" != "$1" ] || { echo "${entry##*:}"; return; }
    done
}
# modzmq's transport and mechanism plugins, as built in this tree.
plugin_path="$top/plugins/curve/.libs"
for entry in $transport_table; do
    plugin=${entry#*:}
    plugin=${plugin%%:*}
    [ "$plugin" = - ] || [[ ":$plugin_path:" == *"/plugins/$plugin/.libs:"* ]] ||
        plugin_path="$top/plugins/$plugin/.libs:$plugin_path"
done
# ZMQ_RATE (kbit/s) of every multicast run: libzmq's highest (the header).
multicast_rate=2000000
# A multicast run's network namespace: loopback up, multicast routed to it.
multicast_setup='ip link set lo up multicast on && ip route add 224.0.0.0/4 dev lo && exec "$@"'

reps=7
scale=1
sizes="1 64 1024 8192 65536"
transports="inproc ipc tcp"
cpus=""
log=""
curve=0
tables="base pairs scaling"
while [ $# -gt 0 ]; do
    case "$1" in
    --quick) reps=3; scale=5 ;;
    --reps) reps=${2:?--reps needs a number}; shift ;;
    --sizes) sizes=${2:?--sizes needs a list}; shift ;;
    --transports) transports=${2:?--transports needs a list}; shift ;;
    --tables) tables=${2:?--tables needs a list}; shift ;;
    --taskset) cpus=${2:?--taskset needs a CPU list}; shift ;;
    --log) log=${2:?--log needs a file}; shift ;;
    --curve) curve=1 ;;
    -h|--help) sed -n '2,70p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare.sh: unknown option $1" >&2; exit 2 ;;
    esac
    shift
done
case "$reps" in ''|*[!0-9]*|0) echo "compare.sh: bad --reps" >&2; exit 2 ;; esac
for size in $sizes; do
    case "$size" in ''|*[!0-9]*) echo "compare.sh: bad size $size" >&2; exit 2 ;; esac
done
if [ "$transports" = all ]; then
    transports=$(for entry in $transport_table; do printf '%s ' "${entry%%:*}"; done)
    transports=${transports% }
fi
for transport in $transports; do
    if [ -z "$(kind_of "$transport")" ]; then
        echo "compare.sh: unknown transport $transport ($(for entry in $transport_table; do
            printf '%s ' "${entry%%:*}"; done | sed 's/ $//; s/ /, /g'))" >&2
        exit 2
    fi
done

for table in $tables; do
    case "$table" in
    base|pairs|scaling) ;;
    *) echo "compare.sh: unknown table $table (base, pairs, scaling)" >&2; exit 2 ;;
    esac
done
wants() { [[ " $tables " == *" $1 "* ]]; }

die() { echo "compare.sh: $*" >&2; exit 1; }

# With --curve, thr and lat take "--curve" first; inproc has no mechanism,
# and PGM's transports none either.
security=()
if [ "$curve" = 1 ]; then
    security=(--curve)
    transports=$(for transport in $transports; do
        case "$(kind_of "$transport")" in stream) printf '%s ' "$transport" ;; esac
    done)
    [ -n "${transports// /}" ] || die "--curve needs ipc, tcp or ws among the transports"
fi

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
thr_bin=$(find_tool thr)
lat_bin=$(find_tool lat)
raw_bin=$(find_tool raw_tcp_thr)
handshake_bin=""
[ "$curve" = 0 ] || handshake_bin=$(find_tool handshake)
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
scratch=$(mktemp -d /tmp/modzmq-compare.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
errors="$scratch/stderr"
mkdir "$scratch/ipc"

# Messages per run, chosen so that one run lasts a few tenths of a second on
# a small machine; the latency runs are round trips. Network transports move
# every byte, so their large-message counts are smaller than inproc's.
thr_count() {
    local transport=$1 size=$2 n
    case "$transport:$size" in
    inproc:1|inproc:64) n=3000000 ;;
    inproc:1024) n=1000000 ;;
    inproc:8192) n=200000 ;;
    inproc:*) n=100000 ;;
    *)
        if [ "$(kind_of "$transport")" = multicast ]; then
            # PGM packs many small messages into each packet: the 100,000
            # of 1 B that --quick sent took 10-30 ms, too short to
            # measure. norm's small messages go at a hundredth of that
            # rate, and HWM 0 queues all that the window leaves unsent.
            case "$transport:$size" in
            norm:1|norm:64) n=500000 ;;
            *:1) n=5000000 ;;
            *:64) n=2000000 ;;
            *:1024) n=200000 ;;
            *:8192) n=40000 ;;
            *) n=5000 ;;
            esac
            echo $((n / scale))
            return
        fi
        ;;
    esac
    case "$transport:$size" in
    *:1|*:64) n=2000000 ;;
    *:1024) n=500000 ;;
    *:8192) n=100000 ;;
    *) n=20000 ;;
    esac
    echo $((n / scale))
}
lat_count() { echo $((5000 / scale)); }
# Raw TCP moves 1 GiB per run (a fifth with --quick), whatever the size.
raw_count() { echo $((1073741824 / $1 / scale)); }

# endpoint TRANSPORT TAG: where a run's receiver binds. Each ipc run gets a
# file of its own, so a library that leaves its file behind harms no one.
# A multicast run is alone in its namespace: the same group every time.
endpoint() {
    case "$1" in
    inproc) echo "inproc://modzmq-perf" ;;
    ipc) echo "ipc://$scratch/ipc/$2" ;;
    tcp|ws) echo "$1://127.0.0.1:*" ;;
    norm) echo "norm://239.192.77.1:5555" ;;
    *) echo "$1://127.0.0.1;239.192.77.1:5555" ;;
    esac
}

# The arguments a transport's thr and lat runs take before the endpoint:
# a multicast one's pattern, rate and (lat) group of the way back; a
# stream one's lat pattern (REQ/REP or PAIR, chosen below).
thr_args() {
    if [ "$1" = norm ]; then
        echo "--pattern pub-sub --rate $multicast_rate --lossy"
    elif [ "$(kind_of "$1")" = multicast ]; then
        echo "--pattern pub-sub --rate $multicast_rate"
    fi
}
lat_args() {
    if [ "$1" = norm ]; then
        echo "--pattern pub-sub --rate $multicast_rate --reply norm://239.192.77.2:5556"
    elif [ "$(kind_of "$1")" = multicast ]; then
        echo "--pattern pub-sub --rate $multicast_rate --reply $1://127.0.0.1;239.192.77.2:5556"
    fi
}

# Failures remembered per side, tool and transport: once a side cannot run
# something, its later runs are not attempted and report the same error.
# Not a thr --lossy run's, nor any run's over a multicast transport: there
# a failure is one run's bad luck (libzmq's norm engine sometimes asserts;
# libzmq's epgm once lost 6% of a 1-byte run, which then left its 64 B to
# 64 KiB rows empty), and the next size or repetition may pass.
declare -A broken=()

# run_one SIDE TOOL ARGS...: runs the tool on one library (SIDE modzmq or
# system; raw for raw_tcp_thr, which loads none), checks which library it
# mapped, and leaves the result line in run_out and returns 0, or leaves the
# tool's error in run_out and returns 1. A run that mapped the wrong library
# ends the script: then nothing it measured could be trusted.
run_one() {
    local side=$1 bin=$2 lib real status=0 key arg scheme pattern="" previous=""
    local lossy=0
    shift 2
    # The tool's transport and socket pair name the failure (its first
    # "x://" argument, and what follows --pattern).
    scheme=${1:-}
    for arg in "$@"; do
        [ "$previous" != --pattern ] || pattern=$arg
        [ "$arg" != --lossy ] || lossy=1
        previous=$arg
    done
    for arg in "$@"; do
        case "$arg" in *://*) scheme=${arg%%://*}; break ;; esac
    done
    key="$side:$(basename "$bin"):$scheme:$pattern"
    if [ -n "${broken[$key]:-}" ]; then
        run_out=${broken[$key]}
        return 1
    fi
    local namespace=()
    [ "$(kind_of "$scheme")" != multicast ] ||
        namespace=(unshare -n sh -c "$multicast_setup" sh)
    case "$side" in
    modzmq) run_out=$("${namespace[@]}" env LD_LIBRARY_PATH="$build_libs" \
        MODZMQ_PLUGIN_PATH="$plugin_path" timeout 120 \
        "${launcher[@]}" "$bin" "$@" 2>"$errors") || status=$? ;;
    *) run_out=$("${namespace[@]}" env -u LD_LIBRARY_PATH timeout 120 \
        "${launcher[@]}" "$bin" "$@" 2>"$errors") || status=$? ;;
    esac
    if [ "$status" -ne 0 ]; then
        if [ "$status" -eq 124 ]; then
            run_out="timed out after 120 s"
        elif [ "$status" -eq 3 ] && [ "$side" = modzmq ]; then
            # The tool's "no RADIO (zmq_socket: ...)": a type not written yet.
            run_out=$(tail -n 1 "$errors")
            run_out="${run_out%% (*} yet"
        else
            run_out=$(tail -n 1 "$errors")
            run_out=${run_out:-exit status $status}
        fi
        echo "side=$side failed: $(basename "$bin") $*: $run_out" >>"$log"
        [ "$lossy" = 1 ] || [ "$(kind_of "$scheme")" = multicast ] ||
            broken[$key]=$run_out
        return 1
    fi
    echo "side=$side $run_out" >>"$log"
    [ "$side" = raw ] && return 0
    lib=$(sed -n 's/.* lib=\([^ ]*\) .*/\1/p' <<<"$run_out")
    if [ -z "$lib" ] || [ ! -e "$lib" ]; then
        die "cannot tell which library ran: $run_out"
    fi
    real=$(readlink -f "$lib")
    case "$side:$real" in
    modzmq:"$(readlink -f "$build_libs")"/*) ;;
    system:/usr/lib/*|system:/lib/*) ;;
    *) die "$side run loaded $real, not the expected library" ;;
    esac
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

# summarise VALUES...: prints "MEDIAN SPREAD", or "n/a n/a" when there are
# no values (that side failed).
summarise() {
    if [ $# -eq 0 ]; then
        echo "n/a n/a"
    else
        echo "$(median "$@") $(spread "$@")"
    fi
}

# measure SIDE TOOL FIELD ARGS...: one run; appends FIELD's value to the
# array named values_SIDE, or records the side's error in failure_SIDE. A
# thr --lossy run also appends the percentage of its messages that arrived
# to shares_SIDE.
measure() {
    local side=$1 bin=$2 name=$3 arrived
    shift 3
    if run_one "$side" "$bin" "$@"; then
        local -n values="values_$side"
        values+=("$(field "$name" "$run_out")")
        arrived=$(field arrived "$run_out")
        if [ -n "$arrived" ]; then
            local -n shares="shares_$side"
            shares+=("$(awk -v a="$arrived" -v c="$(field count "$run_out")" \
                'BEGIN { printf "%.1f", 100 * a / c }')")
        fi
    else
        printf -v "failure_$side" '%s' "$run_out"
    fi
}

reset_row() {
    values_modzmq=() values_system=() values_raw=()
    shares_modzmq=() shares_system=()
    failure_modzmq="" failure_system="" failure_raw=""
}

# What a row says about the sides that could not run, if any.
row_note() {
    local note=""
    [ -z "$failure_modzmq" ] || note+="  n/a (modzmq: $failure_modzmq)"
    [ -z "$failure_system" ] || note+="  n/a (libzmq: $failure_system)"
    [ -z "$failure_raw" ] || note+="  n/a (raw tcp: $failure_raw)"
    echo "$note"
}

# ---- which library does each side load? ---------------------------------
run_one modzmq "$thr_bin" inproc://modzmq-perf 64 1000 ||
    die "thr fails on modzmq even over inproc: $run_out"
mz_check=$run_out
run_one system "$thr_bin" inproc://modzmq-perf 64 1000 ||
    die "thr fails on the system libzmq even over inproc: $run_out"
sys_check=$run_out
echo "modzmq: $(field lib "$mz_check") (zmq_version $(field version "$mz_check"))"
echo "libzmq: $(field lib "$sys_check") (zmq_version $(field version "$sys_check"))"
[ "$(field lib "$mz_check")" != "$(field lib "$sys_check")" ] ||
    die "both sides loaded the same library"

# REQ/REP when both libraries have it, PAIR otherwise (same on both sides).
pattern=pair
if env LD_LIBRARY_PATH="$build_libs" "$lat_bin" inproc://probe 1 10 reqrep >/dev/null 2>&1 &&
    env -u LD_LIBRARY_PATH "$lat_bin" inproc://probe 1 10 reqrep >/dev/null 2>&1; then
    pattern=reqrep
fi

# Does the system libzmq have the draft API (CLIENT, SERVER, RADIO, DISH
# with zmq_join and the routing-id calls)? Only then do its thread-safe
# rows run; see the header.
system_lib=$(readlink -f "$(field lib "$sys_check")")
draft_api=0
if nm -D --defined-only "$system_lib" 2>/dev/null | grep -qw zmq_join; then
    draft_api=1
fi

load() { cut -d' ' -f1-3 /proc/loadavg; }
echo "machine: $(nproc) CPUs, load average $(load) at start"
if [ "$draft_api" = 1 ]; then
    echo "thread-safe types: libzmq has the draft API; their rows run on both sides"
else
    echo "thread-safe types: libzmq $(field version "$sys_check") has no draft API (no zmq_join exported):"
    echo "  CLIENT/SERVER and RADIO/DISH are set against modzmq's own DEALER/ROUTER and"
    echo "  PUB/SUB in the same run (ts/cl); the libzmq column is for the classic rows"
fi
echo "binaries: $thr_bin $lat_bin $raw_bin"
echo "transports: $transports; both ends of each run in one process, two threads"
echo "repetitions: $reps per side, interleaved; medians shown${cpus:+; taskset -c $cpus}"
echo "raw results: $log"
echo

# ---- throughput ------------------------------------------------------------
# throughput_table TRANSPORT
throughput_table() {
    local transport=$1 size count r ep
    local mz_median mz_spread lz_median lz_spread raw_median
    local raw_header=() extra=() pair="PUSH->PULL" unit=messages/s share_lines=""
    if [ "$transport" = tcp ]; then
        raw_header=('raw Mbit/s' 'mz % raw' 'lz % raw')
    fi
    read -ra extra <<<"$(thr_args "$transport")"
    [ ${#extra[@]} -eq 0 ] ||
        pair="PUB->SUB (PUSH/PULL does not run over $transport), $multicast_rate kbit/s"
    [[ " ${extra[*]} " != *" --lossy "* ]] || unit="delivered messages/s, see the note"
    printf '%s throughput, %s%s (%s; ratio = modzmq/libzmq)\n' \
        "$transport" "$pair" "${security:+ with CURVE}" "$unit"
    printf '%8s %12s %12s %7s %10s %10s %9s %9s' size modzmq libzmq ratio \
        'mz Mbit/s' 'lz Mbit/s' 'mz spread' 'lz spread'
    [ ${#raw_header[@]} -eq 0 ] || printf ' %10s %8s %8s' "${raw_header[@]}"
    printf '\n'
    for size in $sizes; do
        count=$(thr_count "$transport" "$size")
        reset_row
        for ((r = 0; r < reps; r++)); do
            ep=$(endpoint "$transport" "thr-$size-$r-mz")
            measure modzmq "$thr_bin" msgs_per_sec "${security[@]}" "${extra[@]}" \
                "$ep" "$size" "$count"
            ep=$(endpoint "$transport" "thr-$size-$r-lz")
            measure system "$thr_bin" msgs_per_sec "${security[@]}" "${extra[@]}" \
                "$ep" "$size" "$count"
            if [ "$transport" = tcp ] && [ "$size" -gt 0 ]; then
                measure raw "$raw_bin" msgs_per_sec "$size" "$(raw_count "$size")"
            fi
        done
        read -r mz_median mz_spread <<<"$(summarise "${values_modzmq[@]}")"
        read -r lz_median lz_spread <<<"$(summarise "${values_system[@]}")"
        read -r raw_median _ <<<"$(summarise "${values_raw[@]}")"
        [ "$unit" = messages/s ] ||
            share_lines+="$(share_note "$size" "$count")"$'\n'
        awk -v s="$size" -v m="$mz_median" -v l="$lz_median" \
            -v ms="$mz_spread" -v ls="$lz_spread" -v raw="$raw_median" \
            -v tcp="${#raw_header[@]}" -v note="$(row_note)" '
            function num(v, fmt) { return v == "n/a" ? v : sprintf(fmt, v) }
            function mbit(v) { return v == "n/a" ? "-" : sprintf("%.0f", v * s * 8 / 1e6) }
            function pct(v, c) { return (v == "n/a" || c == "n/a" || c == 0) ? "-" : sprintf("%.0f%%", 100 * v / c) }
            BEGIN {
                printf "%8d %12s %12s %7s %10s %10s %9s %9s", s,
                    num(m, "%.0f"), num(l, "%.0f"),
                    (m == "n/a" || l == "n/a") ? "-" : sprintf("%.2f", m / l),
                    mbit(m), mbit(l), m == "n/a" ? "-" : ms, l == "n/a" ? "-" : ls
                if (tcp)
                    printf " %10s %8s %8s", raw == "n/a" ? raw : mbit(raw),
                        pct(m, raw), pct(l, raw)
                printf "%s\n", note
            }'
    done
    if [ -n "$share_lines" ]; then
        echo "  note: delivered messages/s, what a run received in the 5 s after its first"
        echo "  arrival, over the time from its first to its last arrival; and the share of"
        echo "  the messages sent that arrived in those 5 s, median (min-max, runs that gave one):"
        printf "%s" "$share_lines"
    fi
    echo
}

# share_note SIZE COUNT: one line of a lossy table's note, from the row's
# shares_SIDE.
share_note() {
    printf '%8d: of %d sent, modzmq %s, libzmq %s\n' "$1" "$2" \
        "$(share_range "${shares_modzmq[@]}")" "$(share_range "${shares_system[@]}")"
}
# share_range PERCENTAGES...: "MEDIAN% (MIN-MAX%, N runs)", or n/a for
# none (a failed run has no share).
share_range() {
    if [ $# -eq 0 ]; then
        echo n/a
    else
        echo "$(median "$@")% ($(printf '%s\n' "$@" | sort -g | sed -n '1p;$p' |
            paste -sd-)%, $# run$([ $# -eq 1 ] || echo s))"
    fi
}

# ---- latency ---------------------------------------------------------------
# latency_table TRANSPORT
latency_table() {
    local transport=$1 size count r ep
    local mz_median mz_spread lz_median lz_spread extra=() pair="$pattern"
    local lat_pattern=$pattern
    read -ra extra <<<"$(lat_args "$transport")"
    if [ ${#extra[@]} -gt 0 ]; then
        lat_pattern=pub-sub
        pair="PUB->SUB, two groups (one each way),"
    fi
    printf '%s latency, %s round trips%s (one-way us; ratio = libzmq/modzmq)\n' \
        "$transport" "$pair" "${security:+ with CURVE}"
    printf '%8s %12s %12s %7s %9s %9s\n' size modzmq libzmq ratio 'mz spread' 'lz spread'
    for size in $sizes; do
        count=$(lat_count)
        reset_row
        for ((r = 0; r < reps; r++)); do
            ep=$(endpoint "$transport" "lat-$size-$r-mz")
            measure modzmq "$lat_bin" latency_us "${security[@]}" "${extra[@]}" \
                "$ep" "$size" "$count" "$lat_pattern"
            ep=$(endpoint "$transport" "lat-$size-$r-lz")
            measure system "$lat_bin" latency_us "${security[@]}" "${extra[@]}" \
                "$ep" "$size" "$count" "$lat_pattern"
        done
        read -r mz_median mz_spread <<<"$(summarise "${values_modzmq[@]}")"
        read -r lz_median lz_spread <<<"$(summarise "${values_system[@]}")"
        awk -v s="$size" -v m="$mz_median" -v l="$lz_median" \
            -v ms="$mz_spread" -v ls="$lz_spread" -v note="$(row_note)" '
            function num(v) { return v == "n/a" ? v : sprintf("%.2f", v) }
            BEGIN {
                printf "%8d %12s %12s %7s %9s %9s%s\n", s, num(m), num(l),
                    (m == "n/a" || l == "n/a") ? "-" : sprintf("%.2f", l / m),
                    m == "n/a" ? "-" : ms, l == "n/a" ? "-" : ls, note
            }'
    done
    echo
}

# ---- handshakes (--curve) -----------------------------------------------------
# handshake_table TRANSPORT
handshake_table() {
    local transport=$1 mechanism r ep count=$((1000 / scale))
    local mz_median mz_spread lz_median lz_spread
    printf '%s handshakes, one DEALER connection at a time to a ROUTER (connections/s; ratio = modzmq/libzmq)\n' \
        "$transport"
    printf '%9s %12s %12s %7s %9s %9s\n' mechanism modzmq libzmq ratio 'mz spread' 'lz spread'
    for mechanism in curve null; do
        local flag=()
        [ "$mechanism" = null ] || flag=(--curve)
        reset_row
        for ((r = 0; r < reps; r++)); do
            ep=$(endpoint "$transport" "hs-$mechanism-$r-mz")
            measure modzmq "$handshake_bin" conns_per_sec "${flag[@]}" "$ep" "$count"
            ep=$(endpoint "$transport" "hs-$mechanism-$r-lz")
            measure system "$handshake_bin" conns_per_sec "${flag[@]}" "$ep" "$count"
        done
        read -r mz_median mz_spread <<<"$(summarise "${values_modzmq[@]}")"
        read -r lz_median lz_spread <<<"$(summarise "${values_system[@]}")"
        awk -v k="$mechanism" -v m="$mz_median" -v l="$lz_median" \
            -v ms="$mz_spread" -v ls="$lz_spread" -v note="$(row_note)" '
            function num(v) { return v == "n/a" ? v : sprintf("%.0f", v) }
            BEGIN {
                printf "%9s %12s %12s %7s %9s %9s%s\n", k, num(m), num(l),
                    (m == "n/a" || l == "n/a") ? "-" : sprintf("%.2f", m / l),
                    m == "n/a" ? "-" : ms, l == "n/a" ? "-" : ls, note
            }'
    done
    echo
}

# ---- socket pairs: thread-safe beside classic --------------------------------
# Each table's results, reset as it starts: pair_values[SLOT] (numbers,
# space-separated) and pair_failure[SLOT], SLOT naming kind, size or
# sender count, pattern and side.
declare -A pair_values=() pair_failure=()
reset_pairs() { pair_values=() pair_failure=(); }

# The classic pattern a thread-safe one is set against (KIND scale: N
# threads sharing ONE CLIENT against N threads sharing ONE DEALER under a
# mutex of the application's, the way a classic socket is shared), and row
# labels.
classic_of() {
    case "$1:${2:-}" in
    client-server:scale) echo locked-dealer-router ;;
    client-server:*) echo dealer-router ;;
    radio-dish:*) echo pub-sub ;;
    esac
}
label_of() {
    case "$1" in
    locked-dealer-router) echo "DEALER+MUTEX->ROUTER" ;;
    *) tr "[:lower:]" "[:upper:]" <<<"${1/-/->}" ;;
    esac
}

# Does SIDE run PATTERN? libzmq runs a thread-safe one only with drafts.
side_runs() {
    [ "$1" = modzmq ] || [ -z "$(classic_of "$2")" ] || [ "$draft_api" = 1 ]
}

# measure_pair SLOT SIDE TOOL FIELD ARGS...: one run into pair_values[SLOT]
# (space-separated), or its error into pair_failure[SLOT].
measure_pair() {
    local slot=$1 side=$2 bin=$3 name=$4
    shift 4
    if run_one "$side" "$bin" "$@"; then
        pair_values[$slot]+="$(field "$name" "$run_out") "
    else
        pair_failure[$slot]=$run_out
    fi
}

# pair_summary SLOT: "MEDIAN SPREAD", or "n/a n/a" after a failure (or for
# a side that does not run the pattern).
pair_summary() {
    # shellcheck disable=SC2086 # the values are space-separated numbers
    summarise ${pair_values[$1]:-}
}

# pair_note SLOT SIDE PATTERN: what the row says about a side that did not
# run.
pair_note() {
    local who=modzmq
    [ "$2" = modzmq ] || who=libzmq
    if [ -n "${pair_failure[$1]:-}" ]; then
        echo "  n/a ($who: ${pair_failure[$1]})"
    elif ! side_runs "$2" "$3"; then
        echo "  n/a ($who: no draft API)"
    fi
}

# pair_row KIND SIZE PATTERN: prints one row from the slots of
# "KIND:SIZE:PATTERN:SIDE". KIND thr or scale: the ratios are
# modzmq/libzmq and thread-safe/classic of msgs/s; KIND lat: libzmq/modzmq
# and classic/thread-safe of latency; > 1.00 always means the first named
# (modzmq, thread-safe) is better.
pair_row() {
    local kind=$1 size=$2 pattern=$3 classic mz ms lz ls ref="n/a" note
    classic=$(classic_of "$pattern" "$kind")
    read -r mz ms <<<"$(pair_summary "$kind:$size:$pattern:modzmq")"
    read -r lz ls <<<"$(pair_summary "$kind:$size:$pattern:system")"
    [ -z "$classic" ] || read -r ref _ <<<"$(pair_summary "$kind:$size:$classic:modzmq")"
    note="$(pair_note "$kind:$size:$pattern:modzmq" modzmq "$pattern")"
    note+="$(pair_note "$kind:$size:$pattern:system" system "$pattern")"
    awk -v k="$kind" -v s="$size" -v p="$(label_of "$pattern")" -v m="$mz" \
        -v l="$lz" -v r="$ref" -v ms="$ms" -v ls="$ls" -v note="$note" '
        function num(v) { return v == "n/a" ? v : sprintf(k == "lat" ? "%.2f" : "%.0f", v) }
        function ratio(a, b) {
            if (a == "n/a" || b == "n/a" || a == 0 || b == 0) return "-"
            return sprintf("%.2f", k == "lat" ? b / a : a / b)
        }
        BEGIN {
            printf "%8d %-20s %12s %12s %7s %7s %9s %9s%s\n", s, p, num(m),
                num(l), ratio(m, l), ratio(m, r), m == "n/a" ? "-" : ms,
                l == "n/a" ? "-" : ls, note
        }'
}

# Lossy pairs keep every message (high-water marks 0), so their backlog is
# in memory: at most a million messages a run.
pair_thr_count() {
    local n
    n=$(thr_count "$2" "$3")
    case "$1" in
    pub-sub|radio-dish) [ "$n" -le 1000000 ] || n=1000000 ;;
    esac
    echo "$n"
}

# pairs_throughput_table TRANSPORT
pairs_throughput_table() {
    local transport=$1 size r pattern side ep
    local patterns="dealer-router client-server pub-sub radio-dish"
    reset_pairs
    printf '%s throughput by socket pair%s (messages/s; mz/lz = modzmq/libzmq,' \
        "$transport" "${security:+ with CURVE}"
    printf ' ts/cl = modzmq thread-safe/classic, target >= 0.80)\n'
    printf '%8s %-20s %12s %12s %7s %7s %9s %9s\n' size pattern modzmq libzmq \
        mz/lz ts/cl 'mz spread' 'lz spread'
    for size in $sizes; do
        for ((r = 0; r < reps; r++)); do
            for pattern in $patterns; do
                [ "$pattern" != pub-sub ] || [ "$size" -gt 0 ] || continue
                for side in modzmq system; do
                    side_runs "$side" "$pattern" || continue
                    ep=$(endpoint "$transport" "pthr-$size-$r-$pattern-$side")
                    measure_pair "thr:$size:$pattern:$side" "$side" "$thr_bin" \
                        msgs_per_sec "${security[@]}" --pattern "$pattern" \
                        "$ep" "$size" "$(pair_thr_count "$pattern" "$transport" "$size")"
                done
            done
        done
        for pattern in $patterns; do
            pair_row thr "$size" "$pattern"
        done
    done
    echo
}

# pairs_latency_table TRANSPORT
pairs_latency_table() {
    local transport=$1 size r pattern side ep
    local patterns="dealer-router client-server"
    reset_pairs
    printf '%s latency by socket pair%s (one-way us; mz/lz = libzmq/modzmq,' \
        "$transport" "${security:+ with CURVE}"
    printf ' ts/cl = modzmq classic/thread-safe, target >= 0.80)\n'
    printf '%8s %-20s %12s %12s %7s %7s %9s %9s\n' size pattern modzmq libzmq \
        mz/lz ts/cl 'mz spread' 'lz spread'
    for size in $sizes; do
        for ((r = 0; r < reps; r++)); do
            for pattern in $patterns; do
                for side in modzmq system; do
                    side_runs "$side" "$pattern" || continue
                    ep=$(endpoint "$transport" "plat-$size-$r-$pattern-$side")
                    measure_pair "lat:$size:$pattern:$side" "$side" "$lat_bin" \
                        latency_us "${security[@]}" --pattern "$pattern" \
                        "$ep" "$size" "$(lat_count)"
                done
            done
        done
        for pattern in $patterns; do
            pair_row lat "$size" "$pattern"
        done
    done
    echo
}

# ---- scaling: N senders on one shared CLIENT, or N DEALERs -------------------
# scaling_table TRANSPORT: 64-byte messages, 1 to nproc senders. The rows
# reuse pair_row with the sender count in the size column. Three rows per
# count: N DEALERs, each a thread's own (the ceiling: nothing shared); N
# threads sharing one DEALER under a mutex of the tool's (what an
# application does to share a classic socket); N threads sharing one
# CLIENT, whose ts/cl is against the shared DEALER.
scaling_table() {
    local transport=$1 n r pattern side ep count
    local patterns="dealer-router locked-dealer-router client-server" most
    most=$(nproc)
    count=$(thr_count "$transport" 64)
    reset_pairs
    printf '%s scaling, 64-byte messages (aggregate messages/s): N threads each with
' \
        "$transport"
    printf 'its own DEALER to a ROUTER, N threads sharing ONE DEALER under a mutex, and N
threads sharing ONE CLIENT to a SERVER (its ts/cl: against the shared DEALER)%s
' \
        "${security:+, with CURVE}"
    printf '%8s %-20s %12s %12s %7s %7s %9s %9s\n' senders pattern modzmq libzmq \
        mz/lz ts/cl 'mz spread' 'lz spread'
    for ((n = 1; n <= most; n++)); do
        for ((r = 0; r < reps; r++)); do
            for pattern in $patterns; do
                for side in modzmq system; do
                    side_runs "$side" "$pattern" || continue
                    ep=$(endpoint "$transport" "scale-$n-$r-$pattern-$side")
                    measure_pair "scale:$n:$pattern:$side" "$side" "$thr_bin" \
                        msgs_per_sec "${security[@]}" --pattern "$pattern" \
                        --senders "$n" "$ep" 64 "$count"
                done
            done
        done
        for pattern in $patterns; do
            pair_row scale "$n" "$pattern"
        done
    done
    echo
}

for transport in $transports; do
    if wants base; then
        throughput_table "$transport"
        latency_table "$transport"
    fi
    if [ "$(kind_of "$transport")" = multicast ]; then
        ! wants pairs && ! wants scaling ||
            printf '%s: no pairs or scaling tables (PGM carries PUB->SUB only)\n\n' "$transport"
        continue
    fi
    if wants pairs; then
        pairs_throughput_table "$transport"
        pairs_latency_table "$transport"
    fi
    ! wants scaling || scaling_table "$transport"
    [ "$curve" = 0 ] || handshake_table "$transport"
done
echo "load average $(load) at the end (other work on the machine skews both sides)"
