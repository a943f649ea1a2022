#!/bin/sh
# run.sh: time interim against what it is built on, on a generated capture
# and on captures of real programs.
#
#   bench/run.sh                      # all three captures, best of 5
#   BENCH_CAPTURES=gen BENCH_MB=50 bench/run.sh        # quick look
#   BENCH_CALLGRIND=0 bench/run.sh    # wall times only
#   INTERIM=build/interim bench/run.sh
#
# Captures (BENCH_CAPTURES, default "gen nginx nginx-close"):
#   gen          gen-capture's synthetic traffic, $BENCH_MB (300) MB, made
#                once into $BENCH_DIR (/tmp/interim-bench); the name
#                carries the size and a hash of gen-capture.c and put.h
#   nginx        nginx + wrk, keep-alive ($BENCH_DIR/nginx-wrk.pcap)
#   nginx-close  nginx + wrk, one request per connection
#                ($BENCH_DIR/nginx-wrk-close.pcap)
# The two nginx ones are recorded with record-nginx.sh when missing (root,
# nginx, wrk, tcpdump; a network namespace of its own), else skipped with
# a message. BENCH_RECORD=0: never record.
#
# Programs, on each capture:
#   pcap-loop FILE                    libpcap's read loop alone
#   nids-only FILE                    libnids reassembly alone
#   nids-only -B FILE (nids-64k)      the same, reading FILE through a
#                                     64 KiB stdio buffer as interim does
#                                     (libpcap's own is 4 KiB: a read(2)
#                                     each); timed only
#   interim --json FILE > /dev/null   the analyzer, JSON lines
#   interim FILE > /dev/null          the analyzer, text report
# They run interleaved, A B C D A B C D ..., $BENCH_RUNS (5) rounds; each
# keeps its best wall time and its largest peak RSS (GNU time %M: Debian's
# package "time"). Interleaving puts the machine's changing load on all of
# them alike.
#
# Then (BENCH_CALLGRIND=1, the default; needs valgrind and tcpdump) the
# instructions each executes (callgrind) on the first $BENCH_CUT (20000)
# packets of the capture, cut with tcpdump -c: in all, and inside its read
# loop (pcap_loop / pcap_dispatch, inclusive), which leaves out start-up
# (the dynamic linker, libnids' stream table) and the end of input (the
# connections still open where the cut ends, 3,000 on gen's, reported
# and freed). The read loop is what grows with traffic. Instruction
# counts hold still on a loaded machine where times do not. BENCH_CUT=0
# counts on the whole capture (minutes under callgrind).
#
# Targets: interim --json at most 1.3x nids-only in time (its ratio to
# nids-64k, like for like in reading, is printed beside) and 1.6x in
# read-loop instructions, the text report at most 1.1x --json in time,
# peak RSS under 64 MiB. Each is printed as met or MISSED; BENCH_STRICT=1
# makes a miss exit 1. Exit status 2 when something cannot be built, made
# or run.

set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
mb=${BENCH_MB:-300}
dir=${BENCH_DIR:-/tmp/interim-bench}
runs=${BENCH_RUNS:-5}
captures=${BENCH_CAPTURES:-gen nginx nginx-close}
cut=${BENCH_CUT:-20000}
with_cg=${BENCH_CALLGRIND:-1}
record=${BENCH_RECORD:-1}
interim=${INTERIM:-$root/src/interim}
cc=${CC:-cc}
nids_libs="-lnids -lpcap -lnet -lgthread-2.0 -lglib-2.0"

die() {
	echo "run.sh: $*" >&2
	exit 2
}

[ -x /usr/bin/time ] || die "/usr/bin/time not found (Debian: apt-get install time)"
[ -x "$interim" ] || die "'$interim' not built (or set INTERIM)"
if [ "$with_cg" = 1 ]; then
	for p in valgrind tcpdump; do
		command -v "$p" >/dev/null 2>&1 ||
			die "$p not found (Debian: apt-get install $p; or BENCH_CALLGRIND=0)"
	done
fi

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
mkdir -p "$dir" || die "cannot create '$dir'"

