#!/bin/sh
# write-violations.sh: --write-violations holds exactly the packets of the
# connections with a violation, both directions, and no others: checked
# against tshark's conversations (-z conv,tcp) of the file written and
# tcpdump's count of each connection's packets in the inputs. Then tuple
# reuse, spoofed SYNs, fragments, standard input (the buffered way), the
# errors, and live capture on lo (root only). Needs tshark and tcpdump
# (install-deps.sh); skipped, exit 77, without them.
. "$(dirname "$0")/lib.sh"
: "${HOSTILE_GEN:=$SRCDIR/tests/hostile-gen}"
S=$SAMPLES
V=$TMP/v.pcap

for tool in tshark tcpdump editcap mergecap; do
    if ! command -v "$tool" >/dev/null; then
        echo "write-violations.sh: skipped: no $tool (install-deps.sh)"
        exit 77
    fi
done

check() {   # check NAME CONDITION...
    name=$1
    shift
    if "$@"; then ok; else not_ok "$name"; fi
}
summary_num() {     # summary_num FIELD: a number of the JSON summary
    grep '"event_type":"summary"' "$TMP/out" |
        sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}
# a connection as one line: its two ends "address port", the lower first
canon() { printf '%s %s\n%s %s\n' "$1" "$2" "$3" "$4" | sort | paste -d' ' - -; }

# the connections of the violations in $TMP/out, one a line
violating() {
    grep '"event_type":"violation"' "$TMP/out" |
        sed 's/.*"src_ip":"\([^"]*\)","src_port":\([0-9]*\),"dest_ip":"\([^"]*\)","dest_port":\([0-9]*\).*/\1 \2 \3 \4/' |
        while read -r a pa b pb; do canon "$a" "$pa" "$b" "$pb"; done | sort -u
}
# tshark's TCP conversations in FILE: "a pa b pb frames", one a line
conversations() {
    tshark -r "$1" -q -z conv,tcp 2>/dev/null | grep ' <-> ' |
        while read -r x _ y _ _ _ _ _ _ frames _; do
            canon "${x%:*}" "${x##*:}" "${y%:*}" "${y##*:}" |
                sed "s/\$/ $frames/"
        done | sort
}
# tcpdump's count of a connection's packets in the FILEs
packets_of() {  # packets_of A PA B PB FILE...
    a=$1 pa=$2 b=$3 pb=$4
    shift 4
    n=0
    for f in "$@"; do
        k=$(tcpdump -nr "$f" "host $a and host $b and tcp port $pa and tcp port $pb" 2>/dev/null | wc -l)
        n=$((n + k))
    done
    echo "$n"
}
count() { tcpdump -nr "$1" 2>/dev/null | wc -l; }

# exact NAME OPTIONS -- FILE...: interim -j OPTIONS --write-violations $V
# FILE...; the conversations in $V are the connections of the violations,
# each with as many packets as tcpdump counts for it in the FILEs, and the
# summary counts them.
exact() {
    name=$1
    shift
    opts=
    while [ "$1" != "--" ]; do opts="$opts $1"; shift; done
    shift
    # shellcheck disable=SC2086
    run -j $opts --write-violations "$V" "$@"
    violating >"$TMP/want"
    conversations "$V" >"$TMP/got"
    if [ -s "$TMP/want" ] && [ "$(cut -d' ' -f1-4 "$TMP/got")" = "$(cat "$TMP/want")" ]; then
        ok
    else
        not_ok "$name: connections written: $(cat "$TMP/got"); with a violation: $(cat "$TMP/want")"
    fi
    total=0
    while read -r a pa b pb frames; do
        n=$(packets_of "$a" "$pa" "$b" "$pb" "$@")
        total=$((total + n))
        check "$name: $a $pa $b $pb: $frames packets written, $n in the input" \
            test "$frames" -eq "$n"
    done <"$TMP/got"
    check "$name: tcpdump reads $total packets" test "$(count "$V")" -eq "$total"
    check "$name: summary: evidence_packets $total" \
        test "$(summary_num evidence_packets)" = "$total"
    check "$name: summary: evidence_flows" \
        test "$(summary_num evidence_flows)" = "$(wc -l <"$TMP/want" | tr -d ' ')"
    check "$name: summary: nothing cut or untracked" \
        test "$(summary_num evidence_cut_packets)$(summary_num evidence_untracked)" = 00
}

