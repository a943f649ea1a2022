#!/bin/sh
# json-fields.sh: the fields of the JSON lines that a log pipeline joins
# and alerts on (man interim, OUTPUT FORMAT), checked with jq on real and
# generated captures: flow_id unique per connection, tx_id, the timer
# figures, how and when an exchange ended, body lengths, names that mean
# one thing.
. "$(dirname "$0")/lib.sh"
: "${HOSTILE_GEN:=$SRCDIR/tests/hostile-gen}"
S=$SAMPLES

if ! command -v jq >/dev/null 2>&1; then
    echo "json-fields.sh: jq is missing (install-deps.sh installs it)"
    exit 1
fi

# jqcheck NAME FILTER: FILTER, given every object of $TMP/out as one
# array, must print true
jqcheck() {
    name=$1
    shift
    if [ "$(jq -s "$@" "$TMP/out" 2>"$TMP/jqerr")" = true ]; then
        ok
    else
        not_ok "$name ($(head -1 "$TMP/jqerr"))"
    fi
}

# check CMD...: CMD must succeed; $name says what failed
check() { if "$@"; then ok; else not_ok "$name"; fi; }

ISO='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$'
# an ISO timestamp as seconds since the epoch, microseconds kept
SECS='def secs: (.[0:19] + "Z" | fromdateiso8601) + (.[20:26] | tonumber) / 1e6;'

# --- an exchange: every field, on node's 102 then 200 ---
run -j "$S/node-processing.pcap"
jqcheck "exchange: flow_id an integer in [1, 2^53)" \
    '[.[] | select(.event_type == "exchange") | .flow_id] |
     length == 1 and all(type == "number" and . == floor and . >= 1 and
     . < 9007199254740992)'
jqcheck "exchange: tx_id 0, bodies counted, user_agent copied" \
    '.[0] | .tx_id == 0 and .request_body_len == 0 and
     .response_body_len == 15 and (.http.user_agent | startswith("curl/")) and
     .http.target_truncated == false'
jqcheck "exchange: end final, at the response's end, after its head" \
    --arg iso "$ISO" "$SECS"'
     .[0] | .end == "final" and (.end_timestamp | test($iso)) and
     .response_end_timestamp == .end_timestamp and
     (.response_end_timestamp | secs) >= (.final.timestamp | secs) and
     .client_closed_timestamp == null'
jqcheck "summary: status_1xx by code; interim is the exchanges' list only" \
    '(.[-1] | .event_type == "summary" and .status_1xx == {"102": 1} and
      (has("interim") | not)) and (.[0].interim | type == "array")'

# --- a violation joins its exchange; its figures are numbers ---
run -j "$S/rule-response-timeout.pcap"
jqcheck "response-timeout: cloudflare 524 a number, waited and deadline 100 s" \
    '[.[] | select(.event_type == "violation")] | length == 1 and
     (.[0] | .rule == "response-timeout" and .cloudflare == 524 and
      .waited == 100 and .deadline == 100 and .tx_id == 0)'
jqcheck "response-timeout: since + waited is the violation's time" \
    "$SECS"'.[] | select(.event_type == "violation") |
     ((.since | secs) + .waited - (.timestamp | secs) | fabs) < 1e-6'
jqcheck "a violation joins its exchange on flow_id and tx_id" \
    '([.[] | select(.event_type == "exchange")] |
      map({key: "\(.flow_id)/\(.tx_id)", value: .}) | from_entries) as $x |
     [.[] | select(.event_type == "violation") | .tx_id != null and
      $x["\(.flow_id)/\(.tx_id)"].http.target == .http.target] |
     length == 1 and all'
run -j --response-timeout 2.5 "$S/rule-response-timeout.pcap"
jqcheck "deadline is the option's value" \
    '.[] | select(.event_type == "violation") | .deadline == 2.5 and
     .waited == 2.5'
run -j "$S/rule-processing-silence.pcap"
jqcheck "processing-silence: 522, waited from the 102" \
    "$SECS"'[.[] | select(.event_type == "exchange")][0] as $x |
     .[] | select(.event_type == "violation") | .cloudflare == 522 and
     .deadline == 100 and .since == $x.interim[-1].timestamp'
run -j "$S/raw-102-then-close.pcap"
jqcheck "processing-abandoned: no timer figures, cloudflare null" \
    '.[] | select(.event_type == "violation") | .rule ==
     "processing-abandoned" and .cloudflare == null and .waited == null and
     .deadline == null and .since == null and .tx_id == 0'
jqcheck "server's FIN first: server_closed, the client's FIN after it" \
    "$SECS"'.[] | select(.event_type == "exchange") | .end == "server_closed"
     and .final == null and .response_end_timestamp == null and
     (.client_closed_timestamp | secs) <= (.end_timestamp | secs)'
run -j "$S/crafted-handshake-timeout.pcap"
jqcheck "handshake-timeout: no exchange (tx_id null), its own flow_id" \
    '([.[] | select(.event_type == "exchange") | .flow_id]) as $ids |
     .[] | select(.event_type == "violation") | .tx_id == null and
     .waited == 19 and .deadline == 19 and .since ==
     "2026-01-01T00:00:00.000000Z" and (.flow_id as $f | $ids | index($f) |
     not)'