# capture_file NAME: prints the capture's path, making it if need be;
# prints nothing (and why, on stderr) when it cannot be had.
capture_file() {
	case $1 in
	gen)
		tag=$(cat "$here/gen-capture.c" "$here/put.h" | sha256sum | cut -c1-8)
		f="$dir/capture-${mb}MB-$tag.pcap"
		if [ ! -s "$f" ]; then
			echo "generating $f" >&2
			"$bin/gen-capture" "$f.tmp" "$mb" 2>"$f.txt" ||
				{ cat "$f.txt" >&2; die "cannot generate '$f'"; }
			mv "$f.tmp" "$f"
		fi
		sed 's/\.tmp:/:/' "$f.txt" >&2
		;;
	nginx | nginx-close)
		if [ "$1" = nginx ]; then
			f=$dir/nginx-wrk.pcap close=0
		else
			f=$dir/nginx-wrk-close.pcap close=1
		fi
		if [ ! -s "$f" ] && [ "$record" = 1 ]; then
			echo "recording $f" >&2
			REC_CLOSE=$close "$here/record-nginx.sh" "$f" >/dev/null ||
				echo "run.sh: cannot record '$f'" >&2
		fi
		if [ ! -s "$f" ]; then
			echo "run.sh: no '$f': capture $1 skipped" \
			    "(record-nginx.sh needs root, nginx, wrk, tcpdump)" >&2
			return 0
		fi
		;;
	*)
		die "unknown capture '$1' (gen, nginx, nginx-close)"
		;;
	esac
	echo "$f"
}

# run_one NAME FILE: the program NAME on FILE, its output to $bin/out
# (interim's to /dev/null);
# its peak RSS (KiB) in $bin/rss. Returns its exit status.
run_one() {
	# interim's lines go to /dev/null, as above: writing 50 MB of JSON
	# to a file is the file system's time, not the analysis'
	out=$bin/out
	case $1 in
	pcap-loop) set -- "$bin/pcap-loop" "$2" ;;
	nids-only) set -- "$bin/nids-only" "$2" ;;
	nids-64k) set -- "$bin/nids-only" -B "$2" ;;
	interim-json) set -- "$interim" --json "$2"; out=/dev/null ;;
	interim-text) set -- "$interim" --no-tui "$2"; out=/dev/null ;;
	esac
	/usr/bin/time -f %M -o "$bin/rss" "$@" >"$out" 2>"$bin/err"
}

programs="pcap-loop nids-only nids-64k interim-json interim-text"

# time_capture CAP FILE: the interleaved rounds; appends
# "cap program best_ns peak_kb" lines to $bin/times.
time_capture() {
	for p in $programs; do
		echo "" >"$bin/best.$p"
		echo 0 >"$bin/peak.$p"
	done
	round=0
	while [ "$round" -lt "$runs" ]; do
		for p in $programs; do
			t0=$(date +%s%N)
			set +e
			run_one "$p" "$2"
			rc=$?
			set -e
			t1=$(date +%s%N)
			# interim exits 1 when it found violations
			if [ "$rc" != 0 ] && { [ "$rc" != 1 ] ||
			    [ "${p#interim}" = "$p" ]; }; then
				cat "$bin/err" >&2
				die "$p exited with status $rc on '$2'"
			fi
			ns=$((t1 - t0))
			best=$(cat "$bin/best.$p")
			if [ -z "$best" ] || [ "$ns" -lt "$best" ]; then
				echo "$ns" >"$bin/best.$p"
			fi
			kb=$(tail -n 1 "$bin/rss")
			[ "$kb" -gt "$(cat "$bin/peak.$p")" ] && echo "$kb" >"$bin/peak.$p"
			if [ "$round" = 0 ] && [ "${p#interim}" = "$p" ]; then
				echo "$1 $p: $(head -n 1 "$bin/out")" >&2
			fi
		done
		round=$((round + 1))
	done
	for p in $programs; do
		echo "$1 $p $(cat "$bin/best.$p") $(cat "$bin/peak.$p")" >>"$bin/times"
	done
}

# callgrind_one NAME FILE: prints two counts of the instructions NAME
# executes on FILE: in all, and inside its read loop (pcap_loop or
# pcap_dispatch, inclusive).
callgrind_one() {
	case $1 in
	pcap-loop) set -- "$bin/pcap-loop" "$2" ;;
	nids-only) set -- "$bin/nids-only" "$2" ;;
	interim-json) set -- "$interim" --json "$2" ;;
	interim-text) set -- "$interim" --no-tui "$2" ;;
	esac
	set +e
	valgrind --tool=callgrind --callgrind-out-file="$bin/cg.out" \
	    "$@" >/dev/null 2>"$bin/cg"
	rc=$?
	set -e
	[ "$rc" -le 1 ] || { cat "$bin/cg" >&2; die "callgrind: $1 failed"; }
	callgrind_annotate --inclusive=yes --auto=no --threshold=100 \
	    "$bin/cg.out" 2>/dev/null | awk '
		function n(s) { gsub(",", "", s); return s + 0 }
		/PROGRAM TOTALS/ { total = n($1) }
		/:pcap_loop |:pcap_dispatch / { if (n($1) > loop) loop = n($1) }
		END { if (total > 0 && loop > 0) print total, loop }'
}

