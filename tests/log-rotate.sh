#!/bin/sh
# log-rotate.sh: --log FILE appends the JSON lines (the same as -j) to FILE
# beside the report; SIGHUP reopens it by name, as logrotate expects, and
# no line is lost or split across the move; live, --junit has one suite.
# The live part needs root and "lo" (else the script says how the file
# part went and exits 77, skipped).
. "$(dirname "$0")/lib.sh"
S=$SAMPLES

check() {   # check NAME CONDITION...: CONDITION is a command
    name=$1
    shift
    if "$@"; then ok; else not_ok "$name"; fi
}
count() { grep -c "\"event_type\":\"$1\"" "$2"; }

# Files: the log holds what -j prints, and the report is still on stdout.
run -j "$S/node-continue.pcap" "$S/raw-102-then-close.pcap"
cp "$TMP/out" "$TMP/by-j"
run -q --log "$TMP/eve.json" "$S/node-continue.pcap" "$S/raw-102-then-close.pcap"
check "--log with the text report: exit 1 (a violation)" test "$rc" -eq 1
check "--log: the text report on stdout" grep -q '^Read 2 files: ' "$TMP/out"
check "--log: the lines of -j" cmp -s "$TMP/eve.json" "$TMP/by-j"
run -j --log "$TMP/eve.json" "$S/node-continue.pcap" "$S/raw-102-then-close.pcap"
check "--log appends: twice the lines" test "$(wc -l <"$TMP/eve.json")" -eq $((2 * $(wc -l <"$TMP/by-j")))
check "--log with -j: stdout as without" cmp -s "$TMP/out" "$TMP/by-j"
run --log "$TMP/no/such/dir/eve.json" "$S/node-continue.pcap"
check "--log into a missing directory: exit 2, one line" \
    test "$rc" -eq 2 -a "$(wc -l <"$TMP/err")" -eq 1 -a ! -s "$TMP/out"
check "--log error names the file" \
    grep -q "^interim: cannot open '$TMP/no/such/dir/eve.json': No such file or directory$" "$TMP/err"
if [ -w /dev/full ]; then
    run -q --log /dev/full "$S/node-continue.pcap"
    check "--log on a full disk: exit 2" test "$rc" -eq 2
    check "--log on a full disk: said" \
        grep -q "^interim: cannot write '/dev/full': No space left on device$" "$TMP/err"
fi
run --log - "$S/node-continue.pcap"
check "--log -: refused" test "$rc" -eq 2

# skip_live WHY: the file part's counts, then skipped (exit 77) unless it
# failed
skip_live() {
    echo "log-rotate.sh: live part skipped: $1"
    finish || exit 1
    exit 77
}
[ "$(id -u)" -eq 0 ] || skip_live "not root"
# a port free now in 22000-22999 (the range this suite's live tests use)
PORT=$(python3 -c '
import socket
for p in range(22000, 23000):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    print(p)
    break')

# traffic SECONDS: HTTP exchanges on 127.0.0.1:$PORT every 0.05 s for
# SECONDS; prints how many were made
cat >"$TMP/traffic.py" <<'PY'
import http.server, sys, threading, time, urllib.request
port, secs = int(sys.argv[1]), float(sys.argv[2])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
http.server.HTTPServer.allow_reuse_address = True
srv = http.server.HTTPServer(("127.0.0.1", port), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
n, end = 0, time.time() + secs
while time.time() < end:
    urllib.request.urlopen("http://127.0.0.1:%d/x" % port, timeout=5).read()
    n += 1
    time.sleep(0.05)
srv.shutdown()
print(n)
PY

LOG=$TMP/live.json
"$INTERIM" -i lo -f "tcp port $PORT" --no-tui -q --log "$LOG" --junit "$TMP/live.xml" \
    >"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 0.5
kill -0 "$pid" 2>/dev/null || skip_live "cannot capture on lo: $(cat "$TMP/err")"
n1=$(python3 "$TMP/traffic.py" "$PORT" 1.5)
sleep 0.3                       # the capture buffer's last batch
mv "$LOG" "$LOG.1"
kill -HUP "$pid"
i=0
while [ ! -e "$LOG" ] && [ "$i" -lt 30 ]; do sleep 0.1; i=$((i + 1)); done
check "SIGHUP: the log is made anew" test -e "$LOG"
check "SIGHUP with --log: still capturing" kill -0 "$pid"
n2=$(python3 "$TMP/traffic.py" "$PORT" 1.5)
sleep 0.3
kill -TERM "$pid"
wait "$pid"; rc=$?
total=$((n1 + n2))
old=$(count exchange "$LOG.1")
new=$(count exchange "$LOG")
check "live --log: exit 0" test "$rc" -eq 0
check "lines before the move stay in the moved file ($old)" test "$old" -gt 0
check "lines after go to the new file ($new)" test "$new" -gt 0
check "no exchange lost: $old + $new = $total" test $((old + new)) -eq "$total"
check "the summary goes to the new file, last" \
    sh -c "tail -n 1 '$LOG' | grep -q '\"event_type\":\"summary\".*\"exchanges\":$total,'"
check "the old file ends with a whole line" sh -c "tail -c 1 '$LOG.1' | od -c | grep -q '\\\\n'"
check "the text report on stdout counts them all" grep -q "Exchanges: $total," "$TMP/out"
# --junit live: one suite, named after the interface
if command -v xmllint >/dev/null 2>&1; then
    check "live --junit: valid" sh -c "xmllint --noout --schema '$SRCDIR/tests/junit.xsd' '$TMP/live.xml' 2>/dev/null"
    check "live --junit: one suite, for lo" \
        test "$(xmllint --xpath 'concat(count(//testsuite), " ", //testsuite/@name, " ", //testsuite/@failures)' "$TMP/live.xml")" = "1 lo 0"
fi

finish
