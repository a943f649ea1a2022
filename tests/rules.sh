#!/bin/sh
# rules.sh: every rule fires on its samples and on nothing else in samples/;
# the near misses stay clean; the man page, --list-rules and the code's
# table (which --list-rules prints) agree; the rule options work.
. "$(dirname "$0")/lib.sh"
S=$SAMPLES

check() {
    name=$1
    shift
    if "$@"; then ok; else not_ok "$name"; fi
}

# rules raised on a capture, sorted, space-separated
fired() {
    timeout 60 "$INTERIM" -j --fail-on never "$@" 2>/dev/null |
        grep '"event_type":"violation"' |
        sed 's/.*"rule":"\([a-z0-9-]*\)".*/\1/' | sort -u | tr '\n' ' ' |
        sed 's/ $//'
}

# sample: the rules it must raise, and no others ("-": none)
while read -r sample want; do
    case $sample in ''|'#'*) continue ;; esac
    [ "$want" = - ] && want=
    got=$(fired "$S/$sample")
    if [ "$got" = "$want" ]; then ok
    else not_ok "$sample: want [$want], got [$got]"; fi
done <<'LIST'
# rule samples
raw-http10-continue.pcap          continue-unexpected interim-to-http10
raw-http10-100-102.pcap           continue-unexpected interim-to-http10
ipv6-http10-100-102.pcap          continue-unexpected interim-to-http10
raw-1xx-with-body.pcap            interim-with-body
raw-unknown-1xx.pcap              early-hints-without-link interim-unknown interim-version-http10
rule-interim-unsolicited.pcap     interim-unsolicited
rule-continue-unexpected.pcap     continue-unexpected
rule-continue-repeated.pcap       continue-repeated
rule-continue-slow.pcap           continue-slow
rule-expect-on-http10.pcap        expect-on-http10
raw-101-no-upgrade.pcap           upgrade-missing upgrade-unrequested
rule-upgrade-unrequested.pcap     upgrade-unrequested
rule-upgrade-missing.pcap         upgrade-missing
rule-upgrade-mismatch.pcap        upgrade-mismatch
rule-processing-silence.pcap      processing-silence
raw-102-then-close.pcap           processing-abandoned
rule-response-timeout.pcap        response-timeout
crafted-handshake-timeout.pcap    handshake-timeout
crafted-handshake-timeout-ipv6.pcap handshake-timeout
crafted-ipv6-extensions.pcap      handshake-timeout
crafted-request-unacked.pcap      request-unacked
# text fields at and past interim's caps (the 101 on port 40070 has no
# Upgrade)
crafted-long-fields.pcap          upgrade-missing
# other real servers (issue 10): Go writes a 103 to HTTP/1.0, and with a
# status line saying HTTP/1.0; node behind nginx's proxy_http_version 1.0
go-http10-103.pcap                interim-to-http10 interim-version-http10
nginx-proxy-http10.pcap           interim-to-http10
# clean with the default timeouts (their goldens use short ones)
go-early-hints.pcap               -
nginx-proxy-held-102.pcap         -
apache-continue.pcap              -
apache-proxy-1xx.pcap             -
python-close-delimited.pcap       -
curl-gives-up.pcap                -
# an HTTP/2 answer is a parse error, reported, and no rule
http2-answer.pcap                 -
# a final response before an Expect: 100-continue body: the client may
# close without sending it, and that is no parse error
python-expect-refused.pcap        -
crafted-client-gave-up.pcap       response-timeout
# fifteen 102 twenty seconds apart, more than the eight an exchange keeps:
# each one past them still restarts the silence watch
crafted-many-102.pcap             -
crafted-tcp-ack-edges.pcap        -
# near misses and clean traffic
near-processing-every-30s.pcap    -
near-processing-5s.pcap           -
curl-expect-100.pcap              -
node-continue.pcap                -
node-early-hints.pcap             -
node-websocket.pcap               -
node-processing.pcap              -
keepalive-pipeline.pcap           -
any-interface.pcap                -
any-interface-sll.pcap            -
crafted-vlan-qinq.pcap            -
crafted-null-loop.pcap            -
crafted-raw-ip.pcap               -
crafted-pcapng.pcapng             -
snaplen-cut.pcap                  -
ipv6-loopback.pcap                -
crafted-raw-ipv6.pcap             -
ipv6-curl-expect-100.pcap         -
keepalive-102-continue.pcap       -
midstream-keepalive.pcap          -
ipv6-midstream-keepalive.pcap     -
# a 102, then the 200's head lost by the capture: the silence is not judged
crafted-capture-gap.pcap          -
# the GET lost by the capture, acknowledged by the server: its 102 is not
# unsolicited
crafted-capture-gap-request.pcap  -
# GET /next pipelined behind a body that trickles for 140 s: its wait
# starts when that body ends
crafted-pipeline-slow-body.pcap   -
crafted-escapes.pcap              -
crafted-utf8.pcap                 -
# 70 pipelined: the 6 past the cap are counted; their answers are framed
# (one is to a HEAD), not unsolicited, and delay the next request's turn
crafted-pipeline-70.pcap          -
# 1xx to requests that could not be parsed: judged by no rule (the parse
# errors are reported), and not taken for the next request's
crafted-malformed-request.pcap    -
# PPPoE session, MPLS and VXLAN: the plain exchange, decoded
crafted-pppoe.pcap                -
crafted-mpls.pcap                 -
crafted-vxlan.pcap                -
# first request lines interim cannot parse, answered in HTTP/1.x; stray
# bytes; HTTP/2's preface
crafted-lenient-start.pcap        -
# HTTP inside a CONNECT tunnel, and TLS inside one
crafted-connect.pcap              -
# the report's server table: a 100 nobody asked for, a 103 without Link
crafted-servers.pcap              continue-unexpected early-hints-without-link
crafted-tcp-ignored-ends.pcap     -
crafted-tcp-fast-open.pcap        -
crafted-tcp-midstream.pcap        -
crafted-tcp-midstream-response-first.pcap -
crafted-tcp-one-sided.pcap        -
crafted-tcp-gap-body.pcap         -
crafted-tcp-gap-between.pcap      -
crafted-tcp-spoofed-first.pcap    -
LIST

