#!/bin/sh
# flood.sh: bench/flood.sh on the issue's flood, 1,000,000 SYNs (74 MB in
# /tmp, some 10 s): before the front end held SYNs until their SYN-ACK,
# they filled libnids' stream table, which then let the real connection
# go. A lighter run: FLOOD_SYNS=150000 make check TESTS=tests/flood.sh
# (at that size the ratio is within noise of the 3x limit: the fixed
# costs weigh more).
#
# MARK: "xfail:WHY" while interim is known to miss a check: the run must
# then miss, and once it passes this test fails and says to remove the
# mark. "pass" when it must pass (since the front end holds each SYN until
# its SYN-ACK, libnids' table no longer fills with the flood). With a
# sanitizer build only the violation is checked.
MARK=pass
. "$(dirname "$0")/lib.sh"

no_perf=0
if command -v ldd >/dev/null && ldd "$INTERIM" 2>/dev/null | grep -q libasan; then
    no_perf=1
fi
FLOOD_SYNS=${FLOOD_SYNS:-1000000} FLOOD_NO_PERF=$no_perf INTERIM=$INTERIM \
    "$SRCDIR/bench/flood.sh" >"$TMP/out" 2>"$TMP/err"
rc=$?
cat "$TMP/out"
case $MARK:$rc in
pass:0) ok ;;
pass:1) not_ok "the flood: a check missed" ;;
xfail:*:1) ok; printf 'XFAIL: the flood (%s)\n' "${MARK#xfail:}" ;;
xfail:*:0) not_ok "the flood now passes: set MARK=pass in tests/flood.sh" ;;
*) not_ok "bench/flood.sh: exit $rc: $(tail -1 "$TMP/err")" ;;
esac
finish
