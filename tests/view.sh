#!/bin/sh
# view.sh: the live view driven in tmux on sample files at --speed 0: rows
# and states shown, s and / change the table, Enter shows the ladder, a
# resize redraws (with a message when too small), q restores the terminal.
. "$(dirname "$0")/lib.sh"

command -v tmux >/dev/null 2>&1 || { echo "view.sh: no tmux, skipped"; exit 77; }

T="tmux -L interim-view-$$ -f /dev/null"
S=view
trap '$T kill-server 2>/dev/null; rm -rf "$TMP"' EXIT

screen() { $T capture-pane -p -t "$S" >"$TMP/screen"; }
# wait_for TEXT: up to 10 s for TEXT on the screen
wait_for() {
    i=0
    while [ $i -lt 50 ]; do
        screen
        grep -q -- "$1" "$TMP/screen" && return 0
        sleep 0.2
        i=$((i + 1))
    done
    return 1
}
# expect NAME TEXT: TEXT shows up
expect() {
    if wait_for "$2"; then ok; else not_ok "$1"; cat "$TMP/screen"; fi
}
keys() { $T send-keys -t "$S" "$@"; sleep 0.5; }

$T new-session -d -s "$S" -x 100 -y 30 \
    "TERM=screen NO_COLOR=1 TZ=UTC '$INTERIM' --tui --speed 0 \
    '$SAMPLES/crafted-tcp-midstream.pcap' '$SAMPLES/node-processing.pcap' \
    '$SAMPLES/keepalive-102-continue.pcap' '$SAMPLES/ipv6-curl-expect-100.pcap'; \
    echo EXITED rc=\$?; sleep 60" || { echo "view.sh: tmux failed, skipped"; exit 77; }

expect "the input's end is shown" "input ended"
expect "the header counts 1xx" "1xx: .*102:"
expect "a flow row" " [0-9.]*:[0-9]* -> "
expect "an IPv6 flow" "\[::1\]:[0-9]* -> "
expect "states shown" "closed\|awaiting\|after 102\|idle"
expect "sorted by waiting" "sort: waiting"
grep -c ' -> ' "$TMP/screen" >"$TMP/rows.before"

keys s
expect "s cycles the sort" "sort: client"
keys s
expect "s again" "sort: server"

keys / ':' ':' '1' Enter
expect "/ filters" "filter: ::1"
grep -c ' -> ' "$TMP/screen" >"$TMP/rows.after"
if [ "$(cat "$TMP/rows.after")" -lt "$(cat "$TMP/rows.before")" ] &&
   ! grep -q '127\.0\.0\.1:[0-9]* ->' "$TMP/screen"; then ok
else not_ok "the filter left other rows"; cat "$TMP/screen"; fi

keys Enter
expect "Enter shows the ladder" "|---.*>|"
expect "the ladder has offsets" "+0\.000s"
expect "the ladder answers" "|<--"
keys Escape
expect "Esc goes back" "RECENT VIOLATIONS"

keys / Escape
$T resize-window -t "$S" -x 80 -y 24 2>/dev/null
sleep 0.6
expect "80x24 redraws" "STATE  *REQUEST"
if awk 'length > 80 { bad = 1 } END { exit bad }' "$TMP/screen"; then ok
else not_ok "wider than 80"; fi
$T resize-window -t "$S" -x 60 -y 20 2>/dev/null
expect "too small says so" "terminal too small"
$T resize-window -t "$S" -x 100 -y 30 2>/dev/null
expect "back to 100x30 redraws" "RECENT VIOLATIONS"

keys q
expect "q exits" "EXITED rc="
if ! grep -q "RECENT VIOLATIONS" "$TMP/screen"; then ok
else not_ok "the view is still on screen"; fi
# the report is taller than the pane: its start is in the history
$T capture-pane -p -S - -t "$S" >"$TMP/screen"
if grep -q "^Read 4 files" "$TMP/screen"; then ok
else not_ok "the report follows on the restored terminal"; cat "$TMP/screen"; fi

finish