# every sample is in the list above, so none escapes the "nothing else" check
for f in "$S"/*.pcap "$S"/*.pcapng; do
    b=$(basename "$f")
    if grep -q "^$b " "$0"; then ok; else not_ok "$b is not in rules.sh's list"; fi
done

# the man page's RULES section, --list-rules and the table agree
sed 's/\\-/-/g' "$SRCDIR/man/interim.1" |
    awk '/^\.SH RULES/ { on = 1; next } /^\.SH/ { on = 0 }
         on && /^\.BR [a-z0-9-]+ "/ {
             id = $2; sev = $0; sub(/^[^(]*\(/, "", sev); sub(/\).*/, "", sev)
             cf = "-"; if (sev ~ /Cloudflare/) { cf = sev; sub(/.*Cloudflare /, "", cf); sub(/,.*/, "", sev) }
             getline body; text = body
             while ((getline body) > 0 && body !~ /^\.(TP|SH|SS|PP)/) text = text " " body
             src = text; sub(/.*Source: /, "", src); sub(/\.$/, "", src)
             print id "|" sev "|" cf "|" src
             if (body ~ /^\.SH/) on = 0
         }' >"$TMP/man-rules"
"$INTERIM" --list-rules -j |
    sed 's/^{"id":"\([^"]*\)","severity":"\([^"]*\)","cloudflare":\([0-9a-z]*\),"source":"\([^"]*\)".*/\1|\2|\3|\4/; s/|null|/|-|/' \
    >"$TMP/list-rules"
if diff "$TMP/list-rules" "$TMP/man-rules" >"$TMP/diff"; then ok
else not_ok "man page RULES and --list-rules differ:"; cat "$TMP/diff"; fi
check "18 rules" test "$(wc -l <"$TMP/list-rules")" -eq 18

# --list-rules -j: JSON lines with the fields, cloudflare a number or null
check "--list-rules -j: JSON lines" python3 -c '
import json, subprocess, sys
lines = subprocess.run([sys.argv[1], "--list-rules", "-j"], capture_output=True,
                       text=True, check=True).stdout.splitlines()
rows = [json.loads(l) for l in lines]
assert len(rows) == 18
for r in rows:
    assert sorted(r) == ["cloudflare", "id", "meaning", "severity", "source"], r
    assert r["cloudflare"] in (None, 522, 524), r
    assert r["severity"] in ("error", "warning", "notice"), r
    assert r["source"] and "ref" not in r["source"].split("; "), r
' "$INTERIM"
# the text table: 100 columns at most, every rule and source in it, and
# where each source is to be found
"$INTERIM" --list-rules >"$TMP/table"
check "--list-rules fits 100 columns" test "$(awk 'length > 100' "$TMP/table" | wc -l)" -eq 0
check "--list-rules: a row per rule" \
    test "$(cut -d'|' -f1 "$TMP/list-rules" | while read -r id; do grep -c "^$id " "$TMP/table"; done | grep -c '^1$')" -eq 18
