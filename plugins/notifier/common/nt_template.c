/*
 * nt_template - load a channel's template files, validate them, render them (see
 * nt_template.h).  A template is parsed once into segments: literal text and variable
 * references, so rendering never re-parses and an unknown name can only fail at load.
 */
#include "nt_template.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define NT_MAX_FILE_BYTES (64 * 1024) /* a message template, not a book */
#define NT_MAX_TEMPLATES 512
#define NT_VALUE_MAX 4096

typedef struct nt_segment {
    const char *text; /* literal: points into the template's own copy of the file */
    size_t len;
    int var;          /* variable index, or -1 for a literal */
} nt_segment;

struct nt_template {
    char *path;
    char *stem; /* "shipment.delivered", "shipment", "default" */
    const char *ext; /* "txt", "html", "subject": one of the caller's exts */
    char *source;
    nt_segment *segs;
    size_t nsegs;
};

struct nt_set {
    nt_template *items;
    size_t count;
};

const char *nt_default_dir(void)
{
    return NT_TEMPLATE_DIR;
}

static int fail(char *err, size_t errlen, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* ---- parsing ----------------------------------------------------------------------------- */

static int add_seg(nt_template *t, const char *text, size_t len, int var)
{
    if (var < 0 && len == 0)
        return 0;
    nt_segment *s = realloc(t->segs, (t->nsegs + 1) * sizeof(*s));
    if (s == NULL)
        return -1;
    t->segs = s;
    s[t->nsegs++] = (nt_segment){text, len, var};
    return 0;
}

static size_t line_of(const char *start, const char *at)
{
    size_t line = 1;
    for (const char *p = start; p < at; p++)
        line += *p == '\n';
    return line;
}

/* Split t->source into segments; every {{...}} must close on its line and name a known
 * variable; a stray "}}" is refused too (a half-deleted variable). */
static int parse(nt_template *t, char *err, size_t errlen)
{
    const char *src = t->source, *p = src, *lit = src;
    while (*p) {
        if (p[0] == '}' && p[1] == '}')
            return fail(err, errlen, "%s:%zu: unbalanced braces: \"}}\" without \"{{\"",
                        t->path, line_of(src, p));
        if (!(p[0] == '{' && p[1] == '{')) {
            p++;
            continue;
        }
        const char *open = p, *q = p + 2;
        while (*q && *q != '\n' && !(q[0] == '}' && q[1] == '}') && !(q[0] == '{' && q[1] == '{'))
            q++;
        if (!(q[0] == '}' && q[1] == '}'))
            return fail(err, errlen, "%s:%zu: unbalanced braces: \"{{\" not closed on its line",
                        t->path, line_of(src, open));
        const char *name = open + 2, *end = q;
        while (name < end && (*name == ' ' || *name == '\t'))
            name++;
        while (end > name && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        int var = nt_var_index(name, (size_t)(end - name));
        if (var < 0)
            return fail(err, errlen, "%s:%zu: unknown variable {{%.*s}}", t->path,
                        line_of(src, open), (int)(end - name), name);
        if (add_seg(t, lit, (size_t)(open - lit), -1) != 0 || add_seg(t, NULL, 0, var) != 0)
            return fail(err, errlen, "out of memory");
        p = lit = q + 2;
    }
    if (add_seg(t, lit, (size_t)(p - lit), -1) != 0)
        return fail(err, errlen, "out of memory");
    return 0;
}

/* ---- loading ----------------------------------------------------------------------------- */

static char *read_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fail(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = malloc(NT_MAX_FILE_BYTES + 1);
    size_t n = buf ? fread(buf, 1, NT_MAX_FILE_BYTES + 1, f) : 0;
    int bad = ferror(f);
    fclose(f);
    if (buf == NULL || bad || n > NT_MAX_FILE_BYTES || memchr(buf, '\0', n) != NULL) {
        fail(err, errlen, "%s: %s", path,
             buf == NULL ? "out of memory"
             : bad      ? "read error"
             : n > NT_MAX_FILE_BYTES ? "larger than 64 KiB" : "contains a NUL byte");
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    return buf;
}

/* The event families of docs/formats.md §2: a stem naming anything else would never be used. */
static int known_stem(const char *stem)
{
    static const char *const families[] = {"order", "payment", "seller", "sla", "fulfillment",
                                           "shipment", "delivery", "return", "dispute",
                                           "inventory", NULL};
    if (strcmp(stem, "default") == 0)
        return 1;
    for (size_t i = 0; families[i]; i++) {
        size_t n = strlen(families[i]);
        if (strncmp(stem, families[i], n) != 0)
            continue;
        if (stem[n] == '\0')
            return 1;
        if (stem[n] != '.' || stem[n + 1] == '\0')
            return 0;
        for (const char *p = stem + n + 1; *p; p++)
            if (!((*p >= 'a' && *p <= 'z') || *p == '_'))
                return 0;
        return 1;
    }
    return 0;
}

static void template_clear(nt_template *t)
{
    free(t->path);
    free(t->stem);
    free(t->source);
    free(t->segs);
}

/* "shipment.delivered.txt" -> stem "shipment.delivered", ext "txt", if ext is wanted. */
static int wanted(const char *file, const char *const *exts, const char **ext)
{
    const char *dot = strrchr(file, '.');
    if (dot == NULL || dot == file || file[0] == '.')
        return 0;
    for (size_t i = 0; exts[i]; i++) {
        if (strcmp(dot + 1, exts[i]) == 0) {
            *ext = exts[i];
            return 1;
        }
    }
    return 0;
}

static int load_one(nt_set *set, const char *dir, const char *file, const char *ext,
                    char *err, size_t errlen)
{
    if (set->count == NT_MAX_TEMPLATES)
        return fail(err, errlen, "%s: more than %d templates", dir, NT_MAX_TEMPLATES);
    nt_template *t = &set->items[set->count];
    memset(t, 0, sizeof(*t));
    size_t stem_len = strlen(file) - strlen(ext) - 1;
    t->stem = strndup(file, stem_len);
    if (t->stem == NULL || asprintf(&t->path, "%s/%s", dir, file) < 0) {
        t->path = NULL;
        template_clear(t);
        return fail(err, errlen, "out of memory");
    }
    t->ext = ext;
    int rc = -1;
    if (!known_stem(t->stem))
        fail(err, errlen, "%s: \"%s\" is not an event name, an event family or \"default\"",
             t->path, t->stem);
    else if ((t->source = read_file(t->path, err, errlen)) != NULL)
        rc = parse(t, err, errlen);
    if (rc != 0) {
        template_clear(t);
        return -1;
    }
    set->count++;
    return 0;
}

int nt_set_load(const char *dir, const char *channel, const char *const *exts,
                const char *required, nt_set **out, char *err, size_t errlen)
{
    char *path = NULL;
    if (asprintf(&path, "%s/%s", dir, channel) < 0)
        return fail(err, errlen, "out of memory");
    DIR *d = opendir(path);
    if (d == NULL) {
        fail(err, errlen, "template_dir: %s: %s", path, strerror(errno));
        free(path);
        return -1;
    }
    nt_set *set = calloc(1, sizeof(*set));
    if (set != NULL)
        set->items = calloc(NT_MAX_TEMPLATES, sizeof(*set->items));
    int rc = set && set->items ? 0 : fail(err, errlen, "out of memory");
    struct dirent *e;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        const char *ext;
        if (!wanted(e->d_name, exts, &ext))
            continue;
        rc = load_one(set, path, e->d_name, ext, err, errlen);
    }
    closedir(d);
    if (rc == 0 && required != NULL && nt_find(set, "default", required) == NULL)
        rc = fail(err, errlen, "template_dir: %s has no default.%s (the fallback of every "
                  "event)", path, required);
    free(path);
    if (rc != 0) {
        nt_set_free(set);
        return -1;
    }
    *out = set;
    return 0;
}

void nt_set_free(nt_set *set)
{
    if (set == NULL)
        return;
    for (size_t i = 0; i < set->count; i++)
        template_clear(&set->items[i]);
    free(set->items);
    free(set);
}

size_t nt_set_count(const nt_set *set)
{
    return set ? set->count : 0;
}

static const nt_template *find_exact(const nt_set *set, const char *stem, size_t len,
                                     const char *ext)
{
    for (size_t i = 0; i < set->count; i++) {
        const nt_template *t = &set->items[i];
        if (strlen(t->stem) == len && strncmp(t->stem, stem, len) == 0 &&
            strcmp(t->ext, ext) == 0)
            return t;
    }
    return NULL;
}

const nt_template *nt_find(const nt_set *set, const char *event, const char *ext)
{
    if (set == NULL || ext == NULL)
        return NULL;
    const nt_template *t = NULL;
    if (event != NULL) {
        t = find_exact(set, event, strlen(event), ext);
        const char *dot = strchr(event, '.');
        if (t == NULL && dot != NULL)
            t = find_exact(set, event, (size_t)(dot - event), ext);
    }
    return t ? t : find_exact(set, "default", 7, ext);
}

const char *nt_template_path(const nt_template *t)
{
    return t->path;
}

/* ---- rendering --------------------------------------------------------------------------- */

typedef struct nt_buf {
    char *data;
    size_t len, cap;
    int oom;
} nt_buf;

static void put(nt_buf *b, const char *s, size_t n)
{
    if (b->oom || n == 0)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (d == NULL) {
            b->oom = 1;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void put_value(nt_buf *b, const char *v, nt_escape esc)
{
    for (const char *p = v; *p; p++) {
        unsigned char c = (unsigned char)*p;
        const char *rep = NULL;
        if (esc == NT_HTML)
            rep = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;"
                  : c == '"' ? "&quot;" : c == '\'' ? "&#39;" : NULL;
        else if (esc == NT_SLACK)
            rep = c == '&' ? "&amp;" : c == '<' ? "&lt;" : c == '>' ? "&gt;" : NULL;
        else if (esc == NT_LINE && (c < 0x20 || c == 0x7f))
            rep = " ";
        if (rep != NULL)
            put(b, rep, strlen(rep));
        else
            put(b, p, 1);
    }
}

char *nt_render(const nt_template *t, const nt_ctx *ctx, nt_escape esc, size_t *len)
{
    nt_buf b = {0};
    char *value = malloc(NT_VALUE_MAX);
    if (value == NULL)
        return NULL;
    put(&b, "", 0);
    for (size_t i = 0; i < t->nsegs; i++) {
        const nt_segment *s = &t->segs[i];
        if (s->var < 0)
            put(&b, s->text, s->len);
        else
            put_value(&b, nt_var_value(s->var, ctx, value, NT_VALUE_MAX), esc);
    }
    free(value);
    if (!b.oom && b.data == NULL)
        b.data = strdup("");
    if (b.oom) {
        free(b.data);
        return NULL;
    }
    if (len != NULL)
        *len = b.data ? strlen(b.data) : 0;
    return b.data;
}
