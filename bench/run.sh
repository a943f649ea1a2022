#!/bin/sh
# run.sh: time interim against two baselines on one synthetic capture.
#
#   bench/run.sh                      # 300 MB capture in /tmp/interim-bench
#   BENCH_MB=50 bench/run.sh          # quicker
#   INTERIM=build/interim bench/run.sh
#
# Builds gen-capture, pcap-loop and nids-only (cc -O2) into a temporary
# directory, generates the capture once into ${BENCH_DIR:-/tmp/interim-bench}
# (the name carries the size and a hash of gen-capture.c, so a changed
# generator makes a new file), then measures for each program the best of
# $BENCH_RUNS (default 3) wall times and the largest peak RSS:
#
#   pcap-loop FILE                    libpcap read loop only
#   nids-only FILE                    libnids opening the file itself
#   nids-only -p FILE                 libnids fed from our pcap handle
#   $INTERIM --json FILE > /dev/null  the analyzer (skipped if not built)
#
# Peak RSS comes from GNU time (/usr/bin/time -f %M). On Debian it is the
# package "time": apt-get install time.
#
# Targets for interim: at most 1.3x the nids-only time, peak RSS < 64 MiB.
# The verdict is printed; with BENCH_STRICT=1 a miss makes the exit status 1.
# Exit status 2 when something cannot be built, generated or run.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
mb=${BENCH_MB:-300}
dir=${BENCH_DIR:-/tmp/interim-bench}
runs=${BENCH_RUNS:-3}
interim=${INTERIM:-$root/src/interim}
cc=${CC:-cc}
nids_libs="-lnids -lpcap -lnet -lgthread-2.0 -lglib-2.0"

die() {
	echo "run.sh: $*" >&2
	exit 2
}

[ -x /usr/bin/time ] || die "/usr/bin/time not found (Debian: apt-get install time)"

bin=$(mktemp -d "${TMPDIR:-/tmp}/interim-bench-bin.XXXXXX")
trap 'rm -rf "$bin"' EXIT INT TERM

# build: each program is one file
$cc -O2 -Wall -o "$bin/gen-capture" "$here/gen-capture.c" -lm ||
	die "cannot build gen-capture"
$cc -O2 -Wall -o "$bin/pcap-loop" "$here/pcap-loop.c" -lpcap ||
	die "cannot build pcap-loop"
# shellcheck disable=SC2086 # nids_libs is a word list on purpose
$cc -O2 -Wall -o "$bin/nids-only" "$here/nids-only.c" $nids_libs ||
	die "cannot build nids-only"

# capture: generated once per size and generator version
mkdir -p "$dir" || die "cannot create '$dir'"
tag=$(sha256sum "$here/gen-capture.c" | cut -c1-8)
cap="$dir/capture-${mb}MB-$tag.pcap"
if [ ! -s "$cap" ]; then
	echo "generating $cap"
	"$bin/gen-capture" "$cap.tmp" "$mb" 2>"$cap.txt" ||
		{ sed 's/\.tmp:/:/' "$cap.txt" >&2; die "cannot generate '$cap'"; }
	mv "$cap.tmp" "$cap"
fi
sed 's/\.tmp:/:/' "$cap.txt"
bytes=$(stat -c %s "$cap")
cat "$cap" >/dev/null   # warm the page cache: we time CPU, not the disk

# measure NAME OKCODES CMD...: runs CMD $runs times with stdout to $out_to,
# sets $best_s (best wall seconds) and $peak_kb (largest max RSS, KiB).
# OKCODES lists accepted exit statuses ("0" or "0 1").
measure() {
	name=$1 ok=$2
	shift 2
	best_ns='' peak_kb=0 i=0
	while [ "$i" -lt "$runs" ]; do
		t0=$(date +%s%N)
		set +e
		/usr/bin/time -f %M -o "$bin/rss" "$@" >"$out_to" 2>"$bin/err"
		rc=$?
		set -e
		t1=$(date +%s%N)
		case " $ok " in
		*" $rc "*) ;;
		*) cat "$bin/err" >&2; die "$name exited with status $rc" ;;
		esac
		ns=$((t1 - t0))
		if [ -z "$best_ns" ] || [ "$ns" -lt "$best_ns" ]; then
			best_ns=$ns
		fi
		kb=$(tail -n 1 "$bin/rss")
		[ "$kb" -gt "$peak_kb" ] && peak_kb=$kb
		i=$((i + 1))
	done
	best_s=$(awk -v n="$best_ns" 'BEGIN { printf "%.3f", n / 1e9 }')
}

# row NAME OKCODES CMD...: measures CMD and keeps "name seconds peak-KiB"
# in $bin/rows for the table; shows the baselines' counter lines.
row() {
	measure "$@"
	echo "$1 $best_s $peak_kb" >>"$bin/rows"
	if [ "$out_to" != /dev/null ]; then
		echo "$1: $(head -n 1 "$out_to")" >&2
	fi
}

: >"$bin/rows"
echo "timing best of $runs runs on $cap ($bytes bytes)" >&2
out_to=$bin/out
row pcap-loop 0 "$bin/pcap-loop" "$cap"
row nids-only 0 "$bin/nids-only" "$cap"
row "nids-only-p" 0 "$bin/nids-only" -p "$cap"
if [ -x "$interim" ]; then
	out_to=/dev/null   # as a user would run it; exit 1 = violations found
	row interim "0 1" "$interim" --json "$cap"
else
	echo "interim: '$interim' not found or not executable, skipped" >&2
fi

awk -v bytes="$bytes" -v strict="${BENCH_STRICT:-0}" '
	{ name[NR] = $1; secs[NR] = $2; kb[NR] = $3; if ($1 == "nids-only") base = $2 }
	END {
		printf "%-12s %8s %9s %9s %8s\n", "program", "seconds", "MB/s",
		       "RSS MiB", "x nids"
		for (i = 1; i <= NR; i++)
			printf "%-12s %8.3f %9.1f %9.1f %8.2f\n", name[i], secs[i],
			       (secs[i] > 0 ? bytes / 1e6 / secs[i] : 0),
			       kb[i] / 1024, (base > 0 ? secs[i] / base : 0)
		for (i = 1; i <= NR; i++) {
			if (name[i] != "interim")
				continue
			ratio = (base > 0 ? secs[i] / base : 0)
			ok = (ratio <= 1.3 && kb[i] / 1024 < 64)
			printf "interim: %.2fx nids-only (target <= 1.3), %.1f MiB " \
			       "(target < 64): %s\n", ratio, kb[i] / 1024,
			       (ok ? "on target" : "MISSED")
			if (!ok && strict == 1)
				exit 1
		}
	}' "$bin/rows"
