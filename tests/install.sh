#!/bin/sh
# install.sh: `make install` puts the program and its man page where
# `man interim` finds them, with DESTDIR (as packagers stage it) and with
# a prefix; `make uninstall` takes them away again.
. "$(dirname "$0")/lib.sh"
: "${BUILDDIR:=$SRCDIR}"

if [ ! -f "$BUILDDIR/Makefile" ]; then
    echo "install.sh: skipped: no Makefile in '$BUILDDIR' (configure first)"
    exit 77
fi
check() {   # check NAME CONDITION...: CONDITION is a command
    name=$1
    shift
    if "$@"; then ok; else not_ok "$name"; fi
}
# make ARGS...: in the build tree, quietly, outside the make running us
mk() {
    env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "${MAKE:-make}" -s -C "$BUILDDIR" \
        "$@" >"$TMP/make.log" 2>&1 || { cat "$TMP/make.log"; return 1; }
}
prefix=$(sed -n 's/^prefix = //p' "$BUILDDIR/Makefile")

check "make install DESTDIR=..." mk install DESTDIR="$TMP/dest"
D=$TMP/dest$prefix
check "DESTDIR: the program in bin/" sh -c "'$D/bin/interim' -V | grep -q '^interim [0-9]'"
check "DESTDIR: the man page in share/man/man1/" cmp -s "$D/share/man/man1/interim.1" "$SRCDIR/man/interim.1"

check "make install prefix=..." mk install prefix="$TMP/p"
check "prefix: the program" sh -c "'$TMP/p/bin/interim' -V | grep -q '^interim [0-9]'"
check "prefix: the man page" test -f "$TMP/p/share/man/man1/interim.1"
if command -v man >/dev/null 2>&1; then
    check "man -w interim finds it" \
        test "$(MANPATH="$TMP/p/share/man" man -w interim 2>&1)" = "$TMP/p/share/man/man1/interim.1"
    check "man interim shows it" sh -c "MANPATH='$TMP/p/share/man' MANWIDTH=80 man -P cat interim 2>/dev/null |
        grep -q 'interim - analyse HTTP/1.x interim (1xx) responses'"
else
    echo "install.sh: man not installed: man interim not tried"
fi
check "make uninstall prefix=..." mk uninstall prefix="$TMP/p"
check "uninstall: nothing left" test ! -e "$TMP/p/bin/interim" -a ! -e "$TMP/p/share/man/man1/interim.1"

finish
