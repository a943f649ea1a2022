# lib.sh: shared by the shell tests. Sourced; expects INTERIM and SRCDIR
# (set by `make check`; defaults work from the top of a built tree).
: "${SRCDIR:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${INTERIM:=$SRCDIR/src/interim}"
export TZ=UTC LC_ALL=C NO_COLOR=1
SAMPLES=$SRCDIR/samples
TMP=$(mktemp -d "${TMPDIR:-/tmp}/interim-test.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
not_ok() { failed=$((failed + 1)); printf 'FAIL: %s\n' "$*"; }

# run ARGS...: interim with a time limit; sets $rc, stdout in $TMP/out,
# stderr in $TMP/err
run() {
    timeout 60 "$INTERIM" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
}

finish() {
    printf '%s: %d passed, %d failed\n' "$(basename "$0")" "$passed" "$failed"
    [ "$failed" -eq 0 ]
}