run -j "$S/crafted-request-unacked.pcap"
jqcheck "request-unacked: figures, tx_id null; the client's RST ended it" \
    '(.[] | select(.event_type == "violation") | .tx_id == null and
      .deadline == 90 and .cloudflare == 522) and
     (.[] | select(.event_type == "exchange") | .end == "client_reset" and
      .client_closed_timestamp == .end_timestamp)'
run -j -c 6 "$S/rule-processing-silence.pcap"
jqcheck "capture ends first: capture_ended" \
    '.[] | select(.event_type == "exchange") | .end == "capture_ended"'
run -j "$S/node-websocket.pcap"
jqcheck "101: end tunnel, no final response end" \
    '.[] | select(.event_type == "exchange") | .end == "tunnel" and
     .tunnel == "websocket" and .response_end_timestamp == null'

# --- tx_id counts the exchanges of a connection ---
run -j "$S/keepalive-pipeline.pcap"
jqcheck "pipeline: one flow_id, tx_id 0 to 3 in order" \
    '[.[] | select(.event_type == "exchange")] |
     (map(.flow_id) | unique | length == 1) and map(.tx_id) == [0, 1, 2, 3]'
jqcheck "pipeline: body lengths (chunked without framing, HEAD, 204)" \
    '[.[] | select(.event_type == "exchange") | .response_body_len] ==
     [25, 0, 18, 0]'
run -j "$S/midstream-keepalive.pcap"
jqcheck "mid-stream: tx_id 0 and 1, the POST's 12-byte body" \
    '[.[] | select(.event_type == "exchange") | [.tx_id, .midstream,
      .request_body_len]] == [[0, true, 0], [1, true, 12]]'

# --- flow_id: one per connection, never shared ---
"$HOSTILE_GEN" reuse 3700 >"$TMP/reuse.pcap"
run -j --idle-timeout 4000 "$TMP/reuse.pcap"
jqcheck "a client port reused: two connections, two flow_ids" \
    '[.[] | select(.event_type == "exchange")] | length == 2 and
     (map(.src_port) | unique | length == 1) and
     (map(.flow_id) | unique | length == 2)'
jqcheck "... each violation names its own connection" \
    '([.[] | select(.event_type == "exchange")][0].flow_id) as $first |
     [.[] | select(.event_type == "violation") | .flow_id == $first] | all'
run -j "$S/keepalive-pipeline.pcap" "$S/keepalive-pipeline.pcap" \
    "$S/node-processing.pcap" "$S/crafted-handshake-timeout.pcap"
jqcheck "several files, one twice: no flow_id shared by two connections" \
    '[.[] | select(.flow_id != null) | "\(.flow_id) \(.src_port) \(.dest_port)"]
     | unique | map(split(" ")[0]) | (length == (unique | length)) and
     length == 6'
run -j "$S/keepalive-pipeline.pcap"
cp "$TMP/out" "$TMP/first"
run -j "$S/keepalive-pipeline.pcap"
name="the same file gives the same ids"
check cmp -s "$TMP/first" "$TMP/out"

# --- a client that gives up; a target too long to keep ---
"$HOSTILE_GEN" gives-up >"$TMP/gives-up.pcap"
run -j "$TMP/gives-up.pcap"
jqcheck "client closed at +6 s, server answered at +105 s: final" \
    "$SECS"'[.[] | select(.event_type == "exchange")][0] |
     .end == "final" and .final.status == 200 and
     ((.client_closed_timestamp | secs) - (.timestamp | secs) | . > 5.9 and
      . < 6.1)'
jqcheck "a 300-byte target: cut, target_truncated" \
    '[.[] | select(.event_type == "exchange")][0].http |
     .target_truncated == true and (.target | length) == 255 and
     .user_agent == "curl/8.5.0"'
jqcheck "client closed at +6.5 s, server closed at 110 s: client_closed" \
    '[.[] | select(.event_type == "exchange")][1] | .end == "client_closed"
     and .final == null and .request_body_len == 5 and
     .http.user_agent == null and .end_timestamp > .client_closed_timestamp'

# --- every object: no name twice, the same names mean the same types ---
for f in node-processing rule-response-timeout crafted-malformed-request \
    raw-102-then-close; do
    run -j "$S/$f.pcap"
    dups=$(jq -c --stream 'select(length == 2) | .[0]' "$TMP/out" |
        awk '/^\["timestamp"\]$/ { n++ } { print n " " $0 }' | sort | uniq -d)
    name="$f: no name twice in one object"
    check test -z "$dups"
done
jqcheck "timestamp is a string, status a number, wherever they are" \
    --arg iso "$ISO" '[.. | objects | (select(has("timestamp")) |
     .timestamp | type == "string" and test($iso)), (select(has("status")) |
     .status | type == "number")] | all'

finish
