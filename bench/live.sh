#!/bin/sh
# live.sh: replay a capture onto lo while interim -i lo and tcpdump -i lo
# capture it, and report packets captured, drops, packets/s and exchanges.
#
#   bench/live.sh [CAPTURE]       # default: record one with record-nginx.sh
#   LIVE_RUNS=3 bench/live.sh     # runs per rate and mode (default 1)
#
# Environment:
#   LIVE_PORT    the TCP port in the capture (18480, record-nginx.sh's)
#   LIVE_FILTER  the BPF filter for both captures ('tcp port $LIVE_PORT');
#                for run.sh's capture: 'tcp port 80 or tcp port 8080'
#   LIVE_RATES   space-separated: a number is tcpreplay --mbps N, "top" is
#                --topspeed (default "400 top")
#   LIVE_MODES   interim modes (default "json quiet"):
#                  json   interim -i lo -j -f 'tcp port P' > FILE (exchanges
#                         counted from its summary)
#                  quiet  interim -i lo -q -f 'tcp port P' > /dev/null
#                  tui    the ncurses view on a pseudo-terminal (exchanges
#                         counted from the text report that follows it)
#   LIVE_TCPDUMP 0: interim alone, no tcpdump beside it (default 1)
#   INTERIM      the binary (src/interim)
#
# Needs root, tcpreplay and tcpdump. Traffic goes only onto lo.
#
# First `interim -j CAPTURE` offline gives the exchange count to compare
# against. The capture is then copied with tcprewrite to a destination MAC
# that is not lo's (02:00:00:00:00:01): packet sockets (interim, tcpdump)
# still see every packet, but the host's IP stack drops them as
# PACKET_OTHERHOST instead of answering them (RSTs from a closed port
# would be seen by the captures and end the replayed connections).
#
# Each run starts interim and `tcpdump -i lo -n -w /dev/null 'tcp port P'`
# side by side, waits until both say "listening on", replays with
# tcpreplay, waits 1 s, sends both SIGINT and reads the tcpdump-style
# counts each prints on stderr at exit. packets/s is packets captured over
# tcpreplay's own send time. The tcpdump column is tcpdump with its
# defaults (libpcap's 2 MiB buffer); interim uses its default -B (32 MiB).
# On lo "received by filter" counts each packet twice (outgoing and
# incoming; libpcap discards the outgoing copy), so it is not reported.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
interim=${INTERIM:-$root/src/interim}
port=${LIVE_PORT:-18480}
rates=${LIVE_RATES:-400 top}
modes=${LIVE_MODES:-json quiet}
runs=${LIVE_RUNS:-1}
with_tcpdump=${LIVE_TCPDUMP:-1}

die() {
	echo "live.sh: $*" >&2
	exit 2
}

[ "$(id -u)" = 0 ] || die "needs root (capturing on lo, tcpreplay)"
[ -x "$interim" ] || die "$interim not built"
for p in tcpreplay tcprewrite tcpdump; do
	command -v "$p" >/dev/null 2>&1 || die "$p not found"
done

cap=${1:-}
if [ -z "$cap" ]; then
	cap=$("$here/record-nginx.sh") || die "recording failed"
fi
[ -s "$cap" ] || die "no capture '$cap'"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/interim-live.XXXXXX")
pids=''
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

filter=${LIVE_FILTER:-tcp port $port}

# the value of "key":N in a JSON line
json_num() {
	sed -n "s/.*\"$1\":\\([0-9]*\\).*/\\1/p" | tail -n 1
}
# the N of "N packets? WHAT" on stderr
count_of() {
	sed -n "s/^\\([0-9]*\\) packets\\{0,1\\} $1\$/\\1/p" "$2" | tail -n 1
}

# offline reference
"$interim" -j "$cap" >"$tmp/offline.json" 2>"$tmp/offline.err" ||
	[ $? = 1 ] || { cat "$tmp/offline.err" >&2; die "interim -j $cap failed"; }
off_x=$(tail -n 1 "$tmp/offline.json" | json_num exchanges)
off_p=$(tail -n 1 "$tmp/offline.json" | json_num packets)
[ -n "$off_x" ] || die "no summary from interim -j $cap"

tcprewrite --enet-dmac=02:00:00:00:00:01 -i "$cap" -o "$tmp/replay.pcap" ||
	die "tcprewrite failed"
cat "$tmp/replay.pcap" >/dev/null   # page cache

echo "capture: $cap"
echo "offline: $off_p packets, $off_x exchanges (interim -j)"
echo "filter:  $filter"
echo

# wait_listening FILE: until FILE says "listening on" (up to 5 s)
wait_listening() {
	i=0
	while ! grep -q 'listening on' "$1" 2>/dev/null; do
		i=$((i + 1))
		[ "$i" -lt 50 ] || die "no 'listening on' in $1: $(cat "$1")"
		sleep 0.1
	done
}

