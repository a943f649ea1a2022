#!/bin/sh
# concurrent.sh: the memory one concurrent connection costs interim, and
# libnids alone, at 100,000 keep-alive connections open at once.
#
#   bench/concurrent.sh
#   CONC_CONNS=200000 bench/concurrent.sh
#   CONC_GAP_US=1000 bench/concurrent.sh      # one connection a millisecond
#   CONC_WAITING=1 bench/concurrent.sh        # each with a request waiting
#   INTERIM=build/interim bench/concurrent.sh
#
# gen-concurrent writes two captures into ${BENCH_DIR:-/tmp/interim-bench}
# (made once; the names carry the counts and a hash of gen-concurrent.c
# and put.h):
# $CONC_CONNS (100000) connections that each do one exchange and stay open
# to the end, one every $CONC_GAP_US (20) us, and the same with one
# connection, the baseline. CONC_WAITING=1 (gen-concurrent -w): each
# connection's request is still waiting for its response at the end, so
# each holds an exchange too. interim --json and nids-only read both; the
# largest peak RSS of $CONC_RUNS (2) runs (GNU time %M) is kept. Per
# connection is (RSS with N - RSS with 1) / (N - 1).
#
# That difference leaves out what libnids allocates at nids_init() for its
# stream table, whatever the traffic: n_tcp_streams pointers and 3/4 of
# that many struct tcp_stream, written once (so resident) to link them.
# interim sizes it for --max-flows (100000): it is printed as a cost per
# connection of that capacity, and added for the target.
#
# Target: interim under 2.5 KiB a connection in all (the stream table's
# share included). Printed as met or MISSED; BENCH_STRICT=1 makes a miss
# exit 1. Exit status 2 when something cannot be built, made or run.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
dir=${BENCH_DIR:-/tmp/interim-bench}
conns=${CONC_CONNS:-100000}
gap=${CONC_GAP_US:-20}
runs=${CONC_RUNS:-2}
waiting=${CONC_WAITING:-0}
interim=${INTERIM:-$root/src/interim}
cc=${CC:-cc}
nids_libs="-lnids -lpcap -lnet -lgthread-2.0 -lglib-2.0"
max_flows=100000        # interim's --max-flows default (reassembly.h)

die() {
	echo "concurrent.sh: $*" >&2
	exit 2
}

[ -x /usr/bin/time ] || die "/usr/bin/time not found (Debian: apt-get install time)"
[ -x "$interim" ] || die "'$interim' not built (or set INTERIM)"
[ "$conns" -gt 1 ] || die "CONC_CONNS must be more than 1"
case $waiting in
0) mode='' gen_opt='' ;;
1) mode=-waiting gen_opt=-w ;;
*) die "CONC_WAITING must be 0 or 1" ;;
esac

bin=$(mktemp -d "${TMPDIR:-/tmp}/interim-conc-bin.XXXXXX")
trap 'rm -rf "$bin"' EXIT INT TERM

$cc -O2 -Wall -o "$bin/gen-concurrent" "$here/gen-concurrent.c" ||
	die "cannot build gen-concurrent"
# shellcheck disable=SC2086 # nids_libs is a word list on purpose
$cc -O2 -Wall -o "$bin/nids-only" "$here/nids-only.c" $nids_libs ||
	die "cannot build nids-only"
cat >"$bin/stream-size.c" <<'EOF'
#include <nids.h>
#include <stdio.h>
int main(void) { printf("%zu\n", sizeof(struct tcp_stream)); return 0; }
EOF
$cc -o "$bin/stream-size" "$bin/stream-size.c" || die "cannot build stream-size"
mkdir -p "$dir" || die "cannot create '$dir'"

tag=$(cat "$here/gen-concurrent.c" "$here/put.h" | sha256sum | cut -c1-8)

