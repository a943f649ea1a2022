#!/bin/sh
# golden.sh: each line of tests/TESTLIST, "name capture options...", runs
# interim on samples/capture and compares stdout plus the exit status with
# tests/expected/name. tests/regen.sh rewrites an expected file.
. "$(dirname "$0")/lib.sh"

while read -r name capture opts; do
    case $name in ''|'#'*) continue ;; esac
    # shellcheck disable=SC2086
    run $opts "$SAMPLES/$capture"
    echo "exit $rc" >>"$TMP/out"
    if [ ! -f "$SRCDIR/tests/expected/$name" ]; then
        not_ok "$name: no tests/expected/$name (run tests/regen.sh $name)"
    elif diff -u "$SRCDIR/tests/expected/$name" "$TMP/out" >"$TMP/diff"; then
        ok
    else
        not_ok "$name: output differs"
        head -40 "$TMP/diff"
    fi
done <"$SRCDIR/tests/TESTLIST"
finish
