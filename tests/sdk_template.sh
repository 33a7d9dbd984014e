#!/bin/bash
# sdk_template.sh - the plugin template of sdk/template builds OUT OF TREE against an
# installed orderhub (DESTDIR install, nothing but `pkg-config orderhub-sdk`), and the
# INSTALLED orderhubd and orderhub-plugin accept the result:
#
#   - `make install DESTDIR=$tmp/root`, then the template copied to $tmp/template and built
#     with the installed orderhub-sdk.pc (its Cflags must point into DESTDIR);
#   - `orderhubd --check-config -v` on a config naming one carrier_example instance through
#     plugin_path: exit 0, the module listed, the api_key (given as env:NAME) never printed;
#   - `orderhub-plugin info carrier_example.so`: exit 0, kind carrier;
#   - the .so exports exactly one dynamic symbol, orderhub_plugin_entry;
#   - `make check` of the template itself passes.
#
# Run by `make check` with top_builddir and top_srcdir exported; by hand:
#   top_builddir=$PWD top_srcdir=$PWD bash tests/sdk_template.sh; echo $?
# Exit: 0 pass, 1 fail (with the reason), 77 skip (no pkg-config).
set -eu

me=sdk_template
fail() {
    echo "FAIL: $me: $*" >&2
    exit 1
}
note() { echo "$me: $*"; }
# show FILE...: print files (logs, captured output) to stderr, for a failure report.
show() {
    for f in "$@"; do
        [ -s "$f" ] || continue
        echo "---- ${f##*/} ----" >&2
        cat "$f" >&2
    done
    echo "----" >&2
}

PKG_CONFIG=${PKG_CONFIG:-pkg-config}
if ! command -v "$PKG_CONFIG" >/dev/null 2>&1; then
    echo "SKIP: $me: $PKG_CONFIG not found (needed to build a plugin out of tree)"
    exit 77
fi
NM=${NM:-nm}
MAKE=${MAKE:-make}
command -v "$NM" >/dev/null 2>&1 || fail "$NM (binutils) not found: cannot check exports"

[ -n "${top_builddir:-}" ] || fail "top_builddir is not set (run from make check)"
[ -n "${top_srcdir:-}" ] || fail "top_srcdir is not set (run from make check)"
top_builddir=$(cd "$top_builddir" && pwd) || fail "top_builddir: no such directory"
top_srcdir=$(cd "$top_srcdir" && pwd) || fail "top_srcdir: no such directory"
[ -f "$top_srcdir/sdk/template/Makefile" ] || fail "$top_srcdir/sdk/template/Makefile missing"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/orderhub-sdk-template.XXXXXX") || fail "mktemp -d failed"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
# Physical path: the loader reports realpath()s, and we compare against it.
tmp=$(cd "$tmp" && pwd -P)

# Nothing from the caller's environment may change which plugin gets loaded.
unset ORDERHUB_PLUGIN_PATH

# ---- 1. install into a DESTDIR ----------------------------------------------------------
note "make install DESTDIR=$tmp/root"
if ! "$MAKE" -C "$top_builddir" install DESTDIR="$tmp/root" >"$tmp/install.log" 2>&1; then
    show "$tmp/install.log"
    fail "make install DESTDIR=... failed (log above)"
fi
pcfile=$(find "$tmp/root" -name orderhub-sdk.pc -type f | head -n 1)
orderhubd=$(find "$tmp/root" -path '*/sbin/orderhubd' -type f | head -n 1)
orderhub_plugin=$(find "$tmp/root" -path '*/bin/orderhub-plugin' -type f | head -n 1)
[ -n "$pcfile" ] || fail "make install put no orderhub-sdk.pc under $tmp/root"
[ -n "$orderhubd" ] || fail "make install put no sbin/orderhubd under $tmp/root"
[ -n "$orderhub_plugin" ] || fail "make install put no bin/orderhub-plugin under $tmp/root"

# ---- 2. point pkg-config at the installed orderhub-sdk.pc --------------------------------
# PKG_CONFIG_SYSROOT_DIR="$tmp/root" would also prefix the -I of jansson and libxml-2.0
# (which orderhub-sdk Requires and which live in the real /usr), giving
# -I$tmp/root/usr/include/libxml2 and "libxml/tree.h: No such file".  So relocate only
# orderhub-sdk: a copy of the installed .pc whose absolute variables (prefix, and any
# directory configured outside it) point into DESTDIR.  Its Requires resolve as usual.
mkdir "$tmp/pkgconfig"
sed -e "s|^\([A-Za-z_][A-Za-z0-9_.]*=\)/|\1$tmp/root/|" "$pcfile" \
    >"$tmp/pkgconfig/orderhub-sdk.pc"
