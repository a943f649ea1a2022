#!/bin/sh
# view.sh: the live view driven in tmux on sample files at --speed 0: rows
# and states shown, s and / change the table, Enter shows the ladder, a
# resize redraws (with a message when too small), q restores the terminal;
# on captures cut while requests wait, their last state stays on screen.
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
    echo EXITED rc=\$?; stty -a | tr ' ' '\\n' | grep -x -- '-*icanon' | \
    sed 's/^/STTY /'; sleep 60" || { echo "view.sh: tmux failed, skipped"; exit 77; }
# what the terminal is sent, for rmcup at the end
$T pipe-pane -t "$S" -o "cat >>'$TMP/raw'"

expect "the input's end is shown" "input ended"
expect "the header counts 1xx" "1xx: .*102:"
expect "a flow row" " [0-9.]*:[0-9]* -> "
expect "an IPv6 flow" "\[::1\]:[0-9]* -> "
expect "states shown" "closed\|awaiting\|after 102\|idle"
expect "sorted by waiting" "sort: waiting"
grep -c ' -> ' "$TMP/screen" >"$TMP/rows.before"

keys p
expect "p pauses the display" "interim  PAUSED"
keys p
if ! grep -q PAUSED "$TMP/screen" || { screen; ! grep -q PAUSED "$TMP/screen"; }; then ok
else not_ok "p again goes on"; fi
keys '?'
expect "? shows the keys" "cycle the sort"
keys x
expect "any key goes back" "RECENT VIOLATIONS"
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
expect "the terminal is left in canonical mode (stty sane)" "^STTY icanon"
if grep -q "$(printf '\033\\[?1049l')" "$TMP/raw"; then ok
else not_ok "no rmcup sent at the end"; fi

# a signal ends the view too, with the terminal restored
S=signal
$T new-session -d -s "$S" -x 100 -y 30 \
    "TERM=screen NO_COLOR=1 TZ=UTC sh -c 'echo \$\$ >$TMP/pid; exec \
    $INTERIM --tui --speed 1 $SAMPLES/near-processing-5s.pcap'; \
    echo EXITED rc=\$?; stty -a | tr ' ' '\\n' | grep -x -- '-*icanon' | \
    sed 's/^/STTY /'; sleep 60"
expect "the view replays in packet time" "after 102\|awaiting"
kill -TERM "$(cat "$TMP/pid")"
expect "SIGTERM ends the view" "EXITED rc="
expect "the report follows a signal" "^Read 1 file"
expect "the terminal is restored after a signal" "^STTY icanon"

# captures cut while requests wait (-c with -w): at the end of the input
# the last state stays, not "closed"
"$INTERIM" -c 4 -w "$TMP/await-100.pcap" "$SAMPLES/curl-expect-100.pcap" >/dev/null
"$INTERIM" -c 7 -w "$TMP/after-102.pcap" "$SAMPLES/rule-processing-silence.pcap" >/dev/null
# cut NAME FILE...: a session on the cut captures, left open
cut() {
    S=$1
    shift
    $T new-session -d -s "$S" -x 100 -y 30 \
        "TERM=screen NO_COLOR=1 TZ=UTC '$INTERIM' --tui --speed 0 $*; \
        echo EXITED rc=\$?; sleep 60"
}
cut cut100 "'$TMP/await-100.pcap'"
expect "the end of a cut capture" "input ended"
expect "a request still awaiting 100" "awaiting 100 *POST /upload"
keys q
expect "q exits" "EXITED rc="
cut cut102 "'$TMP/await-100.pcap'" "'$TMP/after-102.pcap'"
expect "a request after 102, with its countdown" "after 102 *GET /slow *102 0s .* 100s"
expect "which file, of how many" "after-102.pcap  (file 2 of 2)"
keys q
expect "q exits" "EXITED rc="

finish