# capture N: prints the path of the capture with N connections
capture() {
	f="$dir/concurrent$mode-$1-${gap}us-$tag.pcap"
	if [ ! -s "$f" ]; then
		# shellcheck disable=SC2086 # gen_opt is empty or one word
		"$bin/gen-concurrent" $gen_opt "$f.tmp" "$1" "$gap" \
		    2>"$bin/gen.txt" ||
			{ cat "$bin/gen.txt" >&2; die "cannot generate '$f'"; }
		mv "$f.tmp" "$f"
		sed 's/\.tmp:/:/' "$bin/gen.txt" >&2
	fi
	echo "$f"
}

# run_prog NAME FILE: NAME (interim or nids-only) on FILE, its peak RSS
# (KiB) in $bin/rss; fails the script unless it exits 0 or 1 (interim:
# violations found)
run_prog() {
	case $1 in
	interim) set -- "$2" "$interim" --json "$2" ;;
	*) set -- "$2" "$bin/nids-only" "$2" ;;
	esac
	file=$1
	shift
	set +e
	/usr/bin/time -f %M -o "$bin/rss" "$@" >/dev/null 2>"$bin/err"
	rc=$?
	set -e
	[ "$rc" -le 1 ] || { cat "$bin/err" >&2; die "$1 failed on '$file'"; }
}

# peak NAME FILE: prints the largest peak RSS (KiB) and the best wall
# nanoseconds of $runs runs
peak() {
	best='' kb=0 i=0
	while [ "$i" -lt "$runs" ]; do
		t0=$(date +%s%N)
		run_prog "$1" "$2"
		t1=$(date +%s%N)
		k=$(tail -n 1 "$bin/rss")
		[ "$k" -gt "$kb" ] && kb=$k
		ns=$((t1 - t0))
		if [ -z "$best" ] || [ "$ns" -lt "$best" ]; then
			best=$ns
		fi
		i=$((i + 1))
	done
	echo "$kb $best"
}

one=$(capture 1)
many=$(capture "$conns")
echo "concurrent.sh: $(date -u '+%Y-%m-%d %H:%M UTC'), interim at" \
    "$(git -C "$root" describe --always --dirty 2>/dev/null || echo '?')," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

stream=$("$bin/stream-size")
for p in nids-only interim; do
	echo "$p $(peak "$p" "$one") $(peak "$p" "$many")"
done | awk -v n="$conns" -v gap="$gap" -v stream="$stream" \
    -v max_flows="$max_flows" -v strict="${BENCH_STRICT:-0}" \
    -v waiting="$waiting" '
	{ name[NR] = $1; kb1[NR] = $2; kbn[NR] = $4; ns[NR] = $5 }
	END {
		printf "%d connections open at once, one every %d us%s\n", n,
		       gap, (waiting ? ", each with a request waiting" : "")
		printf "%-10s %12s %12s %10s %14s\n", "program", "RSS 1 MiB",
		       "RSS N MiB", "seconds", "KiB / conn"
		for (i = 1; i <= NR; i++) {
			per[i] = (kbn[i] - kb1[i]) / (n - 1)
			printf "%-10s %12.1f %12.1f %10.3f %14.2f\n", name[i],
			       kb1[i] / 1024, kbn[i] / 1024, ns[i] / 1e9, per[i]
		}
		# libnids at nids_init(): the table, then 3/4 of it as streams
		streams = int((max_flows + 4096) / 3) * 4
		table = streams * 8 + (int(3 * streams / 4) + 1) * stream
		share = table / 1024 / max_flows
		total = per[NR] + share
		printf "libnids stream table for --max-flows %d: %.1f MiB at " \
		       "start (%d-byte struct tcp_stream), %.2f KiB a connection\n",
		       max_flows, table / 1048576, stream, share
		ok = total < 2.5
		printf "interim: %.2f KiB a connection in all (target < 2.5): %s\n",
		       total, (ok ? "met" : "MISSED")
		if (!ok && strict == 1)
			exit 1
	}'
