#!/bin/sh
# live.sh: live capture on loopback (needs root and "lo"; skipped, exit 77,
# otherwise). SIGHUP ends a capture with its report, like SIGINT; a reader
# gone with SIGPIPE ignored ends it promptly with exit 2.
. "$(dirname "$0")/lib.sh"
# a port free now, so that suites run side by side do not collide
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

if [ "$(id -u)" -ne 0 ]; then
    echo "live.sh: skipped: not root"
    exit 77
fi
"$INTERIM" -i lo -f "tcp port $PORT" -q >"$TMP/out" 2>"$TMP/err" &
pid=$!
sleep 0.5
if ! kill -0 "$pid" 2>/dev/null; then
    echo "live.sh: skipped: cannot capture on lo: $(cat "$TMP/err")"
    exit 77
fi
kill -TERM "$pid"
wait "$pid"

# traffic SECONDS: HTTP exchanges on 127.0.0.1:$PORT every 0.1 s for at
# most SECONDS, until $TMP/stop exists
cat >"$TMP/traffic.py" <<'PY'
import http.server, os, sys, threading, time, urllib.request
port, secs, stop = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
srv = http.server.HTTPServer(("127.0.0.1", port), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
end = time.time() + secs
while time.time() < end and not os.path.exists(stop):
    urllib.request.urlopen("http://127.0.0.1:%d/x" % port).read()
    time.sleep(0.1)
PY
traffic() {
    rm -f "$TMP/stop"
    python3 "$TMP/traffic.py" "$PORT" "$1" "$TMP/stop"
}

# wait_gone PID SECONDS: wait up to SECONDS for PID to end; 0 if it did
wait_gone() {
    i=0
    while kill -0 "$1" 2>/dev/null; do
        [ "$i" -ge $(($2 * 10)) ] && return 1
        sleep 0.1
        i=$((i + 1))
    done
    return 0
}

# SIGHUP: the text report, exit 0 (clean traffic)
"$INTERIM" -i lo -f "tcp port $PORT" >"$TMP/out" 2>"$TMP/err" &
pid=$!
traffic 1.5
kill -HUP "$pid"
if wait_gone "$pid" 5; then
    wait "$pid"; rc=$?
    if [ "$rc" -eq 0 ] && grep -q "^Captured on 'lo': " "$TMP/out" &&
        grep -q "Exchanges: [1-9]" "$TMP/out"; then
        ok
    else
        not_ok "SIGHUP, text: rc=$rc, stdout: $(head -3 "$TMP/out"), stderr: $(cat "$TMP/err")"
    fi
    # as tcpdump: the banner first, the pcap_stats counts last
    if head -1 "$TMP/err" | grep -qx "interim: listening on lo, link-type EN10MB (Ethernet), snapshot length 262144 bytes"; then
        ok
    else
        not_ok "banner: $(head -1 "$TMP/err")"
    fi
    if tail -3 "$TMP/err" | sed -n 1p | grep -q '^[1-9][0-9]* packets captured$' &&
        tail -3 "$TMP/err" | sed -n 2p | grep -q '^[1-9][0-9]* packets received by filter$' &&
        tail -3 "$TMP/err" | sed -n 3p | grep -q '^[0-9][0-9]* packets\{0,1\} dropped by kernel$'; then
        ok
    else
        not_ok "drop counts at exit: $(tail -3 "$TMP/err")"
    fi
else
    kill -KILL "$pid"; wait "$pid"
    not_ok "SIGHUP, text: still running 5 s after SIGHUP"
fi

# SIGHUP with -j: the summary line last
"$INTERIM" -i lo -j -f "tcp port $PORT" >"$TMP/out" 2>"$TMP/err" &
pid=$!
traffic 1.5
kill -HUP "$pid"
if wait_gone "$pid" 5; then
    wait "$pid"; rc=$?
    if [ "$rc" -eq 0 ] && tail -1 "$TMP/out" | grep -q '"event_type":"summary"' &&
        grep -q '"event_type":"exchange"' "$TMP/out"; then
        ok
    else
        not_ok "SIGHUP, JSON: rc=$rc, stderr: $(cat "$TMP/err")"
    fi
else
    kill -KILL "$pid"; wait "$pid"
    not_ok "SIGHUP, JSON: still running 5 s after SIGHUP"
fi

# Started with SIGHUP ignored (nohup), it stays ignored; SIGTERM still ends it.
(trap '' HUP; exec "$INTERIM" -i lo -f "tcp port $PORT" >"$TMP/out" 2>"$TMP/err") &
pid=$!
sleep 0.5
kill -HUP "$pid"
sleep 0.5
if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    wait "$pid"; rc=$?
    if [ "$rc" -eq 0 ] && grep -q "^Captured on 'lo': " "$TMP/out"; then ok; else not_ok "nohup then SIGTERM: rc=$rc"; fi
else
    wait "$pid"
    not_ok "SIGHUP ignored on entry: interim ended on SIGHUP"
fi

# SIGPIPE ignored, a reader that takes one line and goes: the next line's
# flush fails, the capture stops, one error line on stderr (besides the
# banner and the counts), exit 2.
(trap '' PIPE
 { "$INTERIM" -i lo -j -f "tcp port $PORT" 2>"$TMP/err" & echo $! >"$TMP/pid"
   wait $!; echo $? >"$TMP/rc"; } | head -1 >"$TMP/out"; touch "$TMP/stop") &
sub=$!
start=$(date +%s)
traffic 10
end=$(date +%s)
if [ -s "$TMP/rc" ]; then
    wait "$sub"
    rc=$(cat "$TMP/rc")
    lines=$(grep -v -e '^interim: listening on ' -e ' packets\{0,1\} ' "$TMP/err" | wc -l)
    if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] &&
        grep -q '^interim: cannot write output: Broken pipe$' "$TMP/err" &&
        [ $((end - start)) -le 5 ]; then
        ok
    else
        not_ok "live into a closed pipe: rc=$rc after $((end - start)) s, stderr: $(cat "$TMP/err")"
    fi
