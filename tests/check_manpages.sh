#!/bin/sh
# check_manpages.sh: every manual page of the tree renders with
# man --warnings and no warning at all (groff's and man's, on stderr),
# and names itself in its .TH line as its file name says.
set -u
srcdir=${srcdir:-.}
top_builddir=${top_builddir:-.}
command -v man >/dev/null || { echo "SKIP: man is not installed (Debian: man-db)"; exit 77; }
status=0
for page in "$srcdir/doc/modzmq.1" "$srcdir/doc/modzmq.7" "$top_builddir/doc/modzmq-plugin.7"; do
    [ -f "$page" ] || { echo "FAIL: $page was not built"; status=1; continue; }
    warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$page" 2>&1 >/dev/null)
    if [ -n "$warnings" ]; then
        echo "FAIL: $page:"
        echo "$warnings"
        status=1
    fi
    base=$(basename "$page")
    name=${base%.*}
    section=${base##*.}
    expected=$(printf '%s' "$name" | tr '[:lower:]' '[:upper:]')
    if ! grep -q "^\.TH $expected $section " "$page"; then
        echo "FAIL: $page does not begin .TH $expected $section"
        status=1
    fi
    lines=$(LC_ALL=C.UTF-8 MANWIDTH=80 man -E UTF-8 -l "$page" 2>/dev/null | wc -l)
    if [ "$lines" -lt 20 ]; then
        echo "FAIL: $page renders to $lines lines"
        status=1
    fi
    echo "$base: $lines lines, no warnings"
done
exit $status
