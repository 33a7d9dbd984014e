#!/bin/bash
# payment_fixtures.sh - every recorded gateway answer and webhook under
# plugins/payment/*/fixtures/ run through its plugin with orderhub-plugin, as an integrator
# would.  The plugin is the folder's payment_<folder> module.
#
#   OPERATION-NAME.json|.xml  an answer to OPERATION (authorize, capture, void, refund), run
#                             through `payment-parse PLUGIN OPERATION FILE`
#   OPERATION-NAME.input      an oh_payment_input as JSON (--input), when parse needs it
#   input.json                the same for every answer of the folder without its own
#   webhook-NAME.json|.xml    an inbound webhook body, run through `webhook-verify`
#   webhook-NAME.headers      its request headers, one "Name: value" a line (--header each)
#   NAME.expected.json        the output it must give (compared with jq -S); for a webhook,
#                             what `webhook-parse` must print (verify must pass too)
#   NAME.expected-error       a text the rejection on stderr must contain (exit status 1)
#   NAME.expected-exit        a webhook's expected webhook-verify exit status (0 valid, 1 not)
#   NAME.args                 extra arguments (--status 402, --header Name:value, --secret S
#                             --now T); words split on blanks, '#' lines ignored
#   settings.args             arguments for every file of the folder (--setting k=v ...)
#
# A file with no expectation fails: an answer nobody checks proves nothing.
set -u
: "${top_builddir:?}" "${top_srcdir:?}" "${PLUGIN_DIR:?}"
command -v jq > /dev/null || exit 77
tool="$top_builddir/sdk/orderhub-plugin"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 failed=0
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
good() { pass=$((pass + 1)); echo "ok $pass - $*"; }

words() { [ -f "$1" ] && grep -v '^#' "$1" | tr '\n' ' '; }

# compare_json EXPECTED ACTUAL LABEL
compare_json() {
    if ! diff <(jq -S . "$1") <(jq -S . "$2") > "$tmp/diff" 2>&1; then
        bad "$3: output differs from $(basename "$1")"
        cat "$tmp/diff"
        return 1
    fi
}

# expect_rejection STEM LABEL RC: exit 1 and the .expected-error text on stderr
expect_rejection() {
    local want
    want=$(head -1 "$1.expected-error")
    if [ "$3" -ne 1 ]; then
        bad "$2: expected a rejection (exit 1), got exit $3"; cat "$tmp/out"
    elif ! grep -qF -- "$want" "$tmp/err"; then
        bad "$2: rejection does not mention '$want': $(cat "$tmp/err")"
    else
        good "$2 rejected: $want"
    fi
}

run_answer() { # PLUGIN OPERATION FILE
    local plugin=$1 op=$2 answer=$3 stem=${3%.*} label
    label="$plugin $(basename "$answer")"
    local input=()
    if [ -f "$stem.input" ]; then
        input=(--input "$stem.input")
    elif [ -f "$(dirname "$stem")/input.json" ]; then
        input=(--input "$(dirname "$stem")/input.json")
    fi
    # shellcheck disable=SC2207
    local extra=($(words "$stem.args"))
    "$tool" -P "$PLUGIN_DIR" payment-parse "$plugin" "$op" "$answer" "${common[@]}" \
        "${input[@]}" "${extra[@]}" > "$tmp/out" 2> "$tmp/err"
    local rc=$?
    if [ -f "$stem.expected.json" ]; then
        if [ $rc -ne 0 ]; then
            bad "$label: exit $rc: $(cat "$tmp/err")"
        elif compare_json "$stem.expected.json" "$tmp/out" "$label"; then
            good "$label"
        fi
    elif [ -f "$stem.expected-error" ]; then
        expect_rejection "$stem" "$label" $rc
    else
        bad "$label: no $(basename "$stem").expected.json nor .expected-error"
    fi
}

run_webhook() { # PLUGIN FILE
    local plugin=$1 body=$2 stem=${2%.*} label
    label="$plugin $(basename "$body")"
    local headers=()
    if [ -f "$stem.headers" ]; then
        while IFS= read -r line || [ -n "$line" ]; do
            line=${line%$'\r'}
            [ -n "$line" ] && headers+=(--header "$line")
        done < "$stem.headers"
    fi
    # shellcheck disable=SC2207
    local extra=($(words "$stem.args"))
    if [ ! -f "$stem.expected-exit" ] && [ ! -f "$stem.expected.json" ]; then
        bad "$label: no $(basename "$stem").expected-exit nor .expected.json"
        return
    fi
    local want=0
    [ -f "$stem.expected-exit" ] && want=$(head -1 "$stem.expected-exit")
    "$tool" -P "$PLUGIN_DIR" webhook-verify "$plugin" "${headers[@]}" "$body" \
        "${common[@]}" "${extra[@]}" > "$tmp/out" 2> "$tmp/err"
    local rc=$?
    if [ "$rc" != "$want" ]; then
        bad "$label: webhook-verify exit $rc, expected $want: $(cat "$tmp/out" "$tmp/err")"
        return
    fi
    if [ "$rc" = 0 ] && [ "$(cat "$tmp/out")" != valid ]; then
        bad "$label: webhook-verify printed '$(cat "$tmp/out")', not 'valid'"
        return
    fi
    if [ -f "$stem.expected-error" ] && ! grep -qF -- "$(head -1 "$stem.expected-error")" "$tmp/err"; then
        bad "$label: refusal does not mention '$(head -1 "$stem.expected-error")': $(cat "$tmp/err")"
        return
    fi
    if [ -f "$stem.expected.json" ]; then
        # Only the settings: --secret and --now mean nothing to webhook-parse.
        local settings=() i
        for ((i = 0; i < ${#extra[@]}; i++)); do
            [ "${extra[$i]}" = --setting ] && settings+=(--setting "${extra[$((i + 1))]}")
        done
        if ! "$tool" -P "$PLUGIN_DIR" webhook-parse "$plugin" "${headers[@]}" "$body" \
            "${common[@]}" "${settings[@]}" > "$tmp/out" 2> "$tmp/err"; then
            bad "$label: webhook-parse failed: $(cat "$tmp/err")"
            return
        fi
        compare_json "$stem.expected.json" "$tmp/out" "$label" || return
    fi
    local parsed=""
    [ -f "$stem.expected.json" ] && parsed=", parsed as expected"
    good "$label: webhook-verify exit $rc$parsed"
}

for dir in "$top_srcdir"/plugins/payment/*/fixtures; do
    [ -d "$dir" ] || continue
    plugin="payment_$(basename "$(dirname "$dir")")"
    [ -f "$PLUGIN_DIR/$plugin.so" ] || { echo "skip $plugin: not built"; continue; }
    # shellcheck disable=SC2207
    common=($(words "$dir/settings.args"))
    for file in "$dir"/*.json "$dir"/*.xml; do
        [ -f "$file" ] || continue
        case "$file" in *.expected.json | */input.json) continue ;; esac
        name=$(basename "$file")
        case "$name" in
        authorize-* | capture-* | void-* | refund-*) run_answer "$plugin" "${name%%-*}" "$file" ;;
        webhook-*) run_webhook "$plugin" "$file" ;;
        *) bad "$plugin $name: not OPERATION-NAME nor webhook-NAME" ;;
        esac
    done
done
echo "$pass passed, $failed failed"
[ $failed -eq 0 ] && [ $pass -gt 0 ]