check "--list-rules: the meanings, wrapped" sh -c "cut -c71- '$TMP/table' | tr -s ' \n' ' ' |
    grep -q 'the first response to an Expect: 100-continue request came later than --continue-timeout'"
check "--list-rules: Cloudflare's 1xx page, with its address" \
    grep -q 'https://developers.cloudflare.com/support/troubleshooting/http-status-codes/1xx-informational/' "$TMP/table"

# options
run "$S/rule-continue-repeated.pcap"
check "a notice does not fail by default" test "$rc" -eq 0
run --fail-on notice "$S/rule-continue-repeated.pcap"
check "--fail-on notice" test "$rc" -eq 1
run --fail-on never "$S/raw-102-then-close.pcap"
check "--fail-on never" test "$rc" -eq 0
run "$S/raw-102-then-close.pcap"
check "an error fails by default" test "$rc" -eq 1
run --fail-on sometimes "$S/raw-102-then-close.pcap"
check "bad --fail-on: exit 2" test "$rc" -eq 2
run --disable processing-abandoned "$S/raw-102-then-close.pcap"
check "--disable: clean, exit 0" test "$rc" -eq 0
run --disable no-such-rule "$S/raw-102-then-close.pcap"
check "--disable unknown rule: exit 2" test "$rc" -eq 2
check "--disable two rules" test -z "$(fired --disable upgrade-missing,upgrade-unrequested "$S/raw-101-no-upgrade.pcap")"
check "--processing-timeout 110: silence of 105 s is fine" \
    test -z "$(fired --processing-timeout 110 "$S/rule-processing-silence.pcap")"
check "--processing-timeout 20: 102 every 30 s fires" \
    test "$(fired --processing-timeout 20 "$S/near-processing-every-30s.pcap")" = processing-silence
check "--response-timeout 120: no 524" \
    test -z "$(fired --response-timeout 120 "$S/rule-response-timeout.pcap")"
check "--continue-timeout 1.6 (fractions)" \
    test -z "$(fired --continue-timeout 1.6 "$S/rule-continue-slow.pcap")"
check "--continue-timeout 0.5 still fires" \
    test "$(fired --continue-timeout 0.5 "$S/rule-continue-slow.pcap")" = continue-slow
check "--syn-timeout 30" \
    test -z "$(fired --syn-timeout 30 "$S/crafted-handshake-timeout.pcap")"
check "--ports 8080: an unanswered SYN to port 80 is not watched" \
    test -z "$(fired --ports 8080 "$S/crafted-handshake-timeout.pcap")"
check "--ports 80: it is" \
    test "$(fired --ports 80 "$S/crafted-handshake-timeout.pcap")" = handshake-timeout
check "--ports 8080: nor are request bytes to port 80" \
    test -z "$(fired --ports 8080 "$S/crafted-request-unacked.pcap")"
check "--ack-timeout 120" \
    test -z "$(fired --ack-timeout 120 "$S/crafted-request-unacked.pcap")"
for bad in abc -1 0 1e99; do
    run --response-timeout "$bad" "$S/node-processing.pcap"
    check "--response-timeout $bad: exit 2" test "$rc" -eq 2
done

# a malformed request's 102 and 400 are its own: GET /third gets its 103
run -j "$S/crafted-malformed-request.pcap"
check "malformed requests: exit 0" test "$rc" -eq 0
check "malformed requests: both parse errors reported" \
    test "$(grep -c '"event_type":"anomaly".*"malformed start line"' "$TMP/out")" -eq 2
check "malformed requests: GET /third paired with its 103 and 200" \
    grep -q '"target":"/third".*"interim":\[{"status":103.*"final":{"status":200' "$TMP/out"

# what a first request line interim cannot parse leaves
run -j "$S/crafted-lenient-start.pcap"
check "lenient start: two malformed start lines, one stray, one HTTP/2" \
    grep -q '"parse_errors":{"malformed start line":2,"stray bytes before the first request line":1,"HTTP/2 where HTTP/1.x was expected":1}' "$TMP/out"
check "lenient start: the 400s are paired, not unsolicited" \
    grep -q '"unsolicited_responses":0' "$TMP/out"
check "lenient start: GET /txt after the stray bytes" \
    grep -q '"target":"/txt".*"interim":\[{"status":102' "$TMP/out"
check "lenient start: HTTP/2 is TCP, not HTTP" \
    grep -q '"http_flows":3,.*"not_http_flows":1' "$TMP/out"
# CONNECT: HTTP inside is parsed, TLS is not
run -j "$S/crafted-connect.pcap"
check "CONNECT: the GET inside carries tunnel_of" \
    grep -q '"target":"http://x/".*"interim":\[{"status":102.*"final":{"status":200.*"tunnel_of":"x:80"' "$TMP/out"
