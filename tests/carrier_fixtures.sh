#!/bin/bash
# carrier_fixtures.sh - every recorded carrier answer under plugins/carrier/*/fixtures/ run
# through its plugin with `orderhub-plugin track-parse`, as an integrator would:
#
#   NAME.xml|NAME.json        the answer, as the carrier sends it
#   label-NAME.json           a label answer: run through label-parse instead, with the
#   rate-NAME.json            shipment label-NAME.shipment if present, else the folder's
#                             shipment.json; rate-NAME.json likewise through rate-parse
#   auth-NAME.json            a token answer of the plugin's auth step: run through
#                             auth-parse (prints expires_in_s and token_bytes)
#   void-NAME.json            a label void answer: run through void-parse with the label
#                             void-NAME.label if present, else the folder's label.json
#                             (both what label-parse prints)
#   shipment.json             the folder's default shipment (not an answer)
#   NAME.expected.json        the normalised tracking it must give (compared with jq -S), or
#   NAME.expected-error       a text the rejection on stderr must contain (exit status 1)
#   NAME.args                 extra arguments for this answer (--status 404, --number N)
#   request-NAME.args         a request to build: the verb and its arguments on one line
#                             ("void-request PLUGIN @DIR@/label.json"; @DIR@ is this folder),
#                             its printed request compared with request-NAME.expected.json
#   settings.args             arguments for every answer of the folder (--setting k=v ...)
#
# The plugin is the folder's carrier_<folder> module.  A fixture with neither expectation
# fails: an answer nobody checks proves nothing.
set -u
: "${top_builddir:?}" "${top_srcdir:?}" "${PLUGIN_DIR:?}"
tool="$top_builddir/sdk/orderhub-plugin"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 failed=0
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }

words() { [ -f "$1" ] && grep -v '^#' "$1" | tr '\n' ' '; }

for dir in "$top_srcdir"/plugins/carrier/*/fixtures; do
    [ -d "$dir" ] || continue
    name=$(basename "$(dirname "$dir")")
    plugin="carrier_$name"
    [ -f "$PLUGIN_DIR/$plugin.so" ] || { echo "skip $plugin: not built"; continue; }
    # shellcheck disable=SC2207
    common=($(words "$dir/settings.args"))
    for args in "$dir"/request-*.args; do
        [ -f "$args" ] || continue
        stem=${args%.args}
        label="$plugin $(basename "$stem")"
        # shellcheck disable=SC2207
        argv=($(words "$args" | sed "s|@DIR@|$dir|g"))
        if ! "$tool" -P "$PLUGIN_DIR" "${argv[@]}" "${common[@]}" > "$tmp/out" 2> "$tmp/err"; then
            bad "$label: $(cat "$tmp/err")"
        elif [ ! -f "$stem.expected.json" ]; then
            bad "$label: no $(basename "$stem").expected.json"
        elif ! diff <(jq -S . "$stem.expected.json") <(jq -S . "$tmp/out") > "$tmp/diff"; then
            bad "$label: request differs from $(basename "$stem").expected.json"
            cat "$tmp/diff"
        else
            pass=$((pass + 1)); echo "ok $pass - $label"
        fi
    done
    for answer in "$dir"/*.xml "$dir"/*.json; do
        [ -f "$answer" ] || continue
        case "$answer" in *.expected.json | */shipment.json | */label.json | */request-*) continue ;; esac
        stem=${answer%.*}
        label="$plugin $(basename "$answer")"
        # shellcheck disable=SC2207
        extra=($(words "$stem.args"))
        verb=(track-parse "$plugin")
        case "$(basename "$answer")" in
        auth-*.json) verb=(auth-parse "$plugin") ;;
        void-*.json)
            ref="$stem.label"
            [ -f "$ref" ] || ref="$dir/label.json"
            if [ ! -f "$ref" ]; then
                bad "$label: no $(basename "$stem").label nor label.json"
                continue
            fi
            verb=(void-parse "$plugin" "$ref")
            ;;
        label-*.json | rate-*.json)
            shipment="$stem.shipment"
            [ -f "$shipment" ] || shipment="$dir/shipment.json"
            if [ ! -f "$shipment" ]; then
                bad "$label: no $(basename "$stem").shipment nor shipment.json"
                continue
            fi
            case "$(basename "$answer")" in
            label-*) verb=(label-parse "$plugin" "$shipment") ;;
            *) verb=(rate-parse "$plugin" "$shipment") ;;
            esac
            ;;
        esac
        "$tool" -P "$PLUGIN_DIR" "${verb[@]}" "$answer" "${common[@]}" "${extra[@]}" \
            > "$tmp/out" 2> "$tmp/err"
        rc=$?
        if [ -f "$stem.expected.json" ]; then
            if [ $rc -ne 0 ]; then
                bad "$label: exit $rc: $(cat "$tmp/err")"
            elif ! diff <(jq -S . "$stem.expected.json") <(jq -S . "$tmp/out") > "$tmp/diff"; then
                bad "$label: output differs from $(basename "$stem").expected.json"
                cat "$tmp/diff"
            else
                pass=$((pass + 1)); echo "ok $pass - $label"
            fi
        elif [ -f "$stem.expected-error" ]; then
            want=$(head -1 "$stem.expected-error")
            if [ $rc -ne 1 ]; then
                bad "$label: expected a rejection (exit 1), got exit $rc"
                cat "$tmp/out"
            elif ! grep -qF -- "$want" "$tmp/err"; then
                bad "$label: rejection does not mention '$want': $(cat "$tmp/err")"
            else
                pass=$((pass + 1)); echo "ok $pass - $label rejected: $want"
            fi
        else
            bad "$label: no $(basename "$stem").expected.json nor .expected-error"
        fi
    done
done
echo "$pass passed, $failed failed"
[ $failed -eq 0 ] && [ $pass -gt 0 ]
