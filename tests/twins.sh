#!/bin/sh
# twins.sh: an IPv6 capture gives the same exchanges and violations as
# its IPv4 twin. The JSON lines of both are compared once the addresses,
# ports, flow ids and what differs by nature (bytes on the wire, the IPv6
# counters) are taken out.
. "$(dirname "$0")/lib.sh"

# normalise FILE: the JSON lines without what IPv4 and IPv6 cannot share
normalise() {
    sed -e 's/"flow_id":[0-9]*,//' \
        -e 's/"\(src\|dest\)_ip":"[^"]*"/"\1_ip":"X"/g' \
        -e 's/"\(src\|dest\)_port":[0-9]*/"\1_port":0/g' \
        -e 's/\[[0-9a-f:]*\]:[0-9]*/EP/g' \
        -e 's/[0-9]*\.[0-9]*\.[0-9]*\.[0-9]*:[0-9]*/EP/g' \
        -e 's/"bytes":[0-9]*,//' \
        -e 's/"ipv6_[a-z_]*":[0-9]*,//g' "$1"
}

# shape FILE: per line, the event, the statuses and the rules only (for
# twins recorded apart, whose targets, hosts and times differ)
shape() {
    sed -e 's/^.*"event_type":"\([a-z]*\)".*$/& \1:/' "$1" |
        while read -r line; do
            printf '%s' "${line##* }"
            printf '%s\n' "$line" | grep -o '"status":[0-9]*\|"rule":"[^"]*"\|"interim":{[^}]*}\|"rules":{[^}]*}' |
                tr '\n' ' '
            echo
        done
}

# twin V4 V6 [shape]
twin() {
    run -j "$SAMPLES/$1"; rc4=$rc; cp "$TMP/out" "$TMP/v4"
    run -j "$SAMPLES/$2"; rc6=$rc; cp "$TMP/out" "$TMP/v6"
    if [ "$3" = shape ]; then
        shape "$TMP/v4" >"$TMP/n4"; shape "$TMP/v6" >"$TMP/n6"
    else
        normalise "$TMP/v4" >"$TMP/n4"; normalise "$TMP/v6" >"$TMP/n6"
    fi
    if ! grep -q '"event_type":"exchange"' "$TMP/v6"; then
        not_ok "$2: no exchange at all"
    elif [ "$rc4" != "$rc6" ]; then
        not_ok "$2: exit $rc6, its IPv4 twin $1 exit $rc4"
    elif diff -u "$TMP/n4" "$TMP/n6" >"$TMP/diff"; then
        ok
    else
        not_ok "$2 differs from its IPv4 twin $1"
        head -20 "$TMP/diff"
    fi
}

# the same packets over IPv4 and IPv6 (samples/craft.py)
twin crafted-raw-ip.pcap crafted-raw-ipv6.pcap
twin crafted-handshake-timeout.pcap crafted-handshake-timeout-ipv6.pcap
# recorded apart (samples/record.sh): GET /slow and GET /v6, both a 102
# and then a 200
twin node-processing.pcap ipv6-loopback.pcap shape
# the IPv6 address must reach every output, and flow_id must differ from
# the IPv4 twin's
run -j "$SAMPLES/crafted-raw-ipv6.pcap"
if grep -q '"src_ip":"2001:db8::10".*"dest_ip":"2001:db8::20"' "$TMP/out"; then
    ok
else
    not_ok "crafted-raw-ipv6.pcap: the JSON lacks the IPv6 addresses"
fi
run -v "$SAMPLES/crafted-raw-ipv6.pcap"
if grep -q '\[2001:db8::10\]:40005 -> \[2001:db8::20\]:80' "$TMP/out"; then
    ok
else
    not_ok "crafted-raw-ipv6.pcap: the report lacks the IPv6 addresses"
fi
finish
