#include "config.h"

#include "config_text.h"
#include "util/file_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The scanner follows libconfig's own lexical rules just far enough to find what matters:
 * comments (# and // to the end of the line, / * ... * /), strings ("..." with backslash
 * escapes), `@include "path"` at the start of a line outside both, and the punctuation
 * that opens and closes groups { }, lists ( ) and arrays [ ], assigns (= or :) and
 * separates elements (,).  Everything else is copied through for libconfig to judge.
 */
enum lex_state { LEX_NORMAL, LEX_STRING, LEX_COMMENT };

typedef struct lexer {
    ct_text *t;
    const char *base_dir;
    diag_list *d;
    size_t total;                  /* bytes read from all files so far */
    int includes;                  /* @include directives so far */
    size_t entries;                /* settings and list/array elements so far */
    char kind[CT_MAX_NESTING];     /* '{', '(' or '[' of each open level */
    int members[CT_MAX_NESTING + 1]; /* settings of each open group; [0]: the top level */
    int depth;
    enum lex_state state;          /* carried across files, as libconfig's scanner does */
    size_t string_run;             /* bytes of the current string, adjacent pieces together */
    int after_string;              /* only blanks and comments since a string closed */
} lexer;

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * size);
    if (q == NULL)
        return -1;
    *p = q;
    *cap = n;
    return 0;
}

static int emit(ct_text *t, const char *s, size_t n)
{
    if (grow((void **)&t->text, &t->cap, t->len + n + 1, 1) != 0)
        return -1;
    memcpy(t->text + t->len, s, n);
    t->len += n;
    t->text[t->len] = '\0';
    for (size_t i = 0; i < n; i++)
        t->lines += s[i] == '\n';
    return 0;
}

/* From the next line of the spliced text on, lines are those of files[fi] from `line`. */
static int add_segment(ct_text *t, int fi, int line)
{
    if (grow((void **)&t->segs, &t->seg_cap, t->seg_count + 1, sizeof(*t->segs)) != 0)
        return -1;
    t->segs[t->seg_count++] = (ct_segment){t->lines + 1, fi, line};
    return 0;
}

static int add_file(ct_text *t, const char *name, size_t len)
{
    if (grow((void **)&t->files, &t->file_cap, t->file_count + 1, sizeof(*t->files)) != 0)
        return -1;
    char *copy = strndup(name, len);
    if (copy == NULL)
        return -1;
    t->files[t->file_count] = copy;
    return (int)t->file_count++;
}

static int oom(lexer *L)
{
    L->d->oom = 1;
    diag_add(L->d, DIAG_ERROR, NULL, 0, "out of memory reading the configuration");
    return -1;
}

/* Count one punctuation character of LEX_NORMAL against the limits.  0 / -1 (reported). */
static int count(lexer *L, char c, int fi, int line)
{
    const char *file = L->t->files[fi];
    switch (c) {
    case '{':
    case '(':
    case '[':
        if (L->depth >= CT_MAX_NESTING) {
            diag_add(L->d, DIAG_ERROR, file, line, "groups, lists and arrays nested more than "
                     "%d deep (the limit)", CT_MAX_NESTING);
            return -1;
        }
        L->kind[L->depth++] = c;
        L->members[L->depth] = 0;
        return 0;
    case '}':
    case ')':
    case ']':
        if (L->depth > 0) /* an unbalanced one is libconfig's syntax error to report */
            L->depth--;
        return 0;
    case '=':
    case ':':
        if (L->depth == 0 || L->kind[L->depth - 1] == '{') {
            if (++L->members[L->depth] > CT_MAX_GROUP_SETTINGS) {
                diag_add(L->d, DIAG_ERROR, file, line, "more than %d settings in one group "
                         "(the limit)", CT_MAX_GROUP_SETTINGS);
                return -1;
            }
        }
        break;
    case ',':
        if (L->depth == 0 || L->kind[L->depth - 1] == '{')
            return 0;
        break;
    default:
        return 0;
    }
    if (++L->entries > CT_MAX_ENTRIES) {
        diag_add(L->d, DIAG_ERROR, file, line, "more than %d settings and list elements in "
                 "the configuration (the limit)", CT_MAX_ENTRIES);
        return -1;
    }
    return 0;
}