# 1. Several captures at once, most connections clean: IPv4 and IPv6 on
# loopback, handshake timeouts (SYNs never answered, next to connections
# that were), one link type.
set -- "$S/keepalive-pipeline.pcap" "$S/curl-expect-100.pcap" \
    "$S/node-processing.pcap" "$S/ipv6-loopback.pcap" \
    "$S/rule-processing-silence.pcap" "$S/rule-continue-slow.pcap" \
    "$S/raw-1xx-with-body.pcap" "$S/rule-interim-unsolicited.pcap" \
    "$S/raw-101-no-upgrade.pcap" "$S/ipv6-http10-100-102.pcap" \
    "$S/crafted-handshake-timeout.pcap" \
    "$S/crafted-handshake-timeout-ipv6.pcap" "$S/crafted-request-unacked.pcap"
exact "samples" -- "$@"
check "samples: some connections were clean" \
    test "$(summary_num flows)" -gt "$(summary_num evidence_flows)"
check "samples: the input's link type" \
    sh -c "tcpdump -r '$V' 2>&1 >/dev/null | grep -q 'link-type EN10MB'"
cp "$V" "$TMP/files.pcap"
# the same from standard input, buffered: the same packets (a connection
# at a time, as its first violation fires)
for f in "$@"; do
    run -j --write-violations "$TMP/file.pcap" "$f"
    run -j --write-violations "$TMP/stdin.pcap" - <"$f"
    check "$(basename "$f") from standard input: the same file" \
        cmp -s "$TMP/file.pcap" "$TMP/stdin.pcap"
done

# 2. Link types mixed (Ethernet, raw IP, BSD loopback, Linux cooked v1 and
# v2): written from the IP header, as LINKTYPE_RAW. A 102 followed by the
# final 0.3 s later is a silence with --processing-timeout 0.2.
exact "mixed link types" --processing-timeout 0.2 -- \
    "$S/crafted-raw-ip.pcap" "$S/crafted-null-loop.pcap" \
    "$S/any-interface-sll.pcap" "$S/any-interface.pcap" \
    "$S/crafted-raw-ipv6.pcap" "$S/keepalive-pipeline.pcap"
check "mixed link types: written as raw IP" \
    sh -c "tcpdump -r '$V' 2>&1 >/dev/null | grep -q 'link-type RAW'"

# 3. IPv6 extension headers (hop-by-hop, routing, destination options,
# AH), seen through to the ports; a packet to 240.0.0.1 is not taken for
# a mapped IPv6 address. tcpdump's filters do not look past extension
# headers: tshark counts the inputs instead.
run -j --processing-timeout 0.2 --write-violations "$V" "$S/crafted-ipv6-extensions.pcap"
conversations "$S/crafted-ipv6-extensions.pcap" | grep -e ' 40050 ' -e ' 40051 ' >"$TMP/want"
conversations "$V" >"$TMP/got"
check "IPv6 extension headers: the SYNs and the connection, all of them" \
    cmp -s "$TMP/want" "$TMP/got"

