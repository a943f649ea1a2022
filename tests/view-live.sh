#!/bin/sh
# view-live.sh: the live view on loopback, in tmux, as a user runs it:
# `interim -i lo` on a terminal while an origin sends 102 Processing and
# then stays silent. The row says "after 102", the waiting time and the
# Cloudflare countdown move on while the link is idle, the code shows once
# the deadline passed, the violation is in the pane, Enter shows the 102 on
# the ladder, and q gives the terminal back to the report.
# Needs root, "lo" and tmux; skipped (exit 77) otherwise.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null 2>&1 || { echo "view-live.sh: no tmux, skipped"; exit 77; }
if [ "$(id -u)" -ne 0 ]; then
    echo "view-live.sh: skipped: not root"
    exit 77
fi
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

T="tmux -L interim-view-live-$$ -f /dev/null"
S=live
trap '$T kill-server 2>/dev/null; kill $origin 2>/dev/null; rm -rf "$TMP"' EXIT

screen() { $T capture-pane -p -t "$S" >"$TMP/screen"; }
# wait_for TEXT [TENTHS]: up to TENTHS/10 s (default 10 s) for TEXT
wait_for() {
    i=0
    while [ $i -lt "${2:-100}" ]; do
        screen
        grep -q -- "$1" "$TMP/screen" && return 0
        sleep 0.1
        i=$((i + 1))
    done
    return 1
}
expect() {
    if wait_for "$2" "${3:-100}"; then ok; else not_ok "$1"; cat "$TMP/screen"; fi
}
# the Cloudflare column of the flow's row: the row's last two fields
# before an optional violation count, e.g. "3s" or "522"
cf_of_row() {
    grep "after 102" "$TMP/screen" | head -n 1 | awk '{ for (i = NF; i > 0; i--) if ($i ~ /^[0-9]+s$/ || $i == "522") { print $i; exit } }'
}

# the origin: answers one request with 102, then nothing for 8 s, then 200
cat >"$TMP/origin.py" <<'PY'
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(1)
c, _ = s.accept()
c.recv(4096)
c.sendall(b"HTTP/1.1 102 Processing\r\n\r\n")
time.sleep(8)
c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
time.sleep(0.5)
c.close()
PY
cat >"$TMP/client.py" <<'PY'
import socket, sys
c = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
c.sendall(b"GET /report HTTP/1.1\r\nHost: origin.test\r\n\r\n")
while c.recv(4096):
    pass
PY
python3 "$TMP/origin.py" "$PORT" &
origin=$!

$T new-session -d -s "$S" -x 100 -y 30 \
    "TERM=screen NO_COLOR=1 TZ=UTC '$INTERIM' -i lo -f 'tcp port $PORT' \
    --processing-timeout 4; echo EXITED rc=\$?; sleep 60" ||
    { echo "view-live.sh: tmux failed, skipped"; exit 77; }
if ! wait_for "live on lo" 50; then
    screen
    if grep -q "EXITED" "$TMP/screen"; then
        echo "view-live.sh: skipped: cannot capture on lo"
        cat "$TMP/screen"
        exit 77
    fi
fi
expect "the view starts on a terminal, live" "interim  live on lo"
sleep 0.3
python3 "$TMP/client.py" "$PORT" &
client=$!

expect "the row says after 102" "after 102 .*GET /report"
expect "the request and its 1xx" "GET /report *102 [0-9]*s"
sleep 1.2
screen
first=$(cf_of_row)
sleep 1.2
screen
second=$(cf_of_row)
case "$first,$second" in
[0-9]*s,[0-9]*s)
    if [ "${second%s}" -lt "${first%s}" ]; then ok
    else not_ok "the countdown moves on while the link is idle ($first, then $second)"; cat "$TMP/screen"; fi ;;
*) not_ok "a Cloudflare countdown in seconds ($first, $second)"; cat "$TMP/screen" ;;
esac
expect "the waiting bar fills" "after 102 .*[0-9]s \[#"
cp "$TMP/screen" "$TMP/countdown"
# the deadline is 4 s after the 102; no packet comes until 8 s
expect "the code shows once passed" "after 102 .* 522 " 40
expect "the violation is in the pane" "error *processing-silence" 20
$T send-keys -t "$S" Enter
expect "Enter opens the timeline" "|<--102"
expect "the timeline has the request" "|---GET /report"
expect "the timeline says the deadline passed" "after 102 for [0-9.]*s, past its deadline: Cloudflare would answer 522"
cp "$TMP/screen" "$TMP/ladder"
$T send-keys -t "$S" Escape
expect "Esc goes back" "RECENT VIOLATIONS"
wait "$client"
expect "the final response ends the wait" "idle\|closed" 60
$T send-keys -t "$S" q
expect "q exits with the violation found" "EXITED rc=1"
expect "the report follows on the restored terminal" "processing-silence"
if ! grep -q "RECENT VIOLATIONS" "$TMP/screen"; then ok
else not_ok "the view is still on screen"; fi
# VIEW_SCREEN=FILE keeps the screens for the README (FILE, FILE.ladder)
if [ -n "${VIEW_SCREEN:-}" ]; then
    cp "$TMP/countdown" "$VIEW_SCREEN"
    cp "$TMP/ladder" "$VIEW_SCREEN.ladder"
fi

finish
