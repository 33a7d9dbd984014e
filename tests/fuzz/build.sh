#!/bin/bash
# build.sh - the OSS-Fuzz build script of orderhub (tests/fuzz/README.md, "OSS-Fuzz").
#
# Honours OSS-Fuzz's contract: $CC and $CFLAGS (the engine's and sanitizer's
# instrumentation already in them), $LIB_FUZZING_ENGINE (link flags of the engine), $SRC
# (orderhub checked out as $SRC/orderhub, or this script's tree), $OUT (where the targets,
# their .dict, .options and _seed_corpus.zip go) and $WORK (scratch).  Outside OSS-Fuzz it
# works the same with defaults: CC=clang, libFuzzer with ASan+UBSan, OUT=./fuzz-out.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
[ -n "${SRC:-}" ] && [ -d "$SRC/orderhub" ] && top="$SRC/orderhub"
export CC=${CC:-clang}
OUT=${OUT:-$PWD/fuzz-out}
WORK=${WORK:-$(mktemp -d)}
mkdir -p "$OUT" "$WORK/orderhub-build"

[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi > /dev/null)
cd "$WORK/orderhub-build"
# configure adds its own ASan+UBSan+coverage flags only when CFLAGS carry none (not OSS-Fuzz).
[ -f Makefile ] || "$top/configure" -q --enable-fuzzing \
    ${LIB_FUZZING_ENGINE:+LIB_FUZZING_ENGINE="$LIB_FUZZING_ENGINE"} 2>&1 |
    grep -v "cannot remove 'core'" || true
[ -f Makefile ] || { echo "build.sh: configure failed (config.log)" >&2; exit 1; }
make -j"$(nproc)" fuzz-build > make.log 2>&1 || { tail -40 make.log; exit 1; }

targets=$(cd tests/fuzz && ls fuzz_* | grep -E '^fuzz_[a-z_]+$')
# shellcheck disable=SC2086
sh "$top/tests/fuzz/seeds.sh" "$top" "$WORK/staged" $targets
for t in $targets; do
    cp "tests/fuzz/$t" "$OUT/"
    cp "$WORK/staged/$t.dict" "$OUT/"
    [ -f "$WORK/staged/$t.options" ] && cp "$WORK/staged/$t.options" "$OUT/"
    rm -f "$OUT/${t}_seed_corpus.zip"
    (cd "$WORK/staged/${t}_seed_corpus" && zip -q -r "$OUT/${t}_seed_corpus.zip" .)
done
echo "build.sh: $(echo "$targets" | wc -w) targets in $OUT"