# 4. A 4-tuple reused: only the connection that broke a rule is written.
G=$TMP/gen
mkdir -p "$G"
"$HOSTILE_GEN" reuse 3700 >"$G/reuse.pcap"  # 7 packets, 12 on the same tuple
tcpdump -nr "$G/reuse.pcap" 2>/dev/null | head -7 >"$TMP/first"
for opts in "--idle-timeout 4000" ""; do
    for input in file stdin; do
        if [ "$input" = file ]; then
            run -j $opts --write-violations "$V" "$G/reuse.pcap"
        else
            run -j $opts --write-violations "$V" - <"$G/reuse.pcap"
        fi
        tcpdump -nr "$V" 2>/dev/null >"$TMP/got"
        check "reuse ($input${opts:+, $opts}): the first connection, which broke rules" \
            cmp -s "$TMP/first" "$TMP/got"
    done
done
# only the second breaks a rule: the first's request and 102 taken out
editcap "$G/reuse.pcap" "$G/reuse-second.pcap" 4-7 2>/dev/null
tcpdump -nr "$G/reuse-second.pcap" 2>/dev/null | tail -n +4 >"$TMP/second"
for opts in "--idle-timeout 4000" ""; do
    run -j --processing-timeout 0.2 $opts --write-violations "$V" "$G/reuse-second.pcap"
    tcpdump -nr "$V" 2>/dev/null >"$TMP/got"
    check "reuse${opts:+ ($opts)}: only the second connection, which broke a rule" \
        cmp -s "$TMP/second" "$TMP/got"
done
# the tuple's next SYN is never answered (handshake-timeout): that SYN
# alone, not the connection before it (never closed: its FIN is lost)
editcap "$G/reuse.pcap" "$G/syn.pcap" 4-7 9-19 2>/dev/null
"$HOSTILE_GEN" bad-doff | editcap -t 3730 - "$G/later.pcap" 2>/dev/null
mergecap -w "$G/reuse-syn.pcap" "$G/syn.pcap" "$G/later.pcap"
tcpdump -nr "$G/syn.pcap" 2>/dev/null | tail -1 >"$TMP/syn"
for opts in "--idle-timeout 4000" ""; do
    run -j $opts --write-violations "$V" "$G/reuse-syn.pcap"
    tcpdump -nr "$V" 2>/dev/null >"$TMP/got"
    check "reuse, then a SYN never answered${opts:+ ($opts)}: that SYN" \
        sh -c "grep -q '\"handshake-timeout\":1' '$TMP/out' && cmp -s '$TMP/syn' '$TMP/got'"
done

# a connection closed (FIN both ways, no request), then on its tuple one
# whose SYN-ACK the capture lacks, whose 102 goes unanswered: that one
editcap -r "$G/reuse.pcap" "$G/a.pcap" 8-10 17-19 2>/dev/null
editcap -t -3700 "$G/a.pcap" "$G/closed.pcap" 2>/dev/null
editcap -r "$G/reuse.pcap" "$G/b.pcap" 1 3-7 2>/dev/null
editcap -t 10 "$G/b.pcap" "$G/next.pcap" 2>/dev/null
"$HOSTILE_GEN" bad-doff | editcap -t 200 - "$G/later.pcap" 2>/dev/null
mergecap -w "$G/closed-next.pcap" "$G/closed.pcap" "$G/next.pcap" "$G/later.pcap"
run -j --write-violations "$V" "$G/closed-next.pcap"
tcpdump -nr "$G/next.pcap" 2>/dev/null >"$TMP/want"
tcpdump -nr "$V" 2>/dev/null >"$TMP/got"
check "after a closed connection: the next on its tuple alone" \
    sh -c "grep -q '\"event_type\":\"violation\"' '$TMP/out' && cmp -s '$TMP/want' '$TMP/got'"

# 5. SYNs with other ISNs on an open connection, never accepted, are its
# packets; a spoofed SYN before the client's own is not.
"$HOSTILE_GEN" spoofed-syn >"$G/spoofed-syn.pcap"
run -j --processing-timeout 0.2 --write-violations "$V" "$G/spoofed-syn.pcap"
check "spoofed SYNs inside: every packet of the tuple" \
    test "$(count "$V")" -eq "$(count "$G/spoofed-syn.pcap")"
