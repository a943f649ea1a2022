#!/bin/sh
# build.sh: build the libFuzzer targets with clang, ASan and UBSan.
#
# usage: tests/fuzz/build.sh [OUTDIR]     (default: tests/fuzz/bin)
# CC (default clang) must support -fsanitize=fuzzer. Links libnids' deps as
# configure does; libnids itself (a static library) is not instrumented.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/tests/fuzz/bin}
CC=${CC:-clang}
mkdir -p "$out"
flags="-g -O1 -fno-omit-frame-pointer -D_GNU_SOURCE -Wall -Wextra
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
    -I$top/src/capture -I$top/src/analysis -I$top/src/output
    -I$top/dissectors"
libs="-lnids -lnet -lgthread-2.0 -lglib-2.0 -lpcap -ldl"

# the program's sources, from Makefile.am, so that new files come along
srcs=$(sed -n '/^src_interim_SOURCES/,/^$/p' "$top/Makefile.am" |
    tr ' \t\\' '\n\n\n' | grep '\.c$' | sed "s|^|$top/|")
libs="$libs $(pkg-config --libs ncursesw 2>/dev/null || true)"

# dissector + exchange layer (the other stages are linked, not called)
# shellcheck disable=SC2086
$CC $flags -o "$out/fuzz_http1" "$top/tests/fuzz/fuzz_http1.c" \
    $(echo "$srcs" | grep -v '/src/main\.c$') $libs

# the whole program, main() renamed
# shellcheck disable=SC2086
$CC $flags -Dmain=interim_main -o "$out/fuzz_pipeline" \
    "$top/tests/fuzz/fuzz_pipeline.c" $srcs $libs
echo "built $out/fuzz_http1 $out/fuzz_pipeline"
