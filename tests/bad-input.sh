#!/bin/sh
# bad-input.sh: hostile and broken inputs. Errors are one line on stderr and
# exit 2; inputs cut short are analysed as far as they go, with a warning.
. "$(dirname "$0")/lib.sh"
GOOD=$SAMPLES/curl-expect-100.pcap
size=$(wc -c <"$GOOD")

# expect_error NAME PATTERN ARGS...: exit 2, one stderr line matching PATTERN
expect_error() {
    name=$1 pattern=$2
    shift 2
    run "$@"
    lines=$(wc -l <"$TMP/err")
    if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] && grep -q "$pattern" "$TMP/err" &&
        [ ! -s "$TMP/out" ]; then
        ok
    else
        not_ok "$name: rc=$rc, stderr: $(cat "$TMP/err")"
    fi
}

# expect_partial NAME ARGS...: exit 0, a warning, summary says truncated
expect_partial() {
    name=$1
    shift
    run -j "$@"
    if [ "$rc" -eq 0 ] && grep -q '^interim: warning: .*; analysed up to there$' "$TMP/err" &&
        grep -q '"event_type":"summary".*"truncated":true' "$TMP/out"; then
        ok
    else
        not_ok "$name: rc=$rc, stderr: $(cat "$TMP/err")"
    fi
}

expect_error "missing file" "^interim: cannot open '$TMP/nope.pcap': No such file or directory$" \
    "$TMP/nope.pcap"
: >"$TMP/empty.pcap"
expect_error "empty file" "^interim: cannot read '$TMP/empty.pcap': empty file$" "$TMP/empty.pcap"
expect_error "empty standard input" "^interim: cannot read '-'" - </dev/null
printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\n' >"$TMP/text.pcap"
expect_error "not a capture (text)" "not a pcap or pcapng capture" "$TMP/text.pcap"
expect_error "not a capture (a program)" "not a pcap or pcapng capture" "$INTERIM"
expect_error "a directory" "^interim: cannot open '$TMP': Is a directory$" "$TMP"
head -c 10 "$GOOD" >"$TMP/cut-header.pcap"
expect_error "cut inside the file header" "^interim: cannot read '$TMP/cut-header.pcap'" \
    "$TMP/cut-header.pcap"
expect_error "unsupported link type" "unsupported link type" \
    "$SRCDIR/tests/unknown-link.pcap"
expect_error "second file missing, nothing printed" "cannot open" "$GOOD" "$TMP/nope.pcap"

head -c $((size - 50)) "$GOOD" >"$TMP/cut-packet.pcap"
expect_partial "cut inside a packet" "$TMP/cut-packet.pcap"
head -c 31 "$GOOD" >"$TMP/cut-record.pcap"
expect_partial "cut inside a record header" "$TMP/cut-record.pcap"
{ head -c 24 "$GOOD"; printf '\377%.0s' $(seq 64); } >"$TMP/garbage-records.pcap"
expect_partial "garbage after a valid file header" "$TMP/garbage-records.pcap"
expect_partial "truncated file from standard input" - <"$TMP/cut-packet.pcap"

# the cut file still yields what it holds, and the next file is read too
run -j "$TMP/cut-packet.pcap" "$GOOD"
if [ "$rc" -eq 0 ] && [ "$(grep -c '"event_type":"exchange"' "$TMP/out")" -ge 1 ] &&
    grep -q '"files":2' "$TMP/out"; then ok; else not_ok "truncated file then a good one: rc=$rc"; fi

# snaplen-cut capture (tcpdump -s 100): analysed, with a warning in the report
run "$SAMPLES/snaplen-cut.pcap"
if [ "$rc" -eq 0 ] && grep -q "cut short by the capture's snaplen" "$TMP/out"; then
    ok
else
    not_ok "snaplen-cut capture: rc=$rc"
fi

finish
