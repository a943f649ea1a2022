#!/bin/sh
# twins.sh: each IPv6 or mid-stream sample must give the same exchanges and
# violations as its IPv4 / full-handshake twin (tests/twins.py compares
# them; samples/README.md says how the pairs were recorded).
#
# One line per pair: MARK SAMPLE TWIN SKIP MID
#   MARK  "pass", or "xfail:WHY" while the support the pair needs is missing:
#         the pair must then differ, and when it starts to match this test
#         fails and says to remove the mark
#   SKIP  exchanges of TWIN made before SAMPLE's capture began (mid-stream)
#   MID   1: SAMPLE's exchanges must carry "midstream": true
. "$(dirname "$0")/lib.sh"
: "${PYTHON:=python3}"
TWINS=$SRCDIR/tests/twins.py

while read -r mark sample twin skip mid; do
    case $mark in ''|'#'*) continue ;; esac
    name="$sample vs $twin"
    for f in "$sample" "$twin"; do
        run -j "$SAMPLES/$f.pcap"
        # 0: clean, 1: violations found; anything else is an error
        if [ "$rc" -gt 1 ]; then
            not_ok "$name: interim -j $f.pcap: exit $rc: $(head -1 "$TMP/err")"
            continue 2
        fi
        cp "$TMP/out" "$TMP/$f.json"
    done
    if "$PYTHON" "$TWINS" "$TMP/$sample.json" "$TMP/$twin.json" "$skip" "$mid" \
        >"$TMP/diff" 2>&1; then
        same=1
    elif [ $? -eq 1 ]; then
        same=0
    else
        not_ok "$name: $(cat "$TMP/diff")"
        continue
    fi
    case $mark:$same in
    pass:1) ok ;;
    pass:0) not_ok "$name: they differ"; cat "$TMP/diff" ;;
    xfail:*:0) ok; printf 'XFAIL: %s (%s)\n' "$name" "${mark#xfail:}" ;;
    xfail:*:1) not_ok "$name: now the same: remove its mark '$mark' in tests/twins.sh" ;;
    *) not_ok "$name: bad mark '$mark'" ;;
    esac
done <<'EOF'
# mark  sample                         twin                       skip mid
pass    ipv6-curl-expect-100           curl-expect-100            0    0
pass    ipv6-http10-100-102            raw-http10-100-102         0    0
pass    midstream-keepalive            keepalive-102-continue     1    1
pass    ipv6-midstream-keepalive       keepalive-102-continue     1    1
pass    crafted-raw-ipv6               crafted-raw-ip             0    0
pass    crafted-handshake-timeout-ipv6 crafted-handshake-timeout  0    0
EOF
finish
