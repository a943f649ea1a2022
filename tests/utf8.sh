#!/bin/sh
# utf8.sh: JSON lines are UTF-8. Valid UTF-8 from the capture passes through;
# a byte that is not part of valid UTF-8, and a backslash, are written \xHH
# in the decoded string (man/interim.1, OUTPUT FORMAT). The text report keeps
# to printable ASCII and writes every other byte as \xHH.
. "$(dirname "$0")/lib.sh"

if ! python3 -c 'import json' 2>/dev/null; then
    echo "utf8.sh: skipped: no python3"
    exit 77
fi

run -j "$SAMPLES/crafted-utf8.pcap"
[ "$rc" -eq 0 ] || not_ok "crafted-utf8.pcap -j: rc=$rc, stderr: $(cat "$TMP/err")"
cat >"$TMP/check.py" <<'PY'
import json, re, sys
raw = open(sys.argv[1], "rb").read()
# strict: the bytes are UTF-8, each line one JSON object
lines = [json.loads(l.decode("utf-8", "strict")) for l in raw.splitlines()]
x = [o for o in lines if o["event_type"] == "exchange"][0]
want = {
    "target": "/caf\u00e9/\U0001F600?a=\\xff&b=\\x80&c=\\xc0\\xaf&d=\\xf4\\x90\\x80\\x80",
    "host": "h\u00e9.example\\xe2\\x82",
    "reason": "Trait\u00e9 \U0001F600 \\xed\\xa0\\x80 \u009b\\x5c \\xe2\\x82",
}
got = {"target": x["http"]["target"], "host": x["http"]["host"],
       "reason": x["interim"][0]["reason"]}
bad = 0
for k in want:
    if got[k] != want[k]:
        print("FAIL: %s: %r, want %r" % (k, got[k], want[k]))
        bad += 1
# the escapes are reversible: the bytes on the wire come back
def wire(s):
    return re.sub(rb"\\x([0-9a-f]{2})", lambda m: bytes([int(m.group(1), 16)]),
                  s.encode("utf-8"))
if wire(got["host"]) != b"h\xc3\xa9.example\xe2\x82" or \
        wire(got["reason"]) != b"Trait\xc3\xa9 \xf0\x9f\x98\x80 \xed\xa0\x80 \xc2\x9b\\ \xe2\x82":
    print("FAIL: \\xHH does not give back the bytes on the wire")
    bad += 1
# the valid text is copied, not escaped: no \u00XX for "\u00e9"
if b"\\u00e9" in raw or "\u00e9".encode() not in raw:
    print("FAIL: valid UTF-8 was escaped")
    bad += 1
sys.exit(1 if bad else 0)
PY
if python3 "$TMP/check.py" "$TMP/out"; then ok; else not_ok "crafted-utf8.pcap: JSON strings"; fi

# every sample: valid UTF-8, one JSON object a line
set -- "$SAMPLES"/*.pcap
run -j "$@"
if python3 -c '
import json, sys
for l in open(sys.argv[1], "rb").read().splitlines():
    json.loads(l.decode("utf-8", "strict"))' "$TMP/out"; then
    ok
else
    not_ok "samples: JSON lines that are not UTF-8 or not JSON"
fi

# the text report: printable ASCII only, as before
run -v "$SAMPLES/crafted-utf8.pcap"
if [ "$rc" -eq 0 ] && ! LC_ALL=C grep -q '[^ -~]' "$TMP/out" &&
    grep -qF 'GET /caf\xc3\xa9/\xf0\x9f\x98\x80?a=\xff&b=\x80' "$TMP/out" &&
    grep -qF '102 Trait\xc3\xa9 \xf0\x9f\x98\x80 \xed\xa0\x80 \xc2\x9b\ \xe2\x82' "$TMP/out"; then
    ok
else
    not_ok "crafted-utf8.pcap text report: rc=$rc"
fi

finish
