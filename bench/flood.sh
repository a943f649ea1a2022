#!/bin/sh
# flood.sh: interim under a SYN flood with one real 102 exchange inside it.
#
#   bench/flood.sh                        # 1,000,000 SYNs (74 MB in /tmp)
#   FLOOD_SYNS=150000 bench/flood.sh      # lighter; tests/flood.sh runs 1,000,000
#
# gen-syn-flood (see its top) writes the capture into a temporary directory
# under /tmp, removed at exit. Then three checks, each printed with its
# figures:
#   syns       the unanswered SYNs come as a few lines (the first ten one by
#              one, then aggregates) whose counts add up to the summary's
#   violation  `interim -j` reports processing-silence for the real
#              connection 192.0.2.10:40000 -> 192.0.2.80:80
#   memory     interim's peak RSS (GNU time's %M) < FLOOD_RSS_CAP_MIB (64,
#              the target bench/README.md sets)
#   time       interim -j (stdout to /dev/null) against nids-only, libnids
#              alone on the same file, run alternately FLOOD_RUNS times (3):
#              best interim < FLOOD_MAX_RATIO (3) x best nids-only
# FLOOD_NO_PERF=1 checks the violation only (sanitizer builds).
#
# INTERIM, GEN_SYN_FLOOD, NIDS_ONLY: the programs (default: src/interim, and
# gen-syn-flood and nids-only built here with cc -O2).
# Exit status 0 when all checks pass, 1 when one misses, 2 on an error.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
syns=${FLOOD_SYNS:-1000000}
runs=${FLOOD_RUNS:-3}
cap_mib=${FLOOD_RSS_CAP_MIB:-64}
max_ratio=${FLOOD_MAX_RATIO:-3}
no_perf=${FLOOD_NO_PERF:-0}
interim=${INTERIM:-$root/src/interim}
cc=${CC:-cc}
nids_libs="-lnids -lpcap -lnet -lgthread-2.0 -lglib-2.0"

die() {
	echo "flood.sh: $*" >&2
	exit 2
}

[ -x "$interim" ] || die "'$interim' not found or not executable"
[ "$no_perf" = 1 ] || [ -x /usr/bin/time ] ||
	die "/usr/bin/time not found (Debian: apt-get install time)"

work=$(mktemp -d /tmp/interim-flood.XXXXXX)
trap 'rm -rf "$work"' EXIT INT TERM

gen=${GEN_SYN_FLOOD:-}
if [ -z "$gen" ]; then
	gen=$work/gen-syn-flood
	$cc -O2 -Wall -o "$gen" "$here/gen-syn-flood.c" ||
		die "cannot build gen-syn-flood"
fi
nids=${NIDS_ONLY:-}
if [ -z "$nids" ] && [ "$no_perf" != 1 ]; then
	nids=$work/nids-only
	# shellcheck disable=SC2086 # nids_libs is a word list on purpose
	$cc -O2 -Wall -o "$nids" "$here/nids-only.c" $nids_libs ||
		die "cannot build nids-only"
fi

cap=$work/flood.pcap
"$gen" "$cap" "$syns" || die "cannot generate '$cap'"
cat "$cap" >/dev/null   # warm the page cache: we time CPU, not the disk

# timed NAME OKCODES OUT CMD...: one run; sets $ns (wall) and $kb (peak RSS)
timed() {
	name=$1 okc=$2 out=$3
	shift 3
	t0=$(date +%s%N)
	set +e
	if [ "$no_perf" = 1 ]; then
		"$@" >"$out" 2>"$work/err"
	else
		/usr/bin/time -f %M -o "$work/rss" "$@" >"$out" 2>"$work/err"
	fi
	rc=$?
	set -e
	t1=$(date +%s%N)
	case " $okc " in
	*" $rc "*) ;;
	*) head -5 "$work/err" >&2; die "$name exited with status $rc" ;;
	esac
	ns=$((t1 - t0))
	kb=0
	[ "$no_perf" = 1 ] || kb=$(tail -n 1 "$work/rss")
}

missed=0
verdict() {     # verdict OK-CONDITION-STATUS TEXT
	if [ "$1" -eq 0 ]; then
		echo "$2: ok"
	else
		echo "$2: MISSED"
		missed=1
	fi
}

# exit 1 from interim: violations found, as expected here
timed interim "0 1" "$work/out.json" "$interim" -j "$cap"
peak_kb=$kb
found=1
grep '"rule":"processing-silence"' "$work/out.json" |
	grep '"src_ip":"192.0.2.10","src_port":40000,' >/dev/null && found=0
summary=$(grep '"event_type":"summary"' "$work/out.json" |
	grep -o '"rules":{[^}]*}\|"evicted_flows":[0-9]*' | tr '\n' ' ')
verdict $found "violation: processing-silence for 192.0.2.10:40000 ($summary)"
# the SYNs: the first few one by one, then aggregates whose counts add up
# to the summary's (synagg.h), a few lines and not one per SYN
set -- $(awk '/"rule":"handshake-timeout"/ {
		lines++
		if (match($0, /"count":[0-9]+/)) n += substr($0, RSTART + 8, RLENGTH - 8); else n++
	}
	/"event_type":"summary"/ && match($0, /"handshake-timeout":[0-9]+/) {
		total = substr($0, RSTART + 20, RLENGTH - 20)
	}
	END { print lines + 0, n + 0, total + 0 }' "$work/out.json")
st=1
[ "$1" -le 20 ] && [ "$2" = "$3" ] && [ "$3" -gt 0 ] && st=0
verdict $st "handshake-timeout: $1 JSON lines for $3 unanswered SYNs (counted: $2)"
[ "$no_perf" = 1 ] && exit $missed

best_i='' best_n='' i=0
while [ "$i" -lt "$runs" ]; do
	timed nids-only 0 /dev/null "$nids" "$cap"
	if [ -z "$best_n" ] || [ "$ns" -lt "$best_n" ]; then best_n=$ns; fi
	timed interim "0 1" /dev/null "$interim" -j "$cap"
	if [ -z "$best_i" ] || [ "$ns" -lt "$best_i" ]; then best_i=$ns; fi
	[ "$kb" -gt "$peak_kb" ] && peak_kb=$kb
	i=$((i + 1))
done

st=0
awk -v kb="$peak_kb" -v cap="$cap_mib" 'BEGIN { exit !(kb / 1024 < cap) }' || st=1
verdict $st "$(awk -v kb="$peak_kb" -v cap="$cap_mib" \
	'BEGIN { printf "memory: interim peak RSS %.1f MiB (cap %s MiB)", kb / 1024, cap }')"
st=0
awk -v i="$best_i" -v n="$best_n" -v r="$max_ratio" 'BEGIN { exit !(i < r * n) }' || st=1
verdict $st "$(awk -v i="$best_i" -v n="$best_n" -v r="$max_ratio" -v runs="$runs" \
	'BEGIN { printf "time: interim %.3f s, nids-only %.3f s (best of %d): %.2fx (limit %sx)",
	         i / 1e9, n / 1e9, runs, i / n, r }')"
exit $missed
