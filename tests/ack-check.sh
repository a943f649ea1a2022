#!/bin/sh
# ack-check.sh: the pure ACKs that reassembly takes without libnids
# (reassembly.c, ack_stream()). tests/interim-ackcheck is interim built to
# give libnids each such ACK as well and to abort unless libnids leaves
# its stream exactly as reassembly.c does and calls no one. On every
# sample and test capture, and on the hostile shapes: no abort, and the
# same output as interim's, as JSON lines and as the report. Then, across
# them all, ACKs were taken.
. "$(dirname "$0")/lib.sh"
: "${INTERIM_ACKCHECK:=$SRCDIR/tests/interim-ackcheck}"
: "${HOSTILE_GEN:=$SRCDIR/tests/hostile-gen}"

mkdir "$TMP/h"
for shape in short-fragment syn-fragments bad-doff bad-ip "reuse 30" spoofed-syn \
    spoofed-first huge-time clock-back "head 100" ignored-ends fast-open \
    midstream midstream-response-first one-sided gap-body gap-between \
    "waiting-and-idle 10" "open 50" "servers 5" gives-up held-1xx; do
    # shellcheck disable=SC2086 # the shape's words are its arguments
    "$HOSTILE_GEN" $shape >"$TMP/h/$(echo "$shape" | tr ' ' -).pcap" ||
        not_ok "hostile-gen $shape"
done
taken=0
for f in "$SAMPLES"/*.pcap "$SAMPLES"/*.pcapng "$SRCDIR"/tests/*.pcap \
    "$TMP"/h/*.pcap; do
    [ -f "$f" ] || continue
    for mode in -j -v; do
        timeout 60 "$INTERIM" "$mode" "$f" >"$TMP/want" 2>/dev/null
        want=$?
        timeout 60 "$INTERIM_ACKCHECK" "$mode" "$f" >"$TMP/got" 2>"$TMP/err"
        got=$?
        if [ "$got" -ne "$want" ] || ! cmp -s "$TMP/want" "$TMP/got"; then
            not_ok "$(basename "$f") $mode: exit $got (interim: $want)"
            grep 'ack check' "$TMP/err"
            diff "$TMP/want" "$TMP/got" | head -5
        else
            ok
        fi
        n=$(sed -n 's/^interim: ack check: \([0-9]*\) ACKs taken.*/\1/p' "$TMP/err")
        taken=$((taken + ${n:-0}))
    done
done
# the shapes where libnids ignores an ACK or where one decides what it
# takes next (crafted): the 200 sent into the zero window is dropped, the
# one sent again once the window opened is taken
run -j "$SAMPLES/crafted-tcp-ack-edges.pcap"
if grep -q '"final":{"status":200,"reason":"OK","timestamp":"2026-01-01T00:00:00.700000Z"' "$TMP/out"; then
    ok
else
    not_ok "crafted-tcp-ack-edges: the 200 is not the one sent after the window opened"
fi
if [ "$taken" -gt 0 ]; then
    ok
else
    not_ok "no ACK was taken without libnids in any capture"
fi
echo "ack-check.sh: $taken ACKs taken without libnids, as libnids takes them"
finish