check "CONNECT: three exchanges, TLS bytes are tunnel bytes" \
    grep -q '"exchanges":3,.*"tunnel_bytes":23,' "$TMP/out"
# nothing analysed: said at the top, and once on stderr
run "$SRCDIR/tests/port-scan.pcap"
check "nothing analysed: the report says so first" \
    test "$(head -1 "$TMP/out")" = "Nothing analysed: 60 TCP packets, but no connection established or picked up at a request."
check "nothing analysed: one warning line on stderr" \
    test "$(grep -c '^interim: warning: nothing analysed: ' "$TMP/err")" -eq 1
check "nothing analysed: exit 0" test "$rc" -eq 0
run "$S/node-processing.pcap"
check "something analysed: stderr is empty" test ! -s "$TMP/err"

# a deadline still open when the capture ends is not a violation
run -j -c 6 "$S/rule-processing-silence.pcap"
check "capture ends inside the wait: no violation" test "$(grep -c violation "$TMP/out")" -eq 0

# violations in JSON: every field the spec names
run -j "$S/rule-processing-silence.pcap"
line=$(grep '"event_type":"violation"' "$TMP/out")
for key in timestamp flow_id tx_id src_ip src_port dest_ip dest_port rule severity cloudflare message waited deadline since http; do
    case $line in *"\"$key\":"*) ok ;; *) not_ok "violation lacks $key" ;; esac
done
case $line in *'"cloudflare":522,'*'"message":"origin sent 102 Processing at '*'; Cloudflare would answer 522'*) ok ;;
    *) not_ok "processing-silence message: $line" ;; esac
check "summary counts the rule" grep -q '"rules":{"processing-silence":1}' "$TMP/out"

# the text report's Cloudflare section
run "$S/rule-response-timeout.pcap"
check "report: Cloudflare section lists the 524" grep -q '^    524  response-timeout' "$TMP/out"
run "$S/node-processing.pcap"
check "report: clean capture says so" grep -q '^No violations.$' "$TMP/out"

# advice that follows what the capture shows
: "${HOSTILE_GEN:=$SRCDIR/tests/hostile-gen}"
"$HOSTILE_GEN" held-1xx >"$TMP/held.pcap"
run -j "$TMP/held.pcap"
grep '"event_type":"violation"' "$TMP/out" >"$TMP/v"
# raised at the deadline, with advice naming both causes; the exchange
# then says whether its 1xx were held back with the final response
grep '"event_type":"exchange"' "$TMP/out" >"$TMP/x"
check "a 102 that came only with the final: the exchange says held" grep -q \
    '"src_port":40060,.*"interim_held":true' "$TMP/x"
check "1xx after a 102's silence, with the final: held" grep -q \
    '"src_port":40061,.*"interim_held":true' "$TMP/x"
check "a 102 alone, 1 s before the final: not held" grep -q \
    '"src_port":40062,.*"interim_held":false' "$TMP/x"
check "the violation's advice names both causes" grep -q \
    '"src_port":40062,.*"rule":"response-timeout".*the origin takes longer than that, so send 102 Processing before then.*if the origin does send 1xx in time, a hop between it and this capture point holds them back (nginx' \
    "$TMP/v"
check "silences are raised at their deadline, in time order" grep -q \
    '"timestamp":"2026-01-01T00:01:40.000300Z".*"src_port":40060,' "$TMP/v"
run "$TMP/held.pcap"
check "text: then: names the hop that held the 1xx" grep -q \
    'then: .*its 1xx came only together with the final response, so the origin most likely sent them in time and a hop between it and this capture point held them back' \
    "$TMP/out"
check "text: the Cloudflare line says it briefly" grep -q \
    '^    524 .*then: .*its 1xx were held back on the way' "$TMP/out"
run -j --processing-timeout 30 "$S/rule-processing-silence.pcap"
check "processing-silence: how often to send 102" grep -q \
    'Cloudflare would answer 522 (--processing-timeout 30 s): send 102 Processing again at least every 15 s until the final response' \
    "$TMP/out"
run -j "$S/raw-http10-continue.pcap"
check "interim-to-http10 names the proxy and the framework calls" grep -q \
    '"rule":"interim-to-http10".*proxy_http_version 1.0.*writeContinue().*set proxy_http_version 1.1' \
    "$TMP/out"
"$HOSTILE_GEN" gives-up >"$TMP/gives-up.pcap"
run -j "$TMP/gives-up.pcap"
check "a 524 says that the client had gone" test "$(grep -c \
    '"rule":"response-timeout".*the client had closed its side at +6.0 s"' \
    "$TMP/out")" -eq 2

finish