PKG_CONFIG_PATH="$tmp/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export PKG_CONFIG PKG_CONFIG_PATH
if ! sdk_cflags=$("$PKG_CONFIG" --cflags orderhub-sdk 2>"$tmp/pkg-config.err"); then
    show "$tmp/pkgconfig/orderhub-sdk.pc" "$tmp/pkg-config.err"
    fail "$PKG_CONFIG --cflags orderhub-sdk failed with the installed .pc"
fi
case " $sdk_cflags " in
*" -I$tmp/root/"*) ;;
*) fail "pkg-config orderhub-sdk Cflags do not point into DESTDIR: $sdk_cflags" ;;
esac
includedir=$("$PKG_CONFIG" --variable=includedir orderhub-sdk)
[ -f "$includedir/orderhub/orderhub.h" ] ||
    fail "installed .pc names includedir $includedir, which has no orderhub/orderhub.h"

# ---- 3. build the template out of tree ----------------------------------------------------
cp -R "$top_srcdir/sdk/template" "$tmp/template"
chmod -R u+w "$tmp/template"     # a distcheck srcdir is read-only
rm -f "$tmp/template"/*.so       # never test a stale build from the source tree
so="$tmp/template/carrier_example.so"
note "make -C $tmp/template"
# Build it the way an integrator would, from a plain shell: no MAKEFLAGS of ours.
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$MAKE" -C "$tmp/template" \
    >"$tmp/template.log" 2>&1; then
    show "$tmp/template.log"
    fail "the template does not build out of tree with pkg-config orderhub-sdk (log above)"
fi
[ -f "$so" ] || fail "make in the template produced no carrier_example.so"

# ---- 4. the installed orderhubd loads it through plugin_path -----------------------------
key="oh-template-key-$$-$RANDOM-do-not-print"
export ORDERHUB_TEST_EXAMPLE_KEY="$key"
cat >"$tmp/orderhub.conf" <<EOF
# written by tests/sdk_template.sh
plugin_path = [ "$tmp/template" ];
plugins = (
  { id = "example"; module = "carrier_example";
    settings = { base_url = "https://api.example-carrier.test/";
                 api_key = "env:ORDERHUB_TEST_EXAMPLE_KEY"; }; }
);
routes = (
  { on = "fulfillment.packed"; chain = [ "example" ]; }
);
EOF
note "$orderhubd --check-config -v -c $tmp/orderhub.conf"
rc=0
"$orderhubd" --check-config -v -c "$tmp/orderhub.conf" >"$tmp/check.out" 2>"$tmp/check.err" ||
    rc=$?
if [ "$rc" -ne 0 ]; then
    show "$tmp/orderhub.conf" "$tmp/check.out" "$tmp/check.err"
    fail "installed orderhubd --check-config exited $rc on the template plugin (output above)"
fi
if grep -qF -- "$key" "$tmp/check.out" "$tmp/check.err"; then
    fail "orderhubd --check-config -v printed the api_key value: sensitive setting leaked"
fi
grep -qF '"module": "carrier_example"' "$tmp/check.out" || {
    show "$tmp/check.out"
    fail "orderhubd --check-config -v does not list \"module\": \"carrier_example\""
}
grep -qF "\"path\": \"$so\"" "$tmp/check.out" || {
    show "$tmp/check.out"
    fail "orderhubd did not load the template's .so from plugin_path ($so)"
}
grep -qF '"api_key": "***"' "$tmp/check.out" || {
    show "$tmp/check.out"
    fail "orderhubd --check-config -v does not show the api_key as \"***\""
}

# ---- 5. the installed orderhub-plugin accepts it -----------------------------------------
note "$orderhub_plugin info $so"
rc=0
"$orderhub_plugin" info "$so" >"$tmp/info.out" 2>"$tmp/info.err" || rc=$?
if [ "$rc" -ne 0 ]; then
    show "$tmp/info.out" "$tmp/info.err"
    fail "installed orderhub-plugin info exited $rc on the template plugin (output above)"
fi
grep -qF '"kind": "carrier"' "$tmp/info.out" || {
    show "$tmp/info.out"
    fail "orderhub-plugin info does not report \"kind\": \"carrier\""
}

# ---- 6. exactly one exported symbol -------------------------------------------------------
syms=$("$NM" -D --defined-only "$so" | awk 'NF { print $NF }')
if [ "$syms" != "orderhub_plugin_entry" ]; then
    fail "carrier_example.so must export exactly orderhub_plugin_entry; it exports:" \
        "$(echo "$syms" | tr '\n' ' ')"
fi

# ---- 7. the template's own `make check` (the same checks, as an integrator runs them) --
note "make -C $tmp/template check"
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL "$MAKE" -C "$tmp/template" check \
    ORDERHUB_PLUGIN="$orderhub_plugin" NM="$NM" >"$tmp/template-check.log" 2>&1; then
    show "$tmp/template-check.log"
    fail "make check in the template failed (log above)"
fi

note "PASS: template built out of tree, loaded by the installed orderhubd and orderhub-plugin"
exit 0