static int lex_file(lexer *L, int fi, const char *buf, size_t len, int depth);

/*
 * `@include "path"` at buf[*i] (line `line` of files[fi]): splice the file in.  On return
 * *i is the closing quote.  1: not an include after all; 0: spliced; -1: error (reported).
 */
static int splice_include(lexer *L, int fi, const char *buf, size_t len, size_t *i, int line,
                          int depth)
{
    const char *file = L->t->files[fi];
    size_t j = *i + 8;
    if (len - *i < 8 || memcmp(buf + *i, "@include", 8) != 0 || j >= len ||
        (buf[j] != ' ' && buf[j] != '\t'))
        return 1;
    while (j < len && (buf[j] == ' ' || buf[j] == '\t'))
        j++;
    if (j >= len || buf[j] != '"')
        return 1;
    char name[4096];
    size_t n = 0, k = j + 1;
    for (; k < len && buf[k] != '"' && buf[k] != '\n' && n + 1 < sizeof(name); k++) {
        if (buf[k] == '\\' && k + 1 < len && (buf[k + 1] == '\\' || buf[k + 1] == '"'))
            k++;
        name[n++] = buf[k];
    }
    name[n] = '\0';
    if (k >= len || buf[k] != '"' || n == 0) {
        diag_add(L->d, DIAG_ERROR, file, line, "@include: the path must be a non-empty "
                 "\"string\" on one line");
        return -1;
    }
    if (depth + 1 > CT_MAX_INCLUDE_DEPTH || ++L->includes > CT_MAX_INCLUDES) {
        if (depth + 1 > CT_MAX_INCLUDE_DEPTH)
            diag_add(L->d, DIAG_ERROR, file, line, "@include \"%s\": includes nested more "
                     "than %d deep (the limit)", name, CT_MAX_INCLUDE_DEPTH);
        else
            diag_add(L->d, DIAG_ERROR, file, line, "@include \"%s\": more than %d @include "
                     "directives (the limit)", name, CT_MAX_INCLUDES);
        return -1;
    }
    char full[4096 + 1024];
    if (name[0] == '/')
        snprintf(full, sizeof(full), "%s", name);
    else
        snprintf(full, sizeof(full), "%s/%s", L->base_dir, name);
    char *content = NULL, why[256];
    size_t clen = 0;
    int rc = fr_read_regular(full, CT_MAX_TOTAL_BYTES - L->total, &content, &clen, why,
                             sizeof(why));
    if (rc == FR_TOO_LARGE) {
        diag_add(L->d, DIAG_ERROR, file, line, "@include \"%s\": the main file and its "
                 "includes together are larger than %d bytes (the limit)", name,
                 CT_MAX_TOTAL_BYTES);
        return -1;
    }
    if (rc != 0) {
        diag_add(L->d, DIAG_ERROR, file, line, "@include \"%s\": cannot read %s: %s", name,
                 full, why);
        return -1;
    }
    L->total += clen;
    int nfi = add_file(L->t, name, n);
    if (nfi < 0 || add_segment(L->t, nfi, 1) != 0) {
        free(content);
        return oom(L);
    }
    rc = lex_file(L, nfi, content, clen, depth + 1);
    free(content);
    if (rc != 0)
        return -1;
    /* The rest of the directive's line follows the included text, still as that line. */
    if ((L->t->len > 0 && L->t->text[L->t->len - 1] != '\n' && emit(L->t, "\n", 1) != 0) ||
        add_segment(L->t, fi, line) != 0)
        return oom(L);
    *i = k;
    return 0;
}

