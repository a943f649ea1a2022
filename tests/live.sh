#!/bin/sh
# live.sh: live capture on loopback (needs root and "lo"; skipped, exit 77,
# otherwise). SIGHUP ends a capture with its report, like SIGINT; a reader
# gone with SIGPIPE ignored ends it promptly with exit 2.
. "$(dirname "$0")/lib.sh"
PORT=18555

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
# flush fails, the capture stops, one line on stderr, exit 2.
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
    lines=$(wc -l <"$TMP/err")
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

finish
