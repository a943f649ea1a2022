#!/bin/sh
# junit.sh: --junit FILE writes JUnit XML that validates against the
# elements and attributes CI tools require (tests/junit.xsd): one suite per
# capture file, one test case per rule, failed when the rule fired at or
# above --fail-on in that file, skipped when disabled; counts add up.
. "$(dirname "$0")/lib.sh"
S=$SAMPLES
XSD=$SRCDIR/tests/junit.xsd

if ! command -v xmllint >/dev/null 2>&1; then
    echo "junit.sh: skipped: xmllint not installed (libxml2-utils)"
    exit 77
fi
check() {   # check NAME CONDITION...: CONDITION is a command
    name=$1
    shift
    if "$@"; then ok; else not_ok "$name"; fi
}
valid() {  # valid FILE: against the schema, saying why not
    xmllint --noout --schema "$XSD" "$1" 2>"$TMP/xmllint" ||
        { cat "$TMP/xmllint"; return 1; }
}
# xp FILE XPATH: the value of an XPath expression
xp() { xmllint --xpath "$2" "$1" 2>/dev/null; }
is() {      # is NAME WANT FILE XPATH
    got=$(xp "$3" "$4")
    if [ "$got" = "$2" ]; then ok; else not_ok "$1: want $2, got '$got' ($4)"; fi
}
rules=$("$INTERIM" --list-rules -j | wc -l)

# The schema itself can fail: a failure without its type is refused.
printf '<testsuites tests="1" failures="1" errors="0"><testsuite name="a" tests="1" failures="1" errors="0" skipped="0" time="0"><testcase classname="a" name="r"><failure message="m">x</failure></testcase></testsuite></testsuites>\n' >"$TMP/bad.xml"
check "the schema refuses a failure without type" sh -c "! xmllint --noout --schema '$XSD' '$TMP/bad.xml' 2>/dev/null"

# Four files in one run: two violations in the first, none in the second,
# notices and a warning (below --fail-on error) in the third, the fourth's
# rule disabled.
A=$S/raw-101-no-upgrade.pcap B=$S/node-continue.pcap C=$S/raw-unknown-1xx.pcap D=$S/rule-continue-repeated.pcap
run --junit "$TMP/j.xml" --disable continue-repeated "$A" "$B" "$C" "$D"
check "exit status as without --junit (1)" test "$rc" -eq 1
check "valid JUnit XML" valid "$TMP/j.xml"
is "four suites" 4 "$TMP/j.xml" 'count(/testsuites/testsuite)'
is "a test case per rule per file" $((4 * rules)) "$TMP/j.xml" 'count(//testcase)'
is "testsuites tests" $((4 * rules)) "$TMP/j.xml" 'string(/testsuites/@tests)'
is "testsuites failures" 2 "$TMP/j.xml" 'string(/testsuites/@failures)'
is "testsuites skipped: one disabled rule in each file" 4 "$TMP/j.xml" 'string(/testsuites/@skipped)'
is "testsuites errors" 0 "$TMP/j.xml" 'string(/testsuites/@errors)'
is "suite named after the file" "$A" "$TMP/j.xml" 'string(/testsuites/testsuite[1]/@name)'
is "suite tests" "$rules" "$TMP/j.xml" "string(/testsuites/testsuite[1]/@tests)"
is "first file: 2 failures" 2 "$TMP/j.xml" "string(/testsuites/testsuite[1]/@failures)"
is "first file: its two rules fail" "upgrade-missing upgrade-unrequested" "$TMP/j.xml" \
    "concat(//testsuite[1]/testcase[failure][2]/@name, ' ', //testsuite[1]/testcase[failure][1]/@name)"
is "failure type is the severity" error "$TMP/j.xml" \
    'string(//testsuite[1]/testcase[@name="upgrade-missing"]/failure/@type)'
is "classname is the file" "$A" "$TMP/j.xml" \
    'string(//testsuite[1]/testcase[@name="upgrade-missing"]/@classname)'
msg=$("$INTERIM" -j "$A" | grep '"rule":"upgrade-missing"' | sed 's/.*"message":"\([^"]*\)".*/\1/')
is "failure message: the violation's" "$msg" "$TMP/j.xml" \
    'string(//testsuite[1]/testcase[@name="upgrade-missing"]/failure/@message)'
xp "$TMP/j.xml" 'string(//testsuite[1]/testcase[@name="upgrade-missing"]/failure)' >"$TMP/body"
check "failure body: the violation, with its connection and request" \
    grep -qxF "2026-11-24T18:34:21.083278Z  127.0.0.1:36154 -> 127.0.0.1:18087  GET /plain HTTP/1.1: $msg" "$TMP/body"
