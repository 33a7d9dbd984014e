#!/bin/bash
# include_cycles.sh - no circle of #include "..." between the files of core/, sdk/ and tools/.
#
# The rule.  A node is a source file a.c together with the headers that declare its
# functions (a.h, and any shared header naming a function a.c defines): a "file pair".
# a.c depends on b.c when a.c sees - includes, directly or through other headers - a
# header that names a function b.c defines.  A circle is a.c depending on b.c and b.c,
# directly or through others, depending on a.c: a.c includes b.h and b.c includes a.h is
# the smallest one.  A shared private header (x_int.h) declaring the functions of several
# files and included by them joins them all into one circle; so does a type-only header
# that drags in the header of the file that includes it.  Types, constants and macros that
# call nothing carry no dependency: a types header (engine_types.h) is how two files share
# a structure without a circle.
#
# Names are resolved the way the compiler does with the project's -I paths (Makefile.am):
# the including file's directory, then sdk/include, then core/.  Names found in none of
# them (config.h, system headers) are not ours and are skipped.  A function is "defined" by
# a non-static definition in a .c file; `main` is ignored.
#
# Every circle fails the test: the tree has none, and a new one is a layering mistake to
# fix (a function moved down a layer, a header split), not to tolerate.
set -u
top=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$top" || exit 2

files=$(find core sdk tools -name '*.[ch]' -not -path '*/_*' | LC_ALL=C sort)
[ -n "$files" ] || { echo "include_cycles: no sources under $top"; exit 2; }