else
    not_ok "live into a closed pipe, SIGPIPE ignored: still running after 10 s"
    kill -TERM "$(cat "$TMP/pid")"
    wait "$sub"
fi

# A server on 127.0.0.1:$PORT that answers one request, made by its own
# client thread, with 102 and then says nothing for SECONDS; prints the time
# it sent the 102. Bounded: it gives up after 10 s without a client.
cat >"$TMP/silent.py" <<'PY'
import socket, sys, threading, time
port, secs = int(sys.argv[1]), float(sys.argv[2])
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", port))
s.listen(1)
s.settimeout(10)
def client():
    k = socket.create_connection(("127.0.0.1", port), timeout=secs + 10)
    k.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    try:
        while k.recv(4096):
            pass
    except OSError:
        pass
threading.Thread(target=client, daemon=True).start()
c, _ = s.accept()
c.recv(4096)
c.sendall(b"HTTP/1.1 102 Processing\r\n\r\n")
print("%.6f" % time.time(), flush=True)
time.sleep(secs)
PY
# each line of standard input, with the time it arrived
cat >"$TMP/stamp.py" <<'PY'
import sys, time
for line in sys.stdin:
    print("%.6f %s" % (time.time(), line.rstrip("\n")), flush=True)
PY
# silent_exchange SECONDS: one GET to the silent server, the 102's time in
# $TMP/t102; returns once the exchange has been silent for SECONDS
silent_exchange() {
    timeout 30 python3 "$TMP/silent.py" "$PORT" "$1" >"$TMP/t102"
}

# Wall-clock deadlines: after a 102 the link is idle; processing-silence
# must be out within 2.5 s of the 102 with --processing-timeout 2.
rm -f "$TMP/pid"
{ "$INTERIM" -i lo -j -f "tcp port $PORT" --processing-timeout 2 2>"$TMP/err" &
  echo $! >"$TMP/pid"; wait $!; } | python3 "$TMP/stamp.py" >"$TMP/out" &