# start_interim MODE: starts interim in the background, sets $ipid
start_interim() {
	case $1 in
	json)
		"$interim" -i lo -j -f "$filter" >"$tmp/live.json" 2>"$tmp/interim.err" &
		ipid=$!
		;;
	quiet)
		"$interim" -i lo -q -f "$filter" >/dev/null 2>"$tmp/interim.err" &
		ipid=$!
		;;
	tui)
		run_tui
		;;
	*) die "unknown mode '$1'" ;;
	esac
}

# ---- the live view run (--tui) -------------------------------------------
# The view on a pseudo-terminal (script(1)), 120x40, monochrome. The shell
# inside writes its PID and execs interim, so $ipid is interim itself. What
# the terminal got is kept: after the view, the text report's "Exchanges:"
# gives the count.
run_tui() {
	rm -f "$tmp/tui.pid"
	TERM=xterm-256color NO_COLOR=1 script -qfc "stty cols 120 rows 40; \
	    echo \$\$ >'$tmp/tui.pid'; exec '$interim' -i lo --tui -f '$filter' \
	    2>'$tmp/interim.err'" /dev/null >"$tmp/tui.out" 2>&1 </dev/null &
	pids="$pids $!"
	i=0
	while [ ! -s "$tmp/tui.pid" ]; do
		i=$((i + 1)); [ "$i" -lt 50 ] || die "mode tui: no PID"; sleep 0.1
	done
	ipid=$(cat "$tmp/tui.pid")
}
# ---------------------------------------------------------------------------

printf '%-5s %-6s %3s | %10s %7s %9s %9s %7s | %10s %7s %9s | %9s %8s\n' \
    rate mode run interim dropped pkt/s exchanges '%off' \
    tcpdump dropped pkt/s replay_s sent_pps
for rate in $rates; do
	case $rate in
	top) ropt=--topspeed ;;
	*[!0-9.]* | '') die "bad rate '$rate'" ;;
	*) ropt="--mbps=$rate" ;;
	esac
	for mode in $modes; do
		n=1
		while [ "$n" -le "$runs" ]; do
			start_interim "$mode"
			pids="$pids $ipid"
			if [ "$with_tcpdump" = 1 ]; then
				tcpdump -i lo -n -w /dev/null "$filter" 2>"$tmp/tcpdump.err" &
				tpid=$!
				pids="$pids $tpid"
			else
				tpid='' && : >"$tmp/tcpdump.err"
			fi
			wait_listening "$tmp/interim.err"
			[ -z "$tpid" ] || wait_listening "$tmp/tcpdump.err"
			sleep 0.5
			tcpreplay "$ropt" -i lo "$tmp/replay.pcap" \
			    >"$tmp/replay.out" 2>"$tmp/replay.err" ||
				{ cat "$tmp/replay.err" >&2; die "tcpreplay failed"; }
			sleep 1
			kill -INT "$ipid" $tpid
			[ -z "$tpid" ] || wait "$tpid" || true
			# interim exits 1 on a violation: a successful run too
			if [ "$mode" = tui ]; then
				while kill -0 "$ipid" 2>/dev/null; do sleep 0.1; done
			else
				wait "$ipid" || [ $? = 1 ] ||
					{ cat "$tmp/interim.err" >&2; die "interim failed"; }
			fi
			pids=''

			secs=$(sed -n 's/.* sent in \([0-9.]*\) seconds.*/\1/p' "$tmp/replay.out")
			spps=$(sed -n 's/^Rated: .* \([0-9.]*\) pps.*/\1/p' "$tmp/replay.out")
			ic=$(count_of captured "$tmp/interim.err")
			id=$(count_of 'dropped by kernel' "$tmp/interim.err")
			tc=$(count_of captured "$tmp/tcpdump.err")
			td=$(count_of 'dropped by kernel' "$tmp/tcpdump.err")
			if [ "$mode" = json ] || [ "$mode" = tui ]; then
				if [ "$mode" = json ]; then
					lx=$(tail -n 1 "$tmp/live.json" | json_num exchanges)
				else
					lx=$(tr -d '\r' <"$tmp/tui.out" | sed -n 's/.*Exchanges: \([0-9]*\).*/\1/p' | tail -n 1)
				fi
				pct=$(awk -v a="$lx" -v b="$off_x" 'BEGIN { printf "%.2f", 100 * a / b }')
			else
				lx=- pct=-
			fi
			ipps=$(awk -v p="$ic" -v s="$secs" 'BEGIN { printf "%.0f", p / s }')
			if [ -n "$tpid" ]; then
				tpps=$(awk -v p="$tc" -v s="$secs" 'BEGIN { printf "%.0f", p / s }')
			else
				tc=- td=- tpps=-
			fi
			printf '%-5s %-6s %3s | %10s %7s %9s %9s %7s | %10s %7s %9s | %9s %8.0f\n' \
			    "$rate" "$mode" "$n" "$ic" "$id" "$ipps" "$lx" "$pct" \
			    "$tc" "$td" "$tpps" "$secs" "$spps"
			n=$((n + 1))
		done
	done
done
