#!/bin/sh
# regen.sh [NAME...]: rewrite tests/expected/NAME (all when none given) from
# the current binary, for a change of output that is intended. Review the
# diff before committing it.
. "$(dirname "$0")/lib.sh"
mkdir -p "$SRCDIR/tests/expected"
while read -r name capture opts; do
    case $name in ''|'#'*) continue ;; esac
    if [ $# -gt 0 ]; then
        case " $* " in *" $name "*) ;; *) continue ;; esac
    fi
    # shellcheck disable=SC2086
    run $opts "$SAMPLES/$capture"
    echo "exit $rc" >>"$TMP/out"
    cp "$TMP/out" "$SRCDIR/tests/expected/$name"
    echo "wrote tests/expected/$name"
done <"$SRCDIR/tests/TESTLIST"
