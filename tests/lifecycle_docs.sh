#!/bin/sh
# lifecycle_docs.sh - docs/api.md against the lifecycle table: the order, return and dispute
# state lists, and the action table (every action the API has, no other, each legal in the
# states the table says and leading where it says).  A state or action added to the code
# and not to the docs (or the other way round) fails here.  orderhubctl's help too: its
# return and dispute steps are the API's, the states it gives as examples are the table's.
set -u
: "${top_builddir:?}" "${top_srcdir:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
doc="$top_srcdir/docs/api.md"

# The backticked names in a piece of a line, one per line, in order.
names() { grep -o '`[a-z_]*`' | tr -d '`'; }
list() { tr '\n' ' ' | sed 's/ $//'; }
# An action's states in any order: the docs list them as reads well.
sorted() { tr ' ' '\n' | sed '/^$/d' | sort | list; }
# Action lines with their from-states sorted.
normal() {
    while IFS= read -r line; do
        case "$line" in
        action*) head=${line%%:*}; rest=${line#*: }
                 printf '%s: %s ->%s\n' "$head" "$(printf '%s' "${rest%%->*}" | sorted)" "${rest#*->}" ;;
        *) printf '%s\n' "$line" ;;
        esac
    done
}

{
    # | `state` | every transition | the order's state: `placed`, ... |
    printf 'state order %s\n' "$(grep -m1 '^| `state` |' "$doc" | sed 's/.*order.s state://' | names | list)"
    printf 'state return %s\n' "$(grep -m1 '^| `returns` |' "$doc" | sed 's/.*Return states://' | names | list)"
    printf 'state dispute %s\n' "$(grep -m1 '^| `disputes` |' "$doc" | sed 's/.*`state` (//; s/).*//' | names | list)"
    # The action table: | call | who | legal when | input |; "as `pack`" is pack's row again.
    sed -n '/^| call | who | legal when | input |/,/^$/p' "$doc" | sed '1,2d; /^$/d' |
    while IFS='|' read -r _ call _ when _; do
        call=$(printf '%s' "$call" | tr -d '` ' | sed 's/{[a-z]*}/*/g')
        case "$when" in
        *' as `'*) alias=$(printf '%s' "$when" | names | head -1)
                   when=$(sed -n "s/^| \`$alias\` |[^|]*|\([^|]*\)|.*/\1/p" "$doc") ;;
        esac
        from=$(printf '%s' "${when%%->*}" | names | list)
        to=""
        case "$when" in *'->'*) to=$(printf '%s' "${when#*->}" | names | head -1) ;; esac
        printf 'action %s: %s ->%s\n' "$call" "$from" "${to:+ $to}"
    done
} | normal > "$tmp/doc"

# compare PRINTER: 0 when the table it prints is the docs', else the diff in $tmp/diff.
compare() {
    "$top_builddir/tests/$1" > "$tmp/raw" || { echo "FAIL: $1"; exit 1; }
    normal < "$tmp/raw" > "$tmp/table"
    diff -u "$tmp/table" "$tmp/doc" > "$tmp/diff"
}

if ! compare lc_table_print; then
    echo "FAIL: docs/api.md and the lifecycle table disagree (- table, + docs):"
    cat "$tmp/diff"
    exit 1
fi
echo "ok 1 - $(grep -c '^state' "$tmp/table") state lists and $(grep -c '^action' "$tmp/table") actions match docs/api.md"

# The same table with the test-only state "on_hold" (-DLC_TEST_STATE): the docs do not
# list it, so this comparison must fail, naming it.
if compare lc_table_print_test_state || ! grep -q '^-state order .* on_hold$' "$tmp/diff"; then
    echo "FAIL: a state missing from docs/api.md went unnoticed:"
    cat "$tmp/diff"
    exit 1
fi
echo "ok 2 - a table state missing from docs/api.md is found"

ctl="$top_builddir/tools/orderhubctl/orderhubctl"
"$top_builddir/tests/lc_table_print" > "$tmp/raw"
for flow in return dispute; do
    # "orderhubctl return approve|reject|received|exchange ID RID" -> the steps on an id
    "$ctl" "$flow" --help 2>&1 | sed -n "s/.*orderhubctl $flow \([a-z|]*\) ID [RD]ID.*/\1/p" |
        tr '|' '\n' | sort > "$tmp/ctl"
    sed -n "s/^action ${flow}s\/\*\/\([a-z]*\):.*/\1/p" "$tmp/raw" | sort > "$tmp/api"
    if [ ! -s "$tmp/api" ] || ! diff -u "$tmp/api" "$tmp/ctl"; then
        echo "FAIL: orderhubctl $flow's steps are not the API's (- API, + orderhubctl)"
        exit 1
    fi
done
states=$(sed -n 's/^state order //p' "$tmp/raw")
named=0
for s in $("$ctl" list --help 2>&1 | sed -n 's/.*only orders in state ST (\(.*\)).*/\1/p' | tr -d ',.'); do
    case " $states " in
    *" $s "*) named=$((named + 1)) ;;
    *) echo "FAIL: orderhubctl list --help names '$s', no order state"; exit 1 ;;
    esac
done
[ "$named" -gt 0 ] || { echo "FAIL: no state found in orderhubctl list --help"; exit 1; }
echo "ok 3 - orderhubctl's return and dispute steps and its example states are the table's"
