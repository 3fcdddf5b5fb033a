#!/bin/sh
# check_header_values.sh - cross-check include/zmq.h against the libzmq
# header installed on this machine (/usr/include/zmq.h).
#
# For the stable API and again with ZMQ_BUILD_DRAFT_API it checks that:
#   - every integer ZMQ_* macro (and EFSM, ENOCOMPATPROTO, ETERM, EMTHREAD)
#     defined by both headers has the same value, by compiling one program
#     that prints them against each header and diffing the two outputs;
#   - every such macro of the installed header exists in ours;
#   - with GCC: every function both headers declare has the same prototype,
#     and every function of the installed header is declared by ours.
#
# Exit status (automake conventions): 0 pass, 1 difference found,
# 77 skipped (no installed header), 99 the check itself could not run.

set -u

system_dir=/usr/include
our_dir=$(cd "$(dirname "$0")/../include" && pwd) || exit 99
CC=${CC:-cc}

if [ ! -f "$system_dir/zmq.h" ]; then
    echo "SKIP: $system_dir/zmq.h not installed"
    exit 77
fi

work=$(mktemp -d) || exit 99
trap 'rm -rf "$work"' EXIT

printf '#include <zmq.h>\n' > "$work/include.c"
status=0

# Integer-valued object-like macros a header defines, one name a line.
# Function-like, empty and string macros are left out.
list_macros ()
{
    $CC $flags -I"$1" -dM -E "$work/include.c" \
        | awk '$1 == "#define" && NF > 2 && $3 !~ /^"/ &&
               $2 ~ /^(ZMQ_[A-Z0-9_]*|EFSM|ENOCOMPATPROTO|ETERM|EMTHREAD)$/ {
                   print $2
               }' \
        | sort
}

# "NAME value" for each listed macro, as the header in $1 defines it.
print_values ()
{
    {
        printf '#include <stdio.h>\n#include <zmq.h>\nint main (void)\n{\n'
        while read -r name; do
            printf '    printf ("%%s %%lld\\n", "%s", (long long) (%s));\n' \
                "$name" "$name"
        done < "$work/common"
        printf '    return 0;\n}\n'
    } > "$work/print.c"
    $CC $flags -I"$1" -o "$work/print" "$work/print.c" || exit 99
    "$work/print"
}

# Prototypes of the zmq_* functions a header declares, names of the
# parameters dropped by GCC's -aux-info.
list_prototypes ()
{
    gcc $flags -I"$1" -aux-info "$work/aux" -fsyntax-only \
        "$work/include.c" || exit 99
    sed -n 's|^/\*.*\*/ *\(.*zmq_.*\)$|\1|p' "$work/aux" | sort
}

for mode in stable draft; do
    if [ "$mode" = draft ]; then
        flags=-DZMQ_BUILD_DRAFT_API
    else
        flags=
    fi

    list_macros "$system_dir" > "$work/system.names" || exit 99
    list_macros "$our_dir" > "$work/our.names" || exit 99
    comm -12 "$work/system.names" "$work/our.names" > "$work/common"

    missing=$(comm -23 "$work/system.names" "$work/our.names")
    if [ -n "$missing" ]; then
        echo "FAIL ($mode): macros of $system_dir/zmq.h missing from ours:"
        echo "$missing" | sed 's/^/    /'
        status=1
    fi

    print_values "$system_dir" > "$work/system.values"
    print_values "$our_dir" > "$work/our.values"
    if ! diff -u "$work/system.values" "$work/our.values" \
            > "$work/values.diff"; then
        echo "FAIL ($mode): values differ (- installed, + ours):"
        sed -n 's/^\([-+][A-Z]\)/    \1/p' "$work/values.diff"
        status=1
    fi
    echo "$mode: compared $(wc -l < "$work/common") macros"

    if command -v gcc > /dev/null 2>&1; then
        list_prototypes "$system_dir" > "$work/system.protos"
        list_prototypes "$our_dir" > "$work/our.protos"
        # Lines only in the installed header's list: absent or different.
        extra=$(comm -23 "$work/system.protos" "$work/our.protos")
        if [ -n "$extra" ]; then
            echo "FAIL ($mode): prototypes of $system_dir/zmq.h not" \
                "matched by ours:"
            echo "$extra" | sed 's/^/    /'
            status=1
        fi
        echo "$mode: compared $(wc -l < "$work/system.protos") prototypes"
    fi
done

if [ "$status" -eq 0 ]; then
    echo "PASS: include/zmq.h agrees with $system_dir/zmq.h"
fi
exit "$status"
