#!/bin/sh
# output-errors.sh: output that cannot be written is an error: one line on
# stderr and exit 2, for the text report and JSON alike (a full disk, a
# closed standard output, a reader gone with SIGPIPE ignored).
. "$(dirname "$0")/lib.sh"
GOOD=$SAMPLES/curl-expect-100.pcap
# enough output to fill a 64 KiB pipe many times over (JSON ~500 KB,
# text -v ~130 KB); these samples hold violations: exit 1 when read whole
set -- "$SAMPLES"/*.pcap
MANY="$* $* $* $* $* $* $* $*"

# expect_write_error NAME PATTERN: after a run, exit 2 and one stderr line
# matching "interim: cannot write output: PATTERN"
expect_write_error() {
    lines=$(wc -l <"$TMP/err")
    if [ "$rc" -eq 2 ] && [ "$lines" -eq 1 ] &&
        grep -q "^interim: cannot write output: $2\$" "$TMP/err"; then
        ok
    else
        not_ok "$1: rc=$rc, stderr: $(cat "$TMP/err")"
    fi
}

for opt in -q -v -j; do
    timeout 60 "$INTERIM" $opt "$GOOD" >/dev/full 2>"$TMP/err"; rc=$?
    expect_write_error "$opt to /dev/full" "No space left on device"
    timeout 60 "$INTERIM" $opt "$GOOD" >&- 2>"$TMP/err"; rc=$?
    expect_write_error "$opt with standard output closed" "Bad file descriptor"
done
timeout 60 "$INTERIM" --help >/dev/full 2>"$TMP/err"; rc=$?
expect_write_error "--help to /dev/full" "No space left on device"

# A reader that goes away, SIGPIPE ignored (as Python's subprocess and
# `trap '' PIPE` leave it): EPIPE is an error, though violations were found.
for opt in -j -v; do
    # shellcheck disable=SC2086
    (trap '' PIPE
     { timeout 60 "$INTERIM" $opt $MANY 2>"$TMP/err"; echo $? >"$TMP/rc"; } |
         head -c 1 >/dev/null)
    rc=$(cat "$TMP/rc")
    expect_write_error "$opt into a closed pipe, SIGPIPE ignored" "Broken pipe"
done

# SIGPIPE at its default: | head -1 ends interim at once, by the signal (as
# grep and tcpdump do) or with exit 2; never the whole input read for
# nobody (timeout: 124).
# shellcheck disable=SC2086
{ timeout 60 "$INTERIM" -j $MANY 2>"$TMP/err"; echo $? >"$TMP/rc"; } | head -1 >"$TMP/out"
rc=$(cat "$TMP/rc")
if { [ "$rc" -eq 141 ] || [ "$rc" -eq 2 ]; } && [ "$(wc -l <"$TMP/out")" -eq 1 ]; then
    ok
else
    not_ok "| head -1: rc=$rc, stderr: $(cat "$TMP/err")"
fi

# and a healthy run still exits as before, with nothing on stderr
run -j "$GOOD"
if [ "$rc" -eq 0 ] && [ ! -s "$TMP/err" ] && [ -s "$TMP/out" ]; then ok; else not_ok "clean run: rc=$rc"; fi

finish
