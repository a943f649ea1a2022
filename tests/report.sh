#!/bin/sh
# report.sh: the text report's header, server table and slowest list:
# the date and zone once, 20 servers shown and the rest counted, no more
# than SERVERS_MAX followed, 100 columns, the same order whatever the ties,
# --top N. (The goldens show the rest: crafted-servers.txt.)
. "$(dirname "$0")/lib.sh"
: "${HOSTILE_GEN:=$SRCDIR/tests/hostile-gen}"
SERVERS=$SAMPLES/crafted-servers.pcap

check() {
    if eval "$2"; then ok; else not_ok "$1"; fi
}

# section NAME: the lines of the report section that begins with NAME
section() {
    sed -n "/^$1/,/^\$/p" "$TMP/out"
}

run "$SERVERS"
check "header: the date, the date again past midnight, the zone" \
    'grep -q "^Read 1 file: 62 packets, 4.8 KB, 2025-12-31 23:59:56.000 to 2026-01-01 00:00:04.200 UTC (8.200 s)$" "$TMP/out"'
check "a capture over midnight dates its example lines" \
    'grep -q "^    2025-12-31 23:59:56.202  192.0.2.10:40081" "$TMP/out"'
check "server table within 100 columns" \
    '[ "$(section Servers | awk "length > 100" | wc -l)" -eq 0 ]'
check "servers by exchanges, then address" \
    '[ "$(section Servers | grep -o "^  [][0-9a-f:.]*:[0-9]* " | tr -d " " | tr "\n" " ")" = "198.51.100.20:80 198.51.100.20:8080 [2001:db8::20]:80 " ]'
check "the most common Host" \
    'section Servers | grep -q "^  198.51.100.20:80  *origin.example  *5 "'
check "an HTTP/2 answer is named" \
    'grep -q "the server answered in HTTP/2 (connection preface / SETTINGS frame) to an HTTP/1.1 request" "$TMP/out"'
check "a target longer than the copy kept ends in ..." \
    'grep -q "GET /search?q=x*\.\.\. HTTP/1.1$" "$TMP/out"'

run "$SAMPLES/crafted-client-gave-up.pcap"
check "a 524 says the client closed its side at 6 s, then the capture ended" \
    'grep -q "^    524  response-timeout    00:01:40.001  192.0.2.10:40090 -> 198.51.100.20:8080  GET /stuck HTTP/1.1  then: no final response: the client closed its side at +5.999s, then the capture ended at +110.003s$" "$TMP/out"'
check "a reset by the client is named" \
    'grep -q "GET /reset HTTP/1.1  (the client reset the connection at +7.999s)$" "$TMP/out"'
check "the wait ranks a request the client left open until its end" \
    'section Slowest | grep -q "^  110.0 s  00:00:00.001  192.0.2.10:40090 "'
run -v "$SAMPLES/node-processing.pcap"
check "-v: when the response ended, and its body" \
    'grep -q "^      +0.308s  200 OK  (ended +0.308s, body 15 bytes)$" "$TMP/out"'

TZ='AAA-1BBB-2,M1.1.4/1,M10.5.0' run -q "$SERVERS"
check "the zone of each end when it changed (summer time)" \
    'grep -q "^Read 1 file: 62 packets, 4.8 KB, 2026-01-01 00:59:56.000 AAA to 02:00:04.200 BBB (8.200 s)$" "$TMP/out"'
check "-q: no server table, no slowest list" \
    '! grep -q "^Servers\|^Slowest" "$TMP/out"'

run --top 3 "$SERVERS"
check "--top 3: three, slowest first" \
    '[ "$(section Slowest | grep -o "^ *[0-9.]* s " | tr -d " s" | tr "\n" " ")" = "6.000 2.500 1.200 " ]'
run --top 0 "$SERVERS"
check "--top 0 is refused" \
    '[ "$rc" -eq 2 ] && grep -q "^interim: invalid --top .0.$" "$TMP/err"'

"$HOSTILE_GEN" servers 25 >"$TMP/s25.pcap"
run "$TMP/s25.pcap"
check "25 servers: 20 rows, then the other 5 counted" \
    '[ "$(section Servers | grep -c "^  198")" -eq 20 ] &&
     section Servers | grep -q "^  \.\.\. and 5 more servers: 5 exchanges, 0 violations$"'
# servers 8002, 8005, ... answer 3 requests each: equal, they go by port
check "equal servers in port order" \
    '[ "$(section Servers | sed -n 3,5p | cut -c3-21 | tr -d " " | tr "\n" " ")" = "198.51.100.20:8002 198.51.100.20:8005 198.51.100.20:8008 " ]'
check "25 servers: the slowest answered after 24 ms, then the two after 23" \
    '[ "$(section Slowest | grep -o "^ *[0-9.]* s .*:20[0-9]* " | awk "{print \$1, \$4}" | head -3 | tr "\n" " ")" = "0.024 192.0.2.10:20024 0.023 192.0.2.10:20023 0.023 192.0.2.10:20023 " ]'

"$HOSTILE_GEN" servers 300 >"$TMP/s300.pcap"
run "$TMP/s300.pcap"
# servers 256 to 299 are past the 256 followed: 1 + i % 3 exchanges each
want=0 i=256
while [ $i -lt 300 ]; do want=$((want + 1 + i % 3)); i=$((i + 1)); done
check "past 256 servers, the rest counted together" \
    'grep -q "^Servers: 256 and more," "$TMP/out" &&
     grep -q "^  \.\.\. and past the first 256 servers seen, not told apart: $want exchanges, 0 violations$" "$TMP/out"'
finish
