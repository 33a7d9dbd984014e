#!/bin/bash
# doc_refs.sh - every document a file of the tree points to is in the tree.
#
# For each text file of the source tree (in a checkout: git's files and untracked ones not
# ignored; else every file outside build directories), URLs (scheme://...) removed first:
#
#   NAME.md, docs/PATH      must exist, relative to the file's directory or to the top
#   docs/NAME.md §N         must also have a heading "## N." (sections are numbered)
#   orderhub...(N)          a man page: docs/man/NAME.N must exist
#   notes outside the tree  any mention of the team's architecture notes file or of a
#                           "shared" directory beside the repository is an error
#
# One line per broken reference: FILE:LINE: what.  Exit 1 if there is any.
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
cd "$top_srcdir" || exit 99

# Built from pieces so that this file does not match itself.
outside="ARCHITECTURE[.]md|[.][.]/shared/|/work/shared"
md_token='[A-Za-z0-9_./-]*[A-Za-z0-9_-][.]md\b'
docs_token='\bdocs/[A-Za-z0-9_./-]*[A-Za-z0-9_]'
sect_token='docs/[a-z_-]+[.]md §[0-9]+'
man_token='\borderhub[a-z.-]*[a-z]\([1-8]\)'
url='[A-Za-z][A-Za-z0-9+.-]*://[^[:space:]"<>)`]*'

if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
    files=$(git ls-files --cached --others --exclude-standard)
else
    files=$(find . \( -name '.git' -o -name '_*' -o -name autom4te.cache \) -prune -o \
        -type f -print | sed 's|^\./||')
fi

failed=0
bad() { failed=$((failed + 1)); echo "$1: $2"; }

# exists TOKEN DIR - the path resolves from the file's directory or from the top.
exists() { [ -e "$2/$1" ] || [ -e "$1" ]; }

# FILE:LINE:TEXT of every line naming anything of interest (one grep for the whole tree),
# with URLs and leading shell or make variables ($top_srcdir/, $(srcdir)/) removed.
hits=$(grep -v -x 'tests/doc_refs.sh' <<< "$files" | tr '\n' '\0' |
    xargs -0 grep -InE "[.]md|docs/|orderhub[a-z.-]*\([1-8]\)|$outside" 2> /dev/null |
    sed -E "s#$url##g; s#[$][{(]?[A-Za-z_]+[})]?/##g")

while IFS= read -r hit; do
    [ -n "$hit" ] || continue
    f=${hit%%:*}
    rest=${hit#*:}
    line=${rest%%:*}
    text=${rest#*:}
    dir=$(dirname "$f")
    if [[ $text =~ $outside ]]; then
        bad "$f:$line" "points outside the repository: ${BASH_REMATCH[0]}"
        text=$(sed -E "s#$outside##g" <<< "$text")
    fi
    for tok in $(grep -oE "$md_token|$docs_token" <<< "$text" | sort -u); do
        tok=${tok%.}
        exists "$tok" "$dir" || bad "$f:$line" "no such file: $tok"
    done
    while IFS= read -r ref; do
        [ -n "$ref" ] || continue
        doc=${ref%% *}
        n=${ref##*§}
        [ -f "$doc" ] || continue # reported above
        grep -qE "^## $n[.] " "$doc" || bad "$f:$line" "$doc has no section $n"
    done <<< "$(grep -oE "$sect_token" <<< "$text")"
    for man in $(grep -oE "$man_token" <<< "$text" | sort -u); do
        name=${man%(*}
        sect=${man##*(}
        page="docs/man/$name.${sect%)}"
        [ -f "$page" ] || bad "$f:$line" "no such man page: $man ($page)"
    done
done <<< "$hits"

if [ "$failed" -gt 0 ]; then
    echo "doc_refs: $failed broken reference(s)"
    exit 1
fi
echo "doc_refs: every reference resolves"
