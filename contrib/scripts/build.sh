#!/bin/sh
# build.sh [BUILD_DIR] [configure options...] - bootstrap and build out of tree.
# Default BUILD_DIR: _build at the top of the source tree.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=${1:-"$top/_build"}
[ $# -gt 0 ] && shift
"$top/contrib/scripts/install-deps.sh"
# configure's own probes run `rm -f core`; our core/ directory makes that print noise only.
[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi > /dev/null 2>&1)
mkdir -p "$dir"
cd "$dir"
[ -f Makefile ] || "$top/configure" -q "$@" 2>&1 | grep -v "cannot remove 'core'" || true
[ -f Makefile ] || { echo "build.sh: configure failed (see $dir/config.log)"; exit 1; }
make -j"$(nproc)" > make.log 2>&1 || { tail -50 make.log; exit 1; }
echo "build.sh: built in $dir"