# count_capture CAP FILE: callgrind on the first $cut packets; appends
# "cap program instructions loop-instructions" lines to $bin/instr.
count_capture() {
	f=$2
	if [ "$cut" != 0 ]; then
		f=$bin/cut.pcap
		tcpdump -r "$2" -c "$cut" -w "$f" 2>/dev/null ||
			die "cannot cut '$2' with tcpdump"
	fi
	for p in pcap-loop nids-only interim-json interim-text; do
		ir=$(callgrind_one "$p" "$f")
		[ -n "$ir" ] || { cat "$bin/cg" >&2; die "callgrind: no count for $p"; }
		echo "$1 $p $ir" >>"$bin/instr"
	done
}

echo "run.sh: $(date -u '+%Y-%m-%d %H:%M UTC'), interim at" \
    "$(git -C "$root" describe --always --dirty 2>/dev/null || echo '?')," \
    "$(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1))," \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
: >"$bin/times"
: >"$bin/instr"
: >"$bin/files"
for c in $captures; do
	f=$(capture_file "$c")
	[ -n "$f" ] || continue
	cat "$f" >/dev/null     # warm the page cache: we time CPU, not the disk
	echo "$c $f $(stat -c %s "$f")" >>"$bin/files"
	echo "timing $c: $runs interleaved rounds on $f" >&2
	time_capture "$c" "$f"
	if [ "$with_cg" = 1 ]; then
		echo "counting $c: callgrind on its first $cut packets" \
		    "(0: all)" >&2
		count_capture "$c" "$f"
	fi
done
echo "run.sh: load average at the end $(cut -d' ' -f1-3 /proc/loadavg)" >&2
[ -s "$bin/files" ] || die "no capture to measure"

awk -v strict="${BENCH_STRICT:-0}" -v cut="$cut" '
	FILENAME ~ /files$/ { order[++n] = $1; path[$1] = $2; bytes[$1] = $3; next }
	FILENAME ~ /times$/ { ns[$1, $2] = $3; kb[$1, $2] = $4; next }
	{ all[$1, $2] = $3; loop[$1, $2] = $4; have_ir = 1 }
	function verdict(ok) { if (!ok) missed = 1; return ok ? "met" : "MISSED" }
	function ratio(a, b) { return b > 0 ? a / b : 0 }
	END {
		split("pcap-loop nids-only nids-64k interim-json interim-text", prog, " ")
		for (i = 1; i <= n; i++) {
			c = order[i]
			printf "\n%s: %s, %d bytes", c, path[c], bytes[c]
			if (have_ir && cut > 0)
				printf "; instructions on its first %d packets", cut
			else if (have_ir)
				printf "; instructions on all of it"
			printf "\n%-13s %8s %8s %8s %7s", "program", "seconds",
			       "MB/s", "RSS MiB", "x nids"
			if (have_ir)
				printf " %13s %7s %13s %7s", "Ir read loop", "x nids",
				       "Ir in all", "x nids"
			printf "\n"
			for (j = 1; j <= 5; j++) {
				p = prog[j]
				s = ns[c, p] / 1e9
				printf "%-13s %8.3f %8.1f %8.1f %7.2f", p, s,
				       ratio(bytes[c] / 1e6, s), kb[c, p] / 1024,
				       ratio(ns[c, p], ns[c, "nids-only"])
				if (have_ir && p == "nids-64k")
					printf " %13s %7s %13s %7s", "-", "", "-", ""
				else if (have_ir)
					printf " %13d %7.2f %13d %7.2f", loop[c, p],
					       ratio(loop[c, p], loop[c, "nids-only"]),
					       all[c, p],
					       ratio(all[c, p], all[c, "nids-only"])
				printf "\n"
			}
			t = ratio(ns[c, "interim-json"], ns[c, "nids-only"])
			printf "%s: --json %.2fx nids-only in time (<= 1.3): %s " \
			       "(%.2fx nids-64k)", c, t, verdict(t <= 1.3),
			       ratio(ns[c, "interim-json"], ns[c, "nids-64k"])
			if (have_ir) {
				r = ratio(loop[c, "interim-json"], loop[c, "nids-only"])
				printf "; %.2fx in read-loop instructions (<= 1.6): %s",
				       r, verdict(r <= 1.6)
			}
			t = ratio(ns[c, "interim-text"], ns[c, "interim-json"])
			printf "; text %.2fx --json in time (<= 1.1): %s", t,
			       verdict(t <= 1.1)
			if (have_ir)
				printf " (%.2fx in instructions in all)",
				       ratio(all[c, "interim-text"], all[c, "interim-json"])
			m = kb[c, "interim-json"]
			if (kb[c, "interim-text"] > m)
				m = kb[c, "interim-text"]
			m /= 1024
			printf "; peak RSS %.1f MiB (< 64): %s\n", m, verdict(m < 64)
		}
		if (missed && strict == 1)
			exit 1
	}' "$bin/files" "$bin/times" "$bin/instr"
