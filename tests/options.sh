#!/bin/sh
# options.sh: the command line as a user types it, and the man page kept in
# step with --help.
. "$(dirname "$0")/lib.sh"
MAN=$SRCDIR/man/interim.1
S=$SAMPLES

check() {   # check NAME CONDITION...: CONDITION is a command
    name=$1
    shift
    if "$@"; then ok; else not_ok "$name"; fi
}
json_count() { grep -c "\"event_type\":\"$1\"" "$TMP/out"; }
summary_has() { grep '"event_type":"summary"' "$TMP/out" | grep -q "$1"; }

# every option in --help is documented in the man page
sed 's/\\-/-/g; s/\\f[BIRP]//g' "$MAN" >"$TMP/man.txt"
run --help
check "--help exits 0" test "$rc" -eq 0
for opt in $(grep -o -- '--[a-z][a-z-]*' "$TMP/out" | sort -u) \
    $(grep -o -- '^  -[A-Za-z]' "$TMP/out" | tr -d ' '); do
    if grep -q -- "^\.[BI]*[ ]*$opt\b\|[ ,]$opt\b" "$TMP/man.txt"; then ok
    else not_ok "man page lacks $opt"; fi
done

run
check "no arguments: usage on stderr, exit 2" test "$rc" -eq 2 -a ! -s "$TMP/out"
check "no arguments: usage text" grep -q '^usage: interim' "$TMP/err"
run --no-such-option
check "unknown option: exit 2" test "$rc" -eq 2
# a bad option is one line naming it, not argv[0]'s path and the usage
one_line() {    # one_line LINE ARGS...: exit 2, stderr is LINE, stdout empty
    want=$1
    shift
    run "$@"
    if [ "$rc" -eq 2 ] && [ "$(cat "$TMP/err")" = "$want" ] && [ ! -s "$TMP/out" ]; then ok
    else not_ok "interim $*: rc=$rc, stderr: $(cat "$TMP/err")"; fi
}
one_line "interim: unrecognized option '--bogus' (see interim --help)" --bogus "$S/curl-expect-100.pcap"
one_line "interim: unrecognized option '--bogus' (see interim --help)" "$S/curl-expect-100.pcap" --bogus=1
one_line "interim: unrecognized option '-X' (see interim --help)" -qX "$S/curl-expect-100.pcap"
one_line "interim: option '--read' requires an argument (see interim --help)" --read
one_line "interim: option '--read' requires an argument (see interim --help)" --rea
one_line "interim: option '-r' requires an argument (see interim --help)" -qr
one_line "interim: option '--junit' requires an argument (see interim --help)" "$S/curl-expect-100.pcap" --junit
one_line "interim: option '--help' doesn't allow an argument (see interim --help)" --help=yes
one_line "interim: ambiguous option '--max' (see interim --help)" --max 5 "$S/curl-expect-100.pcap"
run -V
check "-V prints the version" grep -q '^interim [0-9]' "$TMP/out"
run -c 0 "$S/curl-expect-100.pcap"
check "-c 0 is a usage error" test "$rc" -eq 2
run -i lo "$S/curl-expect-100.pcap"
check "files and -i together: exit 2" test "$rc" -eq 2
run --ports 70000 "$S/curl-expect-100.pcap"
check "bad --ports: exit 2" test "$rc" -eq 2
run --ports '' "$S/curl-expect-100.pcap"
check "empty --ports: exit 2" test "$rc" -eq 2
run -s 0 "$S/curl-expect-100.pcap"
check "-s 0 is accepted, as in tcpdump" test "$rc" -eq 0

# -c stops after COUNT packets
run -j -c 5 "$S/curl-expect-100.pcap"
check "-c 5 reads 5 packets" summary_has '"packets":5,'

# -f applies a BPF filter; a bad one is an input error
run -j -f 'tcp port 1' "$S/curl-expect-100.pcap"
check "-f filter that matches nothing" summary_has '"packets":0,'
run -f 'tcp port' "$S/curl-expect-100.pcap"
check "bad filter: exit 2" test "$rc" -eq 2
check "bad filter: named" grep -q "^interim: bad filter 'tcp port'" "$TMP/err"

# -r is the same as a FILE argument; - is standard input
run -j -r "$S/node-processing.pcap"
cp "$TMP/out" "$TMP/by-r"
run -j - <"$S/node-processing.pcap"
check "-r FILE and - give the same output" cmp -s "$TMP/out" "$TMP/by-r"

# several files are one run
run -j "$S/curl-expect-100.pcap" -r "$S/node-processing.pcap" "$S/node-websocket.pcap"
check "three files: three exchanges" test "$(json_count exchange)" -eq 3
check "three files: counted" summary_has '"files":3,'

# a timeline over several days names them
run "$S/crafted-raw-ip.pcap" "$S/node-processing.pcap"
check "report header: dates when the input spans days" \
    grep -q '^Read 2 files: .*, 2026-01-01 00:00:00.000 to 2026-11-24 [0-9:.]* UTC ([0-9.]* days)$' "$TMP/out"

# --ports restricts where HTTP is looked for
run -j --ports 80,18080 "$S/curl-expect-100.pcap" "$S/node-processing.pcap"
check "--ports keeps port 18080 only" test "$(json_count exchange)" -eq 1

# -q keeps the report short
run -q "$S/node-processing.pcap"
check "-q omits the 1xx table" test "$(grep -c '1xx responses' "$TMP/out")" -eq 0

# -Z drops privileges after opening the capture (needs root)
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
    run -Z nobody "$S/node-processing.pcap"
    check "-Z nobody" test "$rc" -eq 0
    run -Z no-such-user-here "$S/node-processing.pcap"
    check "-Z unknown user: exit 2" test "$rc" -eq 2
fi

# libnids' port-scan detection is off: 30 refused SYNs are no warning
run -j "$SRCDIR/tests/port-scan.pcap"
check "port-scan detection off" summary_has '"reassembly_warnings":0,'
check "refused SYNs are no handshake-timeout" test "$rc" -eq 0

# JSON: one object per line, summary last
run -j "$S/keepalive-pipeline.pcap"
check "JSON: summary is the last line" sh -c "tail -n 1 '$TMP/out' | grep -q summary"
check "JSON: four pipelined exchanges" test "$(json_count exchange)" -eq 4

finish
