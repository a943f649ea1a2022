#!/bin/sh
# valgrind.sh: every sample capture (and the test captures) under valgrind,
# as JSON lines and as the text report, so that libnids' own reads are
# checked too. One ok per run. Skipped (nothing counted) without valgrind
# and in a sanitizer build (ASan and valgrind do not mix).
. "$(dirname "$0")/lib.sh"

if ! command -v valgrind >/dev/null 2>&1; then
    echo "valgrind.sh: valgrind not installed: skipped"
    finish
    exit 0
fi
if ldd "$INTERIM" 2>/dev/null | grep -q 'libasan\|libubsan'; then
    echo "valgrind.sh: sanitizer build: skipped"
    finish
    exit 0
fi

for f in "$SAMPLES"/*.pcap "$SAMPLES"/*.pcapng "$SRCDIR"/tests/*.pcap \
    "$SRCDIR"/tests/hostile/*.pcap; do
    [ -f "$f" ] || continue
    for mode in -j -v; do
        # exit status 99: a valgrind error; interim's own 0, 1 and 2 are
        # the capture's business (bad-input.sh and golden.sh judge them)
        timeout 300 valgrind -q --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite --show-leak-kinds=definite \
            --track-origins=yes --log-file="$TMP/vg" \
            "$INTERIM" "$mode" "$f" >/dev/null 2>"$TMP/err"
        rc=$?
        if [ "$rc" -eq 99 ] || [ "$rc" -gt 2 ] || [ -s "$TMP/vg" ]; then
            not_ok "$(basename "$f") $mode: rc=$rc"
            head -40 "$TMP/vg"
        else
            ok
        fi
    done
done
finish
