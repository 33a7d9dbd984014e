#!/bin/sh
# seeds.sh SRC_TOP OUT_DIR TARGET... - stage what each fuzz target needs next to it, the
# OSS-Fuzz way: OUT_DIR/TARGET_seed_corpus/ (files), OUT_DIR/TARGET.dict and, when the
# target has one, OUT_DIR/TARGET.options.
#
# Seeds are made from the fixtures already in the tree (plugins/*/*/fixtures, conf/, the
# configurations in tests/*.sh), never copied into git: a new fixture is a new seed.  A
# plugin answer gets the two bytes and header part of tests/fuzz/fuzz_plugin.h (INPUT
# FORMAT) from its file name (the operation), its .args (--status, --number, --header) and
# its .headers / .input (else the folder's input.json) / .shipment files.  Targets with no fixtures of their own take
# tests/fuzz/seeds/TARGET/ (a few hand-written inputs).  Dictionaries: the format's tokens
# (tests/fuzz/dict/*.dict) plus every identifier-like string literal of the target's
# parser sources (the field names it looks for), so the lists follow the code.
set -eu
[ $# -ge 3 ] || { echo "usage: $0 SRC_TOP OUT_DIR TARGET..." >&2; exit 2; }
src=$1 out=$2
shift 2
fuzz="$src/tests/fuzz"
mkdir -p "$out"

# The index of a status in FZ_STATUSES (fuzz_plugin.h): keep the two lists equal.
status_index() {
    i=0
    for s in 200 201 202 204 400 401 402 403 404 409 422 429 500 502 503 301; do
        [ "$s" = "$1" ] && { echo $i; return; }
        i=$((i + 1))
    done
    echo "seeds.sh: status $1 is not in FZ_STATUSES" >&2
    exit 1
}

# Operation numbers of fuzz_plugin.h from a fixture's name.
op_index() {
    case "$1" in
    label-*) echo 1 ;; rate-*) echo 2 ;; auth-*) echo 3 ;; webhook-*) echo 4 ;;
    capture-*) echo 1 ;; void-*) echo 2 ;; refund-*) echo 3 ;;
    *) echo 0 ;; # track-*, authorize-*, and answers named by their case (dhl error-400)
    esac
}

args_of() { [ -f "$1" ] && grep -v '^#' "$1" | tr '\n' ' ' || true; }