is "second file: no failure" 0 "$TMP/j.xml" "string(/testsuites/testsuite[2]/@failures)"
is "third file: none at --fail-on error" 0 "$TMP/j.xml" "string(/testsuites/testsuite[3]/@failures)"
is "third file: what fired below --fail-on is system-out" 3 "$TMP/j.xml" \
    "count(/testsuites/testsuite[3]/testcase/system-out)"
is "fourth file: the disabled rule is skipped" 1 "$TMP/j.xml" \
    'count(//testsuite[4]/testcase[@name="continue-repeated"]/skipped)'
is "fourth file: no failure" 0 "$TMP/j.xml" "string(/testsuites/testsuite[4]/@failures)"

# --fail-on notice: the third file's three rules fail, typed by severity
run --junit "$TMP/n.xml" --fail-on notice "$C"
check "--fail-on notice: valid" valid "$TMP/n.xml"
is "--fail-on notice: 3 failures" 3 "$TMP/n.xml" "string(/testsuites/@failures)"
is "--fail-on notice: types" "notice notice warning" "$TMP/n.xml" \
    "concat(//testcase[@name='interim-unknown']/failure/@type, ' ', //testcase[@name='early-hints-without-link']/failure/@type, ' ', //testcase[@name='interim-version-http10']/failure/@type)"
run --junit "$TMP/never.xml" --fail-on never "$A"
is "--fail-on never: no failure" 0 "$TMP/never.xml" "string(/testsuites/@failures)"

# many violations of one rule: each is a line of the body (the first 20)
run -j "$S/crafted-handshake-timeout.pcap"
n=$(grep -c '"rule":"handshake-timeout"' "$TMP/out")
run --junit "$TMP/h.xml" "$S/crafted-handshake-timeout.pcap"
lines=$(xp "$TMP/h.xml" 'string(//testcase[@name="handshake-timeout"]/failure)' | grep -c .)
check "body: one line per violation ($n, got $lines)" test "$lines" -eq "$n"
if [ "$n" -gt 1 ]; then
    is "message counts them" "$n violations; the first: " "$TMP/h.xml" \
        "substring-before(//testcase[@name='handshake-timeout']/failure/@message, ': ')': '"
fi

# a file name that needs escaping
cp "$A" "$TMP/a&b<c\"d'e.pcap"
run --junit "$TMP/esc.xml" "$TMP/a&b<c\"d'e.pcap"
check "escaped file name: valid" valid "$TMP/esc.xml"
is "escaped file name read back" "$TMP/a&b<c\"d'e.pcap" "$TMP/esc.xml" 'string(//testsuite/@name)'

# several captures on standard input: a suite each
cat "$A" "$B" | "$INTERIM" --junit "$TMP/stdin.xml" - >/dev/null 2>&1
check "standard input: valid" valid "$TMP/stdin.xml"
is "standard input: a suite per capture" "- -#2" "$TMP/stdin.xml" \
    "concat(//testsuite[1]/@name, ' ', //testsuite[2]/@name)"
is "standard input: the first capture's failures" 2 "$TMP/stdin.xml" "string(//testsuite[1]/@failures)"

# a truncated file: what cut it short is the suite's system-err
head -c 1000 "$A" >"$TMP/cut.pcap"
run --junit "$TMP/cut.xml" "$TMP/cut.pcap" "$B"
check "truncated: valid" valid "$TMP/cut.xml"
check "truncated: said in its suite" \
    sh -c "xmllint --xpath 'string(//testsuite[1]/system-err)' '$TMP/cut.xml' | grep -q 'truncated'"
is "truncated: not in the next suite" 0 "$TMP/cut.xml" 'count(//testsuite[2]/system-err)'

# errors: one line, exit 2
run --junit "$TMP/no/such/j.xml" "$A"
check "--junit into a missing directory: exit 2, one line" \
    test "$rc" -eq 2 -a "$(wc -l <"$TMP/err")" -eq 1
check "--junit error names the file" grep -q "^interim: cannot open '$TMP/no/such/j.xml': " "$TMP/err"
if [ -w /dev/full ]; then
    run --junit /dev/full "$A"
    check "--junit on a full disk: exit 2" test "$rc" -eq 2
    check "--junit on a full disk: said" grep -q "^interim: cannot write '/dev/full': No space left on device$" "$TMP/err"
fi

finish