sub=$!
sleep 0.5
silent_exchange 3.5
kill -TERM "$(cat "$TMP/pid")"
wait "$sub"
t102=$(cat "$TMP/t102")
tv=$(grep -m1 '"rule":"processing-silence"' "$TMP/out" | cut -d' ' -f1)
if [ -n "$t102" ] && [ -n "$tv" ] &&
    python3 -c "import sys; d = $tv - $t102; sys.exit(not 2.0 <= d <= 2.5)"; then
    ok
else
    not_ok "idle link: processing-silence not within 2.5 s of the 102 (102 at ${t102:-?}, line at ${tv:-never})"
fi

# Text without a terminal streams: the violation is on the pipe while
# interim still runs.
{ "$INTERIM" -i lo -f "tcp port $PORT" --processing-timeout 1 2>"$TMP/err" &
  echo $! >"$TMP/pid"; wait $!; } | python3 "$TMP/stamp.py" >"$TMP/out" &
sub=$!
sleep 0.5
silent_exchange 2
if grep -q '^[0-9.]* error processing-silence: .*GET / HTTP/1.1$' "$TMP/out"; then
    ok
else
    not_ok "text streaming: no violation line before exit: $(head -3 "$TMP/out")"
fi
kill -TERM "$(cat "$TMP/pid")"
wait "$sub"

# -w saves what was captured, readable back; -l and -n are accepted
"$INTERIM" -i lo -l -n -f "tcp port $PORT" -w "$TMP/saved.pcap" >"$TMP/out" 2>"$TMP/err" &
pid=$!
traffic 1
kill -TERM "$pid"
wait "$pid"; rc=$?
captured=$(sed -n 's/^\([0-9]*\) packets captured$/\1/p' "$TMP/err")
if [ "$rc" -eq 0 ] && grep -q "Exchanges: [1-9]" "$TMP/out"; then ok; else not_ok "-l -n: rc=$rc, stderr: $(cat "$TMP/err")"; fi
if "$INTERIM" -q "$TMP/saved.pcap" >"$TMP/out2" 2>&1 &&
    grep -q "^Read 1 file: ${captured:-x} packets" "$TMP/out2" &&
    [ "${captured:-0}" -gt 0 ]; then
    ok
else
    not_ok "-w: $captured captured, read back: $(head -1 "$TMP/out2")"
fi

# -Z: the capture and the -w file are opened, then the user changes
if id nobody >/dev/null 2>&1; then
    "$INTERIM" -i lo -Z nobody -f "tcp port $PORT" -w "$TMP/z.pcap" >"$TMP/out" 2>"$TMP/err" &
    pid=$!
    traffic 1
    uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)
    kill -TERM "$pid"
    wait "$pid"; rc=$?
    if [ "$rc" -eq 0 ] && [ "$uid" = "$(id -u nobody)" ] &&
        "$INTERIM" -q "$TMP/z.pcap" >"$TMP/out2" 2>&1 &&
        grep -q "Exchanges: [1-9]" "$TMP/out2"; then
        ok
    else
        not_ok "-Z nobody -w: rc=$rc, uid=$uid, stderr: $(cat "$TMP/err")"
    fi
fi

# A missing interface, a bad filter: one line, exit 2
run -i no-such-if0 -f "tcp port $PORT"
if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
    grep -q "^interim: cannot capture on 'no-such-if0': No such device" "$TMP/err"; then
    ok
else
    not_ok "missing interface: rc=$rc, stderr: $(cat "$TMP/err")"
fi
run -i lo -f "tcp port"
if [ "$rc" -eq 2 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] &&
    grep -q "^interim: bad filter 'tcp port': " "$TMP/err"; then
    ok
else
    not_ok "bad filter: rc=$rc, stderr: $(cat "$TMP/err")"
fi

finish