"$HOSTILE_GEN" spoofed-first >"$G/spoofed-first.pcap"
run -j --processing-timeout 0.2 --write-violations "$V" "$G/spoofed-first.pcap"
tcpdump -nr "$G/spoofed-first.pcap" 2>/dev/null | grep -v 'seq 424242,' >"$TMP/want"
tcpdump -nr "$V" 2>/dev/null >"$TMP/got"
check "a spoofed SYN first: the accepted connection without it" \
    cmp -s "$TMP/want" "$TMP/got"

# RSTs and a FIN the hosts ignore, then a 102 and silence: the connection
# goes on (its bytes say so), and is still followed when the silence ends
# (and past the 10 s a closed connection is kept: other packets at 50 s)
"$HOSTILE_GEN" ignored-ends | editcap -r - "$G/ignored.pcap" 1-12 2>/dev/null
"$HOSTILE_GEN" bad-doff | editcap -t 50 - "$G/between.pcap" 2>/dev/null
mergecap -w "$G/ignored-silent.pcap" "$G/ignored.pcap" "$G/between.pcap" \
    "$G/later.pcap"
run -j --write-violations "$V" "$G/ignored-silent.pcap"
check "ignored RSTs, then a silence: the connection whole" \
    sh -c "grep -q '\"processing-silence\":1' '$TMP/out' && [ \"\$(tcpdump -nr '$V' 2>/dev/null | wc -l)\" -eq 12 ]"

# 6. A request in two IPv4 fragments: the second, without a TCP header,
# goes with the first (the malformed fragments before do not).
"$HOSTILE_GEN" short-fragment >"$G/fragment.pcap"
run -j --processing-timeout 0.2 --write-violations "$V" "$G/fragment.pcap"
check "fragmented request: its later fragment written" \
    test "$(tcpdump -nr "$V" 2>/dev/null | grep -c 'ip-proto-6$')" -eq 1
check "fragmented request: the connection whole" \
    test "$(count "$V")" -eq $(($(count "$G/fragment.pcap") - 2))

# 7. Standard input keeps --violation-buffer packets per connection until
# its violation: the rest of them is counted as cut. rule-processing-
# silence: 12 packets, 7 before the silence is over.
run -j --violation-buffer 2 --write-violations "$V" - <"$S/rule-processing-silence.pcap"
w=$(summary_num evidence_packets)
c=$(summary_num evidence_cut_packets)
check "--violation-buffer 2: written and cut make the connection ($w + $c)" \
    test "$((w + c))" -eq 12 -a "$c" -eq 5 -a "$(count "$V")" -eq "$w"
run --violation-buffer 2 --write-violations "$V" - <"$S/rule-processing-silence.pcap"
check "text report: the evidence line" \
    grep -q "^Evidence: 7 packets of 1 connection with a violation written (--write-violations); 5 cut" "$TMP/out"

# 8. Nothing broke a rule: an empty capture file, and counts of 0.
run -j --write-violations "$V" "$S/curl-expect-100.pcap"
check "no violation: an empty pcap" \
    sh -c "[ '$rc' -eq 0 ] && [ \"\$(tcpdump -nr '$V' 2>/dev/null | wc -l)\" -eq 0 ]"
check "no violation: evidence_packets 0" test "$(summary_num evidence_packets)" = 0
run -j "$S/curl-expect-100.pcap"
check "without --write-violations: no evidence counts" \
    sh -c "! grep -q evidence_ '$TMP/out'"

# 9. Errors: one line, exit 2, before any analysis.
run --write-violations - "$S/rule-response-timeout.pcap"
check "to '-': refused" sh -c "[ '$rc' -eq 2 ] && grep -q \"^interim: cannot write violations to '-'\" '$TMP/err'"
run --write-violations "$TMP/no/such/dir.pcap" "$S/rule-response-timeout.pcap"
check "into a missing directory: exit 2, one line" \
    sh -c "[ '$rc' -eq 2 ] && [ \"\$(wc -l <'$TMP/err')\" -eq 1 ] && grep -q \"^interim: cannot save to '$TMP/no/such/dir.pcap': No such file or directory\$\" '$TMP/err'"