# The value after each `--OPTION` in the words of $2 (one per line).
option_values() {
    set -f
    # shellcheck disable=SC2086
    set -- "$1" $2
    opt=$1
    shift
    while [ $# -gt 0 ]; do
        if [ "$1" = "$opt" ] && [ $# -gt 1 ]; then echo "$2"; shift; fi
        shift
    done
    set +f
}

# plugin_seed ANSWER OUTFILE: one fixture answer in the plugin input format (sh has no
# local variables: these names are used nowhere else).
plugin_seed() {
    stem=${1%.*} base=$(basename "$1")
    a="$(args_of "$(dirname "$1")/settings.args") $(args_of "$stem.args")"
    status=$(option_values --status "$a" | tail -1)
    op=$(op_index "$base")
    si=$(status_index "${status:-200}")
    {
        printf "\\$(printf '%03o' "$op")\\$(printf '%03o' "$si")"
        option_values --number "$a" | sed 's/^/X-Fuzz-Number: /'
        option_values --header "$a" | sed 's/:/: /'
        [ -f "$stem.headers" ] && cat "$stem.headers"
        input="$stem.input"
        [ -f "$input" ] || input="$(dirname "$1")/input.json"
        if [ -f "$input" ]; then
            tr ',{}' '\n\n\n' < "$input" | sed -n \
                -e 's/^ *"order_id": *"\([^"]*\)".*/X-Fuzz-Order: \1/p' \
                -e 's/^ *"currency": *"\([^"]*\)".*/X-Fuzz-Currency: \1/p' \
                -e 's/^ *"transaction_id": *"\([^"]*\)".*/X-Fuzz-Transaction: \1/p' \
                -e 's/^ *"amount": *\(-*[0-9]*\).*/X-Fuzz-Amount: \1/p'
        fi
        [ -f "$stem.shipment" ] && grep -q '"customs"' "$stem.shipment" &&
            echo "X-Fuzz-Shipment: intl"
        echo
        cat "$1"
    } > "$2"
}

plugin_seeds() { # FIXTURE_DIR SEED_DIR
    [ -d "$1" ] || return 0
    for f in "$1"/*.json "$1"/*.xml; do
        [ -f "$f" ] || continue
        case "$f" in *.expected.json | */shipment.json | */input.json) continue ;; esac
        plugin_seed "$f" "$2/$(basename "$f")"
    done
}

# Identifier-like literals of C sources as dictionary entries; XML names also as tags.
literals() { # xml|json FILE...
    kind=$1
    shift
    grep -ohE '"[A-Za-z_][A-Za-z0-9_.:-]{1,40}"' "$@" | sort -u | while read -r w; do
        echo "$w"
        [ "$kind" = xml ] && echo "$w" | sed 's/^"\(.*\)"$/"<\1>"\n"<\/\1>"/'
        :
    done
}

for t in "$@"; do
    t=$(basename "$t")
    seeds="$out/${t}_seed_corpus"
    rm -rf "$seeds"
    mkdir -p "$seeds"
    [ -d "$fuzz/seeds/$t" ] && cp "$fuzz/seeds/$t"/* "$seeds/"
    dicts="" parsers=""
    case "$t" in
    fuzz_carrier_* | fuzz_payment_*)
        kind=${t#fuzz_}
        kind=${kind%%_*}
        name=${t#fuzz_"$kind"_}
        plugin_seeds "$src/plugins/$kind/$name/fixtures" "$seeds"
        parsers=$(ls "$src/plugins/$kind/$name"/*.c "$src/plugins/common"/*.c)
        case "$name" in
        usps | canadapost | authorizenet) dicts="xml http" ;;
        *) dicts="json http" ;;
        esac
        ;;
    fuzz_notify_*)
        name=${t#fuzz_notify_}
        parsers=$(ls "$src/plugins/notifier/$name"/*.c)
        dicts="json http"
        ;;
    fuzz_signed_webhook)
        for h in "$src"/plugins/payment/stripe/fixtures/webhook-*.headers; do
            { sed -n 's/^Stripe-Signature: //p' "$h"; cat "${h%.headers}.json"; } \
                > "$seeds/$(basename "${h%.headers}")"
        done
        parsers="$src/plugins/common/signed_webhook.c"
        dicts="http"
        ;;
    fuzz_intake)
        cp "$src/conf/sample-order.json" "$seeds/"
        parsers="$src/core/api/intake.c"
        dicts="json"
        ;;
    fuzz_time)
        # Every timestamp written in a fixture, one seed each.
        grep -ohE '[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9:.,]+)?([Zz]|[+-][0-9:]{2,5})?' -r \
            "$src"/plugins/*/*/fixtures | sort -u | head -200 | while read -r ts; do
            printf '%s' "$ts" > "$seeds/$(printf '%s' "$ts" | tr -c 'A-Za-z0-9\n' '_')"
        done
        dicts="time"
        ;;
    fuzz_template)
        for f in "$src"/conf/templates/*/*; do
            cp "$f" "$seeds/$(basename "$(dirname "$f")")-$(basename "$f")"
        done
        for f in "$src"/conf/templates/chat/*.txt; do
            { cat "$f"; printf '\000'; cat "$src/plugins/notifier/common/examples/shipment.delivered.json"; } \
                > "$seeds/event-$(basename "$f")"
        done
        parsers="$src/plugins/notifier/common/nt_vars.c"
        dicts="template json"
        ;;
    fuzz_config)
        cp "$src/conf/orderhub.conf" "$seeds/"
        cp "$src/conf/plugins.d/notifiers.conf" "$seeds/"
        # The configurations the shell tests write (here-documents into *.conf).
        for f in "$src"/tests/*.sh; do
            awk -v base="$seeds/$(basename "$f" .sh)" '
                inside && $0 == end { inside = 0; close(file); next }
                inside { print > file; next }
                /cat > .*\.conf.* <</ { n++; inside = 1; end = $0;
                    sub(/.*<<-?[ \x27"]*/, "", end); sub(/[\x27"].*/, "", end);
                    file = base "-" n ".conf" }' "$f"
        done
        parsers="$src/core/config/config_file.c $src/core/settings/settings.c"
        dicts="libconfig"
        ;;
    *) echo "seeds.sh: unknown target $t" >&2; exit 2 ;;
    esac
    {
        for d in $dicts; do cat "$fuzz/dict/$d.dict"; done
        if [ -n "$parsers" ]; then
            echo "# string literals of the parser sources"
            # shellcheck disable=SC2086
            literals "$(echo "$dicts" | cut -d' ' -f1)" $parsers
        fi
    } > "$out/$t.dict"
    case "$t" in
    fuzz_carrier_* | fuzz_payment_* | fuzz_notify_*) cp "$fuzz/options/plugin.options" "$out/$t.options" ;;
    fuzz_config) cp "$fuzz/options/config.options" "$out/$t.options" ;;
    *) rm -f "$out/$t.options" ;;
    esac
done
