#include "config.h"

#include "output.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

char *out_clean(const char *s)
{
    if (s == NULL)
        s = "";
    size_t n = strlen(s);
    char *o = malloc(n + 1);
    if (o == NULL)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 || ch == 0x7f) {
            o[j++] = '?';
        } else if (ch == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 &&
                   (unsigned char)s[i + 1] <= 0x9f) {
            o[j++] = '?'; /* U+0080..U+009F: C1 controls (a CSI is U+009B) */
            i++;
        } else {
            o[j++] = (char)ch;
        }
    }
    o[j] = '\0';
    return o;
}

char *out_scalar(const json_t *v)
{
    char num[64];
    switch (v ? json_typeof(v) : JSON_NULL) {
    case JSON_STRING:
        return out_clean(json_string_value(v));
    case JSON_INTEGER:
        snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return out_clean(num);
    case JSON_REAL:
        snprintf(num, sizeof(num), "%g", json_real_value(v));
        return out_clean(num);
    case JSON_TRUE:
        return out_clean("true");
    case JSON_FALSE:
        return out_clean("false");
    case JSON_NULL:
        return out_clean("");
    case JSON_OBJECT: {
        const json_t *ma = json_object_get(v, "major"), *mi = json_object_get(v, "minor");
        if (json_is_integer(ma) && json_is_integer(mi)) {
            snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT ".%" JSON_INTEGER_FORMAT,
                     json_integer_value(ma), json_integer_value(mi));
            return out_clean(num);
        }
    }
        /* fall through */
    case JSON_ARRAY:
    default: {
        char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        char *o = out_clean(text ? text : "");
        free(text);
        return o;
    }
    }
}

int out_minor_digits(const char *currency)
{
    static const char zero[] = " BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV"
                               " XAF XOF XPF ";
    static const char three[] = " BHD IQD JOD KWD LYD OMR TND ";
    static const char four[] = " CLF UYW ";
    char key[6];
    if (currency == NULL || strlen(currency) != 3)
        return 2;
    snprintf(key, sizeof(key), " %s ", currency);
    if (strstr(zero, key))
        return 0;
    if (strstr(three, key))
        return 3;
    if (strstr(four, key))
        return 4;
    return 2;
}

void out_money(char *buf, size_t n, long long minor, const char *currency)
{
    int d = out_minor_digits(currency);
    unsigned long long scale = 1, a;
    for (int i = 0; i < d; i++)
        scale *= 10;
    /* |minor| without overflow for LLONG_MIN */
    a = minor < 0 ? (unsigned long long)(-(minor + 1)) + 1 : (unsigned long long)minor;
    if (d == 0)
        snprintf(buf, n, "%s%llu", minor < 0 ? "-" : "", a);
    else
        snprintf(buf, n, "%s%llu.%0*llu", minor < 0 ? "-" : "", a / scale, d, a % scale);
}

void out_local_time(char *buf, size_t n, long long ms)
{
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
    struct tm tm;
    if (localtime_r(&t, &tm) == NULL || strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm) == 0)
        snprintf(buf, n, "%lld", ms);
}

void out_raw(const char *body, size_t len)
{
    fwrite(body, 1, len, stdout);
    if (len == 0 || body[len - 1] != '\n')
        fputc('\n', stdout);
}

void out_json(const json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    if (text != NULL)
        puts(text);
    free(text);
}

struct out_table {
    size_t ncols, nrows, cap;
    unsigned right;
    char **cells; /* (nrows + 1) x ncols, row 0 the headers */
};

/* Display width: UTF-8 characters (continuation bytes do not count). */
static size_t width(const char *s)
{
    size_t w = 0;
    for (; *s; s++) {
        if (((unsigned char)*s & 0xc0) != 0x80)
            w++;
    }
    return w;
}

static int add_row(out_table *t, const char *const *cells)
{
    if (t->nrows + 1 >= t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        char **c = realloc(t->cells, cap * t->ncols * sizeof(*c));
        if (c == NULL)
            return -1;
        t->cells = c;
        t->cap = cap;
    }
    char **row = t->cells + t->nrows * t->ncols;
    for (size_t i = 0; i < t->ncols; i++) {
        row[i] = out_clean(cells[i]);
        if (row[i] == NULL) {
            while (i-- > 0)
                free(row[i]);
            return -1;
        }
    }
    t->nrows++;
    return 0;
}

out_table *out_table_new(size_t ncols, const char *const *headers, unsigned right_mask)
{
    out_table *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return NULL;
    t->ncols = ncols;
    t->right = right_mask;
    if (add_row(t, headers) != 0) {
        free(t);
        return NULL;
    }
    return t;
}

int out_table_add(out_table *t, const char *const *cells)
{
    return add_row(t, cells);
}

size_t out_table_rows(const out_table *t)
{
    return t->nrows - 1;
}

void out_table_print(const out_table *t, FILE *f, int indent)
{
    size_t w[32] = {0};
    size_t nc = t->ncols < 32 ? t->ncols : 32;
    for (size_t r = 0; r < t->nrows; r++) {
        for (size_t i = 0; i < nc; i++) {
            size_t x = width(t->cells[r * t->ncols + i]);
            if (x > w[i])
                w[i] = x;
        }
    }
    for (size_t r = 0; r < t->nrows; r++) {
        size_t used = nc; /* no trailing blanks: stop after the last non-empty cell */
        while (used > 1 && t->cells[r * t->ncols + used - 1][0] == '\0')
            used--;
        fprintf(f, "%*s", indent, "");
        for (size_t i = 0; i < used; i++) {
            const char *s = t->cells[r * t->ncols + i];
            size_t pad = w[i] - width(s);
            int last = i + 1 == used, right = (t->right >> i) & 1u;
            if (right)
                fprintf(f, "%*s", (int)pad, "");
            fputs(s, f);
            if (!last && !right)
                fprintf(f, "%*s", (int)pad, "");
            fputs(last ? "\n" : "  ", f);
        }
    }
}

void out_table_free(out_table *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t);
}

void out_table_or_none(const out_table *t, const char *none)
{
    if (out_table_rows(t) == 0)
        printf("%s\n", none);
    else
        out_table_print(t, stdout, 0);
}

void out_collected(int json, const out_table *t, json_t *items, const char *key,
                   const char *next_key, const char *none)
{
    if (json) {
        json_t *doc = json_pack("{s:O, s:n}", key, items, next_key);
        out_json(doc);
        json_decref(doc);
    } else {
        out_table_or_none(t, none);
    }
}