/* Scan buf (files[fi], included `depth` deep), copying it to the text with includes spliced. */
static int lex_file(lexer *L, int fi, const char *buf, size_t len, int depth)
{
    const char *file = L->t->files[fi];
    size_t copied = 0, line_begin = 0;
    int line = 1, at_line_start = 1;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (c == '\0') {
            diag_add(L->d, DIAG_ERROR, file, line, "the file contains a NUL byte");
            return -1;
        }
        if (L->state == LEX_STRING) {
            if (c == '"') {
                L->state = LEX_NORMAL;
                L->after_string = 1;
                continue;
            }
            if (c == '\\' && i + 1 < len)
                i++;
            if (buf[i] == '\n') {
                line++;
                line_begin = i + 1;
            }
            if (++L->string_run > CT_MAX_STRING_BYTES) {
                diag_add(L->d, DIAG_ERROR, file, line, "a string longer than %d bytes (the "
                         "limit)", CT_MAX_STRING_BYTES);
                return -1;
            }
            continue;
        }
        if (c == '\n') {
            line++;
            line_begin = i + 1;
            at_line_start = 1;
            continue;
        }
        if (L->state == LEX_COMMENT) {
            if (c == '*' && i + 1 < len && buf[i + 1] == '/') {
                L->state = LEX_NORMAL;
                i++;
            }
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r' || c == '\f')
            continue;
        if (c == '@' && at_line_start) {
            /* What precedes the directive on its line is blanks: dropped with it. */
            if (emit(L->t, buf + copied, line_begin - copied) != 0)
                return oom(L);
            int rc = splice_include(L, fi, buf, len, &i, line, depth);
            if (rc < 0)
                return -1;
            copied = rc == 0 ? i + 1 : line_begin;
            at_line_start = 0;
            continue;
        }
        at_line_start = 0;
        if (c == '#' || (c == '/' && i + 1 < len && buf[i + 1] == '/')) {
            while (i + 1 < len && buf[i + 1] != '\n')
                i++;
            continue;
        }
        if (c == '/' && i + 1 < len && buf[i + 1] == '*') {
            L->state = LEX_COMMENT;
            i++;
            continue;
        }
        if (c == '"') {
            if (!L->after_string)
                L->string_run = 0;
            L->state = LEX_STRING;
            continue;
        }
        L->after_string = 0;
        if (count(L, c, fi, line) != 0)
            return -1;
    }
    if (emit(L->t, buf + copied, len - copied) != 0)
        return oom(L);
    return 0;
}

int ct_load(ct_text *t, const char *main_path, const char *base_dir, diag_list *d)
{
    lexer L = {.t = t, .base_dir = base_dir, .d = d};
    char *content = NULL, why[256];
    size_t len = 0;
    int rc = fr_read_regular(main_path, CT_MAX_TOTAL_BYTES, &content, &len, why, sizeof(why));
    if (rc != 0) {
        if (rc == FR_TOO_LARGE)
            diag_add(d, DIAG_ERROR, NULL, 0, "%s: larger than %d bytes (the limit of the "
                     "configuration, includes counted)", main_path, CT_MAX_TOTAL_BYTES);
        else
            diag_add(d, DIAG_ERROR, NULL, 0, "%s: %s", main_path, why);
        return -1;
    }
    L.total = len;
    if (add_file(t, main_path, strlen(main_path)) != 0 || add_segment(t, 0, 1) != 0 ||
        emit(t, "", 0) != 0) {
        free(content);
        return oom(&L);
    }
    rc = lex_file(&L, 0, content, len, 0);
    free(content);
    return rc;
}

void ct_locate(const ct_text *t, int merged_line, const char **file, int *line)
{
    *file = t->file_count > 0 ? t->files[0] : NULL;
    *line = merged_line;
    /* The last segment starting at or before merged_line (several may start on one line
     * when an included file is empty: the last one holds). */
    size_t lo = 0, hi = t->seg_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t->segs[mid].merged_line <= merged_line)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return;
    const ct_segment *s = &t->segs[lo - 1];
    *file = t->files[s->file_index];
    *line = s->file_line + (merged_line - s->merged_line);
}

void ct_relocate(const ct_text *t, config_setting_t *root)
{
    const char *file;
    int line;
    ct_locate(t, (int)root->line, &file, &line);
    root->file = file;
    root->line = (unsigned)line;
    /* Recursion depth is bounded by CT_MAX_NESTING. */
    if (config_setting_is_aggregate(root)) {
        int n = config_setting_length(root);
        for (int i = 0; i < n; i++)
            ct_relocate(t, config_setting_get_elem(root, (unsigned)i));
    }
}

void ct_free(ct_text *t)
{
    for (size_t i = 0; i < t->file_count; i++)
        free(t->files[i]);
    free(t->files);
    free(t->segs);
    free(t->text);
    memset(t, 0, sizeof(*t));
}
