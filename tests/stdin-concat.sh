#!/bin/sh
# stdin-concat.sh: several captures one after another on standard input
# (cat a.pcap b.pcap | interim -) are read as so many captures, pcap and
# pcapng, either byte order, micro- or nanoseconds; what is not a capture
# after one is a warning, never packets of garbage. And no time printed
# has a negative fraction.
. "$(dirname "$0")/lib.sh"
S=$SAMPLES
A=$S/raw-101-no-upgrade.pcap B=$S/node-continue.pcap N=$S/crafted-pcapng.pcapng
R=$S/crafted-raw-ip.pcap

check() {   # check NAME CONDITION...: CONDITION is a command
    name=$1
    shift
    if "$@"; then ok; else not_ok "$name"; fi
}
# events FILE: the exchange and violation lines, the summary's counters
events() { grep -v '"event_type":"summary"' "$1"; }
summary() {
    grep '"event_type":"summary"' "$1" |
        sed 's/.*"files":\([0-9]*\),"packets":\([0-9]*\),.*"exchanges":\([0-9]*\),.*"bad_timestamps":\([0-9]*\),.*"truncated":\([a-z]*\).*/files=\1 packets=\2 exchanges=\3 bad=\4 truncated=\5/'
}
# same_as_files NAME FILE...: cat FILE... | interim -j - reads what
# interim -j FILE... reads
same_as_files() {
    name=$1
    shift
    run -j "$@"
    cp "$TMP/out" "$TMP/by-name"
    rc_files=$rc
    cat "$@" | timeout 60 "$INTERIM" -j - >"$TMP/out" 2>"$TMP/err"
    rc=$?
    events "$TMP/by-name" >"$TMP/want"
    events "$TMP/out" >"$TMP/got"
    check "$name: the same events" cmp -s "$TMP/want" "$TMP/got"
    check "$name: the same counts ($(summary "$TMP/out"))" \
        test "$(summary "$TMP/out")" = "$(summary "$TMP/by-name")"
    check "$name: the same exit status" test "$rc" -eq "$rc_files"
    check "$name: no warning" test ! -s "$TMP/err"
}

same_as_files "two pcaps" "$A" "$B"
same_as_files "pcap, pcapng, pcap" "$B" "$N" "$A"
same_as_files "pcapng twice" "$N" "$N"
same_as_files "link types that differ" "$R" "$B"

# the same capture rewritten big-endian, and with nanoseconds
python3 - "$B" "$TMP" <<'PY'
import struct, sys
src, out = sys.argv[1], sys.argv[2]
d = open(src, "rb").read()
assert struct.unpack("<I", d[:4])[0] == 0xa1b2c3d4
head = struct.unpack("<HHiIII", d[4:24])
for name, e, nsec in (("be", ">", 0), ("ns", "<", 1), ("be-ns", ">", 1)):
    parts = [struct.pack(e + "I", 0xa1b23c4d if nsec else 0xa1b2c3d4),
             struct.pack(e + "HHiIII", *head)]
    i = 24
    while i < len(d):
        s, us, cl, ol = struct.unpack("<IIII", d[i:i + 16])
        parts.append(struct.pack(e + "IIII", s, us * 1000 if nsec else us, cl, ol))
        parts.append(d[i + 16:i + 16 + cl])
        i += 16 + cl
    open("%s/%s.pcap" % (out, name), "wb").write(b"".join(parts))
PY
run -j "$B" "$B" "$B" "$B"
cp "$TMP/out" "$TMP/by-name"
cat "$B" "$TMP/be.pcap" "$TMP/ns.pcap" "$TMP/be-ns.pcap" | timeout 60 "$INTERIM" -j - >"$TMP/out" 2>"$TMP/err"
events "$TMP/by-name" >"$TMP/want"
events "$TMP/out" >"$TMP/got"
check "big-endian and nanosecond pcaps: the same events" cmp -s "$TMP/want" "$TMP/got"
check "big-endian and nanosecond pcaps: four captures" \
    test "$(summary "$TMP/out")" = "$(summary "$TMP/by-name")"

# text: "Read 2 files", one time range, no impossible timestamp
cat "$A" "$B" | timeout 60 "$INTERIM" - >"$TMP/out" 2>"$TMP/err"
check "text: two captures read" grep -q '^Read 2 files: ' "$TMP/out"
check "text: no impossible timestamp" sh -c "! grep -q 'impossible timestamp' '$TMP/out'"
check "text: no negative fraction" sh -c "! grep -q '[0-9]\.-[0-9]' '$TMP/out'"

# a second capture cut inside its file header: the first is analysed, then
# a warning that names it
{ cat "$B"; head -c 12 "$A"; } | timeout 60 "$INTERIM" -j - >"$TMP/out" 2>"$TMP/err"
rc=$?
check "cut second header: exit 0" test "$rc" -eq 0
check "cut second header: a warning naming it ($(cat "$TMP/err"))" \
    grep -q "^interim: warning: cannot read '-#2': .*; the rest of standard input was not read$" "$TMP/err"
check "cut second header: the first capture analysed" \
    test "$(summary "$TMP/out")" = "files=1 packets=12 exchanges=1 bad=0 truncated=true"

# what is not a capture after one: a warning, no packet made of it
{ cat "$B"; printf 'GET / HTTP/1.1\r\nHost: x\r\n\r\nmore bytes here'; } |
    timeout 60 "$INTERIM" -j - >"$TMP/out" 2>"$TMP/err"
check "text after a capture: one warning" \
    test "$(grep -c "^interim: warning: '-': .*; analysed up to there$" "$TMP/err")" -eq 1
check "text after a capture: nothing made of it" \
    test "$(summary "$TMP/out")" = "files=1 packets=12 exchanges=1 bad=0 truncated=true"

# -w takes several captures on standard input of one link type, not two
cat "$A" "$B" | timeout 60 "$INTERIM" -q -w "$TMP/saved.pcap" - >/dev/null 2>"$TMP/err"
run -j "$TMP/saved.pcap"
check "-w: what two captures on standard input held" \
    grep -q '"packets":24,' "$TMP/out"
cat "$B" "$R" | timeout 60 "$INTERIM" -q -w "$TMP/saved.pcap" - >/dev/null 2>"$TMP/err"
rc=$?
check "-w, two link types on standard input: exit 2" test "$rc" -eq 2
check "-w, two link types: said" \
    grep -q "^interim: cannot save to '$TMP/saved.pcap': '-' and '-#2' have different link types$" "$TMP/err"

# times are never printed with a negative fraction, before 1970 too
if [ -x "${TEST_FORMAT:-}" ]; then
    if "$TEST_FORMAT" >"$TMP/fmt" 2>&1; then ok; else not_ok "test_format: $(cat "$TMP/fmt")"; fi
fi

finish
