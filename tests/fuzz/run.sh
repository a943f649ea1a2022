#!/bin/sh
# run.sh: run the fuzz targets for a while each, seeded from samples/.
#
# usage: tests/fuzz/run.sh [-t SECONDS] [TARGET...]
#        (targets: fuzz_http1 fuzz_pipeline; default both, 60 s each)
# Needs the targets built (build.sh, or make fuzz) in $FUZZ_BIN (default
# tests/fuzz/bin). Corpora and findings go to $FUZZ_WORK (default
# tests/fuzz/work): crash-*, leak-*, timeout-* files are reproducers, run
# again with: tests/fuzz/bin/TARGET FILE. Prints "TARGET: ok" or
# "TARGET: FAILED" per target; exits 1 if any found something.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=${FUZZ_BIN:-$top/tests/fuzz/bin}
work=${FUZZ_WORK:-$top/tests/fuzz/work}
secs=60
if [ "${1:-}" = "-t" ]; then
    secs=$2
    shift 2
fi
[ $# -gt 0 ] || set -- fuzz_http1 fuzz_pipeline
mkdir -p "$work"
python=/usr/bin/python3
[ -x "$python" ] || python=python3
"$python" "$top/tests/fuzz/seeds.py" "$work/seeds" || exit 1

status=0
for t in "$@"; do
    case $t in
    fuzz_http1) seeds=http1 dict=http1.dict max=70000 quiet= ;;
    fuzz_pipeline) seeds=pipeline dict=pipeline.dict max=65536 \
        quiet=-close_fd_mask=2 ;;
    *) echo "run.sh: unknown target '$t'" >&2; exit 2 ;;
    esac
    mkdir -p "$work/corpus-$t" "$work/findings-$t"
    # -close_fd_mask=2: the program's warnings off, libFuzzer's and the
    # sanitizers' reports kept (fuzz_http1's oracle prints to stderr)
    # shellcheck disable=SC2086
    "$bin/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -max_len=$max -dict="$top/tests/fuzz/dict/$dict" \
        $quiet -print_final_stats=1 \
        -artifact_prefix="$work/findings-$t/" \
        "$work/corpus-$t" "$work/seeds/$seeds" >"$work/$t.log" 2>&1
    rc=$?
    grep -E '^stat::number_of_executed_units|^Done' "$work/$t.log" |
        sed "s/^/$t: /"
    if [ "$rc" -eq 0 ]; then
        echo "$t: ok"
    else
        echo "$t: FAILED (rc $rc); log $work/$t.log, reproducers:"
        ls "$work/findings-$t"
        grep -E 'ERROR|SUMMARY|fuzz_http1:|runtime error' "$work/$t.log" |
            head -20
        status=1
    fi
done
exit $status