cp "$S/rule-response-timeout.pcap" "$TMP/in.pcap"
run --write-violations "$TMP/in.pcap" "$TMP/in.pcap"
check "over an input: refused, the input kept" \
    sh -c "[ '$rc' -eq 2 ] && cmp -s '$S/rule-response-timeout.pcap' '$TMP/in.pcap' && grep -q \"it is the input\$\" '$TMP/err'"
run --write-violations /dev/full "$S/rule-response-timeout.pcap"
check "to a full disk: exit 2, the report, and one error line" \
    sh -c "[ '$rc' -eq 2 ] && grep -q '^Violations: 1' '$TMP/out' && [ \"\$(cat '$TMP/err')\" = \"interim: cannot write '/dev/full': No space left on device\" ]"
run -w "$TMP/same.pcap" --write-violations "$TMP/same.pcap" "$S/rule-response-timeout.pcap"
check "the -w file: refused" \
    sh -c "[ '$rc' -eq 2 ] && grep -q \"^interim: cannot save to '$TMP/same.pcap': it is the -w file\$\" '$TMP/err'"
run --violation-buffer 8 "$S/rule-response-timeout.pcap"
check "--violation-buffer alone: exit 2" test "$rc" -eq 2
run --violation-buffer 0 --write-violations "$V" "$S/rule-response-timeout.pcap"
check "--violation-buffer 0: exit 2" test "$rc" -eq 2

# 10. Live on lo (root): a server that sends 102 and then nothing for 4 s,
# --processing-timeout 2, beside a connection answered at once. The file
# holds the silent connection's packets, as many as -w saw of it.
live() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "write-violations.sh: live part skipped: not root"
        return
    fi
    port=$(python3 -c 'import socket, random
for p in random.sample(range(23000, 24000), 1000):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass')
    cat >"$TMP/server.py" <<'PY'
import socket, sys, threading, time
port = int(sys.argv[1])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", port))
srv.listen(4)
def serve(c):
    req = c.recv(4096)
    if b"/slow" in req:
        c.sendall(b"HTTP/1.1 102 Processing\r\n\r\n")
        time.sleep(4)
    else:
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
        time.sleep(0.2)
    c.close()
def accept():
    while True:
        c, _ = srv.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
threading.Thread(target=accept, daemon=True).start()
for path in ("/fast", "/slow"):
    c = socket.create_connection(("127.0.0.1", port))
    c.sendall(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    while c.recv(4096):
        pass
    c.close()
PY
    "$INTERIM" -i lo -j -f "tcp port $port" --processing-timeout 2 \
        --write-violations "$V" -w "$TMP/all.pcap" >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    sleep 1
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "write-violations.sh: live part skipped: cannot capture on lo: $(cat "$TMP/err")"
        return
    fi
    timeout 20 python3 "$TMP/server.py" "$port"
    sleep 0.5
    kill -INT "$pid"
    wait "$pid"
    violating >"$TMP/want"
    conversations "$V" >"$TMP/got"
    check "live: the silent connection only" \
        sh -c "[ \"\$(cut -d' ' -f1-4 '$TMP/got')\" = \"\$(cat '$TMP/want')\" ] && [ \"\$(wc -l <'$TMP/got')\" -eq 1 ] && grep -q '\"processing-silence\"' '$TMP/out'"
    read -r a pa b pb frames <"$TMP/got"
    n=$(packets_of "$a" "$pa" "$b" "$pb" "$TMP/all.pcap")
    check "live: $frames packets written, $n of the connection captured" \
        test "${frames:-0}" -eq "$n" -a "$n" -gt 6
}
live

finish