# shellcheck disable=SC2086
awk '
function strip(line,    out, i, c2) {
    # comments (/* */ across lines, //) and string literals out; `incomment` persists.
    out = ""
    while (line != "") {
        if (incomment) {
            i = index(line, "*/")
            if (i == 0) return out
            line = substr(line, i + 2); incomment = 0; continue
        }
        if (match(line, /\/\*|\/\/|"|\047/)) {
            out = out substr(line, 1, RSTART - 1)
            c2 = substr(line, RSTART, RLENGTH)
            line = substr(line, RSTART + RLENGTH)
            if (c2 == "//") return out
            if (c2 == "/*") { incomment = 1; out = out " "; continue }
            # a string or character literal: skip to its unescaped end
            while (line != "" && substr(line, 1, 1) != c2) {
                if (substr(line, 1, 1) == "\\") line = substr(line, 2)
                line = substr(line, 2)
            }
            line = substr(line, 2); out = out " "
        } else {
            out = out line; line = ""
        }
    }
    return out
}
function dirof(p) { sub(/\/[^\/]*$/, "", p); return p }
function resolve(from, name,    c) {
    c = dirof(from) "/" name
    while (c ~ /\/[^\/.][^\/]*\/\.\.\//) sub(/\/[^\/.][^\/]*\/\.\.\//, "/", c)
    if (c in isfile) return c
    if (("sdk/include/" name) in isfile) return "sdk/include/" name
    if (("core/" name) in isfile) return "core/" name
    return ""
}
FNR == 1 {
    isfile[FILENAME] = 1
    incomment = 0; depth = 0; stmt = ""; inpp = 0
    cur = FILENAME; isc = cur ~ /\.c$/
}
{
    raw = $0
    if (inpp || raw ~ /^[ \t]*#/) {
        inpp = (raw ~ /\\$/)
        if (match(raw, /^[ \t]*#[ \t]*include[ \t]*"[^"]+"/)) {
            name = substr(raw, RSTART, RLENGTH); sub(/^[^"]*"/, "", name); sub(/"$/, "", name)
            ninc[cur]++; inc[cur, ninc[cur]] = name
            next
        }
        # macros may call functions: scan them, but never as definitions
        text = strip(raw)
        if (!isc) mentions(text)
        next
    }
    text = strip(raw)
    if (!isc) { mentions(text); next }
    # definitions: at brace depth 0, a statement ending in "{" whose text has a "(" and no
    # "=", not static; the name is the identifier before the first "(".
    n = length(text)
    for (i = 1; i <= n; i++) {
        ch = substr(text, i, 1)
        if (depth == 0) {
            if (ch == ";") { stmt = ""; continue }
            if (ch == "{") {
                if (stmt ~ /\(/ && stmt !~ /=/ && stmt !~ /^[ \t]*static[ \t]/ &&
                    match(stmt, /[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/)) {
                    fn = substr(stmt, RSTART, RLENGTH); sub(/[ \t]*\($/, "", fn)
                    if (fn != "main" && fn != "__attribute__") {
                        ndef[fn]++; def[fn, ndef[fn]] = cur
                    }
                }
                stmt = ""; depth = 1; continue
            }
            stmt = stmt ch
        } else if (ch == "{") depth++
        else if (ch == "}") { depth--; if (depth == 0) stmt = "" }
    }
    stmt = stmt " "
}
function mentions(text,    id) {
    while (match(text, /[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/)) {
        id = substr(text, RSTART, RLENGTH); sub(/[ \t]*\($/, "", id)
        names[cur, id] = 1; nlist[cur] = nlist[cur] " " id
        text = substr(text, RSTART + RLENGTH)
    }
}
END {
    # owners of each header: the .c files defining the functions it names
    for (h in nlist) {
        split(nlist[h], ids, " ")
        for (k in ids) {
            id = ids[k]
            if (id == "" || !(id in ndef) || ((h, id) in done)) continue
            done[h, id] = 1
            # a name defined in several programs: prefer the directory of the header
            local = 0
            for (j = 1; j <= ndef[id]; j++) if (dirof(def[id, j]) == dirof(h)) local++
            for (j = 1; j <= ndef[id]; j++) {
                o = def[id, j]
                if (local && dirof(o) != dirof(h)) continue
                if (!((h, o) in owns)) { owns[h, o] = id; nown[h]++; own[h, nown[h]] = o }
            }
        }
    }
    # each .c: the headers it sees, then an edge to every owner of one of them
    for (c in isfile) {
        if (c !~ /\.c$/) continue
        delete seen; qn = 0; q[++qn] = c; seen[c] = 1
        for (qi = 1; qi <= qn; qi++) {
            x = q[qi]
            for (k = 1; k <= ninc[x]; k++) {
                y = resolve(x, inc[x, k])
                if (y != "" && !(y in seen)) { seen[y] = 1; q[++qn] = y; via[c, y] = x }
            }
        }
        for (qi = 2; qi <= qn; qi++) {
            h = q[qi]
            for (k = 1; k <= nown[h]; k++) {
                o = own[h, k]
                if (o == c || ((c, o) in edge)) continue
                edge[c, o] = h ": " owns[h, o] "()"
                nout[c]++; out[c, nout[c]] = o
            }
        }
    }
    # circles: strongly connected sets of .c files, each printed once with one path
    status = 0; ncirc = 0
    for (c in isfile) {
        if (c !~ /\.c$/ || (c in incirc)) continue
        # the files that reach c and that c reaches
        delete fw; delete parent; qn = 0; q[++qn] = c; fw[c] = 1
        for (qi = 1; qi <= qn; qi++) {
            x = q[qi]
            for (k = 1; k <= nout[x]; k++) {
                y = out[x, k]
                if (!(y in fw)) { fw[y] = 1; parent[y] = x; q[++qn] = y }
            }
        }
        back = ""
        for (x in fw) if (x != c && ((x, c) in edge)) { back = x; break }
        if (back == "") continue
        members = ""
        for (x in fw) {
            # x is in the circle when it reaches c
            delete bw; bq[1] = x; bn = 1; bw[x] = 1; hit = (x == c)
            for (bi = 1; bi <= bn && !hit; bi++) {
                z = bq[bi]
                for (k = 1; k <= nout[z]; k++) {
                    w = out[z, k]
                    if (w == c) { hit = 1; break }
                    if (!(w in bw) && (w in fw)) { bw[w] = 1; bq[++bn] = w }
                }
            }
            if (hit) { incirc[x] = 1; members = members " " x }
        }
        nm = split(members, ms, " ")
        for (i = 1; i <= nm; i++) for (j = i + 1; j <= nm; j++) if (ms[j] < ms[i]) { t = ms[i]; ms[i] = ms[j]; ms[j] = t }
        list = ""
        for (i = 1; i <= nm; i++) list = list " " ms[i]
        # one path round the circle: c ... back -> c, through the forward tree
        path = ""; x = back
        while (x != c) { path = "\n    " parent[x] " -> " x "  (" edge[parent[x], x] ")" path; x = parent[x] }
        path = path "\n    " back " -> " c "  (" edge[back, c] ")"
        ncirc++
        printf "CIRCLE:%s%s\n", list, path
        status = 1
    }
    if (status == 0) printf "ok - no #include circle among the files of core/, sdk/ and tools/\n"
    exit status
}
' $files < /dev/null
